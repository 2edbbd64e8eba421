// The sandbox page: dataset and settings, the strategy editor, one run at a time in a Web Worker (progress, cancel),
// charts and tables of the result, and a parameter sweep over a pool of workers. The page thread only draws:
// parsing, compiling and replaying all happen in workers, so it never freezes.
import type { BacktestResult, RunOptions } from '../runtime/types.ts';
import { SAMPLES } from '../runtime/loaders/samples.ts';
import type { DataSource } from '../worker/protocol.ts';
import { ResultCharts } from './charts.ts';
import { EXAMPLE_STRATEGY } from './example.ts';
import { StrategyEditor } from './editor.ts';
import { METRICS, showMetric, showNumber, showTime } from './format.ts';
import { parseSweepSpec, runSweep, sweepGrid, type SweepRow } from '../runtime/sweep.ts';
import { BacktestWorker, Cancelled, RunFailure, WorkerSweepExecutor } from './pool.ts';

/** The samples bundled into the build, at datasets/<file name> (build/datasets.ts copies them). */
const BUNDLED = SAMPLES.map((s) => ({ id: s.id, label: s.label, file: `datasets/${s.path.split('/').pop()}` }));

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

const datasetSelect = $<HTMLSelectElement>('dataset');
const upload = $<HTMLInputElement>('upload');
const dataInfo = $('data-info');
const runButton = $<HTMLButtonElement>('run');
const cancelButton = $<HTMLButtonElement>('cancel');
const progress = $<HTMLProgressElement>('progress');
const runStatus = $('run-status');
const errorBox = $('error');
const sweepRun = $<HTMLButtonElement>('sweep-run');
const sweepCancel = $<HTMLButtonElement>('sweep-cancel');
const sweepProgress = $<HTMLProgressElement>('sweep-progress');
const sweepStatus = $('sweep-status');
const sweepMetric = $<HTMLSelectElement>('sweep-metric');
const sweepWorkers = $<HTMLInputElement>('sweep-workers');

for (const d of BUNDLED) datasetSelect.add(new Option(d.label, d.id));
datasetSelect.add(new Option('Uploaded file', 'upload'));
for (const m of METRICS) sweepMetric.add(new Option(m.label, m.name, m.name === 'sharpe', m.name === 'sharpe'));
sweepWorkers.value = String(Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)));

const editor = new StrategyEditor($('editor'), EXAMPLE_STRATEGY);
$('reset-example').addEventListener('click', () => {
  editor.text = EXAMPLE_STRATEGY;
});
const charts = new ResultCharts($('chart-price'), $('chart-equity'), $('chart-drawdown'));
$('engine-status').textContent = 'engine and data run in Web Workers; everything is bundled, so the page works offline';

let uploaded: File[] = [];
const uploadedInfo = () => uploaded.map((f) => `${f.name} (${(f.size / 1024).toFixed(1)} KiB)`).join(', ') + (uploaded.length > 1 ? ` — ${uploaded.length} instruments on one cash balance` : '');
upload.addEventListener('change', () => {
  uploaded = [...(upload.files ?? [])];
  if (uploaded.length > 0) {
    if (![...datasetSelect.options].some((o) => o.value === 'upload')) datasetSelect.add(new Option('Uploaded file', 'upload'));
    datasetSelect.value = 'upload';
    dataInfo.textContent = uploadedInfo();
  }
});
datasetSelect.addEventListener('change', () => {
  dataInfo.textContent = datasetSelect.value === 'upload' ? (uploaded.length > 0 ? uploadedInfo() : 'choose a file above') : '';
});

/** The data the settings point at. */
function dataSource(): DataSource {
  if (datasetSelect.value === 'upload') {
    if (uploaded.length === 0) throw new Error('choose a file to upload first');
    if (uploaded.length === 1) return { kind: 'file', name: uploaded[0].name, file: uploaded[0] };
    return { kind: 'files', name: uploaded.map((f) => f.name).join(' + '), files: uploaded.map((f) => ({ name: f.name, file: f })) };
  }
  const d = BUNDLED.find((b) => b.id === datasetSelect.value);
  if (!d) throw new Error(`unknown dataset ${datasetSelect.value}`);
  return { kind: 'url', name: d.file.split('/').pop() ?? d.file, url: new URL(d.file, document.baseURI).href };
}

