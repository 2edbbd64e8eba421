// Engine benchmark (not a test): `node bench/engine.mjs [--messages 1000000] [--seed 42] [--batch 1024]
// [--repeat 2] [--rounds 3] [--runtimes node,deno,bun] [--peer yes|no] [--risk yes|no]`.
// Each round runs every runner once, each in its own process; every figure reported is the median over
// the rounds (this machine is shared, so single runs are noisy). Within a round, engine throughput passes
// run `repeat` times and keep the fastest; latency percentiles come from one pass; the peer runs one
// throughput pass.
//
// 1. The Rust example engine-rs/examples/bench_engine.rs generates the seeded workloads (1 symbol,
//    100 symbols), writes them to bench/work/ as f64 command records, and measures native figures.
// 2. Each JS runner (WASM batch / per-call in Node, Deno and Bun; nodejs-order-book in Node) replays the
//    same records in its own process (bench/engine/runner.mjs) and prints JSON.
// 3. Risk (--risk yes): engine-rs/examples/bench_risk.rs runs one order flow natively with every account
//    managed and every pre-trade check configured wide enough to refuse nothing (risk on), with the same
//    accounts post-trade only (risk off: no check runs, the accounting is the same), and unmanaged (no checks,
//    no accounting), writes the three streams, and engine-rs/bench-js/risk.mjs replays them through the WASM
//    batch path in Node: throughput on vs off (the target), on vs unmanaged (the whole risk layer), and the
//    nanoseconds per checked order of the checks and of the checks with the accounting.
// 4. One table, the ratios and the targets are printed; everything goes to bench/results/engine.json.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './engine/common.mjs';
import { formatReport, ratios, riskTargets, targets } from './engine/report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const opts = {
  messages: '1000000', seed: '42', batch: '1024', repeat: '2', rounds: '3', runtimes: 'node,deno,bun', peer: 'yes',
  risk: 'yes',
  ...parseArgs(process.argv.slice(2)),
};
const runner = join(root, 'bench/engine/runner.mjs');
const warnings = [];

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

function warn(msg) {
  warnings.push(msg);
  console.log(`WARNING: ${msg}`);
}

/** Runs a command to completion; returns its stdout (stderr passes through). */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r.stdout;
}

function tryRun(cmd, args) {
  try {
    return run(cmd, args).trim();
  } catch (e) {
    return `unavailable (${e.message})`;
  }
}

const RUNTIMES = {
  node: [process.execPath, ['--max-old-space-size=8192', runner]],
  deno: [join(root, 'node_modules/.bin/deno'), ['run', '--allow-read', '--v8-flags=--max-old-space-size=8192', runner]],
  bun: [join(root, 'node_modules/.bin/bun'), [runner]],
};

/** One runner process on one stream; returns its JSON. */
function runJs(runtime, mode, w) {
  const [cmd, base] = RUNTIMES[runtime];
  log(`  ${runtime} ${mode} ${w.name} ...`);
  const out = run(cmd, [...base, '--mode', mode, '--file', w.file, '--setup', String(w.setup), '--batch', opts.batch,
    '--repeat', opts.repeat]);
  return JSON.parse(out.trim().split('\n').pop());
}

const loadBefore = os.loadavg();
if (loadBefore[0] > 1.5) {
  warn(`load average is ${loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores: ` +
    'other work is competing for the CPU and the figures will be noisy');
}

const runtimes = opts.runtimes.split(',').filter(Boolean);
const rounds = Number(opts.rounds);
const timerOverhead = {};
const runtimeVersions = {};
let nativeOut;
/** Per workload name: per runner key, one result per round. */
const perRound = new Map();
/** Risk on/off results, one per round: native and WASM (Node). */
const riskRounds = { native: [], wasm_node: [] };

