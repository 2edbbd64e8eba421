// Multi-symbol market data: bars across symbols (paged by one limit), latest
// trades and quotes, snapshots — each equal to the single-symbol routes — and
// the 422s naming `symbols`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MAX_SYMBOLS } from '../src/routes/marketdata-multi.ts';
import { call, newUser, testVenue, type TestUser, type TestVenue } from './helpers.ts';

let t: TestVenue;
let seller: TestUser;
let buyer: TestUser;
const T0 = Date.UTC(2025, 0, 2, 15, 0, 0);

async function trade(symbol: string, price: string, qty: string, ms: number): Promise<void> {
  t.clock.ms = ms;
  const sell = await call(t.app, 'POST', '/v1/orders', { headers: seller.key, body: { symbol, side: 'sell', type: 'limit', time_in_force: 'gtc', qty, limit_price: price } });
  assert.equal(sell.status, 200, JSON.stringify(sell.body));
  const buy = await call(t.app, 'POST', '/v1/orders', { headers: buyer.key, body: { symbol, side: 'buy', type: 'limit', time_in_force: 'ioc', qty, limit_price: price } });
  assert.equal(buy.body.status, 'filled', JSON.stringify(buy.body));
}
const get = (path: string) => call(t.app, 'GET', path, { headers: buyer.key });
const DAY = '&start=2025-01-02T00:00:00Z&end=2025-01-02T23:59:59Z';

before(async () => {
  t = await testVenue();
  seller = await newUser(t);
  buyer = await newUser(t);
  await trade('AAPL', '100', '2', T0 + 5_000);
  await trade('BTC-USD', '40000', '0.5', T0 + 20_000);
  await trade('AAPL', '101', '1', T0 + 70_000);
  await trade('AAPL', '99', '3', T0 + 130_000);
  await trade('BTC-USD', '40100.5', '0.25', T0 + 140_000);
  await call(t.app, 'POST', '/v1/orders', { headers: buyer.key, body: { symbol: 'BTC-USD', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '39000' } });
  await t.venue.deps.market.projector.sync();
});
after(() => t.close());

