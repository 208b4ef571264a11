//! The Parquet file as a user's reader sees it: read back with the parquet crate.

use arrow::array::{Array, Float64Array, Int64Array};
use arrow::datatypes::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;

const CFG: &str = "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"minerva_le_fhc\"\n[generation]\nevents = 70000\nchunk_size = 16384\nseed = 3\n";

#[test]
fn parquet_round_trip_columns_weights_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("sample.parquet");
    let cfg = nuportal::config::Config::parse(CFG, "test", &[]).unwrap();
    let prepared = nuportal::run::prepare(cfg).unwrap();
    let mut sink = nuportal::output::parquet::ParquetSink::new(&path, false);
    let report = prepared.generate(&mut sink, |_| {}, || false).unwrap();
    // no temporary file left beside the output
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");

    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
    let schema = builder.schema().clone();
    let kv = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .cloned()
        .unwrap_or_default();
    let reader = builder.build().unwrap();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    for want in [
        "event_id",
        "weight",
        "channel",
        "nu_pdg",
        "target_pdg",
        "E_nu",
        "nu_in_E",
        "nu_in_px",
        "nu_in_py",
        "nu_in_pz",
        "nu_out_E",
        "e_out_E",
        "e_out_px",
        "e_out_py",
        "e_out_pz",
        "x_scatter",
        "y_scatter",
        "z_scatter",
    ] {
        assert!(names.contains(&want), "missing column {want}: {names:?}");
    }
    assert_eq!(
        schema.field_with_name("weight").unwrap().data_type(),
        &DataType::Float64
    );
    assert_eq!(
        schema
            .field_with_name("e_out_E")
            .unwrap()
            .metadata()
            .get("unit")
            .map(String::as_str),
        Some("GeV")
    );
    assert_eq!(
        schema
            .field_with_name("x_scatter")
            .unwrap()
            .metadata()
            .get("unit")
            .map(String::as_str),
        Some("cm")
    );
    assert!(
        schema.metadata().contains_key("nuportal")
            && schema.metadata().contains_key("PANDAS_ATTRS")
    );

    let (mut rows, mut sw, mut last_id) = (0usize, 0.0, -1i64);
    for b in reader {
        let b = b.unwrap();
        rows += b.num_rows();
        let w = b
            .column_by_name("weight")
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        sw += w.values().iter().sum::<f64>();
        let id = b
            .column_by_name("event_id")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        for v in id.values() {
            assert_eq!(*v, last_id + 1);
            last_id = *v;
        }
        assert_eq!(w.null_count(), 0);
    }
    assert_eq!(rows, 70000);
    assert!((sw / report.summary.predicted_total - 1.0).abs() < 1e-12);

    // footer key-value metadata: run record with summary and the resolved config
    let footer = kv
        .iter()
        .find(|k| k.key == "nuportal")
        .and_then(|k| k.value.clone())
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&footer).unwrap();
    assert_eq!(v["seed"], 3);
    assert!((v["predicted_events"].as_f64().unwrap() / sw - 1.0).abs() < 1e-12);
    assert_eq!(v["experiment"]["pot"], 3.43e20);
    assert_eq!(v["flux"]["sha256"].as_str().unwrap().len(), 64);
    assert!(v["constants"]["G_F_GeV-2"].as_f64().is_some());
    let cfg_toml = kv
        .iter()
        .find(|k| k.key == "nuportal.config")
        .and_then(|k| k.value.clone())
        .unwrap();
    let again = nuportal::config::Config::parse(&cfg_toml, "footer", &[]).unwrap();
    assert_eq!(again.generation.events, 70000);

    // an existing file is not overwritten without force
    let cfg = nuportal::config::Config::parse(CFG, "test", &[]).unwrap();
    let prepared = nuportal::run::prepare(cfg).unwrap();
    let mut sink = nuportal::output::parquet::ParquetSink::new(&path, false);
    assert!(prepared.generate(&mut sink, |_| {}, || false).is_err());
}
