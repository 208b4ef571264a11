//! `generate` with an `[oscillation]` section: the `w_osc` column equals the library's probability
//! P(source -> nu_pdg) at the event energy (Pbar for antineutrinos), does not change the event
//! stream or the weights, does not depend on the thread count, and is absent without the section.

use nuportal::config::Config;
use nuportal::event::ColumnData;
use nuportal::oscillation::{Flavour, NuType};
use nuportal::output::memory::MemorySink;
use nuportal::run;

/// Same code path and inputs as the generator: agreement is to rounding at most.
const SAME_PATH: f64 = 1e-14;

const RUN: &str = "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"minerva_le_fhc\"\n\
    [generation]\nevents = 4000\nseed = 5\nchunk_size = 700\n";

const OSCILLATION: &str =
    "[oscillation]\nmodel = \"3nu\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ns12sq = 0.3\n\
    s13sq = 0.023\ns23sq = 0.6\ndelta_cp = 1.2\nbaseline_km = 735.0\n\
    layers = [[122.5, 2.6, 0.5], [490.0, 2.9, 0.5], [122.5, 2.6, 0.5]]\n";

fn generate(toml: &str, sets: &[&str]) -> (Config, MemorySink) {
    let sets: Vec<String> = sets.iter().map(|s| (*s).to_string()).collect();
    let cfg = Config::parse(toml, "test", &sets).unwrap();
    let prepared = run::prepare(cfg.clone()).unwrap();
    let mut sink = MemorySink::default();
    prepared.generate(&mut sink, |_| {}, || false).unwrap();
    (cfg, sink)
}

fn nu_pdg(sink: &MemorySink) -> Vec<i32> {
    let plan = sink.plan.as_ref().unwrap();
    let i = plan
        .columns
        .iter()
        .position(|c| c.name == "nu_pdg")
        .unwrap();
    sink.batches
        .iter()
        .flat_map(|b| match &b.data[i] {
            ColumnData::I32(v) => v.clone(),
            other => panic!("nu_pdg is {other:?}"),
        })
        .collect()
}

/// Check `w_osc` of every event against `P(source -> flavour)` from a fresh oscillator.
fn check_against_library(cfg: &Config, sink: &MemorySink, source: Option<Flavour>) {
    let mut osc = cfg.oscillation.as_ref().unwrap().build().unwrap();
    let w_osc = sink.f64_column("w_osc").expect("w_osc column");
    let energies = sink.f64_column("E_nu").unwrap();
    let pdg = nu_pdg(sink);
    assert_eq!(w_osc.len(), 4000);
    let mut seen = std::collections::BTreeSet::new();
    for ((&w, &e), &code) in w_osc.iter().zip(&energies).zip(&pdg) {
        let to = match code.abs() {
            12 => Flavour::E,
            14 => Flavour::Mu,
            _ => Flavour::Tau,
        };
        let nu = if code < 0 {
            NuType::Antineutrino
        } else {
            NuType::Neutrino
        };
        let from = source.unwrap_or(to);
        let p = osc.probabilities(e, nu).unwrap().get(from, to).unwrap();
        assert!(
            (w - p).abs() <= SAME_PATH,
            "pdg {code}, E = {e}: w_osc {w} vs {p}"
        );
        assert!((0.0..=1.0).contains(&w));
        seen.insert(code);
    }
    // MINERvA LE FHC has nu_e, nu_mu, nu_e_bar and nu_mu_bar channels.
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [-14, -12, 12, 14]);
}

#[test]
fn w_osc_is_the_library_probability_and_is_absent_without_the_section() {
    let (cfg, with) = generate(&format!("{RUN}{OSCILLATION}"), &[]);
    check_against_library(&cfg, &with, None);
    let plan = with.plan.as_ref().unwrap();
    let spec = plan.columns.iter().find(|c| c.name == "w_osc").unwrap();
    assert_eq!(spec.unit, "");
    assert!(
        spec.description.contains("weight * w_osc"),
        "{}",
        spec.description
    );
    assert!(with.final_meta.contains("\"oscillation\""));

    let (_, without) = generate(RUN, &[]);
    let plan_without = without.plan.as_ref().unwrap();
    assert!(plan_without.columns.iter().all(|c| c.name != "w_osc"));
    // Oscillation adds a column and changes nothing else: same events, same weights.
    for c in &plan_without.columns {
        if let Some(a) = without.f64_column(&c.name) {
            let b = with.f64_column(&c.name).unwrap();
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "column {} changed",
                c.name
            );
        }
    }
}

#[test]
fn source_key_gives_appearance_probabilities() {
    let (cfg, sink) = generate(
        &format!("{RUN}{OSCILLATION}source = \"nu_mu\"\nconstants = \"reference_tables\"\n"),
        &[],
    );
    check_against_library(&cfg, &sink, Some(Flavour::Mu));
}

#[test]
fn w_osc_does_not_depend_on_the_thread_count() {
    let toml = format!("{RUN}{OSCILLATION}");
    let (_, one) = generate(&toml, &["generation.threads=1"]);
    let (_, two) = generate(&toml, &["generation.threads=2"]);
    let (a, b) = (
        one.f64_column("w_osc").unwrap(),
        two.f64_column("w_osc").unwrap(),
    );
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn generate_validates_the_section_and_round_trips_it() {
    let err = Config::parse(
        &format!("{RUN}{OSCILLATION}"),
        "t",
        &["oscillation.s23sq=-0.1".into()],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("s23sq") && err.contains("[0, 1]"), "{err}");
    let err = Config::parse(&format!("{RUN}{OSCILLATION}sauce = \"nu_mu\"\n"), "t", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("sauce"), "{err}");
    let err = Config::parse(&format!("{RUN}{OSCILLATION}source = \"nu_s\"\n"), "t", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("nu_s"), "{err}");
    let nsi = "[oscillation]\nmodel = \"nsi\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ns12sq = 0.3\ns13sq = 0.023\n\
        s23sq = 0.6\ndelta_cp = 0.0\nbaseline_km = 1300.0\ndensity_gcc = 2.85\nsource = \"nu_mu\"\n\
        constants = \"reference_tables\"\n[oscillation.nsi.d]\nemu = [0.05, 0.0866]\n";
    let cfg = Config::parse(&format!("{RUN}{nsi}"), "t", &[]).unwrap();
    let again = Config::parse(&cfg.resolved_toml(), "resolved", &[]).unwrap();
    assert_eq!(again, cfg);
    let layered = Config::parse(&format!("{RUN}{OSCILLATION}"), "t", &[]).unwrap();
    assert_eq!(
        Config::parse(&layered.resolved_toml(), "resolved", &[]).unwrap(),
        layered
    );
}
