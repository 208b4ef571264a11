//! Matter along the baseline: constant-density layers, profiles, and the PREM Earth chord.
//!
//! Units at this boundary: lengths in km, densities in g/cm^3, electron fraction `Y_e = N_e/(N_p + N_n)`
//! dimensionless.

use super::error::{electron_fraction, in_range, non_negative, OscillationError, Result};

/// Mean Earth radius used by PREM, km (Dziewonski & Anderson 1981).
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// One segment of constant matter: length (km), density (g/cm^3), electron fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layer {
    length_km: f64,
    density_g_cm3: f64,
    electron_fraction: f64,
}

impl Layer {
    /// A validated layer. Units: `length_km` in km (>= 0), `density_g_cm3` in g/cm^3 (>= 0),
    /// `electron_fraction` = Y_e in (0, 1].
    ///
    /// # Errors
    /// [`OscillationError::NotFinite`] or [`OscillationError::OutOfRange`] naming `length_km`,
    /// `density_gcc` or `ye`.
    pub fn new(length_km: f64, density_g_cm3: f64, electron_fraction: f64) -> Result<Self> {
        Self::named("", length_km, density_g_cm3, electron_fraction)
    }

    /// As [`Layer::new`], with `prefix` (e.g. `layers[2].`) put before the parameter names in errors.
    pub(crate) fn named(prefix: &str, length_km: f64, density_g_cm3: f64, ye: f64) -> Result<Self> {
        Ok(Self {
            length_km: non_negative(format!("{prefix}length_km"), length_km, "[0, inf) km")?,
            density_g_cm3: non_negative(
                format!("{prefix}density_gcc"),
                density_g_cm3,
                "[0, inf) g/cm^3",
            )?,
            electron_fraction: electron_fraction(format!("{prefix}ye"), ye)?,
        })
    }

    /// Length, km.
    #[must_use]
    pub fn length_km(&self) -> f64 {
        self.length_km
    }
    /// Density, g/cm^3.
    #[must_use]
    pub fn density_g_cm3(&self) -> f64 {
        self.density_g_cm3
    }
    /// Electron fraction Y_e.
    #[must_use]
    pub fn electron_fraction(&self) -> f64 {
        self.electron_fraction
    }
}

/// The matter crossed between source and detector: layers **in crossing order, source first**.
///
/// The evolution operator is the exact product `S = S_n ... S_2 S_1`, `S_k = exp(-i H_k L_k)`.
#[derive(Debug, Clone, PartialEq)]
pub struct MatterProfile {
    layers: Vec<Layer>,
}

impl MatterProfile {
    /// Vacuum over `baseline_km` (km).
    ///
    /// # Errors
    /// [`OscillationError::OutOfRange`] / [`OscillationError::NotFinite`] for a negative or
    /// non-finite baseline (`baseline_km`).
    pub fn vacuum(baseline_km: f64) -> Result<Self> {
        Self::constant(baseline_km, 0.0, 0.5)
    }

    /// Constant density `density_g_cm3` (g/cm^3) and electron fraction over `baseline_km` (km).
    ///
    /// # Errors
    /// As [`Layer::new`], naming `baseline_km`, `density_gcc` or `ye`.
    pub fn constant(baseline_km: f64, density_g_cm3: f64, electron_fraction: f64) -> Result<Self> {
        non_negative("baseline_km", baseline_km, "[0, inf) km")?;
        Ok(Self {
            layers: vec![Layer::new(baseline_km, density_g_cm3, electron_fraction)?],
        })
    }

    /// A profile from already validated layers, in crossing order (source first).
    #[must_use]
    pub fn from_layers(layers: Vec<Layer>) -> Self {
        Self { layers }
    }

    /// The layers, source first.
    #[must_use]
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Total length, km.
    #[must_use]
    pub fn baseline_km(&self) -> f64 {
        self.layers.iter().map(Layer::length_km).sum()
    }

