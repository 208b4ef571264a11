//! Data files shipped inside the binary (flux tables, detector files, the default config), and
//! resolution of user-given names or paths.
//!
//! A name without a path separator that matches a shipped file is taken from the binary, so
//! `nuportal` works from any directory; anything else is read from disk as a path, so a user's own
//! file overrides the shipped one simply by naming it by path (`./my_detector.toml`).

use sha2::{Digest, Sha256};
use std::path::Path;

/// Shipped flux tables: (file name, contents).
pub const FLUX_FILES: &[(&str, &str)] = &[
    (
        "MiniBooNE_FHC.dat",
        include_str!("../fluxes/MiniBooNE_FHC.dat"),
    ),
    (
        "MiniBooNE_RHC.dat",
        include_str!("../fluxes/MiniBooNE_RHC.dat"),
    ),
    ("NUMI_FHC_LE.dat", include_str!("../fluxes/NUMI_FHC_LE.dat")),
    ("NUMI_RHC_LE.dat", include_str!("../fluxes/NUMI_RHC_LE.dat")),
    ("NUMI_FHC_ME.dat", include_str!("../fluxes/NUMI_FHC_ME.dat")),
    ("NUMI_RHC_ME.dat", include_str!("../fluxes/NUMI_RHC_ME.dat")),
    ("CHARMII_FHC.dat", include_str!("../fluxes/CHARMII_FHC.dat")),
    ("CHARMII_RHC.dat", include_str!("../fluxes/CHARMII_RHC.dat")),
];

/// Shipped detector files: (experiment name, contents).
pub const DETECTOR_FILES: &[(&str, &str)] = &[
    (
        "miniboone_fhc",
        include_str!("../detectors/miniboone_fhc.toml"),
    ),
    (
        "miniboone_rhc",
        include_str!("../detectors/miniboone_rhc.toml"),
    ),
    (
        "minerva_le_fhc",
        include_str!("../detectors/minerva_le_fhc.toml"),
    ),
    (
        "minerva_me_fhc",
        include_str!("../detectors/minerva_me_fhc.toml"),
    ),
    (
        "minerva_me_rhc",
        include_str!("../detectors/minerva_me_rhc.toml"),
    ),
    ("charmii_fhc", include_str!("../detectors/charmii_fhc.toml")),
    ("charmii_rhc", include_str!("../detectors/charmii_rhc.toml")),
    (
        "coherent_csi",
        include_str!("../detectors/coherent_csi.toml"),
    ),
    ("coherent_ar", include_str!("../detectors/coherent_ar.toml")),
    ("texono", include_str!("../detectors/texono.toml")),
];

/// The embedded default configuration that `nuportal generate` runs with no `--config`.
pub const DEFAULT_CONFIG: &str = include_str!("../config/default.toml");

/// Where a data file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped inside the binary under this name.
    Embedded(String),
    /// Read from this path.
    File(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Embedded(n) => write!(f, "{n} (embedded)"),
            Origin::File(p) => f.write_str(p),
        }
    }
}

/// Error reading a data file from disk.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}{hint}")]
pub struct ReadError {
    /// The path tried.
    pub path: String,
    /// The I/O error.
    pub source: std::io::Error,
    /// A hint listing the shipped names, when the request looked like a name.
    pub hint: String,
}

fn resolve(
    name_or_path: &str,
    shipped: &[(&str, &'static str)],
    base_dir: Option<&Path>,
) -> Result<(String, Origin), ReadError> {
    let looks_like_path = name_or_path.contains('/') || name_or_path.contains('\\');
    if !looks_like_path {
        if let Some((n, text)) = shipped.iter().find(|(n, _)| *n == name_or_path) {
            return Ok(((*text).to_string(), Origin::Embedded((*n).to_string())));
        }
    }
    let path = match base_dir {
        Some(b) if Path::new(name_or_path).is_relative() => b.join(name_or_path),
        _ => Path::new(name_or_path).to_path_buf(),
    };
    match std::fs::read_to_string(&path) {
        Ok(t) => Ok((t, Origin::File(path.display().to_string()))),
        Err(source) => {
            let hint = if looks_like_path {
                String::new()
            } else {
                let names: Vec<&str> = shipped.iter().map(|(n, _)| *n).collect();
                let nearest = names
                    .iter()
                    .map(|n| (strsim::damerau_levenshtein(n, name_or_path), *n))
                    .min()
                    .filter(|&(d, _)| d <= 1 + name_or_path.len() / 4);
                match nearest {
                    Some((_, n)) => format!(" (did you mean `{n}`? shipped: {})", names.join(", ")),
                    None => format!(" (shipped: {})", names.join(", ")),
                }
            };
            Err(ReadError {
                path: path.display().to_string(),
                source,
                hint,
            })
        }
    }
}

/// Text of a flux table given by shipped name or by path (relative paths are taken relative to
/// `base_dir` when given, e.g. the directory of the detector file that names them).
///
/// # Errors
/// [`ReadError`] when it is neither shipped nor readable.
pub fn flux_text(
    name_or_path: &str,
    base_dir: Option<&Path>,
) -> Result<(String, Origin), ReadError> {
    resolve(name_or_path, FLUX_FILES, base_dir)
}

/// Text of a detector file given by experiment name or by path.
///
/// # Errors
/// [`ReadError`] when it is neither shipped nor readable.
pub fn detector_text(name_or_path: &str) -> Result<(String, Origin), ReadError> {
    resolve(name_or_path, DETECTOR_FILES, None)
}

/// Names of the shipped experiments.
#[must_use]
pub fn experiment_names() -> Vec<&'static str> {
    DETECTOR_FILES.iter().map(|(n, _)| *n).collect()
}

/// Lower-case hex SHA-256 of some bytes.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}
