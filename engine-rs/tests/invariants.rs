//! One test per hard invariant of the book, plus the semantics of every order
//! type, time in force, self-trade prevention mode and query.

use cift_engine::{
    AccountId, CancelReason, Command, CommandKind, Engine, Event, EventKind, InstrumentSpec, NewOrder, OrderId,
    OrderType, Price, Qty, RejectReason, Side, StpMode, SymbolId, TimeInForce,
};

const SYM: u32 = 1;
use Side::{Buy, Sell};

/// A test venue with one instrument (tick 1, lot 1) and an auto-incrementing clock and sequence.
struct Venue {
    engine: Engine,
    seq: u64,
    ts: u64,
}

impl Venue {
    fn new() -> Self {
        Self::with_spec(spec(SYM, 1, 1, 1, 1_000_000, 1, 1_000_000))
    }

    fn with_spec(s: InstrumentSpec) -> Self {
        let mut v = Venue { engine: Engine::new(), seq: 0, ts: 1_000 };
        let evs = v.run(CommandKind::AddInstrument(s));
        assert!(matches!(evs[0].kind, EventKind::InstrumentAdded { .. }), "{evs:?}");
        v
    }

    fn run(&mut self, kind: CommandKind) -> Vec<Event> {
        self.seq += 1;
        self.ts += 1;
        let evs = self.engine.execute(&Command { ts: self.ts, seq: self.seq, kind }).to_vec();
        self.engine.verify().unwrap_or_else(|e| panic!("invariant broken after {kind:?}: {e}"));
        evs
    }

    fn order(&mut self, o: NewOrder) -> Vec<EventKind> {
        kinds(self.run(CommandKind::New(o)))
    }

    fn limit(&mut self, id: u64, account: u32, side: Side, price: i64, qty: i64) -> Vec<EventKind> {
        self.order(NewOrder::limit(id, account, SYM, side, price, qty))
    }

    fn with_tif(&mut self, id: u64, side: Side, price: i64, qty: i64, tif: TimeInForce) -> Vec<EventKind> {
        self.order(NewOrder { tif, ..NewOrder::limit(id, 9, SYM, side, price, qty) })
    }

    fn market(&mut self, id: u64, account: u32, side: Side, qty: i64) -> Vec<EventKind> {
        self.order(NewOrder::market(id, account, SYM, side, qty))
    }

    fn cancel(&mut self, id: u64, account: u32) -> Vec<EventKind> {
        kinds(self.run(CommandKind::Cancel { order_id: OrderId(id), account: AccountId(account) }))
    }

    fn replace(&mut self, id: u64, account: u32, price: Option<i64>, qty: i64) -> Vec<EventKind> {
        kinds(self.run(CommandKind::Replace {
            order_id: OrderId(id),
            account: AccountId(account),
            new_price: price.map(Price),
            new_qty: Qty(qty),
        }))
    }

    fn queue(&self, side: Side, price: i64) -> Vec<u64> {
        self.engine.queue(SymbolId(SYM), side, Price(price)).iter().map(|id| id.0).collect()
    }

    fn best(&self, side: Side) -> Option<(i64, i128)> {
        self.engine.best(SymbolId(SYM), side).map(|l| (l.price.0, l.qty))
    }

    fn leaves(&self, id: u64) -> Option<i64> {
        self.engine.order(OrderId(id)).map(|o| o.leaves.0)
    }
}

fn spec(symbol: u32, tick: i64, lot: i64, min_p: i64, max_p: i64, min_q: i64, max_q: i64) -> InstrumentSpec {
    InstrumentSpec {
        symbol: SymbolId(symbol),
        tick_size: tick,
        lot_size: lot,
        min_price: Price(min_p),
        max_price: Price(max_p),
        min_qty: Qty(min_q),
        max_qty: Qty(max_q),
    }
}

fn kinds(evs: Vec<Event>) -> Vec<EventKind> {
    evs.into_iter().map(|e| e.kind).collect()
}

/// (maker, taker, price, qty) of each trade.
fn trades(evs: &[EventKind]) -> Vec<(u64, u64, i64, i64)> {
    evs.iter()
        .filter_map(|e| match *e {
            EventKind::Trade { maker_id, taker_id, price, qty, .. } => Some((maker_id.0, taker_id.0, price.0, qty.0)),
            _ => None,
        })
        .collect()
}

/// (order, qty, leaves, reason) of each cancellation.
fn cancels(evs: &[EventKind]) -> Vec<(u64, i64, i64, CancelReason)> {
    evs.iter()
        .filter_map(|e| match *e {
            EventKind::Cancelled { order_id, qty, leaves, reason, .. } => Some((order_id.0, qty.0, leaves.0, reason)),
            _ => None,
        })
        .collect()
}

fn rejection(evs: &[EventKind]) -> Option<RejectReason> {
    match evs {
        [EventKind::Rejected { reason, .. }] => Some(*reason),
        _ => None,
    }
}

fn accepted(evs: &[EventKind]) -> bool {
    matches!(evs.first(), Some(EventKind::Accepted { .. }))
}

// ---- price-time priority ----

