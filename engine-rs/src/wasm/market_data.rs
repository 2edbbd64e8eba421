//! JS bindings of the market-data analytics ([`crate::analytics`]): batch
//! functions take Float64Arrays and return one Float64Array; streaming forms
//! are classes with `update`. Bad input throws an Error naming the argument.
//! Functions with a SIMD path take an optional last `scalar` flag (true: the
//! one-element-at-a-time path), so hosts and benchmarks can run either.

use super::whole;
use crate::analytics::{self as a, AnalyticsError, Bar, BarKind, Bars, Path};
use wasm_bindgen::prelude::*;

fn js(e: AnalyticsError) -> JsError {
    JsError::new(&e.to_string())
}

fn path(scalar: Option<bool>) -> Path {
    if scalar == Some(true) {
        Path::Scalar
    } else {
        Path::Simd
    }
}

/// A count argument (window, levels, trades) as an exact integer ≥ 0.
fn count(name: &str, v: f64) -> Result<usize, JsError> {
    whole(name, v, f64::from(u32::MAX)).map(|n| n as usize)
}

fn bar_record(b: &Bar) -> Vec<f64> {
    vec![b.start, b.open, b.high, b.low, b.close, b.volume, b.count as f64, b.vwap]
}

fn columns(b: Result<Bars, AnalyticsError>) -> Result<Vec<f64>, JsError> {
    b.map(|b| b.to_columns()).map_err(js)
}

/// Cumulative VWAP at each trade.
#[wasm_bindgen]
pub fn vwap(price: &[f64], size: &[f64], scalar: Option<bool>) -> Result<Vec<f64>, JsError> {
    a::vwap(price, size, path(scalar)).map_err(js)
}

/// VWAP of the last `window` trades at each trade (NaN during warm-up).
#[wasm_bindgen(js_name = rollingVwap)]
pub fn rolling_vwap(price: &[f64], size: &[f64], window: f64, scalar: Option<bool>) -> Result<Vec<f64>, JsError> {
    a::rolling_vwap(price, size, count("window", window)?, path(scalar)).map_err(js)
}

/// VWAP restarting at each session: periods of `sessionMs` aligned to its multiples shifted by `offsetMs`.
#[wasm_bindgen(js_name = sessionVwap)]
pub fn session_vwap(
    ts: &[f64],
    price: &[f64],
    size: &[f64],
    session_ms: f64,
    offset_ms: f64,
) -> Result<Vec<f64>, JsError> {
    a::session_vwap(ts, price, size, session_ms, offset_ms).map_err(js)
}

/// Cumulative time-weighted average price at each trade (NaN while no time has passed).
#[wasm_bindgen]
pub fn twap(ts: &[f64], price: &[f64]) -> Result<Vec<f64>, JsError> {
    a::twap(ts, price).map_err(js)
}

/// `ask − bid` of each quote.
#[wasm_bindgen]
pub fn spread(bid: &[f64], ask: &[f64], scalar: Option<bool>) -> Result<Vec<f64>, JsError> {
    a::spread(bid, ask, path(scalar)).map_err(js)
}

/// `(bid + ask) / 2` of each quote.
#[wasm_bindgen]
pub fn mid(bid: &[f64], ask: &[f64], scalar: Option<bool>) -> Result<Vec<f64>, JsError> {
    a::mid(bid, ask, path(scalar)).map_err(js)
}

/// Size-weighted mid of each quote.
#[wasm_bindgen]
pub fn microprice(
    bid: &[f64],
    ask: &[f64],
    bid_size: &[f64],
    ask_size: &[f64],
    scalar: Option<bool>,
) -> Result<Vec<f64>, JsError> {
    a::microprice(bid, ask, bid_size, ask_size, path(scalar)).map_err(js)
}

