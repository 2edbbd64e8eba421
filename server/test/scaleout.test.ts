// The scale-out path on the real stack (PostgreSQL and NATS JetStream on this
// machine; a scratch database, stream names and subjects of this run, removed
// afterwards): two engine workers own disjoint symbols (shard a: AAPL, shard
// b: MSFT) behind one gateway. Cash lives per shard and moves only by
// transfer. A load generator places orders on both shards; worker b is
// SIGKILLed mid-load and started again. Every order answered 2xx is there
// exactly once, every order whose command was stored while b was down ran
// exactly once when it came back, b's rebuilt book is its open orders, and
// shard a answered throughout.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { openFileJournal } from '../src/embedded/file-journal.ts';
import { openPglite } from '../src/embedded/pglite.ts';
import { TaggedJournal } from '../src/scaleout/tagged-journal.ts';
import { migrate } from '../src/venue/migrate.ts';
import { deleteStreams, jetStreamNames, SnapshotStore } from '../src/production/jetstream.ts';
import { connectNats } from '../src/production/nats-bus.ts';
import { parseShardMap, scaleoutNames, type ScaleoutNames } from '../src/scaleout/shard-map.ts';
import { allOrders, apiKeyUser, http, listeningUrl, type OrderOut } from './process-helpers.ts';
import { eventually, LOCAL, scratchDatabase, token, type ScratchDatabase } from './production-helpers.ts';

const CLI = new URL('../bin/cift.mjs', import.meta.url).pathname;

function launch(args: string[], env: Record<string, string>, stderr: 'inherit' | 'pipe' = 'inherit'): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', stderr], env: { ...process.env, ...env } });
}

/** Starts the worker of `shard`; resolves once it consumes, rejects with its output if it exits first. */
function startWorker(shard: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = launch(['worker', '--shard', shard], env, 'pipe');
  return new Promise((resolve, reject) => {
    let out = '';
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (s: string) => {
        out += s;
        if (/consuming/.test(out)) resolve(child);
      });
    }
    child.once('exit', (code) => reject(new Error(`worker ${shard} exited (${code}) before consuming: ${out}`)));
  });
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

type Book = { bids: Map<string, number>; asks: Map<string, number> };

async function depth(url: string, key: Record<string, string>, symbol: string): Promise<Book> {
  const d = (await http(url, 'GET', `/v1/market/${symbol}/depth?levels=100`, key)).body;
  const levels = (l: { price: string; size: string }[]): Map<string, number> => new Map(l.map((x) => [String(Number(x.price)), Number(x.size)]));
  return { bids: levels(d.bids), asks: levels(d.asks) };
}

/** The book the open orders make: remaining quantity per price and side. */
function bookOf(orders: (OrderOut & { symbol: string })[], symbol: string): Book {
  const book: Book = { bids: new Map(), asks: new Map() };
  for (const o of orders) {
    if (o.symbol !== symbol || (o.status !== 'new' && o.status !== 'partially_filled')) continue;
    const side = o.side === 'buy' ? book.bids : book.asks;
    const price = String(Number(o.limit_price));
    side.set(price, (side.get(price) ?? 0) + Number(o.qty) - Number(o.filled_qty));
  }
  return book;
}

