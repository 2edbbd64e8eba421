//! Pre-trade risk and accounting: every check accepted exactly at its limit and
//! rejected one tick or lot over with its reason and numbers, hand-computed P&L
//! and cash, and a property test over long random command streams that checks
//! reservations and the cash ledger after every command.

use cift_engine::{
    AccountId, AccountLimits, CancelReason, CollarRef, Command, CommandKind, Engine, Event, EventKind, Fees,
    InstrumentLimits, InstrumentSpec, Liquidity, NewOrder, OrderId, OrderType, Price, Qty, RejectReason, Side, StpMode,
    SymbolId, TimeInForce,
};
use std::collections::BTreeMap;
use RejectReason as R;
use Side::{Buy, Sell};

const SYM: u32 = 1;

struct Venue {
    engine: Engine,
    seq: u64,
    ts: u64,
}

fn spec(symbol: u32, max_qty: i64) -> InstrumentSpec {
    InstrumentSpec {
        symbol: SymbolId(symbol),
        tick_size: 1,
        lot_size: 1,
        min_price: Price(1),
        max_price: Price(1_000_000),
        min_qty: Qty(1),
        max_qty: Qty(max_qty),
    }
}

impl Venue {
    fn new() -> Self {
        let mut v = Venue { engine: Engine::new(), seq: 0, ts: 1_000 };
        v.run(CommandKind::AddInstrument(spec(SYM, 1_000_000)));
        v
    }

    fn run(&mut self, kind: CommandKind) -> Vec<EventKind> {
        self.seq += 1;
        self.ts += 1;
        let evs = self.engine.execute(&Command { ts: self.ts, seq: self.seq, kind }).to_vec();
        self.engine.verify().unwrap_or_else(|e| panic!("book invariant broken after {kind:?}: {e}"));
        self.engine.verify_accounts().unwrap_or_else(|e| panic!("accounts inconsistent after {kind:?}: {e}"));
        evs.into_iter().map(|e| e.kind).collect()
    }

    fn deposit(&mut self, account: u32, amount: i64) -> Vec<EventKind> {
        self.run(CommandKind::Deposit { account: AccountId(account), amount })
    }

    fn limits(&mut self, account: u32, limits: AccountLimits) {
        self.run(CommandKind::SetAccountLimits { account: AccountId(account), limits });
    }

    fn inst_limits(&mut self, account: u32, limits: InstrumentLimits) {
        self.run(CommandKind::SetInstrumentLimits { account: AccountId(account), symbol: SymbolId(SYM), limits });
    }

    fn fees(&mut self, fees: Fees) {
        self.run(CommandKind::SetFees { symbol: SymbolId(SYM), fees });
    }

    fn order(&mut self, o: NewOrder) -> Vec<EventKind> {
        self.run(CommandKind::New(o))
    }

    fn limit(&mut self, id: u64, account: u32, side: Side, price: i64, qty: i64) -> Vec<EventKind> {
        self.order(NewOrder::limit(id, account, SYM, side, price, qty))
    }

    fn market(&mut self, id: u64, account: u32, side: Side, qty: i64) -> Vec<EventKind> {
        self.order(NewOrder::market(id, account, SYM, side, qty))
    }

    fn replace(&mut self, id: u64, account: u32, price: Option<i64>, qty: i64) -> Vec<EventKind> {
        let (order_id, account, new_price, new_qty) = (OrderId(id), AccountId(account), price.map(Price), Qty(qty));
        self.run(CommandKind::Replace { order_id, account, new_price, new_qty })
    }

    fn cancel(&mut self, id: u64, account: u32) -> Vec<EventKind> {
        self.run(CommandKind::Cancel { order_id: OrderId(id), account: AccountId(account) })
    }

    fn account(&self, account: u32) -> cift_engine::AccountView {
        self.engine.account(AccountId(account)).expect("managed account")
    }

    fn position(&self, account: u32) -> cift_engine::PositionView {
        self.engine.position(AccountId(account), SymbolId(SYM)).expect("managed account")
    }
}

fn accepted(evs: &[EventKind]) -> bool {
    matches!(evs.first(), Some(EventKind::Accepted { .. }))
}

/// The (reason, limit, requested) of a single rejection.
fn rejected(evs: &[EventKind]) -> Option<(RejectReason, i128, i128)> {
    match evs {
        [EventKind::Rejected { reason, limit, requested, .. }] => Some((*reason, *limit, *requested)),
        _ => None,
    }
}

/// (account, side, liquidity, price, qty, fee, realized, position, cash) of each fill.
type FillRow = (u32, Side, Liquidity, i64, i64, i128, i128, i64, i128);

fn fills(evs: &[EventKind]) -> Vec<FillRow> {
    evs.iter()
        .filter_map(|e| match *e {
            EventKind::Fill { account, side, liquidity, price, qty, fee, realized, position, cash, .. } => {
                Some((account.0, side, liquidity, price.0, qty.0, fee, realized, position, cash))
            }
            _ => None,
        })
        .collect()
}

/// Accepted at `ok`, rejected one step over with `reason`, `limit` and the requested amount.
fn at_and_over(
    v: &mut Venue,
    ok: NewOrder,
    over: NewOrder,
    reason: RejectReason,
    limit: i128,
    requested: i128,
) -> Vec<EventKind> {
    let evs = v.order(over);
    assert_eq!(rejected(&evs), Some((reason, limit, requested)), "one over: {over:?}");
    let evs = v.order(ok);
    assert!(accepted(&evs), "at the limit: {evs:?}");
    evs
}

fn lim(id: u64, account: u32, side: Side, price: i64, qty: i64) -> NewOrder {
    NewOrder::limit(id, account, SYM, side, price, qty)
}

// ---- unmanaged accounts are untouched ----

