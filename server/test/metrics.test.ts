// GET /metrics: Prometheus text with request latency per route pattern, engine
// latency, orders, fills, rejects by reason, and open stream connections.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, newUser, testVenue, type TestUser, type TestVenue } from './helpers.ts';

let t: TestVenue;
let alice: TestUser;
let bob: TestUser;
before(async () => {
  t = await testVenue();
  alice = await newUser(t);
  bob = await newUser(t);
});
after(() => t.close());

/** The value of one sample line (metric name with its labels), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{\s]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const have = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[2]);
  }
  return undefined;
}

const metrics = async (): Promise<string> => {
  const res = await t.app.request('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  return res.text();
};

test('orders, fills, rejects by reason, engine and request latency are counted', async () => {
  const order = (side: string, qty: string, price: string, extra: object = {}) => ({ symbol: 'AAPL', side, type: 'limit', time_in_force: 'gtc', qty, limit_price: price, ...extra });
  assert.equal((await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: order('sell', '2', '20') })).status, 200);
  assert.equal((await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('buy', '2', '20') })).body.status, 'filled');
  // A post-only order that would take: rejected by the engine.
  await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: order('sell', '1', '10') });
  const postOnly = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('buy', '1', '10', { post_only: true }) });
  assert.equal(postOnly.status, 422);
  // Off the tick grid: rejected before the engine runs it.
  const offGrid = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('buy', '1', '10.001') });
  assert.equal(offGrid.status, 422);
  await call(t.app, 'GET', '/v1/market/AAPL/bars', { headers: bob.key });
  await call(t.app, 'GET', '/v1/market/AAPL/bars', { headers: bob.key });
  await call(t.app, 'GET', '/v1/no/such/route');

  const text = await metrics();
  assert.equal(sample(text, 'cift_orders_total', { symbol: 'AAPL', side: 'sell', type: 'limit' }), 2);
  assert.equal(sample(text, 'cift_orders_total', { symbol: 'AAPL', side: 'buy', type: 'limit' }), 1);
  assert.equal(sample(text, 'cift_fills_total', { symbol: 'AAPL' }), 1);
  assert.equal(sample(text, 'cift_order_rejects_total', { reason: 'post_only_would_take' }), 1);
  assert.equal(offGrid.body.error.code, 'off_grid');
  assert.equal(sample(text, 'cift_order_rejects_total', { reason: 'off_grid' }), 1);
  assert.equal(sample(text, 'cift_engine_operation_duration_seconds_count', { operation: 'placeOrder', outcome: 'ok' }), 3);
  assert.equal(sample(text, 'cift_http_request_duration_seconds_count', { method: 'GET', route: '/v1/market/:symbol/bars', status: '200' }), 2);
  assert.equal(sample(text, 'cift_http_request_duration_seconds_count', { method: 'POST', route: '/v1/orders', status: '422' }), 2);
  assert.equal(sample(text, 'cift_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' }), 1);
  assert.equal(sample(text, 'cift_stream_connections', { transport: 'sse' }) ?? 0, 0);
});

test('open stream connections are a gauge', async () => {
  const res = await t.app.request('/v1/stream/sse?trades=AAPL', { headers: alice.key });
  const reader = res.body!.getReader();
  await reader.read();
  assert.equal(sample(await metrics(), 'cift_stream_connections', { transport: 'sse' }), 1);
  await reader.cancel();
  assert.equal(sample(await metrics(), 'cift_stream_connections', { transport: 'sse' }), 0);
});

test('test venues run no demo market', async () => {
  assert.equal(t.venue.demo, undefined);
  assert.deepEqual(await t.venue.deps.db.query(`SELECT email FROM users WHERE email LIKE '%@demo.cift'`), []);
});

test('market store writes are counted', async () => {
  await t.venue.deps.market.projector.sync();
  const text = await metrics();
  assert.equal(sample(text, 'cift_market_rows_total', { table: 'trades' }), 1);
  assert.ok((sample(text, 'cift_market_rows_total', { table: 'quotes' }) ?? 0) >= 2);
});
