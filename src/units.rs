//! Physical constants and unit conversions.
//!
//! Natural units inside the crate: energies, momenta and masses in GeV, with hbar = c = 1.
//! Lengths, areas and times enter and leave through the multiplier constants below: multiply a value
//! in cm by [`CM`] to get GeV^-1, divide a cross section in GeV^-2 by [`CM2`] to get cm^2.
//!
//! One edition for the whole crate: **PDG 2024** (S. Navas et al., Phys. Rev. D 110, 030001 (2024)),
//! "Physical constants" table and the electroweak review, unless a line says otherwise. Where a peer
//! generator (DarkNews 0.4.8) uses a different value, the line says so; conventions that matter for a
//! comparison are selectable in the model, never silently swapped here.

/// Fermi coupling constant G_F / (hbar c)^3, GeV^-2. PDG 2024: 1.1663788(6)e-5.
pub const G_F: f64 = 1.166_378_8e-5;

/// Fermi coupling constant, GeV^-2, CODATA 2018 value 1.1663787(6)e-5 (PDG 2022 and earlier). Not the
/// crate default ([`G_F`] is); provided because the oscillation reference tables of `shared/reference`
/// (and nuSQuIDS 1.13) use it, see `oscillation::PhysicalConstants::REFERENCE_TABLES`.
pub const G_F_CODATA_2018: f64 = 1.166_378_7e-5;

/// Fine-structure constant at Q^2 = 0, alpha(0) = 1/137.035999084 (PDG 2024 / CODATA 2018).
pub const ALPHA_EM: f64 = 1.0 / 137.035_999_084;

/// Electron mass, GeV. PDG 2024: 0.51099895000 MeV.
pub const M_E: f64 = 0.510_998_950_00e-3;
/// Muon mass, GeV. PDG 2024: 105.6583755 MeV.
pub const M_MU: f64 = 0.105_658_375_5;
/// Tau mass, GeV. PDG 2024: 1776.93 MeV.
pub const M_TAU: f64 = 1.776_93;
/// Proton mass, GeV. PDG 2024: 938.27208816 MeV.
pub const M_P: f64 = 0.938_272_088_16;
/// Neutron mass, GeV. PDG 2024: 939.56542052 MeV.
pub const M_N: f64 = 0.939_565_420_52;
/// Atomic mass unit u, GeV. PDG 2024: 931.49410242 MeV.
pub const AMU: f64 = 0.931_494_102_42;
/// Charged-pion mass, GeV. PDG 2024: 139.57039 MeV.
pub const M_PI_CHARGED: f64 = 0.139_570_39;
/// Charged-pion mean life, s. PDG 2024: 2.6033e-8 s.
pub const TAU_PI_CHARGED_S: f64 = 2.6033e-8;
/// Muon mean life, s. PDG 2024: 2.1969811e-6 s.
pub const TAU_MU_S: f64 = 2.196_981_1e-6;
/// One MeV in GeV.
pub const MEV: f64 = 1.0e-3;
/// One joule in GeV: 1 / (1.602176634e-10 J/GeV) (exact, SI 2019).
pub const JOULE_GEV: f64 = 1.0 / 1.602_176_634e-10;
/// W boson mass, GeV. PDG 2024 world average: 80.3692 GeV.
pub const M_W: f64 = 80.369_2;
/// Z boson mass, GeV. PDG 2024: 91.1880 GeV.
pub const M_Z: f64 = 91.188_0;

/// Weak mixing angle used by every low-energy process (nu-e elastic scattering, CEvNS, NSI):
/// the MS-bar value run to Q^2 -> 0, sin^2 theta_W(0) = 0.23857 (PDG 2024 electroweak review,
/// eq. (10.31), from Erler & Ferro-Luna, PRD 97 (2018) 073003). The processes of this crate live at
/// Q^2 below (1 GeV)^2 where the running from 0 is below 0.3%, so one value serves all of them.
pub const SIN2_THETA_W: f64 = 0.238_57;

/// MS-bar weak mixing angle at the Z pole, sin^2 theta_W(M_Z) = 0.23129 (PDG 2024). Reported in
/// the metadata for reference; not used in a formula.
pub const SIN2_THETA_W_MZ: f64 = 0.231_29;

/// On-shell weak mixing angle as DarkNews 0.4.8 uses it (`const.s2w = 0.22343`, i.e. 1 - M_W^2/M_Z^2
/// with its masses). Used only by the DarkNews-compatible three-portal coupling derivation, where it
/// fixes the Z-Z' mixing; see `model::dark_neutrino`.
pub const SIN2_THETA_W_ON_SHELL_DARKNEWS: f64 = 0.223_43;

