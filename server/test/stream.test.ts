// Live streams: SSE through app.request(), and WebSocket with a real client
// against a listening Node server. Public channels reach every subscriber;
// order and fill updates reach only their own account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createLogger } from '../src/boot.ts';
import { startNodeServer, type RunningServer } from '../src/node.ts';
import { call, newUser, testVenue, TEST_INSTRUMENTS, type TestUser, type TestVenue } from './helpers.ts';
import { streamClient } from './process-helpers.ts';

type Msg = Record<string, unknown> & { T: string };

const order = (side: string, qty: string, price: string, tif = 'gtc') => ({ symbol: 'AAPL', side, type: 'limit', time_in_force: tif, qty, limit_price: price });

/** Reads SSE events from a response until `done` says so (or the stream ends). */
async function readSse(res: Response, done: (events: Msg[]) => boolean): Promise<Msg[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Msg[] = [];
  let buf = '';
  while (!done(events)) {
    const { value, done: end } = await reader.read();
    if (end) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (data) events.push(JSON.parse(data.slice(6)) as Msg);
    }
  }
  await reader.cancel();
  return events;
}

describe('SSE', () => {
  let t: TestVenue;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  before(async () => {
    t = await testVenue();
    [alice, bob, carol] = [await newUser(t), await newUser(t), await newUser(t)];
  });
  after(() => t.close());

  test('trades, quotes and book deltas per symbol, and only the caller’s own order updates', async () => {
    const res = await t.app.request('/v1/stream/sse?trades=AAPL&quotes=AAPL&book=AAPL&trade_updates=true', { headers: alice.key });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.equal(t.venue.deps.market.streams.size(), 1);
    // Bob and Carol trade with each other, then Alice trades with Bob.
    await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('sell', '3', '50') });
    await call(t.app, 'POST', '/v1/orders', { headers: carol.key, body: order('buy', '3', '50') });
    await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('sell', '2', '51') });
    await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: order('buy', '2', '51') });
    const events = await readSse(res, (ev) => ev.filter((e) => e.T === 't').length >= 2 && ev.some((e) => e.T === 'u' && e.event === 'fill'));
    assert.deepEqual(events[0], { T: 'subscription', trades: ['AAPL'], quotes: ['AAPL'], book: ['AAPL'], trade_updates: true });
    const trades = events.filter((e) => e.T === 't');
    assert.deepEqual(trades.map((e) => [e.S, e.p, e.s, e.tks]), [
      ['AAPL', '50', '3', 'B'],
      ['AAPL', '51', '2', 'B'],
    ]);
    assert.ok(events.some((e) => e.T === 'q' && e.S === 'AAPL'));
    assert.ok(events.some((e) => e.T === 'd' && e.S === 'AAPL' && e.side === 'ask' && e.p === '50'));
    const updates = events.filter((e) => e.T === 'u');
    assert.ok(updates.length >= 2);
    for (const u of updates) assert.equal((u.order as { side: string }).side, 'buy', 'only Alice’s buy order');
    const aliceOrders = (await call(t.app, 'GET', '/v1/orders?status=all', { headers: alice.key })).body.map((o: { id: string }) => o.id);
    for (const u of updates) assert.ok(aliceOrders.includes((u.order as { id: string }).id));
    // Closing the stream releases its subscriptions.
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(t.venue.deps.market.streams.size(), 0);
  });

  test('bad subscriptions are 4xx with the field named; credentials are required', async () => {
    const bad = await call(t.app, 'GET', '/v1/stream/sse?trades=NOPE', { headers: alice.key });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, 'trades');
    const lower = await call(t.app, 'GET', '/v1/stream/sse?quotes=aapl', { headers: alice.key });
    assert.equal(lower.status, 422);
    assert.equal(lower.body.error.field, 'quotes');
    const unknown = await call(t.app, 'GET', '/v1/stream/sse?account=other', { headers: alice.key });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error.field, 'account');
    assert.equal((await call(t.app, 'GET', '/v1/stream/sse?trades=AAPL')).status, 401);
  });

  test('the WebSocket route without a runtime upgrade is 501 naming SSE', async () => {
    const r = await call(t.app, 'GET', '/v1/stream', { headers: alice.key });
    assert.equal(r.status, 501);
    assert.match(r.body.error.message, /sse/);
  });
});

