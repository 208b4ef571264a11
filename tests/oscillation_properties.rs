//! Property tests of the oscillation library over random model points, energies and layer lists:
//! unitarity, exact model reductions, closed forms in vacuum and two-flavour matter, and the T and CPT
//! identities that hold exactly.

#![allow(
    clippy::many_single_char_names,
    clippy::large_types_passed_by_value,
    clippy::float_cmp,
    reason = "test helpers follow the notation of the formulas"
)]

use std::f64::consts::PI;

use nalgebra::SMatrix;
use num_complex::Complex64;
use nuportal::oscillation::mixing_matrix_3p1;
use nuportal::oscillation::SterileParameters;
use nuportal::oscillation::{
    pmns_matrix, ConstantSet, MatterProfile, MixingParameters, ModelKind, NsiConfig,
    NsiMatrixConfig, NuType, OscillationConfig, Oscillator, PhysicalConstants, ProbabilityMatrix,
};
use proptest::prelude::*;

/// Tolerance of identities that are exact in arithmetic (only rounding differs).
const EXACT: f64 = 1e-10;
/// Tolerance against closed forms evaluated by a different route (phases up to ~1e5 rad).
const CLOSED_FORM: f64 = 1e-8;
/// `Dm^2 L / (4E)` per eV^2 km / GeV, from the reference README (hbar c exact).
const PHASE_PER_EV2_KM_PER_GEV: f64 = 1.266_932_679_039_099;

fn constants() -> PhysicalConstants {
    PhysicalConstants::REFERENCE_TABLES
}

/// A 3nu configuration with a `layers` profile; other models are derived by struct update.
fn config(mixing: [f64; 6], layers: &[[f64; 3]]) -> OscillationConfig {
    let [dm21, dm31, s12sq, s13sq, s23sq, delta_cp] = mixing;
    OscillationConfig {
        model: ModelKind::ThreeNu,
        dm21,
        dm31,
        dm41: None,
        s12sq,
        s13sq,
        s23sq,
        s14sq: None,
        s24sq: None,
        s34sq: None,
        delta_cp,
        alpha: None,
        baseline_km: None,
        density_gcc: None,
        ye: None,
        layers: Some(layers.to_vec()),
        prem: false,
        constants: ConstantSet::default(),
        source: None,
        nsi: None,
        nsi_from_model: false,
        model_nsi: None,
    }
}

fn sterile(mut c: OscillationConfig, sterile: [f64; 4], alpha: Option<f64>) -> OscillationConfig {
    c.model = if alpha.is_some() {
        ModelKind::NuSsi
    } else {
        ModelKind::ThreePlusOne
    };
    c.dm41 = Some(sterile[0]);
    c.s14sq = Some(sterile[1]);
    c.s24sq = Some(sterile[2]);
    c.s34sq = Some(sterile[3]);
    c.alpha = alpha;
    c
}

fn nsi(mut c: OscillationConfig, nsi: NsiConfig) -> OscillationConfig {
    c.model = ModelKind::Nsi;
    c.nsi = Some(nsi);
    c
}

fn build(c: &OscillationConfig) -> Oscillator {
    c.build_with_constants(&constants())
        .expect("valid configuration")
}

fn probabilities(c: &OscillationConfig, energy_gev: f64, nu: NuType) -> ProbabilityMatrix {
    build(c)
        .probabilities(energy_gev, nu)
        .expect("probabilities")
}

/// max |P1[a][b] - P2[a][b]| over the first `n` states of both.
fn max_difference(p1: &ProbabilityMatrix, p2: &ProbabilityMatrix, n: usize) -> f64 {
    p1.rows()
        .zip(p2.rows())
        .take(n)
        .flat_map(|(r1, r2)| r1.iter().zip(r2).take(n).map(|(x, y)| (x - y).abs()))
        .fold(0.0, nan_aware_max)
}

/// `max` that propagates NaN as infinity, so a NaN probability fails the comparison.
fn nan_aware_max(acc: f64, x: f64) -> f64 {
    if x.is_nan() {
        f64::INFINITY
    } else {
        acc.max(x)
    }
}

fn transpose_difference(p1: &ProbabilityMatrix, p2: &ProbabilityMatrix) -> f64 {
    let rows2: Vec<&[f64]> = p2.rows().collect();
    p1.rows()
        .enumerate()
        .flat_map(|(a, r1)| r1.iter().enumerate().map(move |(b, &x)| (a, b, x)))
        .map(|(a, b, x)| (x - rows2[b][a]).abs())
        .fold(0.0, nan_aware_max)
}

