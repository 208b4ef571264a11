//! Small numerical helpers: Gauss-Legendre quadrature on fixed-size arrays (no heap).
//!
//! Nodes and weights are the roots of the Legendre polynomial P_N and the weights
//! w_i = 2 / ((1 - x_i^2) P_N'(x_i)^2) (Abramowitz & Stegun, Handbook of Mathematical Functions,
//! eq. 25.4.29), found by Newton iteration from the Chebyshev-like starting guess
//! x_i ~ cos(pi (i - 1/4) / (N + 1/2)).

/// A Gauss-Legendre rule with `N` nodes on [-1, 1].
#[derive(Debug, Clone, Copy)]
pub struct GaussLegendre<const N: usize> {
    /// Nodes on [-1, 1], ascending.
    pub nodes: [f64; N],
    /// Weights (sum to 2).
    pub weights: [f64; N],
}

impl<const N: usize> GaussLegendre<N> {
    /// Compute the rule (about N^2 flops; cheap enough to call per integral).
    ///
    /// # Panics
    /// Never for `N >= 1` (a zero-point rule is a compile-time misuse and gives empty arrays).
    #[must_use]
    pub fn new() -> Self {
        let mut nodes = [0.0; N];
        let mut weights = [0.0; N];
        let n = N as f64;
        for i in 0..N {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n + 0.5)).cos();
            let mut dp = 1.0;
            for _ in 0..100 {
                // Legendre recurrence for P_N(x) and P_{N-1}(x).
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=N {
                    let kf = k as f64;
                    let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
                    p0 = p1;
                    p1 = p2;
                }
                let pn = if N == 1 { x } else { p1 };
                let pnm1 = if N == 1 { 1.0 } else { p0 };
                dp = n * (x * pn - pnm1) / (x * x - 1.0);
                let dx = pn / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            // descending from cos -> store ascending
            nodes[N - 1 - i] = x;
            weights[N - 1 - i] = 2.0 / ((1.0 - x * x) * dp * dp);
        }
        Self { nodes, weights }
    }

    /// Composite rule: integral of `f` over [a, b] split into `panels` equal panels.
    pub fn integrate<F: FnMut(f64) -> f64>(&self, mut f: F, a: f64, b: f64, panels: usize) -> f64 {
        if !(b > a) || panels == 0 {
            return 0.0;
        }
        let h = (b - a) / panels as f64;
        let mut sum = 0.0;
        for p in 0..panels {
            let lo = a + h * p as f64;
            let mid = lo + 0.5 * h;
            let mut s = 0.0;
            for (x, w) in self.nodes.iter().zip(self.weights.iter()) {
                s += w * f(mid + 0.5 * h * x);
            }
            sum += 0.5 * h * s;
        }
        sum
    }
}

impl<const N: usize> Default for GaussLegendre<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_polynomials_exactly() {
        let gl = GaussLegendre::<8>::new();
        let s: f64 = gl.weights.iter().sum();
        assert!((s - 2.0).abs() < 1e-14);
        // degree 15 is exact for 8 nodes
        let v = gl.integrate(|x| x.powi(14), -1.0, 1.0, 1);
        assert!((v - 2.0 / 15.0).abs() < 1e-14);
        let v = gl.integrate(f64::exp, 0.0, 1.0, 3);
        assert!((v - (1f64.exp() - 1.0)).abs() < 1e-14);
    }
}