#[test]
fn price_priority_across_levels() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 103, 5);
    v.limit(2, 1, Sell, 101, 5);
    v.limit(3, 1, Sell, 102, 5);
    v.limit(4, 1, Buy, 97, 5);
    v.limit(5, 1, Buy, 99, 5);
    v.limit(6, 1, Buy, 98, 5);
    assert_eq!(trades(&v.market(10, 2, Buy, 15)), vec![(2, 10, 101, 5), (3, 10, 102, 5), (1, 10, 103, 5)]);
    assert_eq!(trades(&v.market(11, 2, Sell, 15)), vec![(5, 11, 99, 5), (6, 11, 98, 5), (4, 11, 97, 5)]);
}

#[test]
fn fifo_time_priority_within_a_level() {
    let mut v = Venue::new();
    for id in 1..=4 {
        v.limit(id, 1, Buy, 100, 3);
    }
    assert_eq!(trades(&v.market(10, 2, Sell, 7)), vec![(1, 10, 100, 3), (2, 10, 100, 3), (3, 10, 100, 1)]);
    assert_eq!(v.queue(Buy, 100), vec![3, 4]);
}

// ---- trade price ----

#[test]
fn trades_print_at_the_maker_price_for_buys_and_sells() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 5);
    assert_eq!(trades(&v.limit(2, 2, Buy, 105, 5)), vec![(1, 2, 100, 5)]);
    v.limit(3, 1, Buy, 100, 5);
    assert_eq!(trades(&v.limit(4, 2, Sell, 95, 5)), vec![(3, 4, 100, 5)]);
}

#[test]
fn a_replace_through_the_spread_prints_at_the_maker_price() {
    let mut v = Venue::new();
    v.limit(1, 1, Buy, 99, 5);
    v.limit(2, 2, Sell, 101, 5);
    let evs = v.replace(1, 1, Some(104), 5);
    assert!(matches!(evs[0], EventKind::Replaced { priority_kept: false, .. }), "{evs:?}");
    assert_eq!(trades(&evs), vec![(2, 1, 101, 5)]);

    v.limit(3, 1, Buy, 99, 5);
    v.limit(4, 2, Sell, 101, 5);
    assert_eq!(trades(&v.replace(4, 2, Some(90), 5)), vec![(3, 4, 99, 5)]);
}

// ---- marketable limits and IOC ----

#[test]
fn a_marketable_limit_stops_at_its_limit_and_rests_the_remainder() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 5);
    v.limit(2, 1, Sell, 101, 5);
    v.limit(3, 1, Sell, 102, 5);
    let evs = v.limit(9, 2, Buy, 101, 20);
    assert_eq!(trades(&evs), vec![(1, 9, 100, 5), (2, 9, 101, 5)]);
    assert_eq!(v.best(Buy), Some((101, 10)));
    assert_eq!(v.best(Sell), Some((102, 5)));
    assert_eq!(v.leaves(9), Some(10));
}

#[test]
fn an_ioc_remainder_is_cancelled_with_an_event_and_never_rests() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 5);
    let evs = v.with_tif(9, Buy, 100, 8, TimeInForce::Ioc);
    assert_eq!(trades(&evs), vec![(1, 9, 100, 5)]);
    assert_eq!(cancels(&evs), vec![(9, 3, 0, CancelReason::IocRemainder)]);
    assert_eq!(v.best(Buy), None);
    assert_eq!(v.leaves(9), None);
    // An IOC that does not cross at all is cancelled whole.
    assert_eq!(cancels(&v.with_tif(10, Buy, 90, 4, TimeInForce::Ioc)), vec![(10, 4, 0, CancelReason::IocRemainder)]);
    assert_eq!(v.engine.live_orders(), 0);
}

#[test]
fn a_market_order_with_nothing_to_take_is_cancelled() {
    let mut v = Venue::new();
    let evs = v.market(1, 1, Buy, 5);
    assert!(accepted(&evs));
    assert_eq!(cancels(&evs), vec![(1, 5, 0, CancelReason::IocRemainder)]);
}

// ---- queue position ----

#[test]
fn a_partially_filled_resting_order_keeps_the_front_of_the_queue() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 10);
    v.limit(2, 1, Sell, 100, 10);
    assert_eq!(trades(&v.market(10, 2, Buy, 4)), vec![(1, 10, 100, 4)]);
    // Unrelated commands in between must not move order 1.
    v.limit(3, 1, Sell, 100, 10);
    v.limit(4, 1, Sell, 101, 10);
    v.cancel(4, 1);
    v.replace(3, 1, None, 5);
    assert_eq!(v.queue(Sell, 100), vec![1, 2, 3]);
    assert_eq!(trades(&v.market(11, 2, Buy, 8)), vec![(1, 11, 100, 6), (2, 11, 100, 2)]);
}

#[test]
fn cancelling_the_head_or_a_middle_order_keeps_the_rest_in_sequence() {
    let mut v = Venue::new();
    for id in 1..=5 {
        v.limit(id, 1, Buy, 100, 1);
    }
    v.cancel(1, 1);
    assert_eq!(v.queue(Buy, 100), vec![2, 3, 4, 5]);
    v.cancel(3, 1);
    assert_eq!(v.queue(Buy, 100), vec![2, 4, 5]);
    v.cancel(5, 1);
    assert_eq!(v.queue(Buy, 100), vec![2, 4]);
    v.limit(6, 1, Buy, 100, 1);
    assert_eq!(v.queue(Buy, 100), vec![2, 4, 6]);
    assert_eq!(trades(&v.market(10, 2, Sell, 3)), vec![(2, 10, 100, 1), (4, 10, 100, 1), (6, 10, 100, 1)]);
}

