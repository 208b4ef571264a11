//! Efficiency-corrected spectra in the experiments' own binnings, streamed from Parquet samples
//! written with the detector stage, and comparisons with the public data.
//!
//! Each histogram bin holds sum(weight x efficiency x pass) over the events whose observable falls
//! in it (`pass` = `pass_selection`, or `pass_kinematic` for the MINERvA dE/dx distribution, which
//! is published before its final dE/dx cut), scaled by `data POT / sample POT` when a data set is
//! chosen. [`Spectra::from_parquet`] reads the file one record batch at a time (row groups, only
//! the columns it needs), so memory stays bounded for any sample size.
//!
//! Comparisons:
//! - MiniBooNE ([`miniboone_chi2`]): chi^2 of data against background + signal in the 11 E_QE bins
//!   (200-3000 MeV), with the release's 30x30 fractional covariance matrix and the nu_mu CCQE
//!   constraint: C_ij = F_ij N_i N_j with N = (signal, nu_e background, nu_mu prediction), the
//!   signal's Poisson variance added on its diagonal, the signal and background blocks summed to a
//!   19x19 matrix, chi^2 = D^T C^-1 D with D = (data_e - signal - bkg_e, data_mu - pred_mu)
//!   (shared/reference/detectors.md 1.8).
//! - MINERvA, CHARM-II ([`Comparison`]): selected signal events against the published nu-e samples,
//!   in units of the published uncertainty combined with the flux and background normalisation
//!   uncertainties used by arXiv:1812.08768.

use arrow::array::{Array, Float64Array, Int8Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::fmt::Write as _;
use std::path::Path;

/// Errors of spectrum building.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpectrumError {
    /// The sample cannot be opened.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// I/O error.
        source: std::io::Error,
    },
    /// The Parquet reader failed.
    #[error("{path}: {message}")]
    Parquet {
        /// Path.
        path: String,
        /// Reader message.
        message: String,
    },
    /// The sample lacks what a spectrum needs (a column, the run record).
    #[error("{path}: {message}")]
    Sample {
        /// Path.
        path: String,
        /// What is missing.
        message: String,
    },
    /// An unknown or inapplicable data set.
    #[error("--data {name:?}: {message}")]
    Data {
        /// Name given.
        name: String,
        /// Valid choices or why it does not apply.
        message: String,
    },
}

/// Which events enter a histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// `pass_selection == 1`.
    Selection,
    /// `pass_kinematic == 1` (every cut but the final particle identification).
    Kinematic,
}

/// A binned observable.
#[derive(Debug, Clone, PartialEq)]
pub struct Observable {
    /// Name (file stem of the outputs).
    pub name: &'static str,
    /// Column histogrammed.
    pub column: &'static str,
    /// Axis label.
    pub label: &'static str,
    /// Bin edges (in the column's unit).
    pub edges: Vec<f64>,
    /// Events entering.
    pub cut: Cut,
    /// Optional window on another column (column, lo, hi), e.g. 0.2 < E_QE < 1.25 GeV.
    pub window: Option<(&'static str, f64, f64)>,
}

/// A weighted histogram of one observable.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// The observable.
    pub observable: Observable,
    /// sum(weight x efficiency) per bin.
    pub events: Vec<f64>,
    /// sum((weight x efficiency)^2) per bin (MC variance).
    pub sumw2: Vec<f64>,
    /// Below the first edge.
    pub underflow: f64,
    /// At or above the last edge.
    pub overflow: f64,
}

