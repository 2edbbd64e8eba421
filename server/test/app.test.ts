// The app's system routes, OpenAPI document and docs, in process over embedded deps.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, newUser, testVenue, type TestVenue } from './helpers.ts';

let t: TestVenue;
before(async () => {
  t = await testVenue();
});
after(() => t.close());

test('GET / names the service and its version', async () => {
  const r = await call(t.app, 'GET', '/');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { name: 'cift-markets', version: '0.1.0', docs: '/docs', openapi: '/openapi.json' });
  assert.ok(r.headers.get('x-request-id'));
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
});

test('GET /health is alive; GET /ready reports every dependency', async () => {
  assert.deepEqual((await call(t.app, 'GET', '/health')).body, { ok: true });
  const r = await call(t.app, 'GET', '/ready');
  assert.equal(r.status, 200);
  assert.equal(r.body.ready, true);
  assert.deepEqual(Object.keys(r.body.dependencies).sort(), ['bus', 'cache', 'database', 'engine', 'market']);
  assert.equal(r.body.dependencies.market.kind, 'chdb');
  assert.equal(r.body.dependencies.database.kind, 'pglite');
});

test('unknown paths are 404 in the error shape', async () => {
  const r = await call(t.app, 'GET', '/nope');
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'not_found');
  assert.equal(typeof r.body.error.requestId, 'string');
});

test('bodies: over the limit is 413 by Content-Length or while streaming; not JSON is 415', async () => {
  const user = await newUser(t);
  const big = JSON.stringify({ symbol: 'AAPL', pad: 'x'.repeat(t.venue.deps.config.maxBodyBytes) });
  const post = (body: BodyInit, headers: Record<string, string>) =>
    t.app.request('/v1/orders', { method: 'POST', headers: { ...user.key, ...headers }, body, duplex: 'half' } as RequestInit);
  const declared = await post(big, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) });
  assert.equal(declared.status, 413);
  assert.equal(((await declared.json()) as { error: { code: string } }).error.code, 'payload_too_large');
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(big));
      c.close();
    },
  });
  const streamed = await post(stream, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  assert.equal(streamed.status, 413);
  const text = await post('symbol=AAPL', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '11' });
  assert.equal(text.status, 415);
  assert.equal((await call(t.app, 'GET', '/v1/orders', { headers: user.key })).body.length, 0);
});
