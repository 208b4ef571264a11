//! Minimal end-to-end run: SM nu-e scattering at CHARM-II into memory, then the predicted rate.
//! `cargo run --release --example minimal`

use nuportal::config::Config;
use nuportal::output::memory::MemorySink;
use nuportal::run;

fn main() -> anyhow::Result<()> {
    let card = include_str!("../config/examples/nu_e_sm_minerva.toml");
    let cfg = Config::parse(
        card,
        "example",
        &[
            "experiment.name=\"charmii_fhc\"".into(),
            "generation.events=100000".into(),
        ],
    )?;
    let prepared = run::prepare(cfg)?;
    let mut sink = MemorySink::default();
    let report = prepared.generate(&mut sink, |_| {}, || false)?;
    for c in &report.summary.channels {
        println!(
            "{:<14} {:>10.2} +- {:.2} events",
            c.name, c.predicted, c.mc_error
        );
    }
    println!(
        "total: {:.1} +- {:.1} nu-e events at {}",
        report.summary.predicted_total,
        report.summary.mc_error_total,
        prepared.experiment.name()
    );
    let t = sink.f64_column("e_out_E").unwrap_or_default();
    println!(
        "mean electron energy: {:.3} GeV over {} events",
        t.iter().sum::<f64>() / t.len().max(1) as f64,
        t.len()
    );
    Ok(())
}
