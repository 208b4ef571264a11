//! Flux-table parsing and piecewise-linear evaluation.

use super::{Flavour, FluxError};
use serde::{Deserialize, Serialize};

/// Area unit of a flux table's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FluxUnits {
    /// nu / cm^2 / GeV / POT (MiniBooNE, NuMI tables).
    PerCm2,
    /// nu / m^2 / GeV / POT (CHARM-II tables): multiplied by 1e-4 on load.
    PerM2,
}

impl FluxUnits {
    /// Factor that turns the table's values into nu / cm^2 / GeV / POT.
    #[must_use]
    pub fn to_per_cm2(self) -> f64 {
        match self {
            FluxUnits::PerCm2 => 1.0,
            FluxUnits::PerM2 => 1.0e-4,
        }
    }
    /// Read the unit from a header comment (`# nus/m^2/GeV/POT`), if it names one.
    #[must_use]
    pub fn from_header(line: &str) -> Option<Self> {
        let l = line.to_ascii_lowercase().replace(' ', "");
        if l.contains("/cm^2") || l.contains("cm2") || l.contains("/cm²") {
            Some(FluxUnits::PerCm2)
        } else if l.contains("/m^2") || l.contains("/m2") || l.contains("/m²") {
            Some(FluxUnits::PerM2)
        } else {
            None
        }
    }
}

/// A tabulated flux for the six flavours, in nu / cm^2 / GeV / POT, linear between rows.
#[derive(Debug, Clone)]
pub struct FluxTable {
    /// Name of the file it came from (for messages and metadata).
    pub source: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Units of the file (before conversion).
    pub units: FluxUnits,
    energies: Vec<f64>,
    columns: [Vec<f64>; 6],
    /// Monochromatic lines (delta functions in energy), kept exact rather than tabulated.
    lines: Vec<FluxLine>,
}

/// A monochromatic component of a flux: `fluence` nu / cm^2 / POT of flavour `flavour` at exactly
/// `e_gev` GeV (e.g. the prompt nu_mu of pi+ decay at rest).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FluxLine {
    /// Flavour.
    pub flavour: Flavour,
    /// Energy, GeV.
    pub e_gev: f64,
    /// Fluence, nu / cm^2 / POT (the integral of the delta function).
    pub fluence: f64,
}