/// Vacuum closed form (PDG 2024 review):
/// `P(a->b) = delta_ab - 4 sum_{i>j} Re J sin^2 D_ij + 2 sum_{i>j} Im J sin 2 D_ij`,
/// `J = U*_ai U_bi U_aj U*_bj`, `D_ij = Dm_ij^2 L / (4E)`.
fn vacuum_closed_form<const N: usize>(
    u: &SMatrix<Complex64, N, N>,
    m2: [f64; N],
    baseline_km: f64,
    energy_gev: f64,
    a: usize,
    b: usize,
) -> f64 {
    let mut p = if a == b { 1.0 } else { 0.0 };
    for i in 0..N {
        for j in 0..i {
            let jarlskog = u[(a, i)].conj() * u[(b, i)] * u[(a, j)] * u[(b, j)].conj();
            let d = PHASE_PER_EV2_KM_PER_GEV * (m2[i] - m2[j]) * baseline_km / energy_gev;
            p += -4.0 * jarlskog.re * d.sin().powi(2) + 2.0 * jarlskog.im * (2.0 * d).sin();
        }
    }
    p
}

fn mixing_strategy() -> impl Strategy<Value = [f64; 6]> {
    (
        1e-6..1e-3f64,
        prop_oneof![1e-4..1e-2f64, -1e-2..-1e-4f64],
        0.0..=1.0f64,
        0.0..=1.0f64,
        0.0..=1.0f64,
        -PI..PI,
    )
        .prop_map(|(a, b, c, d, e, f)| [a, b, c, d, e, f])
}

fn sterile_strategy() -> impl Strategy<Value = [f64; 4]> {
    (0.01..10.0f64, 0.0..0.5f64, 0.0..0.5f64, 0.0..0.5f64).prop_map(|(a, b, c, d)| [a, b, c, d])
}

fn layers_strategy() -> impl Strategy<Value = Vec<[f64; 3]>> {
    prop::collection::vec(
        (0.0..3000.0f64, 0.0..15.0f64, 0.3..=1.0f64).prop_map(|(l, rho, ye)| [l, rho, ye]),
        1..6,
    )
}

fn energy_strategy() -> impl Strategy<Value = f64> {
    (-1.0..1.7f64).prop_map(|x| 10f64.powf(x))
}

fn complex_strategy() -> impl Strategy<Value = [f64; 2]> {
    (-1.0..1.0f64, -1.0..1.0f64).prop_map(|(re, im)| [re, im])
}

fn nsi_matrix_strategy() -> impl Strategy<Value = NsiMatrixConfig> {
    (
        -1.0..1.0f64,
        complex_strategy(),
        complex_strategy(),
        -1.0..1.0f64,
        complex_strategy(),
        -1.0..1.0f64,
    )
        .prop_map(|(ee, emu, etau, mumu, mutau, tautau)| NsiMatrixConfig {
            ee: [ee, 0.0],
            emu,
            etau,
            mumu: [mumu, 0.0],
            mutau,
            tautau: [tautau, 0.0],
        })
}

fn nsi_strategy() -> impl Strategy<Value = NsiConfig> {
    (
        nsi_matrix_strategy(),
        nsi_matrix_strategy(),
        nsi_matrix_strategy(),
    )
        .prop_map(|(e, u, d)| NsiConfig { e, u, d })
}

fn conjugate_nsi(n: &NsiConfig) -> NsiConfig {
    let c = |m: &NsiMatrixConfig| {
        let f = |[re, im]: [f64; 2]| [re, -im];
        NsiMatrixConfig {
            ee: m.ee,
            emu: f(m.emu),
            etau: f(m.etau),
            mumu: m.mumu,
            mutau: f(m.mutau),
            tautau: m.tautau,
        }
    };
    NsiConfig {
        e: c(&n.e),
        u: c(&n.u),
        d: c(&n.d),
    }
}

