//! Neutrino-electron elastic scattering nu + e -> nu + e, Standard Model plus a vector Z'.
//!
//! Differential cross section in the electron recoil kinetic energy T (physics sheet item 5;
//! 't Hooft, PLB 37 (1971) 195; Vogel & Engel, PRD 39 (1989) 3378, eq. (1)):
//!
//! ```text
//! dsigma/dT = (2 G_F^2 m_e / pi) [ g_L^2 + g_R^2 (1 - T/E)^2 - g_L g_R m_e T / E^2 ],
//! 0 <= T <= T_max = 2 E^2 / (2 E + m_e)
//! ```
//!
//! with g_L = -1/2 + s_W^2 (+1 for nu_e: the charged current after a Fierz transformation),
//! g_R = s_W^2, and g_L <-> g_R for antineutrinos. A vector Z' with couplings g_nu (to the
//! left-handed neutrino) and g_e (vector, to the electron), in the Lagrangian convention of
//! [`crate::model`], adds to both chiral couplings (Lindner, Rodejohann, Xu, JHEP 05 (2018) 098,
//! arXiv:1803.00060, eqs. (2.4)-(2.6) in our sign convention):
//!
//! ```text
//! g_{L,R} -> g_{L,R} + delta(T),   delta(T) = g_nu g_e / ( 2 sqrt(2) G_F (2 m_e T + m_Z'^2) )
//! ```
//!
//! the shift being applied before the antineutrino swap. Q^2 = 2 m_e T exactly. An axial electron
//! coupling a_e (`e-bar gamma^mu (g_e - a_e gamma^5) e`, `free` preset) shifts the chiral couplings
//! differently: delta_{L,R} = g_nu (g_e +- a_e) / (2 sqrt(2) G_F (2 m_e T + m_Z'^2)).
//!
//! Antineutrinos (reactor nu_e-bar: g_L = 1/2 + s_W^2 swapped with g_R) use the same formula, so
//! TEXONO-like nu_e-bar e samples and every preset go through this one process.

use super::{Channel, Process, PropagatorTerms};
use crate::event::{Event, Particle};
use crate::experiment::Experiment;
use crate::flux::Flavour;
use crate::kinematics::{elastic_cos_theta, elastic_final_state, elastic_t_max, FourVector};
use crate::model::Couplings;
use crate::numerics::GaussLegendre;
use crate::units::{G_F, HBARC2_GEV2_CM2, M_E, SIN2_THETA_W};
use rand::{Rng, RngExt};
use std::f64::consts::{PI, SQRT_2, TAU};

/// Maximum electron recoil kinetic energy, GeV, for neutrino energy `e_nu` GeV (massless neutrino):
/// T_max = 2 E^2 / (2 E + m_e).
#[inline]
#[must_use]
pub fn t_max(e_nu: f64) -> f64 {
    elastic_t_max(e_nu, M_E)
}

/// Cosine of the recoil electron's angle to the neutrino: cos theta = (E + m_e)/E sqrt(T/(T + 2 m_e))
/// (two-body kinematics, electron at rest). Clamped to [-1, 1].
#[inline]
#[must_use]
pub fn cos_theta_electron(e_nu: f64, t: f64) -> f64 {
    elastic_cos_theta(e_nu, M_E, t)
}

/// nu-e elastic scattering for a given couplings table.
#[derive(Debug, Clone)]
pub struct NuElectron {
    /// The Z' couplings (SM when `mzprime` is `None`).
    pub couplings: Couplings,
    /// sin^2 theta_W used in g_L, g_R.
    pub sin2_theta_w: f64,
    channels: Vec<Channel>,
    quad: GaussLegendre<16>,
}

/// Proposal mixture for T at one energy: flat, (1 - T/E)^2 (the g_R term), 1/x and 1/x^2 in
/// x = 2 m_e T + m_Z'^2 (the Z' interference and square terms).
#[derive(Debug, Clone, Copy)]
struct TProposal {
    e: f64,
    tmax: f64,
    /// (1 - T_max/E)^3
    a3: f64,
    p_flat: f64,
    p_quad: f64,
    p_inv: f64,
    z: PropagatorTerms,
}

impl NuElectron {
    /// The particles of a nu-e event (its output columns, in order).
    pub const PARTICLES: &'static [Particle] = &[Particle::NuIn, Particle::NuOut, Particle::EOut];

