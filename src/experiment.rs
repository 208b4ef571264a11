//! Experiments: flux x targets x exposure x geometry, loaded from `detectors/*.toml`.
//!
//! A detector file names the flux table and its unit, the energy range generated, the exposure
//! (protons on target), the target material and mass, and the detector and fiducial volumes.
//! `detectors/README.md` documents every key; each shipped file gives the source of every number.
//!
//! **Target counting.** The number of nuclei of element i in a material of formula
//! sum_i n_i X_i with total mass M is, in the default `atomic_mass` split,
//! N_i = n_i M / (sum_j n_j A_j^nat u), with natural atomic weights A^nat (CIAAW 2021 standard
//! atomic weights, as in the PDG 2024 periodic table). DarkNews 0.4.8 instead splits the mass by
//! nucleon number (`nucleon_count`: mass fraction n_i A_i / sum_j n_j A_j with the integer mass
//! numbers, e.g. 6/7 C and 1/7 H for CH) and divides by the nuclear mass of the dominant isotope;
//! that convention is selectable so that its numbers can be reproduced (see its README, quirk 12).
//! Every element is represented by its dominant isotope (C-12 for carbon, ...): e.g. the 1.1% of
//! C-13 in natural carbon is counted as C-12.

use crate::data::{self, Origin};
use crate::flux::{Flavour, FluxError, FluxTable, FluxUnits};
use crate::kinematics::Vec3;
use crate::units::{AMU, M_E, TONNE_G};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A chemical element as a target: dominant isotope and natural atomic weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Element {
    /// Chemical symbol.
    pub symbol: &'static str,
    /// Name of the dominant isotope used for the physics (e.g. `C12`).
    pub isotope: &'static str,
    /// Atomic number.
    pub z: u32,
    /// Mass number of the dominant isotope.
    pub a: u32,
    /// Standard atomic weight, u (CIAAW 2021, abridged to the PDG 2024 periodic table).
    pub atomic_weight_u: f64,
    /// Atomic mass of the dominant isotope, u (AME2020, Wang et al., Chinese Phys. C 45 (2021) 030003).
    pub isotope_mass_u: f64,
}

impl Element {
    /// Nuclear mass of the dominant isotope, GeV: atomic mass minus Z electron masses (the
    /// electron binding energy, < 1e-6 relative for these light nuclei, is neglected).
    #[must_use]
    pub fn nuclear_mass_gev(&self) -> f64 {
        self.isotope_mass_u * AMU - f64::from(self.z) * M_E
    }
    /// PDG code of the dominant isotope's nucleus, 100ZZZAAA0; 2212 for hydrogen (a proton).
    #[must_use]
    pub fn pdg(&self) -> i32 {
        if self.z == 1 && self.a == 1 {
            2212
        } else {
            let code = 1_000_000_000_u32 + self.z * 10_000 + self.a * 10;
            i32::try_from(code).unwrap_or(i32::MAX)
        }
    }
}

/// Elements known to the material parser.
pub const ELEMENTS: &[Element] = &[
    Element {
        symbol: "H",
        isotope: "H1",
        z: 1,
        a: 1,
        atomic_weight_u: 1.008,
        isotope_mass_u: 1.007_825_032,
    },
    Element {
        symbol: "C",
        isotope: "C12",
        z: 6,
        a: 12,
        atomic_weight_u: 12.011,
        isotope_mass_u: 12.0,
    },
    Element {
        symbol: "O",
        isotope: "O16",
        z: 8,
        a: 16,
        atomic_weight_u: 15.999,
        isotope_mass_u: 15.994_914_62,
    },
    Element {
        symbol: "Na",
        isotope: "Na23",
        z: 11,
        a: 23,
        atomic_weight_u: 22.989_769,
        isotope_mass_u: 22.989_769_28,
    },
    Element {
        symbol: "Si",
        isotope: "Si28",
        z: 14,
        a: 28,
        atomic_weight_u: 28.085,
        isotope_mass_u: 27.976_926_53,
    },
    Element {
        symbol: "Ar",
        isotope: "Ar40",
        z: 18,
        a: 40,
        atomic_weight_u: 39.95,
        isotope_mass_u: 39.962_383_12,
    },
    Element {
        symbol: "Ge",
        isotope: "Ge74",
        z: 32,
        a: 74,
        atomic_weight_u: 72.630,
        isotope_mass_u: 73.921_177_76,
    },
    Element {
        symbol: "I",
        isotope: "I127",
        z: 53,
        a: 127,
        atomic_weight_u: 126.904_47,
        isotope_mass_u: 126.904_472,
    },
    Element {
        symbol: "Xe",
        isotope: "Xe132",
        z: 54,
        a: 132,
        atomic_weight_u: 131.293,
        isotope_mass_u: 131.904_155_09,
    },
    Element {
        symbol: "Cs",
        isotope: "Cs133",
        z: 55,
        a: 133,
        atomic_weight_u: 132.905_451_96,
        isotope_mass_u: 132.905_451_96,
    },
];

