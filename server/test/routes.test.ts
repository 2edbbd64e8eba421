// The remaining routes' happy paths: OpenAPI/docs, cash, portfolio history,
// positions close, order types (iceberg, post-only, stop, fok, gtd, day), admin reads.
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { after, before, test } from 'node:test';
import { call, newUser, testVenue, type TestUser, type TestVenue } from './helpers.ts';

let t: TestVenue;
let a: TestUser;
let b: TestUser;
let admin: TestUser;
before(async () => {
  t = await testVenue();
  a = await newUser(t);
  b = await newUser(t);
  admin = await newUser(t, { admin: true });
});
after(() => t.close());

/** A validator of each named schema of the OpenAPI document `doc` (ajv, JSON Schema 2020-12). */
function publishedSchemas(doc: object) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc, 'openapi');
  return (name: string) => {
    const v = ajv.getSchema(`openapi#/components/schemas/${name}`);
    assert.ok(v, name);
    return v;
  };
}

const place = (u: TestUser, body: object) => call(t.app, 'POST', '/v1/orders', { headers: u.key, body: { symbol: 'AAPL', time_in_force: 'gtc', type: 'limit', ...body } });

test('/openapi.json is an OpenAPI 3.1 document of the routes; /docs serves Swagger UI', async () => {
  const doc = await call(t.app, 'GET', '/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.1.0');
  for (const p of ['/v1/orders', '/v1/orders/{order_id}', '/v1/positions/{symbol}', '/v1/account/activities', '/v1/instruments', '/v1/auth/login']) {
    assert.ok(doc.body.paths[p], p);
  }
  assert.ok(doc.body.components.schemas.Order);
  assert.ok(doc.body.components.schemas.Error);
  // Every POST, PUT and PATCH lists the body check's answers, those without a body schema (logout) too.
  for (const [path, item] of Object.entries(doc.body.paths as Record<string, Record<string, { responses: object }>>)) {
    for (const method of ['post', 'put', 'patch'].filter((m) => path.startsWith('/v1/') && item[m])) {
      assert.ok('413' in item[method].responses && '415' in item[method].responses, `${method} ${path}`);
    }
  }
  const docs = await t.app.request('/docs');
  assert.equal(docs.status, 200);
  assert.match(await docs.text(), /swagger/i);
});

