//! JS bindings of the market-data analytics ([`crate::analytics`]). Batch
//! functions work on [`F64Buffer`] columns in WASM memory, as the indicators
//! do: inputs are read in place and outputs written into caller buffers of the
//! right length (bars, whose count is known only at the end, come back as a
//! new buffer), so nothing is copied across the boundary. Streaming forms are
//! classes with `update`. Bad input throws an Error naming the argument, and
//! leaves the outputs untouched. Functions with a SIMD path take an optional
//! last `simd` flag (default true; false: the one-element-at-a-time path).

use super::analytics::F64Buffer;
use super::whole;
use crate::analytics::{self as a, AnalyticsError, Bar, BarKind, Bars, Path};
use wasm_bindgen::prelude::*;

fn js(e: AnalyticsError) -> JsError {
    JsError::new(&e.to_string())
}

fn path(simd: Option<bool>) -> Path {
    if simd.unwrap_or(true) {
        Path::Simd
    } else {
        Path::Scalar
    }
}

/// A count argument (window, levels, trades) as an exact integer ≥ 0.
fn count(name: &str, v: f64) -> Result<usize, JsError> {
    whole(name, v, f64::from(u32::MAX)).map(|n| n as usize)
}

fn bar_record(b: &Bar) -> Vec<f64> {
    vec![b.start, b.open, b.high, b.low, b.close, b.volume, b.count as f64, b.vwap]
}

fn columns(b: Result<Bars, AnalyticsError>) -> Result<F64Buffer, JsError> {
    b.map(|b| F64Buffer::from_values(b.to_columns())).map_err(js)
}

/// Cumulative VWAP at each trade, into `out`.
#[wasm_bindgen]
pub fn vwap(price: &F64Buffer, size: &F64Buffer, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    a::vwap_into(price.values(), size.values(), out.values_mut(), path(simd)).map_err(js)
}

/// VWAP of the last `window` trades at each trade (NaN during warm-up), into `out`.
#[wasm_bindgen(js_name = rollingVwap)]
pub fn rolling_vwap(
    price: &F64Buffer,
    size: &F64Buffer,
    window: f64,
    out: &mut F64Buffer,
    simd: Option<bool>,
) -> Result<(), JsError> {
    a::rolling_vwap_into(price.values(), size.values(), count("window", window)?, out.values_mut(), path(simd))
        .map_err(js)
}

/// VWAP restarting at each session (periods of `sessionMs` aligned to its
/// multiples shifted by `offsetMs`), into `out`.
#[wasm_bindgen(js_name = sessionVwap)]
pub fn session_vwap(
    ts: &F64Buffer,
    price: &F64Buffer,
    size: &F64Buffer,
    session_ms: f64,
    offset_ms: f64,
    out: &mut F64Buffer,
) -> Result<(), JsError> {
    a::session_vwap_into(ts.values(), price.values(), size.values(), session_ms, offset_ms, out.values_mut())
        .map_err(js)
}

/// Cumulative time-weighted average price at each trade (NaN while no time has passed), into `out`.
#[wasm_bindgen]
pub fn twap(ts: &F64Buffer, price: &F64Buffer, out: &mut F64Buffer) -> Result<(), JsError> {
    a::twap_into(ts.values(), price.values(), out.values_mut()).map_err(js)
}

/// `ask − bid` of each quote, into `out`.
#[wasm_bindgen]
pub fn spread(bid: &F64Buffer, ask: &F64Buffer, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    a::spread_into(bid.values(), ask.values(), out.values_mut(), path(simd)).map_err(js)
}

/// `(bid + ask) / 2` of each quote, into `out`.
#[wasm_bindgen]
pub fn mid(bid: &F64Buffer, ask: &F64Buffer, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    a::mid_into(bid.values(), ask.values(), out.values_mut(), path(simd)).map_err(js)
}

/// Size-weighted mid of each quote, into `out`.
#[wasm_bindgen]
pub fn microprice(
    bid: &F64Buffer,
    ask: &F64Buffer,
    bid_size: &F64Buffer,
    ask_size: &F64Buffer,
    out: &mut F64Buffer,
    simd: Option<bool>,
) -> Result<(), JsError> {
    a::microprice_into(bid.values(), ask.values(), bid_size.values(), ask_size.values(), out.values_mut(), path(simd))
        .map_err(js)
}

