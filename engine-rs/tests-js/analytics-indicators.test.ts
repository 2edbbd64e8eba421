// Indicators of the WASM build against TA-Lib (talib-web, TA-Lib's C compiled to WASM) on real data: SPY daily bars
// 1998–2021 and five days of SPY minute bars (engine-rs/testdata), and the S&P 500 daily bars of vega-datasets.
// Also: the SIMD and scalar paths give the same bits, the streaming classes give the batch's bits, warm-up is NaN up
// to TA-Lib's outBegIdx, and bad input throws an Error naming the argument while leaving the outputs untouched.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import * as talib from 'talib-web';
import {
  atr, AtrStream, bollinger, BollingerStream, ema, EmaStream, F64Buffer, initSync, macd, MacdStream, rollingStd,
  RollingStdStream, rsi, RsiStream, sma, SmaStream, stoch, StochStream, wasmMemory, wma, WmaStream, zscore,
  ZScoreStream,
} from 'cift-engine';
import { zipText } from './testdata.ts';
import { root, wasmBytes } from './vectors.ts';

initSync({ module: wasmBytes });
const require = createRequire(import.meta.url);

interface Bars {
  name: string;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

function bars(name: string, rows: number[][], scale: number): Bars {
  const pick = (c: number) => Float64Array.from(rows, (r) => r[c] / scale);
  return { name, high: pick(1), low: pick(2), close: pick(3) };
}

const csvRows = (text: string) => text.trim().split('\n').map((l) => l.split(','));

/** Daily SPY, deci-cents → dollars: `yyyymmdd 00:00, open, high, low, close, volume`. */
const spyDaily = bars(
  'SPY daily 1998-2021',
  csvRows(await zipText('spy-2013-10/daily_spy.zip')).map((r) => [+r[1], +r[2], +r[3], +r[4]]),
  10_000,
);
/** Five days of SPY minute trade bars, concatenated. */
const spyMinute = bars(
  'SPY minute bars 2013-10-07..11',
  (await Promise.all(['07', '08', '09', '10', '11'].map((d) => zipText(`spy-2013-10/minute_201310${d}_trade.zip`)))).flatMap((text) =>
    csvRows(text).map((r) => [+r[1], +r[2], +r[3], +r[4]]),
  ),
  10_000,
);
/** vega-datasets S&P 500 daily: `date,open,high,low,close,adjclose,volume`. */
const sp500 = bars(
  'S&P 500 daily 2000-2020 (vega-datasets)',
  csvRows(readFileSync(join(root, 'node_modules/vega-datasets/data/sp500-2000.csv'), 'utf8'))
    .slice(1)
    .map((r) => [+r[1], +r[2], +r[3], +r[4]]),
  1,
);
const datasets = [spyDaily, spyMinute, sp500];

// talib-web's init() fetches its .wasm by path, which Node's fetch refuses: serve the bytes for that one name.
{
  const wasmPath = require.resolve('talib-web/lib/talib.wasm');
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) =>
    String(url) === 'talib.wasm'
      ? new Response(readFileSync(wasmPath), { headers: { 'content-type': 'application/wasm' } })
      : realFetch(url, init);
  await talib.init('talib.wasm');
  globalThis.fetch = realFetch;
}

/**
 * A TA-Lib output placed at its index: talib-web returns arrays of the input's length that start at outBegIdx and
 * hold leftover memory after outNBElement values, so only `len - lookback` of them are kept.
 */
function placed(values: number[], lookback: number, len: number): Float64Array {
  const out = new Float64Array(len).fill(NaN);
  for (let i = lookback; i < len; i++) out[i] = values[i - lookback];
  return out;
}

/** TA-Lib's TA_IS_ZERO_OR_NEG rule for σ, applied to a variance. */
const sigmaOf = (variance: number) => (variance < 0.00000001 ? 0 : Math.sqrt(variance));

// --- WASM helpers -----------------------------------------------------------------------------------------------

const view = (b: F64Buffer) => new Float64Array(wasmMemory().buffer, b.ptr(), b.len());

function column(values: Float64Array): F64Buffer {
  const b = new F64Buffer(values.length);
  view(b).set(values);
  return b;
}

/** Runs a batch indicator on fresh output buffers; returns copies of the outputs. */
function runBatch(outputs: number, len: number, call: (outs: F64Buffer[]) => void): Float64Array[] {
  const outs = Array.from({ length: outputs }, () => new F64Buffer(len));
  try {
    call(outs);
    return outs.map((o) => view(o).slice());
  } finally {
    for (const o of outs) o.free();
  }
}

