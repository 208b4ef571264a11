//! Minimal PNG (and SVG) line plots for the CLI (`nuportal oscillate --plot`, `nuportal plot`,
//! `nuportal spectrum`) and the examples.
//!
//! Drawn with `plotters` (bitmap backend); text is rasterised by `ab_glyph` from DejaVu Sans,
//! embedded in the binary (`assets/fonts`, Bitstream Vera licence, see `LICENSE-DejaVu.txt` there),
//! so no system font library is needed. Presentation only: no physics here.

use std::path::Path;
use std::sync::Once;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::FontStyle;

/// DejaVu Sans 2.37 (Debian `fonts-dejavu-core`).
const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
/// Font family name under which [`FONT`] is registered.
const FAMILY: &str = "sans-serif";

/// Colour cycle of the curves (index into it with [`Curve::colour`]).
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 0, 0),
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
];

/// Errors of plotting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The figure could not be drawn or written.
    #[error("cannot draw {path}: {message}")]
    Draw {
        /// Output path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A panel has an empty or non-finite axis range.
    #[error("panel {title:?}: invalid {axis} range [{lo}, {hi}]")]
    Range {
        /// Panel title.
        title: String,
        /// `x` or `y`.
        axis: &'static str,
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
}

/// One curve: points joined by straight lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Legend entry.
    pub label: String,
    /// (x, y) points, in drawing order; non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
    /// Index into the colour cycle (black, blue, red, green, purple, orange).
    pub colour: usize,
    /// Line width, pixels.
    pub width: u32,
}

/// One panel (a pair of axes) of a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Title above the axes.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// x range (must be > 0 for a log axis).
    pub x_range: (f64, f64),
    /// y range (the legend sits at the upper middle: leave room there).
    pub y_range: (f64, f64),
    /// Logarithmic x axis.
    pub x_log: bool,
    /// The curves.
    pub curves: Vec<Curve>,
}

fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The bytes are a valid TrueType font compiled into the binary; if ab_glyph ever rejected
        // them, text would be missing from the figure but drawing would still succeed.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// Draw `panels` side by side into a PNG of `size` (width, height) pixels at `path`.
///
/// # Errors
/// [`PlotError::Range`] for an empty, reversed or non-finite axis range (or x <= 0 on a log axis);
/// [`PlotError::Draw`] if drawing or writing the file fails.
pub fn write_png(path: &Path, size: (u32, u32), panels: &[Panel]) -> Result<(), PlotError> {
    write_png_grid(path, size, panels.len().max(1), panels)
}

/// Draw `panels` on a grid of `columns` columns (row by row) into a PNG of `size` (width, height)
/// pixels at `path`.
///
/// # Errors
/// As [`write_png`].
pub fn write_png_grid(
    path: &Path,
    size: (u32, u32),
    columns: usize,
    panels: &[Panel],
) -> Result<(), PlotError> {
    check_ranges(panels)?;
    register_font();
    render(
        BitMapBackend::new(path, size).into_drawing_area(),
        path,
        columns,
        panels,
    )
}

/// Draw `panels` side by side into an SVG of `size` (width, height) at `path` (text as SVG text
/// elements in the `sans-serif` family).
///
/// # Errors
/// As [`write_png`].
pub fn write_svg(path: &Path, size: (u32, u32), panels: &[Panel]) -> Result<(), PlotError> {
    check_ranges(panels)?;
    register_font();
    render(
        SVGBackend::new(path, size).into_drawing_area(),
        path,
        panels.len().max(1),
        panels,
    )
}

fn check_ranges(panels: &[Panel]) -> Result<(), PlotError> {
    for p in panels {
        let check = |axis, (lo, hi): (f64, f64), positive: bool| {
            if lo.is_finite() && hi.is_finite() && lo < hi && (!positive || lo > 0.0) {
                Ok(())
            } else {
                Err(PlotError::Range {
                    title: p.title.clone(),
                    axis,
                    lo,
                    hi,
                })
            }
        };
        check("x", p.x_range, p.x_log)?;
        check("y", p.y_range, false)?;
    }
    Ok(())
}

