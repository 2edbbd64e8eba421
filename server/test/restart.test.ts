// Stop and start the embedded venue on the same data directory: accounts,
// keys, orders, fills, positions and cash are all still there, and the book
// is rebuilt (a resting order still trades).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { call, newUser, testVenue, TestClock } from './helpers.ts';

for (const snapshotEvery of [0, 3]) {
  test(`a restart restores everything (snapshot every ${snapshotEvery || 'never'})`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cift-restart-'));
    const clock = new TestClock();
    try {
      let t = await testVenue({ dataDir, clock, snapshotEvery });
      const alice = await newUser(t);
      const bob = await newUser(t);
      const order = (side: string, qty: string, price: string) => ({ symbol: 'AAPL', side, type: 'limit', time_in_force: 'gtc', qty, limit_price: price });
      const resting = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: order('buy', '10', '50') });
      await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('sell', '4', '50') });
      const stop = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: { symbol: 'AAPL', side: 'buy', type: 'stop', time_in_force: 'gtc', qty: '1', stop_price: '60' } });
      assert.equal(stop.status, 200);
      await call(t.app, 'POST', '/v1/account/deposits', { headers: bob.key, body: { amount: '12.34' } });
      const read = async () => ({
        alice: (await call(t.app, 'GET', '/v1/account', { headers: alice.key })).body,
        bob: (await call(t.app, 'GET', '/v1/account', { headers: bob.key })).body,
        orders: (await call(t.app, 'GET', '/v1/orders?status=all', { headers: alice.key })).body,
        positions: (await call(t.app, 'GET', '/v1/positions', { headers: bob.key })).body,
        fills: (await call(t.app, 'GET', '/v1/account/activities', { headers: bob.key })).body,
        depth: (await call(t.app, 'GET', '/v1/market/AAPL/depth', { headers: bob.key })).body.bids,
      });
      const before = await read();
      const seq = t.venue.deps.engine.status().seq;
      await t.close();

      t = await testVenue({ dataDir, clock, snapshotEvery });
      assert.equal(t.venue.deps.engine.status().seq, seq);
      assert.deepEqual(await read(), before);
      // The rebuilt book still matches the resting order, and the resting stop is still there.
      const hit = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('sell', '6', '50') });
      assert.equal(hit.body.status, 'filled');
      const filled = await call(t.app, 'GET', `/v1/orders/${resting.body.id}`, { headers: alice.key });
      assert.equal(filled.body.status, 'filled');
      assert.equal((await call(t.app, 'DELETE', `/v1/orders/${stop.body.id}`, { headers: alice.key })).body.status, 'canceled');
      await t.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
