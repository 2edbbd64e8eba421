// The backtest across the WASM boundary: the batch loop (one `step` per strategy instant, records read through a
// Float64Array view, commands written into the command buffer), errors thrown with the field they concern, and the
// golden SMA crossover on real daily SPY bars, which must match the native run (engine-rs/tests/backtest.rs) number
// for number: record count and checksum, every metric and every trade.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Backtest,
  backtestConfigDefaults,
  backtestConfigNames,
  backtestMetricNames,
  backtestStride,
  backtestTradeStride,
  initSync,
  wasmMemory,
} from 'cift-engine';
import { zipText } from './testdata.ts';
import { root, wasmBytes } from './vectors.ts';

initSync({ module: wasmBytes });
const STRIDE = backtestStride();
const [BAR, ACCEPTED, REJECTED, FILL, CANCELLED] = [1, 10, 11, 12, 13];
const NEW = 1;
const [BUY, SELL] = [1, 2];
const MARKET = 2;
const GTC = 1;

/** The config with some slots changed by name. */
function config(changes: Record<string, number> = {}): Float64Array {
  const names = backtestConfigNames().split(',');
  const cfg = new Float64Array(backtestConfigDefaults());
  for (const [name, value] of Object.entries(changes)) {
    const slot = names.indexOf(name);
    assert.ok(slot >= 0, `no config slot ${name}`);
    cfg[slot] = value;
  }
  return cfg;
}

async function spyDaily(): Promise<Float64Array[]> {
  const rows = (await zipText('spy-2013-10/daily_spy.zip')).trim().split('\n');
  const cols = Array.from({ length: 6 }, () => new Float64Array(rows.length));
  rows.forEach((line, i) => {
    const f = line.split(',');
    const d = f[0].slice(0, 8);
    cols[0][i] = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
    for (let k = 1; k < 6; k++) cols[k][i] = Number(f[k]);
  });
  return cols;
}

/** Writes command records into the backtest's command buffer and sends them. */
function send(bt: Backtest, commands: number[][]): void {
  if (commands.length === 0) return;
  const view = new Float64Array(wasmMemory().buffer, bt.commandBuffer(commands.length), commands.length * STRIDE);
  view.fill(0);
  commands.forEach((c, i) => view.set(c, i * STRIDE));
  bt.send(commands.length);
}

type OnBatch = (records: Float64Array, now: number) => number[][];

/** The batch loop: returns the number of records seen and their FNV-1a checksum. */
function run(bt: Backtest, onBatch: OnBatch, budget = 1000): { records: number; checksum: number; steps: number } {
  let [records, checksum, steps] = [0, 2166136261, 0];
  for (;;) {
    const n = bt.step(budget);
    steps++;
    if (n < 0) return { records, checksum, steps };
    if (n === 0) continue;
    const view = new Float64Array(wasmMemory().buffer, bt.recordsPtr(), n * STRIDE);
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < bytes.length; i++) checksum = Math.imul(checksum ^ bytes[i], 16777619) >>> 0;
    records += n;
    send(bt, onBatch(view, bt.now()));
  }
}

const FAST = 10;
const SLOW = 30;

/** The golden SMA(10/30) crossover: the same rules as `SmaCrossover` in engine-rs/tests/backtest.rs. */
function smaCrossover(cash: number): OnBatch {
  const closes: number[] = [];
  let [pos, prevAbove, nextId, pending] = [0, undefined as boolean | undefined, 1, false];
  return (recs) => {
    const out: number[][] = [];
    for (let at = 0; at < recs.length; at += STRIDE) {
      const kind = recs[at];
      if (kind === FILL) {
        pos = recs[at + 9];
        cash = recs[at + 10];
        pending = recs[at + 11] !== 0;
      } else if (kind === REJECTED || kind === CANCELLED) {
        pending = false;
      } else if (kind === BAR) {
        const close = recs[at + 6];
        closes.push(close);
        const n = closes.length;
        if (n < SLOW) continue;
        let [fast, slow] = [0, 0];
        for (let i = n - FAST; i < n; i++) fast += closes[i];
        for (let i = n - SLOW; i < n; i++) slow += closes[i];
        const above = fast * SLOW > slow * FAST;
        const crossed = prevAbove !== undefined && prevAbove !== above;
        prevAbove = above;
        if (!crossed || pending) continue;
        let side: number;
        let qty: number;
        if (above && pos === 0) [side, qty] = [BUY, Math.floor((0.95 * (cash + pos * close)) / close)];
        else if (!above && pos > 0) [side, qty] = [SELL, pos];
        else continue;
        if (qty < 1) continue;
        out.push([NEW, nextId++, 1, side, MARKET, GTC, 0, qty, 0, 0, 0]);
        pending = true;
      }
    }
    return out;
  };
}

