// Analytics benchmark (not a test): `npm run bench:analytics [-- --points 1000000,10000000 --cases SMA,RSI]`.
// For each series length, every case (bench/analytics/cases.mjs) runs on WASM SIMD and WASM scalar (the same .wasm,
// the path picked per call), natively (engine-rs/examples/bench_analytics.rs, the same series), indicatorts
// (whole-array JS), trading-signals (streaming JS) and talib-web (TA-Lib in WASM, chunked under its heap limit),
// side by side in this one run. WASM figures are the best of several runs after a warm-up; peers run a warm-up and
// two timed runs at 1M points and one timed run at 10M (they were warmed at 1M). One table with the ratios and the
// issue's targets is printed; everything goes to bench/results/analytics.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import * as talib from 'talib-web';
import { F64Buffer, initSync, wasmMemory } from 'cift-engine';
import { CASES, IMPLS } from './analytics/cases.mjs';
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

initSync({ module: readFileSync(join(root, 'pkg/cift_engine_bg.wasm')) });
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

/** Best time of `reps` runs in ms, after `warmups` untimed runs; also checks every run gives the same last value. */
function time(/** @type {() => number} */ run, /** @type {number} */ warmups, /** @type {number} */ reps) {
  let last;
  for (let i = 0; i < warmups; i++) last = run();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const v = run();
    best = Math.min(best, performance.now() - t);
    if (last !== undefined && !Object.is(v, last)) throw new Error(`runs disagree: ${v} vs ${last}`);
    last = v;
  }
  return best;
}

const loadBefore = os.loadavg();
/** @type {{ case: string, points: number, rolling: boolean, ms: Record<string, number> }[]} */
const rows = [];
for (const points of lengths) {
  const { ts, price: x, size: sizes } = trades(points);
  /** A WASM column holding `values`. */
  const columnOf = (/** @type {Float64Array} */ values) => {
    const b = new F64Buffer(points);
    new Float64Array(wasmMemory().buffer, b.ptr(), points).set(values);
    return b;
  };
  const [column, tsColumn, sizeColumn] = [x, ts, sizes].map(columnOf);
  const outs = [new F64Buffer(points), new F64Buffer(points), new F64Buffer(points)];
  /** @type {number[] | undefined} */
  let list;
  /** @type {number[] | undefined} */
  let sizeList;
  const data = {
    x, column, tsColumn, sizes, sizeColumn, outs,
    list: () => (list ??= Array.from(x)),
    sizeList: () => (sizeList ??= Array.from(sizes)),
  };
  const big = points >= 5_000_000;
  for (const c of cases) {
    /** @type {Record<string, number>} */
    const ms = {};
    for (const impl of IMPLS) {
      if (impl === 'native') {
        const v = nativeMs.get(`${c.name}@${points}`);
        if (v !== undefined) ms.native = v;
        continue;
      }
      const prepare = c.impls[impl];
      if (!prepare) continue;
      const wasmImpl = impl.startsWith('wasm');
      ms[impl] = time(prepare(data), big && !wasmImpl ? 0 : 1, wasmImpl ? (big ? 3 : 5) : big ? 1 : 2);
      log(`  ${c.name} ${points.toLocaleString('en-US')} ${impl}: ${ms[impl].toFixed(2)} ms`);
    }
    rows.push({ case: c.name, points, rolling: c.rolling, ms });
  }
  for (const b of [column, tsColumn, sizeColumn, ...outs]) b.free();
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
  method: 'best of 5 (1M) / 3 (10M) WASM runs after a warm-up; peers: warm-up + best of 2 at 1M, one run at 10M; '
    + 'native: best of 5 / 3 in the Rust example; inputs already in place (WASM memory or a JS array), outputs '
    + 'written to a full-length array by every implementation',
  rows: rows.map((r) => ({ ...r, ratios: ratios(r.ms) })),
  targets: targetResults(rows),
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/analytics.json'), `${JSON.stringify(result, null, 2)}\n`);
log('bench:analytics: wrote bench/results/analytics.json');
