// Market data over the embedded ClickHouse (chdb): bars rolled up from known
// trades (hand-computed), trades/quotes/L2 pages, latest trade and quote,
// snapshot, idempotent projection, and the error cases.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MarketProjector, type TradeMessage } from '../src/market/projector.ts';
import { call, newUser, testVenue, type TestUser, type TestVenue } from './helpers.ts';

let t: TestVenue;
let seller: TestUser;
let buyer: TestUser;
const published: TradeMessage[] = [];
const T0 = Date.UTC(2025, 0, 2, 15, 0, 0);

/** One trade of `qty` at `price` at time `ms`: a resting sell hit by a buy. */
async function trade(price: string, qty: string, ms: number, v: TestVenue = t, users: [TestUser, TestUser] = [seller, buyer]): Promise<void> {
  const [seller, buyer] = users;
  v.clock.ms = ms;
  const sell = await call(v.app, 'POST', '/v1/orders', { headers: seller.key, body: { symbol: 'AAPL', side: 'sell', type: 'limit', time_in_force: 'gtc', qty, limit_price: price } });
  assert.equal(sell.status, 200, JSON.stringify(sell.body));
  const buy = await call(v.app, 'POST', '/v1/orders', { headers: buyer.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'ioc', qty, limit_price: price } });
  assert.equal(buy.body.status, 'filled', JSON.stringify(buy.body));
}

const get = (path: string, user: TestUser = buyer) => call(t.app, 'GET', path, { headers: user.key });

before(async () => {
  t = await testVenue();
  seller = await newUser(t);
  buyer = await newUser(t);
  t.venue.deps.bus.subscribe('trades.*', (_s, m) => published.push(m as TradeMessage));
  await trade('100', '2', T0 + 5_000);
  await trade('102', '1', T0 + 40_000);
  await trade('99', '3', T0 + 70_000);
  await trade('101', '4', T0 + 180_000);
  await trade('105', '1', T0 + 390_000);
  // A resting bid and ask for quotes and depth.
  await call(t.app, 'POST', '/v1/orders', { headers: seller.key, body: { symbol: 'AAPL', side: 'sell', type: 'limit', time_in_force: 'gtc', qty: '7', limit_price: '106' } });
  await call(t.app, 'POST', '/v1/orders', { headers: buyer.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '5', limit_price: '98.5' } });
  await t.venue.deps.market.projector.sync();
});
let mainClosed = false;
after(() => (mainClosed ? undefined : t.close()));

const DAY = '&start=2025-01-02T00:00:00Z&end=2025-01-02T23:59:59Z';

