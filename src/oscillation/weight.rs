//! The per-event oscillation weight `w_osc` of a generation run.
//!
//! The flux tables give the flux of each flavour *at the detector without oscillation*. With an
//! `[oscillation]` section every event gets
//!
//! ```text
//! w_osc = P(source -> f),   f = flavour of the event (nu_pdg), at E = E_nu,
//! ```
//!
//! evaluated over the configured baseline and matter profile, with the antineutrino matrix for
//! antineutrino events. `source` is the `[oscillation] source` key (same CP state as the event);
//! without it, `source = f` and `w_osc` is the survival probability. The event `weight` is *not*
//! multiplied: the oscillated expectation of an event is `weight * w_osc`.
//!
//! Survival weights neglect the flavours that oscillate *into* f (e.g. nu_mu -> nu_e feeding the
//! nu_e sample); that needs the unoscillated flux of the other flavours and is outside a single
//! multiplicative weight.

use super::config::SourceFlavour;
use super::hamiltonian::NuType;
use super::propagate::{Flavour, Oscillator};
use crate::flux::Flavour as FluxFlavour;

/// `w_osc` of events: an [`Oscillator`] and the source flavour.
///
/// The oscillator caches eigensystems per energy and needs `&mut`; give each chunk (thread) its own
/// clone. Evaluating it does not allocate.
#[derive(Debug, Clone)]
pub struct OscillationWeight {
    oscillator: Oscillator,
    source: Option<SourceFlavour>,
}

impl OscillationWeight {
    /// Weights from `oscillator`, with production flavour `source` (`None`: the event's own flavour).
    #[must_use]
    pub fn new(oscillator: Oscillator, source: Option<SourceFlavour>) -> Self {
        Self { oscillator, source }
    }

    /// Human description of the source flavour, for the column schema.
    #[must_use]
    pub fn describe_source(&self) -> String {
        match self.source {
            None => "the event's own flavour (survival probability)".to_string(),
            Some(s) => {
                let label = s.flavour().label();
                format!("nu_{label} (nu_{label}_bar for antineutrino events)")
            }
        }
    }

    /// The source flavour (`None`: the event's own flavour).
    #[must_use]
    pub fn source(&self) -> Option<SourceFlavour> {
        self.source
    }

    /// `P(source -> flavour)` at `energy_gev` (GeV) for an event of `flavour` (neutrino or
    /// antineutrino), or NaN if the energy is not finite and > 0 (the oscillation phase is undefined).
    pub fn probability(&mut self, flavour: FluxFlavour, energy_gev: f64) -> f64 {
        let to = Flavour::ACTIVE[flavour.generation()];
        let from = self.source.map_or(to, SourceFlavour::flavour);
        let nu_type = if flavour.is_anti() {
            NuType::Antineutrino
        } else {
            NuType::Neutrino
        };
        self.oscillator
            .probabilities(energy_gev, nu_type)
            .ok()
            .and_then(|p| p.get(from, to))
            .unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscillation::OscillationConfig;

    fn config(source: Option<&str>) -> OscillationConfig {
        let source = source.map_or(String::new(), |s| format!("source = \"{s}\""));
        toml::from_str(&format!(
            "model = \"3nu\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ns12sq = 0.3\ns13sq = 0.023\ns23sq = 0.6\n\
             delta_cp = 1.0\nbaseline_km = 735.0\ndensity_gcc = 2.8\n{source}\n"
        ))
        .unwrap()
    }

    #[test]
    fn survival_by_default_and_appearance_with_source() {
        let c = config(None);
        let mut osc = c.build().unwrap();
        let mut w = OscillationWeight::new(c.build().unwrap(), c.source);
        let e = 2.3;
        let p = osc.probabilities_both(e).unwrap();
        assert_eq!(
            w.probability(FluxFlavour::NuMu, e),
            p.nu.get(Flavour::Mu, Flavour::Mu).unwrap()
        );
        assert_eq!(
            w.probability(FluxFlavour::NuEBar, e),
            p.nubar.get(Flavour::E, Flavour::E).unwrap()
        );
        let c = config(Some("nu_mu"));
        let mut w = OscillationWeight::new(c.build().unwrap(), c.source);
        assert_eq!(
            w.probability(FluxFlavour::NuE, e),
            p.nu.get(Flavour::Mu, Flavour::E).unwrap()
        );
        assert_eq!(
            w.probability(FluxFlavour::NuTauBar, e),
            p.nubar.get(Flavour::Mu, Flavour::Tau).unwrap()
        );
        assert!(w.probability(FluxFlavour::NuE, 0.0).is_nan());
        assert!(w.describe_source().contains("nu_mu_bar"));
    }
}
