//! Errors of the oscillation module.

use super::params::ModelKind;

/// Everything that can go wrong when building or evaluating an oscillation calculation.
///
/// Every variant that concerns user input names the parameter (as it is spelled in the
/// configuration, e.g. `s13sq` or `layers[2].density_gcc`), the offending value and the valid range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OscillationError {
    /// A parameter is NaN or infinite.
    #[error("parameter `{name}` must be finite, got {value}")]
    NotFinite {
        /// Parameter name as spelled in the configuration.
        name: String,
        /// The value given.
        value: f64,
    },
    /// A finite parameter lies outside its physical domain.
    #[error("parameter `{name}` = {value} is outside its valid range {range}")]
    OutOfRange {
        /// Parameter name as spelled in the configuration.
        name: String,
        /// The value given.
        value: f64,
        /// The valid range, in interval notation with units.
        range: &'static str,
    },
    /// A parameter the chosen model needs was not given.
    #[error("parameter `{name}` is required by model \"{model}\"")]
    Missing {
        /// Parameter name as spelled in the configuration.
        name: &'static str,
        /// The chosen model.
        model: ModelKind,
    },
    /// A parameter was given that the chosen model does not use (rejected rather than ignored).
    #[error("parameter `{name}` is not used by model \"{model}\"; remove it or change the model")]
    Unused {
        /// Parameter name as spelled in the configuration.
        name: &'static str,
        /// The chosen model.
        model: ModelKind,
    },
    /// The matter profile is not specified exactly once, or is inconsistent with the baseline.
    #[error("invalid matter profile: {reason}")]
    Profile {
        /// What is wrong, and what to give instead.
        reason: String,
    },
    /// `nsi_from_model = true` without the couplings of a run's `[model]` (or with explicit NSI
    /// tables as well).
    #[error("`nsi_from_model = true` {reason}")]
    NsiFromModel {
        /// What is wrong, and what to give instead.
        reason: String,
    },
    /// A diagonal NSI coupling has a non-zero imaginary part (eps^f must be Hermitian).
    #[error("NSI coupling `{name}` is diagonal and must be real (Hermitian eps), got imaginary part {imaginary}")]
    NonHermitian {
        /// Parameter name, e.g. `nsi.d.mumu`.
        name: String,
        /// The imaginary part given.
        imaginary: f64,
    },
    /// The Hermitian eigen-solver did not converge (should not happen for finite input).
    #[error("Hermitian eigen-decomposition of the Hamiltonian did not converge (E = {energy_gev} GeV, density = {density_g_cm3} g/cm^3, Y_e = {electron_fraction})")]
    EigenSolve {
        /// Neutrino energy, GeV.
        energy_gev: f64,
        /// Density of the layer, g/cm^3.
        density_g_cm3: f64,
        /// Electron fraction of the layer.
        electron_fraction: f64,
    },
}

/// Result type of the oscillation module.
pub type Result<T, E = OscillationError> = std::result::Result<T, E>;

/// Check that `value` is finite.
pub(crate) fn finite(name: impl Into<String>, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(OscillationError::NotFinite {
            name: name.into(),
            value,
        })
    }
}

/// Check that `value` is finite and satisfies `ok`, else report `range`.
pub(crate) fn in_range(
    name: impl Into<String>,
    value: f64,
    range: &'static str,
    ok: impl Fn(f64) -> bool,
) -> Result<f64> {
    let name = name.into();
    let value = finite(name.clone(), value)?;
    if ok(value) {
        Ok(value)
    } else {
        Err(OscillationError::OutOfRange { name, value, range })
    }
}

/// A sin^2 of a mixing angle: finite and in [0, 1].
pub(crate) fn sin_squared(name: impl Into<String>, value: f64) -> Result<f64> {
    in_range(name, value, "[0, 1]", |v| (0.0..=1.0).contains(&v))
}

/// A length in km or a density in g/cm^3: finite and >= 0.
pub(crate) fn non_negative(
    name: impl Into<String>,
    value: f64,
    range: &'static str,
) -> Result<f64> {
    in_range(name, value, range, |v| v >= 0.0)
}

/// An electron fraction Y_e = N_e / (N_p + N_n): finite and in (0, 1].
pub(crate) fn electron_fraction(name: impl Into<String>, value: f64) -> Result<f64> {
    in_range(name, value, "(0, 1]", |v| v > 0.0 && v <= 1.0)
}
