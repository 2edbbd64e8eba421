//! The backtest replay against hand-computed cases: every fill rule, fee,
//! slippage, latency and metric, the data checks, determinism and the absence
//! of look-ahead, and a golden SMA-crossover run on real daily SPY bars whose
//! numbers the WASM build must reproduce exactly (tests-js/backtest.test.ts).

use cift_engine::backtest::record::{command, kind, STRIDE};
use cift_engine::backtest::{
    metrics, Annualization, Backtest, BacktestConfig, BarMarketFill, EquityPoint, Latency, OrderRequest, Slippage,
    StepStatus, StopTrigger, StrategyCommand, Trade,
};
use cift_engine::{Fees, InstrumentSpec, OrderType, Price, Qty, Side, SymbolId, TimeInForce};

type Rec = Vec<f64>;
/// A bar: ts, open, high, low, close, volume.
type Bar = (u64, i64, i64, i64, i64, i64);

fn spec(symbol: u32, tick: i64) -> InstrumentSpec {
    InstrumentSpec {
        symbol: SymbolId(symbol),
        tick_size: tick,
        lot_size: 1,
        min_price: Price(tick),
        max_price: Price(100_000_000),
        min_qty: Qty(1),
        max_qty: Qty(1_000_000_000),
    }
}

const TAKER_10BP: Fees = Fees { maker_ppm: 200, taker_ppm: 1_000, maker_per_unit: 0, taker_per_unit: 0 };

fn backtest(cfg: BacktestConfig, fees: Fees, symbols: &[u32]) -> Backtest {
    let mut bt = Backtest::new(cfg).expect("config");
    for &s in symbols {
        bt.add_instrument(spec(s, 1), fees).expect("instrument");
    }
    bt
}

/// Loads bars `(ts, open, high, low, close, volume)`.
fn load_bars(bt: &mut Backtest, symbol: u32, bars: &[Bar]) {
    let col = |f: fn(&Bar) -> f64| bars.iter().map(f).collect::<Vec<f64>>();
    bt.load_bars(
        SymbolId(symbol),
        &col(|b| b.0 as f64),
        &col(|b| b.1 as f64),
        &col(|b| b.2 as f64),
        &col(|b| b.3 as f64),
        &col(|b| b.4 as f64),
        &col(|b| b.5 as f64),
    )
    .expect("bars");
}

fn order(id: u64, symbol: u32, side: Side, order_type: OrderType, price: i64, stop: i64, qty: i64) -> StrategyCommand {
    StrategyCommand::New(OrderRequest {
        id,
        symbol: SymbolId(symbol),
        side,
        order_type,
        tif: TimeInForce::Gtc,
        price,
        qty,
        stop_price: stop,
        expire_at: 0,
        reduce_only: false,
    })
}

fn market(id: u64, side: Side, qty: i64) -> StrategyCommand {
    order(id, 1, side, OrderType::Market, 0, 0, qty)
}

fn with(cmd: StrategyCommand, f: impl FnOnce(&mut OrderRequest)) -> StrategyCommand {
    match cmd {
        StrategyCommand::New(mut r) => {
            f(&mut r);
            StrategyCommand::New(r)
        }
        other => other,
    }
}

/// Everything a strategy received, with the time it received it.
struct Log {
    recs: Vec<(u64, Rec)>,
}

impl Log {
    fn of(&self, k: f64) -> Vec<&Rec> {
        self.recs.iter().filter(|(_, r)| r[0] == k).map(|(_, r)| r).collect()
    }

    /// Fills as (ts, id, price, qty, fee, liquidity, position, cash, leaves).
    fn fills(&self) -> Vec<[i64; 9]> {
        self.of(kind::FILL)
            .iter()
            .map(|r| [r[1], r[3], r[5], r[6], r[7], r[8], r[9], r[10], r[11]].map(|v| v as i64))
            .collect()
    }

    /// (kind, ts, id, slot 4) of order updates other than fills and accepts.
    fn updates(&self) -> Vec<(f64, i64, i64, i64)> {
        self.recs
            .iter()
            .filter(|(_, r)| [kind::REJECTED, kind::CANCELLED, kind::TRIGGERED, kind::REPLACED].contains(&r[0]))
            .map(|(_, r)| (r[0], r[1] as i64, r[3] as i64, r[4] as i64))
            .collect()
    }
}

/// Runs to the end; `on` sees each batch (with the strategy's time) and returns commands.
fn drive(bt: &mut Backtest, on: impl FnMut(u64, &[Rec], &Backtest) -> Vec<StrategyCommand>) -> Log {
    drive_in(bt, 0, on)
}

/// `drive` with `step` (`max_instants` 0) or with `step_batch(7, max_instants)`, settling the
/// batch at the first instant the strategy answers with commands.
fn drive_in(
    bt: &mut Backtest,
    max_instants: usize,
    mut on: impl FnMut(u64, &[Rec], &Backtest) -> Vec<StrategyCommand>,
) -> Log {
    let mut log = Log { recs: Vec::new() };
    loop {
        let status = if max_instants == 0 { bt.step(7) } else { bt.step_batch(7, max_instants) };
        match status {
            StepStatus::Ready => {
                let all: Vec<Rec> = bt.records().chunks(STRIDE).map(<[f64]>::to_vec).collect();
                let instants: Vec<(u64, usize)> = if max_instants == 0 {
                    vec![(bt.now(), all.len())]
                } else {
                    bt.instants().chunks(2).map(|p| (p[0] as u64, p[1] as usize)).collect()
                };
                let mut start = 0;
                for (k, &(now, end)) in instants.iter().enumerate() {
                    let batch = &all[start..end];
                    start = end;
                    let cmds = on(now, batch, bt);
                    log.recs.extend(batch.iter().map(|r| (now, r.clone())));
                    if !cmds.is_empty() {
                        bt.settle(k + 1).expect("within the batch");
                        assert_eq!(bt.now(), now, "settled at the instant that answered");
                        for cmd in cmds {
                            bt.submit(cmd);
                        }
                        break;
                    }
                }
            }
            StepStatus::Paused => {}
            StepStatus::Done => return log,
        }
    }
}

/// A strategy that sends `cmds` at the first batch holding a bar with timestamp `at`.
fn at_bar(schedule: Vec<(u64, Vec<StrategyCommand>)>) -> impl FnMut(u64, &[Rec], &Backtest) -> Vec<StrategyCommand> {
    let mut schedule = schedule;
    move |_, batch, _| {
        let mut out = Vec::new();
        for r in batch {
            if r[0] == kind::BAR {
                if let Some(k) = schedule.iter().position(|(t, _)| *t as f64 == r[1]) {
                    out.extend(schedule.remove(k).1);
                }
            }
        }
        out
    }
}

/// A strategy that sends `cmds` on the first batch holding a fill of order `id`.
fn after_fill(id: u64, cmds: Vec<StrategyCommand>) -> impl FnMut(&[Rec]) -> Vec<StrategyCommand> {
    let mut cmds = Some(cmds);
    move |batch| {
        if batch.iter().any(|r| r[0] == kind::FILL && r[3] == id as f64) {
            cmds.take().unwrap_or_default()
        } else {
            Vec::new()
        }
    }
}

const FLAT: (i64, i64, i64, i64) = (100, 100, 100, 100);

fn flat_bars(ts: &[u64]) -> Vec<Bar> {
    ts.iter().map(|&t| (t, FLAT.0, FLAT.1, FLAT.2, FLAT.3, 1_000)).collect()
}

// ---- bars ----

#[test]
fn a_market_order_fills_at_the_next_open_with_the_taker_fee() {
    let mut bt = backtest(BacktestConfig::default(), TAKER_10BP, &[1]);
    load_bars(
        &mut bt,
        1,
        &[(10, 100, 105, 95, 102, 1000), (20, 103, 106, 101, 104, 1000), (30, 104, 104, 104, 104, 1)],
    );
    let log = drive(&mut bt, at_bar(vec![(10, vec![market(1, Side::Buy, 10)])]));
    // 10 × 103 = 1030; 10 bp = 1.03 → 1. Cash 1 000 000 − 1030 − 1.
    assert_eq!(log.fills(), vec![[20, 1, 103, 10, 1, 2, 10, 998_969, 0]]);
    let acc = log.of(kind::ACCEPTED);
    assert_eq!(acc.len(), 1);
    assert_eq!(&acc[0][..9], &[kind::ACCEPTED, 10.0, 1.0, 1.0, 1.0, 2.0, 0.0, 10.0, 0.0]);
    // Equity after bar 20: 998 969 + 10 × 104. The engine agrees on cash and position.
    let curve = bt.equity_curve();
    assert_eq!(
        curve.iter().map(|p| (p.ts, p.equity)).collect::<Vec<_>>(),
        vec![(10, 1_000_000.0), (20, 1_000_009.0), (30, 1_000_009.0)]
    );
    let acct = bt.engine().account(cift_engine::backtest::STRATEGY_ACCOUNT).expect("managed");
    assert_eq!((acct.cash, bt.cash(), bt.position(SymbolId(1))), (998_969, 998_969, 10));
}