interface Golden {
  records: number;
  checksum: number;
  equityPoints: number;
  metrics: Record<string, number | string>;
  trades: number[][];
}

test('the SMA crossover on daily SPY gives the native run exactly', async () => {
  const golden = JSON.parse(
    readFileSync(join(root, 'engine-rs/tests/golden/backtest-sma-spy.json'), 'utf8'),
  ) as Golden;
  const bt = new Backtest(config({ cash: 1e9, slippageKind: 2, slippage: 1, subscriptions: 2 }));
  bt.addInstrument(1, 1, 1, 1, 100_000_000, 1, 1e9, 0, 100, 0, 0);
  const [ts, o, h, l, c, v] = await spyDaily();
  assert.equal(ts.length, 5849);
  bt.loadBars(1, ts, o, h, l, c, v);
  const seen = run(bt, smaCrossover(1e9));
  assert.deepEqual({ records: seen.records, checksum: seen.checksum }, { records: golden.records, checksum: golden.checksum });
  assert.ok(seen.steps > 5849, 'one step per strategy instant');
  const names = backtestMetricNames().split(',');
  const metrics = bt.metrics();
  const expected = names.map((n) => {
    const g = golden.metrics[n];
    return typeof g === 'string' ? Number(g) : g;
  });
  assert.deepEqual(Array.from(metrics), expected);
  const curve = bt.equityCurve();
  assert.equal(curve.length / 4, golden.equityPoints);
  assert.equal(curve[curve.length - 3], metrics[names.indexOf('endEquity')], 'the curve ends at the end equity');
  const trades = bt.trades();
  const tstride = backtestTradeStride();
  const rows = Array.from({ length: trades.length / tstride }, (_, i) => Array.from(trades.subarray(i * tstride, (i + 1) * tstride)));
  assert.deepEqual(rows, golden.trades);
  bt.free();
});

test('a market order fills at the next open and the records say so slot by slot', () => {
  const bt = new Backtest(config());
  bt.addInstrument(1, 1, 1, 1, 1e6, 1, 1e6, 200, 1000, 0, 0);
  const col = (...x: number[]) => new Float64Array(x);
  bt.loadBars(1, col(10, 20), col(100, 103), col(105, 106), col(95, 101), col(102, 104), col(1000, 1000));
  const got: number[][] = [];
  let sent = false;
  run(bt, (recs, now) => {
    for (let at = 0; at < recs.length; at += STRIDE) got.push([now, ...recs.subarray(at, at + STRIDE)]);
    if (sent) return [];
    sent = true;
    return [[NEW, 1, 1, BUY, MARKET, GTC, 0, 10, 0, 0, 0]];
  });
  assert.deepEqual(got, [
    [10, BAR, 10, 1, 100, 105, 95, 102, 1000, 0, 0, 0, 0],
    [10, ACCEPTED, 10, 1, 1, BUY, MARKET, 0, 10, 0, GTC, 0, 0],
    // 10 × 103 with a 10 bp taker fee of 1.03 → 1: position 10, cash 998 969, nothing left.
    [20, FILL, 20, 1, 1, BUY, 103, 10, 1, 2, 10, 998_969, 0],
    [20, BAR, 20, 1, 103, 106, 101, 104, 1000, 1, 0, 0, 0],
  ]);
  assert.equal(bt.cash(), 998_969);
  assert.equal(bt.position(1), 10);
  assert.equal(bt.equity(), 998_969 + 10 * 104);
  bt.free();
});

