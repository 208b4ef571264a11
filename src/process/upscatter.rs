//! Up-scattering nu_alpha + A -> N + A through t-channel Z' (and SM Z) exchange.
//!
//! # Physics
//! Sources: Bertuzzo, Jana, Machado, Zukanovich Funchal, PRL 121 (2018) 241801, arXiv:1807.09877;
//! Ballett, Pascoli, Ross-Lonergan, PRD 99 (2019) 071701, arXiv:1808.02915; Ballett, Hostert,
//! Pascoli, arXiv:1903.07590 (appendix, helicity-resolved up-scattering); Abdullah, Hostert,
//! Massaro, Pascoli (DarkNews), arXiv:2207.04137, sec. 3. Formula sheet `physics.md` items 1, 2, 7.
//!
//! Momenta nu(k1) + A(k2) -> N(k3) + A(k4), s = M^2 + 2 M E, t = -Q^2. The N helicity h is defined
//! in the nu-target centre-of-mass frame. Because the neutrino current is left-handed, the lepton
//! tensor of an N of helicity h equals that of a massless fermion of momentum
//! K = k3 - eta m s_+ (physics.md item 1), s_+ the helicity-(+1) spin vector, with
//! - neutrino: eta = h (HC: h = -1, HF: h = +1);
//! - antineutrino (incoming nu-bar_R, outgoing N-bar): v v-bar = (k-slash - m)(1 + gamma5 s-slash)/2
//!   gives K-bar = k3 + h m s_+, i.e. eta = -h, and the lepton tensor
//!   L^{mu nu} = tr[k1-slash gamma^mu K-slash gamma^nu P_L]/2, the neutrino one with k1 <-> K: the
//!   symmetric part has the same form, the antisymmetric (epsilon) part changes sign.
//!   HC for nu-bar (h = +1) therefore has eta = -1 like HC for nu: for a pure vector hadronic
//!   current (Z' only) the nu and nu-bar cross sections are equal helicity by helicity; they differ
//!   only through the SM-Z axial term of the proton (V x A interference).
//!
//! The helicity index used throughout this module is therefore eta = -1 (conserving), +1 (flipping),
//! see [`Helicity::eta`].
//!
//! Hadronic current of exchange boson X: J^mu = u-bar(k4) [F1 gamma^mu + i F2 sigma^{mu nu} q_nu/(2M) +
//! G_A gamma^mu gamma5] u(k2) (couplings included in F1, F2, G_A). Summed over target spins and
//! contracted with the lepton tensor (trace technique, Gordon identity), with q = k4 - k2,
//! Ph = k2 + k4, tau = Q^2/(4M^2), G_M = F1 + F2:
//!
//! ```text
//! L.H_ab = -2 G_Ma G_Mb T_A + 2 (F1a F1b + tau F2a F2b) T_B + 2 G_Aa G_Ab (T_B - T_A + 8 M^2 K.k1)
//!          + 8 sigma (G_Ma G_Ab + G_Aa G_Mb) [ (K.q)(k1.k2) - (K.k2)(k1.q) ]
//! T_A = 2 (K.q)(k1.q) + t (K.k1),   T_B = 2 (K.Ph)(k1.Ph) - Ph^2 (K.k1)
//! ```
//! (sigma = +1 nu, -1 nu-bar). The first two terms are physics.md item 1's A and B terms. The sign
//! of the V x A term depends on the sign convention of G_A; the one above is DarkNews' (its
//! `nucleon_F3_NC` = +g_A/2 for the proton), fixed by its proton SM-Z-only column (agreement 1e-6
//! for HC and HF, while the opposite sign is off by a factor 2.4).
//! |M|^2 = sum_{a,b} g_a g_b P_a P_b L.H_ab, P_a = 1/(t - m_a^2), and
//! dsigma/dQ^2 = (1/2) |M|^2 / (16 pi (s - M^2)^2).
//!
//! # DarkNews conventions reproduced (README of the reference tables, quirks 2, 3)
//! - Coherent: Z' current F1 = (Z d_p + N d_n) F(Q^2) and SM Z current F1 = (Z c_p + N c_n) F(Q^2)
//!   with the same form factor F (Fourier-Bessel where tabulated); the nucleus is a spin-1/2 Dirac
//!   particle with F2 = G_A = 0 (treating it as spin 0 changes HF by -2% at 1 GeV, physics.md).
//! - Proton: Z' current d_p (F1, F2) with dipole form factors; SM Z current
//!   c_p (F1^Z, F2^Z, G_A^Z) with [`crate::nuclear::proton_nc_form_factors_darknews`]. DarkNews
//!   multiplies NC form factors that already contain the NC charges by c_p once more, so its proton
//!   Z coupling is ~20x (vector) / ~12x (axial) too small. Kept for the reproduction; the Z terms
//!   are <= 1e-5 (Z^2) and <= 0.05% (interference) of the proton rate.
//! - Bound protons are free protons with multiplicity Z.
//! - Majorana N: for an incoming nu_L the amplitude equals the Dirac one (the right-handed part of the
//!   Majorana vertex does not act), so the same expressions are used. DarkNews 0.4.8 differs for the
//!   interference terms (README quirk 13); compare Majorana points with the Z'-only numbers.

