// `cift backtest`, run as a child process: its JSON equals the runtime's result for the same inputs (the numbers the
// browser shows), sweeps on worker threads equal in-thread runs, and bad input gives a clear error and exit status.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { combineDatasets, initEngineSync, inlineExecutor, loadFile, runBacktest, runSweep, sweepGrid, parseSweepSpec } from '../../browser-sim/src/runtime/index.ts';
import * as smaCrossover from '../../browser-sim/src/examples/sma-crossover.ts';
import * as smaPortfolio from '../../browser-sim/src/examples/sma-portfolio.ts';

const cli = fileURLToPath(new URL('../bin/cift.mjs', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'browser-sim/src/examples/sma-crossover.ts');
const spy = 'engine-rs/testdata/spy-2013-10/daily_spy.zip';
initEngineSync({ module: readFileSync(join(root, 'pkg/cift_engine_bg.wasm')) });

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [cli, 'backtest', ...args], { encoding: 'utf8', cwd: root });
  return { status, stdout, stderr };
}

test('the JSON of a run equals the runtime result for the same inputs, number for number', async () => {
  const out = run(example, '--data', 'spy-daily', '--fees', '1', '--maker-fees', '0', '--slippage', '1', '--latency', '0', '--json');
  assert.equal(out.status, 0, out.stderr);
  const data = await loadFile(spy, new Uint8Array(readFileSync(join(root, spy))));
  const expected = runBacktest(smaCrossover, data, { feesBps: 1, makerFeesBps: 0, slippageBps: 1, latencyMs: 0, params: {} });
  assert.deepEqual(JSON.parse(out.stdout), expected);
  assert.equal((JSON.parse(out.stdout) as typeof expected).metrics.trades, 101);
});