#[test]
fn unmanaged_accounts_get_no_checks_and_no_new_events() {
    let mut v = Venue::new();
    v.limit(1, 7, Sell, 100, 10);
    let evs = v.limit(2, 8, Buy, 100, 10);
    assert!(evs.iter().all(|e| !matches!(e, EventKind::Fill { .. })));
    assert!(v.engine.account(AccountId(7)).is_none() && v.engine.managed_accounts().is_empty());
    // A managed account with no cash is checked; the same order from an unmanaged one is not.
    v.deposit(9, 1);
    assert_eq!(rejected(&v.limit(3, 9, Buy, 100, 10)), Some((R::InsufficientBuyingPower, 1, 1_000)));
    assert!(accepted(&v.limit(3, 8, Buy, 100, 10)));
}

// ---- each check at its limit and one over ----

#[test]
fn max_order_qty_per_account_and_per_instrument() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000_000);
    v.limits(1, AccountLimits { max_order_qty: 100, ..AccountLimits::default() });
    at_and_over(&mut v, lim(1, 1, Buy, 10, 100), lim(2, 1, Buy, 10, 101), R::MaxOrderQty, 100, 101);
    v.inst_limits(1, InstrumentLimits { max_order_qty: 50, ..InstrumentLimits::default() });
    at_and_over(&mut v, lim(3, 1, Sell, 20, 50), lim(4, 1, Sell, 20, 51), R::MaxOrderQty, 50, 51);
}

#[test]
fn max_order_notional_one_tick_over() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000_000);
    v.limits(1, AccountLimits { max_order_notional: 10_000, ..AccountLimits::default() });
    at_and_over(&mut v, lim(1, 1, Buy, 100, 100), lim(2, 1, Buy, 101, 100), R::MaxOrderNotional, 10_000, 10_100);
    v.inst_limits(1, InstrumentLimits { max_order_notional: 5_000, ..InstrumentLimits::default() });
    at_and_over(&mut v, lim(3, 1, Buy, 50, 100), lim(4, 1, Buy, 50, 101), R::MaxOrderNotional, 5_000, 5_050);
}

#[test]
fn a_market_orders_notional_is_what_it_would_take_from_the_book() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000);
    v.limits(1, AccountLimits { max_order_notional: 320, ..AccountLimits::default() });
    v.limit(10, 9, Sell, 100, 2);
    v.limit(11, 9, Sell, 120, 5);
    // 2 × 100 + 1 × 120 = 320 is at the limit; 4 units would be 440.
    assert_eq!(rejected(&v.market(1, 1, Buy, 4)), Some((R::MaxOrderNotional, 320, 440)));
    let evs = v.market(2, 1, Buy, 3);
    assert_eq!(fills(&evs).iter().map(|f| (f.3, f.4)).collect::<Vec<_>>(), vec![(100, 2), (120, 1)]);
    // Own orders are skipped under self-trade prevention: they never fill.
    v.limit(3, 1, Sell, 100, 10);
    let stp = NewOrder { stp: StpMode::CancelOldest, ..NewOrder::market(4, 1, SYM, Buy, 3) };
    assert_eq!(rejected(&v.order(stp)), Some((R::MaxOrderNotional, 320, 360)));
}

#[test]
fn price_collar_around_last_mid_and_host_reference() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000_000);
    let collar = |r| InstrumentLimits { collar_bps: 100, collar_ref: r, ..InstrumentLimits::default() };
    // No reference yet: the check is skipped.
    v.inst_limits(1, collar(CollarRef::Last));
    assert!(accepted(&v.limit(1, 1, Buy, 500, 1)));
    v.cancel(1, 1);
    v.limit(90, 9, Sell, 1_000, 1);
    v.limit(91, 8, Buy, 1_000, 1); // last = 1000: ±1 % is [990, 1010]
    at_and_over(&mut v, lim(2, 1, Buy, 1_010, 1), lim(3, 1, Buy, 1_011, 1), R::PriceCollar, 1_010, 1_011);
    v.cancel(2, 1);
    at_and_over(&mut v, lim(4, 1, Sell, 990, 1), lim(5, 1, Sell, 989, 1), R::PriceCollar, 990, 989);
    v.cancel(4, 1);
    // Mid of 2000 / 2001 is 2000.5: 1 % above is 2020.505, so 2020 is the last allowed buy.
    v.limit(92, 9, Buy, 2_000, 1);
    v.limit(93, 8, Sell, 2_001, 1);
    v.inst_limits(1, collar(CollarRef::Mid));
    at_and_over(&mut v, lim(6, 1, Buy, 2_000, 1), lim(7, 1, Sell, 1_980, 1), R::PriceCollar, 1_981, 1_980);
    let evs = v.limit(8, 1, Sell, 2_020, 1);
    assert!(accepted(&evs));
    v.cancel(8, 1);
    assert_eq!(rejected(&v.limit(8, 1, Sell, 2_021, 1)), Some((R::PriceCollar, 2_020, 2_021)));
    // Host reference, and a stop-limit's limit price is collared too.
    v.run(CommandKind::SetReferencePrice { symbol: SymbolId(SYM), price: Some(Price(5_000)) });
    v.inst_limits(1, collar(CollarRef::Host));
    let sl = |id, price| NewOrder {
        order_type: OrderType::StopLimit,
        stop_price: Price(6_000),
        ..lim(id, 1, Buy, price, 1)
    };
    at_and_over(&mut v, sl(9, 5_050), sl(10, 5_051), R::PriceCollar, 5_050, 5_051);
    // A replace to a new price is collared as well.
    assert_eq!(rejected(&v.replace(9, 1, Some(5_051), 1)), Some((R::PriceCollar, 5_050, 5_051)));
}

