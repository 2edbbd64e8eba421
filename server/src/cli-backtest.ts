// `cift backtest <strategy file> --data <file>`: runs a strategy file (TS or JS) on a data file or bundled sample with
// the browser sandbox's runtime (browser-sim/src/runtime), so the numbers are the page's. Sweeps run on
// worker_threads; this file is also the worker's entry (each worker loads the engine, the strategy and the data once).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  type BacktestResult,
  BacktestRun,
  DATA_FORMATS,
  type DataFormat,
  type Dataset,
  type Params,
  type RunOptions,
  SAMPLES,
  type StrategyModule,
  combineDatasets,
  type SweepExecutor,
  type SweepRow,
  initEngineSync,
  loadFile,
  parseSweepSpec,
  runBacktest,
  runSweep,
  sweepGrid,
} from '../../browser-sim/src/runtime/index.ts';

export const BACKTEST_USAGE = `Usage: cift backtest <strategy file> --data <file|sample> [options]
       cift backtest <strategy file> --data SYMBOL=<file|sample> --data SYMBOL=<file|sample> … [options]

Runs a strategy file (.ts or .js; export default a strategy or a factory (params) => strategy,
and optionally export const params = {…}) on historical data with the venue's engine.

Data (--data): an OHLCV CSV, a trade CSV, Binance JSON lines (.gz ok), an AlgoSeek zip,
a LOBSTER message file (L3), or a bundled sample: ${SAMPLES.map((s) => s.id).join(', ')}
Repeat --data (SYMBOL=file names each instrument) for a portfolio on one cash balance.

Options:
  --format F            the data's format: ${DATA_FORMATS.join(', ')} (auto: from name and content)
  --stop-trigger T      last (trade prints) or quote (best bid/ask) triggers stops on tick data
                        (default: last, or quote for data with a book but no prints)
  --cash N              starting cash (100000)
  --fees BPS            fees in basis points of notional, maker and taker (0)
  --maker-fees BPS      maker fees, if different
  --slippage BPS        slippage in basis points on bar and print fills (0)
  --slippage-ticks N    slippage in ticks instead
  --latency MS          order-entry latency in ms (0)
  --data-latency MS     market-data latency in ms (0)
  --fill-model M        next-open (default) or close: where bar market orders fill
  --volume-cap F        share of a bar's volume fills may take, 0..1 (0: no cap)
  --seed N              latency seed (0)
  --no-short            refuse short positions
  --param name=value    set a strategy parameter (repeatable)
  --sweep name=a:b:step sweep a parameter over a range, or name=v1,v2,… (repeatable: a grid)
  --workers N           sweep worker threads (default: CPUs)
  --json                print the result (or the sweep table) as JSON
  -h, --help            show this help

Exit status: 0 done, 1 the data, strategy or run failed, 2 usage error.`;

/** A CLI failure with its exit status (2: usage, 1: the run failed). */
export class BacktestCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function initEngine(): void {
  initEngineSync({ module: readFileSync(fileURLToPath(import.meta.resolve('cift-engine/cift_engine_bg.wasm'))) });
}

/** Parsed command line. */
export interface BacktestArgs {
  strategy: string;
  /** The --data values in order: a file or sample, with the symbol to give it. */
  data: DataSpec[];
  format: DataFormat;
  options: RunOptions;
  sweeps: string[];
  workers: number;
  json: boolean;
}

/** One --data value: `file`, or `SYMBOL=file`. */
export interface DataSpec {
  symbol?: string;
  source: string;
}

const NAMED = /^([A-Za-z][\w.-]*)=(.+)$/;

function dataSpec(v: string): DataSpec {
  const m = NAMED.exec(v);
  return m ? { symbol: m[1], source: m[2] } : { source: v };
}

function number(flag: string, v: string | undefined, check?: (x: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (check && !check(x))) throw new BacktestCliError(`${flag}: invalid value '${v}'`, 2);
  return x;
}