test('the shard map: disjoint symbols, named shards, a home shard per account', () => {
  const map = parseShardMap('a=AAPL,MSFT; b=BTC-USD');
  assert.deepEqual(
    map.shards.map((s) => [s.name, s.symbols]),
    [
      ['a', ['AAPL', 'MSFT']],
      ['b', ['BTC-USD']],
    ],
  );
  assert.equal(map.shardOf('BTC-USD')?.name, 'b');
  assert.equal(map.shardOf('SPY'), undefined);
  assert.deepEqual([1, 2, 3, 4].map((ea) => map.homeShard(ea).name), ['a', 'b', 'a', 'b']);
  assert.throws(() => parseShardMap('a=AAPL;b=MSFT,AAPL'), /symbol AAPL is owned by both shard 'a' and shard 'b'/);
  assert.throws(() => parseShardMap('A=AAPL'), /shard name 'A' must match/);
  assert.throws(() => parseShardMap('a=AAPL;a=MSFT'), /shard 'a' is named twice/);
  assert.throws(() => parseShardMap('a='), /shard 'a' owns no symbols/);
  assert.throws(() => parseShardMap('a=aapl'), /'aapl' is not a symbol/);
  assert.throws(() => parseShardMap(''), /must name at least one shard/);
  const n = scaleoutNames('cift');
  assert.equal(n.commandStream, 'CIFT_COMMANDS');
  assert.equal(n.symbolSubject('BRK.B'), 'cift.cmd.BRK_B');
  assert.equal(n.shardSubject('a'), 'cift.cmd._shard_a');
  assert.equal(n.durable('a', n.symbolSubject('EUR/USD')), 'cift_a_EUR~USD');
  assert.equal(n.durable('b', n.shardSubject('b')), 'cift_b__shard_b');
  assert.throws(() => scaleoutNames('Cift'), /scale-out prefix must match/);
});

