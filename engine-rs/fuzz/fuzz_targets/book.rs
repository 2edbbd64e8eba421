//! Fuzz target `book`: bytes drive a sequence of small-range commands (two
//! instruments, three accounts, prices within ~20 ticks, every order type, TIF
//! and STP mode, cancel, replace, mass cancel, session end, advance time) through
//! `Engine::execute`, and mutated raw f64 records through `wire::execute_batch`.
//!
//! After every command the engine must verify, and every event must agree with
//! a shadow of the live orders built from the earlier events: a trade prints at
//! the maker's resting price, within the taker's limit, and leaves add up.
//! Snapshot → restore must give the same bytes and the same future events.
//! Set `CIFT_FUZZ_TRACE=1` to print an input's commands and events.
#![no_main]

use cift_engine::wire::{self, COMMAND_STRIDE, EVENT_STRIDE};
use cift_engine::{
    AccountId, CancelReason, Command, CommandKind, Engine, Event, EventKind, InstrumentSpec, NewOrder, OrderId,
    OrderStatus, OrderType, Price, Qty, RejectReason, Side, StpMode, SymbolId, TimeInForce,
};
use cift_engine_fuzz::{decode_event, wire_value};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::OnceLock;

/// Commands per input at most, to bound one execution's time.
const MAX_OPS: usize = 1000;
/// Order ids are drawn from 1..=ORDER_IDS, so ids collide and get reused.
const ORDER_IDS: u64 = 40;
/// Accounts are 1..=ACCOUNTS, so self-trade prevention triggers often.
const ACCOUNTS: u32 = 3;

/// Instrument 1: 21 one-unit ticks, 10 lots of 1.
const SPEC_1: InstrumentSpec = InstrumentSpec {
    symbol: SymbolId(1),
    tick_size: 1,
    lot_size: 1,
    min_price: Price(90),
    max_price: Price(110),
    min_qty: Qty(1),
    max_qty: Qty(10),
};

/// Instrument 2: 21 ticks of 5, 10 lots of 10.
const SPEC_2: InstrumentSpec = InstrumentSpec {
    symbol: SymbolId(2),
    tick_size: 5,
    lot_size: 10,
    min_price: Price(500),
    max_price: Price(600),
    min_qty: Qty(10),
    max_qty: Qty(100),
};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut run = Run::new();
    for _ in 0..MAX_OPS {
        if u.is_empty() || run.step(&mut u).is_err() {
            break;
        }
    }
    run.finish();
});

fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("CIFT_FUZZ_TRACE").is_some())
}

/// What the events so far say about one live order.
#[derive(Clone, Copy, Debug)]
struct Live {
    account: AccountId,
    symbol: SymbolId,
    side: Side,
    /// Limit price; `None` for market and stop-market orders.
    limit: Option<Price>,
    leaves: Qty,
    /// A stop not yet triggered.
    pending: bool,
    tif: TimeInForce,
    /// GTD expiry (zero otherwise).
    expire_at: u64,
    /// Whether it has traded (as maker or taker).
    traded: bool,
}

/// One input's run: the engine under test and what the checks remember.
struct Run {
    engine: Engine,
    /// A copy restored from a snapshot, fed the same commands since; it must
    /// emit the same events.
    twin: Option<Engine>,
    live: BTreeMap<OrderId, Live>,
    last_event_seq: u64,
    ts: u64,
}

impl Run {
    fn new() -> Self {
        let mut run = Run { engine: Engine::new(), twin: None, live: BTreeMap::new(), last_event_seq: 0, ts: 1 };
        for (seq, spec) in [(1, SPEC_1), (2, SPEC_2)] {
            run.direct(Command { ts: 1, seq, kind: CommandKind::AddInstrument(spec) });
        }
        run
    }

    /// One fuzzer-chosen operation, weighted towards new orders so books fill and cross.
    fn step(&mut self, u: &mut Unstructured) -> Result<()> {
        match u.int_in_range(0..=15u8)? {
            0..=12 => {
                let which = pick_kind(u)?;
                if which == ADVANCE_TIME {
                    self.ts += u.int_in_range(0..=6)?;
                }
                self.command(u, which)
            }
            13..=14 => self.raw(u),
            _ => {
                self.snapshot_twin();
                Ok(())
            }
        }
    }

