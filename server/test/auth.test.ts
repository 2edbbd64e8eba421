// Authentication, scopes, roles, rate limits, and account isolation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, newUser, testVenue, type TestUser, type TestVenue } from './helpers.ts';
import type { RiskLimits } from '../src/venue/types.ts';

let t: TestVenue;
let alice: TestUser;
let mallory: TestUser;
let admin: TestUser;
before(async () => {
  t = await testVenue({ rateLimit: 1000 });
  alice = await newUser(t);
  mallory = await newUser(t);
  admin = await newUser(t, { admin: true });
});
after(() => t.close());

test('account routes need credentials (401), and reject bad ones', async () => {
  for (const [method, path] of [
    ['GET', '/v1/account'],
    ['GET', '/v1/orders'],
    ['POST', '/v1/orders'],
    ['GET', '/v1/positions'],
    ['GET', '/v1/instruments'],
    ['GET', '/v1/market/AAPL/quote'],
    ['GET', '/v1/auth/keys'],
  ]) {
    const r = await call(t.app, method, path);
    assert.equal(r.status, 401, `${method} ${path}`);
    assert.equal(r.body.error.code, 'unauthorized');
  }
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: { authorization: 'Bearer nope' } })).status, 401);
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: { authorization: 'Basic x' } })).status, 401);
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: { ...alice.key, 'APCA-API-SECRET-KEY': 'wrong' } })).status, 401);
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: { 'APCA-API-KEY-ID': alice.keyId } })).status, 401);
});

test('login: wrong password is 401; a taken email is 409', async () => {
  const r = await call(t.app, 'POST', '/v1/auth/login', { body: { email: alice.email, password: 'not the password' } });
  assert.equal(r.status, 401);
  const dup = await call(t.app, 'POST', '/v1/auth/register', { body: { email: alice.email.toUpperCase(), password: 'whatever123' } });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.error.field, 'email');
});

test('an expired token is refused; logout revokes a token', async () => {
  const login = await call(t.app, 'POST', '/v1/auth/login', { body: { email: alice.email, password: 'correct horse battery' } });
  const bearer = { authorization: `Bearer ${login.body.token}` };
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: bearer })).status, 200);
  assert.equal((await call(t.app, 'POST', '/v1/auth/logout', { headers: bearer })).status, 204);
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: bearer })).status, 401);
  const login2 = await call(t.app, 'POST', '/v1/auth/login', { body: { email: alice.email, password: 'correct horse battery' } });
  t.clock.advance(16 * 60_000);
  const r = await call(t.app, 'GET', '/v1/account', { headers: { authorization: `Bearer ${login2.body.token}` } });
  assert.equal(r.status, 401);
  assert.match(r.body.error.message, /expired/);
});

test('API keys: shown once, listed without secrets, scoped, revocable', async () => {
  const ro = await call(t.app, 'POST', '/v1/auth/keys', { headers: alice.key, body: { scopes: ['read'], label: 'ro' } });
  assert.equal(ro.status, 201);
  const roKey = { 'APCA-API-KEY-ID': ro.body.id, 'APCA-API-SECRET-KEY': ro.body.secret };
  const list = await call(t.app, 'GET', '/v1/auth/keys', { headers: alice.key });
  assert.ok(list.body.some((k: { id: string }) => k.id === ro.body.id));
  assert.ok(list.body.every((k: object) => !('secret' in k)));
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: roKey })).status, 200);
  const place = await call(t.app, 'POST', '/v1/orders', { headers: roKey, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '1' } });
  assert.equal(place.status, 403);
  assert.equal(place.body.error.code, 'insufficient_scope');
  assert.equal((await call(t.app, 'DELETE', `/v1/auth/keys/${ro.body.id}`, { headers: mallory.key })).status, 404);
  assert.equal((await call(t.app, 'DELETE', `/v1/auth/keys/${ro.body.id}`, { headers: alice.key })).status, 204);
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: roKey })).status, 401);
});

