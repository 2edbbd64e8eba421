//! Why an analytics call refused its input: bad input is named, never computed on.

use core::fmt;

/// A rejected analytics input. `field` is the argument's name as the caller
/// knows it (`"close"`, `"window"`), so hosts can report it as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsError {
    /// Two columns that must be the same length are not.
    LengthMismatch { field: &'static str, expected: usize, got: usize },
    /// A window or period of 0, or longer than the series.
    BadWindow { field: &'static str, window: usize, len: usize },
    /// A NaN or infinite value where a number is needed.
    NotFinite { field: &'static str, index: usize },
    /// A value outside the domain the function accepts (a negative volume, a
    /// timestamp that goes back in time, a non-positive bar size).
    OutOfRange { field: &'static str, index: usize, reason: &'static str },
    /// A parameter that makes no sense on its own (fast period ≥ slow period).
    BadParam { field: &'static str, reason: &'static str },
}

impl AnalyticsError {
    /// The argument the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::LengthMismatch { field, .. }
            | Self::BadWindow { field, .. }
            | Self::NotFinite { field, .. }
            | Self::OutOfRange { field, .. }
            | Self::BadParam { field, .. } => field,
        }
    }
}

impl fmt::Display for AnalyticsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch { field, expected, got } => {
                write!(f, "{field}: length {got} does not match the series length {expected}")
            }
            Self::BadWindow { field, window, len } => {
                write!(f, "{field}: window {window} must be from 1 to the series length {len}")
            }
            Self::NotFinite { field, index } => write!(f, "{field}[{index}]: value is NaN or infinite"),
            Self::OutOfRange { field, index, reason } => write!(f, "{field}[{index}]: {reason}"),
            Self::BadParam { field, reason } => write!(f, "{field}: {reason}"),
        }
    }
}

impl std::error::Error for AnalyticsError {}
