//! Helpers shared by the integration tests: the reference directory and independent
//! re-implementations (written from the formula sheet, not calling the library) used as anchors.
#![allow(dead_code, missing_docs)]

use std::path::PathBuf;

/// `../shared/reference` beside the checkout, or `NUPORTAL_REFERENCE_DIR`.
pub fn reference_dir() -> PathBuf {
    std::env::var_os("NUPORTAL_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference"))
        })
}

/// Read a flux table from disk independently of the library: rows of 7 numbers, `#` comments.
pub fn read_flux(path: &std::path::Path) -> Vec<[f64; 7]> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().map(|t| t.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3], v[4], v[5], v[6]]
        })
        .collect()
}

/// Linear interpolation of column `col` (1..=6) at energy e, zero outside.
pub fn flux_at(rows: &[[f64; 7]], col: usize, e: f64) -> f64 {
    if e < rows[0][0] || e > rows[rows.len() - 1][0] {
        return 0.0;
    }
    for w in rows.windows(2) {
        if e >= w[0][0] && e <= w[1][0] {
            let t = (e - w[0][0]) / (w[1][0] - w[0][0]);
            return w[0][col] + t * (w[1][col] - w[0][col]);
        }
    }
    0.0
}

pub const GF: f64 = 1.166_378_8e-5;
pub const ME: f64 = 0.510_998_95e-3;
pub const HBARC2: f64 = 0.389_379_372_1e-27;
pub const SW2: f64 = 0.238_57;

/// dsigma/dT (cm^2/GeV) for nu-e with an optional vector Z' (mass mz, product of couplings gg),
/// flavour column col (1..=6: nue numu nutau nuebar numubar nutaubar). Physics sheet item 5.
pub fn nue_dsigma_dt(col: usize, e: f64, t: f64, mz: f64, gg: f64) -> f64 {
    let tmax = 2.0 * e * e / (2.0 * e + ME);
    if t < 0.0 || t > tmax {
        return 0.0;
    }
    let delta = if gg == 0.0 {
        0.0
    } else {
        gg / (2.0 * 2f64.sqrt() * GF * (2.0 * ME * t + mz * mz))
    };
    let cc = if col == 1 || col == 4 { 1.0 } else { 0.0 };
    let (mut gl, mut gr) = (-0.5 + SW2 + cc + delta, SW2 + delta);
    if col >= 4 {
        std::mem::swap(&mut gl, &mut gr);
    }
    let y = 1.0 - t / e;
    2.0 * GF * GF * ME / std::f64::consts::PI
        * (gl * gl + gr * gr * y * y - gl * gr * ME * t / (e * e))
        * HBARC2
}

/// sigma(E) in cm^2 by Simpson's rule in ln(2 m_e T + mz^2 + tiny) (independent quadrature).
pub fn nue_sigma(col: usize, e: f64, mz: f64, gg: f64) -> f64 {
    let tmax = 2.0 * e * e / (2.0 * e + ME);
    let m2 = (mz * mz).max(1e-14);
    let (u0, u1) = (m2.ln(), (2.0 * ME * tmax + m2).ln());
    let n = 4000;
    let h = (u1 - u0) / n as f64;
    let f = |u: f64| {
        let x = u.exp();
        let t = ((x - m2) / (2.0 * ME)).clamp(0.0, tmax);
        nue_dsigma_dt(col, e, t, mz, gg) * x / (2.0 * ME)
    };
    let mut s = f(u0) + f(u1);
    for i in 1..n {
        s += f(u0 + h * i as f64) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// Predicted events: POT x electrons x integral flux x sigma over [lo, hi] (trapezoid, fine grid).
#[allow(
    clippy::too_many_arguments,
    reason = "test helper mirroring the formula's inputs"
)]
pub fn nue_rate(
    rows: &[[f64; 7]],
    col: usize,
    flux_scale: f64,
    lo: f64,
    hi: f64,
    pot: f64,
    electrons: f64,
    mz: f64,
    gg: f64,
) -> f64 {
    let n = 3000;
    let h = (hi - lo) / n as f64;
    let mut s = 0.0;
    for i in 0..=n {
        let e = lo + h * i as f64;
        let w = if i == 0 || i == n { 0.5 } else { 1.0 };
        s += w * flux_at(rows, col, e) * flux_scale * nue_sigma(col, e, mz, gg);
    }
    s * h * pot * electrons
}

/// Run the `nuportal` binary with `args` in `dir`: (exit code, stdout, stderr).
pub fn nuportal(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nuportal"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
