//! Mixing matrices and the flavour-basis Hamiltonians of the three models.
//!
//! All models share the vacuum part `U diag(M^2) U^dagger / (2E)` and differ only in the matter
//! potential `H_mat = V_CC Q`, where `Q` is a dimensionless flavour matrix ([`Hamiltonian::matter_potential`]).
//! Natural units: mass matrices in GeV^2, potentials in GeV.

use nalgebra::{Matrix3, Matrix4, SMatrix};
use num_complex::Complex64;

use super::params::{neutron_to_electron_ratio, MixingParameters, NsiCouplings, SterileParameters};
use crate::units;

/// Neutrino or antineutrino.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NuType {
    /// Neutrino: `H = U diag(M^2) U^dagger / (2E) + H_mat`.
    Neutrino,
    /// Antineutrino: `H_bar = (U diag(M^2) U^dagger / (2E) - H_mat)^*` (complex conjugate).
    Antineutrino,
}

impl NuType {
    /// Both, neutrino first.
    pub const BOTH: [NuType; 2] = [NuType::Neutrino, NuType::Antineutrino];

    /// Column prefix used in output tables: `P` for neutrinos, `Pbar` for antineutrinos.
    #[must_use]
    pub fn column_prefix(self) -> &'static str {
        match self {
            Self::Neutrino => "P",
            Self::Antineutrino => "Pbar",
        }
    }
}

/// The complex rotation `R_ij(theta, delta)` in N dimensions (0-based `i < j`):
/// `R[i,i] = R[j,j] = cos theta`, `R[i,j] = sin theta e^{-i delta}`, `R[j,i] = -sin theta e^{+i delta}`,
/// identity elsewhere, with `theta = arcsin(sqrt(s_sq))` in [0, pi/2].
///
/// Convention: PDG 2024, "Neutrino masses, mixing and oscillations" review (S. Navas et al., Phys. Rev. D
/// 110 (2024) 030001) (standard parametrisation) for the 3x3 case; extended to 3+1 as in nuSQuIDS.
#[must_use]
#[allow(clippy::many_single_char_names, reason = "the notation of the formula")]
pub fn rotation<const N: usize>(
    i: usize,
    j: usize,
    s_sq: f64,
    delta: f64,
) -> SMatrix<Complex64, N, N> {
    debug_assert!(i < j && j < N);
    let s = s_sq.sqrt();
    let c = (1.0 - s_sq).sqrt();
    let phase = Complex64::from_polar(1.0, -delta);
    let mut r = SMatrix::<Complex64, N, N>::identity();
    r[(i, i)] = Complex64::new(c, 0.0);
    r[(j, j)] = Complex64::new(c, 0.0);
    r[(i, j)] = phase * s;
    r[(j, i)] = -phase.conj() * s;
    r
}

/// The PDG mixing matrix `U = R23 U13(delta) R12` (PDG 2024 neutrino-mixing review, standard parametrisation).
#[must_use]
pub fn pmns_matrix(mixing: &MixingParameters) -> Matrix3<Complex64> {
    rotation::<3>(1, 2, mixing.s23sq(), 0.0)
        * rotation::<3>(0, 2, mixing.s13sq(), mixing.delta_cp())
        * rotation::<3>(0, 1, mixing.s12sq(), 0.0)
}

/// The 3+1 mixing matrix `U = R34 R24 R14 R23 R13(delta) R12` (0-based R_23, R_13, R_03, R_12, R_02, R_01),
/// the order of nuSQuIDS, so `U_e4 = s14`, `U_mu4 = c14 s24`, `U_tau4 = c14 c24 s34`. The CP phase
/// sits on R13 so that the active block reduces to [`pmns_matrix`] when the sterile angles vanish.
#[must_use]
pub fn mixing_matrix_3p1(
    mixing: &MixingParameters,
    sterile: &SterileParameters,
) -> Matrix4<Complex64> {
    rotation::<4>(2, 3, sterile.s34sq(), 0.0)
        * rotation::<4>(1, 3, sterile.s24sq(), 0.0)
        * rotation::<4>(0, 3, sterile.s14sq(), 0.0)
        * rotation::<4>(1, 2, mixing.s23sq(), 0.0)
        * rotation::<4>(0, 2, mixing.s13sq(), mixing.delta_cp())
        * rotation::<4>(0, 1, mixing.s12sq(), 0.0)
}

/// `U diag(m2) U^dagger`, with `m2` in eV^2, returned in GeV^2.
fn mass_matrix<const N: usize>(
    u: &SMatrix<Complex64, N, N>,
    m2_ev2: [f64; N],
) -> SMatrix<Complex64, N, N> {
    let mut scaled = *u;
    for (mut column, m2) in scaled.column_iter_mut().zip(m2_ev2) {
        column *= Complex64::new(m2 * units::EV * units::EV, 0.0);
    }
    let m = scaled * u.adjoint();
    // Hermitian by construction; remove the rounding asymmetry so the eigen-solver sees an exact one.
    (m + m.adjoint()) * Complex64::new(0.5, 0.0)
}

