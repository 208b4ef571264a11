//! nu-e elastic scattering against independent calculations: closed forms, rates at
//! MINERvA LE and CHARM-II, and the rate change from a light Z' at two masses.

mod common;

use common::*;
use nuportal::config::Config;
use nuportal::flux::Flavour;
use nuportal::kinematics::{conservation_violation, FourVector};
use nuportal::model::Couplings;
use nuportal::output::memory::MemorySink;
use nuportal::process::nu_electron::NuElectron;
use nuportal::run;
use nuportal::units::HBARC2_GEV2_CM2;

const NUE_TOML: &str = "[process]\nkind = \"nu_e_elastic\"\n[model]\npreset = \"sm\"\n[experiment]\nname = \"minerva_le_fhc\"\n[generation]\nevents = 200000\nseed = 11\n";

#[test]
fn sm_cross_sections_agree_with_closed_forms() {
    let p = NuElectron::with_channels(Couplings::sm(), vec![]);
    for (k, f) in Flavour::ALL.into_iter().enumerate() {
        let col = k + 1;
        let mut e = 0.01;
        while e <= 100.0 {
            let ours = p.sigma(f, e) * HBARC2_GEV2_CM2;
            // independent quadrature of dsigma/dT
            let quad = nue_sigma(col, e, 0.0, 0.0);
            assert!(
                (ours / quad - 1.0).abs() < 5e-3,
                "{f} at {e} GeV: {ours} vs {quad}"
            );
            // textbook high-energy closed form sigma = 2 G_F^2 m_e E / pi (g_L^2 + g_R^2/3), E >> m_e
            if e >= 1.0 {
                let cc = if f.generation() == 0 { 1.0 } else { 0.0 };
                let (mut gl, mut gr) = (-0.5 + SW2 + cc, SW2);
                if f.is_anti() {
                    std::mem::swap(&mut gl, &mut gr);
                }
                let closed = 2.0 * GF * GF * ME * e / std::f64::consts::PI
                    * (gl * gl + gr * gr / 3.0)
                    * HBARC2;
                assert!(
                    (ours / closed - 1.0).abs() < 5e-3,
                    "{f} at {e} GeV: {ours} vs closed {closed}"
                );
            }
            e *= 1.6;
        }
    }
}

fn generate(toml: &str, sets: &[&str]) -> (run::Report, MemorySink, run::Prepared) {
    let sets: Vec<String> = sets.iter().map(|s| (*s).to_string()).collect();
    let cfg = Config::parse(toml, "test", &sets).unwrap();
    let prepared = run::prepare(cfg).unwrap();
    let mut sink = MemorySink::default();
    let report = prepared.generate(&mut sink, |_| {}, || false).unwrap();
    (report, sink, prepared)
}

/// Electrons in `mass_t` tons of a compound with `electrons_per_molecule` and molar mass `molar_g`.
fn electrons(mass_t: f64, molar_g: f64, electrons_per_molecule: f64) -> f64 {
    mass_t * 1e6 / molar_g * 6.022_140_76e23 * electrons_per_molecule
}

fn check_rate(
    experiment: &str,
    flux_file: &str,
    flux_scale: f64,
    lo: f64,
    hi: f64,
    pot: f64,
    n_e: f64,
) {
    let (report, _, _) = generate(NUE_TOML, &[&format!("experiment.name=\"{experiment}\"")]);
    let rows = read_flux(&reference_dir().join("fluxes").join(flux_file));
    let mut independent = 0.0;
    for col in 1..=6 {
        independent += nue_rate(&rows, col, flux_scale, lo, hi, pot, n_e, 0.0, 0.0);
    }
    let ours = report.summary.predicted_total;
    let err = report.summary.mc_error_total;
    assert!(err / ours < 0.005, "MC error too large: {err}");
    assert!(
        (ours / independent - 1.0).abs() < 0.01,
        "{experiment}: {ours} +- {err} vs independent {independent}"
    );
}

#[test]
fn sm_rate_minerva_le_matches_independent_integral() {
    // 6.10 t CH (13.019 g/mol, 7 electrons), 3.43e20 POT, 0.1-19 GeV
    check_rate(
        "minerva_le_fhc",
        "NUMI_FHC_LE.dat",
        1.0,
        0.1,
        19.0,
        3.43e20,
        electrons(6.10, 13.019, 7.0),
    );
}

