//! Order-flow imbalance of Cont, Kukanov and Stoikov ("The price impact of
//! order book events", 2014), from consecutive best bid/ask quotes n−1 → n:
//!
//! ```text
//! e_n =  [bid_n ≥ bid_{n−1}] · bidSize_n − [bid_n ≤ bid_{n−1}] · bidSize_{n−1}
//!      − [ask_n ≤ ask_{n−1}] · askSize_n + [ask_n ≥ ask_{n−1}] · askSize_{n−1}
//! ```
//!
//! Positive when buying pressure grows (bid size added or the bid stepping up,
//! ask size removed or the ask stepping up). The OFI over an interval is the
//! sum of its `e_n`. The first quote has no predecessor: its `e` is NaN.

use super::market_input::{finite, non_negative, same_len};
use super::AnalyticsError;

/// One best-bid/ask quote.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Top {
    bid: f64,
    bid_size: f64,
    ask: f64,
    ask_size: f64,
}

fn check(index: usize, q: Top) -> Result<(), AnalyticsError> {
    finite("bid", index, q.bid)?;
    non_negative("bid_size", index, q.bid_size)?;
    finite("ask", index, q.ask)?;
    non_negative("ask_size", index, q.ask_size)
}

/// `e_n` from quote `p` (n−1) to `q` (n).
#[inline]
fn flow(p: Top, q: Top) -> f64 {
    let mut e = 0.0;
    if q.bid >= p.bid {
        e += q.bid_size;
    }
    if q.bid <= p.bid {
        e -= p.bid_size;
    }
    if q.ask <= p.ask {
        e -= q.ask_size;
    }
    if q.ask >= p.ask {
        e += p.ask_size;
    }
    e
}

/// Per-quote order-flow imbalance `e_n` (NaN at index 0).
pub fn order_flow_imbalance(
    bid: &[f64],
    bid_size: &[f64],
    ask: &[f64],
    ask_size: &[f64],
) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![f64::NAN; bid.len()];
    order_flow_imbalance_into(bid, bid_size, ask, ask_size, &mut out)?;
    Ok(out)
}

/// [`order_flow_imbalance`] into `out` (the series' length); nothing is written on an error.
pub fn order_flow_imbalance_into(
    bid: &[f64],
    bid_size: &[f64],
    ask: &[f64],
    ask_size: &[f64],
    out: &mut [f64],
) -> Result<(), AnalyticsError> {
    let n = bid.len();
    same_len("bid_size", bid_size, n)?;
    same_len("ask", ask, n)?;
    same_len("ask_size", ask_size, n)?;
    let top = |i: usize| Top { bid: bid[i], bid_size: bid_size[i], ask: ask[i], ask_size: ask_size[i] };
    for i in 0..n {
        check(i, top(i))?;
    }
    same_len("out", out, n)?;
    if let Some(first) = out.first_mut() {
        *first = f64::NAN;
    }
    for (i, o) in out.iter_mut().enumerate().skip(1) {
        *o = flow(top(i - 1), top(i));
    }
    Ok(())
}

/// Streaming form: one quote at a time, the same values as [`order_flow_imbalance`].
#[derive(Debug, Clone, Default)]
pub struct OfiStream {
    prev: Option<Top>,
    index: usize,
}

impl OfiStream {
    /// A stream that has seen no quote.
    pub fn new() -> Self {
        Self::default()
    }

    /// `e_n` of the next quote (NaN for the first). A refused quote changes nothing.
    pub fn update(&mut self, bid: f64, bid_size: f64, ask: f64, ask_size: f64) -> Result<f64, AnalyticsError> {
        let q = Top { bid, bid_size, ask, ask_size };
        check(self.index, q)?;
        let e = self.prev.map_or(f64::NAN, |p| flow(p, q));
        self.prev = Some(q);
        self.index += 1;
        Ok(e)
    }
}
