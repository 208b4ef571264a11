//! Validated physics parameters: constants, mixing, sterile sector, NSI couplings, model choice.
//!
//! Units at this boundary: Delta m^2 in eV^2, angles as sin^2 (dimensionless), phases in radians.
//! Everything is checked on construction (parse -> validate -> build); afterwards the hot path
//! trusts the values.

use std::fmt;

use nalgebra::Matrix3;
use num_complex::Complex64;
use serde::{Deserialize, Serialize};

#[cfg(doc)]
use super::error::OscillationError;
use super::error::{finite, sin_squared, Result};
use crate::units;

/// The constants that enter the oscillation phases and the matter potential.
///
/// `V_CC = sqrt(2) G_F N_e` with `N_e = rho Y_e N_A` (m_N = 1 g / N_A, the atomic mass unit), and
/// `1 km = 1e5 / (hbar c [GeV cm])` GeV^-1. Two sets are provided: [`Self::REFERENCE_TABLES`] (the
/// default: the constants the reference tables in `shared/reference/oscillation` and nuSQuIDS 1.13
/// use) and [`Self::PDG_2024`] (the crate's scattering constants, from [`crate::units`]). They differ only in G_F, by 8.6e-8
/// relative; on the reference tables that moves probabilities by up to 3.8e-7 (the nuSSI alpha = 150
/// table, where the sterile potential is 75 V_CC), and more at larger alpha or longer baselines,
/// hence the default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhysicalConstants {
    /// Fermi constant G_F, GeV^-2.
    pub g_f: f64,
    /// hbar c, GeV cm.
    pub hbarc_gev_cm: f64,
    /// Avogadro's number, mol^-1 (nucleons per gram, up to the atomic-mass-unit convention).
    pub avogadro: f64,
}

impl PhysicalConstants {
    /// PDG 2024: G_F = 1.1663788e-5 GeV^-2, hbar c exact (SI 2019), N_A exact (SI 2019).
    pub const PDG_2024: Self = Self {
        g_f: units::G_F,
        hbarc_gev_cm: units::HBARC_GEV_CM,
        avogadro: units::AVOGADRO,
    };

    /// The constants of the reference tables (README of `shared/reference/oscillation`):
    /// G_F = 1.1663787e-5 GeV^-2 (CODATA 2018), hbar c exact, N_A exact.
    pub const REFERENCE_TABLES: Self = Self {
        g_f: units::G_F_CODATA_2018,
        hbarc_gev_cm: units::HBARC_GEV_CM,
        avogadro: units::AVOGADRO,
    };

    /// One kilometre in natural units, GeV^-1: `1e5 cm / (hbar c)`.
    #[must_use]
    pub fn km(&self) -> f64 {
        1.0e5 / self.hbarc_gev_cm
    }

    /// Charged-current (Wolfenstein) potential `V_CC = sqrt(2) G_F N_e`, in GeV, of matter with density
    /// `density_g_cm3` (g/cm^3) and electron fraction `electron_fraction` (dimensionless):
    /// `N_e = rho Y_e N_A` cm^-3, converted to GeV^3 with `(hbar c)^3`.
    ///
    /// Source: L. Wolfenstein, Phys. Rev. D 17 (1978) 2369; S. P. Mikheyev and A. Yu. Smirnov,
    /// Sov. J. Nucl. Phys. 42 (1985) 913. For 1 g/cm^3 and Y_e = 1 this is 7.63246622474974e-14 eV
    /// with [`Self::REFERENCE_TABLES`].
    #[must_use]
    pub fn v_cc_gev(&self, density_g_cm3: f64, electron_fraction: f64) -> f64 {
        // N_e in GeV^3: cm^-3 times (GeV cm)^3.
        let n_e = density_g_cm3 * electron_fraction * self.avogadro * self.hbarc_gev_cm.powi(3);
        std::f64::consts::SQRT_2 * self.g_f * n_e
    }
}

impl Default for PhysicalConstants {
    /// [`PhysicalConstants::REFERENCE_TABLES`].
    fn default() -> Self {
        Self::REFERENCE_TABLES
    }
}

/// Which oscillation model; the spelling is the configuration's `model` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModelKind {
    /// Standard three-flavour oscillations (vacuum or matter).
    #[serde(rename = "3nu")]
    ThreeNu,
    /// Three flavours with neutral-current non-standard interactions.
    #[serde(rename = "nsi")]
    Nsi,
    /// Standard 3+1 (one sterile state, no secret interaction; `nussi` with alpha = 0).
    #[serde(rename = "3p1")]
    ThreePlusOne,
    /// 3+1 with the secret interaction of the sterile state (Tabrizi & Peres), strength alpha.
    #[serde(rename = "nussi")]
    NuSsi,
}

