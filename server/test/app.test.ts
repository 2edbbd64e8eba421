// The app's system routes, OpenAPI document and docs, in process over embedded deps.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, testVenue, type TestVenue } from './helpers.ts';

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
  assert.deepEqual(Object.keys(r.body.dependencies).sort(), ['bus', 'cache', 'database', 'engine']);
  assert.equal(r.body.dependencies.database.kind, 'pglite');
});

test('unknown paths are 404 in the error shape', async () => {
  const r = await call(t.app, 'GET', '/nope');
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'not_found');
  assert.equal(typeof r.body.error.requestId, 'string');
});
