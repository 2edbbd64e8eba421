//! The backtest as seen from JavaScript: data loaded once as columns, then
//! one `step` call per strategy instant — or one `stepBatch` call for many,
//! while nothing the strategy sent is under way — with data, order updates
//! and the strategy's commands crossing as f64 records in WASM memory.
//!
//! ```js
//! const bt = new Backtest(config);            // Float64Array, layout below
//! bt.addInstrument(1, tick, lot, minPrice, maxPrice, minQty, maxQty, makerPpm, takerPpm, makerPerUnit, takerPerUnit);
//! bt.loadBars(1, ts, open, high, low, close, volume); // Float64Arrays, copied in once
//! for (;;) {
//!   const n = bt.step(100_000);                // advance to the next strategy instant
//!   if (n < 0) break;                          // −1: done
//!   if (n === 0) continue;                     // 0: the data budget ran out (report progress)
//!   const recs = new Float64Array(wasmMemory().buffer, bt.recordsPtr(), n * backtestStride());
//!   // … run the strategy's callbacks over `recs`; the k orders they send become records in
//!   //     new Float64Array(wasmMemory().buffer, bt.commandBuffer(k), k * backtestStride())
//!   //     followed by bt.send(k) (take fresh views after any call: memory may grow).
//! }
//! const metrics = bt.metrics(); const curve = bt.equityCurve(); const trades = bt.trades();
//! ```
//!
//! Batched: `k = bt.stepBatch(100_000, 1024)` returns the number of instants
//! (0 and −1 as for `step`); `[now, end]` pairs at `bt.instantsPtr()` (2k
//! f64s) give each instant's strategy time and where its records end (in
//! records) at `recordsPtr()`. If the strategy answers instant `i` (0-based)
//! with commands, call `bt.settle(i + 1)` before `send` and drop the rest of the
//! batch; otherwise the next `stepBatch` takes all of it as handled. The
//! engine reads ahead only while no order of the strategy is live or in
//! flight and the data latency is constant, so a batch is exactly what
//! `step` would have delivered one instant at a time (see
//! `Backtest::step_batch`).
//!
//! Record layouts: `crate::backtest::record`. Config slots
//! ([`backtest_config_defaults`] gives every default):
//!
//! | slot | name | meaning |
//! | ---: | --- | --- |
//! | 0 | cash | starting cash in money units (price units × quantity units) |
//! | 1 | seed | latency seed (integer ≤ 2^53) |
//! | 2 | barMarketFill | 0 next open, 1 same-bar close |
//! | 3 | volumeCap | share of a bar's or print's volume, 0 = no cap |
//! | 4, 5 | slippageKind, slippage | 0 none, 1 ticks (integer), 2 basis points |
//! | 6, 7, 8 | orderLatencyKind, A, B | 0 constant A, 1 uniform [A, B], 2 exponential min A mean B |
//! | 9, 10, 11 | dataLatencyKind, A, B | the same for data and order updates |
//! | 12 | periodsPerYear | annualization (252) |
//! | 13 | tsPerYear | timestamp units per year (ms: 31 557 600 000) |
//! | 14, 15 | sessionLength, sessionOffset | DAY orders expire at session ends (0: DAY refused) |
//! | 16 | sampleEvery | equity sample spacing in ts units (0: every data timestamp) |
//! | 17 | subscriptions | bit 1 bars, 2 trades, 3 quotes, 4 depth, 5 L3 orders (62: all) |
//! | 18 | allowShort | 1 may sell short, 0 may not |
//! | 19 | stopTrigger | what triggers stops on print and book data: 0 prints (last), 1 the book (best ask for buys, best bid for sells) |

use crate::backtest::record::STRIDE;
use crate::backtest::{
    Backtest, BacktestConfig, BacktestResult, BarMarketFill, DataError, Latency, Metrics, Slippage, StepStatus,
    StopTrigger, Trade,
};
use crate::{Fees, InstrumentSpec, Price, Qty, SymbolId};
use wasm_bindgen::prelude::*;

