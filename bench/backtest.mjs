// Backtest benchmark (not a test): `node bench/backtest.mjs [--bars 2000000] [--l3 1000000] [--repeat 3] [--browser yes|no]`.
// Bars/s (a seeded synthetic series, trivial onBar), L2 events/s (the real BTCUSDT recording: depth diffs and
// prints, trivial onBook/onTrade) and L3 events/s (a seeded synthetic market-by-order stream, trivial onBook; no real
// L3 data is bundled) through the browser-sim runtime, in Node (a child process with tsx) and in
// Chromium (playwright-core; the same workload code bundled by esbuild and served with pkg/ from a local server),
// in the same run; best of `repeat` runs each. Prints the ratios and the targets; writes bench/results/backtest.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { bars: { type: 'string', default: '2000000' }, l3: { type: 'string', default: '1000000' }, repeat: { type: 'string', default: '3' }, browser: { type: 'string', default: 'yes' } } });
const bars = Number(values.bars);
const repeat = Number(values.repeat);
const l3 = Number(values.l3);

// Node: a child process so the figures are not skewed by this process's bundler and server.
const nodeScript = `
import { readFileSync } from 'node:fs';
import { initEngineSync, loadFile } from './browser-sim/src/runtime/index.ts';
import { benchBars, benchL2, benchL3, syntheticBars, syntheticL3 } from './bench/backtest/core.ts';
initEngineSync({ module: readFileSync('pkg/cift_engine_bg.wasm') });
const path = 'engine-rs/testdata/btcusdt-l2/binance_spot_btcusdt_20240808.gz';
const l2 = await loadFile(path, new Uint8Array(readFileSync(path)));
console.log(JSON.stringify({ bars: benchBars(syntheticBars(${bars}), ${repeat}), l2: benchL2(l2, ${repeat}), l3: benchL3(syntheticL3(${l3}), ${repeat}) }));
`;
process.stderr.write('node …\n');
const nodeRun = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', nodeScript], { cwd: root, encoding: 'utf8' });
if (nodeRun.status !== 0) throw new Error(`node run failed: ${nodeRun.stderr}`);
const node = JSON.parse(nodeRun.stdout.trim().split('\n').pop());

let browser = null;
if (values.browser === 'yes') {
  process.stderr.write('chromium …\n');
  const bundle = await build({
    entryPoints: [join(root, 'bench/backtest/page.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    target: 'es2022',
    alias: { 'cift-engine': join(root, 'pkg/cift_engine.js') },
  });
  const js = bundle.outputFiles[0].text;
  const types = { '.wasm': 'application/wasm', '.gz': 'application/octet-stream' };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') return res.end('<!doctype html><script type="module" src="/bench.js"></script>');
    if (url.pathname === '/bench.js') {
      res.setHeader('content-type', 'text/javascript');
      return res.end(js);
    }
    const rel = normalize(url.pathname).replace(/^[/\\]+/, '');
    if (!/^(pkg|engine-rs\/testdata)\//.test(rel)) return res.writeHead(404).end();
    try {
      const body = readFileSync(join(root, rel));
      res.setHeader('content-type', types[extname(rel)] ?? 'application/octet-stream');
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  const chrome = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await chrome.newPage();
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => typeof globalThis.runBench === 'function');
    browser = await page.evaluate(([b, r, n]) => globalThis.runBench(b, r, n), [bars, repeat, l3]);
  } finally {
    await chrome.close();
    server.close();
  }
}

const fmt = (x) => (x / 1e6).toFixed(2) + 'M/s';
const rows = [
  ['bars (trivial onBar)', node.bars, browser?.bars],
  ['L2 events (BTCUSDT, trivial onBook/onTrade)', node.l2, browser?.l2],
  ['L3 events (synthetic, trivial onBook)', node.l3, browser?.l3],
];
console.log(`backtest runtime: ${bars.toLocaleString()} synthetic bars, ${l3.toLocaleString()} synthetic L3 events, best of ${repeat}\n`);
console.log('workload (replay loop | end to end incl. load + result)'.padEnd(56) + 'node'.padStart(12) + 'chromium'.padStart(12) + 'chromium/node'.padStart(15));
for (const [name, n, c] of rows) {
  console.log(`${name}, loop`.padEnd(56) + fmt(n.perSecond).padStart(12) + (c ? fmt(c.perSecond) : '-').padStart(12) + (c ? (c.perSecond / n.perSecond).toFixed(2) : '-').padStart(15));
  console.log(`${name}, end to end`.padEnd(56) + fmt(n.endToEndPerSecond).padStart(12) + (c ? fmt(c.endToEndPerSecond) : '-').padStart(12) + (c ? (c.endToEndPerSecond / n.endToEndPerSecond).toFixed(2) : '-').padStart(15));
  if (c && c.checksum !== n.checksum) console.log(`WARNING: ${name}: checksums differ (node ${n.checksum}, chromium ${c.checksum})`);
}
const targets = {
  nodeBarsPerSecondAtLeast5M: node.bars.perSecond >= 5e6,
  browserAtLeast0_8xNodeBars: browser ? browser.bars.perSecond >= 0.8 * node.bars.perSecond : null,
  browserAtLeast0_8xNodeL2: browser ? browser.l2.perSecond >= 0.8 * node.l2.perSecond : null,
  browserAtLeast0_8xNodeL3: browser ? browser.l3.perSecond >= 0.8 * node.l3.perSecond : null,
};
console.log('\ntargets:', JSON.stringify(targets));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/backtest.json'),
  JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, bars, l3, repeat, node, chromium: browser, targets }, null, 2) + '\n',
);
