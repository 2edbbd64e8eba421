//! Engine benchmark, native side: generates the seeded order-flow streams every runner replays, writes
//! them as f64 command records, and measures native throughput and per-message latency (JSON on stdout).
//!
//! Run: `cargo run --release -q -p cift-engine --example bench_engine -- --out bench/work
//! [--messages 1000000] [--seed 42] [--batch 1024] [--live 1000] [--repeat 3]`. Throughput passes run
//! `repeat` times and the fastest is kept; latency percentiles come from one pass.
//!
//! The workload: a geometric-Brownian mid price per symbol; resting limit orders placed a power-law number
//! of ticks from it; ~15% marketable IOC orders; ~20% replaces; and cancels that keep each book near a
//! target size, so most resting orders leave by cancel, as in real equity flow. A shadow engine runs while
//! generating so cancels and replaces name live orders. Each stream starts with an untimed setup (instruments
//! and an initial book); only the messages after it are measured.

use cift_engine::wire::{self, event_kind, COMMAND_STRIDE, EVENT_STRIDE};
use cift_engine::{
    CancelReason, Command, CommandKind, Engine, EventKind, InstrumentSpec, NewOrder, OrderId, Price, Qty, Side,
    SymbolId, TimeInForce,
};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const IOC_SHARE: f64 = 0.15;
const REPLACE_SHARE: f64 = 0.20;
/// Tail exponent of the distance of a new resting order from the mid, in ticks: P(d >= k) = k^-0.6
/// (Bouchaud, Mézard & Potters 2002 measured ~0.6 on Paris Bourse stocks).
const DEPTH_ALPHA: f64 = 0.6;
const DEPTH_CAP: u64 = 2_000;
/// Tail exponent of order size in round lots: mostly one lot, occasionally large.
const SIZE_ALPHA: f64 = 1.5;
const SIZE_CAP: u64 = 50;
const ROUND_LOT: i64 = 100;
/// Standard deviation of the mid's step, in ticks per message to that symbol.
const STEP_TICKS: f64 = 0.25;
const ACCOUNTS: u64 = 1_000;

#[path = "common/splitmix.rs"]
mod splitmix;
use splitmix::Rng;

impl Rng {
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in [0, n).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Standard normal (Box–Muller, one value per call).
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Integer >= 1 with P(X >= k) = k^-alpha, capped.
    fn power_law(&mut self, alpha: f64, cap: u64) -> u64 {
        let x = (1.0 - self.unit()).powf(-1.0 / alpha).floor();
        (x as u64).clamp(1, cap)
    }

    fn side(&mut self) -> Side {
        if self.next() & 1 == 0 {
            Side::Buy
        } else {
            Side::Sell
        }
    }
}

/// One symbol's generator state.
struct Sym {
    id: u32,
    mid: f64,
    /// Log-volatility per step, so a step moves the mid about `STEP_TICKS` ticks.
    sigma: f64,
    /// Ids of orders believed live (checked against the shadow engine before use).
    live: Vec<u64>,
}

impl Sym {
    /// A passive price `d` ticks from the mid on `side` (d = 1 is the touch).
    fn passive_price(&self, side: Side, d: u64) -> i64 {
        let d = d as i64 - 1;
        match side {
            Side::Buy => (self.mid.ceil() as i64 - 1 - d).max(1),
            Side::Sell => self.mid.floor() as i64 + 1 + d,
        }
    }
}

/// Counts of what the stream contains and what it did to the shadow engine (timed part only).
#[derive(Default)]
struct Flow {
    new_rest: u64,
    ioc: u64,
    cancel: u64,
    replace_price: u64,
    replace_down: u64,
    replace_up: u64,
    events: u64,
    trades: u64,
    user_cancels: u64,
    maker_fills: u64,
    ioc_remainders: u64,
    rejects: u64,
}

/// A generated stream: records (setup first) and what is in it.
struct Stream {
    name: String,
    symbols: usize,
    records: Vec<f64>,
    setup: usize,
    flow: Flow,
    live_end: usize,
}

/// Builds one stream, applying each command to a shadow engine so later cancels and replaces name live orders.
struct Generator {
    rng: Rng,
    engine: Engine,
    records: Vec<f64>,
    seq: u64,
    ts: u64,
    next_id: u64,
    flow: Flow,
    timed: bool,
}