impl Histogram {
    /// An empty histogram.
    #[must_use]
    pub fn new(observable: Observable) -> Self {
        let n = observable.edges.len() - 1;
        Self {
            observable,
            events: vec![0.0; n],
            sumw2: vec![0.0; n],
            underflow: 0.0,
            overflow: 0.0,
        }
    }
    /// Add value `x` with weight `w`.
    pub fn fill(&mut self, x: f64, w: f64) {
        let e = &self.observable.edges;
        if x < e[0] {
            self.underflow += w;
        } else if x >= e[e.len() - 1] || x.is_nan() {
            self.overflow += w;
        } else {
            let i = e.partition_point(|&b| b <= x) - 1;
            self.events[i] += w;
            self.sumw2[i] += w * w;
        }
    }
    /// Sum of the bins.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.events.iter().sum()
    }
    /// Multiply every bin by `s`.
    pub fn scale(&mut self, s: f64) {
        for (e, w2) in self.events.iter_mut().zip(&mut self.sumw2) {
            *e *= s;
            *w2 *= s * s;
        }
        self.underflow *= s;
        self.overflow *= s;
    }
}

/// The observables of an experiment (by the name in the sample's run record).
#[must_use]
pub fn observables_for(experiment: &str) -> Vec<Observable> {
    let lin = |lo: f64, hi: f64, n: usize| -> Vec<f64> {
        #[allow(clippy::cast_precision_loss, reason = "small integers")]
        (0..=n)
            .map(|i| lo + (hi - lo) * i as f64 / n as f64)
            .collect()
    };
    if experiment.starts_with("miniboone") {
        let window = Some(("E_QE", 0.2, 1.25));
        vec![
            Observable {
                name: "E_QE",
                column: "E_QE",
                label: "E_QE (GeV)",
                // MiniBooNE nu_e data release binning (200-3000 MeV)
                edges: vec![
                    0.2, 0.3, 0.375, 0.475, 0.55, 0.675, 0.8, 0.95, 1.1, 1.25, 1.5, 3.0,
                ],
                cut: Cut::Selection,
                window: None,
            },
            Observable {
                name: "E_vis",
                column: "E_reco",
                label: "E_vis (GeV), 200 < E_QE < 1250 MeV",
                edges: lin(0.1, 1.25, 23),
                cut: Cut::Selection,
                window,
            },
            Observable {
                name: "costheta",
                column: "costheta_reco",
                label: "cos theta, 200 < E_QE < 1250 MeV",
                edges: lin(-1.0, 1.0, 20),
                cut: Cut::Selection,
                window,
            },
        ]
    } else if experiment.starts_with("minerva") {
        vec![
            Observable {
                name: "E_reco",
                column: "E_reco",
                label: "E_reco (GeV)",
                edges: vec![0.8, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0],
                cut: Cut::Selection,
                window: None,
            },
            Observable {
                name: "Etheta2",
                column: "Etheta2",
                label: "E theta^2 (GeV rad^2)",
                edges: lin(0.0, 0.0032, 8),
                cut: Cut::Selection,
                window: None,
            },
            Observable {
                name: "dEdx",
                column: "dEdx",
                label: "dE/dx (MeV/1.7 cm), before the dE/dx cut",
                edges: vec![
                    1.5, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 14.0, 16.0,
                    18.0, 20.0,
                ],
                cut: Cut::Kinematic,
                window: None,
            },
        ]
    } else if experiment.starts_with("charmii") {
        vec![
            Observable {
                name: "E_reco",
                column: "E_reco",
                label: "E_reco (GeV)",
                edges: lin(3.0, 24.0, 7),
                cut: Cut::Selection,
                window: None,
            },
            Observable {
                name: "Etheta2",
                column: "Etheta2",
                label: "E theta^2 (GeV rad^2)",
                edges: lin(0.0, 0.028, 7),
                cut: Cut::Selection,
                window: None,
            },
        ]
    } else {
        vec![Observable {
            name: "E_reco",
            column: "E_reco",
            label: "E_reco (GeV)",
            edges: lin(0.0, 10.0, 20),
            cut: Cut::Selection,
            window: None,
        }]
    }
}