use crate::kinematics::FourVector;
use crate::model::dark_neutrino::{DarkNeutrinoModel, DARKNEWS_M_Z};
use crate::nuclear::{
    proton_em_form_factors, proton_nc_form_factors_darknews, FormFactorModel, Nucleus,
};
use crate::numerics::GaussLegendre;
use rayon::prelude::*;

/// Active neutrino flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// nu_e
    E,
    /// nu_mu
    Mu,
    /// nu_tau
    Tau,
}

impl Flavour {
    /// Index 0, 1, 2 into the coupling arrays.
    #[must_use]
    pub const fn index(self) -> usize {
        match self {
            Self::E => 0,
            Self::Mu => 1,
            Self::Tau => 2,
        }
    }
}

/// The incoming (anti)neutrino.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projectile {
    /// Left-handed neutrino of the given flavour.
    Neutrino(Flavour),
    /// Right-handed antineutrino of the given flavour.
    Antineutrino(Flavour),
}

impl Projectile {
    /// The flavour.
    #[must_use]
    pub const fn flavour(self) -> Flavour {
        match self {
            Self::Neutrino(f) | Self::Antineutrino(f) => f,
        }
    }
    /// True for an antineutrino.
    #[must_use]
    pub const fn is_anti(self) -> bool {
        matches!(self, Self::Antineutrino(_))
    }
}

/// Helicity of the up-scattered N relative to the incoming (anti)neutrino, in the nu-target CM frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Helicity {
    /// Same helicity as the projectile (h = -1 for nu, +1 for nu-bar).
    Conserving,
    /// Opposite helicity (h = +1 for nu, -1 for nu-bar).
    Flipping,
}

impl Helicity {
    /// Both helicities, conserving first.
    pub const ALL: [Self; 2] = [Self::Conserving, Self::Flipping];

    /// eta = -1 (conserving) / +1 (flipping): the spin projection of N (or N-bar, whose physical
    /// helicity is -eta) along its CM flight direction as it enters the lepton tensor and the decay
    /// distributions (module docs).
    #[must_use]
    pub const fn eta(self) -> f64 {
        match self {
            Self::Conserving => -1.0,
            Self::Flipping => 1.0,
        }
    }

    /// Physical helicity h of the outgoing N (nu projectile) or N-bar (nu-bar projectile).
    #[must_use]
    pub fn physical(self, projectile: Projectile) -> f64 {
        if projectile.is_anti() {
            -self.eta()
        } else {
            self.eta()
        }
    }
}

/// What the neutrino scatters on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UpscatterTarget {
    /// Coherent scattering on the whole nucleus.
    Coherent(Nucleus),
    /// Elastic scattering on the Z protons of a nucleus, treated as free protons (DarkNews).
    BoundProtons(Nucleus),
    /// A free proton (hydrogen).
    FreeProton,
}

impl UpscatterTarget {
    /// Mass of the scattering centre (nucleus or proton), GeV.
    #[must_use]
    pub fn mass(&self) -> f64 {
        match self {
            Self::Coherent(n) => n.mass,
            Self::BoundProtons(_) | Self::FreeProton => crate::units::M_P,
        }
    }
    /// Number of scattering centres per nucleus (1 coherent / free proton, Z bound protons).
    #[must_use]
    pub fn multiplicity(&self) -> u32 {
        match self {
            Self::BoundProtons(n) => n.z,
            Self::Coherent(_) | Self::FreeProton => 1,
        }
    }
    /// DarkNews-style channel name: "C12", "proton_in_C12", "proton_in_H1".
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Coherent(n) => n.name.to_owned(),
            Self::BoundProtons(n) => format!("proton_in_{}", n.name),
            Self::FreeProton => "proton_in_H1".to_owned(),
        }
    }
    /// PDG code of the recoiling target.
    #[must_use]
    pub fn recoil_pdg(&self) -> i64 {
        match self {
            Self::Coherent(n) => n.pdg_code(),
            Self::BoundProtons(_) | Self::FreeProton => 2212,
        }
    }
}

/// Which diagrams enter |M|^2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Diagrams {
    /// Z' + SM Z + interference (DarkNews' "total").
    #[default]
    Total,
    /// Z' exchange only (DarkNews' "KinMix_SQR").
    ZprimeOnly,
    /// SM Z exchange only ("NC_SQR").
    ZOnly,
    /// The Z-Z' interference term only ("KinMix_NC_inter"); may be negative.
    Interference,
}

impl Diagrams {
    const fn weights(self) -> (f64, f64, f64) {
        match self {
            Self::Total => (1.0, 1.0, 1.0),
            Self::ZprimeOnly => (1.0, 0.0, 0.0),
            Self::ZOnly => (0.0, 1.0, 0.0),
            Self::Interference => (0.0, 0.0, 1.0),
        }
    }
}

/// Threshold neutrino energy (lab, target at rest), GeV: E_th = m + m^2/(2M) (physics.md item 1).
#[must_use]
pub fn threshold_energy(m4: f64, m_target: f64) -> f64 {
    m4 + m4 * m4 / (2.0 * m_target)
}

