//! Average true range with Wilder's smoothing (TA-Lib `ATR`): the true range
//! `max(high - low, |prev close - high|, |prev close - low|)` from index 1, its
//! mean over the first `window` values at index `window`, then
//! `atr = (atr * (window - 1) + tr) / window`.
//!
//! True ranges are element-wise (lanes on the SIMD path, computed a chunk at a
//! time into scratch); the smoothing is a scalar recurrence.

use super::window::{elementwise, Elementwise};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup};
use crate::analytics::simd::{Lane, Path};
use crate::analytics::AnalyticsError;

/// Index of the first ATR output (TA-Lib's lookback): `window`.
pub fn atr_lookback(window: usize) -> usize {
    window
}

/// TA-Lib's `TRANGE` at one index, in lanes.
#[inline(always)]
fn true_range<L: Lane>(high: L, low: L, prev_close: L) -> L {
    let greatest = high.sub(low);
    let greatest = greatest.pmax(prev_close.sub(high).abs());
    greatest.pmax(prev_close.sub(low).abs())
}

struct TrueRange<'a> {
    high: &'a [f64],
    low: &'a [f64],
    close: &'a [f64],
    /// `out[i - base]` receives the true range at index `i`.
    out: &'a mut [f64],
    base: usize,
}

impl Elementwise for TrueRange<'_> {
    #[inline(always)]
    fn at<L: Lane>(&mut self, i: usize) {
        let tr = true_range(L::load(self.high, i), L::load(self.low, i), L::load(self.close, i - 1));
        tr.store(self.out, i - self.base);
    }
}

/// ATR over `window` of the bars `high`, `low`, `close` into `out`.
pub fn atr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    window: usize,
    out: &mut [f64],
    path: Path,
) -> Result<(), AnalyticsError> {
    let len = close.len();
    check_len("high", high.len(), len)?;
    check_len("low", low.len(), len)?;
    check_len("out", out.len(), len)?;
    check_window("window", window, len)?;
    check_finite("high", high, path)?;
    check_finite("low", low, path)?;
    check_finite("close", close, path)?;
    fill_warmup(out, atr_lookback(window));
    if len <= window {
        return Ok(());
    }
    const CHUNK: usize = 2048;
    let mut tr = vec![0.0; CHUNK];
    let n = window as f64;
    let keep = (window - 1) as f64;
    let mut avg = 0.0;
    let mut at = 1;
    while at < len {
        let end = (at + CHUNK).min(len);
        let mut k = TrueRange { high, low, close, out: &mut tr, base: at };
        elementwise(&mut k, at, end, path);
        for (i, &t) in (at..end).zip(&tr) {
            if i < window {
                avg += t;
            } else if i == window {
                avg += t;
                avg /= n;
                out[i] = avg;
            } else {
                avg *= keep;
                avg += t;
                avg /= n;
                out[i] = avg;
            }
        }
        at = end;
    }
    Ok(())
}

/// Streaming [`atr`].
#[derive(Clone, Debug)]
pub struct Atr {
    window: usize,
    seen: usize,
    prev_close: f64,
    avg: f64,
}

impl Atr {
    /// An ATR over `window` bars.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        check_period("window", window)?;
        Ok(Atr { window, seen: 0, prev_close: 0.0, avg: 0.0 })
    }

    /// Adds a bar; the ATR, NaN for the first `window` bars.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Result<f64, AnalyticsError> {
        check_value("high", high, self.seen)?;
        check_value("low", low, self.seen)?;
        check_value("close", close, self.seen)?;
        let i = self.seen;
        self.seen += 1;
        let prev_close = core::mem::replace(&mut self.prev_close, close);
        if i == 0 {
            return Ok(f64::NAN);
        }
        let t = true_range(high, low, prev_close);
        let n = self.window as f64;
        if i < self.window {
            self.avg += t;
            Ok(f64::NAN)
        } else if i == self.window {
            self.avg += t;
            self.avg /= n;
            Ok(self.avg)
        } else {
            self.avg *= (self.window - 1) as f64;
            self.avg += t;
            self.avg /= n;
            Ok(self.avg)
        }
    }
}
