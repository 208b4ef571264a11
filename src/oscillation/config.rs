//! The `[oscillation]` configuration: serde structs whose field names are the configuration keys,
//! and their validation into a model, a matter profile and an [`Oscillator`].
//!
//! ```toml
//! model = "nussi"            # "3nu" | "nsi" | "3p1" | "nussi"
//! dm21 = 7.5e-5              # eV^2
//! dm31 = 2.4e-3              # eV^2, m3^2 - m1^2 (< 0: inverted ordering)
//! dm41 = 1.0                 # eV^2 (3p1, nussi)
//! s12sq = 0.3
//! s13sq = 0.023
//! s23sq = 0.6
//! s14sq = 0.025              # 3p1, nussi
//! s24sq = 0.03
//! s34sq = 0.0
//! delta_cp = 0.0             # rad
//! alpha = 150.0              # G_X / G_F (nussi only)
//! baseline_km = 735.0
//! density_gcc = 2.8          # constant density; or layers = [[L_km, rho_gcc, Ye], ...]; or prem = true
//! # ye = 0.5                 # electron fraction with density_gcc (default 0.5)
//! # constants = "reference_tables"    # default (G_F = 1.1663787e-5, CODATA 2018), or "pdg2024"
//! # source = "nu_mu"         # generate only: flavour at production for `w_osc` (default: the event's)
//!
//! # model = "nsi" takes [nsi.e], [nsi.u], [nsi.d] tables; each entry is [re, im]:
//! # [nsi.d]
//! # emu = [0.05, 0.0866]
//! # or, instead of the tables, the eps of the run's own [model] Z':
//! # nsi_from_model = true
//! ```

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use super::error::{finite, non_negative, OscillationError, Result};
use super::matter::MatterProfile;
use super::params::{
    MixingParameters, ModelKind, NsiCouplings, NsiEntries, OscillationModel, PhysicalConstants,
    SterileParameters,
};
use super::propagate::{Flavour, Oscillator};

/// Default electron fraction with `density_gcc` when `ye` is not given.
pub const DEFAULT_ELECTRON_FRACTION: f64 = 0.5;

/// Relative tolerance between `baseline_km` and the summed `layers` lengths.
const BASELINE_MATCH_TOLERANCE: f64 = 1e-9;

/// Oscillation configuration. Units: Delta m^2 in eV^2, angles as sin^2, `delta_cp` in rad,
/// lengths in km, densities in g/cm^3.
///
/// Exactly one matter description is required: `density_gcc` (constant; 0 for vacuum; with
/// `baseline_km` and optional `ye`), `layers` (crossing order, source first; `baseline_km` optional and
/// checked against the sum), or `prem = true` (chord through piecewise-constant PREM for `baseline_km`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OscillationConfig {
    /// `"3nu"`, `"nsi"`, `"3p1"` or `"nussi"`.
    pub model: ModelKind,
    /// Delta m^2_21, eV^2.
    pub dm21: f64,
    /// Delta m^2_31 = m3^2 - m1^2, eV^2.
    pub dm31: f64,
    /// Delta m^2_41, eV^2 (3p1, nussi).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dm41: Option<f64>,
    /// sin^2 theta_12.
    pub s12sq: f64,
    /// sin^2 theta_13.
    pub s13sq: f64,
    /// sin^2 theta_23.
    pub s23sq: f64,
    /// sin^2 theta_14 (3p1, nussi).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s14sq: Option<f64>,
    /// sin^2 theta_24 (3p1, nussi).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s24sq: Option<f64>,
    /// sin^2 theta_34 (3p1, nussi).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s34sq: Option<f64>,
    /// Dirac CP phase, rad.
    pub delta_cp: f64,
    /// Secret-interaction strength alpha = G_X / G_F (nussi only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Baseline, km.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_km: Option<f64>,
    /// Constant matter density, g/cm^3 (0: vacuum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub density_gcc: Option<f64>,
    /// Electron fraction with `density_gcc` (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ye: Option<f64>,
    /// Layers `[length_km, density_gcc, ye]` in crossing order, source first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<[f64; 3]>>,
    /// Chord through the PREM Earth for `baseline_km` ([`super::PremEarth::default`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prem: bool,
    /// Which set of physical constants to use (default `"reference_tables"`).
    #[serde(default)]
    pub constants: ConstantSet,
    /// Flavour at production for the `w_osc` column of `nuportal generate` (antineutrino events use
    /// the antineutrino of this flavour); `None` (the default): the event's own flavour, i.e. the
    /// survival probability. Not used by the probability calculation itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceFlavour>,
    /// NSI couplings (nsi only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsi: Option<NsiConfig>,
    /// NSI from the run's own Z' (nsi only, instead of `[nsi]` tables): eps^f_{aa} of every flavour
    /// from the `[model]` couplings table at Q^2 -> 0 ([`crate::model::presets::nsi_couplings`]), so
    /// that one set of couplings drives scattering and oscillation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nsi_from_model: bool,
    /// The couplings `nsi_from_model` resolved to: set from the `[model]` section by the config
    /// readers ([`OscillationConfig::set_model_nsi`]); not a configuration key.
    #[serde(skip)]
    pub model_nsi: Option<NsiCouplings>,
}

