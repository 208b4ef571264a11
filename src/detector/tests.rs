//! Hand-computed cases for the detector stage: smearing widths, the single-shower rule, E_QE and
//! the three selections.

use super::*;
use crate::experiment::Experiment;
use rand::SeedableRng;
use rand_pcg::Pcg64;

/// Relative tolerance of a width estimated from N draws (statistical error ~ 1/sqrt(2N)).
const WIDTH_TOL: f64 = 0.01;
const DRAWS: usize = 200_000;

fn detector(name: &str, visible: Visible) -> Detector {
    let e = Experiment::load(name).unwrap();
    let s = e.spec.detector.clone().unwrap();
    Detector::new(name, &s, None, e.spec.fiducial, visible, true).unwrap()
}

/// A detector of `name` with perfect resolution.
fn perfect(name: &str, visible: Visible) -> Detector {
    let mut d = detector(name, visible);
    d.resolution.energy = EnergyResolution::Fractional {
        stochastic: 0.0,
        constant: 0.0,
    };
    d.resolution.angle = AngularResolution::Constant { sigma_deg: 0.0 };
    d
}

fn electron(e: f64, theta: f64, phi: f64) -> FourVector {
    let p = (e * e - M_E * M_E).sqrt();
    let d = Vec3::from_angles(theta.cos(), phi);
    FourVector::new(e, p * d.x, p * d.y, p * d.z)
}

fn rms(v: &[f64]) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "test sizes")]
    let n = v.len() as f64;
    (v.iter().map(|x| x * x).sum::<f64>() / n).sqrt()
}

#[test]
fn energy_smearing_reproduces_its_width() {
    let mut rng = Pcg64::seed_from_u64(1);
    let d = detector("miniboone_fhc", Visible::Pair); // aht: 12%
    let e = 0.5;
    let dev: Vec<f64> = (0..DRAWS)
        .map(|_| (d.smear(electron(e, 0.1, 0.0), &mut rng).e - e) / e)
        .collect();
    assert!((rms(&dev) / 0.12 - 1.0).abs() < WIDTH_TOL, "{}", rms(&dev));
    // fastbnb: sigma_T = 0.12 sqrt(E) + 0.01 = 0.13 GeV at E = 1 GeV (T far from 0)
    let e2 = Experiment::load("miniboone_fhc").unwrap();
    let s = e2.spec.detector.unwrap();
    let d = Detector::new(
        "m",
        &s,
        Some("fastbnb"),
        e2.spec.fiducial,
        Visible::Pair,
        true,
    )
    .unwrap();
    let dev: Vec<f64> = (0..DRAWS)
        .map(|_| d.smear(electron(1.0, 0.1, 0.0), &mut rng).e - 1.0)
        .collect();
    assert!((rms(&dev) / 0.13 - 1.0).abs() < WIDTH_TOL, "{}", rms(&dev));
}

#[test]
fn angular_smearing_reproduces_its_width() {
    let mut rng = Pcg64::seed_from_u64(2);
    for (name, res, e, sigma_deg) in [
        ("miniboone_fhc", None, 0.3, 4.0),
        // ln(1/0.5) + 2.7 deg
        ("miniboone_fhc", Some("fastbnb"), 0.5, 2.0_f64.ln() + 2.7),
        ("minerva_le_fhc", None, 3.0, 1.0),
    ] {
        let x = Experiment::load(name).unwrap();
        let s = x.spec.detector.unwrap();
        let d = Detector::new(name, &s, res, x.spec.fiducial, Visible::Pair, true).unwrap();
        let truth = electron(e, 0.3, 1.0);
        let dev: Vec<f64> = (0..DRAWS)
            .map(|_| {
                let p = d.smear(truth, &mut rng);
                p.p3().unit().dot(truth.p3().unit()).clamp(-1.0, 1.0).acos()
            })
            .collect();
        let got = rms(&dev).to_degrees();
        assert!(
            (got / sigma_deg - 1.0).abs() < WIDTH_TOL,
            "{name} {res:?}: {got} vs {sigma_deg}"
        );
    }
}