/// Top-`levels` imbalance of snapshots of a `depth`-level book (sizes row
/// after row, best level first), one value per snapshot into `out`.
#[wasm_bindgen(js_name = bookImbalance)]
pub fn book_imbalance(
    bid_sizes: &F64Buffer,
    ask_sizes: &F64Buffer,
    depth: f64,
    levels: f64,
    out: &mut F64Buffer,
) -> Result<(), JsError> {
    let (depth, levels) = (count("depth", depth)?, count("levels", levels)?);
    a::book_imbalance_into(bid_sizes.values(), ask_sizes.values(), depth, levels, out.values_mut()).map_err(js)
}

/// Cont–Kukanov–Stoikov order-flow imbalance of each quote (NaN at index 0), into `out`.
#[wasm_bindgen(js_name = orderFlowImbalance)]
pub fn order_flow_imbalance(
    bid: &F64Buffer,
    bid_size: &F64Buffer,
    ask: &F64Buffer,
    ask_size: &F64Buffer,
    out: &mut F64Buffer,
) -> Result<(), JsError> {
    a::order_flow_imbalance_into(bid.values(), bid_size.values(), ask.values(), ask_size.values(), out.values_mut())
        .map_err(js)
}

/// Realized volatility `sqrt(Σ r²)` of the last `window` log returns at each price, into `out`.
#[wasm_bindgen(js_name = realizedVolatility)]
pub fn realized_volatility(price: &F64Buffer, window: f64, out: &mut F64Buffer) -> Result<(), JsError> {
    a::realized_volatility_into(price.values(), count("window", window)?, out.values_mut()).map_err(js)
}

/// Simple returns (NaN at index 0), into `out`.
#[wasm_bindgen(js_name = simpleReturns)]
pub fn simple_returns(price: &F64Buffer, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    a::simple_returns_into(price.values(), out.values_mut(), path(simd)).map_err(js)
}

/// Log returns (NaN at index 0), into `out`.
#[wasm_bindgen(js_name = logReturns)]
pub fn log_returns(price: &F64Buffer, out: &mut F64Buffer) -> Result<(), JsError> {
    a::log_returns_into(price.values(), out.values_mut()).map_err(js)
}

/// Time bars of `intervalMs` aligned to UTC multiples, as a new buffer of 8
/// columns one after another (start, open, high, low, close, volume, count,
/// vwap), n values each: column c of bar i at `c * n + i`.
#[wasm_bindgen(js_name = timeBars)]
pub fn time_bars(ts: &F64Buffer, price: &F64Buffer, size: &F64Buffer, interval_ms: f64) -> Result<F64Buffer, JsError> {
    columns(a::time_bars(ts.values(), price.values(), size.values(), interval_ms))
}

/// Bars of `trades` trades each, as in `timeBars`.
#[wasm_bindgen(js_name = tickBars)]
pub fn tick_bars(ts: &F64Buffer, price: &F64Buffer, size: &F64Buffer, trades: f64) -> Result<F64Buffer, JsError> {
    columns(a::tick_bars(ts.values(), price.values(), size.values(), count("trades", trades)? as u64))
}

/// Bars closing once their volume reaches `volume`, as in `timeBars`.
#[wasm_bindgen(js_name = volumeBars)]
pub fn volume_bars(ts: &F64Buffer, price: &F64Buffer, size: &F64Buffer, volume: f64) -> Result<F64Buffer, JsError> {
    columns(a::volume_bars(ts.values(), price.values(), size.values(), volume))
}

/// Bars closing once their traded value Σ p·v reaches `value`, as in `timeBars`.
#[wasm_bindgen(js_name = dollarBars)]
pub fn dollar_bars(ts: &F64Buffer, price: &F64Buffer, size: &F64Buffer, value: f64) -> Result<F64Buffer, JsError> {
    columns(a::dollar_bars(ts.values(), price.values(), size.values(), value))
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