#[test]
fn scattered_cancels_in_a_deep_queue_keep_the_rest_in_sequence() {
    let mut v = Venue::new();
    let n = 2_000u64;
    for id in 1..=n {
        v.limit(id, 1, Sell, 100, 1);
    }
    let mut expected: Vec<u64> = (1..=n).collect();
    let mut x = 12345u64;
    for _ in 0..700 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let pick = expected[(x >> 33) as usize % expected.len()];
        assert!(matches!(v.cancel(pick, 1)[0], EventKind::Cancelled { .. }));
        expected.retain(|&id| id != pick);
    }
    assert_eq!(v.queue(Sell, 100), expected);
    let evs = v.market(99_999, 2, Buy, expected.len() as i64);
    let makers: Vec<u64> = trades(&evs).iter().map(|t| t.0).collect();
    assert_eq!(makers, expected);
}

#[test]
fn repricing_one_of_two_orders_at_a_price_moves_it_behind_the_other() {
    let mut v = Venue::new();
    v.limit(1, 1, Buy, 100, 5);
    v.limit(2, 1, Buy, 100, 5);
    v.replace(1, 1, Some(99), 5);
    assert_eq!(v.queue(Buy, 100), vec![2]);
    v.replace(1, 1, Some(100), 5);
    assert_eq!(v.queue(Buy, 100), vec![2, 1]);
    // A pure size reduction keeps the place; an increase loses it.
    let evs = v.replace(2, 1, None, 3);
    assert!(matches!(evs[0], EventKind::Replaced { priority_kept: true, .. }));
    assert_eq!(v.queue(Buy, 100), vec![2, 1]);
    let evs = v.replace(2, 1, None, 4);
    assert!(matches!(evs[0], EventKind::Replaced { priority_kept: false, .. }));
    assert_eq!(v.queue(Buy, 100), vec![1, 2]);
    assert_eq!(v.best(Buy), Some((100, 9)));
}

// ---- not-resting orders and ids ----

#[test]
fn cancel_or_replace_of_an_order_that_is_not_resting_is_rejected() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 5);
    v.market(2, 2, Buy, 5); // fills order 1
    v.limit(3, 1, Sell, 100, 5);
    v.cancel(3, 1);
    v.limit(4, 1, Sell, 101, 5);
    for id in [1, 2, 3, 77] {
        assert_eq!(rejection(&v.cancel(id, 1)), Some(RejectReason::UnknownOrder), "cancel {id}");
        assert_eq!(rejection(&v.replace(id, 1, Some(100), 5)), Some(RejectReason::UnknownOrder), "replace {id}");
    }
    // Another account's live order is as good as unknown, and stays untouched.
    assert_eq!(rejection(&v.cancel(4, 2)), Some(RejectReason::UnknownOrder));
    assert_eq!(rejection(&v.replace(4, 2, None, 1)), Some(RejectReason::UnknownOrder));
    assert_eq!(v.leaves(4), Some(5));
    assert_eq!(v.engine.live_orders(), 1);
}

#[test]
fn an_id_freed_by_a_fill_or_a_cancel_can_be_used_again() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 5);
    v.market(2, 2, Buy, 5);
    assert!(accepted(&v.limit(1, 1, Sell, 100, 5)));
    assert_eq!(rejection(&v.limit(1, 1, Sell, 100, 5)), Some(RejectReason::DuplicateOrderId));
    v.cancel(1, 1);
    assert!(accepted(&v.limit(1, 3, Buy, 90, 2)));
    assert_eq!(v.engine.order(OrderId(1)).unwrap().account, AccountId(3));
}

// ---- book shape ----

#[test]
fn no_empty_price_level_is_ever_visible() {
    let mut v = Venue::new();
    v.limit(1, 1, Buy, 100, 5);
    v.limit(2, 1, Buy, 100, 5);
    v.limit(3, 1, Buy, 99, 5);
    v.cancel(1, 1);
    v.cancel(2, 1);
    assert_eq!(v.best(Buy), Some((99, 5)));
    assert_eq!(v.engine.depth_at(SymbolId(SYM), Buy, Price(100)), 0);
    assert!(v.engine.levels(SymbolId(SYM), Buy, 10).iter().all(|l| l.qty > 0 && l.orders > 0));
    // Taking the whole best level by a trade also removes it.
    v.limit(4, 1, Buy, 98, 5);
    v.market(5, 2, Sell, 5);
    assert_eq!(v.best(Buy), Some((98, 5)));
    let evs = v.cancel(4, 1);
    assert!(evs.contains(&EventKind::BookDelta {
        symbol: SymbolId(SYM),
        side: Buy,
        price: Price(98),
        qty: 0,
        orders: 0
    }));
    assert_eq!(v.best(Buy), None);
}

