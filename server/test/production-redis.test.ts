// The Redis cache on the machine's Redis (a key prefix per run, removed
// after): get/set/del with expiry, atomic fixed windows, and the venue's uses
// of it shared between two API processes over one PostgreSQL and one Redis:
// rate-limit windows, token revocation, API key revocation, latest quotes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { cachedQuote } from '../src/production/quote-cache.ts';
import { openRedisCache, type RedisCache } from '../src/production/redis-cache.ts';
import { call, newUser, TestClock } from './helpers.ts';
import { deleteKeys, eventually, LOCAL, scratchDatabase, serviceVenue, token, type ScratchDatabase } from './production-helpers.ts';

const prefix = `cift_test_${token()}:`;
let scratch: ScratchDatabase;
let cache: RedisCache;
before(async () => {
  scratch = await scratchDatabase();
  cache = await openRedisCache(LOCAL.redis, { keyPrefix: `${prefix}unit:` });
});
after(async () => {
  await cache?.close();
  await deleteKeys(LOCAL.redis, prefix);
  await scratch?.drop();
});

test('get, set with and without expiry, del; keys live under the prefix', async () => {
  assert.equal(cache.kind, 'redis');
  assert.equal(await cache.get('missing'), undefined);
  await cache.set('plain', 'v1');
  await cache.set('brief', 'v2', 30);
  assert.equal(await cache.get('plain'), 'v1');
  // Stored under the prefix, with and without an expiry.
  const raw = new Redis(LOCAL.redis);
  try {
    assert.equal(await raw.get(`${prefix}unit:plain`), 'v1');
  } finally {
    raw.disconnect();
  }
  assert.equal(await cache.client.pttl('plain'), -1);
  await eventually('the 30 ms key to expire', async () => (await cache.get('brief')) === undefined);
  await cache.del('plain');
  assert.equal(await cache.get('plain'), undefined);
  await cache.ping();
});

test('hit() counts a fixed window atomically and starts a new one after it', async () => {
  const counts = await Promise.all(Array.from({ length: 50 }, () => cache.hit('window', 60_000)));
  assert.deepEqual(
    counts.map((c) => c.count).sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i + 1),
    'fifty concurrent hits get fifty distinct counts',
  );
  for (const c of counts) assert.ok(c.resetMs > 0 && c.resetMs <= 60_000, `resetMs ${c.resetMs}`);
  const first = await cache.hit('short', 100);
  assert.equal(first.count, 1);
  assert.equal((await cache.hit('short', 100)).count, 2);
  await eventually('the 100 ms window to end', async () => (await cache.client.exists('short')) === 0);
  assert.equal((await cache.hit('short', 100)).count, 1);
  // A counter that lost its expiry gets the window again instead of counting forever.
  await cache.client.set('stuck', '7');
  const stuck = await cache.hit('stuck', 5000);
  assert.equal(stuck.count, 8);
  assert.ok((await cache.client.pttl('stuck')) > 0);
});

test('two API processes share rate limits, logouts, key revocations and quotes through Redis', async () => {
  const services = { databaseUrl: scratch.url, redisUrl: LOCAL.redis, cachePrefix: `${prefix}venue:` };
  const clock = new TestClock();
  const a = await serviceVenue(services, { clock, rateLimit: 5 });
  const b = await serviceVenue(services, { clock, rateLimit: 5 });
  try {
    assert.equal(a.venue.deps.cache.kind, 'redis');
    const alice = await newUser(a);
    const bob = await newUser(a);
    // Rate limit: one window for the key, whichever process serves the request.
    const seen: number[] = [];
    for (const t of [a, b, a, b, a, b]) seen.push((await call(t.app, 'GET', '/v1/orders', { headers: alice.key })).status);
    assert.deepEqual(seen, [200, 200, 200, 200, 200, 429]);

    // A bearer token logged out on one process is refused by the other.
    const login = await call(b.app, 'POST', '/v1/auth/login', { body: { email: bob.email, password: 'correct horse battery' } });
    const bearer = { authorization: `Bearer ${login.body.token}` };
    assert.equal((await call(b.app, 'GET', '/v1/auth/keys', { headers: bearer })).status, 200);
    assert.equal((await call(a.app, 'POST', '/v1/auth/logout', { headers: bearer })).status, 204);
    const refused = await call(b.app, 'GET', '/v1/auth/keys', { headers: bearer });
    assert.equal(refused.status, 401);

    // An API key revoked on one process stops working on the other at once (its cached record is deleted).
    assert.equal((await call(b.app, 'GET', '/v1/orders', { headers: bob.key })).status, 200);
    assert.equal((await call(a.app, 'DELETE', `/v1/auth/keys/${bob.keyId}`, { headers: bob.bearer })).status, 204);
    assert.equal((await call(b.app, 'GET', '/v1/orders', { headers: bob.key })).status, 401);

    // Quotes published by the engine's process are readable from the cache by the other.
    const carol = await newUser(a);
    const placed = await call(a.app, 'POST', '/v1/orders', {
      headers: carol.key,
      body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '3', limit_price: '42.5' },
    });
    assert.equal(placed.status, 200);
    const quote = (await call(a.app, 'GET', '/v1/market/AAPL/quote', { headers: carol.key })).body;
    assert.equal(quote.bid_price, '42.5');
    await eventually('the quote in Redis', async () => (await cachedQuote(b.venue.deps.cache, 'AAPL'))?.bid_price === '42.5');
    assert.deepEqual(await cachedQuote(b.venue.deps.cache, 'AAPL'), quote);
  } finally {
    await b.close();
    await a.close();
  }
});