describe('WebSocket on a listening Node server', () => {
  let server: RunningServer;
  let base: string;
  const keys: Record<string, string>[] = [];
  before(async () => {
    server = await startNodeServer(0, {
      dataDir: null,
      instrumentsFile: TEST_INSTRUMENTS,
      logger: createLogger('silent'),
      config: { argon2: { memorySize: 64, iterations: 1 }, rateLimit: 0 },
    });
    base = `http://127.0.0.1:${server.port}`;
    for (let i = 0; i < 3; i++) {
      const email = `ws${i}-${Date.now()}@example.com`;
      const password = 'correct horse battery';
      await fetch(`${base}/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const login = (await (await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).json()) as { token: string };
      const key = (await (
        await fetch(`${base}/v1/auth/keys`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` }, body: JSON.stringify({ scopes: ['read', 'trade'] }) })
      ).json()) as { id: string; secret: string };
      keys.push({ 'APCA-API-KEY-ID': key.id, 'APCA-API-SECRET-KEY': key.secret });
    }
  });
  after(() => server.stop());

  const post = (key: Record<string, string>, body: unknown) =>
    fetch(`${base}/v1/orders`, { method: 'POST', headers: { ...key, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

  const client = (headers?: Record<string, string>) => streamClient<Msg>(base, headers);

  test('header auth and auth message; public trades to both; order updates only to their owner', async () => {
    const a = await client(keys[0]);
    await a.until((m) => m.T === 'success' && m.msg === 'authenticated');
    const b = await client();
    await b.until((m) => m.T === 'success' && m.msg === 'connected');
    // Before authenticating, subscribing is refused.
    b.send({ action: 'subscribe', trades: ['AAPL'] });
    assert.equal((await b.until((m) => m.T === 'error')).code, 401);
    b.send({ action: 'auth', key: keys[1]['APCA-API-KEY-ID'], secret: keys[1]['APCA-API-SECRET-KEY'] });
    await b.until((m) => m.T === 'success' && m.msg === 'authenticated');
    a.send({ action: 'subscribe', trades: ['AAPL'], trade_updates: true });
    b.send({ action: 'subscribe', trades: ['*'], book: ['AAPL'], trade_updates: true });
    assert.deepEqual(await a.until((m) => m.T === 'subscription'), { T: 'subscription', trades: ['AAPL'], quotes: [], book: [], trade_updates: true });
    await b.until((m) => m.T === 'subscription');

    // A (keys[0]) rests a sell; C (keys[2]) takes it: a trade both see; A gets its fill, B gets nothing private.
    const resting = (await post(keys[0], order('sell', '4', '60'))) as { id: string };
    await post(keys[2], order('buy', '4', '60', 'ioc'));
    const tradeA = await a.until((m) => m.T === 't');
    const tradeB = await b.until((m) => m.T === 't');
    assert.deepEqual([tradeA.p, tradeA.s, tradeA.S], ['60', '4', 'AAPL']);
    assert.deepEqual(tradeB, tradeA);
    const fill = await a.until((m) => m.T === 'u' && m.event === 'fill');
    assert.equal((fill.order as { id: string }).id, resting.id);
    assert.ok(b.messages.some((m) => m.T === 'd'));

    // B's own order: B hears about it, A does not.
    const mine = (await post(keys[1], order('buy', '1', '10'))) as { id: string };
    const newB = await b.until((m) => m.T === 'u' && (m.order as { id: string }).id === mine.id);
    assert.equal(newB.event, 'new');
    for (const m of b.messages.filter((x) => x.T === 'u')) assert.equal((m.order as { id: string }).id, mine.id);
    for (const m of a.messages.filter((x) => x.T === 'u')) assert.equal((m.order as { id: string }).id, resting.id);

    // Unsubscribe stops them.
    const count = a.messages.length;
    a.send({ action: 'unsubscribe', trades: ['AAPL'], trade_updates: true });
    await a.until((m) => m.T === 'subscription' && (m.trades as string[]).length === 0, count);
    const gauge = await (await fetch(`${base}/metrics`)).text();
    assert.match(gauge, /cift_stream_connections\{transport="ws"\} 2/);
    a.ws.close();
    b.ws.close();
  });

  test('bad messages get error messages naming the problem; the connection stays usable', async () => {
    const pick = (m: Msg) => [m.code, m.field];
    const c = await client(keys[2]);
    await c.until((m) => m.T === 'success');
    c.send('not json');
    assert.equal((await c.until((m) => m.T === 'error')).code, 400);
    let from = c.messages.length;
    c.send({ action: 'subscribe', trades: ['NOPE'] });
    const unknown = await c.until((m) => m.T === 'error', from);
    assert.deepEqual([unknown.code, unknown.field], [422, 'trades']);
    from = c.messages.length;
    c.send({ action: 'dance' });
    assert.deepEqual(pick(await c.until((m) => m.T === 'error', from)), [422, 'action']);
    // An unknown key is named, not `action`; a message that is no object names no field.
    from = c.messages.length;
    c.send({ action: 'subscribe', constructor: {} });
    assert.deepEqual(pick(await c.until((m) => m.T === 'error', from)), [422, 'constructor']);
    from = c.messages.length;
    c.send([1]);
    assert.deepEqual(pick(await c.until((m) => m.T === 'error', from)), [422, undefined]);
    from = c.messages.length;
    c.send({ action: 'auth', key: 'nope', secret: 'nope' });
    assert.equal((await c.until((m) => m.T === 'error', from)).code, 401);
    from = c.messages.length;
    c.send({ action: 'subscribe', quotes: ['AAPL'] });
    assert.deepEqual((await c.until((m) => m.T === 'subscription', from)).quotes, ['AAPL']);
    c.ws.close();
  });

  test('bad credentials at the upgrade are refused; a plain GET is 426', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/v1/stream`, { headers: { 'APCA-API-KEY-ID': 'x', 'APCA-API-SECRET-KEY': 'y' } });
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 401);
    const plain = await fetch(`${base}/v1/stream`, { headers: keys[0] });
    assert.equal(plain.status, 426);
  });
});
