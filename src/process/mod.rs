//! Scattering processes. One file per process; each provides its differential and total cross
//! sections as pure functions and implements [`Process`] so the generator can sample it.
//!
//! The generator's weight for an event of channel c at neutrino energy E with final state x is
//!
//! ```text
//! w = POT x N_c x phi(E) x [ dsigma/dx (E, x) / q(x | E) ] / ( p(E) x n_c )
//! ```
//!
//! where N_c is the number of targets, phi the flux (nu/cm^2/GeV/POT), p(E) the tabulated energy
//! proposal (flux x sigma), q the process's proposal for x and n_c the number of events generated in
//! the channel. [`Process::sample`] returns the bracket (in cm^2), whose expectation over q is
//! sigma(E): the sum of weights is an unbiased estimate of POT x N_c x integral phi sigma dE.

pub mod cevns;
pub mod dark_neutrino;
pub mod nu_electron;
pub mod upscatter;

use crate::event::{Event, Particle};
use crate::flux::Flavour;
use rand::Rng;

/// A production channel: one flavour on one target species (and helicity, where it applies).
#[derive(Debug, Clone)]
pub struct Channel {
    /// Stable channel name, written to the `channel` column.
    pub name: String,
    /// Incoming neutrino flavour.
    pub flavour: Flavour,
    /// Target PDG code.
    pub target_pdg: i32,
    /// Number of targets in the detector (nuclei, protons or electrons).
    pub target_count: f64,
    /// Helicity of N (-1, +1), 0 when there is none.
    pub helicity: i8,
    /// Lowest neutrino energy at which the channel is open, GeV.
    pub threshold_gev: f64,
}

/// A process the generator can sample.
pub trait Process: Sync + Send {
    /// The channels of this process in this experiment.
    fn channels(&self) -> &[Channel];
    /// Total cross section of channel `ch` at neutrino energy `e_gev`, cm^2 per target.
    fn sigma_cm2(&self, ch: usize, e_gev: f64) -> f64;
    /// Sample the final state of channel `ch` at energy `e_gev` into `ev` (momenta, and the decay
    /// vertex from `ev.scatter` where there is a decay). `ev.nu_in` is set by the caller (along +z).
    /// Returns dsigma/dx / q(x) in cm^2 (0 for an event outside the physical region).
    fn sample<R: Rng + ?Sized>(&self, ch: usize, e_gev: f64, rng: &mut R, ev: &mut Event) -> f64;
    /// The particles this process fills (and writes as columns).
    fn particles(&self) -> &'static [Particle];
    /// Whether events have a decay vertex (only processes with an unstable final state do).
    fn has_decay_vertex(&self) -> bool {
        false
    }
    /// Whether events have an N helicity (only the dark-neutrino up-scattering does).
    fn has_helicity(&self) -> bool {
        false
    }
}

/// Importance weight of a sampled recoil in cm^2: dsigma/dT (GeV^-3) divided by the proposal density
/// q(T) (GeV^-1), converted with (hbar c)^2; 0 where the proposal has no support (q = 0).
#[inline]
#[must_use]
pub(crate) fn importance_weight_cm2(dsigma_dt_gev3: f64, q_per_gev: f64) -> f64 {
    if q_per_gev > 0.0 {
        dsigma_dt_gev3 / q_per_gev * crate::units::HBARC2_GEV2_CM2
    } else {
        0.0
    }
}

/// The Z' propagator components of an elastic-recoil proposal, shared by nu-e and CEvNS: densities
/// in the recoil kinetic energy T on [0, T_max] proportional to 1/x (the interference with the SM
/// amplitude) and 1/x^2 (the Z' amplitude squared), x = m_Z'^2 + 2 M T (the t-channel propagator of
/// nu + target of mass M at rest), each sampled by inverting its CDF.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PropagatorTerms {
    /// x at T = 0 (m_Z'^2), GeV^2.
    x0: f64,
    /// 2 M, GeV.
    two_m: f64,
    /// ln(x1 / x0) = 2M integral dT / x over [0, T_max] (1 without a Z' term).
    pub ln_ratio: f64,
    /// 1/x0 - 1/x1 = 2M integral dT / x^2 over [0, T_max] (1 without a Z' term).
    pub inv_diff: f64,
    /// Whether the Z' components are present.
    pub on: bool,
}

impl PropagatorTerms {
    /// For m_Z'^2 = `mz2` GeV^2, 2M = `two_m` GeV and T in [0, `tmax`] GeV. Without a Z' amplitude
    /// (`active` false, or `mz2` <= 0) the integrals are left at 1: the mixture then gives these
    /// components zero probability.
    pub(crate) fn new(mz2: f64, two_m: f64, tmax: f64, active: bool) -> Self {
        let (x0, x1) = (mz2, mz2 + two_m * tmax);
        let on = active && x0 > 0.0;
        let (ln_ratio, inv_diff) = if on {
            ((x1 / x0).ln(), 1.0 / x0 - 1.0 / x1)
        } else {
            (1.0, 1.0)
        };
        Self {
            x0,
            two_m,
            ln_ratio,
            inv_diff,
            on,
        }
    }

    /// T from the 1/x component for a uniform `v`.
    pub(crate) fn sample_inv(&self, v: f64) -> f64 {
        (self.x0 * (v * self.ln_ratio).exp() - self.x0) / self.two_m
    }

    /// T from the 1/x^2 component for a uniform `v`.
    pub(crate) fn sample_inv2(&self, v: f64) -> f64 {
        (1.0 / (1.0 / self.x0 - v * self.inv_diff) - self.x0) / self.two_m
    }

    /// The mixture's density at T (GeV^-1) from these components with probabilities `p_inv` and
    /// `p_inv2` (0 when neither is present).
    pub(crate) fn density(&self, t: f64, p_inv: f64, p_inv2: f64) -> f64 {
        if p_inv > 0.0 || p_inv2 > 1e-15 {
            let x = self.x0 + self.two_m * t;
            p_inv * self.two_m / (x * self.ln_ratio)
                + p_inv2.max(0.0) * self.two_m / (x * x * self.inv_diff)
        } else {
            0.0
        }
    }
}
