//! Exact neutrino oscillation probabilities in vacuum and layered matter, for standard three-flavour
//! mixing, neutral-current non-standard interactions (NSI), and 3+1 mixing with "secret" interactions
//! of the sterile state (nuSSI).
//!
//! # Units
//! At the API: energies in **GeV**, lengths in **km**, densities in **g/cm^3**, Delta m^2 in **eV^2**,
//! phases in radians, mixing angles as sin^2. Inside: natural units (GeV, hbar = c = 1): mass matrices in
//! GeV^2, potentials in GeV, lengths in GeV^-1 (1 km = 1e5 / (hbar c [GeV cm]) GeV^-1).
//!
//! # Equations
//! ```text
//! i d psi/dx = H psi,   psi = (psi_e, psi_mu, psi_tau[, psi_s])            (flavour basis)
//! H      = U diag(0, Dm21^2, Dm31^2[, Dm41^2]) U^dagger / (2E) + H_mat       (neutrinos)
//! H_bar  = (U diag(...) U^dagger / (2E) - H_mat)^*                         (antineutrinos)
//! S      = S_n ... S_1,  S_k = exp(-i H_k L_k)   (layers in crossing order, exact)
//! P(a -> b) = |S[b, a]|^2
//! V_CC   = sqrt(2) G_F N_e,  N_e = rho Y_e N_A
//!
//! 3nu:    H_mat = diag(V_CC, 0, 0)
//! NSI:    H_mat = V_CC [diag(1, 0, 0) + sum_{f=e,u,d} (N_f/N_e) eps^f],
//!         N_u/N_e = 2 + N_n/N_e,  N_d/N_e = 1 + 2 N_n/N_e,  N_n/N_e = (1 - Y_e)/Y_e
//! nuSSI:  H_mat = V_CC diag(1, 0, 0, (N_n/N_e)(1 - alpha)/2),  alpha = G_X/G_F  (alpha = 0: 3+1)
//! ```
//! The neutral-current potential common to the active flavours is removed (a global phase for three
//! flavours; for 3+1 it survives on the sterile entry). Each `S_k` is evaluated exactly from the
//! Hermitian eigen-decomposition of `2E H_k` (nalgebra's `SymmetricEigen`); no averaging of fast
//! oscillations.
//!
//! # Sources
//! - Mixing: PDG 2024, "Neutrino masses, mixing and oscillations" review, S. Navas et al. (Particle
//!   Data Group), Phys. Rev. D 110 (2024) 030001: `U = R23 U13(delta) R12`.
//! - 3+1 mixing `U = R34 R24 R14 R23 R13 R12`, as in nuSQuIDS (C. A. Arguelles, J. Salvado, C. N. Weaver).
//! - Matter potential: L. Wolfenstein, Phys. Rev. D 17 (1978) 2369; S. P. Mikheyev and A. Yu. Smirnov,
//!   Sov. J. Nucl. Phys. 42 (1985) 913.
//! - NSI conventions: Y. Farzan and M. Tortola, Front. Phys. 6 (2018) 10, arXiv:1710.09360.
//! - nuSSI: Z. Tabrizi and O. L. G. Peres, "Hidden interactions of sterile neutrinos as a probe for new
//!   physics", Phys. Rev. D 93 (2016) 053003, arXiv:1507.06486.
//! - Earth: A. M. Dziewonski and D. L. Anderson, "Preliminary reference Earth model", Phys. Earth
//!   Planet. Inter. 25 (1981) 297 ([`PREM_REGIONS`], [`PremEarth`]).
//!
//! # Use
//! ```
//! use nuportal::oscillation::{OscillationConfig, Flavour, NuType};
//!
//! let config: OscillationConfig = toml::from_str(r#"
//!     model = "3nu"
//!     dm21 = 7.5e-5
//!     dm31 = 2.4e-3
//!     s12sq = 0.3
//!     s13sq = 0.023
//!     s23sq = 0.6
//!     delta_cp = 0.0
//!     baseline_km = 735.0
//!     density_gcc = 2.8
//! "#).unwrap();
//! let mut osc = config.build().unwrap();
//! let p = osc.probabilities(3.0, NuType::Neutrino).unwrap();
//! let p_mu_e = p.get(Flavour::Mu, Flavour::E).unwrap();
//! assert!(p_mu_e > 0.0 && p_mu_e < 0.1);
//! ```
//! Library users without a configuration build [`MixingParameters`], an [`OscillationModel`] and a
//! [`MatterProfile`] and call [`Oscillator::new`].

mod config;
mod error;
mod hamiltonian;
mod matter;
mod params;
mod propagate;
mod table;
mod weight;

pub use config::{
    ConstantSet, NsiConfig, NsiMatrixConfig, OscillationConfig, SourceFlavour,
    DEFAULT_ELECTRON_FRACTION,
};
pub use error::{OscillationError, Result};
pub use hamiltonian::{
    mixing_matrix_3p1, pmns_matrix, rotation, Hamiltonian, NsiHamiltonian, NuType,
    SterileHamiltonian, ThreeFlavourHamiltonian,
};
pub use matter::{
    Layer, MatterProfile, PremEarth, PremRegion, Shell, EARTH_RADIUS_KM, PREM_REGIONS,
};
pub use params::{
    neutron_to_electron_ratio, MixingParameters, ModelKind, NsiCouplings, NsiEntries,
    OscillationModel, PhysicalConstants, SterileParameters,
};
pub use propagate::{
    column_names, Flavour, HermitianEigen, OscillationProbabilities, Oscillator, ProbabilityMatrix,
    Propagator,
};
pub use table::ProbabilityTable;
pub use weight::OscillationWeight;
