//! Risk checks on versus off: one order flow run natively on three setups of the same 64 accounts, reporting
//! commands per second, the ratios and the nanoseconds per checked order:
//! - checked (risk on): every account managed, every check configured (limits wide enough that nothing is
//!   refused, so every setup does the same matching);
//! - post-trade only (risk off): the same account commands with the post-trade-only switch on, so no pre-trade
//!   check runs while cash, positions, reservations and fills are kept exactly as when checked;
//! - unmanaged: no account commands, so neither checks nor accounting (what the whole risk layer costs).
//!
//! Usage: `cargo run --release -p cift-engine --example bench_risk -- [out_dir] [--json]`. With `out_dir` it also
//! writes the three command streams (`risk_on`, `risk_off`, `risk_unmanaged`, each `.commands.f64`) for the WASM
//! bench (`node engine-rs/bench-js/risk.mjs <out_dir>`); with `--json` it prints one JSON line instead of text
//! (for `npm run bench:engine`). `--once on|off|unmanaged` runs one setup once and prints its counts (for
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

/// The account commands that turn every check on without refusing anything in the flow; with `post_trade_only`
/// the same commands with every account's checks switched off.
fn risk_setup(post_trade_only: bool) -> Vec<CommandKind> {
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
            post_trade_only,
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

/// The three setups, in the order they are reported.
const SIDES: [&str; 3] = ["on", "off", "unmanaged"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let out_dir = args.iter().find(|a| !a.starts_with("--") && !SIDES.contains(&a.as_str())).map(PathBuf::from);
    let flow = flow(0xBE_4C4);
    let streams = [commands(&risk_setup(false), &flow), commands(&risk_setup(true), &flow), commands(&[], &flow)];
    if let Some(i) = args.iter().position(|a| a == "--once") {
        let side = args.get(i + 1).and_then(|s| SIDES.iter().position(|x| x == s));
        let cmds = &streams[side.unwrap_or_else(|| panic!("--once takes one of {SIDES:?}"))];
        let (secs, counts) = run(cmds);
        println!("{} commands in {:.1} ms: trades, rejections, fills {counts:?}", cmds.len(), secs * 1e3);
        return;
    }
    let orders = flow.iter().filter(|k| matches!(k, CommandKind::New(_) | CommandKind::Replace { .. })).count();
    let counts: Vec<[usize; 3]> = streams.iter().map(|s| run(s).1).collect();
    for c in &counts[1..] {
        assert_eq!(c[0], counts[0][0], "every setup does the same matching (trades)");
        assert_eq!(c[1], counts[0][1], "checks refuse nothing in this flow");
    }
    assert_eq!(counts[0][2], counts[1][2], "post-trade only books the same fills");
    // Interleaved, so drift in the machine's speed hits every setup alike.
    let mut times = [const { Vec::new() }; 3];
    for _ in 0..RUNS {
        for (t, s) in times.iter_mut().zip(&streams) {
            t.push(run(s).0);
        }
    }
    let [m_on, m_off, m_bare] = times.map(median);
    let rate = |n: usize, t: f64| n as f64 / t;
    let [r_on, r_off, r_bare] =
        [rate(streams[0].len(), m_on), rate(streams[1].len(), m_off), rate(streams[2].len(), m_bare)];
    let (ratio, layer_ratio) = (r_on / r_off, r_on / r_bare);
    let ns_per_check = (m_on - m_off) * 1e9 / orders as f64;
    let ns_layer = (m_on - m_bare) * 1e9 / orders as f64;
    if json {
        println!(
            "{{\"commands_on\":{},\"commands_off\":{},\"commands_unmanaged\":{},\"checked_orders\":{orders},\
             \"trades\":{},\"fills\":{},\"runs\":{RUNS},\"on_ms\":{:.3},\"off_ms\":{:.3},\"unmanaged_ms\":{:.3},\
             \"on_cmds_per_s\":{r_on:.0},\"off_cmds_per_s\":{r_off:.0},\"unmanaged_cmds_per_s\":{r_bare:.0},\
             \"on_over_off\":{ratio:.4},\"on_over_unmanaged\":{layer_ratio:.4},\"ns_per_checked_order\":{ns_per_check:.1},\
             \"ns_per_order_checks_and_accounting\":{ns_layer:.1}}}",
            streams[0].len(),
            streams[1].len(),
            streams[2].len(),
            counts[0][0],
            counts[0][2],
            m_on * 1e3,
            m_off * 1e3,
            m_bare * 1e3,
        );
    } else {
        println!(
            "workload: {} commands ({orders} new orders and replaces checked), {} trades, {} fills booked when managed",
            flow.len(),
            counts[0][0],
            counts[0][2]
        );
        println!("native risk on (checked):       {:.2} M commands/s ({:.1} ms)", r_on / 1e6, m_on * 1e3);
        println!("native risk off (post-trade):   {:.2} M commands/s ({:.1} ms)", r_off / 1e6, m_off * 1e3);
        println!("native unmanaged (no accounts): {:.2} M commands/s ({:.1} ms)", r_bare / 1e6, m_bare * 1e3);
        println!("native risk-on / risk-off throughput: {ratio:.3} (checks: {ns_per_check:.1} ns per checked order)");
        println!(
            "native risk-on / unmanaged throughput: {layer_ratio:.3} (checks and accounting: {ns_layer:.1} ns per checked order)"
        );
    }
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(&dir).expect("out dir");
        for (side, s) in SIDES.iter().zip(&streams) {
            write_f64(dir.join(format!("risk_{side}.commands.f64")), s);
        }
        std::fs::write(dir.join("risk_bench.json"), format!("{{ \"checkedOrders\": {orders} }}\n")).expect("write");
        if !json {
            println!("wrote the streams to {}", dir.display());
        }
    }
}
