//! Parameter sweeps: a pure grid (the cartesian product of each parameter's values) and an executor interface the
//! hosts implement — worker_threads in the CLI, Web Workers in the browser, or `inlineExecutor` in the same thread.

import { runBacktest } from './run.ts';
import type { BacktestResult, Dataset, MetricName, Params, RunOptions, StrategyModule } from './types.ts';

/** One swept parameter and its values. */
export interface SweepAxis {
  name: string;
  values: number[];
}

/** One row of a sweep's results table: the parameters and the run's metrics. */
export interface SweepRow {
  index: number;
  params: Params;
  metrics: Record<MetricName, number | null>;
}

/** Runs one grid point; hosts implement it (each worker keeps the strategy and the data loaded). */
export interface SweepExecutor {
  /** How many runs may be in flight at once. */
  readonly concurrency: number;
  run(params: Params, index: number): Promise<SweepRow>;
  close?(): void | Promise<void>;
}

const MAX_POINTS = 100_000;

/** `name=a:b:step` (inclusive range) or `name=v1,v2,…` → an axis; errors name the spec. */
export function parseSweepSpec(spec: string): SweepAxis {
  const eq = spec.indexOf('=');
  const name = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  if (eq <= 0 || !/^[A-Za-z_$][\w$]*$/.test(name)) throw new RangeError(`sweep '${spec}': expected name=a:b:step or name=v1,v2,…`);
  const nums = (parts: string[]) =>
    parts.map((p) => {
      const v = Number(p);
      if (p.trim() === '' || !Number.isFinite(v)) throw new RangeError(`sweep '${spec}': '${p}' is not a number`);
      return v;
    });
  if (body.includes(':')) {
    const parts = body.split(':');
    if (parts.length !== 3) throw new RangeError(`sweep '${spec}': a range is a:b:step`);
    const [a, b, step] = nums(parts);
    if (!(step > 0)) throw new RangeError(`sweep '${spec}': step must be > 0`);
    if (b < a) throw new RangeError(`sweep '${spec}': the range ends (${b}) before it starts (${a})`);
    const n = Math.floor((b - a) / step + 1e-9) + 1;
    if (n > MAX_POINTS) throw new RangeError(`sweep '${spec}': ${n} values (at most ${MAX_POINTS})`);
    // a + i·step, rounded to the step's decimals so 0.1 steps give 0.3, not 0.30000000000000004.
    const dec = Math.max(...[a, step].map((x) => (String(x).split('.')[1] ?? '').length));
    return { name, values: Array.from({ length: n }, (_, i) => Number((a + i * step).toFixed(dec))) };
  }
  return { name, values: nums(body.split(',')) };
}

/** The cartesian product of the axes, first axis slowest; one point (no parameters) for no axes. */
export function sweepGrid(axes: SweepAxis[]): Params[] {
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.name)) throw new RangeError(`sweep: parameter ${a.name} given twice`);
    if (a.values.length === 0) throw new RangeError(`sweep: parameter ${a.name} has no values`);
    seen.add(a.name);
  }
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_POINTS) throw new RangeError(`sweep: ${total} grid points (at most ${MAX_POINTS})`);
  let grid: Params[] = [{}];
  for (const a of axes) grid = grid.flatMap((p) => a.values.map((v) => ({ ...p, [a.name]: v })));
  return grid;
}

/** The table row of one run. */
export function sweepRow(index: number, params: Params, result: BacktestResult): SweepRow {
  return { index, params, metrics: result.metrics };
}

/** Runs every grid point through the executor, at most `concurrency` at a time; rows come back in grid order. */
export async function runSweep(grid: Params[], executor: SweepExecutor, onRow?: (row: SweepRow, done: number) => void): Promise<SweepRow[]> {
  const rows = new Array<SweepRow>(grid.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < grid.length) {
      const i = next++;
      rows[i] = await executor.run(grid[i], i);
      done++;
      onRow?.(rows[i], done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(executor.concurrency, grid.length)) }, lane));
  return rows;
}

/** An executor that runs in this thread (tests; hosts without workers). */
export function inlineExecutor(mod: StrategyModule, data: Dataset, opts: RunOptions = {}): SweepExecutor {
  return {
    concurrency: 1,
    run: (params, index) => {
      const result = runBacktest(mod, data, { ...opts, params: { ...opts.params, ...params } });
      return Promise.resolve(sweepRow(index, result.params, result));
    },
  };
}