/// Physical Q^2 range (GeV^2) for a massless projectile of lab energy `e_nu` (GeV) producing a
/// fermion of mass `m4` on a target of mass `m_target` at rest (physics.md items 1-2):
/// Q^2_max = -m^2 + 2 E1* (E3* + p3*), and Q^2_min = m^4 M^2 / (s Q^2_max) (the product of the two
/// roots, free of the cancellation in -m^2 + 2 E1*(E3* - p3*)). `None` at or below threshold.
#[must_use]
pub fn q2_range(e_nu: f64, m4: f64, m_target: f64) -> Option<(f64, f64)> {
    if !(e_nu > threshold_energy(m4, m_target)) || !e_nu.is_finite() {
        return None;
    }
    let (m2, mt2) = (m4 * m4, m_target * m_target);
    let s_m = 2.0 * m_target * e_nu; // s - M^2
    let s = mt2 + s_m;
    let lam = (s_m - m2).powi(2) - 4.0 * m2 * mt2;
    if !(lam > 0.0) {
        return None;
    }
    let rs = s.sqrt();
    let e1 = s_m / (2.0 * rs);
    let e3 = (s_m + m2) / (2.0 * rs);
    let p3 = lam.sqrt() / (2.0 * rs);
    let q2max = -m2 + 2.0 * e1 * (e3 + p3);
    if !(q2max > 0.0) {
        return None;
    }
    let q2min = m2 * m2 * mt2 / (s * q2max);
    (q2max > q2min).then_some((q2min, q2max))
}

/// Hadronic current of one exchanged boson at fixed Q^2 (couplings times form factors).
#[derive(Debug, Clone, Copy, Default)]
struct Current {
    f1: f64,
    f2: f64,
    ga: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum HadronSide {
    Coherent {
        nucleus: Nucleus,
        ff: FormFactorModel,
        v_had: f64,
        c_had: f64,
    },
    Proton {
        d_p: f64,
        c_p: f64,
    },
}

/// One up-scattering channel: fixed model couplings, target, projectile and diagram set.
/// Cheap to copy; all methods are pure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpscatterProcess {
    m4: f64,
    mzprime: f64,
    target: UpscatterTarget,
    m_target: f64,
    projectile: Projectile,
    diagrams: Diagrams,
    g_zprime: f64,
    g_z: f64,
    hadron: HadronSide,
}

/// Lab-frame four-momenta of an up-scattering event (GeV): nu along +z, target at rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpscatterKinematics {
    /// Incoming (anti)neutrino.
    pub nu_in: FourVector,
    /// Target at rest.
    pub target_in: FourVector,
    /// Outgoing heavy neutrino.
    pub n_out: FourVector,
    /// Recoiling target.
    pub recoil: FourVector,
}

impl UpscatterProcess {
    /// Build the channel. The coherent Z' form factor is the nucleus' default (Fourier-Bessel where
    /// tabulated, else symmetrised Fermi, as DarkNews); change it with [`Self::with_form_factor`].
    #[must_use]
    pub fn new(
        model: &DarkNeutrinoModel,
        target: UpscatterTarget,
        projectile: Projectile,
        diagrams: Diagrams,
    ) -> Self {
        let c = &model.couplings;
        let hadron = match target {
            UpscatterTarget::Coherent(nucleus) => {
                let (z, n) = (f64::from(nucleus.z), f64::from(nucleus.n()));
                HadronSide::Coherent {
                    nucleus,
                    ff: nucleus.default_form_factor_model(),
                    v_had: z * c.d_p_v + n * c.d_n_v,
                    c_had: z * c.c_p_v + n * c.c_n_v,
                }
            }
            UpscatterTarget::BoundProtons(_) | UpscatterTarget::FreeProton => HadronSide::Proton {
                d_p: c.d_p_v,
                c_p: c.c_p_v,
            },
        };
        let fl = projectile.flavour().index();
        Self {
            m4: model.m4,
            mzprime: model.mzprime,
            target,
            m_target: target.mass(),
            projectile,
            diagrams,
            g_zprime: c.d_alpha4[fl],
            g_z: c.c_alpha4[fl],
            hadron,
        }
    }

    /// Use another coherent form factor for the Z' current (no effect for proton targets).
    #[must_use]
    pub fn with_form_factor(mut self, model: FormFactorModel) -> Self {
        if let HadronSide::Coherent { ff, .. } = &mut self.hadron {
            *ff = model;
        }
        self
    }

    /// Same channel with another diagram set.
    #[must_use]
    pub fn with_diagrams(mut self, diagrams: Diagrams) -> Self {
        self.diagrams = diagrams;
        self
    }

    /// The target.
    #[must_use]
    pub fn target(&self) -> UpscatterTarget {
        self.target
    }
    /// The projectile.
    #[must_use]
    pub fn projectile(&self) -> Projectile {
        self.projectile
    }
    /// Heavy-neutrino mass, GeV.
    #[must_use]
    pub fn m4(&self) -> f64 {
        self.m4
    }
    /// Mass of the scattering centre, GeV.
    #[must_use]
    pub fn target_mass(&self) -> f64 {
        self.m_target
    }
    /// Scattering centres per nucleus (multiply `sigma` by this for the per-nucleus rate).
    #[must_use]
    pub fn multiplicity(&self) -> u32 {
        self.target.multiplicity()
    }
    /// Threshold energy, GeV.
    #[must_use]
    pub fn threshold_energy(&self) -> f64 {
        threshold_energy(self.m4, self.m_target)
    }
    /// Physical Q^2 range at lab energy `e_nu` (GeV), GeV^2; `None` at or below threshold.
    #[must_use]
    pub fn q2_range(&self, e_nu: f64) -> Option<(f64, f64)> {
        q2_range(e_nu, self.m4, self.m_target)
    }

