//! Inputs found by the fuzz targets (`fuzz/`, run with `cargo fuzz`), replayed through the same
//! calls as the targets so that a fixed crash stays fixed. Each file in
//! `fuzz/regressions/<target>/` is one input; every call must return (an error is fine).

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (
                p.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn config_inputs() {
    for (name, text) in inputs("config") {
        println!("{name}");
        let _ = nuportal::config::Config::parse(&text, "fuzz", &[]);
        let set: Vec<String> = text.lines().take(1).map(str::to_owned).collect();
        let _ = nuportal::config::Config::default_with(&set);
        let _ = nuportal::config::parse_oscillation(&text, "fuzz", &[]);
    }
}

#[test]
fn flux_table_inputs() {
    use nuportal::flux::{Flavour, FluxTable, FluxUnits};
    for (name, text) in inputs("flux_table") {
        println!("{name}");
        for units in [None, Some(FluxUnits::PerCm2), Some(FluxUnits::PerM2)] {
            if let Ok(table) = FluxTable::parse(&text, "fuzz.dat", units) {
                let (lo, hi) = table.range();
                for f in Flavour::ALL {
                    let _ = table.value(f, 0.5 * (lo + hi));
                    let _ = table.integral(f, lo, hi);
                }
            }
        }
    }
}

#[test]
fn detector_inputs() {
    for (name, text) in inputs("detector") {
        println!("{name}");
        let _ = nuportal::experiment::Experiment::from_toml(
            &text,
            nuportal::data::Origin::Embedded("fuzz".into()),
            None,
        );
    }
}
