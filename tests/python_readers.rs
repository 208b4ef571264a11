//! Our outputs read the way users read them: pyarrow (required), pandas, Polars, DuckDB and pyhepmc
//! (each checked when installed) read a Parquet file, a 4-piece chunked dataset and a HepMC3 file
//! generated here, and check counts, column names, units metadata, total weight and, for HepMC3,
//! events, particles, weights and four-momenta against the Parquet file of the same run
//! (`tests/python/check_readers.py`).
//!
//! Needs `NUPORTAL_PYTHON`: a Python with those packages. `.ci/run` creates the venv `.ci/.venv` and
//! sets it; without it the test prints a notice and passes, so plain `cargo test` works offline.

use std::path::Path;
use std::process::Command;

fn nuportal(args: &[&str], dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_nuportal"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nuportal {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn footer(path: &Path) -> serde_json::Value {
    let r = nuportal::output::reader::SampleReader::open(path).unwrap();
    serde_json::from_str(&r.footer("nuportal").unwrap()).unwrap()
}

#[test]
fn python_readers_read_parquet_dataset_and_hepmc3() {
    let Ok(python) = std::env::var("NUPORTAL_PYTHON") else {
        eprintln!(
            "skipping python_readers: NUPORTAL_PYTHON is not set (.ci/run sets it to its venv)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A Parquet sample of the default (dark-neutrino) run, and the same run as HepMC3.
    nuportal(
        &[
            "generate",
            "--events",
            "20000",
            "--output",
            "up.parquet",
            "--quiet",
        ],
        d,
    );
    nuportal(
        &[
            "generate",
            "--events",
            "20000",
            "--format",
            "hepmc3",
            "--output",
            "up.hepmc3",
            "--quiet",
        ],
        d,
    );
    // A chunked nu-e dataset of 4 pieces.
    let nue = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/examples/nu_e_sm_minerva.toml"
    );
    let sets = [
        "--set",
        "generation.events=50000",
        "--set",
        "generation.chunk_size=5000",
    ];
    let mut whole = vec![
        "generate",
        "--config",
        nue,
        "--output",
        "nue.parquet",
        "--quiet",
    ];
    whole.extend_from_slice(&sets);
    nuportal(&whole, d);
    for i in 0..4 {
        let spec = format!("{i}/4");
        let mut a = vec![
            "generate", "--config", nue, "--chunk", &spec, "--output", "dataset", "--quiet",
        ];
        a.extend_from_slice(&sets);
        nuportal(&a, d);
    }

    let reader = nuportal::output::reader::SampleReader::open(&d.join("up.parquet")).unwrap();
    let columns = reader.columns();
    let rows = reader.rows();
    let up = footer(&d.join("up.parquet"));
    let nue_whole = footer(&d.join("nue.parquet"));
    let particles_per_event = 7; // nu_in, target, N, recoil, nu_out, e-, e+
    let expectations = serde_json::json!({
        "parquet": d.join("up.parquet"),
        "rows": rows,
        "columns": columns,
        "units": {"weight": "events", "E_nu": "GeV", "e_minus_E": "GeV", "x_decay": "cm", "event_id": ""},
        "total_weight": up["predicted_events"],
        "seed": up["seed"],
        "dataset": d.join("dataset"),
        "pieces": 4,
        "dataset_rows": nue_whole["summary"]["events"],
        "dataset_total_weight": nue_whole["predicted_events"],
        "hepmc3": d.join("up.hepmc3"),
        "hepmc3_parquet": d.join("up.parquet"),
        "hepmc3_events": rows,
        "hepmc3_particles": rows * particles_per_event,
        "hepmc3_total_weight": up["predicted_events"],
    });
    let exp_path = d.join("expectations.json");
    std::fs::write(&exp_path, expectations.to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/check_readers.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(&exp_path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run NUPORTAL_PYTHON={python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "reader checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
