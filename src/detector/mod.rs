//! Detector response: smearing of the visible leptons, the single-shower (e+e- merging) rule,
//! reconstructed variables, selection cuts and efficiencies, loaded from the `[detector]` section
//! of `detectors/*.toml` (every number there has its source in a comment).
//!
//! Pipeline for one event (all in [`Detector::apply`], called by the generator after the truth is
//! complete, with its own random stream so that the truth is identical with the detector on or off):
//!
//! 1. **Smearing** of each visible e-/e+ (the pair of a dark-neutrino decay, or the recoil electron
//!    of nu-e scattering), independently: energy by a Gaussian of width [`EnergyResolution`], and
//!    direction by a polar deflection delta = |N(0, sigma_theta)| about the true direction with a
//!    uniform azimuth ([`AngularResolution`]), so that <delta^2> = sigma_theta^2.
//! 2. **Showers** ([`PairRule`]): a pair is one electron-like shower when its opening angle is below
//!    `max_opening_deg` ("overlapping"; optionally both leptons above `threshold_gev`) or, where
//!    `asymmetric = true`, when one lepton is below `threshold_gev` and the other above.
//!    The shower energy is E_vis = E(e+) + E(e-) (total energies after smearing, arXiv:1812.08768);
//!    its direction is the summed momentum for an overlapping pair and the harder lepton's
//!    direction for an asymmetric one.
//! 3. **Reconstructed variables** and **selection** per experiment ([`Selection`]): MiniBooNE
//!    (E_QE, cos theta, E_vis window, efficiency table in E_vis), MINERvA (E > 0.8 GeV,
//!    E theta^2, Q^2_rec, dE/dx drawn from the public distributions), CHARM-II (3-24 GeV,
//!    E theta^2). The event vertex (decay vertex when there is one) must be in the fiducial volume.
//!
//! The outputs are the columns `E_reco`, `costheta_reco`, `pass_selection` (0/1), `efficiency`,
//! `n_showers` and the experiment's own variables (`E_QE`; `dEdx`, `Etheta2`, `Q2_reco`,
//! `pass_kinematic`), see [`Detector::columns`]. The expected number of selected events is
//! sum(weight x efficiency x pass_selection) ([`crate::spectrum`]).

use crate::event::{ColumnKind, ColumnSpec, Event, Source};
use crate::experiment::Volume;
use crate::kinematics::{FourVector, Vec3};
use crate::units::{M_E, M_N, M_P};
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Errors of the detector section.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DetectorError {
    /// A value out of its valid range (the key is dotted from `detector`).
    #[error("{key} = {value} is invalid: {valid}")]
    Value {
        /// Dotted key.
        key: String,
        /// Value given.
        value: String,
        /// Valid range or choices.
        valid: String,
    },
}

fn bad(key: &str, value: impl std::fmt::Display, valid: &str) -> DetectorError {
    DetectorError::Value {
        key: key.to_string(),
        value: value.to_string(),
        valid: valid.to_string(),
    }
}

fn positive(key: &str, v: f64) -> Result<(), DetectorError> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(bad(key, v, "must be finite and > 0"))
    }
}

fn non_negative(key: &str, v: f64) -> Result<(), DetectorError> {
    if v >= 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(bad(key, v, "must be finite and >= 0"))
    }
}

/// Table column `key` must be strictly increasing (bin edges, grid points); the error names the
/// first entry that is not.
fn strictly_increasing(key: &str, xs: &[f64]) -> Result<(), DetectorError> {
    match xs.windows(2).position(|w| !(w[1] > w[0])) {
        None => Ok(()),
        Some(i) => Err(bad(
            &format!("{key}[{}]", i + 1),
            xs[i + 1],
            &format!("must be strictly increasing (previous entry {})", xs[i]),
        )),
    }
}

/// Apply a scalar check (`positive`, `non_negative`) to every entry of table column `key`.
fn each(
    key: &str,
    xs: &[f64],
    check: fn(&str, f64) -> Result<(), DetectorError>,
) -> Result<(), DetectorError> {
    xs.iter()
        .enumerate()
        .try_for_each(|(i, &x)| check(&format!("{key}[{i}]"), x))
}

/// Energy resolution of one e+- (E in GeV).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case", deny_unknown_fields)]
pub enum EnergyResolution {
    /// sigma_E / E = stochastic / sqrt(E/GeV) + constant (linear sum, as printed in
    /// arXiv:1812.08768); the smeared total energy is kept >= m_e.
    Fractional {
        /// Stochastic term (dimensionless, at 1 GeV).
        stochastic: f64,
        /// Constant term.
        constant: f64,
    },
    /// sigma_T = stochastic sqrt(E/GeV) + noise (GeV) on the kinetic energy T = E - m_e, negative
    /// smeared T set to 0 (fast MC of arXiv:2308.02543).
    AbsoluteKinetic {
        /// Stochastic coefficient, GeV^(1/2).
        stochastic: f64,
        /// Noise term, GeV.
        noise_gev: f64,
    },
}