impl Generator {
    /// Appends a command to the stream and applies it to the shadow engine.
    fn push(&mut self, kind: CommandKind) {
        self.seq += 1;
        self.ts += 1 + self.rng.below(2_000);
        let cmd = Command { ts: self.ts, seq: self.seq, kind };
        let at = self.records.len();
        self.records.resize(at + COMMAND_STRIDE, 0.0);
        wire::encode_command(&cmd, &mut self.records[at..]);
        let events = self.engine.execute(&cmd);
        if !self.timed {
            return;
        }
        self.flow.events += events.len() as u64;
        for ev in events {
            match ev.kind {
                EventKind::Trade { maker_leaves, .. } => {
                    self.flow.trades += 1;
                    self.flow.maker_fills += u64::from(maker_leaves.0 == 0);
                }
                EventKind::Cancelled { reason: CancelReason::User, .. } => self.flow.user_cancels += 1,
                EventKind::Cancelled { reason: CancelReason::IocRemainder, .. } => self.flow.ioc_remainders += 1,
                EventKind::Rejected { .. } => self.flow.rejects += 1,
                _ => {}
            }
        }
    }

    fn lots(&mut self) -> i64 {
        ROUND_LOT * self.rng.power_law(SIZE_ALPHA, SIZE_CAP) as i64
    }

    fn account(&mut self) -> u32 {
        1 + self.rng.below(ACCOUNTS) as u32
    }

    fn new_order(&mut self, sym: &mut Sym, tif: TimeInForce, price: i64, side: Side) {
        self.next_id += 1;
        let (account, qty) = (self.account(), self.lots());
        let mut order = NewOrder::limit(self.next_id, account, sym.id, side, price, qty);
        order.tif = tif;
        if tif == TimeInForce::Gtc {
            sym.live.push(self.next_id);
        }
        self.push(CommandKind::New(order));
    }

    /// A passive price `d` ticks from the mid, kept off the far touch so that resting flow does not trade.
    fn resting_price(&self, sym: &Sym, side: Side, d: u64) -> i64 {
        let price = sym.passive_price(side, d);
        let symbol = SymbolId(sym.id);
        match side {
            Side::Buy => self.engine.best_ask(symbol).map_or(price, |l| price.min(l.price.0 - 1)).max(1),
            Side::Sell => self.engine.best_bid(symbol).map_or(price, |l| price.max(l.price.0 + 1)),
        }
    }

    fn new_resting(&mut self, sym: &mut Sym) {
        let side = self.rng.side();
        let d = self.rng.power_law(DEPTH_ALPHA, DEPTH_CAP);
        let price = self.resting_price(sym, side, d);
        self.flow.new_rest += u64::from(self.timed);
        self.new_order(sym, TimeInForce::Gtc, price, side);
    }

    /// A marketable-or-nearly IOC: priced from one tick short of the far touch to three ticks through it.
    fn new_ioc(&mut self, sym: &mut Sym) {
        let side = self.rng.side();
        let through = match self.rng.below(20) {
            0..=3 => -1,
            4..=12 => 0,
            13..=16 => 1,
            17..=18 => 2,
            _ => 3,
        };
        let far = self.engine.best(SymbolId(sym.id), side.opposite());
        let touch = far.map_or_else(|| sym.passive_price(side.opposite(), 1), |l| l.price.0);
        let price = touch + if side == Side::Buy { through } else { -through };
        self.flow.ioc += 1;
        self.new_order(sym, TimeInForce::Ioc, price.max(1), side);
    }

    /// A live order of `sym` picked uniformly, dropping stale ids on the way.
    fn pick_live(&mut self, sym: &mut Sym) -> Option<(usize, cift_engine::OrderView)> {
        while !sym.live.is_empty() {
            let at = self.rng.below(sym.live.len() as u64) as usize;
            match self.engine.order(OrderId(sym.live[at])) {
                Some(view) => return Some((at, view)),
                None => {
                    sym.live.swap_remove(at);
                }
            }
        }
        None
    }

    fn cancel(&mut self, sym: &mut Sym) {
        let Some((at, view)) = self.pick_live(sym) else { return self.new_resting(sym) };
        sym.live.swap_remove(at);
        self.flow.cancel += 1;
        self.push(CommandKind::Cancel { order_id: view.id, account: view.account });
    }

