//! The contract every file sink keeps (STYLE.md section 7), run against each format: the file
//! appears only when complete, nothing is left after an interruption, an existing file is kept
//! unless forced, and a forced run replaces it.

use nuportal::config::Config;
use nuportal::output::{FileSink, Format, Sink};

const CFG: &str = "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"minerva_le_fhc\"\n[generation]\nevents = 20000\nchunk_size = 4096\nseed = 3\n";

fn contract(format: Format) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("x.{}", format.extension()));
    let prepared = nuportal::run::prepare(Config::parse(CFG, "test", &[]).unwrap()).unwrap();
    let files = || std::fs::read_dir(dir.path()).unwrap().count();

    // interrupted after the first window: no file, no temporary file
    let mut sink = FileSink::new(format, &path, false);
    let calls = std::cell::Cell::new(0);
    let stop = || {
        calls.set(calls.get() + 1);
        calls.get() > 1
    };
    assert!(prepared.generate(&mut sink, |_| {}, stop).is_err());
    drop(sink);
    assert_eq!(files(), 0, "{format:?}: interrupted run left a file");

    // a complete run: exactly the target, no temporary file
    let mut sink = FileSink::new(format, &path, false);
    prepared.generate(&mut sink, |_| {}, || false).unwrap();
    assert_eq!(files(), 1, "{format:?}");
    let first = std::fs::read(&path).unwrap();

    // an existing file is kept without force ...
    let mut sink = FileSink::new(format, &path, false);
    let err = prepared
        .generate(&mut sink, |_| {}, || false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--force"), "{format:?}: {err}");
    assert_eq!(std::fs::read(&path).unwrap(), first);
    assert_eq!(files(), 1, "{format:?}");

    // ... and replaced with force (by the same events: same bytes)
    let mut sink = FileSink::new(format, &path, true);
    prepared.generate(&mut sink, |_| {}, || false).unwrap();
    assert_eq!(files(), 1, "{format:?}");
    assert!(
        std::fs::read(&path).unwrap() == first,
        "{format:?}: not reproducible"
    );
    // a sink that is dropped after begin leaves nothing behind
    let other = dir.path().join(format!("y.{}", format.extension()));
    let mut sink = FileSink::new(format, &other, false);
    sink.begin(&prepared.column_plan(), "{}").unwrap();
    drop(sink);
    assert_eq!(
        files(),
        1,
        "{format:?}: a dropped sink left its temporary file"
    );
}

#[test]
fn parquet_sink_keeps_the_contract() {
    contract(Format::Parquet);
}

#[test]
fn hepmc3_sink_keeps_the_contract() {
    contract(Format::Hepmc3);
}
