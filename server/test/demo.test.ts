// The demo market: off in tests unless turned on; when on, demo accounts
// place real orders through the engine so quotes, trades and bars appear;
// seeded, so the same ticks give the same trades.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../src/app.ts';
import { createLogger, openVenue, type Venue } from '../src/boot.ts';
import { startDemo } from '../src/demo/market.ts';
import { marketOptionsFromEnv } from '../src/serve-options.ts';
import type { TradeMessage } from '../src/market/projector.ts';
import { call, newUser, TestClock, TEST_INSTRUMENTS } from './helpers.ts';

async function demoVenue(seed: number): Promise<{ venue: Venue; trades: TradeMessage[] }> {
  const venue = await openVenue({
    dataDir: null,
    instrumentsFile: TEST_INSTRUMENTS,
    clock: new TestClock(),
    logger: createLogger('silent'),
    config: { argon2: { memorySize: 64, iterations: 1 }, rateLimit: 0 },
    demo: { seed, intervalMs: 0, traders: 2 },
  });
  const trades: TradeMessage[] = [];
  venue.deps.bus.subscribe('trades.*', (_s, m) => trades.push(m as TradeMessage));
  return { venue, trades };
}

test('the demo market is on by default for `cift serve`, off under the test runner, switchable', () => {
  // (testVenue() opens venues without it: metrics.test.ts checks no demo account exists there.)
  assert.deepEqual(marketOptionsFromEnv({}).demo, { symbols: undefined });
  assert.equal(marketOptionsFromEnv({ CIFT_DEMO: '0' }).demo, false);
  assert.equal(marketOptionsFromEnv({ CIFT_DEMO: 'off' }).demo, false);
  assert.equal(marketOptionsFromEnv({ NODE_TEST_CONTEXT: 'child-v8' }).demo, false);
  assert.deepEqual(marketOptionsFromEnv({ NODE_TEST_CONTEXT: 'child-v8', CIFT_DEMO: '1', CIFT_DEMO_SYMBOLS: 'AAPL, BTC-USD' }).demo, { symbols: ['AAPL', 'BTC-USD'] });
  assert.deepEqual(marketOptionsFromEnv({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_DATABASE: 'md' }).market, { clickhouseUrl: 'http://ch:8123', clickhouseDatabase: 'md' });
});

test('when on, demo accounts make a live market: two-sided quotes, trades, bars', async () => {
  const { venue, trades } = await demoVenue(7);
  try {
    const { deps } = venue;
    assert.deepEqual(venue.demo?.symbols, ['AAPL', 'BTC-USD']);
    for (let i = 0; i < 12; i++) await venue.demo!.tick();
    for (const symbol of ['AAPL', 'BTC-USD']) {
      const q = deps.engine.quote(symbol);
      assert.ok(q.bid_price !== null && q.ask_price !== null, `${symbol} has both sides: ${JSON.stringify(q)}`);
      assert.ok(Number(q.bid_price) < Number(q.ask_price));
      assert.ok(trades.some((tr) => tr.symbol === symbol), `${symbol} traded`);
    }
    await deps.market.projector.sync();
    const app = createApp(deps);
    const user = await newUser({ venue, app, clock: new TestClock(), close: () => venue.close() });
    const bars = await call(app, 'GET', '/v1/market/AAPL/bars?timeframe=1Min', { headers: user.key });
    assert.equal(bars.status, 200);
    assert.equal(bars.body.bars.length, 1);
    assert.equal(bars.body.bars[0].n, trades.filter((tr) => tr.symbol === 'AAPL').length);
    // The demo users are ordinary accounts with positions from real fills.
    const accounts = await deps.db.query<{ email: string }>(`SELECT email FROM users WHERE email LIKE '%@demo.cift' ORDER BY email`);
    assert.deepEqual(accounts.map((a) => a.email), ['demo-maker@demo.cift', 'demo-trader-1@demo.cift', 'demo-trader-2@demo.cift']);
    // Starting it again reuses the accounts; stopping cancels the maker's quotes.
    const again = await startDemo(deps, { seed: 1, intervalMs: 0, traders: 2 });
    await again.tick();
    await again.stop();
    await venue.demo!.stop();
    const book = deps.engine.depth('AAPL', 50);
    assert.equal(book.bids.length + book.asks.length, 0, JSON.stringify(book));
  } finally {
    await venue.close();
  }
});

test('the same seed gives the same trades', async () => {
  const runs: string[][] = [];
  for (let i = 0; i < 2; i++) {
    const { venue, trades } = await demoVenue(11);
    try {
      for (let k = 0; k < 6; k++) await venue.demo!.tick();
      runs.push(trades.map((tr) => `${tr.symbol} ${tr.price} ${tr.size} ${tr.taker_side}`));
    } finally {
      await venue.close();
    }
  }
  assert.ok(runs[0].length > 0);
  assert.deepEqual(runs[1], runs[0]);
});
