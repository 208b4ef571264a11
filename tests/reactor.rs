//! Reactor nu_e-bar e scattering at TEXONO through `generate`, against an independent calculation:
//! the Huber-Mueller spectra (Mueller et al., PRC 83 (2011) 054615, Table VI) and the fission rate
//! P / sum f_i E_i written here, the 't Hooft / Vogel-Engel dsigma/dT (physics sheet item 5) with
//! g_L <-> g_R for nu_e-bar, Simpson integrals.

mod common;

use common::{nue_dsigma_dt, simpson};
use nuportal::config::Config;
use nuportal::output::memory::MemorySink;
use nuportal::run;
use std::f64::consts::PI;

const HM: [[f64; 6]; 4] = [
    [3.217, -3.111, 1.395, -0.3690, 0.04445, -0.002053],
    [0.4833, 0.1927, -0.1283, -0.006762, 0.002233, -0.0001536],
    [6.413, -7.432, 3.535, -0.8820, 0.1025, -0.004550],
    [3.251, -3.204, 1.428, -0.3675, 0.04254, -0.001896],
];
const FRACTIONS: [f64; 4] = [0.55, 0.07, 0.32, 0.06];
const E_FISSION_MEV: [f64; 4] = [202.36, 205.99, 211.12, 214.26];

/// nu_e-bar / cm^2 / s / MeV at 28 m from 2.9 GW.
fn flux_per_mev(e_mev: f64) -> f64 {
    let fission_j: f64 = (0..4)
        .map(|i| FRACTIONS[i] * E_FISSION_MEV[i] * 1.602_176_634e-13)
        .sum();
    let rate = 2.9e9 / fission_j;
    let s: f64 = (0..4)
        .map(|i| {
            let p: f64 = (0..6).map(|k| HM[i][k] * e_mev.powi(k as i32)).sum();
            FRACTIONS[i] * p.exp()
        })
        .sum();
    rate * s / (4.0 * PI * 2800.0 * 2800.0)
}

#[test]
fn texono_sm_rate_in_the_3_to_8_mev_window() {
    let toml = "[process]\nkind = \"nu_e_elastic\"\n[experiment]\nname = \"texono\"\n[generation]\nevents = 200000\nseed = 3\n";
    let prepared = run::prepare(Config::parse(toml, "t", &[]).unwrap()).unwrap();
    let mut sink = MemorySink::default();
    let report = prepared.generate(&mut sink, |_| {}, || false).unwrap();
    let w = sink.f64_column("weight").unwrap();
    let ee = sink.f64_column("e_out_E").unwrap();
    let me = 0.510_998_95e-3;
    let (mut s, mut s2) = (0.0, 0.0);
    for i in 0..w.len() {
        let t = ee[i] - me;
        if t > 3e-3 && t < 8e-3 {
            s += w[i];
            s2 += w[i] * w[i];
        }
    }
    // independent: live seconds x electrons x integral flux x integral_{3}^{8 MeV} dsigma/dT
    let electrons = 187e3 / (132.905_451_96 + 126.904_47) * 6.022_140_76e23 * 108.0;
    let live_s = 1.3806e7;
    let window = |e_gev: f64| {
        simpson(
            |t| nue_dsigma_dt(4, e_gev, t, 0.0, 0.0),
            3e-3,
            8e-3_f64
                .min(2.0 * e_gev * e_gev / (2.0 * e_gev + me))
                .max(3e-3),
            200,
        )
    };
    let ind = live_s
        * electrons
        * simpson(|e| flux_per_mev(e) * 1e3 * window(e * 1e-3), 1.8, 10.0, 400)
        * 1e-3;
    let total_flux = simpson(flux_per_mev, 1.8, 10.0, 400);
    println!("TEXONO SM nu_e-bar e, 3 < T < 8 MeV: generated {s:.2} +- {:.2}, independent {ind:.2}; all T: {:.1}; flux above 1.8 MeV {total_flux:.3e} /cm^2/s", s2.sqrt(), report.summary.predicted_total);
    assert!(
        (s - ind).abs() < 4.0 * s2.sqrt() + 3e-3 * ind,
        "{s} vs {ind}"
    );
}