describe('bars', () => {
  test('1Min bars are the hand-computed OHLCV, count and VWAP of each minute', async () => {
    const r = await get(`/v1/market/AAPL/bars?timeframe=1Min${DAY}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.next_page_token, null);
    assert.deepEqual(r.body.bars, [
      { t: '2025-01-02T15:00:00.000Z', o: '100', h: '102', l: '100', c: '102', v: '3', n: 2, vw: '100.66666667' },
      { t: '2025-01-02T15:01:00.000Z', o: '99', h: '99', l: '99', c: '99', v: '3', n: 1, vw: '99' },
      { t: '2025-01-02T15:03:00.000Z', o: '101', h: '101', l: '101', c: '101', v: '4', n: 1, vw: '101' },
      { t: '2025-01-02T15:06:00.000Z', o: '105', h: '105', l: '105', c: '105', v: '1', n: 1, vw: '105' },
    ]);
  });

  test('5Min, 15Min, 1Hour and 1Day roll the minute bars up', async () => {
    const five = await get(`/v1/market/AAPL/bars?timeframe=5Min${DAY}`);
    assert.deepEqual(five.body.bars, [
      { t: '2025-01-02T15:00:00.000Z', o: '100', h: '102', l: '99', c: '101', v: '10', n: 4, vw: '100.3' },
      { t: '2025-01-02T15:05:00.000Z', o: '105', h: '105', l: '105', c: '105', v: '1', n: 1, vw: '105' },
    ]);
    const all = { o: '100', h: '105', l: '99', c: '105', v: '11', n: 5, vw: '100.72727273' };
    for (const [tf, t0] of [
      ['15Min', '2025-01-02T15:00:00.000Z'],
      ['1Hour', '2025-01-02T15:00:00.000Z'],
      ['1Day', '2025-01-02T00:00:00.000Z'],
    ]) {
      const r = await get(`/v1/market/AAPL/bars?timeframe=${tf}${DAY}`);
      assert.equal(r.status, 200, tf);
      assert.deepEqual(r.body.bars, [{ t: t0, ...all }], tf);
    }
  });

  test('start and end bound the bar times (inclusive)', async () => {
    const r = await get('/v1/market/AAPL/bars?timeframe=1Min&start=2025-01-02T15:01:00Z&end=2025-01-02T15:03:00Z');
    assert.deepEqual(
      r.body.bars.map((b: { t: string }) => b.t),
      ['2025-01-02T15:01:00.000Z', '2025-01-02T15:03:00.000Z'],
    );
  });

  test('page_token pages through, ascending and descending', async () => {
    const first = await get(`/v1/market/AAPL/bars?timeframe=1Min&limit=3${DAY}`);
    assert.equal(first.body.bars.length, 3);
    assert.equal(typeof first.body.next_page_token, 'string');
    const second = await get(`/v1/market/AAPL/bars?timeframe=1Min&limit=3${DAY}&page_token=${first.body.next_page_token}`);
    assert.deepEqual(second.body.bars.map((b: { t: string }) => b.t), ['2025-01-02T15:06:00.000Z']);
    assert.equal(second.body.next_page_token, null);
    const desc = await get(`/v1/market/AAPL/bars?timeframe=1Min&limit=2&sort=desc${DAY}`);
    assert.deepEqual(desc.body.bars.map((b: { t: string }) => b.t), ['2025-01-02T15:06:00.000Z', '2025-01-02T15:03:00.000Z']);
    const desc2 = await get(`/v1/market/AAPL/bars?timeframe=1Min&limit=2&sort=desc${DAY}&page_token=${desc.body.next_page_token}`);
    assert.deepEqual(desc2.body.bars.map((b: { t: string }) => b.t), ['2025-01-02T15:01:00.000Z', '2025-01-02T15:00:00.000Z']);
    assert.equal(desc2.body.next_page_token, null);
  });

  test("defaults: 1Min from the start of the current UTC day to now; an end alone starts at its day's start", async () => {
    t.clock.ms = T0 + 600_000;
    const r = await get('/v1/market/AAPL/bars');
    assert.equal(r.body.timeframe, '1Min');
    assert.equal(r.body.bars.length, 4);
    t.clock.ms = Date.UTC(2025, 0, 3, 1, 0, 0);
    assert.deepEqual((await get('/v1/market/AAPL/bars')).body.bars, []);
    // An end alone names its own UTC day up to it (not a start of today after it, refused as "start" though none was sent).
    for (const p of ['bars', 'trades', 'quotes']) {
      const past = await get(`/v1/market/AAPL/${p}?end=2025-01-02T23:59:59Z`);
      assert.equal(past.status, 200, `${p}: ${JSON.stringify(past.body)}`);
      const whole = await get(`/v1/market/AAPL/${p}?${DAY.slice(1)}`);
      assert.deepEqual(past.body, whole.body, p);
    }
  });

  test('a symbol without trades has no bars', async () => {
    const r = await get(`/v1/market/BTC-USD/bars?timeframe=1Day${DAY}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.bars, []);
  });
});

