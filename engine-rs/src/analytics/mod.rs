//! Market-data analytics over columns of f64: indicators, microstructure
//! measures and bars, each in a batch form (slices in, slices out) and a
//! streaming form (one update at a time) that give identical results.

mod error;
pub mod indicators;
pub mod simd;

pub use error::AnalyticsError;
pub use simd::Path;
