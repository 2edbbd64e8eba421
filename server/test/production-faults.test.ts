// Dependency faults, on throwaway servers of the test's own (a redis-server,
// a nats-server with JetStream and a PostgreSQL cluster on free ports) so
// nobody else's services are disturbed: each is killed while the venue runs,
// requests that need it answer 503 naming it, /ready says which one is down,
// and once it is back the venue serves again without a restart, with every
// acknowledged order still there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deleteStreams, ensureStreams, JetStreamJournal, jetStreamNames, readStream } from '../src/production/jetstream.ts';
import { connectNats, openNatsBus } from '../src/production/nats-bus.ts';
import { call, newUser, type TestUser, type TestVenue } from './helpers.ts';
import { eventually, serviceVenue, throwawayNats, throwawayPostgres, throwawayRedis, type Throwaway } from './production-helpers.ts';

let redis: Throwaway;
let nats: Throwaway;
let postgres: Throwaway;
let t: TestVenue;
let alice: TestUser;
let bob: TestUser;
const placed: string[] = [];

before(async () => {
  [redis, nats, postgres] = await Promise.all([throwawayRedis(), throwawayNats(), throwawayPostgres()]);
  t = await serviceVenue({ databaseUrl: postgres.url, redisUrl: redis.url, natsUrl: nats.url });
  alice = await newUser(t);
  bob = await newUser(t);
});
after(async () => {
  await t?.close();
  await Promise.all([redis?.dispose(), nats?.dispose(), postgres?.dispose()]);
});

const ready = () => call(t.app, 'GET', '/ready');
const account = () => call(t.app, 'GET', '/v1/account', { headers: alice.key });
async function place(who: TestUser, side: 'buy' | 'sell', price: string) {
  const r = await call(t.app, 'POST', '/v1/orders', { headers: who.key, body: { symbol: 'AAPL', side, type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: price } });
  if (r.status === 200) placed.push(r.body.id);
  return r;
}
/** Asserts /ready is 503 with exactly `down` failing, and returns that dependency's error. */
async function onlyDown(down: string): Promise<string> {
  const r = await ready();
  assert.equal(r.status, 503);
  assert.equal(r.body.ready, false);
  const failing = Object.entries(r.body.dependencies as Record<string, { ok: boolean }>)
    .filter(([, d]) => !d.ok)
    .map(([k]) => k);
  assert.deepEqual(failing, [down]);
  return r.body.dependencies[down].error;
}

test('all up: /ready names each production dependency', async () => {
  assert.equal((await place(alice, 'buy', '10')).status, 200);
  const r = await ready();
  assert.equal(r.status, 200);
  assert.deepEqual(
    Object.fromEntries(Object.entries(r.body.dependencies as Record<string, { kind: string; ok: boolean }>).map(([k, d]) => [k, [d.kind, d.ok]])),
    { database: ['postgres', true], bus: ['nats', true], cache: ['redis', true], engine: [t.venue.deps.engine.kind, true], market: ['chdb', true] },
  );
});

test('Redis down: authenticated requests fail with 503 naming the cache; back up, they work again', async () => {
  await redis.stop();
  const r = await account();
  assert.equal(r.status, 503);
  assert.equal(r.body.error.code, 'unavailable');
  assert.match(r.body.error.message, /the cache \(redis\) is unavailable/);
  await eventually('/ready to report the cache down', async () => (await ready()).body.dependencies.cache.ok === false);
  assert.match(await onlyDown('cache'), /redis/);
  await redis.start();
  await eventually('/ready after Redis restarts', async () => (await ready()).status === 200);
  assert.equal((await account()).status, 200);
  assert.equal((await place(bob, 'sell', '11')).status, 200);
});