#[test]
fn sm_rate_charmii_matches_independent_integral() {
    // 692 t SiO2 (60.084 g/mol, 30 electrons), flux per m^2 -> x 1e-4, 1.57e19 POT, 1-200 GeV.
    // The detector file splits the mass by nucleon count (28/60 Si, 32/60 O): electrons =
    // 14 * m_Si/M(Si28) + 8 * m_O/M(O16) with nuclear masses; equal to 30 per 60.08 u within 0.3%.
    let m = 692.0e6 * 6.022_140_76e23 * 0.931_494_102_42; // GeV
    let n_e = 14.0 * m * 28.0 / 60.0 / (27.976_926_53 * 0.931_494_102_42 - 14.0 * ME)
        + 8.0 * m * 32.0 / 60.0 / (15.994_914_62 * 0.931_494_102_42 - 8.0 * ME);
    assert!((n_e / electrons(692.0, 60.084, 30.0) - 1.0).abs() < 3e-3);
    check_rate(
        "charmii_fhc",
        "CHARMII_FHC.dat",
        1e-4,
        1.0,
        200.0,
        1.57e19,
        n_e,
    );
}

#[test]
fn light_zprime_changes_rate_by_independent_ratio() {
    // Two masses: below and above sqrt(2 m_e T) ~ 0.05 GeV of the MINERvA sample.
    let rows = read_flux(&reference_dir().join("fluxes").join("NUMI_FHC_LE.dat"));
    let n_e = electrons(6.10, 13.019, 7.0);
    let (sm_report, _, _) = generate(NUE_TOML, &[]);
    for (mz, g) in [(0.005_f64, 1.0e-4_f64), (0.5, 6.0e-4)] {
        let sets = [
            "model.preset=\"free\"".to_string(),
            format!("model.mzprime={mz}"),
            format!("model.g_nu_e={g}"),
            format!("model.g_nu_mu={g}"),
            format!("model.g_e={g}"),
        ];
        let s: Vec<&str> = sets.iter().map(String::as_str).collect();
        let (rep, _, _) = generate(NUE_TOML, &s);
        let ratio_ours = rep.summary.predicted_total / sm_report.summary.predicted_total;
        let (mut z, mut sm) = (0.0, 0.0);
        for col in 1..=6 {
            // g_nu_tau = 0: the tau columns are empty in this flux anyway
            let gg = if col == 3 || col == 6 { 0.0 } else { g * g };
            z += nue_rate(&rows, col, 1.0, 0.1, 19.0, 3.43e20, n_e, mz, gg);
            sm += nue_rate(&rows, col, 1.0, 0.1, 19.0, 3.43e20, n_e, mz, 0.0);
        }
        let ratio_ind = z / sm;
        assert!(
            (ratio_ind - 1.0).abs() > 0.05,
            "test point too weak: {ratio_ind}"
        );
        // both rates carry ~0.25% MC error
        assert!(
            (ratio_ours / ratio_ind - 1.0).abs() < 0.01,
            "mZ' = {mz}: ratio {ratio_ours} vs independent {ratio_ind}"
        );
    }
}

#[test]
fn events_conserve_four_momentum_and_thread_count_does_not_matter() {
    let (r1, s1, _) = generate(
        NUE_TOML,
        &[
            "generation.events=150000",
            "generation.threads=1",
            "generation.chunk_size=20000",
        ],
    );
    let (r2, s2, _) = generate(
        NUE_TOML,
        &[
            "generation.events=150000",
            "generation.threads=2",
            "generation.chunk_size=20000",
        ],
    );
    assert_eq!(
        r1.summary.predicted_total.to_bits(),
        r2.summary.predicted_total.to_bits()
    );
    let plan = s1.plan.as_ref().unwrap();
    for c in &plan.columns {
        if let (Some(a), Some(b)) = (s1.f64_column(&c.name), s2.f64_column(&c.name)) {
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "column {} differs",
                c.name
            );
        }
    }
    let col = |n: &str| s1.f64_column(n).unwrap();
    let (ne, npx, npy, npz) = (
        col("nu_in_E"),
        col("nu_in_px"),
        col("nu_in_py"),
        col("nu_in_pz"),
    );
    let (oe, opx, opy, opz) = (
        col("nu_out_E"),
        col("nu_out_px"),
        col("nu_out_py"),
        col("nu_out_pz"),
    );
    let (ee, epx, epy, epz) = (
        col("e_out_E"),
        col("e_out_px"),
        col("e_out_py"),
        col("e_out_pz"),
    );
    let w = col("weight");
    for i in 0..ne.len() {
        let initial = FourVector::new(ne[i] + ME, npx[i], npy[i], npz[i]);
        let fin = FourVector::new(
            oe[i] + ee[i],
            opx[i] + epx[i],
            opy[i] + epy[i],
            opz[i] + epz[i],
        );
        assert!(conservation_violation(initial, fin) < 1e-9, "event {i}");
        let e_out = FourVector::new(ee[i], epx[i], epy[i], epz[i]);
        assert!(
            (e_out.m2() - ME * ME).abs() < 1e-9 * ee[i] * ee[i],
            "electron off shell in event {i}"
        );
        assert!(w[i].is_finite() && w[i] >= 0.0);
    }
}