impl EnergyResolution {
    /// The Gaussian width sigma (GeV) at true total energy `e` (GeV): of E for
    /// [`EnergyResolution::Fractional`], of T for [`EnergyResolution::AbsoluteKinetic`].
    #[must_use]
    pub fn sigma_gev(&self, e: f64) -> f64 {
        match *self {
            EnergyResolution::Fractional {
                stochastic,
                constant,
            } => e * (stochastic / e.max(1e-12).sqrt() + constant),
            EnergyResolution::AbsoluteKinetic {
                stochastic,
                noise_gev,
            } => stochastic * e.max(0.0).sqrt() + noise_gev,
        }
    }
    /// Smeared total energy given a standard-normal draw `z`.
    #[must_use]
    pub fn smear(&self, e: f64, z: f64) -> f64 {
        let s = self.sigma_gev(e);
        match self {
            EnergyResolution::Fractional { .. } => (e + s * z).max(M_E),
            EnergyResolution::AbsoluteKinetic { .. } => (e - M_E + s * z).max(0.0) + M_E,
        }
    }
    fn validate(&self, key: &str) -> Result<(), DetectorError> {
        match *self {
            EnergyResolution::Fractional {
                stochastic,
                constant,
            } => {
                non_negative(&format!("{key}.stochastic"), stochastic)?;
                non_negative(&format!("{key}.constant"), constant)
            }
            EnergyResolution::AbsoluteKinetic {
                stochastic,
                noise_gev,
            } => {
                non_negative(&format!("{key}.stochastic"), stochastic)?;
                non_negative(&format!("{key}.noise_gev"), noise_gev)
            }
        }
    }
}

/// Angular resolution of one e+- (E in GeV): the width sigma_theta of the polar deflection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case", deny_unknown_fields)]
pub enum AngularResolution {
    /// sigma_theta = `sigma_deg` degrees.
    Constant {
        /// Width, degrees.
        sigma_deg: f64,
    },
    /// sigma_theta in degrees = slope_deg ln(1 GeV / E) + offset_deg, floored at `min_deg`
    /// (arXiv:2308.02543 fast MC: slope 1, offset 2.7, "fit to Patterson's thesis").
    LogEnergy {
        /// Coefficient of ln(1/E), degrees.
        slope_deg: f64,
        /// Value at 1 GeV, degrees.
        offset_deg: f64,
        /// Lower bound, degrees.
        min_deg: f64,
    },
    /// sigma_theta in mrad = (a_mrad (E/GeV)^power + b_mrad) / sqrt(E/GeV) + c_mrad (CHARM-II form
    /// of arXiv:1812.08768; see the detector file for the two readings of `power`).
    PowerLaw {
        /// Coefficient a, mrad.
        a_mrad: f64,
        /// Exponent of E in the first term.
        power: f64,
        /// Coefficient b, mrad.
        b_mrad: f64,
        /// Constant c, mrad.
        c_mrad: f64,
    },
}

impl AngularResolution {
    /// sigma_theta in radians at total energy `e` (GeV).
    #[must_use]
    pub fn sigma_rad(&self, e: f64) -> f64 {
        let e = e.max(1e-6);
        match *self {
            AngularResolution::Constant { sigma_deg } => sigma_deg.to_radians(),
            AngularResolution::LogEnergy {
                slope_deg,
                offset_deg,
                min_deg,
            } => (slope_deg * (1.0 / e).ln() + offset_deg)
                .max(min_deg)
                .to_radians(),
            AngularResolution::PowerLaw {
                a_mrad,
                power,
                b_mrad,
                c_mrad,
            } => 1e-3 * ((a_mrad * e.powf(power) + b_mrad) / e.sqrt() + c_mrad),
        }
    }
    fn validate(&self, key: &str) -> Result<(), DetectorError> {
        match *self {
            AngularResolution::Constant { sigma_deg } => {
                non_negative(&format!("{key}.sigma_deg"), sigma_deg)
            }
            AngularResolution::LogEnergy {
                slope_deg,
                offset_deg,
                min_deg,
            } => {
                if !(slope_deg.is_finite() && offset_deg.is_finite()) {
                    return Err(bad(
                        &format!("{key}.slope_deg / offset_deg"),
                        format!("{slope_deg} / {offset_deg}"),
                        "must be finite",
                    ));
                }
                non_negative(&format!("{key}.min_deg"), min_deg)
            }
            AngularResolution::PowerLaw {
                a_mrad,
                power,
                b_mrad,
                c_mrad,
            } => {
                non_negative(&format!("{key}.a_mrad"), a_mrad)?;
                non_negative(&format!("{key}.b_mrad"), b_mrad)?;
                non_negative(&format!("{key}.c_mrad"), c_mrad)?;
                if power.is_finite() && power.abs() <= 4.0 {
                    Ok(())
                } else {
                    Err(bad(&format!("{key}.power"), power, "must be in [-4, 4]"))
                }
            }
        }
    }
}

/// One named resolution model (energy and angle), e.g. `aht` or `fastbnb`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// Where it comes from (arXiv number and table).
    pub reference: String,
    /// Energy resolution.
    pub energy: EnergyResolution,
    /// Angular resolution.
    pub angle: AngularResolution,
}

