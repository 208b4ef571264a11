//! The light-mediator model: one Z' with mass `mzprime` and vector couplings to every fermion.
//!
//! Lagrangian convention (the same sign as the SM Z Lagrangian, -(g/c_W) Z_mu J_Z^mu; physics sheet
//! `shared/reference/physics.md` items 5 and 6, following Lindner, Rodejohann, Xu, JHEP 05 (2018) 098,
//! arXiv:1803.00060):
//!
//! ```text
//! L = - Z'_mu [ sum_alpha g_nu_alpha nu-bar_alpha gamma^mu P_L nu_alpha + sum_f g_f f-bar gamma^mu f ]
//! ```
//!
//! Presets fill this table from a few parameters ([`presets`]: `dark_photon`, `b_minus_l`,
//! `lmu_minus_ltau`, `lmu_plus_ltau_b1`, `right_handed`), besides `sm` (no Z'), `free` (every
//! coupling by hand) and `dark_neutrino` ([`dark_neutrino`]). [`presets::nsi_epsilon`] derives the
//! NSI of the table for the oscillation module.

pub mod dark_neutrino;
pub mod presets;

use serde::{Deserialize, Serialize};

/// The couplings table of one vector Z'. Couplings are dimensionless, the mass in GeV.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Couplings {
    /// Z' mass, GeV; `None` means no Z' (the Standard Model).
    pub mzprime: Option<f64>,
    /// Couplings to the left-handed neutrinos nu_e, nu_mu, nu_tau.
    pub g_nu: [f64; 3],
    /// Vector couplings to e, mu, tau.
    pub g_lepton: [f64; 3],
    /// Axial couplings to e, mu, tau (`L = -Z'_mu a_l l-bar gamma^mu gamma^5 l`... entering as
    /// l-bar gamma^mu (g_l - a_l gamma^5) l; used by nu-e elastic scattering).
    #[serde(default)]
    pub g_lepton_axial: [f64; 3],
    /// Vector coupling to the up quark.
    pub g_u: f64,
    /// Vector coupling to the down quark.
    pub g_d: f64,
}

impl Couplings {
    /// The Standard Model: no Z'.
    #[must_use]
    pub fn sm() -> Self {
        Self::default()
    }
    /// Vector coupling to electrons.
    #[must_use]
    pub fn g_e(&self) -> f64 {
        self.g_lepton[0]
    }
}

/// Errors of model configuration.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ModelError {
    /// A parameter out of range.
    #[error("model.{key} = {value} is invalid: {valid}")]
    Value {
        /// The config key.
        key: String,
        /// The value given.
        value: String,
        /// The valid range.
        valid: String,
    },
    /// A dark-neutrino parameter is invalid (the message names it with DarkNews' spelling).
    #[error("model: {0}")]
    DarkNeutrino(#[from] dark_neutrino::ParamError),
}

/// `[model]` section of the config: a preset plus its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "preset", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelConfig {
    /// The Standard Model, no Z'.
    Sm {},
    /// The dark-neutrino (three-portal 3+1) model of DarkNews, with its parameter names:
    /// `m4`, `mzprime`, `Ue4`, `Umu4`, `Utau4`, `UD4`, `alphaD` or `gD`, `epsilon` or
    /// `alpha_epsilon2` or `chi`, `HNLtype`, plus `charge_convention`.
    DarkNeutrino(dark_neutrino::DarkNeutrinoParams),
    /// Every coupling given by hand (absent ones are zero).
    Free {
        /// Z' mass, GeV (> 0).
        mzprime: f64,
        /// Coupling to nu_e (left-handed).
        #[serde(default)]
        g_nu_e: f64,
        /// Coupling to nu_mu (left-handed).
        #[serde(default)]
        g_nu_mu: f64,
        /// Coupling to nu_tau (left-handed).
        #[serde(default)]
        g_nu_tau: f64,
        /// Vector coupling to electrons.
        #[serde(default)]
        g_e: f64,
        /// Vector coupling to muons.
        #[serde(default)]
        g_mu: f64,
        /// Vector coupling to taus.
        #[serde(default)]
        g_tau: f64,
        /// Axial coupling to electrons (nu-e).
        #[serde(default)]
        g_e_axial: f64,
        /// Axial coupling to muons.
        #[serde(default)]
        g_mu_axial: f64,
        /// Axial coupling to taus.
        #[serde(default)]
        g_tau_axial: f64,
        /// Vector coupling to up quarks.
        #[serde(default)]
        g_u: f64,
        /// Vector coupling to down quarks.
        #[serde(default)]
        g_d: f64,
    },
    /// Dark photon: kinetic mixing `epsilon`, couplings e eps Q_f ([`presets::dark_photon`]).
    DarkPhoton {
        /// Z' mass, GeV (> 0).
        mzprime: f64,
        /// Kinetic mixing.
        epsilon: f64,
    },
    /// Gauged B - L ([`presets::b_minus_l`]).
    BMinusL {
        /// Z' mass, GeV (> 0).
        mzprime: f64,
        /// Gauge coupling g'.
        gprime: f64,
    },
    /// Gauged L_mu - L_tau with its loop-induced kinetic mixing ([`presets::lmu_minus_ltau`]).
    LmuMinusLtau {
        /// Z' mass, GeV (> 0).
        mzprime: f64,
        /// Gauge coupling g'.
        gprime: f64,
    },
    /// Farzan's L_mu + L_tau + B_1 - a B_2 - (3 - a) B_3 ([`presets::lmu_plus_ltau_b1`]).
    LmuPlusLtauB1 {
        /// Z' mass, GeV (> 0).
        mzprime: f64,
        /// Gauge coupling g'.
        gprime: f64,
        /// The parameter a of the second/third-generation baryon charges.
        #[serde(default)]
        a: f64,
    },
    /// The right-handed U(1)_R of Alikhanov & Paschos ([`presets::right_handed`]).
    RightHanded {
        /// Z' (X) mass, GeV (> 0).
        mzprime: f64,
        /// Gauge coupling g'.
        gprime: f64,
    },
}

