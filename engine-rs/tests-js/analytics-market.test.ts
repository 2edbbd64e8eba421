// Market-data analytics through the WASM build: SPY minute bars rebuilt from the day's ticks against the published
// bars (same selection and residual as engine-rs/tests/analytics_market.rs), hand-computed cases, streaming == batch,
// the SIMD path (real v128 here) == the scalar path, BTCUSDT quotes, and errors thrown across the boundary. The
// bindings read and write F64Buffer columns in WASM memory; the adapters below copy test arrays in and results out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import * as engine from 'cift-engine';
import { BarBuilder, F64Buffer, initSync, OrderFlowImbalanceStream, RollingVwapStream, wasmMemory } from 'cift-engine';
import { testdata, zipText } from './testdata.ts';
import { wasmBytes } from './vectors.ts';

initSync({ module: wasmBytes });

const MIN = 60_000;
const BAR_COLUMNS = 8;

const view = (b: F64Buffer) => new Float64Array(wasmMemory().buffer, b.ptr(), b.len());

/** A WASM column holding `values`. */
function column(values: ArrayLike<number>): F64Buffer {
  const b = new F64Buffer(values.length);
  view(b).set(values);
  return b;
}

/** Runs `call` on columns holding `inputs` (freed afterwards); `call` returns the output buffer, read and freed. */
function onColumns(inputs: ArrayLike<number>[], call: (cols: F64Buffer[]) => F64Buffer): Float64Array {
  const cols = inputs.map(column);
  try {
    const out = call(cols);
    const values = view(out).slice();
    out.free();
    return values;
  } finally {
    for (const c of cols) c.free();
  }
}

/** `onColumns` for a function writing one output of `len` values. */
const into = (inputs: ArrayLike<number>[], len: number, call: (cols: F64Buffer[], out: F64Buffer) => void) =>
  onColumns(inputs, (cols) => {
    const out = new F64Buffer(len);
    try {
      call(cols, out);
    } catch (e) {
      out.free();
      throw e;
    }
    return out;
  });

type Col = ArrayLike<number>;
const vwap = (p: Col, v: Col, simd?: boolean) => into([p, v], p.length, ([a, b], o) => engine.vwap(a, b, o, simd));
const rollingVwap = (p: Col, v: Col, w: number, simd?: boolean) =>
  into([p, v], p.length, ([a, b], o) => engine.rollingVwap(a, b, w, o, simd));
const spread = (b: Col, a: Col, simd?: boolean) => into([b, a], b.length, ([x, y], o) => engine.spread(x, y, o, simd));
const mid = (b: Col, a: Col, simd?: boolean) => into([b, a], b.length, ([x, y], o) => engine.mid(x, y, o, simd));
const microprice = (b: Col, a: Col, bs: Col, as: Col, simd?: boolean) =>
  into([b, a, bs, as], b.length, ([w, x, y, z], o) => engine.microprice(w, x, y, z, o, simd));
const simpleReturns = (p: Col, simd?: boolean) => into([p], p.length, ([x], o) => engine.simpleReturns(x, o, simd));
const orderFlowImbalance = (b: Col, bs: Col, a: Col, as: Col) =>
  into([b, bs, a, as], b.length, ([w, x, y, z], o) => engine.orderFlowImbalance(w, x, y, z, o));
type BarsFn = (ts: F64Buffer, price: F64Buffer, size: F64Buffer, param: number) => F64Buffer;
const bars = (f: BarsFn) => (ts: Col, price: Col, size: Col, param: number) =>
  onColumns([ts, price, size], ([t, p, v]) => f(t, p, v, param));
const timeBars = bars(engine.timeBars);
const tickBars = bars(engine.tickBars);
const volumeBars = bars(engine.volumeBars);

/** Bars from the columns layout: column c of bar i at c * n + i. */
function barColumns(flat: Float64Array): Float64Array[] {
  const n = flat.length / BAR_COLUMNS;
  assert.ok(Number.isInteger(n));
  return Array.from({ length: BAR_COLUMNS }, (_, c) => flat.subarray(c * n, (c + 1) * n));
}