    /// The next command header: time creeps forward; now and then the
    /// sequence number repeats (and must be rejected).
    fn header(&mut self, u: &mut Unstructured) -> Result<(u64, u64)> {
        self.ts += u.int_in_range(0..=1)?;
        let last = self.engine.last_command_seq();
        let seq = if u.ratio(1, 64)? { last } else { last + 1 };
        Ok((self.ts, seq))
    }

    fn command(&mut self, u: &mut Unstructured, which: u8) -> Result<()> {
        let kind = self.gen_kind(u, which)?;
        let (ts, seq) = self.header(u)?;
        self.direct(Command { ts, seq, kind });
        Ok(())
    }

    /// A command of the given variant, fields in small ranges.
    fn gen_kind(&self, u: &mut Unstructured, which: u8) -> Result<CommandKind> {
        Ok(match which {
            NEW => CommandKind::New(self.gen_new(u)?),
            CANCEL => {
                let (order_id, account) = self.target(u)?;
                CommandKind::Cancel { order_id, account }
            }
            REPLACE => {
                let (order_id, account) = self.target(u)?;
                let spec = self.spec(self.live.get(&order_id).map_or(SymbolId(1), |o| o.symbol));
                let new_price = if u.arbitrary()? { Some(gen_price(u, &spec)?) } else { None };
                CommandKind::Replace { order_id, account, new_price, new_qty: gen_qty(u, &spec)? }
            }
            MASS_CANCEL => CommandKind::MassCancel {
                account: if u.ratio(1, 3)? { None } else { Some(AccountId(u.int_in_range(1..=ACCOUNTS)?)) },
                symbol: gen_opt_symbol(u)?,
                side: *u.choose(&[None, Some(Side::Buy), Some(Side::Sell)])?,
            },
            SESSION_END => CommandKind::SessionEnd { symbol: gen_opt_symbol(u)? },
            ADVANCE_TIME => CommandKind::AdvanceTime,
            _ => CommandKind::AddInstrument(gen_spec(u)?),
        })
    }

    fn gen_new(&self, u: &mut Unstructured) -> Result<NewOrder> {
        let symbol = gen_symbol(u)?;
        let spec = self.spec(symbol);
        let qty = gen_qty(u, &spec)?;
        let display_qty = match u.int_in_range(0..=15u8)? {
            0..=11 => Qty(0),
            12..=14 => Qty(spec.lot_size * u.int_in_range(1..=3)?),
            _ => Qty(if u.arbitrary()? { qty.0 + spec.lot_size } else { -spec.lot_size }),
        };
        Ok(NewOrder {
            id: OrderId(u.int_in_range(1..=ORDER_IDS)?),
            account: AccountId(u.int_in_range(1..=ACCOUNTS)?),
            symbol,
            side: if u.arbitrary()? { Side::Buy } else { Side::Sell },
            order_type: match u.int_in_range(0..=9u8)? {
                0..=5 => OrderType::Limit,
                6 => OrderType::Market,
                7 => OrderType::Stop,
                _ => OrderType::StopLimit,
            },
            tif: *u.choose(&[
                TimeInForce::Gtc,
                TimeInForce::Gtc,
                TimeInForce::Day,
                TimeInForce::Gtd,
                TimeInForce::Ioc,
                TimeInForce::Fok,
            ])?,
            price: gen_price(u, &spec)?,
            qty,
            stop_price: gen_price(u, &spec)?,
            display_qty,
            // At or before now (rejected) up to a few advances ahead.
            expire_at: self.ts + u.int_in_range(0..=12)?,
            stp: *u.choose(&[
                StpMode::None,
                StpMode::None,
                StpMode::None,
                StpMode::CancelNewest,
                StpMode::CancelOldest,
                StpMode::CancelBoth,
                StpMode::DecrementAndCancel,
            ])?,
            post_only: u.ratio(1, 16)?,
            // Ignored for an unmanaged account: it must change nothing.
            reduce_only: u.ratio(1, 16)?,
        })
    }

