//! The binary as users run it: exit codes, messages, outputs.

mod common;

use common::nuportal;
use std::process::Command;

#[test]
fn generate_default_from_any_directory_and_refuse_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = nuportal(&["generate", "--events", "20000", "--quiet"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("TOTAL") && out.contains("events/s"), "{out}");
    let f = dir.path().join("output/miniboone_fhc_upscattering.parquet");
    assert!(f.exists());
    let (code, _, err) = nuportal(&["generate", "--events", "20000", "--quiet"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    let (code, _, err) = nuportal(
        &["generate", "--events", "20000", "--quiet", "--force"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn bad_input_gets_exit_code_2_and_a_message_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["generate", "--set", "generation.evnts=3"], "evnts"),
        (
            &[
                "generate",
                "--config",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/config/examples/nu_e_sm_minerva.toml"
                ),
                "--set",
                "model.preset=\"free\"",
                "--set",
                "model.mzprime=-1",
            ],
            "model.mzprime",
        ),
        (&["generate", "--experiment", "nope"], "minerva_le_fhc"),
        (&["generate", "--events", "0"], "generation.events"),
        (&["generate", "--set", "model.m4=-0.1"], "m4"),
        (&["generate", "--set", "model.Umu4=1.5"], "Umu4"),
        (
            &[
                "generate",
                "--set",
                "model.m4=20.0",
                "--set",
                "model.mzprime=0.03",
            ],
            "model.m4 = 20 GeV is above the flux's reach: must be < ",
        ),
        (
            &[
                "generate",
                "--set",
                "model.Umu4=0.0",
                "--set",
                "model.Ue4=0.0",
            ],
            "non-zero mixing",
        ),
        (
            &[
                "generate",
                "--config",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/config/examples/nu_e_sm_minerva.toml"
                ),
                "--set",
                "process.kind=\"upscattering\"",
            ],
            "dark_neutrino",
        ),
        (&["generate", "--set", "model.preset=\"sm\""], "HNLtype"),
        (&["generate", "--config", "missing.toml"], "missing.toml"),
        (&["xsec", "--energies", "1:0.1:5"], "--energies"),
        (&["generate", "--bogus"], "--bogus"),
    ];
    for (args, needle) in cases {
        let (code, _, err) = nuportal(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no output on bad input"
    );
}

#[test]
fn xsec_and_info_print_tables() {
    let dir = tempfile::tempdir().unwrap();
    let nue = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/examples/nu_e_sm_minerva.toml"
    );
    let (code, out, err) = nuportal(
        &[
            "xsec",
            "--config",
            nue,
            "--energies",
            "0.1:10:3:log",
            "--dsigma-at",
            "2",
            "--points",
            "4",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("E_GeV,sigma_nu_e_e_cm2"), "{out}");
    assert!(out.contains("T_GeV,dsigma_dT_nu_e_e_cm2_per_GeV"), "{out}");
    let (code, out, _) = nuportal(&["info", "--schema"], dir.path());
    assert_eq!(code, 0);
    assert!(
        out.contains("| `weight` | double | events | all |")
            && out.contains("| `x_decay` | double | cm | upscattering |"),
        "{out}"
    );
    let (code, out, err) = nuportal(&["xsec", "--energies", "0.5:5:3:log"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("sigma_nu_mu_C12_coherent_HC_cm2"), "{out}");
    let (code, out, err) = nuportal(&["decay"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Gamma_N_to_nu_Zprime_GeV,2.3150"), "{out}");
    let (code, _, err) = nuportal(&["decay", "--config", nue], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("dark_neutrino"), "{err}");
    let (code, out, _) = nuportal(&["info"], dir.path());
    assert_eq!(code, 0);
    assert!(out.contains("charmii_rhc"));
}

/// Start a long `generate` with `extra` flags, send SIGTERM after 2.5 s, and check the exit code
/// 130, the message and that no file (nor temporary file) is left.
fn sigterm_leaves_no_file(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_nuportal"))
        .args([
            "generate",
            "--events",
            "50000000",
            "--quiet",
            "--threads",
            "1",
        ])
        .args(extra)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted after") && err.contains("nothing was written"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path().join("output"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn sigterm_stops_cleanly_and_leaves_no_file() {
    sigterm_leaves_no_file(&[]);
}

#[test]
fn sigterm_during_hepmc3_output_leaves_no_file() {
    sigterm_leaves_no_file(&["--format", "hepmc3"]);
}

#[test]
fn plot_draws_a_png_of_a_sample_and_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = nuportal(
        &[
            "generate",
            "--events",
            "5000",
            "--quiet",
            "--output",
            "s.parquet",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = nuportal(&["plot", "s.parquet"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("s.png") && out.contains("8 panels"), "{out}");
    let png = std::fs::read(dir.path().join("s.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::write(dir.path().join("not.parquet"), "text").unwrap();
    for (args, needle) in [
        (&["plot", "missing.parquet"][..], "missing.parquet"),
        (&["plot", "not.parquet"][..], "not a readable Parquet file"),
        (&["plot", "s.parquet", "--bins", "1"][..], "--bins"),
    ] {
        let (code, _, err) = nuportal(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