#[test]
fn position_limits_count_open_orders_as_filled() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000_000);
    v.inst_limits(1, InstrumentLimits { max_long: 100, max_short: 60, ..InstrumentLimits::default() });
    v.limit(1, 1, Buy, 10, 70);
    at_and_over(&mut v, lim(2, 1, Buy, 10, 30), lim(3, 1, Buy, 10, 31), R::MaxLongPosition, 100, 101);
    // Long 40 after a fill: the worst-case long is unchanged (40 held + 60 open).
    v.limit(90, 9, Sell, 10, 40);
    assert_eq!(v.position(1).qty, 40);
    assert_eq!(rejected(&v.limit(4, 1, Buy, 9, 1)), Some((R::MaxLongPosition, 100, 101)));
    // Sells: 40 long, so 100 sells give a worst case of 60 short.
    at_and_over(&mut v, lim(5, 1, Sell, 50, 100), lim(6, 1, Sell, 50, 101), R::MaxShortPosition, 60, 61);
    // A replace counts the order's own quantity once.
    assert!(v.replace(5, 1, None, 100).iter().any(|e| matches!(e, EventKind::Replaced { .. })));
    assert_eq!(rejected(&v.replace(5, 1, None, 101)), Some((R::MaxShortPosition, 60, 61)));
}

#[test]
fn max_gross_exposure_counts_positions_at_their_mark_and_open_orders() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000_000);
    v.limits(1, AccountLimits { max_gross_exposure: 10_000, ..AccountLimits::default() });
    v.limit(90, 9, Sell, 100, 20);
    v.limit(1, 1, Buy, 100, 20); // long 20, last 100: 2 000
    v.limit(2, 1, Sell, 200, 10); // open 2 000
    at_and_over(&mut v, lim(3, 1, Buy, 50, 120), lim(4, 1, Buy, 50, 121), R::MaxGrossExposure, 10_000, 10_050);
    // The mark moves with the last trade: 20 × 150 = 3 000 now.
    v.limit(91, 9, Sell, 150, 1);
    v.limit(92, 8, Buy, 150, 1);
    assert_eq!(rejected(&v.limit(4, 1, Buy, 1, 1)), Some((R::MaxGrossExposure, 10_000, 11_001)));
}

#[test]
fn buying_power_exactly_covers_an_order_and_its_fee() {
    let mut v = Venue::new();
    v.fees(Fees { maker_ppm: 0, taker_ppm: 1_000, maker_per_unit: 0, taker_per_unit: 2 });
    v.deposit(1, 10_000 + 10 + 200);
    // 100 × 100 = 10 000, fee estimate 0.1 % = 10 plus 2 per unit = 200.
    at_and_over(&mut v, lim(1, 1, Buy, 100, 100), lim(2, 1, Buy, 101, 100), R::InsufficientBuyingPower, 10_210, 10_310);
    assert_eq!(v.account(1).buying_power, 0);
    assert_eq!(v.account(1).reserved, 10_210);
    // A replace may use the order's own reservation: the same size at a lower price fits, one lot more does not.
    assert_eq!(rejected(&v.replace(1, 1, None, 101)), Some((R::InsufficientBuyingPower, 10_210, 10_312)));
    assert!(v.replace(1, 1, Some(99), 100).iter().any(|e| matches!(e, EventKind::Replaced { .. })));
    assert_eq!(v.account(1).reserved, 9_900 + 10 + 200);
    // Released on cancel.
    v.cancel(1, 1);
    assert_eq!((v.account(1).reserved, v.account(1).buying_power), (0, 10_210));
}

#[test]
fn a_market_buy_is_checked_against_the_exact_cost_of_the_book() {
    let mut v = Venue::new();
    v.limit(90, 9, Sell, 100, 5);
    v.limit(91, 9, Sell, 101, 5);
    v.deposit(1, 5 * 100 + 3 * 101);
    let evs = v.order(NewOrder::market(2, 1, SYM, Buy, 9));
    assert_eq!(rejected(&evs), Some((R::InsufficientBuyingPower, 803, 904)));
    let evs = v.order(NewOrder::market(2, 1, SYM, Buy, 8));
    assert_eq!(fills(&evs).last().map(|f| f.8), Some(0));
    assert_eq!(v.account(1).reserved, 0, "a market order leaves no reservation");
}

#[test]
fn short_selling_forbidden_beyond_the_long_position() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000);
    v.limits(1, AccountLimits { forbid_short: true, ..AccountLimits::default() });
    assert_eq!(rejected(&v.limit(1, 1, Sell, 100, 1)), Some((R::ShortSellingNotAllowed, 0, 1)));
    v.limit(90, 9, Sell, 100, 30);
    v.limit(2, 1, Buy, 100, 30);
    at_and_over(&mut v, lim(3, 1, Sell, 200, 20), lim(4, 1, Sell, 200, 31), R::ShortSellingNotAllowed, 30, 31);
    // 20 of the 30 are covered by order 3 already.
    at_and_over(&mut v, lim(5, 1, Sell, 200, 10), lim(6, 1, Sell, 200, 11), R::ShortSellingNotAllowed, 10, 11);
    assert_eq!(v.account(1).reserved, 0, "covered sells reserve no cash");
}

#[test]
fn a_short_sale_reserves_collateral_and_a_short_position_holds_twice_its_basis() {
    let mut v = Venue::new();
    v.deposit(1, 1_000);
    at_and_over(&mut v, lim(1, 1, Sell, 100, 10), lim(2, 1, Sell, 100, 11), R::InsufficientBuyingPower, 1_000, 1_100);
    assert_eq!(v.account(1).buying_power, 0);
    v.limit(90, 8, Buy, 100, 10);
    let a = v.account(1);
    assert_eq!((a.cash, a.reserved, a.buying_power), (2_000, 0, 0), "proceeds plus collateral: 2 × 1 000 held");
    // A buy reserves its whole cost even when it covers a short (documented): it needs buying power.
    v.limit(91, 9, Sell, 90, 10);
    assert_eq!(rejected(&v.limit(3, 1, Buy, 90, 10)), Some((R::InsufficientBuyingPower, 0, 900)));
    v.deposit(1, 900);
    let evs = v.limit(3, 1, Buy, 90, 10);
    assert_eq!(fills(&evs), vec![(1, Buy, Liquidity::Taker, 90, 10, 0, 100, 0, 2_000)]);
    let a = v.account(1);
    assert_eq!((a.buying_power, a.equity, a.realized), (2_000, 2_000, 100));
}