/// When an e+e- pair is seen as one electron-like shower.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairRule {
    /// Overlapping: opening angle below this, degrees.
    pub max_opening_deg: f64,
    /// Visibility threshold on each lepton's total energy, GeV.
    pub threshold_gev: f64,
    /// Whether "overlapping" also needs both leptons above the threshold (arXiv:1812.08768) or
    /// not (arXiv:2308.02543 `byhand`).
    pub overlap_needs_threshold: bool,
    /// Whether an asymmetric pair (one lepton below the threshold, the other above) is one shower.
    pub asymmetric: bool,
}

impl PairRule {
    fn validate(&self, key: &str) -> Result<(), DetectorError> {
        if !(self.max_opening_deg >= 0.0 && self.max_opening_deg <= 180.0) {
            return Err(bad(
                &format!("{key}.max_opening_deg"),
                self.max_opening_deg,
                "must be in [0, 180]",
            ));
        }
        non_negative(&format!("{key}.threshold_gev"), self.threshold_gev)
    }

    /// Classify a smeared pair: the shower (total energy GeV, unit direction) if it is one
    /// electron-like shower, and the number of visible showers (0, 1 or 2).
    #[must_use]
    pub fn classify(&self, a: FourVector, b: FourVector) -> (Option<(f64, Vec3)>, i8) {
        let (da, db) = (a.p3().unit(), b.p3().unit());
        let cos_open = da.dot(db).clamp(-1.0, 1.0);
        let above_a = a.e > self.threshold_gev;
        let above_b = b.e > self.threshold_gev;
        let visible = i8::from(above_a) + i8::from(above_b);
        let close = cos_open > self.max_opening_deg.to_radians().cos();
        let overlapping = close && (!self.overlap_needs_threshold || (above_a && above_b));
        if overlapping {
            return (Some((a.e + b.e, (a.p3() + b.p3()).unit())), 1);
        }
        if self.asymmetric && above_a != above_b {
            let hard = if above_a { da } else { db };
            return (Some((a.e + b.e, hard)), 1);
        }
        (None, visible)
    }
}

/// A step function of energy: `efficiency[i]` for E in `[e_low_gev[i], e_high_gev[i])`; below the
/// first bin the first value, above the last bin the last value (nearest bin, as the fast MC of
/// arXiv:2308.02543 reads the MiniBooNE table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EfficiencyTable {
    /// Lower bin edges, GeV.
    pub e_low_gev: Vec<f64>,
    /// Upper bin edges, GeV.
    pub e_high_gev: Vec<f64>,
    /// Efficiency per bin, in [0, 1].
    pub efficiency: Vec<f64>,
}

impl EfficiencyTable {
    /// The efficiency at energy `e` (GeV).
    #[must_use]
    pub fn at(&self, e: f64) -> f64 {
        let n = self.efficiency.len();
        let i = self
            .e_high_gev
            .iter()
            .position(|&hi| e < hi)
            .unwrap_or(n - 1);
        self.efficiency[i]
    }
    fn validate(&self, key: &str) -> Result<(), DetectorError> {
        let n = self.efficiency.len();
        if n == 0 || self.e_low_gev.len() != n || self.e_high_gev.len() != n {
            return Err(bad(
                key,
                format!(
                    "{} / {} / {} entries",
                    self.e_low_gev.len(),
                    self.e_high_gev.len(),
                    n
                ),
                "e_low_gev, e_high_gev and efficiency need the same number (>= 1) of entries",
            ));
        }
        for i in 0..n {
            if !(self.e_high_gev[i] > self.e_low_gev[i])
                || (i > 0 && self.e_low_gev[i] < self.e_high_gev[i - 1])
            {
                return Err(bad(
                    &format!("{key}.e_low_gev/e_high_gev"),
                    i,
                    "bins must be increasing and not overlap",
                ));
            }
            if !(0.0..=1.0).contains(&self.efficiency[i]) {
                return Err(bad(
                    &format!("{key}.efficiency[{i}]"),
                    self.efficiency[i],
                    "must be in [0, 1]",
                ));
            }
        }
        Ok(())
    }
}

/// A histogram shape to draw a variable from: `density[i]` (any normalisation, per unit x) on
/// `[edges[i], edges[i+1])`; sampled uniformly inside the chosen bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    /// Bin edges (n + 1, increasing).
    pub edges: Vec<f64>,
    /// Density per unit x in each bin (n, >= 0, not all zero).
    pub density: Vec<f64>,
    #[serde(skip)]
    cdf: Vec<f64>,
}

