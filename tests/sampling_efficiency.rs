//! Effective sample size across the parameter space (issue 9): the proposals for E_nu (flux x
//! tabulated sigma, refined towards the threshold), Q^2 (per-energy histograms of dsigma/dQ^2) and the
//! decay angles keep Kish's ESS/N = (sum w)^2 / (N sum w^2) high in every channel, not only at the
//! benchmark point. A grid of model points at the three accelerator experiments; the release binary
//! measured the full 3 x 4 x 5 x 2 grid at 0.93-1.00 per channel (20,000 events per point), and the
//! threshold refinement lifted the helicity-flipping coherent channels at m4 = 0.1 GeV at MINERvA from
//! 0.35 to 0.99.

use nuportal::config::Config;
use nuportal::output::memory::MemorySink;

/// Per-channel ESS/N (channels with at least `min_events`) and the total ESS/N of one point.
fn ess(experiment: &str, m4: f64, mzprime: f64, hnl: &str) -> (Vec<(String, f64)>, f64) {
    let sets = [
        format!("experiment.name=\"{experiment}\""),
        format!("model.m4={m4}"),
        format!("model.mzprime={mzprime}"),
        format!("model.HNLtype=\"{hnl}\""),
        "generation.events=6000".to_string(),
        "generation.chunk_size=2000".to_string(),
        "detector.enabled=false".to_string(),
    ];
    let prepared = nuportal::run::prepare(Config::default_with(&sets).unwrap()).unwrap();
    let report = prepared
        .generate(&mut MemorySink::default(), |_| {}, || false)
        .unwrap();
    let s = report.summary;
    #[allow(clippy::cast_precision_loss, reason = "event counts")]
    let per_channel = s
        .channels
        .iter()
        .filter(|c| c.events >= 40)
        .map(|c| (c.name.clone(), c.ess / c.events as f64))
        .collect();
    #[allow(clippy::cast_precision_loss, reason = "event counts")]
    let total = s.ess / s.events as f64;
    (per_channel, total)
}

#[test]
fn kish_ess_stays_high_across_model_points() {
    let mut worst = (String::new(), 1.0f64);
    for experiment in ["miniboone_fhc", "minerva_le_fhc", "charmii_fhc"] {
        for (m4, mzprime, hnl) in [
            (0.01, 0.005, "dirac"),
            (0.1, 0.3, "dirac"),
            (0.1, 10.0, "majorana"),
            (0.42, 0.03, "dirac"),
            (1.5, 1.25, "majorana"),
        ] {
            let (channels, total) = ess(experiment, m4, mzprime, hnl);
            let point = format!("{experiment} m4={m4} mZ'={mzprime} {hnl}");
            assert!(total > 0.5, "{point}: total ESS/N {total}");
            for (name, e) in channels {
                if e < worst.1 {
                    worst = (format!("{point} {name}"), e);
                }
            }
        }
    }
    println!("lowest channel ESS/N: {:.3} ({})", worst.1, worst.0);
    // 40+ events per channel: the estimate's own scatter is far below the margin to 0.5.
    assert!(worst.1 > 0.5, "ESS/N {:.3} in {}", worst.1, worst.0);
}