test('the OpenAPI document means what the server does: patterns compile unflagged, null answers validate', async () => {
  const doc = (await call(t.app, 'GET', '/openapi.json')).body;
  // Every pattern is published as its source alone, so it must not rely on a flag.
  const patterns: string[] = [];
  JSON.stringify(doc, (k, v) => (k === 'pattern' && typeof v === 'string' ? (patterns.push(v), v) : v));
  assert.ok(patterns.length > 0);
  for (const p of patterns) assert.doesNotThrow(() => new RegExp(p), p);
  const schema = publishedSchemas(doc);
  // client_order_id's published pattern refuses what the server refuses, and takes ordinary text.
  const newOrder = schema('NewOrder');
  const body = { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '10' };
  assert.ok(newOrder({ ...body, client_order_id: 'bot-7 ✓' }), JSON.stringify(newOrder.errors));
  assert.ok(!newOrder({ ...body, client_order_id: 'a\u0000b' }));
  // Decimals: strings of digits, or JSON numbers the server takes as their decimal text.
  for (const qty of ['10.5', 2, 0.25]) assert.ok(newOrder({ ...body, qty }), JSON.stringify([qty, newOrder.errors]));
  for (const qty of ['1e3', '-1', 'ten', -1, '0', '0.000', 0]) assert.ok(!newOrder({ ...body, qty }), JSON.stringify(qty));
  for (const qty of ['0.001', '10', '00.5']) assert.ok(newOrder({ ...body, qty }), JSON.stringify(qty));
  // Limits take 0 (no limit).
  const none = { max_order_qty: '0', max_order_notional: '0', max_gross_exposure: '0', max_open_orders: 0, orders_per_second: 0, shorting_enabled: true };
  assert.ok(schema('RiskLimits')(none), JSON.stringify(schema('RiskLimits').errors));
  // A body that {} satisfies may be left out, and is published so; one with a required field is required.
  const bodyRequired = Object.entries<Record<string, { requestBody?: { required: boolean } }>>(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, op]) => (op.requestBody ? [`${method} ${path} ${op.requestBody.required}`] : [])));
  for (const optional of ['post /v1/auth/keys', 'patch /v1/instruments/{symbol}', 'post /v1/admin/session_end']) assert.ok(bodyRequired.includes(`${optional} false`), optional);
  for (const required of ['post /v1/orders', 'patch /v1/orders/{order_id}', 'post /v1/account/deposits']) assert.ok(bodyRequired.includes(`${required} true`), required);
  const bodiless = await call(t.app, 'POST', '/v1/auth/keys', { headers: a.key });
  assert.equal(bodiless.status, 201, JSON.stringify(bodiless.body));
  assert.deepEqual(bodiless.body.scopes, ['read', 'trade']);
  // A replace names qty, limit_price or both, as the server requires.
  const replace = schema('ReplaceOrder');
  for (const ok of [{ qty: '2' }, { limit_price: '11' }, { qty: '2', limit_price: '11', client_order_id: 'r1' }]) assert.ok(replace(ok), JSON.stringify(ok));
  for (const bad of [{}, { client_order_id: 'r1' }]) assert.ok(!replace(bad), JSON.stringify(bad));
  // Query timestamps: the published pattern bounds every field the server checks but a day past its month's end.
  const after = new RegExp(doc.paths['/v1/orders'].get.parameters.find((p: { name: string }) => p.name === 'after').schema.pattern);
  for (const ok of ['2025-01-02', '2025-01-02T15:04:05.5+05:30', '9999-12-31t23:59z']) assert.ok(after.test(ok), ok);
  for (const bad of ['2024-34-05', '2024-01-01T24:00', '0000-01-01', '2024-01-01T10:00+24:00', '2024-01-01 (x)']) assert.ok(!after.test(bad), bad);
  // The widest offsets taken are ones every store reads (PostgreSQL's end at ±15:59).
  for (const path of ['/v1/account/activities/CSW?after=9999-12-31T23:59:59-15:59', '/v1/orders?status=all&until=0001-01-01T00:00%2B15:59',
    '/v1/market/AAPL/bars?start=2024-01-01T00:00%2B15:00&end=2024-01-02T00:00-15:00']) {
    const r = await call(t.app, 'GET', path, { headers: a.key });
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  }
  const spoken = await call(t.app, 'POST', '/v1/orders', { headers: a.key, body: { ...body, qty: 'ten' } });
  assert.deepEqual([spoken.status, spoken.body.error.field], [422, 'qty']);
  // A snapshot of an instrument that has not traded: its trade and bars are null, as published.
  const snap = await call(t.app, 'GET', '/v1/market/BTC-USD/snapshot', { headers: a.key });
  assert.equal(snap.status, 200, JSON.stringify(snap.body));
  assert.equal(snap.body.latestTrade, null);
  const snapshot = schema('Snapshot');
  assert.ok(snapshot(snap.body), JSON.stringify(snapshot.errors));
});