/** A number input's value; errors name the field. */
function num(id: string, label: string): number {
  const input = $<HTMLInputElement>(id);
  const v = Number(input.value);
  if (input.value.trim() === '' || !Number.isFinite(v)) throw new Error(`${label} must be a number, got "${input.value}"`);
  return v;
}

/** The stop trigger picked on the form (`auto`: the runtime's default for the data). */
function stopTriggerValue(): RunOptions['stopTrigger'] {
  const v = $<HTMLSelectElement>('stop-trigger').value;
  return v === 'last' || v === 'quote' ? v : undefined;
}

/** The run settings from the form. */
function runOptions(): RunOptions {
  const slippage = num('slippage', 'slippage');
  const ticks = $<HTMLSelectElement>('slippage-kind').value === 'ticks';
  return {
    cash: num('cash', 'cash'),
    feesBps: num('taker-bps', 'taker fee'),
    makerFeesBps: num('maker-bps', 'maker fee'),
    ...(ticks ? { slippageTicks: slippage } : { slippageBps: slippage }),
    latencyMs: num('order-latency', 'order latency'),
    dataLatencyMs: num('data-latency', 'data latency'),
    fillModel: $<HTMLSelectElement>('fill-model').value === 'same-close' ? 'close' : 'next-open',
    volumeCap: num('volume-cap', 'volume cap'),
    seed: num('seed', 'seed'),
    stopTrigger: stopTriggerValue(),
  };
}

function showError(text: string): void {
  errorBox.textContent = text;
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = '';
  editor.clearError();
}

