//! The backtest: configuration, loading, the replay loop (`step`) and the
//! results. The venue's order handling lives in `venue.rs`.

use super::clock::{DelayLine, Delivery, Merged};
use super::data::{Checker, Columns, DataError, DataKind, Stream};
use super::fill::{BarMarketFill, Slippage, StopTrigger};
use super::latency::Latency;
use super::metrics::{self, Annualization, EquityPoint, Metrics, Trade};
use super::portfolio::TradeBook;
use super::record::{self, kind, Record, STRIDE};
use super::rng::Rng;
use super::venue::{Inst, StrategyCommand};
use crate::command::{Command, CommandKind};
use crate::risk::{AccountLimits, Fees};
use crate::types::{AccountId, Side, SymbolId};
use crate::{Engine, EventKind, InstrumentSpec};
use rustc_hash::FxHashMap;

/// The strategy's account in the engine.
pub const STRATEGY_ACCOUNT: AccountId = AccountId(1);

/// Which data kinds the strategy is called for (a bit per [`DataKind`] code:
/// bit 1 bars, bit 2 trades, bit 3 quotes, bit 4 depth, bit 5 L3 orders). Order updates are
/// always delivered. Data the strategy is not called for still drives the venue.
pub type Subscriptions = u32;

/// Every data kind.
pub const SUBSCRIBE_ALL: Subscriptions = 0b11_1110;

/// How a backtest runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BacktestConfig {
    /// Starting cash, in money units (price units × quantity units), > 0.
    pub cash: i64,
    /// Seed of the latency draws.
    pub seed: u64,
    /// Market orders on bars: next open (default) or same-bar close.
    pub bar_market_fill: BarMarketFill,
    /// Largest share of a bar's (or print's) volume the strategy may trade in
    /// it, 0 < cap ≤ 1; 0 means no cap.
    pub volume_cap: f64,
    /// Slippage of fills priced from bars and prints.
    pub slippage: Slippage,
    /// Delay from the strategy to the venue.
    pub order_latency: Latency,
    /// Delay from the venue to the strategy (data and order updates).
    pub data_latency: Latency,
    /// Return periods per year, for annualizing (252 for daily bars).
    pub periods_per_year: f64,
    /// Timestamp units per year, for CAGR (365.25 days in the data's unit).
    pub ts_per_year: f64,
    /// Length of a trading session in timestamp units; DAY orders expire at
    /// the next multiple of it (plus `session_offset`). 0: DAY is refused.
    pub session_length: u64,
    /// Offset of session boundaries.
    pub session_offset: u64,
    /// Equity is sampled after each data timestamp at least this far after
    /// the previous sample (0: after every data timestamp).
    pub sample_every: u64,
    /// Data kinds the strategy is called for.
    pub subscriptions: Subscriptions,
    /// Whether the strategy may sell short.
    pub allow_short: bool,
    /// What triggers stops on print and book data.
    pub stop_trigger: StopTrigger,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        BacktestConfig {
            cash: 1_000_000,
            seed: 1,
            bar_market_fill: BarMarketFill::NextOpen,
            volume_cap: 0.0,
            slippage: Slippage::None,
            order_latency: Latency::Constant(0),
            data_latency: Latency::Constant(0),
            periods_per_year: 252.0,
            ts_per_year: 365.25 * 86_400_000.0,
            session_length: 0,
            session_offset: 0,
            sample_every: 0,
            subscriptions: SUBSCRIBE_ALL,
            allow_short: true,
            stop_trigger: StopTrigger::Last,
        }
    }
}