#[test]
fn max_open_orders() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000);
    v.limits(1, AccountLimits { max_open_orders: 3, ..AccountLimits::default() });
    v.limit(1, 1, Buy, 10, 1);
    let stop = NewOrder { order_type: OrderType::Stop, stop_price: Price(500), ..lim(2, 1, Buy, 0, 1) };
    v.order(stop);
    assert!(accepted(&v.limit(3, 1, Sell, 20, 1)), "the third order reaches the limit");
    assert_eq!(rejected(&v.limit(4, 1, Sell, 20, 1)), Some((R::MaxOpenOrders, 3, 4)));
    v.cancel(1, 1);
    assert!(accepted(&v.limit(4, 1, Sell, 20, 1)));
}

#[test]
fn rate_limit_is_a_token_bucket_on_command_time() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000);
    v.limits(
        1,
        AccountLimits { rate_capacity: 3, rate_per_interval: 1, rate_interval: 100, ..AccountLimits::default() },
    );
    let at = |v: &mut Venue, ts: u64, id: u64| {
        v.seq += 1;
        let kind = CommandKind::New(lim(id, 1, Buy, 10, 1));
        v.engine.execute(&Command { ts, seq: v.seq, kind }).iter().map(|e| e.kind).collect::<Vec<_>>()
    };
    let t0 = v.ts + 1;
    for id in 1..=3 {
        assert!(accepted(&at(&mut v, t0, id)));
    }
    assert_eq!(rejected(&at(&mut v, t0, 4)), Some((R::RateLimited, 3, 4)));
    assert_eq!(rejected(&at(&mut v, t0 + 99, 4)), Some((R::RateLimited, 3, 4)));
    assert!(accepted(&at(&mut v, t0 + 100, 4)), "one token back after one interval");
    // An order refused by another check takes no token.
    v.limits(
        1,
        AccountLimits {
            rate_capacity: 1,
            rate_per_interval: 1,
            rate_interval: 100,
            max_order_qty: 1,
            ..AccountLimits::default()
        },
    );
    let t1 = v.ts + 1;
    v.seq += 1;
    let kind = CommandKind::New(lim(5, 1, Buy, 10, 2));
    assert_eq!(
        rejected(&v.engine.execute(&Command { ts: t1, seq: v.seq, kind }).iter().map(|e| e.kind).collect::<Vec<_>>()),
        Some((R::MaxOrderQty, 1, 2))
    );
    assert!(accepted(&at(&mut v, t1, 5)));
    assert_eq!(rejected(&at(&mut v, t1, 6)), Some((R::RateLimited, 1, 2)));
}

#[test]
fn kill_switch_cancels_resting_orders_and_stops_and_refuses_new_ones() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000);
    v.limit(1, 1, Buy, 10, 5);
    v.order(NewOrder { order_type: OrderType::Stop, stop_price: Price(50), ..lim(2, 1, Buy, 0, 5) });
    v.limit(3, 2, Buy, 10, 5);
    let evs = v.run(CommandKind::SetKillSwitch { account: AccountId(1), on: true });
    let killed: Vec<u64> = evs
        .iter()
        .filter_map(|e| match e {
            EventKind::Cancelled { order_id, reason: CancelReason::KillSwitch, .. } => Some(order_id.0),
            _ => None,
        })
        .collect();
    assert_eq!(killed, vec![1, 2]);
    assert!(matches!(evs[0], EventKind::ConfigChanged { what: 13, account: AccountId(1), .. }));
    assert_eq!((v.account(1).reserved, v.account(1).open_orders), (0, 0));
    assert_eq!(rejected(&v.limit(4, 1, Buy, 10, 5)), Some((R::KillSwitch, 0, 5)));
    assert!(v.engine.order(OrderId(3)).is_some(), "other accounts are untouched");
    v.run(CommandKind::SetKillSwitch { account: AccountId(1), on: false });
    assert!(accepted(&v.limit(4, 1, Buy, 10, 5)));
}

#[test]
fn a_halt_refuses_orders_and_replaces_of_every_account_but_allows_cancels() {
    let mut v = Venue::new();
    v.limit(1, 7, Buy, 10, 5);
    v.run(CommandKind::SetHalt { symbol: SymbolId(SYM), halted: true });
    assert_eq!(rejected(&v.limit(2, 7, Buy, 10, 5)), Some((R::Halted, 0, 5)));
    assert_eq!(rejected(&v.replace(1, 7, None, 6)), Some((R::Halted, 0, 6)));
    assert!(matches!(v.cancel(1, 7)[0], EventKind::Cancelled { .. }));
    v.run(CommandKind::SetHalt { symbol: SymbolId(SYM), halted: false });
    assert!(accepted(&v.limit(2, 7, Buy, 10, 5)));
    assert_eq!(
        rejected(&v.run(CommandKind::SetHalt { symbol: SymbolId(42), halted: true })).map(|r| r.0),
        Some(R::UnknownSymbol)
    );
}

#[test]
fn reduce_only_orders_may_only_reduce_what_is_not_already_being_reduced() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000);
    let ro = |id, side, qty| NewOrder { reduce_only: true, ..lim(id, 1, side, 100, qty) };
    assert_eq!(rejected(&v.order(ro(1, Sell, 1))), Some((R::ReduceOnly, 0, 1)));
    v.limit(90, 9, Sell, 50, 10);
    v.limit(2, 1, Buy, 50, 10);
    assert_eq!(rejected(&v.order(ro(3, Buy, 1))), Some((R::ReduceOnly, 0, 1)), "a buy would grow a long");
    v.order(ro(3, Sell, 6));
    at_and_over(&mut v, ro(4, Sell, 4), ro(5, Sell, 5), R::ReduceOnly, 4, 5);
    assert_eq!(rejected(&v.replace(4, 1, None, 5)), Some((R::ReduceOnly, 4, 5)));
}

