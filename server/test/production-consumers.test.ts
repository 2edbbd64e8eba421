// The venue's durable state on JetStream beside the command journal, against
// the machine's PostgreSQL, NATS and chdb (a scratch database and stream names
// per run, removed afterwards): market events on the events stream (subject
// per symbol, Nats-Msg-Id = engine sequence) projected into ClickHouse by a
// durable consumer exactly once, whether events are delivered twice, the
// projector dies between its insert and its ack, or its consumer is reset;
// the PostgreSQL rows projected through the durable consumer of the command
// journal (acked after the commit; a line delivered again changes nothing;
// a restart redelivers from the ack floor); and engine snapshots in the
// object store, from which a restart rebuilds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { NatsConnection } from 'nats';
import { MarketProjector } from '../src/market/projector.ts';
import { marketEventSource } from '../src/production/event-stream.ts';
import { deleteStreams, eventSubject, jetStreamNames, readStream, SnapshotStore, type JetStreamNames } from '../src/production/jetstream.ts';
import { journalSubject, openJetStreamCommandJournal } from '../src/production/jetstream-journal.ts';
import { connectNats } from '../src/production/nats-bus.ts';
import { openPostgres } from '../src/production/postgres.ts';
import type { MarketEvent, MarketEventSource } from '../src/venue/market-events.ts';
import { call, newUser, type TestVenue } from './helpers.ts';
import { eventually, LOCAL, scratchDatabase, serviceVenue, token, type ScratchDatabase } from './production-helpers.ts';

let nc: NatsConnection;
const created: JetStreamNames[] = [];
const databases: ScratchDatabase[] = [];
before(async () => {
  nc = await connectNats(LOCAL.nats);
});
after(async () => {
  const jsm = await nc.jetstreamManager();
  for (const n of created) await deleteStreams(jsm, n);
  await nc.close();
  for (const d of databases) await d.drop();
});

const order = (side: string, qty: string, price?: string) =>
  price === undefined
    ? { symbol: 'AAPL', side, type: 'market', time_in_force: 'ioc', qty }
    : { symbol: 'AAPL', side, type: 'limit', time_in_force: 'gtc', qty, limit_price: price };

/** A venue of its own: a scratch database, and streams named after `prefix`. */
async function scratchVenue(prefix: string, snapshotEvery?: number): Promise<{ t: TestVenue; names: JetStreamNames; reopen: () => Promise<TestVenue>; url: string }> {
  const names = jetStreamNames(`${prefix}_${token()}`);
  created.push(names);
  const scratch = await scratchDatabase();
  databases.push(scratch);
  const open = () => venue(scratch.url, names, snapshotEvery);
  return { t: await open(), names, reopen: open, url: scratch.url };
}

async function venue(url: string, names: JetStreamNames, snapshotEvery?: number): Promise<TestVenue> {
  return serviceVenue({ databaseUrl: url, natsUrl: LOCAL.nats, subjectPrefix: `cift_test_${names.subjectRoot}.`, streamPrefix: names.subjectRoot }, { snapshotEvery });
}

/** Resting buys at a few prices and market sells into them: `n` trades. */
async function trade(t: TestVenue, n: number): Promise<void> {
  const alice = await newUser(t);
  const bob = await newUser(t);
  for (let i = 0; i < n; i++) {
    const buy = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: order('buy', String(1 + (i % 3)), String(100 + (i % 4))) });
    assert.equal(buy.status, 200, JSON.stringify(buy.body));
    const sell = await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: order('sell', String(1 + (i % 3))) });
    assert.equal(sell.body.status, 'filled', JSON.stringify(sell.body));
    t.clock.advance(7_000);
  }
}

/** Trades and 1-minute bars in ClickHouse, and the taker fills in PostgreSQL (one per trade). */
async function projections(t: TestVenue) {
  const { store } = t.venue.deps.market!;
  const db = store.database;
  const [trades] = await store.query<{ n: string; distinct_seq: string; volume: string }>(
    `SELECT toString(count()) AS n, toString(uniqExact(seq)) AS distinct_seq, toString(sum(size)) AS volume FROM ${db}.trades WHERE symbol = 'AAPL'`,
  );
  const [bars] = await store.query<{ volume: string; n: string }>(
    `SELECT toString(sum(volume)) AS volume, toString(sum(trade_count)) AS n FROM ${db}.bars_1m WHERE symbol = 'AAPL'`,
  );
  await t.venue.deps.engine.settled();
  const [fills] = await t.venue.deps.db.query<{ n: number; volume: string }>(
    `SELECT count(*)::int AS n, coalesce(sum(qty), 0)::text AS volume FROM fills WHERE symbol = 'AAPL' AND liquidity = 'taker'`,
  );
  const scale = t.venue.deps.engine.instrument('AAPL')!.qty_scale;
  return {
    clickhouse: { trades: Number(trades.n), distinctSeq: Number(trades.distinct_seq), volume: Number(trades.volume) / 10 ** scale },
    bars: { trades: Number(bars.n), volume: Number(bars.volume) / 10 ** scale },
    postgres: { trades: fills.n, volume: Number(fills.volume) },
  };
}

