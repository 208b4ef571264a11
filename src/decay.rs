//! Decays of the heavy neutrino N and of the Z': widths, lifetimes and samplers.
//!
//! Sources: Bertuzzo, Jana, Machado, Zukanovich Funchal, arXiv:1807.09877 (N -> nu Z');
//! Ballett, Pascoli, Ross-Lonergan, arXiv:1808.02915 and Abdullah et al. (DarkNews),
//! arXiv:2207.04137 sec. 4 (N -> nu l+ l-); textbook V -> f f-bar. Formula sheet `physics.md` items 4, 7.
//!
//! Channels as in DarkNews 0.4.8: if m_Z' < m4 (and m_Z' > 2 m_e) N -> nu Z' on shell followed by
//! Z' -> e+ e-; otherwise N -> nu e+ e- through an off-shell Z' (+ SM Z). Each generated chain has
//! branching ratio 1 in DarkNews (README quirk 6); the width helpers here give the partial widths.
//!
//! # Polarisation
//! The decay distributions depend on the N spin through `polarization` P in [-1, 1]: the spin
//! projection on the N flight direction *in the nu-target CM frame*, in units of 1/2. For an N of
//! helicity h, P = h; for an N-bar (antineutrino projectile), P = -h (CP), so that P = -1 for the
//! helicity-conserving and +1 for the helicity-flipping channel in both cases
//! ([`crate::process::upscatter::Helicity::eta`]). A Majorana N decays to nu and nu-bar with equal
//! rates and the sum of the two charge-conjugate channels is isotropic: P is ignored (as DarkNews,
//! whose Majorana N -> nu Z' rate has no h dependence).
//!
//! # Samplers
//! Both samplers return unit-weight events (exact accept-reject, no importance weight):
//! - two-body: cos theta_Z' by inverse CDF of (1 + a cos theta)/2, a = P (1 - 2r^2)/(1 + 2r^2);
//!   Z' -> e+e- isotropic in the Z' rest frame (Z' summed over polarisations, physics.md 4b);
//! - three-body: Dalitz variables (s12 = m_ee^2, t = (k + p1)^2) by accept-reject against a constant
//!   envelope (1.25 x the maximum found at construction on 2048 values of s12, with the exact
//!   maximum over t of the quadratic |M|^2 at each), a uniformly random orientation, then the spin:
//!   the configuration is kept with probability |M_S|^2/(|M_S|^2 + |M_-S|^2) and otherwise rotated
//!   by pi about an axis perpendicular to the spin (which maps it onto a configuration of weight
//!   |M_-S|^2 -> |M_S|^2), so the output density is exactly |M_S|^2 with no extra rejection. An
//!   envelope violation (not observed; checked by a test on random model points) is counted in
//!   [`NDecaySampler::envelope_overflows`].

use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

use crate::kinematics::{two_body_decay, FourVector, Vec3};
use crate::model::dark_neutrino::{DarkNeutrinoModel, HnlType, DARKNEWS_M_Z};
use crate::numerics::GaussLegendre;
use crate::process::upscatter::Diagrams;
use crate::units::{M_E, M_MU};

const PI: f64 = std::f64::consts::PI;

/// Errors of the decay module.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum DecayError {
    /// N cannot decay to nu e+ e- (m4 <= 2 m_e) or the Z' cannot decay to e+ e-.
    #[error("no N -> nu e+ e- decay chain open for model.m4 = {m4} GeV, model.mzprime = {mzprime} GeV: need m4 > 2 m_e = 1.022 MeV and, for an on-shell Z' (mzprime < m4), mzprime > 2 m_e")]
    Closed {
        /// N mass, GeV.
        m4: f64,
        /// Z' mass, GeV.
        mzprime: f64,
    },
}

/// Which N decay chain the model has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NDecayMode {
    /// N -> nu Z' (on shell), Z' -> e+ e-.
    TwoBodyOnShell,
    /// N -> nu e+ e- through an off-shell Z' (and Z).
    ThreeBodyOffShell,
}

/// The N decay chain of `model` (DarkNews' rule: on shell if m4 > m_Z' > 2 m_e), `None` if closed.
#[must_use]
pub fn n_decay_mode(model: &DarkNeutrinoModel) -> Option<NDecayMode> {
    if model.m4 > model.mzprime && model.mzprime > 2.0 * M_E {
        Some(NDecayMode::TwoBodyOnShell)
    } else if model.m4 > 2.0 * M_E && model.mzprime >= model.m4 {
        Some(NDecayMode::ThreeBodyOffShell)
    } else {
        None
    }
}

/// Forward-backward coefficient (1 - 2r^2)/(1 + 2r^2), r = m_Z'/m4, of N -> nu Z' for a fully
/// polarised Dirac N (physics.md item 4a): dGamma/dcos = (Gamma/2)(1 + P coef cos theta_Z').
#[must_use]
pub fn zprime_asymmetry(model: &DarkNeutrinoModel) -> f64 {
    let r2 = (model.mzprime / model.m4).powi(2);
    (1.0 - 2.0 * r2) / (1.0 + 2.0 * r2)
}