impl ModelKind {
    /// The configuration spelling: `"3nu"`, `"nsi"`, `"3p1"` or `"nussi"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ThreeNu => "3nu",
            Self::Nsi => "nsi",
            Self::ThreePlusOne => "3p1",
            Self::NuSsi => "nussi",
        }
    }

    /// Number of neutrino states propagated: 3, or 4 for the 3+1 models.
    #[must_use]
    pub fn n_flavours(self) -> usize {
        match self {
            Self::ThreeNu | Self::Nsi => 3,
            Self::ThreePlusOne | Self::NuSsi => 4,
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Three-flavour mixing and mass splittings in the PDG parametrisation.
///
/// `theta_ij = arcsin(sqrt(s_ij^2))` in [0, pi/2]; `Dm31^2 = m3^2 - m1^2` (> 0 normal, < 0 inverted
/// ordering); `delta_cp` in radians.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixingParameters {
    dm21_ev2: f64,
    dm31_ev2: f64,
    s12sq: f64,
    s13sq: f64,
    s23sq: f64,
    delta_cp: f64,
}

impl MixingParameters {
    /// Validate and store. Units: `dm21_ev2`, `dm31_ev2` in eV^2; `s_ij^2` dimensionless;
    /// `delta_cp` in radians.
    ///
    /// # Errors
    /// [`OscillationError::NotFinite`] for a non-finite value, [`OscillationError::OutOfRange`] for a
    /// `s_ij^2` outside [0, 1]. The parameters are named as in the configuration (`dm21`, `s12sq`, ...).
    pub fn new(
        dm21_ev2: f64,
        dm31_ev2: f64,
        s12sq: f64,
        s13sq: f64,
        s23sq: f64,
        delta_cp: f64,
    ) -> Result<Self> {
        Ok(Self {
            dm21_ev2: finite("dm21", dm21_ev2)?,
            dm31_ev2: finite("dm31", dm31_ev2)?,
            s12sq: sin_squared("s12sq", s12sq)?,
            s13sq: sin_squared("s13sq", s13sq)?,
            s23sq: sin_squared("s23sq", s23sq)?,
            delta_cp: finite("delta_cp", delta_cp)?,
        })
    }

    /// Delta m^2_21, eV^2.
    #[must_use]
    pub fn dm21_ev2(&self) -> f64 {
        self.dm21_ev2
    }
    /// Delta m^2_31 = m3^2 - m1^2, eV^2.
    #[must_use]
    pub fn dm31_ev2(&self) -> f64 {
        self.dm31_ev2
    }
    /// sin^2 theta_12.
    #[must_use]
    pub fn s12sq(&self) -> f64 {
        self.s12sq
    }
    /// sin^2 theta_13.
    #[must_use]
    pub fn s13sq(&self) -> f64 {
        self.s13sq
    }
    /// sin^2 theta_23.
    #[must_use]
    pub fn s23sq(&self) -> f64 {
        self.s23sq
    }
    /// Dirac CP phase, radians.
    #[must_use]
    pub fn delta_cp(&self) -> f64 {
        self.delta_cp
    }

    /// The same parameters with `delta_cp` replaced (used for T/CP identities).
    #[must_use]
    pub fn with_delta_cp(mut self, delta_cp: f64) -> Self {
        self.delta_cp = delta_cp;
        self
    }
}

/// The sterile sector of 3+1: `Dm41^2 = m4^2 - m1^2` (eV^2) and sin^2 of theta_14, theta_24, theta_34.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SterileParameters {
    dm41_ev2: f64,
    s14sq: f64,
    s24sq: f64,
    s34sq: f64,
}

impl SterileParameters {
    /// Validate and store. Units: `dm41_ev2` in eV^2, `s_i4^2` dimensionless.
    ///
    /// # Errors
    /// [`OscillationError::NotFinite`] / [`OscillationError::OutOfRange`] (`s_i4^2` outside [0, 1]),
    /// naming `dm41`, `s14sq`, `s24sq` or `s34sq`.
    pub fn new(dm41_ev2: f64, s14sq: f64, s24sq: f64, s34sq: f64) -> Result<Self> {
        Ok(Self {
            dm41_ev2: finite("dm41", dm41_ev2)?,
            s14sq: sin_squared("s14sq", s14sq)?,
            s24sq: sin_squared("s24sq", s24sq)?,
            s34sq: sin_squared("s34sq", s34sq)?,
        })
    }