test('admin routes are 403 for users', async () => {
  const body = { symbol: 'ZZZ', tick_size: '0.01', lot_size: '1', min_price: '0.01', max_price: '10', min_qty: '1', max_qty: '10' };
  const r = await call(t.app, 'POST', '/v1/instruments', { headers: alice.key, body });
  assert.equal(r.status, 403);
  assert.equal((await call(t.app, 'GET', '/v1/admin/accounts', { headers: alice.key })).status, 403);
  const ok = await call(t.app, 'POST', '/v1/instruments', { headers: admin.key, body });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.symbol, 'ZZZ');
  assert.equal((await call(t.app, 'POST', '/v1/instruments', { headers: admin.key, body })).status, 409);
  const patched = await call(t.app, 'PATCH', '/v1/instruments/ZZZ', { headers: admin.key, body: { status: 'halted', taker_fee_bps: '3' } });
  assert.equal(patched.body.status, 'halted');
  assert.equal(patched.body.taker_fee_bps, '3');
  const halted = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: { symbol: 'ZZZ', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '1' } });
  assert.equal(halted.status, 403);
  assert.equal(halted.body.error.code, 'halted');
  assert.equal((await call(t.app, 'GET', '/v1/instruments/ZZZ', { headers: alice.key })).body.tradable, false);
});

test('admin sets limits; the account reads them; the engine enforces them', async () => {
  const limits = { max_order_qty: '5', max_order_notional: '0', max_gross_exposure: '0', max_open_orders: 2, orders_per_second: 0, shorting_enabled: false };
  const set = await call(t.app, 'PUT', `/v1/admin/accounts/${mallory.accountId}/limits`, { headers: admin.key, body: limits });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual((await call(t.app, 'GET', '/v1/account/limits', { headers: mallory.key })).body, { ...limits, pre_trade_checks: true });
  const big = await call(t.app, 'POST', '/v1/orders', { headers: mallory.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '6', limit_price: '1' } });
  assert.equal(big.status, 403);
  assert.equal(big.body.error.code, 'max_order_qty');
  const short = await call(t.app, 'POST', '/v1/orders', { headers: mallory.key, body: { symbol: 'AAPL', side: 'sell', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '500' } });
  assert.equal(short.status, 403);
  assert.equal(short.body.error.code, 'short_selling_not_allowed');
  const poor = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1000', limit_price: '1000' } });
  assert.equal(poor.status, 403);
  assert.equal(poor.body.error.code, 'insufficient_buying_power');
  const rejected = await call(t.app, 'GET', '/v1/orders?status=closed', { headers: alice.key });
  assert.ok(rejected.body.some((o: { status: string; reject_reason: string }) => o.status === 'rejected' && o.reject_reason === 'insufficient_buying_power'));
});

test('a post-trade-only account is accounted but not checked, until its checks are switched back on', async () => {
  const path = `/v1/admin/accounts/${mallory.accountId}/limits`;
  const strict = { max_order_qty: '5', max_order_notional: '0', max_gross_exposure: '0', max_open_orders: 2, orders_per_second: 0, shorting_enabled: false };
  const off = await call(t.app, 'PUT', path, { headers: admin.key, body: { ...strict, pre_trade_checks: false } });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  assert.equal(off.body.pre_trade_checks, false);
  assert.equal((await call(t.app, 'GET', '/v1/account/limits', { headers: mallory.key })).body.pre_trade_checks, false);
  const cashBefore = Number((await call(t.app, 'GET', '/v1/account', { headers: mallory.key })).body.cash);
  // Over the quantity limit, a short sale, and more than the account's cash: accepted and resting.
  const order = { symbol: 'AAPL', side: 'sell', type: 'limit', time_in_force: 'gtc', qty: '7', limit_price: '90000' } as const;
  const placed = await call(t.app, 'POST', '/v1/orders', { headers: mallory.key, body: order });
  assert.equal(placed.status, 200, JSON.stringify(placed.body));
  const account = (await call(t.app, 'GET', '/v1/account', { headers: mallory.key })).body;
  assert.equal(Number(account.cash), cashBefore, 'nothing filled');
  assert.ok(Number(account.buying_power) < 0, `the short sale's collateral is reserved past the cash: ${JSON.stringify(account)}`);
  // It cancels as any order does, releasing the reservation.
  assert.equal((await call(t.app, 'DELETE', `/v1/orders/${placed.body.id}`, { headers: mallory.key })).status, 200);
  // Checked again once switched back on (the field left out means on).
  assert.equal((await call(t.app, 'PUT', path, { headers: admin.key, body: strict })).body.pre_trade_checks, true);
  const big = await call(t.app, 'POST', '/v1/orders', { headers: mallory.key, body: order });
  assert.deepEqual([big.status, big.body.error?.code], [403, 'max_order_qty']);
});

