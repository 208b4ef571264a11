//! `nuportal plot SAMPLE.parquet`: the standard distributions of a sample, weighted by `weight`
//! (expected events per bin), drawn into one PNG with [`crate::plot`].
//!
//! Panels, where the sample has the columns: the neutrino energy `E_nu`; energy and cos(theta) to
//! the beam (+z) of each visible particle (`e_minus`, `e_plus`; `e_out` for nu-e, with its E theta^2,
//! the variable of nu-e selections); the e+e- opening
//! angle; the recoil kinetic energy T = E - M; the N decay length |decay - scatter| (cm, log axis).
//! Axis ranges span the 0.1 % to 99.9 % quantiles of the events, so rare tails do not squash the
//! picture.

use crate::output::reader::{ReadError, SampleReader};
use crate::plot::{Curve, Panel, PlotError};
use std::path::Path;

/// Errors of `nuportal plot`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SamplePlotError {
    /// The sample cannot be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The figure cannot be drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The sample has no events or none of the columns.
    #[error("{0}")]
    Empty(String),
}

/// One observable: its label and its value per event.
#[derive(Debug, Clone)]
struct Observable {
    title: &'static str,
    x_label: &'static str,
    log: bool,
    values: Vec<f64>,
}

/// The 0.1 % and 99.9 % quantiles of the finite (and, for log axes, positive) values.
fn range(values: &[f64], log: bool) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = values
        .iter()
        .copied()
        .filter(|x| x.is_finite() && (!log || *x > 0.0))
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "indices of a non-empty vector"
    )]
    let q = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
    let (lo, hi) = (q(0.001), q(0.999));
    if hi > lo {
        Some((lo, hi))
    } else {
        // A degenerate distribution: widen around the value.
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        Some(if log {
            (lo / 2.0, lo * 2.0)
        } else {
            (lo - d, lo + d)
        })
    }
}

/// A weighted histogram as a step curve: `bins` bins over `range` (log-spaced if `log`).
#[must_use]
pub fn histogram(
    values: &[f64],
    weights: &[f64],
    (lo, hi): (f64, f64),
    bins: usize,
    log: bool,
) -> Vec<(f64, f64)> {
    let bins = bins.max(1);
    let (a, b) = if log { (lo.ln(), hi.ln()) } else { (lo, hi) };
    let mut h = vec![0.0; bins];
    for (&x, &w) in values.iter().zip(weights) {
        let t = if log { x.ln() } else { x };
        if !(t >= a && t <= b) {
            continue;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "bin index in [0, bins)"
        )]
        let i = (((t - a) / (b - a) * bins as f64) as usize).min(bins - 1);
        h[i] += w;
    }
    #[allow(clippy::cast_precision_loss, reason = "small integers")]
    let edge = |i: usize| {
        let t = a + (b - a) * i as f64 / bins as f64;
        if log {
            t.exp()
        } else {
            t
        }
    };
    let mut pts = Vec::with_capacity(2 * bins);
    for (i, y) in h.iter().enumerate() {
        pts.push((edge(i), *y));
        pts.push((edge(i + 1), *y));
    }
    pts
}

fn cos_theta(px: f64, py: f64, pz: f64) -> f64 {
    let p = (px * px + py * py + pz * pz).sqrt();
    if p > 0.0 {
        pz / p
    } else {
        f64::NAN
    }
}

