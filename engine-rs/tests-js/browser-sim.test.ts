// The browser sandbox end to end: the app is built with Vite into a temp dir, served by the server's own /sim route,
// and driven in headless Chromium. The example strategy's metrics on the page must equal, number for number, what
// the runtime computes in Node for the same file, data and settings (the CLI's path), both for the bundled sample and
// for the original Zip64 daily_spy.zip uploaded, for two files uploaded as a portfolio and for an uploaded LOBSTER
// message file (L3); a malformed CSV must show the loader's file:line:column error; a
// syntax error and an exception must show their line and stop the run cleanly; an endless strategy must be
// cancellable while the page stays responsive; a sweep must fill its table and heatmap with the runtime's numbers.
// Screenshots go to test-results/browser-sim/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { secureHeaders } from 'hono/secure-headers';
import type { Browser, Page } from 'playwright-core';
import { assertChromium, launchChromium } from './chromium.ts';
import { build } from 'vite';
import { EXAMPLE_STRATEGY } from '../../browser-sim/src/ui/example.ts';
import { METRICS, showMetric } from '../../browser-sim/src/ui/format.ts';
import { DataError, combineDatasets, initEngineSync, loadFile, runBacktest, type RunOptions, type StrategyModule } from '../../browser-sim/src/runtime/index.ts';
import { createRouter } from '../../server/src/app.ts';
import { registerSimRoutes } from '../../server/src/routes/sim.ts';
import { root, wasmBytes } from './vectors.ts';

const SHOTS = join(root, 'test-results/browser-sim');
/** The page's default settings (index.html), as the runtime's options. */
const PAGE_DEFAULTS: RunOptions = {
  cash: 100_000,
  feesBps: 0,
  makerFeesBps: 0,
  slippageBps: 0,
  latencyMs: 0,
  dataLatencyMs: 0,
  fillModel: 'next-open',
  volumeCap: 0,
  seed: 1,
};
const SPY_DAILY = join(root, 'engine-rs/testdata/spy-2013-10/daily_spy.zip');

initEngineSync({ module: wasmBytes });
const tmp = mkdtempSync(join(tmpdir(), 'cift-browser-sim-'));
let server: ServerType;
let browser: Browser;
let url: string;

/** Imports a strategy source as Node would run the file (the CLI's path). */
async function strategyModule(source: string, name: string): Promise<StrategyModule> {
  const file = join(tmp, `${name}.mjs`);
  writeFileSync(file, source);
  return (await import(pathToFileURL(file).href)) as StrategyModule;
}

