//! Differential property test: seeded random command streams run through `Engine` and through the simple reference
//! book in `reference/`; every command's events (BookDelta included) must be identical, the full book state must
//! agree at regular checkpoints, snapshot/restore copies must behave exactly like the original, and every order id
//! must conserve quantity (filled + resting + cancelled = submitted).
//!
//! Scale with `CIFT_DIFF_COMMANDS` (total commands, default 2,000,000), `CIFT_DIFF_SEEDS` (default 20) and
//! `CIFT_DIFF_FIRST_SEED` (default 0); replay one failing seed with `CIFT_DIFF_SEED=<seed>` (a seed's stream does not
//! depend on its length, so the failing command comes at the same index). Meant for an optimized build
//! (`cargo test --profile ci`, about 10 CPU-seconds); under the unoptimized dev profile pass a smaller
//! `CIFT_DIFF_COMMANDS`, e.g. 100000.

mod reference;

use cift_engine::{
    AccountId, Command, CommandKind, Engine, Event, EventKind, InstrumentSpec, NewOrder, OrderId, OrderType, Price,
    Qty, RejectReason, Side, StpMode, SymbolId, TimeInForce,
};
use reference::{RefEngine, RefOrder};
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Order ids are drawn from `1..=ID_POOL`, so ids are reused after fills and cancels.
const ID_POOL: u64 = 600;
/// Full book state is compared every this many commands (and at the end).
const CHECK_EVERY: usize = 97;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().map_or(default, |v| v.parse().unwrap_or_else(|_| panic!("{name} must be an integer")))
}

/// The instruments every stream trades: a coarse grid whose minimum quantity is two lots (replace may go below it,
/// a new order may not), and a fine one with a small maximum quantity, so replace increases can hit the bound.
fn specs() -> [InstrumentSpec; 2] {
    [
        InstrumentSpec {
            symbol: SymbolId(1),
            tick_size: 5,
            lot_size: 10,
            min_price: Price(5),
            max_price: Price(5_000_000),
            min_qty: Qty(20),
            max_qty: Qty(1_000_000),
        },
        InstrumentSpec {
            symbol: SymbolId(2),
            tick_size: 1,
            lot_size: 1,
            min_price: Price(1),
            max_price: Price(100_000),
            min_qty: Qty(1),
            max_qty: Qty(600),
        },
    ]
}

/// Random command source: prices cluster around a drifting mid (in ticks) per instrument.
struct Gen {
    rng: fastrand::Rng,
    seq: u64,
    ts: u64,
    specs: [InstrumentSpec; 2],
    mids: [i64; 2],
    /// How far (in ticks) passive prices reach behind the mid: small gives a thin, busy book, large a deep one.
    spread: i64,
    /// Accounts `1..=accounts` trade with each other, and often with themselves.
    accounts: u32,
}

impl Gen {
    /// Seeds vary the shape of the market: every fourth is deep, odd seeds have two accounts instead of four.
    fn new(seed: u64) -> Self {
        Gen {
            rng: fastrand::Rng::with_seed(seed),
            seq: 0,
            ts: 1_000,
            specs: specs(),
            mids: [10_000, 1_000],
            spread: if seed % 4 == 3 { 30 } else { 8 },
            accounts: if seed % 2 == 1 { 2 } else { 4 },
        }
    }

    /// The command with the next sequence number.
    fn in_sequence(&mut self, kind: CommandKind) -> Command {
        self.seq += 1;
        Command { ts: self.ts, seq: self.seq, kind }
    }

    /// Usually the next sequence number; a few commands repeat or go back in sequence and must be rejected.
    fn command(&mut self, kind: CommandKind) -> Command {
        if self.seq > 0 && self.rng.u32(..1000) < 2 {
            return Command { ts: self.ts, seq: self.seq - self.rng.u64(0..self.seq.min(3)), kind };
        }
        self.in_sequence(kind)
    }

    fn account(&mut self) -> AccountId {
        AccountId(self.rng.u32(1..=self.accounts))
    }

    fn side(&mut self) -> Side {
        if self.rng.bool() {
            Side::Buy
        } else {
            Side::Sell
        }
    }

    fn stp(&mut self) -> StpMode {
        match self.rng.u32(..20) {
            0..=7 => StpMode::None,
            8..=10 => StpMode::CancelNewest,
            11..=13 => StpMode::CancelOldest,
            14..=16 => StpMode::CancelBoth,
            _ => StpMode::DecrementAndCancel,
        }
    }