/// Errors of experiment loading.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// The detector file could not be read.
    #[error(transparent)]
    Read(#[from] data::ReadError),
    /// The detector file is not valid TOML or has wrong keys.
    #[error("detector file {origin}: {message}")]
    Toml {
        /// Where the file came from.
        origin: String,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A value out of its valid range.
    #[error("detector file {origin}: `{key}` = {value} is invalid: {valid}")]
    Value {
        /// Where the file came from.
        origin: String,
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// The valid range.
        valid: String,
    },
    /// The flux table named by the detector file is malformed.
    #[error(transparent)]
    Flux(#[from] FluxError),
}

/// How a compound's mass is split between its elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MassSplit {
    /// By natural atomic weights (physical composition).
    #[default]
    AtomicMass,
    /// By integer nucleon numbers, nuclei counted with the isotope's nuclear mass (DarkNews 0.4.8).
    NucleonCount,
}

/// `[flux]` section of a detector file: a table (`file`) or an analytic source (`source`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FluxSpec {
    /// Shipped table name or path (relative to the detector file's directory); empty when
    /// `source` is given.
    #[serde(default)]
    pub file: String,
    /// An analytic source instead of a table: `{ kind = "stopped_pion", nu_per_flavour_per_pot,
    /// baseline_m }` or `{ kind = "reactor", thermal_power_gw, baseline_m, fission_fractions,
    /// spectrum, e_min_gev, e_max_gev }` ([`crate::flux::analytic`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::flux::analytic::AnalyticSource>,
    /// Unit of the table; when absent, the table header decides.
    #[serde(default)]
    pub units: Option<FluxUnits>,
    /// Lowest neutrino energy generated, GeV.
    pub e_min_gev: f64,
    /// Highest neutrino energy generated, GeV.
    pub e_max_gev: f64,
}

/// `[exposure]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureSpec {
    /// Protons on target.
    pub pot: f64,
}

/// `[target]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Chemical formula, e.g. `CH2`, `CH`, `SiO2`, `CsI`, `Ar`.
    pub material: String,
    /// Target mass, metric tons.
    pub mass_t: f64,
    /// Density, g/cm^3 (informational; geometry is given explicitly).
    #[serde(default)]
    pub density_g_cm3: Option<f64>,
    /// Mass split convention.
    #[serde(default)]
    pub mass_split: MassSplit,
    /// Explicit mass fractions per element symbol (e.g. `{ C = 0.857142857, H = 0.142857143 }`, the
    /// 6/7 : 1/7 split DarkNews 0.4.8 uses for MINERvA's CH); when given they replace `mass_split`
    /// and nuclei are counted with the isotope's nuclear mass. Must cover the formula's elements and
    /// sum to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mass_fractions: Option<std::collections::BTreeMap<String, f64>>,
}