#[test]
fn the_book_is_never_crossed_after_a_command() {
    let mut v = Venue::new();
    let mut x = 7u64;
    for id in 1..=5_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let side = if x & 1 == 0 { Buy } else { Sell };
        let price = 95 + (x >> 8) as i64 % 11;
        let qty = 1 + (x >> 20) as i64 % 9;
        match x % 5 {
            0 => {
                v.cancel(id / 2, 1 + (id / 2 % 3) as u32);
            }
            1 => {
                v.replace(id / 3, 1 + (id / 3 % 3) as u32, Some(price), qty);
            }
            _ => {
                v.limit(id, 1 + (id % 3) as u32, side, price, qty);
            }
        }
        if let (Some((b, _)), Some((a, _))) = (v.best(Buy), v.best(Sell)) {
            assert!(b < a, "crossed after command {id}: bid {b} ask {a}");
        }
    }
}

#[test]
fn quantity_is_conserved_filled_plus_resting_plus_cancelled_equals_submitted() {
    let mut v = Venue::new();
    let mut all = Vec::new();
    all.extend(v.limit(1, 1, Sell, 100, 10));
    all.extend(v.order(NewOrder { display_qty: Qty(3), ..NewOrder::limit(2, 1, SYM, Sell, 101, 12) }));
    all.extend(v.limit(3, 2, Buy, 101, 15));
    all.extend(v.replace(2, 1, None, 4));
    all.extend(v.with_tif(4, Buy, 101, 9, TimeInForce::Ioc));
    all.extend(v.limit(5, 2, Buy, 99, 7));
    all.extend(v.replace(5, 2, Some(98), 11));
    all.extend(v.cancel(5, 2));
    let submitted: i64 = 10 + 12 + 15 + 9 + 7 + (11 - 7);
    let filled: i64 = trades(&all).iter().map(|t| 2 * t.3).sum();
    let cancelled: i64 = cancels(&all).iter().map(|c| c.1).sum::<i64>()
        + all
            .iter()
            .filter_map(|e| match *e {
                EventKind::Replaced { old_qty, new_qty, .. } if new_qty < old_qty => Some(old_qty.0 - new_qty.0),
                _ => None,
            })
            .sum::<i64>();
    let resting: i64 = [1, 2, 3, 4, 5].iter().filter_map(|&id| v.leaves(id)).sum();
    assert_eq!(filled + resting + cancelled, submitted, "events: {all:#?}");
}

#[test]
fn prices_and_quantities_near_the_representable_limits_do_not_overflow() {
    let max = i64::MAX;
    let mut v = Venue::with_spec(spec(SYM, 1, 1, 1, max, 1, max));
    v.limit(1, 1, Sell, max, max);
    v.limit(2, 1, Sell, max, max);
    v.limit(3, 1, Sell, max, max);
    assert_eq!(v.engine.depth_at(SymbolId(SYM), Sell, Price(max)), 3 * i128::from(max));
    v.limit(4, 1, Buy, 1, max);
    assert_eq!(trades(&v.limit(5, 2, Buy, max, max)), vec![(1, 5, max, max)]);
    assert_eq!(trades(&v.market(6, 2, Sell, max)), vec![(4, 6, 1, max)]);
    assert_eq!(v.best(Sell), Some((max, 2 * i128::from(max))));
    // Out-of-bounds values are rejected, not wrapped.
    let mut w = Venue::with_spec(spec(SYM, 10, 5, 10, 1_000, 5, 1_000));
    assert_eq!(rejection(&w.limit(1, 1, Buy, i64::MIN, 5)), Some(RejectReason::InvalidPrice));
    assert_eq!(rejection(&w.limit(2, 1, Buy, 100, i64::MIN)), Some(RejectReason::InvalidQty));
    assert_eq!(rejection(&w.limit(3, 1, Buy, 105, 5)), Some(RejectReason::InvalidPrice));
    assert_eq!(rejection(&w.limit(4, 1, Buy, 100, 7)), Some(RejectReason::InvalidQty));
    assert_eq!(rejection(&w.limit(5, 1, Buy, 1_010, 5)), Some(RejectReason::InvalidPrice));
    assert!(accepted(&w.limit(6, 1, Buy, 1_000, 1_000)));
}

#[test]
fn one_aggressor_sweeps_5000_resting_orders_of_one_level() {
    let mut v = Venue::new();
    let n = 5_000u64;
    for id in 1..=n {
        v.limit(id, 1 + (id % 7) as u32, Sell, 100, 1 + (id % 3) as i64);
    }
    let total: i64 = (1..=n).map(|id| 1 + (id % 3) as i64).sum();
    v.limit(n + 1, 1, Sell, 101, 10);
    let evs = v.limit(999_999, 100, Buy, 100, total + 5);
    let t = trades(&evs);
    assert_eq!(t.len(), n as usize);
    assert!(t
        .iter()
        .enumerate()
        .all(|(i, &(maker, _, price, qty))| maker == i as u64 + 1 && price == 100 && qty == 1 + (maker % 3) as i64));
    assert_eq!(v.best(Sell), Some((101, 10)));
    assert_eq!(v.best(Buy), Some((100, 5)));
    // One coalesced L2 delta per touched level, not one per fill.
    let deltas: Vec<_> = evs.iter().filter(|e| matches!(e, EventKind::BookDelta { .. })).collect();
    assert_eq!(deltas.len(), 2, "{deltas:?}");
}

