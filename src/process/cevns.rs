//! Coherent elastic neutrino-nucleus scattering (CEvNS) nu + A -> nu + A, Standard Model plus a
//! vector Z'.
//!
//! Differential cross section in the nuclear recoil kinetic energy T (physics sheet item 6;
//! Freedman, PRD 9 (1974) 1389; in this form e.g. Barranco, Miranda, Rashba, JHEP 12 (2005) 021;
//! spin-0 nucleus, vector current only):
//!
//! ```text
//! dsigma/dT = (G_F^2 M / 4 pi) Q_eff(T)^2 [ 1 - T/E - M T / (2 E^2) ] F^2(Q^2),   Q^2 = 2 M T,
//! Q_W = N - (1 - 4 s_W^2) Z,   0 <= T <= T_max = 2 E^2 / (M + 2 E)
//! ```
//!
//! with sin^2 theta_W(0) ([`crate::units::SIN2_THETA_W`]; no radiative corrections). The same for
//! every flavour and for antineutrinos. A vector Z' in the Lagrangian convention of
//! [`crate::model`] adds its t-channel amplitude with the propagator 1/(2 M T + m_Z'^2)
//! (Lindner, Rodejohann, Xu, JHEP 03 (2017) 097, arXiv:1612.04150; Abdullah et al., PRD 98 (2018)
//! 015005, arXiv:1803.01224; in our sign convention as derived in physics sheet item 6):
//!
//! ```text
//! Q_eff(T) = Q_W - sqrt(2) g_nu Q' / ( G_F (2 M T + m_Z'^2) ),   Q' = (2 g_u + g_d) Z + (g_u + 2 g_d) N
//! ```
//!
//! (the SM nuclear vector coupling is -Q_W/4 in units of g/c_W, so a Z' with g_nu Q' < 0, e.g.
//! B-L, adds constructively). The form factor F (Helm by default, Klein-Nystrand and others
//! selectable, [`FormFactorModel`]) is the same for protons and neutrons and for the SM and Z'
//! currents. Neglected: the axial (spin-dependent) part of odd-A nuclei (O(1/A)), radiative
//! corrections (~1-2%), the neutron-proton form-factor difference.
//!
//! **Targets.** Each element of the detector material is split into its stable isotopes with
//! natural abundances ([`isotopes_of`]): one channel per flavour and isotope, named
//! `<flavour>_<isotope>` (e.g. `nu_mu_Cs133`); hydrogen is skipped (no coherence).
//!
//! **Sampling.** T is drawn over the full range [0, T_max] (no threshold: thresholds and
//! acceptances belong to the detector stage, so one sample serves any threshold) from a mixture of
//! flat, (1 - T/T_max) and, with a Z', 1/x and 1/x^2 in x = 2 M T + m_Z'^2; the weight carries
//! dsigma/dT over the proposal exactly.

use super::{Channel, Process, PropagatorTerms};
use crate::event::{Event, Particle};
use crate::experiment::Experiment;
use crate::flux::Flavour;
use crate::kinematics::{elastic_cos_theta, elastic_final_state, elastic_t_max, FourVector};
use crate::model::Couplings;
use crate::nuclear::{FormFactorModel, NuclearError, Nucleus};
use crate::numerics::GaussLegendre;
use crate::units::{G_F, HBARC2_GEV2_CM2, SIN2_THETA_W};
use rand::{Rng, RngExt};
use std::f64::consts::{PI, SQRT_2, TAU};

/// Natural isotopic composition (atom fractions) of the CEvNS target elements: CIAAW/IUPAC
/// "Isotopic compositions of the elements 2013" (Meija et al., Pure Appl. Chem. 88 (2016) 293),
/// representative values. Mono-isotopic Na, I, Cs; Ar, C, O are represented by their dominant
/// isotope (Ar-40 99.60%, C-12 98.9%, O-16 99.76%, the rest counted with it).
///
/// Returns `None` for elements without CEvNS data (hydrogen and unknown symbols).
#[must_use]
pub fn isotopes_of(symbol: &str) -> Option<&'static [(&'static str, f64)]> {
    Some(match symbol {
        "C" => &[("C12", 1.0)],
        "O" => &[("O16", 1.0)],
        "Na" => &[("Na23", 1.0)],
        "Si" => &[("Si28", 1.0)],
        "Ar" => &[("Ar40", 1.0)],
        "Ge" => &[
            ("Ge70", 0.2057),
            ("Ge72", 0.2745),
            ("Ge73", 0.0775),
            ("Ge74", 0.3650),
            ("Ge76", 0.0773),
        ],
        "I" => &[("I127", 1.0)],
        "Xe" => &[
            ("Xe124", 0.000_95),
            ("Xe126", 0.000_89),
            ("Xe128", 0.019_10),
            ("Xe129", 0.264_01),
            ("Xe130", 0.040_71),
            ("Xe131", 0.212_32),
            ("Xe132", 0.269_09),
            ("Xe134", 0.104_36),
            ("Xe136", 0.088_57),
        ],
        "Cs" => &[("Cs133", 1.0)],
        _ => return None,
    })
}