    /// A price near the mid: mostly a few ticks either side so buys and sells overlap, sometimes deep.
    fn price(&mut self, m: usize, side: Side) -> Price {
        let off = if self.rng.u32(..20) == 0 {
            self.rng.i64(-40..=40)
        } else if side == Side::Buy {
            self.rng.i64(-self.spread..=2)
        } else {
            self.rng.i64(-2..=self.spread)
        };
        Price((self.mids[m] + off).max(1) * self.specs[m].tick_size)
    }

    /// A quantity in lots: mostly small, sometimes large enough to sweep several levels.
    fn qty(&mut self, m: usize) -> Qty {
        let lots = if self.rng.u32(..15) == 0 { self.rng.i64(20..=200) } else { self.rng.i64(1..=20) };
        Qty((lots * self.specs[m].lot_size).min(self.specs[m].max_qty.0))
    }

    /// A pool id that is usually not live (so most new orders are accepted), occasionally a live duplicate.
    fn new_id(&mut self, live: &HashMap<u64, RefOrder>) -> OrderId {
        for _ in 0..2 {
            let id = self.rng.u64(1..=ID_POOL);
            if !live.contains_key(&id) {
                return OrderId(id);
            }
        }
        OrderId(self.rng.u64(1..=ID_POOL))
    }

    /// A live order (usually), or a random id.
    fn target(&mut self, live: &HashMap<u64, RefOrder>, sorted_ids: &[u64]) -> Option<RefOrder> {
        if sorted_ids.is_empty() || self.rng.u32(..10) == 0 {
            return None;
        }
        Some(live[&sorted_ids[self.rng.usize(..sorted_ids.len())]].clone())
    }

    fn next(&mut self, reference: &RefEngine) -> Command {
        for mid in &mut self.mids {
            if self.rng.u32(..8) == 0 {
                *mid = (*mid + if self.rng.bool() { 1 } else { -1 }).clamp(60, 20_000);
            }
        }
        self.ts += self.rng.u64(0..3);
        let live: HashMap<u64, RefOrder> = reference.live().map(|o| (o.id.0, o.clone())).collect();
        let mut sorted_ids: Vec<u64> = live.keys().copied().collect();
        sorted_ids.sort_unstable();
        let kind = match self.rng.u32(..1000) {
            0..=509 => self.limit(&live),
            510..=549 => self.stop(&live),
            550..=599 => self.market(&live),
            600..=709 => self.cancel(&live, &sorted_ids),
            710..=939 => self.replace(&live, &sorted_ids),
            940..=941 => CommandKind::MassCancel {
                account: self.rng.bool().then(|| self.account()),
                symbol: self.rng.bool().then(|| SymbolId(self.rng.u32(1..=3))),
                side: self.rng.bool().then(|| self.side()),
            },
            942 => CommandKind::SessionEnd { symbol: self.rng.bool().then(|| SymbolId(self.rng.u32(1..=3))) },
            943..=989 => {
                self.ts += self.rng.u64(0..120);
                CommandKind::AdvanceTime
            }
            _ => self.oddity(&live),
        };
        self.command(kind)
    }

    fn limit(&mut self, live: &HashMap<u64, RefOrder>) -> CommandKind {
        let m = self.rng.usize(..2);
        let side = self.side();
        let tif = match self.rng.u32(..100) {
            0..=54 => TimeInForce::Gtc,
            55..=67 => TimeInForce::Ioc,
            68..=81 => TimeInForce::Fok,
            82..=90 => TimeInForce::Day,
            _ => TimeInForce::Gtd,
        };
        let qty = self.qty(m);
        let lot = self.specs[m].lot_size;
        let display =
            if tif.may_rest() && self.rng.u32(..12) == 0 { Qty(self.rng.i64(1..=qty.0 / lot) * lot) } else { Qty(0) };
        let expire_at = if tif == TimeInForce::Gtd { self.ts + self.rng.u64(1..400) } else { 0 };
        CommandKind::New(NewOrder {
            id: self.new_id(live),
            account: self.account(),
            symbol: self.specs[m].symbol,
            side,
            order_type: OrderType::Limit,
            tif,
            price: self.price(m, side),
            qty,
            stop_price: Price(0),
            display_qty: display,
            expire_at,
            stp: self.stp(),
            post_only: tif.may_rest() && self.rng.u32(..15) == 0,
            reduce_only: false,
        })
    }