test('bars of several symbols equal each symbol’s own bars, keyed by symbol', async () => {
  const r = await get(`/v1/market/bars?symbols=BTC-USD,AAPL&timeframe=1Min${DAY}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.timeframe, '1Min');
  assert.equal(r.body.next_page_token, null);
  assert.deepEqual(Object.keys(r.body.bars), ['AAPL', 'BTC-USD']);
  for (const symbol of ['AAPL', 'BTC-USD']) {
    const one = await get(`/v1/market/${symbol}/bars?timeframe=1Min${DAY}`);
    assert.deepEqual(r.body.bars[symbol], one.body.bars, symbol);
  }
  assert.equal(r.body.bars.AAPL.length, 3);
  assert.equal(r.body.bars['BTC-USD'].length, 2);
});

test('limit counts bars across symbols; page_token walks every bar once, in order', async () => {
  const all = await get(`/v1/market/bars?symbols=AAPL,BTC-USD&timeframe=1Min${DAY}`);
  const expected = Object.entries(all.body.bars as Record<string, { t: string }[]>).flatMap(([s, bars]) => bars.map((b) => `${s}@${b.t}`));
  for (const limit of [1, 2, 3]) {
    const seen: string[] = [];
    let token: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const r = await get(`/v1/market/bars?symbols=AAPL,BTC-USD&timeframe=1Min&limit=${limit}${DAY}${token ? `&page_token=${token}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const items = Object.entries(r.body.bars as Record<string, { t: string }[]>).flatMap(([s, bars]) => bars.map((b) => `${s}@${b.t}`));
      assert.ok(items.length <= limit);
      seen.push(...items);
      token = r.body.next_page_token;
      if (token === null) break;
    }
    assert.deepEqual(seen, expected, `limit ${limit}`);
  }
  const desc = await get(`/v1/market/bars?symbols=AAPL&timeframe=1Min&sort=desc${DAY}`);
  assert.deepEqual(desc.body.bars.AAPL.map((b: { t: string }) => b.t), [...all.body.bars.AAPL].reverse().map((b: { t: string }) => b.t));
});

test('latest trades, latest quotes and snapshots per symbol equal the single-symbol routes', async () => {
  const trades = await get('/v1/market/trades/latest?symbols=AAPL,BTC-USD');
  assert.equal(trades.status, 200);
  const quotes = await get('/v1/market/quotes/latest?symbols=AAPL,BTC-USD');
  assert.equal(quotes.status, 200);
  const snaps = await get('/v1/market/snapshots?symbols=BTC-USD,AAPL');
  assert.equal(snaps.status, 200);
  for (const symbol of ['AAPL', 'BTC-USD']) {
    assert.deepEqual(trades.body.trades[symbol], (await get(`/v1/market/${symbol}/trades/latest`)).body.trade, symbol);
    assert.deepEqual(quotes.body.quotes[symbol], (await get(`/v1/market/${symbol}/quotes/latest`)).body.quote, symbol);
    assert.deepEqual(snaps.body.snapshots[symbol], (await get(`/v1/market/${symbol}/snapshot`)).body, symbol);
  }
  assert.equal(trades.body.trades.AAPL.p, '99');
  assert.equal(trades.body.trades['BTC-USD'].p, '40100.5');
  assert.equal(quotes.body.quotes['BTC-USD'].bp, '39000');
  assert.equal(snaps.body.snapshots.AAPL.latestTrade.p, '99');
});

test('bad, unknown, empty or too many symbols are 422 naming symbols; other bad input names its field', async () => {
  const cases: [string, string, string][] = [
    ['/v1/market/quotes/latest', 'symbols', 'missing_field'],
    ['/v1/market/quotes/latest?symbols=AAPL,NOPE', 'symbols', 'unknown_symbol'],
    ['/v1/market/trades/latest?symbols=AAPL,,BTC-USD', 'symbols', 'invalid'],
    ['/v1/market/snapshots?symbols=', 'symbols', 'invalid'],
    ['/v1/market/snapshots?symbols=AAPL,%20', 'symbols', 'invalid'],
    [`/v1/market/snapshots?symbols=${Array.from({ length: MAX_SYMBOLS + 1 }, (_, i) => `S${i}`).join(',')}`, 'symbols', 'invalid'],
    ['/v1/market/bars?symbols=AAPL,aapl', 'symbols', 'unknown_symbol'],
    ['/v1/market/bars?symbols=AAPL&timeframe=7Week', 'timeframe', 'invalid'],
    ['/v1/market/bars?symbols=AAPL&limit=0', 'limit', 'invalid'],
    ['/v1/market/bars?symbols=AAPL&page_token=garbage', 'page_token', 'invalid'],
    [`/v1/market/bars?symbols=AAPL&page_token=${Buffer.from(JSON.stringify({ s: 'BTC-USD', t: null })).toString('base64url')}`, 'page_token', 'invalid'],
    ['/v1/market/bars?symbols=AAPL&start=2025-01-03T00:00:00Z&end=2025-01-02T00:00:00Z', 'start', 'invalid'],
    ['/v1/market/bars?symbols=AAPL&bogus=1', 'bogus', 'unknown_field'],
  ];
  for (const [path, field, code] of cases) {
    const r = await get(path);
    assert.equal(r.status, 422, `${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.field, field, path);
    assert.equal(r.body.error.code, code, path);
    assert.equal(typeof r.body.error.requestId, 'string');
  }
  // Spaces around an entry are dropped.
  const spaced = await get('/v1/market/quotes/latest?symbols=%20AAPL%20,BTC-USD');
  assert.equal(spaced.status, 200, JSON.stringify(spaced.body));
  assert.deepEqual(Object.keys(spaced.body.quotes).sort(), ['AAPL', 'BTC-USD']);
  const anon = await call(t.app, 'GET', '/v1/market/quotes/latest?symbols=AAPL');
  assert.equal(anon.status, 401);
  assert.equal(anon.body.error.code, 'unauthorized');
});

test('the multi-symbol routes are in the OpenAPI document', async () => {
  const doc = await call(t.app, 'GET', '/openapi.json');
  for (const p of ['/v1/market/bars', '/v1/market/trades/latest', '/v1/market/quotes/latest', '/v1/market/snapshots']) {
    assert.ok(doc.body.paths[p]?.get, p);
    assert.ok(doc.body.paths[p].get.parameters.some((x: { name: string }) => x.name === 'symbols'), p);
  }
  assert.ok(doc.body.components.schemas.MultiBars);
});
