//! Presets that fill the couplings table ([`Couplings`]) from a few parameters, and the derived
//! non-standard interactions (NSI).
//!
//! Every coupling below is the coefficient g_f of `L = - Z'_mu sum_f g_f f-bar gamma^mu f` (and
//! `g_nu` of the left-handed neutrino current), the sign convention of the SM Z Lagrangian (see
//! [`crate::model`]). Signs matter: a Z' with g_nu g_e > 0 interferes destructively with the SM
//! nu_mu-e amplitude's g_L; in CEvNS a Z' with g_nu Q' < 0 adds constructively to Q_W.
//!
//! | preset | parameters | charges | source |
//! |---|---|---|---|
//! | `dark_photon` | `mzprime`, `epsilon` | e eps Q_f (+ O(m_Z'^2/m_Z^2) Z-like part) | Holdom, PLB 166 (1986) 196; Lindner et al. arXiv:1803.00060 sec. 2 |
//! | `b_minus_l` | `mzprime`, `gprime` | g' (B - L): quarks +1/3, leptons -1 | physics sheet item 6; Lindner et al. arXiv:1803.00060 |
//! | `lmu_minus_ltau` | `mzprime`, `gprime` | g' on mu, nu_mu (+1), tau, nu_tau (-1); loop kinetic mixing eps = e g' ln(m_tau^2/m_mu^2)/(12 pi^2) to e, quarks | He, Joshi, Lew, Volkas PRD 43 (1991) 22; Araki et al., PRD 91 (2015) 037301, eq. (4) |
//! | `lmu_plus_ltau_b1` | `mzprime`, `gprime`, `a` | g' (L_mu + L_tau + B_1 - a B_2 - (3 - a) B_3) | Farzan, PLB 748 (2015) 311, arXiv:1505.06906 |
//! | `right_handed` | `mzprime`, `gprime` | U(1)_R: right-handed fermions charged T_3R; light X couples to g' (T_3 - s_W^2 Q), vector | Alikhanov & Paschos, Universe 7 (2021) 204, arXiv:2106.12364 |
//! | `free` | every coupling | by hand | — |

use super::Couplings;
use crate::oscillation::{NsiCouplings, NsiEntries};
use crate::units::{ALPHA_EM, G_F, M_MU, M_TAU, M_Z, SIN2_THETA_W};
use std::f64::consts::{PI, SQRT_2};

/// Elementary charge e = sqrt(4 pi alpha(0)) (dimensionless in natural units).
#[must_use]
pub fn electric_charge() -> f64 {
    (4.0 * PI * ALPHA_EM).sqrt()
}

/// Dark photon of kinetic mixing `epsilon` and mass `mzprime` GeV: to first order in epsilon,
/// the light mass eigenstate couples to
///
/// ```text
/// g_f = e eps [ Q_f (1 - r - s_W^2) + T3_f r / 2 ] / ( c_W^2 (1 - r) ),   r = m_Z'^2 / m_Z^2
/// ```
///
/// (vector parts; T3 of the left-handed component), which is e eps Q_f for r -> 0; derived by
/// diagonalising the kinetic mixing with hypercharge, chi = eps / c_W, and the Z-Z' mass mixing
/// (Babu, Kolda, March-Russell, PRD 57 (1998) 6788; the same structure as the three-portal
/// couplings of physics sheet item 3 without the dark sector). The neutrino coupling,
/// g_nu = e eps r / (2 c_W^2 (1 - r)), is O(m_Z'^2/m_Z^2): a dark photon barely touches nu-e and
/// CEvNS. The axial parts, also O(r), are dropped. Valid for m_Z' well below m_Z.
#[must_use]
pub fn dark_photon(mzprime: f64, epsilon: f64) -> Couplings {
    let r = (mzprime / M_Z).powi(2);
    let s2 = SIN2_THETA_W;
    let c2 = 1.0 - s2;
    let e = electric_charge();
    let g = |q: f64, t3: f64| e * epsilon * (q * (1.0 - r - s2) + 0.5 * t3 * r) / (c2 * (1.0 - r));
    let g_nu = g(0.0, 0.5);
    let g_l = g(-1.0, -0.5);
    Couplings {
        mzprime: Some(mzprime),
        g_nu: [g_nu; 3],
        g_lepton: [g_l; 3],
        g_lepton_axial: [0.0; 3],
        g_u: g(2.0 / 3.0, 0.5),
        g_d: g(-1.0 / 3.0, -0.5),
    }
}