#[test]
fn charm_angular_forms() {
    let a = AngularResolution::PowerLaw {
        a_mrad: 27.0,
        power: -2.0,
        b_mrad: 14.0,
        c_mrad: 1.0,
    };
    // (27/9 + 14)/sqrt(3) + 1 = 10.8150 mrad
    assert!((a.sigma_rad(3.0) * 1e3 - 10.815_02).abs() < 1e-4);
    let printed = AngularResolution::PowerLaw {
        a_mrad: 27.0,
        power: 2.0,
        b_mrad: 14.0,
        c_mrad: 1.0,
    };
    // (2700 + 14)/sqrt(10) + 1 = 859.24 mrad: the printed form grows with E
    assert!((printed.sigma_rad(10.0) * 1e3 - 859.244).abs() < 1e-2);
}

#[test]
fn pair_rule_hand_cases() {
    let aht = PairRule {
        max_opening_deg: 13.0,
        threshold_gev: 0.03,
        overlap_needs_threshold: true,
        asymmetric: true,
    };
    let h = 5.0_f64.to_radians();
    // 10 deg apart, both 200 MeV: one shower of 400 MeV along z
    let (s, n) = aht.classify(
        electron(0.2, h, 0.0),
        electron(0.2, h, std::f64::consts::PI),
    );
    let (e, d) = s.unwrap();
    assert_eq!(n, 1);
    assert!((e - 0.4).abs() < 1e-12 && (d.z - 1.0).abs() < 1e-12);
    // 20 deg apart: two showers
    let w = 10.0_f64.to_radians();
    let (s, n) = aht.classify(
        electron(0.2, w, 0.0),
        electron(0.2, w, std::f64::consts::PI),
    );
    assert!(s.is_none() && n == 2);
    // asymmetric: 20 MeV and 300 MeV, 60 deg apart: one shower along the harder lepton
    let soft = electron(0.02, 1.0, 0.0);
    let hard = electron(0.3, 0.1, 2.0);
    let (s, n) = aht.classify(soft, hard);
    let (e, d) = s.unwrap();
    assert_eq!(n, 1);
    assert!((e - 0.32).abs() < 1e-12 && (d.dot(hard.p3().unit()) - 1.0).abs() < 1e-12);
    // both below threshold and overlapping: not a shower for AHT, one for the fastbnb rule
    let (a, b) = (electron(0.02, 0.01, 0.0), electron(0.025, 0.02, 0.0));
    assert!(aht.classify(a, b).0.is_none());
    let byhand = PairRule {
        overlap_needs_threshold: false,
        ..aht
    };
    assert!(byhand.classify(a, b).0.is_some());
    // without the asymmetric rule the soft/hard pair fails
    let mnv = PairRule {
        asymmetric: false,
        ..aht
    };
    assert!(mnv.classify(soft, hard).0.is_none());
}

#[test]
fn e_qe_hand_values() {
    // forward: E_QE = E (m_n E - (m_n^2 - m_p^2)/2 ...) = 0.49871 GeV at E = 0.5
    assert!(
        (e_qe(0.5, 1.0, 0.0) - 0.498_71).abs() < 2e-5,
        "{}",
        e_qe(0.5, 1.0, 0.0)
    );
    // perpendicular: (0.939565 - 0.002413) / (2 (0.939565 - 0.5)) = 1.06600
    assert!(
        (e_qe(0.5, 0.0, 0.0) - 1.066_00).abs() < 2e-5,
        "{}",
        e_qe(0.5, 0.0, 0.0)
    );
    // AHT's massless, m_n = m_p form E m_p / (m_p - E (1 - cos)) agrees within 0.5%
    let aht = 0.5 * M_P / (M_P - 0.5);
    assert!((e_qe(0.5, 0.0, 0.0) / aht - 1.0).abs() < 5e-3);
    // a binding energy raises E_QE
    assert!(e_qe(0.5, 0.5, 0.034) > e_qe(0.5, 0.5, 0.0));
    // no solution: 0
    assert_eq!(e_qe(2.0, -1.0, 0.0), 0.0);
}

