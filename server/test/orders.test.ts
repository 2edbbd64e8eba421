// Orders end to end through app.request(): place, fill, replace, cancel,
// cancel all, idempotency, listing, and what a fill does to positions and cash.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, newUser, testVenue, type TestUser, type TestVenue } from './helpers.ts';

let t: TestVenue;
let alice: TestUser;
let bob: TestUser;
before(async () => {
  t = await testVenue();
  alice = await newUser(t);
  bob = await newUser(t);
});
after(() => t.close());

const limit = (side: string, qty: string, price: string, extra: object = {}) => ({ symbol: 'AAPL', side, type: 'limit', time_in_force: 'gtc', qty, limit_price: price, ...extra });

test('a resting limit order is new; a crossing one fills both; positions and cash follow', async () => {
  const buy = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '10', '150.25') });
  assert.equal(buy.status, 200, JSON.stringify(buy.body));
  assert.equal(buy.body.status, 'new');
  assert.equal(buy.body.qty, '10');
  assert.equal(buy.body.limit_price, '150.25');
  assert.equal(buy.body.filled_qty, '0');

  const sell = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: { symbol: 'AAPL', side: 'sell', type: 'market', time_in_force: 'day', qty: '4' } });
  assert.equal(sell.status, 200, JSON.stringify(sell.body));
  assert.equal(sell.body.status, 'filled');
  assert.equal(sell.body.filled_qty, '4');
  assert.equal(sell.body.filled_avg_price, '150.25');

  const again = await call(t.app, 'GET', `/v1/orders/${buy.body.id}`, { headers: alice.key });
  assert.equal(again.body.status, 'partially_filled');
  assert.equal(again.body.filled_qty, '4');

  const pos = await call(t.app, 'GET', '/v1/positions/AAPL', { headers: alice.key });
  assert.equal(pos.status, 200);
  assert.equal(pos.body.qty, '4');
  assert.equal(pos.body.side, 'long');
  assert.equal(pos.body.avg_entry_price, '150.25');
  assert.equal(pos.body.cost_basis, '601');
  const short = await call(t.app, 'GET', '/v1/positions', { headers: bob.key });
  assert.deepEqual(short.body.map((p: { symbol: string; qty: string }) => [p.symbol, p.qty]), [['AAPL', '-4']]);

  const acct = await call(t.app, 'GET', '/v1/account', { headers: alice.key });
  assert.equal(acct.status, 200);
  assert.equal(acct.body.cash, '99399'); // 100000 − 4 × 150.25
  const fills = await call(t.app, 'GET', '/v1/account/activities/FILL', { headers: alice.key });
  assert.equal(fills.body.activities.length, 1);
  assert.equal(fills.body.activities[0].price, '150.25');
  assert.equal(fills.body.activities[0].qty, '4');
  assert.equal(fills.body.activities[0].liquidity, 'maker');
});

test('replace gives a new order that replaces the old; cancel ends it', async () => {
  const o = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '5', '100') });
  const r = await call(t.app, 'PATCH', `/v1/orders/${o.body.id}`, { headers: alice.key, body: { qty: '7', limit_price: '101.5' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.notEqual(r.body.id, o.body.id);
  assert.equal(r.body.replaces, o.body.id);
  assert.equal(r.body.qty, '7');
  assert.equal(r.body.limit_price, '101.5');
  assert.equal(r.body.status, 'new');
  const old = await call(t.app, 'GET', `/v1/orders/${o.body.id}`, { headers: alice.key });
  assert.equal(old.body.status, 'replaced');
  assert.equal(old.body.replaced_by, r.body.id);

  const c = await call(t.app, 'DELETE', `/v1/orders/${r.body.id}`, { headers: alice.key });
  assert.equal(c.status, 200);
  assert.equal(c.body.status, 'canceled');
  const twice = await call(t.app, 'DELETE', `/v1/orders/${r.body.id}`, { headers: alice.key });
  assert.equal(twice.status, 409);
  assert.equal(twice.body.error.code, 'order_not_open');
});

test('client_order_id: same body returns the same order, a different body is 422', async () => {
  const body = limit('buy', '1', '90', { client_order_id: 'my-order-1' });
  const a = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body });
  const b = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body });
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.equal(b.body.id, a.body.id);
  const [c1, c2] = await Promise.all([
    call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '1', '91', { client_order_id: 'race' }) }),
    call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '1', '91', { client_order_id: 'race' }) }),
  ]);
  assert.equal(c1.body.id, c2.body.id);
  const d = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '2', '90', { client_order_id: 'my-order-1' }) });
  assert.equal(d.status, 422);
  assert.equal(d.body.error.field, 'client_order_id');
  const got = await call(t.app, 'GET', '/v1/orders/by_client_order_id?client_order_id=my-order-1', { headers: alice.key });
  assert.equal(got.body.id, a.body.id);
  // Any Unicode text is an id, astral characters (surrogate pairs) included; a lone surrogate is refused.
  const emoji = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '1', '90', { client_order_id: 'id-\u{1F600}' }) });
  assert.equal(emoji.status, 200, JSON.stringify(emoji.body));
  const byEmoji = await call(t.app, 'GET', `/v1/orders/by_client_order_id?client_order_id=${encodeURIComponent('id-\u{1F600}')}`, { headers: alice.key });
  assert.equal(byEmoji.body.id, emoji.body.id);
  const lone = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '1', '90', { client_order_id: 'id-\ud83d' }) });
  assert.equal(lone.status, 422);
  assert.equal(lone.body.error.field, 'client_order_id');
  // Another account may use the same client_order_id.
  const e = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: limit('sell', '1', '190', { client_order_id: 'my-order-1' }) });
  assert.equal(e.status, 200);
  assert.notEqual(e.body.id, a.body.id);
});