impl Shape {
    /// A shape from edges and densities.
    ///
    /// # Errors
    /// [`DetectorError::Value`] for inconsistent lengths, unsorted edges or negative densities.
    pub fn new(edges: Vec<f64>, density: Vec<f64>) -> Result<Self, DetectorError> {
        let mut s = Self {
            edges,
            density,
            cdf: vec![],
        };
        s.prepare("shape")?;
        Ok(s)
    }
    fn prepare(&mut self, key: &str) -> Result<(), DetectorError> {
        let n = self.density.len();
        if n == 0 || self.edges.len() != n + 1 {
            return Err(bad(
                key,
                format!("{} edges, {} densities", self.edges.len(), n),
                "need n + 1 edges for n >= 1 densities",
            ));
        }
        strictly_increasing(&format!("{key}.edges"), &self.edges)?;
        each(&format!("{key}.density"), &self.density, non_negative)?;
        let mut acc = 0.0;
        self.cdf = self
            .density
            .iter()
            .zip(self.edges.windows(2))
            .map(|(d, w)| {
                acc += d * (w[1] - w[0]);
                acc
            })
            .collect();
        if !(acc > 0.0) {
            return Err(bad(
                &format!("{key}.density"),
                "all zero",
                "must have a positive integral",
            ));
        }
        for c in &mut self.cdf {
            *c /= acc;
        }
        Ok(())
    }
    /// Fraction of the shape below `x`.
    #[must_use]
    pub fn fraction_below(&self, x: f64) -> f64 {
        let mut f = 0.0;
        let total: f64 = self
            .density
            .iter()
            .zip(self.edges.windows(2))
            .map(|(d, w)| d * (w[1] - w[0]))
            .sum();
        for (d, w) in self.density.iter().zip(self.edges.windows(2)) {
            let hi = w[1].min(x);
            if hi > w[0] {
                f += d * (hi - w[0]);
            }
        }
        f / total
    }
    /// Draw a value from uniforms `u1` (bin) and `u2` (position in the bin).
    #[must_use]
    pub fn sample(&self, u1: f64, u2: f64) -> f64 {
        let i = self
            .cdf
            .partition_point(|&c| c <= u1)
            .min(self.cdf.len() - 1);
        self.edges[i] + u2 * (self.edges[i + 1] - self.edges[i])
    }
}

/// Which single-shower criterion MiniBooNE uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ShowerRule {
    /// Opening angle / energy threshold ([`PairRule`], arXiv:1812.08768).
    #[default]
    Aht,
    /// Kelly-Kopp `circ1` r-cut ([`KellyKopp`]; default of the arXiv:2308.02543 fast MC).
    KellyKoppCirc1,
}

/// Kelly-Kopp (arXiv:2210.08021) `circ1` criterion: with c = cos(opening angle) and
/// f = E_max / (E_1 + E_2), r = sqrt((1 - c)^2 / 4 + (1 - f)^2); the pair is one shower when
/// r < r_cut(E_vis), r_cut linear between the tabulated E_vis points and constant outside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KellyKopp {
    /// E_vis points (bin centres), GeV, increasing.
    pub e_vis_gev: Vec<f64>,
    /// r_cut at those points.
    pub r_cut: Vec<f64>,
}

impl KellyKopp {
    /// r_cut at visible energy `e` (GeV).
    #[must_use]
    pub fn r_cut_at(&self, e: f64) -> f64 {
        let x = &self.e_vis_gev;
        let n = x.len();
        if e <= x[0] {
            return self.r_cut[0];
        }
        if e >= x[n - 1] {
            return self.r_cut[n - 1];
        }
        let i = x.partition_point(|&v| v <= e) - 1;
        let t = (e - x[i]) / (x[i + 1] - x[i]);
        self.r_cut[i] + t * (self.r_cut[i + 1] - self.r_cut[i])
    }
    /// r of a pair (see the type documentation).
    #[must_use]
    pub fn r(a: FourVector, b: FourVector) -> f64 {
        let c = a.p3().unit().dot(b.p3().unit()).clamp(-1.0, 1.0);
        let f = a.e.max(b.e) / (a.e + b.e);
        ((1.0 - c).powi(2) / 4.0 + (1.0 - f).powi(2)).sqrt()
    }
    /// Classify a smeared pair as [`PairRule::classify`] does.
    #[must_use]
    pub fn classify(&self, a: FourVector, b: FourVector) -> (Option<(f64, Vec3)>, i8) {
        let e = a.e + b.e;
        if Self::r(a, b) < self.r_cut_at(e) {
            (Some((e, (a.p3() + b.p3()).unit())), 1)
        } else {
            (None, 2)
        }
    }
    fn validate(&self, key: &str) -> Result<(), DetectorError> {
        let n = self.e_vis_gev.len();
        if n < 2 || self.r_cut.len() != n {
            return Err(bad(
                key,
                format!("{n} / {} entries", self.r_cut.len()),
                "e_vis_gev and r_cut need the same number (>= 2) of entries",
            ));
        }
        strictly_increasing(&format!("{key}.e_vis_gev"), &self.e_vis_gev)?;
        each(&format!("{key}.r_cut"), &self.r_cut, positive)?;
        Ok(())
    }
}

/// MiniBooNE nu_e-like selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinibooneSelection {
    /// Which single-shower criterion is used.
    #[serde(default)]
    pub shower_rule: ShowerRule,
    /// Single-shower rule `aht`.
    pub pair: PairRule,
    /// Single-shower rule `kelly_kopp_circ1` (optional table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kelly_kopp: Option<KellyKopp>,
    /// E_vis window, GeV.
    pub e_vis_min_gev: f64,
    /// E_vis window, GeV.
    pub e_vis_max_gev: f64,
    /// Binding energy E_B in the E_QE formula, GeV.
    pub eqe_binding_energy_gev: f64,
    /// Efficiency as a function of E_vis.
    pub efficiency: EfficiencyTable,
    /// Factor multiplying the table (e.g. 1/0.55 when the table includes the fiducial acceptance).
    pub efficiency_scale: f64,
}

