//! The ceiling of `generate`: how fast the Parquet sink alone takes the columns of a real run.
//!
//! The default run (the light-Z' benchmark at MiniBooNE, detector stage on) and the nu-e example are
//! generated once into memory; the bench then writes those precomputed batches through
//! `ParquetSink` (zstd(1), the production writer settings, atomic temp file + fsync + rename) into a
//! temporary directory, and reports rows per second and input bytes per second. Compare with the
//! `generate` group of `benches/generate.rs` to see how close the generator is to its writer.
//!
//! Two ways: `serial` feeds the batches to `write_batch` on one thread (the sink encodes);
//! `parallel` encodes one row group per batch on the rayon pool with the sink's
//! [`Sink::encoder`] and appends them in order with `write_encoded`, as `generate` does.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use nuportal::config::Config;
use nuportal::output::memory::MemorySink;
use nuportal::output::parquet::ParquetSink;
use nuportal::output::Sink;
use nuportal::run;

const N: u64 = 262_144;

const NUE: &str = include_str!("../config/examples/nu_e_sm_minerva.toml");

/// The batches, plan and metadata of one run generated into memory.
fn batches(nue: bool) -> MemorySink {
    let sets = [format!("generation.events={N}")];
    let cfg = if nue {
        Config::parse(NUE, "bench", &sets)
    } else {
        Config::default_with(&sets)
    }
    .unwrap();
    let prepared = run::prepare(cfg).unwrap();
    let mut sink = MemorySink::default();
    prepared.generate(&mut sink, |_| {}, || false).unwrap();
    sink
}

/// Write `batches` (of the run in `mem`) through the production Parquet sink to `path`, encoding
/// on this thread (`parallel = false`) or on the rayon pool, one row group per batch.
fn write_all(
    path: &std::path::Path,
    mem: &MemorySink,
    batches: Vec<nuportal::event::EventBatch>,
    parallel: bool,
) {
    use rayon::prelude::*;
    let plan = mem.plan.as_ref().unwrap();
    let mut sink = ParquetSink::new(path, true);
    sink.begin(plan, &mem.begin_meta).unwrap();
    if parallel {
        let encoder = sink.encoder();
        let groups: Vec<_> = batches
            .into_par_iter()
            .map(|b| {
                let mut g = encoder.start().unwrap();
                g.push(b).unwrap();
                g.finish().unwrap()
            })
            .collect();
        for g in groups {
            sink.write_encoded(g).unwrap();
        }
    } else {
        for batch in batches {
            sink.write_batch(batch).unwrap();
        }
    }
    sink.finish(&mem.final_meta).unwrap();
}

fn ceiling(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("parquet_writer_only");
    g.sample_size(10);
    for (tag, nue) in [("dark_neutrino_default", false), ("nu_e", true)] {
        let mem = batches(nue);
        let plan = mem.plan.clone().unwrap();
        let rows: u64 = mem.batches.iter().map(|b| b.len() as u64).sum();
        let bytes_per_row: u64 = plan
            .columns
            .iter()
            .map(|c| match c.kind {
                nuportal::event::ColumnKind::F64 | nuportal::event::ColumnKind::I64 => 8,
                nuportal::event::ColumnKind::I32 => 4,
                nuportal::event::ColumnKind::Dict => 2,
                nuportal::event::ColumnKind::I8 => 1,
            })
            .sum();
        let path = dir.path().join(format!("{tag}.parquet"));
        for (way, parallel) in [("serial", false), ("parallel", true)] {
            for (unit, throughput) in [
                ("rows", Throughput::Elements(rows)),
                ("bytes", Throughput::Bytes(rows * bytes_per_row)),
            ] {
                g.throughput(throughput);
                g.bench_function(
                    format!("{tag}_{}_columns_{way}_{unit}", plan.columns.len()),
                    |b| {
                        b.iter_batched(
                            || mem.batches.clone(),
                            |batches| write_all(&path, &mem, batches, parallel),
                            BatchSize::LargeInput,
                        );
                    },
                );
            }
        }
    }
    g.finish();
}

criterion_group!(benches, ceiling);
criterion_main!(benches);
