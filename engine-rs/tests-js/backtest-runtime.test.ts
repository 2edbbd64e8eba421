// The browser-sim runtime (browser-sim/src/runtime) in Node: the golden SMA crossover through the strategy API must
// give the native golden run's numbers; order helpers, sizing and order tracking on hand-made bars; the loaders
// (formats, bundled samples, and a bad row's file:line:column with nothing returned); sweeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  DataError,
  type Dataset,
  type Strategy,
  type StrategyModule,
  BacktestRun,
  OptionError,
  SAMPLES,
  inlineExecutor,
  initEngineSync,
  loadFile,
  parseBinanceJsonl,
  parseOhlcvCsv,
  parseSweepSpec,
  parseTimestamp,
  parseTradeCsv,
  runBacktest,
  runSweep,
  sweepGrid,
  unzip,
} from '../../browser-sim/src/runtime/index.ts';
import * as smaCrossover from '../../browser-sim/src/examples/sma-crossover.ts';
import { root, wasmBytes } from './vectors.ts';

initEngineSync({ module: wasmBytes });

const bytes = (path: string) => new Uint8Array(readFileSync(join(root, path)));
/** The options of the golden run: 1 bp taker fee (maker 0), 1 bp slippage, 100 000 of cash. */
const GOLDEN_OPTIONS = { cash: 100_000, feesBps: 1, makerFeesBps: 0, slippageBps: 1 };

interface Golden {
  records: number;
  metrics: Record<string, number | string>;
  trades: number[][];
}

test('the SMA crossover strategy file on daily SPY gives the golden native run, metric for metric', async () => {
  const golden = JSON.parse(readFileSync(join(root, 'engine-rs/tests/golden/backtest-sma-spy.json'), 'utf8')) as Golden;
  const data = await loadFile('daily_spy.zip', bytes('engine-rs/testdata/spy-2013-10/daily_spy.zip'));
  assert.equal(data.instruments[0].bars?.ts.length, 5849);
  const result = runBacktest(smaCrossover, data, GOLDEN_OPTIONS);
  // The golden file is in engine units: deci-cents of money (10^4 per dollar).
  const money = new Set(['startEquity', 'endEquity', 'expectancy']);
  for (const [name, g] of Object.entries(golden.metrics)) {
    const want = money.has(name) ? Number(g) / 1e4 : Number(g);
    assert.equal(result.metrics[name as keyof typeof result.metrics], want, name);
  }
  assert.equal(result.events, golden.records, 'every record of the native run reached the strategy');
  assert.deepEqual(
    result.trades.map((t) => [t.side === 'long' ? 1 : 2, t.entryTs, t.exitTs, t.entryPrice, t.exitPrice, t.qty, t.open ? 1 : 0]),
    golden.trades.map((t) => [t[1], t[2], t[3], t[4] / 1e4, t[5] / 1e4, t[6], t[11]]),
  );
  assert.deepEqual(
    result.trades.map((t) => [t.pnl, t.fees]),
    golden.trades.map((t) => [t[7] / 1e4, t[10] / 1e4]),
  );
  assert.equal(result.equity.ts.length, 5849);
  assert.equal(result.equity.equity.at(-1), result.metrics.endEquity);
  // Plain JSON: the result survives a round trip unchanged, and a second run is identical.
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
  assert.deepEqual(runBacktest(smaCrossover, data, GOLDEN_OPTIONS), result);
});

/** Bars at ts 10, 20, … with the given [open, high, low, close]; 1000 volume; two-decimal prices. */
function bars(rows: number[][]): Dataset {
  const col = (k: number) => new Float64Array(rows.map((r) => r[k]));
  return {
    name: 'hand-made',
    tsPerSecond: 1000,
    instruments: [
      {
        symbol: 'TEST',
        priceDecimals: 2,
        qtyDecimals: 0,
        bars: {
          ts: new Float64Array(rows.map((_, i) => (i + 1) * 10)),
          open: col(0),
          high: col(1),
          low: col(2),
          close: col(3),
          volume: new Float64Array(rows.length).fill(1000),
        },
      },
    ],
  };
}

