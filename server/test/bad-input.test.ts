// The bad-input sweep: for every route that takes input, malformed JSON,
// wrong types, missing and unknown fields, negative/zero/huge numbers, NaN and
// Infinity, too many decimals, unknown symbols, oversize bodies and the wrong
// content type each get a 4xx in the error shape — and change nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, newUser, testVenue, type TestUser, type TestVenue } from './helpers.ts';

let t: TestVenue;
let user: TestUser;
let admin: TestUser;
let openOrderId: string;

/** Everything a request could change: row counts, the engine's sequence, the account's money. */
async function fingerprint(): Promise<string> {
  const db = t.venue.deps.db;
  // Rows follow the journal; read them once they reflect every command run so far.
  await t.venue.deps.engine.settled();
  const counts = await db.query(
    `SELECT (SELECT count(*) FROM users) u, (SELECT count(*) FROM api_keys WHERE revoked_at IS NULL) k, (SELECT count(*) FROM orders) o,
            (SELECT count(*) FROM orders WHERE status IN ('new','partially_filled')) open, (SELECT count(*) FROM fills) f,
            (SELECT count(*) FROM cash_ledger) c, (SELECT count(*) FROM instruments) i, (SELECT coalesce(max(seq), 0) FROM engine_log) seq,
            (SELECT string_agg(symbol || status || maker_fee_bps || taker_fee_bps || name, ',' ORDER BY symbol) FROM instruments) inst,
            (SELECT string_agg(max_order_qty::text || max_open_orders, ',') FROM risk_limits) lim,
            (SELECT string_agg(status, ',' ORDER BY id) FROM accounts) acct`,
  );
  const acct = await call(t.app, 'GET', '/v1/account', { headers: user.key });
  return JSON.stringify([counts, t.venue.deps.engine.status().seq, acct.body.cash, acct.body.buying_power]);
}

before(async () => {
  t = await testVenue();
  user = await newUser(t);
  admin = await newUser(t, { admin: true });
  const o = await call(t.app, 'POST', '/v1/orders', { headers: user.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '10' } });
  openOrderId = o.body.id;
});
after(() => t.close());

interface Route {
  method: string;
  path: string;
  headers: () => Record<string, string>;
  valid: Record<string, unknown>;
  /** Fields holding decimals (get the numeric abuse) and symbols. */
  decimals: string[];
  symbols?: string[];
  /** Free-text fields (get control characters, which PostgreSQL text refuses (NUL), and lone surrogates). */
  texts?: string[];
  /** Every field is optional (an empty object is valid). */
  optional?: boolean;
  /** Zero is a valid decimal here (0 = unlimited). */
  zeroOk?: boolean;
  /** Fields that may be left out. */
  optionalKeys?: string[];
}