#[test]
fn withdrawals_are_limited_by_buying_power() {
    let mut v = Venue::new();
    v.deposit(1, 1_000);
    v.limit(1, 1, Buy, 10, 30);
    let w = |amount| CommandKind::Withdraw { account: AccountId(1), amount };
    assert_eq!(rejected(&v.run(w(701))), Some((R::InsufficientFunds, 700, 701)));
    assert_eq!(v.run(w(700)), vec![EventKind::CashMoved { account: AccountId(1), amount: -700, cash: 300 }]);
    assert_eq!(rejected(&v.run(w(1))), Some((R::InsufficientFunds, 0, 1)));
    assert_eq!(rejected(&v.run(w(0))).map(|r| r.0), Some(R::Malformed));
    assert_eq!(
        rejected(&v.run(CommandKind::Withdraw { account: AccountId(5), amount: 1 })),
        Some((R::InsufficientFunds, 0, 1))
    );
    assert!(v.engine.account(AccountId(5)).is_none(), "a refused command manages nothing");
}

#[test]
fn a_position_beyond_i64_is_refused_as_overflow() {
    let mut v = Venue::new();
    v.run(CommandKind::AddInstrument(InstrumentSpec { max_qty: Qty(i64::MAX), ..spec(2, 1) }));
    v.deposit(1, i64::MAX);
    v.deposit(1, i64::MAX);
    v.deposit(1, i64::MAX);
    let o = |id, qty| NewOrder::limit(id, 1, 2, Buy, 1, qty);
    assert!(accepted(&v.order(o(1, i64::MAX - 10))));
    assert_eq!(rejected(&v.order(o(2, 11))), Some((R::Overflow, i64::MAX.into(), i128::from(i64::MAX) + 1)));
    assert!(accepted(&v.order(o(2, 10))));
}

#[test]
fn a_post_trade_only_account_skips_every_check_but_is_still_accounted() {
    let mut v = Venue::new();
    v.deposit(1, 1_000);
    v.run(CommandKind::SetReferencePrice { symbol: SymbolId(SYM), price: Some(Price(100)) });
    v.fees(Fees { taker_ppm: 10_000, ..Fees::default() });
    let strict = AccountLimits {
        max_order_qty: 5,
        max_order_notional: 500,
        max_gross_exposure: 500,
        max_open_orders: 1,
        rate_capacity: 1,
        rate_per_interval: 1,
        rate_interval: 1_000_000,
        forbid_short: true,
        post_trade_only: false,
    };
    v.limits(1, strict);
    v.inst_limits(
        1,
        InstrumentLimits {
            max_long: 3,
            max_short: 3,
            collar_bps: 100,
            collar_ref: CollarRef::Host,
            ..InstrumentLimits::default()
        },
    );
    let big_buy = lim(1, 1, Buy, 100, 50);
    assert_eq!(rejected(&v.order(big_buy)), Some((R::MaxOrderQty, 5, 50)));
    v.limits(1, AccountLimits { post_trade_only: true, ..strict });
    // Over every limit, past buying power, and outside the collar: accepted, and reserved as any order is.
    assert!(accepted(&v.order(big_buy)));
    assert_eq!((v.account(1).reserved, v.account(1).buying_power), (5_000 + 50, 1_000 - 5_050));
    assert!(accepted(&v.order(lim(2, 1, Sell, 150, 10))), "a forbidden short sale, a second open order, no token");
    let evs = v.replace(2, 1, Some(160), 20);
    assert!(matches!(evs[0], EventKind::Replaced { .. }), "{evs:?}");
    assert_eq!(v.account(1).reserved, 5_050 + 160 * 20 + 32);
    // Fills are booked as for any managed account.
    v.limit(3, 9, Sell, 100, 50);
    let a = v.account(1);
    assert_eq!((v.position(1).qty, a.cash, a.reserved), (50, 1_000 - 5_000, 160 * 20 + 32));
    // The kill switch still refuses and cancels.
    v.run(CommandKind::SetKillSwitch { account: AccountId(1), on: true });
    assert_eq!(v.account(1).open_orders, 0);
    assert_eq!(rejected(&v.limit(4, 1, Buy, 100, 1)), Some((R::KillSwitch, 0, 1)));
    v.run(CommandKind::SetKillSwitch { account: AccountId(1), on: false });
    // And the i64 bound on positions: the accounting must stay exact.
    v.run(CommandKind::AddInstrument(InstrumentSpec { max_qty: Qty(i64::MAX), ..spec(2, 1) }));
    let o = |id, qty| NewOrder::limit(id, 1, 2, Buy, 1, qty);
    assert!(accepted(&v.order(o(5, i64::MAX - 10))));
    assert_eq!(rejected(&v.order(o(6, 11))), Some((R::Overflow, i64::MAX.into(), i128::from(i64::MAX) + 1)));
    // And a buying power floor of -2^100, which keeps every money total far inside i128: a limit order's
    // reservation or a market order's uncovered quantity at the instrument's highest price.
    let room = v.account(1).buying_power + (1i128 << 100);
    let price = 1i64 << 40;
    v.run(CommandKind::AddInstrument(InstrumentSpec { max_price: Price(price), max_qty: Qty(i64::MAX), ..spec(3, 1) }));
    let qty = i64::try_from(room / i128::from(price)).expect("fits");
    let at = |id, qty| NewOrder::limit(id, 1, 3, Buy, price, qty);
    assert_eq!(rejected(&v.order(at(8, qty + 1))), Some((R::Overflow, room, i128::from(price) * i128::from(qty + 1))));
    assert!(accepted(&v.order(at(8, qty))));
    let room = v.account(1).buying_power + (1i128 << 100);
    assert!(room < i128::from(price));
    let market = NewOrder::market(9, 1, 3, Buy, 1);
    assert_eq!(rejected(&v.order(market)), Some((R::Overflow, room, i128::from(price))));
    v.cancel(8, 1);
    assert!(accepted(&v.order(market)), "the book is empty: nothing fills");
    // Checked again once the switch is off.
    v.limits(1, strict);
    assert_eq!(rejected(&v.limit(7, 1, Buy, 100, 1)), Some((R::MaxOpenOrders, 1, 2)));
}