/** Shows a failure: strategy errors also mark their line in the editor. */
function showFailure(e: unknown, during: string): void {
  if (e instanceof RunFailure) {
    const f = e.failure;
    if (f.kind === 'strategy' && f.line !== undefined) {
      editor.markError(f.line, f.column, f.message);
      showError(`Strategy error at line ${f.line}${f.column !== undefined ? `, column ${f.column}` : ''}: ${f.message}`);
    } else if (f.kind === 'strategy') {
      showError(`Strategy error: ${f.message}`);
    } else if (f.kind === 'data') {
      showError(`Data error: ${f.message}`);
    } else {
      showError(`${during} failed: ${f.message}`);
    }
  } else {
    showError(`${during} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function fillMetrics(result: BacktestResult): void {
  const body = $('metrics').querySelector('tbody');
  if (!body) return;
  body.replaceChildren(
    ...METRICS.map((m) => {
      const tr = document.createElement('tr');
      const v = result.metrics[m.name];
      tr.dataset.metric = m.name;
      tr.dataset.value = JSON.stringify(v);
      const th = document.createElement('th');
      th.textContent = m.label;
      const td = document.createElement('td');
      td.textContent = showMetric(m.kind, v, result.tsPerSecond);
      tr.append(th, td);
      return tr;
    }),
  );
}

const TRADE_ROWS = 2000;

function fillTrades(result: BacktestResult): void {
  const table = $('trades');
  const head = ['#', 'symbol', 'side', 'entry', 'exit', 'qty', 'entry price', 'exit price', 'P&L', 'return', 'fees'];
  table.querySelector('thead')?.replaceChildren(row(head, 'th'));
  const shown = result.trades.slice(0, TRADE_ROWS);
  table.querySelector('tbody')?.replaceChildren(
    ...shown.map((t, i) =>
      row([
        String(i + 1),
        t.symbol,
        t.open ? `${t.side} (open)` : t.side,
        showTime(t.entryTs, result.tsPerSecond),
        showTime(t.exitTs, result.tsPerSecond),
        String(t.qty),
        showNumber(t.entryPrice),
        showNumber(t.exitPrice),
        showNumber(t.pnl),
        `${(t.return * 100).toFixed(2)}%`,
        showNumber(t.fees),
      ]),
    ),
  );
  const more = result.trades.length > TRADE_ROWS ? ` (first ${TRADE_ROWS} shown)` : '';
  $('trade-count').textContent = `${result.trades.length}${more}`;
}

function row(cells: string[], tag: 'td' | 'th' = 'td'): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const cell = document.createElement(tag);
    cell.textContent = c;
    tr.append(cell);
  }
  return tr;
}

let current: BacktestWorker | undefined;

function setRunning(running: boolean): void {
  runButton.disabled = running;
  cancelButton.disabled = !running;
  document.body.dataset.state = running ? 'running' : 'idle';
}

async function runOnce(): Promise<void> {
  clearError();
  let data: DataSource;
  let options: RunOptions;
  try {
    data = dataSource();
    options = runOptions();
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    return;
  }
  const worker = new BacktestWorker();
  current = worker;
  setRunning(true);
  progress.value = 0;
  runStatus.textContent = `loading ${data.name}…`;
  const started = performance.now();
  try {
    const { summary } = await worker.load(data, editor.text);
    runStatus.textContent = `${summary}; running…`;
    const { result, bars } = await worker.run(options, true, (done, total) => {
      progress.value = total > 0 ? done / total : 0;
      runStatus.textContent = `${summary}; ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} data points`;
    });
    progress.value = 1;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    runStatus.textContent = `${summary}; ${result.events.toLocaleString('en-US')} events, ${result.trades.length} trades in ${seconds} s`;
    fillMetrics(result);
    fillTrades(result);
    const scale = 1000 / result.tsPerSecond;
    const ms = (xs: ArrayLike<number>) => Float64Array.from(xs, (x) => x * scale);
    charts.show(
      bars ?? { ts: [], open: [], high: [], low: [], close: [] },
      { ts: ms(result.equity.ts), value: result.equity.equity },
      // Markers for the charted instrument's trades only (a portfolio's others are in the trade table).
      result.trades.filter((t) => t.symbol === bars?.symbol).map((t) => ({ ...t, entryTs: t.entryTs * scale, exitTs: t.exitTs * scale })),
    );
    document.body.dataset.result = 'ok';
  } catch (e) {
    if (e instanceof Cancelled) {
      runStatus.textContent = 'cancelled';
    } else {
      runStatus.textContent = 'stopped: see the error';
      showFailure(e, 'the run');
    }
    document.body.dataset.result = e instanceof Cancelled ? 'cancelled' : 'error';
  } finally {
    worker.terminate();
    if (current === worker) current = undefined;
    setRunning(false);
  }
}

runButton.addEventListener('click', () => void runOnce());
cancelButton.addEventListener('click', () => current?.terminate());

// ---- sweep ----

let sweep: WorkerSweepExecutor | undefined;
let lastSweep: { rows: SweepRow[]; names: string[]; tsPerSecond: number } | undefined;

function drawSweep(): void {
  if (!lastSweep) return;
  const { rows, names, tsPerSecond } = lastSweep;
  const metric = METRICS.find((m) => m.name === sweepMetric.value) ?? METRICS[6];
  const value = (r: SweepRow) => r.metrics[metric.name];
  const shown = ['totalReturn', 'cagr', 'sharpe', 'maxDrawdown', 'trades', 'winRate'] as const;
  const label = (name: string) => METRICS.find((m) => m.name === name)?.label ?? name;
  const table = $('sweep-table');
  table.querySelector('thead')?.replaceChildren(row([...names, ...shown.map(label)], 'th'));
  const sorted = [...rows].sort((a, b) => (value(b) ?? -Infinity) - (value(a) ?? -Infinity));
  table.querySelector('tbody')?.replaceChildren(
    ...sorted.map((r) => {
      const tr = row([
        ...names.map((n) => String(r.params[n])),
        ...shown.map((s) => {
          const m = METRICS.find((x) => x.name === s);
          return m ? showMetric(m.kind, r.metrics[s], tsPerSecond) : '';
        }),
      ]);
      tr.dataset.params = JSON.stringify(r.params);
      return tr;
    }),
  );
  const heat = $('sweep-heatmap');
  if (names.length !== 2) {
    heat.replaceChildren();
    return;
  }
  // Heatmap: rows the first parameter, columns the second, coloured by the chosen metric (red low, green high).
  const [rowName, colName] = names;
  const rowValues = [...new Set(rows.map((r) => r.params[rowName]))].sort((a, b) => a - b);
  const colValues = [...new Set(rows.map((r) => r.params[colName]))].sort((a, b) => a - b);
  const values = rows.map(value).filter((v): v is number => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const tbl = document.createElement('table');
  tbl.className = 'heat';
  tbl.append(row([`${rowName} \\ ${colName}`, ...colValues.map(String)], 'th'));
  for (const rv of rowValues) {
    const tr = row([String(rv)]);
    for (const cv of colValues) {
      const td = document.createElement('td');
      const r = rows.find((x) => x.params[rowName] === rv && x.params[colName] === cv);
      const v = r ? value(r) : null;
      td.textContent = r ? showMetric(metric.kind, v, tsPerSecond) : '';
      if (v !== null && hi > lo) {
        const t = (v - lo) / (hi - lo);
        td.style.background = `hsl(${Math.round(t * 120)}, 65%, ${88 - 18 * Math.abs(t - 0.5)}%)`;
      }
      if (v !== null && v === hi) td.classList.add('best');
      tr.append(td);
    }
    tbl.append(tr);
  }
  heat.replaceChildren(tbl);
}

sweepMetric.addEventListener('change', drawSweep);

async function runSweepClicked(): Promise<void> {
  clearError();
  let data: DataSource;
  let options: RunOptions;
  let grid;
  let names: string[];
  try {
    data = dataSource();
    options = runOptions();
    const axes = $<HTMLTextAreaElement>('sweep-spec')
      .value.split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map(parseSweepSpec);
    if (axes.length === 0) throw new Error('sweep: give at least one range, e.g. fast=5:20:5');
    names = axes.map((a) => a.name);
    grid = sweepGrid(axes);
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    return;
  }
  const workers = Math.max(1, Math.min(16, grid.length, Math.floor(Number(sweepWorkers.value)) || 1));
  const executor = new WorkerSweepExecutor(workers, options);
  sweep = executor;
  sweepRun.disabled = true;
  sweepCancel.disabled = false;
  sweepProgress.value = 0;
  lastSweep = { rows: [], names, tsPerSecond: 1000 };
  const started = performance.now();
  sweepStatus.textContent = `loading ${data.name} into ${workers} workers…`;
  try {
    const loaded = await executor.start(data, editor.text);
    lastSweep.tsPerSecond = loaded.tsPerSecond;
    sweepStatus.textContent = `${grid.length} runs over ${workers} workers…`;
    await runSweep(grid, executor, (r, done) => {
      lastSweep?.rows.push(r);
      sweepProgress.value = done / grid.length;
      sweepStatus.textContent = `${done} of ${grid.length} runs over ${workers} workers`;
      drawSweep();
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    sweepStatus.textContent = `${grid.length} runs over ${workers} workers in ${seconds} s`;
    document.body.dataset.sweep = 'ok';
  } catch (e) {
    if (e instanceof Cancelled) sweepStatus.textContent = 'sweep cancelled';
    else {
      sweepStatus.textContent = 'sweep stopped: see the error';
      showFailure(e, 'the sweep');
    }
    document.body.dataset.sweep = e instanceof Cancelled ? 'cancelled' : 'error';
  } finally {
    executor.close();
    sweep = undefined;
    sweepRun.disabled = false;
    sweepCancel.disabled = true;
  }
}

sweepRun.addEventListener('click', () => void runSweepClicked());
sweepCancel.addEventListener('click', () => sweep?.close());