/// A volume: the detector or its fiducial region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case", deny_unknown_fields)]
pub enum Volume {
    /// A sphere.
    Sphere {
        /// Radius, cm.
        radius_cm: f64,
        /// Centre, cm.
        #[serde(default)]
        center_cm: [f64; 3],
        /// Distance from the neutrino source, m (informational).
        #[serde(default)]
        baseline_m: Option<f64>,
    },
    /// An axis-aligned box; z is the beam axis.
    Box {
        /// Full side lengths (x, y, z), cm.
        size_cm: [f64; 3],
        /// Centre, cm.
        #[serde(default)]
        center_cm: [f64; 3],
        /// Distance from the neutrino source, m (informational).
        #[serde(default)]
        baseline_m: Option<f64>,
    },
}

impl Volume {
    /// A point uniformly distributed in the volume, cm.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec3 {
        match *self {
            Volume::Sphere {
                radius_cm,
                center_cm,
                ..
            } => {
                // radius from r^3 uniform, direction isotropic
                let r = radius_cm * rng.random::<f64>().cbrt();
                let c = 2.0 * rng.random::<f64>() - 1.0;
                let phi = std::f64::consts::TAU * rng.random::<f64>();
                let d = Vec3::from_angles(c, phi).scale(r);
                Vec3::new(center_cm[0], center_cm[1], center_cm[2]) + d
            }
            Volume::Box {
                size_cm, center_cm, ..
            } => Vec3::new(
                center_cm[0] + size_cm[0] * (rng.random::<f64>() - 0.5),
                center_cm[1] + size_cm[1] * (rng.random::<f64>() - 0.5),
                center_cm[2] + size_cm[2] * (rng.random::<f64>() - 0.5),
            ),
        }
    }
    /// Whether a point (cm) is inside.
    #[must_use]
    pub fn contains(&self, p: Vec3) -> bool {
        match *self {
            Volume::Sphere {
                radius_cm,
                center_cm,
                ..
            } => (p - Vec3::new(center_cm[0], center_cm[1], center_cm[2])).norm() <= radius_cm,
            Volume::Box {
                size_cm, center_cm, ..
            } => {
                (p.x - center_cm[0]).abs() <= 0.5 * size_cm[0]
                    && (p.y - center_cm[1]).abs() <= 0.5 * size_cm[1]
                    && (p.z - center_cm[2]).abs() <= 0.5 * size_cm[2]
            }
        }
    }
    /// Volume in cm^3.
    #[must_use]
    pub fn volume_cm3(&self) -> f64 {
        match *self {
            Volume::Sphere { radius_cm, .. } => {
                4.0 / 3.0 * std::f64::consts::PI * radius_cm.powi(3)
            }
            Volume::Box { size_cm, .. } => size_cm[0] * size_cm[1] * size_cm[2],
        }
    }
    fn validate(&self, origin: &str, key: &str) -> Result<(), ExperimentError> {
        let bad = |k: &str, v: String| ExperimentError::Value {
            origin: origin.to_string(),
            key: format!("{key}.{k}"),
            value: v,
            valid: "must be finite and > 0".into(),
        };
        match *self {
            Volume::Sphere { radius_cm, .. } => {
                if !(radius_cm > 0.0 && radius_cm.is_finite()) {
                    return Err(bad("radius_cm", radius_cm.to_string()));
                }
            }
            Volume::Box { size_cm, .. } => {
                if size_cm.iter().any(|s| !(*s > 0.0 && s.is_finite())) {
                    return Err(bad("size_cm", format!("{size_cm:?}")));
                }
            }
        }
        Ok(())
    }
}

/// A detector file, as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorSpec {
    /// Experiment name.
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Flux.
    pub flux: FluxSpec,
    /// Exposure.
    pub exposure: ExposureSpec,
    /// Target material.
    pub target: TargetSpec,
    /// Whole detector volume (where interactions are placed).
    pub geometry: Volume,
    /// Fiducial volume (a selection applied later).
    pub fiducial: Volume,
    /// Published signal acceptance as a function of the nuclear recoil energy (CEvNS detectors),
    /// applied in summaries and tests, never to the weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recoil_acceptance: Option<RecoilAcceptance>,
    /// Detector response: resolutions, selection, efficiencies ([`crate::detector`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<crate::detector::DetectorSection>,
}