#[test]
fn the_same_close_model_fills_at_once_at_the_last_close() {
    let cfg = BacktestConfig { bar_market_fill: BarMarketFill::SameClose, ..BacktestConfig::default() };
    let mut bt = backtest(cfg, TAKER_10BP, &[1]);
    load_bars(&mut bt, 1, &[(10, 100, 105, 95, 102, 1000), (20, 103, 106, 101, 104, 1000)]);
    let log = drive(&mut bt, at_bar(vec![(10, vec![market(1, Side::Buy, 10)])]));
    assert_eq!(log.fills(), vec![[10, 1, 102, 10, 1, 2, 10, 1_000_000 - 1020 - 1, 0]]);
}

/// Long 10 at 100 (bar 20's open), then `exits` sent once that fill is seen; bar 30 is `last`.
fn long_then(exits: Vec<StrategyCommand>, last: (i64, i64, i64, i64)) -> (Log, Backtest) {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let (o, h, l, c) = last;
    load_bars(&mut bt, 1, &[(10, 100, 100, 100, 100, 1000), (20, 100, 101, 99, 100, 1000), (30, o, h, l, c, 1000)]);
    let mut entry = at_bar(vec![(10, vec![market(1, Side::Buy, 10)])]);
    let mut exit = after_fill(1, exits);
    let log = drive(&mut bt, |now, batch, b| {
        let mut out = entry(now, batch, b);
        out.extend(exit(batch));
        out
    });
    (log, bt)
}

#[test]
fn a_stop_and_a_target_touched_in_one_bar_take_the_stop_first() {
    let reduce = |c| with(c, |r| r.reduce_only = true);
    let stop = reduce(order(2, 1, Side::Sell, OrderType::Stop, 0, 95, 10));
    let target = reduce(order(3, 1, Side::Sell, OrderType::Limit, 110, 0, 10));
    // A down bar: the path goes 100 → 112 → 94 → 96 and reaches the target (110) before the stop (95).
    let (log, bt) = long_then(vec![stop, target], (100, 112, 94, 96));
    let fills = log.fills();
    assert_eq!(fills.len(), 2);
    assert_eq!(fills[1], [30, 2, 95, 10, 0, 2, 0, 1_000_000 - 1000 + 950, 0]);
    // The target is then refused by the engine's reduce-only check (code 27).
    assert_eq!(log.updates(), vec![(kind::TRIGGERED, 30, 2, 95), (kind::REJECTED, 30, 3, 27)]);
    assert_eq!(bt.position(SymbolId(1)), 0);
}

#[test]
fn a_gap_fills_stops_and_limits_at_the_open() {
    let stop = order(2, 1, Side::Sell, OrderType::Stop, 0, 95, 10);
    let limit = order(5, 1, Side::Buy, OrderType::Limit, 100, 0, 5);
    let (log, bt) = long_then(vec![stop, limit], (90, 92, 88, 91));
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[1], f[2], f[3]]).collect();
    assert_eq!(fills, vec![[20, 1, 100, 10], [30, 2, 90, 10], [30, 5, 90, 5]]);
    assert_eq!(log.updates(), vec![(kind::TRIGGERED, 30, 2, 95)]);
    assert_eq!(bt.position(SymbolId(1)), 5);
}

/// Two stops on one bar; returns the order of their fills with prices.
fn two_stops(bar: (i64, i64, i64, i64)) -> Vec<[i64; 2]> {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let (o, h, l, c) = bar;
    load_bars(&mut bt, 1, &[(10, 100, 100, 100, 100, 1000), (20, o, h, l, c, 1000)]);
    let buy = order(1, 1, Side::Buy, OrderType::Stop, 0, 106, 1);
    let sell = order(2, 1, Side::Sell, OrderType::Stop, 0, 94, 1);
    let log = drive(&mut bt, at_bar(vec![(10, vec![buy, sell])]));
    log.fills().iter().map(|f| [f[1], f[2]]).collect()
}

#[test]
fn stops_inside_a_bar_fill_in_the_order_the_path_reaches_them() {
    // Down bar 100 → 108 → 92 → 95: the buy stop (106, t = 0.75) before the sell stop (94, t = 1.875).
    assert_eq!(two_stops((100, 108, 92, 95)), vec![[1, 106], [2, 94]]);
    // Up bar 100 → 92 → 108 → 105: the sell stop (t = 0.75) first.
    assert_eq!(two_stops((100, 108, 92, 105)), vec![[2, 94], [1, 106]]);
}

#[test]
fn a_triggered_stop_limit_fills_only_if_the_path_comes_back_to_its_limit() {
    for (close, filled) in [(103, true), (106, false)] {
        let mut bt = backtest(BacktestConfig::default(), TAKER_10BP, &[1]);
        load_bars(&mut bt, 1, &[(10, 100, 100, 100, 100, 1000), (20, 100, 110, 98, close, 1000)]);
        let stop_limit = order(1, 1, Side::Buy, OrderType::StopLimit, 104, 105, 1);
        let log = drive(&mut bt, at_bar(vec![(10, vec![stop_limit])]));
        // 100 → 98 → 110 → close: triggers at 105 on the way up, then needs the close leg to reach 104.
        assert_eq!(log.updates(), vec![(kind::TRIGGERED, 20, 1, 105)]);
        if filled {
            // A maker fill at the limit: 104 × 200 ppm = 0.02 → 0.
            assert_eq!(log.fills(), vec![[20, 1, 104, 1, 0, 1, 1, 1_000_000 - 104, 0]]);
        } else {
            assert!(log.fills().is_empty());
            let open = bt.open_orders();
            assert_eq!(open.len(), 1);
            assert!(open[0].1.triggered && open[0].1.leaves == 1);
        }
    }
}

#[test]
fn the_volume_cap_splits_a_fill_over_bars() {
    let cfg = BacktestConfig { volume_cap: 0.1, ..BacktestConfig::default() };
    let mut bt = backtest(cfg, Fees::default(), &[1]);
    let bars: Vec<_> = (1..=5).map(|k| (k * 10, 100 + k as i64, 120, 90, 100, 55)).collect();
    load_bars(&mut bt, 1, &bars);
    let log = drive(&mut bt, at_bar(vec![(10, vec![market(1, Side::Buy, 12)])]));
    // 10 % of 55 = 5.5 → 5 per bar, at each bar's open.
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[2], f[3], f[8]]).collect();
    assert_eq!(fills, vec![[20, 102, 5, 7], [30, 103, 5, 2], [40, 104, 2, 0]]);
}

#[test]
fn slippage_moves_bar_fills_against_the_order() {
    for (slippage, side, price) in [
        (Slippage::Ticks(2), Side::Buy, 1002),
        (Slippage::Ticks(2), Side::Sell, 998),
        (Slippage::Bps(50.0), Side::Buy, 1005),
        (Slippage::Bps(50.0), Side::Sell, 995),
    ] {
        let cfg = BacktestConfig { slippage, ..BacktestConfig::default() };
        let mut bt = backtest(cfg, Fees::default(), &[1]);
        load_bars(&mut bt, 1, &[(10, 1000, 1000, 1000, 1000, 10), (20, 1000, 1010, 990, 1000, 10)]);
        let log = drive(&mut bt, at_bar(vec![(10, vec![market(1, side, 1)])]));
        assert_eq!(log.fills()[0][2], price, "{slippage:?} {side:?}");
    }
}

#[test]
fn a_limit_fills_at_its_limit_as_a_maker_without_slippage() {
    let cfg = BacktestConfig { slippage: Slippage::Ticks(3), ..BacktestConfig::default() };
    let mut bt = backtest(cfg, TAKER_10BP, &[1]);
    load_bars(&mut bt, 1, &[(10, 100, 100, 100, 100, 10), (20, 100, 101, 94, 99, 10)]);
    let log = drive(&mut bt, at_bar(vec![(10, vec![order(1, 1, Side::Buy, OrderType::Limit, 95, 0, 1000)])]));
    // 95 000 × 200 ppm = 19 maker fee.
    assert_eq!(log.fills(), vec![[20, 1, 95, 1000, 19, 1, 1000, 1_000_000 - 95_000 - 19, 0]]);
}

// ---- latency ----