    /// A stop or stop-limit with its trigger around the mid, so some fire at once and trades set off others.
    fn stop(&mut self, live: &HashMap<u64, RefOrder>) -> CommandKind {
        let m = self.rng.usize(..2);
        let side = self.side();
        let away = self.rng.i64(-3..=8);
        let trigger = if side == Side::Buy { self.mids[m] + away } else { self.mids[m] - away };
        let order_type = if self.rng.bool() { OrderType::Stop } else { OrderType::StopLimit };
        let tif = match self.rng.u32(..20) {
            0..=11 => TimeInForce::Gtc,
            12..=13 => TimeInForce::Day,
            14..=15 => TimeInForce::Gtd,
            16..=17 => TimeInForce::Ioc,
            _ => TimeInForce::Fok,
        };
        let qty = self.qty(m);
        let lot = self.specs[m].lot_size;
        let iceberg = order_type == OrderType::StopLimit && tif.may_rest() && self.rng.u32(..8) == 0;
        CommandKind::New(NewOrder {
            id: self.new_id(live),
            account: self.account(),
            symbol: self.specs[m].symbol,
            side,
            order_type,
            tif,
            price: if order_type == OrderType::StopLimit { self.price(m, side) } else { Price(0) },
            qty,
            stop_price: Price(trigger.max(1) * self.specs[m].tick_size),
            display_qty: if iceberg { Qty(self.rng.i64(1..=qty.0 / lot) * lot) } else { Qty(0) },
            expire_at: if tif == TimeInForce::Gtd { self.ts + self.rng.u64(1..400) } else { 0 },
            stp: self.stp(),
            post_only: false,
            reduce_only: false,
        })
    }

    fn market(&mut self, live: &HashMap<u64, RefOrder>) -> CommandKind {
        let m = self.rng.usize(..2);
        let side = self.side();
        let tif = match self.rng.u32(..20) {
            0..=14 => TimeInForce::Ioc,
            15..=18 => TimeInForce::Fok,
            _ => TimeInForce::Gtc,
        };
        let o = NewOrder::market(self.new_id(live).0, self.account().0, self.specs[m].symbol.0, side, self.qty(m).0);
        CommandKind::New(NewOrder { tif, stp: self.stp(), ..o })
    }

    fn cancel(&mut self, live: &HashMap<u64, RefOrder>, sorted_ids: &[u64]) -> CommandKind {
        match self.target(live, sorted_ids) {
            // Now and then the right id with the wrong owner, which must be treated as unknown.
            Some(o) if self.rng.u32(..25) == 0 => {
                CommandKind::Cancel { order_id: o.id, account: AccountId(o.account.0 % self.accounts + 1) }
            }
            Some(o) => CommandKind::Cancel { order_id: o.id, account: o.account },
            None => CommandKind::Cancel { order_id: OrderId(self.rng.u64(0..=ID_POOL)), account: self.account() },
        }
    }

    fn replace(&mut self, live: &HashMap<u64, RefOrder>, sorted_ids: &[u64]) -> CommandKind {
        let Some(o) = self.target(live, sorted_ids) else {
            let m = self.rng.usize(..2);
            return CommandKind::Replace {
                order_id: OrderId(self.rng.u64(0..=ID_POOL)),
                account: self.account(),
                new_price: None,
                new_qty: self.qty(m),
            };
        };
        let m = usize::from(o.symbol != SymbolId(1));
        let lot = self.specs[m].lot_size;
        let (new_price, new_qty) = match self.rng.u32(..100) {
            // Pure reduction (priority kept), with or without restating the price.
            0..=29 => {
                let p = self.rng.bool().then_some(o.price);
                (p, Qty(self.rng.i64(1..=o.leaves.0 / lot) * lot))
            }
            // Re-price: loses priority, may cross and trade at the makers' prices.
            30..=64 => {
                let q = if self.rng.bool() { o.leaves } else { self.qty(m) };
                (Some(self.price(m, o.side)), q)
            }
            // Size increase at the same price: loses priority.
            65..=87 => (None, Qty(o.leaves.0 + self.rng.i64(1..=10) * lot)),
            // Up to the instrument maximum, which counts what already filled.
            88..=91 => (None, Qty(self.specs[m].max_qty.0 - self.rng.i64(0..=3) * lot)),
            // Invalid quantity or price.
            92..=95 => (None, Qty([0, -lot, lot + 1, self.specs[m].max_qty.0 + lot][self.rng.usize(..4)])),
            _ => (Some(Price([0, o.price.0 + 1, self.specs[m].max_price.0 + 5][self.rng.usize(..3)])), o.leaves),
        };
        CommandKind::Replace { order_id: o.id, account: o.account, new_price, new_qty }
    }

