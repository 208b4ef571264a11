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
