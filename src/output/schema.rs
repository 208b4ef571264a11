//! The output schema as a Markdown table, built from the same [`ColumnPlan`]s that the sinks write,
//! so the documentation cannot drift from the files: `nuportal info --schema` prints it and the
//! README carries the same text (a test compares them).

use crate::event::{ColumnKind, ColumnPlan, ColumnSpec};
use crate::process::cevns::Cevns;
use crate::process::dark_neutrino::DarkNeutrinoSignal;
use crate::process::nu_electron::NuElectron;
use std::fmt::Write as _;

/// The Arrow/Parquet type of a column kind, as pyarrow prints it.
#[must_use]
pub fn type_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::F64 => "double",
        ColumnKind::I64 => "int64",
        ColumnKind::I32 => "int32",
        ColumnKind::I8 => "int8",
        ColumnKind::Dict => "dictionary<uint16, string>",
    }
}

/// Markdown-safe cell text.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn row(out: &mut String, c: &ColumnSpec, written_by: Option<&str>) {
    let unit = if c.unit.is_empty() {
        String::new()
    } else {
        c.unit.to_string()
    };
    let _ = match written_by {
        Some(w) => writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            c.name,
            type_name(c.kind),
            unit,
            w,
            cell(&c.description)
        ),
        None => writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            c.name,
            type_name(c.kind),
            unit,
            cell(&c.description)
        ),
    };
}

/// The schema of one run's plan: column, type, unit, meaning.
#[must_use]
pub fn run_table(plan: &ColumnPlan) -> String {
    let mut out = String::from("| column | type | unit | meaning |\n|---|---|---|---|\n");
    for c in &plan.columns {
        row(&mut out, c, None);
    }
    out
}

/// The detector-stage columns of the shipped experiments that have a `[detector]` section, each
/// with the experiments that write it (in the order the first experiment lists them).
fn detector_columns() -> Vec<(ColumnSpec, Vec<&'static str>)> {
    use crate::detector::{Detector, Visible};
    let mut out: Vec<(ColumnSpec, Vec<&'static str>)> = Vec::new();
    for (family, name) in [
        ("MiniBooNE", "miniboone_fhc"),
        ("MINERvA", "minerva_le_fhc"),
        ("CHARM-II", "charmii_fhc"),
    ] {
        let Ok(e) = crate::experiment::Experiment::load(name) else {
            continue;
        };
        let Some(section) = &e.spec.detector else {
            continue;
        };
        let Ok(d) = Detector::new(name, section, None, e.spec.fiducial, Visible::Pair, true) else {
            continue;
        };
        for c in d.columns() {
            match out.iter_mut().find(|(o, _)| o.name == c.name) {
                Some((_, by)) => by.push(family),
                None => out.push((c, vec![family])),
            }
        }
    }
    out
}

/// Every column any run can write (the three processes, with and without `[oscillation]`, with and
/// without the detector stage), with the runs that write it: column, type, unit, written by, meaning.
#[must_use]
pub fn reference_table() -> String {
    let up = ColumnPlan::new(DarkNeutrinoSignal::PARTICLES, true, true, vec![])
        .with_oscillation_weight(
            "the [oscillation] source flavour, or the event's own flavour (survival probability)",
        );
    let nue = ColumnPlan::new(NuElectron::PARTICLES, false, false, vec![]);
    let cevns = ColumnPlan::new(Cevns::PARTICLES, false, false, vec![]);
    let mut merged: Vec<&ColumnSpec> = up.columns.iter().collect();
    for other in [&nue, &cevns] {
        for (j, c) in other.columns.iter().enumerate() {
            if merged.iter().any(|m| m.name == c.name) {
                continue;
            }
            // Insert before the next column of this plan that is already listed.
            let at = other.columns[j + 1..]
                .iter()
                .find_map(|n| merged.iter().position(|m| m.name == n.name))
                .unwrap_or(merged.len());
            merged.insert(at, c);
        }
    }
    let mut out =
        String::from("| column | type | unit | written by | meaning |\n|---|---|---|---|---|\n");
    for c in merged {
        let writers: Vec<&str> = [
            ("upscattering", &up),
            ("nu_e_elastic", &nue),
            ("cevns", &cevns),
        ]
        .iter()
        .filter(|(_, p)| p.columns.iter().any(|u| u.name == c.name))
        .map(|(n, _)| *n)
        .collect();
        let by = if c.name == "w_osc" {
            "runs with `[oscillation]`".to_owned()
        } else if writers.len() == 3 {
            "all".to_owned()
        } else {
            writers.join(", ")
        };
        row(&mut out, c, Some(&by));
    }
    for (c, families) in detector_columns() {
        row(
            &mut out,
            &c,
            Some(&format!("detector: {}", families.join(", "))),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_table_lists_both_processes_in_order() {
        let t = reference_table();
        let pos = |n: &str| t.find(&format!("| `{n}` |")).unwrap();
        assert!(pos("event_id") < pos("weight"));
        assert!(pos("e_plus_pz") < pos("e_out_E"));
        assert!(pos("e_out_pz") < pos("x_scatter"));
        assert!(pos("z_decay") < pos("w_osc"));
        assert!(t.contains("| `e_out_E` | double | GeV | nu_e_elastic |"));
        assert!(t.contains("| `weight` | double | events | all |"));
        assert!(t.contains("| `helicity` | int8 |  | upscattering |"));
        assert!(t.contains("| `recoil_E` | double | GeV | upscattering, cevns |"));
        assert!(t.contains("| `E_reco` | double | GeV | detector: MiniBooNE, MINERvA, CHARM-II |"));
        assert!(t.contains("| `E_QE` | double | GeV | detector: MiniBooNE |"));
    }
}