    /// Path-averaged density, g/cm^3 (0 for an empty profile).
    #[must_use]
    pub fn mean_density_g_cm3(&self) -> f64 {
        let length = self.baseline_km();
        if length > 0.0 {
            self.layers
                .iter()
                .map(|l| l.length_km * l.density_g_cm3)
                .sum::<f64>()
                / length
        } else {
            0.0
        }
    }

    /// The same matter crossed in the opposite direction (detector first); used for T-conjugation.
    #[must_use]
    pub fn reversed(&self) -> Self {
        Self {
            layers: self.layers.iter().rev().copied().collect(),
        }
    }
}

/// One region of PREM with its density polynomial
/// `rho(x) = a0 + a1 x + a2 x^2 + a3 x^3` (g/cm^3), `x = r / 6371 km`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PremRegion {
    /// Region name as in the PREM paper.
    pub name: &'static str,
    /// Inner radius, km.
    pub r_inner_km: f64,
    /// Outer radius, km.
    pub r_outer_km: f64,
    /// Polynomial coefficients a0..a3, g/cm^3.
    pub coefficients: [f64; 4],
    /// Whether the region belongs to the (Fe-Ni) core, for the electron fraction.
    pub core: bool,
}

impl PremRegion {
    /// Radially averaged density over `[r1_km, r2_km]` (km, inside the region), g/cm^3:
    /// `(1/(x2 - x1)) int_{x1}^{x2} rho(x) dx`, exact for the polynomial.
    #[must_use]
    pub fn mean_density_g_cm3(&self, r1_km: f64, r2_km: f64) -> f64 {
        let [a0, a1, a2, a3] = self.coefficients;
        let antiderivative = |x: f64| x * (a0 + x * (a1 / 2.0 + x * (a2 / 3.0 + x * a3 / 4.0)));
        let (x1, x2) = (r1_km / EARTH_RADIUS_KM, r2_km / EARTH_RADIUS_KM);
        (antiderivative(x2) - antiderivative(x1)) / (x2 - x1)
    }

    fn is_constant(&self) -> bool {
        self.coefficients[1..].iter().all(|&a| a == 0.0)
    }
}

/// The density of the Preliminary Reference Earth Model, A. M. Dziewonski and D. L. Anderson,
/// Phys. Earth Planet. Inter. 25 (1981) 297, Table I (isotropic density, outermost region last).
///
/// The 3 km ocean layer of PREM is replaced by upper-crust density 2.6 g/cm^3 ("ocean" region below):
/// accelerator baselines run under continents.
pub const PREM_REGIONS: [PremRegion; 10] = [
    PremRegion {
        name: "inner core",
        r_inner_km: 0.0,
        r_outer_km: 1221.5,
        coefficients: [13.0885, 0.0, -8.8381, 0.0],
        core: true,
    },
    PremRegion {
        name: "outer core",
        r_inner_km: 1221.5,
        r_outer_km: 3480.0,
        coefficients: [12.5815, -1.2638, -3.6426, -5.5281],
        core: true,
    },
    PremRegion {
        name: "lower mantle",
        r_inner_km: 3480.0,
        r_outer_km: 5701.0,
        coefficients: [7.9565, -6.4761, 5.5283, -3.0807],
        core: false,
    },
    PremRegion {
        name: "transition zone 670-600 km",
        r_inner_km: 5701.0,
        r_outer_km: 5771.0,
        coefficients: [5.3197, -1.4836, 0.0, 0.0],
        core: false,
    },
    PremRegion {
        name: "transition zone 600-400 km",
        r_inner_km: 5771.0,
        r_outer_km: 5971.0,
        coefficients: [11.2494, -8.0298, 0.0, 0.0],
        core: false,
    },
    PremRegion {
        name: "transition zone 400-220 km",
        r_inner_km: 5971.0,
        r_outer_km: 6151.0,
        coefficients: [7.1089, -3.8045, 0.0, 0.0],
        core: false,
    },
    PremRegion {
        name: "LVZ and LID",
        r_inner_km: 6151.0,
        r_outer_km: 6346.6,
        coefficients: [2.6910, 0.6924, 0.0, 0.0],
        core: false,
    },
    PremRegion {
        name: "lower crust",
        r_inner_km: 6346.6,
        r_outer_km: 6356.0,
        coefficients: [2.900, 0.0, 0.0, 0.0],
        core: false,
    },
    PremRegion {
        name: "upper crust",
        r_inner_km: 6356.0,
        r_outer_km: 6368.0,
        coefficients: [2.600, 0.0, 0.0, 0.0],
        core: false,
    },
    PremRegion {
        name: "ocean (as upper crust)",
        r_inner_km: 6368.0,
        r_outer_km: EARTH_RADIUS_KM,
        coefficients: [2.600, 0.0, 0.0, 0.0],
        core: false,
    },
];