/// The `constants` key: which [`PhysicalConstants`] enter the phases and the matter potential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstantSet {
    /// `"pdg2024"`: [`PhysicalConstants::PDG_2024`], the crate's constants for scattering.
    Pdg2024,
    /// `"reference_tables"`: [`PhysicalConstants::REFERENCE_TABLES`] (G_F = 1.1663787e-5 GeV^-2,
    /// CODATA 2018), which reproduces the tables in `shared/reference/oscillation` to ~1e-13
    /// (default: the conventions of those tables, and of nuSQuIDS).
    #[default]
    ReferenceTables,
}

impl ConstantSet {
    /// The constants of this set.
    #[must_use]
    pub fn constants(self) -> PhysicalConstants {
        match self {
            Self::Pdg2024 => PhysicalConstants::PDG_2024,
            Self::ReferenceTables => PhysicalConstants::REFERENCE_TABLES,
        }
    }
}

/// The `source` key: the (active) flavour a neutrino had at production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFlavour {
    /// `"nu_e"` (nu_e, or nu_e_bar for antineutrino events).
    NuE,
    /// `"nu_mu"` (nu_mu, or nu_mu_bar for antineutrino events).
    NuMu,
    /// `"nu_tau"` (nu_tau, or nu_tau_bar for antineutrino events).
    NuTau,
}

impl SourceFlavour {
    /// The flavour-basis state.
    #[must_use]
    pub fn flavour(self) -> Flavour {
        match self {
            Self::NuE => Flavour::E,
            Self::NuMu => Flavour::Mu,
            Self::NuTau => Flavour::Tau,
        }
    }
}

/// The `[nsi]` table: one coupling matrix per target fermion; a missing table means all zero.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NsiConfig {
    /// eps^e (electrons).
    #[serde(default)]
    pub e: NsiMatrixConfig,
    /// eps^u (up quarks).
    #[serde(default)]
    pub u: NsiMatrixConfig,
    /// eps^d (down quarks).
    #[serde(default)]
    pub d: NsiMatrixConfig,
}

/// One Hermitian NSI matrix: the six independent entries as `[re, im]` (missing = 0). Diagonal entries
/// must have im = 0; `eps_ab` is row a, column b, and `eps_ba = conj(eps_ab)` is implied.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NsiMatrixConfig {
    /// eps_ee.
    #[serde(default)]
    pub ee: [f64; 2],
    /// eps_emu.
    #[serde(default)]
    pub emu: [f64; 2],
    /// eps_etau.
    #[serde(default)]
    pub etau: [f64; 2],
    /// eps_mumu.
    #[serde(default)]
    pub mumu: [f64; 2],
    /// eps_mutau.
    #[serde(default)]
    pub mutau: [f64; 2],
    /// eps_tautau.
    #[serde(default)]
    pub tautau: [f64; 2],
}

impl NsiMatrixConfig {
    fn entries(&self, target: &str) -> Result<NsiEntries> {
        let real = |name: &str, [re, im]: [f64; 2]| -> Result<f64> {
            let name = format!("nsi.{target}.{name}");
            let imaginary = finite(format!("{name}[1]"), im)?;
            if imaginary != 0.0 {
                return Err(OscillationError::NonHermitian { name, imaginary });
            }
            finite(format!("{name}[0]"), re)
        };
        let cx = |[re, im]: [f64; 2]| Complex64::new(re, im);
        Ok(NsiEntries {
            ee: real("ee", self.ee)?,
            emu: cx(self.emu),
            etau: cx(self.etau),
            mumu: real("mumu", self.mumu)?,
            mutau: cx(self.mutau),
            tautau: real("tautau", self.tautau)?,
        })
    }
}

impl NsiConfig {
    /// Validated couplings.
    ///
    /// # Errors
    /// [`OscillationError::NotFinite`], or [`OscillationError::NonHermitian`] for a diagonal entry
    /// with a non-zero imaginary part.
    pub fn couplings(&self) -> Result<NsiCouplings> {
        NsiCouplings::new(
            self.e.entries("e")?,
            self.u.entries("u")?,
            self.d.entries("d")?,
        )
    }
}