/** Same values bit for bit (NaN matches NaN). */
function assertSame(what: string, a: Float64Array | number[], b: Float64Array | number[]): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} !== ${b[i]}`);
}

/** A deterministic random series (xorshift), so failures reproduce. */
function randomTrades(n: number, seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const size = new Float64Array(n);
  let t = 1_700_000_000_000;
  let p = 100;
  for (let i = 0; i < n; i++) {
    t += Math.floor(next() * 120_000);
    p = Math.max(1, p + (next() - 0.5) * 0.1);
    ts[i] = t;
    price[i] = p;
    size[i] = next() < 0.1 ? 0 : Math.floor(next() * 500) * 0.5;
  }
  return { ts, price, size };
}

// AlgoSeek sale-condition bits (the tick files' condition column, in hex); see analytics_market.rs.
const ISO = 1 << 5;
const OPENING_PRINTS = 1 << 6;
const CLOSING_PRINTS = 1 << 7;
const EXTENDED_HOURS = 1 << 13;
const STOCK_OPTION = 1 << 18;
const AVERAGE_PRICE = 1 << 20;
const OFFICIAL_CLOSE = 1 << 24;
const OFFICIAL_OPEN = 1 << 26;
const OPEN_MS = 9.5 * 3_600_000;
const CLOSE_MS = 16 * 3_600_000;

test('SPY 2013-10-07: 1-minute bars from the ticks match the published bars but for the two auction prints', async () => {
  const ticks = (await zipText('spy-2013-10/tick_20131007_trade.zip')).trim().split('\n');
  const published = (await zipText('spy-2013-10/minute_20131007_trade.zip'))
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number));
  const pick = () => ({ ts: [] as number[], price: [] as number[], size: [] as number[] });
  const forPrice = pick();
  const forVolume = pick();
  for (const line of ticks) {
    const [t, p, s, , cond, suspicious] = line.split(',');
    if (suspicious === '1') continue;
    const time = Number(t);
    const c = parseInt(cond, 16);
    const inSession = time >= OPEN_MS && time < CLOSE_MS;
    if (!inSession || (c & (ISO | EXTENDED_HOURS | STOCK_OPTION | AVERAGE_PRICE)) === 0) {
      forPrice.ts.push(time);
      forPrice.price.push(Number(p));
      forPrice.size.push(Number(s));
    }
    if ((c & (OPENING_PRINTS | CLOSING_PRINTS | OFFICIAL_OPEN | OFFICIAL_CLOSE)) === 0) {
      forVolume.ts.push(time);
      forVolume.price.push(Number(p));
      forVolume.size.push(Number(s));
    }
  }
  const minuteBars = (sel: ReturnType<typeof pick>) => barColumns(timeBars(sel.ts, sel.price, sel.size, MIN));
  const [start, open, high, low, close] = minuteBars(forPrice);
  const volumeBarsCols = minuteBars(forVolume);
  assert.equal(published.length, 828);
  assertSame('minutes', start, published.map((r) => r[0]));
  assertSame('minutes (volume selection)', volumeBarsCols[0], start);
  const residual: [number, string, number, number][] = [];
  published.forEach((row, i) => {
    const got = [open[i], high[i], low[i], close[i], volumeBarsCols[5][i]];
    ['open', 'high', 'low', 'close', 'volume'].forEach((name, f) => {
      if (got[f] !== row[f + 1]) residual.push([row[0], name, got[f], row[f + 1]]);
    });
  });
  assert.deepEqual(residual, [
    [34_200_000, 'volume', 814_703, 814_703 + 1_750],
    [57_540_000, 'close', 1_674_400, 1_674_200],
    [57_540_000, 'volume', 2_915_492, 2_915_492 + 3_500],
  ]);
});

test('hand-computed VWAP and bars', () => {
  const p = Float64Array.of(10, 12, 11, 13);
  const v = Float64Array.of(100, 300, 0, 100);
  assertSame('vwap', vwap(p, v), [10, 11.5, 11.5, 11.8]);
  assertSame('rolling', rollingVwap(p, v, 2), [NaN, 11.5, 12, 13]);
  // 90-second bars align to multiples of 90 s since the epoch.
  const cols = timeBars(Float64Array.of(1_000, 89_999, 90_000), Float64Array.of(1, 2, 3), Float64Array.of(1, 1, 1), 90_000);
  assertSame('columns', cols, [0, 90_000, 1, 3, 2, 3, 1, 3, 2, 3, 2, 1, 2, 1, 1.5, 3]);
  const ts = Float64Array.of(1, 2, 3, 4, 5);
  const px = Float64Array.of(10, 11, 9, 10, 12);
  const sz = Float64Array.of(5, 5, 20, 1, 4);
  const ticks = barColumns(tickBars(ts, px, sz, 2));
  assertSame('tick bar volumes', ticks[5], [10, 21, 4]);
  const vol = barColumns(volumeBars(ts, px, sz, 10));
  assertSame('volume bar vwaps', vol[7], [10.5, 9, 58 / 5]);
});

test('streaming equals batch: rolling VWAP, OFI and bars', () => {
  const { ts, price, size } = randomTrades(20_001, 7);
  const roll = new RollingVwapStream(50);
  assertSame('rolling', rollingVwap(price, size, 50), Array.from(price, (p, i) => roll.update(p, size[i])));
  const ask = price.map((p, i) => p + 0.01 * (i % 3));
  const ofi = new OrderFlowImbalanceStream();
  assertSame(
    'ofi',
    orderFlowImbalance(price, size, ask, size),
    Array.from(price, (p, i) => ofi.update(p, size[i], ask[i], size[i])),
  );
  for (const [name, make, batch] of [
    ['time 15m', () => BarBuilder.time(15 * MIN), () => timeBars(ts, price, size, 15 * MIN)],
    ['volume 1000', () => BarBuilder.volume(1_000), () => volumeBars(ts, price, size, 1_000)],
  ] as const) {
    const builder = make();
    const done: number[][] = [];
    for (let i = 0; i < ts.length; i++) {
      const bar = builder.update(ts[i], price[i], size[i]);
      if (bar) done.push(Array.from(bar));
    }
    const last = builder.flush();
    if (last) done.push(Array.from(last));
    const cols = barColumns(batch());
    const asColumns = Array.from({ length: BAR_COLUMNS }, (_, c) => done.map((b) => b[c])).flat();
    assertSame(name, cols.flatMap((c) => Array.from(c)), asColumns);
  }
});

test('the SIMD path (v128) equals the scalar path bit for bit', () => {
  for (const n of [1, 3, 4, 5, 1_001, 100_003]) {
    const { price, size } = randomTrades(n, n);
    const ask = price.map((p, i) => p + 0.01 * (i % 4));
    const askSize = size.map((s, i) => (i % 5 === 0 ? 0 : s));
    assertSame(`vwap ${n}`, vwap(price, size), vwap(price, size, false));
    for (const w of [1, 2, 64, n]) {
      if (w <= n) assertSame(`rolling ${n}/${w}`, rollingVwap(price, size, w), rollingVwap(price, size, w, false));
    }
    assertSame(`spread ${n}`, spread(price, ask), spread(price, ask, false));
    assertSame(`mid ${n}`, mid(price, ask), mid(price, ask, false));
    assertSame(`microprice ${n}`, microprice(price, ask, size, askSize), microprice(price, ask, size, askSize, false));
    assertSame(`returns ${n}`, simpleReturns(price), simpleReturns(price, false));
  }
});

test('BTCUSDT bookTicker: microprice within the quote, OFI by hand', () => {
  const lines = gunzipSync(readFileSync(join(testdata, 'btcusdt-l2/binance_spot_btcusdt_20240808.gz')))
    .toString('utf8')
    .split('\n');
  const cols: number[][] = [[], [], [], []];
  for (const line of lines) {
    if (!line.includes('@bookTicker')) continue;
    const d = JSON.parse(line.slice(line.indexOf(' ') + 1)).data;
    ['b', 'B', 'a', 'A'].forEach((k, j) => cols[j].push(Number(d[k])));
  }
  const [b, bs, a, as] = cols.map((c) => Float64Array.from(c));
  assert.equal(b.length, 28_040);
  const micro = microprice(b, a, bs, as);
  for (let i = 0; i < b.length; i++) assert.ok(b[i] <= micro[i] && micro[i] <= a[i], `microprice[${i}]`);
  assert.ok(Math.abs(micro[0] - 61_837.637_100_449_09) < 1e-9);
  const e = orderFlowImbalance(b, bs, a, as);
  assert.ok(Number.isNaN(e[0]));
  assert.ok(Math.abs(e[1] - -0.05822) < 1e-9, `ofi[1] = ${e[1]}`);
});

test('bad input throws an Error naming the argument, across the boundary', () => {
  const one = Float64Array.of(1);
  const two = Float64Array.of(1, 2);
  assert.throws(() => vwap(two, one), /size: length 1 does not match the series length 2/);
  assert.throws(() => vwap(Float64Array.of(NaN), one), /price\[0\]: value is NaN or infinite/);
  assert.throws(() => vwap(one, Float64Array.of(-1)), /size\[0\]: must not be negative/);
  assert.throws(() => rollingVwap(two, two, 3), /window: window 3 must be from 1 to the series length 2/);
  assert.throws(() => rollingVwap(two, two, 1.5), /window must be an integer/);
  assert.throws(() => timeBars(two, two, two, 0), /interval: must be a finite number greater than 0/);
  assert.throws(() => timeBars(Float64Array.of(2, 1), two, two, MIN), /ts\[1\]: timestamp goes back in time/);
  assert.throws(() => BarBuilder.tick(0), /trades/);
  // A mis-sized output is refused and nothing is written into it.
  const [p, v, out] = [column([1, 2]), column([1, 1]), column([7])];
  assert.throws(() => engine.vwap(p, v, out), /out: length 1 does not match the series length 2/);
  assert.throws(() => engine.rollingVwap(p, v, 1, out), /out: length 1/);
  assert.deepEqual(Array.from(view(out)), [7]);
  for (const b of [p, v, out]) b.free();
  const builder = BarBuilder.time(MIN);
  builder.update(5, 1, 1);
  assert.throws(() => builder.update(4, 1, 1), /ts\[1\]: timestamp goes back in time/);
  assert.throws(() => new RollingVwapStream(0), /window/);
});
