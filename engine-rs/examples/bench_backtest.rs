//! Native backtest throughput with a trivial strategy: bars per second on a
//! seeded random-walk bar series, and L2 events (depth diffs plus trade
//! prints) per second on a seeded random book. The strategy is called for
//! every bar (and every print), keeps a small position cycling with market
//! and limit orders, so fills go through the engine too.
//!
//! `cargo run --release -p cift-engine --example bench_backtest [-- out.json [events]]`
//! prints the medians of three rounds and, with a path, writes them as JSON
//! (`events` shrinks both runs, e.g. for callgrind; default 2 000 000).
//! Timing is wall-clock on a shared machine: read it as a rough figure.

use cift_engine::backtest::record::{command, kind, STRIDE};
use cift_engine::backtest::{Backtest, BacktestConfig, Rng, StepStatus};
use cift_engine::{Fees, InstrumentSpec, Price, Qty, SymbolId};
use std::time::Instant;

const DEFAULT_EVENTS: usize = 2_000_000;
const ROUNDS: usize = 3;

fn spec() -> InstrumentSpec {
    InstrumentSpec {
        symbol: SymbolId(1),
        tick_size: 1,
        lot_size: 1,
        min_price: Price(1),
        max_price: Price(1 << 40),
        min_qty: Qty(1),
        max_qty: Qty(1 << 40),
    }
}

fn backtest(subscriptions: u32) -> Backtest {
    let cfg = BacktestConfig { cash: 1 << 50, sample_every: 1_000, subscriptions, ..BacktestConfig::default() };
    let mut bt = Backtest::new(cfg).expect("config");
    let fees = Fees { maker_ppm: -20, taker_ppm: 50, maker_per_unit: 0, taker_per_unit: 0 };
    bt.add_instrument(spec(), fees).expect("instrument");
    bt
}

/// Bars as columns: a random walk with wicks.
fn bars(n: usize) -> [Vec<f64>; 6] {
    let mut rng = Rng(7);
    let mut cols: [Vec<f64>; 6] = Default::default();
    let mut price = 100_000i64;
    for i in 0..n {
        let open = price;
        price = (price + (rng.next() % 201) as i64 - 100).max(1_000);
        let high = open.max(price) + (rng.next() % 50) as i64;
        let low = open.min(price) - (rng.next() % 50) as i64;
        for (c, v) in
            cols.iter_mut().zip([(i as f64 + 1.0) * 60_000.0, open as f64, high as f64, low as f64, price as f64, 1e6])
        {
            c.push(v);
        }
    }
    cols
}

/// The trivial strategy: every 500th call flips a 10-lot position with a market order.
fn run(bt: &mut Backtest) -> (usize, usize) {
    let (mut calls, mut fills, mut id, mut long) = (0usize, 0usize, 0f64, false);
    let mut out = [0.0; STRIDE];
    loop {
        match bt.step(usize::MAX) {
            StepStatus::Ready => {
                calls += 1;
                for r in bt.records().chunks_exact(STRIDE) {
                    if r[0] == kind::FILL {
                        fills += 1;
                    }
                }
                if calls % 500 == 0 {
                    id += 1.0;
                    let side = if long { 2.0 } else { 1.0 };
                    long = !long;
                    out[..8].copy_from_slice(&[command::NEW, id, 1.0, side, 2.0, 1.0, 0.0, 10.0]);
                    bt.submit_records(&out);
                }
            }
            StepStatus::Paused => {}
            StepStatus::Done => return (calls, fills),
        }
    }
}

/// L2 diffs and prints around a random-walk mid: 90 % depth updates within 20 ticks of it, 10 % prints at the touch.
fn l2(n: usize) -> ([Vec<f64>; 4], [Vec<f64>; 4]) {
    let mut rng = Rng(11);
    let (mut depth, mut trades): ([Vec<f64>; 4], [Vec<f64>; 4]) = Default::default();
    let mut mid = 1_000_000i64;
    for i in 0..n {
        let ts = i as f64 * 10.0;
        if rng.next() % 50 == 0 {
            mid += (rng.next() % 3) as i64 - 1;
        }
        if rng.next() % 10 == 0 {
            let buy = rng.next() % 2 == 0;
            let price = if buy { mid + 1 } else { mid - 1 };
            for (c, v) in
                trades.iter_mut().zip([ts, price as f64, (1 + rng.next() % 20) as f64, if buy { 1.0 } else { 2.0 }])
            {
                c.push(v);
            }
        } else {
            let bid = rng.next() % 2 == 0;
            let off = 1 + (rng.next() % 20) as i64;
            let price = if bid { mid - off } else { mid + off };
            let qty = if rng.next() % 8 == 0 { 0 } else { 1 + rng.next() % 500 };
            for (c, v) in depth.iter_mut().zip([ts, if bid { 1.0 } else { 2.0 }, price as f64, qty as f64]) {
                c.push(v);
            }
        }
    }
    (depth, trades)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let out = std::env::args().nth(1).filter(|p| p != "-");
    let n: usize = std::env::args().nth(2).map_or(DEFAULT_EVENTS, |s| s.parse().expect("events: a count"));
    let (bars_n, l2_n) = (n, n);
    let b = bars(bars_n);
    let (depth, trades) = l2(l2_n);
    let (mut bar_rates, mut l2_rates, mut l2_all_rates) = (Vec::new(), Vec::new(), Vec::new());
    let mut info = Vec::new();
    for _ in 0..ROUNDS {
        let mut bt = backtest(1 << 1);
        bt.load_bars(SymbolId(1), &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]).expect("bars");
        let t = Instant::now();
        let (calls, fills) = run(&mut bt);
        bar_rates.push(bars_n as f64 / t.elapsed().as_secs_f64());
        info.push(format!("bars: {calls} strategy calls, {fills} fills"));
        for (subs, rates) in [(1u32 << 2, &mut l2_rates), (0b1_1110, &mut l2_all_rates)] {
            let mut bt = backtest(subs);
            bt.load_depth(SymbolId(1), &depth[0], &depth[1], &depth[2], &depth[3]).expect("depth");
            bt.load_trades(SymbolId(1), &trades[0], &trades[1], &trades[2], &trades[3]).expect("trades");
            let t = Instant::now();
            let (calls, fills) = run(&mut bt);
            rates.push(l2_n as f64 / t.elapsed().as_secs_f64());
            info.push(format!("L2 (subscriptions {subs:#b}): {calls} strategy calls, {fills} fills"));
        }
    }
    info.truncate(3);
    for line in &info {
        println!("{line}");
    }
    let (bars_s, l2_s, l2_all_s) = (median(bar_rates), median(l2_rates), median(l2_all_rates));
    println!("| native backtest, trivial strategy | events/s |");
    println!("| --- | ---: |");
    println!("| bars ({bars_n}, strategy called per bar) | {bars_s:.0} |");
    println!("| L2 diffs + prints ({l2_n}, strategy called per print) | {l2_s:.0} |");
    println!("| L2 diffs + prints ({l2_n}, strategy called per event) | {l2_all_s:.0} |");
    if let Some(path) = out {
        let json = format!(
            "{{\n  \"bars_per_s\": {bars_s:.0},\n  \"l2_events_per_s_called_per_print\": {l2_s:.0},\n  \"l2_events_per_s_called_per_event\": {l2_all_s:.0},\n  \"bars\": {bars_n},\n  \"l2_events\": {l2_n},\n  \"rounds\": {ROUNDS}\n}}\n"
        );
        std::fs::write(&path, json).expect("write the results");
    }
}