/// Top-`levels` imbalance of snapshots of a `depth`-level book (sizes row after row, best level first).
#[wasm_bindgen(js_name = bookImbalance)]
pub fn book_imbalance(bid_sizes: &[f64], ask_sizes: &[f64], depth: f64, levels: f64) -> Result<Vec<f64>, JsError> {
    a::book_imbalance(bid_sizes, ask_sizes, count("depth", depth)?, count("levels", levels)?).map_err(js)
}

/// Cont–Kukanov–Stoikov order-flow imbalance of each quote (NaN at index 0).
#[wasm_bindgen(js_name = orderFlowImbalance)]
pub fn order_flow_imbalance(bid: &[f64], bid_size: &[f64], ask: &[f64], ask_size: &[f64]) -> Result<Vec<f64>, JsError> {
    a::order_flow_imbalance(bid, bid_size, ask, ask_size).map_err(js)
}

/// Realized volatility `sqrt(Σ r²)` of the last `window` log returns at each price.
#[wasm_bindgen(js_name = realizedVolatility)]
pub fn realized_volatility(price: &[f64], window: f64) -> Result<Vec<f64>, JsError> {
    a::realized_volatility(price, count("window", window)?).map_err(js)
}

/// Simple returns (NaN at index 0).
#[wasm_bindgen(js_name = simpleReturns)]
pub fn simple_returns(price: &[f64], scalar: Option<bool>) -> Result<Vec<f64>, JsError> {
    a::simple_returns(price, path(scalar)).map_err(js)
}

/// Log returns (NaN at index 0).
#[wasm_bindgen(js_name = logReturns)]
pub fn log_returns(price: &[f64]) -> Result<Vec<f64>, JsError> {
    a::log_returns(price).map_err(js)
}

/// Time bars of `intervalMs` aligned to UTC multiples, as 8 columns one after
/// another (start, open, high, low, close, volume, count, vwap), n values each.
#[wasm_bindgen(js_name = timeBars)]
pub fn time_bars(ts: &[f64], price: &[f64], size: &[f64], interval_ms: f64) -> Result<Vec<f64>, JsError> {
    columns(a::time_bars(ts, price, size, interval_ms))
}

/// Bars of `trades` trades each, as in `timeBars`.
#[wasm_bindgen(js_name = tickBars)]
pub fn tick_bars(ts: &[f64], price: &[f64], size: &[f64], trades: f64) -> Result<Vec<f64>, JsError> {
    columns(a::tick_bars(ts, price, size, count("trades", trades)? as u64))
}

/// Bars closing once their volume reaches `volume`, as in `timeBars`.
#[wasm_bindgen(js_name = volumeBars)]
pub fn volume_bars(ts: &[f64], price: &[f64], size: &[f64], volume: f64) -> Result<Vec<f64>, JsError> {
    columns(a::volume_bars(ts, price, size, volume))
}

/// Bars closing once their traded value Σ p·v reaches `value`, as in `timeBars`.
#[wasm_bindgen(js_name = dollarBars)]
pub fn dollar_bars(ts: &[f64], price: &[f64], size: &[f64], value: f64) -> Result<Vec<f64>, JsError> {
    columns(a::dollar_bars(ts, price, size, value))
}

/// Streaming cumulative VWAP.
#[wasm_bindgen]
pub struct VwapStream(a::VwapStream);

#[wasm_bindgen]
impl VwapStream {
    /// A stream that has seen no trade.
    #[wasm_bindgen(constructor)]
    pub fn new() -> VwapStream {
        VwapStream(a::VwapStream::new())
    }
    /// VWAP including this trade.
    pub fn update(&mut self, price: f64, size: f64) -> Result<f64, JsError> {
        self.0.update(price, size).map_err(js)
    }
}

impl Default for VwapStream {
    fn default() -> Self {
        Self::new()
    }
}

/// Streaming rolling VWAP over the last `window` trades.
#[wasm_bindgen]
pub struct RollingVwapStream(a::RollingVwapStream);

