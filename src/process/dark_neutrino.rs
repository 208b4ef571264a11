//! The dark-neutrino signal as a generator [`Process`]: up-scattering nu_alpha + A -> N + A
//! ([`super::upscatter`]) on every target of the experiment, both N helicities, then the decay
//! N -> nu Z', Z' -> e+ e- or N -> nu e+ e- ([`crate::decay`]) with the spin correlation set by the
//! production helicity, and the decay vertex displaced by a sampled lifetime.
//!
//! Channels: for every flavour in the flux with a non-zero mixing U_alpha4 (or those listed in
//! `nu_flavors`), every element of the target material — coherent on the nucleus, elastic on its Z
//! protons (bound protons are free protons with multiplicity Z, as DarkNews 0.4.8), elastic on free
//! hydrogen — and both helicities (HC: same helicity as the projectile, HF: opposite).
//! Names: `<flavour>_<target>_<coherent|pel>_<HC|HF>`, e.g. `nu_mu_C12_coherent_HC`,
//! `nu_mu_proton_in_H1_pel_HF`.
//!
//! Normalisation: the weight counts every up-scattering in the target mass; branching ratios of the
//! generated chain are 1 and no decay-in-detector probability is applied (as DarkNews 0.4.8, its
//! README quirk 6): the decay vertex is recorded so that users apply geometric acceptance as a
//! selection. The Z' (P1: c tau = 0.0095 cm) is not propagated: its e+ e- leave the N decay vertex.
//!
//! Decay vertex: x_decay = x_scatter + L n_N, L = beta gamma c tau_N X, X ~ Exp(1),
//! beta gamma = |p_N| / m4.

use super::upscatter::{
    Diagrams, Helicity, Projectile, Q2Sampler, UpscatterProcess, UpscatterTarget,
};
use super::{Channel, Process};
use crate::decay::{ctau_n_cm, DecayError, NDecaySampler};
use crate::event::{Event, Particle};
use crate::experiment::Experiment;
use crate::flux::Flavour;
use crate::model::dark_neutrino::DarkNeutrinoModel;
use crate::nuclear::Nucleus;
use crate::units::HBARC2_GEV2_CM2;
use rand::{Rng, RngExt};
use rayon::prelude::*;
use std::f64::consts::TAU;

/// Options of the signal process (from `[process]`).
#[derive(Debug, Clone)]
pub struct SignalOptions {
    /// Coherent scattering on nuclei.
    pub coherent: bool,
    /// Elastic scattering on protons.
    pub proton_elastic: bool,
    /// Flavours to generate; empty = all with flux and a non-zero mixing.
    pub nu_flavors: Vec<Flavour>,
    /// Lowest energy as a multiple of the channel threshold (1 physical, 1.05 DarkNews).
    pub threshold_factor: f64,
    /// Diagrams in scattering and decay.
    pub diagrams: Diagrams,
}

impl Default for SignalOptions {
    fn default() -> Self {
        Self {
            coherent: true,
            proton_elastic: true,
            nu_flavors: vec![],
            threshold_factor: 1.0,
            diagrams: Diagrams::Total,
        }
    }
}

/// Errors of building the signal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignalError {
    /// The N cannot decay to e+ e-.
    #[error(transparent)]
    Decay(#[from] DecayError),
    /// No channel is open.
    #[error("no up-scattering channel is open at {experiment}: {why}")]
    NoChannel {
        /// The experiment.
        experiment: String,
        /// Why.
        why: String,
    },
}

/// Number of log-spaced points of the tabulated sigma(E) per channel.
const SIGMA_POINTS: usize = 48;

/// One channel's physics: process, Q^2 sampler, helicity and its sigma table.
#[derive(Debug, Clone)]
struct SignalChannel {
    sampler: Q2Sampler,
    helicity: Helicity,
    /// Polarisation argument of the decay sampler: -1 HC, +1 HF.
    polarization: f64,
    e_th: f64,
    /// ln(E - E_th) nodes and ln sigma values (cm^2) for interpolation.
    ln_x: Vec<f64>,
    ln_sigma: Vec<f64>,
}

/// The dark-neutrino signal process.
#[derive(Debug)]
pub struct DarkNeutrinoSignal {
    model: DarkNeutrinoModel,
    channels: Vec<Channel>,
    physics: Vec<SignalChannel>,
    decay: NDecaySampler,
    ctau_cm: f64,
}