/// A spherical shell of constant density.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shell {
    /// Inner radius, km.
    pub r_inner_km: f64,
    /// Outer radius, km.
    pub r_outer_km: f64,
    /// Density, g/cm^3.
    pub density_g_cm3: f64,
    /// Electron fraction Y_e.
    pub electron_fraction: f64,
}

/// Piecewise-constant PREM: each region of [`PREM_REGIONS`] whose density varies is cut into equal
/// shells no thicker than `max_shell_thickness_km`, each with the radially averaged PREM density;
/// constant regions stay one shell. Electron fractions: `ye_core` in the inner and outer core,
/// `ye_mantle` elsewhere.
///
/// Defaults ([`PremEarth::default`]): `max_shell_thickness_km = 100`, `ye_mantle = 0.5`
/// (the reference tables' crust value), `ye_core = 0.4656` (the value used for the Fe-Ni core in
/// nuSQuIDS' PREM table). This gives 69 shells; a chord through the centre crosses 2 x 69 - 1 = 137 segments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PremEarth {
    max_shell_thickness_km: f64,
    ye_mantle: f64,
    ye_core: f64,
}

impl Default for PremEarth {
    fn default() -> Self {
        Self {
            max_shell_thickness_km: 100.0,
            ye_mantle: 0.5,
            ye_core: 0.4656,
        }
    }
}

impl PremEarth {
    /// Custom discretisation (km, > 0) and electron fractions (in (0, 1]).
    ///
    /// # Errors
    /// [`OscillationError::OutOfRange`] / [`OscillationError::NotFinite`] naming
    /// `max_shell_thickness_km`, `ye_mantle` or `ye_core`.
    pub fn new(max_shell_thickness_km: f64, ye_mantle: f64, ye_core: f64) -> Result<Self> {
        Ok(Self {
            max_shell_thickness_km: in_range(
                "max_shell_thickness_km",
                max_shell_thickness_km,
                "(0, inf) km",
                |v| v > 0.0,
            )?,
            ye_mantle: electron_fraction("ye_mantle", ye_mantle)?,
            ye_core: electron_fraction("ye_core", ye_core)?,
        })
    }

