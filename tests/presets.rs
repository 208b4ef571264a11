//! Model presets: the change of the CEvNS and nu-e rates at the SNS (COHERENT CsI) with each preset,
//! at two mediator masses, against an independent calculation written here (couplings from the
//! papers' charge assignments, cross sections from the formula sheet, Simpson integrals); and
//! Farzan's NSI.

mod common;

use common::{helm, michel_e, michel_mubar, nue_sigma, simpson, GF, MMU, MPI, SW2};
use nuportal::config::Config;
use nuportal::model::presets::{nsi_epsilon, MatterFermion};
use nuportal::run::{self, AnyProcess};
use std::f64::consts::PI;

const HBARC2: f64 = 0.389_379_372_1e-27;
const U: f64 = 0.931_494_102_42;
const ALPHA: f64 = 1.0 / 137.035_999_084;

/// Independent couplings (g_nu_e, g_nu_mu, g_e, g_u, g_d) from each model's charges.
fn couplings(preset: &str, m: f64, g: f64) -> [f64; 5] {
    let e = (4.0 * PI * ALPHA).sqrt();
    match preset {
        // B - L: leptons -1, quarks 1/3
        "b_minus_l" => [-g, -g, -g, g / 3.0, g / 3.0],
        // L_mu - L_tau: nu_mu +1; electrons and quarks through eps = e g ln(mtau^2/mmu^2)/(12 pi^2),
        // coupling e eps Q
        "lmu_minus_ltau" => {
            let eps = e * g * (1.776_93f64.powi(2) / MMU.powi(2)).ln() / (12.0 * PI * PI);
            [0.0, g, -e * eps, 2.0 / 3.0 * e * eps, -1.0 / 3.0 * e * eps]
        }
        // Farzan: L_mu + L_tau + B_1 - ...: nu_mu 1, u and d 1/3, electron 0
        "lmu_plus_ltau_b1" => [0.0, g, 0.0, g / 3.0, g / 3.0],
        // U(1)_R light X: g (T3 - s^2 Q), vector
        "right_handed" => [
            g / 2.0,
            g / 2.0,
            g * (-0.5 + SW2),
            g * (0.5 - 2.0 / 3.0 * SW2),
            g * (-0.5 + 1.0 / 3.0 * SW2),
        ],
        // dark photon: e eps Q (+ Z-like O(m^2/mZ^2) part)
        "dark_photon" => {
            let r = (m / 91.188).powi(2);
            let c2 = 1.0 - SW2;
            let k = e * g / (c2 * (1.0 - r));
            let f = |q: f64, t3: f64| k * (q * (1.0 - r - SW2) + 0.5 * t3 * r);
            [
                f(0.0, 0.5),
                f(0.0, 0.5),
                f(-1.0, -0.5),
                f(2.0 / 3.0, 0.5),
                f(-1.0 / 3.0, -0.5),
            ]
        }
        _ => unreachable!(),
    }
}

/// CEvNS sigma(E), cm^2, on (Z, A, atomic mass u) with Z' (mass m, g_nu, g_u, g_d).
fn cevns_sigma(nuc: (f64, f64, f64), e: f64, m: f64, gnu: f64, gu: f64, gd: f64) -> f64 {
    let (z, a, mu) = nuc;
    let mn = mu * U - z * 0.510_998_95e-3;
    let n = a - z;
    let qp = (2.0 * gu + gd) * z + (gu + 2.0 * gd) * n;
    let tmax = 2.0 * e * e / (mn + 2.0 * e);
    let ds = |t: f64| {
        let q = n - (1.0 - 4.0 * SW2) * z - 2f64.sqrt() * gnu * qp / (GF * (2.0 * mn * t + m * m));
        let f = helm(2.0 * mn * t, a);
        (GF * GF * mn / (4.0 * PI) * q * q * (1.0 - t / e - mn * t / (2.0 * e * e)) * f * f)
            .max(0.0)
    };
    simpson(|r| 2.0 * r * ds(r * r), 0.0, tmax.sqrt(), 600) * HBARC2
}

/// SNS fold: [prompt nu_mu, nu_e, nu_mu-bar] with per-flavour sigma(flavour column, E).
fn sns_fold(sigma: impl Fn(usize, f64) -> f64) -> f64 {
    let ep = (MPI * MPI - MMU * MMU) / (2.0 * MPI);
    let (me, mb) = (michel_e, michel_mubar);
    sigma(2, ep)
        + simpson(|e| me(e) * sigma(1, e), 0.0, MMU / 2.0, 200)
        + simpson(|e| mb(e) * sigma(5, e), 0.0, MMU / 2.0, 200)
}

/// Independent (CEvNS, nu-e) rate ratios Z'/SM at the SNS.
fn independent_ratios(preset: &str, m: f64, g: f64) -> (f64, f64) {
    let [gne, gnm, ge, gu, gd] = couplings(preset, m, g);
    let gnu = |col: usize| if col == 1 || col == 4 { gne } else { gnm };
    let cs = (55.0, 133.0, 132.905_452);
    let io = (53.0, 127.0, 126.904_472);
    let cev = |z: bool| {
        sns_fold(|col, e| {
            let g_nu = if z { gnu(col) } else { 0.0 };
            cevns_sigma(cs, e, m, g_nu, gu, gd) + cevns_sigma(io, e, m, g_nu, gu, gd)
        })
    };
    let nue = |z: bool| {
        sns_fold(|col, e| {
            if e > 0.0 {
                nue_sigma(col, e, m, if z { gnu(col) * ge } else { 0.0 })
            } else {
                0.0
            }
        })
    };
    (cev(true) / cev(false), nue(true) / nue(false))
}