/// Gamma(N -> nu Z'), GeV (summed over light flavours; zero if closed):
/// D^2 m4^3/(32 pi m_Z'^2) (1 - r^2)^2 (1 + 2 r^2), x2 for Majorana (arXiv:1807.09877; physics.md 4a).
#[must_use]
pub fn gamma_n_to_nu_zprime(model: &DarkNeutrinoModel) -> f64 {
    let (m, mv) = (model.m4, model.mzprime);
    if mv >= m {
        return 0.0;
    }
    let r2 = (mv / m).powi(2);
    let d = model.couplings.d_decay;
    model.majorana_factor() * d * d * m.powi(3) / (32.0 * PI * mv * mv)
        * (1.0 - r2).powi(2)
        * (1.0 + 2.0 * r2)
}

/// dGamma(N -> nu Z')/dcos(theta_Z'), GeV, theta_Z' from the spin quantisation axis, for
/// polarisation `polarization` (module docs; ignored for Majorana).
#[must_use]
pub fn dgamma_n_to_nu_zprime_dcos(
    model: &DarkNeutrinoModel,
    cos_theta: f64,
    polarization: f64,
) -> f64 {
    if !(-1.0..=1.0).contains(&cos_theta) {
        return 0.0;
    }
    0.5 * gamma_n_to_nu_zprime(model)
        * (1.0 + effective_polarization(model, polarization) * zprime_asymmetry(model) * cos_theta)
}

fn effective_polarization(model: &DarkNeutrinoModel, polarization: f64) -> f64 {
    match model.hnl_type {
        HnlType::Dirac => polarization.clamp(-1.0, 1.0),
        HnlType::Majorana => 0.0,
    }
}

/// Gamma(Z' -> l+ l-), GeV, for a lepton of mass `m_l` GeV (zero if closed):
/// m_Z'/(12 pi) sqrt(1 - 4 mu^2) [ g_V^2 (1 + 2 mu^2) + g_A^2 (1 - 4 mu^2) ], mu = m_l/m_Z',
/// g_V = d_e^V, g_A = d_e^A (lepton universality; physics.md 4b).
#[must_use]
pub fn gamma_zprime_to_ll(model: &DarkNeutrinoModel, m_l: f64) -> f64 {
    let mv = model.mzprime;
    if mv <= 2.0 * m_l {
        return 0.0;
    }
    let mu2 = (m_l / mv).powi(2);
    let (gv, ga) = (model.couplings.d_e_v, model.couplings.d_e_a);
    mv / (12.0 * PI)
        * (1.0 - 4.0 * mu2).sqrt()
        * (gv * gv * (1.0 + 2.0 * mu2) + ga * ga * (1.0 - 4.0 * mu2))
}

/// The Z' width DarkNews can compute, e+e- + mu+mu-, GeV (no hadrons, nu nu-bar or N N channels:
/// README quirk 7).
#[must_use]
pub fn gamma_zprime_leptonic(model: &DarkNeutrinoModel) -> f64 {
    gamma_zprime_to_ll(model, M_E) + gamma_zprime_to_ll(model, M_MU)
}

/// BR(Z' -> e+ e-) within the leptonic channels above (1 below the dimuon threshold).
#[must_use]
pub fn branching_ratio_zprime_ee(model: &DarkNeutrinoModel) -> f64 {
    let tot = gamma_zprime_leptonic(model);
    if tot > 0.0 {
        gamma_zprime_to_ll(model, M_E) / tot
    } else {
        0.0
    }
}

/// Matrix element of N(p) -> nu(k) e-(p1) e+(p2) through Z' and Z (physics.md 4c), for a
/// generic "spin-substituted" N momentum P: summed over final spins, with N spin state S,
///
/// |M_S|^2 = sum_{X,Y} g_X g_Y Prop_X Prop_Y { 8 [ gL_X gL_Y (k.p1)(P.p2) + gR_X gR_Y (k.p2)(P.p1) ]
///           + 4 m_e^2 (gL_X gR_Y + gR_X gL_Y)(k.P) },   P = p - m4 S,
///
/// gL = g_V + g_A, gR = g_V - g_A the chiral couplings of the electron current
/// e-bar gamma^mu (g_V - g_A gamma5) e, Prop_X = 1/(s12 - m_X^2). Its average over the N spin is the
/// same with P = p; for g_A = 0 it is physics.md's 8 (D g_V)^2/(s12 - M^2)^2 [ (k.p1)(p.p2) +
/// (k.p2)(p.p1) + m_e^2 (k.p) ]. Couplings: Z'-Z' D^2 = sum d_a4^2, Z-Z C^2, Z'-Z sum d_a4 c_a4.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ThreeBody {
    m4: f64,
    me: f64,
    mzp: f64,
    d2: f64,
    c2: f64,
    dc: f64,
    zp: (f64, f64),
    z: (f64, f64),
    w: (f64, f64, f64),
}