/** Risk on versus off: the native example (which writes the two streams), then the WASM replay in Node. */
function runRisk() {
  const dir = join(root, 'bench/work/risk');
  log('  risk on/off/unmanaged: cargo run --release -p cift-engine --example bench_risk, then WASM in Node ...');
  const native = JSON.parse(run('cargo', ['run', '--release', '-q', '-p', 'cift-engine', '--example', 'bench_risk', '--',
    dir, '--json']).trim().split('\n').pop());
  const wasm = JSON.parse(run(process.execPath, [join(root, 'engine-rs/bench-js/risk.mjs'), dir, '--json'])
    .trim().split('\n').pop());
  riskRounds.native.push(native);
  riskRounds.wasm_node.push(wasm);
}

/** The median of each risk figure over the rounds. */
function aggregateRisk(runs) {
  const out = { ...runs[runs.length - 1] };
  for (const k of ['on_ms', 'off_ms', 'unmanaged_ms', 'on_cmds_per_s', 'off_cmds_per_s', 'unmanaged_cmds_per_s',
    'on_over_off', 'on_over_unmanaged', 'ns_per_checked_order', 'ns_per_order_checks_and_accounting']) {
    out[k] = median(runs.map((r) => r[k]));
  }
  out.on_over_off_rounds = runs.map((r) => r.on_over_off);
  out.on_over_unmanaged_rounds = runs.map((r) => r.on_over_unmanaged);
  return out;
}

/** One round: the native example (which also writes the streams), then every JS runner on both streams. */
function runRound(round) {
  log(`round ${round + 1}/${rounds}: cargo run --release -p cift-engine --example bench_engine ` +
    `(generates ${opts.messages} messages per stream, measures native) ...`);
  nativeOut = JSON.parse(run('cargo', ['run', '--release', '-q', '-p', 'cift-engine', '--example', 'bench_engine', '--',
    '--out', join(root, 'bench/work'), '--messages', opts.messages, '--seed', opts.seed, '--batch', opts.batch,
    '--repeat', opts.repeat]));
  timerOverhead['Instant (Rust)'] = nativeOut.timer_overhead_ns;
  for (const w of nativeOut.workloads) {
    // The headline native row: batch throughput (same work as WASM batch), per-message Instant latency.
    const results = {
      native: { ...w.native.batch, lat_ns: w.native.per_message.lat_ns, batch_lat_ns: w.native.batch.lat_ns },
      'native-per-message': w.native.per_message,
      'native-core': w.native.core,
    };
    for (const rt of runtimes) {
      for (const mode of ['wasm-batch', 'wasm-percall']) {
        const r = runJs(rt, mode, w);
        results[`${mode}-${rt}`] = r;
        runtimeVersions[rt] = r.runtime;
        timerOverhead[`performance.now() (${rt})`] = r.timer_overhead_ns;
      }
    }
    if (opts.peer === 'yes') results['peer-node'] = runJs('node', 'peer', w);
    check(w, results, round);
    if (!perRound.has(w.name)) perRound.set(w.name, {});
    const acc = perRound.get(w.name);
    for (const [k, r] of Object.entries(results)) (acc[k] ??= []).push(r);
  }
  if (opts.risk === 'yes') runRisk();
}