test('the tagged journal: lines carry the armed mark; marks survive release (in the database) and reopening (from held lines)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cift-tagged-journal-'));
  const db = await openPglite();
  try {
    await migrate(db);
    const line = (n: number) => `${JSON.stringify({ n, s: n, t: 1, r: [0] })}\n`;
    let j = await TaggedJournal.open(openFileJournal(dir), db);
    assert.equal(j.mark('x.cmd.AAPL'), undefined);
    await j.append(1, line(1)); // unarmed: no mark
    j.arm('x.cmd.AAPL', { seq: 7, step: 0 });
    await j.append(2, line(2) + line(3));
    j.disarm();
    j.arm('x.cmd._shard_a', { seq: 9, step: 1 }, 'transfer:t1');
    await j.append(4, line(4));
    j.disarm();
    assert.deepEqual(j.mark('x.cmd.AAPL'), { seq: 7, step: 0 });
    assert.ok(j.has('transfer:t1'));
    assert.ok(!j.has('transfer:t2'));
    await j.close();

    // Reopened: the marks come back from the lines still held, which read back as the lines the service wrote.
    j = await TaggedJournal.open(openFileJournal(dir), db);
    assert.deepEqual(j.mark('x.cmd.AAPL'), { seq: 7, step: 0 });
    assert.deepEqual(j.mark('x.cmd._shard_a'), { seq: 9, step: 1 });
    assert.ok(j.has('transfer:t1'));
    const held = j.read();
    assert.deepEqual(held.map((l) => l.n), [1, 2, 3, 4]);
    assert.deepEqual((held[1] as { s: number }).s, 2);
    // Released lines take their marks to the database first.
    j.release(4);
    await j.close();
    const [row] = await db.query<{ value: string }>(`SELECT value FROM venue_meta WHERE key = 'scaleout_marks'`);
    assert.deepEqual(JSON.parse(row.value), { 'x.cmd.AAPL': { seq: 7, step: 0 }, 'x.cmd._shard_a': { seq: 9, step: 1 } });
    const [keys] = await db.query<{ value: string }>(`SELECT value FROM venue_meta WHERE key = 'scaleout_keys'`);
    assert.deepEqual(JSON.parse(keys.value), ['transfer:t1']);
    // With the lines gone (a journal may drop released lines), the database still has the marks.
    rmSync(dir, { recursive: true, force: true });
    j = await TaggedJournal.open(openFileJournal(dir), db);
    assert.deepEqual(j.read(), []);
    assert.deepEqual(j.mark('x.cmd.AAPL'), { seq: 7, step: 0 });
    assert.deepEqual(j.mark('x.cmd._shard_a'), { seq: 9, step: 1 });
    assert.ok(j.has('transfer:t1'));
    await j.close();
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

let scratch: ScratchDatabase;
let names: ScaleoutNames;
let env: Record<string, string>;
const run = token();

before(async () => {
  scratch = await scratchDatabase();
  names = scaleoutNames(`so${run}`);
  env = {
    CIFT_SHARDS: 'a=AAPL,NVDA;b=MSFT',
    CIFT_SCALEOUT_PREFIX: names.prefix,
    DATABASE_URL: scratch.url,
    NATS_URL: LOCAL.nats,
    REDIS_URL: '',
    CIFT_LOG_LEVEL: process.env.SCALEOUT_TEST_LOG ?? 'silent',
    CIFT_RATE_LIMIT: '0',
    CIFT_INITIAL_CASH: '1000000',
    CIFT_SHARD_TIMEOUT_MS: '1500',
    CIFT_SNAPSHOT_EVERY: '40',
    PORT: '0',
  };
});
after(async () => {
  const nc = await connectNats(LOCAL.nats);
  try {
    const jsm = await nc.jetstreamManager();
    for (const prefix of [names.prefix, names.journalPrefix('a'), names.journalPrefix('b')]) await deleteStreams(jsm, jetStreamNames(prefix));
  } finally {
    await nc.close();
  }
  await scratch?.drop();
});

test('two workers behind one gateway: SIGKILL one under load, restart it; nothing acknowledged is lost or doubled', { timeout: 180_000 }, async (t) => {
  let workerA: ChildProcess | undefined;
  let workerB: ChildProcess | undefined;
  let gateway: ChildProcess | undefined;
  let stray: ChildProcess | undefined;
  const db = new pg.Client({ connectionString: scratch.url });
  await db.connect();
  const nc = await connectNats(LOCAL.nats);
  const jsm = await nc.jetstreamManager();
  try {
    [workerA, workerB] = await Promise.all([startWorker('a', env), startWorker('b', env)]);
    await assert.rejects(startWorker('a', env), /shard 'a' already has a running worker/);
    gateway = launch(['serve'], env);
    const url = await listeningUrl(gateway, 'the gateway');
    await eventually('the gateway to see both shards', async () => (await http(url, 'GET', '/ready')).status === 200);

    const buyer = await apiKeyUser(url, 'buyer@scaleout.example');
    const seller = await apiKeyUser(url, 'seller@scaleout.example');

    // Cash per shard: the opening cash is on the account's home shard only; the account shows the sum.
    const shards = async (key: Record<string, string>) =>
      (await http(url, 'GET', '/v1/account/shards', key)).body as { shard: string; home: boolean; cash: string | null }[];
    for (const key of [buyer, seller]) {
      const per = await shards(key);
      const home = per.find((s) => s.home)!;
      const other = per.find((s) => !s.home)!;
      assert.equal(Number(home.cash), 1_000_000);
      assert.equal(Number(other.cash), 0);
      assert.equal(Number((await http(url, 'GET', '/v1/account', key)).body.cash), 1_000_000);
      // The other shard's engine cannot spend the home shard's cash.
      const sym = other.shard === 'a' ? 'AAPL' : 'MSFT';
      const broke = await http(url, 'POST', '/v1/orders', key, { symbol: sym, side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '100' });
      assert.equal(broke.status, 403, JSON.stringify(broke.body));
      assert.match(broke.body.error.code, /buying_power/);
      // A transfer moves half of it; the credit follows the durable debit.
      const moved = await http(url, 'POST', '/v1/account/transfers', key, { from: home.shard, to: other.shard, amount: '500000' });
      assert.equal(moved.status, 201, JSON.stringify(moved.body));
      await eventually('the transfer to be credited', async () => Number((await shards(key)).find((s) => !s.home)!.cash) === 500_000);
      assert.equal(Number((await shards(key)).find((s) => s.home)!.cash), 500_000);
      assert.equal(Number((await http(url, 'GET', '/v1/account', key)).body.cash), 1_000_000);
      // The same credit stored again under another message id (as after a restart past the de-duplication window) credits
      // nothing: a transfer back, which the other shard runs after it, leaves exactly the amounts moved.
      const credit = await jsm.streams.getMessage(names.commandStream, { last_by_subj: names.shardSubject(other.shard) });
      assert.equal(credit.json<{ op: string }>().op, 'transfer_in');
      await nc.jetstream().publish(names.shardSubject(other.shard), credit.data, { msgID: `again-${credit.seq}` });
      const back = await http(url, 'POST', '/v1/account/transfers', key, { from: other.shard, to: home.shard, amount: '1' });
      assert.equal(back.status, 201, JSON.stringify(back.body));
      assert.equal(Number(back.body.cash_after), 499_999);
      await eventually('the transfer back to be credited', async () => Number((await shards(key)).find((s) => s.home)!.cash) === 500_001);
      // Withdrawals debit the home shard alone: more than it holds is refused, though the sum would cover it.
      const tooMuch = await http(url, 'POST', '/v1/account/withdrawals', key, { amount: '600000' });
      assert.equal(tooMuch.status, 403, JSON.stringify(tooMuch.body));
      const bad = await http(url, 'POST', '/v1/account/transfers', key, { from: home.shard, to: 'zz', amount: '1' });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.field, 'to');
    }
    const unsharded = await http(url, 'POST', '/v1/orders', buyer, { symbol: 'BTC-USD', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '100' });
    assert.equal(unsharded.status, 422);
    assert.equal(unsharded.body.error.field, 'symbol');

    // An admin lists an instrument on the shard that owns its symbol; a symbol no shard owns is refused.
    const admin = { email: 'admin@scaleout.example', password: 'crash test password' };
    assert.equal((await http(url, 'POST', '/v1/auth/register', {}, admin)).status, 201);
    await db.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [admin.email]);
    const bearer = { authorization: `Bearer ${(await http(url, 'POST', '/v1/auth/login', {}, admin)).body.token}` };
    // The admin list reports each account's cash summed over the shards, as the account route does.
    const adminList = (await http(url, 'GET', '/v1/admin/accounts', bearer)).body as { id: string; cash: string }[];
    for (const key of [buyer, seller]) {
      const own = (await http(url, 'GET', '/v1/account', key)).body as { id: string; cash: string };
      assert.equal(adminList.find((x) => x.id === own.id)?.cash, own.cash);
    }
    const listing = { tick_size: '0.01', lot_size: '1', min_price: '0.01', max_price: '100000', min_qty: '1', max_qty: '1000000' };
    const nobody = await http(url, 'POST', '/v1/instruments', bearer, { symbol: 'SPY', ...listing });
    assert.equal(nobody.status, 422, JSON.stringify(nobody.body));
    assert.equal(nobody.body.error.field, 'symbol');
    assert.match(nobody.body.error.message, /owned by no shard/);
    assert.equal((await http(url, 'POST', '/v1/instruments', bearer, { symbol: 'NVDA', ...listing })).status, 201);
    assert.equal((await http(url, 'GET', '/v1/instruments/NVDA', buyer)).status, 200);
    const nvda = await http(url, 'POST', '/v1/orders', buyer, { symbol: 'NVDA', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '2', limit_price: '10' });
    assert.equal(nvda.status, 200, JSON.stringify(nvda.body));
    const deep = await http(url, 'POST', '/v1/orders', buyer, { symbol: 'NVDA', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '3', limit_price: '9' });
    assert.equal(deep.status, 200, JSON.stringify(deep.body));
    assert.deepEqual(await depth(url, seller, 'NVDA'), { bids: new Map([['10', 2], ['9', 3]]), asks: new Map() });
    // Canceling below the top changes no quote; the gateway's mirror of the book follows anyway.
    const canceled = await http(url, 'DELETE', `/v1/orders/${deep.body.id}`, buyer);
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.equal(canceled.body.status, 'canceled');
    assert.deepEqual(await depth(url, seller, 'NVDA'), { bids: new Map([['10', 2]]), asks: new Map() });
    assert.equal((await http(url, 'DELETE', `/v1/orders/${nvda.body.id}`, buyer)).status, 200);

    // The load: orders on both shards, each with its own client_order_id so every stored command can be found.
    const acked = new Map<string, string>(); // client_order_id → order id (answered 2xx)
    const unanswered = new Set<string>(); // client_order_ids answered 503 by shard b (stored, not yet run)
    let aServedWhileBDown = 0;
    let aFailedWhileBDown = 0;
    let bDown = false;
    let msftAcked = 0;
    const total = 700;
    let step = 0;
    let killed = false;
    const loop = async (): Promise<void> => {
      while (step < total) {
        const i = step++;
        const symbol = i % 2 === 0 ? 'AAPL' : 'MSFT';
        // Enough orders stored while b is down; each waits out the gateway's timeout, so the rest go to AAPL alone.
        if (symbol === 'MSFT' && unanswered.size >= 60) continue;
        const side = Math.floor(i / 2) % 2 === 0 ? 'buy' : 'sell';
        const key = side === 'buy' ? buyer : seller;
        const cid = `${run}-${i}`;
        const body = { symbol, side, type: 'limit', time_in_force: 'gtc', qty: String(1 + (i % 3)), limit_price: String(100 + ((i * 7) % 5) - 2), client_order_id: cid };
        const downNow = bDown;
        const r = await http(url, 'POST', '/v1/orders', key, body);
        if (r.status === 200) {
          acked.set(cid, r.body.id);
          if (symbol === 'AAPL' && downNow) aServedWhileBDown++;
          if (symbol === 'MSFT' && ++msftAcked === 120 && !killed) {
            killed = true;
            bDown = true;
            workerB!.kill('SIGKILL');
          }
        } else if (r.status === 503 && symbol === 'MSFT') {
          assert.equal(r.body.error.code, 'shard_unavailable');
          assert.match(r.body.error.message, /shard 'b' \(MSFT\)/);
          unanswered.add(cid);
        } else if (symbol === 'AAPL' && downNow) {
          aFailedWhileBDown++;
        } else {
          assert.fail(`order ${cid} on ${symbol}: ${r.status} ${JSON.stringify(r.body)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, loop));
    assert.ok(killed, 'worker b was killed during the load');
    assert.ok(unanswered.size > 0, 'some MSFT orders were answered 503 while b was down');
    assert.ok(aServedWhileBDown > 0, 'shard a kept serving while b was down');
    assert.equal(aFailedWhileBDown, 0, 'no AAPL order failed while b was down');
    const ready = await http(url, 'GET', '/ready');
    assert.equal(ready.status, 503);
    assert.match(JSON.stringify(ready.body), /shard 'b' \(MSFT\) is not reporting/);
    t.diagnostic(`${acked.size} orders acknowledged; ${unanswered.size} MSFT orders answered 503 while b was down; ${aServedWhileBDown} AAPL orders served meanwhile`);

    // Restart b: snapshot + journal replay, then the commands JetStream still holds.
    workerB = await startWorker('b', env);
    await eventually('the gateway to see shard b again', async () => (await http(url, 'GET', '/ready')).status === 200);
    const orders = async (): Promise<(OrderOut & { symbol: string; client_order_id: string })[]> =>
      [...(await allOrders(url, buyer)), ...(await allOrders(url, seller))] as (OrderOut & { symbol: string; client_order_id: string })[];
    await eventually('the stored commands to run', async () => {
      const cids = new Set((await orders()).map((o) => o.client_order_id));
      return [...unanswered].every((c) => cids.has(c));
    }, 600);
    let all = await orders();
    const byCid = new Map<string, number>();
    const ids = new Set<string>();
    for (const o of all) {
      assert.ok(!ids.has(o.id), `order ${o.id} is listed once`);
      ids.add(o.id);
      byCid.set(o.client_order_id, (byCid.get(o.client_order_id) ?? 0) + 1);
    }
    for (const [cid, id] of acked) {
      assert.equal(byCid.get(cid), 1, `acknowledged order ${cid} is there exactly once`);
      assert.ok(ids.has(id), `acknowledged order ${id} kept its id`);
    }
    for (const cid of unanswered) assert.equal(byCid.get(cid), 1, `order ${cid}, stored while b was down, ran exactly once`);
    assert.equal(all.filter((o) => o.client_order_id.startsWith(`${run}-`)).length, acked.size + unanswered.size, 'no order ran that was never sent');

    // Each shard's book is its open orders; fills balance per symbol; PostgreSQL holds each order once.
    for (const symbol of ['AAPL', 'MSFT']) {
      assert.deepEqual(await depth(url, buyer, symbol), bookOf(all, symbol), `${symbol} book equals its open orders`);
      const mine = all.filter((o) => o.symbol === symbol);
      const bought = mine.filter((o) => o.side === 'buy').reduce((s, o) => s + Number(o.filled_qty), 0);
      const sold = mine.filter((o) => o.side === 'sell').reduce((s, o) => s + Number(o.filled_qty), 0);
      assert.equal(bought, sold, `${symbol}: bought equals sold`);
      assert.ok(bought > 0, `${symbol}: some orders traded`);
      const pos = (await http(url, 'GET', '/v1/positions', buyer)).body as { symbol: string; qty: string }[];
      assert.equal(Number(pos.find((p) => p.symbol === symbol)?.qty ?? 0), bought, `${symbol}: the buyer's position is what it bought`);
    }
    const rows = await db.query<{ n: string; d: string }>(`SELECT count(*)::text AS n, count(DISTINCT client_order_id)::text AS d FROM ${names.schema('b')}.orders`);
    assert.equal(rows.rows[0].n, rows.rows[0].d, "shard b's table holds each client_order_id once");
    const snapshot = await (await SnapshotStore.open(nc, jetStreamNames(names.journalPrefix('b')).snapshots)).latest();
    assert.ok(snapshot !== undefined && snapshot.seq > 0, "shard b's engine was snapshotted in JetStream (its rebuild started from a snapshot)");

    // Disabling an account sets its kill switch on every shard: its open orders on both are canceled.
    const buyerId = (await http(url, 'GET', '/v1/account', buyer)).body.id as string;
    for (const symbol of ['AAPL', 'MSFT']) {
      const resting = await http(url, 'POST', '/v1/orders', buyer, { symbol, side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '50' });
      assert.equal(resting.status, 200, JSON.stringify(resting.body));
    }
    const openBefore = (await allOrders(url, buyer)).filter((o) => o.status === 'new' || o.status === 'partially_filled').map((o) => o.id);
    const disabled = await http(url, 'PATCH', `/v1/admin/accounts/${buyerId}`, bearer, { status: 'DISABLED' });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.deepEqual([...disabled.body.canceled_orders].sort(), [...openBefore].sort());
    assert.equal((await http(url, 'PATCH', `/v1/admin/accounts/${buyerId}`, bearer, { status: 'ACTIVE' })).status, 200);
    all = await orders();

    // The restarted shard trades again, and a restarted gateway reads the same state.
    const again = await http(url, 'POST', '/v1/orders', buyer, { symbol: 'MSFT', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '50' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const account = (await http(url, 'GET', '/v1/account', buyer)).body;
    await stop(gateway, 'SIGTERM');
    gateway = launch(['serve'], env);
    const url2 = await listeningUrl(gateway, 'the gateway');
    assert.deepEqual((await http(url2, 'GET', '/v1/account', buyer)).body, account);
    const listed = [...(await allOrders(url2, buyer)), ...(await allOrders(url2, seller))] as (OrderOut & { symbol: string })[];
    assert.equal(listed.length, all.length + 1);
    assert.deepEqual(await depth(url2, seller, 'MSFT'), bookOf(listed, 'MSFT'));

    // A gateway whose shard map disagrees with the workers' routes nothing to them and says so.
    stray = launch(['serve'], { ...env, CIFT_SHARDS: 'a=AAPL;b=MSFT,NVDA' });
    const url3 = await listeningUrl(stray, 'the gateway with another map');
    await eventually('the stray gateway to see the workers', async () => /runs with symbols/.test(JSON.stringify((await http(url3, 'GET', '/ready')).body)));
    const refused = await http(url3, 'POST', '/v1/orders', buyer, { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '50' });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'shard_unavailable');
    assert.match(refused.body.error.message, /shard 'a' runs with symbols AAPL,NVDA but this gateway's CIFT_SHARDS gives it AAPL/);
  } finally {
    await stop(stray, 'SIGTERM');
    await stop(gateway, 'SIGTERM');
    await stop(workerA, 'SIGTERM');
    await stop(workerB, 'SIGTERM');
    await db.end();
    await nc.close();
  }
});