/// Maximum nuclear recoil kinetic energy, GeV, for neutrino energy `e_nu` GeV on a nucleus of mass
/// `m` GeV: T_max = 2 E^2 / (M + 2 E).
#[inline]
#[must_use]
pub fn t_max(e_nu: f64, m: f64) -> f64 {
    elastic_t_max(e_nu, m)
}

/// Cosine of the recoil's angle to the neutrino, cos theta = (E + M)/E sqrt(T/(T + 2M)) (two-body
/// kinematics, nucleus at rest; physics sheet item 7), clamped to [-1, 1].
#[inline]
#[must_use]
pub fn cos_theta_recoil(e_nu: f64, m: f64, t: f64) -> f64 {
    elastic_cos_theta(e_nu, m, t)
}

/// SM weak charge Q_W = N - (1 - 4 s_W^2) Z (dimensionless).
#[inline]
#[must_use]
pub fn weak_charge(z: u32, n: u32, sin2_theta_w: f64) -> f64 {
    f64::from(n) - (1.0 - 4.0 * sin2_theta_w) * f64::from(z)
}

/// CEvNS for a couplings table and a form-factor model.
#[derive(Debug, Clone)]
pub struct Cevns {
    /// The Z' couplings (SM when `mzprime` is `None`).
    pub couplings: Couplings,
    /// sin^2 theta_W in Q_W.
    pub sin2_theta_w: f64,
    /// Nuclear form factor.
    pub form_factor: FormFactorModel,
    channels: Vec<Channel>,
    /// Nucleus of each channel.
    nuclei: Vec<Nucleus>,
    quad: GaussLegendre<16>,
}

/// Proposal mixture for T at one energy.
#[derive(Debug, Clone, Copy)]
struct TProposal {
    tmax: f64,
    p_flat: f64,
    p_lin: f64,
    p_inv: f64,
    z: PropagatorTerms,
}

impl Cevns {
    /// The particles of a CEvNS event, in output order.
    pub const PARTICLES: &'static [Particle] = &[Particle::NuIn, Particle::NuOut, Particle::Recoil];

    /// Build with one channel per flavour in `exp`'s flux (restricted to `flavours` unless empty)
    /// and per isotope of every non-hydrogen element of the target.
    ///
    /// # Errors
    /// [`NuclearError`] if an element has no isotope data or the form factor cannot be evaluated
    /// (Fourier-Bessel for a nucleus without a fit).
    pub fn new(
        couplings: Couplings,
        exp: &Experiment,
        form_factor: FormFactorModel,
        flavours: &[Flavour],
    ) -> Result<Self, NuclearError> {
        let mut list = Vec::new();
        for f in exp.flavours() {
            if !flavours.is_empty() && !flavours.contains(&f) {
                continue;
            }
            for t in exp.targets.iter().filter(|t| t.element.z != 1) {
                let isos = isotopes_of(t.element.symbol)
                    .ok_or_else(|| NuclearError::UnknownNucleus(t.element.symbol.to_string()))?;
                list.extend(isos.iter().map(|&(iso, ab)| (f, iso, t.count * ab)));
            }
        }
        Self::build(couplings, form_factor, &list)
    }

    /// Build for explicit nuclei and flavours, one channel each with one target (tables, tests).
    ///
    /// # Errors
    /// As [`Cevns::new`].
    pub fn with_nuclei(
        couplings: Couplings,
        form_factor: FormFactorModel,
        list: &[(Flavour, &str)],
    ) -> Result<Self, NuclearError> {
        let list: Vec<_> = list.iter().map(|&(f, n)| (f, n, 1.0)).collect();
        Self::build(couplings, form_factor, &list)
    }

