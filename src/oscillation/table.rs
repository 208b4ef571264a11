//! A table of probabilities on an energy grid, as `nuportal oscillate` writes it.
//!
//! Columns: `E_GeV`, then `P_<a>_<b>` (neutrinos) and `Pbar_<a>_<b>` (antineutrinos) for a, b in
//! e, mu, tau[, s] ([`super::column_names`]); `P_a_b` = P(a -> b). These names are a contract.

use std::io::{self, Write};

use super::error::Result;
use super::propagate::Oscillator;

/// Probabilities at each energy of a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbabilityTable {
    /// Column names, starting with `E_GeV`.
    pub columns: Vec<String>,
    /// One row per energy: the energy (GeV), then the probabilities in column order.
    pub rows: Vec<Vec<f64>>,
}

impl ProbabilityTable {
    /// Evaluate `oscillator` at every energy of `energies_gev` (GeV).
    ///
    /// # Errors
    /// As [`Oscillator::probabilities`] (an energy that is not finite and > 0).
    pub fn compute(oscillator: &mut Oscillator, energies_gev: &[f64]) -> Result<Self> {
        let mut columns = Vec::with_capacity(1 + 2 * 16);
        columns.push("E_GeV".to_owned());
        columns.extend(oscillator.column_names());
        let rows = energies_gev
            .iter()
            .map(|&e| {
                let p = oscillator.probabilities_both(e)?;
                Ok(std::iter::once(e).chain(p.values()).collect())
            })
            .collect::<Result<Vec<Vec<f64>>>>()?;
        Ok(Self { columns, rows })
    }

    /// Write as CSV: a header line of column names, then one line per energy; numbers in Rust's
    /// shortest round-trip exponent notation (e.g. `7.914159637687792e-1`). No comment lines.
    ///
    /// # Errors
    /// I/O errors of `out`.
    pub fn write_csv<W: Write>(&self, mut out: W) -> io::Result<()> {
        writeln!(out, "{}", self.columns.join(","))?;
        let mut line = String::new();
        for row in &self.rows {
            line.clear();
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(&format!("{v:e}"));
            }
            writeln!(out, "{line}")?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oscillation::OscillationConfig;

    #[test]
    fn csv_has_the_contract_columns_and_unitary_rows() {
        let config: OscillationConfig = toml::from_str(
            "model = \"3p1\"\ndm21 = 7.5e-5\ndm31 = 2.4e-3\ndm41 = 1.0\ns12sq = 0.3\ns13sq = 0.023\n\
             s23sq = 0.6\ns14sq = 0.025\ns24sq = 0.03\ns34sq = 0.0\ndelta_cp = 0.0\n\
             layers = [[122.5, 2.6, 0.5], [490.0, 2.9, 0.5], [122.5, 2.6, 0.5]]\n",
        )
        .unwrap();
        let mut osc = config.build().unwrap();
        let table = ProbabilityTable::compute(&mut osc, &[0.5, 3.0]).unwrap();
        assert_eq!(table.columns.len(), 1 + 32);
        assert_eq!(table.columns[..3], ["E_GeV", "P_e_e", "P_e_mu"]);
        assert_eq!(table.columns[4], "P_e_s");
        assert_eq!(table.columns[17], "Pbar_e_e");
        let mut buf = Vec::new();
        table.write_csv(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), table.columns.join(","));
        for line in lines {
            let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
            for row in v[1..].chunks(4) {
                assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
        }
        assert!(ProbabilityTable::compute(&mut osc, &[-1.0]).is_err());
    }
}