/// Gauged B - L with coupling `gprime`: g_nu = g_l = -g', g_u = g_d = +g'/3.
#[must_use]
pub fn b_minus_l(mzprime: f64, gprime: f64) -> Couplings {
    Couplings {
        mzprime: Some(mzprime),
        g_nu: [-gprime; 3],
        g_lepton: [-gprime; 3],
        g_lepton_axial: [0.0; 3],
        g_u: gprime / 3.0,
        g_d: gprime / 3.0,
    }
}

/// The loop-induced kinetic mixing of L_mu - L_tau at q^2 -> 0 (muon and tau loops; finite because
/// the charges sum to zero): eps = e g' ln(m_tau^2 / m_mu^2) / (12 pi^2) ~ g'/69 (Araki, Hoshino,
/// Ota, Sato, Shimomura, PRD 95 (2017) 055006; Kamada & Yu, PRD 92 (2015) 113004).
/// The induced couplings are g_f = e eps Q_f with the sign of the muon loop (derived from the
/// vacuum polarisation, lighter loop dominates): g_e = -e eps for g' > 0. The q^2 dependence of the
/// loop (below 1% for q^2 << m_mu^2, i.e. for nu-e and CEvNS at MeV energies) is neglected.
#[must_use]
pub fn lmu_minus_ltau_mixing(gprime: f64) -> f64 {
    electric_charge() * gprime * (M_TAU * M_TAU / (M_MU * M_MU)).ln() / (12.0 * PI * PI)
}

/// Gauged L_mu - L_tau with coupling `gprime` (He, Joshi, Lew, Volkas, PRD 43 (1991) 22): g' on mu
/// and nu_mu, -g' on tau and nu_tau, plus the loop-induced e eps Q_f on electrons and quarks
/// ([`lmu_minus_ltau_mixing`]).
#[must_use]
pub fn lmu_minus_ltau(mzprime: f64, gprime: f64) -> Couplings {
    let k = electric_charge() * lmu_minus_ltau_mixing(gprime);
    Couplings {
        mzprime: Some(mzprime),
        g_nu: [0.0, gprime, -gprime],
        g_lepton: [-k, gprime - k, -gprime - k],
        g_lepton_axial: [0.0; 3],
        g_u: 2.0 / 3.0 * k,
        g_d: -1.0 / 3.0 * k,
    }
}

/// Farzan's U(1)' (PLB 748 (2015) 311, arXiv:1505.06906, eq. (1)): charges
/// L_mu + L_tau + B_1 - a B_2 - (3 - a) B_3, so nu_mu, nu_tau, mu, tau carry g', the first-generation
/// quarks u, d carry g'/3 (baryon number 1/3) and electrons and nu_e nothing; the parameter `a` only
/// moves the charges of the second and third quark generations (anomaly cancellation), which do
/// not enter nu-e, CEvNS or NSI in ordinary matter. Built to give NSI eps^u_{mumu} = eps^u_{tautau}
/// of order one (the LMA-Dark solution) with g' ~ 1e-4 at m_Z' ~ 10 MeV ([`nsi_epsilon`]).
#[must_use]
pub fn lmu_plus_ltau_b1(mzprime: f64, gprime: f64, _a: f64) -> Couplings {
    Couplings {
        mzprime: Some(mzprime),
        g_nu: [0.0, gprime, gprime],
        g_lepton: [0.0, gprime, gprime],
        g_lepton_axial: [0.0; 3],
        g_u: gprime / 3.0,
        g_d: gprime / 3.0,
    }
}