    /// One channel per (flavour, isotope name, number of targets).
    fn build(
        couplings: Couplings,
        form_factor: FormFactorModel,
        list: &[(Flavour, &str, f64)],
    ) -> Result<Self, NuclearError> {
        let mut channels = Vec::with_capacity(list.len());
        let mut nuclei = Vec::with_capacity(list.len());
        for &(f, name, count) in list {
            let nucleus = Nucleus::from_name(name)?;
            nucleus.check_form_factor(form_factor)?;
            channels.push(Channel {
                name: format!("{}_{}", f.name(), nucleus.name),
                flavour: f,
                target_pdg: i32::try_from(nucleus.pdg_code()).unwrap_or(i32::MAX),
                target_count: count,
                helicity: 0,
                threshold_gev: 0.0,
            });
            nuclei.push(nucleus);
        }
        Ok(Self {
            couplings,
            sin2_theta_w: SIN2_THETA_W,
            form_factor,
            channels,
            nuclei,
            quad: GaussLegendre::new(),
        })
    }

    /// The nucleus of channel `ch`.
    #[must_use]
    pub fn nucleus(&self, ch: usize) -> &Nucleus {
        &self.nuclei[ch]
    }

    #[inline]
    fn mz2(&self) -> f64 {
        self.couplings.mzprime.map_or(0.0, |m| m * m)
    }

    /// The Z' strength k = sqrt(2) g_nu Q' / G_F, GeV^2, so that Q_eff = Q_W - k / (2MT + m_Z'^2).
    #[inline]
    fn k_zprime(&self, f: Flavour, nucleus: &Nucleus) -> f64 {
        match self.couplings.mzprime {
            Some(_) => {
                let c = &self.couplings;
                let (z, n) = (f64::from(nucleus.z), f64::from(nucleus.n()));
                let q_prime = (2.0 * c.g_u + c.g_d) * z + (c.g_u + 2.0 * c.g_d) * n;
                SQRT_2 * c.g_nu[f.generation()] * q_prime / G_F
            }
            None => 0.0,
        }
    }

    /// Effective weak charge Q_eff(T) of channel `ch` at recoil energy `t` GeV (dimensionless).
    #[must_use]
    pub fn effective_charge(&self, ch: usize, t: f64) -> f64 {
        let nuc = &self.nuclei[ch];
        let qw = weak_charge(nuc.z, nuc.n(), self.sin2_theta_w);
        let k = self.k_zprime(self.channels[ch].flavour, nuc);
        if k == 0.0 {
            qw
        } else {
            qw - k / (2.0 * nuc.mass * t + self.mz2())
        }
    }

    /// dsigma/dT of channel `ch` at neutrino energy `e` GeV and recoil kinetic energy `t` GeV, in
    /// GeV^-3; zero outside 0 <= T <= T_max.
    #[inline]
    #[must_use]
    pub fn dsigma_dt(&self, ch: usize, e: f64, t: f64) -> f64 {
        let nuc = &self.nuclei[ch];
        let m = nuc.mass;
        if !(e > 0.0 && t >= 0.0 && t <= t_max(e, m)) {
            return 0.0;
        }
        let kin = (1.0 - t / e - m * t / (2.0 * e * e)).max(0.0);
        let ff = nuc.form_factor(self.form_factor, 2.0 * m * t);
        let q = self.effective_charge(ch, t);
        G_F * G_F * m / (4.0 * PI) * q * q * kin * ff * ff
    }

    /// Total cross section of channel `ch` at `e` GeV, GeV^-2: Gauss-Legendre quadrature (16 x 16
    /// nodes) in T (SM or heavy Z') or in ln(2 M T + m_Z'^2) (light Z'); relative accuracy < 1e-8.
    #[must_use]
    pub fn sigma(&self, ch: usize, e: f64) -> f64 {
        if !(e > 0.0) {
            return 0.0;
        }
        let m = self.nuclei[ch].mass;
        let tm = t_max(e, m);
        let m2 = self.mz2();
        let k = self.k_zprime(self.channels[ch].flavour, &self.nuclei[ch]);
        if k == 0.0 || m2 > 2.0 * m * tm {
            return self
                .quad
                .integrate(|t| self.dsigma_dt(ch, e, t), 0.0, tm, 16);
        }
        let (u0, u1) = (m2.ln(), (2.0 * m * tm + m2).ln());
        self.quad.integrate(
            |u| {
                let x = u.exp();
                let t = ((x - m2) / (2.0 * m)).clamp(0.0, tm);
                self.dsigma_dt(ch, e, t) * x / (2.0 * m)
            },
            u0,
            u1,
            16,
        )
    }