    /// An (order, account) to cancel or replace: mostly a live order and its
    /// owner, sometimes the wrong owner or any id.
    fn target(&self, u: &mut Unstructured) -> Result<(OrderId, AccountId)> {
        if !self.live.is_empty() && u.ratio(7, 8)? {
            let n = u.int_in_range(0..=self.live.len() - 1)?;
            let (&id, o) = self.live.iter().nth(n).expect("n < len");
            let account = if u.ratio(1, 8)? { AccountId(o.account.0 % ACCOUNTS + 1) } else { o.account };
            return Ok((id, account));
        }
        Ok((OrderId(u.int_in_range(1..=ORDER_IDS)?), AccountId(u.int_in_range(1..=ACCOUNTS)?)))
    }

    /// The instrument's spec, or instrument 1's grid for an unknown symbol.
    fn spec(&self, symbol: SymbolId) -> InstrumentSpec {
        self.engine.instrument(symbol).copied().unwrap_or(SPEC_1)
    }

    /// A generated command as a raw record, sometimes with a few slots (or all
    /// of them) replaced by awkward values, through the batch path.
    fn raw(&mut self, u: &mut Unstructured) -> Result<()> {
        let which = pick_kind(u)?;
        let kind = self.gen_kind(u, which)?;
        let (ts, seq) = self.header(u)?;
        let mut rec = [0.0; COMMAND_STRIDE];
        wire::encode_command(&Command { ts, seq, kind }, &mut rec);
        if u.ratio(1, 8)? {
            for slot in rec.iter_mut() {
                *slot = wire_value(u)?;
            }
        } else {
            for _ in 0..u.int_in_range(0..=2)? {
                rec[u.int_in_range(0..=COMMAND_STRIDE - 1)?] = wire_value(u)?;
            }
        }
        if trace() {
            eprintln!("raw {rec:?}\n  decodes to {:?}", wire::decode_command(&rec));
        }
        let mut out = Vec::new();
        let n = wire::execute_batch(&mut self.engine, &rec, 1, &mut out);
        assert_eq!(n * EVENT_STRIDE, out.len(), "event count disagrees with the output");
        if let Some(twin) = &mut self.twin {
            let mut twin_out = Vec::new();
            wire::execute_batch(twin, &rec, 1, &mut twin_out);
            let same =
                out.len() == twin_out.len() && out.iter().zip(&twin_out).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "restored twin diverged on raw record {rec:?}");
        }
        let events: Vec<Event> = out
            .chunks_exact(EVENT_STRIDE)
            .map(|r| {
                let ev = decode_event(r).unwrap_or_else(|e| panic!("bad event record {r:?}: {e}"));
                let mut again = [0.0; EVENT_STRIDE];
                wire::encode_event(&ev, &mut again);
                assert!(
                    r.iter().zip(&again).all(|(a, b)| a.to_bits() == b.to_bits()),
                    "event {ev:?} re-encodes differently"
                );
                ev
            })
            .collect();
        self.check(&events, wire::decode_command(&rec).ok().as_ref(), &rec);
        Ok(())
    }

    /// Executes a command on the engine (and the twin) and checks its events.
    fn direct(&mut self, cmd: Command) {
        if trace() {
            eprintln!("{cmd:?}");
        }
        let events = self.engine.execute(&cmd).to_vec();
        if let Some(twin) = &mut self.twin {
            assert_eq!(twin.execute(&cmd), &events[..], "restored twin diverged on {cmd:?}");
        }
        for ev in &events {
            assert!(ev.cmd_seq == cmd.seq && ev.ts == cmd.ts, "event {ev:?} not stamped with its command {cmd:?}");
        }
        self.check(&events, Some(&cmd), &cmd);
    }

    /// Starts a twin from a snapshot of the engine.
    fn snapshot_twin(&mut self) {
        if trace() {
            eprintln!("snapshot -> restore into a twin");
        }
        let bytes = self.engine.snapshot();
        let twin = Engine::restore(&bytes).unwrap_or_else(|e| panic!("own snapshot does not restore: {e}"));
        assert!(twin.snapshot() == bytes, "snapshot -> restore -> snapshot changed the bytes");
        self.twin = Some(twin);
    }

    /// The checks after every command: events against the shadow, book deltas
    /// against the book, the engine's own invariants, every live order, and the
    /// time-in-force rules. `cmd` is the command as decoded (`None`: malformed).
    fn check(&mut self, events: &[Event], cmd: Option<&Command>, what: &dyn Debug) {
        let submitted = cmd.and_then(|c| match c.kind {
            CommandKind::New(o) => Some((o, c.ts)),
            _ => None,
        });
        for ev in events {
            if trace() {
                eprintln!("  {ev:?}");
            }
            if let Err(e) = self.shadow(ev, submitted) {
                panic!("{e}\n  event: {ev:?}\n  command: {what:?}");
            }
        }
        for ev in events {
            if let EventKind::BookDelta { symbol, side, price, qty, orders } = ev.kind {
                let now = (self.engine.depth_at(symbol, side, price), self.engine.queue(symbol, side, price).len());
                assert!(now == (qty, orders as usize), "delta {ev:?} but the level holds {now:?}; command {what:?}");
            }
        }
        if let Err(e) = self.engine.verify() {
            panic!("engine invariant broken: {e}\n  command: {what:?}");
        }
        assert_eq!(self.live.len(), self.engine.live_orders(), "live order count; command {what:?}");
        let applied = cmd.is_some()
            && !events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Rejected { reason: RejectReason::OutOfSequence, .. }));
        for (&id, o) in &self.live {
            let Some(v) = self.engine.order(id) else { panic!("order {id:?} should be live; command {what:?}") };
            let seen = (v.account, v.symbol, v.side, v.price, v.leaves, v.status == OrderStatus::PendingStop);
            let want = (o.account, o.symbol, o.side, o.limit.unwrap_or_default(), o.leaves, o.pending);
            assert!(seen == want, "order {id:?} is {v:?} but events say {o:?}; command {what:?}");
            if !o.pending {
                let may_rest = o.limit.is_some() && o.tif.may_rest();
                assert!(may_rest, "order {id:?} ({o:?}) may not rest but is live after command {what:?}");
            }
            if let (true, Some(c)) = (applied, cmd) {
                let expired = match c.kind {
                    CommandKind::SessionEnd { symbol } => {
                        o.tif == TimeInForce::Day && symbol.is_none_or(|s| s == o.symbol)
                    }
                    CommandKind::AdvanceTime => o.tif == TimeInForce::Gtd && o.expire_at <= c.ts,
                    _ => false,
                };
                assert!(!expired, "order {id:?} ({o:?}) outlived its expiry at command {what:?}");
            }
        }
    }

    /// Applies one event to the shadow, checking it against what came before.
    /// `submitted` is the order (and command time) of a New command.
    fn shadow(&mut self, ev: &Event, submitted: Option<(NewOrder, u64)>) -> std::result::Result<(), String> {
        if ev.seq != self.last_event_seq + 1 {
            return Err(format!("event seq {} after {}", ev.seq, self.last_event_seq));
        }
        self.last_event_seq = ev.seq;
        match ev.kind {
            EventKind::Accepted { order_id, account, symbol, side, order_type, tif, price, qty } => {
                if self.live.contains_key(&order_id) {
                    return Err("accepted an id that is live".into());
                }
                let Some((o, ts)) = submitted else { return Err("accepted an order no command submitted".into()) };
                let has_limit = matches!(order_type, OrderType::Limit | OrderType::StopLimit);
                let shown = if has_limit { o.price } else { Price(0) };
                if (o.id, o.account, o.symbol, o.side, o.order_type, o.tif, shown, o.qty)
                    != (order_id, account, symbol, side, order_type, tif, price, qty)
                {
                    return Err(format!("accepted event differs from the submitted {o:?}"));
                }
                if tif == TimeInForce::Gtd && o.expire_at <= ts {
                    return Err(format!("accepted a GTD order expiring at {} at time {ts}", o.expire_at));
                }
                let pending = matches!(order_type, OrderType::Stop | OrderType::StopLimit);
                let expire_at = if tif == TimeInForce::Gtd { o.expire_at } else { 0 };
                let limit = has_limit.then_some(price);
                let live = Live { account, symbol, side, limit, leaves: qty, pending, tif, expire_at, traded: false };
                self.live.insert(order_id, live);
            }
            EventKind::Trade {
                symbol,
                maker_id,
                taker_id,
                maker_account,
                taker_account,
                taker_side,
                price,
                qty,
                maker_leaves,
                taker_leaves,
            } => {
                if qty.0 <= 0 || maker_id == taker_id {
                    return Err("empty trade or self-match of one order".into());
                }
                let maker = self.get(maker_id, maker_account, symbol, taker_side.opposite())?;
                let taker = self.get(taker_id, taker_account, symbol, taker_side)?;
                if maker.pending || taker.pending {
                    return Err("a pending stop traded".into());
                }
                if maker.limit != Some(price) {
                    return Err(format!("trade at {} but the maker rests at {:?}", price.0, maker.limit));
                }
                let within = match (taker_side, taker.limit) {
                    (_, None) => true,
                    (Side::Buy, Some(l)) => price <= l,
                    (Side::Sell, Some(l)) => price >= l,
                };
                if !within {
                    return Err(format!("trade at {} through the taker's limit {:?}", price.0, taker.limit));
                }
                for id in [maker_id, taker_id] {
                    self.live.get_mut(&id).expect("checked live").traded = true;
                }
                self.take(maker_id, qty, maker_leaves)?;
                self.take(taker_id, qty, taker_leaves)?;
            }
            EventKind::Cancelled { order_id, account, symbol, side, qty, leaves, reason } => {
                let o = self.get(order_id, account, symbol, side)?;
                if qty.0 <= 0 {
                    return Err("empty cancel".into());
                }
                // Fill or kill, once in the book: all at once, or killed untouched.
                if o.tif == TimeInForce::Fok && !o.pending && (o.traded || reason != CancelReason::Fok) {
                    return Err(format!("fill-or-kill order {o:?} partly filled or cancelled for {reason:?}"));
                }
                self.take(order_id, qty, leaves)?;
            }
            EventKind::Replaced { order_id, account, symbol, side, old_price, new_price, old_qty, new_qty, .. } => {
                let o = self.get(order_id, account, symbol, side)?;
                if (old_price, old_qty) != (o.limit.unwrap_or_default(), o.leaves) {
                    return Err(format!("replace from {old_price:?}/{old_qty:?} but the order is {o:?}"));
                }
                if o.limit.is_none() && new_price.0 != 0 {
                    return Err("price given to an order without a limit".into());
                }
                let o = self.live.get_mut(&order_id).expect("checked live");
                o.limit = o.limit.map(|_| new_price);
                o.leaves = new_qty;
            }
            EventKind::Triggered { order_id, account, symbol, side, .. } => {
                if !self.get(order_id, account, symbol, side)?.pending {
                    return Err("triggered an order that is not a pending stop".into());
                }
                self.live.get_mut(&order_id).expect("checked live").pending = false;
            }
            // Raw records may be risk commands; their events move cash and positions, not orders (risk
            // cancels come as `Cancelled`).
            EventKind::InstrumentAdded { .. }
            | EventKind::Rejected { .. }
            | EventKind::BookDelta { .. }
            | EventKind::Fill { .. }
            | EventKind::CashMoved { .. }
            | EventKind::ConfigChanged { .. } => {}
        }
        Ok(())
    }

    /// A live order that must match the event's account, symbol and side.
    fn get(&self, id: OrderId, account: AccountId, symbol: SymbolId, side: Side) -> std::result::Result<Live, String> {
        let o = *self.live.get(&id).ok_or_else(|| format!("order {} is not live", id.0))?;
        if (o.account, o.symbol, o.side) != (account, symbol, side) {
            return Err(format!("order {} is {o:?}", id.0));
        }
        Ok(o)
    }

    /// Takes `qty` off a live order, which must leave `leaves`; forgets it at zero.
    fn take(&mut self, id: OrderId, qty: Qty, leaves: Qty) -> std::result::Result<(), String> {
        let o = self.live.get_mut(&id).expect("checked live");
        if o.leaves.0 - qty.0 != leaves.0 || leaves.0 < 0 {
            return Err(format!("order {} had {} open, {} taken, {} said left", id.0, o.leaves.0, qty.0, leaves.0));
        }
        o.leaves = leaves;
        if leaves.0 == 0 {
            self.live.remove(&id);
        }
        Ok(())
    }

    /// End of input: snapshot → restore → snapshot is byte-identical, the twin
    /// (if any) is in the same state, and the restored engine answers a final
    /// cancel-everything exactly as the original does.
    fn finish(mut self) {
        let bytes = self.engine.snapshot();
        let mut restored = Engine::restore(&bytes).unwrap_or_else(|e| panic!("own snapshot does not restore: {e}"));
        assert!(restored.snapshot() == bytes, "snapshot -> restore -> snapshot changed the bytes");
        if let Some(twin) = &self.twin {
            assert!(twin.snapshot() == bytes, "restored twin ended in another state");
        }
        self.twin = None;
        let kind = CommandKind::MassCancel { account: None, symbol: None, side: None };
        let cmd = Command { ts: self.ts, seq: self.engine.last_command_seq() + 1, kind };
        let expected = self.engine.execute(&cmd).to_vec();
        assert_eq!(restored.execute(&cmd), &expected[..], "restored engine answered the final mass cancel differently");
        self.check(&expected, Some(&cmd), &cmd);
        assert_eq!(self.engine.live_orders(), 0, "orders survived a mass cancel of everything");
    }
}