    fn currents(&self, q2: f64) -> (Current, Current) {
        match self.hadron {
            HadronSide::Coherent {
                nucleus,
                ff,
                v_had,
                c_had,
            } => {
                // One form factor for both currents (DarkNews' convention, README quirk 3).
                let f = nucleus.form_factor(ff, q2);
                (
                    Current {
                        f1: v_had * f,
                        ..Current::default()
                    },
                    Current {
                        f1: c_had * f,
                        ..Current::default()
                    },
                )
            }
            HadronSide::Proton { d_p, c_p } => {
                let (f1, f2) = proton_em_form_factors(q2);
                let (g1, g2, ga) = proton_nc_form_factors_darknews(q2);
                (
                    Current {
                        f1: d_p * f1,
                        f2: d_p * f2,
                        ga: 0.0,
                    },
                    Current {
                        f1: c_p * g1,
                        f2: c_p * g2,
                        ga: c_p * ga,
                    },
                )
            }
        }
    }

    /// Spin-summed (target) |M|^2 for helicity index `eta` (module docs), dimensionless.
    fn amplitude_squared(&self, e_nu: f64, q2: f64, eta: f64) -> f64 {
        let (m, mt) = (self.m4, self.m_target);
        let (m2, mt2) = (m * m, mt * mt);
        let s_m = 2.0 * mt * e_nu; // s - M^2
        let s = mt2 + s_m;
        let lam = (s_m - m2).powi(2) - 4.0 * m2 * mt2;
        if !(lam > 0.0) {
            return 0.0;
        }
        let rl = lam.sqrt();
        // invariants (physics.md item 1), written in s - M^2 to avoid cancellations
        let k1k2 = 0.5 * s_m;
        let k1k3 = 0.5 * (m2 + q2);
        let k1k4 = 0.5 * (s_m - m2 - q2);
        let k3k2 = 0.5 * (s_m - q2);
        let k3k4 = 0.5 * (s_m - m2);
        let pk1 = 0.5 * s_m;
        let pk2 = 0.5 * s_m + mt2;
        let pk4 = 0.5 * (s_m - m2) + mt2;
        // K = a k3 + eta c2 P with a = 1 - eta (k3.P)/(lambda^1/2/2); for eta = +1 the stable form
        // 1 - B/sqrt(lam) = -4 m^2 s / (sqrt(lam)(sqrt(lam) + B)), B = s + m^2 - M^2.
        let b = s_m + m2;
        let one_minus = -4.0 * m2 * s / (rl * (rl + b));
        let one_plus = 1.0 + b / rl;
        let a = 0.5 * (1.0 + eta) * one_minus + 0.5 * (1.0 - eta) * one_plus;
        let c2 = eta * 2.0 * m2 / rl;
        let kk1 = a * k1k3 + c2 * pk1;
        let kk2 = a * k3k2 + c2 * pk2;
        let kq = a * 0.5 * (q2 - m2) - c2 * 0.5 * m2; // k3.q = (Q^2 - m^2)/2, P.q = -m^2/2
        let kph = a * (k3k2 + k3k4) + c2 * (pk2 + pk4);
        let k1q = -0.5 * (q2 + m2);
        let k1ph = k1k2 + k1k4;
        let ph2 = 4.0 * mt2 + q2;
        let t_a = 2.0 * kq * k1q - q2 * kk1;
        let t_b = 2.0 * kph * k1ph - ph2 * kk1;
        let t_g = t_b - t_a + 8.0 * mt2 * kk1;
        let t_e = kq * k1k2 - kk2 * k1q;
        let tau = q2 / (4.0 * mt2);
        let sigma = if self.projectile.is_anti() { -1.0 } else { 1.0 };
        let lh = |x: Current, y: Current| {
            let (gmx, gmy) = (x.f1 + x.f2, y.f1 + y.f2);
            -2.0 * gmx * gmy * t_a
                + 2.0 * (x.f1 * y.f1 + tau * x.f2 * y.f2) * t_b
                + 2.0 * x.ga * y.ga * t_g
                + 8.0 * sigma * (gmx * y.ga + x.ga * gmy) * t_e
        };
        let (zp, z) = self.currents(q2);
        let p_zp = -1.0 / (q2 + self.mzprime * self.mzprime);
        let p_z = -1.0 / (q2 + DARKNEWS_M_Z * DARKNEWS_M_Z);
        let (w_zp, w_z, w_int) = self.diagrams.weights();
        let mut m2sum = 0.0;
        if w_zp != 0.0 {
            m2sum += (self.g_zprime * p_zp).powi(2) * lh(zp, zp);
        }
        if w_z != 0.0 {
            m2sum += (self.g_z * p_z).powi(2) * lh(z, z);
        }
        if w_int != 0.0 {
            m2sum += 2.0 * self.g_zprime * self.g_z * p_zp * p_z * lh(zp, z);
        }
        if self.diagrams == Diagrams::Interference {
            m2sum
        } else {
            m2sum.max(0.0)
        }
    }

