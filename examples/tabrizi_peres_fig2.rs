//! Redraw Fig. 2 of Z. Tabrizi and O. L. G. Peres, "Hidden interactions of sterile neutrinos as a
//! probe for new physics", Phys. Rev. D 93 (2016) 053003, arXiv:1507.06486: the muon-(anti)neutrino
//! survival probability versus L/E at the MINOS far detector (L = 735 km, constant 2.8 g/cm^3,
//! Y_e = 0.5) for standard 3nu mixing, 3+1 mixing (alpha = 0) and 3+1 with the secret interaction
//! alpha = G_X / G_F = 150. Parameters: those of the reference table
//! `shared/reference/oscillation/c_nussi_alpha150_const2p8_L735.csv` (Dm41^2 = 1 eV^2,
//! sin^2 th14 = 0.025, sin^2 th24 = 0.03, sin^2 th34 = 0). Probabilities are exact (no averaging of
//! the fast Dm41^2 oscillations), on 4000 points per curve uniform in log(L/E).
//!
//! `cargo run --release --example tabrizi_peres_fig2 [-- OUTPUT.png]` (default `docs/tabrizi_peres_fig2.png`).
//! If the reference table is found (`$NUPORTAL_REFERENCE_DIR` or `../shared/reference`), the alpha = 150
//! curve is also compared with it at its 25 energies.

use anyhow::Context;
use nuportal::oscillation::{Flavour, NuType, OscillationConfig, Oscillator};
use nuportal::plot::{write_png, Curve, Panel};

const BASELINE_KM: f64 = 735.0;
const E_MIN_GEV: f64 = 0.5;
const E_MAX_GEV: f64 = 30.0;
const POINTS: usize = 4000;

/// The `[oscillation]` section of each model (constants of the reference tables).
fn config(model: &str) -> anyhow::Result<OscillationConfig> {
    let common = "dm21 = 7.5e-5\ndm31 = 2.4e-3\ns12sq = 0.3\ns13sq = 0.023\ns23sq = 0.6\n\
                  delta_cp = 0.0\nbaseline_km = 735.0\ndensity_gcc = 2.8\nye = 0.5\n\
                  constants = \"reference_tables\"\n";
    let sterile = "dm41 = 1.0\ns14sq = 0.025\ns24sq = 0.03\ns34sq = 0.0\n";
    let text = match model {
        "3nu" => format!("model = \"3nu\"\n{common}"),
        "3p1" => format!("model = \"3p1\"\n{common}{sterile}"),
        _ => format!("model = \"nussi\"\nalpha = 150.0\n{common}{sterile}"),
    };
    Ok(toml::from_str(&text)?)
}

fn survival(osc: &mut Oscillator, nu: NuType, l_over_e: f64) -> anyhow::Result<f64> {
    let p = osc.probabilities(BASELINE_KM / l_over_e, nu)?;
    Ok(p.get(Flavour::Mu, Flavour::Mu).unwrap_or(f64::NAN))
}

/// Max |P_mumu - table| of the alpha = 150 model against the reference table, if it is found.
fn compare_with_reference(osc: &mut Oscillator) -> anyhow::Result<Option<f64>> {
    let dir = std::env::var_os("NUPORTAL_REFERENCE_DIR").map_or_else(
        || std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference")),
        std::path::PathBuf::from,
    );
    let path = dir.join("oscillation/c_nussi_alpha150_const2p8_L735.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().context("empty table")?.split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .context("missing column")
    };
    let (nu_col, nubar_col) = (col("nu_mu_to_mu")?, col("nubar_mu_to_mu")?);
    let mut worst: f64 = 0.0;
    for line in lines {
        let v: Vec<f64> = line.split(',').map(str::parse).collect::<Result<_, _>>()?;
        let e = v[0];
        for (nu, c) in [
            (NuType::Neutrino, nu_col),
            (NuType::Antineutrino, nubar_col),
        ] {
            worst = worst.max((survival(osc, nu, BASELINE_KM / e)? - v[c]).abs());
        }
    }
    Ok(Some(worst))
}

fn main() -> anyhow::Result<()> {
    let out = std::env::args().nth(1).map_or_else(
        || {
            std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/docs/tabrizi_peres_fig2.png"
            ))
        },
        std::path::PathBuf::from,
    );
    let (x_lo, x_hi) = (BASELINE_KM / E_MAX_GEV, BASELINE_KM / E_MIN_GEV);
    #[allow(clippy::cast_precision_loss, reason = "small integers")]
    let grid: Vec<f64> = (0..POINTS)
        .map(|i| x_lo * (x_hi / x_lo).powf(i as f64 / (POINTS - 1) as f64))
        .collect();
    // 3nu last, so that it is drawn on top of the fast 3+1 oscillations.
    let models = [
        ("3p1", "3+1 (alpha = 0)", 1),
        ("nussi", "3+1, alpha = 150", 2),
        ("3nu", "3nu", 0),
    ];
    let mut panels = Vec::new();
    for (nu, title) in [
        (NuType::Neutrino, "neutrinos: P(nu_mu -> nu_mu)"),
        (
            NuType::Antineutrino,
            "antineutrinos: P(antinu_mu -> antinu_mu)",
        ),
    ] {
        let mut curves = Vec::new();
        for (model, label, colour) in models {
            let mut osc = config(model)?.build()?;
            let points = grid
                .iter()
                .map(|&x| Ok((x, survival(&mut osc, nu, x)?)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            curves.push(Curve {
                label: label.into(),
                points,
                colour,
                width: if model == "3nu" { 2 } else { 1 },
            });
        }
        panels.push(Panel {
            title: format!("{title}, L = 735 km, 2.8 g/cm^3"),
            x_label: "L/E (km/GeV)".into(),
            y_label: "survival probability".into(),
            x_range: (x_lo, x_hi),
            y_range: (0.0, 1.3),
            x_log: true,
            curves,
        });
    }
    write_png(&out, (1600, 650), &panels)?;
    println!("wrote {}", out.display());
    match compare_with_reference(&mut config("nussi")?.build()?)? {
        Some(d) => println!(
            "alpha = 150 vs reference table (25 energies, nu and nubar): max |dP_mumu| = {d:.2e}"
        ),
        None => println!("reference table not found; no comparison"),
    }
    Ok(())
}
