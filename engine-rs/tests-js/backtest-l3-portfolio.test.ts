// The runtime's L3 path, stops on quote data and multi-instrument portfolios, in Node: a hand-written LOBSTER message
// file through the loader (types used and skipped, bad rows at file:line:column) and through a run whose fills follow
// the exact-queue rules (hand-computed); the stop trigger option; two real daily datasets combined on one cash
// balance, checked against the accounting identity at every equity sample.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BookUpdate,
  type Dataset,
  type Fill,
  DataError,
  combineDatasets,
  defaultStopTrigger,
  initEngineSync,
  loadFile,
  parseLobster,
  runBacktest,
} from '../../browser-sim/src/runtime/index.ts';
import * as smaPortfolio from '../../browser-sim/src/examples/sma-portfolio.ts';
import { root, wasmBytes } from './vectors.ts';

initEngineSync({ module: wasmBytes });

const LOBSTER_NAME = 'TEST_2012-06-21_34200000_57600000_message_1.csv';
// Time, Type, Order ID, Size, Price (× 10 000), Direction. Our buy at 100 joins after the first three rows.
const LOBSTER = `34200.000001,1,11,30,1000000,1
34200.000001,1,12,20,1000000,1
34200.000001,1,13,10,1020000,-1
34200.5,5,0,7,1010000,1
34201,1,14,40,1000000,1
34202,2,12,5,1000000,1
34203,2,14,10,1000000,1
34204,4,11,30,1000000,1
34204.5,3,99,5,1000000,1
34205,3,12,15,1000000,1
34206,4,14,6,1000000,1
34207,7,0,0,-1,-1
34208,4,14,24,1000000,1
`;
/** 2012-06-21 00:00 in New York (EDT, UTC−4), in µs since 1970. */
const DAY_US = (Date.UTC(2012, 5, 21) + 4 * 3_600_000) * 1000;
const sec = (s: number) => DAY_US + Math.round(s * 1e6);

test('a LOBSTER message file loads as L3 events: types 1–4 kept, hidden executions, halts and pre-window orders skipped', async () => {
  const d = await loadFile(LOBSTER_NAME, new TextEncoder().encode(LOBSTER));
  assert.equal(d.tsPerSecond, 1e6);
  const [inst] = d.instruments;
  assert.equal(inst.symbol, 'TEST');
  const o = inst.orders!;
  assert.deepEqual([...o.action], [1, 1, 1, 1, 2, 2, 4, 3, 4, 4]);
  assert.deepEqual([...o.id], [11, 12, 13, 14, 12, 14, 11, 12, 14, 14]);
  assert.deepEqual([...o.side], [1, 1, 2, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...o.price], [100, 100, 102, 100, 100, 100, 100, 100, 100, 100]);
  assert.deepEqual([...o.qty], [30, 20, 10, 40, 5, 10, 30, 15, 6, 24]);
  assert.deepEqual([o.ts[0], o.ts[3], o.ts[9]], [sec(34200.000001), sec(34201), sec(34208)]);
  // Detected by content too (no LOBSTER name: µs after midnight), or forced with format.
  const plain = await loadFile('events.csv', new TextEncoder().encode(LOBSTER));
  assert.equal(plain.instruments[0].orders!.ts[3], 34201e6);
  const forced = await loadFile('x.txt', new TextEncoder().encode(LOBSTER), { format: 'lobster', symbol: 'AAPL' });
  assert.equal(forced.instruments[0].symbol, 'AAPL');
});