impl BacktestConfig {
    fn check(&self) -> Result<(), DataError> {
        let bad = |field: &'static str, message: String| DataError { what: "config".into(), row: None, field, message };
        if self.cash <= 0 || self.cash as f64 > super::data::MAX_EXACT {
            return Err(bad("cash", format!("must be from 1 to 2^53, got {}", self.cash)));
        }
        if !(self.volume_cap.is_finite() && (0.0..=1.0).contains(&self.volume_cap)) {
            return Err(bad("volume_cap", format!("must be from 0 (no cap) to 1, got {}", self.volume_cap)));
        }
        if !self.slippage.is_valid() {
            return Err(bad("slippage", format!("basis points must be from 0 to 10000, got {:?}", self.slippage)));
        }
        if !self.order_latency.is_valid() {
            return Err(bad("order_latency", format!("{:?}: lo must not exceed hi, min not mean", self.order_latency)));
        }
        if !self.data_latency.is_valid() {
            return Err(bad("data_latency", format!("{:?}: lo must not exceed hi, min not mean", self.data_latency)));
        }
        if !(self.periods_per_year.is_finite() && self.periods_per_year > 0.0) {
            return Err(bad("periods_per_year", format!("must be positive, got {}", self.periods_per_year)));
        }
        if !(self.ts_per_year.is_finite() && self.ts_per_year > 0.0) {
            return Err(bad("ts_per_year", format!("must be positive, got {}", self.ts_per_year)));
        }
        if self.subscriptions & !SUBSCRIBE_ALL != 0 {
            return Err(bad("subscriptions", format!("only bits 1 to 5 are data kinds, got {}", self.subscriptions)));
        }
        Ok(())
    }
}

/// What a call to [`Backtest::step`] ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum StepStatus {
    /// Records are waiting for the strategy (`records()`); call it, then step again.
    Ready = 0,
    /// The data-point budget ran out before anything was due to the strategy.
    Paused = 1,
    /// The replay is over: no data, orders or updates are left.
    Done = 2,
}

/// Everything a finished run reports.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestResult {
    /// The summary metrics.
    pub metrics: Metrics,
    /// The equity curve with drawdowns.
    pub equity: Vec<EquityPoint>,
    /// Closed trades, then trades still open at the end (marked to the last price).
    pub trades: Vec<Trade>,
}

/// A replay of historical data through a simulated venue built on the engine.
///
/// Add instruments, load data, then alternate [`Backtest::step`] with the
/// strategy's reaction to [`Backtest::records`] (its commands go in with
/// [`Backtest::submit`]) until `step` says [`StepStatus::Done`]; then
/// [`Backtest::result`]. See the module docs of `backtest` for the rules.
pub struct Backtest {
    pub(crate) cfg: BacktestConfig,
    pub(crate) engine: Engine,
    pub(crate) engine_seq: u64,
    pub(crate) insts: Vec<Inst>,
    pub(crate) inst_of: FxHashMap<SymbolId, usize>,
    streams: Vec<Stream>,
    merged: Option<Merged>,
    pub(crate) rng: Rng,
    /// Orders on their way to the venue.
    pub(crate) to_venue: DelayLine<StrategyCommand>,
    /// Records on their way to the strategy.
    pub(crate) to_strategy: DelayLine<Delivery>,
    /// Live order id → instrument index.
    pub(crate) live: FxHashMap<u64, usize>,
    /// Live orders with an expiry (GTD, DAY), so the clock skips the expiry scan without them.
    pub(crate) timed_orders: usize,
    /// The venue's time: the last data point or order arrival processed.
    pub(crate) venue_now: u64,
    /// The strategy's time: when it last received records.
    now: u64,
    out: Vec<f64>,
    /// The instants of the last batch: `[now, end]` pairs, `end` counting records in `out`.
    instants: Vec<f64>,
    /// Instants of the last batch that were read ahead and not applied to the venue yet (see `step_batch`).
    unsettled: usize,
    /// The read-ahead records while `settle` replays them (kept to reuse its allocation).
    spare: Vec<f64>,
    /// Cash and positions as the fills left them (mirrors the engine).
    pub(crate) cash: i128,
    pub(crate) trade_book: TradeBook,
    pub(crate) next_liq_id: u64,
    pub(crate) arrival_seq: u64,
    equity: Vec<EquityPoint>,
    last_sample: Option<u64>,
    done: bool,
}