/** Largest relative difference; NaN must meet NaN exactly (that is the warm-up). */
function maxRelDiff(label: string, ours: Float64Array, ref: Float64Array): number {
  assert.equal(ours.length, ref.length, `${label}: length`);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const [a, b] = [ours[i], ref[i]];
    if (Number.isNaN(b) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(b), `${label}[${i}]: ours ${a}, TA-Lib ${b}`);
      continue;
    }
    const scale = Math.max(Math.abs(a), Math.abs(b));
    const rel = scale === 0 ? 0 : Math.abs(a - b) / scale;
    if (rel > worst) worst = rel;
  }
  return worst;
}

function assertSameBits(label: string, a: Float64Array, b: Float64Array) {
  assert.equal(a.length, b.length, `${label}: length`);
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${label}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

const TOLERANCE = 1e-9;

interface Case {
  name: string;
  outputs: number;
  /** Runs the batch form over the bar columns. */
  batch: (c: { high: F64Buffer; low: F64Buffer; close: F64Buffer }, outs: F64Buffer[], simd: boolean) => void;
  /** Runs the streaming form; one array per output. */
  stream: (d: Bars) => Float64Array[];
  /** TA-Lib's outputs placed at their indices. */
  reference: (d: Bars) => Float64Array[];
}

function streamed(len: number, outputs: number, step: (i: number) => number[]): Float64Array[] {
  const outs = Array.from({ length: outputs }, () => new Float64Array(len));
  for (let i = 0; i < len; i++) {
    const v = step(i);
    for (let k = 0; k < outputs; k++) outs[k][i] = v[k];
  }
  return outs;
}

const cases: Case[] = [];
const arr = (a: Float64Array) => Array.from(a);

for (const n of [2, 14, 20, 50, 200]) {
  cases.push({
    name: `SMA(${n})`,
    outputs: 1,
    batch: (c, [o], simd) => sma(c.close, n, o, simd),
    stream: (d) => {
      const s = new SmaStream(n);
      return streamed(d.close.length, 1, (i) => [s.update(d.close[i])]);
    },
    reference: (d) => [placed(talib.SMA({ inReal: arr(d.close), timePeriod: n }).output, n - 1, d.close.length)],
  });
  cases.push({
    name: `EMA(${n})`,
    outputs: 1,
    batch: (c, [o], simd) => ema(c.close, n, o, simd),
    stream: (d) => {
      const s = new EmaStream(n);
      return streamed(d.close.length, 1, (i) => [s.update(d.close[i])]);
    },
    reference: (d) => [placed(talib.EMA({ inReal: arr(d.close), timePeriod: n }).output, n - 1, d.close.length)],
  });
  cases.push({
    name: `WMA(${n})`,
    outputs: 1,
    batch: (c, [o], simd) => wma(c.close, n, o, simd),
    stream: (d) => {
      const s = new WmaStream(n);
      return streamed(d.close.length, 1, (i) => [s.update(d.close[i])]);
    },
    reference: (d) => [placed(talib.WMA({ inReal: arr(d.close), timePeriod: n }).output, n - 1, d.close.length)],
  });
  cases.push({
    name: `RSI(${n})`,
    outputs: 1,
    batch: (c, [o], simd) => rsi(c.close, n, o, simd),
    stream: (d) => {
      const s = new RsiStream(n);
      return streamed(d.close.length, 1, (i) => [s.update(d.close[i])]);
    },
    reference: (d) => [placed(talib.RSI({ inReal: arr(d.close), timePeriod: n }).output, n, d.close.length)],
  });
  cases.push({
    name: `ATR(${n})`,
    outputs: 1,
    batch: (c, [o], simd) => atr(c.high, c.low, c.close, n, o, simd),
    stream: (d) => {
      const s = new AtrStream(n);
      return streamed(d.close.length, 1, (i) => [s.update(d.high[i], d.low[i], d.close[i])]);
    },
    reference: (d) => [
      placed(talib.ATR({ high: arr(d.high), low: arr(d.low), close: arr(d.close), timePeriod: n }).output, n, d.close.length),
    ],
  });
  // talib-web's STDDEV and BBANDS return the variance instead of σ after the first outBegIdx values (it hands TA-Lib
  // one int for both outBegIdx and outNBElement, so the final σ loops stop early). Their reference is built from
  // talib-web's VAR — the same running sums TA-Lib's STDDEV and BBANDS use — and SMA, with TA-Lib's σ rule.
  const variance = (d: Bars) => placed(talib.VAR({ inReal: arr(d.close), timePeriod: n, nbDev: 1 }).output, n - 1, d.close.length);
  const mean = (d: Bars) => placed(talib.SMA({ inReal: arr(d.close), timePeriod: n }).output, n - 1, d.close.length);
  cases.push({
    name: `rolling σ(${n})`,
    outputs: 1,
    batch: (c, [o], simd) => rollingStd(c.close, n, o, simd),
    stream: (d) => {
      const s = new RollingStdStream(n);
      return streamed(d.close.length, 1, (i) => [s.update(d.close[i])]);
    },
    reference: (d) => [variance(d).map(sigmaOf)],
  });
  cases.push({
    name: `z-score(${n})`,
    outputs: 1,
    batch: (c, [o], simd) => zscore(c.close, n, o, simd),
    stream: (d) => {
      const s = new ZScoreStream(n);
      return streamed(d.close.length, 1, (i) => [s.update(d.close[i])]);
    },
    reference: (d) => {
      const [v, m] = [variance(d), mean(d)];
      return [v.map((x, i) => (Number.isNaN(x) ? NaN : sigmaOf(x) === 0 ? 0 : (d.close[i] - m[i]) / sigmaOf(x)))];
    },
  });
  cases.push({
    name: `Bollinger(${n}, 2, 1.5)`,
    outputs: 3,
    batch: (c, [u, m, l], simd) => bollinger(c.close, n, 2, 1.5, u, m, l, simd),
    stream: (d) => {
      const s = new BollingerStream(n, 2, 1.5);
      return streamed(d.close.length, 3, (i) => {
        const mid = s.update(d.close[i]);
        return [s.upper, mid, s.lower];
      });
    },
    reference: (d) => {
      const [v, m] = [variance(d), mean(d)];
      const bb = talib.BBANDS({ inReal: arr(d.close), timePeriod: n, nbDevUp: 2, nbDevDn: 1.5 });
      const middle = placed(bb.middleBand, n - 1, d.close.length);
      assertSameBits('talib BBANDS middle vs SMA', middle, m);
      return [m.map((x, i) => x + sigmaOf(v[i]) * 2), middle, m.map((x, i) => x - sigmaOf(v[i]) * 1.5)];
    },
  });
}

for (const [fast, slow, signal] of [[12, 26, 9], [5, 35, 5], [3, 10, 16]]) {
  const lookback = slow + signal - 2;
  cases.push({
    name: `MACD(${fast}, ${slow}, ${signal})`,
    outputs: 3,
    batch: (c, [a, b, h], simd) => macd(c.close, fast, slow, signal, a, b, h, simd),
    stream: (d) => {
      const s = new MacdStream(fast, slow, signal);
      return streamed(d.close.length, 3, (i) => [s.update(d.close[i]), s.signal, s.hist]);
    },
    reference: (d) => {
      const r = talib.MACD({ inReal: arr(d.close), fastPeriod: fast, slowPeriod: slow, signalPeriod: signal });
      const [line, sig] = [placed(r.MACD, lookback, d.close.length), placed(r.MACDSignal, lookback, d.close.length)];
      // talib-web's MACDHist has the same early stop as STDDEV; TA-Lib's histogram is line − signal.
      return [line, sig, line.map((x, i) => x - sig[i])];
    },
  });
}

for (const [fk, sk, sd] of [[5, 3, 3], [14, 3, 3], [14, 1, 5], [21, 7, 1]]) {
  const lookback = fk + sk + sd - 3;
  cases.push({
    name: `STOCH(${fk}, ${sk}, ${sd})`,
    outputs: 2,
    batch: (c, [k, dd], simd) => stoch(c.high, c.low, c.close, fk, sk, sd, k, dd, simd),
    stream: (d) => {
      const s = new StochStream(fk, sk, sd);
      return streamed(d.close.length, 2, (i) => [s.update(d.high[i], d.low[i], d.close[i]), s.d]);
    },
    reference: (d) => {
      // talib-web's STOCH copies only outBegIdx slow-%K values (same early stop), so %K and %D are rebuilt from
      // TA-Lib's MAX, MIN and SMA with STOCH's own formula: (close − lowest) / ((highest − lowest) / 100).
      const len = d.close.length;
      const hh = placed(talib.MAX({ inReal: arr(d.high), timePeriod: fk }).output, fk - 1, len);
      const ll = placed(talib.MIN({ inReal: arr(d.low), timePeriod: fk }).output, fk - 1, len);
      const fastK = Array.from({ length: len - fk + 1 }, (_, j) => {
        const i = j + fk - 1;
        const diff = (hh[i] - ll[i]) / 100.0;
        return diff !== 0 ? (d.close[i] - ll[i]) / diff : 0;
      });
      const smaOf = (xs: number[], p: number) => (p === 1 ? xs : talib.SMA({ inReal: xs, timePeriod: p }).output.slice(0, xs.length - p + 1));
      const slowK = smaOf(fastK, sk);
      const slowD = smaOf(slowK, sd);
      return [placed(slowK.slice(sd - 1), lookback, len), placed(slowD, lookback, len)];
    },
  });
}

test('indicators match TA-Lib on real data; SIMD == scalar and streaming == batch, bit for bit', () => {
  const report: string[] = [];
  for (const d of datasets) {
    const cols = { high: column(d.high), low: column(d.low), close: column(d.close) };
    try {
      for (const c of cases) {
        const label = `${c.name} on ${d.name}`;
        const simd = runBatch(c.outputs, d.close.length, (outs) => c.batch(cols, outs, true));
        const scalar = runBatch(c.outputs, d.close.length, (outs) => c.batch(cols, outs, false));
        const stream = c.stream(d);
        const ref = c.reference(d);
        let worst = 0;
        for (let k = 0; k < c.outputs; k++) {
          assertSameBits(`${label} output ${k}: SIMD vs scalar`, simd[k], scalar[k]);
          assertSameBits(`${label} output ${k}: stream vs batch`, stream[k], simd[k]);
          worst = Math.max(worst, maxRelDiff(`${label} output ${k}`, simd[k], ref[k]));
        }
        assert.ok(worst <= TOLERANCE, `${label}: max relative difference to TA-Lib ${worst} > ${TOLERANCE}`);
        report.push(`${label}: ${worst.toExponential(2)}`);
      }
    } finally {
      for (const b of Object.values(cols)) b.free();
    }
  }
  if (process.env.CIFT_VERBOSE) console.log(report.join('\n'));
});

test('bad input throws an Error naming the argument and leaves the outputs untouched', () => {
  const x = column(Float64Array.from({ length: 50 }, (_, i) => 100 + Math.sin(i)));
  const out = new F64Buffer(50);
  const short = new F64Buffer(49);
  const [u, m, l] = [new F64Buffer(50), new F64Buffer(50), new F64Buffer(50)];
  try {
    view(out).fill(7);
    const untouched = () => assert.ok(view(out).every((v) => v === 7), 'output changed');
    assert.throws(() => sma(x, 0, out), /window: window 0 must be from 1 to the series length 50/);
    assert.throws(() => ema(x, 51, out), /window: window 51 must be from 1 to the series length 50/);
    assert.throws(() => rsi(x, 2.5, out), /window must be a whole number/);
    assert.throws(() => wma(x, -1, out), /window must be a whole number/);
    assert.throws(() => zscore(x, 5, short), /out: length 49 does not match the series length 50/);
    assert.throws(() => atr(x, short, x, 5, out), /high: length 50|low: length 49/);
    assert.throws(() => macd(x, 26, 12, 9, out, u, l), /fast: must be shorter than slow/);
    assert.throws(() => bollinger(x, 20, NaN, 2, u, m, l), /k_up: must be a finite number/);
    assert.throws(() => stoch(x, x, x, 0, 3, 3, u, l), /fast_k: must be at least 1/);
    untouched();
    view(x)[17] = NaN;
    for (const simd of [true, false]) {
      assert.throws(() => sma(x, 5, out, simd), /x\[17\]: value is NaN or infinite/);
      assert.throws(() => rollingStd(x, 5, out, simd), /x\[17\]: value is NaN or infinite/);
    }
    view(x)[17] = Infinity;
    assert.throws(() => atr(x, x, x, 5, out), /high\[17\]: value is NaN or infinite/);
    untouched();
    const s = new RsiStream(3);
    s.update(1);
    assert.throws(() => s.update(NaN), /x\[1\]: value is NaN or infinite/);
    assert.throws(() => new SmaStream(0), /window: must be at least 1/);
    assert.throws(() => new MacdStream(5, 5, 3), /fast: must be shorter than slow/);
  } finally {
    for (const b of [x, out, short, u, m, l]) b.free();
  }
});