/** Parses `cift backtest` arguments; null for --help. */
export function parseBacktestArgs(argv: string[]): BacktestArgs | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: 'string', multiple: true },
        format: { type: 'string' },
        'stop-trigger': { type: 'string' },
        cash: { type: 'string' },
        fees: { type: 'string' },
        'maker-fees': { type: 'string' },
        slippage: { type: 'string' },
        'slippage-ticks': { type: 'string' },
        latency: { type: 'string' },
        'data-latency': { type: 'string' },
        'fill-model': { type: 'string' },
        'volume-cap': { type: 'string' },
        seed: { type: 'string' },
        'no-short': { type: 'boolean' },
        param: { type: 'string', multiple: true },
        sweep: { type: 'string', multiple: true },
        workers: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new BacktestCliError((e as Error).message, 2);
  }
  const v = parsed.values;
  if (v.help) return null;
  if (parsed.positionals.length !== 1) throw new BacktestCliError(parsed.positionals.length === 0 ? 'a strategy file is required' : `one strategy file, got ${parsed.positionals.join(' ')}`, 2);
  if (v.data === undefined || v.data.length === 0) throw new BacktestCliError('--data <file|sample> is required', 2);
  const data = v.data.map(dataSpec);
  if (data.length > 1) {
    const names = data.map((d) => d.symbol ?? d.source);
    const twice = names.find((n, k) => names.indexOf(n) !== k);
    if (twice !== undefined) throw new BacktestCliError(`--data: ${twice} is given twice (name each instrument: --data SYMBOL=file)`, 2);
  }
  const format = (v.format ?? 'auto') as DataFormat;
  if (!DATA_FORMATS.includes(format)) throw new BacktestCliError(`--format: one of ${DATA_FORMATS.join(', ')}, got '${v.format}'`, 2);
  const stopTrigger = v['stop-trigger'];
  if (stopTrigger !== undefined && stopTrigger !== 'last' && stopTrigger !== 'quote') throw new BacktestCliError(`--stop-trigger: last or quote, got '${stopTrigger}'`, 2);
  const nonNeg = (x: number) => x >= 0;
  const fill = v['fill-model'];
  if (fill !== undefined && fill !== 'next-open' && fill !== 'close') throw new BacktestCliError(`--fill-model: next-open or close, got '${fill}'`, 2);
  const params: Params = {};
  for (const p of v.param ?? []) {
    const [name, value] = p.split('=', 2);
    params[name] = number(`--param ${name}`, value ?? '')!;
  }
  return {
    strategy: parsed.positionals[0],
    data,
    format,
    options: {
      stopTrigger: stopTrigger as RunOptions['stopTrigger'],
      cash: number('--cash', v.cash, nonNeg),
      feesBps: number('--fees', v.fees, nonNeg),
      makerFeesBps: number('--maker-fees', v['maker-fees'], nonNeg),
      slippageBps: number('--slippage', v.slippage, nonNeg),
      slippageTicks: number('--slippage-ticks', v['slippage-ticks'], (x) => Number.isInteger(x) && x >= 0),
      latencyMs: number('--latency', v.latency, nonNeg),
      dataLatencyMs: number('--data-latency', v['data-latency'], nonNeg),
      fillModel: fill as RunOptions['fillModel'],
      volumeCap: number('--volume-cap', v['volume-cap'], (x) => x >= 0 && x <= 1),
      seed: number('--seed', v.seed, (x) => Number.isInteger(x) && x >= 0),
      allowShort: v['no-short'] ? false : undefined,
      params,
    },
    sweeps: v.sweep ?? [],
    workers: number('--workers', v.workers, (x) => Number.isInteger(x) && x >= 1) ?? Math.max(1, availableParallelism()),
    json: v.json === true,
  };
}

/** Imports a strategy file and checks its shape. */
async function loadStrategy(path: string): Promise<StrategyModule> {
  const abs = isAbsolute(path) ? path : resolve(path);
  let mod: Partial<StrategyModule>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Partial<StrategyModule>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(abs)) throw new BacktestCliError(`strategy file not found: ${path}`, 1);
    throw new BacktestCliError(`strategy ${path}: ${err.stack ?? err.message}`, 1);
  }
  if (typeof mod.default !== 'function' && (mod.default === null || typeof mod.default !== 'object')) {
    throw new BacktestCliError(`strategy ${path}: export default a strategy object or a function (params) => strategy`, 1);
  }
  return mod as StrategyModule;
}