const NEW: u8 = 0;
const CANCEL: u8 = 1;
const REPLACE: u8 = 2;
const MASS_CANCEL: u8 = 3;
const SESSION_END: u8 = 4;
const ADVANCE_TIME: u8 = 5;
const ADD_INSTRUMENT: u8 = 6;

/// A command variant: mostly new orders, then cancels and replaces; the rest,
/// which empty books or change nothing, rarely.
fn pick_kind(u: &mut Unstructured) -> Result<u8> {
    Ok(match u.int_in_range(0..=63u8)? {
        0..=39 => NEW,
        40..=47 => CANCEL,
        48..=55 => REPLACE,
        56..=57 => MASS_CANCEL,
        58 => SESSION_END,
        59..=61 => ADVANCE_TIME,
        _ => ADD_INSTRUMENT,
    })
}

/// Mostly instrument 1 or 2; sometimes 3, which exists only if added.
fn gen_symbol(u: &mut Unstructured) -> Result<SymbolId> {
    Ok(SymbolId(match u.int_in_range(0..=15u8)? {
        0..=7 => 1,
        8..=14 => 2,
        _ => 3,
    }))
}

fn gen_opt_symbol(u: &mut Unstructured) -> Result<Option<SymbolId>> {
    Ok(if u.ratio(1, 3)? { None } else { Some(gen_symbol(u)?) })
}