/// Config slot names, in order.
const CONFIG_NAMES: [&str; 20] = [
    "cash",
    "seed",
    "barMarketFill",
    "volumeCap",
    "slippageKind",
    "slippage",
    "orderLatencyKind",
    "orderLatencyA",
    "orderLatencyB",
    "dataLatencyKind",
    "dataLatencyA",
    "dataLatencyB",
    "periodsPerYear",
    "tsPerYear",
    "sessionLength",
    "sessionOffset",
    "sampleEvery",
    "subscriptions",
    "allowShort",
    "stopTrigger",
];

const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

fn int(config: &[f64], slot: usize, max: f64) -> Result<u64, String> {
    let v = config[slot];
    if v.is_finite() && v.fract() == 0.0 && (0.0..=max).contains(&v) {
        Ok(v as u64)
    } else {
        Err(format!("config {} (slot {slot}) must be an integer from 0 to {max}, got {v}", CONFIG_NAMES[slot]))
    }
}

fn latency(config: &[f64], slot: usize) -> Result<Latency, String> {
    let (a, b) = (int(config, slot + 1, MAX_EXACT)?, int(config, slot + 2, MAX_EXACT)?);
    match int(config, slot, 2.0)? {
        0 => Ok(Latency::Constant(a)),
        1 => Ok(Latency::Uniform { lo: a, hi: b }),
        _ => Ok(Latency::Exponential { min: a, mean: b }),
    }
}

/// Decodes the config array; every error names its slot.
fn decode_config(config: &[f64]) -> Result<BacktestConfig, String> {
    if config.len() != CONFIG_NAMES.len() {
        return Err(format!("config must have {} slots, got {}", CONFIG_NAMES.len(), config.len()));
    }
    let slippage = match int(config, 4, 2.0)? {
        0 => Slippage::None,
        1 => Slippage::Ticks(int(config, 5, f64::from(u32::MAX))? as u32),
        _ => Slippage::Bps(config[5]),
    };
    Ok(BacktestConfig {
        cash: int(config, 0, MAX_EXACT)? as i64,
        seed: int(config, 1, MAX_EXACT)?,
        bar_market_fill: if int(config, 2, 1.0)? == 1 { BarMarketFill::SameClose } else { BarMarketFill::NextOpen },
        volume_cap: config[3],
        slippage,
        order_latency: latency(config, 6)?,
        data_latency: latency(config, 9)?,
        periods_per_year: config[12],
        ts_per_year: config[13],
        session_length: int(config, 14, MAX_EXACT)?,
        session_offset: int(config, 15, MAX_EXACT)?,
        sample_every: int(config, 16, MAX_EXACT)?,
        subscriptions: int(config, 17, 62.0)? as u32,
        allow_short: int(config, 18, 1.0)? == 1,
        stop_trigger: if int(config, 19, 1.0)? == 1 { StopTrigger::Quote } else { StopTrigger::Last },
    })
}

/// The default config, in the slot layout of the module docs.
#[wasm_bindgen(js_name = backtestConfigDefaults)]
pub fn backtest_config_defaults() -> Vec<f64> {
    let d = BacktestConfig::default();
    let Latency::Constant(order) = d.order_latency else { unreachable!("the default latency is constant") };
    let Latency::Constant(data) = d.data_latency else { unreachable!("the default latency is constant") };
    vec![
        d.cash as f64,
        d.seed as f64,
        0.0,
        d.volume_cap,
        0.0,
        0.0,
        0.0,
        order as f64,
        0.0,
        0.0,
        data as f64,
        0.0,
        d.periods_per_year,
        d.ts_per_year,
        d.session_length as f64,
        d.session_offset as f64,
        d.sample_every as f64,
        f64::from(d.subscriptions),
        if d.allow_short { 1.0 } else { 0.0 },
        if d.stop_trigger == StopTrigger::Quote { 1.0 } else { 0.0 },
    ]
}

/// The config slot names, comma-separated, in slot order.
#[wasm_bindgen(js_name = backtestConfigNames)]
pub fn backtest_config_names() -> String {
    CONFIG_NAMES.join(",")
}

/// Slots per data, update and command record.
#[wasm_bindgen(js_name = backtestStride)]
pub fn backtest_stride() -> u32 {
    STRIDE as u32
}

/// The metric names, comma-separated, in the order of `Backtest.metrics()`.
#[wasm_bindgen(js_name = backtestMetricNames)]
pub fn backtest_metric_names() -> String {
    Metrics::NAMES.join(",")
}

