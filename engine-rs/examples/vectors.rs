//! Writes the cross-host test vectors: seeded command streams in the f64 wire format and the native engine's events
//! for them, which the JS suite (`engine-rs/tests-js/`) replays against the WASM build in Node, Deno, Bun and Chromium.
//!
//! Usage: `cargo run --release -q -p cift-engine --example vectors -- <out_dir>`. For each vector `<name>` it writes
//! `<name>.commands.f64` and `<name>.events.f64` (raw little-endian f64 records, see `cift_engine::wire`), plus
//! `<name>.bin` / `<name>.prefix.commands.f64` for the snapshot vectors (`snapshot`, and `risk_snapshot` with managed
//! accounts) and a `manifest.json` listing them all.
//! While running, it checks the engine (book invariants, trades at the maker's price, L2 deltas equal to the book)
//! and exits non-zero if anything looks wrong, so broken behaviour is never frozen into a vector.

use cift_engine::wire::{self, event_kind, COMMAND_STRIDE, EVENT_STRIDE};
use cift_engine::{
    AccountId, AccountLimits, CollarRef, Command, CommandKind, Engine, Fees, InstrumentLimits, InstrumentSpec,
    NewOrder, OrderId, OrderType, Price, Qty, Side, StpMode, SymbolId, TimeInForce,
};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use Side::{Buy, Sell};

type Record = [f64; COMMAND_STRIDE];

#[path = "common/splitmix.rs"]
mod splitmix;
use splitmix::Rng;

impl Rng {
    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn side(&mut self) -> Side {
        if self.below(2) == 0 {
            Buy
        } else {
            Sell
        }
    }
}

// ---- native execution with sanity checks ----

/// Runs records through the native engine exactly as the WASM batch path does (`wire::execute_batch`) and checks
/// every command's events against the engine's own state.
struct Runner {
    engine: Engine,
    events: Vec<f64>,
    commands: usize,
    last_event_seq: f64,
    /// Limit price of every order id as last accepted or replaced: a trade must happen at the maker's.
    price_of: HashMap<u64, f64>,
    verify_every: usize,
}

impl Runner {
    fn new(engine: Engine, verify_every: usize) -> Self {
        let last_event_seq = engine.last_event_seq() as f64;
        Runner { engine, events: Vec::new(), commands: 0, last_event_seq, price_of: HashMap::new(), verify_every }
    }

    /// Executes one record; returns the index of its first event record.
    fn exec(&mut self, rec: &Record) -> Result<usize, String> {
        let start = self.events.len() / EVENT_STRIDE;
        wire::execute_batch(&mut self.engine, rec, 1, &mut self.events);
        self.commands += 1;
        let at = self.commands - 1;
        for i in start..self.events.len() / EVENT_STRIDE {
            self.check_event(i).map_err(|e| format!("command #{at} {rec:?}, event #{i}: {e}"))?;
        }
        if self.commands % self.verify_every == 0 {
            self.engine.verify().map_err(|e| format!("after command #{at} {rec:?}: {e}"))?;
            self.engine.verify_accounts().map_err(|e| format!("after command #{at} {rec:?}: {e}"))?;
        }
        Ok(start)
    }

