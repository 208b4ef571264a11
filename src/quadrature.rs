//! Gauss-Legendre quadrature (nodes by Newton iteration on P_n; Abramowitz & Stegun 25.4.29,
//! Press et al., Numerical Recipes 3rd ed., sec. 4.6.1). Used to tabulate cross sections once per
//! run, never inside the event loop.

/// Nodes and weights of the n-point Gauss-Legendre rule on [-1, 1].
#[must_use]
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    let nf = n as f64;
    for i in 0..n.div_ceil(2) {
        // Tricomi's initial guess, then Newton on P_n.
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0_f64, 0.0_f64);
            for j in 0..n {
                let jf = j as f64;
                let p2 = p1;
                p1 = p0;
                p0 = ((2.0 * jf + 1.0) * z * p1 - jf * p2) / (jf + 1.0);
            }
            dp = nf * (z * p0 - p1) / (z * z - 1.0);
            let dz = p0 / dp;
            z -= dz;
            if dz.abs() < 1e-15 {
                break;
            }
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

/// A composite Gauss-Legendre rule: `panels` equal panels of `nodes` points each.
#[derive(Debug, Clone)]
pub struct Composite {
    x: Vec<f64>,
    w: Vec<f64>,
    panels: usize,
}

impl Composite {
    /// Build the rule.
    #[must_use]
    pub fn new(panels: usize, nodes: usize) -> Self {
        let (x, w) = gauss_legendre(nodes);
        Self { x, w, panels: panels.max(1) }
    }
    /// Integral of `f` over [a, b].
    pub fn integrate(&self, a: f64, b: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
        let h = (b - a) / self.panels as f64;
        let mut sum = 0.0;
        for p in 0..self.panels {
            let lo = a + h * p as f64;
            let mid = lo + 0.5 * h;
            for (xi, wi) in self.x.iter().zip(&self.w) {
                sum += wi * f(mid + 0.5 * h * xi);
            }
        }
        sum * 0.5 * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_polynomials_and_exponentials() {
        let (x, w) = gauss_legendre(8);
        let s: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(14)).sum();
        assert!((s - 2.0 / 15.0).abs() < 1e-14);
        let c = Composite::new(4, 16);
        let v = c.integrate(0.0, 9.0, f64::exp);
        assert!((v / (9.0_f64.exp() - 1.0) - 1.0).abs() < 1e-13);
    }
}