// ---- P&L, fees and cash ----

#[test]
fn pnl_with_a_flip_from_long_to_short_partial_closes_fees_and_rebates() {
    let mut v = Venue::new();
    // Maker rebate 1 bp, taker 3 bp plus 1 per unit.
    v.fees(Fees { maker_ppm: -100, taker_ppm: 300, maker_per_unit: 0, taker_per_unit: 1 });
    v.deposit(1, 100_000);
    v.deposit(2, 100_000);
    // 1 buys 10 @ 1000 as maker: rebate round(−10 000 × 0.0001) = −1; 2 sells as taker: 3 + 10 = 13.
    v.limit(1, 1, Buy, 1_000, 10);
    let evs = v.limit(2, 2, Sell, 1_000, 10);
    assert_eq!(
        fills(&evs),
        vec![
            (1, Buy, Liquidity::Maker, 1_000, 10, -1, 0, 10, 100_000 - 10_000 + 1),
            (2, Sell, Liquidity::Taker, 1_000, 10, 13, 0, -10, 100_000 + 10_000 - 13),
        ]
    );
    // 1 buys 10 more @ 1100: average 1050.
    v.limit(3, 2, Sell, 1_100, 10);
    v.limit(4, 1, Buy, 1_100, 10);
    let p = v.position(1);
    assert_eq!((p.qty, p.basis, p.avg_price), (20, 21_000, 1_050.0));
    // Partial close: sells 5 @ 1200 as taker, realizing 5 × 150 = 750.
    v.limit(5, 2, Buy, 1_200, 5);
    let evs = v.limit(6, 1, Sell, 1_200, 5);
    assert_eq!(fills(&evs)[1].0, 1);
    let f = fills(&evs)[1];
    assert_eq!((f.5, f.6, f.7), (2 + 5, 750, 15)); // fee round(6 000 × 0.0003 = 1.8) = 2, plus 5
    assert_eq!(v.position(1).basis, 15_750);
    // Flip in one fill: sells 25 @ 1000 into 2's bid: closes 15 (realizing 15 × −50 = −750), opens 10 short @ 1000.
    v.limit(7, 2, Buy, 1_000, 25);
    let evs = v.limit(8, 1, Sell, 1_000, 25);
    let f = fills(&evs)[1];
    assert_eq!((f.0, f.6, f.7), (1, -750, -10));
    let p = v.position(1);
    assert_eq!((p.qty, p.basis, p.realized, p.avg_price), (-10, -10_000, 0, 1_000.0));
    // Marked at the last trade (1000): nothing unrealized; after a trade at 990, +100.
    v.limit(9, 3, Sell, 990, 1);
    v.limit(10, 4, Buy, 990, 1);
    assert_eq!(v.position(1).unrealized, 100);
    // Cash: every fill's notional and fee, checked against the ledger identity.
    let a = v.account(1);
    let fees = -1 + (3 + 10) + 7 + (8 + 25); // maker rebate, taker 1100×10, 1200×5, 1000×25
    assert_eq!(a.cash + v.position(1).basis, 100_000 - fees + a.realized);
    assert_eq!(a.cash, 100_000 - 10_000 + 1 - 11_000 - 13 + 6_000 - 7 + 25_000 - 33);
    assert_eq!(a.equity, a.cash - 10 * 990);
    assert_eq!(a.unrealized, 100);
}

#[test]
fn a_short_cover_and_a_flip_back_to_long() {
    let mut v = Venue::new();
    v.deposit(1, 1_000_000);
    v.limit(1, 9, Buy, 50, 4);
    v.limit(2, 1, Sell, 50, 4);
    v.limit(3, 9, Sell, 45, 3);
    let evs = v.limit(4, 1, Buy, 45, 3);
    assert_eq!(fills(&evs)[0].6, 15);
    v.limit(5, 9, Sell, 40, 5);
    let evs = v.limit(6, 1, Buy, 40, 5); // covers 1 at +10, opens 4 long @ 40
    assert_eq!((fills(&evs)[0].6, fills(&evs)[0].7), (10, 4));
    let p = v.position(1);
    assert_eq!((p.qty, p.basis, p.realized), (4, 160, 25));
}

// ---- the property test ----

/// A random stream over several managed accounts (optionally with an unmanaged one), checking after every command:
/// reservations equal what the open orders need (`verify_accounts`), no reservation without open orders, each
/// account's cash + Σ basis = deposits − withdrawals − fees + realized, the Fill and CashMoved events' cash equals
/// the account's, and — when every account is managed — Σ cash = deposits − withdrawals − fees and Σ positions = 0.
struct Stream {
    v: Venue,
    rng: fastrand::Rng,
    accounts: u32,
    all_managed: bool,
    next_id: u64,
    live: Vec<(u64, u32)>,
    /// Per account: Σ deposits − withdrawals, Σ fees, running cash from events.
    flows: BTreeMap<u32, (i128, i128, i128)>,
    events: Vec<Event>,
    commands: Vec<Command>,
}

const SYMS: [u32; 2] = [1, 2];