/// Slots per trade in `Backtest.trades()`.
#[wasm_bindgen(js_name = backtestTradeStride)]
pub fn backtest_trade_stride() -> u32 {
    Trade::STRIDE as u32
}

/// A backtest driven from JavaScript (see the module docs for the loop).
#[wasm_bindgen(js_name = Backtest)]
pub struct WasmBacktest {
    bt: Backtest,
    commands: Vec<f64>,
    /// The result of the current state, computed once for `metrics`, `equityCurve` and `trades`; any call that
    /// changes the backtest drops it.
    result: Option<BacktestResult>,
}

fn js(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn whole(name: &str, v: f64, min: f64) -> Result<i64, JsError> {
    if v.is_finite() && v.fract() == 0.0 && v >= min && v <= MAX_EXACT {
        Ok(v as i64)
    } else {
        Err(JsError::new(&format!("{name} must be an integer from {min} to 2^53, got {v}")))
    }
}

fn symbol_arg(v: f64) -> Result<SymbolId, JsError> {
    let s = whole("symbol", v, 0.0)?;
    u32::try_from(s).map(SymbolId).map_err(|_| JsError::new(&format!("symbol must fit in 32 bits, got {v}")))
}

impl WasmBacktest {
    /// Loads one data stream for `symbol` with `load`: the data changes, so a
    /// computed result is dropped first; returns the stream number.
    fn load(
        &mut self,
        symbol: f64,
        load: impl FnOnce(&mut Backtest, SymbolId) -> Result<usize, DataError>,
    ) -> Result<u32, JsError> {
        self.result = None;
        let s = symbol_arg(symbol)?;
        load(&mut self.bt, s).map(|n| n as u32).map_err(js)
    }
}

#[wasm_bindgen(js_class = Backtest)]
impl WasmBacktest {
    /// A backtest with the given config (see the module docs; `backtestConfigDefaults()` to start from).
    #[wasm_bindgen(constructor)]
    pub fn new(config: &[f64]) -> Result<WasmBacktest, JsError> {
        let cfg = decode_config(config).map_err(|e| JsError::new(&e))?;
        Ok(WasmBacktest { bt: Backtest::new(cfg).map_err(js)?, commands: Vec::new(), result: None })
    }

    /// Adds an instrument (integer units) with its fees (ppm of notional and per unit).
    #[wasm_bindgen(js_name = addInstrument)]
    #[allow(clippy::too_many_arguments)]
    pub fn add_instrument(
        &mut self,
        symbol: f64,
        tick_size: f64,
        lot_size: f64,
        min_price: f64,
        max_price: f64,
        min_qty: f64,
        max_qty: f64,
        maker_ppm: f64,
        taker_ppm: f64,
        maker_per_unit: f64,
        taker_per_unit: f64,
    ) -> Result<(), JsError> {
        self.result = None;
        let spec = InstrumentSpec {
            symbol: symbol_arg(symbol)?,
            tick_size: whole("tickSize", tick_size, 1.0)?,
            lot_size: whole("lotSize", lot_size, 1.0)?,
            min_price: Price(whole("minPrice", min_price, 1.0)?),
            max_price: Price(whole("maxPrice", max_price, 1.0)?),
            min_qty: Qty(whole("minQty", min_qty, 1.0)?),
            max_qty: Qty(whole("maxQty", max_qty, 1.0)?),
        };
        let fees = Fees {
            maker_ppm: whole("makerPpm", maker_ppm, -1e6)?,
            taker_ppm: whole("takerPpm", taker_ppm, -1e6)?,
            maker_per_unit: whole("makerPerUnit", maker_per_unit, -MAX_EXACT)?,
            taker_per_unit: whole("takerPerUnit", taker_per_unit, -MAX_EXACT)?,
        };
        self.bt.add_instrument(spec, fees).map_err(js)
    }

    /// Loads bars (ts when complete, open, high, low, close, volume); returns the stream number.
    #[wasm_bindgen(js_name = loadBars)]
    #[allow(clippy::too_many_arguments)]
    pub fn load_bars(
        &mut self,
        symbol: f64,
        ts: &[f64],
        open: &[f64],
        high: &[f64],
        low: &[f64],
        close: &[f64],
        volume: &[f64],
    ) -> Result<u32, JsError> {
        self.load(symbol, |bt, s| bt.load_bars(s, ts, open, high, low, close, volume))
    }

    /// Loads trade prints (aggressor side 0 unknown, 1 buy, 2 sell); returns the stream number.
    #[wasm_bindgen(js_name = loadTrades)]
    pub fn load_trades(
        &mut self,
        symbol: f64,
        ts: &[f64],
        price: &[f64],
        qty: &[f64],
        side: &[f64],
    ) -> Result<u32, JsError> {
        self.load(symbol, |bt, s| bt.load_trades(s, ts, price, qty, side))
    }

    /// Loads top-of-book quotes; returns the stream number.
    #[wasm_bindgen(js_name = loadQuotes)]
    pub fn load_quotes(
        &mut self,
        symbol: f64,
        ts: &[f64],
        bid: &[f64],
        bid_qty: &[f64],
        ask: &[f64],
        ask_qty: &[f64],
    ) -> Result<u32, JsError> {
        self.load(symbol, |bt, s| bt.load_quotes(s, ts, bid, bid_qty, ask, ask_qty))
    }

    /// Loads L3 events (action 1 add / 2 cancel / 3 delete / 4 execute / 5 modify, exchange order id, side 1 bid /
    /// 2 ask, price, size); returns the stream number.
    #[wasm_bindgen(js_name = loadOrders)]
    #[allow(clippy::too_many_arguments)]
    pub fn load_orders(
        &mut self,
        symbol: f64,
        ts: &[f64],
        action: &[f64],
        id: &[f64],
        side: &[f64],
        price: &[f64],
        qty: &[f64],
    ) -> Result<u32, JsError> {
        self.load(symbol, |bt, s| bt.load_orders(s, ts, action, id, side, price, qty))
    }

    /// Loads L2 diffs (side 1 bid / 2 ask, price, new level size); returns the stream number.
    #[wasm_bindgen(js_name = loadDepth)]
    pub fn load_depth(
        &mut self,
        symbol: f64,
        ts: &[f64],
        side: &[f64],
        price: &[f64],
        qty: &[f64],
    ) -> Result<u32, JsError> {
        self.load(symbol, |bt, s| bt.load_depth(s, ts, side, price, qty))
    }

    /// Room for `count` command records; returns its address in WASM memory.
    #[wasm_bindgen(js_name = commandBuffer)]
    pub fn command_buffer(&mut self, count: u32) -> usize {
        self.commands.clear();
        self.commands.resize(count as usize * STRIDE, 0.0);
        self.commands.as_ptr() as usize
    }

    /// Sends the first `count` records of the command buffer to the venue (they
    /// travel with the order latency from the strategy's current time).
    pub fn send(&mut self, count: u32) -> Result<(), JsError> {
        let n = count as usize * STRIDE;
        if n > self.commands.len() {
            let room = self.commands.len() / STRIDE;
            return Err(JsError::new(&format!("count: {count} command records sent but the buffer holds {room}")));
        }
        self.result = None;
        self.bt.submit_records(&self.commands[..n]);
        Ok(())
    }

    /// Advances the replay through at most `max_points` data points. Returns
    /// the number of records now at `recordsPtr()` (> 0: call the strategy), 0
    /// when the budget ran out first, or −1 when the replay is over. (No
    /// `Result` here: this is the one call per strategy instant, kept lean.)
    pub fn step(&mut self, max_points: u32) -> i32 {
        self.result = None;
        match self.bt.step(max_points as usize) {
            StepStatus::Ready => (self.bt.records().len() / STRIDE) as i32,
            StepStatus::Paused => 0,
            StepStatus::Done => -1,
        }
    }

    /// Like `step`, but may deliver up to `max_instants` instants in one call
    /// (see the module docs): returns how many (their `[now, end]` pairs at
    /// `instantsPtr()`), 0 when the budget ran out first, −1 at the end.
    #[wasm_bindgen(js_name = stepBatch)]
    pub fn step_batch(&mut self, max_points: u32, max_instants: u32) -> i32 {
        self.result = None;
        match self.bt.step_batch(max_points as usize, max_instants as usize) {
            StepStatus::Ready => (self.bt.instants().len() / 2) as i32,
            StepStatus::Paused => 0,
            StepStatus::Done => -1,
        }
    }

    /// Address of the last `stepBatch`'s `[now, end]` pairs.
    #[wasm_bindgen(js_name = instantsPtr)]
    pub fn instants_ptr(&self) -> usize {
        self.bt.instants().as_ptr() as usize
    }

    /// The strategy handled the first `count` instants of the last batch and is
    /// about to send commands: applies them, drops the rest (errors if the batch
    /// has fewer).
    pub fn settle(&mut self, count: u32) -> Result<(), JsError> {
        self.result = None;
        self.bt.settle(count as usize).map_err(|e| JsError::new(&e))
    }

    /// Address of the records of the last step.
    #[wasm_bindgen(js_name = recordsPtr)]
    pub fn records_ptr(&self) -> usize {
        self.bt.records().as_ptr() as usize
    }

    /// The strategy's time (when it received the latest records).
    pub fn now(&self) -> f64 {
        self.bt.now() as f64
    }

    /// Cash, as the strategy's fills left it.
    pub fn cash(&self) -> f64 {
        self.bt.cash() as f64
    }

    /// Cash plus positions at their marks.
    pub fn equity(&self) -> f64 {
        self.bt.equity()
    }

    /// The position in `symbol`.
    pub fn position(&self, symbol: f64) -> Result<f64, JsError> {
        Ok(self.bt.position(symbol_arg(symbol)?) as f64)
    }

    /// The last price the venue has seen for `symbol` (NaN before any).
    pub fn mark(&self, symbol: f64) -> Result<f64, JsError> {
        Ok(self.bt.mark(symbol_arg(symbol)?).map_or(f64::NAN, |p| p as f64))
    }

    /// Data points processed and in all: `[done, total]`.
    pub fn progress(&self) -> Vec<f64> {
        let (done, total) = self.bt.progress();
        vec![done as f64, total as f64]
    }

    /// Working orders, 10 slots each: symbol, id, side, type, tif, price, stop price, leaves, triggered, ahead.
    #[wasm_bindgen(js_name = openOrders)]
    pub fn open_orders(&self) -> Vec<f64> {
        let mut out = Vec::new();
        for (s, o) in self.bt.open_orders() {
            out.extend_from_slice(&[
                f64::from(s.0),
                o.id as f64,
                f64::from(o.side.code()),
                f64::from(o.order_type.code()),
                f64::from(o.tif.code()),
                o.price as f64,
                o.stop_price as f64,
                o.leaves as f64,
                if o.triggered { 1.0 } else { 0.0 },
                o.ahead as f64,
            ]);
        }
        out
    }

    /// The result of the state now, computed once until the backtest changes.
    fn result(&mut self) -> &BacktestResult {
        self.result.get_or_insert_with(|| self.bt.result())
    }

    /// The metrics, in the order of `backtestMetricNames()`.
    pub fn metrics(&mut self) -> Vec<f64> {
        self.result().metrics.to_array().to_vec()
    }

    /// The equity curve, 4 slots per sample: ts, equity, drawdown, exposed (0/1).
    #[wasm_bindgen(js_name = equityCurve)]
    pub fn equity_curve(&mut self) -> Vec<f64> {
        let r = self.result();
        r.equity.iter().flat_map(|p| [p.ts as f64, p.equity, p.drawdown, if p.exposed { 1.0 } else { 0.0 }]).collect()
    }

    /// The trades, `backtestTradeStride()` slots each (see `Trade::to_array`).
    pub fn trades(&mut self) -> Vec<f64> {
        self.result().trades.iter().flat_map(Trade::to_array).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_round_trips_and_errors_name_the_slot() {
        assert_eq!(decode_config(&backtest_config_defaults()), Ok(BacktestConfig::default()));
        let mut bad = backtest_config_defaults();
        bad[7] = 1.5;
        assert_eq!(
            decode_config(&bad),
            Err("config orderLatencyA (slot 7) must be an integer from 0 to 9007199254740992, got 1.5".into())
        );
        assert!(decode_config(&bad[..3]).unwrap_err().contains("20 slots"));
    }
}
