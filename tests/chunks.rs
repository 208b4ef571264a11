//! `generate --chunk I/N`: the pieces of one run as a Hive-partitioned dataset. Their union is the
//! unsplit run (same rows, so the same predicted total), a piece is reproducible byte for byte, and
//! bad specifications are usage errors (exit code 2) naming the flag and the valid range.

use arrow::array::{Array, Float64Array, Int64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
mod common;

use common::nuportal;
use std::path::Path;

const CFG: &str = "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"minerva_le_fhc\"\n[generation]\nevents = 40000\nchunk_size = 4096\nseed = 21\n";

/// (event_id, weight, E_nu) rows and the footer run record of a file.
fn rows(path: &Path) -> (Vec<(i64, f64, f64)>, serde_json::Value) {
    let b = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let kv = b
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .iter()
        .find(|k| k.key == "nuportal")
        .and_then(|k| k.value.clone())
        .unwrap();
    let mut out = Vec::new();
    for batch in b.build().unwrap() {
        let batch = batch.unwrap();
        let id = batch.column_by_name("event_id").unwrap();
        let id = id.as_any().downcast_ref::<Int64Array>().unwrap();
        let f = |n: &str| {
            batch
                .column_by_name(n)
                .unwrap()
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap()
                .clone()
        };
        let (w, e) = (f("weight"), f("E_nu"));
        for i in 0..id.len() {
            out.push((id.value(i), w.value(i), e.value(i)));
        }
    }
    (out, serde_json::from_str(&kv).unwrap())
}

#[test]
fn four_pieces_are_the_unsplit_run_and_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("run.toml"), CFG).unwrap();
    let (code, out, err) = nuportal(
        &[
            "generate",
            "--config",
            "run.toml",
            "--output",
            "whole.parquet",
            "--quiet",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("TOTAL"), "{out}");
    let (whole, whole_meta) = rows(&d.join("whole.parquet"));
    assert_eq!(whole.len(), 40000);
    let mut union = Vec::new();
    let mut total = 0.0;
    for i in 0..4 {
        let spec = format!("{i}/4");
        let (code, out, err) = nuportal(
            &[
                "generate",
                "--config",
                "run.toml",
                "--chunk",
                &spec,
                "--output",
                "dataset",
                "--quiet",
                "--threads",
                "1",
            ],
            d,
        );
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(&format!("piece {i}/4")), "{out}");
        let file = d.join(format!("dataset/chunk={i}/part-0.parquet"));
        let (r, meta) = rows(&file);
        assert_eq!(meta["chunk"]["index"], i);
        assert_eq!(meta["chunk"]["count"], 4);
        assert_eq!(
            meta["chunk"]["events_in_piece"].as_u64().unwrap(),
            r.len() as u64
        );
        // piece i holds the run's chunks k = i, i + 4, ... (10 chunks of 4096, the last 3136)
        let expect: u64 = (0..10u64)
            .filter(|k| k % 4 == i)
            .map(|k| ((k + 1) * 4096).min(40000) - k * 4096)
            .sum();
        assert_eq!(r.len() as u64, expect);
        total += meta["predicted_events"].as_f64().unwrap();
        union.extend(r);
    }
    assert_eq!(
        std::fs::read_dir(d.join("dataset")).unwrap().count(),
        4,
        "four partitions, nothing else"
    );
    union.sort_by_key(|r| r.0);
    assert_eq!(union, whole, "the union of the pieces is the unsplit run");
    let predicted = whole_meta["predicted_events"].as_f64().unwrap();
    assert!(
        (total / predicted - 1.0).abs() < 1e-12,
        "{total} vs {predicted}"
    );

    // the same piece again: byte-identical (the pieces above ran with 1 thread and the unsplit run
    // with all cores, so the rows do not depend on the thread count either; the thread count is
    // part of the recorded config, so the same command is repeated here)
    let (code, _, err) = nuportal(
        &[
            "generate",
            "--config",
            "run.toml",
            "--chunk",
            "2/4",
            "--output",
            "again",
            "--quiet",
            "--threads",
            "1",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    let a = std::fs::read(d.join("again/chunk=2/part-0.parquet")).unwrap();
    let b = std::fs::read(d.join("dataset/chunk=2/part-0.parquet")).unwrap();
    assert!(a == b, "the same piece twice is not byte-identical");
    // an existing piece is not overwritten without --force
    let (code, _, err) = nuportal(
        &[
            "generate", "--config", "run.toml", "--chunk", "2/4", "--output", "again", "--quiet",
        ],
        d,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
}

#[test]
fn unweighted_pieces_share_the_envelope_and_sum_to_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("run.toml"), CFG).unwrap();
    let (code, _, err) = nuportal(
        &[
            "generate",
            "--config",
            "run.toml",
            "--unweighted",
            "--output",
            "whole.parquet",
            "--quiet",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    let (whole, meta) = rows(&d.join("whole.parquet"));
    let mut union = Vec::new();
    for i in 0..3 {
        let spec = format!("{i}/3");
        let (code, _, err) = nuportal(
            &[
                "generate",
                "--config",
                "run.toml",
                "--unweighted",
                "--chunk",
                &spec,
                "--output",
                "ds",
                "--quiet",
            ],
            d,
        );
        assert_eq!(code, 0, "{err}");
        union.extend(rows(&d.join(format!("ds/chunk={i}/part-0.parquet"))).0);
    }
    union.sort_by_key(|r| r.0);
    assert_eq!(union, whole);
    let w0 = meta["summary"]["envelope"].as_f64().unwrap();
    assert!(union.iter().all(|r| r.1 == w0));
}

#[test]
fn bad_chunk_specs_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("run.toml"), CFG).unwrap();
    for (spec, needle) in [
        ("4/4", "0 <= I < N"),
        ("3", "I/N"),
        ("0/0", "0 <= I < N"),
        ("-1/4", "I/N"),
        ("a/b", "I/N"),
        ("0/11", "10 chunks"),
    ] {
        let (code, _, err) = nuportal(
            &[
                "generate", "--config", "run.toml", "--chunk", spec, "--quiet",
            ],
            d,
        );
        assert_eq!(code, 2, "{spec}: {err}");
        assert!(
            err.contains("chunk") && err.contains(needle),
            "{spec}: {err}"
        );
        assert!(!err.contains("panicked"), "{spec}: {err}");
    }
    std::fs::write(d.join("afile"), "x").unwrap();
    let (code, _, err) = nuportal(
        &[
            "generate", "--config", "run.toml", "--chunk", "0/2", "--output", "afile", "--quiet",
        ],
        d,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("dataset directory"), "{err}");
    let left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "no output on bad input: {left:?}");
}
