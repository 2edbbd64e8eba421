//! Risk-on versus risk-off throughput: one order flow run natively with every account unmanaged (no checks) and
//! with every account managed and every check configured (limits set wide enough that nothing is refused, so both
//! runs do the same matching), reporting commands per second, the ratio and the nanoseconds the checks and the
//! accounting add per order.
//!
//! Usage: `cargo run --release -p cift-engine --example bench_risk -- [out_dir] [--json]`. With `out_dir` it also
//! writes the two command streams (`risk_off.commands.f64`, `risk_on.commands.f64`) for the WASM bench
//! (`node engine-rs/bench-js/risk.mjs <out_dir>`); with `--json` it prints one JSON line instead of text (for
//! `npm run bench:engine`). `--once on|off` runs one side once and prints its counts (for
//! `valgrind --tool=callgrind --toggle-collect='*bench_risk::run*'`, which counts instructions robustly).

use cift_engine::wire::{self, COMMAND_STRIDE};
use cift_engine::{
    AccountId, AccountLimits, CollarRef, Command, CommandKind, Engine, EventKind, Fees, InstrumentLimits,
    InstrumentSpec, NewOrder, OrderId, Price, Qty, Side, SymbolId, TimeInForce,
};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

const ACCOUNTS: u32 = 64;
const SYMBOLS: [u32; 2] = [1, 2];
const ORDERS: usize = 600_000;
const RUNS: usize = 7;

#[path = "common/splitmix.rs"]
mod splitmix;
use splitmix::Rng;

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The account commands that turn every check on without refusing anything in the flow.
fn risk_setup() -> Vec<CommandKind> {
    let mut out = Vec::new();
    for symbol in SYMBOLS {
        let fees = Fees { maker_ppm: -50, taker_ppm: 250, maker_per_unit: 0, taker_per_unit: 1 };
        out.push(CommandKind::SetFees { symbol: SymbolId(symbol), fees });
        out.push(CommandKind::SetReferencePrice { symbol: SymbolId(symbol), price: Some(Price(10_000)) });
    }
    for a in 1..=ACCOUNTS {
        let account = AccountId(a);
        out.push(CommandKind::Deposit { account, amount: 1 << 52 });
        let limits = AccountLimits {
            max_order_qty: 1_000_000,
            max_order_notional: 1 << 50,
            max_gross_exposure: 1 << 52,
            max_open_orders: 1_000_000,
            rate_capacity: 1 << 40,
            rate_per_interval: 1 << 20,
            rate_interval: 1,
            forbid_short: false,
        };
        out.push(CommandKind::SetAccountLimits { account, limits });
        for symbol in SYMBOLS {
            let limits = InstrumentLimits {
                max_order_qty: 1_000_000,
                max_order_notional: 1 << 50,
                max_long: 1 << 50,
                max_short: 1 << 50,
                collar_bps: 9_000,
                collar_ref: CollarRef::Last,
            };
            out.push(CommandKind::SetInstrumentLimits { account, symbol: SymbolId(symbol), limits });
        }
    }
    out
}

/// A flow of limit orders around a mid, with cancels, replaces and market orders: 70 % new limits, 15 % cancels,
/// 10 % replaces, 5 % market orders.
fn flow(seed: u64) -> Vec<CommandKind> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(ORDERS);
    let mut live: Vec<(u64, u32)> = Vec::new();
    let mut next_id = 1u64;
    for symbol in SYMBOLS {
        out.push(CommandKind::AddInstrument(InstrumentSpec {
            symbol: SymbolId(symbol),
            tick_size: 1,
            lot_size: 1,
            min_price: Price(1),
            max_price: Price(1_000_000),
            min_qty: Qty(1),
            max_qty: Qty(1_000_000),
        }));
    }
    while out.len() < ORDERS {
        let symbol = SYMBOLS[rng.below(2) as usize];
        let account = 1 + rng.below(u64::from(ACCOUNTS)) as u32;
        let side = if rng.below(2) == 0 { Side::Buy } else { Side::Sell };
        let r = rng.below(100);
        if r < 15 && !live.is_empty() {
            let (id, acc) = live.swap_remove(rng.below(live.len() as u64) as usize);
            out.push(CommandKind::Cancel { order_id: OrderId(id), account: AccountId(acc) });
        } else if r < 25 && !live.is_empty() {
            let (id, acc) = live[rng.below(live.len() as u64) as usize];
            let new_price = (rng.below(2) == 0).then(|| Price(10_000 + rng.below(21) as i64 - 10));
            let new_qty = Qty(1 + rng.below(100) as i64);
            out.push(CommandKind::Replace { order_id: OrderId(id), account: AccountId(acc), new_price, new_qty });
        } else if r < 30 {
            out.push(CommandKind::New(NewOrder::market(next_id, account, symbol, side, 1 + rng.below(50) as i64)));
            next_id += 1;
        } else {
            // Passive most of the time: a spread around 10 000 that crosses now and then.
            let offset = rng.below(12) as i64 - 2;
            let price = if side == Side::Buy { 10_000 - offset } else { 10_000 + offset };
            let o = NewOrder {
                tif: TimeInForce::Gtc,
                ..NewOrder::limit(next_id, account, symbol, side, price, 1 + rng.below(100) as i64)
            };
            live.push((next_id, account));
            next_id += 1;
            out.push(CommandKind::New(o));
        }
        if live.len() > 20_000 {
            let (id, acc) = live.swap_remove(0);
            out.push(CommandKind::Cancel { order_id: OrderId(id), account: AccountId(acc) });
        }
    }
    out
}