test('bad input throws an Error naming the field, and a malformed command is rejected, not thrown', () => {
  assert.throws(() => new Backtest(config({ volumeCap: 2 })), /volume_cap/);
  assert.throws(() => new Backtest(config({ orderLatencyA: 0.5 })), /orderLatencyA \(slot 7\)/);
  assert.throws(() => new Backtest(new Float64Array(3)), /20 slots/);
  const bt = new Backtest(config());
  assert.throws(() => bt.addInstrument(1, 0, 1, 1, 1e6, 1, 1e6, 0, 0, 0, 0), /tickSize/);
  bt.addInstrument(1, 1, 1, 1, 1e6, 1, 1e6, 0, 0, 0, 0);
  const f = (...x: number[]) => new Float64Array(x);
  assert.throws(() => bt.loadBars(1, f(1, 2), f(10, 10), f(11, 9), f(9, 9), f(10, 10), f(1, 1)), /row 1, field high/);
  assert.throws(() => bt.loadTrades(2, f(1), f(10), f(1), f(0)), /symbol 2.*field symbol/);
  bt.loadBars(1, f(1, 2), f(10, 10), f(11, 11), f(9, 9), f(10, 10), f(1, 1));
  bt.commandBuffer(1);
  assert.throws(() => bt.send(2), /count: 2 command records sent but the buffer holds 1/);
  const kinds: number[][] = [];
  let first = true;
  run(bt, (recs) => {
    for (let at = 0; at < recs.length; at += STRIDE) kinds.push([recs[at], recs[at + 3], recs[at + 4]]);
    if (!first) return [];
    first = false;
    return [[NEW, 5, 1, 7, MARKET, GTC, 0, 1, 0, 0, 0]]; // side 7
  });
  assert.deepEqual(kinds, [[BAR, 10, 11], [REJECTED, 5, 1], [BAR, 10, 11]]);
  assert.deepEqual(Array.from(bt.progress()), [2, 2]);
  bt.free();
});

test('a seeded run with random latencies repeats exactly, and the budget only pauses it', () => {
  const once = (budget: number) => {
    const bt = new Backtest(
      config({ seed: 99, orderLatencyKind: 1, orderLatencyA: 0, orderLatencyB: 25, dataLatencyKind: 2, dataLatencyA: 1, dataLatencyB: 6 }),
    );
    bt.addInstrument(1, 1, 1, 1, 1e6, 1, 1e6, 0, 1000, 0, 0);
    const n = 500;
    const ts = new Float64Array(n).map((_, i) => (i + 1) * 10);
    const close = new Float64Array(n).map((_, i) => 1000 + Math.round(50 * Math.sin(i / 7)));
    bt.loadBars(1, ts, close, close.map((x) => x + 3), close.map((x) => x - 3), close, new Float64Array(n).fill(100));
    let id = 0;
    const seen = run(
      bt,
      (recs, now) => {
        for (let at = 0; at < recs.length; at += STRIDE) assert.ok(recs[at + 1] <= now, 'no record from the future');
        let bar = false;
        for (let at = 0; at < recs.length; at += STRIDE) bar ||= recs[at] === BAR;
        if (!bar) return [];
        id++;
        return [[NEW, id, 1, bt.position(1) > 0 ? SELL : BUY, MARKET, GTC, 0, 1 + (id % 3), 0, 0, 0]];
      },
      budget,
    );
    const out = { records: seen.records, checksum: seen.checksum, metrics: Array.from(bt.metrics()) };
    bt.free();
    return out;
  };
  const a = once(1000);
  assert.deepEqual(once(1000), a);
  assert.deepEqual(once(3), a, 'a small budget changes nothing but the number of calls');
  assert.ok(a.metrics[backtestMetricNames().split(',').indexOf('trades')] > 10);
});