test('order helpers: fraction-of-equity sizing, stop and limit fills on the bar path, open orders as the strategy knows them', () => {
  const data = bars([
    [100, 101, 99, 100],
    [100, 102, 98, 101], // the buy fills at the open, 100
    [101, 103, 100.5, 102.5], // the stop at 99 untouched; the limit sell at 103 fills (maker)
    [102, 102, 95, 96],
    [96, 97, 95, 96.5],
  ]);
  const seen: string[] = [];
  let snapshot: unknown;
  const strategy: Strategy = {
    onBar(bar, ctx) {
      if (bar.ts === 10) {
        const id = ctx.market('buy', { fraction: 0.5 });
        snapshot = ctx.openOrders();
        seen.push(`buy ${id}`);
      } else if (bar.ts === 20) {
        ctx.stop('sell', ctx.position(), 99, { reduceOnly: true });
        ctx.limit('sell', ctx.position(), 103, { reduceOnly: true });
        seen.push(`open ${ctx.openOrders().map((o) => `${o.type}:${o.status}`).join(',')}`);
      } else if (bar.ts === 30) {
        seen.push(`left ${ctx.openOrders().length} pos ${ctx.position()}`);
        ctx.cancelAll();
      } else if (bar.ts === 40) {
        seen.push(`after cancel ${ctx.openOrders().length}`);
        assert.equal(ctx.market('buy', { fraction: 0 }), 0, 'a size rounding to nothing sends nothing');
      }
    },
    onFill(f, ctx) {
      seen.push(`fill ${f.side} ${f.qty}@${f.price} ${f.liquidity} pos ${f.position} cash ${f.cash} equity ${ctx.equity}`);
    },
  };
  const result = runBacktest({ default: strategy }, data, { cash: 10_000 });
  assert.deepEqual(snapshot, [
    { id: 1, symbol: 'TEST', side: 'buy', type: 'market', tif: 'GTC', price: NaN, stopPrice: NaN, qty: 50, filled: 0, leaves: 50, status: 'sent', reduceOnly: false },
  ]);
  assert.deepEqual(seen, [
    'buy 1', // 0.5 × 10 000 / 100 = 50 shares
    'fill buy 50@100 taker pos 50 cash 5000 equity 10000',
    'open stop:sent,limit:sent',
    'fill sell 50@103 maker pos 0 cash 10150 equity 10150',
    'left 1 pos 0', // the stop still works; cancelAll removes it
    'after cancel 0',
  ]);
  assert.deepEqual(result.orders, { sent: 3, filled: 2, fills: 2, rejected: 0, cancelled: 1 });
  assert.equal(result.trades.length, 1);
  assert.equal(result.trades[0].pnl, 150);
  assert.equal(result.metrics.endEquity, 10_150);
});

test('the close fill model, fees and rejections reach the strategy; bad options name the option', () => {
  const data = bars([
    [100, 101, 99, 100],
    [100, 102, 98, 101],
  ]);
  const events: string[] = [];
  const mod: StrategyModule = {
    default: {
      onBar(bar, ctx) {
        if (bar.ts === 10) {
          ctx.market('buy', 10);
          ctx.limit('buy', 1, 100.004); // rounded to the data's cents: 100.00
          ctx.market('sell', 5, { tif: 'GTD', expireAt: 5 }); // already expired → rejected
        }
      },
      onFill(f) {
        events.push(`fill ${f.qty}@${f.price} fee ${f.fee}`);
      },
      onReject(r) {
        events.push(`reject ${r.orderId}`);
      },
    },
  };
  runBacktest(mod, data, { fillModel: 'close', feesBps: 10 });
  assert.deepEqual(events, ['fill 10@100 fee 1', 'reject 3', 'fill 1@100 fee 0.1']);
  assert.throws(() => new BacktestRun(mod, data, { fillModel: 'nope' as 'close' }), OptionError);
  assert.throws(() => new BacktestRun(mod, data, { cash: -1 }), /cash must be a finite number ≥ 0/);
  assert.throws(() => new BacktestRun(mod, data, { volumeCap: 2 }), /volumeCap/);
});

test('timestamps: ISO dates and datetimes, yyyymmdd, yyyymmdd HH:MM, epoch s and ms; nonsense is NaN', () => {
  const t = Date.UTC(2013, 9, 7, 9, 30);
  assert.equal(parseTimestamp('2013-10-07'), Date.UTC(2013, 9, 7));
  assert.equal(parseTimestamp('2013-10-07T09:30:00Z'), t);
  assert.equal(parseTimestamp('2013-10-07 09:30'), t);
  assert.equal(parseTimestamp('2013-10-07T05:30:00-04:00'), t);
  assert.equal(parseTimestamp('2013-10-07T09:30:00.250'), t + 250);
  assert.equal(parseTimestamp('20131007'), Date.UTC(2013, 9, 7));
  assert.equal(parseTimestamp('20131007 09:30'), t);
  assert.equal(parseTimestamp('2013/10/07'), Date.UTC(2013, 9, 7));
  assert.equal(parseTimestamp(String(t / 1000)), t);
  assert.equal(parseTimestamp(String(t)), t);
  for (const bad of ['2013-02-30', '2013-13-01', 'yesterday', '12345', '']) assert.ok(Number.isNaN(parseTimestamp(bad)), bad);
});