/// Read `sample` and draw its distributions into `png` (3 panels a row, `panel` = (width, height)
/// pixels of one panel, `bins` bins each). Returns the number of panels drawn.
///
/// # Errors
/// [`SamplePlotError`] if the sample cannot be read, has no events or no known columns, or the PNG
/// cannot be written.
pub fn plot_sample(
    sample: &Path,
    png: &Path,
    panel: (u32, u32),
    bins: usize,
) -> Result<usize, SamplePlotError> {
    let reader = SampleReader::open(sample)?;
    let cols = reader.columns();
    let has = |n: &str| cols.iter().any(|c| c == n);
    let p4 = |p: &str| {
        [
            format!("{p}_E"),
            format!("{p}_px"),
            format!("{p}_py"),
            format!("{p}_pz"),
        ]
    };
    let mut names: Vec<String> = vec!["weight".into(), "E_nu".into()];
    let visible: Vec<&str> = ["e_minus", "e_plus", "e_out"]
        .into_iter()
        .filter(|p| has(&format!("{p}_E")))
        .collect();
    for p in &visible {
        names.extend(p4(p));
    }
    let recoil = has("recoil_E");
    if recoil {
        names.extend(p4("recoil"));
    }
    let decay = has("x_decay");
    if decay {
        for n in [
            "x_scatter",
            "y_scatter",
            "z_scatter",
            "x_decay",
            "y_decay",
            "z_decay",
        ] {
            names.push(n.into());
        }
    }
    let pair = visible.contains(&"e_minus") && visible.contains(&"e_plus");
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let idx = |n: &str| refs.iter().position(|r| *r == n);

    let mut obs: Vec<Observable> = vec![Observable {
        title: "neutrino energy",
        x_label: "E_nu (GeV)",
        log: false,
        values: vec![],
    }];
    for p in &visible {
        let (te, tc, xe, xc): (&'static str, &'static str, &'static str, &'static str) = match *p {
            "e_minus" => (
                "electron energy",
                "electron angle",
                "E(e-) (GeV)",
                "cos theta(e-)",
            ),
            "e_plus" => (
                "positron energy",
                "positron angle",
                "E(e+) (GeV)",
                "cos theta(e+)",
            ),
            _ => (
                "recoil electron energy",
                "recoil electron angle",
                "E(e) (GeV)",
                "cos theta(e)",
            ),
        };
        obs.push(Observable {
            title: te,
            x_label: xe,
            log: false,
            values: vec![],
        });
        obs.push(Observable {
            title: tc,
            x_label: xc,
            log: false,
            values: vec![],
        });
    }
    let nue = visible.contains(&"e_out");
    if nue {
        obs.push(Observable {
            title: "E theta^2 of the recoil electron",
            x_label: "E(e) theta(e)^2 (GeV rad^2)",
            log: true,
            values: vec![],
        });
    }
    if pair {
        obs.push(Observable {
            title: "e+e- opening angle",
            x_label: "cos theta(e+e-)",
            log: false,
            values: vec![],
        });
    }
    if recoil {
        obs.push(Observable {
            title: "recoil kinetic energy",
            x_label: "T = E - M (GeV)",
            log: true,
            values: vec![],
        });
    }
    if decay {
        obs.push(Observable {
            title: "N decay length",
            x_label: "|decay - scatter| (cm)",
            log: true,
            values: vec![],
        });
    }
    let mut weights = Vec::new();
    reader.for_each_batch(&refs, |c| {
        let col = |n: &str| idx(n).map(|i| c[i]);
        let (Some(w), Some(enu)) = (col("weight"), col("E_nu")) else {
            return;
        };
        weights.extend_from_slice(w);
        let mut k = 0;
        obs[k].values.extend_from_slice(enu);
        k += 1;
        for p in &visible {
            let v = p4(p);
            if let (Some(e), Some(px), Some(py), Some(pz)) =
                (col(&v[0]), col(&v[1]), col(&v[2]), col(&v[3]))
            {
                obs[k].values.extend_from_slice(e);
                obs[k + 1]
                    .values
                    .extend((0..e.len()).map(|r| cos_theta(px[r], py[r], pz[r])));
            }
            k += 2;
        }
        if nue {
            let v = p4("e_out");
            if let (Some(e), Some(px), Some(py), Some(pz)) =
                (col(&v[0]), col(&v[1]), col(&v[2]), col(&v[3]))
            {
                obs[k].values.extend((0..e.len()).map(|r| {
                    let theta = cos_theta(px[r], py[r], pz[r]).clamp(-1.0, 1.0).acos();
                    e[r] * theta * theta
                }));
            }
            k += 1;
        }
        if pair {
            let m = p4("e_minus");
            let q = p4("e_plus");
            if let (Some(ax), Some(ay), Some(az), Some(bx), Some(by), Some(bz)) = (
                col(&m[1]),
                col(&m[2]),
                col(&m[3]),
                col(&q[1]),
                col(&q[2]),
                col(&q[3]),
            ) {
                obs[k].values.extend((0..ax.len()).map(|r| {
                    let dot = ax[r] * bx[r] + ay[r] * by[r] + az[r] * bz[r];
                    let na = (ax[r] * ax[r] + ay[r] * ay[r] + az[r] * az[r]).sqrt();
                    let nb = (bx[r] * bx[r] + by[r] * by[r] + bz[r] * bz[r]).sqrt();
                    dot / (na * nb)
                }));
            }
            k += 1;
        }
        if recoil {
            let v = p4("recoil");
            if let (Some(e), Some(px), Some(py), Some(pz)) =
                (col(&v[0]), col(&v[1]), col(&v[2]), col(&v[3]))
            {
                obs[k].values.extend((0..e.len()).map(|r| {
                    let p2 = px[r] * px[r] + py[r] * py[r] + pz[r] * pz[r];
                    let m = (e[r] * e[r] - p2).max(0.0).sqrt();
                    // T = E - M = p^2 / (E + M), without the cancellation of E - M.
                    p2 / (e[r] + m)
                }));
            }
            k += 1;
        }
        if decay {
            if let (Some(x0), Some(y0), Some(z0), Some(x1), Some(y1), Some(z1)) = (
                col("x_scatter"),
                col("y_scatter"),
                col("z_scatter"),
                col("x_decay"),
                col("y_decay"),
                col("z_decay"),
            ) {
                obs[k].values.extend((0..x0.len()).map(|r| {
                    ((x1[r] - x0[r]).powi(2) + (y1[r] - y0[r]).powi(2) + (z1[r] - z0[r]).powi(2))
                        .sqrt()
                }));
            }
        }
    })?;
    if weights.is_empty() {
        return Err(SamplePlotError::Empty(format!(
            "{}: the sample has no events to plot",
            sample.display()
        )));
    }
    let total: f64 = weights.iter().sum();
    let mut panels = Vec::new();
    for o in &obs {
        let Some(r) = range(&o.values, o.log) else {
            continue;
        };
        let pts = histogram(&o.values, &weights, r, bins, o.log);
        let ymax = pts.iter().map(|p| p.1).fold(0.0_f64, f64::max);
        panels.push(Panel {
            title: o.title.into(),
            x_label: o.x_label.into(),
            y_label: "events / bin".into(),
            x_range: r,
            y_range: (0.0, if ymax > 0.0 { ymax * 1.15 } else { 1.0 }),
            x_log: o.log,
            curves: vec![Curve {
                label: String::new(),
                points: pts,
                colour: 1,
                width: 2,
            }],
        });
    }
    if let Some(first) = panels.first_mut() {
        first.title = format!("E_nu ({} events, {total:.4e} predicted)", weights.len());
    }
    let columns = panels.len().clamp(1, 3);
    let rows = panels.len().div_ceil(3).max(1);
    let size = (
        panel.0 * u32::try_from(columns).unwrap_or(3),
        panel.1 * u32::try_from(rows).unwrap_or(1),
    );
    crate::plot::write_png_grid(png, size, columns, &panels)?;
    Ok(panels.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_conserves_weight_inside_range() {
        let v = [0.5, 1.5, 2.5, 10.0];
        let w = [1.0, 2.0, 3.0, 4.0];
        let h = histogram(&v, &w, (0.0, 3.0), 3, false);
        let ys: Vec<f64> = h.iter().step_by(2).map(|p| p.1).collect();
        assert_eq!(ys, vec![1.0, 2.0, 3.0]);
        let hl = histogram(&[1.0, 10.0, 100.0], &[1.0; 3], (1.0, 100.0), 2, true);
        assert!((hl[2].0 - 10.0).abs() < 1e-9);
        assert_eq!(hl.iter().step_by(2).map(|p| p.1).sum::<f64>(), 3.0);
    }
}