    /// Build for the given couplings, with a channel per flavour present in `exp`'s flux
    /// (targets: all electrons of the target material).
    #[must_use]
    pub fn new(couplings: Couplings, exp: &Experiment) -> Self {
        let electrons = exp.electrons();
        let channels = exp
            .flavours()
            .into_iter()
            .map(|f| Channel {
                name: format!("{}_e", f.name()),
                flavour: f,
                target_pdg: 11,
                target_count: electrons,
                helicity: 0,
                threshold_gev: 0.0,
            })
            .collect();
        Self::with_channels(couplings, channels)
    }

    /// Build with explicit channels (for tables and tests).
    #[must_use]
    pub fn with_channels(couplings: Couplings, channels: Vec<Channel>) -> Self {
        Self {
            couplings,
            sin2_theta_w: SIN2_THETA_W,
            channels,
            quad: GaussLegendre::new(),
        }
    }

    /// The Z' strengths (k_L, k_R) = g_nu (g_e +- a_e) / (2 sqrt 2 G_F), GeV^2, of the left- and
    /// right-handed electron (delta_{L,R} = k_{L,R} / (2 m_e T + m_Z'^2)); k_L = k_R for a vector Z'.
    #[inline]
    fn k_zprime_chiral(&self, f: Flavour) -> (f64, f64) {
        match self.couplings.mzprime {
            Some(_) => {
                let g = self.couplings.g_nu[f.generation()] / (2.0 * SQRT_2 * G_F);
                let (v, a) = (self.couplings.g_e(), self.couplings.g_lepton_axial[0]);
                (g * (v + a), g * (v - a))
            }
            None => (0.0, 0.0),
        }
    }

    /// The larger Z' strength |k_L|, |k_R| (GeV^2); zero for the SM.
    #[inline]
    fn k_zprime(&self, f: Flavour) -> f64 {
        let (l, r) = self.k_zprime_chiral(f);
        if l.abs() >= r.abs() {
            l
        } else {
            r
        }
    }

    #[inline]
    fn mz2(&self) -> f64 {
        self.couplings.mzprime.map_or(0.0, |m| m * m)
    }

    /// Chiral couplings (g_L, g_R) for flavour `f` at recoil energy `t` GeV, including the Z' shift
    /// and the antineutrino swap.
    #[inline]
    #[must_use]
    pub fn chiral_couplings(&self, f: Flavour, t: f64) -> (f64, f64) {
        let s = self.sin2_theta_w;
        let cc = if f.generation() == 0 { 1.0 } else { 0.0 };
        let (kl, kr) = self.k_zprime_chiral(f);
        let (dl, dr) = if kl == 0.0 && kr == 0.0 {
            (0.0, 0.0)
        } else {
            let x = 2.0 * M_E * t + self.mz2();
            (kl / x, kr / x)
        };
        let gl = -0.5 + s + cc + dl;
        let gr = s + dr;
        if f.is_anti() {
            (gr, gl)
        } else {
            (gl, gr)
        }
    }

    /// dsigma/dT for flavour `f`, neutrino energy `e` GeV, recoil kinetic energy `t` GeV, in GeV^-3;
    /// zero outside 0 <= T <= T_max.
    #[inline]
    #[must_use]
    pub fn dsigma_dt(&self, f: Flavour, e: f64, t: f64) -> f64 {
        if !(t >= 0.0 && t <= t_max(e)) {
            return 0.0;
        }
        let (gl, gr) = self.chiral_couplings(f, t);
        let y = 1.0 - t / e;
        let v =
            2.0 * G_F * G_F * M_E / PI * (gl * gl + gr * gr * y * y - gl * gr * M_E * t / (e * e));
        v.max(0.0)
    }

    /// Total cross section, GeV^-2: the closed form for the SM, Gauss-Legendre quadrature in
    /// ln(2 m_e T + m_Z'^2) (12 x 16 nodes, relative accuracy < 1e-10) with a Z'.
    #[must_use]
    pub fn sigma(&self, f: Flavour, e: f64) -> f64 {
        if e <= 0.0 {
            return 0.0;
        }
        let tm = t_max(e);
        if self.k_zprime(f) == 0.0 {
            // integral of the polynomial: A T + B E/3 (1 - (1 - T/E)^3) - C T^2/2
            let (gl, gr) = self.chiral_couplings(f, 0.0);
            let y = 1.0 - tm / e;
            let integral = gl * gl * tm + gr * gr * e / 3.0 * (1.0 - y * y * y)
                - gl * gr * M_E * tm * tm / (2.0 * e * e);
            return 2.0 * G_F * G_F * M_E / PI * integral;
        }
        let m2 = self.mz2();
        let (u0, u1) = (m2.ln(), (2.0 * M_E * tm + m2).ln());
        self.quad.integrate(
            |u| {
                let x = u.exp();
                let t = ((x - m2) / (2.0 * M_E)).clamp(0.0, tm);
                self.dsigma_dt(f, e, t) * x / (2.0 * M_E)
            },
            u0,
            u1,
            12,
        )
    }