/// hbar c, GeV cm, at full double precision: h c / (2 pi e) from the exact SI-2019 defining constants
/// h = 6.62607015e-34 J s, c = 299792458 m/s, e = 1.602176634e-19 C, i.e. 197.326980459302466... MeV fm (the literal is that value rounded to the nearest f64).
/// PDG 2024 prints the same exact value truncated, 197.3269804... MeV fm; the truncation (3e-10
/// relative) would shift oscillation phases of ~1e4 rad (sterile Dm41^2 ~ 1 eV^2 at long baselines) by
/// ~3e-6 rad, so the full value is used.
pub const HBARC_GEV_CM: f64 = 1.973_269_804_593_024_8e-14;
/// (hbar c)^2, GeV^2 cm^2: the factor that turns GeV^-2 into cm^2. PDG 2024: 0.3893793721 GeV^2 mb.
pub const HBARC2_GEV2_CM2: f64 = 0.389_379_372_1e-27;
/// hbar, GeV s. PDG 2024: 6.582119569e-25 GeV s.
pub const HBAR_GEV_S: f64 = 6.582_119_569e-25;
/// Speed of light, cm/s (exact).
pub const C_CM_PER_S: f64 = 2.997_924_58e10;
/// Avogadro's number, mol^-1 (exact, SI 2019).
pub const AVOGADRO: f64 = 6.022_140_76e23;

/// One electronvolt in natural units (GeV): multiply an energy or mass in eV by this (a mass squared
/// in eV^2 by `EV * EV`).
pub const EV: f64 = 1.0e-9;
/// One centimetre in natural units (GeV^-1): multiply a length in cm by this.
pub const CM: f64 = 1.0 / HBARC_GEV_CM;
/// One square centimetre in natural units (GeV^-2): divide a cross section in GeV^-2 by this to get cm^2.
pub const CM2: f64 = CM * CM;
/// One metre in natural units (GeV^-1).
pub const METER: f64 = 100.0 * CM;
/// One kilometre in natural units (GeV^-1).
pub const KM: f64 = 1.0e5 * CM;
/// One femtometre in natural units (GeV^-1).
pub const FM: f64 = 1.0e-13 * CM;
/// One second in natural units (GeV^-1).
pub const SECOND: f64 = 1.0 / HBAR_GEV_S;
/// One metric ton in grams.
pub const TONNE_G: f64 = 1.0e6;
/// One gram in GeV (mass): 1 g = AVOGADRO u... expressed via u: 1 g / (1 u in g) * u.
/// 1 u = 1/AVOGADRO g (exact in the 2019 SI to the precision used here).
pub const GRAM_GEV: f64 = AVOGADRO * AMU;

/// Convert a cross section from GeV^-2 to cm^2.
#[inline]
#[must_use]
pub fn gev2_to_cm2(sigma_gev2: f64) -> f64 {
    sigma_gev2 * HBARC2_GEV2_CM2
}

/// Convert a width (GeV) to a proper decay length c tau in cm.
#[inline]
#[must_use]
pub fn ctau_cm(width_gev: f64) -> f64 {
    HBARC_GEV_CM / width_gev
}

/// The Källén function lambda(x, y, z) = x^2 + y^2 + z^2 - 2xy - 2xz - 2yz.
#[inline]
#[must_use]
pub fn kallen(x: f64, y: f64, z: f64) -> f64 {
    x * x + y * y + z * z - 2.0 * (x * y + x * z + y * z)
}

/// Every constant by name with its value, for the output metadata.
#[must_use]
pub fn constants_table() -> Vec<(&'static str, f64)> {
    vec![
        ("G_F_GeV-2", G_F),
        ("alpha_em_0", ALPHA_EM),
        ("m_e_GeV", M_E),
        ("m_mu_GeV", M_MU),
        ("m_tau_GeV", M_TAU),
        ("m_p_GeV", M_P),
        ("m_n_GeV", M_N),
        ("amu_GeV", AMU),
        ("m_W_GeV", M_W),
        ("m_Z_GeV", M_Z),
        ("sin2_theta_W_low_Q2", SIN2_THETA_W),
        ("sin2_theta_W_MSbar_MZ", SIN2_THETA_W_MZ),
        (
            "sin2_theta_W_on_shell_darknews",
            SIN2_THETA_W_ON_SHELL_DARKNEWS,
        ),
        ("hbarc_GeV_cm", HBARC_GEV_CM),
        ("hbarc2_GeV2_cm2", HBARC2_GEV2_CM2),
        ("hbar_GeV_s", HBAR_GEV_S),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_consistent() {
        // (hbar c)^2 from hbar c, to the 1e-9 that the two PDG entries agree to.
        assert!((HBARC_GEV_CM * HBARC_GEV_CM / HBARC2_GEV2_CM2 - 1.0).abs() < 1e-9);
        // 1 cm^2 expressed in GeV^-2 and back.
        assert!((gev2_to_cm2(CM2) - 1.0).abs() < 1e-9);
        // hbar c = hbar * c
        assert!((HBAR_GEV_S * C_CM_PER_S / HBARC_GEV_CM - 1.0).abs() < 1e-9);
        // 12 u in GeV is the C-12 atomic mass.
        assert!((12.0 * AMU - 11.177_929).abs() < 1e-5);
    }

    #[test]
    fn kallen_of_two_body_momentum() {
        // p* = sqrt(lambda(M^2, m1^2, m2^2)) / (2M); pion decay to mu nu: 29.79 MeV.
        let p = kallen(M_PI_CHARGED.powi(2), M_MU.powi(2), 0.0).sqrt() / (2.0 * M_PI_CHARGED);
        assert!((p - 0.029_792).abs() < 1e-5);
    }
}