    /// Rarely seen commands: each must be rejected (or be harmless) identically.
    fn oddity(&mut self, live: &HashMap<u64, RefOrder>) -> CommandKind {
        let gen = if self.rng.bool() { Self::limit } else { Self::stop };
        let CommandKind::New(base) = gen(self, live) else { unreachable!("limit and stop give new orders") };
        let m = usize::from(base.symbol != SymbolId(1));
        let lot = self.specs[m].lot_size;
        let o = match self.rng.u32(..12) {
            0 => NewOrder { symbol: SymbolId(3), ..base },
            1 => NewOrder { qty: Qty([0, lot + 1, self.specs[m].max_qty.0 + lot][self.rng.usize(..3)]), ..base },
            2 => NewOrder {
                price: Price([0, base.price.0 + 1, self.specs[m].max_price.0 + 5][self.rng.usize(..3)]),
                ..base
            },
            3 => NewOrder { tif: TimeInForce::Gtc, display_qty: Qty(base.qty.0 + lot), ..base },
            4 => NewOrder { tif: TimeInForce::Ioc, display_qty: base.qty, ..base },
            5 => NewOrder { tif: TimeInForce::Gtd, expire_at: self.ts - self.rng.u64(0..5), ..base },
            6 => NewOrder { tif: TimeInForce::Ioc, post_only: true, ..base },
            7 => NewOrder { order_type: OrderType::Market, tif: TimeInForce::Ioc, post_only: true, ..base },
            8 => {
                let spec = InstrumentSpec { tick_size: self.rng.i64(0..=1), ..self.specs[self.rng.usize(..2)] };
                return CommandKind::AddInstrument(InstrumentSpec { symbol: SymbolId(self.rng.u32(1..=9)), ..spec });
            }
            9 => NewOrder {
                order_type: OrderType::Stop,
                stop_price: Price([0, base.price.0 + 1][self.rng.usize(..2)]),
                ..base
            },
            10 => NewOrder { order_type: OrderType::Stop, stop_price: base.price, display_qty: base.qty, ..base },
            _ => NewOrder { tif: TimeInForce::Gtc, post_only: true, ..base },
        };
        CommandKind::New(o)
    }
}

/// Counts of what a run exercised, so the test fails if the generator stops reaching a feature.
#[derive(Default, Debug, Clone, Copy)]
struct Stats {
    commands: u64,
    events: u64,
    trades: u64,
    rejects: u64,
    fok_kills: u64,
    fok_fills: u64,
    ioc_remainders: u64,
    stp_cancels: u64,
    stp_decrements: u64,
    replaces_kept: u64,
    replaces_moved: u64,
    expiries: u64,
    mass_cancels: u64,
    snapshots: u64,
    /// Commands whose trades spanned two or more price levels.
    sweeps: u64,
    /// Stops triggered.
    triggers: u64,
    /// Commands that triggered two or more stops.
    cascades: u64,
    /// New orders accepted under an id that an earlier (filled, cancelled or expired) order used.
    id_reuses: u64,
    /// Rejections by reason code.
    rejects_by_reason: [u64; 15],
    max_live: u64,
    /// Sum over commands of the live order count, for the average.
    live_sum: u64,
}

impl Stats {
    fn record(&mut self, events: &[Event], live: usize) {
        self.commands += 1;
        self.events += events.len() as u64;
        self.max_live = self.max_live.max(live as u64);
        self.live_sum += live as u64;
        let mut fok = false;
        let mut fok_killed = false;
        let mut trade_prices: Vec<Price> = Vec::new();
        let mut triggers = 0;
        for e in events {
            use cift_engine::CancelReason as C;
            match e.kind {
                EventKind::Accepted { tif: TimeInForce::Fok, .. } => fok = true,
                EventKind::Trade { price, .. } => {
                    self.trades += 1;
                    if !trade_prices.contains(&price) {
                        trade_prices.push(price);
                    }
                }
                EventKind::Rejected { reason, .. } => {
                    self.rejects += 1;
                    self.rejects_by_reason[usize::from(reason.code())] += 1;
                }
                EventKind::Cancelled { reason: C::Fok, .. } => fok_killed = true,
                EventKind::Cancelled { reason: C::IocRemainder, .. } => self.ioc_remainders += 1,
                EventKind::Cancelled { reason: C::SelfTrade, leaves, .. } if leaves.0 > 0 => self.stp_decrements += 1,
                EventKind::Cancelled { reason: C::SelfTrade, .. } => self.stp_cancels += 1,
                EventKind::Cancelled { reason: C::Expired, .. } => self.expiries += 1,
                EventKind::Cancelled { reason: C::MassCancel, .. } => self.mass_cancels += 1,
                EventKind::Replaced { priority_kept: true, .. } => self.replaces_kept += 1,
                EventKind::Replaced { priority_kept: false, .. } => self.replaces_moved += 1,
                EventKind::Triggered { .. } => triggers += 1,
                _ => {}
            }
        }
        self.fok_kills += u64::from(fok_killed);
        self.fok_fills += u64::from(fok && !fok_killed && !trade_prices.is_empty());
        self.sweeps += u64::from(trade_prices.len() > 1);
        self.triggers += triggers;
        self.cascades += u64::from(triggers > 1);
    }