/// MINERvA nu-e elastic selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinervaSelection {
    /// Merging of a pair into one shower.
    pub pair: PairRule,
    /// Lowest shower energy, GeV.
    pub e_min_gev: f64,
    /// Largest E theta^2, GeV rad^2.
    pub etheta2_max_gev: f64,
    /// Largest reconstructed Q^2 (CCQE hypothesis), GeV^2.
    pub q2_max_gev2: f64,
    /// nu-e sample: dE/dx below this, MeV / 1.7 cm.
    pub dedx_max: f64,
    /// Signal efficiency.
    pub efficiency: f64,
    /// dE/dx shape of one electron.
    pub dedx_electron: Shape,
    /// dE/dx shape of an e+e- pair (or photon) shower.
    pub dedx_pair: Shape,
}

/// CHARM-II nu-e selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CharmiiSelection {
    /// Merging of a pair into one shower.
    pub pair: PairRule,
    /// Shower energy window, GeV.
    pub e_min_gev: f64,
    /// Shower energy window, GeV.
    pub e_max_gev: f64,
    /// Largest E theta^2, GeV rad^2.
    pub etheta2_max_gev: f64,
    /// Detection efficiency.
    pub efficiency: f64,
}

/// The experiment's selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Selection {
    /// MiniBooNE nu_e-like (single shower).
    Miniboone(MinibooneSelection),
    /// MINERvA nu-e elastic.
    Minerva(MinervaSelection),
    /// CHARM-II nu-e.
    Charmii(CharmiiSelection),
}

/// The `[detector]` section of a detector file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorSection {
    /// Whether the detector stage runs by default for this experiment.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Name of the default resolution (a key of `resolutions`).
    pub resolution: String,
    /// Named resolution models.
    pub resolutions: BTreeMap<String, Resolution>,
    /// Selection.
    pub selection: Selection,
}

fn yes() -> bool {
    true
}

/// The `[detector]` section of a run configuration: switches and choices over the detector file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorConfig {
    /// Run the detector stage (default: the detector file's `enabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Resolution model by name (default: the detector file's `resolution`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// MiniBooNE single-shower criterion (default: the detector file's `shower_rule`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shower_rule: Option<ShowerRule>,
}

/// Which leptons of the event are seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visible {
    /// The e-/e+ pair of a decay (`e_minus`, `e_plus`).
    Pair,
    /// One recoil electron (`e_out`).
    Electron,
}

/// Reconstructed quantities of one event (filled by [`Detector::apply`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reco {
    /// Reconstructed shower energy E_vis, GeV (0 if no single shower).
    pub e_reco: f64,
    /// cos theta of the shower w.r.t. the beam (+z) (0 if no single shower).
    pub costheta_reco: f64,
    /// 1 if the event passes the selection, else 0.
    pub pass_selection: i8,
    /// 1 if it passes every cut but the final particle-identification cut (MINERvA dE/dx).
    pub pass_kinematic: i8,
    /// Efficiency at the reconstructed energy.
    pub efficiency: f64,
    /// Number of visible showers (0, 1, 2).
    pub n_showers: i8,
    /// Reconstructed neutrino energy (CCQE hypothesis), GeV.
    pub e_qe: f64,
    /// Mean dE/dx of the first planes, MeV / 1.7 cm.
    pub dedx: f64,
    /// E_reco theta^2, GeV rad^2.
    pub etheta2: f64,
    /// Reconstructed Q^2 (CCQE hypothesis), GeV^2.
    pub q2_reco: f64,
}

/// A reconstructed variable (the [`Source`] of a detector column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoField {
    /// `E_reco`.
    EReco,
    /// `costheta_reco`.
    CosThetaReco,
    /// `pass_selection`.
    PassSelection,
    /// `pass_kinematic`.
    PassKinematic,
    /// `efficiency`.
    Efficiency,
    /// `n_showers`.
    NShowers,
    /// `E_QE`.
    EQe,
    /// `dEdx`.
    DEdx,
    /// `Etheta2`.
    ETheta2,
    /// `Q2_reco`.
    Q2Reco,
}

impl RecoField {
    /// The float value in `r` (NaN for integer fields).
    #[must_use]
    pub fn f64_of(self, r: &Reco) -> f64 {
        match self {
            RecoField::EReco => r.e_reco,
            RecoField::CosThetaReco => r.costheta_reco,
            RecoField::Efficiency => r.efficiency,
            RecoField::EQe => r.e_qe,
            RecoField::DEdx => r.dedx,
            RecoField::ETheta2 => r.etheta2,
            RecoField::Q2Reco => r.q2_reco,
            _ => f64::NAN,
        }
    }
    /// The integer value in `r` (0 for float fields).
    #[must_use]
    pub fn i64_of(self, r: &Reco) -> i64 {
        match self {
            RecoField::PassSelection => i64::from(r.pass_selection),
            RecoField::PassKinematic => i64::from(r.pass_kinematic),
            RecoField::NShowers => i64::from(r.n_showers),
            _ => 0,
        }
    }
}

