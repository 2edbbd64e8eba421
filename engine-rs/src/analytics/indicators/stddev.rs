//! Rolling population standard deviation (TA-Lib `STDDEV` with `nbDev = 1`)
//! and the rolling z-score `(x − mean) / σ`. `σ² = mean(x²) − mean²` over
//! TA-Lib's running sums (see [`super::running`]) so that σ carries TA-Lib's
//! rounding; σ is 0 when the variance is under 1e-8 (TA-Lib's rule), and the
//! z-score is 0 where σ is 0 (the value sits on the mean). TA-Lib has no
//! z-score; its reference is `(x − SMA) / STDDEV`.

use super::running::{sums_and_squares, RunningSums};
use super::window::{elementwise, Elementwise};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup, VARIANCE_FLOOR};
use crate::analytics::simd::{Lane, Path};
use crate::analytics::AnalyticsError;

/// Index of the first rolling σ output: `window - 1`.
pub fn rolling_std_lookback(window: usize) -> usize {
    window.saturating_sub(1)
}

/// Index of the first z-score output: `window - 1`.
pub fn zscore_lookback(window: usize) -> usize {
    window.saturating_sub(1)
}

/// `(mean, σ)` from window sums, as TA-Lib's `TA_INT_VAR` and `STDDEV` compute them.
#[inline(always)]
fn moments<L: Lane>(sum: L, sum_sq: L, n: L) -> (L, L) {
    let mean = sum.div(n);
    let var = sum_sq.div(n).sub(mean.mul(mean));
    (mean, var.lt_select(L::splat(VARIANCE_FLOOR), L::splat(0.0), var.sqrt()))
}

#[inline(always)]
fn z<L: Lane>(x: L, mean: L, sd: L) -> L {
    sd.ne_select(L::splat(0.0), x.sub(mean).div(sd), L::splat(0.0))
}

/// Window sums of x in `out`, of x² in `sq`, turned into σ or z in `out`.
struct Finish<'a> {
    x: &'a [f64],
    out: &'a mut [f64],
    sq: &'a [f64],
    /// Index of `sq[0]`.
    base: usize,
    n: f64,
    zscore: bool,
}

impl Elementwise for Finish<'_> {
    #[inline(always)]
    fn at<L: Lane>(&mut self, i: usize) {
        let (mean, sd) = moments(L::load(self.out, i), L::load(self.sq, i - self.base), L::splat(self.n));
        let v = if self.zscore { z(L::load(self.x, i), mean, sd) } else { sd };
        v.store(self.out, i);
    }
}

fn rolling(x: &[f64], window: usize, out: &mut [f64], path: Path, zscore: bool) -> Result<(), AnalyticsError> {
    check_len("out", out.len(), x.len())?;
    check_window("window", window, x.len())?;
    check_finite("x", x, path)?;
    let lookback = window - 1;
    fill_warmup(out, lookback);
    // A chunk at a time, so the scratch of Σx² stays in cache.
    const CHUNK: usize = 4096;
    let mut sq = Vec::new();
    let mut state = (0.0, 0.0);
    for lo in (0..x.len()).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(x.len());
        sq.resize(hi - lo, 0.0);
        sums_and_squares(x, window, lo, hi, &mut state, out, &mut sq, path);
        let mut k = Finish { x, out, sq: &sq, base: lo, n: window as f64, zscore };
        elementwise(&mut k, lo.max(lookback), hi, path);
    }
    Ok(())
}

/// Rolling population standard deviation of `x` over `window` into `out`.
pub fn rolling_std(x: &[f64], window: usize, out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    rolling(x, window, out, path, false)
}

/// Rolling z-score of `x` over `window` into `out`.
pub fn zscore(x: &[f64], window: usize, out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    rolling(x, window, out, path, true)
}

/// The shared state of [`RollingStd`] and [`ZScore`].
#[derive(Clone, Debug)]
struct Moments {
    sums: RunningSums,
    n: f64,
    seen: usize,
}

impl Moments {
    fn new(window: usize) -> Result<Self, AnalyticsError> {
        check_period("window", window)?;
        Ok(Moments { sums: RunningSums::new(window), n: window as f64, seen: 0 })
    }

    /// `(mean, σ)` once the window is full.
    fn update(&mut self, x: f64) -> Result<Option<(f64, f64)>, AnalyticsError> {
        check_value("x", x, self.seen)?;
        self.seen += 1;
        Ok(self.sums.update(x).map(|(s, s2)| moments(s, s2, self.n)))
    }
}

/// Streaming [`rolling_std`].
#[derive(Clone, Debug)]
pub struct RollingStd(Moments);

impl RollingStd {
    /// σ over `window` values.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        Moments::new(window).map(RollingStd)
    }

    /// Adds `x`; σ of the window, NaN for the first `window - 1` values.
    pub fn update(&mut self, x: f64) -> Result<f64, AnalyticsError> {
        Ok(self.0.update(x)?.map_or(f64::NAN, |(_, sd)| sd))
    }
}

/// Streaming [`zscore`].
#[derive(Clone, Debug)]
pub struct ZScore(Moments);

impl ZScore {
    /// z-score over `window` values.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        Moments::new(window).map(ZScore)
    }

    /// Adds `x`; its z-score in the window, NaN for the first `window - 1` values.
    pub fn update(&mut self, x: f64) -> Result<f64, AnalyticsError> {
        Ok(self.0.update(x)?.map_or(f64::NAN, |(mean, sd)| z(x, mean, sd)))
    }
}