/// Every model on the same random point.
fn all_models(
    mixing: [f64; 6],
    sterile_params: [f64; 4],
    alpha: f64,
    nsi_params: NsiConfig,
    layers: &[[f64; 3]],
) -> [OscillationConfig; 4] {
    let c = config(mixing, layers);
    [
        c.clone(),
        nsi(c.clone(), nsi_params),
        sterile(c.clone(), sterile_params, None),
        sterile(c, sterile_params, Some(alpha)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rows_and_columns_sum_to_one(
        mixing in mixing_strategy(),
        sterile_params in sterile_strategy(),
        alpha in -200.0..200.0f64,
        nsi_params in nsi_strategy(),
        layers in layers_strategy(),
        energy in energy_strategy(),
    ) {
        for c in all_models(mixing, sterile_params, alpha, nsi_params, &layers) {
            for nu in NuType::BOTH {
                let p = probabilities(&c, energy, nu);
                let rows: Vec<&[f64]> = p.rows().collect();
                let n = rows.len();
                for k in 0..n {
                    let row: f64 = rows[k].iter().sum();
                    let column: f64 = rows.iter().map(|r| r[k]).sum();
                    prop_assert!((row - 1.0).abs() < EXACT, "{:?} row {k}: {row}", c.model);
                    prop_assert!((column - 1.0).abs() < EXACT, "{:?} column {k}: {column}", c.model);
                    prop_assert!(rows.iter().flat_map(|r| r.iter()).all(|&x| (-EXACT..=1.0 + EXACT).contains(&x)));
                }
            }
        }
    }

    #[test]
    fn nsi_with_zero_or_universal_eps_equals_standard(
        mixing in mixing_strategy(),
        layers in layers_strategy(),
        energy in energy_strategy(),
        universal in -1.0..1.0f64,
    ) {
        let standard = config(mixing, &layers);
        let zero = nsi(standard.clone(), NsiConfig::default());
        // eps^d = x * identity adds (N_d/N_e) x V_CC to every flavour: a global phase.
        let identity = NsiMatrixConfig { ee: [universal, 0.0], mumu: [universal, 0.0], tautau: [universal, 0.0], ..NsiMatrixConfig::default() };
        let universal_nsi = nsi(standard.clone(), NsiConfig { d: identity, ..NsiConfig::default() });
        for nu in NuType::BOTH {
            let p = probabilities(&standard, energy, nu);
            prop_assert!(max_difference(&p, &probabilities(&zero, energy, nu), 3) < EXACT);
            prop_assert!(max_difference(&p, &probabilities(&universal_nsi, energy, nu), 3) < EXACT);
        }
    }

    #[test]
    fn nsi_eps_ee_rescales_the_density(
        mixing in mixing_strategy(),
        layers in layers_strategy(),
        energy in energy_strategy(),
        x in -0.9..2.0f64,
    ) {
        // eps^e_ee = x gives H_mat = V_CC (1 + x) in the ee entry: the standard model at rho (1 + x).
        let with_nsi = nsi(config(mixing, &layers), NsiConfig {
            e: NsiMatrixConfig { ee: [x, 0.0], ..NsiMatrixConfig::default() },
            ..NsiConfig::default()
        });
        let scaled: Vec<[f64; 3]> = layers.iter().map(|&[l, rho, ye]| [l, rho * (1.0 + x), ye]).collect();
        let standard = config(mixing, &scaled);
        for nu in NuType::BOTH {
            let d = max_difference(&probabilities(&with_nsi, energy, nu), &probabilities(&standard, energy, nu), 3);
            prop_assert!(d < EXACT, "{d}");
        }
    }

    #[test]
    fn nussi_with_alpha_zero_equals_3p1(
        mixing in mixing_strategy(),
        sterile_params in sterile_strategy(),
        layers in layers_strategy(),
        energy in energy_strategy(),
    ) {
        let c = config(mixing, &layers);
        let plain = sterile(c.clone(), sterile_params, None);
        let secret = sterile(c, sterile_params, Some(0.0));
        for nu in NuType::BOTH {
            let d = max_difference(&probabilities(&plain, energy, nu), &probabilities(&secret, energy, nu), 4);
            prop_assert!(d < EXACT, "{d}");
        }
    }

    #[test]
    fn decoupled_sterile_equals_three_flavour(
        mixing in mixing_strategy(),
        dm41 in 0.01..10.0f64,
        alpha in -200.0..200.0f64,
        layers in layers_strategy(),
        energy in energy_strategy(),
    ) {
        let c = config(mixing, &layers);
        let decoupled = sterile(c.clone(), [dm41, 0.0, 0.0, 0.0], Some(alpha));
        for nu in NuType::BOTH {
            let p4 = probabilities(&decoupled, energy, nu);
            let p3 = probabilities(&c, energy, nu);
            prop_assert!(max_difference(&p4, &p3, 3) < EXACT);
            let rows: Vec<&[f64]> = p4.rows().collect();
            prop_assert!((rows[3][3] - 1.0).abs() < EXACT);
        }
    }

    #[test]
    fn vacuum_equals_closed_form(
        mixing in mixing_strategy(),
        sterile_params in sterile_strategy(),
        baseline in 0.0..3000.0f64,
        energy in energy_strategy(),
    ) {
        let layers = [[baseline, 0.0, 0.5]];
        let [dm21, dm31, s12, s13, s23, delta] = mixing;
        let m = MixingParameters::new(dm21, dm31, s12, s13, s23, delta).expect("valid");
        let s = SterileParameters::new(sterile_params[0], sterile_params[1], sterile_params[2], sterile_params[3]).expect("valid");
        let u3 = pmns_matrix(&m);
        let u4 = mixing_matrix_3p1(&m, &s);
        let p3 = probabilities(&config(mixing, &layers), energy, NuType::Neutrino);
        let p4 = probabilities(&sterile(config(mixing, &layers), sterile_params, None), energy, NuType::Neutrino);
        for (a, row) in p3.rows().enumerate() {
            for (b, &p) in row.iter().enumerate() {
                let closed = vacuum_closed_form(&u3, [0.0, dm21, dm31], baseline, energy, a, b);
                prop_assert!((p - closed).abs() < CLOSED_FORM, "3nu {a}->{b}: {p} vs {closed}");
            }
        }
        for (a, row) in p4.rows().enumerate() {
            for (b, &p) in row.iter().enumerate() {
                let closed = vacuum_closed_form(&u4, [0.0, dm21, dm31, sterile_params[0]], baseline, energy, a, b);
                prop_assert!((p - closed).abs() < CLOSED_FORM, "3+1 {a}->{b}: {p} vs {closed}");
            }
        }
    }

    #[test]
    fn two_flavour_limits(
        dm in prop_oneof![1e-4..1e-2f64, -1e-2..-1e-4f64],
        s2 in 0.0..=1.0f64,
        baseline in 0.0..3000.0f64,
        density in 0.0..15.0f64,
        energy in energy_strategy(),
    ) {
        // Vacuum, theta13 = 0, Dm21^2 = 0: P(mu -> mu) = 1 - sin^2(2 theta23) sin^2(Dm31^2 L / 4E).
        let vacuum = config([0.0, dm, 0.3, 0.0, s2, 0.7], &[[baseline, 0.0, 0.5]]);
        let p = probabilities(&vacuum, energy, NuType::Neutrino);
        let sin2_2theta = 4.0 * s2 * (1.0 - s2);
        let phase = PHASE_PER_EV2_KM_PER_GEV * dm * baseline / energy;
        let expected = 1.0 - sin2_2theta * phase.sin().powi(2);
        let rows: Vec<&[f64]> = p.rows().collect();
        prop_assert!((rows[1][1] - expected).abs() < CLOSED_FORM);

        // Constant matter, theta13 = theta23 = 0: nu_tau decouples and e-mu is the exact two-flavour
        // MSW problem with Dm21^2 = dm (> 0 here), theta12, A = +-2 E V_CC (Wolfenstein; Mikheyev-Smirnov).
        let dm21 = dm.abs();
        let matter = config([dm21, 2.5e-3, s2, 0.0, 0.0, 0.4], &[[baseline, density, 0.5]]);
        for (nu, sign) in [(NuType::Neutrino, 1.0), (NuType::Antineutrino, -1.0)] {
            let a_ev2 = sign * 2.0 * energy * constants().v_cc_gev(density, 0.5) * 1e18;
            let cos2 = 1.0 - 2.0 * s2;
            let sin2 = 2.0 * (s2 * (1.0 - s2)).sqrt();
            let dm_matter = ((dm21 * cos2 - a_ev2).powi(2) + (dm21 * sin2).powi(2)).sqrt();
            let sin2_2theta_m = if dm_matter > 0.0 { (dm21 * sin2 / dm_matter).powi(2) } else { 0.0 };
            let expected = sin2_2theta_m * (PHASE_PER_EV2_KM_PER_GEV * dm_matter * baseline / energy).sin().powi(2);
            let p = probabilities(&matter, energy, nu);
            let rows: Vec<&[f64]> = p.rows().collect();
            prop_assert!((rows[0][1] - expected).abs() < CLOSED_FORM, "{:?}: {} vs {expected}", nu, rows[0][1]);
            prop_assert!((rows[2][2] - 1.0).abs() < EXACT);
        }
    }

    #[test]
    fn t_conjugation(
        mixing in mixing_strategy(),
        sterile_params in sterile_strategy(),
        alpha in -200.0..200.0f64,
        nsi_params in nsi_strategy(),
        layers in layers_strategy(),
        energy in energy_strategy(),
    ) {
        // P(a -> b; delta, eps, profile) = P(b -> a; -delta, eps^*, reversed profile): S(H^*, reversed) = S(H)^T.
        let reversed: Vec<[f64; 3]> = layers.iter().rev().copied().collect();
        let mut conj_mixing = mixing;
        conj_mixing[5] = -mixing[5];
        let forward = all_models(mixing, sterile_params, alpha, nsi_params, &layers);
        let backward = all_models(conj_mixing, sterile_params, alpha, conjugate_nsi(&nsi_params), &reversed);
        for (f, b) in forward.iter().zip(&backward) {
            for nu in NuType::BOTH {
                let d = transpose_difference(&probabilities(f, energy, nu), &probabilities(b, energy, nu));
                prop_assert!(d < EXACT, "{:?} {:?}: {d}", f.model, nu);
            }
        }
        // In constant matter the profile is its own reverse: P(a -> b, delta) = P(b -> a, -delta).
        let constant = [[layers[0][0], layers[0][1], layers[0][2]]];
        let p = probabilities(&config(mixing, &constant), energy, NuType::Neutrino);
        let q = probabilities(&config(conj_mixing, &constant), energy, NuType::Neutrino);
        prop_assert!(transpose_difference(&p, &q) < EXACT);
    }

    #[test]
    fn cpt_in_vacuum(
        mixing in mixing_strategy(),
        sterile_params in sterile_strategy(),
        baseline in 0.0..3000.0f64,
        energy in energy_strategy(),
    ) {
        // P(nu_a -> nu_b) = P(nubar_b -> nubar_a) in vacuum.
        for c in [config(mixing, &[[baseline, 0.0, 0.5]]), sterile(config(mixing, &[[baseline, 0.0, 0.5]]), sterile_params, Some(3.0))] {
            let d = transpose_difference(&probabilities(&c, energy, NuType::Neutrino), &probabilities(&c, energy, NuType::Antineutrino));
            prop_assert!(d < EXACT, "{d}");
        }
    }

    #[test]
    fn layer_split_is_exact(
        mixing in mixing_strategy(),
        sterile_params in sterile_strategy(),
        alpha in -200.0..200.0f64,
        nsi_params in nsi_strategy(),
        length in 0.0..3000.0f64,
        split in 0.0..1.0f64,
        density in 0.0..15.0f64,
        energy in energy_strategy(),
    ) {
        // exp(-i H (L1 + L2)) = exp(-i H L2) exp(-i H L1).
        let whole = [[length, density, 0.5]];
        let halves = [[length * split, density, 0.5], [length * (1.0 - split), density, 0.5]];
        let one = all_models(mixing, sterile_params, alpha, nsi_params, &whole);
        let two = all_models(mixing, sterile_params, alpha, nsi_params, &halves);
        for (c1, c2) in one.iter().zip(&two) {
            for nu in NuType::BOTH {
                let d = max_difference(&probabilities(c1, energy, nu), &probabilities(c2, energy, nu), 4);
                prop_assert!(d < CLOSED_FORM, "{d}");
            }
        }
    }
}

#[test]
fn prem_profile_is_used_by_the_configuration() {
    let mut c = config([7.5e-5, 2.4e-3, 0.3, 0.023, 0.6, 0.0], &[[1.0, 0.0, 0.5]]);
    c.layers = None;
    c.prem = true;
    c.baseline_km = Some(7330.0);
    let mut osc = build(&c);
    assert_eq!(
        osc.profile(),
        &MatterProfile::prem(7330.0).expect("valid baseline")
    );
    let both = osc.probabilities_both(5.0).expect("probabilities");
    assert_eq!(both.values().count(), osc.column_names().len());
}

#[test]
fn configuration_parses_from_toml_and_rejects_unknown_keys() {
    let text = r#"
        model = "nsi"
        dm21 = 7.5e-5
        dm31 = 2.4e-3
        s12sq = 0.3
        s13sq = 0.023
        s23sq = 0.6
        delta_cp = 0.0
        layers = [[600.0, 2.6, 0.5], [700.0, 3.1, 0.49]]
        [nsi.d]
        emu = [0.05, 0.0866]
        [nsi.e]
        tautau = [0.2, 0.0]
    "#;
    let c: OscillationConfig = toml::from_str(text).expect("valid TOML");
    assert_eq!(c.nsi.expect("nsi table").d.emu, [0.05, 0.0866]);
    assert!(c.build().is_ok());
    let round_trip: OscillationConfig =
        toml::from_str(&toml::to_string(&c).expect("serialise")).expect("parse back");
    assert_eq!(round_trip, c);
    let bad = text.replace("delta_cp", "delta");
    assert!(toml::from_str::<OscillationConfig>(&bad).is_err());
    let bad = text.replace("emu = ", "mue = ");
    assert!(toml::from_str::<OscillationConfig>(&bad).is_err());
    let bad = text.replace("\"nsi\"", "\"4nu\"");
    assert!(toml::from_str::<OscillationConfig>(&bad).is_err());
}
