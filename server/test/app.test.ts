// The HTTP app in process (app.request), over a real engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../src/app.ts';
import { createEngine } from '../src/engine.ts';

test('GET / names the service and its version', async () => {
  const app = createApp({ engine: createEngine() });
  const res = await app.request('/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await res.json(), { name: 'cift-markets', version: '0.1.0' });
});

test('GET /health reports the live orders of the injected engine', async () => {
  const engine = createEngine();
  const app = createApp({ engine });
  assert.deepEqual(await (await app.request('/health')).json(), { ok: true, engine: { liveOrders: 0 } });

  engine.addInstrument(1, 1, 7, 1, 1, 1, 1_000_000, 1, 1_000_000);
  // Two resting bids (buy, limit, GTC), then a sell that fills the better one.
  engine.newOrder(2, 2, 100, 1, 7, 1, 1, 1, 500, 10, 0, 0, 0, 0, 0);
  engine.newOrder(3, 3, 101, 1, 7, 1, 1, 1, 499, 10, 0, 0, 0, 0, 0);
  const res = await app.request('/health');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true, engine: { liveOrders: 2 } });

  engine.newOrder(4, 4, 200, 2, 7, 2, 1, 4, 500, 10, 0, 0, 0, 0, 0);
  assert.deepEqual(await (await app.request('/health')).json(), { ok: true, engine: { liveOrders: 1 } });
});

test('unknown paths are 404', async () => {
  const app = createApp({ engine: createEngine() });
  assert.equal((await app.request('/nope')).status, 404);
});
