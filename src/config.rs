//! Run configuration (TOML): typed, validated, with `--set key=value` overrides.
//!
//! Sections: `[process]` (`kind`), `[model]` (`preset` and its parameters), `[experiment]`
//! (`name`: a shipped experiment or a path to a detector TOML), `[generation]` (`events`, `seed`,
//! `threads`, `chunk_size`, `channel_floor`, `unweighted`, `chunk`), `[output]` (`path`, `force`,
//! `format`), and optionally
//! `[oscillation]` ([`crate::oscillation::OscillationConfig`]; adds the `w_osc` column, see
//! `docs/oscillation.md`). Unknown keys are errors.
//! The README has the full reference; [`Config::resolved_toml`] is what is written into outputs.

use crate::model::ModelConfig;
use crate::oscillation::{OscillationConfig, OscillationError};
use serde::{Deserialize, Serialize};

/// Errors of configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// Path.
        path: String,
        /// I/O error.
        source: std::io::Error,
    },
    /// TOML syntax or schema error (the message has line and column and names the key).
    #[error("config {origin}: {message}")]
    Parse {
        /// Where the config came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A malformed `--set` argument.
    #[error("--set {arg:?}: {what}")]
    Set {
        /// The argument.
        arg: String,
        /// What is wrong.
        what: String,
    },
    /// An invalid model parameter.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    /// An invalid `[oscillation]` section (the message names the key and its valid range).
    /// (Not a `#[source]`: the message already contains it, and `{:#}` would print it twice.)
    #[error("[oscillation] {0}")]
    Oscillation(OscillationError),
    /// A value out of range.
    #[error("{key} = {value} is invalid: {valid}")]
    Value {
        /// Dotted key.
        key: String,
        /// Value.
        value: String,
        /// Valid range.
        valid: String,
    },
}

impl From<OscillationError> for ConfigError {
    fn from(e: OscillationError) -> Self {
        ConfigError::Oscillation(e)
    }
}

/// `[process]`: which process to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProcessConfig {
    /// nu + e -> nu + e (SM + Z').
    NuEElastic {},
    /// nu + A -> N + A (coherent and proton-elastic) with N -> nu e+ e-; needs
    /// `[model] preset = "dark_neutrino"`.
    Upscattering(UpscatteringConfig),
    /// Coherent elastic neutrino-nucleus scattering nu + A -> nu + A (SM + Z').
    Cevns(CevnsConfig),
}

/// Options of `[process] kind = "cevns"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CevnsConfig {
    /// Nuclear form factor by name: `helm` (Lewin-Smith parameters), `klein_nystrand`,
    /// `symmetrized_fermi`, or `fourier_bessel` (only where a fit exists). A name rather than an
    /// enum so that a wrong value is reported with its key (`process.form_factor`); see
    /// [`CevnsConfig::form_factor_model`].
    pub form_factor: String,
    /// Incoming flavours to generate; empty = every flavour of the flux.
    pub nu_flavors: Vec<crate::flux::Flavour>,
}

impl Default for CevnsConfig {
    fn default() -> Self {
        Self {
            form_factor: "helm".into(),
            nu_flavors: vec![],
        }
    }
}

impl CevnsConfig {
    /// The form-factor model named by `form_factor`.
    ///
    /// # Errors
    /// [`ConfigError::Value`] naming `process.form_factor` and the valid names.
    pub fn form_factor_model(&self) -> Result<crate::nuclear::FormFactorModel, ConfigError> {
        crate::nuclear::FormFactorModel::from_name(&self.form_factor).map_err(|_| {
            ConfigError::Value {
                key: "process.form_factor".into(),
                value: format!("{:?}", self.form_factor),
                valid: "one of helm, klein_nystrand, symmetrized_fermi, fourier_bessel".into(),
            }
        })
    }
}