/// The chiral U(1)_R of Alikhanov & Paschos (Universe 7 (2021) 204, arXiv:2106.12364, sec. 2):
/// only right-handed fermions carry charge, T_3R (u_R, nu_R: +1/2; d_R, e_R: -1/2), with one
/// coupling `gprime`. The Higgs doublet must then carry charge 1/2 for the Yukawa couplings, so the
/// Z and X mix at O(g'/g_Z); the light X mass eigenstate couples, to first order and for
/// m_X << m_Z, to g' [J_R + J_Z] = g' sum_f (T3_L P_L + T3_R P_R - s_W^2 Q) — a pure vector current
/// (the "residual tau_3R symmetry"):
///
/// ```text
/// g_nu = g'/2,  g_e = g' (-1/2 + s_W^2),  g_u = g' (1/2 - 2/3 s_W^2),  g_d = g' (-1/2 + 1/3 s_W^2)
/// ```
///
/// so one coupling relates nu-e, nu-bar-e and CEvNS (whose Z' nuclear charge is then
/// Q' = -(g'/2) [N - (1 - 2 s_W^2) Z], so g_nu Q' < 0: always constructive). This coupling pattern is our derivation from the model's charges (the paper's
/// own equations could not be retrieved here).
#[must_use]
pub fn right_handed(mzprime: f64, gprime: f64) -> Couplings {
    let s2 = SIN2_THETA_W;
    let g_l = gprime * (-0.5 + s2);
    Couplings {
        mzprime: Some(mzprime),
        g_nu: [0.5 * gprime; 3],
        g_lepton: [g_l; 3],
        g_lepton_axial: [0.0; 3],
        g_u: gprime * (0.5 - 2.0 / 3.0 * s2),
        g_d: gprime * (-0.5 + 1.0 / 3.0 * s2),
    }
}

/// A matter fermion for NSI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatterFermion {
    /// Electron.
    Electron,
    /// Up quark.
    Up,
    /// Down quark.
    Down,
}

/// Neutral-current NSI from the couplings table at Q^2 -> 0 (Farzan, PLB 748 (2015) 311, eq. (7),
/// as the issue states the convention; Farzan & Tortola, Front. Phys. 6 (2018) 10), flavour-diagonal:
///
/// ```text
/// eps^f_{alpha alpha} = g_f g_nu_alpha / ( 2 sqrt(2) G_F m_Z'^2 )
/// ```
///
/// for the effective Lagrangian -2 sqrt(2) G_F eps^f (nu-bar_alpha gamma^mu P_L nu_alpha)
/// (f-bar gamma_mu f). `alpha` is 0, 1, 2 for e, mu, tau. Zero without a Z'.
#[must_use]
pub fn nsi_epsilon(c: &Couplings, f: MatterFermion, alpha: usize) -> f64 {
    let Some(m) = c.mzprime else { return 0.0 };
    let g_f = match f {
        MatterFermion::Electron => c.g_e(),
        MatterFermion::Up => c.g_u,
        MatterFermion::Down => c.g_d,
    };
    g_f * c.g_nu[alpha] / (2.0 * SQRT_2 * G_F * m * m)
}

/// Suppression of the Z' amplitude at momentum transfer Q^2 (GeV^2) relative to the contact (NSI)
/// limit: m_Z'^2 / (Q^2 + m_Z'^2). Scattering (nu-e at Q^2 = 2 m_e T, CEvNS at Q^2 = 2 M T) sees
/// eps x this factor; oscillations (forward scattering, Q^2 = 0) see eps itself.
#[must_use]
pub fn scattering_suppression(mzprime: f64, q2: f64) -> f64 {
    let m2 = mzprime * mzprime;
    m2 / (q2.max(0.0) + m2)
}

