// Analytics benchmark (not a test): `npm run bench:analytics [-- --points 1000000,10000000 --cases SMA,RSI]`.
// For each series length, every case (bench/analytics/cases.mjs) runs on three WASM columns, natively
// (engine-rs/examples/bench_analytics.rs, the same series), on indicatorts (whole-array JS), trading-signals
// (streaming JS) and talib-web (TA-Lib in WASM, chunked under its heap limit), side by side in this one run.
// The WASM columns:
// - wasm-simd: pkg/ (built with simd128), the SIMD path (`simd = true`);
// - wasm-no-simd: the same crate built for wasm32 WITHOUT simd128 (`WASM_SIMD=0 scripts/build-wasm.sh`, into
//   target/wasm-nosimd/, rebuilt here each run; checked to hold no v128 instruction), the scalar path: true scalar
//   WebAssembly, the baseline of the SIMD ≥ 2× target;
// - wasm-scalar-path: pkg/'s scalar path (`simd = false`) in the simd128 build, where LLVM packs parts of the
//   "scalar" code into f64x2 instructions: shown for comparison, not a scalar baseline.
// Probes timed in the same rounds (bench/analytics/floor.mjs): stream-floor (only moving the case's bytes),
// simd-check (the SIMD call's validation pass alone, on a series whose last value is bad) and read+floor (a read of
// the validated columns, then the floor over them: the least time of a kernel that validates before it writes).
// Every run of a case on the three WASM columns must give the same last value, bit for bit. WASM figures are the
// best of several rounds after a warm-up round, the three columns taking turns within a round (so load from other
// processes falls on them alike); peers run a warm-up and two timed runs at 1M points and one timed run at 10M
// (they were warmed at 1M). One table with the ratios and the targets is printed; everything goes to
// bench/results/analytics.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as talib from 'talib-web';
import * as simd128 from 'cift-engine';
import { analyze } from '../scripts/wasm-simd.mjs';
import { CASES, IMPLS, PROBES } from './analytics/cases.mjs';
import { readThenFloorIn, streamFloor } from './analytics/floor.mjs';
import { formatReport, ratios, targetResults } from './analytics/report.mjs';
import { trades } from './analytics/series.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** `--key value` pairs. */
const opts = { points: '1000000,10000000', cases: '' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown option --${key} (known: ${Object.keys(opts).join(', ')})`);
  /** @type {Record<string, string>} */ (opts)[key] = process.argv[i + 1] ?? '';
}
const lengths = opts.points.split(',').map(Number);
const cases = CASES.filter((c) => !opts.cases || opts.cases.split(',').some((n) => c.name.startsWith(n)));
const log = (/** @type {string} */ m) => process.stderr.write(`${m}\n`);

log('bench:analytics: the no-simd128 build (WASM_SIMD=0 bash scripts/build-wasm.sh target/wasm-nosimd/pkg)');
const noSimdDir = join(root, 'target/wasm-nosimd/pkg');
const build = spawnSync('bash', ['scripts/build-wasm.sh', noSimdDir], {
  cwd: root, env: { ...process.env, WASM_SIMD: '0' }, stdio: ['ignore', 'inherit', 'inherit'],
});
if (build.status !== 0) throw new Error(`build-wasm.sh (WASM_SIMD=0) exited with ${build.status}`);
/** simd128 instructions in each build's code section (scripts/wasm-simd.mjs decodes every function body). */
const builds = {
  simd128: { file: 'pkg/cift_engine_bg.wasm', bytes: readFileSync(join(root, 'pkg/cift_engine_bg.wasm')) },
  noSimd: { file: 'target/wasm-nosimd/pkg/cift_engine_bg.wasm', bytes: readFileSync(join(noSimdDir, 'cift_engine_bg.wasm')) },
};
const simdOps = Object.fromEntries(Object.entries(builds).map(([k, b]) =>
  [k, [...analyze(b.bytes).simd.values()].reduce((a, n) => a + n, 0)]));
if (simdOps.noSimd !== 0) throw new Error(`the no-simd128 build holds ${simdOps.noSimd} simd128 instructions`);
if (simdOps.simd128 === 0) throw new Error('pkg/ holds no simd128 instruction');
/** @type {typeof import('cift-engine')} */
const noSimd = await import(pathToFileURL(join(noSimdDir, 'cift_engine.js')).href);
simd128.initSync({ module: builds.simd128.bytes });
noSimd.initSync({ module: builds.noSimd.bytes });
{
  // talib-web's init() fetches its .wasm by path, which Node's fetch refuses: serve the bytes for that one name.
  const bytes = readFileSync(require.resolve('talib-web/lib/talib.wasm'));
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) =>
    String(url) === 'talib.wasm' ? new Response(bytes, { headers: { 'content-type': 'application/wasm' } }) : realFetch(url, init);
  await talib.init('talib.wasm');
  globalThis.fetch = realFetch;
}

log(`bench:analytics: native timings (cargo run --release --example bench_analytics ${lengths.join(' ')})`);
const native = spawnSync('cargo', ['run', '--release', '-q', '-p', 'cift-engine', '--example', 'bench_analytics', '--',
  ...lengths.map(String)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (native.status !== 0) throw new Error(`bench_analytics exited with ${native.status}`);
/** @type {Map<string, number>} */
const nativeMs = new Map();
for (const line of native.stdout.trim().split('\n')) {
  const r = JSON.parse(line);
  if (r.impl === 'native') nativeMs.set(`${r.case}@${r.points}`, r.ms);
}

/**
 * Best time in ms of each of `runs` over `rounds` rounds (after one warm-up round with `warmup`), and its last
 * value. A round runs each once in turn, so a change in the machine's load (other processes) falls on all of them
 * alike; every run of one must give the same last value.
 * @param {Map<string, () => number>} runs
 * @param {number} rounds
 * @param {boolean} warmup
 */
function timeInterleaved(runs, rounds, warmup) {
  /** @type {Map<string, { best: number, last: number | undefined }>} */
  const out = new Map();
  for (const [name, run] of runs) out.set(name, { best: Infinity, last: warmup ? run() : undefined });
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of runs) {
      const t = performance.now();
      const v = run();
      const o = /** @type {{ best: number, last: number | undefined }} */ (out.get(name));
      o.best = Math.min(o.best, performance.now() - t);
      if (o.last !== undefined && !Object.is(v, o.last)) throw new Error(`${name}: runs disagree: ${v} vs ${o.last}`);
      o.last = v;
    }
  }
  return out;
}

/** Timed rounds of the WASM columns (interleaved, see `timeInterleaved`) at 1M points and at 5M or more. */
const WASM_ROUNDS = 9;
const WASM_ROUNDS_BIG = 5;
const loadBefore = os.loadavg();
/** @type {{ case: string, points: number, rolling: boolean, ms: Record<string, number> }[]} */
const rows = [];
for (const points of lengths) {
  const { ts, price: x, size: sizes } = trades(points);
  /** The series in the memory of module `m`, and three output columns there. */
  const wasmOf = (/** @type {typeof import('cift-engine')} */ m) => {
    const columnOf = (/** @type {Float64Array} */ values) => {
      const b = new m.F64Buffer(points);
      new Float64Array(m.wasmMemory().buffer, b.ptr(), points).set(values);
      return b;
    };
    const [column, tsColumn, sizeColumn] = [x, ts, sizes].map(columnOf);
    const outs = [new m.F64Buffer(points), new m.F64Buffer(points), new m.F64Buffer(points)];
    const spoiled = (/** @type {Float64Array} */ values, /** @type {number} */ last) => {
      const copy = values.slice();
      copy[points - 1] = last;
      return columnOf(copy);
    };
    return { m, column, tsColumn, sizeColumn, outs, spoiledColumn: spoiled(x, NaN), spoiledSizeColumn: spoiled(sizes, -1) };
  };
  const wasm = { simd128: wasmOf(simd128), noSimd: wasmOf(noSimd) };
  /** @type {number[] | undefined} */
  let list;
  /** @type {number[] | undefined} */
  let sizeList;
  const data = {
    x, sizes, wasm,
    list: () => (list ??= Array.from(x)),
    sizeList: () => (sizeList ??= Array.from(sizes)),
  };
  const big = points >= 5_000_000;
  /** Stream-floor kernels by shape (inputs, outputs), each with its own memory holding its columns. */
  const floors = new Map();
  const floorOf = (/** @type {import('./analytics/cases.mjs').Floor} */ f) => {
    const key = `${f.inputs.join('+')}>${f.outputs}`;
    if (!floors.has(key)) floors.set(key, streamFloor(points, f.inputs.map((i) => (i === 'price' ? x : sizes)), f.outputs));
    return floors.get(key);
  };
  for (const c of cases) {
    /** @type {Record<string, number>} */
    const ms = {};
    /** @type {Map<string, () => number>} */
    const wasmRuns = new Map();
    for (const impl of IMPLS) {
      if (impl === 'stream-floor') {
        if (c.floor) wasmRuns.set(impl, floorOf(c.floor));
        continue;
      }
      if (impl === 'simd-check' || impl === 'read+floor') {
        const check = /** @type {import('./analytics/cases.mjs').CheckRun | undefined} */ (c.impls['simd-check']?.(data));
        if (!check) continue;
        if (impl === 'simd-check') wasmRuns.set(impl, check);
        else if (c.floor) {
          // A read of the columns the SIMD call validates, then the floor over them, in pkg/'s memory, into the SIMD
          // build's outputs.
          const ins = c.floor.inputs.map((i) => (i === 'price' ? check.price : check.size).ptr());
          const outs = wasm.simd128.outs.slice(0, c.floor.outputs).map((b) => b.ptr());
          wasmRuns.set(impl, readThenFloorIn(simd128.wasmMemory(), points, ins, outs));
        }
        continue;
      }
      if (impl === 'native') {
        const v = nativeMs.get(`${c.name}@${points}`);
        if (v !== undefined) ms.native = v;
        continue;
      }
      const prepare = c.impls[impl];
      if (!prepare) continue;
      if (impl.startsWith('wasm')) {
        wasmRuns.set(impl, prepare(data));
        continue;
      }
      // Peers are warmed at 1M only (a warm-up at 10M would cost seconds each).
      const { best } = /** @type {{ best: number }} */ (timeInterleaved(new Map([[impl, prepare(data)]]), big ? 1 : 2,
        !big).get(impl));
      ms[impl] = best;
      log(`  ${c.name} ${points.toLocaleString('en-US')} ${impl}: ${best.toFixed(2)} ms`);
    }
    const wasmTimes = timeInterleaved(wasmRuns, big ? WASM_ROUNDS_BIG : WASM_ROUNDS, true);
    for (const [impl, { best }] of wasmTimes) {
      ms[impl] = best;
      log(`  ${c.name} ${points.toLocaleString('en-US')} ${impl}: ${best.toFixed(2)} ms`);
    }
    const lasts = [...wasmTimes].filter(([impl]) => !PROBES.includes(impl)).map(([, t]) => t.last);
    if (lasts.some((v) => !Object.is(v, lasts[0]))) {
      throw new Error(`${c.name}: the WASM columns disagree: ${lasts.join(', ')}`);
    }
    rows.push({ case: c.name, points, rolling: c.rolling, ms });
  }
  for (const w of Object.values(wasm)) {
    for (const b of [w.column, w.tsColumn, w.sizeColumn, ...w.outs, w.spoiledColumn, w.spoiledSizeColumn]) b.free();
  }
}

const report = formatReport(rows);
console.log(report);
const pkgVersion = (/** @type {string} */ name) =>
  JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const result = {
  date: new Date().toISOString(),
  command: 'npm run bench:analytics',
  machine: {
    cpu: os.cpus()[0]?.model.trim(),
    cores: os.cpus().length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    load_before: loadBefore.map((v) => +v.toFixed(2)),
    load_after: os.loadavg().map((v) => +v.toFixed(2)),
  },
  versions: {
    node: process.version,
    v8: process.versions.v8,
    indicatorts: pkgVersion('indicatorts'),
    'trading-signals': pkgVersion('trading-signals'),
    'talib-web': pkgVersion('talib-web'),
  },
  wasm_builds: Object.fromEntries(Object.entries(builds).map(([k, b]) =>
    [k, { file: b.file, bytes: b.bytes.length, simd128_instructions: simdOps[/** @type {'simd128' | 'noSimd'} */ (k)] }])),
  method: `WASM columns: best of ${WASM_ROUNDS} (1M) / ${WASM_ROUNDS_BIG} (10M) rounds after a warm-up round, the three `
    + 'columns run in turn within each round; peers: warm-up + best of 2 at 1M, one run at 10M; '
    + 'native: best of 5 / 3 in the Rust example; inputs already in place (WASM memory or a JS array), outputs '
    + 'written to a full-length array by every implementation',
  columns: {
    'wasm-simd': 'SIMD path (simd = true) of pkg/, the simd128 build',
    'wasm-no-simd': 'scalar path (simd = false) of the same crate built without simd128 (no v128 instruction in '
      + 'the module): the baseline of the SIMD >= 2x target',
    'wasm-scalar-path': 'scalar path (simd = false) of pkg/, the simd128 build: LLVM autovectorizes parts of it '
      + '(f64x2 in the finiteness check and in the Bollinger and stochastic finishing maths)',
    'stream-floor': 'a WASM SIMD kernel (bench/analytics/floor.mjs) that reads the case\'s input columns and writes its '
      + 'output columns with one multiply a step and nothing else: the fastest plain loads and stores of those bytes; '
      + 'no-SIMD / floor bounds the SIMD/no-SIMD ratio any kernel could reach',
    'simd-check': 'the SIMD call on a series whose last value is bad (the last price NaN, or the last size negative '
      + 'when the case reads sizes): the whole validation pass, which must finish before any output is written',
    'read+floor': 'one read-only pass over the input columns the SIMD call validates (the least a validation can do), '
      + 'then the stream floor over the same columns, in pkg/\'s memory: the least time of any SIMD kernel that '
      + 'validates its whole input before writing (a bad input changes nothing); no-SIMD / (read+floor) bounds the '
      + 'SIMD/no-SIMD ratio under that rule',
  },
  rows: rows.map((r) => ({ ...r, ratios: ratios(r.ms) })),
  targets: targetResults(rows),
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/analytics.json'), `${JSON.stringify(result, null, 2)}\n`);
log('bench:analytics: wrote bench/results/analytics.json');