/// Options of `[process] kind = "upscattering"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UpscatteringConfig {
    /// Coherent scattering on nuclei.
    pub coherent: bool,
    /// Elastic scattering on protons (free hydrogen and the Z protons of each nucleus).
    pub proton_elastic: bool,
    /// Incoming flavours to generate (`nu_mu`, `nu_mu_bar`, ...); empty = every flavour in the flux
    /// with a non-zero mixing (DarkNews' `nu_flavors`, whose default is `["nu_mu"]`).
    pub nu_flavors: Vec<crate::flux::Flavour>,
    /// Lowest energy generated, as a multiple of each channel's threshold: 1.0 is the physical
    /// threshold; DarkNews 0.4.8 uses 1.05 (its README, quirk 4).
    pub threshold_factor: f64,
    /// Diagrams: `total` (Z' + SM Z + interference, as DarkNews) or `zprime_only`.
    pub diagrams: DiagramsConfig,
}

/// Which diagrams enter up-scattering and the three-body decay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DiagramsConfig {
    /// Z' + SM Z + interference.
    #[default]
    Total,
    /// Z' exchange only.
    ZprimeOnly,
}

impl Default for UpscatteringConfig {
    fn default() -> Self {
        Self {
            coherent: true,
            proton_elastic: true,
            nu_flavors: vec![],
            threshold_factor: 1.0,
            diagrams: DiagramsConfig::Total,
        }
    }
}

impl ProcessConfig {
    /// Name of the process kind.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            ProcessConfig::NuEElastic {} => "nu_e_elastic",
            ProcessConfig::Upscattering(_) => "upscattering",
            ProcessConfig::Cevns(_) => "cevns",
        }
    }
}

/// `[experiment]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// Shipped experiment name or path to a detector TOML.
    pub name: String,
    /// Override of the detector file's `[exposure] pot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pot: Option<f64>,
    /// Override of the detector file's `[target] mass_split` (`nucleon_count` reproduces DarkNews).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mass_split: Option<crate::experiment::MassSplit>,
    /// Override of the detector file's `[target] mass_fractions` (per element symbol).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mass_fractions: Option<std::collections::BTreeMap<String, f64>>,
}

/// `[generation]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenerationConfig {
    /// Number of weighted events (>= 1).
    pub events: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads; 0 = all cores. Does not change the events.
    pub threads: usize,
    /// Events per chunk (one PCG stream each); changes the event stream.
    pub chunk_size: usize,
    /// Fraction of events shared equally between channels, in [0, 1] (0 in unweighted runs).
    pub channel_floor: f64,
    /// Unweighted events by accept-reject; `events` then counts attempts.
    pub unweighted: bool,
    /// Generate only piece I of N of the run (`"I/N"`, 0-based; `--chunk`), see
    /// [`crate::generate::Piece`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk: Option<crate::generate::Piece>,
}

impl Default for GenerationConfig {
    fn default() -> Self {
        let d = crate::generate::GenerateOptions::default();
        Self {
            events: d.events,
            seed: d.seed,
            threads: d.threads,
            chunk_size: d.chunk_size,
            channel_floor: d.channel_floor,
            unweighted: d.unweighted,
            chunk: None,
        }
    }
}

/// `[output]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Output path; default `output/<experiment>_<process>.parquet`.
    pub path: Option<String>,
    /// Overwrite an existing file.
    pub force: bool,
    /// File format: `parquet` or `hepmc3` (`--format`).
    pub format: crate::output::Format,
}

/// A whole run configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Process.
    pub process: ProcessConfig,
    /// Model.
    #[serde(default)]
    pub model: ModelConfig,
    /// Experiment.
    pub experiment: ExperimentConfig,
    /// Generation.
    #[serde(default)]
    pub generation: GenerationConfig,
    /// Output.
    #[serde(default)]
    pub output: OutputConfig,
    /// Oscillation (optional): adds the `w_osc` column to generated events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oscillation: Option<OscillationConfig>,
    /// Detector stage switches (`enabled`, `resolution`); the response itself is in the
    /// experiment's detector file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<crate::detector::DetectorConfig>,
}