/// Dot products entering |M|^2 (GeV^2).
#[derive(Debug, Clone, Copy)]
struct Dots {
    kp1: f64,
    kp2: f64,
    pp1: f64,
    pp2: f64,
    kp: f64,
}

impl ThreeBody {
    fn new(model: &DarkNeutrinoModel, diagrams: Diagrams) -> Self {
        let c = &model.couplings;
        let w = match diagrams {
            Diagrams::Total => (1.0, 1.0, 1.0),
            Diagrams::ZprimeOnly => (1.0, 0.0, 0.0),
            Diagrams::ZOnly => (0.0, 1.0, 0.0),
            Diagrams::Interference => (0.0, 0.0, 1.0),
        };
        Self {
            m4: model.m4,
            me: M_E,
            mzp: model.mzprime,
            d2: c.d_decay * c.d_decay,
            c2: c.c_decay * c.c_decay,
            dc: c.dc_decay,
            zp: (c.d_e_v + c.d_e_a, c.d_e_v - c.d_e_a),
            z: (c.c_e_v + c.c_e_a, c.c_e_v - c.c_e_a),
            w,
        }
    }

    fn msq(&self, s12: f64, d: Dots) -> f64 {
        let pzp = 1.0 / (s12 - self.mzp * self.mzp);
        let pz = 1.0 / (s12 - DARKNEWS_M_Z * DARKNEWS_M_Z);
        let me2 = self.me * self.me;
        let term = |x: (f64, f64), y: (f64, f64)| {
            8.0 * (x.0 * y.0 * d.kp1 * d.pp2 + x.1 * y.1 * d.kp2 * d.pp1)
                + 4.0 * me2 * (x.0 * y.1 + x.1 * y.0) * d.kp
        };
        self.w.0 * self.d2 * pzp * pzp * term(self.zp, self.zp)
            + self.w.1 * self.c2 * pz * pz * term(self.z, self.z)
            + self.w.2 * 2.0 * self.dc * pzp * pz * term(self.zp, self.z)
    }

    /// Spin-averaged |M|^2 at Dalitz point (s12, t).
    fn msq_avg(&self, s12: f64, t: f64) -> f64 {
        let (m2, me2) = (self.m4 * self.m4, self.me * self.me);
        let u = m2 + 2.0 * me2 - s12 - t;
        self.msq(
            s12,
            Dots {
                kp1: 0.5 * (t - me2),
                kp2: 0.5 * (u - me2),
                pp1: 0.5 * (m2 + me2 - u),
                pp2: 0.5 * (m2 + me2 - t),
                kp: 0.5 * (m2 - s12),
            },
        )
    }

    fn s12_range(&self) -> (f64, f64) {
        (4.0 * self.me * self.me, self.m4 * self.m4)
    }

    /// t = (k + p1)^2 range at fixed s12 (physics.md 4c).
    fn t_range(&self, s12: f64) -> (f64, f64) {
        let me2 = self.me * self.me;
        let rs = s12.sqrt();
        let e2 = 0.5 * rs;
        let p2 = (e2 * e2 - me2).max(0.0).sqrt();
        let enu = (self.m4 * self.m4 - s12) / (2.0 * rs);
        (me2 + 2.0 * enu * (e2 - p2), me2 + 2.0 * enu * (e2 + p2))
    }

    /// Map y in [0, 1] to s12 = s_min + (s_max - s_min) y^2 (smooths the threshold); returns (s12, ds12/dy).
    fn s12_of(&self, y: f64) -> (f64, f64) {
        let (lo, hi) = self.s12_range();
        (lo + (hi - lo) * y * y, 2.0 * y * (hi - lo))
    }

    /// Width (Dirac), GeV: integral of |M|^2_avg / (256 pi^3 m4^3) ds12 dt.
    fn width(&self) -> f64 {
        let gl_t = GaussLegendre::<3>::new(); // exact: |M|^2 is quadratic in t
        let gl = GaussLegendre::<8>::new();
        let integral = gl.integrate(
            |y| {
                let (s12, jac) = self.s12_of(y);
                let (t0, t1) = self.t_range(s12);
                jac * gl_t.integrate(|t| self.msq_avg(s12, t), t0, t1, 1)
            },
            0.0,
            1.0,
            128,
        );
        integral / (256.0 * PI.powi(3) * self.m4.powi(3))
    }
}