fn lepton_flavour(f: Flavour) -> super::upscatter::Flavour {
    match f.generation() {
        0 => super::upscatter::Flavour::E,
        1 => super::upscatter::Flavour::Mu,
        _ => super::upscatter::Flavour::Tau,
    }
}

impl DarkNeutrinoSignal {
    /// The particles of an up-scattering event (its output columns, in order).
    pub const PARTICLES: &'static [Particle] = &[
        Particle::NuIn,
        Particle::N,
        Particle::Recoil,
        Particle::NuOut,
        Particle::EMinus,
        Particle::EPlus,
    ];

    /// Build the channels for `model` in `exp`; sigma(E) is tabulated here once.
    ///
    /// # Errors
    /// [`SignalError`] if the decay chain is closed or no channel has flux above threshold.
    pub fn new(
        model: DarkNeutrinoModel,
        exp: &Experiment,
        opts: &SignalOptions,
    ) -> Result<Self, SignalError> {
        let decay = NDecaySampler::new(&model, opts.diagrams)?;
        let (_, e_max) = exp.energy_range();
        let mut channels = Vec::new();
        let mut physics = Vec::new();
        for f in exp.flavours() {
            if model.u_alpha4[f.generation()] == 0.0
                || (!opts.nu_flavors.is_empty() && !opts.nu_flavors.contains(&f))
            {
                continue;
            }
            let projectile = if f.is_anti() {
                Projectile::Antineutrino(lepton_flavour(f))
            } else {
                Projectile::Neutrino(lepton_flavour(f))
            };
            for t in &exp.targets {
                let el = t.element;
                let mut targets = Vec::new();
                if el.z == 1 && el.a == 1 {
                    if opts.proton_elastic {
                        targets.push((UpscatterTarget::FreeProton, "pel"));
                    }
                } else if let Ok(nucleus) = Nucleus::from_name(el.isotope) {
                    if opts.coherent {
                        targets.push((UpscatterTarget::Coherent(nucleus), "coherent"));
                    }
                    if opts.proton_elastic {
                        targets.push((UpscatterTarget::BoundProtons(nucleus), "pel"));
                    }
                }
                for (target, regime) in targets {
                    let process = UpscatterProcess::new(&model, target, projectile, opts.diagrams);
                    let e_th = process.threshold_energy();
                    if e_th * opts.threshold_factor >= e_max {
                        continue;
                    }
                    for (helicity, tag) in
                        [(Helicity::Conserving, "HC"), (Helicity::Flipping, "HF")]
                    {
                        let h_phys = helicity.physical(projectile);
                        channels.push(Channel {
                            name: format!("{}_{}_{regime}_{tag}", f.name(), target.name()),
                            flavour: f,
                            target_pdg: i32::try_from(target.recoil_pdg()).unwrap_or(0),
                            target_count: t.count * f64::from(target.multiplicity()),
                            helicity: if h_phys < 0.0 { -1 } else { 1 },
                            threshold_gev: e_th * opts.threshold_factor,
                        });
                        let (ln_x, ln_sigma) = tabulate_sigma(&process, helicity, e_th, e_max);
                        physics.push(SignalChannel {
                            sampler: Q2Sampler::new(process, helicity, e_max),
                            helicity,
                            polarization: if matches!(helicity, Helicity::Conserving) {
                                -1.0
                            } else {
                                1.0
                            },
                            e_th,
                            ln_x,
                            ln_sigma,
                        });
                    }
                }
            }
        }
        if channels.is_empty() {
            // Largest m4 with E_th = m4 + m4^2 / (2 M) below E_max, on the heaviest target M.
            let m_heavy = exp
                .targets
                .iter()
                .map(|t| t.element.nuclear_mass_gev())
                .fold(0.0, f64::max);
            let m4_max = m_heavy * ((1.0 + 2.0 * e_max / m_heavy).sqrt() - 1.0);
            let flavours: Vec<&str> = exp.flavours().iter().map(|f| f.name()).collect();
            let why = if model.m4 >= m4_max {
                format!("model.m4 = {} GeV is above the flux's reach: must be < {m4_max:.4} GeV (threshold m4 + m4^2/2M below E_max = {e_max} GeV)", model.m4)
            } else {
                format!("no flux flavour ({}) has a non-zero mixing Ue4/Umu4/Utau4 (and is in process.nu_flavors)", flavours.join(", "))
            };
            return Err(SignalError::NoChannel {
                experiment: exp.name().to_string(),
                why,
            });
        }
        let ctau_cm = ctau_n_cm(&model, opts.diagrams);
        Ok(Self {
            model,
            channels,
            physics,
            decay,
            ctau_cm,
        })
    }

    /// The model.
    #[must_use]
    pub fn model(&self) -> &DarkNeutrinoModel {
        &self.model
    }

    /// Proper decay length of N, cm.
    #[must_use]
    pub fn ctau_cm(&self) -> f64 {
        self.ctau_cm
    }

    /// Exact sigma(E) of channel `ch` per scattering centre, cm^2 (quadrature, not the table).
    #[must_use]
    pub fn sigma_exact_cm2(&self, ch: usize, e_gev: f64) -> f64 {
        let p = &self.physics[ch];
        p.sampler.process().sigma(e_gev, p.helicity) * HBARC2_GEV2_CM2
    }

    /// Number of three-body decays that exceeded the sampler's envelope so far.
    #[must_use]
    pub fn decay_envelope_overflows(&self) -> u64 {
        self.decay.envelope_overflows()
    }
}

