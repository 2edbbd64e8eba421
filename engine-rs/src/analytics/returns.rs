//! Simple and log returns of a price series, aligned with the input: index 0
//! has no previous price and is NaN, index i is the return from i−1 to i.

use super::market_input::{all_positive, positive, same_len};
use super::simd::{F64x4, Lane, Path};
use super::AnalyticsError;

/// Simple returns `p[i] / p[i−1] − 1`; `out[0]` is NaN. Prices must be finite and > 0.
pub fn simple_returns(price: &[f64], path: Path) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![f64::NAN; price.len()];
    simple_returns_into(price, &mut out, path)?;
    Ok(out)
}

/// [`simple_returns`] into `out` (the series' length); nothing is written on an error.
pub fn simple_returns_into(price: &[f64], out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    all_positive("price", price)?;
    same_len("out", out, price.len())?;
    if let Some(first) = out.first_mut() {
        *first = f64::NAN;
    }
    if price.len() > 1 {
        match path {
            Path::Simd => simple_returns_kernel::<F64x4>(price, &mut out[1..]),
            Path::Scalar => simple_returns_kernel::<f64>(price, &mut out[1..]),
        }
    }
    Ok(())
}

/// Log returns `ln(p[i] / p[i−1])`; `out[0]` is NaN. Prices must be finite and > 0.
pub fn log_returns(price: &[f64]) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![f64::NAN; price.len()];
    log_returns_into(price, &mut out)?;
    Ok(out)
}

/// [`log_returns`] into `out` (the series' length); nothing is written on an error.
pub fn log_returns_into(price: &[f64], out: &mut [f64]) -> Result<(), AnalyticsError> {
    all_positive("price", price)?;
    same_len("out", out, price.len())?;
    if let Some(first) = out.first_mut() {
        *first = f64::NAN;
    }
    for i in 1..price.len() {
        out[i] = log_return(price[i - 1], price[i]);
    }
    Ok(())
}

/// `out[i] = price[i + 1] / price[i] − 1` (one shorter than `price`),
/// `L::WIDTH` at a time; the tail runs the scalar form of the same operations.
#[inline(always)]
fn simple_returns_kernel<L: Lane>(price: &[f64], out: &mut [f64]) {
    debug_assert_eq!(out.len() + 1, price.len());
    let n = out.len();
    let one = L::splat(1.0);
    let mut i = 0;
    while i + L::WIDTH <= n {
        L::load(price, i + 1).div(L::load(price, i)).sub(one).store(out, i);
        i += L::WIDTH;
    }
    for j in i..n {
        out[j] = simple_return(price[j], price[j + 1]);
    }
}

#[inline]
fn simple_return(prev: f64, p: f64) -> f64 {
    p / prev - 1.0
}

#[inline]
fn log_return(prev: f64, p: f64) -> f64 {
    (p / prev).ln()
}

/// Streaming simple and log returns: each price gives both returns from the
/// previous price (NaN for the first), equal to the batch forms' values.
#[derive(Debug, Clone, Default)]
pub struct ReturnsStream {
    prev: Option<f64>,
    index: usize,
}

impl ReturnsStream {
    /// A stream that has seen no price.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next price; returns `(simple, log)` returns from the previous
    /// one. A refused price leaves the stream unchanged.
    pub fn update(&mut self, price: f64) -> Result<(f64, f64), AnalyticsError> {
        positive("price", self.index, price)?;
        let out = match self.prev {
            Some(prev) => (simple_return(prev, price), log_return(prev, price)),
            None => (f64::NAN, f64::NAN),
        };
        self.prev = Some(price);
        self.index += 1;
        Ok(out)
    }
}
