// Disabling an account: its open orders are canceled, trading requests get
// 403 account_disabled (bearer token and API key alike) and the engine blocks
// the account too, reads keep working; enabling it lets it trade again. Only
// an admin can do either. (After a restart: account-status-restart.test.ts.)
import assert from 'node:assert/strict';
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

const order = { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '5', limit_price: '90' };
const setStatus = (who: TestUser, accountId: string, status: string) =>
  call(t.app, 'PATCH', `/v1/admin/accounts/${accountId}`, { headers: who.bearer, body: { status } });

test('only an admin can disable an account; bad input names the field and changes nothing', async () => {
  const denied = await setStatus(a, b.accountId, 'DISABLED');
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.code, 'forbidden');
  const bad = await setStatus(admin, b.accountId, 'SUSPENDED');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.field, 'status');
  assert.equal(typeof bad.body.error.requestId, 'string');
  const missing = await setStatus(admin, '00000000-0000-4000-8000-000000000000', 'DISABLED');
  assert.equal(missing.status, 404);
  const acct = await call(t.app, 'GET', '/v1/account', { headers: b.key });
  assert.equal(acct.body.status, 'ACTIVE');
});

test('disabling cancels open orders, blocks trading with 403 account_disabled, keeps reads; enabling restores trading', async () => {
  const open1 = await call(t.app, 'POST', '/v1/orders', { headers: a.key, body: order });
  const open2 = await call(t.app, 'POST', '/v1/orders', { headers: a.key, body: { ...order, limit_price: '91' } });
  assert.equal(open1.status, 200);
  const other = await call(t.app, 'POST', '/v1/orders', { headers: b.key, body: order });
  assert.equal(other.status, 200);

  const off = await setStatus(admin, a.accountId, 'DISABLED');
  assert.equal(off.status, 200, JSON.stringify(off.body));
  assert.equal(off.body.status, 'DISABLED');
  assert.deepEqual([...off.body.canceled_orders].sort(), [open1.body.id, open2.body.id].sort());

  for (const headers of [a.key, a.bearer]) {
    const placed = await call(t.app, 'POST', '/v1/orders', { headers, body: order });
    assert.equal(placed.status, 403);
    assert.equal(placed.body.error.code, 'account_disabled');
    assert.equal(typeof placed.body.error.requestId, 'string');
  }
  // A request that gets past the HTTP check (a server whose cache still says ACTIVE) meets the engine's block.
  await t.venue.deps.cache.set(`account-status:${a.accountId}`, 'ACTIVE');
  const stale = await call(t.app, 'POST', '/v1/orders', { headers: a.key, body: order });
  assert.equal(stale.status, 403);
  assert.equal(stale.body.error.code, 'kill_switch');
  await t.venue.deps.cache.del(`account-status:${a.accountId}`);
  const deposit = await call(t.app, 'POST', '/v1/account/deposits', { headers: a.key, body: { amount: '10' } });
  assert.equal(deposit.body.error.code, 'account_disabled');
  const key = await call(t.app, 'POST', '/v1/auth/keys', { headers: a.bearer, body: { scopes: ['read'] } });
  assert.equal(key.body.error.code, 'account_disabled');

  // Reads still work and show the state.
  const acct = await call(t.app, 'GET', '/v1/account', { headers: a.key });
  assert.equal(acct.status, 200);
  assert.equal(acct.body.status, 'DISABLED');
  assert.equal(acct.body.trading_blocked, true);
  assert.equal(acct.body.open_orders, 0);
  assert.equal(acct.body.cash, '100000');
  const orders = await call(t.app, 'GET', '/v1/orders?status=all', { headers: a.key });
  assert.deepEqual(orders.body.map((o: { status: string }) => o.status).sort(), ['canceled', 'canceled', 'rejected']);
  // Another account is untouched.
  const still = await call(t.app, 'GET', `/v1/orders/${other.body.id}`, { headers: b.key });
  assert.equal(still.body.status, 'new');
  const list = await call(t.app, 'GET', '/v1/admin/accounts', { headers: admin.bearer });
  assert.equal(list.body.find((x: { id: string }) => x.id === a.accountId).status, 'DISABLED');

  const on = await setStatus(admin, a.accountId, 'ACTIVE');
  assert.equal(on.status, 200);
  assert.deepEqual(on.body.canceled_orders, []);
  const again = await call(t.app, 'POST', '/v1/orders', { headers: a.key, body: order });
  assert.equal(again.status, 200);
  assert.equal((await call(t.app, 'GET', '/v1/account', { headers: a.key })).body.trading_blocked, false);
});

test('the status survives the cache: a cold cache reads it from the database', async () => {
  await setStatus(admin, b.accountId, 'DISABLED');
  await t.venue.deps.cache.del(`account-status:${b.accountId}`);
  const placed = await call(t.app, 'POST', '/v1/orders', { headers: b.key, body: order });
  assert.equal(placed.body.error.code, 'account_disabled');
  await setStatus(admin, b.accountId, 'ACTIVE');
});