test('the largest deposit the engine keeps exactly is taken', async () => {
  const rich = await newUser(t);
  const r = await call(t.app, 'POST', '/v1/account/deposits', { headers: rich.key, body: { amount: '90071992.54' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.amount, '90071992.54');
});

test('deposits and withdrawals move cash and show up as activities', async () => {
  const d = await call(t.app, 'POST', '/v1/account/deposits', { headers: a.key, body: { amount: '250.5' } });
  assert.equal(d.status, 201);
  assert.equal(d.body.cash_after, '100250.5');
  const w = await call(t.app, 'POST', '/v1/account/withdrawals', { headers: a.key, body: { amount: '0.5' } });
  assert.equal(w.body.cash_after, '100250');
  const tooMuch = await call(t.app, 'POST', '/v1/account/withdrawals', { headers: a.key, body: { amount: '1000000' } });
  assert.equal(tooMuch.status, 403);
  const acts = await call(t.app, 'GET', '/v1/account/activities?activity_types=CSD,CSW&direction=asc', { headers: a.key });
  assert.deepEqual(acts.body.activities.map((x: { activity_type: string; net_amount: string }) => [x.activity_type, x.net_amount]), [['CSD', '100000'], ['CSD', '250.5'], ['CSW', '-0.5']]);
  const page = await call(t.app, 'GET', '/v1/account/activities?page_size=1', { headers: a.key });
  assert.equal(page.body.activities.length, 1);
  const next = await call(t.app, 'GET', `/v1/account/activities?page_size=1&page_token=${page.body.next_page_token}`, { headers: a.key });
  assert.notEqual(next.body.activities[0].id, page.body.activities[0].id);
});

test('portfolio history: the points an account has at one instant answer as the last of them, for every timeframe', async () => {
  // Run before the other trading tests: the book holds nothing these orders could meet but each other.
  const c = await newUser(t);
  const d = await newUser(t);
  t.clock.advance(7_000);
  for (const price of ['20', '22', '24']) assert.equal((await place(c, { side: 'sell', qty: '1', limit_price: price })).status, 200);
  // Three buys at one instant, sent together so they tend to share a projection: d's equity moves with each fill.
  const buys = await Promise.all([0, 1, 2].map(() => place(d, { side: 'buy', qty: '1', limit_price: '24' })));
  assert.deepEqual(buys.map((r) => r.status), [200, 200, 200]);
  const now = new Date(t.clock.now()).toISOString();
  const equity = (await call(t.app, 'GET', '/v1/account', { headers: d.key })).body.equity;
  await t.venue.deps.engine.settled();
  const stored = await t.venue.deps.db.query<{ equity: string }>(
    'SELECT equity::text FROM equity_history WHERE account_id = $1 AND ts = $2 ORDER BY event_seq DESC',
    [d.accountId, now],
  );
  assert.ok(stored.length >= 1, 'equity points stored at that instant');
  assert.equal(Number(stored[0].equity), Number(equity), 'the last point stored is the account equity');
  for (const timeframe of ['1Min', '5Min', '15Min', '1H', '1D']) {
    for (const range of ['', `&end=${now}`, `&start=${now}&end=${now}`]) {
      const hist = await call(t.app, 'GET', `/v1/account/portfolio/history?timeframe=${timeframe}${range}`, { headers: d.key });
      assert.equal(hist.status, 200);
      assert.equal(hist.body.equity.at(-1), equity, `${timeframe}${range}`);
    }
  }
});

test('positions close one and all; portfolio history follows equity', async () => {
  await place(b, { side: 'sell', qty: '10', limit_price: '20' });
  await place(a, { side: 'buy', qty: '10', limit_price: '20' });
  t.clock.advance(120_000);
  await place(b, { side: 'buy', qty: '10', limit_price: '21' });
  const half = await call(t.app, 'DELETE', '/v1/positions/AAPL?qty=4', { headers: a.key });
  assert.equal(half.status, 200, JSON.stringify(half.body));
  assert.equal(half.body.side, 'sell');
  assert.equal(half.body.filled_qty, '4');
  assert.equal((await call(t.app, 'GET', '/v1/positions/AAPL', { headers: a.key })).body.qty, '6');
  const all = await call(t.app, 'DELETE', '/v1/positions', { headers: a.key });
  assert.equal(all.status, 207);
  assert.equal(all.body[0].symbol, 'AAPL');
  assert.equal(all.body[0].status, 200);
  assert.equal((await call(t.app, 'GET', '/v1/positions/AAPL', { headers: a.key })).status, 404);
  const hist = await call(t.app, 'GET', '/v1/account/portfolio/history?timeframe=1Min', { headers: a.key });
  assert.equal(hist.status, 200);
  assert.ok(hist.body.timestamp.length >= 2);
  assert.equal(hist.body.equity.length, hist.body.timestamp.length);
  assert.equal(hist.body.equity.at(-1), '100260'); // 100250 + 10 × (21 − 20)
});

test('order types: iceberg shows its display size; post-only that would take is 422; fok that cannot fill is canceled', async () => {
  const ice = await place(a, { side: 'sell', qty: '50', limit_price: '30', display_qty: '5' });
  assert.equal(ice.body.display_qty, '5');
  const depth = await call(t.app, 'GET', '/v1/market/AAPL/depth?levels=5', { headers: a.key });
  assert.deepEqual(depth.body.asks[0], { price: '30', size: '5', orders: 1 });
  const taking = await place(b, { side: 'buy', qty: '1', limit_price: '30', post_only: true });
  assert.equal(taking.status, 422);
  assert.equal(taking.body.error.code, 'post_only_would_take');
  const fok = await place(b, { side: 'buy', qty: '60', limit_price: '30', time_in_force: 'fok' });
  assert.equal(fok.body.status, 'canceled');
  assert.equal(fok.body.filled_qty, '0');
  const quote = await call(t.app, 'GET', '/v1/market/AAPL/quote', { headers: a.key });
  assert.equal(quote.body.ask_price, '30');
  assert.equal(quote.body.ask_size, '5');
  await call(t.app, 'DELETE', `/v1/orders/${ice.body.id}`, { headers: a.key });
});

test('a stop triggers on a trade through its price', async () => {
  const stop = await call(t.app, 'POST', '/v1/orders', { headers: a.key, body: { symbol: 'AAPL', side: 'buy', type: 'stop', time_in_force: 'gtc', qty: '1', stop_price: '40' } });
  assert.equal(stop.body.status, 'new');
  await place(b, { side: 'sell', qty: '5', limit_price: '40' });
  await place(admin, { side: 'buy', qty: '1', limit_price: '40' }); // last trade 40 → the stop buys
  const after = await call(t.app, 'GET', `/v1/orders/${stop.body.id}`, { headers: a.key });
  assert.equal(after.body.status, 'filled');
  assert.equal(after.body.filled_avg_price, '40');
  await call(t.app, 'DELETE', '/v1/orders', { headers: b.key });
});

test('gtd orders expire at expire_at; day orders at session end', async () => {
  const expireAt = new Date(t.clock.now() + 60_000).toISOString();
  const gtd = await place(a, { side: 'buy', qty: '1', limit_price: '1', time_in_force: 'gtd', expire_at: expireAt });
  assert.equal(gtd.body.status, 'new');
  const day = await place(a, { side: 'buy', qty: '1', limit_price: '1', time_in_force: 'day' });
  t.clock.advance(61_000);
  // The next command after the expiry expires it (an idle venue's timer would too).
  await t.venue.deps.engine.endSession('AAPL');
  const g = await call(t.app, 'GET', `/v1/orders/${gtd.body.id}`, { headers: a.key });
  const d = await call(t.app, 'GET', `/v1/orders/${day.body.id}`, { headers: a.key });
  assert.equal(d.body.status, 'expired');
  assert.equal(g.body.status, 'expired');
  assert.ok(g.body.expired_at);
  const se = await call(t.app, 'POST', '/v1/admin/session_end', { headers: admin.key, body: {} });
  assert.equal(se.status, 204);
});

test('a JSON number in exponent form is read as its decimal: 1e-7 is 0.0000001, 1e21 is too large, not malformed', async () => {
  const limits = { max_order_qty: '0', max_gross_exposure: '0', max_open_orders: 0, orders_per_second: 0, shorting_enabled: true };
  const put = (notional: unknown) => call(t.app, 'PUT', `/v1/admin/accounts/${a.accountId}/limits`, { headers: admin.key, body: { ...limits, max_order_notional: notional } });
  const asNumber = await put(1e-7);
  assert.equal(asNumber.status, 200, JSON.stringify(asNumber.body));
  const asText = await put('0.0000001');
  assert.deepEqual(asNumber.body, asText.body);
  const big = await call(t.app, 'POST', '/v1/account/deposits', { headers: a.key, body: { amount: 1e21 } });
  assert.deepEqual([big.status, big.body.error.field], [422, 'amount']);
  assert.match(big.body.error.message, /too large/);
  assert.equal((await put('0')).status, 200);
});

test('admin lists accounts; instruments list and get', async () => {
  const accts = await call(t.app, 'GET', '/v1/admin/accounts', { headers: admin.key });
  assert.ok(accts.body.length >= 3);
  assert.ok(accts.body.some((x: { id: string }) => x.id === a.accountId));
  // Each account's cash is the engine's, as the account route reports it.
  const mine = accts.body.find((x: { id: string }) => x.id === a.accountId);
  assert.equal(mine.cash, (await call(t.app, 'GET', '/v1/account', { headers: a.key })).body.cash);
  const list = await call(t.app, 'GET', '/v1/instruments', { headers: a.key });
  assert.deepEqual(list.body.map((i: { symbol: string }) => i.symbol).sort(), ['AAPL', 'BTC-USD']);
  const btc = await call(t.app, 'GET', '/v1/instruments/BTC-USD', { headers: a.key });
  assert.equal(btc.body.lot_size, '0.001');
  assert.equal(btc.body.maker_fee_bps, '-1');
});

test('fee rates are ±10000 bps at most, as published; the bounds themselves are taken', async () => {
  const patch = publishedSchemas((await call(t.app, 'GET', '/openapi.json')).body)('InstrumentPatch');
  for (const bps of ['10000', '-10000.00', '9999.99', '0.5']) {
    assert.ok(patch({ maker_fee_bps: bps }), bps);
    const r = await call(t.app, 'PATCH', '/v1/instruments/BTC-USD', { headers: admin.key, body: { maker_fee_bps: bps } });
    assert.equal(r.status, 200, `${bps}: ${JSON.stringify(r.body)}`);
  }
  for (const bps of ['10000.01', '-10001', '99999', '1.234']) {
    assert.ok(!patch({ maker_fee_bps: bps }), bps);
    const r = await call(t.app, 'PATCH', '/v1/instruments/BTC-USD', { headers: admin.key, body: { maker_fee_bps: bps } });
    assert.deepEqual([r.status, r.body.error?.field], [422, 'maker_fee_bps'], `${bps}: ${JSON.stringify(r.body)}`);
  }
  const back = await call(t.app, 'PATCH', '/v1/instruments/BTC-USD', { headers: admin.key, body: { maker_fee_bps: '-1' } });
  assert.equal(back.body.maker_fee_bps, '-1');
});

test('timeframe and streaming symbol lists: the published patterns take what the server takes', async () => {
  const doc = (await call(t.app, 'GET', '/openapi.json')).body;
  const param = (path: string, name: string) =>
    doc.paths[path].get.parameters.find((p: { name: string }) => p.name === name).schema as { pattern: string; maxLength?: number };
  const timeframe = new RegExp(param('/v1/market/{symbol}/bars', 'timeframe').pattern);
  for (const [tf, ok] of [['1Min', true], ['59T', true], ['23Hour', true], ['1D', true], ['60Min', false], ['24H', false], ['2Day', false], ['000000000', false], ['0Min', false]] as const) {
    assert.equal(timeframe.test(tf), ok, tf);
    const r = await call(t.app, 'GET', `/v1/market/AAPL/bars?timeframe=${tf}`, { headers: a.key });
    assert.equal(r.status, ok ? 200 : 422, `${tf}: ${JSON.stringify(r.body)}`);
  }
  const trades = param('/v1/stream/sse', 'trades');
  assert.equal(trades.maxLength, 2000);
  const list = new RegExp(trades.pattern);
  for (const [v, ok] of [['AAPL', true], ['AAPL, BTC-USD', true], ['*', true], ['', true], ['aapl', false], ['AAPL,,BTC-USD', false], ['AAPL;X', false]] as const) {
    assert.equal(list.test(v), ok, JSON.stringify(v));
  }
});
