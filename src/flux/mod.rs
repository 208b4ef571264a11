//! Neutrino fluxes: tabulated beam fluxes and the energy sampler.
//!
//! A flux table is a whitespace-separated text file, one energy a row:
//! `E_nu[GeV] nu_e nu_mu nu_tau nu_e_bar nu_mu_bar nu_tau_bar`, `#` starting a comment
//! (format of the tables DarkNews 0.4.8 ships, see `fluxes/README.md`). Values are a flux density
//! per GeV per proton on target, per cm^2 or per m^2 (CHARM-II) as the header or the detector
//! file says; the loader converts everything to nu / cm^2 / GeV / POT.
//!
//! **Interpolation.** The table is a piecewise-linear density in energy between its rows and zero
//! outside the first and last row (as DarkNews does with `scipy.interpolate.interp1d`). For the
//! MiniBooNE tables the first column is a bin centre; treating the bin contents as samples of a
//! continuous density at the centres changes the integral by less than 1e-3 for these smooth spectra.
//!
//! **Analytic sources** ([`analytic`]: stopped-pion decay at rest, reactor antineutrinos) implement
//! the [`Flux`] trait (as does [`FluxTable`]); an experiment tabulates them once on a fine grid into
//! a [`FluxTable`] whose monochromatic lines (the prompt 29.79 MeV nu_mu) stay exact delta
//! functions ([`FluxLine`]), which the generator samples as a discrete component.

pub mod analytic;
mod sampler;
mod table;

pub use analytic::Flux;
pub use sampler::TabulatedSampler;
pub use table::{FluxLine, FluxTable, FluxUnits};

use serde::{Deserialize, Serialize};

/// A neutrino flavour and CP state: the six columns of a flux table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    /// Electron neutrino, PDG 12.
    NuE,
    /// Muon neutrino, PDG 14.
    NuMu,
    /// Tau neutrino, PDG 16.
    NuTau,
    /// Electron antineutrino, PDG -12.
    NuEBar,
    /// Muon antineutrino, PDG -14.
    NuMuBar,
    /// Tau antineutrino, PDG -16.
    NuTauBar,
}

impl Flavour {
    /// All six, in flux-table column order.
    pub const ALL: [Flavour; 6] = [
        Flavour::NuE,
        Flavour::NuMu,
        Flavour::NuTau,
        Flavour::NuEBar,
        Flavour::NuMuBar,
        Flavour::NuTauBar,
    ];
    /// Column index in a flux table (0-based, after the energy column).
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }
    /// PDG Monte Carlo code.
    #[must_use]
    pub fn pdg(self) -> i32 {
        match self {
            Flavour::NuE => 12,
            Flavour::NuMu => 14,
            Flavour::NuTau => 16,
            Flavour::NuEBar => -12,
            Flavour::NuMuBar => -14,
            Flavour::NuTauBar => -16,
        }
    }
    /// True for antineutrinos.
    #[must_use]
    pub fn is_anti(self) -> bool {
        self.pdg() < 0
    }
    /// Lepton generation: 0 = e, 1 = mu, 2 = tau.
    #[must_use]
    pub fn generation(self) -> usize {
        self.index() % 3
    }
    /// Short name used in channel names and tables: `nu_e`, `nu_mu_bar`, ...
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Flavour::NuE => "nu_e",
            Flavour::NuMu => "nu_mu",
            Flavour::NuTau => "nu_tau",
            Flavour::NuEBar => "nu_e_bar",
            Flavour::NuMuBar => "nu_mu_bar",
            Flavour::NuTauBar => "nu_tau_bar",
        }
    }
    /// Parse a short name (as [`Flavour::name`]).
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == s)
    }
}

impl std::fmt::Display for Flavour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Errors of flux loading.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FluxError {
    /// A malformed line in a flux table.
    #[error("{file}:{line}: {what}")]
    Parse {
        /// File name or path.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong and what was expected.
        what: String,
    },
    /// A table-level problem (too few rows, unit mismatch).
    #[error("{file}: {what}")]
    Table {
        /// File name or path.
        file: String,
        /// What was wrong.
        what: String,
    },
    /// The density handed to the sampler has no support.
    #[error("sampling density is zero everywhere on [{e_min_gev}, {e_max_gev}] GeV")]
    EmptyDensity {
        /// Lower end of the range, GeV.
        e_min_gev: f64,
        /// Upper end, GeV.
        e_max_gev: f64,
    },
}