fn commands(setup: &[CommandKind], flow: &[CommandKind]) -> Vec<Command> {
    let (head, tail) = flow.split_at(SYMBOLS.len());
    head.iter()
        .chain(setup)
        .chain(tail)
        .enumerate()
        .map(|(i, &kind)| Command { ts: 1_000 + i as u64, seq: 1 + i as u64, kind })
        .collect()
}

/// Runs the commands on a fresh engine; returns seconds and (trades, rejections, fills).
#[inline(never)]
fn run(cmds: &[Command]) -> (f64, [usize; 3]) {
    let mut engine = Engine::new();
    let mut counts = [0usize; 3];
    let start = Instant::now();
    for c in cmds {
        for e in engine.execute(c) {
            match e.kind {
                EventKind::Trade { .. } => counts[0] += 1,
                EventKind::Rejected { .. } => counts[1] += 1,
                EventKind::Fill { .. } => counts[2] += 1,
                _ => {}
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    black_box(&engine);
    (secs, counts)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn write_f64(path: PathBuf, cmds: &[Command]) {
    let mut rec = [0.0; COMMAND_STRIDE];
    let mut bytes = Vec::with_capacity(cmds.len() * COMMAND_STRIDE * 8);
    for c in cmds {
        wire::encode_command(c, &mut rec);
        bytes.extend(rec.iter().flat_map(|v| v.to_le_bytes()));
    }
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let out_dir = args.iter().find(|a| !a.starts_with("--") && *a != "on" && *a != "off").map(PathBuf::from);
    let flow = flow(0xBE_4C4);
    let off = commands(&[], &flow);
    let on = commands(&risk_setup(), &flow);
    if let Some(i) = args.iter().position(|a| a == "--once") {
        let cmds = match args.get(i + 1).map(String::as_str) {
            Some("on") => &on,
            Some("off") => &off,
            other => panic!("--once takes on or off, not {other:?}"),
        };
        let (secs, counts) = run(cmds);
        println!("{} commands in {:.1} ms: trades, rejections, fills {counts:?}", cmds.len(), secs * 1e3);
        return;
    }
    let orders = flow.iter().filter(|k| matches!(k, CommandKind::New(_) | CommandKind::Replace { .. })).count();
    let (_, c_off) = run(&off);
    let (_, c_on) = run(&on);
    assert_eq!(c_off[0], c_on[0], "risk on must not change the matching (trades)");
    assert_eq!(c_off[1], c_on[1], "risk on must refuse nothing more");
    let (mut t_off, mut t_on) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        t_off.push(run(&off).0);
        t_on.push(run(&on).0);
    }
    let (m_off, m_on) = (median(t_off), median(t_on));
    let rate = |n: usize, t: f64| n as f64 / t;
    let ratio = rate(on.len(), m_on) / rate(off.len(), m_off);
    let ns_per_check = (m_on - m_off) * 1e9 / orders as f64;
    if json {
        println!(
            "{{\"commands_off\":{},\"commands_on\":{},\"checked_orders\":{orders},\"trades\":{},\"fills\":{},\
             \"runs\":{RUNS},\"off_ms\":{:.3},\"on_ms\":{:.3},\"off_cmds_per_s\":{:.0},\"on_cmds_per_s\":{:.0},\
             \"on_over_off\":{ratio:.4},\"ns_per_checked_order\":{ns_per_check:.1}}}",
            off.len(),
            on.len(),
            c_on[0],
            c_on[2],
            m_off * 1e3,
            m_on * 1e3,
            rate(off.len(), m_off),
            rate(on.len(), m_on),
        );
    } else {
        println!(
            "workload: {} commands ({orders} new orders and replaces checked), {} trades, {} fills booked with risk on",
            flow.len(),
            c_on[0],
            c_on[2]
        );
        println!("native risk off: {:.2} M commands/s ({:.1} ms)", rate(off.len(), m_off) / 1e6, m_off * 1e3);
        println!("native risk on:  {:.2} M commands/s ({:.1} ms)", rate(on.len(), m_on) / 1e6, m_on * 1e3);
        println!("native risk-on / risk-off throughput: {ratio:.3}");
        println!("native checks + accounting: {ns_per_check:.1} ns per checked order");
    }
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(&dir).expect("out dir");
        write_f64(dir.join("risk_off.commands.f64"), &off);
        write_f64(dir.join("risk_on.commands.f64"), &on);
        std::fs::write(dir.join("risk_bench.json"), format!("{{ \"checkedOrders\": {orders} }}\n")).expect("write");
        if !json {
            println!("wrote the streams to {}", dir.display());
        }
    }
}