test('limits without pre_trade_checks (an older peer\'s command, a replayed journal line) keep the checks on', async () => {
  const [row] = await t.venue.deps.db.query<{ engine_account: number }>('SELECT engine_account FROM accounts WHERE id = $1', [mallory.accountId]);
  const older = { max_order_qty: '5', max_order_notional: '0', max_gross_exposure: '0', max_open_orders: 2, orders_per_second: 0, shorting_enabled: false };
  const stored = await t.venue.deps.engine.setLimits({ id: mallory.accountId, engine_account: row.engine_account }, older as RiskLimits, 'test');
  assert.equal(stored.pre_trade_checks, true);
  assert.equal((await call(t.app, 'GET', '/v1/account/limits', { headers: mallory.key })).body.pre_trade_checks, true);
  const big = await call(t.app, 'POST', '/v1/orders', { headers: mallory.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '6', limit_price: '1' } });
  assert.deepEqual([big.status, big.body.error?.code], [403, 'max_order_qty']);
  // The published limits in force always carry the field; as set, it may be left out.
  const doc = (await call(t.app, 'GET', '/openapi.json')).body;
  assert.ok(doc.components.schemas.RiskLimitsInForce.required.includes('pre_trade_checks'));
  assert.ok(!doc.components.schemas.RiskLimits.required.includes('pre_trade_checks'));
});

test('accounts are isolated: no seeing, replacing or canceling another account’s orders', async () => {
  const o = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '2', client_order_id: 'alice-secret' } });
  assert.equal(o.status, 200);
  const id = o.body.id;
  assert.equal((await call(t.app, 'GET', `/v1/orders/${id}`, { headers: mallory.key })).status, 404);
  assert.equal((await call(t.app, 'GET', '/v1/orders/by_client_order_id?client_order_id=alice-secret', { headers: mallory.key })).status, 404);
  assert.equal((await call(t.app, 'PATCH', `/v1/orders/${id}`, { headers: mallory.key, body: { qty: '2' } })).status, 404);
  assert.equal((await call(t.app, 'DELETE', `/v1/orders/${id}`, { headers: mallory.key })).status, 404);
  const all = await call(t.app, 'DELETE', '/v1/orders', { headers: mallory.key });
  assert.ok(all.body.every((r: { id: string }) => r.id !== id));
  const listed = await call(t.app, 'GET', '/v1/orders?status=all&limit=500', { headers: mallory.key });
  assert.ok(listed.body.every((x: { id: string }) => x.id !== id));
  const still = await call(t.app, 'GET', `/v1/orders/${id}`, { headers: alice.key });
  assert.equal(still.body.status, 'new');
  assert.equal(still.body.qty, '1');
});

test('rate limits: X-RateLimit-* headers, then 429', async () => {
  const small = await testVenue({ rateLimit: 3 });
  try {
    const u = await newUser(small);
    const first = await call(small.app, 'GET', '/v1/account', { headers: u.key });
    assert.equal(first.headers.get('x-ratelimit-limit'), '3');
    assert.equal(first.headers.get('x-ratelimit-remaining'), '2');
    assert.ok(Number(first.headers.get('x-ratelimit-reset')) > 0);
    await call(small.app, 'GET', '/v1/account', { headers: u.key });
    await call(small.app, 'GET', '/v1/account', { headers: u.key });
    const over = await call(small.app, 'GET', '/v1/account', { headers: u.key });
    assert.equal(over.status, 429);
    assert.equal(over.body.error.code, 'rate_limited');
    small.clock.advance(60_000);
    assert.equal((await call(small.app, 'GET', '/v1/account', { headers: u.key })).status, 200);
  } finally {
    await small.close();
  }
});
