// The venue on a real PostgreSQL (a scratch database per run, dropped after):
// the same migrations, the same route flows giving the same answers as on
// PGlite, a restart rebuilding everything from the database, transactions,
// row types, and migrations applied once when several processes start at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isConnectionError, migratePostgres, openPostgres, type PostgresDatabase } from '../src/production/postgres.ts';
import { serviceOptionsFromEnv } from '../src/production/services.ts';
import { readMigrations } from '../src/venue/migrate.ts';
import { call, newUser, testVenue, TestClock, type TestVenue } from './helpers.ts';
import { scratchDatabase, serviceVenue, type ScratchDatabase } from './production-helpers.ts';

let scratch: ScratchDatabase;
before(async () => {
  scratch = await scratchDatabase();
});
after(async () => {
  await scratch?.drop();
});

const order = (side: string, qty: string, price: string, symbol = 'AAPL') => ({ symbol, side, type: 'limit', time_in_force: 'gtc', qty, limit_price: price });

/** Places crossing orders, a stop, a deposit and a duplicate client_order_id, a second apart; returns how to read the outcome. */
async function scenario(t: TestVenue) {
  const alice = await newUser(t);
  const bob = await newUser(t);
  const resting = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: order('buy', '10', '50') });
  t.clock.advance(1000);
  assert.equal(resting.status, 200, JSON.stringify(resting.body));
  const taker = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('sell', '4', '49.5') });
  t.clock.advance(1000);
  assert.equal(taker.body.status, 'filled');
  const crypto = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: order('sell', '0.25', '30000.5', 'BTC-USD') });
  t.clock.advance(1000);
  assert.equal(crypto.status, 200);
  await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('buy', '0.1', '30001', 'BTC-USD') });
  t.clock.advance(1000);
  const stop = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: { symbol: 'AAPL', side: 'buy', type: 'stop', time_in_force: 'gtc', qty: '1', stop_price: '60' } });
  assert.equal(stop.status, 200);
  assert.equal((await call(t.app, 'POST', '/v1/account/deposits', { headers: bob.key, body: { amount: '12.34' } })).status, 201);
  t.clock.advance(1000);
  const dup = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: { ...order('buy', '1', '10'), client_order_id: 'same' } });
  assert.equal(dup.status, 200);
  const again = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: { ...order('buy', '1', '10'), client_order_id: 'same' } });
  t.clock.advance(1000);
  const read = async (t: TestVenue) => ({
    alice: (await call(t.app, 'GET', '/v1/account', { headers: alice.key })).body,
    bob: (await call(t.app, 'GET', '/v1/account', { headers: bob.key })).body,
    orders: (await call(t.app, 'GET', '/v1/orders?status=all', { headers: alice.key })).body,
    positions: (await call(t.app, 'GET', '/v1/positions', { headers: bob.key })).body,
    fills: (await call(t.app, 'GET', '/v1/account/activities', { headers: bob.key })).body,
    depth: (await call(t.app, 'GET', '/v1/market/AAPL/depth', { headers: bob.key })).body,
    quote: (await call(t.app, 'GET', '/v1/market/BTC-USD/quote', { headers: bob.key })).body,
    history: (await call(t.app, 'GET', '/v1/account/portfolio/history', { headers: bob.key })).body,
    idempotent: { status: again.status, same: again.body.id === dup.body.id, code: again.body.error?.code },
  });
  return { alice, bob, resting, stop, read };
}

/** Replaces what differs between two runs of the same scenario (random ids, account numbers, row creation times). */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, ['account_number', 'created_at', 'email'].includes(k) ? '…' : normalize(x)]),
    );
  }
  if (typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v)) return 'uuid';
  return v;
}