/// E_nu^QE of an electron-like shower of total energy `e` (GeV) at `cos_theta` to the beam,
/// under the CCQE hypothesis nu n -> e p on a neutron bound by `e_b` (GeV), at rest:
///
/// ```text
/// E_QE = [2 (m_n - E_B) E - ((m_n - E_B)^2 + m_e^2 - m_p^2)] / [2 ((m_n - E_B) - E + p cos theta)]
/// ```
///
/// with p = sqrt(E^2 - m_e^2) (MiniBooNE, e.g. arXiv:0812.2243; arXiv:2308.02543 uses E_B = 0).
/// Returns 0 where the denominator is not positive (no physical solution).
#[must_use]
pub fn e_qe(e: f64, cos_theta: f64, e_b: f64) -> f64 {
    let mn = M_N - e_b;
    let p = (e * e - M_E * M_E).max(0.0).sqrt();
    let den = 2.0 * (mn - e + p * cos_theta);
    if den > 0.0 {
        ((2.0 * mn * e - (mn * mn + M_E * M_E - M_P * M_P)) / den).max(0.0)
    } else {
        0.0
    }
}

/// Q^2 of an electron-like shower under the CCQE hypothesis:
/// Q^2 = 2 E_QE (E - p cos theta) - m_e^2, E_QE from [`e_qe`] with E_B = 0.
#[must_use]
pub fn q2_ccqe(e: f64, cos_theta: f64) -> f64 {
    let p = (e * e - M_E * M_E).max(0.0).sqrt();
    (2.0 * e_qe(e, cos_theta, 0.0) * (e - p * cos_theta) - M_E * M_E).max(0.0)
}

/// A ready detector: a selection, the chosen resolution, the fiducial volume and which leptons
/// are seen.
#[derive(Debug, Clone)]
pub struct Detector {
    /// Experiment name.
    pub experiment: String,
    /// Name of the resolution in use.
    pub resolution_name: String,
    /// The resolution in use.
    pub resolution: Resolution,
    /// The selection.
    pub selection: Selection,
    /// Fiducial volume (applied to the decay vertex, or the scattering vertex without decay).
    pub fiducial: Volume,
    /// Which leptons are seen.
    pub visible: Visible,
    /// Whether the event vertex is the decay vertex.
    pub use_decay_vertex: bool,
}

/// Stream offset of the detector RNG: chunk k of a run uses PCG stream `DETECTOR_STREAM + k`
/// (truth uses streams k, the unweighting pilot 2^64 + channel).
pub const DETECTOR_STREAM: u128 = 1 << 65;

