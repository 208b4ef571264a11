//! `nuportal oscillate` as users run it: the CSV contract (column names, unitarity), `--plot`,
//! `--set`, and exit code 2 with the key named for bad input.

mod common;

use common::nuportal;
use std::path::Path;

/// Tolerance on unitarity of a row of the probability matrix.
const UNITARITY: f64 = 1e-12;

const THREE_NU: &str =
    "[oscillation]\nmodel = \"3nu\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ns12sq = 0.3\n\
    s13sq = 0.023\ns23sq = 0.6\ndelta_cp = 1.2\nbaseline_km = 735.0\ndensity_gcc = 2.8\n";

const NUSSI: &str = "[oscillation]\nmodel = \"nussi\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ndm41 = 1.0\n\
    s12sq = 0.3\ns13sq = 0.023\ns23sq = 0.6\ns14sq = 0.025\ns24sq = 0.03\ns34sq = 0.0\n\
    delta_cp = 0.0\nalpha = 150.0\nlayers = [[122.5, 2.6, 0.5], [490.0, 2.9, 0.5], [122.5, 2.6, 0.5]]\n";

/// The expected header for the given flavour labels.
fn header(labels: &[&str]) -> String {
    let mut names = vec!["E_GeV".to_owned()];
    for prefix in ["P", "Pbar"] {
        for a in labels {
            for b in labels {
                names.push(format!("{prefix}_{a}_{b}"));
            }
        }
    }
    names.join(",")
}

/// Parse the CSV, check the header and that every row of both matrices sums to 1.
fn check_table(csv: &str, labels: &[&str], n_energies: usize) -> Vec<Vec<f64>> {
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), header(labels));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), n_energies);
    let n = labels.len();
    for row in &rows {
        assert_eq!(row.len(), 1 + 2 * n * n);
        for (i, initial) in row[1..].chunks(n).enumerate() {
            let sum: f64 = initial.iter().sum();
            assert!(
                (sum - 1.0).abs() < UNITARITY,
                "E = {}, row {i}: {sum}",
                row[0]
            );
            assert!(initial.iter().all(|p| (0.0..=1.0 + UNITARITY).contains(p)));
        }
    }
    rows
}