#[test]
fn miniboone_selection_hand_event() {
    let mut rng = Pcg64::seed_from_u64(3);
    let d = perfect("miniboone_fhc", Visible::Pair);
    let h = 3.0_f64.to_radians();
    let mut ev = Event {
        e_minus: electron(0.25, h, 0.0),
        e_plus: electron(0.2, h, std::f64::consts::PI),
        decay: Vec3::new(0.0, 0.0, 100.0),
        ..Event::default()
    };
    d.apply(&mut ev, &mut rng);
    let r = ev.reco;
    assert_eq!((r.pass_selection, r.n_showers), (1, 1));
    assert!((r.e_reco - 0.45).abs() < 1e-12);
    // efficiency table 0.131 in [0.4, 0.5) GeV, x 1/0.55
    assert!(
        (r.efficiency - 0.131 / 0.55).abs() < 1e-12,
        "{}",
        r.efficiency
    );
    assert!((r.e_qe - e_qe(r.e_reco, r.costheta_reco, 0.0)).abs() < 1e-15);
    // outside the 500 cm fiducial sphere
    ev.decay = Vec3::new(0.0, 520.0, 0.0);
    d.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.pass_selection, 0);
    // two showers (opening 40 deg)
    ev.decay = Vec3::default();
    ev.e_plus = electron(0.2, 40.0_f64.to_radians(), std::f64::consts::PI);
    d.apply(&mut ev, &mut rng);
    assert_eq!((ev.reco.pass_selection, ev.reco.n_showers), (0, 2));
}

#[test]
fn efficiency_table_lookup() {
    let Selection::Miniboone(s) = detector("miniboone_fhc", Visible::Pair).selection else {
        panic!()
    };
    assert_eq!(s.efficiency.at(0.05), 0.0);
    assert_eq!(s.efficiency.at(0.35), 0.139);
    assert_eq!(s.efficiency.at(1.2), 0.082);
    assert_eq!(s.efficiency.at(5.0), 0.026);
}

#[test]
fn minerva_dedx_shapes_and_selection() {
    let d = perfect("minerva_le_fhc", Visible::Electron);
    let Selection::Minerva(s) = &d.selection else {
        panic!()
    };
    // AHT: requiring dE/dx > 4.5 keeps 90% of pairs
    let above = 1.0 - s.dedx_pair.fraction_below(4.5);
    assert!((above - 0.904).abs() < 1e-3, "{above}");
    assert!((s.dedx_electron.fraction_below(4.5) - 0.899).abs() < 2e-3);
    let mut rng = Pcg64::seed_from_u64(4);
    // 2 GeV electron at 20 mrad: E theta^2 = 0.8 MeV rad^2 -> kinematic pass
    let mut ev = Event {
        e_out: electron(2.0, 0.02, 0.3),
        ..Event::default()
    };
    d.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.pass_kinematic, 1);
    assert!((ev.reco.etheta2 - 2.0 * 0.02 * 0.02).abs() < 1e-9);
    assert!(ev.reco.q2_reco < 0.02 && ev.reco.q2_reco > 0.0);
    assert_eq!(ev.reco.pass_selection, i8::from(ev.reco.dedx < 4.5));
    // 50 mrad: 5 MeV rad^2, fails
    ev.e_out = electron(2.0, 0.05, 0.3);
    d.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.pass_kinematic, 0);
    // below 0.8 GeV fails
    ev.e_out = electron(0.7, 0.01, 0.3);
    d.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.pass_kinematic, 0);
    // an overlapping pair: ~9.6% of kinematically selected pairs land in the nu-e sample
    let d = perfect("minerva_le_fhc", Visible::Pair);
    let mut ev = Event {
        e_minus: electron(1.5, 0.01, 0.0),
        e_plus: electron(1.0, 0.01, std::f64::consts::PI),
        ..Event::default()
    };
    let mut pass = 0;
    for _ in 0..DRAWS {
        d.apply(&mut ev, &mut rng);
        assert_eq!(ev.reco.pass_kinematic, 1);
        pass += i32::from(ev.reco.pass_selection);
    }
    #[allow(clippy::cast_precision_loss, reason = "test sizes")]
    let f = f64::from(pass) / DRAWS as f64;
    assert!((f - 0.096).abs() < 0.003, "{f}");
}