fn latency_fill(order_latency: Latency, data_latency: Latency) -> (Vec<[i64; 9]>, Vec<(u64, f64)>) {
    let cfg = BacktestConfig { order_latency, data_latency, ..BacktestConfig::default() };
    let mut bt = backtest(cfg, Fees::default(), &[1]);
    let bars: Vec<_> = (1..=4).map(|k| (k * 10, 100 + k as i64, 200, 50, 100, 1000)).collect();
    load_bars(&mut bt, 1, &bars);
    let log = drive(&mut bt, at_bar(vec![(10, vec![market(1, Side::Buy, 1)])]));
    let seen = log.recs.iter().filter(|(_, r)| r[0] == kind::FILL).map(|(now, r)| (*now, r[1])).collect();
    (log.fills(), seen)
}

#[test]
fn order_latency_decides_which_open_an_order_reaches() {
    // Sent at 10: with 5 it is there by bar 20; with 15 it arrives at 25 and gets bar 30's open.
    assert_eq!(latency_fill(Latency::Constant(5), Latency::Constant(0)).0[0][..3], [20, 1, 102]);
    assert_eq!(latency_fill(Latency::Constant(15), Latency::Constant(0)).0[0][..3], [30, 1, 103]);
}

#[test]
fn data_latency_delays_what_the_strategy_sees() {
    // Bar 10 reaches the strategy at 13; its order (no order latency) fills at bar 20's open,
    // which happens at 20 and is seen at 23.
    let (fills, seen) = latency_fill(Latency::Constant(0), Latency::Constant(3));
    assert_eq!(fills[0][..3], [20, 1, 102]);
    assert_eq!(seen, vec![(23, 20.0)]);
}

/// A random walk of bars and a strategy flipping between long and short on every bar.
fn random_run(seed: u64) -> (Vec<(u64, Rec)>, cift_engine::BacktestResult) {
    let cfg = BacktestConfig {
        seed,
        order_latency: Latency::Uniform { lo: 0, hi: 25 },
        data_latency: Latency::Exponential { min: 1, mean: 6 },
        ..BacktestConfig::default()
    };
    random_run_in(cfg, 0, 1)
}

/// `random_run` with any config, driven by `drive_in(max_instants)`, trading on every `every`-th bar.
fn random_run_in(
    cfg: BacktestConfig,
    max_instants: usize,
    every: u64,
) -> (Vec<(u64, Rec)>, cift_engine::BacktestResult) {
    let mut bt = backtest(cfg, TAKER_10BP, &[1]);
    let mut rng = cift_engine::backtest::Rng(77);
    let mut price = 1000i64;
    let bars: Vec<_> = (1..=300u64)
        .map(|k| {
            let o = price;
            price = (price + (rng.next() % 21) as i64 - 10).max(500);
            let (h, l) = (o.max(price) + (rng.next() % 5) as i64, o.min(price) - (rng.next() % 5) as i64);
            (k * 10, o, h, l, price, 100)
        })
        .collect();
    load_bars(&mut bt, 1, &bars);
    let (mut id, mut bars_in) = (0u64, 0u64);
    let log = drive_in(&mut bt, max_instants, |now, batch, b| {
        for r in batch {
            assert!(r[1] <= now as f64, "a record stamped {} seen at {now}", r[1]);
        }
        let bar = batch.iter().any(|r| r[0] == kind::BAR);
        if !bar {
            return Vec::new();
        }
        bars_in += 1;
        if bars_in % every != 0 {
            return Vec::new();
        }
        id += 1;
        let side = if b.position(SymbolId(1)) > 0 { Side::Sell } else { Side::Buy };
        vec![market(id, side, 1 + (id % 3) as i64)]
    });
    let bars_seen: Vec<f64> = log.of(kind::BAR).iter().map(|r| r[1]).collect();
    assert!(bars_seen.windows(2).all(|w| w[0] < w[1]), "bars reach the strategy in order");
    assert_eq!(bars_seen.len(), 300);
    (log.recs, bt.result())
}

#[test]
fn a_seeded_run_repeats_exactly_and_never_looks_ahead() {
    let (a, ra) = random_run(11);
    let (b, rb) = random_run(11);
    assert_eq!(a, b);
    assert_eq!(ra, rb);
    assert!(ra.metrics.trades > 10, "the strategy traded: {}", ra.metrics.trades);
    let (c, _) = random_run(12);
    assert_ne!(a, c, "another seed draws other latencies");
}

#[test]
fn batched_steps_give_the_one_instant_run_record_for_record() {
    // Constant latencies (read-ahead allowed), trading now and then, so batches are cut and settled mid-way;
    // and random latencies (never read ahead).
    let constant = |data| BacktestConfig {
        order_latency: Latency::Constant(2),
        data_latency: Latency::Constant(data),
        ..BacktestConfig::default()
    };
    let random = BacktestConfig { data_latency: Latency::Uniform { lo: 0, hi: 9 }, ..constant(0) };
    for (cfg, every) in [(constant(0), 7), (constant(3), 5), (constant(0), 1), (random, 3)] {
        let (one, r1) = random_run_in(cfg, 0, every);
        for max_instants in [2, 5, 64] {
            let (many, r2) = random_run_in(cfg, max_instants, every);
            assert_eq!(one, many, "records at {max_instants} instants per batch, {cfg:?}");
            assert_eq!(r1, r2, "results at {max_instants} instants per batch");
        }
        assert!(r1.metrics.trades > 5, "the strategy traded: {}", r1.metrics.trades);
    }
    // Settling more instants than the batch has is refused; sending settles the whole batch.
    let mut bt = backtest(BacktestConfig::default(), TAKER_10BP, &[1]);
    load_bars(&mut bt, 1, &flat_bars(&[10, 20, 30, 40]));
    assert_eq!(bt.step_batch(100, 3), StepStatus::Ready);
    assert_eq!(bt.instants(), [10.0, 1.0, 20.0, 2.0, 30.0, 3.0]);
    assert_eq!(bt.now(), 0, "nothing is applied before it is settled");
    assert_eq!(bt.settle(4), Err("count: 4 instants settled but the last batch has 3".into()));
    bt.submit(market(1, Side::Buy, 1));
    assert_eq!(bt.now(), 30, "a command settles every instant of the batch first");
    assert_eq!(bt.step_batch(100, 3), StepStatus::Ready);
    assert_eq!(bt.instants().len(), 2, "an order in flight: one instant at a time");
}

// ---- prints and books ----

/// Loads depth diffs `(ts, side, price, qty)` and prints `(ts, price, qty, aggressor)` for symbol 1.
fn load_book(bt: &mut Backtest, depth: &[(u64, u8, i64, i64)], prints: &[(u64, i64, i64, u8)]) {
    if !depth.is_empty() {
        let c = |f: fn(&(u64, u8, i64, i64)) -> f64| depth.iter().map(f).collect::<Vec<_>>();
        bt.load_depth(SymbolId(1), &c(|d| d.0 as f64), &c(|d| f64::from(d.1)), &c(|d| d.2 as f64), &c(|d| d.3 as f64))
            .expect("depth");
    }
    if !prints.is_empty() {
        let c = |f: fn(&(u64, i64, i64, u8)) -> f64| prints.iter().map(f).collect::<Vec<_>>();
        bt.load_trades(SymbolId(1), &c(|t| t.0 as f64), &c(|t| t.1 as f64), &c(|t| t.2 as f64), &c(|t| f64::from(t.3)))
            .expect("trades");
    }
}

/// Sends `cmds` at the first batch.
fn at_start(cmds: Vec<StrategyCommand>) -> impl FnMut(u64, &[Rec], &Backtest) -> Vec<StrategyCommand> {
    let mut cmds = Some(cmds);
    move |_, _, _| cmds.take().unwrap_or_default()
}

#[test]
fn a_resting_order_fills_once_prints_consume_the_queue_ahead() {
    let mut bt = backtest(BacktestConfig::default(), TAKER_10BP, &[1]);
    let depth = [(1, 1, 100, 50), (1, 2, 101, 40), (3, 1, 100, 15)];
    // Sells hit the bid at 100 (aggressor 2); one buy print in between does not touch the bid queue.
    let prints = [(2, 100, 30, 2), (4, 100, 20, 2), (5, 100, 10, 1), (6, 100, 10, 2)];
    load_book(&mut bt, &depth, &prints);
    let log = drive(&mut bt, at_start(vec![order(1, 1, Side::Buy, OrderType::Limit, 100, 0, 10)]));
    // Joins behind 50. Print 30 → 20 ahead; the level shrinks to 15 → 15 ahead; print 20 → 5 beyond
    // the queue fill; the buy print passes; print 10 → the last 5. Maker fee 500 × 200 ppm = 0.1 → 0.
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[2], f[3], f[5]]).collect();
    assert_eq!(fills, vec![[4, 100, 5, 1], [6, 100, 5, 1]]);
}

