//! The driver that turns a [`Config`] into a finished sample: load the experiment, build the
//! process, tabulate, generate into a sink, and assemble the run record (metadata JSON).
//! The CLI is a thin layer over [`prepare`] and [`Prepared::generate`].

use crate::config::{Config, ProcessConfig};
use crate::experiment::{Experiment, ExperimentError};
use crate::generate::{GenerateError, Generator, RunSummary};
use crate::model::Couplings;
use crate::output::Sink;
use crate::process::nu_electron::NuElectron;
use crate::process::Process;
use serde_json::{json, Value};

/// Errors of a run, by stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Configuration.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// Experiment or flux loading.
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
    /// Generation or output.
    #[error(transparent)]
    Generate(#[from] GenerateError),
}

/// The process of a run, statically dispatched.
#[derive(Debug, Clone)]
pub enum AnyProcess {
    /// nu-e elastic scattering.
    NuElectron(NuElectron),
}

/// A configuration with its experiment loaded and its process built.
#[derive(Debug)]
pub struct Prepared {
    /// The configuration.
    pub config: Config,
    /// The experiment.
    pub experiment: Experiment,
    /// The couplings table.
    pub couplings: Couplings,
    /// The process.
    pub process: AnyProcess,
}

/// Load the experiment and build the process of `config`.
///
/// # Errors
/// [`RunError`] naming the file, key or value at fault.
pub fn prepare(config: Config) -> Result<Prepared, RunError> {
    config.validate()?;
    let experiment = Experiment::load(&config.experiment.name)?;
    let couplings = config.model.couplings().map_err(|e| match e {
        crate::model::ModelError::Value { key, value, valid } => {
            crate::config::ConfigError::Value { key: format!("model.{key}"), value, valid }
        }
    })?;
    let process = match config.process {
        ProcessConfig::NuEElastic {} => AnyProcess::NuElectron(NuElectron::new(couplings, &experiment)),
    };
    Ok(Prepared { config, experiment, couplings, process })
}

/// Run record of a finished generation.
#[derive(Debug, Clone)]
pub struct Report {
    /// The run summary.
    pub summary: RunSummary,
    /// Tabulated predicted events per channel (before sampling).
    pub tabulated: Vec<(String, f64)>,
    /// The complete metadata JSON written at the end.
    pub metadata: Value,
}

impl Prepared {
    /// The run record known before generation.
    #[must_use]
    pub fn metadata(&self, tabulated: &[(String, f64)]) -> Value {
        let e = &self.experiment;
        let (emin, emax) = e.energy_range();
        json!({
            "schema_version": 1,
            "generator": "nuportal",
            "version": env!("CARGO_PKG_VERSION"),
            "git_revision": option_env!("NUPORTAL_GIT_REV").unwrap_or("unknown"),
            "config_toml": self.config.resolved_toml(),
            "process": self.config.process.kind(),
            "seed": self.config.generation.seed,
            "events_requested": self.config.generation.events,
            "chunk_size": self.config.generation.chunk_size,
            "rng": "rand_pcg::Pcg64 (PCG XSL-RR 128/64); chunk k uses stream k, state from SplitMix64(seed)",
            "model": {
                "preset": self.config.model.preset(),
                "couplings": self.couplings,
                "sin2_theta_w": crate::units::SIN2_THETA_W,
            },
            "experiment": {
                "name": e.name(),
                "detector_file": e.origin.to_string(),
                "detector_sha256": e.sha256,
                "pot": e.pot(),
                "material": e.spec.target.material,
                "mass_t": e.spec.target.mass_t,
                "mass_split": e.spec.target.mass_split,
                "targets": e.targets.iter().map(|t| json!({"isotope": t.element.isotope, "pdg": t.element.pdg(), "count": t.count})).collect::<Vec<_>>(),
                "electrons": e.electrons(),
                "energy_range_gev": [emin, emax],
                "geometry": e.spec.geometry,
                "fiducial": e.spec.fiducial,
            },
            "flux": {
                "file": e.flux_origin.to_string(),
                "sha256": e.flux.sha256,
                "units_in_file": e.flux.units,
                "interpolation": "linear in E between rows, zero outside",
            },
            "constants": crate::units::constants_table().into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "predicted_tabulated": tabulated.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "units": {"energy": "GeV", "momentum": "GeV", "length": "cm", "weight": "events"},
            "weight": "expected number of events at the configured exposure (POT x target count); the sum over the file is the predicted rate",
            "NuHepMC.Exposure.POT": e.pot(),
        })
    }

    /// Generate into `sink` with the configured options.
    ///
    /// # Errors
    /// [`RunError::Generate`] from the generator or the sink.
    pub fn generate<S: Sink>(&self, sink: &mut S, progress: impl FnMut(u64), stop: impl Fn() -> bool) -> Result<Report, RunError> {
        match &self.process {
            AnyProcess::NuElectron(p) => self.generate_with(p, sink, progress, stop),
        }
    }

    fn generate_with<P: Process, S: Sink>(&self, p: &P, sink: &mut S, progress: impl FnMut(u64), stop: impl Fn() -> bool) -> Result<Report, RunError> {
        let gen = Generator::new(p, &self.experiment, self.config.generate_options())?;
        let tabulated = gen.tabulated_rates();
        let meta = self.metadata(&tabulated);
        let begin = meta.to_string();
        let mut final_meta = Value::Null;
        let summary = gen.run(
            sink,
            &begin,
            |s| {
                let mut m = meta.clone();
                m["summary"] = serde_json::to_value(s).unwrap_or(Value::Null);
                m["predicted_events"] = json!(s.predicted_total);
                final_meta = m.clone();
                m.to_string()
            },
            progress,
            stop,
        )?;
        Ok(Report { summary, tabulated, metadata: final_meta })
    }

    /// Default output path: `output/<experiment>_<process>.parquet`.
    #[must_use]
    pub fn default_output(&self) -> String {
        self.config.output.path.clone().unwrap_or_else(|| format!("output/{}_{}.parquet", self.experiment.name(), self.config.process.kind()))
    }
}