/** ClickHouse holds each trade PostgreSQL has, once, and the bars sum them. */
async function converged(t: TestVenue): Promise<boolean> {
  const p = await projections(t);
  return (
    p.clickhouse.trades === p.postgres.trades &&
    p.clickhouse.distinctSeq === p.clickhouse.trades &&
    p.clickhouse.volume === p.postgres.volume &&
    p.bars.trades === p.postgres.trades &&
    p.bars.volume === p.postgres.volume
  );
}

/** Waits until the durable consumer has acknowledged everything on the events stream. */
async function drained(names: JetStreamNames): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await eventually('the market projector to ack every event', async () => {
    const ci = await jsm.consumers.info(names.events, 'market_projector');
    return ci.num_pending === 0 && ci.num_ack_pending === 0;
  });
}

function projector(t: TestVenue, events: MarketEventSource): MarketProjector {
  const { deps } = t.venue;
  return new MarketProjector(
    { bus: deps.bus, engine: deps.engine, store: deps.market!.store, data: deps.market!.data, logger: deps.logger, clock: deps.clock, metrics: deps.metrics!, events },
    { l2SnapshotMs: 0, flushMs: 50 },
  );
}

test('market events go to the events stream by symbol with Nats-Msg-Id = engine sequence; ClickHouse takes each trade once, duplicates change nothing', { timeout: 120_000 }, async () => {
  const { t, names } = await scratchVenue('ev');
  try {
    await trade(t, 12);
    await eventually('ClickHouse to hold every trade', () => converged(t));
    const first = await projections(t);
    assert.equal(first.postgres.trades, 12);

    const stored: { seq: number; subject: string; id: string | undefined; event: MarketEvent }[] = [];
    for await (const r of readStream(nc, names.events, 1)) stored.push({ seq: r.seq, subject: r.subject, id: r.id, event: JSON.parse(new TextDecoder().decode(r.data)) as MarketEvent });
    const trades = stored.filter((s) => s.event.type === 'trade');
    assert.equal(trades.length, 12);
    for (const s of stored) {
      assert.equal(s.subject, eventSubject(names, 'AAPL'));
      assert.equal(s.id, s.event.id);
      if (s.event.type !== 'quote') assert.equal(s.id, String((s.event.message as { seq: number }).seq), 'Nats-Msg-Id is the engine event sequence');
    }
    assert.ok(stored.some((s) => s.event.type === 'book') && stored.some((s) => s.event.type === 'quote'), 'book changes and quotes are on the stream too');

    // The same ids again: JetStream stores nothing.
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const before = (await jsm.streams.info(names.events)).state.messages;
    for (const s of stored) assert.equal((await js.publish(s.subject, JSON.stringify(s.event), { msgID: s.id })).duplicate, true);
    assert.equal((await jsm.streams.info(names.events)).state.messages, before);
    // Delivered twice anyway (new ids, as after the de-duplication window): the projector changes nothing.
    for (const s of stored) await js.publish(s.subject, JSON.stringify(s.event), { msgID: `again-${s.id}` });
    await drained(names);
    await t.venue.deps.market!.projector.sync();
    assert.deepEqual(await projections(t), first);
  } finally {
    await t.close();
  }
});