test('a JS strategy file with params, the close fill model and the readable report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cift-bt-'));
  try {
    const file = join(dir, 'buy-hold.mjs');
    writeFileSync(
      file,
      `export const params = { size: 10 };
export default (p) => ({ onBar(bar, ctx) { if (ctx.position() === 0 && ctx.openOrders().length === 0) ctx.market('buy', p.size); } });\n`,
    );
    const json = run(file, '--data', 'sp500-2000', '--param', 'size=3', '--fill-model', 'close', '--json');
    assert.equal(json.status, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { params: Record<string, number>; trades: { qty: number; open: boolean }[] };
    assert.deepEqual(r.params, { size: 3 });
    assert.deepEqual(r.trades.map((t) => [t.qty, t.open]), [[3, true]]);
    const report = run(file, '--data', 'sp500-2000');
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /Sharpe/);
    assert.match(report.stdout, /\(size=10\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sweep on worker threads gives the in-thread rows', async () => {
  const out = run(example, '--data', 'spy-daily', '--sweep', 'fast=5:10:5', '--sweep', 'slow=20,30', '--workers', '2', '--json');
  assert.equal(out.status, 0, out.stderr);
  const data = await loadFile(spy, new Uint8Array(readFileSync(join(root, spy))));
  const grid = sweepGrid([parseSweepSpec('fast=5:10:5'), parseSweepSpec('slow=20,30')]);
  const rows = await runSweep(grid, inlineExecutor(smaCrossover, data, { params: {} }));
  assert.deepEqual((JSON.parse(out.stdout) as { rows: unknown }).rows, JSON.parse(JSON.stringify(rows)));
});

test('errors: usage (exit 2), a malformed CSV row with its line and column, a throwing strategy (exit 1)', () => {
  const help = run('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: cift backtest <strategy file> --data/);
  for (const [args, message] of [
    [[example], /--data <file\|sample> is required/],
    [[example, '--data', 'spy-daily', '--cash', 'lots'], /--cash: invalid value 'lots'/],
    [[example, '--data', 'spy-daily', '--sweep', 'fast=9:1:1'], /--sweep: .*ends \(1\) before it starts \(9\)/],
    [[example, '--data', 'spy-daily', '--bogus'], /Unknown option '--bogus'/],
    [[example, '--data', 'spy-daily', '--stop-trigger', 'bid'], /--stop-trigger: last or quote, got 'bid'/],
    [[example, '--data', 'spy-daily', '--format', 'xls'], /--format: one of auto, ohlcv, trades, binance, lobster, got 'xls'/],
    [[example, '--data', 'A=spy-daily', '--data', 'A=sp500-2000'], /--data: A is given twice/],
  ] as const) {
    const out = run(...args);
    assert.equal(out.status, 2, `${args.join(' ')}: ${out.stderr}`);
    assert.match(out.stderr, message);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cift-bt-'));
  try {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,100\n2020-01-03,10,11,9,ten,100\n');
    const bad = run(example, '--data', csv);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /bad\.csv:3:20: close: not a number: 'ten'/);
    const thrower = join(dir, 'thrower.mjs');
    writeFileSync(thrower, `export default { onBar() { throw new Error('boom in onBar'); } };\n`);
    const boom = run(thrower, '--data', 'spy-daily');
    assert.equal(boom.status, 1);
    assert.match(boom.stderr, /boom in onBar/);
    assert.equal(run(join(dir, 'none.ts'), '--data', 'spy-daily').status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a two-instrument portfolio (--data SYMBOL=file, repeated) equals the runtime result of the combined dataset, number for number', async () => {
  const portfolio = join(root, 'browser-sim/src/examples/sma-portfolio.ts');
  const out = run(portfolio, '--data', 'SPY=spy-daily', '--data', 'SP500=sp500-2000', '--fees', '1', '--json');
  assert.equal(out.status, 0, out.stderr);
  const spyData = await loadFile(spy, new Uint8Array(readFileSync(join(root, spy))));
  const sp500 = 'node_modules/vega-datasets/data/sp500-2000.csv';
  const sp500Data = await loadFile(sp500, new Uint8Array(readFileSync(join(root, sp500))));
  const data = combineDatasets([
    { symbol: 'SPY', data: spyData },
    { symbol: 'SP500', data: sp500Data },
  ]);
  const expected = runBacktest(smaPortfolio, data, { feesBps: 1, params: {} });
  const got = JSON.parse(out.stdout) as typeof expected;
  assert.deepEqual(got, expected);
  assert.deepEqual([...new Set(got.trades.map((t) => t.symbol))].sort(), ['SP500', 'SPY']);
  assert.equal(got.dataset, `SPY=${spyData.name} + SP500=${sp500}`);
});

test('a LOBSTER message file runs as L3 data (by name or --format lobster); a bad row is named with its line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cift-bt-'));
  try {
    const events = '34200,1,1,10,1000000,1\n34201,1,2,5,1000000,1\n34202,4,1,10,1000000,1\n34203,4,2,3,1000000,1\n';
    const named = join(dir, 'TEST_2012-06-21_34200000_57600000_message_1.csv');
    writeFileSync(named, events);
    writeFileSync(join(dir, 'plain.txt'), events);
    // Joins behind order 1 (10) at the first event: 1's execution advances it, 2's (behind) fills 3 of its 4.
    const strategy = join(dir, 'join.mjs');
    writeFileSync(strategy, `export default () => { let sent = false; return { onBook(u, ctx) { if (!sent) { sent = true; ctx.limit('buy', 4, 100); } } }; };\n`);
    for (const args of [['--data', named], ['--data', join(dir, 'plain.txt'), '--format', 'lobster']]) {
      const out = run(strategy, ...args, '--json');
      assert.equal(out.status, 0, out.stderr);
      const r = JSON.parse(out.stdout) as { orders: { fills: number }; trades: { qty: number; entryPrice: number }[] };
      assert.equal(r.orders.fills, 1);
      assert.deepEqual(r.trades.map((t) => [t.qty, t.entryPrice]), [[3, 100]]);
    }
    const bad = join(dir, 'bad_message.csv');
    writeFileSync(bad, '34200,1,1,10,1000000,1\n34201,4,1,11,1000000,1\n');
    const out = run(strategy, '--data', bad, '--format', 'lobster');
    assert.equal(out.status, 1);
    assert.match(out.stderr, /bad_message\.csv:2:11: size: 11 does not fit the 10 left of order 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