/// Spectra of one sample.
#[derive(Debug, Clone)]
pub struct Spectra {
    /// Experiment name (from the run record).
    pub experiment: String,
    /// POT of the sample.
    pub pot: f64,
    /// The histograms (unscaled: at the sample's POT).
    pub histograms: Vec<Histogram>,
    /// sum(weight x efficiency x pass_selection) over the whole file.
    pub selected: f64,
    /// sum(weight x efficiency x pass_kinematic) (equal to `selected` without a PID cut).
    pub kinematic: f64,
    /// sum(weight).
    pub total_weight: f64,
    /// sum(weight x pass_selection) (no efficiency).
    pub passing_weight: f64,
    /// sum(weight) over events reconstructed as one electron-like shower (`E_reco > 0`), any vertex.
    pub shower_weight: f64,
    /// Rows read.
    pub rows: u64,
}

/// A window column with its bounds.
type Window<'a> = (&'a Float64Array, f64, f64);

/// A named column of numbers per bin (e.g. `("data", [...])`).
pub type Overlay = (&'static str, Vec<f64>);

fn f64_col<'a>(b: &'a arrow::record_batch::RecordBatch, name: &str) -> Option<&'a Float64Array> {
    b.column_by_name(name)?
        .as_any()
        .downcast_ref::<Float64Array>()
}

fn i8_col<'a>(b: &'a arrow::record_batch::RecordBatch, name: &str) -> Option<&'a Int8Array> {
    b.column_by_name(name)?.as_any().downcast_ref::<Int8Array>()
}

impl Spectra {
    /// Read `path` batch by batch and fill the experiment's observables
    /// ([`observables_for`]; or `observables` when given).
    ///
    /// # Errors
    /// [`SpectrumError`] if the file cannot be read, has no run record, or lacks the detector
    /// columns (generated with the detector off).
    pub fn from_parquet(
        path: &Path,
        observables: Option<Vec<Observable>>,
    ) -> Result<Self, SpectrumError> {
        let p = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| SpectrumError::Io {
            path: p.clone(),
            source,
        })?;
        let pq = |e: parquet::errors::ParquetError| SpectrumError::Parquet {
            path: p.clone(),
            message: e.to_string(),
        };
        let sample = |message: String| SpectrumError::Sample {
            path: p.clone(),
            message,
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq)?;
        let record = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|k| k.key == "nuportal"))
            .and_then(|k| k.value.clone())
            .ok_or_else(|| {
                sample("no `nuportal` run record in the footer: not a nuportal sample".into())
            })?;
        let meta: serde_json::Value = serde_json::from_str(&record)
            .map_err(|e| sample(format!("run record is not JSON: {e}")))?;
        let experiment = meta["experiment"]["name"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let pot = meta["experiment"]["pot"].as_f64().unwrap_or(0.0);
        let observables = observables.unwrap_or_else(|| observables_for(&experiment));
        let schema = builder.schema().clone();
        let mut need: Vec<&str> = vec!["weight", "efficiency", "pass_selection", "E_reco"];
        let has_kin = schema.field_with_name("pass_kinematic").is_ok();
        if has_kin {
            need.push("pass_kinematic");
        }
        for o in &observables {
            need.push(o.column);
            if let Some((c, _, _)) = o.window {
                need.push(c);
            }
        }
        need.sort_unstable();
        need.dedup();
        let mut idx = Vec::new();
        for n in &need {
            idx.push(schema.index_of(n).map_err(|_| {
                sample(format!(
                    "no column `{n}`: spectra need the detector columns (generate with the detector on, experiment {experiment:?})"
                ))
            })?);
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), idx);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(65_536)
            .build()
            .map_err(pq)?;
        let mut hists: Vec<Histogram> = observables.into_iter().map(Histogram::new).collect();
        let (mut selected, mut kinematic, mut total_weight, mut passing_weight, mut rows) =
            (0.0, 0.0, 0.0, 0.0, 0u64);
        let mut shower_weight = 0.0;
        for batch in reader {
            let b = batch.map_err(|e| SpectrumError::Parquet {
                path: p.clone(),
                message: e.to_string(),
            })?;
            let bad = |c: &str| sample(format!("column `{c}` has an unexpected type"));
            let w = f64_col(&b, "weight").ok_or_else(|| bad("weight"))?;
            let eff = f64_col(&b, "efficiency").ok_or_else(|| bad("efficiency"))?;
            let pass = i8_col(&b, "pass_selection").ok_or_else(|| bad("pass_selection"))?;
            let e_reco = f64_col(&b, "E_reco").ok_or_else(|| bad("E_reco"))?;
            let kin = if has_kin {
                Some(i8_col(&b, "pass_kinematic").ok_or_else(|| bad("pass_kinematic"))?)
            } else {
                None
            };
            let cols: Vec<(&Float64Array, Option<Window<'_>>)> = hists
                .iter()
                .map(|h| {
                    let o = &h.observable;
                    let x = f64_col(&b, o.column).ok_or_else(|| bad(o.column))?;
                    let win = match o.window {
                        Some((c, lo, hi)) => Some((f64_col(&b, c).ok_or_else(|| bad(c))?, lo, hi)),
                        None => None,
                    };
                    Ok((x, win))
                })
                .collect::<Result<_, SpectrumError>>()?;
            for i in 0..b.num_rows() {
                let wi = w.value(i);
                let we = wi * eff.value(i);
                let ps = pass.value(i) == 1;
                let pk = kin.map_or(ps, |k| k.value(i) == 1);
                total_weight += wi;
                if e_reco.value(i) > 0.0 {
                    shower_weight += wi;
                }
                if ps {
                    selected += we;
                    passing_weight += wi;
                }
                if pk {
                    kinematic += we;
                }
                for (h, (x, win)) in hists.iter_mut().zip(&cols) {
                    let ok = match h.observable.cut {
                        Cut::Selection => ps,
                        Cut::Kinematic => pk,
                    };
                    if !ok {
                        continue;
                    }
                    if let Some((c, lo, hi)) = win {
                        let v = c.value(i);
                        if !(v >= *lo && v < *hi) {
                            continue;
                        }
                    }
                    h.fill(x.value(i), we);
                }
            }
            rows += b.num_rows() as u64;
        }
        Ok(Self {
            experiment,
            pot,
            histograms: hists,
            selected,
            kinematic,
            total_weight,
            passing_weight,
            shower_weight,
            rows,
        })
    }
}