// ---- order types ----

#[test]
fn stops_trigger_on_the_last_trade_price_in_trigger_order() {
    let mut v = Venue::new();
    let stop = |id, side, stop: i64, ty, price| NewOrder {
        order_type: ty,
        stop_price: Price(stop),
        price: Price(price),
        ..NewOrder::limit(id, 5, SYM, side, 1, 1)
    };
    // No trade yet: a stop waits even though no last price exists.
    assert!(accepted(&v.order(stop(10, Buy, 102, OrderType::Stop, 0))));
    v.order(stop(11, Buy, 101, OrderType::StopLimit, 104));
    v.order(stop(12, Buy, 103, OrderType::Stop, 0));
    v.order(stop(13, Sell, 90, OrderType::Stop, 0));
    assert_eq!(v.engine.order(OrderId(10)).unwrap().status, cift_engine::OrderStatus::PendingStop);
    v.limit(1, 1, Sell, 101, 1);
    v.limit(2, 1, Sell, 102, 1);
    v.limit(3, 1, Sell, 104, 5);
    let evs = v.limit(4, 2, Buy, 102, 2); // last trade 102 reaches stops 11 (101) and 10 (102), not 12 (103)
    let triggered: Vec<u64> = evs
        .iter()
        .filter_map(|e| match e {
            EventKind::Triggered { order_id, .. } => Some(order_id.0),
            _ => None,
        })
        .collect();
    // 11 and 10 trigger together (lowest buy stop first); their fills at 104 then reach 12.
    assert_eq!(triggered, vec![11, 10, 12]);
    assert_eq!(trades(&evs)[2..], [(3, 11, 104, 1), (3, 10, 104, 1), (3, 12, 104, 1)]);
    assert_eq!(v.engine.order(OrderId(13)).unwrap().status, cift_engine::OrderStatus::PendingStop);
    assert!(v.cancel(13, 5).iter().any(|e| matches!(e, EventKind::Cancelled { reason: CancelReason::User, .. })));
}

#[test]
fn a_stop_limit_rests_at_its_limit_after_triggering() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 1);
    v.market(2, 2, Buy, 1); // last = 100
    let evs = v.order(NewOrder {
        order_type: OrderType::StopLimit,
        stop_price: Price(100),
        ..NewOrder::limit(3, 3, SYM, Buy, 99, 4)
    });
    // Already reached at entry: accepted, triggered at once, rests at 99.
    assert!(matches!(evs[1], EventKind::Triggered { last_price: Price(100), .. }), "{evs:?}");
    assert_eq!(v.best(Buy), Some((99, 4)));
}

#[test]
fn an_iceberg_shows_its_display_size_and_each_refresh_goes_to_the_back() {
    let mut v = Venue::new();
    v.order(NewOrder { display_qty: Qty(2), ..NewOrder::limit(1, 1, SYM, Sell, 100, 7) });
    v.limit(2, 1, Sell, 100, 3);
    assert_eq!(v.best(Sell), Some((100, 5)));
    let evs = v.market(10, 2, Buy, 3);
    // 2 from the iceberg's slice, then its refresh is behind order 2.
    assert_eq!(trades(&evs), vec![(1, 10, 100, 2), (2, 10, 100, 1)]);
    assert_eq!(v.queue(Sell, 100), vec![2, 1]);
    assert_eq!(v.best(Sell), Some((100, 4)));
    assert_eq!(v.leaves(1), Some(5));
    // A large taker walks the queue, refreshing the iceberg until it is done.
    let evs = v.market(11, 2, Buy, 100);
    assert_eq!(trades(&evs), vec![(2, 11, 100, 2), (1, 11, 100, 2), (1, 11, 100, 2), (1, 11, 100, 1)]);
    assert_eq!(v.best(Sell), None);
}

#[test]
fn a_post_only_order_is_rejected_if_it_would_take() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 5);
    let po = |id, price| NewOrder { post_only: true, ..NewOrder::limit(id, 2, SYM, Buy, price, 5) };
    assert_eq!(rejection(&v.order(po(2, 100))), Some(RejectReason::PostOnlyWouldTake));
    assert!(accepted(&v.order(po(3, 99))));
    assert_eq!(rejection(&v.replace(3, 2, Some(101), 5)), Some(RejectReason::PostOnlyWouldTake));
    assert_eq!(v.best(Buy), Some((99, 5)));
    assert_eq!(rejection(&v.order(NewOrder { tif: TimeInForce::Ioc, ..po(4, 98) })), Some(RejectReason::InvalidTif));
}

// ---- time in force ----