impl OscillationConfig {
    /// The validated model.
    ///
    /// # Errors
    /// Out-of-range or non-finite parameters; [`OscillationError::Missing`] for a parameter the model
    /// needs; [`OscillationError::Unused`] for one it does not use.
    pub fn model(&self) -> Result<OscillationModel> {
        let kind = self.model;
        let mixing = MixingParameters::new(
            self.dm21,
            self.dm31,
            self.s12sq,
            self.s13sq,
            self.s23sq,
            self.delta_cp,
        )?;
        let sterile_keys = [
            ("dm41", self.dm41),
            ("s14sq", self.s14sq),
            ("s24sq", self.s24sq),
            ("s34sq", self.s34sq),
        ];
        let is_sterile = kind.n_flavours() == 4;
        let mut sterile_values = [0.0; 4];
        for ((name, value), slot) in sterile_keys.into_iter().zip(&mut sterile_values) {
            match (value, is_sterile) {
                (Some(v), true) => *slot = v,
                (None, true) => return Err(OscillationError::Missing { name, model: kind }),
                (Some(_), false) => return Err(OscillationError::Unused { name, model: kind }),
                (None, false) => {}
            }
        }
        match (self.alpha, kind) {
            (None, ModelKind::NuSsi) => {
                return Err(OscillationError::Missing {
                    name: "alpha",
                    model: kind,
                })
            }
            (Some(_), k) if k != ModelKind::NuSsi => {
                return Err(OscillationError::Unused {
                    name: "alpha",
                    model: kind,
                })
            }
            _ => {}
        }
        if self.nsi_from_model {
            if kind != ModelKind::Nsi {
                return Err(OscillationError::Unused {
                    name: "nsi_from_model",
                    model: kind,
                });
            }
            if self.nsi.is_some() {
                return Err(OscillationError::NsiFromModel {
                    reason: "and [oscillation.nsi] tables exclude each other: give one".into(),
                });
            }
        }
        match (&self.nsi, kind) {
            (None, ModelKind::Nsi) if self.nsi_from_model => {}
            (None, ModelKind::Nsi) => {
                return Err(OscillationError::Missing {
                    name: "nsi",
                    model: kind,
                })
            }
            (Some(_), k) if k != ModelKind::Nsi => {
                return Err(OscillationError::Unused {
                    name: "nsi",
                    model: kind,
                })
            }
            _ => {}
        }
        let [dm41, s14sq, s24sq, s34sq] = sterile_values;
        match kind {
            ModelKind::ThreeNu => Ok(OscillationModel::ThreeFlavour(mixing)),
            ModelKind::Nsi if self.nsi_from_model => Ok(OscillationModel::Nsi(
                mixing,
                self.model_nsi
                    .ok_or_else(|| OscillationError::NsiFromModel {
                        reason: "needs the [model] section of a run config (a preset with a Z')"
                            .into(),
                    })?,
            )),
            ModelKind::Nsi => Ok(OscillationModel::Nsi(
                mixing,
                self.nsi.unwrap_or_default().couplings()?,
            )),
            ModelKind::ThreePlusOne | ModelKind::NuSsi => OscillationModel::sterile(
                mixing,
                SterileParameters::new(dm41, s14sq, s24sq, s34sq)?,
                self.alpha.unwrap_or(0.0),
            ),
        }
    }

    /// The validated matter profile.
    ///
    /// # Errors
    /// [`OscillationError::Profile`] unless exactly one of `density_gcc`, `layers`, `prem = true` is
    /// given (with `baseline_km` where needed, `ye` only with `density_gcc`, and `baseline_km`
    /// matching the layers); range errors for lengths, densities and electron fractions.
    pub fn matter_profile(&self) -> Result<MatterProfile> {
        let profile_error = |reason: &str| OscillationError::Profile {
            reason: reason.to_owned(),
        };
        let given = usize::from(self.density_gcc.is_some())
            + usize::from(self.layers.is_some())
            + usize::from(self.prem);
        if given != 1 {
            return Err(profile_error(
                "give exactly one of `density_gcc` (constant, 0 for vacuum), `layers` or `prem = true`",
            ));
        }
        if self.ye.is_some() && self.density_gcc.is_none() {
            return Err(profile_error(
                "`ye` applies only with `density_gcc`; `layers` carry their own Y_e and PREM has its own",
            ));
        }
        let baseline = || {
            self.baseline_km.ok_or_else(|| {
                profile_error("`baseline_km` is required with `density_gcc` or `prem`")
            })
        };
        if let Some(density) = self.density_gcc {
            return MatterProfile::constant(
                baseline()?,
                density,
                self.ye.unwrap_or(DEFAULT_ELECTRON_FRACTION),
            );
        }
        if self.prem {
            return MatterProfile::prem(baseline()?);
        }
        let layers = self.layers.as_deref().unwrap_or_default();
        let profile = MatterProfile::from_triples(layers)?;
        if let Some(baseline_km) = self.baseline_km {
            let baseline_km = non_negative("baseline_km", baseline_km, "[0, inf) km")?;
            let total = profile.baseline_km();
            if (total - baseline_km).abs() > BASELINE_MATCH_TOLERANCE * baseline_km.max(total) {
                return Err(OscillationError::Profile {
                    reason: format!(
                        "`baseline_km` = {baseline_km} km differs from the summed layer lengths {total} km"
                    ),
                });
            }
        }
        Ok(profile)
    }

