// Kill -9 the server on the production stack (PostgreSQL, NATS JetStream and
// Redis on this machine: a scratch database, stream names and key prefixes of
// this run, removed afterwards) while a load generator places and cancels
// orders over HTTP; start it again. Every acknowledged order and cancel is
// there exactly once, every fill once, the book is rebuilt from the snapshot
// in JetStream's object store plus the engine log and the JetStream journal
// after it, the PostgreSQL rows converge on what the engine holds, the journal
// on JetStream is purged once they do, and ClickHouse (chdb in the server's
// data directory, fed by the durable consumer of the events stream) holds
// each trade exactly once, its bars adding up. The server process is launched
// with a small snapshot interval so the rebuild starts from a snapshot.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { openChdbStore } from '../src/market/store.ts';
import { deleteStreams, jetStreamNames, SnapshotStore, type JetStreamNames } from '../src/production/jetstream.ts';
import { journalSubject } from '../src/production/jetstream-journal.ts';
import { connectNats } from '../src/production/nats-bus.ts';
import { allOrders, apiKeyUser, http, listeningUrl, type OrderOut } from './process-helpers.ts';
import { deleteKeys, eventually, LOCAL, scratchDatabase, token, type ScratchDatabase } from './production-helpers.ts';

/** The Node entry with the snapshot interval from TEST_SNAPSHOT_EVERY (serveOptionsFromEnv does not read one). */
const LAUNCH = `
import { serveOptionsFromEnv } from ${JSON.stringify(new URL('../src/serve-options.ts', import.meta.url).href)};
import { runNode } from ${JSON.stringify(new URL('../src/node.ts', import.meta.url).href)};
const opts = serveOptionsFromEnv(process.env);
await runNode(0, { ...opts.venue, snapshotEvery: Number(process.env.TEST_SNAPSHOT_EVERY) });
`;

interface Server {
  child: ChildProcess;
  url: string;
}

async function serve(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', LAUNCH], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return { child, url: await listeningUrl(child, 'the server') };
}

async function stop(server: Server, signal: NodeJS.Signals): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill(signal);
  await exited;
}

const user = (url: string, name: string): Promise<Record<string, string>> => apiKeyUser(url, `${name}@stack-crash.example`);

async function depth(url: string, key: Record<string, string>): Promise<{ bids: Map<string, number>; asks: Map<string, number> }> {
  const d = (await http(url, 'GET', '/v1/market/AAPL/depth?levels=100', key)).body;
  const levels = (l: { price: string; size: string }[]): Map<string, number> => new Map(l.map((x) => [String(Number(x.price)), Number(x.size)]));
  return { bids: levels(d.bids), asks: levels(d.asks) };
}

let scratch: ScratchDatabase;
let names: JetStreamNames;
let env: Record<string, string>;
let dataDir: string;
const run = token();