/// Parse only the `[oscillation]` section of a config text (with `--set` overrides applied first),
/// and validate it; the other sections are neither required nor checked. This is what
/// `nuportal oscillate` reads.
///
/// # Errors
/// [`ConfigError::Parse`] for TOML syntax, a missing `[oscillation]` table or an unknown key in it;
/// [`ConfigError::Set`]; [`ConfigError::Oscillation`] for a value out of range.
pub fn parse_oscillation(
    text: &str,
    origin: &str,
    sets: &[String],
) -> Result<OscillationConfig, ConfigError> {
    let parse_error = |message: String| ConfigError::Parse {
        origin: origin.into(),
        message,
    };
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| parse_error(toml_message(&e)))?;
    for s in sets {
        apply_set(&mut table, s)?;
    }
    let section = table
        .remove("oscillation")
        .ok_or_else(|| parse_error("no [oscillation] section".into()))?;
    let mut osc: OscillationConfig = section
        .try_into()
        .map_err(|e: toml::de::Error| parse_error(format!("[oscillation] {}", toml_message(&e))))?;
    if osc.nsi_from_model {
        let model: crate::model::ModelConfig = table
            .remove("model")
            .ok_or_else(|| {
                parse_error(
                    "[oscillation] nsi_from_model = true needs the [model] section (a preset with a Z')"
                        .into(),
                )
            })?
            .try_into()
            .map_err(|e: toml::de::Error| parse_error(format!("[model] {}", toml_message(&e))))?;
        osc.set_model_nsi(crate::model::presets::nsi_couplings(&model.couplings()?)?);
    }
    osc.build()?;
    Ok(osc)
}

/// The message of a TOML error, with the nearest valid name suggested for an unknown key or
/// variant ("unknown field `evnts`, expected one of `events`, ... (did you mean `events`?)").
#[must_use]
pub fn toml_message(e: &toml::de::Error) -> String {
    with_suggestion(e.to_string().trim_end())
}

/// Append "(did you mean `x`?)" to a serde message of the form "unknown field `a`, expected one
/// of `b`, `c`" (or "unknown variant ..."), when one of the expected names is close to the unknown
/// one (Damerau-Levenshtein distance at most 1 + len/4, or a case-insensitive match).
#[must_use]
pub fn with_suggestion(message: &str) -> String {
    let Some(at) = message
        .find("unknown field `")
        .or_else(|| message.find("unknown variant `"))
    else {
        return message.to_owned();
    };
    let rest = &message[at..];
    let Some((head, expected)) = rest.split_once("expected") else {
        return message.to_owned();
    };
    let Some(unknown) = head.split('`').nth(1) else {
        return message.to_owned();
    };
    // The expected names are the backticked words after "expected", up to the end of the line.
    let expected = expected.lines().next().unwrap_or("");
    let names = expected.split('`').skip(1).step_by(2);
    let best = names
        .map(|n| {
            let d = if n.eq_ignore_ascii_case(unknown) {
                0
            } else {
                strsim::damerau_levenshtein(&unknown.to_ascii_lowercase(), &n.to_ascii_lowercase())
            };
            (d, n)
        })
        .min_by_key(|&(d, _)| d);
    match best {
        Some((d, name)) if d <= 1 + unknown.len() / 4 => {
            // Insert the hint at the end of the line that names the unknown key.
            let line_end = message[at..].find('\n').map_or(message.len(), |i| at + i);
            format!(
                "{} (did you mean `{name}`?){}",
                &message[..line_end],
                &message[line_end..]
            )
        }
        _ => message.to_owned(),
    }
}

/// Parse a `--set key=value` value: TOML syntax if it parses (numbers, booleans, arrays, quoted
/// strings), otherwise a bare string.
fn parse_value(v: &str) -> toml::Value {
    let doc = format!("v = {v}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(v.to_string())),
        Err(_) => toml::Value::String(v.to_string()),
    }
}