impl FluxTable {
    /// Parse a flux table from text.
    ///
    /// `units`: the unit the detector file declares, if it does; otherwise the header decides.
    /// When both are present they must agree.
    ///
    /// # Errors
    /// [`FluxError::Parse`] naming the file and line for a malformed row (wrong column count,
    /// non-numeric, negative or non-finite value, energies not increasing);
    /// [`FluxError::Table`] for fewer than two rows or an undeterminable or conflicting unit.
    pub fn parse(text: &str, source: &str, units: Option<FluxUnits>) -> Result<Self, FluxError> {
        let mut header_units = None;
        let mut energies = Vec::new();
        let mut columns: [Vec<f64>; 6] = Default::default();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                if header_units.is_none() {
                    header_units = FluxUnits::from_header(comment);
                }
                continue;
            }
            let perr = |what: String| FluxError::Parse {
                file: source.to_string(),
                line: line_no,
                what,
            };
            let mut vals = [0.0_f64; 7];
            let mut n = 0;
            for tok in line.split_whitespace() {
                if n == 7 {
                    return Err(perr(format!(
                        "expected 7 columns (E_nu nu_e nu_mu nu_tau nu_e_bar nu_mu_bar nu_tau_bar), found more: {line:?}"
                    )));
                }
                vals[n] = tok
                    .parse::<f64>()
                    .map_err(|_| perr(format!("column {}: {tok:?} is not a number", n + 1)))?;
                if !vals[n].is_finite() {
                    return Err(perr(format!("column {}: {tok:?} is not finite", n + 1)));
                }
                n += 1;
            }
            if n != 7 {
                return Err(perr(format!(
                    "expected 7 columns (E_nu nu_e nu_mu nu_tau nu_e_bar nu_mu_bar nu_tau_bar), found {n}"
                )));
            }
            if vals[0] < 0.0 {
                return Err(perr(format!("energy {} GeV is negative", vals[0])));
            }
            if let Some(&last) = energies.last() {
                if vals[0] <= last {
                    return Err(perr(format!(
                        "energies must increase strictly: {} GeV follows {last} GeV",
                        vals[0]
                    )));
                }
            }
            for (k, v) in vals[1..].iter().enumerate() {
                if *v < 0.0 {
                    return Err(perr(format!(
                        "column {} ({}): flux {v} is negative (valid: >= 0)",
                        k + 2,
                        Flavour::ALL[k].name()
                    )));
                }
            }
            energies.push(vals[0]);
            for k in 0..6 {
                columns[k].push(vals[k + 1]);
            }
        }
        if energies.len() < 2 {
            return Err(FluxError::Table {
                file: source.to_string(),
                what: format!("needs at least 2 data rows, found {}", energies.len()),
            });
        }
        let units = match (units, header_units) {
            (Some(u), Some(h)) if u != h => {
                return Err(FluxError::Table {
                    file: source.to_string(),
                    what: format!(
                        "the detector file declares units {u:?} but the table header says {h:?}"
                    ),
                })
            }
            (Some(u), _) | (None, Some(u)) => u,
            (None, None) => {
                return Err(FluxError::Table {
                    file: source.to_string(),
                    what: "no unit: neither a header comment like '# nus/cm^2/GeV/POT' nor `units` in the detector file".into(),
                })
            }
        };
        let f = units.to_per_cm2();
        for c in &mut columns {
            for v in c.iter_mut() {
                *v *= f;
            }
        }
        let table = Self {
            source: source.to_string(),
            sha256: crate::data::sha256_hex(text.as_bytes()),
            units,
            energies,
            columns,
            lines: Vec::new(),
        };
        // Values so large that the integral overflows f64 would give infinite weights downstream.
        let (lo, hi) = table.range();
        for f in Flavour::ALL {
            if !table.integral(f, lo, hi).is_finite() {
                return Err(FluxError::Table {
                    file: source.to_string(),
                    what: format!(
                        "column {} ({}): the integral over energy overflows (values too large for f64; expected nu / cm^2 (or m^2) / GeV / POT)",
                        f as usize + 2,
                        f.name()
                    ),
                });
            }
        }
        Ok(table)
    }

    /// Build from tabulated columns (nu / cm^2 / GeV / POT at `energies`, strictly increasing) and
    /// exact lines: how analytic sources ([`super::analytic`]) enter the generator. `source` names
    /// the source and `description` (its parameters) is hashed into `sha256`.
    ///
    /// # Errors
    /// [`FluxError::Table`] for fewer than two nodes, non-increasing energies, negative or
    /// non-finite values, or a second line of the same flavour.
    pub fn from_columns(
        source: &str,
        description: &str,
        energies: Vec<f64>,
        columns: [Vec<f64>; 6],
        lines: Vec<FluxLine>,
    ) -> Result<Self, FluxError> {
        let err = |what: String| FluxError::Table {
            file: source.to_string(),
            what,
        };
        if energies.len() < 2 || columns.iter().any(|c| c.len() != energies.len()) {
            return Err(err("needs at least 2 nodes and one value per node".into()));
        }
        if energies.windows(2).any(|w| !(w[1] > w[0])) || !(energies[0] >= 0.0) {
            return Err(err("energies must be >= 0 and increase strictly".into()));
        }
        if columns
            .iter()
            .flatten()
            .any(|v| !(v.is_finite() && *v >= 0.0))
        {
            return Err(err("flux values must be finite and >= 0".into()));
        }
        for (i, l) in lines.iter().enumerate() {
            if !(l.e_gev > 0.0 && l.e_gev.is_finite() && l.fluence >= 0.0 && l.fluence.is_finite())
            {
                return Err(err(format!(
                    "line {l:?}: needs energy > 0 and fluence >= 0"
                )));
            }
            if lines[..i].iter().any(|o| o.flavour == l.flavour) {
                return Err(err(format!("two lines for {}", l.flavour)));
            }
        }
        Ok(Self {
            source: source.to_string(),
            sha256: crate::data::sha256_hex(description.as_bytes()),
            units: FluxUnits::PerCm2,
            energies,
            columns,
            lines,
        })
    }

    /// The monochromatic line of flavour `f`, if the flux has one.
    #[must_use]
    pub fn line(&self, f: Flavour) -> Option<FluxLine> {
        self.lines.iter().copied().find(|l| l.flavour == f)
    }

    /// All monochromatic lines.
    #[must_use]
    pub fn lines(&self) -> &[FluxLine] {
        &self.lines
    }

    /// Table energies (GeV), increasing.
    #[must_use]
    pub fn energies(&self) -> &[f64] {
        &self.energies
    }

    /// Lowest and highest tabulated energy, GeV.
    #[must_use]
    pub fn range(&self) -> (f64, f64) {
        (self.energies[0], self.energies[self.energies.len() - 1])
    }

    /// Flux density of flavour `f` at energy `e_gev`, nu / cm^2 / GeV / POT: linear between rows,
    /// zero outside the table.
    #[must_use]
    pub fn value(&self, f: Flavour, e_gev: f64) -> f64 {
        let es = &self.energies;
        let col = &self.columns[f.index()];
        if !(e_gev >= es[0] && e_gev <= es[es.len() - 1]) {
            return 0.0;
        }
        let j = es.partition_point(|&x| x <= e_gev).clamp(1, es.len() - 1);
        let (e0, e1) = (es[j - 1], es[j]);
        let t = (e_gev - e0) / (e1 - e0);
        col[j - 1] + t * (col[j] - col[j - 1])
    }

    /// Integral of the flux of flavour `f` over [e_min, e_max] GeV, nu / cm^2 / POT (exact for the
    /// piecewise-linear density; lines are not included, see [`FluxTable::line`]).
    #[must_use]
    pub fn integral(&self, f: Flavour, e_min: f64, e_max: f64) -> f64 {
        let mut nodes: Vec<f64> = vec![e_min];
        nodes.extend(
            self.energies
                .iter()
                .copied()
                .filter(|&e| e > e_min && e < e_max),
        );
        nodes.push(e_max);
        nodes
            .windows(2)
            .map(|w| 0.5 * (w[1] - w[0]) * (self.value(f, w[0]) + self.value(f, w[1])))
            .sum()
    }

    /// True if flavour `f` has any non-zero entry or a line.
    #[must_use]
    pub fn has(&self, f: Flavour) -> bool {
        self.columns[f.index()].iter().any(|&v| v > 0.0)
            || self.lines.iter().any(|l| l.flavour == f && l.fluence > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "# nus/m^2/GeV/POT\n0 0 1 0 0 0 0\n1 0 3 0 0 2 0\n2 0 1 0 0 0 0\n";

    #[test]
    fn linear_interpolation_and_units() {
        let t = FluxTable::parse(T, "t.dat", None).unwrap();
        assert_eq!(t.units, FluxUnits::PerM2);
        assert!((t.value(Flavour::NuMu, 0.5) - 2.0e-4).abs() < 1e-18);
        assert_eq!(t.value(Flavour::NuMu, 2.5), 0.0);
        assert!((t.integral(Flavour::NuMu, 0.0, 2.0) - 4.0e-4).abs() < 1e-16);
        assert!((t.integral(Flavour::NuMuBar, 0.5, 1.5) - 1.5e-4).abs() < 1e-16);
        assert!(t.has(Flavour::NuMuBar) && !t.has(Flavour::NuE));
    }

    #[test]
    fn errors_name_file_and_line() {
        let bad = "# nus/cm^2/GeV/POT\n0 0 1 0 0 0 0\n1 0 x 0 0 0 0\n";
        let e = FluxTable::parse(bad, "f.dat", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f.dat:3:"), "{e}");
        let neg = "# nus/cm^2/GeV/POT\n0 0 1 0 0 0 0\n1 0 -1 0 0 0 0\n";
        let e = FluxTable::parse(neg, "f.dat", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.dat:3:") && e.contains("negative"), "{e}");
        let short = "# nus/cm^2/GeV/POT\n0 0 1 0 0 0\n";
        let e = FluxTable::parse(short, "f.dat", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.dat:2:") && e.contains("found 6"), "{e}");
        let conflict = FluxTable::parse(T, "t.dat", Some(FluxUnits::PerCm2)).unwrap_err();
        assert!(conflict.to_string().contains("header"));
        let nounit = FluxTable::parse("0 0 1 0 0 0 0\n1 0 1 0 0 0 0\n", "n.dat", None);
        assert!(nounit.is_err());
    }
}
