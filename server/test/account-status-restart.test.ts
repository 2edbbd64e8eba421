// A disabled account stays blocked across a restart (the status in the
// database, the engine's block replayed from its log), and so does enabling it.
// Its own file: chdb allows one data directory per process at a time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { call, newUser, testVenue } from './helpers.ts';

const order = { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '5', limit_price: '90' };
test('the engine block outlives a restart, and so does enabling', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cift-account-status-'));
  try {
    let v = await testVenue({ dataDir: dir });
    let u;
    let boss;
    try {
      u = await newUser(v);
      boss = await newUser(v, { admin: true });
      const open = await call(v.app, 'POST', '/v1/orders', { headers: u.key, body: order });
      const off = await call(v.app, 'PATCH', `/v1/admin/accounts/${u.accountId}`, { headers: boss.bearer, body: { status: 'DISABLED' } });
      assert.deepEqual(off.body.canceled_orders, [open.body.id]);
    } finally {
      await v.close();
    }
    v = await testVenue({ dataDir: dir });
    try {
      const placed = await call(v.app, 'POST', '/v1/orders', { headers: u.key, body: order });
      assert.equal(placed.body.error.code, 'account_disabled');
      assert.equal((await call(v.app, 'GET', '/v1/account', { headers: u.key })).body.trading_blocked, true);
      assert.equal((await call(v.app, 'PATCH', `/v1/admin/accounts/${u.accountId}`, { headers: boss.bearer, body: { status: 'ACTIVE' } })).status, 200);
    } finally {
      await v.close();
    }
    v = await testVenue({ dataDir: dir });
    try {
      const placed = await call(v.app, 'POST', '/v1/orders', { headers: u.key, body: order });
      assert.equal(placed.status, 200, JSON.stringify(placed.body));
    } finally {
      await v.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