    fn check_event(&mut self, i: usize) -> Result<(), String> {
        let ev = &self.events[i * EVENT_STRIDE..(i + 1) * EVENT_STRIDE];
        if ev[1] != self.last_event_seq + 1.0 {
            return Err(format!("event seq {} follows {}", ev[1], self.last_event_seq));
        }
        self.last_event_seq = ev[1];
        match ev[0] as u8 {
            event_kind::ACCEPTED => {
                self.price_of.insert(ev[4] as u64, ev[10]);
            }
            event_kind::REPLACED => {
                self.price_of.insert(ev[4] as u64, ev[9]);
            }
            event_kind::TRADE => {
                if ev[11] <= 0.0 || ev[12] < 0.0 || ev[13] < 0.0 {
                    return Err(format!("trade of {} leaving {} and {}", ev[11], ev[12], ev[13]));
                }
                let maker_price = self.price_of.get(&(ev[5] as u64)).copied();
                if maker_price != Some(ev[10]) {
                    return Err(format!("trade at {} but the maker's price is {maker_price:?}", ev[10]));
                }
                let taker_limit = self.price_of.get(&(ev[6] as u64)).copied().unwrap_or(0.0);
                let crosses = if ev[9] == 1.0 { ev[10] <= taker_limit } else { ev[10] >= taker_limit };
                if taker_limit != 0.0 && !crosses {
                    return Err(format!("trade at {} outside the taker's limit {taker_limit}", ev[10]));
                }
            }
            event_kind::BOOK_DELTA => {
                let side = if ev[5] == 1.0 { Buy } else { Sell };
                let depth = self.engine.depth_at(SymbolId(ev[4] as u32), side, Price(ev[6] as i64));
                if depth as f64 != ev[7] {
                    return Err(format!("book delta says {} at {} but the book holds {depth}", ev[7], ev[6]));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.engine.verify().map_err(|e| format!("at the end: {e}"))
    }
}

// ---- hand-written scenario scripts ----

/// A command stream under construction: each command gets the next seq and a later ts unless told otherwise.
#[derive(Default)]
struct Script {
    records: Vec<Record>,
    ts: u64,
    seq: u64,
}

impl Script {
    fn cmd(&mut self, kind: CommandKind) -> &mut Self {
        self.seq += 1;
        self.ts += 10;
        self.cmd_at(self.ts, self.seq, kind)
    }

    /// A command with an explicit ts and seq (for time jumps and out-of-sequence commands).
    fn cmd_at(&mut self, ts: u64, seq: u64, kind: CommandKind) -> &mut Self {
        let mut rec = [0.0; COMMAND_STRIDE];
        wire::encode_command(&Command { ts, seq, kind }, &mut rec);
        self.records.push(rec);
        self
    }

    fn order(&mut self, o: NewOrder) -> &mut Self {
        self.cmd(CommandKind::New(o))
    }

    fn cancel(&mut self, id: u64, account: u32) -> &mut Self {
        self.cmd(CommandKind::Cancel { order_id: OrderId(id), account: AccountId(account) })
    }

    fn replace(&mut self, id: u64, account: u32, price: Option<i64>, qty: i64) -> &mut Self {
        let (order_id, account, new_price, new_qty) = (OrderId(id), AccountId(account), price.map(Price), Qty(qty));
        self.cmd(CommandKind::Replace { order_id, account, new_price, new_qty })
    }

    fn mass_cancel(&mut self, account: Option<u32>, symbol: Option<u32>, side: Option<Side>) -> &mut Self {
        let (account, symbol) = (account.map(AccountId), symbol.map(SymbolId));
        self.cmd(CommandKind::MassCancel { account, symbol, side })
    }

    fn session_end(&mut self, symbol: Option<u32>) -> &mut Self {
        self.cmd(CommandKind::SessionEnd { symbol: symbol.map(SymbolId) })
    }

    fn advance_to(&mut self, ts: u64) -> &mut Self {
        self.ts = ts;
        self.seq += 1;
        self.cmd_at(ts, self.seq, CommandKind::AdvanceTime)
    }

    fn instrument(&mut self, spec: InstrumentSpec) -> &mut Self {
        self.cmd(CommandKind::AddInstrument(spec))
    }

    /// A valid new-order record with some slots overwritten: the decoder must reject it as malformed.
    fn malformed_new(&mut self, o: NewOrder, slots: &[(usize, f64)]) -> &mut Self {
        self.seq += 1;
        self.ts += 10;
        let mut rec = [0.0; COMMAND_STRIDE];
        wire::encode_command(&Command { ts: self.ts, seq: self.seq, kind: CommandKind::New(o) }, &mut rec);
        for &(slot, v) in slots {
            rec[slot] = v;
        }
        self.raw(rec)
    }

    fn deposit(&mut self, account: u32, amount: i64) -> &mut Self {
        self.cmd(CommandKind::Deposit { account: AccountId(account), amount })
    }

    fn withdraw(&mut self, account: u32, amount: i64) -> &mut Self {
        self.cmd(CommandKind::Withdraw { account: AccountId(account), amount })
    }

    fn account_limits(&mut self, account: u32, limits: AccountLimits) -> &mut Self {
        self.cmd(CommandKind::SetAccountLimits { account: AccountId(account), limits })
    }

    fn instrument_limits(&mut self, account: u32, symbol: u32, limits: InstrumentLimits) -> &mut Self {
        self.cmd(CommandKind::SetInstrumentLimits { account: AccountId(account), symbol: SymbolId(symbol), limits })
    }

    fn fees(&mut self, symbol: u32, fees: Fees) -> &mut Self {
        self.cmd(CommandKind::SetFees { symbol: SymbolId(symbol), fees })
    }

    fn kill(&mut self, account: u32, on: bool) -> &mut Self {
        self.cmd(CommandKind::SetKillSwitch { account: AccountId(account), on })
    }

    fn halt(&mut self, symbol: u32, halted: bool) -> &mut Self {
        self.cmd(CommandKind::SetHalt { symbol: SymbolId(symbol), halted })
    }

    fn reference(&mut self, symbol: u32, price: i64) -> &mut Self {
        self.cmd(CommandKind::SetReferencePrice {
            symbol: SymbolId(symbol),
            price: (price != 0).then_some(Price(price)),
        })
    }

    fn raw(&mut self, rec: Record) -> &mut Self {
        self.records.push(rec);
        self
    }
}

fn spec(symbol: u32, tick: i64, lot: i64, prices: (i64, i64), qtys: (i64, i64)) -> InstrumentSpec {
    InstrumentSpec {
        symbol: SymbolId(symbol),
        tick_size: tick,
        lot_size: lot,
        min_price: Price(prices.0),
        max_price: Price(prices.1),
        min_qty: Qty(qtys.0),
        max_qty: Qty(qtys.1),
    }
}

/// Symbol 1: unit grid. Symbol 2: tick 5, lot 10. Symbol 3: prices near 2^52 and large lots, to prove integers
/// survive the f64 wire exactly.
fn standard_instruments(s: &mut Script) {
    s.instrument(spec(1, 1, 1, (1, 100_000), (1, 1_000_000)))
        .instrument(spec(2, 5, 10, (100, 500_000), (10, 100_000)))
        .instrument(spec(3, 1_000, 1_000_000, (1_000, 4_000_000_000_000_000), (1_000_000, 1_000_000_000_000)));
}

fn lim(id: u64, account: u32, symbol: u32, side: Side, price: i64, qty: i64) -> NewOrder {
    NewOrder::limit(id, account, symbol, side, price, qty)
}

fn mkt(id: u64, account: u32, symbol: u32, side: Side, qty: i64) -> NewOrder {
    NewOrder::market(id, account, symbol, side, qty)
}

fn stop(id: u64, account: u32, symbol: u32, side: Side, stop_price: i64, qty: i64) -> NewOrder {
    NewOrder {
        order_type: OrderType::Stop,
        tif: TimeInForce::Gtc,
        price: Price(0),
        stop_price: Price(stop_price),
        ..lim(id, account, symbol, side, 0, qty)
    }
}

fn stop_limit(id: u64, account: u32, symbol: u32, side: Side, stop_price: i64, price: i64, qty: i64) -> NewOrder {
    NewOrder {
        order_type: OrderType::StopLimit,
        stop_price: Price(stop_price),
        ..lim(id, account, symbol, side, price, qty)
    }
}

fn with_tif(o: NewOrder, tif: TimeInForce) -> NewOrder {
    NewOrder { tif, ..o }
}

fn with_stp(o: NewOrder, stp: StpMode) -> NewOrder {
    NewOrder { stp, ..o }
}

fn iceberg(o: NewOrder, display: i64) -> NewOrder {
    NewOrder { display_qty: Qty(display), ..o }
}

fn post_only(o: NewOrder) -> NewOrder {
    NewOrder { post_only: true, ..o }
}

/// Order types: limit, market, IOC/FOK, post-only, icebergs with refresh, stops and stop-limits with a cascade,
/// sweeps across levels, on all three instruments.
fn order_types() -> Script {
    let mut s = Script::default();
    standard_instruments(&mut s);
    s.order(lim(1, 1, 1, Buy, 1000, 100))
        .order(lim(2, 2, 1, Buy, 999, 500))
        .order(lim(3, 3, 1, Sell, 1001, 300))
        .order(iceberg(lim(4, 4, 1, Sell, 1002, 1000), 100))
        .order(lim(5, 3, 1, Sell, 1003, 200))
        .order(lim(6, 5, 1, Sell, 1002, 50))
        // Crosses 1001 fully, then the iceberg slice, the plain order behind it, and the refreshed slice.
        .order(lim(7, 6, 1, Buy, 1002, 500))
        .order(mkt(8, 7, 1, Sell, 1200))
        .order(post_only(lim(9, 2, 1, Buy, 1002, 10)))
        .order(post_only(lim(10, 2, 1, Buy, 998, 10)))
        .order(with_tif(lim(11, 6, 1, Buy, 1003, 5000), TimeInForce::Fok))
        .order(with_tif(lim(12, 6, 1, Buy, 1002, 100), TimeInForce::Fok))
        .order(with_tif(lim(13, 6, 1, Buy, 1003, 2000), TimeInForce::Ioc))
        .order(lim(14, 1, 1, Sell, 1010, 100))
        .order(lim(15, 1, 1, Sell, 1011, 100))
        .order(lim(16, 1, 1, Sell, 1012, 100))
        .order(lim(17, 2, 1, Buy, 990, 100))
        .order(stop(18, 3, 1, Buy, 1010, 150))
        .order(stop_limit(19, 4, 1, Buy, 1011, 1011, 100))
        .order(stop(20, 5, 1, Sell, 995, 40))
        .order(stop_limit(21, 5, 1, Sell, 990, 985, 40))
        // Lifts 1010: stop 18 triggers, takes 1011, which triggers stop-limit 19 (a cascade).
        .order(lim(22, 6, 1, Buy, 1010, 100))
        // Already reached when it arrives: triggers at once.
        .order(stop(23, 7, 1, Buy, 1000, 10))
        .order(lim(24, 8, 1, Sell, 990, 300))
        .order(mkt(25, 8, 1, Sell, 100_000))
        .order(mkt(26, 8, 1, Buy, 100_000))
        // Symbol 2 (tick 5, lot 10): icebergs at one level and a sweep through them.
        .order(iceberg(lim(30, 1, 2, Sell, 20_000, 1000), 100))
        .order(iceberg(lim(31, 2, 2, Sell, 20_000, 500), 200))
        .order(lim(32, 3, 2, Sell, 20_005, 70))
        .order(lim(33, 4, 2, Buy, 20_005, 1330))
        .order(iceberg(lim(34, 4, 2, Buy, 19_995, 1000), 10))
        .order(with_tif(mkt(35, 5, 2, Sell, 40), TimeInForce::Fok))
        .order(with_tif(mkt(36, 5, 2, Sell, 5000), TimeInForce::Fok))
        // Symbol 3: prices and sizes near the top of the exact-integer range.
        .order(lim(40, 1, 3, Buy, 3_999_999_999_999_000, 999_000_000_000))
        .order(lim(41, 2, 3, Sell, 3_999_999_999_999_000, 1_000_000))
        .order(lim(42, 2, 3, Sell, 3_999_999_999_998_000, 1_000_000_000))
        .order(mkt(43, 3, 3, Buy, 1_000_000))
        .order(iceberg(lim(44, 4, 3, Sell, 3_999_999_999_999_000, 500_000_000), 1_000_000))
        .order(lim(45, 5, 3, Buy, 4_000_000_000_000_000, 300_000_000));
    s
}

/// Time in force: DAY orders (resting and pending stops) expiring at SessionEnd of one symbol or all, GTD orders
/// expiring as AdvanceTime passes them, an already-expired GTD, and IOC/FOK leftovers.
fn time_in_force() -> Script {
    let mut s = Script::default();
    standard_instruments(&mut s);
    let gtd = |o: NewOrder, at: u64| NewOrder { tif: TimeInForce::Gtd, expire_at: at, ..o };
    s.order(with_tif(lim(1, 1, 1, Buy, 500, 10), TimeInForce::Day))
        .order(with_tif(lim(2, 1, 1, Sell, 600, 10), TimeInForce::Day))
        .order(with_tif(lim(3, 2, 2, Buy, 500, 10), TimeInForce::Day))
        .order(with_tif(stop(4, 2, 1, Buy, 700, 10), TimeInForce::Day))
        .order(lim(5, 3, 1, Buy, 499, 10))
        .order(gtd(lim(6, 3, 1, Buy, 498, 10), 1_000))
        .order(gtd(lim(7, 3, 1, Sell, 601, 10), 2_000))
        .order(gtd(lim(8, 4, 2, Sell, 700, 20), 1_000))
        .order(gtd(stop_limit(9, 4, 1, Sell, 450, 440, 10), 1_500))
        .order(gtd(iceberg(lim(10, 4, 1, Sell, 602, 100), 10), 3_000))
        // Expiry not after the command's ts: InvalidTif.
        .order(gtd(lim(11, 5, 1, Buy, 400, 10), 1))
        .order(with_tif(lim(12, 5, 1, Buy, 600, 5), TimeInForce::Ioc))
        .order(with_tif(lim(13, 5, 1, Buy, 600, 50), TimeInForce::Ioc))
        .session_end(Some(1))
        .advance_to(999)
        .advance_to(1_000)
        .order(with_tif(lim(14, 6, 1, Sell, 499, 5), TimeInForce::Day))
        .advance_to(2_500)
        .session_end(None)
        .session_end(Some(42))
        .order(gtd(lim(15, 6, 2, Buy, 505, 10), 10_000))
        .order(gtd(lim(16, 7, 2, Buy, 505, 10), 10_000))
        .order(with_tif(lim(17, 7, 2, Buy, 505, 10), TimeInForce::Day))
        .advance_to(10_000)
        .advance_to(10_000)
        .session_end(None)
        .advance_to(20_000);
    s
}

/// Self-trade prevention: every mode against plain and iceberg makers, with FOK, and self-trades allowed with None.
fn self_trade() -> Script {
    let mut s = Script::default();
    standard_instruments(&mut s);
    s.order(lim(1, 1, 1, Sell, 100, 50))
        .order(lim(2, 2, 1, Sell, 100, 50))
        .order(lim(3, 1, 1, Sell, 101, 50))
        .order(lim(4, 1, 1, Buy, 100, 20))
        .order(with_stp(lim(5, 1, 1, Buy, 101, 200), StpMode::CancelNewest))
        .order(with_stp(lim(6, 1, 1, Buy, 100, 70), StpMode::CancelOldest))
        .order(lim(7, 3, 1, Sell, 102, 40))
        .order(lim(8, 3, 1, Sell, 102, 40))
        .order(lim(9, 4, 1, Sell, 102, 40))
        .order(with_stp(lim(10, 3, 1, Buy, 102, 100), StpMode::CancelBoth))
        .order(lim(11, 5, 1, Sell, 103, 30))
        .order(lim(12, 5, 1, Sell, 103, 100))
        .order(lim(13, 6, 1, Sell, 103, 10))
        .order(with_stp(lim(14, 5, 1, Buy, 103, 60), StpMode::DecrementAndCancel))
        .order(with_stp(lim(15, 5, 1, Buy, 103, 500), StpMode::DecrementAndCancel))
        .order(lim(16, 7, 1, Sell, 104, 25))
        .order(with_stp(lim(17, 7, 1, Buy, 104, 25), StpMode::DecrementAndCancel))
        .order(iceberg(lim(18, 8, 1, Sell, 105, 100), 10))
        .order(lim(19, 9, 1, Sell, 105, 10))
        .order(with_stp(with_tif(lim(20, 8, 1, Buy, 105, 20), TimeInForce::Fok), StpMode::CancelNewest))
        .order(with_stp(with_tif(lim(21, 8, 1, Buy, 105, 50), TimeInForce::Fok), StpMode::CancelOldest))
        .order(lim(22, 10, 1, Sell, 106, 10))
        .order(lim(23, 10, 1, Buy, 106, 10))
        .order(with_stp(mkt(24, 10, 1, Buy, 1000), StpMode::CancelBoth))
        .order(lim(25, 11, 2, Sell, 20_000, 100))
        .order(with_stp(stop(26, 11, 2, Buy, 19_000, 50), StpMode::DecrementAndCancel))
        .order(lim(27, 12, 2, Sell, 19_000, 10))
        .order(lim(28, 13, 2, Buy, 19_000, 10));
    s
}

/// Cancel, replace (reduce keeping priority, reprice, increase, cross, post-only cross, pending stops) and mass cancel
/// by account, symbol and side.
fn amendments() -> Script {
    let mut s = Script::default();
    standard_instruments(&mut s);
    s.order(lim(1, 1, 1, Buy, 100, 100))
        .order(lim(2, 2, 1, Buy, 100, 100))
        .order(lim(3, 3, 1, Buy, 99, 100))
        .order(iceberg(lim(4, 4, 1, Buy, 98, 500), 50))
        .order(post_only(lim(5, 5, 1, Sell, 102, 100)))
        .order(stop_limit(6, 6, 1, Sell, 97, 96, 100))
        .order(stop(7, 6, 1, Buy, 110, 100))
        .cancel(3, 3)
        .cancel(3, 3)
        .cancel(1, 2)
        // Pure reduction keeps the front of the queue; the trade below proves it.
        .replace(1, 1, None, 60)
        .order(mkt(8, 9, 1, Sell, 50))
        .replace(2, 2, None, 150)
        .order(mkt(9, 9, 1, Sell, 20))
        .replace(2, 2, Some(101), 150)
        .replace(4, 4, None, 30)
        .replace(4, 4, Some(100), 500)
        .replace(5, 5, Some(101), 100)
        .replace(5, 5, Some(103), 100)
        .replace(6, 6, Some(95), 50)
        .replace(7, 6, Some(111), 50)
        .replace(7, 6, None, 70)
        .replace(1, 1, None, 0)
        .replace(1, 1, Some(100), -5)
        .replace(2, 2, Some(101), 150)
        .replace(4, 4, Some(100), 1_000_001)
        .replace(999, 1, None, 10)
        // Reprice across the spread: trades at the makers' prices.
        .replace(4, 4, Some(103), 500)
        .order(lim(10, 1, 2, Buy, 1_000, 100))
        .order(lim(11, 1, 2, Sell, 2_000, 100))
        .order(lim(12, 2, 2, Sell, 2_005, 100))
        .order(lim(13, 2, 2, Buy, 995, 100))
        .order(stop(14, 1, 2, Sell, 900, 100))
        .replace(11, 1, Some(2_003), 100)
        .mass_cancel(Some(1), Some(2), None)
        .mass_cancel(None, Some(77), None)
        .mass_cancel(None, Some(2), Some(Sell))
        .order(lim(1, 1, 2, Buy, 1_000, 100))
        .order(lim(15, 3, 1, Sell, 120, 10))
        .mass_cancel(Some(3), None, None)
        .mass_cancel(None, None, Some(Buy))
        .mass_cancel(None, None, None)
        .mass_cancel(None, None, None);
    s
}

/// Commands the engine must refuse with a reason: every reject code reachable from a well-formed record.
fn rejects() -> Script {
    let mut s = Script::default();
    standard_instruments(&mut s);
    s.instrument(spec(1, 1, 1, (1, 10), (1, 10)))
        .instrument(spec(4, 0, 1, (1, 10), (1, 10)))
        .instrument(spec(5, 1, 1, (10, 1), (1, 10)))
        .order(lim(1, 1, 9, Buy, 100, 10))
        .order(lim(2, 1, 2, Buy, 1_003, 10))
        .order(lim(3, 1, 2, Buy, 1_000, 15))
        .order(lim(4, 1, 1, Buy, 0, 10))
        .order(lim(5, 1, 1, Buy, 100_001, 10))
        .order(lim(6, 1, 1, Buy, 100, 0))
        .order(lim(7, 1, 1, Buy, 100, 1_000_001))
        .order(lim(8, 1, 1, Buy, 100, 10))
        .order(lim(8, 2, 1, Sell, 200, 10))
        .order(stop(9, 1, 2, Buy, 1_001, 10))
        .order(iceberg(lim(10, 1, 1, Buy, 100, 10), 20))
        .order(iceberg(mkt(11, 1, 1, Buy, 10), 5))
        .order(iceberg(with_tif(lim(12, 1, 1, Buy, 100, 10), TimeInForce::Ioc), 5))
        .order(iceberg(lim(13, 1, 2, Buy, 1_000, 100), 15))
        .order(post_only(with_tif(lim(14, 1, 1, Buy, 100, 10), TimeInForce::Fok)))
        .order(post_only(mkt(15, 1, 1, Buy, 10)))
        .order(NewOrder { tif: TimeInForce::Gtd, expire_at: 5, ..lim(16, 1, 1, Buy, 100, 10) })
        .order(lim(17, 2, 1, Sell, 101, 10))
        .order(post_only(lim(18, 1, 1, Buy, 101, 10)))
        .cancel(17, 1)
        .cancel(12_345, 2)
        .replace(17, 1, None, 5)
        .replace(17, 2, Some(101), 15)
        .replace(17, 2, Some(102), 15)
        .order(stop(19, 3, 1, Sell, 50, 10))
        .replace(19, 3, Some(49), 10)
        .mass_cancel(None, Some(9), None)
        .session_end(Some(9));
    // Out of sequence: a repeated and a lower seq, then normal order again.
    let (ts, seq) = (s.ts, s.seq);
    s.cmd_at(ts, seq, CommandKind::New(lim(20, 1, 1, Buy, 100, 10)))
        .cmd_at(ts, seq - 3, CommandKind::Cancel { order_id: OrderId(8), account: AccountId(1) })
        .cmd_at(ts, 0, CommandKind::AdvanceTime)
        .order(lim(21, 1, 1, Buy, 100, 10));
    s
}

/// Records the decoder must refuse as `Malformed`: non-integers, NaN, infinities, negatives where unsigned, values
/// beyond 2^53 or u32, unknown codes and flag bits, unknown command kinds. Valid commands in between show that
/// nothing changed and that a malformed record does not consume its seq.
fn malformed() -> Script {
    let mut s = Script::default();
    standard_instruments(&mut s);
    let o = lim(1, 1, 1, Buy, 100, 10);
    let (nan, inf) = (f64::NAN, f64::INFINITY);
    s.order(lim(100, 9, 1, Sell, 105, 50))
        .malformed_new(o, &[(9, 100.5)])
        .malformed_new(o, &[(9, nan)])
        .malformed_new(o, &[(9, inf)])
        .malformed_new(o, &[(10, -inf)])
        .malformed_new(o, &[(10, 2.5)])
        .malformed_new(o, &[(3, -1.0)])
        .malformed_new(o, &[(3, 9_007_199_254_740_994.0)])
        .malformed_new(o, &[(4, -3.0)])
        .malformed_new(o, &[(4, 4_294_967_296.0)])
        .malformed_new(o, &[(5, -0.5)])
        .malformed_new(o, &[(6, 3.0)])
        .malformed_new(o, &[(6, 0.0)])
        .malformed_new(o, &[(7, 9.0)])
        .malformed_new(o, &[(8, 0.0)])
        .malformed_new(o, &[(8, 256.0)])
        .malformed_new(o, &[(11, nan)])
        .malformed_new(o, &[(12, 1e300)])
        .malformed_new(o, &[(13, -1.0)])
        .malformed_new(o, &[(14, 5.0)])
        .malformed_new(o, &[(15, 4.0)])
        .malformed_new(o, &[(15, 1.5)])
        .malformed_new(o, &[(1, nan)])
        .malformed_new(o, &[(1, -10.0)])
        .malformed_new(o, &[(2, 1.5)])
        .malformed_new(o, &[(2, -1.0), (3, 77.0)])
        .malformed_new(o, &[(0, 1.25)])
        .malformed_new(o, &[(0, nan)])
        .malformed_new(o, &[(0, 0.0)])
        .malformed_new(o, &[(0, 16.0)])
        .malformed_new(o, &[(0, 255.0)])
        .malformed_new(o, &[(0, -1.0)])
        .malformed_new(o, &[(0, 1e20), (3, 5.0)]);
    // The seq of a malformed record was not consumed: this one (same seq as the last) is accepted.
    let (ts, seq) = (s.ts, s.seq);
    s.cmd_at(ts, seq, CommandKind::New(lim(1, 1, 1, Buy, 100, 10)));
    let mut bad = |kind: CommandKind, slots: &[(usize, f64)]| {
        s.seq += 1;
        s.ts += 10;
        let mut rec = [0.0; COMMAND_STRIDE];
        wire::encode_command(&Command { ts: s.ts, seq: s.seq, kind }, &mut rec);
        for &(slot, v) in slots {
            rec[slot] = v;
        }
        s.raw(rec);
    };
    let cancel = CommandKind::Cancel { order_id: OrderId(1), account: AccountId(1) };
    let replace =
        CommandKind::Replace { order_id: OrderId(1), account: AccountId(1), new_price: None, new_qty: Qty(5) };
    let mass = CommandKind::MassCancel { account: None, symbol: None, side: None };
    bad(cancel, &[(3, nan)]);
    bad(cancel, &[(4, -inf)]);
    bad(replace, &[(10, 2.5)]);
    bad(replace, &[(9, inf)]);
    bad(mass, &[(6, 3.0)]);
    bad(mass, &[(4, -2.0)]);
    bad(mass, &[(5, 0.5)]);
    bad(CommandKind::SessionEnd { symbol: None }, &[(5, -2.0)]);
    bad(CommandKind::AdvanceTime, &[(1, inf)]);
    bad(CommandKind::AddInstrument(spec(6, 1, 1, (1, 10), (1, 10))), &[(9, nan)]);
    bad(CommandKind::AddInstrument(spec(6, 1, 1, (1, 10), (1, 10))), &[(14, 1e17)]);
    s.order(mkt(2, 2, 1, Buy, 60)).cancel(1, 1).mass_cancel(None, None, None);
    s
}

fn reduce_only(o: NewOrder) -> NewOrder {
    NewOrder { reduce_only: true, ..o }
}

/// Pre-trade risk and accounting: every account command, every risk rejection (each at its limit and one over),
/// fills with maker rebates and taker fees, a flip from long to short, a kill switch cancelling resting orders and
/// stops, a halt, and a position pushed to the i64 bound (Overflow).
fn risk() -> Script {
    let mut s = Script::default();
    standard_instruments(&mut s);
    // Symbol 4: lots up to 2^53, so 1024 resting orders reach 2^63.
    s.instrument(spec(4, 1, 1, (1, 10), (1, 1 << 53)));
    let fees = Fees { maker_ppm: -100, taker_ppm: 300, maker_per_unit: 0, taker_per_unit: 1 };
    let limits = AccountLimits {
        max_order_qty: 1_000,
        max_order_notional: 500_000,
        max_open_orders: 4,
        rate_capacity: 12,
        rate_per_interval: 1,
        rate_interval: 100,
        ..AccountLimits::default()
    };
    let sym1 = InstrumentLimits {
        max_order_qty: 500,
        max_long: 800,
        max_short: 300,
        collar_bps: 500,
        collar_ref: CollarRef::Host,
        ..InstrumentLimits::default()
    };
    s.fees(1, fees)
        .fees(9, fees)
        .deposit(10, 1_000_000)
        .deposit(11, 500_000)
        .withdraw(11, 500_001)
        .withdraw(11, 100_000)
        .withdraw(12, 1)
        .account_limits(10, limits)
        .instrument_limits(10, 1, sym1)
        .instrument_limits(10, 9, sym1)
        .reference(1, 1_000)
        .order(lim(1, 10, 1, Buy, 1_000, 501))
        .order(lim(1, 10, 1, Buy, 1_000, 500))
        .order(lim(2, 10, 1, Buy, 1_001, 500))
        .order(lim(2, 10, 1, Buy, 1_051, 10))
        .order(lim(2, 10, 1, Sell, 949, 10))
        .order(lim(2, 10, 1, Buy, 1_050, 301))
        .order(lim(2, 10, 1, Buy, 999, 300))
        .order(lim(3, 10, 1, Sell, 1_050, 301))
        .order(reduce_only(lim(3, 10, 1, Sell, 1_050, 1)))
        // Unmanaged account 12 sells into account 10's bids: maker fills with a rebate; 10 is long 600.
        .order(lim(50, 12, 1, Sell, 999, 600))
        .cancel(2, 10)
        .order(reduce_only(lim(3, 10, 1, Sell, 1_040, 400)))
        .order(reduce_only(lim(4, 10, 1, Sell, 1_041, 201)))
        .order(reduce_only(lim(4, 10, 1, Sell, 1_041, 200)))
        .replace(3, 10, None, 401)
        .replace(3, 10, Some(1_039), 400)
        // Worst-case short: 600 open sells + 301 − 600 long = 301.
        .order(lim(5, 10, 1, Sell, 1_045, 301))
        .order(lim(5, 10, 1, Sell, 1_045, 300))
        .order(lim(6, 10, 1, Buy, 990, 10))
        .order(lim(7, 10, 1, Buy, 990, 10))
        // Account 12 lifts the three sells: 10 goes from long 600 to short 300, partly at a taker's fee.
        .order(mkt(51, 12, 1, Buy, 1_000))
        .replace(5, 10, Some(1_045), 1_000)
        .cancel(6, 10)
        // Account 14 (no limits) flips from long 10 to short 15 in one fill, then covers 5 at a profit.
        .deposit(14, 100_000)
        .order(lim(54, 12, 1, Sell, 1_000, 10))
        .order(lim(40, 14, 1, Buy, 1_000, 10))
        .order(lim(55, 12, 1, Buy, 990, 30))
        .order(mkt(41, 14, 1, Sell, 25))
        .cancel(55, 12)
        .order(lim(56, 12, 1, Sell, 985, 5))
        .order(mkt(42, 14, 1, Buy, 5))
        .withdraw(14, 1_000_000)
        // Account 11 may not sell short, has a gross exposure limit and little cash.
        .account_limits(
            11,
            AccountLimits { max_gross_exposure: 600_000, forbid_short: true, ..AccountLimits::default() },
        )
        .order(lim(20, 11, 1, Sell, 1_000, 1))
        .order(lim(20, 11, 1, Buy, 1_000, 300))
        .order(lim(21, 11, 2, Buy, 1_000, 310))
        .order(lim(21, 11, 2, Buy, 1_000, 100))
        .order(lim(21, 11, 2, Buy, 1_000, 90))
        .order(mkt(22, 11, 1, Buy, 50))
        .order(lim(23, 11, 1, Sell, 1_020, 60))
        .order(mkt(24, 11, 1, Sell, 1))
        .withdraw(11, 1_000_000)
        // Rate limit: 12 orders at once, the 13th in the same instant is refused, one more after 100 time units.
        .account_limits(
            13,
            AccountLimits { rate_capacity: 2, rate_per_interval: 1, rate_interval: 100, ..AccountLimits::default() },
        )
        .deposit(13, 1_000_000);
    let (ts, seq) = (s.ts, s.seq);
    s.cmd_at(ts, seq + 1, CommandKind::New(lim(30, 13, 2, Buy, 1_000, 10)))
        .cmd_at(ts, seq + 2, CommandKind::New(stop(31, 13, 2, Sell, 500, 10)))
        .cmd_at(ts, seq + 3, CommandKind::New(lim(32, 13, 2, Buy, 1_000, 10)))
        .cmd_at(ts + 100, seq + 4, CommandKind::New(lim(32, 13, 2, Buy, 1_000, 10)));
    s.seq += 4;
    s.ts += 100;
    // Halt: no new orders or replaces on symbol 2, but cancels work.
    s.halt(2, true)
        .order(lim(33, 13, 2, Buy, 1_000, 10))
        .order(lim(52, 12, 2, Buy, 1_000, 10))
        .replace(30, 13, None, 20)
        .cancel(32, 13)
        .halt(2, false)
        .halt(9, true)
        // Kill switch: cancels the resting order and the pending stop, refuses new orders until it is off.
        .kill(13, true)
        .order(lim(33, 13, 2, Buy, 1_000, 10))
        .kill(13, false)
        .order(lim(33, 13, 2, Buy, 1_000, 10))
        .fees(2, Fees { maker_ppm: 50, taker_ppm: 50, maker_per_unit: 2, taker_per_unit: 2 })
        .order(lim(53, 12, 2, Sell, 1_000, 10))
        .reference(1, 0)
        .reference(9, 5)
        .instrument_limits(10, 1, InstrumentLimits { collar_bps: 100, collar_ref: CollarRef::Last, ..sym1 })
        .instrument_limits(10, 2, InstrumentLimits { collar_bps: 100, collar_ref: CollarRef::Mid, ..sym1 })
        .order(lim(9, 10, 2, Buy, 1_015, 10));
    // Overflow: 1023 buys of 2^53 fit under 2^63; the 1024th would not.
    let big = 1i64 << 53;
    for i in 0..1_024 {
        s.deposit(20, big);
        s.order(lim(1_000 + i, 20, 4, Buy, 1, big));
    }
    s.mass_cancel(Some(20), None, None).mass_cancel(Some(10), None, None);
    s
}

// ---- random streams ----

/// One instrument of a random stream: its grid and a mid price (in ticks) that walks.
struct Market {
    symbol: u32,
    tick: i64,
    lot: i64,
    mid: i64,
    min_ticks: i64,
    max_ticks: i64,
}

/// A random order flow around moving mid prices, generated while the native engine runs it, so cancels and replaces
/// name orders that are really live (tracked from the events).
struct RandomFlow {
    rng: Rng,
    runner: Runner,
    records: Vec<Record>,
    markets: Vec<Market>,
    accounts: u32,
    /// Price band (in ticks) around the mid where passive orders land.
    band: i64,
    ts: u64,
    seq: u64,
    next_id: u64,
    /// Live orders (id, account), with the index of each id for O(1) removal.
    live: Vec<(u64, u32)>,
    live_at: HashMap<u64, usize>,
    peak_live: usize,
    /// Accounts 1..=managed are managed (risk mode); 0 leaves every account unmanaged.
    managed: u32,
}

impl RandomFlow {
    fn new(seed: u64, accounts: u32, band: i64, verify_every: usize) -> Result<Self, String> {
        let mut flow = RandomFlow {
            rng: Rng(seed),
            runner: Runner::new(Engine::new(), verify_every),
            records: Vec::new(),
            markets: vec![
                Market { symbol: 1, tick: 1, lot: 1, mid: 50_000, min_ticks: 1, max_ticks: 100_000 },
                Market { symbol: 2, tick: 5, lot: 10, mid: 4_000, min_ticks: 20, max_ticks: 100_000 },
                Market {
                    symbol: 3,
                    tick: 1_000,
                    lot: 1_000_000,
                    mid: 3_000_000_000_000,
                    min_ticks: 1,
                    max_ticks: 4_000_000_000_000,
                },
            ],
            accounts,
            band,
            ts: 0,
            seq: 0,
            next_id: 1,
            live: Vec::new(),
            live_at: HashMap::new(),
            peak_live: 0,
            managed: 0,
        };
        for i in 0..flow.markets.len() {
            let m = &flow.markets[i];
            let s =
                spec(m.symbol, m.tick, m.lot, (m.min_ticks * m.tick, m.max_ticks * m.tick), (m.lot, 100_000 * m.lot));
            flow.command(CommandKind::AddInstrument(s))?;
        }
        Ok(flow)
    }

    fn command(&mut self, kind: CommandKind) -> Result<(), String> {
        self.seq += if self.rng.chance(20) { self.rng.below(5) + 1 } else { 1 };
        self.ts += self.rng.below(1_000) + 1;
        let mut rec = [0.0; COMMAND_STRIDE];
        wire::encode_command(&Command { ts: self.ts, seq: self.seq, kind }, &mut rec);
        self.record(rec)
    }

    /// Executes a record natively and updates the live set from its events.
    fn record(&mut self, rec: Record) -> Result<(), String> {
        let first = self.runner.exec(&rec)?;
        self.records.push(rec);
        let events = &self.runner.events[first * EVENT_STRIDE..];
        let mut born = Vec::new();
        let mut gone = Vec::new();
        for ev in events.chunks_exact(EVENT_STRIDE) {
            match ev[0] as u8 {
                event_kind::ACCEPTED => born.push((ev[4] as u64, ev[5] as u32)),
                event_kind::TRADE => {
                    if ev[12] == 0.0 {
                        gone.push(ev[5] as u64);
                    }
                    if ev[13] == 0.0 {
                        gone.push(ev[6] as u64);
                    }
                }
                event_kind::CANCELLED if ev[9] == 0.0 => gone.push(ev[4] as u64),
                _ => {}
            }
        }
        for (id, account) in born {
            self.live_at.insert(id, self.live.len());
            self.live.push((id, account));
        }
        self.peak_live = self.peak_live.max(self.live.len());
        for id in gone {
            if let Some(at) = self.live_at.remove(&id) {
                self.live.swap_remove(at);
                if let Some(&(moved, _)) = self.live.get(at) {
                    self.live_at.insert(moved, at);
                }
            }
        }
        Ok(())
    }

    fn random_live(&mut self) -> Option<(u64, u32)> {
        (!self.live.is_empty()).then(|| self.live[self.rng.below(self.live.len() as u64) as usize])
    }

    fn qty(&mut self, m: usize) -> i64 {
        let lots = if self.rng.chance(50) { self.rng.range(50, 400) } else { self.rng.range(1, 40) };
        lots * self.markets[m].lot
    }

    /// A limit price `offset` ticks away from the mid on the passive side (negative offsets cross).
    fn price(&self, m: usize, side: Side, offset: i64) -> i64 {
        let mk = &self.markets[m];
        let t = if side == Buy { mk.mid - offset } else { mk.mid + offset };
        t.clamp(mk.min_ticks, mk.max_ticks) * mk.tick
    }

    fn order_id(&mut self) -> u64 {
        // Now and then reuse an id: it is a duplicate if still live, a fresh order if not.
        if self.next_id > 100 && self.rng.chance(10) {
            return self.rng.range(1, self.next_id as i64 - 1) as u64;
        }
        self.next_id += 1;
        self.next_id - 1
    }

    fn base_order(&mut self, m: usize) -> NewOrder {
        let id = self.order_id();
        let account = self.rng.range(1, i64::from(self.accounts)) as u32;
        let side = self.rng.side();
        let qty = self.qty(m);
        let symbol = self.markets[m].symbol;
        let mut o = lim(id, account, symbol, side, 0, qty);
        if self.rng.chance(150) {
            o.stp = StpMode::from_code(self.rng.range(1, 4) as u8).expect("STP codes 1..=4 exist");
        }
        if self.managed > 0 && self.rng.chance(80) {
            o.reduce_only = true;
        }
        o
    }

    /// Risk mode: accounts 1..=`managed` get cash, fees apply on symbols 1 and 2, and about 4 % of the commands
    /// become account commands (deposits, withdrawals, limits, kill switches, halts, fees, references).
    fn enable_risk(&mut self, managed: u32) -> Result<(), String> {
        self.managed = managed;
        for a in 1..=managed {
            let amount = self.rng.range(50_000_000, 2_000_000_000);
            self.command(CommandKind::Deposit { account: AccountId(a), amount })?;
        }
        for symbol in [1, 2] {
            let fees = Fees { maker_ppm: -50, taker_ppm: 250, maker_per_unit: 0, taker_per_unit: 1 };
            self.command(CommandKind::SetFees { symbol: SymbolId(symbol), fees })?;
        }
        Ok(())
    }

    fn risk_command(&mut self, m: usize) -> Result<(), String> {
        let account = AccountId(self.rng.range(1, i64::from(self.managed)) as u32);
        let symbol = SymbolId(self.markets[m].symbol);
        let kind = match self.rng.below(9) {
            0 => CommandKind::Deposit { account, amount: self.rng.range(1, 50_000_000) },
            1 => CommandKind::Withdraw { account, amount: self.rng.range(1, 200_000_000) },
            2 => CommandKind::SetKillSwitch { account, on: self.rng.chance(200) },
            3 => CommandKind::SetHalt { symbol, halted: self.rng.chance(150) },
            4 => {
                let fees = Fees {
                    maker_ppm: self.rng.range(-200, 300),
                    taker_ppm: self.rng.range(-100, 900),
                    maker_per_unit: self.rng.range(-1, 2),
                    taker_per_unit: self.rng.range(0, 3),
                };
                CommandKind::SetFees { symbol, fees }
            }
            5 => {
                let offset = self.rng.range(-3, 3);
                let price = self.price(m, Buy, offset);
                CommandKind::SetReferencePrice { symbol, price: self.rng.chance(900).then_some(Price(price)) }
            }
            6 => {
                let lot = self.markets[m].lot;
                let limits = InstrumentLimits {
                    max_order_qty: if self.rng.chance(500) { 0 } else { lot * self.rng.range(50, 2_000) },
                    max_order_notional: 0,
                    max_long: if self.rng.chance(500) { 0 } else { lot * self.rng.range(500, 20_000) },
                    max_short: if self.rng.chance(500) { 0 } else { lot * self.rng.range(500, 20_000) },
                    collar_bps: self.rng.range(0, 40) as u32,
                    collar_ref: CollarRef::from_code(self.rng.below(4) as u8).expect("collar codes 0..=3"),
                };
                CommandKind::SetInstrumentLimits { account, symbol, limits }
            }
            _ => {
                let limits = AccountLimits {
                    max_open_orders: self.rng.range(0, 80) as u32,
                    forbid_short: self.rng.chance(400),
                    post_trade_only: self.rng.chance(150),
                    rate_capacity: self.rng.range(0, 30) as u64,
                    rate_per_interval: self.rng.range(1, 5) as u64,
                    rate_interval: 1_000,
                    ..AccountLimits::default()
                };
                CommandKind::SetAccountLimits { account, limits }
            }
        };
        self.command(kind)
    }

    fn limit_order(&mut self, m: usize, offset: i64) -> NewOrder {
        let mut o = self.base_order(m);
        o.price = Price(self.price(m, o.side, offset));
        o.tif = match self.rng.below(100) {
            0..=79 => TimeInForce::Gtc,
            80..=86 => TimeInForce::Day,
            87..=92 => TimeInForce::Gtd,
            93..=96 => TimeInForce::Ioc,
            _ => TimeInForce::Fok,
        };
        if o.tif == TimeInForce::Gtd {
            o.expire_at = self.ts + self.rng.below(200_000) + 2_000;
        }
        if o.tif.may_rest() {
            if self.rng.chance(60) {
                let lot = self.markets[m].lot;
                o.display_qty = Qty((o.qty.0 / lot / 4).max(1) * lot);
            }
            if self.rng.chance(40) {
                o.post_only = true;
            }
        }
        o
    }

    fn step(&mut self) -> Result<(), String> {
        let m = self.rng.below(self.markets.len() as u64) as usize;
        if self.rng.chance(100) {
            let mk = &mut self.markets[m];
            let walked = mk.mid + if self.rng.below(2) == 0 { -1 } else { 1 };
            mk.mid = walked.clamp(mk.min_ticks + 100, mk.max_ticks - 100);
        }
        let band = self.band;
        if self.managed > 0 && self.rng.chance(40) {
            return self.risk_command(m);
        }
        match self.rng.below(1000) {
            0..=469 => {
                let offset = self.rng.range(-4, band);
                let o = self.limit_order(m, offset);
                self.command(CommandKind::New(o))
            }
            470..=569 => {
                let offset = self.rng.range(0, 4);
                let o = self.limit_order(m, offset);
                self.command(CommandKind::New(o))
            }
            570..=629 => {
                let mut o = self.base_order(m);
                o.order_type = OrderType::Market;
                o.tif = if self.rng.chance(100) { TimeInForce::Fok } else { TimeInForce::Ioc };
                if self.rng.chance(50) {
                    o.qty = Qty(o.qty.0 * 30);
                }
                self.command(CommandKind::New(o))
            }
            630..=679 => {
                let mut o = self.base_order(m);
                // Stops beyond the mid in the direction they trigger, some already reached.
                let trigger_side = if o.side == Buy { Sell } else { Buy };
                let dist = self.rng.range(-2, band / 2);
                o.stop_price = Price(self.price(m, trigger_side, dist));
                if self.rng.below(2) == 0 {
                    o.order_type = OrderType::Stop;
                } else {
                    o.order_type = OrderType::StopLimit;
                    let slack = self.rng.range(0, 3);
                    o.price = Price(self.price(m, trigger_side, dist + slack));
                }
                if self.rng.chance(100) {
                    o.tif = TimeInForce::Day;
                }
                self.command(CommandKind::New(o))
            }
            680..=819 => {
                let (order_id, account) = match self.random_live() {
                    Some((id, acc)) if !self.rng.chance(100) => (id, acc),
                    Some((id, acc)) if self.rng.below(2) == 0 => (id, acc % self.accounts + 1),
                    _ => (self.next_id + 1_000, 1),
                };
                self.command(CommandKind::Cancel { order_id: OrderId(order_id), account: AccountId(account) })
            }
            820..=909 => {
                let Some((id, account)) = self.random_live() else { return Ok(()) };
                let (order_id, account) = (OrderId(id), AccountId(account));
                let view = self.runner.engine.order(order_id).ok_or("a tracked live order is unknown to the engine")?;
                let mk = self.markets.iter().position(|x| x.symbol == view.symbol.0).expect("known symbol");
                let lot = self.markets[mk].lot;
                let (new_price, new_qty) = match self.rng.below(4) {
                    0 => (None, Qty(((view.leaves.0 / lot / 2).max(1)) * lot)),
                    1 => (None, Qty(view.leaves.0 + self.markets[mk].lot * self.rng.range(1, 20))),
                    2 if view.price.0 != 0 => {
                        let offset = self.rng.range(-3, band);
                        (Some(Price(self.price(mk, view.side, offset))), view.leaves)
                    }
                    _ => (None, Qty(self.qty(mk))),
                };
                self.command(CommandKind::Replace { order_id, account, new_price, new_qty })
            }
            910..=911 => {
                let account =
                    self.rng.chance(900).then(|| AccountId(self.rng.range(1, i64::from(self.accounts)) as u32));
                let symbol = self.rng.chance(500).then(|| SymbolId(self.markets[m].symbol));
                let side = self.rng.chance(500).then(|| self.rng.side());
                self.command(CommandKind::MassCancel { account, symbol, side })
            }
            912..=917 => {
                let symbol = self.rng.chance(500).then(|| SymbolId(self.markets[m].symbol));
                self.command(CommandKind::SessionEnd { symbol })
            }
            918..=949 => {
                self.ts += self.rng.below(20_000);
                self.command(CommandKind::AdvanceTime)
            }
            950..=959 => self.bad_command(m),
            960..=962 => self.malformed_record(m),
            _ => {
                let offset = self.rng.range(0, 2);
                let o = self.limit_order(m, offset);
                self.command(CommandKind::New(o))
            }
        }
    }

    /// A well-formed command the engine must reject: off-tick, unknown symbol, out of sequence or duplicate id.
    fn bad_command(&mut self, m: usize) -> Result<(), String> {
        let mut o = self.limit_order(m, 5);
        match self.rng.below(4) {
            0 if self.markets[m].tick > 1 => o.price = Price(o.price.0 + 1),
            1 => o.symbol = SymbolId(99),
            2 => {
                // Repeats the last seq without advancing it.
                let mut rec = [0.0; COMMAND_STRIDE];
                wire::encode_command(&Command { ts: self.ts, seq: self.seq, kind: CommandKind::New(o) }, &mut rec);
                return self.record(rec);
            }
            _ => {
                if let Some((id, _)) = self.random_live() {
                    o.id = OrderId(id);
                }
            }
        }
        self.command(CommandKind::New(o))
    }

    fn malformed_record(&mut self, m: usize) -> Result<(), String> {
        let o = self.limit_order(m, 5);
        self.seq += 1;
        self.ts += 1;
        let mut rec = [0.0; COMMAND_STRIDE];
        wire::encode_command(&Command { ts: self.ts, seq: self.seq, kind: CommandKind::New(o) }, &mut rec);
        let slot = self.rng.range(0, COMMAND_STRIDE as i64 - 1) as usize;
        rec[slot] = match self.rng.below(5) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => -f64::INFINITY,
            3 => rec[slot] + 0.5,
            _ => -7.0,
        };
        self.record(rec)
    }
}

// ---- output ----

/// One vector as listed in the manifest.
struct Vector {
    name: String,
    commands: usize,
    events: usize,
    /// For the snapshot vector: (snapshot file, prefix commands file, prefix command count).
    snapshot: Option<(String, String, usize)>,
}

fn f64_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn write(dir: &Path, file: &str, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(dir.join(file), bytes).map_err(|e| format!("writing {file}: {e}"))
}

fn write_vector(dir: &Path, name: &str, records: &[Record], events: &[f64]) -> Result<Vector, String> {
    write(dir, &format!("{name}.commands.f64"), &f64_bytes(records.as_flattened()))?;
    write(dir, &format!("{name}.events.f64"), &f64_bytes(events))?;
    let v = Vector { name: name.into(), commands: records.len(), events: events.len() / EVENT_STRIDE, snapshot: None };
    println!("{name}: {} commands, {} events", v.commands, v.events);
    Ok(v)
}

fn script_vector(dir: &Path, name: &str, script: Script) -> Result<Vector, String> {
    let mut runner = Runner::new(Engine::new(), 1);
    for rec in &script.records {
        runner.exec(rec).map_err(|e| format!("{name}: {e}"))?;
    }
    runner.finish().map_err(|e| format!("{name}: {e}"))?;
    write_vector(dir, name, &script.records, &runner.events)
}

fn random_vector(
    dir: &Path,
    name: &str,
    seed: u64,
    commands: usize,
    accounts: u32,
    band: i64,
    managed: u32,
) -> Result<Vector, String> {
    let mut flow = RandomFlow::new(seed, accounts, band, 997).map_err(|e| format!("{name}: {e}"))?;
    if managed > 0 {
        flow.enable_risk(managed).map_err(|e| format!("{name}: {e}"))?;
    }
    while flow.records.len() < commands {
        flow.step().map_err(|e| format!("{name}: {e}"))?;
    }
    flow.runner.finish().map_err(|e| format!("{name}: {e}"))?;
    println!("{name}: {} live orders at the end, {} at the peak", flow.live.len(), flow.peak_live);
    write_vector(dir, name, &flow.records, &flow.runner.events)
}

/// Runs a random stream halfway, snapshots the engine, and records the second half's events from a restored engine
/// (checked equal to the uninterrupted engine's). With `managed` > 0 the first `managed` accounts are managed (see
/// `RandomFlow::enable_risk`), and the snapshot must hold what the risk state is made of: cash, open positions,
/// open orders' reservations; the second half must then book fills and refuse on buying power from it.
fn snapshot_vector(dir: &Path, name: &str, seed: u64, commands: usize, managed: u32) -> Result<Vector, String> {
    let mut flow = RandomFlow::new(seed, 6, 30, 997).map_err(|e| format!("{name}: {e}"))?;
    if managed > 0 {
        flow.enable_risk(managed).map_err(|e| format!("{name}: {e}"))?;
    }
    while flow.records.len() < commands / 2 {
        flow.step().map_err(|e| format!("{name}: {e}"))?;
    }
    let prefix = flow.records.len();
    let engine = &flow.runner.engine;
    let bytes = engine.snapshot();
    if managed > 0 {
        let accounts = engine.managed_accounts();
        let views: Vec<_> = accounts.iter().filter_map(|&a| engine.account(a)).collect();
        let positions = accounts
            .iter()
            .flat_map(|&a| [1, 2].map(|s| engine.position(a, SymbolId(s))))
            .filter(|p| p.is_some_and(|p| p.qty != 0))
            .count();
        let reserving = views.iter().filter(|v| v.reserved > 0 && v.open_orders > 0).count();
        let cash = views.iter().filter(|v| v.cash != 0).count();
        if accounts.len() < managed as usize || positions == 0 || reserving == 0 || cash == 0 {
            return Err(format!(
                "{name}: the snapshot should hold managed accounts with positions, reservations and cash, but has \
                 {} accounts, {positions} open positions, {reserving} reserving, {cash} with cash",
                accounts.len()
            ));
        }
    }
    let split = flow.runner.events.len();
    let prices = flow.runner.price_of.clone();
    while flow.records.len() < commands {
        flow.step().map_err(|e| format!("{name}: {e}"))?;
    }
    let tail = &flow.records[prefix..];
    let mut restored = Runner::new(Engine::restore(&bytes).map_err(|e| format!("{name}: {e}"))?, 997);
    restored.price_of = prices;
    for rec in tail {
        restored.exec(rec).map_err(|e| format!("{name}: {e}"))?;
    }
    if restored.events != flow.runner.events[split..] {
        return Err(format!("{name}: the restored engine's events differ from the original's"));
    }
    if managed > 0 {
        let kinds = |kind: u8, reason: Option<u8>| {
            restored
                .events
                .chunks_exact(EVENT_STRIDE)
                .any(|e| e[0] as u8 == kind && reason.is_none_or(|r| e[7] as u8 == r))
        };
        let buying_power = cift_engine::RejectReason::InsufficientBuyingPower.code();
        if !kinds(event_kind::FILL, None) || !kinds(event_kind::REJECTED, Some(buying_power)) {
            return Err(format!("{name}: the restored half should book fills and refuse on buying power"));
        }
    }
    let (snap, prefix_file) = (format!("{name}.bin"), format!("{name}.prefix.commands.f64"));
    write(dir, &snap, &bytes)?;
    write(dir, &prefix_file, &f64_bytes(flow.records[..prefix].as_flattened()))?;
    let mut v = write_vector(dir, name, tail, &restored.events)?;
    println!("{name}: {} prefix commands, {} snapshot bytes", prefix, bytes.len());
    v.snapshot = Some((snap, prefix_file, prefix));
    Ok(v)
}

fn manifest(vectors: &[Vector]) -> String {
    let mut out = format!("{{\n  \"commandStride\": {COMMAND_STRIDE},\n  \"eventStride\": {EVENT_STRIDE},\n");
    out.push_str("  \"vectors\": [\n");
    for (i, v) in vectors.iter().enumerate() {
        let _ = write!(out, "    {{ \"name\": \"{}\", \"commands\": {}, \"events\": {}", v.name, v.commands, v.events);
        if let Some((snap, prefix, n)) = &v.snapshot {
            let _ = write!(out, ", \"snapshot\": \"{snap}\", \"prefix\": \"{prefix}\", \"prefixCommands\": {n}");
        }
        out.push_str(if i + 1 < vectors.len() { " },\n" } else { " }\n" });
    }
    out.push_str("  ]\n}\n");
    out
}

/// Fails unless the vectors together use every command kind and produce every event kind, reject reason and cancel
/// reason, so a change that stops exercising one of them is noticed.
fn coverage(dir: &Path, vectors: &[Vector]) -> Result<(), String> {
    let mut missing = Vec::new();
    let mut commands = [false; 16];
    let mut events = [false; 12];
    let mut rejects = [false; 30];
    let mut cancels = [false; 8];
    for v in vectors {
        let read = |file: String| -> Result<Vec<f64>, String> {
            let bytes = std::fs::read(dir.join(&file)).map_err(|e| format!("reading {file}: {e}"))?;
            Ok(bytes.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))).collect())
        };
        for rec in read(format!("{}.commands.f64", v.name))?.chunks_exact(COMMAND_STRIDE) {
            if let Some(seen) = commands.get_mut(rec[0] as usize).filter(|_| rec[0].fract() == 0.0) {
                *seen = true;
            }
        }
        for ev in read(format!("{}.events.f64", v.name))?.chunks_exact(EVENT_STRIDE) {
            events[ev[0] as usize] = true;
            match ev[0] as u8 {
                event_kind::REJECTED => rejects[ev[7] as usize] = true,
                event_kind::CANCELLED => cancels[ev[10] as usize] = true,
                _ => {}
            }
        }
    }
    missing.extend((1..commands.len()).filter(|&k| !commands[k]).map(|k| format!("command kind {k}")));
    missing.extend((1..events.len()).filter(|&k| !events[k]).map(|k| format!("event kind {k}")));
    missing.extend((1..rejects.len()).filter(|&k| !rejects[k]).map(|k| format!("reject reason {k}")));
    missing.extend((1..cancels.len()).filter(|&k| !cancels[k]).map(|k| format!("cancel reason {k}")));
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("the vectors never exercise: {}", missing.join(", ")))
    }
}