#[test]
fn a_market_order_walks_the_book_and_consumes_it() {
    let mut bt = backtest(BacktestConfig::default(), TAKER_10BP, &[1]);
    load_book(&mut bt, &[(1, 2, 101, 5), (1, 2, 102, 10), (1, 1, 99, 5)], &[]);
    let log = drive(&mut bt, at_start(vec![market(1, Side::Buy, 8), market(2, Side::Buy, 10)]));
    // Fees: 505 × 1000 ppm = 0.505 → 1; 306 → 0.306 → 0; 714 → 0.714 → 1.
    let fills: Vec<[i64; 6]> = log.fills().iter().map(|f| [f[1], f[2], f[3], f[4], f[5], f[8]]).collect();
    assert_eq!(fills, vec![[1, 101, 5, 1, 2, 3], [1, 102, 3, 0, 2, 0], [2, 102, 7, 1, 2, 3]]);
    assert_eq!(log.updates(), vec![(kind::CANCELLED, 1, 2, 2)], "the rest of order 2 is cancelled (IOC remainder)");
    assert_eq!(bt.cash(), 1_000_000 - 505 - 306 - 714 - 2);
}

#[test]
fn prints_fill_orders_they_trade_through_and_market_orders_without_a_book() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    load_book(&mut bt, &[], &[(1, 100, 1, 0), (2, 99, 4, 2), (3, 100, 3, 2), (4, 100, 5, 1), (5, 101, 1, 1)]);
    let cmds = vec![order(1, 1, Side::Buy, OrderType::Limit, 100, 0, 10), market(2, Side::Sell, 2)];
    let log = drive(&mut bt, at_start(cmds));
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[1], f[2], f[3]]).collect();
    // At 2 a sell at 99 trades through the bid at 100: 4 fill at 100, and the market sell fills at the print.
    // At 3 the print at 100 hits the bid with no queue ahead (no book): 3 more. At 4 a buy print passes.
    assert_eq!(fills, vec![[2, 2, 99, 2], [2, 1, 100, 4], [3, 1, 100, 3]]);
}

#[test]
fn a_quote_that_crosses_a_resting_order_fills_it_at_its_price() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let q = [(1u64, 99, 5, 101, 5), (2, 99, 5, 100, 3), (3, 99, 5, 100, 10)];
    let c = |f: fn(&(u64, i64, i64, i64, i64)) -> f64| q.iter().map(f).collect::<Vec<_>>();
    bt.load_quotes(
        SymbolId(1),
        &c(|q| q.0 as f64),
        &c(|q| q.1 as f64),
        &c(|q| q.2 as f64),
        &c(|q| q.3 as f64),
        &c(|q| q.4 as f64),
    )
    .expect("quotes");
    let log = drive(&mut bt, at_start(vec![order(1, 1, Side::Buy, OrderType::Limit, 100, 0, 4)]));
    let fills: Vec<[i64; 5]> = log.fills().iter().map(|f| [f[0], f[2], f[3], f[5], f[8]]).collect();
    assert_eq!(fills, vec![[2, 100, 3, 1, 1], [3, 100, 1, 1, 0]]);
    assert_eq!(bt.mark(SymbolId(1)), Some(99), "the mid of 99 and 100, rounded down");
}

#[test]
fn a_print_triggers_a_stop_that_then_walks_the_book() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    load_book(&mut bt, &[(1, 2, 106, 2), (1, 2, 107, 5), (1, 1, 100, 5)], &[(2, 104, 1, 1), (3, 105, 1, 1)]);
    let stop = order(1, 1, Side::Buy, OrderType::Stop, 0, 105, 4);
    let log = drive(&mut bt, at_start(vec![stop]));
    // The print at 104 does not reach 105; the print at 105 does: 2 at 106 and 2 at 107 from the book.
    assert_eq!(log.updates(), vec![(kind::TRIGGERED, 3, 1, 105)]);
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[2], f[3], f[5]]).collect();
    assert_eq!(fills, vec![[3, 106, 2, 2], [3, 107, 2, 2]]);
}

#[test]
fn a_replace_keeps_the_queue_place_only_when_it_shrinks() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    load_book(&mut bt, &[(1, 1, 100, 50), (1, 2, 102, 5), (2, 1, 100, 80), (2, 1, 99, 30), (3, 1, 99, 35)], &[]);
    let mut step = 0;
    let mut aheads = Vec::new();
    drive(&mut bt, |_, _, bt| {
        step += 1;
        aheads.push(bt.open_orders().iter().map(|(_, o)| (o.id, o.price, o.leaves, o.ahead)).collect::<Vec<_>>());
        match step {
            1 => vec![
                order(1, 1, Side::Buy, OrderType::Limit, 100, 0, 10),
                order(2, 1, Side::Buy, OrderType::Limit, 100, 0, 10),
            ],
            3 => vec![
                StrategyCommand::Replace { id: 1, price: None, qty: 5 },
                StrategyCommand::Replace { id: 2, price: Some(99), qty: 10 },
            ],
            _ => Vec::new(),
        }
    });
    // Both joined behind 50; the level grew to 80 behind them (ahead stays 50). Order 1 shrinks in place;
    // order 2 moves to 99 behind the 30 there, and the level growing to 35 does not move it back.
    assert_eq!(aheads[2], vec![(1, 100, 10, 50), (2, 100, 10, 50)]);
    assert_eq!(aheads.last().expect("batches"), &vec![(1, 100, 5, 50), (2, 99, 10, 30)]);
}

#[test]
fn day_orders_expire_at_the_session_boundary_and_fok_needs_the_whole_quantity() {
    let cfg = BacktestConfig { session_length: 100, session_offset: 5, volume_cap: 0.5, ..BacktestConfig::default() };
    let mut bt = backtest(cfg, Fees::default(), &[1]);
    load_bars(&mut bt, 1, &[(10, 100, 100, 100, 100, 10), (50, 100, 101, 99, 100, 10), (110, 100, 101, 99, 100, 10)]);
    let day = with(order(1, 1, Side::Buy, OrderType::Limit, 90, 0, 1), |r| r.tif = TimeInForce::Day);
    let fok = with(market(2, Side::Buy, 6), |r| r.tif = TimeInForce::Fok);
    let fits = with(market(3, Side::Buy, 5), |r| r.tif = TimeInForce::Fok);
    let log = drive(&mut bt, at_bar(vec![(10, vec![day, fok, fits])]));
    // Sessions end at 105, 205, …: the DAY order dies when the venue's clock passes 105 (at bar 110).
    // Half of bar 50's volume is 5: the FOK for 6 is killed (code 3), the one for 5 fills.
    assert_eq!(log.updates(), vec![(kind::CANCELLED, 50, 2, 3), (kind::CANCELLED, 110, 1, 5)]);
    assert_eq!(log.fills().iter().map(|f| [f[0], f[1], f[3]]).collect::<Vec<_>>(), vec![[50, 3, 5]]);
}

// ---- portfolio, risk and validation ----

// ---- stops on quote data ----

fn load_quotes(bt: &mut Backtest, q: &[(u64, i64, i64, i64, i64)]) {
    let c = |f: fn(&(u64, i64, i64, i64, i64)) -> f64| q.iter().map(f).collect::<Vec<_>>();
    let (ts, b, bq, a, aq) =
        (c(|q| q.0 as f64), c(|q| q.1 as f64), c(|q| q.2 as f64), c(|q| q.3 as f64), c(|q| q.4 as f64));
    bt.load_quotes(SymbolId(1), &ts, &b, &bq, &a, &aq).expect("quotes");
}

fn stops_on_quotes(stop_trigger: StopTrigger) -> Log {
    let mut bt = backtest(BacktestConfig { stop_trigger, ..BacktestConfig::default() }, Fees::default(), &[1]);
    load_quotes(&mut bt, &[(1, 99, 5, 101, 5), (2, 103, 5, 104, 5), (3, 104, 5, 105, 3), (4, 98, 1, 100, 5)]);
    let buy = order(1, 1, Side::Buy, OrderType::Stop, 0, 105, 4);
    let sell = order(2, 1, Side::Sell, OrderType::Stop, 0, 98, 2);
    drive(&mut bt, at_start(vec![buy, sell]))
}

#[test]
fn stops_trigger_on_the_book_with_the_quote_trigger_and_never_on_quotes_with_last() {
    let log = stops_on_quotes(StopTrigger::Quote);
    // t=3: the best ask 105 reaches the buy stop at 105: it takes the 3 offered at 105, the last 1 is
    // cancelled (a triggered stop is a market order). t=4: the best bid 98 reaches the sell stop at 98:
    // 1 at 98, 1 cancelled.
    let triggered: Vec<[i64; 4]> =
        log.of(kind::TRIGGERED).iter().map(|r| [r[1], r[3], r[4], r[5]].map(|v| v as i64)).collect();
    assert_eq!(triggered, vec![[3, 1, 105, 105], [4, 2, 98, 98]]);
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[1], f[2], f[3]]).collect();
    assert_eq!(fills, vec![[3, 1, 105, 3], [4, 2, 98, 1]]);
    let cancelled: Vec<[i64; 3]> =
        log.of(kind::CANCELLED).iter().map(|r| [r[1], r[3], r[5]].map(|v| v as i64)).collect();
    assert_eq!(cancelled, vec![[3, 1, 1], [4, 2, 1]]);
    // With the default (prints), quote-only data never triggers a stop.
    let log = stops_on_quotes(StopTrigger::Last);
    assert!(log.of(kind::TRIGGERED).is_empty() && log.fills().is_empty());
}