/// sigma(E) in cm^2 on log-spaced E - E_th from 1e-4 E_th to E_max - E_th (log-log interpolation
/// serves the energy proposal only; weights use the exact dsigma/dQ^2).
fn tabulate_sigma(
    process: &UpscatterProcess,
    h: Helicity,
    e_th: f64,
    e_max: f64,
) -> (Vec<f64>, Vec<f64>) {
    let (x0, x1) = ((1e-4 * e_th).ln(), (e_max - e_th).max(2e-4 * e_th).ln());
    // independent quadratures: in parallel (on the caller's rayon pool), in node order
    (0..SIGMA_POINTS)
        .into_par_iter()
        .map(|i| {
            #[allow(clippy::cast_precision_loss, reason = "small integers")]
            let lx = x0 + (x1 - x0) * i as f64 / (SIGMA_POINTS - 1) as f64;
            let s = process.sigma(e_th + lx.exp(), h) * HBARC2_GEV2_CM2;
            (lx, if s > 0.0 { s.ln() } else { -800.0 })
        })
        .unzip()
}

impl Process for DarkNeutrinoSignal {
    fn channels(&self) -> &[Channel] {
        &self.channels
    }

    fn sigma_cm2(&self, ch: usize, e_gev: f64) -> f64 {
        let p = &self.physics[ch];
        let x = e_gev - p.e_th;
        if !(x > 0.0) {
            return 0.0;
        }
        let lx = x.ln();
        let n = p.ln_x.len();
        if lx <= p.ln_x[0] {
            // below the first node sigma ~ (E - E_th)^k; linear in x is a safe proposal there
            return (p.ln_sigma[0]).exp() * x / p.ln_x[0].exp();
        }
        let j = p.ln_x.partition_point(|&v| v <= lx).clamp(1, n - 1);
        let t = ((lx - p.ln_x[j - 1]) / (p.ln_x[j] - p.ln_x[j - 1])).min(1.0);
        (p.ln_sigma[j - 1] + t * (p.ln_sigma[j] - p.ln_sigma[j - 1])).exp()
    }

    fn sample<R: Rng + ?Sized>(&self, ch: usize, e: f64, rng: &mut R, ev: &mut Event) -> f64 {
        let p = &self.physics[ch];
        let Some(s) = p.sampler.sample(e, rng) else {
            return 0.0;
        };
        let phi = TAU * rng.random::<f64>();
        let Some(k) = p.sampler.process().lab_kinematics(e, s.q2, phi) else {
            return 0.0;
        };
        ev.nu_in = k.nu_in;
        ev.n = k.n_out;
        ev.recoil = k.recoil;
        let d = self
            .decay
            .decay_in_lab(rng, k.nu_in, k.target_in, k.n_out, p.polarization);
        ev.nu_out = d.nu;
        ev.e_minus = d.e_minus;
        ev.e_plus = d.e_plus;
        // decay length: beta gamma c tau X, X ~ Exp(1) by inversion (1 - u in (0, 1])
        let x = -(1.0 - rng.random::<f64>()).ln();
        let len = k.n_out.p() / self.model.m4 * self.ctau_cm * x;
        ev.decay = ev.scatter + k.n_out.p3().unit().scale(len);
        s.weight() * HBARC2_GEV2_CM2
    }

    fn particles(&self) -> &'static [Particle] {
        Self::PARTICLES
    }

    fn has_decay_vertex(&self) -> bool {
        true
    }

    fn has_helicity(&self) -> bool {
        true
    }
}