impl DetectorSection {
    /// Validate every number (keys are reported as `detector.<...>`).
    ///
    /// # Errors
    /// [`DetectorError::Value`] naming the key and its valid range.
    pub fn validate(&mut self) -> Result<(), DetectorError> {
        if !self.resolutions.contains_key(&self.resolution) {
            return Err(bad(
                "detector.resolution",
                format!("{:?}", self.resolution),
                &format!(
                    "must be one of {:?}",
                    self.resolutions.keys().collect::<Vec<_>>()
                ),
            ));
        }
        for (n, r) in &self.resolutions {
            r.energy
                .validate(&format!("detector.resolutions.{n}.energy"))?;
            r.angle
                .validate(&format!("detector.resolutions.{n}.angle"))?;
        }
        let k = "detector.selection";
        match &mut self.selection {
            Selection::Miniboone(s) => {
                s.pair.validate(&format!("{k}.pair"))?;
                if let Some(kk) = &s.kelly_kopp {
                    kk.validate(&format!("{k}.kelly_kopp"))?;
                }
                if s.shower_rule == ShowerRule::KellyKoppCirc1 && s.kelly_kopp.is_none() {
                    return Err(bad(
                        &format!("{k}.shower_rule"),
                        "\"kelly_kopp_circ1\"",
                        "needs a [detector.selection.kelly_kopp] table",
                    ));
                }
                non_negative(&format!("{k}.e_vis_min_gev"), s.e_vis_min_gev)?;
                positive(&format!("{k}.e_vis_max_gev"), s.e_vis_max_gev)?;
                if !(s.eqe_binding_energy_gev >= 0.0 && s.eqe_binding_energy_gev < 0.1) {
                    return Err(bad(
                        &format!("{k}.eqe_binding_energy_gev"),
                        s.eqe_binding_energy_gev,
                        "must be in [0, 0.1) GeV",
                    ));
                }
                s.efficiency.validate(&format!("{k}.efficiency"))?;
                positive(&format!("{k}.efficiency_scale"), s.efficiency_scale)?;
                let top = s
                    .efficiency
                    .efficiency
                    .iter()
                    .fold(0.0_f64, |a, b| a.max(*b))
                    * s.efficiency_scale;
                if top > 1.0 {
                    return Err(bad(
                        &format!("{k}.efficiency_scale"),
                        s.efficiency_scale,
                        "efficiency x scale must stay <= 1",
                    ));
                }
            }
            Selection::Minerva(s) => {
                s.pair.validate(&format!("{k}.pair"))?;
                non_negative(&format!("{k}.e_min_gev"), s.e_min_gev)?;
                positive(&format!("{k}.etheta2_max_gev"), s.etheta2_max_gev)?;
                positive(&format!("{k}.q2_max_gev2"), s.q2_max_gev2)?;
                positive(&format!("{k}.dedx_max"), s.dedx_max)?;
                if !(s.efficiency > 0.0 && s.efficiency <= 1.0) {
                    return Err(bad(
                        &format!("{k}.efficiency"),
                        s.efficiency,
                        "must be in (0, 1]",
                    ));
                }
                s.dedx_electron.prepare(&format!("{k}.dedx_electron"))?;
                s.dedx_pair.prepare(&format!("{k}.dedx_pair"))?;
            }
            Selection::Charmii(s) => {
                s.pair.validate(&format!("{k}.pair"))?;
                non_negative(&format!("{k}.e_min_gev"), s.e_min_gev)?;
                if !(s.e_max_gev > s.e_min_gev && s.e_max_gev.is_finite()) {
                    return Err(bad(
                        &format!("{k}.e_max_gev"),
                        s.e_max_gev,
                        "must be finite and > e_min_gev",
                    ));
                }
                positive(&format!("{k}.etheta2_max_gev"), s.etheta2_max_gev)?;
                if !(s.efficiency > 0.0 && s.efficiency <= 1.0) {
                    return Err(bad(
                        &format!("{k}.efficiency"),
                        s.efficiency,
                        "must be in (0, 1]",
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Detector {
    /// Build from a validated detector section, the run's choice of resolution, the fiducial
    /// volume and the process's visible leptons.
    ///
    /// # Errors
    /// [`DetectorError::Value`] for an unknown resolution name (`detector.resolution`).
    pub fn new(
        experiment: &str,
        section: &DetectorSection,
        resolution: Option<&str>,
        fiducial: Volume,
        visible: Visible,
        use_decay_vertex: bool,
    ) -> Result<Self, DetectorError> {
        let name = resolution.unwrap_or(&section.resolution);
        let res = section.resolutions.get(name).ok_or_else(|| {
            bad(
                "detector.resolution",
                format!("{name:?}"),
                &format!(
                    "must be one of {:?} (experiment {experiment})",
                    section.resolutions.keys().collect::<Vec<_>>()
                ),
            )
        })?;
        Ok(Self {
            experiment: experiment.to_string(),
            resolution_name: name.to_string(),
            resolution: res.clone(),
            selection: section.selection.clone(),
            fiducial,
            visible,
            use_decay_vertex,
        })
    }

    /// Use another MiniBooNE single-shower criterion.
    ///
    /// # Errors
    /// [`DetectorError::Value`] (`detector.shower_rule`) for a non-MiniBooNE selection or a
    /// Kelly-Kopp rule without its table.
    pub fn with_shower_rule(mut self, rule: ShowerRule) -> Result<Self, DetectorError> {
        let name = serde_json::to_string(&rule).unwrap_or_default();
        match &mut self.selection {
            Selection::Miniboone(s) => {
                if rule == ShowerRule::KellyKoppCirc1 && s.kelly_kopp.is_none() {
                    return Err(bad(
                        "detector.shower_rule",
                        name,
                        "needs a [detector.selection.kelly_kopp] table in the detector file",
                    ));
                }
                s.shower_rule = rule;
                Ok(self)
            }
            _ => Err(bad(
                "detector.shower_rule",
                name,
                &format!(
                    "only MiniBooNE selections have a shower rule (experiment {})",
                    self.experiment
                ),
            )),
        }
    }

    /// The output columns this detector adds.
    #[must_use]
    pub fn columns(&self) -> Vec<ColumnSpec> {
        let c = |name: &str, kind, unit, description: &str, f| ColumnSpec {
            name: name.to_string(),
            kind,
            unit,
            description: description.to_string(),
            source: Source::Reco(f),
        };
        let mut v = vec![
            c("E_reco", ColumnKind::F64, "GeV", "detector: reconstructed shower energy E_vis (sum of the smeared e+- total energies of the shower; 0 if the event is not one shower)", RecoField::EReco),
            c("costheta_reco", ColumnKind::F64, "", "detector: cos of the shower angle to the beam (+z) after smearing (0 if not one shower)", RecoField::CosThetaReco),
            c("pass_selection", ColumnKind::I8, "", "detector: 1 if the event passes the experiment's selection (one shower, fiducial vertex, cuts), else 0", RecoField::PassSelection),
            c("efficiency", ColumnKind::F64, "", "detector: selection efficiency at the reconstructed energy; expected selected events = sum(weight * efficiency * pass_selection)", RecoField::Efficiency),
            c("n_showers", ColumnKind::I8, "", "detector: number of reconstructed electromagnetic showers (0, 1, 2)", RecoField::NShowers),
        ];
        match &self.selection {
            Selection::Miniboone(_) => v.push(c("E_QE", ColumnKind::F64, "GeV", "detector: reconstructed neutrino energy, CCQE hypothesis with the detector file's binding energy (0 if not one shower)", RecoField::EQe)),
            Selection::Minerva(_) => {
                v.push(c("Etheta2", ColumnKind::F64, "GeV rad^2", "detector: E_reco x theta_reco^2", RecoField::ETheta2));
                v.push(c("Q2_reco", ColumnKind::F64, "GeV^2", "detector: reconstructed Q^2, CCQE hypothesis", RecoField::Q2Reco));
                v.push(c("dEdx", ColumnKind::F64, "MeV/1.7cm", "detector: mean dE/dx of the first 4 planes, drawn from the public electron or pair (NC pi0) shape", RecoField::DEdx));
                v.push(c("pass_kinematic", ColumnKind::I8, "", "detector: 1 if the event passes every cut except the final dE/dx cut", RecoField::PassKinematic));
            }
            Selection::Charmii(_) => v.push(c("Etheta2", ColumnKind::F64, "GeV rad^2", "detector: E_reco x theta_reco^2", RecoField::ETheta2)),
        }
        v
    }

    /// Smear one lepton with uniform/normal draws from `rng`.
    pub fn smear<R: Rng + ?Sized>(&self, p: FourVector, rng: &mut R) -> FourVector {
        let z: f64 = rng.sample(StandardNormal);
        let e = self.resolution.energy.smear(p.e, z);
        let sigma = self.resolution.angle.sigma_rad(p.e);
        let zt: f64 = rng.sample(StandardNormal);
        let delta = (sigma * zt).abs().min(std::f64::consts::PI);
        let phi = std::f64::consts::TAU * rng.random::<f64>();
        let dir = Vec3::from_angles(delta.cos(), phi).rotate_from_z(p.p3().unit());
        let pm = (e * e - M_E * M_E).max(0.0).sqrt();
        FourVector::new(e, dir.x * pm, dir.y * pm, dir.z * pm)
    }

    /// Apply the response to `ev` (truth is read, only `ev.reco` is written).
    pub fn apply<R: Rng + ?Sized>(&self, ev: &mut Event, rng: &mut R) {
        let mut r = Reco::default();
        let vertex = if self.use_decay_vertex {
            ev.decay
        } else {
            ev.scatter
        };
        let fiducial = self.fiducial.contains(vertex);
        let pair = match &self.selection {
            Selection::Miniboone(s) => s.pair,
            Selection::Minerva(s) => s.pair,
            Selection::Charmii(s) => s.pair,
        };
        let shower = match self.visible {
            Visible::Pair => {
                let a = self.smear(ev.e_minus, rng);
                let b = self.smear(ev.e_plus, rng);
                let (s, n) = match &self.selection {
                    Selection::Miniboone(MinibooneSelection {
                        shower_rule: ShowerRule::KellyKoppCirc1,
                        kelly_kopp: Some(kk),
                        ..
                    }) => kk.classify(a, b),
                    _ => pair.classify(a, b),
                };
                r.n_showers = n;
                s.map(|(e, d)| (e, d, true))
            }
            Visible::Electron => {
                let a = self.smear(ev.e_out, rng);
                r.n_showers = 1;
                Some((a.e, a.p3().unit(), false))
            }
        };
        if let Some((e, dir, _)) = shower {
            r.e_reco = e;
            r.costheta_reco = dir.z;
            let theta = dir.z.clamp(-1.0, 1.0).acos();
            r.etheta2 = e * theta * theta;
        }
        match &self.selection {
            Selection::Miniboone(s) => {
                r.efficiency = (s.efficiency.at(r.e_reco) * s.efficiency_scale).min(1.0);
                if shower.is_some() {
                    r.e_qe = e_qe(r.e_reco, r.costheta_reco, s.eqe_binding_energy_gev);
                }
                let pass = shower.is_some()
                    && fiducial
                    && r.e_reco >= s.e_vis_min_gev
                    && r.e_reco <= s.e_vis_max_gev;
                r.pass_selection = i8::from(pass);
                r.pass_kinematic = r.pass_selection;
            }
            Selection::Minerva(s) => {
                r.efficiency = s.efficiency;
                if let Some((_, _, is_pair)) = shower {
                    r.q2_reco = q2_ccqe(r.e_reco, r.costheta_reco);
                    let shape = if is_pair {
                        &s.dedx_pair
                    } else {
                        &s.dedx_electron
                    };
                    r.dedx = shape.sample(rng.random::<f64>(), rng.random::<f64>());
                }
                let kin = shower.is_some()
                    && fiducial
                    && r.e_reco > s.e_min_gev
                    && r.etheta2 < s.etheta2_max_gev
                    && r.q2_reco < s.q2_max_gev2;
                r.pass_kinematic = i8::from(kin);
                r.pass_selection = i8::from(kin && r.dedx < s.dedx_max);
            }
            Selection::Charmii(s) => {
                r.efficiency = s.efficiency;
                let pass = shower.is_some()
                    && fiducial
                    && r.e_reco > s.e_min_gev
                    && r.e_reco < s.e_max_gev
                    && r.etheta2 < s.etheta2_max_gev;
                r.pass_selection = i8::from(pass);
                r.pass_kinematic = r.pass_selection;
            }
        }
        ev.reco = r;
    }

    /// A JSON description for the run record.
    #[must_use]
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "resolution": self.resolution_name,
            "resolution_model": self.resolution,
            "selection": self.selection,
            "fiducial": self.fiducial,
            "vertex": if self.use_decay_vertex { "decay" } else { "scatter" },
            "rng": "chunk k uses rand_pcg::Pcg64 stream 2^65 + k with the run's state (truth: stream k), so truth columns do not depend on the detector",
            "expected_selected_events": "sum(weight * efficiency * pass_selection)",
        })
    }
}

#[cfg(test)]
mod tests;