#[test]
fn a_stop_already_reached_by_the_book_triggers_on_arrival_with_the_quote_trigger() {
    let cfg = BacktestConfig { stop_trigger: StopTrigger::Quote, ..BacktestConfig::default() };
    let mut bt = backtest(cfg, Fees::default(), &[1]);
    load_quotes(&mut bt, &[(1, 99, 5, 101, 5), (2, 99, 5, 101, 5)]);
    let log = drive(&mut bt, at_start(vec![order(1, 1, Side::Buy, OrderType::Stop, 0, 100, 2)]));
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[1], f[2], f[3]]).collect();
    assert_eq!(fills, vec![[1, 1, 101, 2]], "the ask 101 is above the stop at 100 when it arrives");
}

// ---- L3 (market-by-order) ----

/// An L3 event: (ts, action, order id, side, price, size).
type L3 = (u64, u8, u64, u8, i64, i64);

fn load_l3(bt: &mut Backtest, events: &[L3]) {
    let c = |f: fn(&L3) -> f64| events.iter().map(f).collect::<Vec<_>>();
    bt.load_orders(
        SymbolId(1),
        &c(|e| e.0 as f64),
        &c(|e| f64::from(e.1)),
        &c(|e| e.2 as f64),
        &c(|e| f64::from(e.3)),
        &c(|e| e.4 as f64),
        &c(|e| e.5 as f64),
    )
    .expect("L3");
}

const ADD: u8 = 1;
const CANCEL: u8 = 2;
const DELETE: u8 = 3;
const EXECUTE: u8 = 4;
const MODIFY: u8 = 5;
const BID: u8 = 1;
const ASK: u8 = 2;

#[test]
fn an_l3_queue_position_is_exact() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let events = [
        (1, ADD, 11, BID, 100, 30),
        (1, ADD, 12, BID, 100, 20),
        (1, ADD, 13, ASK, 102, 10),
        (2, ADD, 14, BID, 100, 40),     // joins behind ours
        (3, CANCEL, 12, BID, 100, 5),   // ahead of ours: 50 → 45
        (4, CANCEL, 14, BID, 100, 10),  // behind: no change
        (5, EXECUTE, 11, BID, 100, 30), // ahead: 45 → 15
        (6, MODIFY, 12, BID, 100, 25),  // grows: loses its place, 15 → 0, now behind ours
        (7, EXECUTE, 12, BID, 100, 6),  // behind ours: the aggressor reached us first, 6 of our 10
        (8, DELETE, 13, ASK, 102, 0),
        (9, EXECUTE, 14, BID, 100, 30), // behind: our last 4
    ];
    load_l3(&mut bt, &events);
    let mut ahead = Vec::new();
    let mut sent = false;
    let log = drive(&mut bt, |now, _, bt| {
        if let Some((_, o)) = bt.open_orders().first() {
            ahead.push((now, o.ahead, o.leaves));
        }
        if sent {
            return Vec::new();
        }
        sent = true;
        vec![order(1, 1, Side::Buy, OrderType::Limit, 100, 0, 10)]
    });
    assert_eq!(
        ahead,
        vec![(1, 50, 10), (2, 50, 10), (3, 45, 10), (4, 45, 10), (5, 15, 10), (6, 0, 10), (7, 0, 4), (8, 0, 4)],
        "joined behind orders 11 and 12 (50), then exactly as those ahead were cancelled or executed"
    );
    let fills: Vec<[i64; 5]> = log.fills().iter().map(|f| [f[0], f[2], f[3], f[5], f[8]]).collect();
    assert_eq!(fills, vec![[7, 100, 6, 1, 4], [9, 100, 4, 1, 0]]);
    assert_eq!(log.of(kind::ORDER).len(), events.len(), "every L3 event reaches the strategy");
    let r = &log.of(kind::ORDER)[4];
    assert_eq!(r[3..8], [f64::from(CANCEL), 12.0, f64::from(BID), 100.0, 5.0]);
    assert_eq!(bt.mark(SymbolId(1)), Some(100), "the last bid alone (order 12's 19 at 100)");
}

#[test]
fn l3_executions_through_a_limit_and_crossing_adds_fill_it_at_its_price() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let events = [
        (1, ADD, 1, BID, 99, 10),
        (1, ADD, 2, ASK, 103, 10),
        (2, EXECUTE, 1, BID, 99, 3), // a sell reached 99: it passed our bid at 101 first
        (3, ADD, 3, ASK, 101, 1),    // an ask at 101 crosses our bid at 101
        (4, ADD, 4, BID, 102, 6),    // a bid at 102 crosses our ask at 102
        (5, ADD, 5, ASK, 101, 9),    // crosses our bid's last 1
    ];
    load_l3(&mut bt, &events);
    let cmds =
        vec![order(1, 1, Side::Buy, OrderType::Limit, 101, 0, 5), order(2, 1, Side::Sell, OrderType::Limit, 102, 0, 4)];
    let log = drive(&mut bt, at_start(cmds));
    let fills: Vec<[i64; 5]> = log.fills().iter().map(|f| [f[0], f[1], f[2], f[3], f[5]]).collect();
    assert_eq!(fills, vec![[2, 1, 101, 3, 1], [3, 1, 101, 1, 1], [4, 2, 102, 4, 1], [5, 1, 101, 1, 1]]);
}

#[test]
fn a_market_order_takes_the_l3_book_until_the_next_event_resets_the_level() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let events =
        [(1, ADD, 1, ASK, 101, 3), (1, ADD, 2, ASK, 101, 4), (1, ADD, 3, ASK, 102, 5), (2, ADD, 4, ASK, 101, 1)];
    load_l3(&mut bt, &events);
    let mut sent = 0;
    let log = drive(&mut bt, |now, _, _| match (now, sent) {
        (1, 0) => {
            sent = 1;
            vec![market(1, Side::Buy, 9), market(2, Side::Buy, 4)]
        }
        (2, 1) => {
            sent = 2;
            vec![market(3, Side::Buy, 8)]
        }
        _ => Vec::new(),
    });
    // 1: 7 at 101 and 2 at 102; 2: the 3 left at 102 (1 cancelled). At 2 the add resets 101 to its
    // orders' total, 8: the third order takes all 8 at 101 (no market impact on the replayed book).
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[1], f[2], f[3]]).collect();
    assert_eq!(fills, vec![[1, 1, 101, 7], [1, 1, 102, 2], [1, 2, 102, 3], [2, 3, 101, 8]]);
}

#[test]
fn an_l3_execution_is_a_print_for_stops() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let events = [(1, ADD, 1, ASK, 105, 2), (1, ADD, 2, ASK, 106, 5), (2, EXECUTE, 1, ASK, 105, 1)];
    load_l3(&mut bt, &events);
    let log = drive(&mut bt, at_start(vec![order(1, 1, Side::Buy, OrderType::Stop, 0, 105, 3)]));
    assert_eq!(log.updates()[0], (kind::TRIGGERED, 2, 1, 105));
    let fills: Vec<[i64; 4]> = log.fills().iter().map(|f| [f[0], f[1], f[2], f[3]]).collect();
    assert_eq!(fills, vec![[2, 1, 105, 1], [2, 1, 106, 2]], "the 1 left at 105, then 106");
}

#[test]
fn inconsistent_l3_streams_are_refused_with_row_and_field() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let refused = |bt: &mut Backtest, events: &[L3]| {
        let c = |f: fn(&L3) -> f64| events.iter().map(f).collect::<Vec<_>>();
        let (ts, a, id, sd, p, q) = (
            c(|e| e.0 as f64),
            c(|e| f64::from(e.1)),
            c(|e| e.2 as f64),
            c(|e| f64::from(e.3)),
            c(|e| e.4 as f64),
            c(|e| e.5 as f64),
        );
        let e = bt.load_orders(SymbolId(1), &ts, &a, &id, &sd, &p, &q).expect_err("refused");
        (e.row, e.field, e.message)
    };
    let r = refused(&mut bt, &[(1, ADD, 1, BID, 100, 5), (2, CANCEL, 2, BID, 100, 1)]);
    assert_eq!(r, (Some(1), "id", "order 2 is not live (never added, or already gone)".into()));
    let r = refused(&mut bt, &[(1, ADD, 1, BID, 100, 5), (2, EXECUTE, 1, BID, 100, 6)]);
    assert_eq!(r, (Some(1), "qty", "6 is more than the 5 left of order 1".into()));
    let r = refused(&mut bt, &[(1, ADD, 1, BID, 100, 5), (2, ADD, 1, BID, 100, 6)]);
    assert_eq!((r.0, r.1), (Some(1), "id"));
    let r = refused(&mut bt, &[(1, ADD, 1, BID, 100, 5), (2, CANCEL, 1, BID, 101, 1)]);
    assert_eq!((r.0, r.1), (Some(1), "price"));
    let r = refused(&mut bt, &[(1, ADD, 1, BID, 100, 5), (2, DELETE, 1, ASK, 100, 0)]);
    assert_eq!((r.0, r.1), (Some(1), "side"));
    let r = refused(&mut bt, &[(1, 6, 1, BID, 100, 5)]);
    assert_eq!((r.0, r.1), (Some(0), "action"));
    let r = refused(&mut bt, &[(1, ADD, 1, BID, 100, 0)]);
    assert_eq!((r.0, r.1), (Some(0), "qty"));
    assert_eq!(bt.progress(), (0, 0), "no stream was kept");
}

