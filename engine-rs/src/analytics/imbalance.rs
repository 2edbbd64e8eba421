//! Top-N book imbalance: `(B − A) / (B + A)` where B and A are the sizes
//! summed over the best `levels` price levels of each side. It runs from −1
//! (only asks) to +1 (only bids); a book with no size in those levels has no
//! imbalance and gives NaN.
//!
//! Batch layout: one row per book snapshot, `depth` sizes per row, best level
//! first, row after row (`sizes[row * depth + level]`); a level that does not
//! exist has size 0.

use super::market_input::{non_negative, positive_param, same_len, stream_window};
use super::AnalyticsError;

/// Imbalance of one snapshot from its two summed sizes.
#[inline]
fn imbalance_of(bid: f64, ask: f64) -> f64 {
    let total = bid + ask;
    if total > 0.0 {
        (bid - ask) / total
    } else {
        f64::NAN
    }
}

/// Sum of the first `levels` sizes of one side, checked; `row` names the snapshot.
fn side_sum(field: &'static str, row: usize, sizes: &[f64], levels: usize) -> Result<f64, AnalyticsError> {
    let mut sum = 0.0;
    for &s in &sizes[..levels] {
        non_negative(field, row, s)?;
        sum += s;
    }
    Ok(sum)
}

fn check_levels(levels: usize, depth: usize) -> Result<(), AnalyticsError> {
    if levels >= 1 && levels <= depth {
        Ok(())
    } else {
        Err(AnalyticsError::BadWindow { field: "levels", window: levels, len: depth })
    }
}

/// Top-`levels` imbalance of each snapshot of a `depth`-level book (see the
/// module notes for the layout). Sizes beyond `levels` are not read.
pub fn book_imbalance(
    bid_sizes: &[f64],
    ask_sizes: &[f64],
    depth: usize,
    levels: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![f64::NAN; bid_sizes.len() / depth.max(1)];
    book_imbalance_into(bid_sizes, ask_sizes, depth, levels, &mut out)?;
    Ok(out)
}

/// [`book_imbalance`] into `out`, one value per snapshot (`bid_sizes.len() / depth`);
/// nothing is written on an error.
pub fn book_imbalance_into(
    bid_sizes: &[f64],
    ask_sizes: &[f64],
    depth: usize,
    levels: usize,
    out: &mut [f64],
) -> Result<(), AnalyticsError> {
    positive_param("depth", depth as f64)?;
    check_levels(levels, depth)?;
    if bid_sizes.len() % depth != 0 {
        return Err(AnalyticsError::BadParam { field: "bid_sizes", reason: "length is not a multiple of depth" });
    }
    same_len("ask_sizes", ask_sizes, bid_sizes.len())?;
    let rows = bid_sizes.len() / depth;
    same_len("out", out, rows)?;
    // Every size is checked before the first output is written.
    for r in 0..rows {
        side_sum("bid_sizes", r, &bid_sizes[r * depth..], levels)?;
        side_sum("ask_sizes", r, &ask_sizes[r * depth..], levels)?;
    }
    for (r, o) in out.iter_mut().enumerate() {
        let bid = side_sum("bid_sizes", r, &bid_sizes[r * depth..], levels)?;
        let ask = side_sum("ask_sizes", r, &ask_sizes[r * depth..], levels)?;
        *o = imbalance_of(bid, ask);
    }
    Ok(())
}

/// Streaming form: one snapshot at a time, the same values as [`book_imbalance`].
#[derive(Debug, Clone)]
pub struct BookImbalanceStream {
    levels: usize,
    index: usize,
}

impl BookImbalanceStream {
    /// Imbalance over the best `levels` levels (≥ 1).
    pub fn new(levels: usize) -> Result<Self, AnalyticsError> {
        stream_window("levels", levels)?;
        Ok(Self { levels, index: 0 })
    }

    /// Imbalance of the next snapshot: each side's sizes best first, at least
    /// `levels` of them (missing levels as 0). A refused snapshot changes nothing.
    pub fn update(&mut self, bid_sizes: &[f64], ask_sizes: &[f64]) -> Result<f64, AnalyticsError> {
        for (field, side) in [("bid_sizes", bid_sizes), ("ask_sizes", ask_sizes)] {
            if side.len() < self.levels {
                return Err(AnalyticsError::LengthMismatch { field, expected: self.levels, got: side.len() });
            }
        }
        let bid = side_sum("bid_sizes", self.index, bid_sizes, self.levels)?;
        let ask = side_sum("ask_sizes", self.index, ask_sizes, self.levels)?;
        self.index += 1;
        Ok(imbalance_of(bid, ask))
    }
}
