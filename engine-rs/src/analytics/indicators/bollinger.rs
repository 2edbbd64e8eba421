//! Bollinger Bands (TA-Lib `BBANDS` with an SMA middle band): the SMA, and
//! the bands `middle ± k · σ` with σ the population standard deviation,
//! `σ² = mean(x²) − middle²`, taken as 0 below 1e-8 as TA-Lib does.

use super::window::{reduce_each, windows, BlockWindow, Identity, Map, Square, Sum, Windowed};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup, VARIANCE_FLOOR};
use crate::analytics::simd::{F64x2, Lane, Path};
use crate::analytics::AnalyticsError;

/// Index of the first output (TA-Lib's lookback): `window - 1`.
pub fn bollinger_lookback(window: usize) -> usize {
    window.saturating_sub(1)
}

/// σ from window sums of x and x², in lanes: TA-Lib's operations in its order.
#[inline(always)]
fn sigma<L: Lane>(mean: L, sum_sq: L, n: L) -> L {
    let var = sum_sq.div(n).sub(mean.mul(mean));
    var.lt_select(L::splat(VARIANCE_FLOOR), L::splat(0.0), var.sqrt())
}

/// Window sums of x and x² by blocks, turned into the three bands as they are made.
struct Bands<'a> {
    x: &'a [f64],
    upper: &'a mut [f64],
    middle: &'a mut [f64],
    lower: &'a mut [f64],
    n: f64,
    k_up: f64,
    k_down: f64,
}

impl Bands<'_> {
    /// `(upper, middle, lower)` from the window's Σx and Σx².
    #[inline(always)]
    fn bands<L: Lane>(&self, [sum, sum_sq]: [L; 2]) -> (L, L, L) {
        let n = L::splat(self.n);
        let mid = sum.div(n);
        let sd = sigma(mid, sum_sq, n);
        (mid.add(sd.mul(L::splat(self.k_up))), mid, mid.sub(sd.mul(L::splat(self.k_down))))
    }
}

// SAFETY: `len` is `x`'s length, and the bands are as long (checked in `bollinger`).
unsafe impl Windowed<2> for Bands<'_> {
    fn len(&self) -> usize {
        self.x.len()
    }
    #[inline(always)]
    fn reduce<L: Lane>(acc: [L; 2], v: [L; 2]) -> [L; 2] {
        reduce_each::<Sum, L, 2>(acc, v)
    }
    #[inline(always)]
    unsafe fn terms<L: Lane>(&self, i: usize, stride: usize) -> [L; 2] {
        let v = L::gather_unchecked(self.x, i, stride);
        [v, Square::apply(v)]
    }
    #[inline(always)]
    unsafe fn term_pairs<L: Lane>(&self, i: usize, stride: usize) -> ([L; 2], [L; 2]) {
        let (a, b) = L::gather_pair_unchecked(self.x, i, stride);
        ([a, Square::apply(a)], [b, Square::apply(b)])
    }
    #[inline(always)]
    unsafe fn finish<L: Lane>(&mut self, i: usize, stride: usize, window: [L; 2]) {
        let (up, mid, down) = self.bands(window);
        up.scatter_unchecked(self.upper, i, stride);
        mid.scatter_unchecked(self.middle, i, stride);
        down.scatter_unchecked(self.lower, i, stride);
    }
    #[inline(always)]
    unsafe fn finish_pair<L: Lane>(&mut self, i: usize, stride: usize, first: [L; 2], second: [L; 2]) {
        let (up_a, mid_a, down_a) = self.bands(first);
        let (up_b, mid_b, down_b) = self.bands(second);
        L::scatter_pair_unchecked(up_a, up_b, self.upper, i, stride);
        L::scatter_pair_unchecked(mid_a, mid_b, self.middle, i, stride);
        L::scatter_pair_unchecked(down_a, down_b, self.lower, i, stride);
    }
}

fn check_k(field: &'static str, k: f64) -> Result<(), AnalyticsError> {
    if k.is_finite() {
        Ok(())
    } else {
        Err(AnalyticsError::BadParam { field, reason: "must be a finite number" })
    }
}

/// Bollinger Bands of `x` over `window`, `k_up` and `k_down` standard
/// deviations wide, into `upper`, `middle`, `lower` (each of `x`'s length).
#[allow(clippy::too_many_arguments)]
pub fn bollinger(
    x: &[f64],
    window: usize,
    k_up: f64,
    k_down: f64,
    upper: &mut [f64],
    middle: &mut [f64],
    lower: &mut [f64],
    path: Path,
) -> Result<(), AnalyticsError> {
    check_len("upper", upper.len(), x.len())?;
    check_len("middle", middle.len(), x.len())?;
    check_len("lower", lower.len(), x.len())?;
    check_window("window", window, x.len())?;
    check_k("k_up", k_up)?;
    check_k("k_down", k_down)?;
    check_finite("x", x, path)?;
    let lookback = bollinger_lookback(window);
    for out in [&mut *upper, &mut *middle, &mut *lower] {
        fill_warmup(out, lookback);
    }
    let mut k = Bands { x, upper, middle, lower, n: window as f64, k_up, k_down };
    windows::<F64x2, 2, _>(&mut k, window, path);
    Ok(())
}

/// One output of [`Bollinger`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BollingerPoint {
    /// `middle + k_up · σ`.
    pub upper: f64,
    /// The SMA.
    pub middle: f64,
    /// `middle − k_down · σ`.
    pub lower: f64,
}

/// Streaming [`bollinger`].
#[derive(Clone, Debug)]
pub struct Bollinger {
    sum: BlockWindow<Sum, Identity>,
    sum_sq: BlockWindow<Sum, Square>,
    n: f64,
    k_up: f64,
    k_down: f64,
    seen: usize,
}

impl Bollinger {
    /// Bands over `window` values, `k_up` / `k_down` σ wide.
    pub fn new(window: usize, k_up: f64, k_down: f64) -> Result<Self, AnalyticsError> {
        check_period("window", window)?;
        check_k("k_up", k_up)?;
        check_k("k_down", k_down)?;
        Ok(Bollinger {
            sum: BlockWindow::new(window),
            sum_sq: BlockWindow::new(window),
            n: window as f64,
            k_up,
            k_down,
            seen: 0,
        })
    }

    /// Adds `x`; the bands, NaN for the first `window - 1` values.
    pub fn update(&mut self, x: f64) -> Result<BollingerPoint, AnalyticsError> {
        check_value("x", x, self.seen)?;
        self.seen += 1;
        match (self.sum.update(x), self.sum_sq.update(x)) {
            (Some(s), Some(s2)) => {
                let mid = s / self.n;
                let sd = sigma(mid, s2, self.n);
                Ok(BollingerPoint { upper: mid + sd * self.k_up, middle: mid, lower: mid - sd * self.k_down })
            }
            _ => Ok(BollingerPoint { upper: f64::NAN, middle: f64::NAN, lower: f64::NAN }),
        }
    }
}