#[test]
fn instruments_share_one_cash_balance() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1, 2]);
    load_bars(&mut bt, 1, &[(10, 100, 100, 100, 100, 10), (20, 101, 103, 100, 102, 10)]);
    load_bars(&mut bt, 2, &[(10, 50, 50, 50, 50, 10), (20, 49, 52, 48, 51, 10)]);
    let mut batches = Vec::new();
    let b = order(2, 2, Side::Buy, OrderType::Market, 0, 0, 20);
    let mut entry = at_bar(vec![(10, vec![market(1, Side::Buy, 10), b])]);
    drive(&mut bt, |now, batch, bt| {
        batches.push(batch.iter().filter(|r| r[0] == kind::BAR).count());
        entry(now, batch, bt)
    });
    assert_eq!(batches[0], 2, "both bars of one timestamp arrive together");
    // 10 × 101 + 20 × 49 = 1990 spent; equity 998 010 + 10 × 102 + 20 × 51.
    assert_eq!(bt.cash(), 1_000_000 - 1990);
    assert_eq!(bt.equity_curve().last().expect("sampled").equity, (998_010 + 1020 + 1020) as f64);
}

#[test]
fn the_engine_refuses_a_fill_beyond_buying_power() {
    let cfg = BacktestConfig { cash: 1000, ..BacktestConfig::default() };
    let mut bt = backtest(cfg, Fees::default(), &[1]);
    load_bars(&mut bt, 1, &flat_bars(&[10, 20]));
    let log = drive(&mut bt, at_bar(vec![(10, vec![market(1, Side::Buy, 20)])]));
    assert!(log.fills().is_empty());
    assert_eq!(log.updates(), vec![(kind::REJECTED, 20, 1, 21)]);
}

#[test]
fn commands_are_validated_when_they_reach_the_venue() {
    let cfg = BacktestConfig { allow_short: false, ..BacktestConfig::default() };
    let mut bt = backtest(cfg, Fees::default(), &[1]);
    load_bars(&mut bt, 1, &[(10, 100, 100, 100, 100, 10), (20, 100, 100, 96, 100, 10), (30, 100, 100, 94, 100, 10)]);
    let limit = |id, price| order(id, 1, Side::Buy, OrderType::Limit, price, 0, 1);
    let cmds = vec![
        order(1, 1, Side::Buy, OrderType::Market, 0, 0, 0), // quantity 0: InvalidQty (9)
        order(2, 9, Side::Buy, OrderType::Market, 0, 0, 1), // unknown symbol (3)
        StrategyCommand::Cancel { id: 77 },                 // unknown order (13)
        limit(3, 90),                                       // replaced below to 95
        limit(3, 91),                                       // duplicate id (6)
        with(limit(4, 50), |r| (r.tif, r.expire_at) = (TimeInForce::Gtd, 25)), // expires at 30 (5)
        with(limit(5, 90), |r| r.tif = TimeInForce::Ioc),   // one bar, then cancelled (2)
        with(limit(6, 90), |r| r.tif = TimeInForce::Day),   // DAY without sessions: InvalidTif (11)
        StrategyCommand::Replace { id: 3, price: Some(95), qty: 1 },
        market(7, Side::Sell, 1), // a short sale in an account that may not short: refused at execution (22)
    ];
    let mut log = drive(&mut bt, at_bar(vec![(10, cmds)]));
    // A malformed record: side 7.
    let mut rec = [0.0; STRIDE];
    rec[..11].copy_from_slice(&[command::NEW, 8.0, 1.0, 7.0, 1.0, 1.0, 100.0, 1.0, 0.0, 0.0, 0.0]);
    let mut bt2 = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    load_bars(&mut bt2, 1, &flat_bars(&[10]));
    bt2.submit_records(&rec);
    let log2 = drive(&mut bt2, |_, _, _| Vec::new());
    log.recs.extend(log2.recs);
    assert_eq!(
        log.updates(),
        vec![
            (kind::REJECTED, 10, 1, 9),
            (kind::REJECTED, 10, 2, 3),
            (kind::REJECTED, 10, 77, 13),
            (kind::REJECTED, 10, 3, 6),
            (kind::REJECTED, 10, 6, 11),
            (kind::REPLACED, 10, 3, 95),
            (kind::REJECTED, 20, 7, 22), // at bar 20's open, before the IOC's bar is over
            (kind::CANCELLED, 20, 5, 2),
            (kind::CANCELLED, 30, 4, 5),
            (kind::REJECTED, 0, 8, 1),
        ]
    );
    // The replaced order fills at its new limit in bar 30 (low 94).
    assert_eq!(log.fills().iter().map(|f| [f[0], f[1], f[2]]).collect::<Vec<_>>(), vec![[30, 3, 95]]);
}

#[test]
fn bad_data_is_refused_with_row_and_field_and_nothing_is_kept() {
    let mut bt = backtest(BacktestConfig::default(), Fees::default(), &[1]);
    let e = bt
        .load_bars(SymbolId(1), &[1.0, 2.0], &[10.0, 10.0], &[11.0, 9.0], &[9.0, 9.0], &[10.0, 10.0], &[1.0, 1.0])
        .expect_err("high below open");
    assert_eq!((e.row, e.field), (Some(1), "high"));
    assert_eq!(e.to_string(), "bars for symbol 1, row 1, field high: 9 is below the open 10 or close 10");
    let e = bt.load_trades(SymbolId(1), &[5.0, 4.0], &[10.0, 10.0], &[1.0, 1.0], &[0.0, 0.0]).expect_err("ts back");
    assert_eq!((e.row, e.field), (Some(1), "ts"));
    let e = bt.load_trades(SymbolId(1), &[5.0], &[10.5], &[1.0], &[0.0]).expect_err("fraction");
    assert_eq!((e.row, e.field), (Some(0), "price"));
    let e = bt.load_trades(SymbolId(1), &[5.0], &[200_000_000.0], &[1.0], &[0.0]).expect_err("bounds");
    assert_eq!(e.message, "200000000 is outside the instrument's prices 1 to 100000000");
    let e = bt.load_trades(SymbolId(1), &[5.0], &[10.0], &[1.0, 2.0], &[0.0]).expect_err("lengths");
    assert_eq!((e.row, e.field), (None, "qty"));
    let e = bt.load_depth(SymbolId(2), &[5.0], &[1.0], &[10.0], &[1.0]).expect_err("symbol");
    assert_eq!(e.field, "symbol");
    let e = bt.load_depth(SymbolId(1), &[5.0], &[3.0], &[10.0], &[1.0]).expect_err("side");
    assert_eq!((e.row, e.field), (Some(0), "side"));
    let e = bt.load_quotes(SymbolId(1), &[5.0], &[10.0], &[1.0], &[10.0], &[1.0]).expect_err("crossed");
    assert_eq!(e.field, "ask");
    assert_eq!(bt.progress(), (0, 0), "no stream was kept");
    let e = Backtest::new(BacktestConfig { volume_cap: 1.5, ..BacktestConfig::default() }).err().expect("cap");
    assert_eq!(e.field, "volume_cap");
}

// ---- metrics ----