#[test]
fn fok_fills_completely_or_nothing_trades() {
    let mut v = Venue::new();
    v.limit(1, 1, Sell, 100, 3);
    v.order(NewOrder { display_qty: Qty(1), ..NewOrder::limit(2, 1, SYM, Sell, 101, 4) });
    v.limit(3, 1, Sell, 103, 10);
    let evs = v.with_tif(10, Buy, 101, 8, TimeInForce::Fok);
    assert!(trades(&evs).is_empty());
    assert_eq!(cancels(&evs), vec![(10, 8, 0, CancelReason::Fok)]);
    assert_eq!(v.best(Sell), Some((100, 3)));
    // Exactly enough within the limit, hidden iceberg quantity included.
    let evs = v.with_tif(11, Buy, 101, 7, TimeInForce::Fok);
    assert_eq!(trades(&evs).iter().map(|t| t.3).sum::<i64>(), 7);
    assert_eq!(v.best(Sell), Some((103, 10)));
    // Market FOK.
    let evs = v.order(NewOrder { tif: TimeInForce::Fok, ..NewOrder::market(12, 2, SYM, Buy, 11) });
    assert_eq!(cancels(&evs), vec![(12, 11, 0, CancelReason::Fok)]);
}

#[test]
fn day_orders_expire_at_session_end_and_gtd_orders_when_time_passes_their_expiry() {
    let mut v = Venue::with_spec(spec(SYM, 1, 1, 1, 1_000, 1, 1_000));
    v.run(CommandKind::AddInstrument(spec(2, 1, 1, 1, 1_000, 1, 1_000)));
    v.with_tif(1, Buy, 100, 1, TimeInForce::Day);
    v.limit(2, 1, Buy, 100, 1);
    v.order(NewOrder { tif: TimeInForce::Day, ..NewOrder::limit(3, 1, 2, Buy, 100, 1) });
    let now = v.ts;
    v.order(NewOrder { tif: TimeInForce::Gtd, expire_at: now + 100, ..NewOrder::limit(4, 1, SYM, Sell, 110, 1) });
    v.order(NewOrder { tif: TimeInForce::Gtd, expire_at: now + 50, ..NewOrder::limit(5, 1, SYM, Sell, 111, 1) });
    assert_eq!(
        rejection(&v.order(NewOrder {
            tif: TimeInForce::Gtd,
            expire_at: now,
            ..NewOrder::limit(6, 1, SYM, Sell, 1, 1)
        })),
        Some(RejectReason::InvalidTif)
    );
    let evs = kinds(v.run(CommandKind::SessionEnd { symbol: Some(SymbolId(SYM)) }));
    assert_eq!(cancels(&evs), vec![(1, 1, 0, CancelReason::Expired)]);
    assert!(v.leaves(3).is_some(), "other instrument's DAY order survives");
    v.ts = now + 60;
    let evs = kinds(v.run(CommandKind::AdvanceTime));
    assert_eq!(cancels(&evs), vec![(5, 1, 0, CancelReason::Expired)]);
    v.ts = now + 1_000;
    let evs = kinds(v.run(CommandKind::AdvanceTime));
    assert_eq!(cancels(&evs), vec![(4, 1, 0, CancelReason::Expired)]);
    assert_eq!(v.leaves(2), Some(1));
}

// ---- self-trade prevention ----

fn stp_case(mode: StpMode, resting: i64, incoming: i64) -> Vec<EventKind> {
    let mut v = Venue::new();
    v.limit(1, 7, Sell, 100, resting);
    v.limit(2, 8, Sell, 101, 10);
    v.order(NewOrder { stp: mode, ..NewOrder::limit(3, 7, SYM, Buy, 101, incoming) })
}

#[test]
fn stp_cancel_newest_cancels_the_incoming_order() {
    let evs = stp_case(StpMode::CancelNewest, 5, 8);
    assert!(trades(&evs).is_empty());
    assert_eq!(cancels(&evs), vec![(3, 8, 0, CancelReason::SelfTrade)]);
}

#[test]
fn stp_cancel_oldest_cancels_the_resting_order_and_goes_on() {
    let evs = stp_case(StpMode::CancelOldest, 5, 8);
    assert_eq!(cancels(&evs), vec![(1, 5, 0, CancelReason::SelfTrade)]);
    assert_eq!(trades(&evs), vec![(2, 3, 101, 8)]);
}

#[test]
fn stp_cancel_both_cancels_both() {
    let evs = stp_case(StpMode::CancelBoth, 5, 8);
    assert_eq!(cancels(&evs), vec![(1, 5, 0, CancelReason::SelfTrade), (3, 8, 0, CancelReason::SelfTrade)]);
    assert!(trades(&evs).is_empty());
}

#[test]
fn stp_decrement_and_cancel_reduces_both_by_the_smaller() {
    // Incoming larger: resting cancelled, incoming reduced by 5 and goes on.
    let evs = stp_case(StpMode::DecrementAndCancel, 5, 8);
    assert_eq!(cancels(&evs), vec![(1, 5, 0, CancelReason::SelfTrade), (3, 5, 3, CancelReason::SelfTrade)]);
    assert_eq!(trades(&evs), vec![(2, 3, 101, 3)]);
    // Resting larger: resting reduced and stays, incoming cancelled.
    let evs = stp_case(StpMode::DecrementAndCancel, 9, 4);
    assert_eq!(cancels(&evs), vec![(1, 4, 5, CancelReason::SelfTrade), (3, 4, 0, CancelReason::SelfTrade)]);
    // Equal: both cancelled.
    let evs = stp_case(StpMode::DecrementAndCancel, 6, 6);
    assert_eq!(cancels(&evs), vec![(1, 6, 0, CancelReason::SelfTrade), (3, 6, 0, CancelReason::SelfTrade)]);
}

