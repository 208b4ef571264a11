//! The detector stage inside `generate` and the spectra built from its output: truth unchanged by
//! the detector, selection bookkeeping, the spectrum's total, the CLI (CSV, PNG, exit codes).

mod common;

use arrow::array::{Array, Float64Array, Int8Array};
use nuportal::config::Config;
use nuportal::event::ColumnData;
use nuportal::output::memory::MemorySink;
use nuportal::run;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const P1: &str = "[process]\nkind = \"upscattering\"\n[model]\npreset = \"dark_neutrino\"\nm4 = 0.42\nmzprime = 0.03\nUmu4 = 0.0009486833\nUD4 = 1.0\nalphaD = 0.25\nalpha_epsilon2 = 2e-10\nHNLtype = \"dirac\"\n[experiment]\nname = \"miniboone_fhc\"\n[generation]\nevents = 40000\nchunk_size = 8192\nseed = 11\n";

fn generate(toml: &str, sets: &[&str]) -> MemorySink {
    let sets: Vec<String> = sets.iter().map(|s| (*s).to_string()).collect();
    let cfg = Config::parse(toml, "test", &sets).unwrap();
    let prepared = run::prepare(cfg).unwrap();
    let mut sink = MemorySink::default();
    prepared.generate(&mut sink, |_| {}, || false).unwrap();
    sink
}

/// Every column of `off` is bit-identical in `on` (which has the detector columns in addition).
fn assert_truth_identical(on: &MemorySink, off: &MemorySink) {
    let (pon, poff) = (on.plan.as_ref().unwrap(), off.plan.as_ref().unwrap());
    assert!(pon.columns.len() > poff.columns.len());
    for (j, c) in poff.columns.iter().enumerate() {
        let i = pon.columns.iter().position(|x| x.name == c.name).unwrap();
        for (a, b) in on.batches.iter().zip(&off.batches) {
            let same = match (&a.data[i], &b.data[j]) {
                (ColumnData::F64(x), ColumnData::F64(y)) => {
                    x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()) && x.len() == y.len()
                }
                (ColumnData::I64(x), ColumnData::I64(y)) => x == y,
                (ColumnData::I32(x), ColumnData::I32(y)) => x == y,
                (ColumnData::I8(x), ColumnData::I8(y)) => x == y,
                (ColumnData::Dict(x), ColumnData::Dict(y)) => x == y,
                _ => false,
            };
            assert!(same, "column {} differs with the detector on", c.name);
        }
    }
}

#[test]
fn truth_is_bit_identical_with_the_detector_on_or_off() {
    let on = generate(P1, &[]);
    let off = generate(P1, &["detector.enabled=false"]);
    for n in ["E_reco", "costheta_reco", "efficiency", "E_QE"] {
        assert!(on.f64_column(n).is_some(), "{n}");
        assert!(off.f64_column(n).is_none(), "{n}");
    }
    assert_truth_identical(&on, &off);
    // another resolution changes the reconstruction, not the truth
    let other = generate(P1, &["detector.resolution=\"fastbnb\""]);
    assert_truth_identical(&other, &off);
    assert_ne!(on.f64_column("E_reco"), other.f64_column("E_reco"));
    let kk = generate(P1, &["detector.shower_rule=\"kelly_kopp_circ1\""]);
    assert_truth_identical(&kk, &off);
    assert_ne!(on.f64_column("E_reco"), kk.f64_column("E_reco"));
    // nu-e at MINERvA (one electron) and unweighted runs too
    let nue = "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"minerva_le_fhc\"\n[generation]\nevents = 20000\nchunk_size = 4096\n";
    assert_truth_identical(
        &generate(nue, &[]),
        &generate(nue, &["detector.enabled=false"]),
    );
    let unw = &["generation.unweighted=true"];
    let mut with_off = unw.to_vec();
    with_off.push("detector.enabled=false");
    assert_truth_identical(&generate(P1, unw), &generate(P1, &with_off));
}