/// A flavour-basis Hamiltonian: vacuum mass matrix plus a model-specific matter potential.
///
/// The evolution code ([`super::Propagator`]) only calls these two methods; adding a model means
/// implementing this trait.
pub trait Hamiltonian<const N: usize> {
    /// `U diag(0, Dm21^2, Dm31^2[, Dm41^2]) U^dagger`, GeV^2 (= 2E times the vacuum Hamiltonian).
    fn mass_matrix(&self) -> &SMatrix<Complex64, N, N>;

    /// The neutrino matter potential `H_mat`, GeV, in a medium with charged-current potential
    /// `v_cc_gev = sqrt(2) G_F N_e` (GeV) and electron fraction `electron_fraction` (dimensionless).
    /// Antineutrinos use `-H_mat^*` (see [`Hamiltonian::two_e_hamiltonian`]).
    fn matter_potential(&self, v_cc_gev: f64, electron_fraction: f64) -> SMatrix<Complex64, N, N>;

    /// `2E H` in GeV^2 for energy `energy_gev` (GeV) and matter potential `potential_gev`
    /// (from [`Hamiltonian::matter_potential`]): `M + 2E H_mat` for neutrinos,
    /// `(M - 2E H_mat)^*` for antineutrinos.
    fn two_e_hamiltonian(
        &self,
        energy_gev: f64,
        potential_gev: &SMatrix<Complex64, N, N>,
        nu_type: NuType,
    ) -> SMatrix<Complex64, N, N> {
        let two_e = Complex64::new(2.0 * energy_gev, 0.0);
        match nu_type {
            NuType::Neutrino => self.mass_matrix() + potential_gev * two_e,
            NuType::Antineutrino => (self.mass_matrix() - potential_gev * two_e).conjugate(),
        }
    }
}

/// Standard three-flavour oscillations: `H_mat = diag(V_CC, 0, 0)` (Wolfenstein 1978; the NC potential,
/// common to all active flavours, is a global phase and dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct ThreeFlavourHamiltonian {
    mass: Matrix3<Complex64>,
}

impl ThreeFlavourHamiltonian {
    /// Precompute `U M^2 U^dagger` from the PDG parameters.
    #[must_use]
    pub fn new(mixing: &MixingParameters) -> Self {
        Self {
            mass: mass_matrix(
                &pmns_matrix(mixing),
                [0.0, mixing.dm21_ev2(), mixing.dm31_ev2()],
            ),
        }
    }
}

impl Hamiltonian<3> for ThreeFlavourHamiltonian {
    fn mass_matrix(&self) -> &Matrix3<Complex64> {
        &self.mass
    }

    fn matter_potential(&self, v_cc_gev: f64, _electron_fraction: f64) -> Matrix3<Complex64> {
        let mut v = Matrix3::zeros();
        v[(0, 0)] = Complex64::new(v_cc_gev, 0.0);
        v
    }
}

/// Three flavours with neutral-current NSI:
/// `H_mat = V_CC [diag(1, 0, 0) + sum_{f=e,u,d} (N_f/N_e) eps^f]` (Farzan & Tortola,
/// arXiv:1710.09360), with `N_f/N_e` from the local electron fraction
/// ([`NsiCouplings::effective`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NsiHamiltonian {
    mass: Matrix3<Complex64>,
    nsi: NsiCouplings,
}

impl NsiHamiltonian {
    /// Precompute `U M^2 U^dagger` and keep the couplings.
    #[must_use]
    pub fn new(mixing: &MixingParameters, nsi: NsiCouplings) -> Self {
        Self {
            mass: ThreeFlavourHamiltonian::new(mixing).mass,
            nsi,
        }
    }
}

impl Hamiltonian<3> for NsiHamiltonian {
    fn mass_matrix(&self) -> &Matrix3<Complex64> {
        &self.mass
    }

    fn matter_potential(&self, v_cc_gev: f64, electron_fraction: f64) -> Matrix3<Complex64> {
        let mut q = self.nsi.effective(electron_fraction);
        q[(0, 0)] += 1.0;
        q * Complex64::new(v_cc_gev, 0.0)
    }
}

