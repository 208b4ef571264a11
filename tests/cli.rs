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

/// Kill `generate` at pseudo-random moments (SIGTERM, SIGINT and SIGKILL, from before the sigma
/// table is built to after the writer has started) and check that the target path never holds a
/// file unless the run completed, and that a later run with the same seed writes the full file,
/// byte-identical to an undisturbed run.
#[test]
fn killed_at_random_moments_leaves_nothing_and_a_rerun_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &str| -> Vec<String> {
        [
            "generate", "--events", "200000", "--seed", "11", "--quiet", "--output", out,
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect()
    };
    let start = std::time::Instant::now();
    let (code, _, err) = nuportal(
        &args("reference.parquet")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let full = start.elapsed().as_secs_f64();
    let reference = std::fs::read(dir.path().join("reference.parquet")).unwrap();

    // A fixed LCG, so the moments are reproducible from this file.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut uniform = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let target = dir.path().join("killed.parquet");
    for (i, signal) in ["TERM", "INT", "KILL", "TERM", "INT", "KILL"]
        .iter()
        .enumerate()
    {
        let delay = uniform() * 1.1 * full;
        let child = Command::new(env!("CARGO_BIN_EXE_nuportal"))
            .args(args("killed.parquet"))
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_secs_f64(delay));
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let what = format!("kill {i} (SIG{signal} after {delay:.3} s of a {full:.3} s run): {err}");
        match out.status.code() {
            // Finished before the signal arrived: the file is the complete one.
            Some(0) => {
                assert_eq!(std::fs::read(&target).unwrap(), reference, "{what}");
                std::fs::remove_file(&target).unwrap();
            }
            Some(130) => {
                assert!(!target.exists(), "{what}");
                assert!(err.contains("interrupted after"), "{what}");
            }
            // SIGKILL: no handler runs; the target must still be absent.
            None => assert!(!target.exists(), "{what}"),
            Some(c) => panic!("exit code {c}, {what}"),
        }
        assert!(!err.contains("panicked"), "{what}");
    }
    let (code, _, err) = nuportal(
        &args("killed.parquet")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        reference,
        "the rerun differs from the undisturbed run"
    );
}

/// Resident memory does not grow with the number of events: the writer streams row groups and the
/// event loop reuses its buffers. (Linux: the peak comes from /proc; skipped elsewhere.)
#[test]
fn memory_does_not_grow_with_the_number_of_events() {
    let dir = tempfile::tempdir().unwrap();
    let peak = |events: u64| -> Option<f64> {
        let (code, out, err) = nuportal(
            &[
                "generate",
                "--config",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/config/examples/nu_e_sm_minerva.toml"
                ),
                "--events",
                &events.to_string(),
                "--threads",
                "2",
                "--quiet",
                "--force",
                "--output",
                "m.parquet",
            ],
            dir.path(),
        );
        assert_eq!(code, 0, "{err}");
        out.lines()
            .find_map(|l| l.strip_prefix("peak resident memory "))
            .and_then(|r| r.trim_end_matches(" MiB").parse().ok())
    };
    // Both runs are far beyond the row groups in flight (2 threads + 4 groups of 65,536 rows), in the
    // steady state of the pipeline.
    let (n_small, n_large) = (1_000_000u64, 3_000_000u64);
    let (Some(small), Some(large)) = (peak(n_small), peak(n_large)) else {
        println!("no /proc/self/status here: skipped");
        return;
    };
    println!("peak RSS: {small:.1} MiB for {n_small} events, {large:.1} MiB for {n_large} events");
    // Holding the extra events' columns (20 columns of 8 bytes) would take 300 MiB more. The heap
    // itself is flat (heaptrack: 64 MiB peak at 1e6 and at 4e6 events), but glibc's arenas fragment
    // under the encoders' churn (measured 100 -> 111 MiB here; up to +60 MiB with small chunks,
    // levelling off near 150 MiB by 2.4e7 events), so a quarter of that is allowed.
    #[allow(clippy::cast_precision_loss, reason = "event counts")]
    let in_memory = (n_large - n_small) as f64 * 20.0 * 8.0 / (1024.0 * 1024.0);
    assert!(
        large - small < in_memory / 4.0,
        "peak RSS grew from {small:.1} MiB to {large:.1} MiB (an in-memory sample: +{in_memory:.0} MiB)"
    );
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