const order = { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '2', limit_price: '11.5' };
const routes = (): Route[] => [
  { method: 'POST', path: '/v1/auth/register', headers: () => ({}), valid: { email: 'new@example.com', password: 'long enough pw' }, decimals: [] },
  { method: 'POST', path: '/v1/auth/login', headers: () => ({}), valid: { email: user.email, password: 'correct horse battery' }, decimals: [] },
  { method: 'POST', path: '/v1/auth/keys', headers: () => user.key, valid: { scopes: ['read'], label: 'x' }, decimals: [], texts: ['label'], optional: true },
  { method: 'POST', path: '/v1/orders', headers: () => user.key, valid: order, decimals: ['qty', 'limit_price'], symbols: ['symbol'], texts: ['client_order_id'] },
  { method: 'POST', path: '/v1/orders', headers: () => user.key, valid: { ...order, type: 'stop_limit', stop_price: '12', display_qty: '1' }, decimals: ['stop_price', 'display_qty'], optionalKeys: ['display_qty'] },
  { method: 'PATCH', path: `/v1/orders/${openOrderId}`, headers: () => user.key, valid: { qty: '3', limit_price: '10.5' }, decimals: ['qty', 'limit_price'] },
  { method: 'POST', path: '/v1/account/deposits', headers: () => user.key, valid: { amount: '100.25' }, decimals: ['amount'] },
  { method: 'POST', path: '/v1/account/withdrawals', headers: () => user.key, valid: { amount: '1' }, decimals: ['amount'] },
  {
    method: 'POST',
    path: '/v1/instruments',
    headers: () => admin.key,
    valid: { symbol: 'NEWSYM', tick_size: '0.01', lot_size: '1', min_price: '0.01', max_price: '100', min_qty: '1', max_qty: '100' },
    decimals: ['tick_size', 'lot_size', 'min_price', 'max_price', 'min_qty', 'max_qty'],
    symbols: ['symbol'],
  },
  { method: 'PATCH', path: '/v1/instruments/AAPL', headers: () => admin.key, valid: { maker_fee_bps: '1', name: 'x' }, decimals: [], texts: ['name'], optional: true },
  {
    method: 'PUT',
    path: `/v1/admin/accounts/${user.accountId}/limits`,
    headers: () => admin.key,
    valid: { max_order_qty: '5', max_order_notional: '0', max_gross_exposure: '0', max_open_orders: 2, orders_per_second: 0, shorting_enabled: true },
    decimals: ['max_order_qty', 'max_order_notional', 'max_gross_exposure'],
    zeroOk: true,
  },
  { method: 'PATCH', path: `/v1/admin/accounts/${user.accountId}`, headers: () => admin.key, valid: { status: 'DISABLED' }, decimals: [] },
  { method: 'POST', path: '/v1/admin/session_end', headers: () => admin.key, valid: { symbol: 'AAPL' }, decimals: [], symbols: ['symbol'], optional: true },
];

const BAD_NUMBERS: unknown[] = ['-1', '0', '-0.5', '1e3', 'NaN', 'Infinity', '-Infinity', '1'.repeat(40), '99999999999999999999', '1.123456789123', ' ', '', '0x10', '1,5', null, true, [], {}, -5];

function cases(r: Route): [string, { body?: unknown; headers?: Record<string, string> }][] {
  const out: [string, { body?: unknown; headers?: Record<string, string> }][] = [];
  out.push(['malformed JSON', { body: '{"qty": "1",' }]);
  out.push(['a JSON array', { body: '[]' }]);
  out.push(['a JSON string', { body: '"hello"' }]);
  if (!r.optional) out.push(['empty object', { body: {} }]);
  out.push(['unknown field', { body: { ...r.valid, surprise: 1 } }]);
  out.push(['wrong content type', { body: JSON.stringify(r.valid), headers: { 'content-type': 'text/plain' } }]);
  out.push(['wrong content type, no body', { headers: { 'content-type': 'text/plain' } }]);
  out.push(['form content type', { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }]);
  out.push(['oversize body', { body: { ...r.valid, pad: 'x'.repeat(64 * 1024) } }]);
  for (const field of Object.keys(r.valid)) {
    const { [field]: _, ...rest } = r.valid;
    if (r.method !== 'PATCH' && !r.optional && !r.optionalKeys?.includes(field)) out.push([`missing ${field}`, { body: rest }]);
    out.push([`${field} as an object`, { body: { ...r.valid, [field]: { a: 1 } } }]);
    out.push([`${field} as null`, { body: { ...r.valid, [field]: null } }]);
  }
  const numbers = r.zeroOk ? BAD_NUMBERS.filter((v) => v !== '0') : BAD_NUMBERS;
  for (const field of r.decimals) {
    for (const v of numbers) out.push([`${field} = ${JSON.stringify(v)}`, { body: { ...r.valid, [field]: v } }]);
    // A JSON number beyond f64 range (parses to Infinity) and one with too many digits.
    for (const raw of ['1e400', '-1e400', '0.1234567890123456789']) {
      out.push([`${field} = ${raw} (raw JSON number)`, { body: JSON.stringify({ ...r.valid, [field]: '__RAW__' }).replace('"__RAW__"', raw) }]);
    }
  }
  const symbols = r.path === '/v1/instruments' ? ['aapl', '', 'A'.repeat(40), 'AA PL', 'AAPL'] : ['NOPE', 'aapl', '', 'A'.repeat(40), 'AA PL'];
  for (const field of r.symbols ?? []) for (const v of symbols) out.push([`${field} = ${v}`, { body: { ...r.valid, [field]: v } }]);
  for (const field of r.texts ?? []) {
    for (const v of ['a\u0000b', 'bell\u0007', 'line\nbreak', 'a\ud800b', '\udc00', 'high at end \ud83d']) out.push([`${field} = ${JSON.stringify(v)}`, { body: { ...r.valid, [field]: v } }]);
  }
  return out;
}

