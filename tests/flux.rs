//! Flux loading against the check numbers of `fluxes/README.md` (trapezoid integrals).

use nuportal::experiment::Experiment;
use nuportal::flux::{Flavour, FluxTable};

fn mean_energy(t: &FluxTable, f: Flavour) -> f64 {
    let (lo, hi) = t.range();
    let n = 20000;
    let h = (hi - lo) / f64::from(n);
    let (mut s0, mut s1) = (0.0, 0.0);
    for i in 0..=n {
        let e = lo + h * f64::from(i);
        let w = if i == 0 || i == n { 0.5 } else { 1.0 };
        s0 += w * t.value(f, e);
        s1 += w * e * t.value(f, e);
    }
    s1 / s0
}

#[test]
fn shipped_flux_integrals_match_the_readme() {
    let mb = Experiment::load("miniboone_fhc").unwrap();
    let (lo, hi) = mb.flux.range();
    let i = mb.flux.integral(Flavour::NuMu, lo, hi);
    assert!((i / 5.182e-10 - 1.0).abs() < 1e-3, "{i}");
    assert!((mean_energy(&mb.flux, Flavour::NuMu) - 0.81).abs() < 0.01);
    let le = Experiment::load("minerva_le_fhc").unwrap();
    let (lo, hi) = le.flux.range();
    assert!((le.flux.integral(Flavour::NuMu, lo, hi) / 2.858e-8 - 1.0).abs() < 1e-3);
    // CHARM-II is per m^2 in the file: 7.402e-4 /m^2/POT = 7.402e-8 /cm^2/POT after loading
    let c2 = Experiment::load("charmii_fhc").unwrap();
    let (lo, hi) = c2.flux.range();
    assert!((c2.flux.integral(Flavour::NuMu, lo, hi) / 7.402e-8 - 1.0).abs() < 1e-3);
    assert!((mean_energy(&c2.flux, Flavour::NuMu) - 24.9).abs() < 0.1);
    assert!(!c2.flux.has(Flavour::NuE));
}

#[test]
fn a_users_detector_file_overrides_by_path_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let det = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/detectors/minerva_le_fhc.toml"
    ))
    .unwrap();
    let flux = "# nus/cm^2/GeV/POT\n0 0 1e-9 0 0 0 0\n10 0 1e-9 0 0 0 0\n";
    std::fs::write(dir.path().join("my.dat"), flux).unwrap();
    let mine = det
        .replace("NUMI_FHC_LE.dat", "./my.dat")
        .replace("name = \"minerva_le_fhc\"", "name = \"mine\"");
    let p = dir.path().join("mine.toml");
    std::fs::write(&p, mine).unwrap();
    let e = Experiment::load(p.to_str().unwrap()).unwrap();
    assert_eq!(e.name(), "mine");
    assert!((e.flux.integral(Flavour::NuMu, 0.0, 10.0) - 1e-8).abs() < 1e-20);
    // malformed flux: file and line in the message
    std::fs::write(
        dir.path().join("my.dat"),
        "# nus/cm^2/GeV/POT\n0 0 1 0 0 0 0\n1 0 1 0 nan? 0 0\n",
    )
    .unwrap();
    let err = Experiment::load(p.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("my.dat:3:"), "{err}");
    // bad detector key
    std::fs::write(&p, det.replace("mass_t = 6.10", "mass_t = -1.0")).unwrap();
    let err = Experiment::load(p.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("target.mass_t") && err.contains("> 0"),
        "{err}"
    );
    let err = Experiment::load("no_such_experiment")
        .unwrap_err()
        .to_string();
    assert!(err.contains("minerva_le_fhc"), "{err}");
}