fn render<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    path: &Path,
    columns: usize,
    panels: &[Panel],
) -> Result<(), PlotError> {
    let draw_error = |e: &dyn std::fmt::Display| PlotError::Draw {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    root.fill(&WHITE).map_err(|e| draw_error(&e))?;
    let columns = columns.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(columns).max(1);
    let areas = root.split_evenly((rows, columns));
    for (area, panel) in areas.iter().zip(panels) {
        let (lo, hi) = panel.x_range;
        let result = if panel.x_log {
            draw_panel(area, panel, (lo..hi).log_scale(), &log_tick)
        } else {
            draw_panel(area, panel, lo..hi, &tick)
        };
        result.map_err(|e| draw_error(&e))?;
    }
    root.present().map_err(|e| draw_error(&e))?;
    Ok(())
}

/// A tick label: at most three decimals, trailing zeros removed.
fn tick(v: &f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// A tick label on a log axis: only at 1, 2 and 5 times a power of ten (the other ticks stay
/// unlabelled, so labels do not overlap).
fn log_tick(v: &f64) -> String {
    let mantissa = v / 10f64.powf(v.log10().floor());
    if [1.0, 2.0, 5.0, 10.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 1e-6 * m)
    {
        if *v < 0.01 || *v >= 1e5 {
            // 3 decimals would print 0 (or a long number): 1e-4, 2e-4, 5e-4, 1e5, ...
            let mut e = (v.log10() + 1e-9).floor();
            let mut m = (v / 10f64.powf(e)).round();
            if m >= 10.0 {
                m /= 10.0;
                e += 1.0;
            }
            format!("{m}e{e}")
        } else {
            tick(v)
        }
    } else {
        String::new()
    }
}

fn draw_panel<DB, X>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel,
    x_spec: X,
    x_format: &dyn Fn(&f64) -> String,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let (y_lo, y_hi) = panel.y_range;
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, (FAMILY, 22))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(x_spec, y_lo..y_hi)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .x_label_formatter(x_format)
        .y_label_formatter(&tick)
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 18))
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(RGBColor(245, 245, 245))
        .draw()
        .map_err(|e| e.to_string())?;
    for curve in &panel.curves {
        let colour = PALETTE[curve.colour % PALETTE.len()];
        let style = colour.stroke_width(curve.width.max(1));
        let points = curve
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite());
        chart
            .draw_series(LineSeries::new(points, style))
            .map_err(|e| e.to_string())?
            .label(curve.label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
            });
    }
    if panel.curves.iter().any(|c| !c.label.is_empty()) {
        chart
            .configure_series_labels()
            .label_font((FAMILY, 15))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperMiddle)
            .draw()
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(x_log: bool) -> Panel {
        Panel {
            title: "test".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            x_range: (1.0, 10.0),
            y_range: (0.0, 1.0),
            x_log,
            curves: vec![Curve {
                label: "line".into(),
                points: vec![(1.0, 0.0), (5.0, f64::NAN), (10.0, 1.0)],
                colour: 1,
                width: 2,
            }],
        }
    }

    #[test]
    fn tick_labels() {
        assert_eq!(tick(&100.0), "100");
        assert_eq!(tick(&0.25), "0.25");
        assert_eq!(tick(&-0.0), "0");
        assert_eq!(log_tick(&200.0), "200");
        assert_eq!(log_tick(&50.0), "50");
        assert_eq!(log_tick(&700.0), "");
        assert_eq!(log_tick(&2e-4), "2e-4");
        assert_eq!(log_tick(&0.001), "1e-3");
    }

    #[test]
    fn writes_a_png_and_rejects_bad_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.png");
        write_png(&path, (400, 300), &[panel(false), panel(true)]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let svg = dir.path().join("p.svg");
        write_svg(&svg, (400, 300), &[panel(false)]).unwrap();
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
        let mut bad = panel(true);
        bad.x_range = (0.0, 10.0);
        assert!(matches!(
            write_png(&path, (400, 300), &[bad]),
            Err(PlotError::Range { axis: "x", .. })
        ));
    }
}