fn run(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let vectors = vec![
        script_vector(dir, "order_types", order_types())?,
        script_vector(dir, "time_in_force", time_in_force())?,
        script_vector(dir, "self_trade", self_trade())?,
        script_vector(dir, "amendments", amendments())?,
        script_vector(dir, "rejects", rejects())?,
        script_vector(dir, "malformed", malformed())?,
        script_vector(dir, "risk", risk())?,
        // Tight band and few accounts: constant crossing, self-trade prevention, icebergs refreshing.
        random_vector(dir, "dense", 0x5EED_0001, 20_000, 3, 4, 0)?,
        random_vector(dir, "random", 0x5EED_0002, 200_000, 12, 40, 0)?,
        // Risk mode: 6 of 8 accounts managed, account commands mixed into the flow.
        random_vector(dir, "risk_random", 0x5EED_0004, 60_000, 8, 20, 6)?,
        snapshot_vector(dir, "snapshot", 0x5EED_0003, 40_000, 0)?,
        // A snapshot with managed accounts (cash, positions, reservations, limits, fees) restored mid-flow.
        snapshot_vector(dir, "risk_snapshot", 0x5EED_0005, 30_000, 6)?,
    ];
    write(dir, "manifest.json", manifest(&vectors).as_bytes())?;
    coverage(dir, &vectors)?;
    println!("wrote {} vectors to {}", vectors.len(), dir.display());
    Ok(())
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: vectors <out_dir>");
        return ExitCode::from(2);
    };
    match run(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vectors: {e}");
            ExitCode::FAILURE
        }
    }
}