describe('trades, quotes, L2 snapshots, snapshot', () => {
  test('trades page in order with ids, sizes and taker side', async () => {
    const first = await get(`/v1/market/AAPL/trades?limit=3${DAY}`);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.trades.map((x: { p: string; s: string; tks: string }) => [x.p, x.s, x.tks]),
      [
        ['100', '2', 'B'],
        ['102', '1', 'B'],
        ['99', '3', 'B'],
      ],
    );
    assert.equal(first.body.trades[0].t, '2025-01-02T15:00:05.000Z');
    const ids = first.body.trades.map((x: { i: number }) => x.i);
    assert.deepEqual([...ids].sort((a, b) => a - b), ids);
    const rest = await get(`/v1/market/AAPL/trades?limit=3${DAY}&page_token=${first.body.next_page_token}`);
    assert.deepEqual(rest.body.trades.map((x: { p: string }) => x.p), ['101', '105']);
    assert.equal(rest.body.next_page_token, null);
    const desc = await get(`/v1/market/AAPL/trades?limit=1&sort=desc${DAY}`);
    assert.equal(desc.body.trades[0].p, '105');
  });

  test('latest trade; null before the first', async () => {
    const r = await get('/v1/market/AAPL/trades/latest');
    assert.equal(r.body.trade.p, '105');
    assert.equal(r.body.trade.t, '2025-01-02T15:06:30.000Z');
    assert.deepEqual((await get('/v1/market/BTC-USD/trades/latest')).body, { symbol: 'BTC-USD', trade: null });
  });

  test('latest quote comes from the engine; stored quotes record each top-of-book change', async () => {
    const latest = await get('/v1/market/AAPL/quotes/latest');
    assert.equal(latest.status, 200);
    assert.deepEqual({ ...latest.body.quote, t: undefined }, { t: undefined, bp: '98.5', bs: '5', ap: '106', as: '7' });
    const stored = await get(`/v1/market/AAPL/quotes?limit=1000${DAY}`);
    assert.equal(stored.status, 200);
    const last = stored.body.quotes.at(-1);
    assert.deepEqual([last.bp, last.bs, last.ap, last.as], ['98.5', '5', '106', '7']);
    // Each trade above rested an ask (a quote) and then took it (another).
    assert.ok(stored.body.quotes.length >= 11, `quotes: ${stored.body.quotes.length}`);
    const page = await get(`/v1/market/AAPL/quotes?limit=4${DAY}`);
    const next = await get(`/v1/market/AAPL/quotes?limit=1000${DAY}&page_token=${page.body.next_page_token}`);
    assert.deepEqual([...page.body.quotes, ...next.body.quotes], stored.body.quotes);
  });

  test('L2 snapshots hold the projected book', async () => {
    const r = await get(`/v1/market/AAPL/orderbook/snapshots?sort=desc&limit=1${DAY}`);
    assert.equal(r.status, 200);
    const snap = r.body.snapshots[0];
    assert.deepEqual(snap.bids, [{ p: '98.5', s: '5', n: 1 }]);
    assert.deepEqual(snap.asks, [{ p: '106', s: '7', n: 1 }]);
    assert.deepEqual(snap.bids, (await get('/v1/market/AAPL/depth?levels=5')).body.bids.map((l: { price: string; size: string; orders: number }) => ({ p: l.price, s: l.size, n: l.orders })));
  });

  test('depth gives the top N levels from the engine', async () => {
    const r = await get('/v1/market/AAPL/depth?levels=1');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.asks, [{ price: '106', size: '7', orders: 1 }]);
  });

  test('snapshot: latest trade and quote, minute bar, daily bars', async () => {
    t.clock.ms = T0 + 600_000;
    const r = await get('/v1/market/AAPL/snapshot');
    assert.equal(r.status, 200);
    assert.equal(r.body.latestTrade.p, '105');
    assert.equal(r.body.latestQuote.bp, '98.5');
    assert.deepEqual(r.body.minuteBar, { t: '2025-01-02T15:06:00.000Z', o: '105', h: '105', l: '105', c: '105', v: '1', n: 1, vw: '105' });
    assert.equal(r.body.dailyBar.t, '2025-01-02T00:00:00.000Z');
    assert.equal(r.body.dailyBar.v, '11');
    assert.equal(r.body.prevDailyBar, null);
    const empty = await get('/v1/market/BTC-USD/snapshot');
    assert.deepEqual([empty.body.latestTrade, empty.body.minuteBar, empty.body.dailyBar], [null, null, null]);
  });
});

