//! The driver that turns a [`Config`] into a finished sample: load the experiment, build the
//! process, tabulate, generate into a sink, and assemble the run record (metadata JSON).
//! The CLI is a thin layer over [`prepare`] and [`Prepared::generate`].

use crate::config::{Config, ProcessConfig};
use crate::experiment::{Experiment, ExperimentError};
use crate::generate::{GenerateError, Generator, RunSummary};
use crate::model::Couplings;
use crate::output::Sink;
use crate::process::cevns::Cevns;
use crate::process::dark_neutrino::{DarkNeutrinoSignal, SignalError, SignalOptions};
use crate::process::nu_electron::NuElectron;
use crate::process::upscatter::Diagrams;
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
    /// The dark-neutrino signal cannot be built for this model and experiment.
    #[error(transparent)]
    Signal(#[from] SignalError),
    /// CEvNS cannot be built for this target (unknown nucleus or form factor).
    #[error("process.form_factor / target: {0}")]
    Nuclear(#[from] crate::nuclear::NuclearError),
    /// An invalid `[detector]` choice in the run configuration.
    #[error("[detector] {0}")]
    Detector(#[from] crate::detector::DetectorError),
}

/// The process of a run, statically dispatched.
#[derive(Debug)]
pub enum AnyProcess {
    /// nu-e elastic scattering.
    NuElectron(Box<NuElectron>),
    /// Dark-neutrino up-scattering and decay.
    DarkNeutrino(Box<DarkNeutrinoSignal>),
    /// Coherent elastic neutrino-nucleus scattering.
    Cevns(Box<Cevns>),
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
    // The tabulation (sigma(E) per channel, in parallel over energies) runs on the run's own
    // number of threads, like the event loop.
    match rayon::ThreadPoolBuilder::new()
        .num_threads(config.generation.threads)
        .build()
    {
        Ok(pool) => pool.install(|| prepare_validated(config)),
        Err(_) => prepare_validated(config),
    }
}

fn prepare_validated(config: Config) -> Result<Prepared, RunError> {
    let experiment = Experiment::load_with(
        &config.experiment.name,
        config.experiment.pot,
        config.experiment.mass_split,
        config.experiment.mass_fractions.as_ref(),
    )
    .map_err(|e| match e {
        // The name itself is neither shipped nor a readable file: say which key holds it.
        ExperimentError::Read(r) if r.path == config.experiment.name => {
            RunError::Config(crate::config::ConfigError::Value {
                key: "experiment.name".into(),
                value: format!("{:?}", config.experiment.name),
                valid: format!(
                    "a shipped experiment or a readable detector TOML ({}){}",
                    r.source, r.hint
                ),
            })
        }
        e => e.into(),
    })?;
    if let (Some(d), Some(section)) = (&config.detector, &experiment.spec.detector) {
        if let Some(r) = &d.resolution {
            if !section.resolutions.contains_key(r) {
                return Err(crate::detector::DetectorError::Value {
                    key: "detector.resolution".into(),
                    value: format!("{r:?}"),
                    valid: format!(
                        "must be one of {:?} (experiment {})",
                        section.resolutions.keys().collect::<Vec<_>>(),
                        experiment.name()
                    ),
                }
                .into());
            }
        }
    }
    let couplings = config
        .model
        .couplings()
        .map_err(crate::config::ConfigError::from)?;
    let process = match &config.process {
        ProcessConfig::NuEElastic {} => {
            AnyProcess::NuElectron(Box::new(NuElectron::new(couplings, &experiment)))
        }
        ProcessConfig::Upscattering(u) => {
            let model = config
                .model
                .dark_neutrino()
                .map_err(crate::config::ConfigError::from)?
                .ok_or_else(|| crate::config::ConfigError::Value {
                    key: "model.preset".into(),
                    value: config.model.preset().into(),
                    valid: "kind = \"upscattering\" needs preset = \"dark_neutrino\"".into(),
                })?;
            let opts = SignalOptions {
                coherent: u.coherent,
                proton_elastic: u.proton_elastic,
                nu_flavors: u.nu_flavors.clone(),
                threshold_factor: u.threshold_factor,
                diagrams: match u.diagrams {
                    crate::config::DiagramsConfig::Total => Diagrams::Total,
                    crate::config::DiagramsConfig::ZprimeOnly => Diagrams::ZprimeOnly,
                },
            };
            AnyProcess::DarkNeutrino(Box::new(DarkNeutrinoSignal::new(
                model,
                &experiment,
                &opts,
            )?))
        }
        ProcessConfig::Cevns(c) => AnyProcess::Cevns(Box::new(Cevns::new(
            couplings,
            &experiment,
            c.form_factor_model()?,
            &c.nu_flavors,
        )?)),
    };
    Ok(Prepared {
        config,
        experiment,
        couplings,
        process,
    })
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
            "model": self.model_metadata(),
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
            "format": self.config.output.format,
            "chunk": self.chunk_metadata(),
        })
    }

    /// The piece of the run this file holds (`--chunk I/N`): index, count, which chunks, how many
    /// events, and how the pieces combine.
    #[must_use]
    pub fn chunk_metadata(&self) -> Value {
        let o = self.config.generate_options();
        json!({
            "index": o.piece.index,
            "count": o.piece.count,
            "chunks": format!("the run's chunks k (of {}, {} events each) with k mod {} = {}", o.n_chunks(), o.chunk_size, o.piece.count, o.piece.index),
            "events_in_piece": o.piece_events(),
            "events_in_run": o.events,
            "normalisation": "weights are those of the whole run: the sum of weights over all pieces is the run's predicted rate, each piece holds its share",
        })
    }

    /// The output file of this run: `cli` (`--output`), else `[output] path`, else
    /// `output/<experiment>_<process>.<ext>`. With `--chunk I/N` that path is a dataset directory and
    /// the file is `<path>/chunk=I/part-0.<ext>` (a Hive-partitioned dataset; the default directory is
    /// `output/<experiment>_<process>`).
    #[must_use]
    pub fn output_path(&self, cli: Option<&std::path::Path>) -> std::path::PathBuf {
        let ext = self.config.output.format.extension();
        let stem = format!(
            "output/{}_{}",
            self.experiment.name(),
            self.config.process.kind()
        );
        let given = cli
            .map(std::path::Path::to_path_buf)
            .or_else(|| self.config.output.path.as_ref().map(Into::into));
        match self.config.generation.chunk {
            Some(p) => given
                .unwrap_or_else(|| stem.into())
                .join(format!("chunk={}", p.index))
                .join(format!("part-0.{ext}")),
            None => given.unwrap_or_else(|| format!("{stem}.{ext}").into()),
        }
    }

    /// Model part of the run record: preset, parameters, couplings, and for the dark-neutrino model
    /// its derived couplings, widths and lifetimes.
    #[must_use]
    pub fn model_metadata(&self) -> Value {
        let mut m = json!({
            "preset": self.config.model.preset(),
            "parameters": self.config.model,
            "zprime_couplings": self.couplings,
            "sin2_theta_w_low_q2": crate::units::SIN2_THETA_W,
        });
        if let AnyProcess::DarkNeutrino(p) = &self.process {
            m["dark_neutrino"] = crate::decay::summary_json(p.model());
        }
        m
    }

    /// Generate into `sink` with the configured options.
    ///
    /// # Errors
    /// [`RunError::Generate`] from the generator or the sink.
    pub fn generate<S: Sink + Send>(
        &self,
        sink: &mut S,
        progress: impl FnMut(u64),
        stop: impl Fn() -> bool,
    ) -> Result<Report, RunError> {
        match &self.process {
            AnyProcess::NuElectron(p) => self.generate_with(p.as_ref(), sink, progress, stop),
            AnyProcess::DarkNeutrino(p) => self.generate_with(p.as_ref(), sink, progress, stop),
            AnyProcess::Cevns(p) => self.generate_with(p.as_ref(), sink, progress, stop),
        }
    }

    /// The generator of `p` for this run, with the `w_osc` column if the config has `[oscillation]`.
    ///
    /// # Errors
    /// [`RunError::Generate`] if no channel is open; [`RunError::Config`] for an invalid `[oscillation]`.
    pub fn generator<'a, P: Process>(&'a self, p: &'a P) -> Result<Generator<'a, P>, RunError> {
        let mut gen = Generator::new(p, &self.experiment, self.config.generate_options())?;
        if let Some(d) = self.detector_for(p)? {
            gen = gen.with_detector(d);
        }
        match &self.config.oscillation {
            None => Ok(gen),
            Some(o) => {
                let osc = o.build().map_err(crate::config::ConfigError::from)?;
                Ok(gen.with_oscillation(crate::oscillation::OscillationWeight::new(osc, o.source)))
            }
        }
    }

    /// The detector stage of this run for process `p`: `None` when the experiment has no
    /// `[detector]` section, when it is switched off (`[detector] enabled = false` in the run
    /// configuration or the detector file), or when the process has no visible e+-.
    ///
    /// # Errors
    /// [`RunError::Detector`] for an unknown `detector.resolution`, or `detector.enabled = true`
    /// for an experiment without a detector section.
    pub fn detector_for<P: Process>(
        &self,
        p: &P,
    ) -> Result<Option<crate::detector::Detector>, RunError> {
        use crate::detector::{Detector, DetectorError, Visible};
        use crate::event::Particle;
        let cfg = self.config.detector.clone().unwrap_or_default();
        let Some(section) = &self.experiment.spec.detector else {
            if cfg.enabled == Some(true) || cfg.resolution.is_some() || cfg.shower_rule.is_some() {
                return Err(DetectorError::Value {
                    key: "detector.enabled".into(),
                    value: "true".into(),
                    valid: format!(
                        "experiment {} has no [detector] section in its detector file (shipped with one: miniboone_*, minerva_*, charmii_*)",
                        self.experiment.name()
                    ),
                }
                .into());
            }
            return Ok(None);
        };
        let det = Detector::new(
            self.experiment.name(),
            section,
            cfg.resolution.as_deref(),
            self.experiment.spec.fiducial,
            Visible::Pair,
            p.has_decay_vertex(),
        )?;
        let det = match cfg.shower_rule {
            Some(r) => det.with_shower_rule(r)?,
            None => det,
        };
        if !cfg.enabled.unwrap_or(section.enabled) {
            return Ok(None);
        }
        let parts = p.particles();
        let visible = if parts.contains(&Particle::EMinus) && parts.contains(&Particle::EPlus) {
            Visible::Pair
        } else if parts.contains(&Particle::EOut) {
            Visible::Electron
        } else {
            return Ok(None);
        };
        Ok(Some(Detector { visible, ..det }))
    }

    fn generate_with<P: Process, S: Sink + Send>(
        &self,
        p: &P,
        sink: &mut S,
        progress: impl FnMut(u64),
        stop: impl Fn() -> bool,
    ) -> Result<Report, RunError> {
        let gen = self.generator(p)?;
        let tabulated = gen.tabulated_rates();
        let mut meta = self.metadata(&tabulated);
        if let Some(o) = &self.config.oscillation {
            meta["oscillation"] = json!({
                "w_osc": "P(source -> nu_pdg) at E_nu over the [oscillation] baseline and profile; not included in weight (use weight * w_osc)",
                "source": o.source.map_or(json!("event flavour (survival)"), |s| json!(s)),
                "baseline_km": o.matter_profile().map(|m| m.baseline_km()).ok(),
                "constants": o.constants,
            });
            if let Some(nsi) = &o.model_nsi {
                // the eps the run's [model] gave (nsi_from_model), diagonal ee, mumu, tautau
                let diag = |m: &nalgebra::Matrix3<num_complex::Complex64>| {
                    [m[(0, 0)].re, m[(1, 1)].re, m[(2, 2)].re]
                };
                let [e, u, d] = nsi.matrices();
                meta["oscillation"]["nsi_from_model"] = json!({
                    "eps_e_diag": diag(e), "eps_u_diag": diag(u), "eps_d_diag": diag(d),
                });
            }
        }
        if let Some(d) = gen.detector() {
            meta["detector"] = d.describe();
        }
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
        Ok(Report {
            summary,
            tabulated,
            metadata: final_meta,
        })
    }

    /// The output column plan of this run (all channels).
    #[must_use]
    pub fn column_plan(&self) -> crate::event::ColumnPlan {
        fn plan_of<P: Process>(p: &P) -> crate::event::ColumnPlan {
            crate::event::ColumnPlan::new(
                p.particles(),
                p.has_decay_vertex(),
                p.has_helicity(),
                p.channels().iter().map(|c| c.name.clone()).collect(),
            )
        }
        let det = match &self.process {
            AnyProcess::NuElectron(p) => self.detector_for(p.as_ref()),
            AnyProcess::DarkNeutrino(p) => self.detector_for(p.as_ref()),
            AnyProcess::Cevns(p) => self.detector_for(p.as_ref()),
        };
        let mut plan = match &self.process {
            AnyProcess::NuElectron(p) => plan_of(p.as_ref()),
            AnyProcess::DarkNeutrino(p) => plan_of(p.as_ref()),
            AnyProcess::Cevns(p) => plan_of(p.as_ref()),
        };
        if let Ok(Some(d)) = det {
            plan = plan.with_detector(d.columns());
        }
        match self.config.oscillation.as_ref().map(|o| (o, o.build())) {
            Some((o, Ok(osc))) => plan.with_oscillation_weight(
                &crate::oscillation::OscillationWeight::new(osc, o.source).describe_source(),
            ),
            _ => plan,
        }
    }

    /// Channel names and the exact total cross section per scattering centre (cm^2) of every channel
    /// at each energy of `grid` (GeV): rows of the `nuportal xsec` table.
    #[must_use]
    pub fn sigma_table(&self, grid: &[f64]) -> (Vec<String>, Vec<Vec<f64>>) {
        match &self.process {
            AnyProcess::NuElectron(p) => (
                p.channels().iter().map(|c| c.name.clone()).collect(),
                grid.iter()
                    .map(|&e| (0..p.channels().len()).map(|c| p.sigma_cm2(c, e)).collect())
                    .collect(),
            ),
            AnyProcess::Cevns(p) => (
                p.channels().iter().map(|c| c.name.clone()).collect(),
                grid.iter()
                    .map(|&e| (0..p.channels().len()).map(|c| p.sigma_cm2(c, e)).collect())
                    .collect(),
            ),
            AnyProcess::DarkNeutrino(p) => (
                p.channels().iter().map(|c| c.name.clone()).collect(),
                grid.iter()
                    .map(|&e| {
                        (0..p.channels().len())
                            .map(|c| p.sigma_exact_cm2(c, e))
                            .collect()
                    })
                    .collect(),
            ),
        }
    }

    /// CEvNS runs at a detector with a published `[recoil_acceptance]`: the predicted events per
    /// channel with that acceptance applied to the true recoil energy,
    /// POT x N_targets x integral phi(E) integral dsigma/dT A(T) dT dE (flux lines exact, the
    /// continuous part by the trapezoid rule on the flux nodes). `None` otherwise.
    #[must_use]
    pub fn accepted_prediction(&self) -> Option<Vec<(String, f64)>> {
        let AnyProcess::Cevns(p) = &self.process else {
            return None;
        };
        let acc = self.experiment.spec.recoil_acceptance.as_ref()?;
        let flux = &self.experiment.flux;
        let (lo, hi) = self.experiment.energy_range();
        let nodes: Vec<f64> = std::iter::once(lo)
            .chain(
                flux.energies()
                    .iter()
                    .copied()
                    .filter(|&e| e > lo && e < hi),
            )
            .chain(std::iter::once(hi))
            .collect();
        let out = p
            .channels()
            .iter()
            .enumerate()
            .map(|(c, ch)| {
                let s = |e: f64| {
                    p.sigma_accepted(c, e, |t| acc.at_recoil(t)) * crate::units::HBARC2_GEV2_CM2
                };
                let mut r: f64 = nodes
                    .windows(2)
                    .map(|w| {
                        0.5 * (w[1] - w[0])
                            * (flux.value(ch.flavour, w[0]) * s(w[0])
                                + flux.value(ch.flavour, w[1]) * s(w[1]))
                    })
                    .sum();
                if let Some(l) = flux.line(ch.flavour) {
                    if l.e_gev >= lo && l.e_gev <= hi {
                        r += l.fluence * s(l.e_gev);
                    }
                }
                (ch.name.clone(), r * self.experiment.pot() * ch.target_count)
            })
            .collect();
        Some(out)
    }

    /// Default output path: `[output] path`, else `output/<experiment>_<process>.<ext>` (see
    /// [`Prepared::output_path`] for `--chunk`).
    #[must_use]
    pub fn default_output(&self) -> String {
        self.output_path(None).display().to_string()
    }
}