    /// 60% reprice to a fresh power-law distance from the current mid, 25% size down, 15% size up.
    fn replace(&mut self, sym: &mut Sym) {
        let Some((_, view)) = self.pick_live(sym) else { return self.new_resting(sym) };
        let roll = self.rng.unit();
        let (new_price, new_qty) = if roll < 0.60 {
            self.flow.replace_price += 1;
            let d = self.rng.power_law(DEPTH_ALPHA, DEPTH_CAP);
            (Some(Price(self.resting_price(sym, view.side, d))), view.leaves)
        } else if roll < 0.85 && view.leaves.0 > ROUND_LOT {
            self.flow.replace_down += 1;
            let lots = view.leaves.0 / ROUND_LOT;
            (None, Qty(ROUND_LOT * (1 + self.rng.below(lots as u64 - 1) as i64)))
        } else {
            self.flow.replace_up += 1;
            (None, Qty(view.leaves.0 + ROUND_LOT * (1 + self.rng.below(3) as i64)))
        };
        self.push(CommandKind::Replace { order_id: view.id, account: view.account, new_price, new_qty });
    }
}

/// Generates one stream: `symbols` instruments (Zipf-popular when many), a setup of `live` resting orders
/// per symbol, then `messages` timed messages.
fn generate(name: &str, symbols: usize, messages: usize, live: usize, seed: u64) -> Stream {
    let mut rng = Rng(seed ^ (symbols as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut syms: Vec<Sym> = (0..symbols)
        .map(|i| {
            // One symbol trades at 100.00 (cent ticks); many spread log-uniformly over 20.00..500.00.
            let mid = if symbols == 1 { 10_000.0 } else { (2_000f64.ln() + rng.unit() * 25f64.ln()).exp().round() };
            Sym { id: i as u32 + 1, mid, sigma: STEP_TICKS / mid, live: Vec::new() }
        })
        .collect();
    // Zipf(1) popularity: symbol k gets weight 1/k.
    let cumulative: Vec<f64> = (1..=symbols)
        .scan(0.0, |acc, k| {
            *acc += 1.0 / k as f64;
            Some(*acc)
        })
        .collect();
    let total = *cumulative.last().expect("at least one symbol");
    let mut g = Generator {
        rng,
        engine: Engine::new(),
        records: Vec::with_capacity((symbols * (live + 1) + messages) * COMMAND_STRIDE),
        seq: 0,
        ts: 0,
        next_id: 0,
        flow: Flow::default(),
        timed: false,
    };
    for s in &syms {
        let spec = InstrumentSpec {
            symbol: SymbolId(s.id),
            tick_size: 1,
            lot_size: 1,
            min_price: Price(1),
            max_price: Price(100_000_000),
            min_qty: Qty(1),
            max_qty: Qty(1_000_000),
        };
        g.push(CommandKind::AddInstrument(spec));
    }
    for _ in 0..live {
        for s in &mut syms {
            g.new_resting(s);
        }
    }
    let setup = g.records.len() / COMMAND_STRIDE;
    g.timed = true;
    for _ in 0..messages {
        let pick = g.rng.unit() * total;
        let at = cumulative.partition_point(|&c| c <= pick).min(symbols - 1);
        let sym = &mut syms[at];
        sym.mid = (sym.mid * (sym.sigma * g.rng.normal() - 0.5 * sym.sigma * sym.sigma).exp()).max(2.0);
        let roll = g.rng.unit();
        if roll < IOC_SHARE {
            g.new_ioc(sym);
        } else if roll < IOC_SHARE + REPLACE_SHARE {
            g.replace(sym);
        } else {
            // Cancel with probability live / (live + target), so each book hovers near the target size.
            let n = sym.live.len() as f64;
            if g.rng.unit() * (n + live as f64) < n {
                g.cancel(sym);
            } else {
                g.new_resting(sym);
            }
        }
    }
    Stream {
        name: name.to_string(),
        symbols,
        live_end: g.engine.live_orders(),
        records: g.records,
        setup,
        flow: g.flow,
    }
}

fn write_stream(records: &[f64], path: &Path) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(records.len() * 8);
    for v in records {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::File::create(path)?.write_all(&bytes)
}

/// Nearest-rank percentiles of `samples` (sorted in place), in the samples' unit.
fn percentiles(samples: &mut [f64]) -> [f64; 3] {
    samples.sort_unstable_by(f64::total_cmp);
    let at = |q: f64| samples[((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1];
    [at(0.50), at(0.99), at(0.999)]
}

fn trades_in(out: &[f64]) -> u64 {
    out.chunks_exact(EVENT_STRIDE).filter(|e| e[0] == f64::from(event_kind::TRADE)).count() as u64
}

/// Result of one measured pass.
struct Pass {
    events: u64,
    trades: u64,
    msgs_per_s: f64,
    lat_ns: [f64; 3],
}

impl Pass {
    fn json(&self) -> String {
        format!(
            r#"{{"events":{},"trades":{},"msgs_per_s":{:.0},"lat_ns":{{"p50":{:.1},"p99":{:.1},"p999":{:.1}}}}}"#,
            self.events, self.trades, self.msgs_per_s, self.lat_ns[0], self.lat_ns[1], self.lat_ns[2]
        )
    }
}

/// An engine that has applied the stream's setup records.
fn after_setup(s: &Stream) -> Engine {
    let mut engine = Engine::new();
    let mut out = Vec::new();
    wire::execute_batch(&mut engine, &s.records[..s.setup * COMMAND_STRIDE], s.setup, &mut out);
    engine
}

/// Runs `pass` `repeat` times and keeps the fastest run (the least disturbed by other work on the machine).
fn best_of(repeat: usize, mut pass: impl FnMut() -> Pass) -> Pass {
    (0..repeat.max(1)).map(|_| pass()).max_by(|a, b| a.msgs_per_s.total_cmp(&b.msgs_per_s)).expect("one run")
}

/// Wire records in batches: throughput from the summed batch times; latency per message amortized per batch.
fn native_batch(s: &Stream, batch: usize) -> Pass {
    let mut engine = after_setup(s);
    let timed = &s.records[s.setup * COMMAND_STRIDE..];
    let mut out = Vec::new();
    let (mut events, mut trades, mut busy) = (0u64, 0u64, Duration::ZERO);
    let mut lat = Vec::with_capacity(timed.len() / (batch * COMMAND_STRIDE) + 1);
    for chunk in timed.chunks(batch * COMMAND_STRIDE) {
        let n = chunk.len() / COMMAND_STRIDE;
        out.clear();
        let t = Instant::now();
        events += wire::execute_batch(&mut engine, chunk, n, &mut out) as u64;
        let dt = t.elapsed();
        busy += dt;
        lat.push(dt.as_nanos() as f64 / n as f64);
        trades += trades_in(&out);
    }
    let msgs = (timed.len() / COMMAND_STRIDE) as f64;
    Pass { events, trades, msgs_per_s: msgs / busy.as_secs_f64(), lat_ns: percentiles(&mut lat) }
}

/// One wire record per call, each timed with `Instant` (the figure includes the timer's own cost).
fn native_per_message(s: &Stream) -> Pass {
    let mut engine = after_setup(s);
    let timed = &s.records[s.setup * COMMAND_STRIDE..];
    let mut out = Vec::new();
    let (mut events, mut trades) = (0u64, 0u64);
    let mut lat = Vec::with_capacity(timed.len() / COMMAND_STRIDE);
    let start = Instant::now();
    for rec in timed.chunks_exact(COMMAND_STRIDE) {
        out.clear();
        let t = Instant::now();
        events += wire::execute_batch(&mut engine, rec, 1, &mut out) as u64;
        lat.push(t.elapsed().as_nanos() as f64);
        trades += trades_in(&out);
    }
    let msgs = lat.len() as f64;
    Pass { events, trades, msgs_per_s: msgs / start.elapsed().as_secs_f64(), lat_ns: percentiles(&mut lat) }
}

/// The engine alone on pre-decoded commands (no wire decode or event encode): throughput untimed per
/// message (best of `repeat`), latency from another pass timing each `execute`.
fn native_core(s: &Stream, repeat: usize) -> Pass {
    let timed = &s.records[s.setup * COMMAND_STRIDE..];
    let cmds: Vec<Command> = timed
        .chunks_exact(COMMAND_STRIDE)
        .map(|r| wire::decode_command(r).expect("generated records decode"))
        .collect();
    let (mut events, mut msgs_per_s) = (0u64, 0f64);
    for _ in 0..repeat.max(1) {
        let mut engine = after_setup(s);
        events = 0;
        let start = Instant::now();
        for cmd in &cmds {
            events += engine.execute(cmd).len() as u64;
        }
        msgs_per_s = msgs_per_s.max(cmds.len() as f64 / start.elapsed().as_secs_f64());
    }
    let mut engine = after_setup(s);
    let mut trades = 0u64;
    let mut lat = Vec::with_capacity(cmds.len());
    for cmd in &cmds {
        let t = Instant::now();
        let evs = engine.execute(cmd);
        lat.push(t.elapsed().as_nanos() as f64);
        trades += evs.iter().filter(|e| matches!(e.kind, EventKind::Trade { .. })).count() as u64;
    }
    Pass { events, trades, msgs_per_s, lat_ns: percentiles(&mut lat) }
}

/// Cost of one `Instant::now()` pair, the floor under every per-message figure.
fn timer_overhead() -> [f64; 3] {
    let mut d: Vec<f64> = (0..1_000_000)
        .map(|_| {
            let a = Instant::now();
            let b = Instant::now();
            (b - a).as_nanos() as f64
        })
        .collect();
    percentiles(&mut d)
}

struct Args {
    out: PathBuf,
    messages: usize,
    seed: u64,
    batch: usize,
    live: usize,
    repeat: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args =
        Args { out: PathBuf::from("bench/work"), messages: 1_000_000, seed: 42, batch: 1024, live: 1000, repeat: 3 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = || value.parse::<u64>().map_err(|e| format!("{flag} {value}: {e}"));
        match flag.as_str() {
            "--out" => args.out = PathBuf::from(&value),
            "--messages" => args.messages = num()? as usize,
            "--seed" => args.seed = num()?,
            "--batch" => args.batch = num()?.max(1) as usize,
            "--live" => args.live = num()? as usize,
            "--repeat" => args.repeat = num()? as usize,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(args)
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("bench_engine: {e}");
        std::process::exit(2);
    });
    std::fs::create_dir_all(&args.out).expect("create the output directory");
    let out_dir = std::fs::canonicalize(&args.out).expect("resolve the output directory");
    let timer = timer_overhead();
    let mut workloads = Vec::new();
    for (name, symbols) in [("1sym", 1), ("100sym", 100)] {
        let s = generate(name, symbols, args.messages, args.live, args.seed);
        let path = out_dir.join(format!("engine-{name}.f64"));
        write_stream(&s.records, &path).expect("write the stream");
        // Warm-up: the whole stream once on a throwaway engine (caches, branch predictors, allocator).
        let mut warm = Engine::new();
        let mut out = Vec::new();
        for chunk in s.records.chunks(args.batch * COMMAND_STRIDE) {
            out.clear();
            wire::execute_batch(&mut warm, chunk, chunk.len() / COMMAND_STRIDE, &mut out);
        }
        let batch = best_of(args.repeat, || native_batch(&s, args.batch));
        let per_message = native_per_message(&s);
        let core = native_core(&s, args.repeat);
        let f = &s.flow;
        let timed = args.messages as f64;
        let replaces = f.replace_price + f.replace_down + f.replace_up;
        let mut w = String::new();
        write!(
            w,
            r#"{{"name":"{}","symbols":{},"file":"{}","records":{},"setup":{},"timed":{},"#,
            s.name,
            s.symbols,
            path.display(),
            s.records.len() / COMMAND_STRIDE,
            s.setup,
            args.messages
        )
        .unwrap();
        write!(
            w,
            r#""mix":{{"new_resting":{},"ioc":{},"cancel":{},"replace":{},"replace_price":{},"replace_down":{},"#,
            f.new_rest, f.ioc, f.cancel, replaces, f.replace_price, f.replace_down
        )
        .unwrap();
        write!(
            w,
            r#""replace_up":{},"ioc_share":{:.4},"replace_share":{:.4},"cancel_share":{:.4}}},"#,
            f.replace_up,
            f.ioc as f64 / timed,
            replaces as f64 / timed,
            f.cancel as f64 / timed
        )
        .unwrap();
        write!(
            w,
            r#""flow":{{"events":{},"trades":{},"user_cancels":{},"maker_full_fills":{},"ioc_remainders":{},"#,
            f.events, f.trades, f.user_cancels, f.maker_fills, f.ioc_remainders
        )
        .unwrap();
        write!(
            w,
            r#""rejects":{},"resting_exits_cancelled":{:.4},"live_orders_end":{}}},"#,
            f.rejects,
            f.user_cancels as f64 / (f.user_cancels + f.maker_fills).max(1) as f64,
            s.live_end
        )
        .unwrap();
        write!(
            w,
            r#""native":{{"batch":{},"per_message":{},"core":{}}}}}"#,
            batch.json(),
            per_message.json(),
            core.json()
        )
        .unwrap();
        workloads.push(w);
    }
    println!(
        r#"{{"seed":{},"messages":{},"batch":{},"live_target":{},"repeat":{},"timer":"std::time::Instant","timer_overhead_ns":{{"p50":{:.1},"p99":{:.1},"p999":{:.1}}},"workloads":[{}]}}"#,
        args.seed,
        args.messages,
        args.batch,
        args.live,
        args.repeat,
        timer[0],
        timer[1],
        timer[2],
        workloads.join(",")
    );
}
