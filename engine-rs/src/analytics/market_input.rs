//! Input checks shared by the market-data analytics: each names the argument it
//! refuses, so a host can report the error as the caller wrote it.

use super::simd::{first_negative_or_non_finite, first_non_finite, Path};
use super::AnalyticsError;

/// `col` has the same length as the series (`expected`).
pub(crate) fn same_len(field: &'static str, col: &[f64], expected: usize) -> Result<(), AnalyticsError> {
    if col.len() == expected {
        Ok(())
    } else {
        Err(AnalyticsError::LengthMismatch { field, expected, got: col.len() })
    }
}

/// One value is finite.
pub(crate) fn finite(field: &'static str, index: usize, v: f64) -> Result<(), AnalyticsError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(AnalyticsError::NotFinite { field, index })
    }
}

/// One value is finite and > 0 (a price that returns divide by or take the log of).
pub(crate) fn positive(field: &'static str, index: usize, v: f64) -> Result<(), AnalyticsError> {
    finite(field, index, v)?;
    if v > 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::OutOfRange { field, index, reason: "must be greater than 0" })
    }
}

/// One value is finite and ≥ 0 (a size or a volume).
pub(crate) fn non_negative(field: &'static str, index: usize, v: f64) -> Result<(), AnalyticsError> {
    finite(field, index, v)?;
    if v >= 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::OutOfRange { field, index, reason: "must not be negative" })
    }
}

/// Timestamp `t` is finite and not before the previous one.
pub(crate) fn time_forward(field: &'static str, index: usize, prev: Option<f64>, t: f64) -> Result<(), AnalyticsError> {
    finite(field, index, t)?;
    match prev {
        Some(p) if t < p => Err(AnalyticsError::OutOfRange { field, index, reason: "timestamp goes back in time" }),
        _ => Ok(()),
    }
}

/// Every value of a column is finite (scanned in lanes on the SIMD path).
pub(crate) fn all_finite(field: &'static str, col: &[f64], path: Path) -> Result<(), AnalyticsError> {
    first_non_finite(col, path).map_or(Ok(()), |i| finite(field, i, col[i]))
}

/// Every value of a column is finite and > 0.
pub(crate) fn all_positive(field: &'static str, col: &[f64]) -> Result<(), AnalyticsError> {
    col.iter().enumerate().try_for_each(|(i, &v)| positive(field, i, v))
}

/// Every value of a column is finite and ≥ 0 (scanned in lanes on the SIMD path).
pub(crate) fn all_non_negative(field: &'static str, col: &[f64], path: Path) -> Result<(), AnalyticsError> {
    first_negative_or_non_finite(col, path).map_or(Ok(()), |i| non_negative(field, i, col[i]))
}

/// A timestamp column is finite and never goes back in time.
pub(crate) fn all_time_forward(field: &'static str, col: &[f64]) -> Result<(), AnalyticsError> {
    let mut prev = None;
    for (i, &t) in col.iter().enumerate() {
        time_forward(field, i, prev, t)?;
        prev = Some(t);
    }
    Ok(())
}

/// A window (a count of points) from 1 to the series length.
pub(crate) fn window(field: &'static str, window: usize, len: usize) -> Result<(), AnalyticsError> {
    if window >= 1 && window <= len {
        Ok(())
    } else {
        Err(AnalyticsError::BadWindow { field, window, len })
    }
}

/// A window for a streaming form, where the series length is not known: ≥ 1.
pub(crate) fn stream_window(field: &'static str, window: usize) -> Result<(), AnalyticsError> {
    if window >= 1 {
        Ok(())
    } else {
        Err(AnalyticsError::BadWindow { field, window, len: 0 })
    }
}

/// A size parameter (bar length, threshold, session length): finite and > 0.
pub(crate) fn positive_param(field: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::BadParam { field, reason: "must be a finite number greater than 0" })
    }
}

/// A finite parameter (an offset).
pub(crate) fn finite_param(field: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(AnalyticsError::BadParam { field, reason: "must be a finite number" })
    }
}

/// Start of the period of length `size` containing `t`, periods being aligned
/// to multiples of `size` shifted by `offset` (`offset` 0: UTC multiples when
/// `t` is ms since the Unix epoch). Uses the remainder, which is exact in
/// floating point, so integer timestamps never land in the neighbouring period.
pub(crate) fn period_start(t: f64, size: f64, offset: f64) -> f64 {
    let shifted = t - offset;
    shifted - shifted.rem_euclid(size) + offset
}

/// A running sum carried as an unevaluated pair `hi + lo` (Knuth's TwoSum
/// keeps in `lo` what rounding drops from `hi`). A window's sum is the
/// difference of two running sums; with the pair it stays accurate to about
/// one rounding of the window's own sum however long the series before it,
/// where a plain running sum would lose digits in proportion to the series'
/// total. Batch and streaming forms share it, so they agree bit for bit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct RunningSum {
    hi: f64,
    lo: f64,
}

impl RunningSum {
    /// Adds `x`.
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        let s = self.hi + x;
        let back = s - self.hi;
        self.lo += (self.hi - (s - back)) + (x - back);
        self.hi = s;
    }

    /// Sum of what was added after `earlier` (a copy of this sum taken before).
    #[inline]
    pub(crate) fn since(self, earlier: RunningSum) -> f64 {
        (self.hi - earlier.hi) + (self.lo - earlier.lo)
    }

    /// Everything added.
    #[inline]
    pub(crate) fn total(self) -> f64 {
        self.hi + self.lo
    }
}