    fn proposal(&self, f: Flavour, e: f64) -> TProposal {
        let tmax = t_max(e);
        let k = self.k_zprime(f);
        let z = PropagatorTerms::new(self.mz2(), 2.0 * M_E, tmax, k != 0.0);
        let (gl, gr) = self.chiral_couplings(f, tmax);
        let a = 1.0 - tmax / e;
        let a3 = a * a * a;
        // component integrals: g_L^2 T_max, g_R^2 E (1 - a^3)/3, and bounds of the Z' terms
        let i_flat = (gl * gl).max(1e-3) * tmax;
        let i_quad = gr * gr * e * (1.0 - a3) / 3.0;
        let (mut i_inv, mut i_inv2) = (0.0, 0.0);
        if z.on {
            i_inv = 2.0 * k.abs() * (gl.abs() + gr.abs()) * z.ln_ratio / (2.0 * M_E);
            i_inv2 = 2.0 * k * k * z.inv_diff / (2.0 * M_E);
        }
        let tot = i_flat + i_quad + i_inv + i_inv2;
        TProposal {
            e,
            tmax,
            a3,
            p_flat: i_flat / tot,
            p_quad: i_quad / tot,
            p_inv: i_inv / tot,
            z,
        }
    }

    /// Sample T from the proposal mixture; returns (T, q(T)) with q normalised on [0, T_max].
    fn sample_t<R: Rng + ?Sized>(p: &TProposal, rng: &mut R) -> (f64, f64) {
        let u = rng.random::<f64>();
        let v = rng.random::<f64>();
        let (c1, c2, c3) = (p.p_flat, p.p_flat + p.p_quad, p.p_flat + p.p_quad + p.p_inv);
        let t = if u < c1 {
            v * p.tmax
        } else if u < c2 {
            // (1 - T/E)^2: w = 1 - T/E with w^3 uniform on [a^3, 1]
            p.e * (1.0 - (p.a3 + v * (1.0 - p.a3)).cbrt())
        } else if u < c3 {
            p.z.sample_inv(v)
        } else {
            p.z.sample_inv2(v)
        };
        let t = t.clamp(0.0, p.tmax);
        let w = 1.0 - t / p.e;
        let q = p.p_flat / p.tmax
            + p.p_quad * 3.0 * w * w / (p.e * (1.0 - p.a3))
            + p.z.density(t, p.p_inv, 1.0 - c3);
        (t, q)
    }

    /// Final-state four-momenta for neutrino energy `e` (along +z), recoil kinetic energy `t` and
    /// azimuth `phi`: (outgoing neutrino, recoil electron). The neutrino is built by momentum
    /// conservation, so conservation is exact to rounding.
    #[must_use]
    pub fn final_state(e: f64, t: f64, phi: f64) -> (FourVector, FourVector) {
        elastic_final_state(e, M_E, t, phi)
    }
}

impl Process for NuElectron {
    fn channels(&self) -> &[Channel] {
        &self.channels
    }

    fn sigma_cm2(&self, ch: usize, e_gev: f64) -> f64 {
        self.sigma(self.channels[ch].flavour, e_gev) * HBARC2_GEV2_CM2
    }

    fn sample<R: Rng + ?Sized>(&self, ch: usize, e: f64, rng: &mut R, ev: &mut Event) -> f64 {
        let f = self.channels[ch].flavour;
        let prop = self.proposal(f, e);
        let (t, q) = Self::sample_t(&prop, rng);
        let phi = TAU * rng.random::<f64>();
        let (nu_out, e_out) = Self::final_state(e, t, phi);
        ev.nu_out = nu_out;
        ev.e_out = e_out;
        super::importance_weight_cm2(self.dsigma_dt(f, e, t), q)
    }