#[test]
fn metrics_match_hand_computed_values() {
    let pts = [(0, 100.0, false), (1, 110.0, true), (2, 99.0, true), (3, 121.0, false)];
    let mut curve: Vec<EquityPoint> =
        pts.iter().map(|&(ts, equity, exposed)| EquityPoint { ts, equity, drawdown: 0.0, exposed }).collect();
    let trade = |pnl: f64, ret: f64, open: bool| Trade {
        symbol: SymbolId(1),
        side: Side::Buy,
        entry_ts: 0,
        exit_ts: 1,
        entry_price: 1.0,
        exit_price: 1.0,
        qty: 1,
        pnl,
        ret,
        duration: 1,
        fees: 0.0,
        open,
    };
    let trades = [trade(10.0, 0.1, false), trade(-5.0, -0.05, false), trade(20.0, 0.2, false), trade(7.0, 0.9, true)];
    let m = metrics::compute(&mut curve, &trades, Annualization { periods_per_year: 3.0, ts_per_year: 3.0 }, 0.5);
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    // Returns 0.1, −0.1, 2/9; total 0.21 over one year of three periods.
    close(m.total_return, 0.21);
    close(m.annualized_return, 0.21);
    close(m.cagr, 0.21);
    // mean 0.0740741, sample σ 0.1626681 → vol σ√3, Sharpe mean/σ·√3; downside √(0.01/3).
    close(m.volatility, 0.28174938518013265);
    close(m.sharpe, 0.7887230067250995);
    close(m.sortino, 2.2222222222222245);
    // Peak 110, trough 99: −10 %, underwater from t = 1 until 121 at t = 3.
    close(m.max_drawdown, 0.1);
    assert_eq!(m.max_drawdown_duration, 2);
    close(m.calmar, 2.1);
    assert_eq!(curve.iter().map(|p| p.drawdown).collect::<Vec<_>>()[..3], [0.0, 0.0, 99.0 / 110.0 - 1.0]);
    close(m.exposure, 2.0 / 3.0);
    // The open trade is listed but not counted.
    assert_eq!(m.trades, 3);
    close(m.win_rate, 2.0 / 3.0);
    close(m.profit_factor, 6.0);
    close(m.expectancy, 25.0 / 3.0);
    close(m.avg_trade, 0.25 / 3.0);
    close(m.best_trade, 0.2);
    close(m.worst_trade, -0.05);
    assert_eq!((m.start_equity, m.end_equity, m.buy_and_hold_return), (100.0, 121.0, 0.5));
}

#[test]
fn an_unrecovered_drawdown_lasts_to_the_end_and_no_losses_make_an_infinite_profit_factor() {
    let mut curve: Vec<EquityPoint> = [(0, 100.0), (5, 120.0), (9, 90.0), (20, 100.0)]
        .iter()
        .map(|&(ts, equity)| EquityPoint { ts, equity, drawdown: 0.0, exposed: false })
        .collect();
    let ann = Annualization { periods_per_year: 1.0, ts_per_year: 1.0 };
    let win = Trade {
        symbol: SymbolId(1),
        side: Side::Sell,
        entry_ts: 0,
        exit_ts: 1,
        entry_price: 1.0,
        exit_price: 1.0,
        qty: 1,
        pnl: 3.0,
        ret: 0.03,
        duration: 1,
        fees: 0.0,
        open: false,
    };
    let m = metrics::compute(&mut curve, &[win], ann, 0.0);
    assert_eq!((m.max_drawdown, m.max_drawdown_duration), (0.25, 15));
    assert_eq!((m.profit_factor, m.exposure), (f64::INFINITY, 0.0));
    let m = metrics::compute(&mut curve, &[], ann, 0.0);
    assert_eq!((m.trades, m.win_rate, m.profit_factor), (0, 0.0, 0.0));
}

#[test]
fn the_trade_list_adds_up_to_the_accounts_pnl() {
    let (_, a) = random_run(5);
    let closed: f64 = a.trades.iter().filter(|t| !t.open).map(|t| t.pnl).sum();
    let open: f64 = a.trades.iter().filter(|t| t.open).map(|t| t.pnl).sum();
    let m = &a.metrics;
    // Equity change = closed P&L + open P&L (both net of fees): every fill belongs to one trade.
    assert!(
        (m.end_equity - m.start_equity - closed - open).abs() < 1e-6,
        "{} vs {}",
        m.end_equity - m.start_equity,
        closed + open
    );
}

// ---- golden SMA crossover on daily SPY ----

const FAST: usize = 10;
const SLOW: usize = 30;

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The SPY daily bars as columns: ts (ms since 1970), open, high, low, close, volume.
fn spy_daily() -> [Vec<f64>; 6] {
    use std::io::Read;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/spy-2013-10/daily_spy.zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("daily_spy.zip")).expect("a zip");
    let mut csv = String::new();
    zip.by_index(0).expect("one file").read_to_string(&mut csv).expect("utf-8");
    let mut cols: [Vec<f64>; 6] = Default::default();
    for line in csv.lines() {
        let f: Vec<&str> = line.split(',').collect();
        let date = f[0].split(' ').next().expect("yyyymmdd");
        let (y, m, d) = (date[..4].parse().unwrap(), date[4..6].parse().unwrap(), date[6..8].parse().unwrap());
        cols[0].push((days_from_civil(y, m, d) * 86_400_000) as f64);
        for k in 1..6 {
            cols[k].push(f[k].parse().expect("a number"));
        }
    }
    cols
}

/// The golden SMA(10/30) crossover, long only, all in at 95 % of equity; the
/// same strategy as `smaCrossover` in tests-js/backtest.test.ts, record for record.
struct SmaCrossover {
    closes: Vec<f64>,
    cash: f64,
    pos: f64,
    prev_above: Option<bool>,
    next_id: f64,
    pending: bool,
}

impl SmaCrossover {
    fn on_batch(&mut self, batch: &[f64], out: &mut Vec<f64>) {
        for r in batch.chunks(STRIDE) {
            match r[0] {
                k if k == kind::FILL => {
                    self.pos = r[9];
                    self.cash = r[10];
                    self.pending = r[11] != 0.0;
                }
                k if k == kind::REJECTED || k == kind::CANCELLED => self.pending = false,
                k if k == kind::BAR => self.on_bar(r[6], out),
                _ => {}
            }
        }
    }

    fn on_bar(&mut self, close: f64, out: &mut Vec<f64>) {
        self.closes.push(close);
        let n = self.closes.len();
        if n < SLOW {
            return;
        }
        // Integer sums (exact in f64), compared without dividing.
        let fast: f64 = self.closes[n - FAST..].iter().sum();
        let slow: f64 = self.closes[n - SLOW..].iter().sum();
        let above = fast * SLOW as f64 > slow * FAST as f64;
        let crossed = self.prev_above.is_some_and(|p| p != above);
        self.prev_above = Some(above);
        if !crossed || self.pending {
            return;
        }
        let (side, qty) = if above && self.pos == 0.0 {
            (1.0, (0.95 * (self.cash + self.pos * close) / close).floor())
        } else if !above && self.pos > 0.0 {
            (2.0, self.pos)
        } else {
            return;
        };
        if qty < 1.0 {
            return;
        }
        let mut rec = [0.0; STRIDE];
        rec[..11].copy_from_slice(&[command::NEW, self.next_id, 1.0, side, 2.0, 1.0, 0.0, qty, 0.0, 0.0, 0.0]);
        out.extend_from_slice(&rec);
        self.next_id += 1.0;
        self.pending = true;
    }
}

/// FNV-1a (32-bit) over the little-endian bytes of f64s.
fn fnv1a(hash: u32, values: &[f64]) -> u32 {
    values.iter().flat_map(|v| v.to_le_bytes()).fold(hash, |h, b| (h ^ u32::from(b)).wrapping_mul(16_777_619))
}

/// A float as JSON: Rust's shortest round-trip form; ∞ as a string.
fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:?}")
    } else {
        format!("\"{v}\"")
    }
}