    /// Delta m^2_41, eV^2.
    #[must_use]
    pub fn dm41_ev2(&self) -> f64 {
        self.dm41_ev2
    }
    /// sin^2 theta_14.
    #[must_use]
    pub fn s14sq(&self) -> f64 {
        self.s14sq
    }
    /// sin^2 theta_24.
    #[must_use]
    pub fn s24sq(&self) -> f64 {
        self.s24sq
    }
    /// sin^2 theta_34.
    #[must_use]
    pub fn s34sq(&self) -> f64 {
        self.s34sq
    }
}

/// Neutral-current NSI couplings `eps^f_{ab}` for f = e, u, d, as complex Hermitian 3x3 matrices in
/// the (e, mu, tau) basis; `eps^f_{ab}` is the entry in row a, column b of the Hamiltonian.
///
/// Convention (Y. Farzan and M. Tortola, Front. Phys. 6 (2018) 10, arXiv:1710.09360, the matter Hamiltonian of NC NSI):
/// `H_mat = V_CC [diag(1, 0, 0) + sum_f (N_f / N_e) eps^f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NsiCouplings {
    electron: Matrix3<Complex64>,
    up: Matrix3<Complex64>,
    down: Matrix3<Complex64>,
}

/// The six independent entries of one Hermitian NSI matrix: diagonal entries real, the lower
/// triangle is the conjugate of the upper one.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NsiEntries {
    /// eps_ee (real).
    pub ee: f64,
    /// eps_emu.
    pub emu: Complex64,
    /// eps_etau.
    pub etau: Complex64,
    /// eps_mumu (real).
    pub mumu: f64,
    /// eps_mutau.
    pub mutau: Complex64,
    /// eps_tautau (real).
    pub tautau: f64,
}

impl NsiEntries {
    fn to_matrix(self, target: &'static str) -> Result<Matrix3<Complex64>> {
        let re = |name: &str, v: f64| finite(format!("nsi.{target}.{name}"), v);
        let cx = |name: &str, v: Complex64| -> Result<Complex64> {
            Ok(Complex64::new(
                finite(format!("nsi.{target}.{name}[0]"), v.re)?,
                finite(format!("nsi.{target}.{name}[1]"), v.im)?,
            ))
        };
        let (ee, mumu, tautau) = (
            re("ee", self.ee)?,
            re("mumu", self.mumu)?,
            re("tautau", self.tautau)?,
        );
        let (emu, etau, mutau) = (
            cx("emu", self.emu)?,
            cx("etau", self.etau)?,
            cx("mutau", self.mutau)?,
        );
        let r = |x: f64| Complex64::new(x, 0.0);
        Ok(Matrix3::new(
            r(ee),
            emu,
            etau,
            emu.conj(),
            r(mumu),
            mutau,
            etau.conj(),
            mutau.conj(),
            r(tautau),
        ))
    }
}

impl NsiCouplings {
    /// Build from the independent entries for electrons, up quarks and down quarks.
    ///
    /// # Errors
    /// [`OscillationError::NotFinite`] naming the entry (e.g. `nsi.d.emu[1]`).
    pub fn new(electron: NsiEntries, up: NsiEntries, down: NsiEntries) -> Result<Self> {
        Ok(Self {
            electron: electron.to_matrix("e")?,
            up: up.to_matrix("u")?,
            down: down.to_matrix("d")?,
        })
    }

    /// All couplings zero (the standard three-flavour model).
    #[must_use]
    pub fn zero() -> Self {
        Self {
            electron: Matrix3::zeros(),
            up: Matrix3::zeros(),
            down: Matrix3::zeros(),
        }
    }

    /// Hermitian eps^e, eps^u, eps^d.
    #[must_use]
    pub fn matrices(&self) -> [&Matrix3<Complex64>; 3] {
        [&self.electron, &self.up, &self.down]
    }

    /// Effective coupling `eps = eps^e + (N_u/N_e) eps^u + (N_d/N_e) eps^d` of neutral matter with
    /// electron fraction Y_e: `N_n/N_e = (1 - Y_e)/Y_e`, `N_u/N_e = 2 + N_n/N_e`,
    /// `N_d/N_e = 1 + 2 N_n/N_e` (so 3 and 3 at Y_e = 0.5).
    #[must_use]
    pub fn effective(&self, electron_fraction: f64) -> Matrix3<Complex64> {
        let n_ratio = neutron_to_electron_ratio(electron_fraction);
        let c = |x: f64| Complex64::new(x, 0.0);
        self.electron + self.up * c(2.0 + n_ratio) + self.down * c(1.0 + 2.0 * n_ratio)
    }