const ENU_CSV: &str = include_str!("../detectors/data/miniboone_excess_enu.csv");
const COS_CSV: &str = include_str!("../detectors/data/miniboone_excess_costheta.csv");
const EVIS_CSV: &str = include_str!("../detectors/data/miniboone_excess_evis.csv");
const NUMU_CSV: &str = include_str!("../detectors/data/miniboone_numu_ccqe.csv");
const COV_FHC2020: &str = include_str!("../detectors/data/miniboone_fraccov_fhc2020.csv");
const COV_FHC2018: &str = include_str!("../detectors/data/miniboone_fraccov_fhc2018.csv");
const COV_RHC: &str = include_str!("../detectors/data/miniboone_fraccov_rhc.csv");
const MNV_LE_CSV: &str = include_str!("../detectors/data/minerva_le_dedx_digitized.csv");
const MNV_ME_CSV: &str = include_str!("../detectors/data/minerva_me_dedx_digitized.csv");

/// A column of a shipped CSV (comment lines start with `#`; one header row).
fn csv_column(text: &str, name: &str) -> Vec<f64> {
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let Some(c) = header.iter().position(|h| h.trim() == name) else {
        return vec![];
    };
    lines
        .map(|l| {
            l.split(',')
                .nth(c)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0.0)
        })
        .collect()
}

fn matrix(text: &str) -> Vec<Vec<f64>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|v| v.trim().parse().unwrap_or(0.0))
                .collect()
        })
        .collect()
}

