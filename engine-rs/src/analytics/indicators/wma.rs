//! Linearly weighted moving average (TA-Lib `WMA`): weights 1..=window, the
//! newest value weighted most, divided by `window (window + 1) / 2`.
//!
//! Each output is a dot product over its own window (no running sums, so no
//! drift); on the SIMD path lane `j` computes output `i + j` with exactly the
//! scalar sequence of operations, reading consecutive inputs with one load.

use super::window::{elementwise, Elementwise};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup};
use crate::analytics::simd::{Lane, Path};
use crate::analytics::AnalyticsError;

/// Index of the first WMA output (TA-Lib's lookback): `window - 1`.
pub fn wma_lookback(window: usize) -> usize {
    window.saturating_sub(1)
}

fn divider(window: usize) -> f64 {
    ((window * (window + 1)) >> 1) as f64
}

struct Weighted<'a> {
    x: &'a [f64],
    out: &'a mut [f64],
    n: usize,
    divider: f64,
}

impl Elementwise for Weighted<'_> {
    #[inline(always)]
    fn at<L: Lane>(&mut self, i: usize) {
        let start = i + 1 - self.n;
        let mut acc = L::splat(0.0);
        for j in 0..self.n {
            acc = acc.add(L::load(self.x, start + j).mul(L::splat((j + 1) as f64)));
        }
        acc.div(L::splat(self.divider)).store(self.out, i);
    }
}

/// Weighted moving average of `x` over `window` into `out`.
pub fn wma(x: &[f64], window: usize, out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_len("out", out.len(), x.len())?;
    check_window("window", window, x.len())?;
    check_finite("x", x, path)?;
    fill_warmup(out, wma_lookback(window));
    let mut k = Weighted { x, out, n: window, divider: divider(window) };
    elementwise(&mut k, window - 1, x.len(), path);
    Ok(())
}

/// Streaming [`wma`]: a ring of the last `window` values.
#[derive(Clone, Debug)]
pub struct Wma {
    ring: Vec<f64>,
    /// Where the oldest value sits once the ring is full.
    head: usize,
    window: usize,
    divider: f64,
    seen: usize,
}

impl Wma {
    /// A WMA over `window` values.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        check_period("window", window)?;
        Ok(Wma { ring: Vec::with_capacity(window), head: 0, window, divider: divider(window), seen: 0 })
    }

    /// Adds `x`; the average, NaN for the first `window - 1` values.
    pub fn update(&mut self, x: f64) -> Result<f64, AnalyticsError> {
        check_value("x", x, self.seen)?;
        self.seen += 1;
        if self.ring.len() < self.window {
            self.ring.push(x);
            if self.ring.len() < self.window {
                return Ok(f64::NAN);
            }
        } else {
            self.ring[self.head] = x;
            self.head = (self.head + 1) % self.window;
        }
        let (newer, older) = self.ring.split_at(self.head);
        let mut acc = 0.0;
        for (j, &v) in older.iter().chain(newer).enumerate() {
            acc += v * (j + 1) as f64;
        }
        Ok(acc / self.divider)
    }
}