/** Sanity: every engine runner must produce exactly native's events (and trades) for the same stream. */
function check(w, results, round) {
  const at = `${w.name} round ${round + 1}`;
  const want = results.native.events;
  if (w.flow.events !== want) warn(`${at}: generator counted ${w.flow.events} events, native ${want}`);
  for (const [k, r] of Object.entries(results)) {
    if (k === 'peer-node') continue;
    if (r.events !== want) warn(`${at}: ${k} produced ${r.events} events, native produced ${want}`);
    if (r.trades !== results.native.trades) warn(`${at}: ${k} produced ${r.trades} trades, native ${results.native.trades}`);
    if (r.latEvents !== undefined && r.latEvents !== want) warn(`${at}: ${k} latency pass produced ${r.latEvents} events`);
  }
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** The median of each figure over the rounds; the per-round throughputs are kept alongside. */
function aggregate(runs) {
  const out = { ...runs[runs.length - 1] };
  out.msgs_per_s = Math.round(median(runs.map((r) => r.msgs_per_s)));
  out.msgs_per_s_rounds = runs.map((r) => Math.round(r.msgs_per_s));
  for (const field of ['lat_ns', 'batch_lat_ns']) {
    if (!out[field]) continue;
    out[field] = {};
    for (const q of Object.keys(runs[0][field])) out[field][q] = Math.round(10 * median(runs.map((r) => r[field][q]))) / 10;
  }
  return out;
}

for (let round = 0; round < rounds; round++) runRound(round);

const workloads = [];
for (const w of nativeOut.workloads) {
  const results = {};
  for (const [k, runs] of Object.entries(perRound.get(w.name))) results[k] = aggregate(runs);
  if (results['peer-node']?.skipped) {
    log(`  nodejs-order-book skipped ${results['peer-node'].skipped} commands it cannot express`);
  }
  workloads.push({ ...w, native: undefined, results, ratios: ratios(results) });
}

const wasmBytes = readFileSync(join(root, 'pkg/cift_engine_bg.wasm'));
const report = {
  date: new Date().toISOString(),
  machine: {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    load_before: loadBefore,
    load_after: os.loadavg(),
  },
  versions: {
    runtimes: runtimeVersions,
    rustc: tryRun('rustc', ['--version']),
    cift_engine_wasm_sha256: createHash('sha256').update(wasmBytes).digest('hex'),
    nodejs_order_book: JSON.parse(readFileSync(join(root, 'node_modules/nodejs-order-book/package.json'), 'utf8')).version,
    git_head: tryRun('git', ['rev-parse', 'HEAD']),
    engine_src_dirty: tryRun('git', ['status', '--porcelain', '--', 'engine-rs/src', 'pkg']) !== '',
  },
  config: {
    messages: nativeOut.messages,
    seed: nativeOut.seed,
    batch: nativeOut.batch,
    repeat: nativeOut.repeat,
    rounds,
    live_target_per_symbol: nativeOut.live_target,
    workload: 'GBM mid (0.25 tick sd per message), resting limits at power-law distance (P(d>=k)=k^-0.6, cap 2000 ' +
      'ticks), ~15% IOC (from 1 tick short of to 3 ticks through the far touch), ~20% replaces (60% reprice, ' +
      '25% size down, 15% size up), cancels keeping each book near the live target; Zipf(1) symbol popularity',
    peer_mapping: 'one OrderBook per symbol; new GTC/IOC limit -> limit({id,side,size,price,timeInForce,postOnly}); ' +
      'cancel -> cancel(id); replace -> modify(id,{price?,size}); string ids precomputed untimed; done/partial ' +
      'and cancel results copied into a preallocated array',
  },
  timer_overhead_ns: timerOverhead,
  workloads,
  risk: opts.risk === 'yes'
    ? {
      workload: 'bench_risk.rs: 64 accounts, 2 symbols, 600k commands (70% GTC limits around a mid, 15% cancels, ' +
        '10% replaces, 5% market orders); risk on = every account managed with deposits, account and instrument ' +
        'limits, rate limit, collar, fees and reference prices, all wide enough that nothing more is refused; ' +
        'risk off = the same account commands with the post-trade-only switch on (no pre-trade check runs; cash, ' +
        'positions, reservations and fills kept alike); unmanaged = no account commands (no checks, no accounting)',
      native: aggregateRisk(riskRounds.native),
      wasm_node: aggregateRisk(riskRounds.wasm_node),
    }
    : undefined,
  warnings,
};
report.targets = [...targets(workloads), ...riskTargets(report.risk)];

console.log(formatReport(report));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/engine.json'), JSON.stringify(report, null, 2) + '\n');
console.log('\nwrote bench/results/engine.json');