test('a projector that dies between its insert and its ack resumes from the ack floor: exactly once; a reset consumer changes nothing', { timeout: 120_000 }, async () => {
  const { t, names } = await scratchVenue('pk');
  try {
    await trade(t, 4);
    await eventually('ClickHouse to hold the first trades', () => converged(t));
    // The venue's projector stops; events pile up on the stream meanwhile.
    await t.venue.deps.market!.projector.stop();
    await trade(t, 10);
    const source = marketEventSource(nc, names, { batch: 7, retryMs: 50 });

    // A projector that inserts a batch and dies before acking it.
    let died!: () => void;
    const dead = new Promise<void>((r) => (died = r));
    const dying: MarketEventSource = {
      start: (handle) =>
        source.start(async (events) => {
          await handle(events);
          died();
          throw new Error('killed before the ack');
        }),
    };
    const p1 = projector(t, dying);
    await p1.start();
    await dead;
    await p1.stop();
    const jsm = await nc.jetstreamManager();
    const left = await jsm.consumers.info(names.events, 'market_projector');
    const last = (await jsm.streams.info(names.events)).state.last_seq;
    assert.ok(left.ack_floor.stream_seq < last, 'the batch inserted by the dead projector was not acked');
    const partial = await projections(t);
    assert.ok(partial.clickhouse.trades > 4, 'the dead projector inserted part of the backlog');
    assert.ok(partial.clickhouse.trades < partial.postgres.trades, 'and not all of it');

    // A new projector resumes from the ack floor: the batch comes again and is skipped, the rest is added.
    const p2 = projector(t, source);
    await p2.start();
    await drained(names);
    await p2.sync();
    assert.ok(await converged(t), JSON.stringify(await projections(t)));
    const once = await projections(t);
    assert.equal(once.postgres.trades, 14);
    await p2.stop();

    // The consumer reset: everything is delivered again from the start, and nothing changes.
    await jsm.consumers.delete(names.events, 'market_projector');
    const p3 = projector(t, source);
    await p3.start();
    await drained(names);
    await p3.sync();
    assert.deepEqual(await projections(t), once);
    await p3.stop();
  } finally {
    await t.close();
  }
});

test('engine snapshots are kept in JetStream with the journal line they reflect; a restart rebuilds from one plus what follows', { timeout: 120_000 }, async () => {
  const { t, names, reopen, url } = await scratchVenue('sn', 10);
  let second: TestVenue | undefined;
  try {
    await trade(t, 8);
    const alice = await newUser(t);
    for (const price of ['95', '96', '97']) {
      assert.equal((await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: order('buy', '2', price) })).status, 200);
    }
    const depth = (await call(t.app, 'GET', '/v1/market/AAPL/depth', { headers: alice.key })).body;
    const orders = (await call(t.app, 'GET', '/v1/orders?status=all', { headers: alice.key })).body;
    await t.close();

    const snap = await (await SnapshotStore.open(nc, names.snapshots)).latest();
    assert.ok(snap !== undefined && snap.seq > 0, 'a snapshot is in the object store');
    const pg = await openPostgres(url);
    try {
      assert.deepEqual(await pg.query('SELECT seq FROM engine_snapshots'), [], 'and none in the database');
      const [meta] = await pg.query<{ value: string }>(`SELECT value FROM venue_meta WHERE key = 'projected_line'`);
      assert.ok(snap.line! > 0 && snap.line! <= Number(meta.value), `the snapshot's journal line ${snap.line} is one the database reflects (${meta.value})`);
      // The commands up to the snapshot are gone from the engine log: only the snapshot can rebuild them.
      const [{ n }] = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM engine_log WHERE seq > $1', [snap.seq]);
      assert.ok(n > 0, 'commands follow the snapshot');
      await pg.query('DELETE FROM engine_log WHERE seq <= $1', [snap.seq]);
    } finally {
      await pg.close();
    }

    second = await reopen();
    assert.deepEqual((await call(second.app, 'GET', '/v1/market/AAPL/depth', { headers: alice.key })).body.bids, depth.bids);
    assert.deepEqual((await call(second.app, 'GET', '/v1/orders?status=all', { headers: alice.key })).body, orders);
    const bob = await newUser(second);
    const sell = await call(second.app, 'POST', '/v1/orders', { headers: bob.key, body: order('sell', '2') });
    assert.equal(sell.body.status, 'filled');
    assert.equal(sell.body.filled_avg_price, '97');
  } finally {
    await second?.close();
  }
});

