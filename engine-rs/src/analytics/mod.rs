//! Market-data analytics over columns of f64: indicators, microstructure
//! measures and bars, each in a batch form (slices in, slices out) and a
//! streaming form (one update at a time) that give identical results.

mod error;
pub mod indicators;
pub mod simd;

pub use error::AnalyticsError;
pub use simd::Path;

// Market data and bars.

mod bars;
mod imbalance;
mod market_input;
mod ofi;
mod quotes;
mod returns;
mod volatility;
mod vwap;

pub use bars::{bars, dollar_bars, tick_bars, time_bars, volume_bars, Bar, BarBuilder, BarKind, Bars, BAR_COLUMNS};
pub use imbalance::{book_imbalance, BookImbalanceStream};
pub use ofi::{order_flow_imbalance, OfiStream};
pub use quotes::{microprice, mid, spread, QuoteMeasures, QuoteStream};
pub use returns::{log_returns, simple_returns, ReturnsStream};
pub use volatility::{realized_volatility, RealizedVolatilityStream};
pub use vwap::{rolling_vwap, session_vwap, twap, vwap, RollingVwapStream, SessionVwapStream, TwapStream, VwapStream};