/** Reads a data file or a bundled sample by id. */
async function loadOne(spec: DataSpec, format: DataFormat): Promise<Dataset> {
  const sample = SAMPLES.find((s) => s.id === spec.source);
  const path = sample ? resolve(repoRoot, sample.path) : spec.source;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new BacktestCliError(`--data: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
  }
  try {
    return await loadFile(sample ? sample.path : spec.source, bytes, { symbol: spec.symbol, format });
  } catch (e) {
    throw new BacktestCliError((e as Error).message, 1);
  }
}

/** The dataset of every --data value: one file as it is, several combined (one instrument each) in the order given. */
async function loadData(specs: DataSpec[], format: DataFormat): Promise<Dataset> {
  const parts = await Promise.all(specs.map((s) => loadOne(s, format)));
  if (parts.length === 1) {
    const [d] = parts;
    // Loaders that do not take a symbol (AlgoSeek, LOBSTER by name) still get the one asked for.
    const symbol = specs[0].symbol;
    return symbol === undefined || d.instruments.length !== 1 ? d : { ...d, instruments: [{ ...d.instruments[0], symbol }] };
  }
  try {
    return combineDatasets(parts.map((data, k) => ({ symbol: specs[k].symbol, data })));
  } catch (e) {
    throw new BacktestCliError(`--data: ${(e as Error).message}`, 1);
  }
}

/** A progress bar on stderr when it is a terminal. */
function progressBar(label: string): ((done: number, total: number) => void) & { end(): void } {
  const tty = process.stderr.isTTY === true;
  let last = -1;
  const draw = (done: number, total: number) => {
    if (!tty) return;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    if (pct === last) return;
    last = pct;
    const width = 30;
    const fill = Math.round((width * pct) / 100);
    process.stderr.write(`\r${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${pct}%`);
  };
  return Object.assign(draw, {
    end: () => {
      if (tty && last >= 0) process.stderr.write('\r\x1b[K');
    },
  });
}

function fmt(x: number | null, kind: 'pct' | 'num' | 'money' | 'int' | 'days', tsPerSecond = 1000): string {
  if (x === null) return 'n/a';
  switch (kind) {
    case 'pct':
      return `${(100 * x).toFixed(2)}%`;
    case 'money':
      return x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case 'int':
      return String(x);
    case 'days':
      return `${(x / tsPerSecond / 86_400).toFixed(1)} days`;
    default:
      return x.toFixed(3);
  }
}

/** The readable report of one run. */
export function formatReport(r: BacktestResult): string {
  const m = r.metrics;
  const rows: [string, string][] = [
    ['Start equity', fmt(m.startEquity, 'money')],
    ['End equity', fmt(m.endEquity, 'money')],
    ['Total return', fmt(m.totalReturn, 'pct')],
    ['Annualized return', fmt(m.annualizedReturn, 'pct')],
    ['CAGR', fmt(m.cagr, 'pct')],
    ['Buy & hold', fmt(m.buyAndHoldReturn, 'pct')],
    ['Volatility', fmt(m.volatility, 'pct')],
    ['Sharpe', fmt(m.sharpe, 'num')],
    ['Sortino', fmt(m.sortino, 'num')],
    ['Calmar', fmt(m.calmar, 'num')],
    ['Max drawdown', fmt(m.maxDrawdown, 'pct')],
    ['Max DD duration', fmt(m.maxDrawdownDuration, 'days', r.tsPerSecond)],
    ['Trades', fmt(m.trades, 'int')],
    ['Win rate', fmt(m.winRate, 'pct')],
    ['Profit factor', fmt(m.profitFactor, 'num')],
    ['Expectancy', fmt(m.expectancy, 'money')],
    ['Avg / best / worst', `${fmt(m.avgTrade, 'pct')} / ${fmt(m.bestTrade, 'pct')} / ${fmt(m.worstTrade, 'pct')}`],
    ['Exposure', fmt(m.exposure, 'pct')],
  ];
  const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
  const out = [`Backtest of ${r.dataset}${params ? ` (${params})` : ''}: ${r.events} events, ${r.orders.sent} orders, ${r.orders.fills} fills, ${r.orders.rejected} rejected`, ''];
  for (const [k, v] of rows) out.push(`  ${k.padEnd(20)} ${v}`);
  const date = (ts: number) => new Date((ts / r.tsPerSecond) * 1000).toISOString().slice(0, 19).replace('T', ' ');
  if (r.trades.length > 0) {
    out.push('', `Last ${Math.min(5, r.trades.length)} of ${r.trades.length} trades:`);
    for (const t of r.trades.slice(-5)) {
      out.push(`  ${t.side.padEnd(5)} ${t.symbol} ${date(t.entryTs)} → ${t.open ? 'open' : date(t.exitTs)}  ${t.qty} @ ${t.entryPrice} → ${t.exitPrice}  P&L ${fmt(t.pnl, 'money')} (${fmt(t.return, 'pct')})`);
    }
  }
  return out.join('\n');
}

/** The sweep's results table, best Sharpe first. */
export function formatSweep(rows: SweepRow[]): string {
  const names = Object.keys(rows[0]?.params ?? {});
  const cols = ['totalReturn', 'cagr', 'sharpe', 'maxDrawdown', 'trades', 'winRate'] as const;
  const head = [...names, ...cols].map((c) => c.padStart(12)).join(' ');
  const sorted = [...rows].sort((a, b) => (b.metrics.sharpe ?? -Infinity) - (a.metrics.sharpe ?? -Infinity));
  const body = sorted.map((r) =>
    [...names.map((n) => String(r.params[n])), ...cols.map((c) => (c === 'trades' ? fmt(r.metrics[c], 'int') : c === 'sharpe' ? fmt(r.metrics[c], 'num') : fmt(r.metrics[c], 'pct')))]
      .map((c) => c.padStart(12))
      .join(' '),
  );
  return [`Sweep: ${rows.length} runs (best Sharpe first)`, head, ...body].join('\n');
}

interface WorkerInit {
  ciftBacktestWorker: true;
  strategy: string;
  data: DataSpec[];
  format: DataFormat;
  options: RunOptions;
}

/** A sweep executor on worker_threads: each worker loads the engine, strategy and data once, then runs grid points. */
function workerExecutor(args: BacktestArgs, count: number): SweepExecutor {
  const init: WorkerInit = { ciftBacktestWorker: true, strategy: resolve(args.strategy), data: args.data, format: args.format, options: args.options };
  const idle: Worker[] = [];
  const all: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  for (let i = 0; i < count; i++) {
    // An eval'd bootstrap registers tsx's loader in the worker (loaders are per thread), then imports this file.
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const w = new Worker(boot, { eval: true, workerData: init });
    w.unref();
    all.push(w);
    idle.push(w);
  }
  const take = () => new Promise<Worker>((res) => (idle.length > 0 ? res(idle.pop()!) : waiting.push(res)));
  const give = (w: Worker) => (waiting.length > 0 ? waiting.shift()!(w) : idle.push(w));
  return {
    concurrency: count,
    run: async (params, index) => {
      const w = await take();
      try {
        return await new Promise<SweepRow>((res, rej) => {
          const onMessage = (m: { row?: SweepRow; error?: string }) => {
            w.off('error', onError);
            if (m.error !== undefined) rej(new BacktestCliError(m.error, 1));
            else res(m.row!);
          };
          const onError = (e: Error) => {
            w.off('message', onMessage);
            rej(new BacktestCliError(`sweep worker: ${e.message}`, 1));
          };
          w.once('message', onMessage);
          w.once('error', onError);
          w.postMessage({ params, index });
        });
      } finally {
        give(w);
      }
    },
    close: async () => {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

/** Runs `cift backtest`; returns what to print on stdout. */
export async function runBacktestCli(argv: string[]): Promise<string> {
  const args = parseBacktestArgs(argv);
  if (args === null) return BACKTEST_USAGE;
  let axes;
  try {
    axes = args.sweeps.map(parseSweepSpec);
  } catch (e) {
    throw new BacktestCliError(`--sweep: ${(e as Error).message}`, 2);
  }
  initEngine();
  const mod = await loadStrategy(args.strategy);
  const data = await loadData(args.data, args.format);
  if (axes.length > 0) {
    const grid = sweepGrid(axes);
    const bar = progressBar('sweep');
    const executor = workerExecutor(args, Math.min(args.workers, grid.length));
    let rows: SweepRow[];
    try {
      rows = await runSweep(grid, executor, (_, done) => bar(done, grid.length));
    } finally {
      bar.end();
      await executor.close?.();
    }
    return args.json ? JSON.stringify({ dataset: data.name, rows }) : formatSweep(rows);
  }
  const bar = progressBar('backtest');
  let result: BacktestResult;
  try {
    const run = new BacktestRun(mod, data, args.options);
    try {
      while (!run.advance(20_000)) {
        const p = run.progress();
        bar(p.done, p.total);
      }
      result = run.result();
    } finally {
      run.dispose();
    }
  } catch (e) {
    throw new BacktestCliError(`strategy ${args.strategy}: ${(e as Error).stack ?? (e as Error).message}`, 1);
  } finally {
    bar.end();
  }
  return args.json ? JSON.stringify(result) : formatReport(result);
}

// Worker entry: answers { params, index } with { row } or { error }.
if (!isMainThread && (workerData as Partial<WorkerInit> | null)?.ciftBacktestWorker === true) {
  const init = workerData as WorkerInit;
  initEngine();
  const ready = Promise.all([loadStrategy(init.strategy), loadData(init.data, init.format)]);
  parentPort!.on('message', (job: { params: Params; index: number }) => {
    ready
      .then(([mod, data]) => {
        const r = runBacktest(mod, data, { ...init.options, params: { ...init.options.params, ...job.params } });
        parentPort!.postMessage({ row: { index: job.index, params: r.params, metrics: r.metrics } });
      })
      .catch((e: unknown) => parentPort!.postMessage({ error: (e as Error).message }));
  });
}