test('PostgreSQL rows are projected through the durable consumer of the journal: acked after the commit; lines delivered again change nothing', { timeout: 120_000 }, async () => {
  const { t, names, reopen, url } = await scratchVenue('jc');
  let second: TestVenue | undefined;
  const jsm = await nc.jetstreamManager();
  const pg = await openPostgres(url);
  const rows = async () => ({
    orders: await pg.query('SELECT id, status, filled_qty::text, updated_at FROM orders ORDER BY id'),
    fills: await pg.query('SELECT id, order_id, qty::text FROM fills ORDER BY id'),
    positions: await pg.query('SELECT account_id, symbol, qty::text FROM positions ORDER BY account_id, symbol'),
    cash: await pg.query('SELECT event_seq, amount::text FROM cash_ledger ORDER BY event_seq'),
    log: await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM engine_log'),
    projected: await pg.query<{ value: string }>(`SELECT value FROM venue_meta WHERE key = 'projected_line'`),
  });
  const acked = (): Promise<void> =>
    eventually('the journal consumer to ack every line', async () => {
      const ci = await jsm.consumers.info(names.commands, 'journal_projector');
      const last = (await jsm.streams.info(names.commands)).state.last_seq;
      return ci.num_pending === 0 && ci.num_ack_pending === 0 && ci.delivered.stream_seq === last && ci.ack_floor.consumer_seq === ci.delivered.consumer_seq;
    });
  try {
    await trade(t, 5);
    await t.venue.deps.engine.settled();
    await acked();
    const projected = await rows();
    const line = Number(projected.projected.at(0)!.value);
    assert.ok(line > 10, `journal lines projected: ${line}`);
    assert.equal(projected.fills.length, 10);

    // Every line delivered again (as after a consumer reset, or a redelivery): acknowledged, nothing written.
    const js = nc.jetstream();
    for (let n = 1; n <= line; n++) {
      await js.publish(`${names.subjectRoot}.cmd._journal`, JSON.stringify({ n, e: { k: 'account', id: '00000000-0000-0000-0000-000000000000', ea: 999 } }), { msgID: `${n}-again` });
    }
    await acked();
    assert.deepEqual(await rows(), projected);

    // A restart resumes the consumer at its ack floor; the rows stay, and new lines are projected through it.
    await t.close();
    second = await reopen();
    assert.deepEqual(await rows(), projected);
    const bob = await newUser(second);
    const buy = await call(second.app, 'POST', '/v1/orders', { headers: bob.key, body: order('buy', '1', '90') });
    assert.equal(buy.status, 200);
    await second.venue.deps.engine.settled();
    await acked();
    const [row] = await pg.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [buy.body.id]);
    assert.equal(row.status, 'new');
  } finally {
    await second?.close();
    await pg.close();
  }
});

test('the journal follower: lines in order; a restart redelivers what was delivered but not released, at once; a line delivered again after its release is acked unseen', { timeout: 60_000 }, async () => {
  const jn = jetStreamNames(`jf_${token()}`);
  created.push(jn);
  const jsm = await nc.jetstreamManager();
  const text = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => JSON.stringify({ n: from + i, r: [from + i] }) + '\n').join('');
  const consumer = () => jsm.consumers.info(jn.commands, 'journal_projector');

  let j = await openJetStreamCommandJournal(nc, jn);
  await j.append(1, text(1, 5));
  const first: number[] = [];
  let follower = await j.follow((n) => first.push(n));
  try {
    await eventually('lines 1-5 delivered', () => first.length === 5);
    assert.deepEqual(first, [1, 2, 3, 4, 5]);
    j.release(3);
    await eventually('the ack floor at line 3', async () => (await consumer()).ack_floor.stream_seq === 3);
    // The process stops (or dies) with lines 4 and 5 delivered but not released.
    await follower.stop();
    await j.close();

    j = await openJetStreamCommandJournal(nc, jn);
    assert.deepEqual(
      j.read().map((l) => l.n),
      [4, 5],
    );
    const second: number[] = [];
    // Without the restart from the ack floor they would come back only after the ack wait (60 s).
    follower = await j.follow((n) => second.push(n));
    await eventually('lines 4 and 5 delivered again', () => second.length === 2);
    assert.deepEqual(second, [4, 5]);
    j.release(5);
    // Line 2 delivered again (as after a consumer reset): acknowledged without reaching the service.
    await nc.jetstream().publish(journalSubject(jn), JSON.stringify({ n: 2, r: [2] }), { msgID: '2-again' });
    await eventually('everything acknowledged', async () => {
      const ci = await consumer();
      // nats-server 2.9 can leave ack_floor.stream_seq one behind after an ack-all of the last message
      // (its consumer_seq is right), so "all acknowledged" is read off the consumer sequence (as in acked()).
      return ci.num_pending === 0 && ci.num_ack_pending === 0 && ci.delivered.stream_seq === 6 && ci.ack_floor.consumer_seq === ci.delivered.consumer_seq;
    });
    assert.deepEqual(second, [4, 5]);
  } finally {
    // A consumer left running after a failed wait keeps the test process alive.
    await follower.stop();
    await j.close();
  }
});