#[test]
fn without_stp_an_account_may_trade_with_itself() {
    assert_eq!(trades(&stp_case(StpMode::None, 5, 5)), vec![(1, 3, 100, 5)]);
}

// ---- mass cancel ----

#[test]
fn mass_cancel_by_account_symbol_and_side() {
    let mut v = Venue::new();
    v.run(CommandKind::AddInstrument(spec(2, 1, 1, 1, 1_000, 1, 1_000)));
    v.limit(1, 1, Buy, 100, 1);
    v.limit(2, 1, Sell, 105, 1);
    v.limit(3, 2, Buy, 100, 1);
    v.order(NewOrder::limit(4, 1, 2, Buy, 100, 1));
    v.order(NewOrder { order_type: OrderType::Stop, stop_price: Price(200), ..NewOrder::limit(5, 1, SYM, Buy, 1, 1) });
    let mc = |account: Option<u32>, symbol: Option<u32>, side: Option<Side>| CommandKind::MassCancel {
        account: account.map(AccountId),
        symbol: symbol.map(SymbolId),
        side,
    };
    let evs = kinds(v.run(mc(Some(1), Some(SYM), Some(Buy))));
    assert_eq!(cancels(&evs), vec![(1, 1, 0, CancelReason::MassCancel), (5, 1, 0, CancelReason::MassCancel)]);
    let evs = kinds(v.run(mc(Some(1), None, None)));
    assert_eq!(cancels(&evs), vec![(2, 1, 0, CancelReason::MassCancel), (4, 1, 0, CancelReason::MassCancel)]);
    assert_eq!(v.engine.live_orders(), 1);
    assert_eq!(rejection(&kinds(v.run(mc(None, Some(99), None)))), Some(RejectReason::UnknownSymbol));
}

// ---- commands, queries, snapshots ----

#[test]
fn sequence_numbers_must_increase() {
    let mut v = Venue::new();
    let cmd = Command { ts: 1, seq: v.seq, kind: CommandKind::New(NewOrder::limit(1, 1, SYM, Buy, 100, 1)) };
    let evs = kinds(v.engine.execute(&cmd).to_vec());
    assert_eq!(rejection(&evs), Some(RejectReason::OutOfSequence));
    assert_eq!(v.engine.live_orders(), 0);
}

#[test]
fn invalid_orders_are_rejected_with_reasons_and_change_nothing() {
    let mut v = Venue::with_spec(spec(SYM, 5, 10, 50, 500, 10, 1_000));
    let base = NewOrder::limit(1, 1, SYM, Buy, 100, 20);
    let cases = [
        (NewOrder { symbol: SymbolId(9), ..base }, RejectReason::UnknownSymbol),
        (NewOrder { price: Price(101), ..base }, RejectReason::InvalidPrice),
        (NewOrder { price: Price(45), ..base }, RejectReason::InvalidPrice),
        (NewOrder { qty: Qty(25), ..base }, RejectReason::InvalidQty),
        (NewOrder { qty: Qty(1_010), ..base }, RejectReason::InvalidQty),
        (NewOrder { display_qty: Qty(30), ..base }, RejectReason::InvalidDisplayQty),
        (NewOrder { display_qty: Qty(5), ..base }, RejectReason::InvalidDisplayQty),
        (NewOrder { display_qty: Qty(10), tif: TimeInForce::Ioc, ..base }, RejectReason::InvalidDisplayQty),
        (NewOrder { order_type: OrderType::Stop, stop_price: Price(7), ..base }, RejectReason::InvalidStopPrice),
        (
            NewOrder { order_type: OrderType::Stop, post_only: true, stop_price: Price(100), ..base },
            RejectReason::InvalidOrderType,
        ),
    ];
    for (order, reason) in cases {
        assert_eq!(rejection(&v.order(order)), Some(reason), "{order:?}");
    }
    assert_eq!(v.engine.live_orders(), 0);
    assert_eq!(v.engine.best(SymbolId(SYM), Buy), None);
    let evs = kinds(v.run(CommandKind::AddInstrument(spec(SYM, 1, 1, 1, 10, 1, 10))));
    assert_eq!(rejection(&evs), Some(RejectReason::InstrumentExists));
    let evs = kinds(v.run(CommandKind::AddInstrument(spec(3, 0, 1, 1, 10, 1, 10))));
    assert_eq!(rejection(&evs), Some(RejectReason::InvalidInstrument));
}