    /// sigma(E) x acceptance: integral of dsigma/dT A(T) over [0, T_max], GeV^-2, for an acceptance
    /// `acc` of the recoil kinetic energy (GeV); Gauss-Legendre in sqrt(T) (32 x 16 nodes).
    #[must_use]
    pub fn sigma_accepted(&self, ch: usize, e: f64, acc: impl Fn(f64) -> f64) -> f64 {
        if !(e > 0.0) {
            return 0.0;
        }
        let tm = t_max(e, self.nuclei[ch].mass);
        self.quad.integrate(
            |r| {
                let t = (r * r).min(tm);
                2.0 * r * self.dsigma_dt(ch, e, t) * acc(t)
            },
            0.0,
            tm.sqrt(),
            32,
        )
    }

    fn proposal(&self, ch: usize, e: f64) -> TProposal {
        let nuc = &self.nuclei[ch];
        let m = nuc.mass;
        let tmax = t_max(e, m);
        let qw = weak_charge(nuc.z, nuc.n(), self.sin2_theta_w);
        let k = self.k_zprime(self.channels[ch].flavour, nuc);
        let z = PropagatorTerms::new(self.mz2(), 2.0 * m, tmax, k != 0.0);
        let i_sm = qw * qw * tmax / 2.0;
        let (mut i_inv, mut i_inv2) = (0.0, 0.0);
        if z.on {
            i_inv = 2.0 * (qw * k).abs() * z.ln_ratio / (2.0 * m);
            i_inv2 = k * k * z.inv_diff / (2.0 * m);
        }
        let tot = i_sm + i_inv + i_inv2;
        TProposal {
            tmax,
            p_flat: 0.3 * i_sm / tot,
            p_lin: 0.7 * i_sm / tot,
            p_inv: i_inv / tot,
            z,
        }
    }

    /// Sample T from the proposal mixture; returns (T, q(T)) with q normalised on [0, T_max].
    fn sample_t<R: Rng + ?Sized>(p: &TProposal, rng: &mut R) -> (f64, f64) {
        let u = rng.random::<f64>();
        let v = rng.random::<f64>();
        let (c1, c2, c3) = (p.p_flat, p.p_flat + p.p_lin, p.p_flat + p.p_lin + p.p_inv);
        let t = if u < c1 {
            v * p.tmax
        } else if u < c2 {
            // density 2 (1 - T/T_max) / T_max
            p.tmax * (1.0 - (1.0 - v).sqrt())
        } else if u < c3 {
            p.z.sample_inv(v)
        } else {
            p.z.sample_inv2(v)
        };
        let t = t.clamp(0.0, p.tmax);
        let q = p.p_flat / p.tmax
            + p.p_lin * 2.0 * (1.0 - t / p.tmax) / p.tmax
            + p.z.density(t, p.p_inv, 1.0 - c3);
        (t, q)
    }

    /// Final-state four-momenta for neutrino energy `e` GeV (along +z) on a nucleus of mass `m` GeV
    /// at rest, recoil kinetic energy `t` GeV and azimuth `phi`: (outgoing neutrino, recoiling
    /// nucleus). The neutrino is built by momentum conservation (exact to rounding).
    #[must_use]
    pub fn final_state(e: f64, m: f64, t: f64, phi: f64) -> (FourVector, FourVector) {
        elastic_final_state(e, m, t, phi)
    }
}

impl Process for Cevns {
    fn channels(&self) -> &[Channel] {
        &self.channels
    }

    fn sigma_cm2(&self, ch: usize, e_gev: f64) -> f64 {
        self.sigma(ch, e_gev) * HBARC2_GEV2_CM2
    }

