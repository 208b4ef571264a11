//! Exact evolution through a layered profile and the probability matrix.
//!
//! Per layer `S_k = exp(-i H_k L_k) = V diag(exp(-i lambda_j L_k / (2E))) V^dagger`, from the
//! Hermitian eigen-decomposition `2E H_k = V diag(lambda) V^dagger` (lambda in GeV^2, L in GeV^-1,
//! E in GeV); `S = S_n ... S_1`; `P(a -> b) = |S[b, a]|^2`.

use nalgebra::allocator::Allocator;
use nalgebra::{Const, DefaultAllocator, DimDiff, DimSub, SMatrix, SVector, SymmetricEigen, U1};
use num_complex::Complex64;

use super::error::{in_range, OscillationError, Result};
use super::hamiltonian::{
    Hamiltonian, NsiHamiltonian, NuType, SterileHamiltonian, ThreeFlavourHamiltonian,
};
use super::matter::MatterProfile;
use super::params::{OscillationModel, PhysicalConstants};

/// Maximum number of implicit QR sweeps of the eigen-solver (a 4x4 Hermitian matrix needs < 20).
const MAX_EIGEN_SWEEPS: usize = 1000;

/// A neutrino flavour (or the sterile state), in basis order e, mu, tau, s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flavour {
    /// Electron flavour.
    E,
    /// Muon flavour.
    Mu,
    /// Tau flavour.
    Tau,
    /// The sterile state of 3+1.
    Sterile,
}

impl Flavour {
    /// The three active flavours.
    pub const ACTIVE: [Flavour; 3] = [Flavour::E, Flavour::Mu, Flavour::Tau];
    /// The four states of 3+1.
    pub const WITH_STERILE: [Flavour; 4] =
        [Flavour::E, Flavour::Mu, Flavour::Tau, Flavour::Sterile];

    /// The basis of an `n`-state model: [`Self::ACTIVE`] for 3, [`Self::WITH_STERILE`] otherwise.
    #[must_use]
    pub fn basis(n_flavours: usize) -> &'static [Flavour] {
        if n_flavours == 3 {
            &Self::ACTIVE
        } else {
            &Self::WITH_STERILE
        }
    }

    /// Index in the flavour basis (e = 0, mu = 1, tau = 2, s = 3).
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// Short label used in column names: `e`, `mu`, `tau`, `s`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::E => "e",
            Self::Mu => "mu",
            Self::Tau => "tau",
            Self::Sterile => "s",
        }
    }
}

/// The full matrix `P(a -> b)` for 3 or 4 states; rows = initial state, columns = final state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbabilityMatrix {
    n: usize,
    values: [[f64; 4]; 4],
}

impl ProbabilityMatrix {
    /// Number of states (3 or 4).
    #[must_use]
    pub fn n_flavours(&self) -> usize {
        self.n
    }

    /// The basis, in row/column order.
    #[must_use]
    pub fn flavours(&self) -> &'static [Flavour] {
        Flavour::basis(self.n)
    }

    /// `P(from -> to)`, or `None` if a state is not in this model (the sterile state of a 3-flavour model).
    #[must_use]
    pub fn get(&self, from: Flavour, to: Flavour) -> Option<f64> {
        (from.index() < self.n && to.index() < self.n)
            .then(|| self.values[from.index()][to.index()])
    }

    /// The rows `P[a][b] = P(a -> b)`, as a slice of `n` rows of `n` entries.
    pub fn rows(&self) -> impl Iterator<Item = &[f64]> + '_ {
        self.values[..self.n].iter().map(|row| &row[..self.n])
    }

    fn from_evolution<const N: usize>(s: &SMatrix<Complex64, N, N>) -> Self {
        let mut values = [[0.0; 4]; 4];
        for (a, row) in values.iter_mut().enumerate().take(N) {
            for (b, p) in row.iter_mut().enumerate().take(N) {
                *p = s[(b, a)].norm_sqr();
            }
        }
        Self { n: N, values }
    }
}

/// Neutrino and antineutrino probability matrices at one energy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OscillationProbabilities {
    /// `P(nu_a -> nu_b)`.
    pub nu: ProbabilityMatrix,
    /// `P(nubar_a -> nubar_b)`.
    pub nubar: ProbabilityMatrix,
}

impl OscillationProbabilities {
    /// The values in the order of [`column_names`]: all `P_a_b` (a outer, b inner), then all `Pbar_a_b`.
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.nu.rows().chain(self.nubar.rows()).flatten().copied()
    }
}