test('client_order_id: concurrent replaces (or a replace and a place) naming one id give it to one order only', async () => {
  const listed = async () => {
    const all = await call(t.app, 'GET', '/v1/orders?status=all&limit=500', { headers: alice.key });
    assert.equal(all.status, 200, JSON.stringify(all.body));
    return all.body as { id: string; client_order_id: string }[];
  };
  for (const [round, other] of [['two-replaces', 'replace'], ['replace-and-place', 'place']] as const) {
    const id = `race-${round}`;
    const a = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '1', '10') });
    const b = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '1', '11') });
    const [first, second] = await Promise.all([
      call(t.app, 'PATCH', `/v1/orders/${a.body.id}`, { headers: alice.key, body: { limit_price: '12', client_order_id: id } }),
      other === 'replace'
        ? call(t.app, 'PATCH', `/v1/orders/${b.body.id}`, { headers: alice.key, body: { limit_price: '13', client_order_id: id } })
        : call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '1', '13', { client_order_id: id }) }),
    ]);
    assert.deepEqual([first.status, second.status].sort(), [200, 422], `${round}: ${JSON.stringify([first.body, second.body])}`);
    const refused = first.status === 422 ? first : second;
    assert.equal(refused.body.error.field, 'client_order_id');
    // The relational store took the winner: the listing answers and holds the id once.
    assert.equal((await listed()).filter((o) => o.client_order_id === id).length, 1, round);
  }
});

test('an iceberg replaced below its display size shows all it holds, and the store takes it', async () => {
  const ice = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '10', '20', { display_qty: '5' }) });
  assert.equal(ice.status, 200, JSON.stringify(ice.body));
  const smaller = await call(t.app, 'PATCH', `/v1/orders/${ice.body.id}`, { headers: alice.key, body: { qty: '2' } });
  assert.equal(smaller.status, 200, JSON.stringify(smaller.body));
  assert.deepEqual([smaller.body.qty, smaller.body.display_qty], ['2', '2']);
  // Partly filled (the best bid by far, so the market sell takes it first), then repriced: the rest is below the
  // display size (5).
  const big = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: limit('buy', '10', '500', { display_qty: '5' }) });
  const sold = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: { symbol: 'AAPL', side: 'sell', type: 'market', time_in_force: 'day', qty: '7' } });
  assert.equal(sold.status, 200, JSON.stringify(sold.body));
  const filled = await call(t.app, 'GET', `/v1/orders/${big.body.id}`, { headers: alice.key });
  const rest = String(Number(filled.body.qty) - Number(filled.body.filled_qty));
  assert.ok(Number(rest) > 0 && Number(rest) < 5, JSON.stringify(filled.body));
  const repriced = await call(t.app, 'PATCH', `/v1/orders/${big.body.id}`, { headers: alice.key, body: { limit_price: '499' } });
  assert.equal(repriced.status, 200, JSON.stringify(repriced.body));
  assert.deepEqual([repriced.body.qty, repriced.body.display_qty], [rest, rest]);
  // The relational store took both rows: reads that wait for it answer.
  for (const o of [smaller, repriced]) {
    const got = await call(t.app, 'GET', `/v1/orders/${o.body.id}`, { headers: alice.key });
    assert.equal(got.status, 200);
  }
  const listed = await call(t.app, 'GET', '/v1/orders?status=all&limit=500', { headers: alice.key });
  assert.equal(listed.status, 200);
  for (const o of [smaller, repriced]) {
    assert.equal(listed.body.find((r: { id: string }) => r.id === o.body.id)?.display_qty, o.body.display_qty);
  }
});

test('cancel all answers 207 with a status per order', async () => {
  const user = await newUser(t);
  const ids = [];
  for (const p of ['80', '81', '82']) ids.push((await call(t.app, 'POST', '/v1/orders', { headers: user.key, body: limit('buy', '1', p) })).body.id);
  const r = await call(t.app, 'DELETE', '/v1/orders', { headers: user.key });
  assert.equal(r.status, 207);
  assert.deepEqual(r.body.map((x: { id: string }) => x.id).sort(), [...ids].sort());
  assert.ok(r.body.every((x: { status: number; body: { status: string } }) => x.status === 200 && x.body.status === 'canceled'));
  const open = await call(t.app, 'GET', '/v1/orders?status=open', { headers: user.key });
  assert.deepEqual(open.body, []);
});