    fn sample<R: Rng + ?Sized>(&self, ch: usize, e: f64, rng: &mut R, ev: &mut Event) -> f64 {
        let prop = self.proposal(ch, e);
        let (t, q) = Self::sample_t(&prop, rng);
        let phi = TAU * rng.random::<f64>();
        let (nu_out, recoil) = Self::final_state(e, self.nuclei[ch].mass, t, phi);
        ev.nu_out = nu_out;
        ev.recoil = recoil;
        super::importance_weight_cm2(self.dsigma_dt(ch, e, t), q)
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

    fn cs(c: Couplings, ff: FormFactorModel) -> Cevns {
        Cevns::with_nuclei(c, ff, &[(Flavour::NuMu, "Cs133"), (Flavour::NuE, "Ar40")]).unwrap()
    }

    #[test]
    fn isotope_abundances_sum_to_one() {
        for el in ["C", "O", "Na", "Si", "Ar", "Ge", "I", "Xe", "Cs"] {
            let s: f64 = isotopes_of(el).unwrap().iter().map(|i| i.1).sum();
            assert!((s - 1.0).abs() < 1e-4, "{el}: {s}");
            for (iso, _) in isotopes_of(el).unwrap() {
                assert!(Nucleus::from_name(iso).is_ok(), "{iso}");
            }
        }
        assert!(isotopes_of("H").is_none());
    }

    #[test]
    fn klein_nystrand_small_q_radius() {
        // F = 1 - q^2 <r^2>/6 with <r^2> = 3/5 R_A^2 + 6 a_k^2 (hard sphere folded with a Yukawa)
        let a = 133.0_f64;
        let r2 = 0.6 * (1.2 * a.cbrt()).powi(2) + 6.0 * 0.49;
        let q_fm = 0.01;
        let q2 = (q_fm * crate::units::HBARC_GEV_CM * 1e13).powi(2);
        let f = crate::nuclear::klein_nystrand(q2, a);
        assert!((f - (1.0 - q_fm * q_fm * r2 / 6.0)).abs() < 1e-7, "{f}");
    }

    #[test]
    fn weak_charge_of_cs133() {
        // N - (1 - 4 s^2) Z = 78 - 0.04572 x 55 = 75.485
        assert!((weak_charge(55, 78, 0.23857) - 75.485_4).abs() < 1e-3);
    }

    #[test]
    fn quadrature_paths_agree_and_proposal_is_unbiased() {
        let z = Couplings {
            mzprime: Some(0.01),
            g_nu: [1e-4, 1e-4, 0.0],
            g_lepton: [0.0; 3],
            g_lepton_axial: [0.0; 3],
            g_u: 1e-4,
            g_d: 1e-4,
        };
        for c in [Couplings::sm(), z] {
            let p = cs(c, FormFactorModel::Helm);
            for ch in 0..2 {
                let e = 0.03;
                let m = p.nucleus(ch).mass;
                // plain Simpson in T as an independent check of the quadrature
                let tm = t_max(e, m);
                let n = 20_000;
                let h = tm / f64::from(n);
                let mut s = p.dsigma_dt(ch, e, 0.0) + p.dsigma_dt(ch, e, tm);
                for i in 1..n {
                    s += p.dsigma_dt(ch, e, h * f64::from(i)) * if i % 2 == 1 { 4.0 } else { 2.0 };
                }
                let simpson = s * h / 3.0;
                let sig = p.sigma(ch, e);
                assert!((sig / simpson - 1.0).abs() < 1e-6, "{sig} {simpson}");
                let mut rng = rand_pcg::Pcg64::seed_from_u64(9);
                let mut ev = Event::default();
                let (mut s1, mut s2) = (0.0, 0.0);
                let nev = 100_000;
                for _ in 0..nev {
                    let w = p.sample(ch, e, &mut rng, &mut ev);
                    s1 += w;
                    s2 += w * w;
                    let nu_in = FourVector::new(e, 0.0, 0.0, e);
                    let v = conservation_violation(
                        nu_in + FourVector::at_rest(m),
                        ev.nu_out + ev.recoil,
                    );
                    assert!(v < 1e-12, "{v}");
                }
                let mean = s1 / f64::from(nev);
                let err = ((s2 / f64::from(nev) - mean * mean) / f64::from(nev)).sqrt();
                let exact = p.sigma_cm2(ch, e);
                assert!((mean - exact).abs() < 4.0 * err, "{mean} {exact} {err}");
                assert!(s1 * s1 / s2 / f64::from(nev) > 0.5);
            }
        }
    }
}