    /// A few lines for the test log.
    fn summary(&self) -> String {
        let avg_live = self.live_sum / self.commands.max(1);
        format!(
            "{} commands, {} events, {} trades ({} multi-level sweeps), {} rejects {:?}\n\
             FOK {} filled / {} killed, {} IOC remainders, STP {} cancels / {} decrements, replaces {} kept / {} \
             moved, {} expiries, {} mass-cancelled, {} stops triggered ({} cascades), {} id reuses, \
             {} snapshot round trips, live orders avg {avg_live} max {}",
            self.commands,
            self.events,
            self.trades,
            self.sweeps,
            self.rejects,
            self.rejects_by_reason,
            self.fok_fills,
            self.fok_kills,
            self.ioc_remainders,
            self.stp_cancels,
            self.stp_decrements,
            self.replaces_kept,
            self.replaces_moved,
            self.expiries,
            self.mass_cancels,
            self.triggers,
            self.cascades,
            self.id_reuses,
            self.snapshots,
            self.max_live,
        )
    }

    fn add(&mut self, o: &Stats) {
        self.commands += o.commands;
        self.events += o.events;
        self.trades += o.trades;
        self.rejects += o.rejects;
        self.fok_kills += o.fok_kills;
        self.fok_fills += o.fok_fills;
        self.ioc_remainders += o.ioc_remainders;
        self.stp_cancels += o.stp_cancels;
        self.stp_decrements += o.stp_decrements;
        self.replaces_kept += o.replaces_kept;
        self.replaces_moved += o.replaces_moved;
        self.expiries += o.expiries;
        self.mass_cancels += o.mass_cancels;
        self.snapshots += o.snapshots;
        self.sweeps += o.sweeps;
        self.triggers += o.triggers;
        self.cascades += o.cascades;
        self.id_reuses += o.id_reuses;
        for (mine, theirs) in self.rejects_by_reason.iter_mut().zip(o.rejects_by_reason) {
            *mine += theirs;
        }
        self.max_live = self.max_live.max(o.max_live);
        self.live_sum += o.live_sum;
    }
}

/// Per order id, over all its lives: quantity submitted (accepted plus replace increases), filled, and cancelled
/// (cancel events plus replace decreases).
#[derive(Default, Clone, Copy)]
struct Ledger {
    submitted: i64,
    filled: i64,
    cancelled: i64,
}

/// Books the events into the ledgers; returns how many accepted orders reused an id seen before.
fn post(ledgers: &mut HashMap<u64, Ledger>, events: &[Event]) -> u64 {
    let mut reuses = 0;
    for e in events {
        match e.kind {
            EventKind::Accepted { order_id, qty, .. } => {
                reuses += u64::from(ledgers.contains_key(&order_id.0));
                ledgers.entry(order_id.0).or_default().submitted += qty.0;
            }
            EventKind::Trade { maker_id, taker_id, qty, .. } => {
                ledgers.entry(maker_id.0).or_default().filled += qty.0;
                ledgers.entry(taker_id.0).or_default().filled += qty.0;
            }
            EventKind::Cancelled { order_id, qty, .. } => ledgers.entry(order_id.0).or_default().cancelled += qty.0,
            EventKind::Replaced { order_id, old_qty, new_qty, .. } => {
                let l = ledgers.entry(order_id.0).or_default();
                let change = new_qty.0 - old_qty.0;
                if change > 0 {
                    l.submitted += change;
                } else {
                    l.cancelled -= change;
                }
            }
            _ => {}
        }
    }
    reuses
}

/// Checks filled + resting + cancelled = submitted for every order id seen so far.
fn check_conservation(engine: &Engine, ledgers: &HashMap<u64, Ledger>) -> Result<(), String> {
    for (&id, l) in ledgers {
        let resting = engine.order(OrderId(id)).map_or(0, |o| o.leaves.0);
        if l.filled + resting + l.cancelled != l.submitted {
            let (s, f, c) = (l.submitted, l.filled, l.cancelled);
            return Err(format!("order {id}: filled {f} + resting {resting} + cancelled {c} != submitted {s}"));
        }
    }
    Ok(())
}

fn list(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        let _ = writeln!(s, "    {e:?}");
    }
    s
}