impl Backtest {
    /// A backtest with no instruments yet; the strategy's account gets the starting cash.
    pub fn new(cfg: BacktestConfig) -> Result<Backtest, DataError> {
        cfg.check()?;
        let mut bt = Backtest {
            cfg,
            engine: Engine::new(),
            engine_seq: 0,
            insts: Vec::new(),
            inst_of: FxHashMap::default(),
            streams: Vec::new(),
            merged: None,
            rng: Rng(cfg.seed),
            to_venue: DelayLine::default(),
            to_strategy: DelayLine::default(),
            live: FxHashMap::default(),
            timed_orders: 0,
            venue_now: 0,
            now: 0,
            out: Vec::new(),
            instants: Vec::new(),
            unsettled: 0,
            spare: Vec::new(),
            cash: i128::from(cfg.cash),
            trade_book: TradeBook::default(),
            next_liq_id: 1 << 60,
            arrival_seq: 0,
            equity: Vec::new(),
            last_sample: None,
            done: false,
        };
        bt.engine_cmd(CommandKind::Deposit { account: STRATEGY_ACCOUNT, amount: cfg.cash });
        if !cfg.allow_short {
            let limits = AccountLimits { forbid_short: true, ..AccountLimits::default() };
            bt.engine_cmd(CommandKind::SetAccountLimits { account: STRATEGY_ACCOUNT, limits });
        }
        Ok(bt)
    }

    /// Runs one engine command at the venue's time; returns its events.
    pub(crate) fn engine_cmd(&mut self, kind: CommandKind) -> &[crate::Event] {
        self.engine_seq += 1;
        self.engine.execute(&Command { ts: self.venue_now, seq: self.engine_seq, kind })
    }

