// The benchmark's cases: one per indicator, each with the implementations it can be run on. A case maps an
// implementation name to `prepare(data) => run`, where `run()` computes the whole series and returns its last
// value (kept so no engine can skip the work); preparation (copying the series into WASM memory or into a JS
// array) is not timed, the call and any copying the library does inside it are. Implementations a case lacks print
// as "—": no peer builds bars, only indicatorts has a rolling VWAP, talib-web has no VWAP. Bars have one WASM path
// (a recurrence over trades, no SIMD form), reported in the wasm-simd column.
import * as indicatorts from 'indicatorts';
import * as talib from 'talib-web';
import { BollingerBands, EMA, RSI, SMA, VWAP } from 'trading-signals';
import { bollinger, ema, rollingVwap, rsi, sma, timeBars, volumeBars, vwap, wasmMemory } from 'cift-engine';

/** Implementations in table order. `native` figures come from engine-rs/examples/bench_analytics.rs. */
export const IMPLS = ['wasm-simd', 'wasm-scalar', 'native', 'indicatorts', 'trading-signals', 'talib-web'];

/** talib-web's heap does not grow (one SMA call aborts between 700k and 800k points; BBANDS, with three outputs, at 600k), so series go in chunks of 250k. */
const TALIB_CHUNK = 250_000;

/**
 * Runs a talib-web function over `x` in chunks that overlap by the lookback, writing each chunk's output into one
 * Float64Array. Recurrences (EMA, RSI) restart their seed at every chunk: a few values differ from one long call,
 * the work is the same.
 * @param {number[]} x
 * @param {number} lookback
 * @param {(chunk: number[]) => number[]} call
 */
function talibChunked(x, lookback, call) {
  const out = new Float64Array(x.length).fill(NaN);
  for (let start = 0; start < x.length; start += TALIB_CHUNK) {
    const from = Math.max(0, start - lookback);
    const end = Math.min(x.length, start + TALIB_CHUNK);
    const values = call(x.slice(from, end));
    const first = Math.max(start, from + lookback);
    for (let i = first; i < end; i++) out[i] = values[i - from - lookback];
  }
  return out[x.length - 1];
}

/**
 * The series of one size: prices `x` (also the trades' prices), trade times and sizes, as JS values (`list` and
 * `sizeList` build plain arrays once, for indicatorts) and as WASM columns, and three output columns.
 * @typedef {import('cift-engine').F64Buffer} F64Buffer
 * @typedef {{ x: Float64Array, list: () => number[], sizes: Float64Array, sizeList: () => number[], column: F64Buffer,
 *   tsColumn: F64Buffer, sizeColumn: F64Buffer, outs: F64Buffer[] }} Data
 * @typedef {(d: Data) => () => number} Prepare
 */

/** The last value of a WASM output buffer. */
const lastOf = (/** @type {F64Buffer} */ b) => new Float64Array(wasmMemory().buffer, b.ptr(), b.len())[b.len() - 1];

/**
 * @param {(d: Data, simd: boolean) => void} call
 * @returns {Record<string, Prepare>}
 */
function wasm(call) {
  return {
    'wasm-simd': (d) => () => (call(d, true), lastOf(d.outs[0])),
    'wasm-scalar': (d) => () => (call(d, false), lastOf(d.outs[0])),
  };
}

/**
 * Bars into a new WASM buffer (their count is known only at the end): the last column's last value, buffer freed.
 * @param {(d: Data) => F64Buffer} call
 * @returns {Prepare}
 */
const bars = (call) => (d) => () => {
  const b = call(d);
  const v = new Float64Array(wasmMemory().buffer, b.ptr(), b.len())[b.len() - 1];
  b.free();
  return v;
};

/**
 * Streams every value through a trading-signals indicator.
 * @param {() => { update: (x: number, replace: boolean) => unknown }} make
 * @param {(r: any) => number} pick
 * @returns {Prepare}
 */
function streaming(make, pick) {
  return (d) => () => {
    const ind = make();
    const out = new Float64Array(d.x.length);
    for (let i = 0; i < d.x.length; i++) {
      const r = ind.update(d.x[i], false);
      out[i] = r === null ? NaN : pick(r);
    }
    return out[d.x.length - 1];
  };
}