/// Compares everything observable about the book: levels, queues, best prices, depth, last price, live orders.
fn compare_state(engine: &Engine, reference: &RefEngine) -> Result<(), String> {
    engine.verify().map_err(|e| format!("Engine::verify failed: {e}"))?;
    for symbol in reference.symbols() {
        for side in [Side::Buy, Side::Sell] {
            let want = reference.levels(symbol, side);
            let got = engine.levels(symbol, side, usize::MAX);
            if got != want {
                return Err(format!(
                    "levels of {symbol:?} {side:?} differ:\n  engine    {got:?}\n  reference {want:?}"
                ));
            }
            if engine.levels(symbol, side, 5)[..] != want[..want.len().min(5)]
                || engine.best(symbol, side) != want.first().copied()
            {
                return Err(format!("top levels of {symbol:?} {side:?} disagree with the full ladder"));
            }
            for level in &want {
                let (got, want) = (engine.queue(symbol, side, level.price), reference.queue(symbol, side, level.price));
                if got != want {
                    return Err(format!(
                        "queue {symbol:?} {side:?} {:?}: engine {got:?}, reference {want:?}",
                        level.price
                    ));
                }
                if engine.depth_at(symbol, side, level.price) != level.qty {
                    return Err(format!("depth_at {symbol:?} {side:?} {:?} disagrees with levels", level.price));
                }
            }
        }
        if engine.last_price(symbol) != reference.last_price(symbol) {
            return Err(format!("last price of {symbol:?} differs"));
        }
    }
    let live = reference.live().count();
    if engine.live_orders() != live {
        return Err(format!("engine has {} live orders, reference {live}", engine.live_orders()));
    }
    for id in 0..=ID_POOL {
        let (got, want) = (engine.order(OrderId(id)), reference.order(OrderId(id)).map(RefOrder::view));
        if got != want {
            return Err(format!("order {id}:\n  engine    {got:?}\n  reference {want:?}"));
        }
    }
    Ok(())
}

/// Runs one seeded stream of `n` commands (after adding the instruments) and checks it throughout; `at` tracks the
/// command index, so a panic can be located.
fn run_seed(seed: u64, n: usize, at: &Cell<usize>) -> Result<Stats, String> {
    let mut gen = Gen::new(seed);
    let mut engine = Engine::new();
    let mut reference = RefEngine::default();
    // A copy restored from a snapshot, run side by side with the original.
    let mut shadow: Option<Engine> = None;
    let mut ledgers: HashMap<u64, Ledger> = HashMap::new();
    let mut stats = Stats::default();
    let mut next_snapshot = gen.rng.usize(100..5_000);
    let setup: Vec<CommandKind> = gen.specs.iter().map(|&s| CommandKind::AddInstrument(s)).collect();
    for i in 0..setup.len() + n {
        at.set(i);
        let cmd = match setup.get(i) {
            Some(&kind) => gen.in_sequence(kind),
            None => gen.next(&reference),
        };
        let fail = |what: &str, detail: String| {
            format!("seed {seed}, command #{i}: {what}\n  command: {cmd:?}\n{detail}  replay: CIFT_DIFF_SEED={seed}")
        };
        let got = engine.execute(&cmd).to_vec();
        let want = reference.execute(&cmd);
        if got != want {
            let detail = format!("  engine events:\n{}  reference events:\n{}", list(&got), list(&want));
            return Err(fail("engine and reference disagree", detail));
        }
        if let Some(copy) = shadow.as_mut() {
            let twin = copy.execute(&cmd);
            if twin != got {
                let detail = format!("  original events:\n{}  restored events:\n{}", list(&got), list(twin));
                return Err(fail("restored engine diverged from the original", detail));
            }
        }
        stats.id_reuses += post(&mut ledgers, &got);
        stats.record(&got, engine.live_orders());
        if i % CHECK_EVERY == 0 {
            compare_state(&engine, &reference).map_err(|e| fail("state differs", format!("  {e}\n")))?;
            check_conservation(&engine, &ledgers).map_err(|e| fail("quantity not conserved", format!("  {e}\n")))?;
        }
        if i == next_snapshot {
            let bytes = engine.snapshot();
            if let Some(copy) = &shadow {
                if copy.snapshot() != bytes {
                    return Err(fail("restored engine's snapshot differs from the original's", String::new()));
                }
            }
            let restored = Engine::restore(&bytes).map_err(|e| fail("restore failed", format!("  {e}\n")))?;
            if restored.snapshot() != bytes {
                return Err(fail("snapshot of a restored engine differs from the bytes it came from", String::new()));
            }
            compare_state(&restored, &reference).map_err(|e| fail("restored state differs", format!("  {e}\n")))?;
            shadow = Some(restored);
            stats.snapshots += 1;
            next_snapshot += gen.rng.usize(100..10_000);
        }
    }
    let end =
        |what: &str, e: String| format!("seed {seed}, end of stream: {what}: {e}\n  replay: CIFT_DIFF_SEED={seed}");
    compare_state(&engine, &reference).map_err(|e| end("state differs", e))?;
    if let Some(copy) = &shadow {
        compare_state(copy, &reference).map_err(|e| end("restored engine's state differs", e))?;
    }
    check_conservation(&engine, &ledgers).map_err(|e| end("quantity not conserved", e))?;
    Ok(stats)
}