#[test]
fn queries_report_best_depth_levels_and_orders() {
    let mut v = Venue::new();
    v.limit(1, 1, Buy, 99, 5);
    v.limit(2, 1, Buy, 99, 4);
    v.limit(3, 1, Buy, 97, 1);
    v.limit(4, 2, Sell, 102, 3);
    let levels = v.engine.levels(SymbolId(SYM), Buy, 5);
    assert_eq!(levels.iter().map(|l| (l.price.0, l.qty, l.orders)).collect::<Vec<_>>(), vec![(99, 9, 2), (97, 1, 1)]);
    assert_eq!(v.engine.depth_at(SymbolId(SYM), Sell, Price(102)), 3);
    let o = v.engine.order(OrderId(2)).unwrap();
    assert_eq!((o.side, o.price.0, o.leaves.0, o.filled.0), (Buy, 99, 4, 0));
    v.market(5, 3, Sell, 6);
    assert_eq!(v.engine.order(OrderId(2)).unwrap().filled, Qty(1));
    assert_eq!(v.engine.last_price(SymbolId(SYM)), Some(Price(99)));
}

#[test]
fn book_deltas_report_each_touched_level_once_per_command() {
    let mut v = Venue::new();
    let evs = v.limit(1, 1, Buy, 99, 5);
    assert_eq!(
        evs.last(),
        Some(&EventKind::BookDelta { symbol: SymbolId(SYM), side: Buy, price: Price(99), qty: 5, orders: 1 })
    );
    v.limit(2, 1, Sell, 101, 2);
    v.limit(3, 1, Sell, 102, 2);
    let evs = v.limit(4, 2, Buy, 102, 5);
    let deltas: Vec<_> = evs.iter().filter(|e| matches!(e, EventKind::BookDelta { .. })).cloned().collect();
    assert_eq!(
        deltas,
        vec![
            EventKind::BookDelta { symbol: SymbolId(SYM), side: Sell, price: Price(101), qty: 0, orders: 0 },
            EventKind::BookDelta { symbol: SymbolId(SYM), side: Sell, price: Price(102), qty: 0, orders: 0 },
            EventKind::BookDelta { symbol: SymbolId(SYM), side: Buy, price: Price(102), qty: 1, orders: 1 },
        ]
    );
}

#[test]
fn snapshot_then_restore_gives_identical_state_and_future_events() {
    let mut v = Venue::new();
    v.limit(1, 1, Buy, 99, 5);
    v.order(NewOrder { display_qty: Qty(2), ..NewOrder::limit(2, 1, SYM, Sell, 101, 9) });
    v.limit(3, 2, Sell, 101, 3);
    v.order(NewOrder { order_type: OrderType::Stop, stop_price: Price(101), ..NewOrder::limit(4, 3, SYM, Buy, 1, 2) });
    v.order(NewOrder { tif: TimeInForce::Gtd, expire_at: v.ts + 10, ..NewOrder::limit(5, 2, SYM, Buy, 98, 1) });
    v.market(6, 4, Buy, 1);
    let bytes = v.engine.snapshot();
    let mut restored = Engine::restore(&bytes).expect("restores");
    assert_eq!(restored.snapshot(), bytes);
    let script = [
        CommandKind::New(NewOrder::market(7, 4, SYM, Buy, 6)),
        CommandKind::Replace {
            order_id: OrderId(1),
            account: AccountId(1),
            new_price: Some(Price(100)),
            new_qty: Qty(3),
        },
        CommandKind::AdvanceTime,
        CommandKind::New(NewOrder::limit(8, 2, SYM, Sell, 100, 20)),
        CommandKind::MassCancel { account: None, symbol: None, side: None },
    ];
    for (i, kind) in script.into_iter().enumerate() {
        let cmd = Command { ts: v.ts + 100 + i as u64, seq: v.seq + 1 + i as u64, kind };
        let a = v.engine.execute(&cmd).to_vec();
        let b = restored.execute(&cmd).to_vec();
        assert_eq!(a, b, "command {i} diverged");
    }
    assert_eq!(v.engine.snapshot(), restored.snapshot());
}

#[test]
fn restoring_garbage_is_an_error_not_a_panic() {
    assert!(Engine::restore(&[]).is_err());
    assert!(Engine::restore(&[1, 2, 3, 4, 5]).is_err());
    let mut v = Venue::new();
    v.limit(1, 1, Buy, 99, 5);
    let mut bytes = v.engine.snapshot();
    assert_eq!(bytes[0], 3, "format version 3 (one varint byte)");
    bytes[0] = 99;
    let err = Engine::restore(&bytes).err().expect("rejects a wrong version");
    assert!(err.to_string().contains("invalid engine snapshot"), "{err}");
    // Format 2 has format 3's layout and reads; format 1 does not.
    bytes[0] = 2;
    assert_eq!(Engine::restore(&bytes).expect("format 2 reads").snapshot(), v.engine.snapshot());
    bytes[0] = 1;
    assert!(Engine::restore(&bytes).is_err());
}

#[test]
fn a_replace_keeps_filled_plus_open_within_the_maximum_quantity() {
    let mut v = Venue::with_spec(spec(SYM, 1, 1, 1, 1_000, 1, 100));
    v.limit(1, 1, Sell, 100, 100);
    v.market(2, 2, Buy, 60);
    assert_eq!(rejection(&v.replace(1, 1, None, 41)), Some(RejectReason::InvalidQty));
    assert!(matches!(v.replace(1, 1, None, 40)[0], EventKind::Replaced { priority_kept: true, .. }));
    assert_eq!(rejection(&v.replace(1, 1, None, 0)), Some(RejectReason::InvalidQty));
}