/// Gamma(N -> nu e+ e-), GeV, summed over light flavours, through the off-shell Z' (and SM Z and the
/// interference, per `diagrams`), by Dalitz quadrature (physics.md 4c); x2 for Majorana.
/// Meaningful for m_Z' > m4 (for m_Z' < m4 the Z' is on shell and the chain is two-body); zero if
/// m4 <= 2 m_e.
#[must_use]
pub fn gamma_n_to_nu_ee(model: &DarkNeutrinoModel, diagrams: Diagrams) -> f64 {
    if model.m4 <= 2.0 * M_E {
        return 0.0;
    }
    model.majorana_factor() * ThreeBody::new(model, diagrams).width()
}

/// Total N width DarkNews assigns (the single open chain: N -> nu Z' if on shell, else
/// N -> nu e+ e-), GeV. `diagrams` only matters for the three-body case.
#[must_use]
pub fn total_width_n(model: &DarkNeutrinoModel, diagrams: Diagrams) -> f64 {
    match n_decay_mode(model) {
        Some(NDecayMode::TwoBodyOnShell) => gamma_n_to_nu_zprime(model),
        Some(NDecayMode::ThreeBodyOffShell) => gamma_n_to_nu_ee(model, diagrams),
        None => 0.0,
    }
}

/// Proper decay length of N, cm (infinite if it cannot decay).
#[must_use]
pub fn ctau_n_cm(model: &DarkNeutrinoModel, diagrams: Diagrams) -> f64 {
    crate::units::ctau_cm(total_width_n(model, diagrams))
}

/// Widths (GeV), branching ratios, proper lifetimes (s) and decay lengths (cm) of N and Z' for
/// `model`, as a JSON object (the `nuportal decay` table and the output metadata use it).
/// Only the channels this crate models are open (as DarkNews 0.4.8, README quirk 7): the N total
/// width is that of its single open chain, and the Z' width is its e+e- + mu+mu- width.
#[must_use]
pub fn summary_json(model: &DarkNeutrinoModel) -> serde_json::Value {
    let mode = n_decay_mode(model);
    let gamma_n = total_width_n(model, Diagrams::Total);
    let gamma_zp = gamma_zprime_leptonic(model);
    let finite = |x: f64| {
        if x.is_finite() {
            serde_json::json!(x)
        } else {
            serde_json::Value::Null
        }
    };
    serde_json::json!({
        "m4_GeV": model.m4,
        "mzprime_GeV": model.mzprime,
        "HNLtype": model.hnl_type,
        "charge_convention": model.charge_convention,
        "couplings": model.couplings,
        "N_decay_chain": match mode {
            Some(NDecayMode::TwoBodyOnShell) => "N -> nu Z' (on shell), Z' -> e+ e-",
            Some(NDecayMode::ThreeBodyOffShell) => "N -> nu e+ e- (off-shell Z' and Z)",
            None => "closed",
        },
        "Gamma_N_to_nu_Zprime_GeV": gamma_n_to_nu_zprime(model),
        "Gamma_N_to_nu_ee_GeV": gamma_n_to_nu_ee(model, Diagrams::Total),
        "Gamma_N_to_nu_ee_Zprime_only_GeV": gamma_n_to_nu_ee(model, Diagrams::ZprimeOnly),
        "Gamma_N_total_GeV": gamma_n,
        "BR_N_generated_chain": 1.0,
        "ctau_N_cm": finite(ctau_n_cm(model, Diagrams::Total)),
        "tau_N_s": finite(crate::units::HBAR_GEV_S / gamma_n),
        "Gamma_Zprime_ee_GeV": gamma_zprime_to_ll(model, M_E),
        "Gamma_Zprime_mumu_GeV": gamma_zprime_to_ll(model, M_MU),
        "Gamma_Zprime_leptonic_GeV": gamma_zp,
        "BR_Zprime_ee_of_leptonic": branching_ratio_zprime_ee(model),
        "ctau_Zprime_cm": finite(crate::units::ctau_cm(gamma_zp)),
    })
}

/// Final state of one N decay (GeV), in the frame the N was given in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NDecayProducts {
    /// Light (anti)neutrino.
    pub nu: FourVector,
    /// Electron.
    pub e_minus: FourVector,
    /// Positron.
    pub e_plus: FourVector,
    /// The on-shell Z' (two-body chain only).
    pub zprime: Option<FourVector>,
}