/// A published acceptance for nuclear recoils: the recoil kinetic energy T is converted to a
/// detected signal S = `signal_per_kev_nr` x (T in keV) (photoelectrons for COHERENT CsI, keV_ee for a
/// quenched detector, or 1 for keV_nr itself) and the acceptance is interpolated linearly in the
/// table (`signal`, `efficiency`), zero below `signal_min` and equal to the last value above the
/// table. No Poisson smearing of the signal (a detector-stage refinement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoilAcceptance {
    /// Detected signal per keV of nuclear recoil.
    pub signal_per_kev_nr: f64,
    /// Name of the signal unit (`PE`, `keVee`, `keVnr`).
    pub signal_unit: String,
    /// Acceptance is zero below this signal.
    #[serde(default)]
    pub signal_min: f64,
    /// Table abscissae, increasing.
    pub signal: Vec<f64>,
    /// Acceptance at each abscissa, in [0, 1].
    pub efficiency: Vec<f64>,
    /// Where the table comes from.
    #[serde(default)]
    pub source: String,
}

impl RecoilAcceptance {
    fn validate(&self, origin: &str) -> Result<(), ExperimentError> {
        let bad = |key: &str, valid: &str| ExperimentError::Value {
            origin: origin.to_string(),
            key: format!("recoil_acceptance.{key}"),
            value: String::new(),
            valid: valid.to_string(),
        };
        if !(self.signal_per_kev_nr > 0.0 && self.signal_per_kev_nr.is_finite()) {
            return Err(bad("signal_per_kev_nr", "must be finite and > 0"));
        }
        if self.signal.len() < 2 || self.signal.len() != self.efficiency.len() {
            return Err(bad(
                "signal / efficiency",
                "need the same length, at least 2 points",
            ));
        }
        if self.signal.windows(2).any(|w| !(w[1] > w[0])) {
            return Err(bad("signal", "must increase strictly"));
        }
        if self.efficiency.iter().any(|e| !(0.0..=1.0).contains(e)) {
            return Err(bad("efficiency", "each value must be in [0, 1]"));
        }
        Ok(())
    }

    /// Acceptance (in [0, 1]) of a nuclear recoil of kinetic energy `t_gev` GeV.
    #[must_use]
    pub fn at_recoil(&self, t_gev: f64) -> f64 {
        let x = self.signal_per_kev_nr * t_gev * 1.0e6;
        if !(x >= self.signal_min) {
            return 0.0;
        }
        let (s, e) = (&self.signal, &self.efficiency);
        if x <= s[0] {
            return e[0];
        }
        if x >= s[s.len() - 1] {
            return e[e.len() - 1];
        }
        let j = s.partition_point(|&v| v <= x).clamp(1, s.len() - 1);
        e[j - 1] + (x - s[j - 1]) / (s[j] - s[j - 1]) * (e[j] - e[j - 1])
    }
}

/// A target species in the detector: one element (dominant isotope) and how many nuclei there are.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The element.
    pub element: Element,
    /// Number of nuclei of this element in the target mass.
    pub count: f64,
}

/// A loaded experiment: everything the generator needs to normalise and place events.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The detector file as parsed.
    pub spec: DetectorSpec,
    /// Where the detector file came from.
    pub origin: Origin,
    /// The flux table, in nu / cm^2 / GeV / POT.
    pub flux: FluxTable,
    /// Where the flux table came from.
    pub flux_origin: Origin,
    /// Target species with their counts.
    pub targets: Vec<Target>,
    /// SHA-256 of the detector file text.
    pub sha256: String,
}

