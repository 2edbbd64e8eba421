//! Rolling realized volatility: `sqrt(Σ r²)` over the last `window` log
//! returns `r_i = ln(p_i / p_{i−1})`, not annualized (multiply by
//! `sqrt(periods per year / window)`-style factors as the caller's sampling
//! needs). Output is aligned with the prices: index i covers the returns
//! ending at i, so the first `window` indices (index 0 has no return) are NaN.
//!
//! The window sum is a difference of compensated running sums of r² (see
//! `RunningSum`), kept identically by the streaming form; a difference that
//! rounds below 0 is taken as 0.

use super::market_input::{all_positive, positive, same_len, stream_window, window, RunningSum};
use super::AnalyticsError;
use std::collections::VecDeque;

#[inline]
fn vol_of(sum_sq: f64) -> f64 {
    sum_sq.max(0.0).sqrt()
}

/// Realized volatility of the last `window` log returns at each price.
/// Prices must be finite and > 0; `window` from 1 to `price.len() − 1`.
pub fn realized_volatility(price: &[f64], window_len: usize) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![f64::NAN; price.len()];
    realized_volatility_into(price, window_len, &mut out)?;
    Ok(out)
}

/// [`realized_volatility`] into `out` (the series' length); nothing is written on an error.
pub fn realized_volatility_into(price: &[f64], window_len: usize, out: &mut [f64]) -> Result<(), AnalyticsError> {
    all_positive("price", price)?;
    window("window", window_len, price.len().saturating_sub(1))?;
    same_len("out", out, price.len())?;
    // The streaming form over validated input: O(window) memory, same bits.
    let mut stream = RealizedVolatilityStream::new(window_len)?;
    for (o, &p) in out.iter_mut().zip(price) {
        *o = stream.push(p);
    }
    Ok(())
}

/// Streaming realized volatility, equal to [`realized_volatility`].
#[derive(Debug, Clone)]
pub struct RealizedVolatilityStream {
    window: usize,
    prev: Option<f64>,
    sum: RunningSum,
    /// Running sums after each of the last `window + 1` prices, oldest first.
    past: VecDeque<RunningSum>,
    index: usize,
}

impl RealizedVolatilityStream {
    /// Realized volatility over `window` (≥ 1) returns.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        stream_window("window", window)?;
        Ok(Self { window, prev: None, sum: RunningSum::default(), past: VecDeque::with_capacity(window + 2), index: 0 })
    }

    /// Volatility of the last `window` returns up to this price; NaN during
    /// warm-up. A refused price changes nothing.
    pub fn update(&mut self, price: f64) -> Result<f64, AnalyticsError> {
        positive("price", self.index, price)?;
        Ok(self.push(price))
    }

    /// Takes a price already checked.
    fn push(&mut self, price: f64) -> f64 {
        self.index += 1;
        if let Some(prev) = self.prev {
            let r = (price / prev).ln();
            self.sum.add(r * r);
        }
        self.prev = Some(price);
        self.past.push_back(self.sum);
        if self.past.len() > self.window + 1 {
            self.past.pop_front();
        }
        if self.past.len() == self.window + 1 {
            vol_of(self.sum.since(self.past[0]))
        } else {
            f64::NAN
        }
    }
}