/// A public data set to compare a spectrum with.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSet {
    /// Name (`--data`).
    pub name: &'static str,
    /// Experiment prefix the data belong to.
    pub experiment: &'static str,
    /// POT of the data.
    pub pot: f64,
    /// Per observable name: (column names, columns of numbers per bin).
    pub overlays: Vec<(&'static str, Vec<Overlay>)>,
    /// A published event count to compare the selected signal with.
    pub comparison: Option<Comparison>,
    /// Citation.
    pub source: &'static str,
}

/// A published selected-sample count and the uncertainties that go with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Published events.
    pub events: f64,
    /// Its uncertainty (if published; else sqrt(events)).
    pub error: Option<f64>,
    /// Flux normalisation uncertainty (fraction).
    pub flux_unc: f64,
    /// Background events in the sample (if known) and their normalisation uncertainty.
    pub background: Option<(f64, f64)>,
    /// Reference number the AHT benchmark predicts for comparison (if any): (events, what).
    pub benchmark: Option<(f64, &'static str)>,
}

impl Comparison {
    /// Combined uncertainty: published (or Poisson), flux x events, background normalisation.
    #[must_use]
    pub fn sigma(&self) -> f64 {
        let stat = self.error.unwrap_or_else(|| self.events.sqrt());
        let flux = self.flux_unc * self.events;
        let bkg = self.background.map_or(0.0, |(n, u)| n * u);
        (stat * stat + flux * flux + bkg * bkg).sqrt()
    }
}

/// Names of the shipped data sets.
pub const DATA_SETS: &[&str] = &[
    "miniboone_2020_fhc",
    "miniboone_2018_fhc",
    "miniboone_rhc",
    "minerva_le",
    "minerva_me",
    "charmii_fhc",
    "charmii_rhc",
];

/// The default data set of an experiment.
#[must_use]
pub fn default_data(experiment: &str) -> Option<&'static str> {
    Some(match experiment {
        "miniboone_fhc" => "miniboone_2020_fhc",
        "miniboone_rhc" => "miniboone_rhc",
        "minerva_le_fhc" => "minerva_le",
        "minerva_me_fhc" => "minerva_me",
        "charmii_fhc" => "charmii_fhc",
        "charmii_rhc" => "charmii_rhc",
        _ => return None,
    })
}

