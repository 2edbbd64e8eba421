//! The `#[wasm_bindgen]` surface: a thin layer over [`crate::Engine`] that
//! takes numbers only and hands events back as f64 records in WASM memory
//! (see [`crate::wire`]), so no JS object is made per command or event.

mod analytics;
mod backtest;

use crate::wire::{self, command_kind, COMMAND_STRIDE, EVENT_STRIDE};
use crate::{AccountId, Engine, OrderId, Price, Side, SymbolId};
use wasm_bindgen::prelude::*;

/// A query argument as an exact integer in `[0, max]`, or a JS `Error` naming it.
fn whole(name: &str, v: f64, max: f64) -> Result<i64, JsError> {
    if v.is_finite() && v.fract() == 0.0 && (0.0..=max).contains(&v) {
        Ok(v as i64)
    } else {
        Err(JsError::new(&format!("{name} must be an integer from 0 to {max}, got {v}")))
    }
}

fn symbol_arg(v: f64) -> Result<SymbolId, JsError> {
    whole("symbol", v, f64::from(u32::MAX)).map(|s| SymbolId(s as u32))
}

fn account_arg(v: f64) -> Result<AccountId, JsError> {
    whole("account", v, f64::from(u32::MAX)).map(|a| AccountId(a as u32))
}

fn side_arg(v: f64) -> Result<Side, JsError> {
    whole("side", v, 2.0)
        .ok()
        .and_then(|c| Side::from_code(c as u8))
        .ok_or_else(|| JsError::new(&format!("side must be 1 (buy) or 2 (sell), got {v}")))
}

/// The engine as seen from JavaScript.
///
/// Every command method returns the number of events it produced; read them
/// as `new Float64Array(wasmMemory().buffer, engine.eventsPtr(), n * eventStride())`
/// before the next call (memory may grow, so take a fresh view each time).
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    engine: Engine,
    input: Vec<f64>,
    output: Vec<f64>,
}

