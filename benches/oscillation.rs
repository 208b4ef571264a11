//! Criterion benches of the oscillation library: probabilities per second on one core.
//!
//! For 3nu and nuSSI (alpha = 150), in constant density (2.8 g/cm^3) and in the MINOS 3-layer
//! profile (122.5 km at 2.6, 490 km at 2.9, 122.5 km at 2.6 g/cm^3), L = 735 km: one full
//! probability matrix (neutrino *or* antineutrino) per energy, over a log grid of distinct energies
//! in 0.5-30 GeV, so every call rebuilds the eigensystems (no cache hits). Throughput is in
//! energies per second; the aim is >= 1e5 /s. Reports only, asserts nothing.
//!
//! `cargo bench --bench oscillation`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nuportal::oscillation::{NuType, OscillationConfig};
use std::hint::black_box;

/// Energies per iteration.
const N: usize = 1000;

const THREE_NU: &str =
    "model = \"3nu\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ns12sq = 0.3\ns13sq = 0.023\n\
    s23sq = 0.6\ndelta_cp = 0.0\n";
const NUSSI: &str = "model = \"nussi\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ndm41 = 1.0\ns12sq = 0.3\n\
    s13sq = 0.023\ns23sq = 0.6\ns14sq = 0.025\ns24sq = 0.03\ns34sq = 0.0\ndelta_cp = 0.0\nalpha = 150.0\n";
const CONSTANT: &str = "baseline_km = 735.0\ndensity_gcc = 2.8\n";
const MINOS_3_LAYER: &str = "layers = [[122.5, 2.6, 0.5], [490.0, 2.9, 0.5], [122.5, 2.6, 0.5]]\n";

fn probabilities(c: &mut Criterion) {
    #[allow(clippy::cast_precision_loss, reason = "small integers")]
    let energies: Vec<f64> = (0..N)
        .map(|i| 0.5 * (30.0_f64 / 0.5).powf(i as f64 / (N - 1) as f64))
        .collect();
    let mut g = c.benchmark_group("oscillation_probabilities");
    g.throughput(Throughput::Elements(N as u64));
    for (model_name, model) in [("3nu", THREE_NU), ("nussi", NUSSI)] {
        for (profile_name, profile) in [("const2p8", CONSTANT), ("minos3layer", MINOS_3_LAYER)] {
            let config: OscillationConfig = toml::from_str(&format!("{model}{profile}")).unwrap();
            let mut osc = config.build().unwrap();
            g.bench_function(format!("{model_name}_{profile_name}"), |b| {
                b.iter(|| {
                    for &e in &energies {
                        black_box(osc.probabilities(black_box(e), NuType::Neutrino).unwrap());
                    }
                });
            });
        }
    }
    g.finish();
}

criterion_group!(benches, probabilities);
criterion_main!(benches);