/** @type {{ name: string, impls: Record<string, Prepare>, rolling: boolean }[]} */
export const CASES = [
  {
    name: 'SMA(20)',
    rolling: true,
    impls: {
      ...wasm((d, simd) => sma(d.column, 20, d.outs[0], simd)),
      indicatorts: (d) => () => indicatorts.sma(d.list(), { period: 20 }).at(-1) ?? NaN,
      'trading-signals': streaming(() => new SMA(20), (r) => r),
      'talib-web': (d) => () => talibChunked(d.list(), 19, (c) => talib.SMA({ inReal: c, timePeriod: 20 }).output),
    },
  },
  {
    name: 'EMA(20)',
    rolling: false,
    impls: {
      ...wasm((d, simd) => ema(d.column, 20, d.outs[0], simd)),
      indicatorts: (d) => () => indicatorts.ema(d.list(), { period: 20 }).at(-1) ?? NaN,
      'trading-signals': streaming(() => new EMA(20), (r) => r),
      'talib-web': (d) => () => talibChunked(d.list(), 19, (c) => talib.EMA({ inReal: c, timePeriod: 20 }).output),
    },
  },
  {
    name: 'RSI(14)',
    rolling: false,
    impls: {
      ...wasm((d, simd) => rsi(d.column, 14, d.outs[0], simd)),
      indicatorts: (d) => () => indicatorts.rsi(d.list(), { period: 14 }).at(-1) ?? NaN,
      'trading-signals': streaming(() => new RSI(14), (r) => r),
      'talib-web': (d) => () => talibChunked(d.list(), 14, (c) => talib.RSI({ inReal: c, timePeriod: 14 }).output),
    },
  },
  {
    name: 'Bollinger(20, 2)',
    rolling: true,
    impls: {
      ...wasm((d, simd) => bollinger(d.column, 20, 2, 2, d.outs[0], d.outs[1], d.outs[2], simd)),
      indicatorts: (d) => () => indicatorts.bb(d.list(), { period: 20 }).upper.at(-1) ?? NaN,
      'trading-signals': streaming(() => new BollingerBands(20, 2), (r) => r.upper),
      // talib-web's BBANDS returns its work unfinished after outBegIdx values (see the indicator tests); the call
      // still does all of TA-Lib's work, which is what is timed here.
      'talib-web': (d) => () =>
        talibChunked(d.list(), 19, (c) => talib.BBANDS({ inReal: c, timePeriod: 20, nbDevUp: 2, nbDevDn: 2 }).upperBand),
    },
  },
  {
    name: 'VWAP cumulative',
    rolling: false,
    impls: {
      ...wasm((d, simd) => vwap(d.column, d.sizeColumn, d.outs[0], simd)),
      // indicatorts' vwap is a moving Σp·v / Σv; a period of the whole series makes it cumulative.
      indicatorts: (d) => () => indicatorts.vwap(d.list(), d.sizeList(), { period: d.x.length }).at(-1) ?? NaN,
      // trading-signals' VWAP takes candles and weights their typical price (h + l + c) / 3: a trade is a candle
      // with h = l = c = its price.
      'trading-signals': (d) => () => {
        const ind = new VWAP();
        const out = new Float64Array(d.x.length);
        for (let i = 0; i < d.x.length; i++) {
          const p = d.x[i];
          out[i] = ind.update({ high: p, low: p, close: p, volume: d.sizes[i] }, false) ?? NaN;
        }
        return out[d.x.length - 1];
      },
    },
  },
  {
    name: 'VWAP(20) rolling',
    rolling: true,
    impls: {
      ...wasm((d, simd) => rollingVwap(d.column, d.sizeColumn, 20, d.outs[0], simd)),
      indicatorts: (d) => () => indicatorts.vwap(d.list(), d.sizeList(), { period: 20 }).at(-1) ?? NaN,
    },
  },
  {
    name: 'Time bars 1 min',
    rolling: false,
    impls: { 'wasm-simd': bars((d) => timeBars(d.tsColumn, d.column, d.sizeColumn, 60_000)) },
  },
  {
    name: 'Volume bars 10k',
    rolling: false,
    impls: { 'wasm-simd': bars((d) => volumeBars(d.tsColumn, d.column, d.sizeColumn, 10_000)) },
  },
];