test('every bad input is a 4xx in the error shape and changes nothing', async () => {
  const before = await fingerprint();
  let n = 0;
  for (const r of routes()) {
    for (const [name, c] of cases(r)) {
      const reply = await call(t.app, r.method, r.path, { body: c.body, headers: { ...r.headers(), ...c.headers } });
      const what = `${r.method} ${r.path} with ${name}: ${reply.status} ${JSON.stringify(reply.body)}`;
      // register/login with an empty object etc. are validation errors; the only 2xx would be a bug.
      assert.ok(reply.status >= 400 && reply.status < 500, what);
      assert.equal(typeof reply.body?.error?.code, 'string', what);
      assert.equal(typeof reply.body.error.message, 'string', what);
      assert.equal(typeof reply.body.error.requestId, 'string', what);
      if (name.startsWith('wrong content type')) assert.equal(reply.body.error.code, 'unsupported_media_type', what);
      n++;
    }
  }
  assert.equal(await fingerprint(), before);
  assert.ok(n > 300, `only ${n} cases`);
});

test('field errors name the field', async () => {
  const cases: [Record<string, unknown>, string, number][] = [
    [{ ...order, limit_price: '11.555' }, 'limit_price', 422],
    [{ ...order, limit_price: '11.505' }, 'limit_price', 422],
    [{ ...order, qty: '1.5' }, 'qty', 422],
    [{ ...order, qty: '0' }, 'qty', 422],
    [{ ...order, qty: '2000000' }, 'qty', 422],
    [{ ...order, symbol: 'NOPE' }, 'symbol', 422],
    [{ ...order, side: 'hold' }, 'side', 422],
    [{ ...order, time_in_force: 'opg' }, 'time_in_force', 422],
    [{ ...order, type: 'market' }, 'limit_price', 422],
    [{ ...order, time_in_force: 'gtd' }, 'expire_at', 422],
    [{ ...order, expire_at: '2020-01-01T00:00:00Z' }, 'expire_at', 422],
    [{ ...order, post_only: true, time_in_force: 'ioc' }, 'time_in_force', 422],
    [{ ...order, display_qty: '5' }, 'display_qty', 422],
    [{ ...order, extra: 1 }, 'extra', 422],
    [{ ...order, qty: 'NaN' }, 'qty', 422],
    [{ ...order, client_order_id: 'a\u0000b' }, 'client_order_id', 422],
    [{ ...order, client_order_id: 'line\nbreak' }, 'client_order_id', 422],
  ];
  const before = await fingerprint();
  for (const [body, field, status] of cases) {
    const r = await call(t.app, 'POST', '/v1/orders', { headers: user.key, body });
    assert.equal(r.status, status, JSON.stringify([body, r.body]));
    assert.equal(r.body.error.field, field, JSON.stringify([body, r.body]));
  }
  // A field of the wrong type is invalid, not missing; only an absent one is missing.
  const { symbol: _, ...noSymbol } = order;
  const kinds: [unknown, string, string][] = [
    [{ ...order, symbol: 123 }, 'symbol', 'invalid'],
    [{ ...order, post_only: 'yes' }, 'post_only', 'invalid'],
    [{ ...order, symbol: null }, 'symbol', 'invalid'],
    [noSymbol, 'symbol', 'missing_field'],
  ];
  for (const [body, field, code] of kinds) {
    const r = await call(t.app, 'POST', '/v1/orders', { headers: user.key, body });
    assert.equal(r.status, 422, JSON.stringify([body, r.body]));
    assert.deepEqual([r.body.error.field, r.body.error.code], [field, code], JSON.stringify([body, r.body]));
  }
  for (const [path, code] of [['/v1/orders?limit=1&limit=2', 'invalid'], ['/v1/market/quotes/latest', 'missing_field']] as const) {
    const r = await call(t.app, 'GET', path, { headers: user.key });
    assert.deepEqual([r.status, r.body.error.code], [422, code], `${path}: ${JSON.stringify(r.body)}`);
  }
  assert.equal(await fingerprint(), before);
});