/// A shipped data set by name.
///
/// # Errors
/// [`SpectrumError::Data`] listing the valid names.
pub fn data_set(name: &str) -> Result<DataSet, SpectrumError> {
    let enu = |tag: &str| {
        vec![
            ("data", csv_column(ENU_CSV, &format!("data_{tag}"))),
            ("background", csv_column(ENU_CSV, &format!("bkg_{tag}"))),
        ]
    };
    let mb_shapes = || {
        vec![
            (
                "E_vis",
                vec![
                    ("data", csv_column(EVIS_CSV, "data")),
                    ("background", csv_column(EVIS_CSV, "bkg")),
                ],
            ),
            (
                "costheta",
                vec![
                    ("data", csv_column(COS_CSV, "data")),
                    ("background", csv_column(COS_CSV, "bkg")),
                ],
            ),
        ]
    };
    Ok(match name {
        "miniboone_2020_fhc" => {
            let mut overlays = vec![("E_QE", enu("fhc2020"))];
            overlays.extend(mb_shapes());
            DataSet {
                name: "miniboone_2020_fhc",
                experiment: "miniboone",
                pot: 18.75e20,
                overlays,
                comparison: None,
                source: "MiniBooNE 2020 nu_e data release (arXiv:2006.16883); E_vis and cos theta digitized (fastbnb)",
            }
        }
        "miniboone_2018_fhc" => DataSet {
            name: "miniboone_2018_fhc",
            experiment: "miniboone",
            pot: 12.84e20,
            overlays: vec![("E_QE", enu("fhc2018"))],
            comparison: None,
            source: "MiniBooNE 2018 nu_e data release (arXiv:1805.12028)",
        },
        "miniboone_rhc" => DataSet {
            name: "miniboone_rhc",
            experiment: "miniboone",
            pot: 11.27e20,
            overlays: vec![("E_QE", enu("rhc"))],
            comparison: None,
            source: "MiniBooNE antineutrino-mode nu_e data release (arXiv:1805.12028, arXiv:2006.16883)",
        },
        "minerva_le" => DataSet {
            name: "minerva_le",
            experiment: "minerva",
            pot: 3.43e20,
            overlays: vec![(
                "dEdx",
                vec![
                    ("data", csv_column(MNV_LE_CSV, "data_events")),
                    ("background", csv_column(MNV_LE_CSV, "mcbkg_events")),
                ],
            )],
            comparison: Some(Comparison {
                events: 135.0,
                error: Some(17.0),
                flux_unc: 0.10,
                background: Some((31.0, 0.30)),
                benchmark: Some((232.0, "arXiv:1812.08768 light-Z' benchmark (LE), before the dE/dx cut")),
            }),
            source: "MINERvA LE nu-e (PRD 93, 112007): 135 +- 17 after background subtraction and efficiency correction; dE/dx digitized; 10% flux and 30% background normalisation as arXiv:1812.08768; 31 background events with dE/dx < 4.5 from the digitized figure",
        },
        "minerva_me" => DataSet {
            name: "minerva_me",
            experiment: "minerva",
            pot: 1.16e21,
            overlays: vec![(
                "dEdx",
                vec![
                    ("data", csv_column(MNV_ME_CSV, "data_events")),
                    ("mc_total", csv_column(MNV_ME_CSV, "mctotal_events")),
                ],
            )],
            comparison: Some(Comparison {
                events: 810.0,
                error: None,
                flux_unc: 0.10,
                background: Some((210.0, 0.40)),
                benchmark: Some((4240.0, "arXiv:1812.08768 light-Z' benchmark (ME), before the dE/dx cut")),
            }),
            source: "MINERvA ME nu-e (arXiv:1906.00111): 810 after background subtraction (Poisson error assumed); ~1020 selected data events (digitized) -> ~210 background, 40% normalisation as arXiv:1812.08768",
        },
        "charmii_fhc" => DataSet {
            name: "charmii_fhc",
            experiment: "charmii",
            pot: 1.57e19,
            overlays: vec![],
            comparison: Some(Comparison {
                events: 2677.0,
                error: None,
                flux_unc: 0.047,
                background: None,
                benchmark: None,
            }),
            source: "CHARM-II nu-mode nu-e, 3 < E < 24 GeV: 2677 events (as used by arXiv:1812.08768); Poisson error; 4.7% flux; the 3% background normalisation is not included (background count not in our references)",
        },
        "charmii_rhc" => DataSet {
            name: "charmii_rhc",
            experiment: "charmii",
            pot: 0.93e19,
            overlays: vec![],
            comparison: Some(Comparison {
                events: 2752.0,
                error: None,
                flux_unc: 0.052,
                background: None,
                benchmark: None,
            }),
            source: "CHARM-II nubar-mode nu-e, 3 < E < 24 GeV: 2752 events (as used by arXiv:1812.08768); Poisson error; 5.2% flux; background normalisation not included",
        },
        _ => {
            return Err(SpectrumError::Data {
                name: name.into(),
                message: format!("unknown data set; valid: {}", DATA_SETS.join(", ")),
            })
        }
    })
}

/// MiniBooNE chi^2 result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chi2 {
    /// chi^2 with the signal.
    pub with_signal: f64,
    /// chi^2 of the background-only hypothesis.
    pub background_only: f64,
    /// Number of bins (11 nu_e + 8 nu_mu).
    pub bins: usize,
    /// Signal events in the 11 bins.
    pub signal_events: f64,
}