impl Stream {
    fn new(seed: u64, accounts: u32, all_managed: bool) -> Self {
        let mut s = Stream {
            v: Venue::new(),
            rng: fastrand::Rng::with_seed(seed),
            accounts,
            all_managed,
            next_id: 1,
            live: Vec::new(),
            flows: BTreeMap::new(),
            events: Vec::new(),
            commands: Vec::new(),
        };
        s.exec(CommandKind::AddInstrument(spec(2, 1_000_000)));
        for a in 1..=s.managed_count() {
            let amount = s.rng.i64(200_000..2_000_000);
            s.exec(CommandKind::Deposit { account: AccountId(a), amount });
        }
        s.exec(CommandKind::SetFees {
            symbol: SymbolId(2),
            fees: Fees { maker_ppm: -200, taker_ppm: 500, maker_per_unit: 0, taker_per_unit: 1 },
        });
        s
    }

    fn managed_count(&self) -> u32 {
        if self.all_managed {
            self.accounts
        } else {
            self.accounts - 1
        }
    }

    fn exec(&mut self, kind: CommandKind) {
        self.v.seq += 1;
        self.v.ts += self.rng.u64(1..50);
        let cmd = Command { ts: self.v.ts, seq: self.v.seq, kind };
        let evs = self.v.engine.execute(&cmd).to_vec();
        self.check(&cmd, &evs);
        self.events.extend_from_slice(&evs);
        self.commands.push(cmd);
    }

    fn check(&mut self, cmd: &Command, evs: &[Event]) {
        let e = &self.v.engine;
        e.verify().unwrap_or_else(|err| panic!("{cmd:?}: {err}"));
        e.verify_accounts().unwrap_or_else(|err| panic!("{cmd:?}: {err}"));
        for ev in evs {
            match ev.kind {
                EventKind::Accepted { order_id, account, .. } => self.live.push((order_id.0, account.0)),
                EventKind::Fill { account, side, price, qty, fee, cash, .. } => {
                    let f = self.flows.entry(account.0).or_default();
                    let notional = i128::from(price.0) * i128::from(qty.0);
                    f.1 += fee;
                    f.2 += if side == Buy { -notional } else { notional } - fee;
                    assert_eq!(f.2, cash, "{cmd:?}: fill cash");
                }
                EventKind::CashMoved { account, amount, cash } => {
                    let f = self.flows.entry(account.0).or_default();
                    f.0 += amount;
                    f.2 += amount;
                    assert_eq!(f.2, cash, "{cmd:?}: cash moved");
                }
                _ => {}
            }
        }
        self.live.retain(|&(id, _)| e.order(OrderId(id)).is_some());
        let (mut total_cash, mut total_flow, mut positions) = (0i128, 0i128, [0i128; 2]);
        for id in e.managed_accounts() {
            let a = e.account(id).expect("managed");
            let (flow, fees, cash) = self.flows.get(&id.0).copied().unwrap_or_default();
            assert_eq!(a.cash, cash, "{cmd:?}: account {} cash", id.0);
            let mut basis = 0;
            for (i, &s) in SYMS.iter().enumerate() {
                let p = e.position(id, SymbolId(s)).expect("managed");
                basis += p.basis;
                positions[i] += i128::from(p.qty);
            }
            assert_eq!(a.cash + basis, flow - fees + a.realized, "{cmd:?}: account {} ledger", id.0);
            if a.open_orders == 0 {
                assert_eq!(a.reserved, 0, "{cmd:?}: account {} reserves without open orders", id.0);
            }
            total_cash += a.cash;
            total_flow += flow - fees;
        }
        if self.all_managed {
            assert_eq!(total_cash, total_flow, "{cmd:?}: cash is conserved across trades");
            assert_eq!(positions, [0, 0], "{cmd:?}: positions net to zero");
        }
    }

    fn account(&mut self) -> u32 {
        self.rng.u32(1..=self.accounts)
    }

    fn order(&mut self) -> NewOrder {
        let id = self.next_id;
        self.next_id += 1;
        let symbol = SYMS[self.rng.usize(..2)];
        let side = if self.rng.bool() { Buy } else { Sell };
        let price = 1_000 + self.rng.i64(-8..=8);
        let mut o = NewOrder::limit(id, self.account(), symbol, side, price, self.rng.i64(1..=60));
        match self.rng.u32(..100) {
            0..=59 => {}
            60..=69 => o = NewOrder { tif: TimeInForce::Ioc, ..o },
            70..=74 => o = NewOrder { tif: TimeInForce::Fok, ..o },
            75..=79 => o = NewOrder { tif: TimeInForce::Day, ..o },
            80..=84 => o = NewOrder { tif: TimeInForce::Gtd, expire_at: self.v.ts + self.rng.u64(50..2_000), ..o },
            85..=91 => o = NewOrder::market(id, o.account.0, symbol, side, o.qty.0),
            92..=95 => {
                let stop = 1_000 + self.rng.i64(-6..=6);
                o = NewOrder { order_type: OrderType::Stop, stop_price: Price(stop), price: Price(0), ..o };
            }
            _ => {
                let stop = 1_000 + self.rng.i64(-6..=6);
                o = NewOrder { order_type: OrderType::StopLimit, stop_price: Price(stop), ..o };
            }
        }
        if o.order_type == OrderType::Limit && o.tif.may_rest() && self.rng.u32(..10) == 0 {
            o.display_qty = Qty((o.qty.0 / 3).max(1));
        }
        if self.rng.u32(..8) == 0 {
            o.stp = StpMode::from_code(self.rng.u8(1..=4)).expect("STP code");
        }
        o.reduce_only = self.rng.u32(..12) == 0;
        o.post_only = o.order_type == OrderType::Limit && o.tif.may_rest() && self.rng.u32(..20) == 0;
        o
    }