test('bad query and path parameters are 422, bad ids 404/422, and change nothing', async () => {
  const before = await fingerprint();
  const gets: [string, string, number][] = [
    ['GET', '/v1/orders?status=weird', 422],
    ['GET', '/v1/orders?limit=0', 422],
    ['GET', '/v1/orders?limit=abc', 422],
    ['GET', '/v1/orders?limit=1e9', 422],
    ['GET', '/v1/orders?after=yesterday', 422],
    // Dates JavaScript's lenient Date.parse takes but that name no instant (PostgreSQL refused them with a 500).
    ['GET', '/v1/orders?after=2024-02-30', 422],
    ['GET', '/v1/orders?until=0000-01-01', 422],
    ['GET', '/v1/orders?after=2024-01-01%20(x)', 422],
    ['GET', '/v1/account/activities?after=2023-02-29', 422],
    ['GET', '/v1/account/activities/CSD?until=0003-30-93', 422],
    ['GET', '/v1/account/portfolio/history?start=2024-01-01T24:00:00Z', 422],
    ['GET', '/v1/account/portfolio/history?end=2024-01-01T10:00:00%2B25:00', 422],
    ['GET', '/v1/account/activities/CSW?after=5444-10-07T20:49:00%2B21:37', 422],
    ['GET', '/v1/orders?until=2024-01-01T10:00:00-16:00', 422],
    ['GET', '/v1/market/AAPL/bars?start=2024-13-01', 422],
    ['GET', '/v1/orders?page_token=garbage', 422],
    ['GET', '/v1/orders?bogus=1', 422],
    ['GET', '/v1/orders/not-a-uuid', 422],
    ['GET', '/v1/orders/00000000-0000-4000-8000-000000000000', 404],
    ['DELETE', '/v1/orders/00000000-0000-4000-8000-000000000000', 404],
    ['GET', '/v1/orders/by_client_order_id', 422],
    ['GET', '/v1/positions/aapl', 422],
    ['GET', '/v1/positions/AAPL', 404],
    ['DELETE', '/v1/positions/NOPE', 404],
    ['DELETE', '/v1/positions/AAPL?qty=-1', 422],
    ['DELETE', '/v1/positions/AAPL?qty=1e2', 422],
    ['DELETE', '/v1/positions/AAPL?qty=0', 422],
    ['GET', '/v1/account/activities?activity_types=XYZ', 422],
    ['GET', '/v1/account/activities?page_size=100000', 422],
    ['GET', '/v1/account/activities/NOPE', 422],
    ['GET', '/v1/account/portfolio/history?timeframe=1Sec', 422],
    ['GET', '/v1/instruments/NOPE', 404],
    ['GET', '/v1/market/NOPE/quote', 404],
    ['GET', '/v1/market/AAPL/depth?levels=0', 422],
    ['DELETE', '/v1/auth/keys/xyz', 422],
    ['GET', '/v1/market/bars?symbols=AAPL,NOPE', 422],
    ['GET', '/v1/market/quotes/latest', 422],
    ['GET', '/v1/market/trades/latest?symbols=,', 422],
    ['GET', '/v1/market/snapshots?symbols=aapl', 422],
  ];
  for (const [method, path, status] of gets) {
    const r = await call(t.app, method, path, { headers: user.key });
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body.error.code, 'string');
  }
  assert.equal(await fingerprint(), before);
});