test('CSV loaders: headers or none, delimiters, decimals; the bundled S&P 500 sample', async () => {
  const a = parseOhlcvCsv('Date;Open;High;Low;Close;Volume\n2020-01-02;10.5;11;10;10.75;100\n2020-01-03;10.75;12;10.5;11.125;250.5\n', 'x.csv');
  const i = a.instruments[0];
  assert.deepEqual([i.symbol, i.priceDecimals, i.qtyDecimals], ['X', 3, 1]);
  assert.deepEqual(Array.from(i.bars!.close), [10.75, 11.125]);
  assert.deepEqual(Array.from(i.bars!.ts), [Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
  const b = parseOhlcvCsv('20200102 09:31,10,11,9,10.5\n20200102 09:32,10.5,10.5,10,10\n', 'b.csv');
  assert.deepEqual(Array.from(b.instruments[0].bars!.volume), [0, 0]);
  const trades = parseTradeCsv('time,price,qty,is_buyer_maker\n1723161255342,61837.63,0.02,true\n1723161255400,61837.64,0.5,false\n', 't.csv');
  assert.deepEqual(Array.from(trades.instruments[0].trades!.side), [2, 1]);
  assert.equal(trades.instruments[0].qtyDecimals, 2);
  const sp = SAMPLES.find((s) => s.id === 'sp500-2000')!;
  const sp500 = await loadFile(sp.path, bytes(sp.path));
  const rows = readFileSync(join(root, sp.path), 'utf8').trim().split('\n').length - 1;
  assert.equal(sp500.instruments[0].bars!.ts.length, rows);
  assert.equal(sp500.instruments[0].bars!.ts[0], Date.UTC(2000, 0, 3));
});

test('a bad row throws a DataError with file, line and column, and nothing is returned', async () => {
  const cases: [() => unknown, RegExp, number, number, string][] = [
    [() => parseOhlcvCsv('date,open,high,low,close\n2020-01-02,1,2,1,1.5\n2020-01-03,1,x2,1,1\n', 'p.csv'), /^p\.csv:3:14: high: not a number: 'x2'$/, 3, 14, 'high'],
    [() => parseOhlcvCsv('date,open,high,low,close\n2020-01-02,1,2,1,1.5\n2020-01-03,1,0.5,1,1\n', 'p.csv'), /high: 0\.5 is below/, 3, 14, 'high'],
    [() => parseOhlcvCsv('date,open,high,low,close\n2020-01-03,1,2,1,1.5\n\n2020-01-02,1,2,1,1\n', 'p.csv'), /before the previous row/, 4, 1, 'ts'],
    [() => parseOhlcvCsv('date,open,high,low,close\n2020-01-02,1,2,1\n', 'p.csv'), /close: missing/, 2, 17, 'close'],
    [() => parseOhlcvCsv('date,open,high,low,close\nsoon,1,2,1,1\n', 'p.csv'), /not a date or time: 'soon'/, 2, 1, 'ts'],
    [() => parseTradeCsv('ts,price,qty,side\n1700000000000,10,1,buy\n1700000000001,10,1,up\n', 't.csv'), /side: not a side: 'up'/, 3, 20, 'side'],
    [() => parseBinanceJsonl('1 {"e":"trade","p":"1.0","q":"2","m":true}\n2 {"e":"trade","p":"1.0","q":"-2","m":true}\n', 'b.jsonl'), /q: not a decimal string/, 2, 26, 'q'],
    [() => parseBinanceJsonl('1 {"e":"trade","p":"1.0","q":"2","m":true}\n2 {"e":"trade",\n', 'b.jsonl'), /json: not valid JSON/, 2, 16, 'json'],
  ];
  for (const [load, message, line, column, field] of cases) {
    let result: unknown;
    assert.throws(
      () => {
        result = load();
      },
      (e: unknown) => e instanceof DataError && message.test(e.message) && e.line === line && e.column === column && e.field === field,
      `${String(message)} at ${line}:${column}`,
    );
    assert.equal(result, undefined);
  }
  await assert.rejects(loadFile('bad.csv', new TextEncoder().encode('date,open,high,low,close\n2020-01-02,1,2,1,-1\n')), /bad\.csv:2:18: close: must be > 0/);
});

test('unzip reads Zip64 sizes exactly (the SPY archives) and refuses archives that lie about them', async () => {
  const zip = bytes('engine-rs/testdata/spy-2013-10/daily_spy.zip');
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const central = view.getUint32(zip.length - 22 + 16, true);
  assert.equal(view.getUint32(central + 20, true), 0xffffffff, 'the 32-bit compressed size is saturated (Zip64)');
  const entries = await unzip(zip, 'daily_spy.zip');
  assert.deepEqual([...entries.keys()], ['spy.csv']);
  const csv = entries.get('spy.csv');
  assert.ok(csv);
  // Node's own inflater stops at the end of the deflate stream whatever follows; ours got the exact extent.
  const localData = 30 + view.getUint16(26, true) + view.getUint16(28, true);
  assert.deepEqual(csv, new Uint8Array(inflateRawSync(zip.subarray(localData, central))));
  assert.equal(csv.length, 326_552);
  // An uncompressed size in the Zip64 field that disagrees with the data is refused, naming the entry.
  const lying = zip.slice();
  const extra = central + 46 + view.getUint16(central + 28, true);
  new DataView(lying.buffer).setUint32(extra + 4, 326_551, true);
  await assert.rejects(unzip(lying, 'lying.zip'), /^Error: lying\.zip: spy\.csv inflates to 326552 bytes, the directory says 326551$/);
  await assert.rejects(unzip(zip.subarray(0, 1000), 'cut.zip'), /cut\.zip: not a zip archive/);
});

test('bundled samples: AlgoSeek minute bars and ticks, and the Binance BTCUSDT L2 recording replayed with a book strategy', async () => {
  const minute = await loadFile('minute_20131007_trade.zip', bytes('engine-rs/testdata/spy-2013-10/minute_20131007_trade.zip'));
  const m = minute.instruments[0].bars!;
  // 2013-10-07 was EDT (UTC−4): the first minute bar (04:00 New York, pre-market) completes at 08:01 UTC.
  assert.equal(m.ts[0], Date.UTC(2013, 9, 7, 8, 1));
  assert.ok(m.ts.length > 300);
  const btc = await loadFile('binance_spot_btcusdt_20240808.gz', bytes('engine-rs/testdata/btcusdt-l2/binance_spot_btcusdt_20240808.gz'));
  const i = btc.instruments[0];
  assert.deepEqual([i.symbol, btc.tsPerSecond, i.priceDecimals, i.trades!.ts.length], ['BTCUSDT', 1e6, 2, 9757]);
  assert.ok(i.depth!.ts.length > 10_000);
  let [books, prints, fills] = [0, 0, 0];
  const mod: StrategyModule = {
    default: () => ({
      onBook() {
        books++;
      },
      onTrade(t, ctx) {
        prints++;
        if (prints % 500 === 0 && ctx.openOrders().length === 0) {
          if (ctx.position() > 0) ctx.close();
          else ctx.limit('buy', 0.001, t.price - 1);
        }
      },
      onFill() {
        fills++;
      },
    }),
  };
  const result = runBacktest(mod, btc, { cash: 100_000, feesBps: 10 });
  assert.equal(prints, 9757);
  assert.equal(books, i.depth!.ts.length);
  assert.ok(fills > 4, `${fills} fills`);
  assert.equal(result.metrics.startEquity, 100_000);
});

test('sweeps: spec parsing, the grid, and each row equal to its own single run', async () => {
  assert.deepEqual(parseSweepSpec('fast=5:15:5'), { name: 'fast', values: [5, 10, 15] });
  assert.deepEqual(parseSweepSpec('f=0.1:0.3:0.1').values, [0.1, 0.2, 0.3]);
  assert.deepEqual(parseSweepSpec('slow=20,30'), { name: 'slow', values: [20, 30] });
  assert.throws(() => parseSweepSpec('fast=5:1:1'), /ends \(1\) before it starts/);
  assert.throws(() => parseSweepSpec('fast=a:b:1'), /'a' is not a number/);
  assert.throws(() => parseSweepSpec('5=1'), /expected name=a:b:step/);
  const grid = sweepGrid([parseSweepSpec('fast=5:10:5'), parseSweepSpec('slow=20,30')]);
  assert.deepEqual(grid, [
    { fast: 5, slow: 20 },
    { fast: 5, slow: 30 },
    { fast: 10, slow: 20 },
    { fast: 10, slow: 30 },
  ]);
  assert.throws(() => sweepGrid([parseSweepSpec('a=1'), parseSweepSpec('a=2')]), /given twice/);
  const data = await loadFile('daily_spy.zip', bytes('engine-rs/testdata/spy-2013-10/daily_spy.zip'));
  const done: number[] = [];
  const rows = await runSweep(grid, inlineExecutor(smaCrossover, data, GOLDEN_OPTIONS), (row) => done.push(row.index));
  assert.deepEqual(done.sort(), [0, 1, 2, 3]);
  assert.deepEqual(rows[3].params, { fast: 10, slow: 30, fraction: 0.95 });
  assert.deepEqual(rows[3].metrics, runBacktest(smaCrossover, data, GOLDEN_OPTIONS).metrics);
  assert.notDeepEqual(rows[0].metrics, rows[3].metrics);
});