/// Output column names for `n_flavours` states: `P_<a>_<b>` for neutrinos then `Pbar_<a>_<b>` for
/// antineutrinos (a = initial, b = final, each in e, mu, tau[, s]), matching
/// [`OscillationProbabilities::values`].
#[must_use]
pub fn column_names(n_flavours: usize) -> Vec<String> {
    let basis = Flavour::basis(n_flavours);
    NuType::BOTH
        .iter()
        .flat_map(|nu| {
            basis.iter().flat_map(move |a| {
                basis
                    .iter()
                    .map(move |b| format!("{}_{}_{}", nu.column_prefix(), a.label(), b.label()))
            })
        })
        .collect()
}

/// Hermitian eigen-decomposition of a stack matrix, via nalgebra's [`SymmetricEigen`] (which works
/// for complex Hermitian matrices: Householder tridiagonalisation + implicit QR with Wilkinson shift).
pub trait HermitianEigen<const N: usize> {
    /// Eigenvalues (real) and unitary eigenvector matrix (columns), or `None` if the solver did not converge.
    fn hermitian_eigen(&self) -> Option<(SVector<f64, N>, SMatrix<Complex64, N, N>)>;
}

impl<const N: usize> HermitianEigen<N> for SMatrix<Complex64, N, N>
where
    Const<N>: DimSub<U1>,
    DefaultAllocator: Allocator<DimDiff<Const<N>, U1>>,
{
    fn hermitian_eigen(&self) -> Option<(SVector<f64, N>, SMatrix<Complex64, N, N>)> {
        SymmetricEigen::<Complex64, Const<N>>::try_new(*self, f64::EPSILON, MAX_EIGEN_SWEEPS)
            .map(|e| (e.eigenvalues, e.eigenvectors))
    }
}

/// A distinct medium (density, Y_e) of the profile with its precomputed matter potential.
#[derive(Debug, Clone)]
struct Medium<const N: usize> {
    density_g_cm3: f64,
    electron_fraction: f64,
    /// H_mat for neutrinos, GeV.
    potential_gev: SMatrix<Complex64, N, N>,
}

/// Eigensystem of `2E H` for one medium, energy and CP state.
#[derive(Debug, Clone, Copy)]
struct Eigensystem<const N: usize> {
    /// Energy it was computed for, GeV (NaN: empty slot).
    energy_gev: f64,
    /// Eigenvalues of 2E H, GeV^2.
    values: SVector<f64, N>,
    /// Unitary eigenvectors (columns).
    vectors: SMatrix<Complex64, N, N>,
}

impl<const N: usize> Eigensystem<N> {
    fn empty() -> Self {
        Self {
            energy_gev: f64::NAN,
            values: SVector::zeros(),
            vectors: SMatrix::identity(),
        }
    }
}

/// Evolution through a fixed profile with a fixed Hamiltonian, N = 3 or 4 states.
///
/// Layers with the same (density, Y_e) share one medium; the eigensystem of each medium is cached for
/// neutrinos and antineutrinos and recomputed only when the energy changes, so a profile with repeated
/// layers (e.g. the two halves of an Earth chord) costs one eigen-decomposition per distinct medium.
/// No heap allocation per call. Clone one per thread for parallel use.
#[derive(Debug, Clone)]
pub struct Propagator<const N: usize, H> {
    hamiltonian: H,
    profile: MatterProfile,
    /// One kilometre, GeV^-1.
    km: f64,
    media: Vec<Medium<N>>,
    /// Index into `media` for each layer of `profile`.
    layer_media: Vec<usize>,
    /// Per medium: cached eigensystems for [neutrino, antineutrino].
    cache: Vec<[Eigensystem<N>; 2]>,
}