/// The library's predicted rate (flux x sigma integral tabulated by the generator, all channels).
fn library_rate(kind: &str, model: &str) -> f64 {
    let toml = format!(
        "[process]\nkind = \"{kind}\"\n[model]\n{model}\n[experiment]\nname = \"coherent_csi\"\n"
    );
    let p = run::prepare(Config::parse(&toml, "t", &[]).unwrap()).unwrap();
    let rates = match &p.process {
        AnyProcess::Cevns(c) => p.generator(c.as_ref()).unwrap().tabulated_rates(),
        AnyProcess::NuElectron(c) => p.generator(c.as_ref()).unwrap().tabulated_rates(),
        _ => unreachable!(),
    };
    rates.iter().map(|r| r.1).sum()
}

#[test]
fn preset_rate_changes_match_independent_calculation() {
    let sm_cev = library_rate("cevns", "preset = \"sm\"");
    let sm_nue = library_rate("nu_e_elastic", "preset = \"sm\"");
    for preset in [
        "b_minus_l",
        "lmu_minus_ltau",
        "lmu_plus_ltau_b1",
        "right_handed",
        "dark_photon",
    ] {
        // couplings that change the rates by a few to tens of percent (the loop-suppressed
        // L_mu - L_tau electron and quark couplings need a larger g')
        let points = if preset == "lmu_minus_ltau" {
            [(0.01, 3e-4), (0.1, 1.5e-3)]
        } else {
            [(0.01, 2e-5), (0.1, 1e-4)]
        };
        for (m, g) in points {
            let (key, g) = if preset == "dark_photon" {
                ("epsilon", 1e-3)
            } else {
                ("gprime", g)
            };
            let extra = if preset == "lmu_plus_ltau_b1" {
                "\na = 1.0"
            } else {
                ""
            };
            let model = format!("preset = \"{preset}\"\nmzprime = {m}\n{key} = {g}{extra}");
            let r_cev = library_rate("cevns", &model) / sm_cev;
            let r_nue = library_rate("nu_e_elastic", &model) / sm_nue;
            let (i_cev, i_nue) = independent_ratios(preset, m, g);
            println!("{preset:>17} mZ' = {m} {key} = {g:e}: CEvNS x{r_cev:.5} (independent {i_cev:.5}), nu-e x{r_nue:.5} (independent {i_nue:.5})");
            assert!(
                (r_cev / i_cev - 1.0).abs() < 1e-3,
                "{preset} {m}: CEvNS {r_cev} vs {i_cev}"
            );
            assert!(
                (r_nue / i_nue - 1.0).abs() < 1e-3,
                "{preset} {m}: nu-e {r_nue} vs {i_nue}"
            );
            // the changes themselves, where visible, to 1%
            for (r, i) in [(r_cev, i_cev), (r_nue, i_nue)] {
                if (i - 1.0).abs() > 1e-2 {
                    assert!(
                        ((r - 1.0) / (i - 1.0) - 1.0).abs() < 1e-2,
                        "{preset} {m}: {r} vs {i}"
                    );
                }
            }
        }
    }
}

#[test]
fn farzan_nsi_of_order_one_at_10_mev() {
    // Farzan PLB 748 (2015) 311: g' ~ 1e-4 (the issue quotes ~7e-5) gives eps ~ 1 for m_Z' = 10 MeV.
    let toml = "[process]\nkind = \"cevns\"\n[model]\npreset = \"lmu_plus_ltau_b1\"\nmzprime = 0.01\ngprime = 7e-5\na = 1.0\n[experiment]\nname = \"coherent_csi\"\n";
    let c = Config::parse(toml, "t", &[])
        .unwrap()
        .model
        .couplings()
        .unwrap();
    let eps_u = nsi_epsilon(&c, MatterFermion::Up, 1);
    let eps_d = nsi_epsilon(&c, MatterFermion::Down, 2);
    // independent: eps^q = (g'/3) g' / (2 sqrt2 G_F m^2)
    let want = 7e-5 * 7e-5 / 3.0 / (2.0 * 2f64.sqrt() * GF * 1e-4);
    assert!((eps_u / want - 1.0).abs() < 1e-12 && (eps_d / want - 1.0).abs() < 1e-12);
    let g_for_one = (6.0 * 2f64.sqrt() * GF * 1e-4).sqrt();
    println!("eps^u_mumu = eps^d_tautau = {eps_u:.3} at g' = 7e-5; eps^u + eps^d = {:.3}; eps^u = 1 needs g' = {g_for_one:.3e}", 2.0 * eps_u);
    assert!(eps_u > 0.3 && eps_u < 1.5, "{eps_u}");
    assert_eq!(nsi_epsilon(&c, MatterFermion::Electron, 1), 0.0);
    assert_eq!(nsi_epsilon(&c, MatterFermion::Up, 0), 0.0);
}