#[test]
fn charmii_selection_hand_cases() {
    let d = perfect("charmii_fhc", Visible::Electron);
    let mut rng = Pcg64::seed_from_u64(5);
    let mut ev = Event {
        e_out: electron(10.0, 0.04, 0.0),
        ..Event::default()
    };
    d.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.pass_selection, 1); // 16 MeV rad^2
    assert!((ev.reco.efficiency - 0.76).abs() < 1e-15);
    ev.e_out = electron(10.0, 0.06, 0.0); // 36 MeV rad^2
    d.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.pass_selection, 0);
    ev.e_out = electron(30.0, 0.001, 0.0); // above 24 GeV
    d.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.pass_selection, 0);
    ev.e_out = electron(10.0, 0.01, 0.0);
    ev.scatter = Vec3::new(170.0, 0.0, 0.0); // outside the 320 cm transverse fiducial region
    let d2 = Detector {
        use_decay_vertex: false,
        ..d
    };
    d2.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.pass_selection, 0);
}

#[test]
fn bad_values_name_their_key() {
    let e = Experiment::load("miniboone_fhc").unwrap();
    let mut s = e.spec.detector.unwrap();
    s.resolution = "nope".into();
    let m = s.validate().unwrap_err().to_string();
    assert!(
        m.contains("detector.resolution") && m.contains("aht"),
        "{m}"
    );
    let e = Experiment::load("miniboone_fhc").unwrap();
    let mut s = e.spec.detector.unwrap();
    if let Selection::Miniboone(m) = &mut s.selection {
        m.pair.max_opening_deg = 200.0;
    }
    let m = s.validate().unwrap_err().to_string();
    assert!(
        m.contains("detector.selection.pair.max_opening_deg") && m.contains("[0, 180]"),
        "{m}"
    );
}

#[test]
fn kelly_kopp_circ1_hand_cases() {
    let Selection::Miniboone(s) = detector("miniboone_fhc", Visible::Pair).selection else {
        panic!()
    };
    let kk = s.kelly_kopp.unwrap();
    // table ends and linear interpolation between the 0.15 and 0.17 GeV points (0.541, 0.455)
    assert!((kk.r_cut_at(0.05) - 0.541).abs() < 1e-12);
    assert!((kk.r_cut_at(0.16) - 0.498).abs() < 1e-9);
    assert!((kk.r_cut_at(3.0) - kk.r_cut[kk.r_cut.len() - 1]).abs() < 1e-12);
    // collinear and very asymmetric: r = 1 - f = 0.05 < r_cut -> one shower
    let a = electron(0.38, 0.1, 0.0);
    let b = electron(0.02, 0.1, 0.0);
    assert!((KellyKopp::r(a, b) - 0.05).abs() < 1e-6);
    assert_eq!(kk.classify(a, b).1, 1);
    // symmetric at 90 degrees: r = sqrt(1/4 + 1/4) = 0.707 -> two showers
    let a = electron(0.2, 0.0, 0.0);
    let b = electron(0.2, std::f64::consts::FRAC_PI_2, 0.0);
    assert!((KellyKopp::r(a, b) - 0.5_f64.sqrt()).abs() < 1e-6);
    assert_eq!(kk.classify(a, b), (None, 2));
    // the rule is chosen by name, and only for MiniBooNE
    let d = detector("miniboone_fhc", Visible::Pair)
        .with_shower_rule(ShowerRule::KellyKoppCirc1)
        .unwrap();
    let mut rng = Pcg64::seed_from_u64(9);
    let mut ev = Event {
        e_minus: a,
        e_plus: b,
        ..Event::default()
    };
    d.apply(&mut ev, &mut rng);
    assert_eq!(ev.reco.n_showers, 2);
    let e = detector("minerva_le_fhc", Visible::Pair)
        .with_shower_rule(ShowerRule::Aht)
        .unwrap_err()
        .to_string();
    assert!(e.contains("detector.shower_rule"), "{e}");
}

#[test]
fn bad_tables_name_the_entry() {
    let e = Shape::new(vec![0.0, 1.0, 1.0, 2.0], vec![1.0, 1.0, 1.0])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("shape.edges[2]") && e.contains("strictly increasing"),
        "{e}"
    );
    let e = Shape::new(vec![0.0, 1.0, 2.0], vec![1.0, -0.5])
        .unwrap_err()
        .to_string();
    assert!(e.contains("shape.density[1]") && e.contains("-0.5"), "{e}");
    assert!(Shape::new(vec![0.0, 1.0, 2.0], vec![1.0, 0.0]).is_ok());
}
