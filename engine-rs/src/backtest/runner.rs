//! The backtest: configuration, loading, the replay loop (`step`) and the
//! results. The venue's order handling lives in `venue.rs`.

use super::clock::{DelayLine, Delivery, Merged};
use super::data::{Checker, Columns, DataError, DataKind, Stream};
use super::fill::{BarMarketFill, Slippage};
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
/// bit 1 bars, bit 2 trades, bit 3 quotes, bit 4 depth). Order updates are
/// always delivered. Data the strategy is not called for still drives the venue.
pub type Subscriptions = u32;

/// Every data kind.
pub const SUBSCRIBE_ALL: Subscriptions = 0b1_1110;

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
            return Err(bad("subscriptions", format!("only bits 1 to 4 are data kinds, got {}", self.subscriptions)));
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

    /// Sends a command from the strategy at its current time; it reaches the
    /// venue after the order latency.
    pub fn submit(&mut self, cmd: StrategyCommand) {
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
        let (inst, ts, sym) = (stream.inst, stream.ts[r], stream.symbol.0);
        let (rs, ss) = (r as f64, s as f64);
        let rec = match &stream.cols {
            Columns::Bars { open, high, low, close, volume } => {
                let (o, h, l, c, v) = (open[r], high[r], low[r], close[r], volume[r]);
                self.on_bar(inst, o, h, l, c, v);
                record::make(kind::BAR, ts, sym, &[o as f64, h as f64, l as f64, c as f64, v as f64, rs, ss])
            }
            Columns::Trades { price, qty, side } => {
                let (p, q, a) = (price[r], qty[r], side[r]);
                self.on_print(inst, p, q, a);
                record::make(kind::TRADE, ts, sym, &[p as f64, q as f64, f64::from(a), 0.0, 0.0, rs, ss])
            }
            Columns::Quotes { bid, bid_qty, ask, ask_qty } => {
                let (b, bq, a, aq) = (bid[r], bid_qty[r], ask[r], ask_qty[r]);
                self.on_quote(inst, b, bq, a, aq);
                record::make(kind::QUOTE, ts, sym, &[b as f64, bq as f64, a as f64, aq as f64, 0.0, rs, ss])
            }
            Columns::Depth { side, price, qty } => {
                let (sd, p, q) = (side[r], price[r], qty[r]);
                self.on_depth(inst, sd, p, q);
                record::make(kind::DEPTH, ts, sym, &[f64::from(sd.code()), p as f64, q as f64, 0.0, 0.0, rs, ss])
            }
        };
        let kind_bit = 1u32 << (self.streams[s].kind as u8);
        if self.cfg.subscriptions & kind_bit != 0 {
            self.deliver_at(ts, rec);
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
