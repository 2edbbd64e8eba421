// Rate limits on register and login: per client IP (the runtime's socket
// address, or the last X-Forwarded-For entry behind a trusted proxy) and per
// email, 429 with the error shape, X-RateLimit-* and Retry-After; the window
// resets with the (injected) clock.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { configFromEnv } from '../src/boot.ts';
import { call, testVenue, type TestVenue } from './helpers.ts';

let t: TestVenue;
before(async () => {
  t = await testVenue({ config: { authRateLimit: { perIp: 3, perEmail: 2, windowMs: 60_000 } } });
});
after(() => t.close());

/** A request from `ip` as @hono/node-server passes it (the IncomingMessage in the env). */
async function from(ip: string, path: string, body: unknown): Promise<{ status: number; headers: Headers; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, { incoming: { socket: { remoteAddress: ip } } });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

test('login: the fourth attempt from one address within the window is 429, other addresses are not', async () => {
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const r = await from('10.0.0.1', '/v1/auth/login', { email: `nobody${i}@example.com`, password: 'wrong password' });
    statuses.push(r.status);
    // Each email is fresh (1 of 2 left), the address has 2, 1, 0 left: the headers show the tighter window.
    assert.equal(r.headers.get('x-ratelimit-remaining'), String(Math.min(2 - i, 1)));
  }
  assert.deepEqual(statuses, [401, 401, 401]);
  const limited = await from('10.0.0.1', '/v1/auth/login', { email: 'nobody9@example.com', password: 'wrong password' });
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error.code, 'rate_limited');
  assert.match(limited.body.error.message, /from this address/);
  assert.equal(typeof limited.body.error.requestId, 'string');
  assert.equal(limited.headers.get('x-ratelimit-limit'), '3');
  assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
  assert.equal(limited.headers.get('retry-after'), '60');
  assert.equal(limited.headers.get('x-ratelimit-reset'), String(Math.ceil((t.clock.now() + 60_000) / 1000)));
  // Malformed bodies count too (counted before the body is read).
  assert.equal((await from('10.0.0.1', '/v1/auth/login', 'not json')).status, 429);
  assert.equal((await from('10.0.0.2', '/v1/auth/login', { email: 'nobody9@example.com', password: 'wrong password' })).status, 401);
  // Registration has its own counters.
  assert.equal((await from('10.0.0.1', '/v1/auth/register', { email: 'fresh@example.com', password: 'long password' })).status, 201);
  t.clock.advance(60_000);
  assert.equal((await from('10.0.0.1', '/v1/auth/login', { email: 'nobody9@example.com', password: 'wrong password' })).status, 401);
});

test('login: the third attempt on one email is 429 naming the field, from any address', async () => {
  const creds = { email: 'Victim@example.com', password: 'long password' };
  assert.equal((await call(t.app, 'POST', '/v1/auth/register', { body: creds })).status, 201);
  assert.equal((await from('10.1.0.1', '/v1/auth/login', { ...creds, password: 'guess one!' })).status, 401);
  const second = await from('10.1.0.2', '/v1/auth/login', { ...creds, email: 'victim@example.com' });
  assert.equal(second.status, 200);
  // The tighter window (the email's: 0 left) is the one shown.
  assert.equal(second.headers.get('x-ratelimit-limit'), '2');
  assert.equal(second.headers.get('x-ratelimit-remaining'), '0');
  const third = await from('10.1.0.3', '/v1/auth/login', creds);
  assert.equal(third.status, 429);
  assert.equal(third.body.error.field, 'email');
  assert.ok(Number(third.headers.get('retry-after')) >= 1);
  // The limit changes nothing else: once the window is over the right password works.
  t.clock.advance(60_000);
  assert.equal((await from('10.1.0.3', '/v1/auth/login', creds)).status, 200);
});

test('register: per email and per address', async () => {
  const creds = { email: 'twice@example.com', password: 'long password' };
  assert.equal((await from('10.2.0.1', '/v1/auth/register', creds)).status, 201);
  assert.equal((await from('10.2.0.2', '/v1/auth/register', creds)).status, 409);
  const r = await from('10.2.0.3', '/v1/auth/register', creds);
  assert.equal(r.status, 429);
  assert.equal(r.body.error.field, 'email');
  const users = await t.venue.deps.db.query(`SELECT 1 FROM users WHERE email = 'twice@example.com'`);
  assert.equal(users.length, 1);
});

test('behind a trusted proxy the address is the last X-Forwarded-For entry', async () => {
  const p = await testVenue({ config: { authRateLimit: { perIp: 1, perEmail: 0, windowMs: 60_000 }, trustProxy: true } });
  try {
    const login = (xff: string) => call(p.app, 'POST', '/v1/auth/login', { headers: { 'x-forwarded-for': xff }, body: { email: 'a@example.com', password: 'long password' } });
    assert.equal((await login('1.1.1.1, 10.9.9.9')).status, 401);
    // A client forging the first entry is still counted by the proxy's entry.
    assert.equal((await login('2.2.2.2, 10.9.9.9')).status, 429);
    assert.equal((await login('10.9.9.8')).status, 401);
  } finally {
    await p.close();
  }
});

test('configFromEnv reads the auth limits and rejects bad values', () => {
  assert.deepEqual(configFromEnv({ CIFT_AUTH_RATE_LIMIT_IP: '5', CIFT_TRUST_PROXY: '1' }), {
    authRateLimit: { perIp: 5, perEmail: 10, windowMs: 900_000 },
    trustProxy: true,
  });
  assert.throws(() => configFromEnv({ CIFT_AUTH_RATE_LIMIT_EMAIL: '-1' }), /CIFT_AUTH_RATE_LIMIT_EMAIL must be an integer/);
  assert.throws(() => configFromEnv({ CIFT_TRUST_PROXY: 'maybe' }), /CIFT_TRUST_PROXY must be 1 or 0/);
});