#[test]
fn detector_is_reproducible_and_thread_independent() {
    let a = generate(P1, &["generation.threads=1"]);
    let b = generate(P1, &["generation.threads=2"]);
    assert_eq!(a.f64_column("E_QE"), b.f64_column("E_QE"));
    assert_eq!(a.f64_column("costheta_reco"), b.f64_column("costheta_reco"));
}

#[test]
fn nu_e_at_charm_has_the_aht_efficiency_and_showers_in_the_window() {
    // SM-like nu-e at CHARM-II: most events are one forward electron
    let nue = "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"charmii_fhc\"\n[generation]\nevents = 20000\n";
    let s = generate(nue, &[]);
    let w = s.f64_column("weight").unwrap();
    let e = s.f64_column("E_reco").unwrap();
    let eff = s.f64_column("efficiency").unwrap();
    assert!(eff.iter().all(|x| (*x - 0.76).abs() < 1e-15));
    let tot: f64 = w.iter().sum();
    let win: f64 = w
        .iter()
        .zip(&e)
        .filter(|(_, e)| **e > 3.0 && **e < 24.0)
        .map(|(w, _)| w)
        .sum();
    assert!(win / tot > 0.2, "{}", win / tot);
}

fn parquet_sums(path: &std::path::Path) -> (f64, f64) {
    let r = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let (mut sel, mut tot) = (0.0, 0.0);
    for b in r {
        let b = b.unwrap();
        let f = |n: &str| {
            b.column_by_name(n)
                .unwrap()
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap()
                .clone()
        };
        let (w, eff) = (f("weight"), f("efficiency"));
        let pass = b
            .column_by_name("pass_selection")
            .unwrap()
            .as_any()
            .downcast_ref::<Int8Array>()
            .unwrap()
            .clone();
        for i in 0..b.num_rows() {
            tot += w.value(i);
            if pass.value(i) == 1 {
                sel += w.value(i) * eff.value(i);
            }
        }
    }
    (sel, tot)
}

use common::run_nuportal as nuportal;

#[test]
fn spectrum_total_equals_sum_of_weight_times_efficiency_over_passing_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p1.parquet");
    let cfg = Config::parse(P1, "test", &[]).unwrap();
    let prepared = run::prepare(cfg).unwrap();
    let mut sink = nuportal::output::parquet::ParquetSink::new(&path, false);
    prepared.generate(&mut sink, |_| {}, || false).unwrap();
    let (sel, tot) = parquet_sums(&path);
    let sp = nuportal::spectrum::Spectra::from_parquet(&path, None).unwrap();
    assert_eq!(sp.rows, 40_000);
    assert!(
        (sp.selected / sel - 1.0).abs() < 1e-12,
        "{} {sel}",
        sp.selected
    );
    assert!((sp.total_weight / tot - 1.0).abs() < 1e-12);
    assert!(sel > 0.0);
    // E_QE has no window: bins + under/overflow hold every selected event
    let h = &sp.histograms[0];
    assert_eq!(h.observable.name, "E_QE");
    let all = h.total() + h.underflow + h.overflow;
    assert!((all / sel - 1.0).abs() < 1e-12, "{all} {sel}");
}