test('a bad LOBSTER row is an error at its file, line and column, and nothing is returned', () => {
  const bad = (text: string) => {
    try {
      parseLobster(text, 'bad.csv');
    } catch (e) {
      assert.ok(e instanceof DataError);
      return e.message;
    }
    assert.fail('no error');
  };
  const ok = '34200.1,1,1,5,1000000,1\n';
  assert.equal(bad(`${ok}34200.2,1,2,x,1000000,1\n`), "bad.csv:2:13: size: not an integer: 'x'");
  assert.equal(bad(`${ok}34200.2,1,2,5,1000000,0\n`), 'bad.csv:2:23: direction: must be 1 (buy) or -1 (sell), got 0');
  assert.equal(bad(`${ok}34200.2,4,1,6,1000000,1\n`), 'bad.csv:2:13: size: 6 does not fit the 5 left of order 1');
  assert.equal(bad(`${ok}34200.2,2,1,1,1010000,1\n`), 'bad.csv:2:15: price: order 1 rests at 1000000, not 1010000');
  assert.equal(bad(`${ok}34200.0,1,2,5,1000000,1\n`), "bad.csv:2:1: time: '34200.0' is before the previous row's time");
  assert.equal(bad(`${ok}34200.2,8,2,5,1000000,1\n`), 'bad.csv:2:9: type: must be 1 to 7, got 8');
  assert.equal(bad(`${ok}34200.2,1,1,5,1000000,1\n`), 'bad.csv:2:11: order id: order 1 is submitted while it is still live');
  assert.match(bad(`${ok}34200.2,1,2,5\n`), /^bad\.csv:2:14: row: a LOBSTER message has 6 fields/);
});

test('an L3 run gives a resting order its exact queue place: fills only when executions reach it', async () => {
  const data = await loadFile(LOBSTER_NAME, new TextEncoder().encode(LOBSTER));
  const fills: Fill[] = [];
  const seen: string[] = [];
  const result = runBacktest(
    {
      default: () => {
        let sent = false;
        return {
          onBook(u: BookUpdate, ctx) {
            seen.push(`${u.kind} ${u.action} ${u.orderId} ${u.side} ${u.price} ${u.qty}`);
            if (!sent) {
              sent = true;
              ctx.limit('buy', 10, 100);
            }
          },
          onFill(f) {
            fills.push({ ...f });
          },
        };
      },
    },
    data,
    { cash: 10_000 },
  );
  assert.equal(seen.length, 10);
  assert.deepEqual(seen.slice(4, 8), ['order cancel 12 bid 100 5', 'order cancel 14 bid 100 10', 'order execute 11 bid 100 30', 'order delete 12 bid 100 15']);
  // Joined behind 11 and 12 (50): 12 loses 5, 11 trades 30, 12 is deleted — nothing ahead; then 14 (behind us)
  // trades 6 (we get 6) and 24 (we get our last 4).
  assert.deepEqual(
    fills.map((f) => [f.ts, f.price, f.qty, f.liquidity, f.leaves]),
    [
      [sec(34206), 100, 6, 'maker', 4],
      [sec(34208), 100, 4, 'maker', 0],
    ],
  );
  assert.equal(result.orders.fills, 2);
  // Marked to the book: only the ask at 102 is left (a one-sided book marks at that side): 10 000 − 1 000 + 10 × 102.
  assert.equal(result.metrics.endEquity, 10_020);
});

/** Quotes at ts 1–4 (bid, bid size, ask, ask size), and optionally prints. */
function quotes(rows: number[][], withPrints = false): Dataset {
  const col = (k: number) => new Float64Array(rows.map((r) => r[k]));
  const ts = new Float64Array(rows.map((_, i) => i + 1));
  return {
    name: 'quotes',
    tsPerSecond: 1000,
    instruments: [
      {
        symbol: 'Q',
        priceDecimals: 0,
        qtyDecimals: 0,
        quotes: { ts, bid: col(0), bidQty: col(1), ask: col(2), askQty: col(3) },
        trades: withPrints ? { ts: new Float64Array([9]), price: new Float64Array([100]), qty: new Float64Array([1]), side: new Float64Array([0]) } : undefined,
      },
    ],
  };
}

test('stops trigger on the book with stopTrigger quote (the default for quote-only data), never with last', () => {
  const data = quotes([
    [99, 5, 101, 5],
    [103, 5, 104, 5],
    [104, 5, 105, 3],
    [98, 1, 100, 5],
  ]);
  const run = (opts: { stopTrigger?: 'last' | 'quote' }) => {
    const fills: number[][] = [];
    runBacktest(
      {
        default: () => ({
          onStart(ctx) {
            ctx.stop('buy', 4, 105);
            ctx.stop('sell', 2, 98);
          },
          onFill(f) {
            fills.push([f.ts, f.orderId, f.price, f.qty]);
          },
        }),
      },
      data,
      opts,
    );
    return fills;
  };
  // Ask 105 reaches the buy stop at t=3 (3 offered there; the rest of a stop-market is cancelled); bid 98 the sell stop at t=4.
  const expected = [
    [3, 1, 105, 3],
    [4, 2, 98, 1],
  ];
  assert.equal(defaultStopTrigger(data), 'quote');
  assert.deepEqual(run({}), expected);
  assert.deepEqual(run({ stopTrigger: 'quote' }), expected);
  assert.deepEqual(run({ stopTrigger: 'last' }), []);
  assert.equal(defaultStopTrigger(quotes([[99, 5, 101, 5]], true)), 'last', 'data with prints keeps the last-price trigger');
});