    /// The complex conjugate couplings (eps -> eps^*), the T-conjugate model.
    #[must_use]
    pub fn conjugate(&self) -> Self {
        Self {
            electron: self.electron.conjugate(),
            up: self.up.conjugate(),
            down: self.down.conjugate(),
        }
    }
}

/// `N_n / N_e = (1 - Y_e) / Y_e` for electrically neutral matter (N_p = N_e).
#[must_use]
pub fn neutron_to_electron_ratio(electron_fraction: f64) -> f64 {
    (1.0 - electron_fraction) / electron_fraction
}

/// A validated oscillation model: the mixing parameters plus whatever the model adds.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "built once per run, never in a hot loop"
)]
pub enum OscillationModel {
    /// Standard three flavours.
    ThreeFlavour(MixingParameters),
    /// Three flavours with NC NSI.
    Nsi(MixingParameters, NsiCouplings),
    /// 3+1 with secret-interaction strength `alpha = G_X / G_F` (alpha = 0: standard 3+1).
    Sterile {
        /// Active mixing (delta_cp sits on R13 as in the PDG matrix).
        mixing: MixingParameters,
        /// Sterile mass splitting and angles.
        sterile: SterileParameters,
        /// alpha = G_X / G_F (dimensionless, any finite value).
        alpha: f64,
    },
}

impl OscillationModel {
    /// Build a 3+1 model, checking alpha.
    ///
    /// # Errors
    /// [`OscillationError::NotFinite`] if `alpha` is not finite.
    pub fn sterile(
        mixing: MixingParameters,
        sterile: SterileParameters,
        alpha: f64,
    ) -> Result<Self> {
        Ok(Self::Sterile {
            mixing,
            sterile,
            alpha: finite("alpha", alpha)?,
        })
    }

    /// The active-sector mixing parameters.
    #[must_use]
    pub fn mixing(&self) -> &MixingParameters {
        match self {
            Self::ThreeFlavour(m) | Self::Nsi(m, _) | Self::Sterile { mixing: m, .. } => m,
        }
    }

    /// Number of propagated states (3 or 4).
    #[must_use]
    pub fn n_flavours(&self) -> usize {
        match self {
            Self::ThreeFlavour(_) | Self::Nsi(..) => 3,
            Self::Sterile { .. } => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscillation::error::OscillationError;

    #[test]
    fn reference_derived_constants() {
        let c = PhysicalConstants::REFERENCE_TABLES;
        // README: 1 km = 5067730716.156396 eV^-1.
        let km_ev = c.km() * units::EV;
        assert!(
            (km_ev / 5_067_730_716.156_396 - 1.0).abs() < 1e-15,
            "{km_ev}"
        );
        // README: V_CC = 7.63246622474974e-14 eV * rho * Y_e.
        let v = c.v_cc_gev(1.0, 1.0) / units::EV;
        assert!((v / 7.632_466_224_749_74e-14 - 1.0).abs() < 1e-14, "{v}");
        // README: Dm^2 L / (4E) = 1.266932679039099 * dm2[eV^2] * L[km] / E[GeV].
        let k = units::EV * units::EV * c.km() / 4.0;
        assert!((k / 1.266_932_679_039_099 - 1.0).abs() < 1e-15, "{k}");
    }

    #[test]
    fn sin_squared_out_of_range_names_parameter() {
        let err = MixingParameters::new(7.5e-5, 2.4e-3, 1.2, 0.02, 0.5, 0.0).unwrap_err();
        assert_eq!(
            err,
            OscillationError::OutOfRange {
                name: "s12sq".into(),
                value: 1.2,
                range: "[0, 1]"
            }
        );
        assert!(err.to_string().contains("s12sq"));
        let err = SterileParameters::new(f64::NAN, 0.0, 0.0, 0.0).unwrap_err();
        assert!(matches!(err, OscillationError::NotFinite { ref name, .. } if name == "dm41"));
    }

    #[test]
    fn effective_nsi_at_half_electron_fraction() {
        let d = NsiEntries {
            emu: Complex64::from_polar(0.1, std::f64::consts::FRAC_PI_3),
            ..NsiEntries::default()
        };
        let nsi = NsiCouplings::new(NsiEntries::default(), NsiEntries::default(), d).unwrap();
        let eff = nsi.effective(0.5);
        let expected = Complex64::from_polar(0.3, std::f64::consts::FRAC_PI_3);
        assert!((eff[(0, 1)] - expected).norm() < 1e-15);
        assert!((eff[(1, 0)] - expected.conj()).norm() < 1e-15);
    }
}