#[test]
fn spectrum_cli_writes_csv_png_and_chi2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = nuportal(
        &[
            "generate",
            "--events",
            "30000",
            "--quiet",
            "--output",
            "s.parquet",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = nuportal(
        &["spectrum", "s.parquet", "--output", "sp", "--svg"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("miniboone_chi2_with_signal"), "{out}");
    for f in ["E_QE", "E_vis", "costheta"] {
        let csv = std::fs::read_to_string(dir.path().join(format!("sp/{f}.csv"))).unwrap();
        assert!(
            csv.starts_with("bin_lo,bin_hi,events,data,background"),
            "{csv}"
        );
        let png = std::fs::read(dir.path().join(format!("sp/{f}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let svg = std::fs::read_to_string(dir.path().join(format!("sp/{f}.svg"))).unwrap();
        assert!(svg.contains("<svg"));
    }
    let e_qe = std::fs::read_to_string(dir.path().join("sp/E_QE.csv")).unwrap();
    assert_eq!(e_qe.lines().count(), 12);
    assert!(e_qe.lines().nth(1).unwrap().starts_with("0.2,0.3,"));
    // the 2018 data set rescales to its POT
    let (code, out, err) = nuportal(
        &[
            "spectrum",
            "s.parquet",
            "--output",
            "sp18",
            "--data",
            "miniboone_2018_fhc",
            "--no-plots",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0.684800"), "{out}");
    // usage errors: exit 2 with the valid choices
    let (code, _, err) = nuportal(&["spectrum", "s.parquet", "--data", "nope"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("miniboone_2020_fhc"), "{err}");
    let (code, _, err) = nuportal(
        &["spectrum", "s.parquet", "--data", "minerva_le"],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = nuportal(&["spectrum", "missing.parquet"], dir.path());
    assert_eq!(code, 2);
    // a sample without the detector columns
    let (code, _, err) = nuportal(
        &[
            "generate",
            "--events",
            "2000",
            "--quiet",
            "--output",
            "n.parquet",
            "--set",
            "detector.enabled=false",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = nuportal(&["spectrum", "n.parquet"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("detector"), "{err}");
}

#[test]
fn bad_detector_config_is_a_usage_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = nuportal(
        &[
            "generate",
            "--events",
            "100",
            "--set",
            "detector.resolution=\"nope\"",
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("detector.resolution") && err.contains("fastbnb"),
        "{err}"
    );
    let (code, _, err) = nuportal(
        &[
            "generate",
            "--events",
            "100",
            "--set",
            "detector.enabld=true",
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("enabld"), "{err}");
}

/// Golden run behind the README table (light-Z' benchmark P1 at MiniBooNE FHC, `aht` resolution and
/// shower rule): 73.3% of the weight is one electron-like shower and 65.8% of the selected events with
/// 200 < E_QE < 1250 MeV have cos theta > 0.9 (10^6 events). Tolerances cover the MC error of
/// 10^5 events (about 0.3% and 0.5% absolute) and libm differences.
#[test]
fn p1_at_miniboone_matches_the_readme_numbers() {
    let s = generate(P1, &["generation.events=100000", "generation.seed=7"]);
    let w = s.f64_column("weight").unwrap();
    let e = s.f64_column("E_reco").unwrap();
    let c = s.f64_column("costheta_reco").unwrap();
    let q = s.f64_column("E_QE").unwrap();
    let eff = s.f64_column("efficiency").unwrap();
    let plan = s.plan.as_ref().unwrap();
    let ip = plan
        .columns
        .iter()
        .position(|x| x.name == "pass_selection")
        .unwrap();
    let pass: Vec<i8> = s
        .batches
        .iter()
        .flat_map(|b| match &b.data[ip] {
            ColumnData::I8(v) => v.clone(),
            _ => panic!("pass_selection is not i8"),
        })
        .collect();
    let tot: f64 = w.iter().sum();
    let shower: f64 = w
        .iter()
        .zip(&e)
        .filter(|(_, e)| **e > 0.0)
        .map(|(w, _)| w)
        .sum();
    assert!((shower / tot - 0.733).abs() < 0.01, "{}", shower / tot);
    let (mut sel, mut fwd) = (0.0, 0.0);
    for i in 0..w.len() {
        if pass[i] == 1 && q[i] >= 0.2 && q[i] < 1.25 {
            sel += w[i] * eff[i];
            if c[i] >= 0.9 {
                fwd += w[i] * eff[i];
            }
        }
    }
    assert!((fwd / sel - 0.658).abs() < 0.02, "{}", fwd / sel);
}
