//! `[oscillation] nsi_from_model = true`: one set of Z' couplings drives both scattering and the
//! matter NSI of the oscillation. The oscillator built from the model must equal one built from
//! explicit `[oscillation.nsi]` tables holding the same eps (Farzan's L_mu + L_tau + B_1 model with
//! g' = 7e-5, mZ' = 10 MeV: eps^u = eps^d = 0.495 for mumu and tautau, eps^e = 0), through the run
//! config, through `nuportal oscillate`, and in the `w_osc` column; misuse is a clear error.

mod common;

use nuportal::config::{parse_oscillation, Config};
use nuportal::model::presets::{nsi_epsilon, MatterFermion};
use nuportal::oscillation::NuType;

const MODEL: &str =
    "[model]\npreset = \"lmu_plus_ltau_b1\"\nmzprime = 0.01\ngprime = 7e-5\na = 1.0\n";

const OSC: &str = "[oscillation]\nmodel = \"nsi\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ns12sq = 0.3\n\
    s13sq = 0.023\ns23sq = 0.6\ndelta_cp = 1.2\nbaseline_km = 1300.0\ndensity_gcc = 2.85\n";

const RUN: &str = "[process]\nkind = \"cevns\"\n[experiment]\nname = \"coherent_csi\"\n\
    [generation]\nevents = 2000\nseed = 3\n";

/// The same oscillation with the eps written out as tables.
fn explicit_tables(eps_u: f64, eps_d: f64) -> String {
    format!(
        "{OSC}[oscillation.nsi.u]\nmumu = [{eps_u:e}, 0.0]\ntautau = [{eps_u:e}, 0.0]\n\
         [oscillation.nsi.d]\nmumu = [{eps_d:e}, 0.0]\ntautau = [{eps_d:e}, 0.0]\n"
    )
}

fn farzan_eps() -> (f64, f64) {
    let cfg = Config::parse(&format!("{RUN}{MODEL}"), "test", &[]).unwrap();
    let c = cfg.model.couplings().unwrap();
    assert_eq!(nsi_epsilon(&c, MatterFermion::Electron, 1), 0.0);
    (
        nsi_epsilon(&c, MatterFermion::Up, 1),
        nsi_epsilon(&c, MatterFermion::Down, 1),
    )
}

#[test]
fn model_nsi_equals_explicit_tables() {
    let (eps_u, eps_d) = farzan_eps();
    // Farzan PLB 748 (2015) 311 with the convention: 0.495 each (see tests/presets.rs).
    assert!(
        (eps_u - 0.495).abs() < 0.01 && (eps_d - eps_u).abs() < 1e-15,
        "{eps_u} {eps_d}"
    );

    let from_model = Config::parse(
        &format!("{RUN}{MODEL}{OSC}nsi_from_model = true\n"),
        "test",
        &[],
    )
    .unwrap();
    let explicit = parse_oscillation(&explicit_tables(eps_u, eps_d), "test", &[]).unwrap();
    let mut a = from_model.oscillation.as_ref().unwrap().build().unwrap();
    let mut b = explicit.build().unwrap();
    // ... and through the oscillate reader, which takes [model] from the same file
    let cli =
        parse_oscillation(&format!("{MODEL}{OSC}nsi_from_model = true\n"), "test", &[]).unwrap();
    let mut c = cli.build().unwrap();
    let mut differs_from_3nu = false;
    let mut plain = parse_oscillation(&OSC.replace("\"nsi\"", "\"3nu\""), "test", &[])
        .unwrap()
        .build()
        .unwrap();
    for e in [0.5, 1.0, 2.5, 5.0, 10.0] {
        for nu in [NuType::Neutrino, NuType::Antineutrino] {
            let (pa, pb, pc) = (
                a.probabilities(e, nu).unwrap(),
                b.probabilities(e, nu).unwrap(),
                c.probabilities(e, nu).unwrap(),
            );
            let p0 = plain.probabilities(e, nu).unwrap();
            let flat = |m: &nuportal::oscillation::ProbabilityMatrix| -> Vec<f64> {
                m.rows().flatten().copied().collect()
            };
            let (pa, pb, pc, p0) = (flat(&pa), flat(&pb), flat(&pc), flat(&p0));
            for (x, y) in pa.iter().zip(&pb) {
                assert!((x - y).abs() < 1e-12, "E = {e}: {x} vs {y}");
            }
            for (x, y) in pa.iter().zip(&pc) {
                assert!((x - y).abs() < 1e-12, "E = {e}: {x} vs {y}");
            }
            differs_from_3nu |= pa.iter().zip(&p0).any(|(x, y)| (x - y).abs() > 1e-3);
        }
    }
    assert!(
        differs_from_3nu,
        "eps ~ 0.5 must change the probabilities at 1300 km"
    );
}