/// Parse a chemical formula like `CH2`, `SiO2`, `CsI` into (element, count) pairs.
///
/// # Errors
/// A message naming the unknown symbol or malformed part.
pub fn parse_formula(formula: &str) -> Result<Vec<(Element, u32)>, String> {
    let chars: Vec<char> = formula.chars().collect();
    let mut out: Vec<(Element, u32)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_uppercase() {
            return Err(format!(
                "unexpected {:?} at position {} in {formula:?}",
                chars[i],
                i + 1
            ));
        }
        let mut sym = chars[i].to_string();
        i += 1;
        if i < chars.len() && chars[i].is_ascii_lowercase() {
            sym.push(chars[i]);
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let n: u32 = if start == i {
            1
        } else {
            chars[start..i]
                .iter()
                .collect::<String>()
                .parse()
                .map_err(|_| format!("bad count in {formula:?}"))?
        };
        let el = ELEMENTS.iter().find(|e| e.symbol == sym).ok_or_else(|| {
            let known: Vec<&str> = ELEMENTS.iter().map(|e| e.symbol).collect();
            format!(
                "unknown element {sym:?} in {formula:?} (known: {})",
                known.join(", ")
            )
        })?;
        match out.iter_mut().find(|(e, _)| e.symbol == el.symbol) {
            Some((_, c)) => *c += n,
            None => out.push((*el, n)),
        }
    }
    if out.is_empty() {
        return Err("empty formula".into());
    }
    Ok(out)
}

/// Number of nuclei of each element in `mass_t` tons of `formula` under the given split convention,
/// or with explicit mass `fractions` per element symbol.
///
/// # Errors
/// A message for an unparsable formula or fractions that do not match it.
pub fn count_targets(
    formula: &str,
    mass_t: f64,
    split: MassSplit,
    fractions: Option<&std::collections::BTreeMap<String, f64>>,
) -> Result<Vec<Target>, String> {
    let parts = parse_formula(formula)?;
    let mass_gev = mass_t * TONNE_G * crate::units::GRAM_GEV;
    if let Some(fr) = fractions {
        let mut sum = 0.0;
        let mut out = Vec::new();
        for (e, _) in &parts {
            let f = *fr.get(e.symbol).ok_or_else(|| {
                format!(
                    "mass_fractions has no entry for {} (elements of {formula:?})",
                    e.symbol
                )
            })?;
            if !(0.0..=1.0).contains(&f) {
                return Err(format!(
                    "mass_fractions.{} = {f} must be in [0, 1]",
                    e.symbol
                ));
            }
            sum += f;
            out.push(Target {
                element: *e,
                count: f * mass_gev / e.nuclear_mass_gev(),
            });
        }
        if let Some(k) = fr
            .keys()
            .find(|k| !parts.iter().any(|(e, _)| e.symbol == k.as_str()))
        {
            return Err(format!(
                "mass_fractions has {k:?}, which is not in {formula:?}"
            ));
        }
        if (sum - 1.0).abs() > 1e-6 {
            return Err(format!("mass_fractions sum to {sum}, must sum to 1"));
        }
        return Ok(out);
    }
    Ok(match split {
        MassSplit::AtomicMass => {
            let molecule_u: f64 = parts
                .iter()
                .map(|(e, n)| f64::from(*n) * e.atomic_weight_u)
                .sum();
            let molecules = mass_gev / (molecule_u * AMU);
            parts
                .iter()
                .map(|(e, n)| Target {
                    element: *e,
                    count: f64::from(*n) * molecules,
                })
                .collect()
        }
        MassSplit::NucleonCount => {
            let nucleons: u32 = parts.iter().map(|(e, n)| n * e.a).sum();
            parts
                .iter()
                .map(|(e, n)| {
                    let frac = f64::from(n * e.a) / f64::from(nucleons);
                    Target {
                        element: *e,
                        count: frac * mass_gev / e.nuclear_mass_gev(),
                    }
                })
                .collect()
        }
    })
}

impl Experiment {
    /// Load an experiment by shipped name (`minerva_le_fhc`) or by path to a detector TOML.
    ///
    /// # Errors
    /// [`ExperimentError`] naming the file and the key or line at fault.
    pub fn load(name_or_path: &str) -> Result<Self, ExperimentError> {
        let (text, origin) = data::detector_text(name_or_path)?;
        let base = match &origin {
            Origin::File(p) => Path::new(p).parent().map(Path::to_path_buf),
            Origin::Embedded(_) => None,
        };
        Self::from_toml(&text, origin, base.as_deref())
    }