/// chi^2 of a MiniBooNE data set against `signal` (11 E_QE bins, already at the data's POT);
/// see the module documentation for the recipe.
///
/// # Errors
/// [`SpectrumError::Data`] for a non-MiniBooNE data set or a singular covariance.
pub fn miniboone_chi2(data: &DataSet, signal: &[f64]) -> Result<Chi2, SpectrumError> {
    let (tag, cov, numu) = match data.name {
        "miniboone_2020_fhc" => ("fhc2020", COV_FHC2020, "fhc2020"),
        "miniboone_2018_fhc" => ("fhc2018", COV_FHC2018, "fhc2018"),
        "miniboone_rhc" => ("rhc", COV_RHC, "rhc"),
        _ => {
            return Err(SpectrumError::Data {
                name: data.name.into(),
                message: "the chi^2 needs a MiniBooNE data set".into(),
            })
        }
    };
    let d_e = csv_column(ENU_CSV, &format!("data_{tag}"));
    let b_e = csv_column(ENU_CSV, &format!("bkg_{tag}"));
    let p_mu = csv_column(NUMU_CSV, &format!("pred_{numu}"));
    let d_mu = csv_column(NUMU_CSV, &format!("data_{numu}"));
    let f = matrix(cov);
    let chi2 = |sig: &[f64]| -> Result<f64, SpectrumError> {
        let n: Vec<f64> = sig.iter().chain(&b_e).chain(&p_mu).copied().collect();
        let map = |a: usize| -> Vec<usize> {
            if a < 11 {
                vec![a, a + 11]
            } else {
                vec![a + 11]
            }
        };
        let c = nalgebra::DMatrix::from_fn(19, 19, |a, b| {
            let mut s = 0.0;
            for &i in &map(a) {
                for &j in &map(b) {
                    s += f[i][j] * n[i] * n[j];
                    if i == j && i < 11 {
                        s += n[i];
                    }
                }
            }
            s
        });
        let delta = nalgebra::DVector::from_fn(19, |a, _| {
            if a < 11 {
                d_e[a] - sig[a] - b_e[a]
            } else {
                d_mu[a - 11] - p_mu[a - 11]
            }
        });
        let inv = c.try_inverse().ok_or_else(|| SpectrumError::Data {
            name: data.name.into(),
            message: "singular covariance".into(),
        })?;
        Ok((delta.transpose() * inv * &delta)[(0, 0)])
    };
    Ok(Chi2 {
        with_signal: chi2(signal)?,
        background_only: chi2(&[0.0; 11])?,
        bins: 19,
        signal_events: signal.iter().sum(),
    })
}

/// The CSV text of a histogram (events already scaled), with overlay columns of equal length.
#[must_use]
pub fn to_csv(h: &Histogram, overlays: &[(&str, Vec<f64>)]) -> String {
    let mut s = String::from("bin_lo,bin_hi,events");
    let used: Vec<&(&str, Vec<f64>)> = overlays
        .iter()
        .filter(|(_, v)| v.len() == h.events.len())
        .collect();
    for (n, _) in &used {
        let _ = write!(s, ",{n}");
    }
    s.push_str(",mc_error\n");
    let e = &h.observable.edges;
    for i in 0..h.events.len() {
        let _ = write!(s, "{},{},{:.6e}", edge(e[i]), edge(e[i + 1]), h.events[i]);
        for (_, v) in &used {
            let _ = write!(s, ",{}", v[i]);
        }
        let _ = writeln!(s, ",{:.3e}", h.sumw2[i].sqrt());
    }
    s
}