fn check_mass(mzprime: f64) -> Result<(), ModelError> {
    if mzprime > 0.0 && mzprime.is_finite() {
        Ok(())
    } else {
        Err(ModelError::Value {
            key: "mzprime".into(),
            value: mzprime.to_string(),
            valid: "the Z' mass must be finite and > 0 GeV".into(),
        })
    }
}

fn check_coupling(key: &str, v: f64) -> Result<(), ModelError> {
    if v.is_finite() && v.abs() <= 4.0 * std::f64::consts::PI {
        Ok(())
    } else {
        Err(ModelError::Value {
            key: key.into(),
            value: v.to_string(),
            valid: "couplings must be finite with |g| <= 4 pi (perturbativity)".into(),
        })
    }
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig::Sm {}
    }
}

impl ModelConfig {
    /// The dark-neutrino model, if this is that preset.
    ///
    /// # Errors
    /// [`ModelError::DarkNeutrino`] for invalid parameters.
    pub fn dark_neutrino(&self) -> Result<Option<dark_neutrino::DarkNeutrinoModel>, ModelError> {
        match self {
            ModelConfig::DarkNeutrino(p) => Ok(Some(dark_neutrino::DarkNeutrinoModel::new(p)?)),
            _ => Ok(None),
        }
    }

    /// Name of the preset.
    #[must_use]
    pub fn preset(&self) -> &'static str {
        match self {
            ModelConfig::Sm {} => "sm",
            ModelConfig::DarkNeutrino(_) => "dark_neutrino",
            ModelConfig::Free { .. } => "free",
            ModelConfig::DarkPhoton { .. } => "dark_photon",
            ModelConfig::BMinusL { .. } => "b_minus_l",
            ModelConfig::LmuMinusLtau { .. } => "lmu_minus_ltau",
            ModelConfig::LmuPlusLtauB1 { .. } => "lmu_plus_ltau_b1",
            ModelConfig::RightHanded { .. } => "right_handed",
        }
    }

    /// Validate and build the couplings table.
    ///
    /// # Errors
    /// [`ModelError::Value`] naming the key, the value and the valid range.
    pub fn couplings(&self) -> Result<Couplings, ModelError> {
        match *self {
            ModelConfig::Sm {} => Ok(Couplings::sm()),
            ModelConfig::DarkNeutrino(ref p) => {
                // The Z' couplings table of the model: vector couplings to charged leptons (kinetic
                // mixing is lepton universal) and quarks; its couplings to the light neutrinos are
                // O(U^2 g_D) through the N admixture and are set to zero here.
                let m = dark_neutrino::DarkNeutrinoModel::new(p)?;
                let c = m.couplings;
                Ok(Couplings {
                    mzprime: Some(m.mzprime),
                    g_nu: [0.0; 3],
                    g_lepton: [c.d_e_v; 3],
                    g_lepton_axial: [0.0; 3],
                    g_u: c.d_u_v,
                    g_d: c.d_d_v,
                })
            }
            ModelConfig::Free {
                mzprime,
                g_nu_e,
                g_nu_mu,
                g_nu_tau,
                g_e,
                g_mu,
                g_tau,
                g_e_axial,
                g_mu_axial,
                g_tau_axial,
                g_u,
                g_d,
            } => {
                check_mass(mzprime)?;
                for (k, v) in [
                    ("g_nu_e", g_nu_e),
                    ("g_nu_mu", g_nu_mu),
                    ("g_nu_tau", g_nu_tau),
                    ("g_e", g_e),
                    ("g_mu", g_mu),
                    ("g_tau", g_tau),
                    ("g_e_axial", g_e_axial),
                    ("g_mu_axial", g_mu_axial),
                    ("g_tau_axial", g_tau_axial),
                    ("g_u", g_u),
                    ("g_d", g_d),
                ] {
                    check_coupling(k, v)?;
                }
                Ok(Couplings {
                    mzprime: Some(mzprime),
                    g_nu: [g_nu_e, g_nu_mu, g_nu_tau],
                    g_lepton: [g_e, g_mu, g_tau],
                    g_lepton_axial: [g_e_axial, g_mu_axial, g_tau_axial],
                    g_u,
                    g_d,
                })
            }
            ModelConfig::DarkPhoton { mzprime, epsilon } => {
                check_mass(mzprime)?;
                if !(epsilon.is_finite() && epsilon.abs() <= 1.0) {
                    return Err(ModelError::Value {
                        key: "epsilon".into(),
                        value: epsilon.to_string(),
                        valid: "the kinetic mixing must be finite with |epsilon| <= 1".into(),
                    });
                }
                Ok(presets::dark_photon(mzprime, epsilon))
            }
            ModelConfig::BMinusL { mzprime, gprime } => {
                check_mass(mzprime)?;
                check_coupling("gprime", gprime)?;
                Ok(presets::b_minus_l(mzprime, gprime))
            }
            ModelConfig::LmuMinusLtau { mzprime, gprime } => {
                check_mass(mzprime)?;
                check_coupling("gprime", gprime)?;
                Ok(presets::lmu_minus_ltau(mzprime, gprime))
            }
            ModelConfig::LmuPlusLtauB1 { mzprime, gprime, a } => {
                check_mass(mzprime)?;
                check_coupling("gprime", gprime)?;
                if !a.is_finite() {
                    return Err(ModelError::Value {
                        key: "a".into(),
                        value: a.to_string(),
                        valid: "must be a finite real number".into(),
                    });
                }
                Ok(presets::lmu_plus_ltau_b1(mzprime, gprime, a))
            }
            ModelConfig::RightHanded { mzprime, gprime } => {
                check_mass(mzprime)?;
                check_coupling("gprime", gprime)?;
                Ok(presets::right_handed(mzprime, gprime))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_preset_validates() {
        let m: ModelConfig =
            toml::from_str("preset = \"free\"\nmzprime = 0.01\ng_nu_mu = 1e-5\ng_e = 1e-5")
                .unwrap();
        let c = m.couplings().unwrap();
        assert_eq!(c.g_nu[1], 1e-5);
        let bad: ModelConfig = toml::from_str("preset = \"free\"\nmzprime = -1.0").unwrap();
        let e = bad.couplings().unwrap_err().to_string();
        assert!(e.contains("model.mzprime") && e.contains("> 0"), "{e}");
        let unknown = toml::from_str::<ModelConfig>("preset = \"free\"\nmzprime = 1.0\ng_x = 2.0");
        assert!(unknown.is_err());
        let dn: ModelConfig = toml::from_str("preset = \"dark_neutrino\"\nm4 = 0.42\nmzprime = 0.03\nUmu4 = 9.486833e-4\nalphaD = 0.25\nalpha_epsilon2 = 2e-10\nHNLtype = \"dirac\"").unwrap();
        assert_eq!(dn.preset(), "dark_neutrino");
        assert!(dn.couplings().unwrap().g_e() > 5e-5);
        let e = toml::from_str::<ModelConfig>(
            "preset = \"dark_neutrino\"\nm4 = 0.42\nmzprime = 0.03\nUmu5 = 1e-3",
        );
        assert!(e.unwrap_err().to_string().contains("Umu5"));
        let bad: ModelConfig = toml::from_str("preset = \"dark_neutrino\"\nm4 = -0.42\nmzprime = 0.03\nUmu4 = 1e-3\nalphaD = 0.25\nepsilon = 1e-3").unwrap();
        assert!(bad.couplings().unwrap_err().to_string().contains("m4"));
    }
}
