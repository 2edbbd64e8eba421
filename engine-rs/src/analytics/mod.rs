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
pub use imbalance::{book_imbalance, book_imbalance_into, BookImbalanceStream};
pub use ofi::{order_flow_imbalance, order_flow_imbalance_into, OfiStream};
pub use quotes::{microprice, microprice_into, mid, mid_into, spread, spread_into, QuoteMeasures, QuoteStream};
pub use returns::{log_returns, log_returns_into, simple_returns, simple_returns_into, ReturnsStream};
pub use volatility::{realized_volatility, realized_volatility_into, RealizedVolatilityStream};
pub use vwap::{
    rolling_vwap, rolling_vwap_into, session_vwap, session_vwap_into, twap, twap_into, vwap, vwap_into,
    RollingVwapStream, SessionVwapStream, TwapStream, VwapStream,
};
