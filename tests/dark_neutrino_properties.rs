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

/// Model points at the edges of the parameter space: the Z' just above 2 m_e, N close to the
/// flux's kinematic reach, tiny and large couplings, a Z' a thousand times heavier than N. Each
/// either runs with finite, non-negative weights, no event failing the sanity check and four-momentum
/// conserved, or is refused with an error that names the model key (never a panic or a NaN).
fn extreme_point() -> impl Strategy<Value = (f64, f64, f64, f64, f64, &'static str)> {
    prop_oneof![
        // mzprime = 2 m_e (1 + 10^u): the Z' -> e+e- threshold.
        (0.01f64..0.5, -6.0f64..-1.0).prop_map(|(m4, u)| (
            m4,
            2.0 * M_E * (1.0 + 10f64.powf(u)),
            1e-3,
            0.25,
            1e-3,
            "miniboone_fhc"
        )),
        // m4 near the flux's reach at CHARM-II and MiniBooNE (heavy Z').
        (
            0.5f64..0.99,
            prop_oneof![Just("charmii_fhc"), Just("miniboone_fhc")]
        )
            .prop_map(|(f, exp)| {
                let reach = if exp == "charmii_fhc" { 20.0 } else { 6.5 };
                (f * reach, 1.5 * f * reach, 1e-2, 0.25, 1e-2, exp)
            }),
        // Tiny couplings.
        (0.05f64..0.45, -12.0f64..-6.0, -8.0f64..-4.0, -12.0f64..-6.0).prop_map(
            |(m4, lu, la, le)| (
                m4,
                0.03,
                10f64.powf(lu),
                10f64.powf(la),
                10f64.powf(le),
                "minerva_le_fhc"
            )
        ),
        // Large couplings: |U| near 1, alpha_D = O(1), epsilon = 0.1.
        (0.05f64..0.45, 0.5f64..0.99, 0.5f64..1.0).prop_map(|(m4, u, a)| (
            m4,
            0.3 * m4,
            u,
            a,
            0.1,
            "miniboone_fhc"
        )),
        // A Z' up to 1000 times heavier than N.
        (0.01f64..0.45, 10.0f64..1000.0).prop_map(|(m4, r)| (
            m4,
            r * m4,
            1e-2,
            0.25,
            1e-2,
            "miniboone_fhc"
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]
    #[test]
    fn extreme_model_points_give_finite_weights_or_a_clear_error(
        (m4, mzp, umu4, alpha_d, eps, exp) in extreme_point(),
        majorana in any::<bool>(),
    ) {
        let text = card(m4, mzp, umu4, alpha_d, eps, majorana, exp, false);
        let cfg = match Config::parse(&text, "prop", &[]) {
            Ok(c) => c,
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("model"), "{}", msg);
                return Ok(());
            }
        };
        let prepared = match run::prepare(cfg) {
            Ok(p) => p,
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("model.m4") || msg.contains("no channel is open"), "m4 = {m4}, mzprime = {mzp}: {msg}");
                return Ok(());
            }
        };
        let mut sink = MemorySink::default();
        let report = match prepared.generate(&mut sink, |_| {}, || false) {
            Ok(r) => r,
            Err(e) => {
                // N so close to the flux's reach that no channel has flux x cross section left:
                // refused with a clear error when the run starts.
                let msg = e.to_string();
                prop_assert!(msg.contains("zero flux x cross section"), "m4 = {m4}, mzprime = {mzp}: {msg}");
                return Ok(());
            }
        };
        prop_assert_eq!(report.summary.bad_events, 0, "m4 = {}, mzprime = {}", m4, mzp);
        prop_assert!(report.summary.predicted_total.is_finite() && report.summary.predicted_total > 0.0);
        let w = sink.f64_column("weight").unwrap();
        let (nu, n, rec, nu_out, em, ep) = (p4(&sink, "nu_in"), p4(&sink, "N"), p4(&sink, "recoil"), p4(&sink, "nu_out"), p4(&sink, "e_minus"), p4(&sink, "e_plus"));
        for i in 0..w.len() {
            prop_assert!(w[i].is_finite() && w[i] >= 0.0, "weight {}", w[i]);
            let target = FourVector::at_rest(rec[i].m());
            prop_assert!(conservation_violation(nu[i] + target, n[i] + rec[i]) < 1e-9, "scattering vertex, event {}", i);
            prop_assert!(conservation_violation(n[i], nu_out[i] + em[i] + ep[i]) < 1e-9, "decay vertex, event {}", i);
        }
        for c in ["x_decay", "y_decay", "z_decay"] {
            prop_assert!(sink.f64_column(c).unwrap().iter().all(|x| x.is_finite()), "{}", c);
        }
    }
}