/// The NSI of a couplings table as the oscillation module's [`NsiCouplings`] (e, u, d matrices,
/// diagonal).
///
/// # Errors
/// [`crate::oscillation::OscillationError`] if a value is not finite.
pub fn nsi_couplings(c: &Couplings) -> Result<NsiCouplings, crate::oscillation::OscillationError> {
    let entries = |f| NsiEntries {
        ee: nsi_epsilon(c, f, 0),
        mumu: nsi_epsilon(c, f, 1),
        tautau: nsi_epsilon(c, f, 2),
        ..NsiEntries::default()
    };
    NsiCouplings::new(
        entries(MatterFermion::Electron),
        entries(MatterFermion::Up),
        entries(MatterFermion::Down),
    )
}

/// Description of one preset for `nuportal info --presets`: name, parameters, what it is, source.
#[derive(Debug, Clone, Copy)]
pub struct PresetInfo {
    /// Preset name (`[model] preset`).
    pub name: &'static str,
    /// Its parameters (config keys).
    pub parameters: &'static str,
    /// One line on the couplings.
    pub couplings: &'static str,
    /// Where the model comes from.
    pub source: &'static str,
}

/// Every preset.
pub const PRESETS: &[PresetInfo] = &[
    PresetInfo {
        name: "sm",
        parameters: "(none)",
        couplings: "no Z'",
        source: "-",
    },
    PresetInfo {
        name: "free",
        parameters: "mzprime, g_nu_e, g_nu_mu, g_nu_tau, g_e, g_mu, g_tau, g_e_axial, g_mu_axial, g_tau_axial, g_u, g_d",
        couplings: "every coupling by hand (vector; axial for charged leptons, used by nu-e)",
        source: "-",
    },
    PresetInfo {
        name: "dark_photon",
        parameters: "mzprime, epsilon",
        couplings: "e eps Q_f (+ O(mZ'^2/mZ^2) Z-like part, incl. neutrinos)",
        source: "Holdom PLB 166 (1986) 196; Babu, Kolda, March-Russell PRD 57 (1998) 6788",
    },
    PresetInfo {
        name: "b_minus_l",
        parameters: "mzprime, gprime",
        couplings: "g' (B - L): quarks +1/3, leptons and neutrinos -1",
        source: "Lindner, Rodejohann, Xu arXiv:1803.00060",
    },
    PresetInfo {
        name: "lmu_minus_ltau",
        parameters: "mzprime, gprime",
        couplings: "g' on mu/nu_mu, -g' on tau/nu_tau; loop mixing e eps Q_f, eps = e g' ln(mtau^2/mmu^2)/(12 pi^2)",
        source: "He, Joshi, Lew, Volkas PRD 43 (1991) 22; Araki et al. PRD 95 (2017) 055006",
    },
    PresetInfo {
        name: "lmu_plus_ltau_b1",
        parameters: "mzprime, gprime, a",
        couplings: "g' (L_mu + L_tau + B_1 - a B_2 - (3-a) B_3): nu_mu, nu_tau, mu, tau g'; u, d g'/3",
        source: "Farzan PLB 748 (2015) 311, arXiv:1505.06906",
    },
    PresetInfo {
        name: "right_handed",
        parameters: "mzprime, gprime",
        couplings: "U(1)_R (right-handed charges T_3R): light X couples to g'(T_3 - s_W^2 Q), vector; g_nu = g'/2",
        source: "Alikhanov & Paschos, Universe 7 (2021) 204, arXiv:2106.12364",
    },
    PresetInfo {
        name: "dark_neutrino",
        parameters: "m4, mzprime, Ue4, Umu4, Utau4, UD4, alphaD | gD, epsilon | alpha_epsilon2 | chi, HNLtype, charge_convention",
        couplings: "DarkNews three-portal model (heavy N, Z' kinetically mixed)",
        source: "Abdullahi et al. (DarkNews) arXiv:2207.04137",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_photon_is_e_eps_q_at_low_mass() {
        let c = dark_photon(0.01, 1e-3);
        let e = electric_charge();
        assert!((c.g_e() / (-e * 1e-3) - 1.0).abs() < 1e-6);
        assert!((c.g_u / (2.0 / 3.0 * e * 1e-3) - 1.0).abs() < 1e-6);
        assert!(c.g_nu[0].abs() < 1e-8 * e * 1e-3);
    }

    #[test]
    fn lmu_minus_ltau_mixing_is_about_g_over_70() {
        let r = 1.0 / lmu_minus_ltau_mixing(1.0);
        assert!((r - 69.3).abs() < 0.5, "{r}");
    }

    #[test]
    fn right_handed_cevns_charge() {
        // proton T3 - s^2 Q = 1/2 - s^2, neutron -1/2: Q' = -(g'/2) [N - (1 - 2 s^2) Z]
        let c = right_handed(0.01, 1.0);
        let (z, n) = (55.0, 78.0);
        let qp = (2.0 * c.g_u + c.g_d) * z + (c.g_u + 2.0 * c.g_d) * n;
        let want = -0.5 * (n - (1.0 - 2.0 * SIN2_THETA_W) * z);
        assert!((qp - want).abs() < 1e-12, "{qp} {want}");
        assert!(c.g_nu[1] * qp < 0.0, "constructive in CEvNS");
    }

    #[test]
    fn nu_e_shift_is_nsi_times_suppression() {
        // The nu-e amplitude shift delta(T) of every preset equals eps^e x mZ'^2/(2 m_e T + mZ'^2).
        use crate::flux::Flavour;
        use crate::process::nu_electron::NuElectron;
        use crate::units::M_E;
        for c in [
            b_minus_l(0.02, 1e-4),
            right_handed(0.005, 3e-5),
            lmu_minus_ltau(0.1, 1e-3),
        ] {
            let z = NuElectron::with_channels(c, vec![]);
            let sm = NuElectron::with_channels(Couplings::sm(), vec![]);
            for t in [0.0, 1e-4, 3e-3] {
                let (gl, _) = z.chiral_couplings(Flavour::NuMu, t);
                let (gl0, _) = sm.chiral_couplings(Flavour::NuMu, t);
                let m = c.mzprime.unwrap();
                let want = nsi_epsilon(&c, MatterFermion::Electron, 1)
                    * scattering_suppression(m, 2.0 * M_E * t);
                assert!(((gl - gl0) - want).abs() < 1e-12 * want.abs().max(1e-12));
            }
        }
    }

    #[test]
    fn farzan_nsi() {
        // eps^u_{mumu} = (g'/3) g' / (2 sqrt2 G_F mZ'^2) ; ~1 for g' ~ 1e-4 at 10 MeV
        let c = lmu_plus_ltau_b1(0.01, 1e-4, 1.0);
        let e = nsi_epsilon(&c, MatterFermion::Up, 1);
        assert!((e - 1e-8 / 3.0 / (2.0 * SQRT_2 * G_F * 1e-4)).abs() < 1e-12);
        assert!(e > 0.5 && e < 2.0, "{e}");
        assert_eq!(nsi_epsilon(&c, MatterFermion::Electron, 1), 0.0);
        assert_eq!(nsi_epsilon(&c, MatterFermion::Up, 0), 0.0);
        // in Earth matter (Y_e = 1/2: N_u = N_d = 3 N_e) the oscillation module sees 6 eps^u
        let m = nsi_couplings(&c).unwrap().effective(0.5);
        assert!((m[(1, 1)].re - 6.0 * e).abs() < 1e-12 && (m[(2, 2)].re - 6.0 * e).abs() < 1e-12);
        assert!(m[(0, 0)].norm() == 0.0 && m[(0, 1)].norm() == 0.0);
    }
}
