//! TA-Lib's running window sums, operation for operation: the total gains the
//! new value, is read, then loses the value leaving the window. Used where a
//! result must carry TA-Lib's own rounding to match it closely — σ (whose
//! `mean(x²) − mean²` cancels digits, so any other summation order differs
//! from TA-Lib in the leading digits of a small σ) and the stochastic's
//! smoothing (whose %K sits at exactly 0 often, where TA-Lib's residue and an
//! exact 0 differ by 100 % relatively).
//!
//! A recurrence. The σ form carries the sums of x and x² in the two lanes of
//! one v128 on the SIMD path; they are two scalar chains on the scalar path.

use crate::analytics::simd::{F64x2, Lane, Path};

/// Writes `Σ x[i+1-n..=i]` into `sums[i]` and `Σ x²` into `sums_sq[i - base]`
/// for `i` in `max(lo, n-1)..hi`, continuing from `state` (the totals after
/// index `lo - 1` minus the value that left, as TA-Lib keeps them).
#[allow(clippy::too_many_arguments)]
pub(crate) fn sums_and_squares(
    x: &[f64],
    n: usize,
    lo: usize,
    hi: usize,
    state: &mut (f64, f64),
    sums: &mut [f64],
    sums_sq: &mut [f64],
    path: Path,
) {
    let from = lo.max(n - 1);
    match path {
        Path::Simd => {
            let mut p = F64x2::new(state.0, state.1);
            for &t in &x[lo..from.min(hi)] {
                p = p.add(F64x2::new(t, t * t));
            }
            for i in from..hi {
                let t = x[i];
                p = p.add(F64x2::new(t, t * t));
                sums[i] = p.lo();
                sums_sq[i - lo] = p.hi();
                let old = x[i + 1 - n];
                p = p.sub(F64x2::new(old, old * old));
            }
            *state = (p.lo(), p.hi());
        }
        Path::Scalar => {
            let (mut p1, mut p2) = *state;
            for &t in &x[lo..from.min(hi)] {
                p1 += t;
                p2 += t * t;
            }
            for i in from..hi {
                let t = x[i];
                p1 += t;
                p2 += t * t;
                sums[i] = p1;
                sums_sq[i - lo] = p2;
                let old = x[i + 1 - n];
                p1 -= old;
                p2 -= old * old;
            }
            *state = (p1, p2);
        }
    }
}

/// TA-Lib's `TA_INT_SMA`: the mean of `x` over `n` into `out[n-1..]`.
pub(crate) fn running_mean(x: &[f64], n: usize, out: &mut [f64]) {
    let nf = n as f64;
    let mut total = 0.0;
    for &v in &x[..n - 1] {
        total += v;
    }
    for i in n - 1..x.len() {
        total += x[i];
        out[i] = total / nf;
        total -= x[i + 1 - n];
    }
}

/// The streaming form of TA-Lib's running sums: a ring of the window's values.
#[derive(Clone, Debug)]
pub(crate) struct RunningSums {
    ring: Vec<f64>,
    head: usize,
    n: usize,
    total: f64,
    total_sq: f64,
}

impl RunningSums {
    pub(crate) fn new(n: usize) -> Self {
        RunningSums { ring: Vec::with_capacity(n), head: 0, n, total: 0.0, total_sq: 0.0 }
    }

    /// Adds `t`; `(Σx, Σx²)` of the window once it holds `n` values.
    pub(crate) fn update(&mut self, t: f64) -> Option<(f64, f64)> {
        self.total += t;
        self.total_sq += t * t;
        if self.ring.len() < self.n {
            self.ring.push(t);
            if self.ring.len() < self.n {
                return None;
            }
        } else {
            self.ring[self.head] = t;
            self.head = (self.head + 1) % self.n;
        }
        let out = (self.total, self.total_sq);
        let old = self.ring[self.head];
        self.total -= old;
        self.total_sq -= old * old;
        Some(out)
    }
}