#[wasm_bindgen]
impl RollingVwapStream {
    /// A rolling VWAP over `window` (≥ 1) trades.
    #[wasm_bindgen(constructor)]
    pub fn new(window: f64) -> Result<RollingVwapStream, JsError> {
        Ok(RollingVwapStream(a::RollingVwapStream::new(count("window", window)?).map_err(js)?))
    }
    /// VWAP of the last `window` trades including this one (NaN during warm-up).
    pub fn update(&mut self, price: f64, size: f64) -> Result<f64, JsError> {
        self.0.update(price, size).map_err(js)
    }
}

/// Streaming session-anchored VWAP.
#[wasm_bindgen]
pub struct SessionVwapStream(a::SessionVwapStream);

#[wasm_bindgen]
impl SessionVwapStream {
    /// Sessions of `sessionMs` aligned to its multiples shifted by `offsetMs`.
    #[wasm_bindgen(constructor)]
    pub fn new(session_ms: f64, offset_ms: f64) -> Result<SessionVwapStream, JsError> {
        Ok(SessionVwapStream(a::SessionVwapStream::new(session_ms, offset_ms).map_err(js)?))
    }
    /// VWAP of this trade's session so far.
    pub fn update(&mut self, ts: f64, price: f64, size: f64) -> Result<f64, JsError> {
        self.0.update(ts, price, size).map_err(js)
    }
}

/// Streaming cumulative TWAP.
#[wasm_bindgen]
pub struct TwapStream(a::TwapStream);

#[wasm_bindgen]
impl TwapStream {
    /// A stream that has seen no trade.
    #[wasm_bindgen(constructor)]
    pub fn new() -> TwapStream {
        TwapStream(a::TwapStream::new())
    }
    /// TWAP from the first trade's time to `ts`.
    pub fn update(&mut self, ts: f64, price: f64) -> Result<f64, JsError> {
        self.0.update(ts, price).map_err(js)
    }
}

impl Default for TwapStream {
    fn default() -> Self {
        Self::new()
    }
}

/// Streaming spread, mid and microprice.
#[wasm_bindgen]
pub struct QuoteStream(a::QuoteStream);

#[wasm_bindgen]
impl QuoteStream {
    /// A stream that has seen no quote.
    #[wasm_bindgen(constructor)]
    pub fn new() -> QuoteStream {
        QuoteStream(a::QuoteStream::new())
    }
    /// `[spread, mid, microprice]` of this quote.
    pub fn update(&mut self, bid: f64, ask: f64, bid_size: f64, ask_size: f64) -> Result<Vec<f64>, JsError> {
        let m = self.0.update(bid, ask, bid_size, ask_size).map_err(js)?;
        Ok(vec![m.spread, m.mid, m.microprice])
    }
}

impl Default for QuoteStream {
    fn default() -> Self {
        Self::new()
    }
}

/// Streaming top-N book imbalance.
#[wasm_bindgen]
pub struct BookImbalanceStream(a::BookImbalanceStream);

#[wasm_bindgen]
impl BookImbalanceStream {
    /// Imbalance over the best `levels` (≥ 1) levels.
    #[wasm_bindgen(constructor)]
    pub fn new(levels: f64) -> Result<BookImbalanceStream, JsError> {
        Ok(BookImbalanceStream(a::BookImbalanceStream::new(count("levels", levels)?).map_err(js)?))
    }
    /// Imbalance of one snapshot (each side's sizes best first, at least `levels`).
    pub fn update(&mut self, bid_sizes: &[f64], ask_sizes: &[f64]) -> Result<f64, JsError> {
        self.0.update(bid_sizes, ask_sizes).map_err(js)
    }
}

/// Streaming order-flow imbalance.
#[wasm_bindgen(js_name = OrderFlowImbalanceStream)]
pub struct OfiStream(a::OfiStream);