#[test]
fn w_osc_uses_the_model_nsi() {
    let (eps_u, eps_d) = farzan_eps();
    let run = |osc: &str| {
        let cfg = Config::parse(&format!("{RUN}{MODEL}{osc}"), "test", &[]).unwrap();
        let prepared = nuportal::run::prepare(cfg).unwrap();
        let mut sink = nuportal::output::memory::MemorySink::default();
        prepared.generate(&mut sink, |_| {}, || false).unwrap();
        sink.f64_column("w_osc").unwrap()
    };
    let a = run(&format!("{OSC}nsi_from_model = true\n"));
    // the eps used are recorded in the run metadata
    let cfg = Config::parse(
        &format!("{RUN}{MODEL}{OSC}nsi_from_model = true\n"),
        "test",
        &[],
    )
    .unwrap();
    let report = nuportal::run::prepare(cfg)
        .unwrap()
        .generate(
            &mut nuportal::output::memory::MemorySink::default(),
            |_| {},
            || false,
        )
        .unwrap();
    let rec = &report.metadata["oscillation"]["nsi_from_model"];
    assert!(
        (rec["eps_u_diag"][1].as_f64().unwrap() - eps_u).abs() < 1e-15,
        "{rec}"
    );
    assert!(
        (rec["eps_d_diag"][2].as_f64().unwrap() - eps_d).abs() < 1e-15,
        "{rec}"
    );
    assert_eq!(rec["eps_e_diag"][0].as_f64(), Some(0.0), "{rec}");
    let b = run(&explicit_tables(eps_u, eps_d));
    assert_eq!(a.len(), 2000);
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() < 1e-12, "{x} vs {y}");
    }
}

#[test]
fn misuse_is_a_clear_error() {
    let err = |text: String| Config::parse(&text, "test", &[]).unwrap_err().to_string();
    // with tables as well
    let e = err(format!(
        "{RUN}{MODEL}{OSC}nsi_from_model = true\n[oscillation.nsi.u]\nmumu = [0.1, 0.0]\n"
    ));
    assert!(e.contains("nsi_from_model") && e.contains("exclude"), "{e}");
    // with a model that has no NSI
    let e = err(format!(
        "{RUN}{MODEL}{}nsi_from_model = true\n",
        OSC.replace("\"nsi\"", "\"3nu\"")
    ));
    assert!(
        e.contains("nsi_from_model") && e.contains("not used"),
        "{e}"
    );
    // `nuportal oscillate` on a file without [model]
    let e = parse_oscillation(&format!("{OSC}nsi_from_model = true\n"), "osc.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("[model]") && e.contains("osc.toml"), "{e}");
    // and the CLI says so too, with exit code 2
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("osc.toml"),
        format!("{OSC}nsi_from_model = true\n"),
    )
    .unwrap();
    let (code, _, stderr) = common::nuportal(&["oscillate", "--config", "osc.toml"], dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nsi_from_model"), "{stderr}");
}
