//! Sampling from a tabulated, piecewise-linear density by exact inversion of its CDF.
//!
//! Given node values f_i >= 0 at increasing x_i, the density g(x) is linear on each interval.
//! Its CDF is quadratic on each interval, so a uniform u is inverted exactly: find the interval by
//! binary search in the cumulative integrals, then solve the quadratic for the position inside it
//! (numerically stable form, Press et al., Numerical Recipes 3rd ed., sec. 5.6).
//! The sampler returns both the point and g(x)/integral, so a caller can weight events by the
//! ratio of the true density to this proposal: building the table is the only approximation, and
//! it affects efficiency, never correctness.

use super::FluxError;

/// Inverse-CDF sampler of a piecewise-linear density, built once, immutable afterwards.
#[derive(Debug, Clone)]
pub struct TabulatedSampler {
    x: Vec<f64>,
    f: Vec<f64>,
    cdf: Vec<f64>,
    total: f64,
}

impl TabulatedSampler {
    /// Build from nodes `x` (strictly increasing) and non-negative finite values `f`.
    ///
    /// # Errors
    /// [`FluxError::EmptyDensity`] if the integral is zero or not finite.
    ///
    /// # Panics
    /// If `x` and `f` differ in length or have fewer than two points (a caller bug).
    pub fn new(x: Vec<f64>, f: Vec<f64>) -> Result<Self, FluxError> {
        assert!(
            x.len() == f.len() && x.len() >= 2,
            "sampler needs matching nodes"
        );
        let mut cdf = Vec::with_capacity(x.len());
        let mut acc = 0.0;
        cdf.push(0.0);
        for i in 1..x.len() {
            debug_assert!(x[i] > x[i - 1]);
            acc += 0.5 * (x[i] - x[i - 1]) * (f[i] + f[i - 1]);
            cdf.push(acc);
        }
        if !(acc > 0.0 && acc.is_finite()) {
            return Err(FluxError::EmptyDensity {
                e_min_gev: x[0],
                e_max_gev: x[x.len() - 1],
            });
        }
        Ok(Self {
            x,
            f,
            cdf,
            total: acc,
        })
    }

    /// Integral of the tabulated density over its support.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.total
    }

    /// Support of the density.
    #[must_use]
    pub fn range(&self) -> (f64, f64) {
        (self.x[0], self.x[self.x.len() - 1])
    }

    /// Unnormalised tabulated density g(x) (linear interpolation, zero outside).
    #[must_use]
    pub fn density(&self, x: f64) -> f64 {
        let n = self.x.len();
        if !(x >= self.x[0] && x <= self.x[n - 1]) {
            return 0.0;
        }
        let j = self.x.partition_point(|&v| v <= x).clamp(1, n - 1);
        let t = (x - self.x[j - 1]) / (self.x[j] - self.x[j - 1]);
        self.f[j - 1] + t * (self.f[j] - self.f[j - 1])
    }

    /// Map a uniform number u in [0, 1) to (x, pdf(x)) with pdf = g / integral.
    #[must_use]
    pub fn sample_with_pdf(&self, u: f64) -> (f64, f64) {
        let target = u * self.total;
        let n = self.x.len();
        // interval j-1..j with cdf[j-1] <= target < cdf[j]
        let mut j = self.cdf.partition_point(|&c| c <= target).clamp(1, n - 1);
        // skip zero-width-probability intervals (f = 0 on both ends)
        while j < n - 1 && self.cdf[j] <= target {
            j += 1;
        }
        let (x0, x1) = (self.x[j - 1], self.x[j]);
        let (f0, f1) = (self.f[j - 1], self.f[j]);
        let h = x1 - x0;
        let r = (target - self.cdf[j - 1]).max(0.0); // area to cover inside the interval
        let slope = (f1 - f0) / h;
        // Solve f0 d + slope d^2 / 2 = r for d in [0, h], stable root: d = 2r / (f0 + sqrt(f0^2 + 2 slope r))
        let disc = (f0 * f0 + 2.0 * slope * r).max(0.0);
        let denom = f0 + disc.sqrt();
        let d = if denom > 0.0 {
            (2.0 * r / denom).min(h)
        } else {
            0.0
        };
        let x = x0 + d;
        let g = f0 + slope * d;
        (x, g / self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_cdf_is_exact_for_linear_density() {
        // density 2x on [0, 1]: CDF x^2, so u -> sqrt(u)
        let s = TabulatedSampler::new(vec![0.0, 1.0], vec![0.0, 2.0]).unwrap();
        for &u in &[0.0, 0.01, 0.25, 0.5, 0.81, 0.999_999] {
            let (x, pdf) = s.sample_with_pdf(u);
            assert!((x - u.sqrt()).abs() < 1e-12, "{u} {x}");
            assert!((pdf - 2.0 * x).abs() < 1e-12);
        }
    }

    #[test]
    fn skips_empty_intervals() {
        let s = TabulatedSampler::new(vec![0.0, 1.0, 2.0, 3.0], vec![0.0, 0.0, 1.0, 1.0]).unwrap();
        for k in 0..100 {
            let (x, pdf) = s.sample_with_pdf(f64::from(k) / 100.0);
            assert!(x >= 1.0 && pdf > 0.0 || (x == 1.0), "{x}");
        }
    }

    #[test]
    fn empty_density_is_an_error() {
        assert!(TabulatedSampler::new(vec![0.0, 1.0], vec![0.0, 0.0]).is_err());
    }
}