impl<const N: usize, H: Hamiltonian<N>> Propagator<N, H>
where
    SMatrix<Complex64, N, N>: HermitianEigen<N>,
{
    /// Set up the propagation of `hamiltonian` through `profile` with `constants`.
    #[must_use]
    #[allow(clippy::float_cmp, reason = "media are shared only when bit-identical")]
    pub fn new(hamiltonian: H, profile: MatterProfile, constants: &PhysicalConstants) -> Self {
        let mut media: Vec<Medium<N>> = Vec::new();
        let mut layer_media = Vec::with_capacity(profile.layers().len());
        for layer in profile.layers() {
            let (rho, ye) = (layer.density_g_cm3(), layer.electron_fraction());
            let index = media
                .iter()
                .position(|m| m.density_g_cm3 == rho && m.electron_fraction == ye)
                .unwrap_or_else(|| {
                    media.push(Medium {
                        density_g_cm3: rho,
                        electron_fraction: ye,
                        potential_gev: hamiltonian
                            .matter_potential(constants.v_cc_gev(rho, ye), ye),
                    });
                    media.len() - 1
                });
            layer_media.push(index);
        }
        let cache = vec![[Eigensystem::empty(); 2]; media.len()];
        Self {
            hamiltonian,
            profile,
            km: constants.km(),
            media,
            layer_media,
            cache,
        }
    }

    /// The Hamiltonian builder.
    #[must_use]
    pub fn hamiltonian(&self) -> &H {
        &self.hamiltonian
    }

    /// The matter profile.
    #[must_use]
    pub fn profile(&self) -> &MatterProfile {
        &self.profile
    }

    /// The evolution operator `S = S_n ... S_1` (flavour basis, `S[b, a]` = amplitude a -> b) at
    /// energy `energy_gev` (GeV).
    ///
    /// # Errors
    /// [`OscillationError::OutOfRange`] / [`OscillationError::NotFinite`] if `energy_gev` is not
    /// finite and > 0; [`OscillationError::EigenSolve`] if the eigen-solver fails.
    #[allow(clippy::float_cmp, reason = "the cache is keyed on the exact energy")]
    pub fn evolution_operator(
        &mut self,
        energy_gev: f64,
        nu_type: NuType,
    ) -> Result<SMatrix<Complex64, N, N>> {
        let energy_gev = in_range("energy_gev", energy_gev, "(0, inf) GeV", |e| e > 0.0)?;
        let slot = match nu_type {
            NuType::Neutrino => 0,
            NuType::Antineutrino => 1,
        };
        let mut s = SMatrix::<Complex64, N, N>::identity();
        for (layer, &medium_index) in self.profile.layers().iter().zip(&self.layer_media) {
            let cached = &mut self.cache[medium_index][slot];
            if cached.energy_gev != energy_gev {
                let medium = &self.media[medium_index];
                let h =
                    self.hamiltonian
                        .two_e_hamiltonian(energy_gev, &medium.potential_gev, nu_type);
                let (values, vectors) =
                    h.hermitian_eigen().ok_or(OscillationError::EigenSolve {
                        energy_gev,
                        density_g_cm3: medium.density_g_cm3,
                        electron_fraction: medium.electron_fraction,
                    })?;
                *cached = Eigensystem {
                    energy_gev,
                    values,
                    vectors,
                };
            }
            // Phase of eigenstate j: lambda_j [GeV^2] * L [GeV^-1] / (2E [GeV]).
            let length_over_two_e = layer.length_km() * self.km / (2.0 * energy_gev);
            let mut weighted = cached.vectors;
            for (mut column, &lambda) in weighted.column_iter_mut().zip(cached.values.iter()) {
                column *= Complex64::from_polar(1.0, -lambda * length_over_two_e);
            }
            s = weighted * cached.vectors.adjoint() * s;
        }
        Ok(s)
    }

    /// `P(a -> b)` for all a, b at energy `energy_gev` (GeV).
    ///
    /// # Errors
    /// As [`Propagator::evolution_operator`].
    pub fn probabilities(&mut self, energy_gev: f64, nu_type: NuType) -> Result<ProbabilityMatrix> {
        let s = self.evolution_operator(energy_gev, nu_type)?;
        Ok(ProbabilityMatrix::from_evolution(&s))
    }
}

/// A ready-to-evaluate oscillation calculation: a model, a matter profile and constants.
///
/// Build it from a configuration ([`super::OscillationConfig::build`]) or directly with
/// [`Oscillator::new`]; then call [`Oscillator::probabilities`] per energy (GeV).
#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "one per thread, built once; boxing would add an indirection per call"
)]
pub enum Oscillator {
    /// Standard three flavours.
    ThreeFlavour(Propagator<3, ThreeFlavourHamiltonian>),
    /// Three flavours with NC NSI.
    Nsi(Propagator<3, NsiHamiltonian>),
    /// 3+1, with or without the secret interaction.
    Sterile(Propagator<4, SterileHamiltonian>),
}

impl Oscillator {
    /// Combine a validated model and profile.
    #[must_use]
    pub fn new(
        model: &OscillationModel,
        profile: MatterProfile,
        constants: &PhysicalConstants,
    ) -> Self {
        match model {
            OscillationModel::ThreeFlavour(m) => Self::ThreeFlavour(Propagator::new(
                ThreeFlavourHamiltonian::new(m),
                profile,
                constants,
            )),
            OscillationModel::Nsi(m, nsi) => Self::Nsi(Propagator::new(
                NsiHamiltonian::new(m, *nsi),
                profile,
                constants,
            )),
            OscillationModel::Sterile {
                mixing,
                sterile,
                alpha,
            } => Self::Sterile(Propagator::new(
                SterileHamiltonian::new(mixing, sterile, *alpha),
                profile,
                constants,
            )),
        }
    }