/// 3+1 with the secret interaction of the sterile state (Z. Tabrizi and O. L. G. Peres, "Hidden
/// interactions of sterile neutrinos as a probe for new physics", arXiv:1507.06486, Phys. Rev. D 93
/// (2016) 053003):
/// `H_mat = V_CC diag(1, 0, 0, (N_n/N_e)(1 - alpha)/2)`, `alpha = G_X / G_F`.
///
/// Active flavours feel `V_CC delta_ae + V_NC` with `V_NC = -G_F N_n / sqrt(2) = -V_CC (N_n/N_e)/2`;
/// the sterile state feels `alpha V_NC` from the secret interaction. Subtracting the common `V_NC`
/// (a global phase) leaves `(1 - alpha)(-V_NC)` on the sterile entry. `alpha = 0` is standard 3+1.
#[derive(Debug, Clone, PartialEq)]
pub struct SterileHamiltonian {
    mass: Matrix4<Complex64>,
    alpha: f64,
}

impl SterileHamiltonian {
    /// Precompute `U M^2 U^dagger` with `U = R34 R24 R14 R23 R13 R12` and keep `alpha`.
    #[must_use]
    pub fn new(mixing: &MixingParameters, sterile: &SterileParameters, alpha: f64) -> Self {
        Self {
            mass: mass_matrix(
                &mixing_matrix_3p1(mixing, sterile),
                [
                    0.0,
                    mixing.dm21_ev2(),
                    mixing.dm31_ev2(),
                    sterile.dm41_ev2(),
                ],
            ),
            alpha,
        }
    }
}

impl Hamiltonian<4> for SterileHamiltonian {
    fn mass_matrix(&self) -> &Matrix4<Complex64> {
        &self.mass
    }

    fn matter_potential(&self, v_cc_gev: f64, electron_fraction: f64) -> Matrix4<Complex64> {
        let sterile =
            v_cc_gev * neutron_to_electron_ratio(electron_fraction) * (1.0 - self.alpha) / 2.0;
        let mut v = Matrix4::zeros();
        v[(0, 0)] = Complex64::new(v_cc_gev, 0.0);
        v[(3, 3)] = Complex64::new(sterile, 0.0);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOL: f64 = 1e-14;

    fn mixing(delta: f64) -> MixingParameters {
        MixingParameters::new(7.5e-5, 2.4e-3, 0.3, 0.023, 0.6, delta).unwrap()
    }

    #[test]
    fn pmns_check_values_from_reference_readme() {
        let u = pmns_matrix(&mixing(1.5 * std::f64::consts::PI));
        let close = |z: Complex64, re: f64, im: f64| (z - Complex64::new(re, im)).norm() < 1e-14;
        assert!(
            close(u[(0, 2)], 0.0, 0.151_657_508_881_031),
            "{}",
            u[(0, 2)]
        );
        assert!(close(
            u[(1, 0)],
            -0.346_410_161_513_775,
            0.098_285_299_002_445
        ));
        assert!(close(
            u[(2, 1)],
            -0.648_074_069_840_786,
            0.052_535_702_146_255
        ));
        assert!((u * u.adjoint() - Matrix3::identity()).norm() < TOL);
    }

    #[test]
    fn mixing_3p1_check_values_from_reference_readme() {
        let sterile = SterileParameters::new(1.0, 0.025, 0.03, 0.04).unwrap();
        let u = mixing_matrix_3p1(&mixing(0.0), &sterile);
        #[rustfmt::skip]
        let expected = [
            [0.816_579_757_280_328, 0.534_576_935_529_396, 0.149_749_791_318_719, 0.158_113_883_008_419],
            [-0.460_622_083_152_696, 0.442_955_732_214_668, 0.749_911_672_005_602, 0.171_026_313_764_871],
            [0.326_712_434_695_637, -0.719_417_387_411_025, 0.581_263_802_163_823, 0.194_499_357_325_416],
            [-0.119_514_775_351_500, -0.021_362_162_551_152, -0.278_100_479_114_687, 0.952_848_361_493_055],
        ];
        for (i, row) in expected.iter().enumerate() {
            for (j, &value) in row.iter().enumerate() {
                assert!(
                    (u[(i, j)] - Complex64::new(value, 0.0)).norm() < 1e-14,
                    "U[{i},{j}]"
                );
            }
        }
        assert!((u * u.adjoint() - Matrix4::identity()).norm() < TOL);
    }

    #[test]
    fn sterile_potential_entries() {
        let sterile = SterileParameters::new(1.0, 0.025, 0.03, 0.0).unwrap();
        let h = SterileHamiltonian::new(&mixing(0.0), &sterile, 150.0);
        let v = h.matter_potential(2.0, 0.5);
        assert_eq!(v[(0, 0)], Complex64::new(2.0, 0.0));
        assert_eq!(v[(3, 3)], Complex64::new(2.0 * (1.0 - 150.0) / 2.0, 0.0));
        // Y_e = 1/3: N_n/N_e = 2.
        let v = h.matter_potential(2.0, 1.0 / 3.0);
        assert!((v[(3, 3)].re - 2.0 * 2.0 * (1.0 - 150.0) / 2.0).abs() < 1e-12);
    }
}