    /// The shell table, innermost first.
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "shell counts are small positive integers (thickness and maximum are finite, > 0)"
    )]
    pub fn shells(&self) -> Vec<Shell> {
        let mut shells = Vec::new();
        for region in &PREM_REGIONS {
            let thickness = region.r_outer_km - region.r_inner_km;
            let n = if region.is_constant() {
                1
            } else {
                (thickness / self.max_shell_thickness_km).ceil().max(1.0) as usize
            };
            let step = thickness / n as f64;
            for k in 0..n {
                let r_inner_km = region.r_inner_km + step * k as f64;
                let r_outer_km = if k + 1 == n {
                    region.r_outer_km
                } else {
                    region.r_inner_km + step * (k + 1) as f64
                };
                shells.push(Shell {
                    r_inner_km,
                    r_outer_km,
                    density_g_cm3: region.mean_density_g_cm3(r_inner_km, r_outer_km),
                    electron_fraction: if region.core {
                        self.ye_core
                    } else {
                        self.ye_mantle
                    },
                });
            }
        }
        shells
    }

    /// The straight chord of length `baseline_km` (km) between two points on the surface, as
    /// constant-density segments in crossing order.
    ///
    /// Geometry: half-length `h = L/2`, closest approach to the centre `R_min = sqrt(R^2 - h^2)`;
    /// the chord meets radius `r` at distance `x(r) = sqrt(r^2 - R_min^2)` from its midpoint. A shell
    /// `[r_in, r_out]` above `R_min` contributes `x(r_out) - x(max(r_in, R_min))` on each side; the
    /// deepest shell crossed contributes one central segment `2 x(r_out)`.
    ///
    /// # Errors
    /// [`OscillationError::OutOfRange`] / [`OscillationError::NotFinite`] for `baseline_km` outside
    /// `[0, 2 R_E] = [0, 12742]` km.
    pub fn chord(&self, baseline_km: f64) -> Result<MatterProfile> {
        let baseline_km = in_range(
            "baseline_km",
            baseline_km,
            "[0, 12742] km (Earth's diameter, PREM chord)",
            |v| (0.0..=2.0 * EARTH_RADIUS_KM).contains(&v),
        )?;
        let half = baseline_km / 2.0;
        let r_min = ((EARTH_RADIUS_KM - half) * (EARTH_RADIUS_KM + half))
            .max(0.0)
            .sqrt();
        let x = |r: f64| ((r - r_min) * (r + r_min)).max(0.0).sqrt();

        let mut inbound = Vec::new();
        let mut central = None;
        for shell in self.shells().iter().rev() {
            if shell.r_outer_km <= r_min {
                break;
            }
            let layer = |length_km: f64| Layer {
                length_km,
                density_g_cm3: shell.density_g_cm3,
                electron_fraction: shell.electron_fraction,
            };
            if shell.r_inner_km <= r_min {
                central = Some(layer(2.0 * x(shell.r_outer_km)));
                break;
            }
            inbound.push(layer(x(shell.r_outer_km) - x(shell.r_inner_km)));
        }
        let outbound: Vec<Layer> = inbound.iter().rev().copied().collect();
        let layers = inbound
            .into_iter()
            .chain(central)
            .chain(outbound)
            .filter(|l| l.length_km > 0.0)
            .collect();
        Ok(MatterProfile { layers })
    }
}

impl MatterProfile {
    /// The PREM chord of [`PremEarth::default`] for `baseline_km` (km); see [`PremEarth::chord`].
    ///
    /// # Errors
    /// As [`PremEarth::chord`].
    pub fn prem(baseline_km: f64) -> Result<Self> {
        PremEarth::default().chord(baseline_km)
    }

    /// Build from `[length_km, density_gcc, ye]` triples (the configuration's `layers`), in crossing order.
    ///
    /// # Errors
    /// As [`Layer::new`], naming the entry (`layers[i].length_km`, ...); [`OscillationError::Profile`]
    /// if the list is empty.
    pub fn from_triples(triples: &[[f64; 3]]) -> Result<Self> {
        if triples.is_empty() {
            return Err(OscillationError::Profile {
                reason: "`layers` is empty; give at least one [length_km, density_gcc, ye]".into(),
            });
        }
        let layers = triples
            .iter()
            .enumerate()
            .map(|(i, &[l, rho, ye])| Layer::named(&format!("layers[{i}]."), l, rho, ye))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { layers })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prem_mass_of_the_earth() {
        // PREM gives M_E = 5.974e24 kg; the piecewise-constant shells (and the ocean as crust) agree to 0.1 %.
        let mass_kg: f64 = PremEarth::default()
            .shells()
            .iter()
            .map(|s| {
                let volume_cm3 = 4.0 / 3.0
                    * std::f64::consts::PI
                    * (s.r_outer_km.powi(3) - s.r_inner_km.powi(3))
                    * 1e15;
                s.density_g_cm3 * volume_cm3 * 1e-3
            })
            .sum();
        assert!((mass_kg / 5.974e24 - 1.0).abs() < 1e-3, "{mass_kg}");
    }