    /// Load as [`Experiment::load`], then override the exposure and/or the mass split.
    ///
    /// # Errors
    /// As [`Experiment::load`].
    pub fn load_with(
        name_or_path: &str,
        pot: Option<f64>,
        mass_split: Option<MassSplit>,
        mass_fractions: Option<&std::collections::BTreeMap<String, f64>>,
    ) -> Result<Self, ExperimentError> {
        let e = Self::load(name_or_path)?;
        if pot.is_none() && mass_split.is_none() && mass_fractions.is_none() {
            return Ok(e);
        }
        let mut spec = e.spec.clone();
        if let Some(p) = pot {
            spec.exposure.pot = p;
        }
        if let Some(m) = mass_split {
            spec.target.mass_split = m;
        }
        if let Some(f) = mass_fractions {
            spec.target.mass_fractions = Some(f.clone());
        }
        let base = match &e.origin {
            Origin::File(p) => Path::new(p).parent().map(Path::to_path_buf),
            Origin::Embedded(_) => None,
        };
        Self::from_spec(spec, e.origin.clone(), base.as_deref(), e.sha256.clone())
    }

    /// Build from detector-file text.
    ///
    /// # Errors
    /// As [`Experiment::load`].
    pub fn from_toml(
        text: &str,
        origin: Origin,
        base_dir: Option<&Path>,
    ) -> Result<Self, ExperimentError> {
        let o = origin.to_string();
        let spec: DetectorSpec = toml::from_str(text).map_err(|e| ExperimentError::Toml {
            origin: o.clone(),
            message: crate::config::toml_message(&e),
        })?;
        Self::from_spec(
            spec,
            origin,
            base_dir,
            crate::data::sha256_hex(text.as_bytes()),
        )
    }

    /// Build from a parsed spec (after any overrides).
    ///
    /// # Errors
    /// As [`Experiment::load`].
    pub fn from_spec(
        spec: DetectorSpec,
        origin: Origin,
        base_dir: Option<&Path>,
        sha256: String,
    ) -> Result<Self, ExperimentError> {
        let o = origin.to_string();
        let value_err = |key: &str, value: String, valid: &str| ExperimentError::Value {
            origin: o.clone(),
            key: key.to_string(),
            value,
            valid: valid.to_string(),
        };
        if !(spec.exposure.pot > 0.0 && spec.exposure.pot.is_finite()) {
            return Err(value_err(
                "exposure.pot",
                spec.exposure.pot.to_string(),
                "must be finite and > 0",
            ));
        }
        if !(spec.target.mass_t > 0.0 && spec.target.mass_t.is_finite()) {
            return Err(value_err(
                "target.mass_t",
                spec.target.mass_t.to_string(),
                "must be finite and > 0",
            ));
        }
        let (emin, emax) = (spec.flux.e_min_gev, spec.flux.e_max_gev);
        if !(emin >= 0.0 && emax > emin && emax.is_finite()) {
            return Err(value_err(
                "flux.e_min_gev / flux.e_max_gev",
                format!("[{emin}, {emax}]"),
                "need 0 <= e_min_gev < e_max_gev < infinity",
            ));
        }
        spec.geometry.validate(&o, "geometry")?;
        spec.fiducial.validate(&o, "fiducial")?;
        let mut spec = spec;
        if let Some(d) = spec.detector.as_mut() {
            d.validate().map_err(|e| match e {
                crate::detector::DetectorError::Value { key, value, valid } => {
                    value_err(&key, value, &valid)
                }
            })?;
        }
        let targets = count_targets(
            &spec.target.material,
            spec.target.mass_t,
            spec.target.mass_split,
            spec.target.mass_fractions.as_ref(),
        )
        .map_err(|m| value_err("target.material", format!("{:?}", spec.target.material), &m))?;
        if let Some(a) = &spec.recoil_acceptance {
            a.validate(&o)?;
        }
        let (flux, flux_origin) = match (&spec.flux.source, spec.flux.file.is_empty()) {
            (Some(src), true) => {
                let t = src
                    .table()
                    .map_err(|m| value_err("flux.source", src.kind().into(), &m))?;
                (t, Origin::Embedded(format!("analytic {}", src.kind())))
            }
            (None, false) => {
                let (ftext, flux_origin) = data::flux_text(&spec.flux.file, base_dir)?;
                let t = FluxTable::parse(&ftext, &flux_origin.to_string(), spec.flux.units)?;
                (t, flux_origin)
            }
            _ => {
                return Err(value_err(
                    "flux.file / flux.source",
                    format!(
                        "{:?} / {:?}",
                        spec.flux.file,
                        spec.flux.source.map(|s| s.kind())
                    ),
                    "give exactly one: a table `file` or an analytic `source`",
                ))
            }
        };
        let (t0, t1) = flux.range();
        if emin >= t1 || emax <= t0 {
            return Err(value_err(
                "flux.e_min_gev / flux.e_max_gev",
                format!("[{emin}, {emax}]"),
                &format!("must overlap the flux table's range [{t0}, {t1}] GeV"),
            ));
        }
        Ok(Self {
            spec,
            origin,
            flux,
            flux_origin,
            targets,
            sha256,
        })
    }