/// The golden run's JSON, driven by `step` (`max_instants` 0) or `step_batch(1000, max_instants)`.
fn golden_json(max_instants: usize) -> String {
    let cfg = BacktestConfig {
        cash: 1_000_000_000, // $100 000 in deci-cents × shares
        slippage: Slippage::Bps(1.0),
        subscriptions: 1 << 1,
        ..BacktestConfig::default()
    };
    let mut bt = Backtest::new(cfg).expect("config");
    let fees = Fees { maker_ppm: 0, taker_ppm: 100, maker_per_unit: 0, taker_per_unit: 0 };
    bt.add_instrument(spec(1, 1), fees).expect("instrument"); // deci-cents: some bars are off the cent grid
    let [ts, o, h, l, c, v] = spy_daily();
    assert_eq!(ts.len(), 5849);
    bt.load_bars(SymbolId(1), &ts, &o, &h, &l, &c, &v).expect("real bars load");
    let mut strategy =
        SmaCrossover { closes: Vec::new(), cash: 1e9, pos: 0.0, prev_above: None, next_id: 1.0, pending: false };
    let (mut records, mut checksum, mut commands, mut steps) = (0usize, 2_166_136_261u32, Vec::new(), 0usize);
    loop {
        bt.submit_records(&commands);
        commands.clear();
        steps += 1;
        let status = if max_instants == 0 { bt.step(1000) } else { bt.step_batch(1000, max_instants) };
        match status {
            StepStatus::Ready if max_instants == 0 => {
                records += bt.records().len() / STRIDE;
                checksum = fnv1a(checksum, bt.records());
                strategy.on_batch(bt.records(), &mut commands);
            }
            StepStatus::Ready => {
                let (all, instants) = (bt.records().to_vec(), bt.instants().to_vec());
                let mut start = 0;
                for (k, end) in instants.chunks(2).map(|p| p[1] as usize * STRIDE).enumerate() {
                    records += (end - start) / STRIDE;
                    checksum = fnv1a(checksum, &all[start..end]);
                    strategy.on_batch(&all[start..end], &mut commands);
                    start = end;
                    if !commands.is_empty() {
                        bt.settle(k + 1).expect("within the batch");
                        break;
                    }
                }
            }
            StepStatus::Paused => {}
            StepStatus::Done => break,
        }
    }
    if max_instants == 0 {
        assert!(steps > 5848, "one call per strategy instant");
    } else {
        assert!(steps < 1000, "batches span many instants: {steps} calls");
    }
    let r = bt.result();
    assert!(r.metrics.trades >= 20, "a crossover trades on 23 years of data: {}", r.metrics.trades);
    let mut json = format!(
        "{{\n  \"records\": {records},\n  \"checksum\": {checksum},\n  \"equityPoints\": {},\n",
        r.equity.len()
    );
    let m = r.metrics;
    let fields = m.to_array();
    let named: Vec<String> =
        metrics::Metrics::NAMES.iter().zip(fields).map(|(n, v)| format!("    \"{n}\": {}", num(v))).collect();
    json += &format!("  \"metrics\": {{\n{}\n  }},\n", named.join(",\n"));
    let trades: Vec<String> = r
        .trades
        .iter()
        .map(|t| format!("    [{}]", t.to_array().iter().map(|&v| num(v)).collect::<Vec<_>>().join(", ")))
        .collect();
    json += &format!("  \"trades\": [\n{}\n  ]\n}}\n", trades.join(",\n"));
    json
}

#[test]
fn golden_sma_crossover_on_daily_spy() {
    let json = golden_json(0);
    for max_instants in [16, 4096] {
        assert_eq!(golden_json(max_instants), json, "batched at {max_instants} instants, the same run");
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/backtest-sma-spy.json");
    if std::env::var_os("CIFT_BLESS").is_some() {
        std::fs::write(path, &json).expect("write the golden file");
    }
    let golden = std::fs::read_to_string(path).expect("the golden file (CIFT_BLESS=1 writes it)");
    assert_eq!(json, golden, "the native run differs from the golden file");
}

// ---- real L2 data: Binance BTCUSDT depth diffs and trades ----

/// Parses a decimal string into integer units of `10^-scale` (exact; the data has at most 8 decimals).
fn units(s: &str, scale: u32) -> f64 {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<width$}", width = scale as usize);
    assert!(frac[scale as usize..].bytes().all(|b| b == b'0'), "{s} has more than {scale} decimals");
    (int.parse::<i64>().expect("integer part") * 10i64.pow(scale) + frac[..scale as usize].parse::<i64>().unwrap_or(0))
        as f64
}

/// The BTCUSDT recording as depth rows (ts µs, side, price in cents, qty in 1e-5 BTC) and trade rows
/// (ts µs, price, qty, aggressor); the one snapshot line counts as depth.
fn btcusdt() -> ([Vec<f64>; 4], [Vec<f64>; 4]) {
    use std::io::BufRead;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/btcusdt-l2/binance_spot_btcusdt_20240808.gz");
    let file = std::fs::File::open(path).expect("the BTCUSDT recording");
    let (mut depth, mut trades): ([Vec<f64>; 4], [Vec<f64>; 4]) = Default::default();
    let mut last_ts = 0.0f64;
    for line in std::io::BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let line = line.expect("gzip text");
        let (ns, json) = line.split_once(' ').expect("<ns> <json>");
        // Receive times in µs; the recording is in arrival order, held monotone against clock steps.
        let ts = ((ns.parse::<u64>().expect("ns") / 1000) as f64).max(last_ts);
        last_ts = ts;
        let v: serde_json::Value = serde_json::from_str(json).expect("JSON");
        let mut levels = |side: f64, list: &serde_json::Value| {
            for l in list.as_array().expect("levels") {
                let (p, q) = (l[0].as_str().expect("price"), l[1].as_str().expect("qty"));
                for (c, x) in depth.iter_mut().zip([ts, side, units(p, 2), units(q, 8)]) {
                    c.push(x);
                }
            }
        };
        if v.get("lastUpdateId").is_some() {
            levels(1.0, &v["bids"]);
            levels(2.0, &v["asks"]);
            continue;
        }
        let d = &v["data"];
        match v["stream"].as_str().expect("stream") {
            "btcusdt@depth@100ms" => {
                levels(1.0, &d["b"]);
                levels(2.0, &d["a"]);
            }
            "btcusdt@trade" => {
                let aggressor = if d["m"].as_bool().expect("m") { 2.0 } else { 1.0 };
                let row = [ts, units(d["p"].as_str().expect("p"), 2), units(d["q"].as_str().expect("q"), 8), aggressor];
                for (c, x) in trades.iter_mut().zip(row) {
                    c.push(x);
                }
            }
            _ => {}
        }
    }
    (depth, trades)
}

/// Bids for 0.001 BTC 5 USDT under each 100th print and sells what it holds at market on the 100th print after.
fn btc_run(depth: &[Vec<f64>; 4], trades: &[Vec<f64>; 4]) -> (Log, Backtest) {
    let cfg =
        BacktestConfig { cash: 100_000 * 10_000_000_000, ts_per_year: 365.25 * 86_400e6, ..BacktestConfig::default() };
    let mut bt = Backtest::new(cfg).expect("config");
    let spec = InstrumentSpec {
        symbol: SymbolId(1),
        tick_size: 1,
        lot_size: 1,
        min_price: Price(1),
        max_price: Price(100_000_000),
        min_qty: Qty(1),
        max_qty: Qty(1_000_000_000_000),
    };
    let fees = Fees { maker_ppm: 0, taker_ppm: 1_000, maker_per_unit: 0, taker_per_unit: 0 };
    bt.add_instrument(spec, fees).expect("instrument");
    bt.load_depth(SymbolId(1), &depth[0], &depth[1], &depth[2], &depth[3]).expect("real depth loads");
    bt.load_trades(SymbolId(1), &trades[0], &trades[1], &trades[2], &trades[3]).expect("real trades load");
    let (mut prints, mut id) = (0u64, 0u64);
    let log = drive(&mut bt, |_, batch, bt| {
        let mut out = Vec::new();
        for r in batch.iter().filter(|r| r[0] == kind::TRADE) {
            prints += 1;
            if prints % 100 == 0 {
                id += 1;
                let held = bt.position(SymbolId(1));
                out.push(if held > 0 && prints % 200 == 0 {
                    market(id, Side::Sell, held)
                } else {
                    order(id, 1, Side::Buy, OrderType::Limit, r[3] as i64 - 500, 0, 100_000)
                });
            }
        }
        out
    });
    (log, bt)
}

#[test]
fn real_btcusdt_depth_and_trades_replay_consistently() {
    let (depth, trades) = btcusdt();
    assert!(
        depth[0].len() > 10_000 && trades[0].len() == 9_757,
        "{} depth rows, {} prints",
        depth[0].len(),
        trades[0].len()
    );
    let (log, bt) = btc_run(&depth, &trades);
    let (again, _) = btc_run(&depth, &trades);
    assert_eq!(log.recs, again.recs, "the same run twice");
    let fills = log.fills();
    let makers = fills.iter().filter(|f| f[5] == 1).count();
    let takers = fills.iter().filter(|f| f[5] == 2).count();
    assert!(makers >= 5 && takers >= 5, "{makers} maker and {takers} taker fills");
    // Taker fills take the data's own levels; maker fills happen at the strategy's limit.
    let levels: std::collections::BTreeSet<i64> = depth[2].iter().map(|&p| p as i64).collect();
    let limits: std::collections::BTreeMap<i64, i64> =
        log.of(kind::ACCEPTED).iter().map(|r| (r[3] as i64, r[6] as i64)).collect();
    for f in &fills {
        match f[5] {
            1 => assert_eq!(f[2], limits[&f[1]], "a maker fill at its limit"),
            _ => assert!(levels.contains(&f[2]), "a taker fill at a price the book had: {f:?}"),
        }
    }
    // The engine's books agree with the venue's view and the trade list.
    bt.engine().verify_accounts().expect("the engine's accounts are consistent");
    let acct = bt.engine().account(cift_engine::backtest::STRATEGY_ACCOUNT).expect("managed");
    assert_eq!(acct.cash, bt.cash());
    let r = bt.result();
    let pnl: f64 = r.trades.iter().map(|t| t.pnl).sum();
    assert!((r.metrics.end_equity - r.metrics.start_equity - pnl).abs() < 1e-3);
}