    /// dsigma/dQ^2 per scattering centre, GeV^-4, at lab energy `e_nu` (GeV) and Q^2 (GeV^2);
    /// zero outside the physical Q^2 range (module docs for the formula).
    #[must_use]
    pub fn dsigma_dq2(&self, e_nu: f64, q2: f64, helicity: Helicity) -> f64 {
        match self.q2_range(e_nu) {
            Some((lo, hi)) if q2 >= lo && q2 <= hi => {
                self.dsigma_dq2_unchecked(e_nu, q2, helicity.eta())
            }
            _ => 0.0,
        }
    }

    fn dsigma_dq2_unchecked(&self, e_nu: f64, q2: f64, eta: f64) -> f64 {
        let s_m = 2.0 * self.m_target * e_nu;
        0.5 * self.amplitude_squared(e_nu, q2, eta) / (16.0 * std::f64::consts::PI * s_m * s_m)
    }

    /// Total cross section per scattering centre, GeV^-2 (zero at or below threshold), by
    /// composite Gauss-Legendre quadrature (64 panels x 16 nodes) in ln Q^2 over the full
    /// physical range (no Q cap). Relative accuracy better than 1e-6 (tested by refinement).
    #[must_use]
    pub fn sigma(&self, e_nu: f64, helicity: Helicity) -> f64 {
        self.sigma_with(e_nu, helicity, 64)
    }

    fn sigma_with(&self, e_nu: f64, helicity: Helicity, panels: usize) -> f64 {
        let Some((lo, hi)) = self.q2_range(e_nu) else {
            return 0.0;
        };
        let eta = helicity.eta();
        let gl = GaussLegendre::<16>::new();
        gl.integrate(
            |x| {
                let q2 = x.exp();
                q2 * self.dsigma_dq2_unchecked(e_nu, q2, eta)
            },
            lo.ln(),
            hi.ln(),
            panels,
        )
    }

    /// Lab-frame kinematics for lab energy `e_nu` (GeV), Q^2 (GeV^2) and N azimuth `phi` (rad)
    /// (physics.md item 7): T = Q^2/(2M), E_N = E - T, cos theta_N = (2 E E_N - m^2 - Q^2)/(2 E |k3|),
    /// recoil = k1 + k2 - k3 (four-momentum conserved to rounding). `None` outside the physical range.
    #[must_use]
    pub fn lab_kinematics(&self, e_nu: f64, q2: f64, phi: f64) -> Option<UpscatterKinematics> {
        let (lo, hi) = self.q2_range(e_nu)?;
        if !(q2 >= lo && q2 <= hi) {
            return None;
        }
        let (m, mt) = (self.m4, self.m_target);
        let e_n = e_nu - q2 / (2.0 * mt);
        let p3 = (e_n * e_n - m * m).max(0.0).sqrt();
        let cos_t = if p3 > 0.0 {
            ((2.0 * e_nu * e_n - m * m - q2) / (2.0 * e_nu * p3)).clamp(-1.0, 1.0)
        } else {
            1.0
        };
        let sin_t = (1.0 - cos_t * cos_t).max(0.0).sqrt();
        let (sp, cp) = phi.sin_cos();
        let nu_in = FourVector::new(e_nu, 0.0, 0.0, e_nu);
        let target_in = FourVector::at_rest(mt);
        let n_out = FourVector::new(e_n, p3 * sin_t * cp, p3 * sin_t * sp, p3 * cos_t);
        let recoil = nu_in + target_in - n_out;
        Some(UpscatterKinematics {
            nu_in,
            target_in,
            n_out,
            recoil,
        })
    }
}

/// A draw of Q^2 at fixed E from a [`Q2Sampler`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Q2Sample {
    /// Q^2, GeV^2.
    pub q2: f64,
    /// Proposal density q(Q^2 | E), GeV^-2 (normalised to 1 over the physical range).
    pub density: f64,
    /// dsigma/dQ^2 at this point, GeV^-4.
    pub dsigma_dq2: f64,
}

impl Q2Sample {
    /// Importance weight dsigma/dQ^2 / q, GeV^-2: its expectation over draws is sigma(E).
    #[must_use]
    pub fn weight(&self) -> f64 {
        if self.density > 0.0 {
            self.dsigma_dq2 / self.density
        } else {
            0.0
        }
    }
}

/// Proposal for Q^2 at any E, built once per (process, helicity).
///
/// Construction: u = ln(Q^2/Q^2_min)/ln(Q^2_max/Q^2_min) in [0, 1] maps the physical range at any
/// energy onto the unit interval. At `N_NODES` energies E_j = E_th (1 + exp(xi_j)) (xi uniform from
/// ln 1e-5 to ln(E_max/E_th - 1)) the density of u under dsigma/dQ^2 is tabulated as a histogram of
/// `N_BINS` equal bins (4-point Gauss-Legendre per bin). At energy E the proposal is the mixture
/// q(u|E) = (1 - f) [ (1 - w) h_j(u) + w h_{j+1}(u) ] + f, with w linear in xi between the
/// bracketing nodes (clamped outside) and f = 2% flat: a normalised density, positive on the whole
/// range, evaluable exactly at any u. Hence draws are exact (continuous Q^2), the weight
/// dsigma/dQ^2 / q is unbiased for every E, and the density is q(Q^2|E) = q(u|E)/(Q^2 L).
#[derive(Debug, Clone)]
pub struct Q2Sampler {
    process: UpscatterProcess,
    helicity: Helicity,
    xi_min: f64,
    xi_max: f64,
    /// cumulative bin probabilities per node, N_NODES x (N_BINS + 1)
    cdf: Vec<f64>,
}