const file = (p: string) => new Uint8Array(readFileSync(join(root, p)));

/** SPY daily (AlgoSeek) and the S&P 500 index daily (vega-datasets) as one two-instrument dataset. */
async function spyAndSp500(): Promise<Dataset> {
  const spy = await loadFile('daily_spy.zip', file('engine-rs/testdata/spy-2013-10/daily_spy.zip'));
  const sp500 = await loadFile('sp500-2000.csv', file('node_modules/vega-datasets/data/sp500-2000.csv'));
  return combineDatasets([
    { symbol: 'SPY', data: spy },
    { symbol: 'SP500', data: sp500 },
  ]);
}

test('combining datasets checks units and symbols', async () => {
  const spy = await loadFile('daily_spy.zip', file('engine-rs/testdata/spy-2013-10/daily_spy.zip'));
  assert.throws(() => combineDatasets([{ data: spy }, { data: spy }]), /symbol SPY appears twice/);
  assert.throws(() => combineDatasets([{ data: spy }, { symbol: 'Q', data: quotes([[1, 1, 2, 1]]) }].map((p, k) => (k ? { ...p, data: { ...p.data, tsPerSecond: 1e6 } } : p))), /one time unit/);
  assert.throws(() => combineDatasets([]), /no datasets/);
});

test('two instruments on one cash balance: equity = cash + Σ position × mark at every sample, trades in both', async () => {
  const data = await spyAndSp500();
  assert.deepEqual(data.instruments.map((i) => i.symbol), ['SPY', 'SP500']);
  const fills: Fill[] = [];
  const mod = {
    params: smaPortfolio.params,
    default: (p: Record<string, number>) => {
      const s = smaPortfolio.default(p);
      return { ...s, onFill: (f: Fill) => void fills.push({ ...f }) };
    },
  };
  const r = runBacktest(mod, data, { cash: 100_000, feesBps: 1 });
  const symbols = new Set(r.trades.map((t) => t.symbol));
  assert.deepEqual([...symbols].sort(), ['SP500', 'SPY']);
  assert.ok(fills.some((f) => f.symbol === 'SPY') && fills.some((f) => f.symbol === 'SP500'));
  // Rebuild cash and positions from the fills, marks from each symbol's bar closes, and check every equity sample.
  const closes = data.instruments.map((i) => ({ symbol: i.symbol, ts: i.bars!.ts, close: i.bars!.close }));
  const at = closes.map(() => -1);
  let k = 0;
  let cash = 100_000;
  const pos = new Map<string, number>();
  let overlap = 0;
  for (let n = 0; n < r.equity.ts.length; n++) {
    const t = r.equity.ts[n];
    for (; k < fills.length && fills[k].ts <= t; k++) {
      cash = fills[k].cash;
      pos.set(fills[k].symbol, fills[k].position);
    }
    let equity = cash;
    closes.forEach((c, i) => {
      while (at[i] + 1 < c.ts.length && c.ts[at[i] + 1] <= t) at[i]++;
      if (at[i] >= 0) equity += (pos.get(c.symbol) ?? 0) * c.close[at[i]];
    });
    if ((pos.get('SPY') ?? 0) !== 0 && (pos.get('SP500') ?? 0) !== 0) overlap++;
    assert.ok(Math.abs(equity - r.equity.equity[n]) <= 1e-6 * Math.abs(equity), `sample ${n} at ${t}: ${equity} ≠ ${r.equity.equity[n]}`);
  }
  assert.ok(overlap > 100, 'both positions were held at once on the shared cash');
  assert.equal(r.equity.equity.at(-1), r.metrics.endEquity);
});