    /// Adds an instrument with its fees (before any data is loaded).
    pub fn add_instrument(&mut self, spec: InstrumentSpec, fees: Fees) -> Result<(), DataError> {
        let bad = |field: &'static str, message: String| DataError {
            what: format!("instrument {}", spec.symbol.0),
            row: None,
            field,
            message,
        };
        if self.merged.is_some() {
            return Err(bad("symbol", "instruments must be added before the replay starts".into()));
        }
        if self.inst_of.contains_key(&spec.symbol) {
            return Err(bad("symbol", "is already added".into()));
        }
        if !spec.is_valid() || spec.max_price.0 as f64 > super::data::MAX_EXACT {
            return Err(bad("spec", format!("is inconsistent (steps, bounds, at most 2^53): {spec:?}")));
        }
        if !fees.is_valid() {
            return Err(bad("fees", format!("rates must be within ±1 000 000 ppm: {fees:?}")));
        }
        let added = self.engine_cmd(CommandKind::AddInstrument(spec));
        debug_assert!(matches!(added[0].kind, EventKind::InstrumentAdded { .. }));
        self.engine_cmd(CommandKind::SetFees { symbol: spec.symbol, fees });
        self.inst_of.insert(spec.symbol, self.insts.len());
        self.insts.push(Inst::new(spec));
        self.trade_book.add_instrument(spec.symbol);
        Ok(())
    }

    fn checker(&self, kind: DataKind, symbol: SymbolId, len: usize) -> Result<(usize, Checker<'_>), DataError> {
        let what = format!("{} for symbol {}", kind.name(), symbol.0);
        if self.merged.is_some() {
            let message = "data must be loaded before the replay starts".into();
            return Err(DataError { what, row: None, field: "ts", message });
        }
        let Some(&inst) = self.inst_of.get(&symbol) else {
            return Err(DataError { what, row: None, field: "symbol", message: "is not an added instrument".into() });
        };
        Ok((inst, Checker { what, spec: &self.insts[inst].spec, len }))
    }

    fn push_stream(&mut self, symbol: SymbolId, inst: usize, kind: DataKind, ts: Vec<u64>, cols: Columns) -> usize {
        self.streams.push(Stream { symbol, inst, kind, ts, cols });
        self.streams.len() - 1
    }

    /// Loads OHLCV bars (each stamped when complete); returns the stream number.
    #[allow(clippy::too_many_arguments)]
    pub fn load_bars(
        &mut self,
        symbol: SymbolId,
        ts: &[f64],
        open: &[f64],
        high: &[f64],
        low: &[f64],
        close: &[f64],
        volume: &[f64],
    ) -> Result<usize, DataError> {
        let (inst, c) = self.checker(DataKind::Bars, symbol, ts.len())?;
        let t = c.timestamps(ts)?;
        let (o, h, l, cl) = (
            c.prices("open", open, false)?,
            c.prices("high", high, false)?,
            c.prices("low", low, false)?,
            c.prices("close", close, false)?,
        );
        let v = c.sizes("volume", volume, 0)?;
        c.bar_shape(&o, &h, &l, &cl)?;
        let cols = Columns::Bars { open: o, high: h, low: l, close: cl, volume: v };
        Ok(self.push_stream(symbol, inst, DataKind::Bars, t, cols))
    }

    /// Loads trade prints (aggressor side 0 unknown, 1 buy, 2 sell); returns the stream number.
    pub fn load_trades(
        &mut self,
        symbol: SymbolId,
        ts: &[f64],
        price: &[f64],
        qty: &[f64],
        side: &[f64],
    ) -> Result<usize, DataError> {
        let (inst, c) = self.checker(DataKind::Trades, symbol, ts.len())?;
        let t = c.timestamps(ts)?;
        let cols = Columns::Trades {
            price: c.prices("price", price, false)?,
            qty: c.sizes("qty", qty, 1)?,
            side: c.sides("side", side, 0)?,
        };
        Ok(self.push_stream(symbol, inst, DataKind::Trades, t, cols))
    }

    /// Loads top-of-book quotes (a price of 0 means that side is empty); returns the stream number.
    #[allow(clippy::too_many_arguments)]
    pub fn load_quotes(
        &mut self,
        symbol: SymbolId,
        ts: &[f64],
        bid: &[f64],
        bid_qty: &[f64],
        ask: &[f64],
        ask_qty: &[f64],
    ) -> Result<usize, DataError> {
        let (inst, c) = self.checker(DataKind::Quotes, symbol, ts.len())?;
        let t = c.timestamps(ts)?;
        let (b, a) = (c.prices("bid", bid, true)?, c.prices("ask", ask, true)?);
        let (bq, aq) = (c.sizes("bid_qty", bid_qty, 0)?, c.sizes("ask_qty", ask_qty, 0)?);
        c.quote_shape(&b, &a)?;
        let cols = Columns::Quotes { bid: b, bid_qty: bq, ask: a, ask_qty: aq };
        Ok(self.push_stream(symbol, inst, DataKind::Quotes, t, cols))
    }

    /// Loads L2 diffs: side (1 bid, 2 ask), price, the level's new total size
    /// (0 removes it); returns the stream number.
    pub fn load_depth(
        &mut self,
        symbol: SymbolId,
        ts: &[f64],
        side: &[f64],
        price: &[f64],
        qty: &[f64],
    ) -> Result<usize, DataError> {
        let (inst, c) = self.checker(DataKind::Depth, symbol, ts.len())?;
        let t = c.timestamps(ts)?;
        let sides = c.sides("side", side, 1)?.into_iter().map(|s| Side::from_code(s).expect("checked")).collect();
        let cols =
            Columns::Depth { side: sides, price: c.prices("price", price, false)?, qty: c.sizes("qty", qty, 0)? };
        Ok(self.push_stream(symbol, inst, DataKind::Depth, t, cols))
    }

    /// Loads L3 (market-by-order) events: action (1 add, 2 cancel, 3 delete,
    /// 4 execute, 5 modify), exchange order id, side (1 bid, 2 ask), price and
    /// size (for a cancel or an execution the size removed; for an add or a
    /// modify the order's size). The stream must tell one consistent story
    /// from an empty book (see `Checker::l3_story`); returns the stream number.
    /// See `l3` for how strategy orders queue on the rebuilt book.
    #[allow(clippy::too_many_arguments)]
    pub fn load_orders(
        &mut self,
        symbol: SymbolId,
        ts: &[f64],
        action: &[f64],
        id: &[f64],
        side: &[f64],
        price: &[f64],
        qty: &[f64],
    ) -> Result<usize, DataError> {
        let (inst, c) = self.checker(DataKind::Orders, symbol, ts.len())?;
        let t = c.timestamps(ts)?;
        let action = c.actions(action)?;
        let id: Vec<u64> = c.sizes("id", id, 0)?.into_iter().map(|v| v as u64).collect();
        let side: Vec<Side> =
            c.sides("side", side, 1)?.into_iter().map(|s| Side::from_code(s).expect("checked")).collect();
        let (price, qty) = (c.prices("price", price, false)?, c.sizes("qty", qty, 0)?);
        c.l3_story(&action, &id, &side, &price, &qty)?;
        if self.streams.iter().any(|s| s.inst == inst && s.kind == DataKind::Orders) {
            let message = "one L3 stream per instrument (it is the whole book)".into();
            return Err(DataError { what: c.what.clone(), row: None, field: "symbol", message });
        }
        let cols = Columns::Orders { action, id, side, price, qty };
        Ok(self.push_stream(symbol, inst, DataKind::Orders, t, cols))
    }

    /// Sends a command from the strategy at its current time; it reaches the
    /// venue after the order latency. Instants of a read-ahead batch not yet
    /// settled are settled first (the strategy has seen all of them), so call
    /// [`Backtest::settle`] before sending if it reacted to an earlier one.
    pub fn submit(&mut self, cmd: StrategyCommand) {
        self.settle_all();
        let delay = self.cfg.order_latency.draw(&mut self.rng);
        self.to_venue.send(self.now, delay, cmd);
    }

    /// Decodes and sends command records (see `record`); returns how many were sent.
    pub fn submit_records(&mut self, records: &[f64]) -> usize {
        let n = records.len() / STRIDE;
        for rec in records.chunks_exact(STRIDE) {
            let cmd = StrategyCommand::decode(rec);
            self.submit(cmd);
        }
        n
    }

    /// Advances the replay: processes data points (at most `max_points`) and
    /// orders reaching the venue in time order, and stops at the first moment
    /// something is due to the strategy. See [`StepStatus`].
    pub fn step(&mut self, max_points: usize) -> StepStatus {
        self.settle_all();
        self.step_one(max_points)
    }

    /// Whether nothing the strategy did is still under way: no live order, nothing
    /// travelling either way, and a constant data latency (so delivery times follow
    /// from the data alone). Then, until the strategy sends a command, what it will
    /// receive depends on the data only and can be read ahead.
    fn quiet(&self) -> bool {
        matches!(self.cfg.data_latency, Latency::Constant(_))
            && self.live.is_empty()
            && self.to_venue.is_empty()
            && self.to_strategy.is_empty()
            && !self.done
    }

    /// Like [`Backtest::step`], but may hand the strategy up to `max_instants`
    /// instants at once: `records()` then holds their records back to back and
    /// `instants()` says where each ends and at which time the strategy receives it.
    ///
    /// Why this is sound: it only reads ahead while the backtest is quiet (no live
    /// order, nothing in flight, constant data latency), where the coming
    /// deliveries are the data's records alone, whatever the venue does with
    /// them. Read-ahead instants are not applied to the venue yet: if the
    /// strategy reacts to instant `i` with commands, the host calls
    /// [`Backtest::settle`]`(i + 1)`, which applies exactly the data up to that
    /// instant (the normal `step` path, checked record for record against what
    /// was read ahead), drops the rest, and leaves `now` at instant `i`'s time,
    /// so its commands are stamped and processed as if it had been called one
    /// instant at a time. Without commands, the next `step_batch` (or `step`,
    /// or a command) settles the whole batch. Queries (`now`, `cash`, `equity`,
    /// `progress`, `result`, …) describe the settled state.
    ///
    /// Outside quiet stretches (or with `max_instants` ≤ 1) it is `step`: one instant.
    pub fn step_batch(&mut self, max_points: usize, max_instants: usize) -> StepStatus {
        self.settle_all();
        self.instants.clear();
        if self.merged.is_none() {
            self.merged = Some(Merged::build(&self.streams));
        }
        if max_instants > 1 && self.quiet() {
            let n = self.read_ahead(max_points, max_instants);
            if n > 0 {
                self.unsettled = n;
                return StepStatus::Ready;
            }
        }
        let status = self.step_one(max_points);
        if status == StepStatus::Ready {
            self.instants.extend_from_slice(&[self.now as f64, (self.out.len() / STRIDE) as f64]);
        }
        status
    }

    /// Reads up to `max_instants` instants ahead (within `max_points` data points)
    /// without applying them; returns how many complete instants `out` holds.
    fn read_ahead(&mut self, max_points: usize, max_instants: usize) -> usize {
        let Latency::Constant(delay) = self.cfg.data_latency else { unreachable!("quiet means a constant latency") };
        self.out.clear();
        let merged = self.merged.as_ref().expect("built");
        let (streams, subscriptions) = (&self.streams, self.cfg.subscriptions);
        let (mut open, mut count, mut closed_end) = (None::<u64>, 0usize, 0usize);
        let mut rest = merged.rest().iter();
        let mut points = 0usize;
        loop {
            let next = rest.next();
            let ts = next.map(|&(s, r)| streams[s as usize].ts[r as usize]);
            // An instant is complete once a later point (or the end of the data) shows no more of it can follow.
            if let Some(t) = open {
                if ts.is_none_or(|ts| ts > t) {
                    closed_end = self.out.len();
                    self.instants.extend_from_slice(&[t.saturating_add(delay) as f64, (closed_end / STRIDE) as f64]);
                    count += 1;
                    open = None;
                    if count == max_instants {
                        break;
                    }
                }
            }
            let (Some(&(s, r)), Some(ts)) = (next, ts) else { break };
            if points == max_points {
                break;
            }
            points += 1;
            let stream = &streams[s as usize];
            if subscriptions & (1u32 << (stream.kind as u8)) != 0 {
                open.get_or_insert(ts);
                self.out.extend_from_slice(&point_record(stream, s as usize, r as usize));
            }
        }
        // An instant cut by the budget is left for later.
        self.out.truncate(closed_end);
        count
    }

    /// The strategy has handled the first `count` instants of the last batch (and
    /// may now send commands, stamped at the last one's time): applies them to the
    /// venue and drops the rest, which later steps deliver again (with whatever the
    /// commands change). A no-op when nothing was read ahead and `count` ≤ 1.
    pub fn settle(&mut self, count: usize) -> Result<(), String> {
        let unsettled = self.unsettled;
        if count > unsettled.max(1) {
            return Err(format!("count: {count} instants settled but the last batch has {}", unsettled.max(1)));
        }
        if unsettled == 0 {
            return Ok(());
        }
        self.unsettled = 0;
        std::mem::swap(&mut self.out, &mut self.spare);
        let mut start = 0usize;
        for k in 0..count {
            let status = self.step_one(usize::MAX);
            let end = self.instants[2 * k + 1] as usize * STRIDE;
            debug_assert_eq!(status, StepStatus::Ready, "a read-ahead instant is due");
            debug_assert_eq!(self.now as f64, self.instants[2 * k], "at the time it was read ahead for");
            debug_assert_eq!(self.out[..], self.spare[start..end], "with the records read ahead");
            start = end;
        }
        self.instants.truncate(2 * count);
        Ok(())
    }

    /// Settles every instant of the last batch, if it was read ahead.
    fn settle_all(&mut self) {
        if self.unsettled > 0 {
            self.settle(self.unsettled).expect("within the batch");
        }
    }

    /// The instants of the last `step_batch`: `[now, end]` pairs, `end` the index
    /// (in records) where the instant's records in `records()` end.
    pub fn instants(&self) -> &[f64] {
        &self.instants
    }

    /// One step (see `step`); read-ahead instants must be settled.
    fn step_one(&mut self, max_points: usize) -> StepStatus {
        debug_assert_eq!(self.unsettled, 0, "read-ahead instants are settled first");
        self.out.clear();
        if self.merged.is_none() {
            self.merged = Some(Merged::build(&self.streams));
        }
        let mut points = 0usize;
        loop {
            let arrival = self.to_venue.next_at();
            let point = self.merged.as_ref().and_then(Merged::peek);
            let data_at = point.map(|(s, r)| self.streams[s as usize].ts[r as usize]);
            let venue_at = match (arrival, data_at) {
                (Some(a), Some(d)) => Some(a.min(d)),
                (a, d) => a.or(d),
            };
            if let Some(at) = self.to_strategy.next_at() {
                if venue_at.is_none_or(|v| at < v) {
                    self.now = at;
                    while self.to_strategy.next_at() == Some(at) {
                        let (_, rec) = self.to_strategy.pop().expect("peeked");
                        self.out.extend_from_slice(&rec);
                    }
                    return StepStatus::Ready;
                }
            }
            match (arrival, data_at) {
                (Some(a), d) if d.is_none_or(|d| a <= d) => {
                    let (at, cmd) = self.to_venue.pop().expect("peeked");
                    self.advance_venue(at);
                    self.on_command(cmd);
                }
                (_, Some(d)) => {
                    if points >= max_points {
                        return StepStatus::Paused;
                    }
                    let (s, r) = point.expect("peeked");
                    self.merged.as_mut().expect("built").advance();
                    self.advance_venue(d);
                    self.apply_point(s as usize, r as usize);
                    points += 1;
                    let next_ts = self
                        .merged
                        .as_ref()
                        .and_then(Merged::peek)
                        .map(|(s, r)| self.streams[s as usize].ts[r as usize]);
                    if next_ts != Some(d) {
                        self.sample(d, next_ts.is_none());
                    }
                }
                _ => {
                    self.done = true;
                    return StepStatus::Done;
                }
            }
        }
    }

    /// Moves the venue's clock to `at`, expiring GTD and DAY orders due by then.
    fn advance_venue(&mut self, at: u64) {
        self.venue_now = self.venue_now.max(at);
        self.expire(self.venue_now);
    }

    /// Applies one data point to the venue and sends it on to the strategy.
    fn apply_point(&mut self, s: usize, r: usize) {
        let stream = &self.streams[s];
        let inst = stream.inst;
        match &stream.cols {
            Columns::Bars { open, high, low, close, volume } => {
                let (o, h, l, c, v) = (open[r], high[r], low[r], close[r], volume[r]);
                self.on_bar(inst, o, h, l, c, v);
            }
            Columns::Trades { price, qty, side } => {
                let (p, q, a) = (price[r], qty[r], side[r]);
                self.on_print(inst, p, q, a);
            }
            Columns::Quotes { bid, bid_qty, ask, ask_qty } => {
                let (b, bq, a, aq) = (bid[r], bid_qty[r], ask[r], ask_qty[r]);
                self.on_quote(inst, b, bq, a, aq);
            }
            Columns::Depth { side, price, qty } => {
                let (sd, p, q) = (side[r], price[r], qty[r]);
                self.on_depth(inst, sd, p, q);
            }
            Columns::Orders { action, id, side, price, qty } => {
                let (a, oid, sd, p, q) = (action[r], id[r], side[r], price[r], qty[r]);
                self.on_l3(inst, a, oid, sd, p, q);
            }
        }
        let stream = &self.streams[s];
        if self.cfg.subscriptions & (1u32 << (stream.kind as u8)) != 0 {
            let rec = point_record(stream, s, r);
            self.deliver_at(stream.ts[r], rec);
        }
    }

    /// Sends a record to the strategy: it arrives after the data latency.
    pub(crate) fn deliver_at(&mut self, ts: u64, rec: Record) {
        let delay = self.cfg.data_latency.draw(&mut self.rng);
        self.to_strategy.send(ts, delay, rec);
    }

    /// Cash plus every position at its mark.
    pub fn equity(&self) -> f64 {
        self.cash as f64 + self.insts.iter().map(|i| i.pos as f64 * i.mark.unwrap_or(0) as f64).sum::<f64>()
    }

    fn sample(&mut self, ts: u64, last: bool) {
        let due = self.last_sample.is_none_or(|t| ts >= t.saturating_add(self.cfg.sample_every));
        if due || last {
            let exposed = self.insts.iter().any(|i| i.pos != 0);
            self.equity.push(EquityPoint { ts, equity: self.equity(), drawdown: 0.0, exposed });
            self.last_sample = Some(ts);
        }
    }

    /// The records waiting for the strategy after a `Ready` step: `n × STRIDE` f64s.
    pub fn records(&self) -> &[f64] {
        &self.out
    }

    /// The strategy's current time (when it received the latest records).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// The venue's current time.
    pub fn venue_now(&self) -> u64 {
        self.venue_now
    }

    /// Data points processed and in all.
    pub fn progress(&self) -> (usize, usize) {
        self.merged.as_ref().map_or((0, self.streams.iter().map(Stream::len).sum()), Merged::progress)
    }

    /// The strategy's cash, as its fills left it.
    pub fn cash(&self) -> i128 {
        self.cash
    }

    /// The strategy's position in `symbol` (0 if unknown).
    pub fn position(&self, symbol: SymbolId) -> i64 {
        self.inst_of.get(&symbol).map_or(0, |&i| self.insts[i].pos)
    }

    /// The last price of `symbol` the venue has seen (bar close, print, or book mid).
    pub fn mark(&self, symbol: SymbolId) -> Option<i64> {
        self.inst_of.get(&symbol).and_then(|&i| self.insts[i].mark)
    }

    /// The engine behind the venue (for its account and position queries).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether `step` has reported `Done`.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The equity curve so far (drawdowns are filled in by `result`).
    pub fn equity_curve(&self) -> &[EquityPoint] {
        &self.equity
    }

    /// The results: metrics, equity curve and trades (open trades marked to
    /// the last price). Callable at any time; final once `step` is `Done`.
    pub fn result(&self) -> BacktestResult {
        let mut equity = self.equity.clone();
        let mut trades = self.trade_book.closed.clone();
        let basis = |i: usize| self.engine.position(STRATEGY_ACCOUNT, self.insts[i].spec.symbol).map_or(0, |p| p.basis);
        let end = equity.last().map_or(self.venue_now, |p| p.ts);
        trades.extend(self.trade_book.open_trades(end, |i| self.insts[i].mark, basis));
        let bh = self.insts.first().and_then(|i| Some(i.mark? as f64 / i.first_price? as f64 - 1.0)).unwrap_or(0.0);
        let ann = Annualization { periods_per_year: self.cfg.periods_per_year, ts_per_year: self.cfg.ts_per_year };
        let metrics = metrics::compute(&mut equity, &trades, ann, bh);
        BacktestResult { metrics, equity, trades }
    }
}

