// The benchmark's cases: one per indicator, each with the implementations it can be run on. A case maps an
// implementation name to `prepare(data) => run`, where `run()` computes the whole series and returns its last
// value (kept so no engine can skip the work); preparation (copying the series into WASM memory or into a JS
// array) is not timed, the call and any copying the library does inside it are. Implementations a case lacks print
// as "—": no peer builds bars, only indicatorts has a rolling VWAP, talib-web has no VWAP. Bars have one WASM path
// (a recurrence over trades, no SIMD form), reported in the wasm-simd column.
//
// The WASM columns, two builds of the same crate:
// - wasm-simd: the SIMD path (`simd = true`) of pkg/, the simd128 build the project ships;
// - wasm-no-simd: the scalar path (`simd = false`) of the same crate built without simd128 (WASM_SIMD=0
//   scripts/build-wasm.sh, checked to hold no v128 instruction): true scalar WebAssembly, the baseline of the
//   SIMD ≥ 2× target;
// - wasm-scalar-path: the scalar path (`simd = false`) of pkg/, the simd128 build: one element at a time in the
//   source, but LLVM packs some of it into f64x2 instructions (the finiteness check, Bollinger's and the
//   stochastic's finishing maths), so it is not scalar WebAssembly throughout.
import * as indicatorts from 'indicatorts';
import * as talib from 'talib-web';
import { BollingerBands, EMA, RSI, SMA, VWAP } from 'trading-signals';

/** Implementations in table order. `native` figures come from engine-rs/examples/bench_analytics.rs. */
export const IMPLS = ['wasm-simd', 'wasm-no-simd', 'wasm-scalar-path', 'stream-floor', 'simd-check', 'read+floor',
  'native', 'indicatorts', 'trading-signals', 'talib-web'];

/** Columns that time a part of the work (no output to compare): the floor, the validation pass, a read then the floor. */
export const PROBES = ['stream-floor', 'simd-check', 'read+floor'];

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
 * One WASM build's copy of the series: its module (pkg/'s `cift-engine` or the no-simd128 build, same exports),
 * the price, time and size columns in that module's memory, three output columns, and spoiled copies of the price
 * and size columns (the last price NaN, the last size -1) for timing the validation pass alone.
 * @typedef {import('cift-engine').F64Buffer} F64Buffer
 * @typedef {{ m: typeof import('cift-engine'), column: F64Buffer, tsColumn: F64Buffer, sizeColumn: F64Buffer,
 *   outs: F64Buffer[], spoiledColumn: F64Buffer, spoiledSizeColumn: F64Buffer }} Wasm
 */

/**
 * The series of one size: prices `x` (also the trades' prices), trade times and sizes, as JS values (`list` and
 * `sizeList` build plain arrays once, for indicatorts) and in each WASM build (`simd128`: pkg/; `noSimd`: built
 * without simd128).
 * @typedef {{ x: Float64Array, list: () => number[], sizes: Float64Array, sizeList: () => number[],
 *   wasm: { simd128: Wasm, noSimd: Wasm } }} Data
 * @typedef {(d: Data) => () => number} Prepare
 */

/** The last value of a WASM buffer of `w`'s module. */
const lastOf = (/** @type {Wasm} */ w, /** @type {F64Buffer} */ b) =>
  new Float64Array(w.m.wasmMemory().buffer, b.ptr(), b.len())[b.len() - 1];

/**
 * A case's `simd-check` run, with the price and size columns its validation pass reads.
 * @typedef {(() => number) & { price: F64Buffer, size: F64Buffer }} CheckRun
 */

/** Whether `f` throws. */
const refuses = (/** @type {() => void} */ f) => {
  try {
    f();
    return false;
  } catch {
    return true;
  }
};

/**
 * The three WASM columns of a case (see the header), and `simd-check`: the SIMD call on a series whose last value
 * is bad (a NaN price or, when the case reads sizes, a negative size), which runs the whole validation pass and
 * writes nothing. It returns 0 when the call refused the series and throws if it did not, and names the columns
 * it read (`CheckRun`).
 * @param {(w: Wasm, simd: boolean) => void} call
 * @returns {Record<string, Prepare>}
 */
