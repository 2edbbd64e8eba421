// Backtest workers from the page's side. A `BacktestWorker` wraps one Web Worker: `load` sends it the data and the
// strategy once, `run` one job with progress; cancelling terminates the worker (a strategy stuck in a loop cannot
// ignore that) and the next use starts a fresh one. A sweep spreads its grid over several of them
// through the runtime's `runSweep` (the CLI's sweep, with worker threads there).
import { sweepRow, type SweepExecutor, type SweepRow } from '../runtime/sweep.ts';
import type { BacktestResult, Params, RunOptions } from '../runtime/types.ts';
import type { ChartBars, DataSource, Reply, Request, WorkerFailure } from '../worker/protocol.ts';

/** A run that failed in the worker (data, strategy, options), or was cancelled. */
export class RunFailure extends Error {
  constructor(readonly failure: WorkerFailure) {
    super(failure.message);
    this.name = 'RunFailure';
  }
}

/** The user pressed cancel. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** What a worker says once its data and strategy are loaded. */
export interface Loaded {
  summary: string;
  tsPerSecond: number;
}

type Pending = {
  resolve: (r: { result: BacktestResult; bars?: ChartBars }) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
};

/** One Web Worker running backtests. */
export class BacktestWorker {
  private worker: Worker;
  private nextJob = 1;
  private readonly pending = new Map<number, Pending>();
  private loading?: { resolve: (loaded: Loaded) => void; reject: (e: Error) => void };

  constructor() {
    this.worker = new Worker(new URL('../worker.ts', import.meta.url), { type: 'module', name: 'cift-backtest' });
    this.worker.onmessage = (e: MessageEvent<Reply>) => this.receive(e.data);
    // A failure outside any message handler (the worker script failed to load): fail whatever waits.
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.failAll(new RunFailure({ kind: 'internal', message: `worker error: ${e.message || 'the worker failed to start'}` }));
    };
  }

  private receive(msg: Reply): void {
    if (msg.type === 'loaded') {
      this.loading?.resolve({ summary: msg.summary, tsPerSecond: msg.tsPerSecond });
      this.loading = undefined;
    } else if (msg.type === 'progress') {
      this.pending.get(msg.job)?.onProgress?.(msg.done, msg.total);
    } else if (msg.type === 'result') {
      this.pending.get(msg.job)?.resolve({ result: msg.result, bars: msg.bars });
      this.pending.delete(msg.job);
    } else if (msg.job !== undefined) {
      this.pending.get(msg.job)?.reject(new RunFailure(msg.failure));
      this.pending.delete(msg.job);
    } else {
      this.loading?.reject(new RunFailure(msg.failure));
      this.loading = undefined;
    }
  }

  private failAll(err: Error): void {
    this.loading?.reject(err);
    this.loading = undefined;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Loads the data and compiles the strategy; resolves with a one-line summary of the data. */
  load(data: DataSource, source: string): Promise<Loaded> {
    return new Promise((resolve, reject) => {
      this.loading = { resolve, reject };
      this.post({ type: 'load', data, source });
    });
  }

  /** Runs the loaded strategy with these options. */
  run(options: RunOptions, chart: boolean, onProgress?: (done: number, total: number) => void) {
    const job = this.nextJob++;
    return new Promise<{ result: BacktestResult; bars?: ChartBars }>((resolve, reject) => {
      this.pending.set(job, { resolve, reject, onProgress });
      this.post({ type: 'run', job, options, chart });
    });
  }

  private post(msg: Request): void {
    this.worker.postMessage(msg);
  }

  /** Stops the worker at once; whatever waits rejects with Cancelled. */
  terminate(): void {
    this.worker.terminate();
    this.failAll(new Cancelled());
  }
}

/**
 * The runtime's sweep executor over Web Workers: `concurrency` workers, each loaded once with the data and the
 * strategy, each taking one grid point at a time (the runtime's `runSweep` keeps at most `concurrency` in flight).
 * `cancel` terminates them all.
 */
export class WorkerSweepExecutor implements SweepExecutor {
  readonly concurrency: number;
  private readonly workers: BacktestWorker[] = [];
  private readonly idle: BacktestWorker[] = [];

  constructor(concurrency: number, private readonly base: RunOptions) {
    this.concurrency = concurrency;
  }

  /** Starts the workers and loads each; rejects with the data's or the strategy's error. */
  async start(data: DataSource, source: string): Promise<Loaded> {
    for (let i = 0; i < this.concurrency; i++) this.workers.push(new BacktestWorker());
    const loaded = await Promise.all(this.workers.map((w) => w.load(data, source)));
    this.idle.push(...this.workers);
    return loaded[0];
  }

  async run(params: Params, index: number): Promise<SweepRow> {
    const w = this.idle.pop();
    if (!w) throw new Error('sweep: more runs in flight than workers');
    try {
      const { result } = await w.run({ ...this.base, params: { ...this.base.params, ...params } }, false);
      return sweepRow(index, result.params, result);
    } finally {
      this.idle.push(w);
    }
  }

  /** Stops every worker now; runs in flight reject with Cancelled. */
  close(): void {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
    this.idle.length = 0;
  }
}
