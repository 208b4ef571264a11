//! Criterion benches: energy sampling, the nu-e final-state sampler, and the whole run into
//! Parquet and into memory. Throughput is reported in events per second (and, for the Parquet runs, in
//! bytes of Parquet written per second).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nuportal::config::Config;
use nuportal::flux::{Flavour, TabulatedSampler};
use nuportal::output::memory::MemorySink;
use nuportal::output::parquet::ParquetSink;
use nuportal::process::Process;
use nuportal::run::{self, AnyProcess};
use rand::{RngExt, SeedableRng};
use std::hint::black_box;

const N: u64 = 200_000;

const NUE: &str = include_str!("../config/examples/nu_e_sm_minerva.toml");

fn prepared(nue: bool, threads: usize) -> run::Prepared {
    let sets = [
        format!("generation.events={N}"),
        format!("generation.threads={threads}"),
    ];
    let cfg = if nue {
        Config::parse(NUE, "bench", &sets)
    } else {
        Config::default_with(&sets)
    }
    .unwrap();
    run::prepare(cfg).unwrap()
}

fn stages(c: &mut Criterion) {
    let p = prepared(true, 1);
    let AnyProcess::NuElectron(proc_) = &p.process else {
        unreachable!("nu-e config")
    };
    let e = &p.experiment;
    let (lo, hi) = e.energy_range();
    let x: Vec<f64> = (0..=2000)
        .map(|i| lo + (hi - lo) * f64::from(i) / 2000.0)
        .collect();
    let f: Vec<f64> = x
        .iter()
        .map(|&en| e.flux.value(Flavour::NuMu, en) * proc_.sigma_cm2(1, en))
        .collect();
    let sampler = TabulatedSampler::new(x, f).unwrap();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Elements(1));
    g.bench_function("flux_x_sigma_energy_sample", |b| {
        b.iter(|| black_box(sampler.sample_with_pdf(rng.random::<f64>())))
    });
    let mut ev = nuportal::event::Event::default();
    g.bench_function("nu_e_final_state", |b| {
        b.iter(|| black_box(proc_.sample(1, 3.0, &mut rng, &mut ev)))
    });
    g.finish();
}

/// The dark-neutrino stages of the default run (P1 at MiniBooNE): dsigma/dQ^2 and sigma(E) of
/// C12 coherent up-scattering, one full signal event (E_nu given: Q^2 sampling, kinematics, the
/// polarised N -> nu Z' -> nu e+e- chain, the decay vertex), and the detector stage on that event.
fn signal_stages(c: &mut Criterion) {
    use nuportal::nuclear::Nucleus;
    use nuportal::process::upscatter::{
        Diagrams, Flavour as LightFlavour, Helicity, Projectile, UpscatterProcess, UpscatterTarget,
    };
    let p = prepared(false, 1);
    let AnyProcess::DarkNeutrino(sig) = &p.process else {
        unreachable!("the default run is the dark-neutrino signal")
    };
    let c12 = UpscatterProcess::new(
        sig.model(),
        UpscatterTarget::Coherent(Nucleus::from_name("C12").unwrap()),
        Projectile::Neutrino(LightFlavour::Mu),
        Diagrams::Total,
    );
    let mut rng = rand_pcg::Pcg64::seed_from_u64(2);
    let mut g = c.benchmark_group("signal_stages");
    g.throughput(Throughput::Elements(1));
    g.bench_function("c12_coherent_dsigma_dq2", |b| {
        b.iter(|| {
            let q2 = 1e-3 + 0.05 * rng.random::<f64>();
            black_box(c12.dsigma_dq2(black_box(1.0), q2, Helicity::Conserving))
        })
    });
    g.bench_function("c12_coherent_sigma_of_e", |b| {
        b.iter(|| black_box(c12.sigma(0.5 + 2.0 * rng.random::<f64>(), Helicity::Conserving)))
    });
    let mut ev = nuportal::event::Event::default();
    g.bench_function("signal_event_upscatter_and_decay_chain", |b| {
        b.iter(|| black_box(sig.sample(0, 1.0, &mut rng, &mut ev)))
    });
    if let Ok(Some(det)) = p.detector_for(sig.as_ref()) {
        let mut filled = nuportal::event::Event::default();
        while sig.sample(0, 1.0, &mut rng, &mut filled) <= 0.0 {}
        g.bench_function("detector_stage_miniboone", |b| {
            b.iter(|| {
                let mut e = filled;
                det.apply(&mut e, &mut rng);
                black_box(e)
            })
        });
    }
    g.finish();
}

fn full_run(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N));
    let dir = tempfile::tempdir().unwrap();
    for (nue, threads) in [(false, 1), (false, 2), (true, 1), (true, 2)] {
        let p = prepared(nue, threads);
        let tag = if nue {
            "nu_e_minerva"
        } else {
            "dark_neutrino_p1_miniboone"
        };
        let path = dir.path().join("bench.parquet");
        let run = || {
            let mut sink = ParquetSink::new(&path, true);
            black_box(p.generate(&mut sink, |_| {}, || false).unwrap());
        };
        g.throughput(Throughput::Elements(N));
        g.bench_function(format!("{tag}_parquet_{threads}_threads"), |b| b.iter(run));
        // the same run in bytes of Parquet written per second
        run();
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(format!("{tag}_parquet_{threads}_threads_bytes"), |b| {
            b.iter(run);
        });
        g.throughput(Throughput::Elements(N));
        g.bench_function(format!("{tag}_memory_{threads}_threads"), |b| {
            b.iter(|| {
                let mut sink = MemorySink::default();
                black_box(p.generate(&mut sink, |_| {}, || false).unwrap());
            });
        });
    }
    g.finish();
}

fn setup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("dark_neutrino_p1_miniboone_prepare_and_tabulate", |b| {
        b.iter(|| {
            let p = prepared(false, 1);
            let AnyProcess::DarkNeutrino(s) = &p.process else {
                unreachable!("default config")
            };
            black_box(
                nuportal::generate::Generator::new(
                    s.as_ref(),
                    &p.experiment,
                    p.config.generate_options(),
                )
                .map(|g| g.n_chunks())
                .unwrap(),
            );
        });
    });
    g.finish();
}

criterion_group!(benches, stages, signal_stages, full_run, setup);
criterion_main!(benches);