    /// Experiment name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Protons on target.
    #[must_use]
    pub fn pot(&self) -> f64 {
        self.spec.exposure.pot
    }

    /// Generated neutrino-energy range, GeV, clipped to the flux table.
    #[must_use]
    pub fn energy_range(&self) -> (f64, f64) {
        let (t0, t1) = self.flux.range();
        (
            self.spec.flux.e_min_gev.max(t0),
            self.spec.flux.e_max_gev.min(t1),
        )
    }

    /// Flavours with non-zero flux.
    #[must_use]
    pub fn flavours(&self) -> Vec<Flavour> {
        Flavour::ALL
            .into_iter()
            .filter(|f| self.flux.has(*f))
            .collect()
    }

    /// Published recoil acceptance at nuclear recoil kinetic energy `t_gev` GeV (1 when the
    /// detector file has no `[recoil_acceptance]`).
    #[must_use]
    pub fn recoil_acceptance(&self, t_gev: f64) -> f64 {
        self.spec
            .recoil_acceptance
            .as_ref()
            .map_or(1.0, |a| a.at_recoil(t_gev))
    }

    /// Number of electrons in the target mass: sum over elements of Z x nuclei.
    #[must_use]
    pub fn electrons(&self) -> f64 {
        self.targets
            .iter()
            .map(|t| f64::from(t.element.z) * t.count)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas() {
        let p = parse_formula("SiO2").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].0.symbol, p[0].1, p[1].0.symbol, p[1].1),
            ("Si", 1, "O", 2)
        );
        assert!(parse_formula("CH2x").is_err());
        assert!(parse_formula("Qq").unwrap_err().contains("unknown element"));
    }

    #[test]
    fn darknews_counts_are_reproduced() {
        // DarkNews 0.4.8 miniboone_fhc: 818 t CH2 -> 3.5196159e31 C12 and 6.9864648e31 H1
        // (shared/reference/darknews/P1_rates.csv, N_target_nuclei).
        let t = count_targets("CH2", 818.0, MassSplit::NucleonCount, None).unwrap();
        assert!(
            (t[0].count / 3.519_615_9e31 - 1.0).abs() < 1e-5,
            "{}",
            t[0].count
        );
        assert!(
            (t[1].count / 6.986_464_8e31 - 1.0).abs() < 1e-5,
            "{}",
            t[1].count
        );
        // physical CH2: molecules = mass / (14.027 u)
        let t = count_targets("CH2", 818.0, MassSplit::AtomicMass, None).unwrap();
        assert!((t[1].count / t[0].count - 2.0).abs() < 1e-12);
    }

    #[test]
    fn every_shipped_detector_loads() {
        for name in data::experiment_names() {
            let e = Experiment::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(e.name(), name);
            assert!(e.electrons() > 0.0);
            assert!(!e.flavours().is_empty());
        }
    }

    #[test]
    fn sphere_sampling_stays_inside() {
        use rand::SeedableRng;
        let v = Volume::Sphere {
            radius_cm: 2.0,
            center_cm: [1.0, 0.0, 0.0],
            baseline_m: None,
        };
        let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
        for _ in 0..1000 {
            assert!(v.contains(v.sample(&mut rng)));
        }
    }
}