/// The record a data point reaches the strategy as (its row and stream in slots 9 and 10).
fn point_record(stream: &Stream, s: usize, r: usize) -> Record {
    let (ts, sym) = (stream.ts[r], stream.symbol.0);
    let (rs, ss) = (r as f64, s as f64);
    match &stream.cols {
        Columns::Bars { open, high, low, close, volume } => {
            let (o, h, l, c, v) = (open[r], high[r], low[r], close[r], volume[r]);
            record::make(kind::BAR, ts, sym, &[o as f64, h as f64, l as f64, c as f64, v as f64, rs, ss])
        }
        Columns::Trades { price, qty, side } => {
            let (p, q, a) = (price[r], qty[r], side[r]);
            record::make(kind::TRADE, ts, sym, &[p as f64, q as f64, f64::from(a), 0.0, 0.0, rs, ss])
        }
        Columns::Quotes { bid, bid_qty, ask, ask_qty } => {
            let (b, bq, a, aq) = (bid[r], bid_qty[r], ask[r], ask_qty[r]);
            record::make(kind::QUOTE, ts, sym, &[b as f64, bq as f64, a as f64, aq as f64, 0.0, rs, ss])
        }
        Columns::Depth { side, price, qty } => {
            let (sd, p, q) = (side[r], price[r], qty[r]);
            record::make(kind::DEPTH, ts, sym, &[f64::from(sd.code()), p as f64, q as f64, 0.0, 0.0, rs, ss])
        }
        Columns::Orders { action, id, side, price, qty } => {
            let (a, oid, sd) = (f64::from(action[r].code()), id[r] as f64, f64::from(side[r].code()));
            record::make(kind::ORDER, ts, sym, &[a, oid, sd, price[r] as f64, qty[r] as f64, rs, ss])
        }
    }
}
