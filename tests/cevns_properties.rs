//! Property tests for CEvNS over random energies, nuclei and Z' couplings: the recoil kinematics
//! conserve four-momentum, T stays in [0, T_max(E)], weights are finite and non-negative; and the
//! same through `generate` for random presets at COHERENT.

use nuportal::config::Config;
use nuportal::event::Event;
use nuportal::flux::Flavour;
use nuportal::kinematics::{conservation_violation, FourVector};
use nuportal::model::Couplings;
use nuportal::nuclear::FormFactorModel;
use nuportal::output::memory::MemorySink;
use nuportal::process::cevns::{t_max, Cevns};
use nuportal::process::Process;
use nuportal::run;
use proptest::prelude::*;
use rand::SeedableRng;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]
    #[test]
    fn recoil_kinematics_conserved_and_t_in_range(
        e in 1e-3f64..0.3,
        nucleus in prop_oneof![Just("Cs133"), Just("I127"), Just("Ar40"), Just("Ge72"), Just("Ge73"), Just("Na23"), Just("Xe131"), Just("C12"), Just("O16")],
        ff in prop_oneof![Just(FormFactorModel::Helm), Just(FormFactorModel::KleinNystrand)],
        lm in -3.0f64..0.0, lg in -7.0f64..-3.0, sign in prop_oneof![Just(1.0f64), Just(-1.0)],
        anti in any::<bool>(), seed in 0u64..1000,
    ) {
        let g = sign * 10f64.powf(lg);
        let c = Couplings { mzprime: Some(10f64.powf(lm)), g_nu: [g, g, g], g_lepton: [0.0; 3], g_lepton_axial: [0.0; 3], g_u: g, g_d: -0.5 * g };
        let f = if anti { Flavour::NuMuBar } else { Flavour::NuMu };
        let p = Cevns::with_nuclei(c, ff, &[(f, nucleus)]).unwrap();
        let m = p.nucleus(0).mass;
        let tm = t_max(e, m);
        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        let mut ev = Event::default();
        let nu_in = FourVector::new(e, 0.0, 0.0, e);
        for _ in 0..200 {
            let w = p.sample(0, e, &mut rng, &mut ev);
            prop_assert!(w.is_finite() && w >= 0.0, "weight {}", w);
            let p2 = ev.recoil.px * ev.recoil.px + ev.recoil.py * ev.recoil.py + ev.recoil.pz * ev.recoil.pz;
            let t = p2 / (ev.recoil.e + m);
            prop_assert!(t >= 0.0 && t <= tm * (1.0 + 1e-9), "T = {} outside [0, {}]", t, tm);
            prop_assert!((ev.recoil.m() / m - 1.0).abs() < 1e-12);
            prop_assert!(ev.nu_out.m2().abs() < 1e-9 * e * e, "nu_out mass^2 {}", ev.nu_out.m2());
            prop_assert!(conservation_violation(nu_in + FourVector::at_rest(m), ev.nu_out + ev.recoil) < 1e-12);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]
    #[test]
    fn generated_cevns_events_are_physical(
        preset in prop_oneof![Just("b_minus_l"), Just("lmu_minus_ltau"), Just("lmu_plus_ltau_b1"), Just("right_handed")],
        lm in -2.5f64..-0.5, lg in -6.0f64..-4.0,
        exp in prop_oneof![Just("coherent_csi"), Just("coherent_ar")],
    ) {
        let card = format!("[process]\nkind = \"cevns\"\n[model]\npreset = \"{preset}\"\nmzprime = {}\ngprime = {}\n[experiment]\nname = \"{exp}\"\n[generation]\nevents = 4000\nchunk_size = 1000\n", 10f64.powf(lm), 10f64.powf(lg));
        let prepared = run::prepare(Config::parse(&card, "prop", &[]).unwrap()).unwrap();
        let mut sink = MemorySink::default();
        let report = prepared.generate(&mut sink, |_| {}, || false).unwrap();
        prop_assert_eq!(report.summary.bad_events, 0);
        let col = |k: &str| sink.f64_column(k).unwrap();
        let (w, enu) = (col("weight"), col("E_nu"));
        let (re, rx, ry, rz) = (col("recoil_E"), col("recoil_px"), col("recoil_py"), col("recoil_pz"));
        let (ne, nx, ny, nz) = (col("nu_out_E"), col("nu_out_px"), col("nu_out_py"), col("nu_out_pz"));
        for i in 0..w.len() {
            prop_assert!(w[i].is_finite() && w[i] >= 0.0);
            let rec = FourVector::new(re[i], rx[i], ry[i], rz[i]);
            let m = rec.m();
            let nu_in = FourVector::new(enu[i], 0.0, 0.0, enu[i]);
            let out = FourVector::new(ne[i], nx[i], ny[i], nz[i]) + rec;
            prop_assert!(conservation_violation(nu_in + FourVector::at_rest(m), out) < 1e-9);
            let p2 = rx[i] * rx[i] + ry[i] * ry[i] + rz[i] * rz[i];
            let t = p2 / (re[i] + m);
            prop_assert!(t >= 0.0 && t <= t_max(enu[i], m) * (1.0 + 1e-6));
        }
    }
}