#[test]
fn writes_the_csv_contract_to_stdout_and_to_a_file_and_draws_a_png() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("osc.toml"), THREE_NU).unwrap();
    let (code, out, err) = nuportal(
        &[
            "oscillate",
            "--config",
            "osc.toml",
            "--energies",
            "0.5:30:7:log",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let rows = check_table(&out, &["e", "mu", "tau"], 7);
    assert_eq!(rows[0][0], 0.5);
    assert!((rows[6][0] - 30.0).abs() < 1e-12);

    std::fs::write(dir.path().join("nussi.toml"), NUSSI).unwrap();
    let (code, out, err) = nuportal(
        &[
            "oscillate",
            "--config",
            "nussi.toml",
            "--energies",
            "1:10:5:lin",
            "--output",
            "p.csv",
            "--plot",
            "p.png",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "CSV went to --output, not stdout: {out}");
    let csv = std::fs::read_to_string(dir.path().join("p.csv")).unwrap();
    let rows = check_table(&csv, &["e", "mu", "tau", "s"], 5);
    assert_eq!(rows[1][0], 3.25);
    let png = std::fs::read(dir.path().join("p.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        png.len() > 10_000,
        "suspiciously small PNG: {} bytes",
        png.len()
    );

    // --set overrides a key of the section: alpha = 1 has no secret interaction, so it differs.
    let (code, out, err) = nuportal(
        &[
            "oscillate",
            "--config",
            "nussi.toml",
            "--energies",
            "1:10:5:lin",
            "--set",
            "oscillation.alpha=1",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_ne!(check_table(&out, &["e", "mu", "tau", "s"], 5), rows);
}

#[test]
fn a_full_run_config_works_and_other_sections_are_not_required() {
    let dir = tempfile::tempdir().unwrap();
    let run = format!(
        "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"minerva_le_fhc\"\n{THREE_NU}"
    );
    std::fs::write(dir.path().join("run.toml"), run).unwrap();
    let (code, out, err) = nuportal(
        &["oscillate", "--config", "run.toml", "--energies", "1:2:2"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    check_table(&out, &["e", "mu", "tau"], 2);
    // The same file drives `generate`, whose schema then has the w_osc column.
    let (code, out, err) = nuportal(&["info", "--schema", "--config", "run.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("| `w_osc` | double |  |"), "{out}");
}

#[test]
fn bad_input_exits_2_naming_the_key_or_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("osc.toml"), THREE_NU).unwrap();
    std::fs::write(
        dir.path().join("negative.toml"),
        THREE_NU.replace("density_gcc = 2.8", "density_gcc = -2.8"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("unknown.toml"),
        format!("{THREE_NU}dm42 = 1.0\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("none.toml"),
        "[process]\nkind = \"nu_e_elastic\"\n",
    )
    .unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["oscillate", "--config", "negative.toml"],
            &["density_gcc", "[0, inf)"],
        ),
        (&["oscillate", "--config", "unknown.toml"], &["dm42"]),
        (&["oscillate", "--config", "none.toml"], &["[oscillation]"]),
        (
            &["oscillate", "--config", "missing.toml"],
            &["missing.toml"],
        ),
        (
            &[
                "oscillate",
                "--config",
                "osc.toml",
                "--energies",
                "30:0.5:10",
            ],
            &["--energies", "LO < HI"],
        ),
        (
            &["oscillate", "--config", "osc.toml", "--energies", "1:2:x"],
            &["--energies"],
        ),
        (
            &[
                "oscillate",
                "--config",
                "osc.toml",
                "--energies",
                "1:2:5:cubic",
            ],
            &["--energies", "log or lin"],
        ),
        (
            &[
                "oscillate",
                "--config",
                "osc.toml",
                "--set",
                "oscillation.s13sq=1.5",
            ],
            &["s13sq", "[0, 1]"],
        ),
        (
            &[
                "oscillate",
                "--config",
                "osc.toml",
                "--set",
                "oscillation.alpha=150",
            ],
            &["alpha", "3nu"],
        ),
        (
            &[
                "oscillate",
                "--config",
                "osc.toml",
                "--set",
                "oscillation.baseline_km=0",
                "--plot",
                "p.png",
            ],
            &["--plot", "baseline_km"],
        ),
        (&["oscillate"], &["--config"]),
    ];
    for (args, needles) in cases {
        let (code, out, err) = nuportal(args, dir.path());
        assert_eq!(code, 2, "{args:?}: {err}");
        for needle in *needles {
            assert!(err.contains(needle), "{args:?}: {err}");
        }
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
    }
    assert!(!dir.path().join("p.png").exists());
}

/// The example config, with no `constants` key, run through the CLI as a user would,
/// reproduces the nuSSI alpha = 150 reference table (the most sensitive to G_F, the sterile
/// potential being 75 V_CC) to 1e-6 absolute: the default constants are the reference conventions.
#[test]
fn the_default_constants_reproduce_a_reference_table_through_the_cli() {
    let reference_dir = std::env::var_os("NUPORTAL_REFERENCE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"));
    let reference = std::fs::read_to_string(
        reference_dir.join("oscillation/c_nussi_alpha150_const2p8_L735.csv"),
    )
    .expect("reference table (set NUPORTAL_REFERENCE_DIR)");
    let mut lines = reference.lines().filter(|l| !l.starts_with('#'));
    let columns: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    let (lo, hi) = (rows[0][0], rows[rows.len() - 1][0]);

    let dir = tempfile::tempdir().unwrap();
    let config = NUSSI.replace(
        "layers = [[122.5, 2.6, 0.5], [490.0, 2.9, 0.5], [122.5, 2.6, 0.5]]",
        "baseline_km = 735.0\ndensity_gcc = 2.8",
    );
    std::fs::write(dir.path().join("c.toml"), config).unwrap();
    let grid = format!("{lo}:{hi}:{}:log", rows.len());
    let (code, stdout, stderr) = nuportal(
        &["oscillate", "--config", "c.toml", "--energies", &grid],
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let mut out = stdout.lines();
    let ours_columns: Vec<&str> = out.next().unwrap().split(',').collect();
    let ours: Vec<Vec<f64>> = out
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(ours.len(), rows.len());
    let mut compared = 0;
    for (j, name) in columns.iter().enumerate().skip(1) {
        // Reference `nu_e_to_mu` / `nubar_mu_to_s` -> ours `P_e_mu` / `Pbar_mu_s`.
        let (prefix, rest) = name.split_once('_').unwrap();
        let (a, b) = rest.split_once("_to_").unwrap();
        let ours_name = format!("{}_{a}_{b}", if prefix == "nu" { "P" } else { "Pbar" });
        let k = ours_columns.iter().position(|c| *c == ours_name).unwrap();
        for (r, o) in rows.iter().zip(&ours) {
            assert!(
                (r[0] - o[0]).abs() < 1e-9 * r[0],
                "energy grid {} vs {}",
                r[0],
                o[0]
            );
            assert!(
                (r[j] - o[k]).abs() < 1e-6,
                "{name} at E = {}: reference {} vs nuportal {}",
                r[0],
                r[j],
                o[k]
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 16 * rows.len());
}