/// A price one tick outside the range to one tick past it, rarely off the grid.
fn gen_price(u: &mut Unstructured, spec: &InstrumentSpec) -> Result<Price> {
    let ticks: i64 = u.int_in_range(-1..=(spec.max_price.0 - spec.min_price.0) / spec.tick_size + 1)?;
    let off_grid = i64::from(u.ratio(1, 32)?);
    Ok(Price(spec.min_price.0 + ticks * spec.tick_size + off_grid))
}

/// Mostly a few lots; sometimes zero, negative, over the maximum or off the lot grid.
fn gen_qty(u: &mut Unstructured, spec: &InstrumentSpec) -> Result<Qty> {
    let lot = spec.lot_size;
    Ok(Qty(match u.int_in_range(0..=63u8)? {
        0 => 0,
        1 => -lot,
        2 => spec.max_qty.0 + lot,
        3 => lot + 1,
        _ => lot * u.int_in_range(1..=8)?,
    }))
}

/// An instrument spec, valid or not, mostly for a symbol that exists.
fn gen_spec(u: &mut Unstructured) -> Result<InstrumentSpec> {
    let tick_size = u.int_in_range(0..=3)?;
    let lot_size = u.int_in_range(0..=3)?;
    let min_price: i64 = u.int_in_range(0..=100)?;
    let min_qty: i64 = u.int_in_range(0..=3)?;
    Ok(InstrumentSpec {
        symbol: SymbolId(u.int_in_range(1..=3)?),
        tick_size,
        lot_size,
        min_price: Price(min_price),
        max_price: Price(min_price + tick_size * u.int_in_range(-1..=20)?),
        min_qty: Qty(min_qty),
        max_qty: Qty(min_qty + lot_size * u.int_in_range(-1..=12)?),
    })
}