before(async () => {
  assertChromium();
  mkdirSync(SHOTS, { recursive: true });
  const dist = join(tmp, 'dist');
  await build({
    configFile: join(root, 'browser-sim/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dist, emptyOutDir: true },
  });
  const app = createRouter();
  app.use('*', secureHeaders());
  registerSimRoutes(app, dist);
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((ok) => server.once('listening', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sim/`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh page on the app, failing the test on any uncaught page error. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('#editor .cm-content');
  return { page, errors };
}

/** Replaces the editor's text (typed as one input, so no auto-indent or bracket closing interferes). */
async function setStrategy(page: Page, source: string): Promise<void> {
  await page.click('#editor .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(source);
  const text = await page.$eval('#editor .cm-content', (el) => (el as HTMLElement).innerText);
  assert.equal(text.replace(/\s+/g, ' ').trim(), source.replace(/\s+/g, ' ').trim(), 'the editor holds the source');
}

/** Clicks Run and waits for the run to end; returns how it ended. */
async function run(page: Page): Promise<string> {
  await page.evaluate(() => delete document.body.dataset.result);
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.result !== undefined, undefined, { timeout: 30_000 });
  return page.evaluate(() => document.body.dataset.result ?? '');
}

test('the example on daily SPY shows the metrics and trades the runtime computes in Node', async () => {
  const { page, errors } = await openPage();
  assert.equal(await page.$eval('#dataset', (el) => (el as HTMLSelectElement).value), 'spy-daily');
  assert.equal(await run(page), 'ok', (await page.textContent('#error')) ?? undefined);

  const data = await loadFile('daily_spy.zip', new Uint8Array(readFileSync(SPY_DAILY)));
  const expected = runBacktest(await strategyModule(EXAMPLE_STRATEGY, 'example'), data, PAGE_DEFAULTS);
  assert.ok(expected.trades.length > 10, 'the example trades');

  const shown = await page.$$eval('#metrics tr', (rows) =>
    rows.map((r) => ({ name: (r as HTMLElement).dataset.metric, value: (r as HTMLElement).dataset.value, text: r.querySelector('td')?.textContent })),
  );
  assert.equal(shown.length, METRICS.length);
  for (const m of METRICS) {
    const row = shown.find((s) => s.name === m.name);
    assert.ok(row, `metric ${m.name} is shown`);
    assert.deepEqual(JSON.parse(row.value ?? 'undefined'), expected.metrics[m.name], `metric ${m.name}`);
    assert.equal(row.text, showMetric(m.kind, expected.metrics[m.name], expected.tsPerSecond), `metric ${m.name} as shown`);
  }
  assert.equal(await page.$$eval('#trades tbody tr', (rows) => rows.length), expected.trades.length);
  const firstPnl = await page.$eval('#trades tbody tr td:nth-child(9)', (td) => td.textContent);
  assert.equal(firstPnl, expected.trades[0].pnl.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  // The charts drew: one canvas set per chart, each with a non-zero size.
  for (const id of ['chart-price', 'chart-equity', 'chart-drawdown']) {
    const size = await page.$eval(`#${id} canvas`, (c) => (c as HTMLCanvasElement).width * (c as HTMLCanvasElement).height);
    assert.ok(size > 0, `${id} has a canvas`);
  }
  await page.screenshot({ path: join(SHOTS, 'example-run.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a malformed uploaded CSV shows the loader error with file, line and column', async () => {
  const { page, errors } = await openPage();
  const csv = 'date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,100\n2020-01-03,10.5,11.2,oops,11,120\n';
  let want = '';
  try {
    await loadFile('bad-bars.csv', new TextEncoder().encode(csv));
  } catch (e) {
    assert.ok(e instanceof DataError, String(e));
    want = e.message;
  }
  assert.match(want, /^bad-bars\.csv:3:\d+: /, 'the loader names file, line and column');
  await page.setInputFiles('#upload', { name: 'bad-bars.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  assert.equal(await page.$eval('#dataset', (el) => (el as HTMLSelectElement).value), 'upload');
  assert.equal(await run(page), 'error');
  assert.equal(await page.textContent('#error'), `Data error: ${want}`);
  assert.equal(await page.$eval('#run', (b) => (b as HTMLButtonElement).disabled), false, 'ready for another run');
  await page.screenshot({ path: join(SHOTS, 'malformed-csv.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('uploading the original Zip64 daily_spy.zip gives the metrics the runtime computes in Node', async () => {
  const { page, errors } = await openPage();
  const bytes = readFileSync(SPY_DAILY);
  await page.setInputFiles('#upload', { name: 'daily_spy.zip', mimeType: 'application/zip', buffer: bytes });
  assert.equal(await page.$eval('#dataset', (el) => (el as HTMLSelectElement).value), 'upload');
  assert.equal(await run(page), 'ok', (await page.textContent('#error')) ?? undefined);
  const expected = runBacktest(await strategyModule(EXAMPLE_STRATEGY, 'upload'), await loadFile('daily_spy.zip', new Uint8Array(bytes)), PAGE_DEFAULTS);
  const shown = await page.$$eval('#metrics tr', (rows) => rows.map((r) => [(r as HTMLElement).dataset.metric, (r as HTMLElement).dataset.value]));
  assert.equal(shown.length, METRICS.length);
  for (const [name, value] of shown) assert.deepEqual(JSON.parse(value ?? 'undefined'), expected.metrics[name as keyof typeof expected.metrics], `metric ${name}`);
  assert.equal(await page.$$eval('#trades tbody tr', (rows) => rows.length), expected.trades.length);
  assert.deepEqual(errors, []);
  await page.close();
});

test('uploading two files runs a portfolio on one cash balance with the metrics the runtime computes in Node', async () => {
  const { page, errors } = await openPage();
  const spy = readFileSync(SPY_DAILY);
  const sp500 = readFileSync(join(root, 'node_modules/vega-datasets/data/sp500-2000.csv'));
  const source = [
    '// Holds 45% of equity in each instrument.',
    'export default { onBar(bar, ctx) { if (ctx.position(bar.symbol) === 0 && ctx.openOrders(bar.symbol).length === 0) ctx.market("buy", { fraction: 0.45 }, { symbol: bar.symbol }); } };',
  ].join('\n');
  await setStrategy(page, source);
  await page.setInputFiles('#upload', [
    { name: 'daily_spy.zip', mimeType: 'application/zip', buffer: spy },
    { name: 'sp500-2000.csv', mimeType: 'text/csv', buffer: sp500 },
  ]);
  assert.match((await page.textContent('#data-info')) ?? '', /2 instruments on one cash balance/);
  assert.equal(await run(page), 'ok', (await page.textContent('#error')) ?? undefined);
  const data = combineDatasets([{ data: await loadFile('daily_spy.zip', new Uint8Array(spy)) }, { data: await loadFile('sp500-2000.csv', new Uint8Array(sp500)) }]);
  const expected = runBacktest(await strategyModule(source, 'portfolio'), data, PAGE_DEFAULTS);
  assert.deepEqual([...new Set(expected.trades.map((t) => t.symbol))], ['SPY', 'SP500-2000']);
  const shown = await page.$$eval('#metrics tr', (rows) => rows.map((r) => [(r as HTMLElement).dataset.metric, (r as HTMLElement).dataset.value]));
  for (const [name, value] of shown) assert.deepEqual(JSON.parse(value ?? 'undefined'), expected.metrics[name as keyof typeof expected.metrics], `metric ${name}`);
  assert.equal(await page.$$eval('#trades tbody tr', (rows) => rows.length), expected.trades.length);
  const symbols = await page.$$eval('#trades tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(symbols, expected.trades.map((t) => t.symbol));
  await page.screenshot({ path: join(SHOTS, 'portfolio-upload.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('an uploaded LOBSTER message file runs as L3 data with the runtime numbers', async () => {
  const { page, errors } = await openPage();
  // Our buy at 100 joins behind orders 1 and 2 (15): 1 trades 10 (ahead), 2 trades 5 (ahead), 3 (behind) trades 4 of our 4.
  const lobster = '34200,1,1,10,1000000,1\n34200,1,2,5,1000000,1\n34200,1,9,5,1010000,-1\n34201,1,3,8,1000000,1\n34202,4,1,10,1000000,1\n34203,4,2,5,1000000,1\n34204,4,3,4,1000000,1\n';
  const name = 'TEST_2012-06-21_34200000_57600000_message_1.csv';
  const source = 'export default () => { let sent = false; return { onBook(u, ctx) { if (!sent) { sent = true; ctx.limit("buy", 4, 100); } } }; };';
  await setStrategy(page, source);
  await page.setInputFiles('#upload', { name, mimeType: 'text/csv', buffer: Buffer.from(lobster) });
  assert.equal(await run(page), 'ok', (await page.textContent('#error')) ?? undefined);
  assert.match((await page.textContent('#run-status')) ?? '', /7 L3 order events/);
  const expected = runBacktest(await strategyModule(source, 'lobster'), await loadFile(name, new TextEncoder().encode(lobster)), PAGE_DEFAULTS);
  assert.deepEqual(expected.trades.map((t) => [t.symbol, t.qty, t.entryPrice, t.entryTs]), [['TEST', 4, 100, (Date.UTC(2012, 5, 21, 4) / 1000 + 34204) * 1e6]]);
  const shown = await page.$$eval('#metrics tr', (rows) => rows.map((r) => [(r as HTMLElement).dataset.metric, (r as HTMLElement).dataset.value]));
  for (const [metric, value] of shown) assert.deepEqual(JSON.parse(value ?? 'undefined'), expected.metrics[metric as keyof typeof expected.metrics], `metric ${metric}`);
  assert.equal(await page.$$eval('#trades tbody tr', (rows) => rows.length), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a syntax error and an exception in the strategy are shown at their line, and the run stops', async () => {
  const { page, errors } = await openPage();
  const lines = EXAMPLE_STRATEGY.split('\n');
  const at = lines.findIndex((l) => l.includes('const s = slow.update(bar.close);'));
  assert.ok(at > 0);

  const broken = [...lines];
  broken[at] = broken[at].replace('slow.update(bar.close);', 'slow.update(bar.close;');
  await setStrategy(page, broken.join('\n'));
  assert.equal(await run(page), 'error');
  const syntax = (await page.textContent('#error')) ?? '';
  assert.match(syntax, new RegExp(`^Strategy error at line ${at + 1}, column \\d+: SyntaxError`), syntax);
  assert.equal(await page.$$eval('.cm-lintRange-error', (els) => els.length), 1, 'the line is marked in the editor');
  await page.screenshot({ path: join(SHOTS, 'syntax-error.png') });

  const throwing = [...lines];
  throwing[at] = `${throwing[at]} if (bar.close > 100) throw new Error('too expensive: ' + bar.close);`;
  await setStrategy(page, throwing.join('\n'));
  assert.equal(await run(page), 'error');
  const thrown = (await page.textContent('#error')) ?? '';
  assert.match(thrown, new RegExp(`^Strategy error at line ${at + 1}, column \\d+: Error: too expensive: 10\\d\\.`), thrown);
  assert.equal(await page.$eval('#cancel', (b) => (b as HTMLButtonElement).disabled), true, 'the run has stopped');
  await page.screenshot({ path: join(SHOTS, 'exception.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('an endless strategy can be cancelled and the page stays responsive', async () => {
  const { page, errors } = await openPage();
  await setStrategy(page, 'export default { onBar() { for (;;) {} } };\n');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.state === 'running');
  // The page thread answers while the worker spins.
  assert.equal(await page.evaluate(() => 1 + 1), 2);
  await page.click('#cancel');
  await page.waitForFunction(() => document.body.dataset.result === 'cancelled');
  assert.equal(await page.textContent('#run-status'), 'cancelled');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a sweep over two workers fills the table and heatmap with the runtime numbers', async () => {
  const { page, errors } = await openPage();
  await page.fill('#sweep-spec', 'fast=5:10:5\nslow=20:30:10');
  await page.fill('#sweep-workers', '2');
  await page.click('#sweep-run');
  await page.waitForFunction(() => document.body.dataset.sweep !== undefined, undefined, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.sweep), 'ok', (await page.textContent('#error')) ?? undefined);
  const rows = await page.$$eval('#sweep-table tbody tr', (trs) =>
    trs.map((tr) => ({ params: JSON.parse((tr as HTMLElement).dataset.params ?? '{}') as Record<string, number>, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
  );
  assert.equal(rows.length, 4);
  const data = await loadFile('daily_spy.zip', new Uint8Array(readFileSync(SPY_DAILY)));
  const mod = await strategyModule(EXAMPLE_STRATEGY, 'sweep');
  const total = METRICS.find((m) => m.name === 'totalReturn');
  assert.ok(total);
  for (const r of rows) {
    const expected = runBacktest(mod, data, { ...PAGE_DEFAULTS, params: r.params });
    assert.equal(r.cells[2], showMetric(total.kind, expected.metrics.totalReturn, expected.tsPerSecond), `total return at ${JSON.stringify(r.params)}`);
  }
  assert.equal(await page.$$eval('#sweep-heatmap td', (tds) => tds.length), 2 * 3, 'a 2 × 2 heatmap with row labels');
  await page.screenshot({ path: join(SHOTS, 'sweep.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