function wasm(call) {
  /** @type {(build: 'simd128' | 'noSimd', simd: boolean) => Prepare} */
  const on = (build, simd) => (d) => {
    const w = d.wasm[build];
    return () => (call(w, simd), lastOf(w, w.outs[0]));
  };
  /** @type {Prepare} */
  const check = (d) => {
    const w = d.wasm.simd128;
    const badSize = { ...w, sizeColumn: w.spoiledSizeColumn };
    // A case that reads sizes checks them after its prices: spoil its sizes, so both columns are read in full.
    const spoiled = refuses(() => call(badSize, true)) ? badSize : { ...w, column: w.spoiledColumn };
    const run = () => {
      if (!refuses(() => call(spoiled, true))) throw new Error('the SIMD call accepted a spoiled series');
      return 0;
    };
    // The columns the pass reads, for a floor run over the same bytes right after it.
    return Object.assign(run, { price: spoiled.column, size: spoiled.sizeColumn });
  };
  return { 'wasm-simd': on('simd128', true), 'wasm-no-simd': on('noSimd', false), 'wasm-scalar-path': on('simd128', false),
    'simd-check': check };
}

/**
 * Bars into a new WASM buffer of pkg/ (their count is known only at the end): the last column's last value,
 * buffer freed.
 * @param {(w: Wasm) => F64Buffer} call
 * @returns {Prepare}
 */
const bars = (call) => (d) => () => {
  const w = d.wasm.simd128;
  const b = call(w);
  const v = lastOf(w, b);
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

/**
 * A case's `floor`: which series columns its WASM call reads and how many columns it writes, for the stream-floor
 * column (bench/analytics/floor.mjs: the same bytes read and written with nothing computed).
 * @typedef {{ inputs: ('price' | 'size')[], outputs: number }} Floor
 */

/** @type {{ name: string, impls: Record<string, Prepare>, rolling: boolean, floor?: Floor }[]} */
export const CASES = [
  {
    name: 'SMA(20)',
    rolling: true,
    floor: { inputs: ['price'], outputs: 1 },
    impls: {
      ...wasm((w, simd) => w.m.sma(w.column, 20, w.outs[0], simd)),
      indicatorts: (d) => () => indicatorts.sma(d.list(), { period: 20 }).at(-1) ?? NaN,
      'trading-signals': streaming(() => new SMA(20), (r) => r),
      'talib-web': (d) => () => talibChunked(d.list(), 19, (c) => talib.SMA({ inReal: c, timePeriod: 20 }).output),
    },
  },
  {
    name: 'EMA(20)',
    rolling: false,
    floor: { inputs: ['price'], outputs: 1 },
    impls: {
      ...wasm((w, simd) => w.m.ema(w.column, 20, w.outs[0], simd)),
      indicatorts: (d) => () => indicatorts.ema(d.list(), { period: 20 }).at(-1) ?? NaN,
      'trading-signals': streaming(() => new EMA(20), (r) => r),
      'talib-web': (d) => () => talibChunked(d.list(), 19, (c) => talib.EMA({ inReal: c, timePeriod: 20 }).output),
    },
  },
  {
    name: 'RSI(14)',
    rolling: false,
    floor: { inputs: ['price'], outputs: 1 },
    impls: {
      ...wasm((w, simd) => w.m.rsi(w.column, 14, w.outs[0], simd)),
      indicatorts: (d) => () => indicatorts.rsi(d.list(), { period: 14 }).at(-1) ?? NaN,
      'trading-signals': streaming(() => new RSI(14), (r) => r),
      'talib-web': (d) => () => talibChunked(d.list(), 14, (c) => talib.RSI({ inReal: c, timePeriod: 14 }).output),
    },
  },
  {
    name: 'Bollinger(20, 2)',
    rolling: true,
    floor: { inputs: ['price'], outputs: 3 },
    impls: {
      ...wasm((w, simd) => w.m.bollinger(w.column, 20, 2, 2, w.outs[0], w.outs[1], w.outs[2], simd)),
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
    floor: { inputs: ['price', 'size'], outputs: 1 },
    impls: {
      ...wasm((w, simd) => w.m.vwap(w.column, w.sizeColumn, w.outs[0], simd)),
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
    floor: { inputs: ['price', 'size'], outputs: 1 },
    impls: {
      ...wasm((w, simd) => w.m.rollingVwap(w.column, w.sizeColumn, 20, w.outs[0], simd)),
      indicatorts: (d) => () => indicatorts.vwap(d.list(), d.sizeList(), { period: 20 }).at(-1) ?? NaN,
    },
  },
  {
    name: 'Time bars 1 min',
    rolling: false,
    impls: { 'wasm-simd': bars((w) => w.m.timeBars(w.tsColumn, w.column, w.sizeColumn, 60_000)) },
  },
  {
    name: 'Volume bars 10k',
    rolling: false,
    impls: { 'wasm-simd': bars((w) => w.m.volumeBars(w.tsColumn, w.column, w.sizeColumn, 10_000)) },
  },
];