test('a known path asked with a method it does not take is a 405 naming the methods it takes, and changes nothing', async () => {
  const before = await fingerprint();
  const cases: [string, string, string][] = [
    ['PUT', '/v1/orders', 'DELETE, GET, HEAD, POST'],
    ['POST', `/v1/orders/${openOrderId}`, 'DELETE, GET, HEAD, PATCH'],
    ['DELETE', '/v1/market/AAPL/quote', 'GET, HEAD'],
    ['GET', '/v1/auth/login', 'POST'],
    // A literal path wins over a templated one, as OpenAPI matches them: not /v1/orders/{order_id}'s DELETE, PATCH.
    ['POST', '/v1/orders/by_client_order_id', 'GET, HEAD'],
    // Even with a method /v1/orders/{order_id} takes, which Hono would otherwise route there.
    ['DELETE', '/v1/orders/by_client_order_id?client_order_id=x', 'GET, HEAD'],
    ['PATCH', '/v1/orders/by_client_order_id', 'GET, HEAD'],
  ];
  for (const [method, path, allow] of cases) {
    const r = await call(t.app, method, path, { headers: user.key, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    assert.equal(r.status, 405, `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'method_not_allowed');
    assert.equal(r.headers.get('allow'), allow, `${method} ${path}`);
  }
  const unknown = await call(t.app, 'GET', '/v1/nothing-here', { headers: user.key });
  assert.equal(unknown.status, 404);
  assert.equal(await fingerprint(), before);
});

test('a deposit or withdrawal past what the engine keeps exactly is a 422 on amount and changes nothing', async () => {
  const before = await fingerprint();
  for (const path of ['/v1/account/deposits', '/v1/account/withdrawals']) {
    for (const amount of ['90071992.55', '90071993', '1000000000']) {
      const r = await call(t.app, 'POST', path, { headers: user.key, body: { amount } });
      assert.deepEqual([r.status, r.body.error.field], [422, 'amount'], `${path} ${amount}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.message, /too large \(at most 90071992\.54\)/);
    }
  }
  assert.equal(await fingerprint(), before);
});

test('a GTD expiry past what the engine keeps exactly is a 422 on expire_at and stores nothing', async () => {
  const before = await fingerprint();
  for (const expire_at of ['2256-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
    const r = await call(t.app, 'POST', '/v1/orders', { headers: user.key, body: { ...order, time_in_force: 'gtd', expire_at, client_order_id: `far-${expire_at}` } });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error.field, 'expire_at');
  }
  assert.equal(await fingerprint(), before);
  const ok = await call(t.app, 'POST', '/v1/orders', { headers: user.key, body: { ...order, time_in_force: 'gtd', expire_at: '2255-01-01T00:00:00Z' } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  await call(t.app, 'DELETE', `/v1/orders/${ok.body.id}`, { headers: user.key });
});

test('replacing or canceling a closed order is 409; PATCH with nothing to change is 422', async () => {
  const o = await call(t.app, 'POST', '/v1/orders', { headers: user.key, body: { ...order, limit_price: '9' } });
  assert.equal((await call(t.app, 'DELETE', `/v1/orders/${o.body.id}`, { headers: user.key })).status, 200);
  const before = await fingerprint();
  assert.equal((await call(t.app, 'PATCH', `/v1/orders/${o.body.id}`, { headers: user.key, body: { qty: '1' } })).status, 409);
  assert.equal((await call(t.app, 'DELETE', `/v1/orders/${o.body.id}`, { headers: user.key })).status, 409);
  for (const body of [{}, { client_order_id: 'renamed' }, undefined]) {
    const r = await call(t.app, 'PATCH', `/v1/orders/${openOrderId}`, { headers: user.key, body });
    assert.deepEqual([r.status, r.body.error.code, r.body.error.field], [422, 'missing_field', 'qty'], JSON.stringify(r.body));
    assert.match(r.body.error.message, /give qty and\/or limit_price/);
  }
  assert.equal(await fingerprint(), before);
});