/// A bin edge for printing: rounded to 1e-9 (so 0.30000000000000004 prints as 0.3).
fn edge(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// Step-curve points of a binned series.
fn steps(edges: &[f64], v: &[f64]) -> Vec<(f64, f64)> {
    let mut pts = Vec::with_capacity(2 * v.len());
    for (i, y) in v.iter().enumerate() {
        pts.push((edges[i], *y));
        pts.push((edges[i + 1], *y));
    }
    pts
}

/// Draw a histogram with its overlays (data, background, background + signal) into a PNG, or an
/// SVG when `path` ends in `.svg`.
///
/// # Errors
/// [`crate::plot::PlotError`] if drawing fails.
pub fn draw_png(
    path: &Path,
    title: &str,
    h: &Histogram,
    overlays: &[(&str, Vec<f64>)],
) -> Result<(), crate::plot::PlotError> {
    use crate::plot::{Curve, Panel};
    let e = &h.observable.edges;
    let mut curves = vec![Curve {
        label: "signal (this sample)".into(),
        points: steps(e, &h.events),
        colour: 2,
        width: 2,
    }];
    let mut top = h.events.iter().copied().fold(0.0_f64, f64::max);
    let bkg = overlays
        .iter()
        .find(|(n, v)| *n == "background" && v.len() == h.events.len());
    for (k, (n, v)) in overlays.iter().enumerate() {
        if v.len() != h.events.len() {
            continue;
        }
        top = top.max(v.iter().copied().fold(0.0, f64::max));
        curves.push(Curve {
            label: (*n).to_string(),
            points: steps(e, v),
            colour: if *n == "data" { 0 } else { 1 + 2 * (k + 1) % 4 },
            width: if *n == "data" { 3 } else { 2 },
        });
    }
    if let Some((_, b)) = bkg {
        let sum: Vec<f64> = b.iter().zip(&h.events).map(|(x, y)| x + y).collect();
        top = top.max(sum.iter().copied().fold(0.0, f64::max));
        curves.push(Curve {
            label: "background + signal".into(),
            points: steps(e, &sum),
            colour: 3,
            width: 2,
        });
    }
    let top = if top > 0.0 { top * 1.35 } else { 1.0 };
    let panel = Panel {
        title: title.into(),
        x_label: h.observable.label.into(),
        y_label: "events per bin".into(),
        x_range: (e[0], e[e.len() - 1]),
        y_range: (0.0, top),
        x_log: false,
        curves,
    };
    if path.extension().is_some_and(|e| e == "svg") {
        crate::plot::write_svg(path, (900, 600), &[panel])
    } else {
        crate::plot::write_png(path, (900, 600), &[panel])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_fill_edges() {
        let mut h = Histogram::new(observables_for("charmii_fhc").remove(0));
        h.fill(2.0, 1.0);
        h.fill(3.0, 2.0);
        h.fill(5.999, 3.0);
        h.fill(24.0, 4.0);
        assert_eq!(h.underflow, 1.0);
        assert_eq!(h.overflow, 4.0);
        assert_eq!(h.events[0], 5.0);
        assert_eq!(h.total(), 5.0);
    }

    #[test]
    fn data_sets_have_the_binning() {
        for n in DATA_SETS {
            let d = data_set(n).unwrap();
            let obs = observables_for(d.experiment);
            for (name, cols) in &d.overlays {
                let o = obs.iter().find(|o| o.name == *name).unwrap();
                for (c, v) in cols {
                    assert_eq!(v.len(), o.edges.len() - 1, "{n} {name} {c}");
                }
            }
        }
        assert!(data_set("nope").is_err());
    }

    #[test]
    fn miniboone_chi2_background_only_and_excess() {
        let d = data_set("miniboone_2020_fhc").unwrap();
        let r = miniboone_chi2(&d, &[0.0; 11]).unwrap();
        assert!(r.background_only > 0.0 && r.background_only.is_finite());
        // adding the release's own excess (data - bkg) as signal lowers the chi^2
        let exc = csv_column(ENU_CSV, "excess_fhc2020");
        let sig: Vec<f64> = exc.iter().map(|x| x.max(0.0)).collect();
        let r2 = miniboone_chi2(&d, &sig).unwrap();
        assert!(r2.with_signal < r.background_only, "{r2:?}");
    }
}