test('the route flows answer the same on PostgreSQL as on PGlite, and a restart rebuilds everything from PostgreSQL', async () => {
  const clock = new TestClock();
  const embedded = await testVenue({ clock: new TestClock() });
  const onPglite = normalize(await (await scenario(embedded)).read(embedded));
  await embedded.close();

  let t = await serviceVenue({ databaseUrl: scratch.url }, { clock, snapshotEvery: 4 });
  assert.equal(t.venue.deps.db.kind, 'postgres');
  const s = await scenario(t);
  const before = await s.read(t);
  assert.deepEqual(normalize(before), onPglite);
  assert.equal(before.idempotent.same || before.idempotent.status === 409, true);
  const seq = t.venue.deps.engine.status().seq;
  await t.close();

  t = await serviceVenue({ databaseUrl: scratch.url }, { clock, snapshotEvery: 4 });
  assert.equal(t.venue.deps.engine.status().seq, seq);
  assert.deepEqual(await s.read(t), before, 'the reopened venue reads back the same state');
  const hit = await call(t.app, 'POST', '/v1/orders', { headers: s.bob.key, body: order('sell', '6', '50') });
  assert.equal(hit.body.status, 'filled');
  assert.equal((await call(t.app, 'GET', `/v1/orders/${s.resting.body.id}`, { headers: s.alice.key })).body.status, 'filled');
  assert.equal((await call(t.app, 'DELETE', `/v1/orders/${s.stop.body.id}`, { headers: s.alice.key })).body.status, 'canceled');
  const ready = await call(t.app, 'GET', '/ready');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body.dependencies.database, { ok: true, kind: 'postgres' });
  await t.close();
});

test('transactions commit or roll back; rows come back typed as on PGlite; statement errors are not outages', async () => {
  const db = await openPostgres(scratch.url);
  try {
    await db.exec('CREATE TABLE tx_probe (id int8 PRIMARY KEY, amount numeric NOT NULL, at timestamptz NOT NULL, blob bytea, doc jsonb, tags text[])');
    const at = new Date(Date.UTC(2025, 0, 2));
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_probe VALUES ($1, $2, $3, $4, $5, $6)', [9007199254740991, '12.3400', at, new Uint8Array([1, 2, 255]), JSON.stringify({ a: [1] }), ['x', 'y']]);
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES (2, 1, now())');
        throw new Error('abort');
      }),
      /abort/,
    );
    await assert.rejects(db.transaction((tx) => tx.query('INSERT INTO tx_probe VALUES (3, 1, now()), (3, 2, now())')), (err: Error) => {
      assert.equal((err as { code?: string }).code, '23505');
      assert.equal(isConnectionError(err), false);
      return true;
    });
    const rows = await db.query<Record<string, unknown>>('SELECT * FROM tx_probe ORDER BY id');
    assert.equal(rows.length, 1);
    const [r] = rows;
    assert.equal(r.id, 9007199254740991);
    assert.equal(r.amount, '12.3400');
    assert.deepEqual(r.at, at);
    assert.deepEqual([...(r.blob as Uint8Array)], [1, 2, 255]);
    assert.deepEqual(r.doc, { a: [1] });
    assert.deepEqual(r.tags, ['x', 'y']);
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*) AS n FROM tx_probe');
    assert.equal(n, 1);
  } finally {
    await db.close();
  }
});

test('processes starting together apply each migration once (advisory lock)', async () => {
  const fresh = await scratchDatabase();
  const dbs: PostgresDatabase[] = [];
  try {
    for (let i = 0; i < 3; i++) dbs.push(await openPostgres(fresh.url, { max: 2 }));
    const applied = await Promise.all(dbs.map((db) => migratePostgres(db)));
    const versions = readMigrations().map((m) => m.version);
    assert.deepEqual(applied.flat().sort(), versions, 'every version applied by exactly one process');
    const rows = await dbs[0].query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows.map((r) => r.version), versions);
  } finally {
    for (const db of dbs) await db.close();
    await fresh.drop();
  }
});

test('an unreachable database fails at start with a clear error, and URLs are checked by name', async () => {
  await assert.rejects(openPostgres('postgres://postgres@127.0.0.1:1/none', { connectTimeoutMs: 500 }), /cannot connect to PostgreSQL at DATABASE_URL: .*connection refused/);
  assert.throws(() => serviceOptionsFromEnv({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
  assert.throws(() => serviceOptionsFromEnv({ REDIS_URL: 'not a url' }), /REDIS_URL must be a URL/);
  assert.throws(() => serviceOptionsFromEnv({ NATS_URL: 'nats://a:4222,http://b' }), /NATS_URL must start with nats:\/\//);
  assert.deepEqual(serviceOptionsFromEnv({ DATABASE_URL: 'postgres://h/db', REDIS_URL: '', NATS_URL: 'nats://a:1,nats://b:2' }), {
    databaseUrl: 'postgres://h/db',
    natsUrl: 'nats://a:1,nats://b:2',
  });
});