/// Apply one `key.sub=value` override to a TOML table.
///
/// # Errors
/// [`ConfigError::Set`] for a missing `=`, an empty key, or a key path through a non-table.
pub fn apply_set(table: &mut toml::Table, arg: &str) -> Result<(), ConfigError> {
    let (k, v) = arg.split_once('=').ok_or_else(|| ConfigError::Set {
        arg: arg.into(),
        what: "expected key=value, e.g. model.mzprime=0.03".into(),
    })?;
    let parts: Vec<&str> = k.trim().split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(ConfigError::Set {
            arg: arg.into(),
            what: "empty key component".into(),
        });
    }
    let mut t = table;
    for p in &parts[..parts.len() - 1] {
        let entry = t
            .entry((*p).to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        t = entry.as_table_mut().ok_or_else(|| ConfigError::Set {
            arg: arg.into(),
            what: format!("`{p}` is not a table"),
        })?;
    }
    t.insert(parts[parts.len() - 1].to_string(), parse_value(v.trim()));
    Ok(())
}

impl Config {
    /// Parse config text (with overrides applied first) and validate it.
    ///
    /// # Errors
    /// [`ConfigError`] naming the key, the line, or the value and its valid range.
    pub fn parse(text: &str, origin: &str, sets: &[String]) -> Result<Self, ConfigError> {
        let parse_error = |e: toml::de::Error| ConfigError::Parse {
            origin: origin.into(),
            message: toml_message(&e),
        };
        let cfg: Config = if sets.is_empty() {
            // Straight from the text, so schema errors (unknown keys, wrong types) carry the line.
            toml::from_str(text).map_err(parse_error)?
        } else {
            let mut table: toml::Table = text.parse().map_err(parse_error)?;
            for s in sets {
                apply_set(&mut table, s)?;
            }
            table.try_into().map_err(parse_error)?
        };
        let mut cfg = cfg;
        if let Some(osc) = cfg.oscillation.as_mut().filter(|o| o.nsi_from_model) {
            // one set of couplings: the oscillation NSI of the run's own Z'
            osc.set_model_nsi(crate::model::presets::nsi_couplings(
                &cfg.model.couplings()?,
            )?);
        }
        cfg.validate()?;
        Ok(cfg)
    }

    /// The embedded default configuration.
    ///
    /// # Errors
    /// As [`Config::parse`] (only through `sets`).
    pub fn default_with(sets: &[String]) -> Result<Self, ConfigError> {
        Self::parse(crate::data::DEFAULT_CONFIG, "default (embedded)", sets)
    }

