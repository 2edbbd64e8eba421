// The backtest Web Worker: loads the engine, the data (through the runtime's `loadFile`, the CLI's loader) and the
// user's strategy, then runs jobs with the runtime's `BacktestRun`, posting progress between slices. It never needs
// to yield for a cancel: the page cancels by terminating it.
import init from 'cift-engine';
import { DataError } from './runtime/loaders/errors.ts';
import { combineDatasets } from './runtime/combine.ts';
import { loadFile } from './runtime/loaders/samples.ts';
import { BacktestRun } from './runtime/run.ts';
import type { Dataset } from './runtime/types.ts';
import { StrategyError, compileStrategy, frameIn, located, type CompiledStrategy } from './worker/compile.ts';
import type { ChartBars, Reply, Request, WorkerFailure } from './worker/protocol.ts';

/** Wraps a failure so the message handler posts it as is. */
class Failed extends Error {
  constructor(readonly failure: WorkerFailure) {
    super(failure.message);
  }
}

const post = (msg: Reply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

let dataset: Dataset | undefined;
let source = '';
/** The strategy compiled at load; the first run uses it, later runs import a fresh copy (fresh module state). */
let compiled: CompiledStrategy | undefined;
const engineReady = init();

/** A failure as the page shows it. */
function failure(err: unknown, strategyUrl?: string): WorkerFailure {
  if (err instanceof StrategyError) {
    return { kind: 'strategy', message: err.message, line: err.location?.line, column: err.location?.column };
  }
  if (err instanceof DataError) return { kind: 'data', message: err.message };
  const e = err instanceof Error ? err : new Error(String(err));
  // Anything thrown with the strategy's code on the stack (its callback, or a helper it called with bad arguments)
  // is the strategy's error, at its line; otherwise it is the settings' (the runtime names the option).
  if (strategyUrl !== undefined && frameIn(e.stack, strategyUrl)) {
    const s = located(e, strategyUrl);
    return { kind: 'strategy', message: s.message, line: s.location?.line, column: s.location?.column };
  }
  return { kind: e.name === 'OptionError' ? 'options' : 'internal', message: e.message };
}

async function load(msg: Extract<Request, { type: 'load' }>): Promise<void> {
  await engineReady;
  const data = msg.data;
  const files =
    data.kind === 'url'
      ? [
          {
            name: data.name,
            bytes: await fetch(data.url).then((r) => {
              if (!r.ok) throw new Error(`GET ${data.name}: HTTP ${r.status}`);
              return r.arrayBuffer();
            }),
          },
        ]
      : await Promise.all((data.kind === 'file' ? [data] : data.files).map(async (f) => ({ name: f.name, bytes: await f.file.arrayBuffer() })));
  try {
    const parts: Dataset[] = [];
    for (const f of files) parts.push(await loadFile(f.name, new Uint8Array(f.bytes)));
    // Several files: one instrument each, a portfolio on one cash balance.
    dataset = parts.length === 1 ? parts[0] : combineDatasets(parts.map((d) => ({ data: d })));
  } catch (e) {
    // Archive and format errors (not a zip, several files in one) are the data's too, though not at a row.
    throw new Failed({ kind: 'data', message: e instanceof Error ? e.message : String(e) });
  }
  source = msg.source;
  compiled = await compileStrategy(source);
  post({ type: 'loaded', summary: summary(dataset), tsPerSecond: dataset.tsPerSecond });
}

function summary(d: Dataset): string {
  const parts = d.instruments.map((i) => {
    const n = (c?: { ts: Float64Array }) => c?.ts.length ?? 0;
    const kinds = [
      n(i.bars) && `${n(i.bars).toLocaleString('en-US')} bars`,
      n(i.trades) && `${n(i.trades).toLocaleString('en-US')} trades`,
      n(i.quotes) && `${n(i.quotes).toLocaleString('en-US')} quotes`,
      n(i.depth) && `${n(i.depth).toLocaleString('en-US')} depth updates`,
      n(i.orders) && `${n(i.orders).toLocaleString('en-US')} L3 order events`,
    ].filter(Boolean);
    return `${i.symbol}: ${kinds.join(', ')}`;
  });
  return `${d.name} — ${parts.join('; ')}`;
}

/** The first instrument's bars for the chart, or its prints bucketed into at most ~2000 bars; times in ms. */
function chartBars(d: Dataset): ChartBars | undefined {
  const inst = d.instruments[0];
  const toMs = 1000 / d.tsPerSecond;
  if (inst.bars) {
    const b = inst.bars;
    return { symbol: inst.symbol, ts: b.ts.map((t) => t * toMs), open: b.open.slice(), high: b.high.slice(), low: b.low.slice(), close: b.close.slice() };
  }
  const t = inst.trades;
  if (!t || t.ts.length === 0) return undefined;
  const span = (t.ts[t.ts.length - 1] - t.ts[0]) * toMs;
  const bucket = Math.max(1000, Math.ceil(span / 2000 / 1000) * 1000);
  const out = { ts: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[] };
  let end = -Infinity;
  for (let i = 0; i < t.ts.length; i++) {
    const ms = t.ts[i] * toMs;
    const p = t.price[i];
    if (ms > end) {
      end = Math.ceil(ms / bucket) * bucket || bucket;
      out.ts.push(end);
      out.open.push(p);
      out.high.push(p);
      out.low.push(p);
      out.close.push(p);
    } else {
      const k = out.ts.length - 1;
      out.high[k] = Math.max(out.high[k], p);
      out.low[k] = Math.min(out.low[k], p);
      out.close[k] = p;
    }
  }
  return { symbol: inst.symbol, ts: Float64Array.from(out.ts), open: Float64Array.from(out.open), high: Float64Array.from(out.high), low: Float64Array.from(out.low), close: Float64Array.from(out.close) };
}

async function run(msg: Extract<Request, { type: 'run' }>): Promise<void> {
  if (!dataset) throw new Error('run before load');
  // Later runs get a fresh module instance, so a strategy object's own state never leaks from one run to the next.
  const current = compiled ?? (await compileStrategy(source));
  compiled = undefined;
  let bt: BacktestRun;
  try {
    bt = new BacktestRun(current.module, dataset, msg.options);
  } catch (e) {
    throw failureError(e, current.url);
  }
  try {
    let last = 0;
    for (;;) {
      let finished: boolean;
      try {
        finished = bt.advance(2_000);
      } catch (e) {
        throw failureError(e, current.url);
      }
      if (finished) break;
      const now = performance.now();
      if (now - last > 50) {
        last = now;
        const p = bt.progress();
        post({ type: 'progress', job: msg.job, done: p.done, total: p.total });
      }
    }
    const result = bt.result();
    const bars = msg.chart ? chartBars(dataset) : undefined;
    post({ type: 'result', job: msg.job, result, bars }, bars ? [bars.ts.buffer, bars.open.buffer, bars.high.buffer, bars.low.buffer, bars.close.buffer] : []);
  } finally {
    bt.dispose();
  }
}

function failureError(e: unknown, url: string): Failed {
  return new Failed(failure(e, url));
}

self.onmessage = (e: MessageEvent<Request>) => {
  const msg = e.data;
  const job = msg.type === 'run' ? msg.job : undefined;
  const work = msg.type === 'load' ? load(msg) : run(msg);
  work.catch((err: unknown) => post({ type: 'error', job, failure: err instanceof Failed ? err.failure : failure(err) }));
};