#[test]
fn engine_matches_reference_on_random_streams() {
    let total = env_u64("CIFT_DIFF_COMMANDS", 2_000_000);
    let seeds: Vec<u64> = match std::env::var("CIFT_DIFF_SEED") {
        Ok(s) => vec![s.parse().expect("CIFT_DIFF_SEED must be an integer")],
        Err(_) => {
            let first = env_u64("CIFT_DIFF_FIRST_SEED", 0);
            (first..first + env_u64("CIFT_DIFF_SEEDS", 20)).collect()
        }
    };
    let per_seed = usize::try_from(total / seeds.len() as u64).expect("command count fits usize");
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(u64, Result<Stats, String>)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(seeds.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(&seed) = seeds.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let at = Cell::new(0);
                    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run_seed(seed, per_seed, &at)))
                        .unwrap_or_else(|_| {
                            let i = at.get();
                            Err(format!(
                                "seed {seed} panicked at command #{i} (message above); replay: CIFT_DIFF_SEED={seed}"
                            ))
                        });
                    results.lock().unwrap().push((seed, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(seed, _)| *seed);
    let mut total_stats = Stats::default();
    for (_, outcome) in &results {
        match outcome {
            Ok(s) => total_stats.add(s),
            Err(e) => panic!("{e}"),
        }
    }
    println!(
        "differential: {} seeds in {:.1} s: {}",
        seeds.len(),
        started.elapsed().as_secs_f64(),
        total_stats.summary()
    );
    // The streams must keep reaching every feature, or agreement proves little (short local runs are exempt).
    let s = total_stats;
    if s.commands < 200_000 {
        return;
    }
    let reached = [
        ("trades", s.trades),
        ("rejects", s.rejects),
        ("FOK kills", s.fok_kills),
        ("FOK fills", s.fok_fills),
        ("IOC remainders", s.ioc_remainders),
        ("STP cancels", s.stp_cancels),
        ("STP decrements", s.stp_decrements),
        ("priority-kept replaces", s.replaces_kept),
        ("priority-losing replaces", s.replaces_moved),
        ("expiries", s.expiries),
        ("mass cancels", s.mass_cancels),
        ("snapshots", s.snapshots),
        ("multi-level sweeps", s.sweeps),
        ("stop triggers", s.triggers),
        ("stop cascades", s.cascades),
        ("id reuses", s.id_reuses),
    ];
    for (what, count) in reached {
        assert!(count > 0, "the streams produced no {what}");
    }
    // Every rejection but Malformed (a wire decoding failure) must occur.
    for code in 2..=14 {
        let reason = RejectReason::from_code(code).expect("reject codes are contiguous");
        assert!(s.rejects_by_reason[usize::from(code)] > 0, "the streams produced no {reason:?} rejection");
    }
}

/// Runs a fixed script through the engine and the reference, comparing events and state after every command.
fn run_script(name: &str, script: &[CommandKind]) {
    let mut engine = Engine::new();
    let mut reference = RefEngine::default();
    for (i, kind) in specs().iter().map(|&s| CommandKind::AddInstrument(s)).chain(script.iter().copied()).enumerate() {
        let cmd = Command { ts: 1_000 + i as u64, seq: 1 + i as u64, kind };
        let (got, want) = (engine.execute(&cmd).to_vec(), reference.execute(&cmd));
        assert_eq!(got, want, "{name}, command #{i} {cmd:?}:\n  engine:\n{}  reference:\n{}", list(&got), list(&want));
        compare_state(&engine, &reference).unwrap_or_else(|e| panic!("{name}, command #{i}: {e}"));
    }
}

