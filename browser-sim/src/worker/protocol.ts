// Messages between the page and its backtest workers. One worker script serves a single run and the sweep pool:
// it loads the data and compiles the strategy once per `load`, then runs jobs; the page cancels by terminating it.
import type { BacktestResult, Params, RunOptions } from '../runtime/types.ts';

/**
 * Where the data comes from: a bundled sample (absolute URL), a file the user picked (`name` picks the loader), or
 * several files, one instrument each, combined into a portfolio on one cash balance.
 */
export type DataSource =
  | { kind: 'url'; name: string; url: string }
  | { kind: 'file'; name: string; file: Blob }
  | { kind: 'files'; name: string; files: { name: string; file: Blob }[] };

/** Page → worker. */
export type Request =
  | { type: 'load'; data: DataSource; source: string }
  | { type: 'run'; job: number; options: RunOptions; chart: boolean };

/** Price bars for the chart (the first instrument's bars, or its prints bucketed into bars); times in ms. */
export interface ChartBars {
  /** The instrument charted (the dataset's first). */
  symbol: string;
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** A failure, with what the page needs to point at it. */
export interface WorkerFailure {
  /** `data`: the loaders refused the file; `strategy`: syntax error or exception; `options`: a bad setting. */
  kind: 'data' | 'strategy' | 'options' | 'internal';
  message: string;
  /** Strategy errors: 1-based line (and column) in the editor's source. */
  line?: number;
  column?: number;
}

/** Worker → page. */
export type Reply =
  | { type: 'loaded'; summary: string; tsPerSecond: number }
  | { type: 'progress'; job: number; done: number; total: number }
  | { type: 'result'; job: number; result: BacktestResult; bars?: ChartBars }
  | { type: 'error'; job?: number; failure: WorkerFailure };

/** The parameter values of one sweep job. */
export type SweepPoint = Params;