#[wasm_bindgen(js_class = OrderFlowImbalanceStream)]
impl OfiStream {
    /// A stream that has seen no quote.
    #[wasm_bindgen(constructor)]
    pub fn new() -> OfiStream {
        OfiStream(a::OfiStream::new())
    }
    /// `e_n` of this quote (NaN for the first).
    pub fn update(&mut self, bid: f64, bid_size: f64, ask: f64, ask_size: f64) -> Result<f64, JsError> {
        self.0.update(bid, bid_size, ask, ask_size).map_err(js)
    }
}

impl Default for OfiStream {
    fn default() -> Self {
        Self::new()
    }
}

/// Streaming realized volatility.
#[wasm_bindgen]
pub struct RealizedVolatilityStream(a::RealizedVolatilityStream);

#[wasm_bindgen]
impl RealizedVolatilityStream {
    /// Over `window` (≥ 1) log returns.
    #[wasm_bindgen(constructor)]
    pub fn new(window: f64) -> Result<RealizedVolatilityStream, JsError> {
        Ok(RealizedVolatilityStream(a::RealizedVolatilityStream::new(count("window", window)?).map_err(js)?))
    }
    /// Volatility of the last `window` returns up to this price (NaN during warm-up).
    pub fn update(&mut self, price: f64) -> Result<f64, JsError> {
        self.0.update(price).map_err(js)
    }
}

/// Streaming simple and log returns.
#[wasm_bindgen]
pub struct ReturnsStream(a::ReturnsStream);

#[wasm_bindgen]
impl ReturnsStream {
    /// A stream that has seen no price.
    #[wasm_bindgen(constructor)]
    pub fn new() -> ReturnsStream {
        ReturnsStream(a::ReturnsStream::new())
    }
    /// `[simple, log]` return from the previous price (NaN for the first).
    pub fn update(&mut self, price: f64) -> Result<Vec<f64>, JsError> {
        let (s, l) = self.0.update(price).map_err(js)?;
        Ok(vec![s, l])
    }
}

impl Default for ReturnsStream {
    fn default() -> Self {
        Self::new()
    }
}

/// Streaming bars: feed trades in time order; `update` returns a completed bar
/// as `[start, open, high, low, close, volume, count, vwap]`, or undefined.
#[wasm_bindgen]
pub struct BarBuilder(a::BarBuilder);

#[wasm_bindgen]
impl BarBuilder {
    /// Time bars of `intervalMs` aligned to UTC multiples.
    pub fn time(interval_ms: f64) -> Result<BarBuilder, JsError> {
        Ok(BarBuilder(a::BarBuilder::new(BarKind::Time(interval_ms)).map_err(js)?))
    }
    /// Bars of `trades` trades.
    pub fn tick(trades: f64) -> Result<BarBuilder, JsError> {
        Ok(BarBuilder(a::BarBuilder::new(BarKind::Tick(count("trades", trades)? as u64)).map_err(js)?))
    }
    /// Bars closing once their volume reaches `volume`.
    pub fn volume(volume: f64) -> Result<BarBuilder, JsError> {
        Ok(BarBuilder(a::BarBuilder::new(BarKind::Volume(volume)).map_err(js)?))
    }
    /// Bars closing once their traded value reaches `value`.
    pub fn dollar(value: f64) -> Result<BarBuilder, JsError> {
        Ok(BarBuilder(a::BarBuilder::new(BarKind::Dollar(value)).map_err(js)?))
    }
    /// Adds a trade; returns the bar it completes, if any.
    pub fn update(&mut self, ts: f64, price: f64, size: f64) -> Result<Option<Vec<f64>>, JsError> {
        Ok(self.0.update(ts, price, size).map_err(js)?.as_ref().map(bar_record))
    }
    /// Hands over the bar in progress (incomplete), if any.
    pub fn flush(&mut self) -> Option<Vec<f64>> {
        self.0.flush().as_ref().map(bar_record)
    }
}