    #[test]
    fn prem_known_densities() {
        // Published PREM values (Dziewonski & Anderson 1981, Table II) at region boundaries check the
        // coefficients: centre 13.0885, inner-core boundary 12.7636 / 12.1663, core-mantle boundary
        // 9.9035 / 5.5665, 670 km 4.3807 / 3.9921 (all g/cm^3).
        let rho = |region: usize, r: f64| {
            let [a0, a1, a2, a3] = PREM_REGIONS[region].coefficients;
            let x = r / EARTH_RADIUS_KM;
            a0 + x * (a1 + x * (a2 + x * a3))
        };
        for (region, r, expected) in [
            (0, 0.0, 13.0885),
            (0, 1221.5, 12.7636),
            (1, 1221.5, 12.1663),
            (1, 3480.0, 9.9035),
            (2, 3480.0, 5.5665),
            (2, 5701.0, 4.3807),
            (3, 5701.0, 3.9921),
        ] {
            assert!(
                (rho(region, r) - expected).abs() < 2e-4,
                "{region} {r}: {}",
                rho(region, r)
            );
        }
        // Each shell's density lies between the PREM values at its boundaries.
        let shells = PremEarth::default().shells();
        assert_eq!(shells.len(), 69);
        for s in &shells {
            let region = PREM_REGIONS
                .iter()
                .position(|g| g.r_inner_km <= s.r_inner_km && s.r_outer_km <= g.r_outer_km)
                .unwrap_or(usize::MAX);
            let (a, b) = (rho(region, s.r_outer_km), rho(region, s.r_inner_km));
            let (lo, hi) = (a.min(b), a.max(b));
            assert!(
                lo - 1e-12 <= s.density_g_cm3 && s.density_g_cm3 <= hi + 1e-12,
                "{s:?}"
            );
        }
    }

    #[test]
    fn chord_lengths_and_symmetry() {
        for &l in &[
            0.0,
            295.0,
            735.0,
            1300.0,
            7330.0,
            12_000.0,
            2.0 * EARTH_RADIUS_KM,
        ] {
            let p = MatterProfile::prem(l).unwrap();
            assert!(
                (p.baseline_km() - l).abs() < 1e-9 * l.max(1.0),
                "{l}: {}",
                p.baseline_km()
            );
            assert_eq!(p.layers(), p.reversed().layers());
        }
        // MINOS: max depth 10.6 km, all in the (upper) crust.
        let minos = MatterProfile::prem(735.0).unwrap();
        assert!((minos.mean_density_g_cm3() - 2.6).abs() < 1e-12);
        // Through the centre the chord reaches the inner core.
        let diameter = MatterProfile::prem(2.0 * EARTH_RADIUS_KM).unwrap();
        let centre = diameter.layers()[diameter.layers().len() / 2];
        assert!(centre.density_g_cm3() > 12.9);
        assert!((centre.electron_fraction() - 0.4656).abs() < 1e-15);
        assert_eq!(diameter.layers().len(), 137);
    }

    #[test]
    fn invalid_input_is_rejected_with_names() {
        let err = MatterProfile::prem(13_000.0).unwrap_err();
        assert!(err.to_string().contains("baseline_km"), "{err}");
        let err = MatterProfile::from_triples(&[[100.0, 2.8, 0.5], [10.0, -1.0, 0.5]]).unwrap_err();
        assert!(err.to_string().contains("layers[1].density_gcc"), "{err}");
        let err = MatterProfile::from_triples(&[[100.0, 2.8, 0.0]]).unwrap_err();
        assert!(err.to_string().contains("layers[0].ye"), "{err}");
        assert!(Layer::new(f64::INFINITY, 1.0, 0.5).is_err());
        assert!(MatterProfile::from_triples(&[]).is_err());
    }
}