    /// Number of states (3 or 4).
    #[must_use]
    pub fn n_flavours(&self) -> usize {
        match self {
            Self::ThreeFlavour(_) | Self::Nsi(_) => 3,
            Self::Sterile(_) => 4,
        }
    }

    /// The flavour basis.
    #[must_use]
    pub fn flavours(&self) -> &'static [Flavour] {
        Flavour::basis(self.n_flavours())
    }

    /// The matter profile.
    #[must_use]
    pub fn profile(&self) -> &MatterProfile {
        match self {
            Self::ThreeFlavour(p) => p.profile(),
            Self::Nsi(p) => p.profile(),
            Self::Sterile(p) => p.profile(),
        }
    }

    /// `P(a -> b)` for every pair of states at energy `energy_gev` (GeV).
    ///
    /// # Errors
    /// [`OscillationError::OutOfRange`] / [`OscillationError::NotFinite`] for an energy that is not
    /// finite and > 0; [`OscillationError::EigenSolve`] if the eigen-solver fails.
    pub fn probabilities(&mut self, energy_gev: f64, nu_type: NuType) -> Result<ProbabilityMatrix> {
        match self {
            Self::ThreeFlavour(p) => p.probabilities(energy_gev, nu_type),
            Self::Nsi(p) => p.probabilities(energy_gev, nu_type),
            Self::Sterile(p) => p.probabilities(energy_gev, nu_type),
        }
    }

    /// Neutrino and antineutrino matrices at `energy_gev` (GeV): one output row.
    ///
    /// # Errors
    /// As [`Oscillator::probabilities`].
    pub fn probabilities_both(&mut self, energy_gev: f64) -> Result<OscillationProbabilities> {
        Ok(OscillationProbabilities {
            nu: self.probabilities(energy_gev, NuType::Neutrino)?,
            nubar: self.probabilities(energy_gev, NuType::Antineutrino)?,
        })
    }

    /// Column names matching [`OscillationProbabilities::values`] (without the leading `E_GeV`).
    #[must_use]
    pub fn column_names(&self) -> Vec<String> {
        column_names(self.n_flavours())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscillation::params::MixingParameters;

    fn oscillator(profile: MatterProfile) -> Oscillator {
        let m = MixingParameters::new(7.5e-5, 2.4e-3, 0.3, 0.023, 0.6, 1.0).unwrap();
        Oscillator::new(
            &OscillationModel::ThreeFlavour(m),
            profile,
            &PhysicalConstants::REFERENCE_TABLES,
        )
    }

    #[test]
    fn column_names_order() {
        let names = column_names(3);
        assert_eq!(names.len(), 18);
        assert_eq!(names[0], "P_e_e");
        assert_eq!(names[1], "P_e_mu");
        assert_eq!(names[3], "P_mu_e");
        assert_eq!(names[9], "Pbar_e_e");
        assert_eq!(column_names(4)[3], "P_e_s");
    }

    #[test]
    fn zero_baseline_is_identity_and_bad_energy_is_rejected() {
        let mut osc = oscillator(MatterProfile::constant(0.0, 2.8, 0.5).unwrap());
        let p = osc.probabilities(1.0, NuType::Neutrino).unwrap();
        for (a, row) in p.rows().enumerate() {
            for (b, &v) in row.iter().enumerate() {
                assert!((v - f64::from(u8::from(a == b))).abs() < 1e-15);
            }
        }
        let err = osc.probabilities(-1.0, NuType::Neutrino).unwrap_err();
        assert!(err.to_string().contains("energy_gev"), "{err}");
        assert!(osc.probabilities(f64::NAN, NuType::Neutrino).is_err());
    }

    #[test]
    fn repeated_media_share_the_cache_and_give_the_same_result() {
        let layers =
            MatterProfile::from_triples(&[[100.0, 2.6, 0.5], [200.0, 2.9, 0.5], [100.0, 2.6, 0.5]])
                .unwrap();
        let mut osc = oscillator(layers);
        if let Oscillator::ThreeFlavour(p) = &osc {
            assert_eq!(p.media.len(), 2);
        }
        let first = osc.probabilities(2.0, NuType::Antineutrino).unwrap();
        let _ = osc.probabilities(3.0, NuType::Antineutrino).unwrap();
        let again = osc.probabilities(2.0, NuType::Antineutrino).unwrap();
        assert_eq!(first, again);
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Oscillator>();
        check::<ProbabilityMatrix>();
        check::<OscillationError>();
        check::<MatterProfile>();
    }
}