describe('projection is idempotent', { timeout: 20_000 }, () => {
  test('a re-delivered trade changes neither trades nor bars, also after a projector restart', async () => {
    const before = await get(`/v1/market/AAPL/bars?timeframe=1Day${DAY}`);
    const trades = (await get(`/v1/market/AAPL/trades?limit=1000${DAY}`)).body.trades.length;
    // A copy: the test's own subscription appends what is published again.
    const again = published.slice();
    assert.equal(again.length, 5);
    const { bus } = t.venue.deps;
    for (const m of again) bus.publish(`trades.${m.symbol}`, m);
    await t.venue.deps.market.projector.sync();
    // A fresh projector (as after a restart) loads the stored watermarks first.
    const market = t.venue.deps.market;
    const fresh = new MarketProjector({ ...t.venue.deps, store: market.store, data: market.data }, { flushMs: 0, l2SnapshotMs: 0 });
    await fresh.start();
    for (const m of again) bus.publish(`trades.${m.symbol}`, m);
    assert.equal(fresh.pending(), 0);
    await fresh.stop();
    assert.deepEqual((await get(`/v1/market/AAPL/bars?timeframe=1Day${DAY}`)).body, before.body);
    assert.equal((await get(`/v1/market/AAPL/trades?limit=1000${DAY}`)).body.trades.length, trades);
  });

  test('a new trade after the re-delivery is stored', async () => {
    await trade('103', '1', T0 + 400_000);
    await t.venue.deps.market.projector.sync();
    const r = await get(`/v1/market/AAPL/bars?timeframe=1Day${DAY}`);
    assert.equal(r.body.bars[0].v, '12');
    assert.equal(r.body.bars[0].c, '103');
  });

  test('a 1-minute bar a crash lost (trades stored, bar not) is rebuilt from the trades when the projector starts', async () => {
    const minutes = async () => (await get(`/v1/market/AAPL/bars?timeframe=1Min${DAY}`)).body.bars;
    const before = await minutes();
    assert.ok(before.length >= 2);
    // As if a crash had landed between a batch's trades and the bar the view makes of them: drop one minute's bar.
    const { store, data } = t.venue.deps.market;
    const lost = before.at(-1);
    await store.command(`ALTER TABLE ${store.database}.bars_1m DELETE WHERE minute = toDateTime({m:UInt32}, 'UTC') SETTINGS mutations_sync = 2`, {
      m: Date.parse(lost.t) / 1000,
    });
    assert.equal((await minutes()).length, before.length - 1);
    const fresh = new MarketProjector({ ...t.venue.deps, store, data }, { flushMs: 0, l2SnapshotMs: 0 });
    await fresh.start();
    await fresh.stop();
    assert.deepEqual(await minutes(), before);
    // Nothing left to rebuild: a second start changes nothing.
    assert.deepEqual(await data.repairBars(), []);
  });
});

/** A page token with the given contents (tokens are base64url JSON). */
const token = (c: object): string => Buffer.from(JSON.stringify(c)).toString('base64url');