/// Situations the random streams reach rarely or never, compared the same way.
#[test]
fn engine_matches_reference_on_directed_scripts() {
    let sym = 2;
    let new = |o: NewOrder| CommandKind::New(o);
    let limit = |id, account, side, price, qty| new(NewOrder::limit(id, account, sym, side, price, qty));
    let stop = |id, side, stop_price, qty| {
        new(NewOrder {
            order_type: OrderType::Stop,
            stop_price: Price(stop_price),
            ..NewOrder::market(id, 3, sym, side, qty)
        })
    };
    // Stops of both sides pending before the instrument's first trade, which then reaches them all at once: buy
    // stops fire before sell stops, and the cascade goes on from their trades.
    run_script(
        "both sides reached by the first trade",
        &[
            stop(1, Side::Buy, 100, 2),
            stop(2, Side::Sell, 100, 3),
            stop(3, Side::Sell, 101, 1),
            limit(4, 1, Side::Sell, 100, 4),
            limit(5, 1, Side::Buy, 100, 6),
            limit(6, 2, Side::Buy, 100, 1),
            limit(7, 2, Side::Sell, 100, 1),
        ],
    );
    // Fill-or-kill against icebergs: hidden quantity counts only if no blocking own order sits in the level;
    // cancel-oldest skips (and on a fill cancels) the own order instead.
    let iceberg = |id, account, qty, display| {
        new(NewOrder { display_qty: Qty(display), ..NewOrder::limit(id, account, sym, Side::Sell, 100, qty) })
    };
    let fok = |id, account, qty, stp| {
        new(NewOrder { tif: TimeInForce::Fok, stp, ..NewOrder::limit(id, account, sym, Side::Buy, 100, qty) })
    };
    run_script(
        "fill-or-kill against icebergs and own orders",
        &[
            iceberg(1, 1, 10, 2),
            limit(2, 2, Side::Sell, 100, 3),
            iceberg(3, 1, 10, 2),
            fok(4, 2, 16, StpMode::CancelNewest),
            fok(5, 2, 21, StpMode::CancelOldest),
            fok(6, 2, 6, StpMode::CancelOldest),
            fok(7, 3, 15, StpMode::DecrementAndCancel),
            fok(8, 1, 5, StpMode::DecrementAndCancel),
            fok(9, 3, 14, StpMode::None),
        ],
    );
}

/// The reference is only useful if it is right: pin a few hand-checked behaviours of it directly.
#[test]
fn reference_book_basics() {
    let mut r = RefEngine::default();
    let mut seq = 0;
    let mut run = |r: &mut RefEngine, kind| {
        seq += 1;
        r.execute(&Command { ts: 1, seq, kind }).into_iter().map(|e| e.kind).collect::<Vec<_>>()
    };
    run(&mut r, CommandKind::AddInstrument(specs()[1]));
    let sym = 2;
    let limit = |id, account, side, price, qty, stp| {
        CommandKind::New(NewOrder { stp, ..NewOrder::limit(id, account, sym, side, price, qty) })
    };
    run(&mut r, limit(1, 1, Side::Sell, 101, 5, StpMode::None));
    run(&mut r, limit(2, 2, Side::Sell, 100, 5, StpMode::None));
    run(&mut r, limit(3, 2, Side::Sell, 100, 5, StpMode::None));
    // A sweeping buy trades at the makers' prices, best price then time priority, and rests the rest.
    let evs = run(&mut r, limit(4, 3, Side::Buy, 101, 12, StpMode::None));
    let trades: Vec<(u64, i64, i64)> = evs
        .iter()
        .filter_map(|e| match *e {
            EventKind::Trade { maker_id, price, qty, .. } => Some((maker_id.0, price.0, qty.0)),
            _ => None,
        })
        .collect();
    assert_eq!(trades, [(2, 100, 5), (3, 100, 5), (1, 101, 2)]);
    assert_eq!(r.order(OrderId(1)).map(|o| o.leaves.0), Some(3));
    assert!(r.order(OrderId(4)).is_none());
    // A FOK that would meet its own order under cancel-newest is killed whole, and nothing trades.
    let fok =
        NewOrder { tif: TimeInForce::Fok, stp: StpMode::CancelNewest, ..NewOrder::limit(5, 1, sym, Side::Buy, 101, 1) };
    let evs = run(&mut r, CommandKind::New(fok));
    assert!(matches!(evs[1], EventKind::Cancelled { reason: cift_engine::CancelReason::Fok, .. }), "{evs:?}");
    assert_eq!(evs.len(), 2, "{evs:?}");
    // Unknown orders are rejected without touching the book.
    let evs = run(&mut r, CommandKind::Cancel { order_id: OrderId(1), account: AccountId(2) });
    assert!(matches!(evs[..], [EventKind::Rejected { reason: RejectReason::UnknownOrder, .. }]), "{evs:?}");
}