const N_NODES: usize = 48;
const N_BINS: usize = 128;
const FLAT_FRACTION: f64 = 0.02;

impl Q2Sampler {
    /// Build the tables for energies up to `e_max` GeV (above it the last node's shape is used,
    /// still exact but less efficient).
    #[must_use]
    pub fn new(process: UpscatterProcess, helicity: Helicity, e_max: f64) -> Self {
        let e_th = process.threshold_energy();
        let xi_min = (1e-5f64).ln();
        let xi_max = ((e_max / e_th - 1.0).max(2e-5)).ln();
        let gl = GaussLegendre::<4>::new();
        let eta = helicity.eta();
        let mut cdf = vec![0.0; N_NODES * (N_BINS + 1)];
        // independent nodes: in parallel (on the caller's rayon pool)
        cdf.par_chunks_mut(N_BINS + 1)
            .enumerate()
            .for_each(|(j, row)| {
                let xi = xi_min + (xi_max - xi_min) * j as f64 / (N_NODES - 1) as f64;
                let e = e_th * (1.0 + xi.exp());
                let mut total = 0.0;
                if let Some((lo, hi)) = process.q2_range(e) {
                    let l = (hi / lo).ln();
                    for i in 0..N_BINS {
                        let (u0, u1) = (i as f64 / N_BINS as f64, (i + 1) as f64 / N_BINS as f64);
                        let p = gl.integrate(
                            |u| {
                                let q2 = lo * (u * l).exp();
                                q2 * process.dsigma_dq2_unchecked(e, q2, eta)
                            },
                            u0,
                            u1,
                            1,
                        );
                        total += p.max(0.0);
                        row[i + 1] = total;
                    }
                }
                if total > 0.0 && total.is_finite() {
                    row.iter_mut().for_each(|c| *c /= total);
                } else {
                    // degenerate node: flat
                    for (i, c) in row.iter_mut().enumerate() {
                        *c = i as f64 / N_BINS as f64;
                    }
                }
                row[N_BINS] = 1.0;
            });
        Self {
            process,
            helicity,
            xi_min,
            xi_max,
            cdf,
        }
    }

    /// The process this sampler was built for.
    #[must_use]
    pub fn process(&self) -> &UpscatterProcess {
        &self.process
    }

    /// The helicity this sampler was built for.
    #[must_use]
    pub fn helicity(&self) -> Helicity {
        self.helicity
    }

    fn node_weights(&self, e_nu: f64) -> (usize, f64) {
        let e_th = self.process.threshold_energy();
        let xi = (e_nu / e_th - 1.0).max(1e-300).ln();
        let x = ((xi - self.xi_min) / (self.xi_max - self.xi_min) * (N_NODES - 1) as f64)
            .clamp(0.0, (N_NODES - 1) as f64);
        let j = (x.floor() as usize).min(N_NODES - 2);
        (j, x - j as f64)
    }

    fn row(&self, j: usize) -> &[f64] {
        &self.cdf[j * (N_BINS + 1)..(j + 1) * (N_BINS + 1)]
    }

    /// Proposal density in u at energy index/weight (j, w).
    fn density_u(&self, j: usize, w: f64, u: f64) -> f64 {
        let i = ((u * N_BINS as f64).floor() as usize).min(N_BINS - 1);
        let (r0, r1) = (self.row(j), self.row(j + 1));
        let h0 = (r0[i + 1] - r0[i]) * N_BINS as f64;
        let h1 = (r1[i + 1] - r1[i]) * N_BINS as f64;
        (1.0 - FLAT_FRACTION) * ((1.0 - w) * h0 + w * h1) + FLAT_FRACTION
    }

    /// Proposal density q(Q^2 | E), GeV^-2, for any Q^2 (zero outside the physical range).
    #[must_use]
    pub fn density(&self, e_nu: f64, q2: f64) -> f64 {
        let Some((lo, hi)) = self.process.q2_range(e_nu) else {
            return 0.0;
        };
        if !(q2 >= lo && q2 <= hi) {
            return 0.0;
        }
        let l = (hi / lo).ln();
        let u = ((q2 / lo).ln() / l).clamp(0.0, 1.0);
        let (j, w) = self.node_weights(e_nu);
        self.density_u(j, w, u) / (q2 * l)
    }