    fn particles(&self) -> &'static [Particle] {
        Self::PARTICLES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::conservation_violation;
    use rand::SeedableRng;

    fn sm() -> NuElectron {
        NuElectron::with_channels(Couplings::sm(), vec![])
    }

    #[test]
    fn textbook_numu_cross_section() {
        // physics.md item 5: sigma(nu_mu e)/E at 10 GeV = 1.552e-42 cm^2/GeV at s_W^2 = 0.2312.
        let mut p = sm();
        p.sin2_theta_w = 0.2312;
        let s = p.sigma(Flavour::NuMu, 10.0) * HBARC2_GEV2_CM2 / 10.0;
        assert!((s / 1.552e-42 - 1.0).abs() < 2e-3, "{s}");
        for (f, want) in [
            (Flavour::NuE, 9.52e-42),
            (Flavour::NuEBar, 3.99e-42),
            (Flavour::NuMuBar, 1.34e-42),
        ] {
            let s = p.sigma(f, 10.0) * HBARC2_GEV2_CM2 / 10.0;
            assert!((s / want - 1.0).abs() < 3e-3, "{f}: {s}");
        }
    }

    #[test]
    fn axial_electron_coupling_shifts_chiral_couplings_oppositely() {
        // e-bar gamma (g_e - a_e gamma5) e = c_L e_L + c_R e_R with c_{L,R} = g_e +- a_e
        let c = Couplings {
            mzprime: Some(0.01),
            g_nu: [0.0, 2e-5, 0.0],
            g_lepton: [0.0; 3],
            g_lepton_axial: [3e-5, 0.0, 0.0],
            g_u: 0.0,
            g_d: 0.0,
        };
        let z = NuElectron::with_channels(c, vec![]);
        let (gl, gr) = z.chiral_couplings(Flavour::NuMu, 0.0);
        let (gl0, gr0) = sm().chiral_couplings(Flavour::NuMu, 0.0);
        let d = 2e-5 * 3e-5 / (2.0 * SQRT_2 * G_F * 1e-4);
        assert!((gl - gl0 - d).abs() < 1e-12 && (gr - gr0 + d).abs() < 1e-12);
    }

    #[test]
    fn quadrature_matches_closed_form_for_tiny_coupling() {
        // A Z' with negligible coupling exercises the quadrature path against the closed form.
        let c = Couplings {
            mzprime: Some(0.01),
            g_nu: [0.0, 1e-12, 0.0],
            g_lepton: [1e-12, 0.0, 0.0],
            g_lepton_axial: [0.0; 3],
            g_u: 0.0,
            g_d: 0.0,
        };
        let z = NuElectron::with_channels(c, vec![]);
        for e in [0.01, 0.3, 5.0, 100.0] {
            let (a, b) = (z.sigma(Flavour::NuMu, e), sm().sigma(Flavour::NuMu, e));
            assert!((a / b - 1.0).abs() < 1e-9, "{e}: {a} {b}");
        }
    }

    #[test]
    fn proposal_weights_average_to_sigma() {
        let c = Couplings {
            mzprime: Some(0.02),
            g_nu: [0.0, 3e-5, 0.0],
            g_lepton: [3e-5, 0.0, 0.0],
            g_lepton_axial: [0.0; 3],
            g_u: 0.0,
            g_d: 0.0,
        };
        let z = NuElectron::with_channels(
            c,
            vec![Channel {
                name: "x".into(),
                flavour: Flavour::NuMu,
                target_pdg: 11,
                target_count: 1.0,
                helicity: 0,
                threshold_gev: 0.0,
            }],
        );
        let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
        let mut ev = Event::default();
        let n = 200_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let w = z.sample(0, 3.0, &mut rng, &mut ev);
            s += w;
            s2 += w * w;
            let nu_in = FourVector::new(3.0, 0.0, 0.0, 3.0);
            assert!(
                conservation_violation(nu_in + FourVector::at_rest(M_E), ev.nu_out + ev.e_out)
                    < 1e-12
            );
        }
        let mean = s / f64::from(n);
        let err = ((s2 / f64::from(n) - mean * mean) / f64::from(n)).sqrt();
        let exact = z.sigma_cm2(0, 3.0);
        assert!((mean - exact).abs() < 4.0 * err, "{mean} {exact} {err}");
        let ess = s * s / s2 / f64::from(n);
        assert!(ess > 0.7, "ESS/N = {ess}");
    }
}