    /// Give the NSI couplings of the run's `[model]` to a config with `nsi_from_model = true`
    /// (ignored otherwise).
    pub fn set_model_nsi(&mut self, nsi: NsiCouplings) {
        if self.nsi_from_model {
            self.model_nsi = Some(nsi);
        }
    }

    /// Validate and build with the constants chosen by the `constants` key
    /// ([`PhysicalConstants::REFERENCE_TABLES`] unless `constants = "pdg2024"`).
    ///
    /// # Errors
    /// As [`OscillationConfig::model`] and [`OscillationConfig::matter_profile`].
    pub fn build(&self) -> Result<Oscillator> {
        self.build_with_constants(&self.constants.constants())
    }

    /// Validate and build with explicit constants (e.g. [`PhysicalConstants::REFERENCE_TABLES`]),
    /// ignoring the `constants` key.
    ///
    /// # Errors
    /// As [`OscillationConfig::build`].
    pub fn build_with_constants(&self, constants: &PhysicalConstants) -> Result<Oscillator> {
        Ok(Oscillator::new(
            &self.model()?,
            self.matter_profile()?,
            constants,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> OscillationConfig {
        OscillationConfig {
            model: ModelKind::ThreeNu,
            dm21: 7.5e-5,
            dm31: 2.4e-3,
            dm41: None,
            s12sq: 0.3,
            s13sq: 0.023,
            s23sq: 0.6,
            s14sq: None,
            s24sq: None,
            s34sq: None,
            delta_cp: 0.0,
            alpha: None,
            baseline_km: Some(735.0),
            density_gcc: Some(2.8),
            ye: None,
            layers: None,
            prem: false,
            constants: ConstantSet::default(),
            source: None,
            nsi: None,
            nsi_from_model: false,
            model_nsi: None,
        }
    }

    #[test]
    fn model_specific_keys_are_checked() {
        let mut c = base();
        c.alpha = Some(1.0);
        assert_eq!(
            c.model().unwrap_err(),
            OscillationError::Unused {
                name: "alpha",
                model: ModelKind::ThreeNu
            }
        );
        c.model = ModelKind::NuSsi;
        assert_eq!(
            c.model().unwrap_err(),
            OscillationError::Missing {
                name: "dm41",
                model: ModelKind::NuSsi
            }
        );
        c.dm41 = Some(1.0);
        c.s14sq = Some(0.02);
        c.s24sq = Some(0.02);
        c.s34sq = Some(1.5);
        assert!(c.model().unwrap_err().to_string().contains("s34sq"));
        c.s34sq = Some(0.0);
        assert!(c.model().is_ok());
        c.model = ModelKind::Nsi;
        assert!(c.model().is_err());
    }

    #[test]
    fn profile_keys_are_checked() {
        let mut c = base();
        c.layers = Some(vec![[735.0, 2.8, 0.5]]);
        assert!(matches!(
            c.matter_profile(),
            Err(OscillationError::Profile { .. })
        ));
        c.density_gcc = None;
        assert!(c.matter_profile().is_ok());
        c.baseline_km = Some(700.0);
        assert!(matches!(
            c.matter_profile(),
            Err(OscillationError::Profile { .. })
        ));
        c.baseline_km = None;
        c.ye = Some(0.5);
        assert!(matches!(
            c.matter_profile(),
            Err(OscillationError::Profile { .. })
        ));
        let mut c = base();
        c.density_gcc = Some(-2.8);
        assert!(c
            .matter_profile()
            .unwrap_err()
            .to_string()
            .contains("density_gcc"));
        let mut c = base();
        c.ye = Some(1.5);
        assert!(c.matter_profile().unwrap_err().to_string().contains("`ye`"));
        let mut c = base();
        c.density_gcc = None;
        c.prem = true;
        assert!(c.matter_profile().is_ok());
    }

    #[test]
    fn diagonal_nsi_must_be_real() {
        let nsi = NsiConfig {
            u: NsiMatrixConfig {
                mumu: [0.1, 0.2],
                ..NsiMatrixConfig::default()
            },
            ..NsiConfig::default()
        };
        let err = nsi.couplings().unwrap_err();
        assert!(
            matches!(err, OscillationError::NonHermitian { ref name, .. } if name == "nsi.u.mumu")
        );
    }
}