    /// Range checks beyond the types.
    ///
    /// # Errors
    /// [`ConfigError::Value`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        let g = &self.generation;
        let bad = |key: &str, value: String, valid: &str| {
            Err(ConfigError::Value {
                key: key.into(),
                value,
                valid: valid.into(),
            })
        };
        if g.events == 0 {
            return bad("generation.events", "0".into(), "must be >= 1");
        }
        if g.chunk_size == 0 || g.chunk_size > 1 << 24 {
            return bad(
                "generation.chunk_size",
                g.chunk_size.to_string(),
                "must be in [1, 16777216]",
            );
        }
        if !(0.0..=1.0).contains(&g.channel_floor) {
            return bad(
                "generation.channel_floor",
                g.channel_floor.to_string(),
                "must be in [0, 1]",
            );
        }
        if let Some(piece) = g.chunk {
            let n = self.generate_options().n_chunks();
            if piece.count > n {
                return bad(
                    "generation.chunk (--chunk)",
                    piece.to_string(),
                    &format!(
                        "N = {} is more than the run's {n} chunks ({} events in chunks of generation.chunk_size = {}): use N <= {n}, or a smaller chunk_size",
                        piece.count, g.events, g.chunk_size
                    ),
                );
            }
        }
        if g.threads > 1024 {
            return bad(
                "generation.threads",
                g.threads.to_string(),
                "must be in [0, 1024] (0 = all cores)",
            );
        }
        if let Some(pot) = self.experiment.pot {
            if !(pot.is_finite() && pot > 0.0) {
                return bad(
                    "experiment.pot",
                    pot.to_string(),
                    "must be finite and > 0 (protons on target)",
                );
            }
        }
        if let Some(fractions) = &self.experiment.mass_fractions {
            for (element, f) in fractions {
                if !(f.is_finite() && (0.0..=1.0).contains(f)) {
                    return bad(
                        &format!("experiment.mass_fractions.{element}"),
                        f.to_string(),
                        "must be in [0, 1]",
                    );
                }
            }
            let sum: f64 = fractions.values().sum();
            if (sum - 1.0).abs() > 1e-6 {
                return bad(
                    "experiment.mass_fractions",
                    format!("{fractions:?} (sum {sum})"),
                    "the fractions must sum to 1 (within 1e-6)",
                );
            }
        }
        self.model.couplings()?;
        if let ProcessConfig::Upscattering(u) = &self.process {
            if !matches!(self.model, ModelConfig::DarkNeutrino(_)) {
                return bad(
                    "model.preset",
                    format!("{:?}", self.model.preset()),
                    "kind = \"upscattering\" needs preset = \"dark_neutrino\"",
                );
            }
            if !(1.0..=10.0).contains(&u.threshold_factor) {
                return bad(
                    "process.threshold_factor",
                    u.threshold_factor.to_string(),
                    "must be in [1, 10]",
                );
            }
            if !u.coherent && !u.proton_elastic {
                return bad(
                    "process.coherent / process.proton_elastic",
                    "false / false".into(),
                    "at least one must be true",
                );
            }
        }
        if let ProcessConfig::Cevns(c) = &self.process {
            c.form_factor_model()?;
        }
        if let Some(osc) = &self.oscillation {
            osc.build()?;
        }
        Ok(())
    }

    /// The resolved configuration as TOML (written into every output).
    #[must_use]
    pub fn resolved_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Generation options.
    #[must_use]
    pub fn generate_options(&self) -> crate::generate::GenerateOptions {
        let g = &self.generation;
        crate::generate::GenerateOptions {
            events: g.events,
            seed: g.seed,
            threads: g.threads,
            chunk_size: g.chunk_size,
            channel_floor: g.channel_floor,
            unweighted: g.unweighted,
            piece: g.chunk.unwrap_or(crate::generate::Piece::WHOLE),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str =
        "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"minerva_le_fhc\"\n";

    #[test]
    fn parse_set_and_round_trip() {
        let c = Config::parse(
            MIN,
            "t",
            &[
                "generation.events=5000".into(),
                "model.preset=\"free\"".into(),
                "model.mzprime=0.01".into(),
            ],
        )
        .unwrap();
        assert_eq!(c.generation.events, 5000);
        assert_eq!(c.model.preset(), "free");
        let again = Config::parse(&c.resolved_toml(), "resolved", &[]).unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn nearest_key_is_suggested() {
        let m = with_suggestion(
            "unknown field `evnts`, expected one of `events`, `seed`\nin `generation`",
        );
        assert_eq!(
            m,
            "unknown field `evnts`, expected one of `events`, `seed` (did you mean `events`?)\nin `generation`"
        );
        let m = with_suggestion(
            "unknown variant `upscatering`, expected `nu_e_elastic` or `upscattering`",
        );
        assert!(m.ends_with("(did you mean `upscattering`?)"), "{m}");
        let m = with_suggestion("unknown field `hnltype`, expected `m4` or `HNLtype`");
        assert!(m.ends_with("(did you mean `HNLtype`?)"), "{m}");
        // Nothing close: no guess.
        let m = with_suggestion("unknown field `colour`, expected `events` or `seed`");
        assert!(!m.contains("did you mean"), "{m}");
        // With the line of the file, from a real parse.
        let e = Config::parse(
            "[process]\nkind = \"nu_e_elastic\"\n[generation]\nevnts = 3\n",
            "t.toml",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("line 4") && e.contains("did you mean `events`"),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_and_ranges_are_errors() {
        let e = Config::parse(&format!("{MIN}[generation]\nevent = 3\n"), "t", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("event"), "{e}");
        let e = Config::parse(MIN, "t", &["generation.events=0".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("generation.events") && e.contains(">= 1"), "{e}");
        let e = Config::parse(MIN, "t", &["nonsense".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("key=value"), "{e}");
    }

    #[test]
    fn default_config_parses() {
        Config::default_with(&[]).unwrap();
    }
}
