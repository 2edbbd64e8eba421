//! Bollinger Bands (TA-Lib `BBANDS` with an SMA middle band): the SMA, and
//! the bands `middle ± k · σ` with σ the population standard deviation,
//! `σ² = mean(x²) − middle²`, taken as 0 below 1e-8 as TA-Lib does.

use super::window::{chunks, elementwise, reduce, BlockWindow, Elementwise, Identity, Square, Sum};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup, VARIANCE_FLOOR};
use crate::analytics::simd::{Lane, Path};
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

/// Turns window sums (x in `middle`, x² in `upper`) into the three bands.
struct Bands<'a> {
    upper: &'a mut [f64],
    middle: &'a mut [f64],
    lower: &'a mut [f64],
    n: f64,
    k_up: f64,
    k_down: f64,
}

impl Elementwise for Bands<'_> {
    #[inline(always)]
    fn at<L: Lane>(&mut self, i: usize) {
        let n = L::splat(self.n);
        let mid = L::load(self.middle, i).div(n);
        let sd = sigma(mid, L::load(self.upper, i), n);
        mid.store(self.middle, i);
        mid.add(sd.mul(L::splat(self.k_up))).store(self.upper, i);
        mid.sub(sd.mul(L::splat(self.k_down))).store(self.lower, i);
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
    for (lo, hi) in chunks(window, x.len()) {
        reduce::<Sum, Identity>(x, window, lo, hi, &mut middle[lo..hi], path);
        reduce::<Sum, Square>(x, window, lo, hi, &mut upper[lo..hi], path);
        let mut k = Bands { upper, middle, lower, n: window as f64, k_up, k_down };
        elementwise(&mut k, lo.max(lookback), hi, path);
    }
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