impl Default for WasmEngine {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// An empty engine.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmEngine {
        WasmEngine { engine: Engine::new(), input: Vec::new(), output: Vec::new() }
    }

    fn run(&mut self, rec: &[f64; COMMAND_STRIDE]) -> u32 {
        self.output.clear();
        wire::execute_batch(&mut self.engine, rec, 1, &mut self.output) as u32
    }

    /// Adds an instrument (integer price and quantity units).
    #[wasm_bindgen(js_name = addInstrument)]
    #[allow(clippy::too_many_arguments)]
    pub fn add_instrument(
        &mut self,
        ts: f64,
        seq: f64,
        symbol: f64,
        tick_size: f64,
        lot_size: f64,
        min_price: f64,
        max_price: f64,
        min_qty: f64,
        max_qty: f64,
    ) -> u32 {
        let k = f64::from(command_kind::ADD_INSTRUMENT);
        self.run(&[
            k, ts, seq, 0.0, 0.0, symbol, 0.0, 0.0, 0.0, tick_size, lot_size, min_price, max_price, min_qty, max_qty,
            0.0,
        ])
    }

    /// Submits a new order. `flags` bit 0 is post-only, bit 1 reduce-only.
    #[wasm_bindgen(js_name = newOrder)]
    #[allow(clippy::too_many_arguments)]
    pub fn new_order(
        &mut self,
        ts: f64,
        seq: f64,
        id: f64,
        account: f64,
        symbol: f64,
        side: f64,
        order_type: f64,
        tif: f64,
        price: f64,
        qty: f64,
        stop_price: f64,
        display_qty: f64,
        expire_at: f64,
        stp: f64,
        flags: f64,
    ) -> u32 {
        let k = f64::from(command_kind::NEW);
        self.run(&[
            k,
            ts,
            seq,
            id,
            account,
            symbol,
            side,
            order_type,
            tif,
            price,
            qty,
            stop_price,
            display_qty,
            expire_at,
            stp,
            flags,
        ])
    }

    /// Cancels a live order of `account`.
    pub fn cancel(&mut self, ts: f64, seq: f64, id: f64, account: f64) -> u32 {
        let k = f64::from(command_kind::CANCEL);
        self.run(&[k, ts, seq, id, account, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    /// Replaces a live order's price (0 keeps it) and open quantity.
    #[allow(clippy::too_many_arguments)]
    pub fn replace(&mut self, ts: f64, seq: f64, id: f64, account: f64, new_price: f64, new_qty: f64) -> u32 {
        let k = f64::from(command_kind::REPLACE);
        self.run(&[k, ts, seq, id, account, 0.0, 0.0, 0.0, 0.0, new_price, new_qty, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    /// Cancels every live order matching the filters (−1 / 0 for any).
    #[wasm_bindgen(js_name = massCancel)]
    pub fn mass_cancel(&mut self, ts: f64, seq: f64, account: f64, symbol: f64, side: f64) -> u32 {
        let k = f64::from(command_kind::MASS_CANCEL);
        self.run(&[k, ts, seq, 0.0, account, symbol, side, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    /// Ends the session for one instrument (−1: all); DAY orders expire.
    #[wasm_bindgen(js_name = sessionEnd)]
    pub fn session_end(&mut self, ts: f64, seq: f64, symbol: f64) -> u32 {
        let k = f64::from(command_kind::SESSION_END);
        self.run(&[k, ts, seq, 0.0, 0.0, symbol, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    /// Advances time to `ts`; GTD orders expiring by then expire.
    #[wasm_bindgen(js_name = advanceTime)]
    pub fn advance_time(&mut self, ts: f64, seq: f64) -> u32 {
        let k = f64::from(command_kind::ADVANCE_TIME);
        self.run(&[k, ts, seq, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    /// Deposits `amount` money units into `account` (making it managed).
    pub fn deposit(&mut self, ts: f64, seq: f64, account: f64, amount: f64) -> u32 {
        let k = f64::from(command_kind::DEPOSIT);
        self.run(&[k, ts, seq, 0.0, account, 0.0, 0.0, 0.0, 0.0, amount, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    /// Withdraws `amount` money units from `account` (at most its buying power).
    pub fn withdraw(&mut self, ts: f64, seq: f64, account: f64, amount: f64) -> u32 {
        let k = f64::from(command_kind::WITHDRAW);
        self.run(&[k, ts, seq, 0.0, account, 0.0, 0.0, 0.0, 0.0, amount, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    /// Sets an account's limits (0: unlimited); `flags` bit 0 forbids short selling, bit 1 makes the account
    /// post-trade only (no pre-trade check refuses its orders; it is still accounted).
    #[wasm_bindgen(js_name = setAccountLimits)]
    #[allow(clippy::too_many_arguments)]
    pub fn set_account_limits(
        &mut self,
        ts: f64,
        seq: f64,
        account: f64,
        max_order_qty: f64,
        max_order_notional: f64,
        max_gross_exposure: f64,
        max_open_orders: f64,
        rate_capacity: f64,
        rate_per_interval: f64,
        rate_interval: f64,
        flags: f64,
    ) -> u32 {
        let k = f64::from(command_kind::SET_ACCOUNT_LIMITS);
        self.run(&[
            k,
            ts,
            seq,
            0.0,
            account,
            0.0,
            rate_capacity,
            rate_per_interval,
            rate_interval,
            max_order_qty,
            max_order_notional,
            max_gross_exposure,
            max_open_orders,
            0.0,
            0.0,
            flags,
        ])
    }

    /// Sets an account's limits in one instrument (0: unlimited); collar reference 0 off, 1 last, 2 mid, 3 host.
    #[wasm_bindgen(js_name = setInstrumentLimits)]
    #[allow(clippy::too_many_arguments)]
    pub fn set_instrument_limits(
        &mut self,
        ts: f64,
        seq: f64,
        account: f64,
        symbol: f64,
        max_order_qty: f64,
        max_order_notional: f64,
        max_long: f64,
        max_short: f64,
        collar_bps: f64,
        collar_ref: f64,
    ) -> u32 {
        let k = f64::from(command_kind::SET_INSTRUMENT_LIMITS);
        self.run(&[
            k,
            ts,
            seq,
            0.0,
            account,
            symbol,
            collar_ref,
            collar_bps,
            0.0,
            max_order_qty,
            max_order_notional,
            max_long,
            max_short,
            0.0,
            0.0,
            0.0,
        ])
    }

    /// Sets an instrument's fees: rates in ppm of notional (1 bp = 100 ppm), amounts per quantity unit; negative is a rebate.
    #[wasm_bindgen(js_name = setFees)]
    #[allow(clippy::too_many_arguments)]
    pub fn set_fees(
        &mut self,
        ts: f64,
        seq: f64,
        symbol: f64,
        maker_ppm: f64,
        taker_ppm: f64,
        maker_per_unit: f64,
        taker_per_unit: f64,
    ) -> u32 {
        let k = f64::from(command_kind::SET_FEES);
        self.run(&[
            k,
            ts,
            seq,
            0.0,
            0.0,
            symbol,
            0.0,
            0.0,
            0.0,
            maker_ppm,
            taker_ppm,
            maker_per_unit,
            taker_per_unit,
            0.0,
            0.0,
            0.0,
        ])
    }

    /// Turns an account's kill switch on (1) or off (0).
    #[wasm_bindgen(js_name = setKillSwitch)]
    pub fn set_kill_switch(&mut self, ts: f64, seq: f64, account: f64, on: f64) -> u32 {
        let k = f64::from(command_kind::SET_KILL_SWITCH);
        self.run(&[k, ts, seq, 0.0, account, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, on])
    }

    /// Halts (1) or resumes (0) an instrument.
    #[wasm_bindgen(js_name = setHalt)]
    pub fn set_halt(&mut self, ts: f64, seq: f64, symbol: f64, halted: f64) -> u32 {
        let k = f64::from(command_kind::SET_HALT);
        self.run(&[k, ts, seq, 0.0, 0.0, symbol, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, halted])
    }

    /// Sets an instrument's reference price for collars (0 clears it).
    #[wasm_bindgen(js_name = setReferencePrice)]
    pub fn set_reference_price(&mut self, ts: f64, seq: f64, symbol: f64, price: f64) -> u32 {
        let k = f64::from(command_kind::SET_REFERENCE_PRICE);
        self.run(&[k, ts, seq, 0.0, 0.0, symbol, 0.0, 0.0, 0.0, price, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    }

    /// Makes room for `count` command records and returns their address in
    /// WASM memory; write them there, then call `executeBatch(count)`.
    #[wasm_bindgen(js_name = commandBuffer)]
    pub fn command_buffer(&mut self, count: u32) -> usize {
        self.input.resize(count as usize * COMMAND_STRIDE, 0.0);
        self.input.as_ptr() as usize
    }

    /// Executes the first `count` records of the command buffer; returns the
    /// number of events written at `eventsPtr()`.
    #[wasm_bindgen(js_name = executeBatch)]
    pub fn execute_batch(&mut self, count: u32) -> Result<u32, JsError> {
        let count = count as usize;
        if count * COMMAND_STRIDE > self.input.len() {
            return Err(JsError::new(&format!(
                "executeBatch({count}): the command buffer holds {} records; call commandBuffer first",
                self.input.len() / COMMAND_STRIDE
            )));
        }
        self.output.clear();
        Ok(wire::execute_batch(&mut self.engine, &self.input, count, &mut self.output) as u32)
    }

    /// Address of the last call's event records.
    #[wasm_bindgen(js_name = eventsPtr)]
    pub fn events_ptr(&self) -> usize {
        self.output.as_ptr() as usize
    }

    /// Best bid price, or NaN when the bid side is empty.
    #[wasm_bindgen(js_name = bestBid)]
    pub fn best_bid(&self, symbol: f64) -> Result<f64, JsError> {
        Ok(self.engine.best_bid(symbol_arg(symbol)?).map_or(f64::NAN, |l| l.price.0 as f64))
    }

    /// Best ask price, or NaN when the ask side is empty.
    #[wasm_bindgen(js_name = bestAsk)]
    pub fn best_ask(&self, symbol: f64) -> Result<f64, JsError> {
        Ok(self.engine.best_ask(symbol_arg(symbol)?).map_or(f64::NAN, |l| l.price.0 as f64))
    }

    /// Visible quantity at a price on a side (1 buy, 2 sell); 0 if none.
    #[wasm_bindgen(js_name = depthAt)]
    pub fn depth_at(&self, symbol: f64, side: f64, price: f64) -> Result<f64, JsError> {
        let price = Price(whole("price", price, wire::MAX_SAFE)?);
        Ok(self.engine.depth_at(symbol_arg(symbol)?, side_arg(side)?, price) as f64)
    }

    /// Top `n` levels of a side as `[price, qty, orders]` triples, best first.
    pub fn levels(&self, symbol: f64, side: f64, n: f64) -> Result<Vec<f64>, JsError> {
        let n = whole("n", n, f64::from(u32::MAX))? as usize;
        let levels = self.engine.levels(symbol_arg(symbol)?, side_arg(side)?, n);
        Ok(levels.iter().flat_map(|l| [l.price.0 as f64, l.qty as f64, f64::from(l.orders)]).collect())
    }

    /// A live order as `[account, symbol, side, type, tif, status (1 resting,
    /// 2 pending stop), price, stopPrice, leaves, visible, filled]`, or undefined.
    pub fn order(&self, id: f64) -> Result<Option<Vec<f64>>, JsError> {
        let Some(o) = self.engine.order(OrderId(whole("id", id, wire::MAX_SAFE)? as u64)) else { return Ok(None) };
        let status = match o.status {
            crate::OrderStatus::Resting => 1.0,
            crate::OrderStatus::PendingStop => 2.0,
        };
        Ok(Some(vec![
            f64::from(o.account.0),
            f64::from(o.symbol.0),
            f64::from(o.side.code()),
            f64::from(o.order_type.code()),
            f64::from(o.tif.code()),
            status,
            o.price.0 as f64,
            o.stop_price.0 as f64,
            o.leaves.0 as f64,
            o.visible.0 as f64,
            o.filled.0 as f64,
        ]))
    }

    /// Last trade price, or NaN before the first trade.
    #[wasm_bindgen(js_name = lastPrice)]
    pub fn last_price(&self, symbol: f64) -> Result<f64, JsError> {
        Ok(self.engine.last_price(symbol_arg(symbol)?).map_or(f64::NAN, |p| p.0 as f64))
    }

    /// A managed account as `[cash, reserved, buyingPower, equity, realized, unrealized, openOrders, killed (0/1)]`
    /// (money exact up to 2^53), or undefined if the account is not managed.
    pub fn account(&self, account: f64) -> Result<Option<Vec<f64>>, JsError> {
        let Some(a) = self.engine.account(account_arg(account)?) else { return Ok(None) };
        Ok(Some(vec![
            a.cash as f64,
            a.reserved as f64,
            a.buying_power as f64,
            a.equity as f64,
            a.realized as f64,
            a.unrealized as f64,
            f64::from(a.open_orders),
            f64::from(u8::from(a.killed)),
        ]))
    }

    /// A managed account's position as `[qty, averagePrice, basis, realized, unrealized, mark (NaN: none)]`,
    /// or undefined if the account is not managed.
    pub fn position(&self, account: f64, symbol: f64) -> Result<Option<Vec<f64>>, JsError> {
        let Some(p) = self.engine.position(account_arg(account)?, symbol_arg(symbol)?) else { return Ok(None) };
        Ok(Some(vec![
            p.qty as f64,
            p.avg_price,
            p.basis as f64,
            p.realized as f64,
            p.unrealized as f64,
            p.mark.map_or(f64::NAN, |m| m.0 as f64),
        ]))
    }

    /// Number of live orders.
    #[wasm_bindgen(js_name = liveOrders)]
    pub fn live_orders(&self) -> u32 {
        self.engine.live_orders() as u32
    }

    /// The full engine state as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        self.engine.snapshot()
    }

    /// An engine rebuilt from `snapshot()` bytes; throws if they are not a valid snapshot.
    pub fn restore(bytes: &[u8]) -> Result<WasmEngine, JsError> {
        let engine = Engine::restore(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(WasmEngine { engine, input: Vec::new(), output: Vec::new() })
    }
}

/// f64 slots per command record.
#[wasm_bindgen(js_name = commandStride)]
pub fn command_stride() -> u32 {
    COMMAND_STRIDE as u32
}

/// f64 slots per event record.
#[wasm_bindgen(js_name = eventStride)]
pub fn event_stride() -> u32 {
    EVENT_STRIDE as u32
}

/// The module's linear memory, for typed-array views of the buffers.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Market-data analytics and bars (VWAP, microprice, OFI, bars, …).
mod market_data;
