//! Property tests over random dark-neutrino model points: four-momentum conserved at every vertex,
//! particles on shell, weights finite and non-negative, unweighted weights all equal.

use nuportal::config::Config;
use nuportal::kinematics::{conservation_violation, FourVector};
use nuportal::output::memory::MemorySink;
use nuportal::run;
use nuportal::units::M_E;
use proptest::prelude::*;

#[allow(
    clippy::too_many_arguments,
    reason = "one argument per model parameter"
)]
fn card(
    m4: f64,
    mzp: f64,
    umu4: f64,
    alpha_d: f64,
    eps: f64,
    majorana: bool,
    exp: &str,
    unweighted: bool,
) -> String {
    format!(
        "[process]\nkind = \"upscattering\"\n[model]\npreset = \"dark_neutrino\"\nm4 = {m4}\nmzprime = {mzp}\nUmu4 = {umu4}\nalphaD = {alpha_d}\nepsilon = {eps}\nHNLtype = \"{}\"\n[experiment]\nname = \"{exp}\"\n[generation]\nevents = 3000\nchunk_size = 1000\nseed = 5\nunweighted = {unweighted}\n",
        if majorana { "majorana" } else { "dirac" }
    )
}

fn p4(sink: &MemorySink, p: &str) -> Vec<FourVector> {
    let c = |k: &str| sink.f64_column(&format!("{p}_{k}")).unwrap();
    let (e, x, y, z) = (c("E"), c("px"), c("py"), c("pz"));
    (0..e.len())
        .map(|i| FourVector::new(e[i], x[i], y[i], z[i]))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
    #[test]
    fn generated_events_are_physical(
        m4 in 0.03f64..0.45, r in prop_oneof![0.05f64..0.9, 1.1f64..20.0], lu in -4.0f64..-1.5,
        alpha_d in 0.01f64..1.0, le in -5.0f64..-2.0, majorana in any::<bool>(),
        exp in prop_oneof![Just("miniboone_fhc"), Just("minerva_le_fhc"), Just("charmii_rhc")],
        unweighted in any::<bool>(),
    ) {
        let mzp = (r * m4).max(0.0011);
        let cfg = Config::parse(&card(m4, mzp, 10f64.powf(lu), alpha_d, 10f64.powf(le), majorana, exp, unweighted), "prop", &[]).unwrap();
        let prepared = run::prepare(cfg).unwrap();
        let mut sink = MemorySink::default();
        let report = prepared.generate(&mut sink, |_| {}, || false).unwrap();
        prop_assert_eq!(report.summary.bad_events, 0);
        let w = sink.f64_column("weight").unwrap();
        let (nu, n, rec, nu_out, em, ep) = (p4(&sink, "nu_in"), p4(&sink, "N"), p4(&sink, "recoil"), p4(&sink, "nu_out"), p4(&sink, "e_minus"), p4(&sink, "e_plus"));
        for i in 0..w.len() {
            prop_assert!(w[i].is_finite() && w[i] >= 0.0, "weight {}", w[i]);
            let m_t = rec[i].m();
            let target = FourVector::at_rest(m_t);
            prop_assert!(conservation_violation(nu[i] + target, n[i] + rec[i]) < 1e-9, "scattering vertex, event {}", i);
            prop_assert!(conservation_violation(n[i], nu_out[i] + em[i] + ep[i]) < 1e-9, "decay vertex, event {}", i);
            let e2 = n[i].e * n[i].e;
            prop_assert!((n[i].m2() - m4 * m4).abs() < 1e-9 * e2, "N off shell: {}", n[i].m());
            prop_assert!((em[i].m2() - M_E * M_E).abs() < 1e-9 * em[i].e * em[i].e);
            prop_assert!((ep[i].m2() - M_E * M_E).abs() < 1e-9 * ep[i].e * ep[i].e);
            prop_assert!(nu_out[i].m2().abs() < 1e-9 * nu_out[i].e * nu_out[i].e);
            prop_assert!(nu[i].m2().abs() < 1e-12 * nu[i].e * nu[i].e);
        }
        if unweighted && report.summary.envelope_overflows == 0 && !w.is_empty() {
            prop_assert!(w.iter().all(|x| *x == w[0]), "unweighted weights differ");
        }
        if unweighted {
            prop_assert!(report.summary.acceptance > 0.0 && report.summary.acceptance <= 1.0);
        }
    }
}

#[test]
fn default_signal_is_identical_for_one_and_two_threads() {
    let run_with = |threads: usize| {
        let sets = [
            "generation.events=40000".to_string(),
            "generation.chunk_size=7000".into(),
            format!("generation.threads={threads}"),
        ];
        let prepared = run::prepare(Config::default_with(&sets).unwrap()).unwrap();
        let mut sink = MemorySink::default();
        prepared.generate(&mut sink, |_| {}, || false).unwrap();
        sink
    };
    let (a, b) = (run_with(1), run_with(2));
    for c in &a.plan.as_ref().unwrap().columns {
        if let (Some(x), Some(y)) = (a.f64_column(&c.name), b.f64_column(&c.name)) {
            assert!(
                x.iter().zip(&y).all(|(p, q)| p.to_bits() == q.to_bits()),
                "column {} differs",
                c.name
            );
        }
    }
    // decay vertices are displaced along N: (x_decay - x_scatter) parallel to p_N
    let col = |n: &str| a.f64_column(n).unwrap();
    let (dx, dz, px, pz) = (col("x_decay"), col("z_decay"), col("N_px"), col("N_pz"));
    let (sx, sz) = (col("x_scatter"), col("z_scatter"));
    for i in 0..dx.len() {
        let (lx, lz) = (dx[i] - sx[i], dz[i] - sz[i]);
        // x_decay - x_scatter carries the rounding of the vertex coordinates (~1e-16 x 600 cm)
        let tol_len = 1e-9 * (lx.abs() + lz.abs())
            + 1e-15 * (dx[i].abs() + dz[i].abs() + sx[i].abs() + sz[i].abs());
        assert!(
            (lx * pz[i] - lz * px[i]).abs() <= tol_len * (px[i].abs() + pz[i].abs()),
            "event {i}"
        );
        assert!(lz * pz[i] >= -tol_len * pz[i].abs(), "event {i}");
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<nuportal::process::dark_neutrino::DarkNeutrinoSignal>();
    assert_send_sync::<nuportal::process::nu_electron::NuElectron>();
    assert_send_sync::<nuportal::experiment::Experiment>();
    assert_send_sync::<nuportal::run::Prepared>();
    assert_send_sync::<nuportal::config::Config>();
}