impl NDecayProducts {
    fn map(self, f: impl Fn(FourVector) -> FourVector) -> Self {
        Self {
            nu: f(self.nu),
            e_minus: f(self.e_minus),
            e_plus: f(self.e_plus),
            zprime: self.zprime.map(&f),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Chain {
    TwoBody { m4: f64, mzp: f64, asym: f64 },
    ThreeBody { mel: ThreeBody, envelope: f64 },
}

/// Sampler of N -> nu e+ e- (through the model's chain), built once per model.
#[derive(Debug)]
pub struct NDecaySampler {
    chain: Chain,
    majorana: bool,
    overflows: AtomicU64,
}

fn random_unit<R: rand::Rng + ?Sized>(rng: &mut R) -> Vec3 {
    use rand::RngExt;
    let c: f64 = 2.0 * rng.random::<f64>() - 1.0;
    Vec3::from_angles(c, 2.0 * PI * rng.random::<f64>())
}

/// Rotation by pi about the unit axis `e`: v -> 2 (e.v) e - v.
fn flip_about(v: Vec3, e: Vec3) -> Vec3 {
    e.scale(2.0 * e.dot(v)) - v
}

fn fv(e: f64, p: Vec3) -> FourVector {
    FourVector::new(e, p.x, p.y, p.z)
}

impl NDecaySampler {
    /// Build the sampler for `model`'s decay chain.
    ///
    /// # Errors
    /// [`DecayError::Closed`] if neither chain to e+ e- is open.
    pub fn new(model: &DarkNeutrinoModel, diagrams: Diagrams) -> Result<Self, DecayError> {
        let chain = match n_decay_mode(model) {
            Some(NDecayMode::TwoBodyOnShell) => Chain::TwoBody {
                m4: model.m4,
                mzp: model.mzprime,
                asym: zprime_asymmetry(model),
            },
            Some(NDecayMode::ThreeBodyOffShell) => {
                let mel = ThreeBody::new(model, diagrams);
                let n = 2048;
                let mut fmax: f64 = 0.0;
                for i in 0..=n {
                    let y = i as f64 / n as f64;
                    fmax = fmax.max(Self::max_over_t(&mel, y));
                }
                Chain::ThreeBody {
                    mel,
                    envelope: 1.25 * fmax,
                }
            }
            None => {
                return Err(DecayError::Closed {
                    m4: model.m4,
                    mzprime: model.mzprime,
                })
            }
        };
        Ok(Self {
            chain,
            majorana: model.hnl_type == HnlType::Majorana,
            overflows: AtomicU64::new(0),
        })
    }

    /// Proposal-space density f(y, tau) = ds12/dy * (t_max - t_min) * |M|^2_avg.
    fn dalitz_density(mel: &ThreeBody, y: f64, tau: f64) -> (f64, f64, f64) {
        let (s12, jac) = mel.s12_of(y);
        let (t0, t1) = mel.t_range(s12);
        let t = t0 + tau * (t1 - t0);
        (jac * (t1 - t0) * mel.msq_avg(s12, t).max(0.0), s12, t)
    }

    /// Exact maximum over tau in [0, 1] of the (quadratic in tau) Dalitz density at fixed y.
    fn max_over_t(mel: &ThreeBody, y: f64) -> f64 {
        let f0 = Self::dalitz_density(mel, y, 0.0).0;
        let fh = Self::dalitz_density(mel, y, 0.5).0;
        let f1 = Self::dalitz_density(mel, y, 1.0).0;
        let b = -3.0 * f0 + 4.0 * fh - f1;
        let a = 2.0 * f0 - 4.0 * fh + 2.0 * f1;
        let mut m = f0.max(f1);
        if a < 0.0 {
            let ts = -b / (2.0 * a);
            if (0.0..=1.0).contains(&ts) {
                m = m.max(f0 + b * ts + a * ts * ts);
            }
        }
        m
    }

    /// Mass of the decaying N, GeV.
    #[must_use]
    pub fn m4(&self) -> f64 {
        match self.chain {
            Chain::TwoBody { m4, .. } => m4,
            Chain::ThreeBody { mel, .. } => mel.m4,
        }
    }

    /// Number of three-body proposals that exceeded the envelope so far (expected 0).
    #[must_use]
    pub fn envelope_overflows(&self) -> u64 {
        self.overflows.load(Ordering::Relaxed)
    }

    /// Decay an N at rest whose spin quantisation axis is the unit vector `axis` (the N flight
    /// direction in the nu-target CM frame), with polarisation `polarization` along it (module
    /// docs). Momenta in GeV in the N rest frame, axes parallel to the CM axes.
    pub fn decay_at_rest<R: rand::Rng + ?Sized>(
        &self,
        rng: &mut R,
        axis: Vec3,
        polarization: f64,
    ) -> NDecayProducts {
        use rand::RngExt;
        let pol = if self.majorana {
            0.0
        } else {
            polarization.clamp(-1.0, 1.0)
        };
        match self.chain {
            Chain::TwoBody { m4, mzp, asym } => {
                // inverse CDF of (1 + a c)/2 on [-1, 1]: a c^2/4 + c/2 + (1/2 - a/4 - xi) = 0
                let a = pol * asym;
                let xi: f64 = rng.random();
                let g = 0.5 - 0.25 * a - xi;
                let c = (-2.0 * g / (0.5 + (0.25 - a * g).max(0.0).sqrt())).clamp(-1.0, 1.0);
                let dir = Vec3::from_angles(c, 2.0 * PI * rng.random::<f64>()).rotate_from_z(axis);
                let p = (m4 * m4 - mzp * mzp) / (2.0 * m4);
                let zp = FourVector::on_shell(mzp, dir.scale(p));
                let nu = FourVector::new(p, -dir.x * p, -dir.y * p, -dir.z * p);
                // UNWRAP-free: mzp > 2 m_e is guaranteed by n_decay_mode.
                let (em, ep) =
                    two_body_decay(zp, M_E, M_E, random_unit(rng)).unwrap_or((zp * 0.5, zp * 0.5));
                NDecayProducts {
                    nu,
                    e_minus: em,
                    e_plus: ep,
                    zprime: Some(zp),
                }
            }
            Chain::ThreeBody { mel, envelope } => {
                let (s12, t) = loop {
                    let (y, tau, r): (f64, f64, f64) = (rng.random(), rng.random(), rng.random());
                    let (f, s12, t) = Self::dalitz_density(&mel, y, tau);
                    if f > envelope {
                        self.overflows.fetch_add(1, Ordering::Relaxed);
                    }
                    if r * envelope < f {
                        break (s12, t);
                    }
                };
                let (m4, me) = (mel.m4, mel.me);
                let (m2, me2) = (m4 * m4, me * me);
                let u = m2 + 2.0 * me2 - s12 - t;
                let ek = (m2 - s12) / (2.0 * m4);
                let e1 = (m2 + me2 - u) / (2.0 * m4);
                let e2 = (m2 + me2 - t) / (2.0 * m4);
                let p1 = (e1 * e1 - me2).max(0.0).sqrt();
                let cos1 = if ek > 0.0 && p1 > 0.0 {
                    ((ek * e1 - 0.5 * (t - me2)) / (ek * p1)).clamp(-1.0, 1.0)
                } else {
                    1.0
                };
                let sin1 = (1.0 - cos1 * cos1).max(0.0).sqrt();
                // standard orientation: k along z, p1 in the xz plane; then a uniform rotation
                let psi = 2.0 * PI * rng.random::<f64>();
                let (sp, cp) = psi.sin_cos();
                let n_r = random_unit(rng);
                let rot = |v: Vec3| {
                    Vec3::new(cp * v.x - sp * v.y, sp * v.x + cp * v.y, v.z).rotate_from_z(n_r)
                };
                let mut kv = rot(Vec3::new(0.0, 0.0, ek));
                let mut p1v = rot(Vec3::new(p1 * sin1, 0.0, p1 * cos1));
                let mut p2v = Vec3::new(-kv.x - p1v.x, -kv.y - p1v.y, -kv.z - p1v.z);
                if pol != 0.0 {
                    // keep with probability |M_S|^2 / (2 |M|^2_avg), S = pol * axis; P.x = m4 (E_x + pol axis.x)
                    let dots_p = |ex: f64, x: Vec3| m4 * (ex + pol * axis.dot(x));
                    let d_s = Dots {
                        kp1: 0.5 * (t - me2),
                        kp2: 0.5 * (u - me2),
                        pp1: dots_p(e1, p1v),
                        pp2: dots_p(e2, p2v),
                        kp: dots_p(ek, kv),
                    };
                    let ms = mel.msq(s12, d_s);
                    let mavg = mel.msq_avg(s12, t);
                    let keep = if mavg > 0.0 { 0.5 * ms / mavg } else { 0.5 };
                    if rng.random::<f64>() >= keep {
                        let e = {
                            let c = axis.cross(Vec3::new(1.0, 0.0, 0.0));
                            if c.norm() > 0.1 {
                                c.unit()
                            } else {
                                axis.cross(Vec3::new(0.0, 1.0, 0.0)).unit()
                            }
                        };
                        kv = flip_about(kv, e);
                        p1v = flip_about(p1v, e);
                        p2v = flip_about(p2v, e);
                    }
                }
                NDecayProducts {
                    nu: fv(ek, kv),
                    e_minus: fv(e1, p1v),
                    e_plus: fv(e2, p2v),
                    zprime: None,
                }
            }
        }
    }

    /// Decay an N produced in up-scattering, all momenta in the lab (GeV) (physics.md item 7):
    /// boost to the nu-target CM frame, take the N direction there as the spin axis, decay in the N
    /// rest frame reached by a boost along it, boost back N rest -> CM -> lab.
    /// `polarization` as in the module docs (-1 HC, +1 HF).
    pub fn decay_in_lab<R: rand::Rng + ?Sized>(
        &self,
        rng: &mut R,
        nu_in: FourVector,
        target_in: FourVector,
        n_lab: FourVector,
        polarization: f64,
    ) -> NDecayProducts {
        let total = nu_in + target_in;
        let m4 = self.m4();
        // N in the CM frame, put exactly on its mass shell so that the rest-frame daughters (which
        // sum to (m4, 0)) sum back to it exactly (kinematics::boost_from_rest_frame_with_mass).
        let n_cm = FourVector::on_shell(m4, n_lab.boost_to_rest_frame_of(total).p3());
        let axis = n_cm.p3().unit();
        self.decay_at_rest(rng, axis, polarization).map(|v| {
            v.boost_from_rest_frame_with_mass(n_cm, m4)
                .boost_from_rest_frame_of(total)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::conservation_violation;
    use crate::model::dark_neutrino::DarkNeutrinoParams;
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn p1() -> DarkNeutrinoModel {
        DarkNeutrinoModel::new(&DarkNeutrinoParams::benchmark_p1()).unwrap()
    }
    fn p2() -> DarkNeutrinoModel {
        DarkNeutrinoModel::new(&DarkNeutrinoParams::benchmark_p2()).unwrap()
    }

    #[test]
    fn majorana_doubles_widths() {
        let mut p = DarkNeutrinoParams::benchmark_p2();
        p.hnl_type = HnlType::Majorana;
        let maj = DarkNeutrinoModel::new(&p).unwrap();
        assert!(
            (gamma_n_to_nu_ee(&maj, Diagrams::Total) / gamma_n_to_nu_ee(&p2(), Diagrams::Total)
                - 2.0)
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn contact_limit_of_three_body() {
        // heavy Z', negligible electron mass: (D / M^2)^2 (g_V^2 + g_A^2) m^5 / (768 pi^3)
        // (physics.md 4c; g_A^2 enters because gL^2 + gR^2 = 2 (g_V^2 + g_A^2))
        let mv = 20.0;
        let m = DarkNeutrinoModel::new(&DarkNeutrinoParams {
            m4: 0.5,
            mzprime: mv,
            umu4: 1e-3,
            alpha_d: Some(0.4),
            epsilon: Some(1e-2),
            hnl_type: HnlType::Dirac,
            ..Default::default()
        })
        .unwrap();
        let c = m.couplings;
        let g = gamma_n_to_nu_ee(&m, Diagrams::ZprimeOnly);
        let contact =
            (c.d_decay / mv.powi(2)).powi(2) * (c.d_e_v.powi(2) + c.d_e_a.powi(2)) * 0.5f64.powi(5)
                / (768.0 * PI.powi(3));
        // remaining differences: propagator s12/M^2 (~ +5e-4), m_e^2/m4^2 (1e-5)
        assert!((g / contact - 1.0).abs() < 2e-3, "{}", g / contact);
    }

    #[test]
    fn three_body_quadrature_converged_and_parts_add() {
        let m = p2();
        let mel = ThreeBody::new(&m, Diagrams::Total);
        let w = mel.width();
        let gl_t = GaussLegendre::<3>::new();
        let gl = GaussLegendre::<16>::new();
        let fine = gl.integrate(
            |y| {
                let (s12, jac) = mel.s12_of(y);
                let (t0, t1) = mel.t_range(s12);
                jac * gl_t.integrate(|t| mel.msq_avg(s12, t), t0, t1, 1)
            },
            0.0,
            1.0,
            512,
        ) / (256.0 * PI.powi(3) * m.m4.powi(3));
        assert!((w / fine - 1.0).abs() < 1e-10);
        let parts: f64 = [
            Diagrams::ZprimeOnly,
            Diagrams::ZOnly,
            Diagrams::Interference,
        ]
        .iter()
        .map(|d| gamma_n_to_nu_ee(&m, *d))
        .sum();
        assert!((parts / gamma_n_to_nu_ee(&m, Diagrams::Total) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn polarised_two_body_distribution() {
        let m = p1();
        // sum of the two polarisations = unpolarised, and integral = Gamma
        let gl = GaussLegendre::<8>::new();
        for pol in [-1.0, 1.0] {
            let i = gl.integrate(|c| dgamma_n_to_nu_zprime_dcos(&m, c, pol), -1.0, 1.0, 1);
            assert!((i / gamma_n_to_nu_zprime(&m) - 1.0).abs() < 1e-13);
        }
        let c = 0.3;
        let sum = dgamma_n_to_nu_zprime_dcos(&m, c, -1.0) + dgamma_n_to_nu_zprime_dcos(&m, c, 1.0);
        assert!((sum - 2.0 * dgamma_n_to_nu_zprime_dcos(&m, c, 0.0)).abs() < 1e-20);
        // seeded sample: <cos theta_Z'> = h (1 - 2 r^2)/(3 (1 + 2 r^2)) = -0.3266 for HC
        let s = NDecaySampler::new(&m, Diagrams::Total).unwrap();
        let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
        let axis = Vec3::new(0.3, -0.5, 0.8).unit();
        for pol in [-1.0, 1.0] {
            let n = 200_000;
            let mean: f64 = (0..n)
                .map(|_| {
                    s.decay_at_rest(&mut rng, axis, pol)
                        .zprime
                        .unwrap()
                        .p3()
                        .unit()
                        .dot(axis)
                })
                .sum::<f64>()
                / f64::from(n);
            let expect = pol * zprime_asymmetry(&m) / 3.0;
            assert!(
                (mean - expect).abs() < 4.0 * (1.0 / 3.0 / f64::from(n)).sqrt(),
                "{mean} vs {expect}"
            );
        }
    }

    /// <cos theta_ee> of the e+e- pair w.r.t. the spin axis in the N rest frame, and its exact value
    /// from the polarised matrix element (quadrature over the Dalitz plot of (k.S) terms).
    #[test]
    fn polarised_three_body_sample() {
        let m = p2();
        let s = NDecaySampler::new(&m, Diagrams::Total).unwrap();
        let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
        let axis = Vec3::new(0.0, 0.6, 0.8);
        let n = 200_000;
        let mut means = [0.0; 2];
        for (i, pol) in [-1.0, 1.0].into_iter().enumerate() {
            let mut sum = 0.0;
            for _ in 0..n {
                let d = s.decay_at_rest(&mut rng, axis, pol);
                assert!(
                    conservation_violation(FourVector::at_rest(m.m4), d.nu + d.e_minus + d.e_plus)
                        < 1e-12
                );
                sum += (d.e_minus + d.e_plus).p3().unit().dot(axis);
            }
            means[i] = sum / f64::from(n);
        }
        println!(
            "<cos theta_ee>: HC {:.4}, HF {:.4} (DarkNews README: -0.109, +0.113)",
            means[0], means[1]
        );
        assert!(
            (means[0] + 0.109).abs() < 0.01 && (means[1] - 0.113).abs() < 0.01,
            "{means:?}"
        );
        assert!((means[0] + means[1]).abs() < 0.01);
        assert_eq!(s.envelope_overflows(), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn lab_decays_conserve_and_are_on_shell(
            m4 in 0.05f64..1.0, rmv in 0.05f64..3.0, e in 1.0f64..30.0, c in -1.0f64..1.0, pol in -1.0f64..1.0, seed in 0u64..1000,
        ) {
            let mzp = rmv * m4;
            prop_assume!((mzp - m4).abs() > 1e-3 * m4 && mzp > 2.5 * M_E && m4 > 3.0 * M_E);
            let model = DarkNeutrinoModel::new(&DarkNeutrinoParams {
                m4, mzprime: mzp, umu4: 1e-3, alpha_d: Some(0.3), epsilon: Some(1e-3), hnl_type: HnlType::Dirac, ..Default::default()
            }).unwrap();
            let s = NDecaySampler::new(&model, Diagrams::Total).unwrap();
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            let nu_in = FourVector::new(e, 0.0, 0.0, e);
            let target = FourVector::at_rest(crate::units::M_P);
            let pn = (e * 0.5).max(m4);
            let n = FourVector::on_shell(m4, Vec3::from_angles(c, 1.0).scale(pn));
            for _ in 0..20 {
                let d = s.decay_in_lab(&mut rng, nu_in, target, n, pol);
                prop_assert!(conservation_violation(n, d.nu + d.e_minus + d.e_plus) < 1e-12);
                let sc = n.e * n.e;
                prop_assert!((d.e_minus.m2() - M_E * M_E).abs() < 1e-12 * sc);
                prop_assert!((d.e_plus.m2() - M_E * M_E).abs() < 1e-12 * sc);
                prop_assert!(d.nu.m2().abs() < 1e-12 * sc);
                if let Some(z) = d.zprime {
                    prop_assert!((z.m2() - mzp * mzp).abs() < 1e-12 * sc);
                }
            }
            prop_assert_eq!(s.envelope_overflows(), 0);
        }
    }

    #[test]
    fn envelope_holds_on_a_fine_scan() {
        for (m4, mzp) in [
            (0.15, 1.25),
            (0.3, 0.31),
            (0.05, 0.051),
            (1.0, 5.0),
            (0.002, 0.01),
        ] {
            let model = DarkNeutrinoModel::new(&DarkNeutrinoParams {
                m4,
                mzprime: mzp,
                umu4: 1e-3,
                alpha_d: Some(0.3),
                epsilon: Some(1e-3),
                hnl_type: HnlType::Dirac,
                ..Default::default()
            })
            .unwrap();
            let s = NDecaySampler::new(&model, Diagrams::Total).unwrap();
            let Chain::ThreeBody { mel, envelope } = s.chain else {
                panic!()
            };
            for i in 0..=65_536 {
                let y = f64::from(i) / 65_536.0;
                assert!(NDecaySampler::max_over_t(&mel, y) <= envelope);
            }
        }
    }

    #[test]
    fn types_are_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<NDecaySampler>();
        check::<crate::process::upscatter::Q2Sampler>();
        check::<DarkNeutrinoModel>();
    }
}
