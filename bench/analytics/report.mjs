// The analytics benchmark's table, ratios and targets.
import { IMPLS } from './cases.mjs';

/**
 * Targets from the issue: SIMD ≥ 2× scalar on rolling operations (against the build without simd128, whose scalar
 * path is scalar WebAssembly throughout), ≥ 5× indicatorts, ≥ 2× talib-web.
 */
export const TARGETS = [
  { key: 'simd_vs_no_simd', label: 'WASM SIMD ≥ 2× WASM scalar, no-simd128 build (rolling cases)', min: 2,
    rollingOnly: true },
  { key: 'vs_indicatorts', label: 'WASM SIMD ≥ 5× indicatorts', min: 5, rollingOnly: false },
  { key: 'vs_talib', label: 'WASM SIMD ≥ 2× talib-web', min: 2, rollingOnly: false },
];

/**
 * Ratios of one row: how many times faster WASM SIMD is than each peer (and than the scalar path of the
 * no-simd128 build and of the simd128 build), and native's speed relative to WASM SIMD.
 * @param {Record<string, number>} ms
 */
export function ratios(ms) {
  const simd = ms['wasm-simd'];
  const ratio = (/** @type {number | undefined} */ a, /** @type {number | undefined} */ b) => (a !== undefined && b ? a / b : undefined);
  const over = (/** @type {string} */ k) => ratio(ms[k], simd);
  return {
    simd_vs_no_simd: over('wasm-no-simd'),
    simd_vs_scalar_path: over('wasm-scalar-path'),
    vs_indicatorts: over('indicatorts'),
    vs_trading_signals: over('trading-signals'),
    vs_talib: over('talib-web'),
    native_vs_simd: ratio(simd, ms.native),
    // The most SIMD/no-SIMD could be: the no-SIMD time over the time of only moving the case's bytes.
    no_simd_over_floor: ratio(ms['wasm-no-simd'], ms['stream-floor']),
    simd_over_floor: ratio(simd, ms['stream-floor']),
    // The most SIMD/no-SIMD could be for a kernel that validates its whole input before writing (a bad input
    // changes nothing): the no-SIMD time over a read of the inputs plus the floor.
    no_simd_over_validated_floor: ratio(ms['wasm-no-simd'], ms['read+floor']),
  };
}

const fmtMs = (/** @type {number | undefined} */ v) => (v === undefined ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const fmtX = (/** @type {number | undefined} */ v) => (v === undefined ? '—' : `${v.toFixed(2)}×`);

/**
 * @param {{ case: string, points: number, rolling: boolean, ms: Record<string, number> }[]} rows
 */
export function formatReport(rows) {
  const head = ['case', 'points', ...IMPLS.map((i) => `${i} ms`), 'SIMD/no-SIMD build', 'SIMD/scalar path', 'vs indicatorts',
    'vs trading-signals', 'vs talib-web', 'native speed-up over SIMD', 'SIMD / floor', 'ceiling: no-SIMD / floor',
    'ceiling: no-SIMD / (read+floor)'];
  const body = rows.map((r) => {
    const q = ratios(r.ms);
    return [r.case, r.points.toLocaleString('en-US'), ...IMPLS.map((i) => fmtMs(r.ms[i])), fmtX(q.simd_vs_no_simd),
      fmtX(q.simd_vs_scalar_path), fmtX(q.vs_indicatorts), fmtX(q.vs_trading_signals), fmtX(q.vs_talib), fmtX(q.native_vs_simd),
      fmtX(q.simd_over_floor), fmtX(q.no_simd_over_floor), fmtX(q.no_simd_over_validated_floor)];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (/** @type {string[]} */ cells) => cells.map((v, c) => (c < 1 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ''];
  out.push('wasm-simd: SIMD path of pkg/ (simd128 build); wasm-no-simd: scalar path of the same crate built without '
    + 'simd128 (no v128 instruction); wasm-scalar-path: scalar path of pkg/ (partly autovectorized by LLVM).');
  out.push('Ratios: peer time / WASM SIMD time (higher = WASM SIMD faster); native: WASM SIMD time / native time.');
  out.push('stream-floor: only reading the case\'s input columns and writing its output columns (WASM SIMD, one multiply '
    + 'a step); ceiling = no-SIMD time / floor time, the largest SIMD/no-SIMD ratio any kernel could show here.');
  out.push('simd-check: the SIMD validation pass alone (a series whose last value is bad); read+floor: a read-only pass '
    + 'over the inputs then the floor over them, the least time of a SIMD kernel that validates before it writes (a bad '
    + 'input changes nothing); its ceiling bounds such kernels.');
  for (const t of targetResults(rows)) {
    out.push(`${t.met ? 'MET ' : 'MISS'} ${t.label}: worst ${fmtX(t.worst)} (${t.where})`);
    if (t.key === 'simd_vs_no_simd' && t.unreachable.length > 0) {
      out.push(`     out of reach here for a kernel that validates before writing (ceiling below ${t.min}×): `
        + t.unreachable.join(', '));
    }
  }
  return out.join('\n');
}

/** @param {{ case: string, points: number, rolling: boolean, ms: Record<string, number> }[]} rows */
export function targetResults(rows) {
  return TARGETS.map((t) => {
    let worst = Infinity;
    let where = 'no rows';
    for (const r of rows) {
      if (t.rollingOnly && !r.rolling) continue;
      const v = /** @type {Record<string, number | undefined>} */ (ratios(r.ms))[t.key];
      if (v !== undefined && v < worst) {
        worst = v;
        where = `${r.case} at ${r.points.toLocaleString('en-US')}`;
      }
    }
    // Rows where even the checked floor is less than `min` times faster than the no-SIMD build.
    const unreachable = t.key !== 'simd_vs_no_simd' ? [] : rows.filter((r) => r.rolling).flatMap((r) => {
      const bound = ratios(r.ms).no_simd_over_validated_floor;
      return bound !== undefined && bound < t.min ? [`${r.case} at ${r.points.toLocaleString('en-US')} (${fmtX(bound)})`] : [];
    });
    return { key: t.key, label: t.label, min: t.min, worst: Number.isFinite(worst) ? worst : undefined, where,
      met: worst >= t.min, unreachable };
  });
}