before(async () => {
  scratch = await scratchDatabase();
  names = jetStreamNames(`crash_${run}`);
  dataDir = mkdtempSync(join(tmpdir(), 'cift-stack-crash-'));
  env = {
    DATABASE_URL: scratch.url,
    NATS_URL: LOCAL.nats,
    REDIS_URL: LOCAL.redis,
    CIFT_CACHE_PREFIX: `cift_test_${run}:`,
    CIFT_SUBJECT_PREFIX: `cift_test_${run}.`,
    CIFT_STREAM_PREFIX: names.subjectRoot,
    CIFT_DATA_DIR: dataDir,
    CIFT_LOG_LEVEL: 'silent',
    CIFT_RATE_LIMIT: '0',
    CIFT_INITIAL_CASH: '1000000',
    TEST_SNAPSHOT_EVERY: '40',
  };
});
after(async () => {
  const nc = await connectNats(LOCAL.nats);
  try {
    await deleteStreams(await nc.jetstreamManager(), names);
  } finally {
    await nc.close();
  }
  await deleteKeys(LOCAL.redis, `cift_test_${run}:`);
  await scratch?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('SIGKILL on the stack while orders are placed and canceled loses nothing acknowledged; the book, PostgreSQL and ClickHouse converge', { timeout: 120_000 }, async (t) => {
  let server = await serve(env);
  const db = new pg.Client({ connectionString: scratch.url });
  await db.connect();
  const nc = await connectNats(LOCAL.nats);
  try {
    const buyer = await user(server.url, 'buyer');
    const seller = await user(server.url, 'seller');
    const placed = new Map<string, 'buyer' | 'seller'>();
    const canceled = new Set<string>();
    const total = 900;
    const killAfter = 250;
    let step = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (step < total && !killed) {
        const i = step++;
        const side = i % 2 === 0 ? 'buy' : 'sell';
        const key = side === 'buy' ? buyer : seller;
        try {
          if (i % 5 === 4 && placed.size > 0) {
            // Cancel one of this side's acknowledged orders (it may have filled already: then it is refused).
            const mine = [...placed].filter(([id, who]) => who === (side === 'buy' ? 'buyer' : 'seller') && !canceled.has(id));
            const [id] = mine[(i * 31) % Math.max(1, mine.length)] ?? [];
            if (id === undefined) continue;
            const r = await http(server.url, 'DELETE', `/v1/orders/${id}`, key);
            if (r.status === 200) canceled.add(id);
            continue;
          }
          // Prices spread over a few ticks: some orders trade, some rest.
          const body = { symbol: 'AAPL', side, type: 'limit', time_in_force: 'gtc', qty: String(1 + (i % 3)), limit_price: String(100 + ((i * 7) % 5) - 2) };
          const r = await http(server.url, 'POST', '/v1/orders', key, body);
          if (r.status === 200) {
            placed.set(r.body.id, side === 'buy' ? 'buyer' : 'seller');
            if (placed.size >= killAfter && !killed) {
              killed = true;
              server.child.kill('SIGKILL');
            }
          }
        } catch {
          // The server died under this request: not acknowledged.
        }
      }
    };
    const exited = new Promise((r) => server.child.once('exit', r));
    await Promise.all(Array.from({ length: 16 }, worker));
    assert.ok(killed, 'the server was killed during the load');
    await exited;
    assert.ok(canceled.size > 0, 'some cancels were acknowledged before the kill');
    const jsm = await nc.jetstreamManager();
    const held = await jsm.streams.info(names.commands, { subjects_filter: journalSubject(names) });
    t.diagnostic(`at the kill: ${placed.size} orders and ${canceled.size} cancels acknowledged; ${held.state.messages} journal lines not yet projected`);

    server = await serve(env);
    const orders = [...(await allOrders(server.url, buyer)), ...(await allOrders(server.url, seller))];
    const byId = new Map<string, OrderOut>();
    for (const o of orders) {
      assert.ok(!byId.has(o.id), `order ${o.id} is listed once`);
      byId.set(o.id, o);
    }
    for (const id of placed.keys()) assert.ok(byId.has(id), `acknowledged order ${id} survived the crash`);
    for (const id of canceled) assert.equal(byId.get(id)?.status, 'canceled', `acknowledged cancel of ${id} survived the crash`);

    // The rebuilt book is the open orders' remaining quantities, level by level.
    const expected = { bids: new Map<string, number>(), asks: new Map<string, number>() };
    for (const o of orders) {
      if (o.status !== 'new' && o.status !== 'partially_filled') continue;
      const side = o.side === 'buy' ? expected.bids : expected.asks;
      const price = String(Number(o.limit_price));
      side.set(price, (side.get(price) ?? 0) + Number(o.qty) - Number(o.filled_qty));
    }
    const book = await depth(server.url, buyer);
    assert.deepEqual(book, expected);
    const bought = orders.filter((o) => o.side === 'buy').reduce((s, o) => s + Number(o.filled_qty), 0);
    const sold = orders.filter((o) => o.side === 'sell').reduce((s, o) => s + Number(o.filled_qty), 0);
    assert.equal(bought, sold);
    assert.ok(bought > 0, 'some orders traded');
    const pos = (await http(server.url, 'GET', '/v1/positions', buyer)).body as { symbol: string; qty: string }[];
    assert.equal(Number(pos.find((p) => p.symbol === 'AAPL')?.qty ?? 0), bought);

    // PostgreSQL converges: the same orders, and each fill once (fills per order add up to its filled quantity).
    const rows = await db.query<{ id: string; status: string; filled_qty: string }>('SELECT id, status, filled_qty::text FROM orders');
    assert.deepEqual(new Map(rows.rows.map((r) => [r.id, [r.status, Number(r.filled_qty)]])), new Map(orders.map((o) => [o.id, [o.status, Number(o.filled_qty)]])));
    const fills = await db.query<{ order_id: string; qty: string; n: string }>('SELECT order_id, sum(qty)::text AS qty, count(*)::text AS n FROM fills GROUP BY order_id');
    const filled = new Map(orders.filter((o) => Number(o.filled_qty) > 0).map((o) => [o.id, Number(o.filled_qty)]));
    assert.deepEqual(new Map(fills.rows.map((r) => [r.order_id, Number(r.qty)])), filled);
    const snap = await (await SnapshotStore.open(nc, names.snapshots)).latest();
    assert.ok(snap !== undefined && snap.seq > 0, 'the engine was snapshotted into JetStream (the rebuild started from it)');
    assert.equal((await db.query('SELECT seq FROM engine_snapshots')).rows.length, 0, 'not into PostgreSQL');
    // The journal on JetStream: every line is reflected in PostgreSQL, so all are purged.
    const info = await jsm.streams.info(names.commands);
    assert.ok(info.state.last_seq > killAfter, `orders were journaled on ${names.commands}`);
    await eventually('the journal to be purged once projected', async () => {
      const j = await jsm.streams.info(names.commands, { subjects_filter: journalSubject(names) });
      return j.state.messages === 0;
    });
    // The rows were projected through the durable consumer of the journal, which acknowledged every line.
    const projector = await jsm.consumers.info(names.commands, 'journal_projector');
    assert.equal(projector.num_ack_pending + projector.num_pending, 0, 'the journal consumer acknowledged every line');

    // ClickHouse converges: once the projector has acked every event, each trade (one taker fill in
    // PostgreSQL each) is there once, and the 1-minute bars add up to them.
    await eventually(
      'the market projector to ack every event',
      async () => {
        const ci = await jsm.consumers.info(names.events, 'market_projector');
        return ci.num_pending === 0 && ci.num_ack_pending === 0;
      },
      300,
    );
    await stop(server, 'SIGTERM');
    const [taker] = (
      await db.query<{ n: number; volume: string }>(`SELECT count(*)::int AS n, sum(qty)::text AS volume FROM fills WHERE liquidity = 'taker'`)
    ).rows;
    const ch = await openChdbStore(join(dataDir, 'clickhouse'));
    try {
      const [trades] = await ch.query<{ n: string; distinct_seq: string; volume: string }>(
        `SELECT toString(count()) AS n, toString(uniqExact(seq)) AS distinct_seq, toString(sum(size)) AS volume FROM cift.trades WHERE symbol = 'AAPL'`,
      );
      const [bars] = await ch.query<{ n: string; volume: string }>(
        `SELECT toString(sum(trade_count)) AS n, toString(sum(volume)) AS volume FROM cift.bars_1m WHERE symbol = 'AAPL'`,
      );
      const scale = 10 ** Number((await db.query<{ s: number }>(`SELECT qty_scale AS s FROM instruments WHERE symbol = 'AAPL'`)).rows[0].s);
      t.diagnostic(`ClickHouse: ${trades.n} trades; PostgreSQL: ${taker.n} taker fills`);
      assert.equal(Number(trades.n), taker.n, 'each trade in ClickHouse, as in PostgreSQL');
      assert.equal(Number(trades.distinct_seq), taker.n, 'each once');
      assert.equal(Number(trades.volume) / scale, Number(taker.volume));
      assert.equal(Number(bars.n), taker.n, 'the bars count each trade once');
      assert.equal(Number(bars.volume) / scale, Number(taker.volume));
    } finally {
      await ch.close();
    }

    // A clean restart rebuilds the same book again, and it still trades.
    server = await serve(env);
    assert.deepEqual(await depth(server.url, seller), book);
    const afterwards = await http(server.url, 'POST', '/v1/orders', buyer, { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '90' });
    assert.equal(afterwards.status, 200);
  } finally {
    await stop(server, 'SIGTERM');
    await db.end();
    await nc.close();
  }
});