describe('errors', () => {
  const cases: [string, number, string | undefined][] = [
    ['/v1/market/AAPL/bars?timeframe=2Week', 422, 'timeframe'],
    ['/v1/market/AAPL/bars?timeframe=60Min', 422, 'timeframe'],
    ['/v1/market/AAPL/bars?timeframe=2Day', 422, 'timeframe'],
    ['/v1/market/AAPL/bars?limit=0', 422, 'limit'],
    ['/v1/market/AAPL/bars?limit=10001', 422, 'limit'],
    ['/v1/market/AAPL/bars?limit=abc', 422, 'limit'],
    ['/v1/market/AAPL/bars?start=yesterday', 422, 'start'],
    ['/v1/market/AAPL/bars?start=2025-01-03T00:00:00Z&end=2025-01-02T00:00:00Z', 422, 'start'],
    ['/v1/market/AAPL/bars?sort=up', 422, 'sort'],
    ['/v1/market/AAPL/bars?page_token=garbage', 422, 'page_token'],
    ['/v1/market/AAPL/bars?symbols=AAPL', 422, 'symbols'],
    ['/v1/market/AAPL/trades?page_token=%7B%7D', 422, 'page_token'],
    [`/v1/market/AAPL/trades?page_token=${token({ k: 'trades', a: -9e15, b: 1 })}`, 422, 'page_token'],
    [`/v1/market/AAPL/trades?page_token=${token({ k: 'trades', a: 1, b: -1 })}`, 422, 'page_token'],
    [`/v1/market/AAPL/quotes?page_token=${token({ k: 'quotes', a: 1 })}`, 422, 'page_token'],
    [`/v1/market/AAPL/orderbook/snapshots?page_token=${token({ k: 'l2', a: 1.5 })}`, 422, 'page_token'],
    ['/v1/market/AAPL/quotes?end=2025-13-45', 422, 'end'],
    ['/v1/market/AAPL/orderbook/snapshots?limit=-1', 422, 'limit'],
    ['/v1/market/aapl/bars', 422, 'symbol'],
    ['/v1/market/NOPE/bars', 404, undefined],
    ['/v1/market/NOPE/trades', 404, undefined],
    ['/v1/market/NOPE/trades/latest', 404, undefined],
    ['/v1/market/NOPE/quotes', 404, undefined],
    ['/v1/market/NOPE/quotes/latest', 404, undefined],
    ['/v1/market/NOPE/orderbook/snapshots', 404, undefined],
    ['/v1/market/NOPE/snapshot', 404, undefined],
  ];
  for (const [path, status, field] of cases) {
    test(`${path} → ${status}${field ? ` naming ${field}` : ''}`, async () => {
      const r = await get(path);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(typeof r.body.error.message, 'string');
      assert.equal(typeof r.body.error.requestId, 'string');
      if (field) assert.equal(r.body.error.field, field);
    });
  }

  test('ranges beyond what the tables hold (before 1970, after 2105) are cut to it, never a 500', async () => {
    const wide = 'start=1900-01-01T00:00:00Z&end=9999-12-31T00:00:00Z';
    assert.ok((await get(`/v1/market/AAPL/bars?timeframe=1Min&${wide}`)).body.bars.length >= 4);
    const day = (await get(`/v1/market/AAPL/bars?timeframe=1Day${DAY}`)).body.bars;
    assert.deepEqual((await get(`/v1/market/AAPL/bars?timeframe=1Day&start=2025-01-02&end=2200-01-01`)).body.bars, day);
    for (const p of ['trades', 'quotes', 'orderbook/snapshots']) {
      const all = await get(`/v1/market/AAPL/${p}?${wide}`);
      assert.equal(all.status, 200, p);
      const key = p === 'orderbook/snapshots' ? 'snapshots' : p;
      assert.ok(all.body[key].length > 0, p);
      const later = await get(`/v1/market/AAPL/${p}?start=2300-01-01&end=2400-01-01`);
      assert.equal(later.status, 200, p);
      assert.deepEqual(later.body[key], [], p);
    }
  });

  test('a token of another kind or timeframe is refused', async () => {
    const bars = await get(`/v1/market/AAPL/bars?timeframe=1Min&limit=1${DAY}`);
    const token = bars.body.next_page_token;
    assert.equal((await get(`/v1/market/AAPL/bars?timeframe=5Min${DAY}&page_token=${token}`)).body.error.field, 'page_token');
    assert.equal((await get(`/v1/market/AAPL/trades?page_token=${token}`)).body.error.field, 'page_token');
  });

  test('every market-data route needs credentials', async () => {
    for (const p of ['bars', 'trades', 'trades/latest', 'quotes', 'quotes/latest', 'orderbook/snapshots', 'snapshot']) {
      const r = await call(t.app, 'GET', `/v1/market/AAPL/${p}`);
      assert.equal(r.status, 401, p);
      assert.equal(r.body.error.code, 'unauthorized');
    }
  });
});

test('market data persists in the data directory across a restart', { timeout: 120_000 }, async () => {
  // chdb binds one data directory per process: the in-memory venue goes first.
  await t.close();
  mainClosed = true;
  const dataDir = mkdtempSync(join(tmpdir(), 'cift-md-'));
  let v = await testVenue({ dataDir });
  try {
    const users: [TestUser, TestUser] = [await newUser(v), await newUser(v)];
    const bars = async (tf: string) => (await call(v.app, 'GET', `/v1/market/AAPL/bars?timeframe=${tf}${DAY}`, { headers: users[1].key })).body;
    await trade('100', '2', T0 + 5_000, v, users);
    await v.venue.deps.market.projector.sync();
    const before = await bars('1Day');
    assert.equal(before.bars[0].v, '2');
    await v.close();
    v = await testVenue({ dataDir });
    assert.deepEqual(await bars('1Day'), before);
    await trade('101', '3', T0 + 65_000, v, users);
    await v.venue.deps.market.projector.sync();
    assert.deepEqual(
      (await bars('1Min')).bars.map((b: { c: string; v: string }) => [b.c, b.v]),
      [
        ['100', '2'],
        ['101', '3'],
      ],
    );
  } finally {
    await v.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