test('NATS down: /ready names the bus, orders (journaled on JetStream) fail at once with 503; back up, they go through and subscribers hear the venue again', async () => {
  await nats.stop();
  await eventually('/ready to report the bus down', async () => (await ready()).body.dependencies.bus.ok === false);
  assert.match(await onlyDown('bus'), /the bus \(nats\) is unavailable/);
  // The command journal is on JetStream: an order cannot be acknowledged while it is away.
  const refused = await place(alice, 'buy', '9');
  assert.equal(refused.status, 503);
  assert.match(refused.body.error.message, /could not be made durable: the journal \(nats\) is unavailable/);
  // Reads do not need it.
  assert.equal((await account()).status, 200);
  await nats.start();
  await eventually('/ready after NATS restarts', async () => (await ready()).status === 200);
  await eventually('orders to go through again', async () => (await place(alice, 'buy', '9')).status === 200);
  const observer = await openNatsBus(nats.url);
  try {
    const heard: unknown[] = [];
    observer.subscribe(`trade_updates.${bob.accountId}`, (_s, m) => heard.push(m));
    await observer.connection.flush();
    assert.equal((await place(bob, 'sell', '12')).status, 200);
    await eventually('the venue to publish on the restarted NATS', () => heard.length > 0);
  } finally {
    await observer.close();
  }
});

test('PostgreSQL down: requests that need it fail with 503 naming the database; back up, it serves again and every acknowledged order is there', async () => {
  await postgres.stop();
  const r = await account();
  assert.equal(r.status, 503);
  assert.equal(r.body.error.code, 'unavailable');
  assert.match(r.body.error.message, /the database \(postgres\) is unavailable/);
  assert.match(await onlyDown('database'), /postgres/);
  // A write through a transaction (registration) is refused whole: nothing half-written.
  const carol = { email: `carol-${Date.now()}@example.com`, password: 'correct horse battery' };
  const refused = await call(t.app, 'POST', '/v1/auth/register', { body: carol });
  assert.equal(refused.status, 503);
  assert.match(refused.body.error.message, /the database \(postgres\) is unavailable/);
  await postgres.start();
  await eventually('/ready after PostgreSQL restarts', async () => (await ready()).status === 200);
  assert.equal((await account()).status, 200);
  assert.equal((await call(t.app, 'POST', '/v1/auth/register', { body: carol })).status, 201);
  const all = [
    ...(await call(t.app, 'GET', '/v1/orders?status=all', { headers: alice.key })).body,
    ...(await call(t.app, 'GET', '/v1/orders?status=all', { headers: bob.key })).body,
  ].map((o: { id: string }) => o.id);
  // Every acknowledged order, each once.
  assert.deepEqual(all.sort(), [...placed].sort());
  assert.equal(placed.length, 4);
  assert.equal((await place(alice, 'buy', '8')).status, 200);
});

test('JetStream down: journal appends fail at once with 503; back up, appends resume and every acked entry is still stored', async () => {
  const nc = await connectNats(nats.url);
  const names = jetStreamNames('faults');
  try {
    await ensureStreams(await nc.jetstreamManager(), names);
    // A long ack timeout: a refusal while disconnected cannot come from it.
    const journal = await JetStreamJournal.open(nc, names.commands, { timeoutMs: 120_000 });
    const entry = (id: string) => ({ id, subject: `${names.subjectRoot}.cmd.AAPL`, data: new TextEncoder().encode(id) });
    await journal.append([entry('a1'), entry('a2')]);
    await nats.stop();
    await eventually('the journal to notice', () => !journal.connected());
    await assert.rejects(journal.append([entry('lost')]), (err: Error & { status?: number }) => {
      assert.equal(err.status, 503);
      assert.match(err.message, /the journal \(nats\) is unavailable: disconnected/);
      return true;
    });
    await nats.start();
    await eventually('the journal to reconnect', () => journal.connected());
    await journal.append([entry('a3')]);
    const ids: (string | undefined)[] = [];
    for await (const r of readStream(nc, names.commands, 1)) ids.push(r.id);
    assert.deepEqual(ids, ['a1', 'a2', 'a3']);
    await deleteStreams(await nc.jetstreamManager(), names);
  } finally {
    await nc.close();
  }
});