    fn step(&mut self) {
        let live = (!self.live.is_empty()).then(|| self.live[self.rng.usize(..self.live.len())]);
        let kind = match (self.rng.u32(..1_000), live) {
            (0..=549, _) => CommandKind::New(self.order()),
            (550..=699, Some((id, account))) => {
                CommandKind::Cancel { order_id: OrderId(id), account: AccountId(account) }
            }
            (700..=849, Some((id, account))) => {
                let view = self.v.engine.order(OrderId(id)).expect("live");
                let new_price = (view.price.0 != 0 && self.rng.bool()).then(|| Price(1_000 + self.rng.i64(-8..=8)));
                CommandKind::Replace {
                    order_id: OrderId(id),
                    account: AccountId(account),
                    new_price,
                    new_qty: Qty(self.rng.i64(1..=60)),
                }
            }
            (850..=859, _) => CommandKind::MassCancel {
                account: self.rng.bool().then(|| AccountId(self.account())),
                symbol: self.rng.bool().then(|| SymbolId(SYMS[self.rng.usize(..2)])),
                side: None,
            },
            (860..=874, _) => CommandKind::SessionEnd { symbol: None },
            (875..=904, _) => CommandKind::AdvanceTime,
            (905..=924, _) => {
                let account = AccountId(self.rng.u32(1..=self.managed_count()));
                CommandKind::Deposit { account, amount: self.rng.i64(1..100_000) }
            }
            (925..=944, _) => {
                let account = AccountId(self.rng.u32(1..=self.managed_count()));
                CommandKind::Withdraw { account, amount: self.rng.i64(1..200_000) }
            }
            (945..=954, _) => {
                let account = AccountId(self.rng.u32(1..=self.managed_count()));
                CommandKind::SetKillSwitch { account, on: self.rng.u32(..10) == 0 }
            }
            (955..=964, _) => {
                let account = AccountId(self.rng.u32(1..=self.managed_count()));
                let limits = AccountLimits {
                    max_open_orders: self.rng.u32(0..12),
                    forbid_short: self.rng.bool(),
                    post_trade_only: self.rng.u32(..5) == 0,
                    max_gross_exposure: if self.rng.bool() { 0 } else { self.rng.i64(200_000..2_000_000) },
                    rate_capacity: self.rng.u64(0..6),
                    rate_per_interval: 1,
                    rate_interval: 20,
                    ..AccountLimits::default()
                };
                CommandKind::SetAccountLimits { account, limits }
            }
            (965..=974, _) => {
                let account = AccountId(self.rng.u32(1..=self.managed_count()));
                let limits = InstrumentLimits {
                    max_long: if self.rng.bool() { 0 } else { self.rng.i64(50..400) },
                    max_short: if self.rng.bool() { 0 } else { self.rng.i64(50..400) },
                    collar_bps: self.rng.u32(0..300),
                    collar_ref: CollarRef::from_code(self.rng.u8(0..=3)).expect("collar code"),
                    ..InstrumentLimits::default()
                };
                CommandKind::SetInstrumentLimits { account, symbol: SymbolId(SYMS[self.rng.usize(..2)]), limits }
            }
            (975..=984, _) => {
                let (maker_ppm, taker_ppm) = (self.rng.i64(-300..=800), self.rng.i64(-300..=800));
                let fees = Fees { maker_ppm, taker_ppm, maker_per_unit: self.rng.i64(-1..=2), taker_per_unit: 1 };
                CommandKind::SetFees { symbol: SymbolId(SYMS[self.rng.usize(..2)]), fees }
            }
            (985..=989, _) => {
                CommandKind::SetHalt { symbol: SymbolId(SYMS[self.rng.usize(..2)]), halted: self.rng.u32(..10) == 0 }
            }
            (990..=999, _) => CommandKind::SetReferencePrice {
                symbol: SymbolId(SYMS[self.rng.usize(..2)]),
                price: Some(Price(1_000 + self.rng.i64(-5..=5))),
            },
            _ => CommandKind::New(self.order()),
        };
        self.exec(kind);
    }
}

fn property_run(seed: u64, accounts: u32, all_managed: bool, commands: usize) {
    let mut s = Stream::new(seed, accounts, all_managed);
    let mut snapshot = None;
    for i in 0..commands {
        s.step();
        if i == commands / 2 {
            snapshot = Some((s.v.engine.snapshot(), s.events.len(), s.commands.len()));
        }
    }
    let fills = s.events.iter().filter(|e| matches!(e.kind, EventKind::Fill { .. })).count();
    let risk_rejects = s
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Rejected { reason, .. } if reason.code() >= R::MaxOrderQty.code()))
        .count();
    let mut hist = BTreeMap::new();
    for e in &s.events {
        if let EventKind::Rejected { reason, .. } = e.kind {
            *hist.entry(reason.code()).or_insert(0) += 1;
        }
    }
    assert!(
        fills > commands / 10 && risk_rejects > commands / 100,
        "a stream that trades and rejects: {fills} fills, {risk_rejects} risk rejections, reasons {hist:?}"
    );
    // Nothing is left reserved once every order is gone.
    s.exec(CommandKind::SetHalt { symbol: SymbolId(1), halted: false });
    s.exec(CommandKind::MassCancel { account: None, symbol: None, side: None });
    for id in s.v.engine.managed_accounts() {
        let a = s.v.engine.account(id).expect("managed");
        assert_eq!((a.reserved, a.open_orders), (0, 0), "account {} after a full mass cancel", id.0);
    }
    // A restored snapshot (risk and accounting state included) replays the second half to the very same events.
    let (bytes, events_at, commands_at) = snapshot.expect("taken");
    let mut restored = Engine::restore(&bytes).expect("restores");
    let mut replayed = Vec::new();
    for cmd in &s.commands[commands_at..] {
        replayed.extend_from_slice(restored.execute(cmd));
    }
    assert!(replayed == s.events[events_at..], "the restored engine's events differ");
    for id in s.v.engine.managed_accounts() {
        assert_eq!(restored.account(id), s.v.engine.account(id));
    }
}

#[test]
fn property_reservations_and_the_ledger_hold_over_random_streams_of_managed_accounts() {
    for seed in 1..=4 {
        property_run(seed, 5, true, 50_000);
    }
}

#[test]
fn property_with_an_unmanaged_counterparty() {
    for seed in 11..=13 {
        property_run(seed, 6, false, 50_000);
    }
}
