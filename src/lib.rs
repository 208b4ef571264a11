//! # nuportal
//!
//! An event-generator Monte Carlo for neutrino physics through light mediators.
//!
//! The pipeline, in order (DESIGN.md "Data flow"):
//!
//! 1. [`config::Config`]: the run card (TOML), validated.
//! 2. [`experiment::Experiment`]: flux table ([`flux`]), targets, exposure and geometry from a
//!    detector file (`detectors/*.toml`, embedded by [`data`]).
//! 3. [`model::Couplings`]: the Z' couplings table from a preset ([`model::presets`], with the
//!    derived NSI).
//! 4. A [`process::Process`] ([`process::nu_electron`], [`process::cevns`], up-scattering): cross
//!    sections as pure functions
//!    ([`units`], [`kinematics`], [`numerics`], [`nuclear`], [`decay`]) and the sampling of final
//!    states.
//! 7. [`oscillation`]: exact oscillation probabilities in matter (3 flavours, NSI, 3+1, nuSSI).
//! 5. [`generate::Generator`]: energy proposals tabulated once, chunks with their own PCG streams,
//!    rayon, column batches ([`event::EventBatch`]).
//!    The optional detector stage ([`detector`]) smears, classifies and selects each event with
//!    its own random stream and adds reconstructed columns.
//! 6. [`output`]: sinks (Parquet, HepMC3, in-memory) fed batch by batch; [`output::reader`] reads
//!    samples back and [`sample_plot`] draws their distributions (`nuportal plot`).
//!
//! 8. [`spectrum`]: efficiency-corrected histograms in the experiments' binnings, streamed from
//!    Parquet, with the public data and the MiniBooNE chi^2.
//!
//! [`run`] ties them together; the `nuportal` binary is a thin CLI over it.
//!
//! ```no_run
//! use nuportal::{config::Config, output::memory::MemorySink, run};
//! let cfg = Config::default_with(&["generation.events=10000".into()]).unwrap();
//! let prepared = run::prepare(cfg).unwrap();
//! let mut sink = MemorySink::default();
//! let report = prepared.generate(&mut sink, |_| {}, || false).unwrap();
//! println!("predicted events: {}", report.summary.predicted_total);
//! ```

// Negated float comparisons (`!(x > 0.0)`) are deliberate: they also reject NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod config;
pub mod data;
pub mod decay;
pub mod detector;
pub mod event;
pub mod experiment;
pub mod flux;
pub mod generate;
pub mod kinematics;
pub mod model;
pub mod nuclear;
pub mod numerics;
pub mod oscillation;
pub mod output;
pub mod plot;
pub mod process;
pub mod run;
pub mod sample_plot;
pub mod spectrum;
pub mod units;