    /// Draw Q^2 at lab energy `e_nu` (GeV). `None` at or below threshold.
    pub fn sample<R: rand::Rng + ?Sized>(&self, e_nu: f64, rng: &mut R) -> Option<Q2Sample> {
        use rand::RngExt;
        let (lo, hi) = self.process.q2_range(e_nu)?;
        let l = (hi / lo).ln();
        let (j, w) = self.node_weights(e_nu);
        let r_mix: f64 = rng.random();
        let r_bin: f64 = rng.random();
        let r_in: f64 = rng.random();
        let u = if r_mix < FLAT_FRACTION {
            r_bin
        } else {
            let jj = if (r_mix - FLAT_FRACTION) / (1.0 - FLAT_FRACTION) < w {
                j + 1
            } else {
                j
            };
            let row = self.row(jj);
            // first bin i with row[i+1] > r_bin
            let i = row[1..].partition_point(|&c| c <= r_bin).min(N_BINS - 1);
            (i as f64 + r_in) / N_BINS as f64
        };
        let q2 = (lo * (u * l).exp()).clamp(lo, hi);
        let density = self.density_u(j, w, u) / (q2 * l);
        let dsigma_dq2 = self
            .process
            .dsigma_dq2_unchecked(e_nu, q2, self.helicity.eta());
        Some(Q2Sample {
            q2,
            density,
            dsigma_dq2,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::conservation_violation;
    use crate::model::dark_neutrino::{DarkNeutrinoParams, HnlType};
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn p1() -> DarkNeutrinoModel {
        DarkNeutrinoModel::new(&DarkNeutrinoParams::benchmark_p1()).unwrap()
    }
    fn p2() -> DarkNeutrinoModel {
        DarkNeutrinoModel::new(&DarkNeutrinoParams::benchmark_p2()).unwrap()
    }
    fn targets() -> [UpscatterTarget; 2] {
        [
            UpscatterTarget::Coherent(Nucleus::from_name("C12").unwrap()),
            UpscatterTarget::FreeProton,
        ]
    }
    const NUMU: Projectile = Projectile::Neutrino(Flavour::Mu);

    #[test]
    fn threshold_and_range_edges() {
        let m = 0.42;
        let mt = crate::units::M_P;
        let eth = threshold_energy(m, mt);
        assert!((eth - 0.514_002_58).abs() < 1e-8);
        assert!(q2_range(eth, m, mt).is_none());
        assert!(q2_range(0.9 * eth, m, mt).is_none());
        let (lo, hi) = q2_range(eth * (1.0 + 1e-9), m, mt).unwrap();
        assert!(lo > 0.0 && hi >= lo && (hi - lo) / hi < 1e-3);
        // direct evaluation of Q2min agrees with the product formula away from threshold
        let e: f64 = 3.0;
        let s = mt * mt + 2.0 * mt * e;
        let rs = s.sqrt();
        let (e1, e3) = (
            (s - mt * mt) / (2.0 * rs),
            (s + m * m - mt * mt) / (2.0 * rs),
        );
        let p3 = (e3 * e3 - m * m).sqrt();
        let (lo, _) = q2_range(e, m, mt).unwrap();
        assert!((lo / (-m * m + 2.0 * e1 * (e3 - p3)) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn sigma_converges_and_dsigma_integrates() {
        for model in [p1(), p2()] {
            for t in targets() {
                let pr = UpscatterProcess::new(&model, t, NUMU, Diagrams::Total);
                for h in Helicity::ALL {
                    for e in [0.6, 1.0, 5.0, 20.0] {
                        let a = pr.sigma(e, h);
                        let b = pr.sigma_with(e, h, 256);
                        if b > 0.0 {
                            assert!((a / b - 1.0).abs() < 1e-7, "{t:?} {h:?} {e}: {a} {b}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn nu_and_nubar_agree_for_vector_exchange() {
        let model = p1();
        for t in targets() {
            let nu = UpscatterProcess::new(&model, t, NUMU, Diagrams::ZprimeOnly);
            let nub = UpscatterProcess::new(
                &model,
                t,
                Projectile::Antineutrino(Flavour::Mu),
                Diagrams::ZprimeOnly,
            );
            for h in Helicity::ALL {
                for q2 in [0.001, 0.01, 0.1] {
                    let (a, b) = (nu.dsigma_dq2(2.0, q2, h), nub.dsigma_dq2(2.0, q2, h));
                    assert!((a - b).abs() <= 1e-12 * a.abs(), "{a} {b}");
                }
            }
        }
        // the proton Z axial term makes them differ
        let nu = UpscatterProcess::new(
            &model,
            UpscatterTarget::FreeProton,
            NUMU,
            Diagrams::Interference,
        );
        let nub = UpscatterProcess::new(
            &model,
            UpscatterTarget::FreeProton,
            Projectile::Antineutrino(Flavour::Mu),
            Diagrams::Interference,
        );
        assert!(
            (nu.dsigma_dq2(2.0, 0.1, Helicity::Conserving)
                - nub.dsigma_dq2(2.0, 0.1, Helicity::Conserving))
            .abs()
                > 0.0
        );
    }

    #[test]
    fn massless_limit_has_no_helicity_flip() {
        let mut p = DarkNeutrinoParams {
            m4: 1e-4,
            mzprime: 0.03,
            umu4: 1e-3,
            alpha_d: Some(0.25),
            epsilon: Some(1e-4),
            hnl_type: HnlType::Dirac,
            ..Default::default()
        };
        let m = DarkNeutrinoModel::new(&p).unwrap();
        let pr = UpscatterProcess::new(&m, targets()[0], NUMU, Diagrams::ZprimeOnly);
        let r = pr.sigma(1.0, Helicity::Flipping) / pr.sigma(1.0, Helicity::Conserving);
        assert!(r < 1e-6, "{r}");
        p.m4 = 0.3;
        let m = DarkNeutrinoModel::new(&p).unwrap();
        let pr = UpscatterProcess::new(&m, targets()[0], NUMU, Diagrams::ZprimeOnly);
        assert!(pr.sigma(1.0, Helicity::Flipping) > 0.0);
    }

    #[test]
    fn diagram_split_adds_up() {
        let model = p2();
        for t in targets() {
            let pr = UpscatterProcess::new(&model, t, NUMU, Diagrams::Total);
            for h in Helicity::ALL {
                let parts: f64 = [
                    Diagrams::ZprimeOnly,
                    Diagrams::ZOnly,
                    Diagrams::Interference,
                ]
                .iter()
                .map(|d| pr.with_diagrams(*d).dsigma_dq2(1.0, 0.05, h))
                .sum();
                let tot = pr.dsigma_dq2(1.0, 0.05, h);
                assert!((parts / tot - 1.0).abs() < 1e-12);
            }
        }
    }

    fn kish(ws: &[f64]) -> f64 {
        let s: f64 = ws.iter().sum();
        let s2: f64 = ws.iter().map(|w| w * w).sum();
        s * s / (s2 * ws.len() as f64)
    }

    #[test]
    fn q2_sampler_is_unbiased_and_efficient() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        for model in [p1(), p2()] {
            for t in targets() {
                let pr = UpscatterProcess::new(&model, t, NUMU, Diagrams::Total);
                for h in Helicity::ALL {
                    let sampler = Q2Sampler::new(pr, h, 50.0);
                    for e in [0.55, 0.77, 1.3, 4.1, 17.0, 80.0] {
                        let Some((lo, hi)) = pr.q2_range(e) else {
                            continue;
                        };
                        // proposal normalised
                        let gl = GaussLegendre::<16>::new();
                        let norm = gl.integrate(
                            |x| x.exp() * sampler.density(e, x.exp()),
                            lo.ln(),
                            hi.ln(),
                            256,
                        );
                        assert!((norm - 1.0).abs() < 1e-3, "norm {norm}");
                        let n = 20_000;
                        let mut ws = Vec::with_capacity(n);
                        for _ in 0..n {
                            let s = sampler.sample(e, &mut rng).unwrap();
                            assert!(
                                s.q2 >= lo
                                    && s.q2 <= hi
                                    && s.density > 0.0
                                    && s.weight().is_finite()
                            );
                            ws.push(s.weight());
                        }
                        let mean = ws.iter().sum::<f64>() / n as f64;
                        let sig = pr.sigma(e, h);
                        let ess = kish(&ws);
                        println!(
                            "ESS/N {:>22} {h:?} E={e:5}: {ess:.4}  <w>/sigma-1 = {:+.1e}",
                            pr.target().name(),
                            mean / sig - 1.0
                        );
                        let err = (1.0 / (ess * n as f64)).sqrt() * 4.0 + 1e-3;
                        assert!(
                            (mean / sig - 1.0).abs() < err,
                            "{t:?} {h:?} E={e}: {mean} vs {sig}"
                        );
                        if e <= 50.0 {
                            assert!(ess > 0.8, "{t:?} {h:?} E={e}: ESS/N = {ess}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn sampler_near_threshold_has_no_nan() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
        let pr = UpscatterProcess::new(&p1(), UpscatterTarget::FreeProton, NUMU, Diagrams::Total);
        let s = Q2Sampler::new(pr, Helicity::Flipping, 20.0);
        let eth = pr.threshold_energy();
        assert!(s.sample(eth, &mut rng).is_none());
        for k in 1..12 {
            let e = eth * (1.0 + 10f64.powi(-k));
            for _ in 0..100 {
                if let Some(x) = s.sample(e, &mut rng) {
                    assert!(x.q2.is_finite() && x.weight().is_finite() && x.weight() >= 0.0);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn lab_kinematics_conserve_momentum(
            m4 in 0.01f64..1.0, e_rel in 1.001f64..50.0, u in 0.0f64..1.0, phi in 0.0f64..std::f64::consts::TAU, coh in proptest::bool::ANY,
        ) {
            let model = DarkNeutrinoModel::new(&DarkNeutrinoParams {
                m4, mzprime: 0.1, umu4: 1e-3, alpha_d: Some(0.3), epsilon: Some(1e-3), ..Default::default()
            }).unwrap();
            let t = if coh { targets()[0] } else { UpscatterTarget::FreeProton };
            let pr = UpscatterProcess::new(&model, t, NUMU, Diagrams::Total);
            let e = pr.threshold_energy() * e_rel;
            let (lo, hi) = pr.q2_range(e).unwrap();
            let q2 = lo * (hi / lo).powf(u);
            let k = pr.lab_kinematics(e, q2, phi).unwrap();
            prop_assert!(conservation_violation(k.nu_in + k.target_in, k.n_out + k.recoil) < 1e-12);
            let mt = pr.target_mass();
            let scale = (e + mt) * (e + mt);
            prop_assert!((k.n_out.m2() - m4 * m4).abs() < 1e-12 * scale);
            prop_assert!((k.recoil.m2() - mt * mt).abs() < 1e-11 * scale);
            // Q^2 reproduced
            prop_assert!(((k.nu_in - k.n_out).m2() + q2).abs() < 1e-9 * scale.max(q2));
            for h in Helicity::ALL {
                let d = pr.dsigma_dq2(e, q2, h);
                prop_assert!(d.is_finite() && d >= 0.0);
            }
        }
    }
}
