// NATS on the machine's server: the core-subject bus (a subject prefix per
// run), the venue publishing through it, and the JetStream pieces of the
// durable path (streams named per run and deleted after): journal appends
// with Nats-Msg-Id de-duplication and single-writer fencing, replay from a
// sequence, a durable consumer projecting into PostgreSQL idempotently, and
// engine snapshots in the object store.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { NatsConnection } from 'nats';
import {
  commandSubject,
  deleteStreams,
  ensureStreams,
  eventSubject,
  JetStreamJournal,
  jetStreamNames,
  runDurableConsumer,
  SnapshotStore,
  symbolToken,
  type JetStreamNames,
} from '../src/production/jetstream.ts';
import { journalSubject, openJetStreamCommandJournal } from '../src/production/jetstream-journal.ts';
import { connectNats, openNatsBus, type NatsBus } from '../src/production/nats-bus.ts';
import { openPostgres } from '../src/production/postgres.ts';
import { call, newUser } from './helpers.ts';
import { eventually, LOCAL, scratchDatabase, serviceVenue, token, type ScratchDatabase } from './production-helpers.ts';

const subjectPrefix = `cift_test_${token()}.`;
let scratch: ScratchDatabase;
let nc: NatsConnection;
let names: JetStreamNames;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

before(async () => {
  scratch = await scratchDatabase();
  nc = await connectNats(LOCAL.nats);
  names = jetStreamNames(`t_${token()}`);
  await ensureStreams(await nc.jetstreamManager(), names, { duplicateWindowMs: 60_000 });
});
after(async () => {
  if (nc) {
    await deleteStreams(await nc.jetstreamManager(), names);
    await nc.close();
  }
  await scratch?.drop();
});

test('the bus delivers by NATS subject rules under its prefix, and other prefixes do not hear it', async () => {
  const a = await openNatsBus(LOCAL.nats, { subjectPrefix });
  const b = await openNatsBus(LOCAL.nats, { subjectPrefix });
  const other = await openNatsBus(LOCAL.nats, { subjectPrefix: `${subjectPrefix}other.` });
  try {
    const got: [string, unknown][] = [];
    const strangers: string[] = [];
    b.subscribe('trades.*', (s, m) => got.push([s, m]));
    b.subscribe('trade_updates.>', (s, m) => got.push([s, m]));
    other.subscribe('>', (s) => strangers.push(s));
    await b.connection.flush();
    a.publish('trades.AAPL', { price: '1.5' });
    a.publish('trades.AAPL.extra', { ignored: true });
    a.publish('trade_updates.acc-1', { event: 'fill' });
    await eventually('two messages', () => got.length === 2);
    await a.connection.flush();
    assert.deepEqual(got, [
      ['trades.AAPL', { price: '1.5' }],
      ['trade_updates.acc-1', { event: 'fill' }],
    ]);
    assert.deepEqual(strangers, []);
    await a.ping();
    assert.equal(a.connected(), true);
  } finally {
    await Promise.all([a.close(), b.close(), other.close()]);
  }
  await assert.rejects(a.ping(), /closed/);
  await assert.rejects(openNatsBus('nats://127.0.0.1:1', { timeoutMs: 500 }), /cannot connect to NATS at NATS_URL/);
});

test('the venue publishes trade updates and trades on NATS for other processes', async () => {
  const vn = jetStreamNames(`v_${token()}`);
  const t = await serviceVenue({ databaseUrl: scratch.url, natsUrl: LOCAL.nats, subjectPrefix, streamPrefix: vn.subjectRoot });
  const observer: NatsBus = await openNatsBus(LOCAL.nats, { subjectPrefix });
  try {
    assert.equal(t.venue.deps.bus.kind, 'nats');
    const alice = await newUser(t);
    const bob = await newUser(t);
    const updates: { event: string; order: { id: string } }[] = [];
    const trades: unknown[] = [];
    observer.subscribe(`trade_updates.${alice.accountId}`, (_s, m) => updates.push(m as (typeof updates)[number]));
    observer.subscribe('trades.AAPL', (_s, m) => trades.push(m));
    await observer.connection.flush();
    const buy = await call(t.app, 'POST', '/v1/orders', { headers: alice.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '2', limit_price: '10' } });
    await call(t.app, 'POST', '/v1/orders', { headers: bob.key, body: { symbol: 'AAPL', side: 'sell', type: 'market', time_in_force: 'ioc', qty: '2' } });
    await eventually('alice to hear new and fill', () => updates.length === 2);
    assert.deepEqual(
      updates.map((u) => [u.event, u.order.id]),
      [
        ['new', buy.body.id],
        ['fill', buy.body.id],
      ],
    );
    await eventually('the trade', () => trades.length === 1);
    const ready = await call(t.app, 'GET', '/ready');
    assert.deepEqual(ready.body.dependencies.bus, { ok: true, kind: 'nats' });
    // The orders went through the command journal on JetStream (both order identities and both commands, at least).
    const info = await (await nc.jetstreamManager()).streams.info(vn.commands);
    assert.ok(info.state.last_seq >= 4, `journal lines on ${vn.commands}: ${info.state.last_seq}`);
  } finally {
    await observer.close();
    await t.close();
    await deleteStreams(await nc.jetstreamManager(), vn);
  }
});

test('journal: batches are acked in order, retries are de-duplicated, a second writer is fenced off, replay reads back', async () => {
  const journal = await JetStreamJournal.open(nc, names.commands);
  const entry = (id: string, symbol: string) => ({ id, subject: commandSubject(names, symbol), data: enc(`${id}@${symbol}`) });
  const acks = await journal.append([entry('c1', 'AAPL'), entry('c2', 'BTC-USD'), entry('c3', 'BRK.B')]);
  assert.deepEqual(acks, [
    { seq: 1, duplicate: false },
    { seq: 2, duplicate: false },
    { seq: 3, duplicate: false },
  ]);
  // The same ids again (a retry after a lost ack): stored once, acked as duplicates.
  const again = await journal.append([entry('c2', 'BTC-USD'), entry('c3', 'BRK.B')]);
  assert.deepEqual(
    again.map((a) => a.duplicate),
    [true, true],
  );
  const jsm = await nc.jetstreamManager();
  assert.equal((await jsm.streams.info(names.commands)).state.messages, 3);

  // A stale writer (opened before the last append) is refused rather than interleaved.
  const stale = await JetStreamJournal.open(nc, names.commands);
  await journal.append([entry('c4', 'AAPL')]);
  await assert.rejects(stale.append([entry('x1', 'AAPL')]), (err: Error & { status?: number }) => {
    assert.equal(err.status, 503);
    assert.match(err.message, /written by another writer/);
    return true;
  });
  assert.equal((await jsm.streams.info(names.commands)).state.messages, 4);
  // Once it has re-read the stream's end, it may write (a takeover).
  assert.equal(await stale.resync(), 4);
  assert.deepEqual(await stale.append([entry('c5', 'AAPL')]), [{ seq: 5, duplicate: false }]);

  const all = [];
  for await (const r of journal.read(2)) all.push([r.seq, r.subject, r.id, dec(r.data)]);
  assert.deepEqual(all, [
    [2, `${names.subjectRoot}.cmd.BTC-USD`, 'c2', 'c2@BTC-USD'],
    [3, `${names.subjectRoot}.cmd.${symbolToken('BRK.B')}`, 'c3', 'c3@BRK.B'],
    [4, `${names.subjectRoot}.cmd.AAPL`, 'c4', 'c4@AAPL'],
    [5, `${names.subjectRoot}.cmd.AAPL`, 'c5', 'c5@AAPL'],
  ]);
  const aapl = [];
  for await (const r of journal.read(1, [commandSubject(names, 'AAPL')])) aapl.push(r.seq);
  assert.deepEqual(aapl, [1, 4, 5]);
  const none = [];
  for await (const r of journal.read(6)) none.push(r);
  assert.deepEqual(none, []);
});

test('a durable consumer projects events into PostgreSQL exactly once despite redelivery, and resumes where it stopped', async () => {
  const db = await openPostgres(scratch.url);
  const events = await JetStreamJournal.open(nc, names.events);
  const ev = (i: number) => ({ id: `e${i}`, subject: eventSubject(names, i % 2 ? 'AAPL' : 'MSFT'), data: enc(JSON.stringify({ n: i })) });
  try {
    await db.exec('CREATE TABLE projected (seq bigint PRIMARY KEY, subject text NOT NULL, n integer NOT NULL); CREATE TABLE deliveries (seq bigint NOT NULL)');
    let failOnce = true;
    const handle = async (m: { seq: number; subject: string; data: Uint8Array }) => {
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO deliveries VALUES ($1)', [m.seq]);
        await tx.query('INSERT INTO projected VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING', [m.seq, m.subject, JSON.parse(dec(m.data)).n]);
      });
      // The projection is written but the ack is not sent: JetStream redelivers it.
      if (m.seq === 2 && failOnce) {
        failOnce = false;
        throw new Error('lost before the ack');
      }
    };
    await events.append([ev(1), ev(2), ev(3)]);
    let consumer = await runDurableConsumer(nc, { stream: names.events, durable: 'projector', handle, retryMs: 10 });
    await eventually('three rows', async () => (await db.query('SELECT 1 FROM projected')).length === 3);
    await consumer.stop();
    await events.append([ev(4), ev(5)]);
    consumer = await runDurableConsumer(nc, { stream: names.events, durable: 'projector', handle, retryMs: 10 });
    await eventually('five rows', async () => (await db.query('SELECT 1 FROM projected')).length === 5);
    await consumer.stop();
    const rows = await db.query<{ seq: number; n: number }>('SELECT seq, n FROM projected ORDER BY seq');
    assert.deepEqual(
      rows.map((r) => [r.seq, r.n]),
      [1, 2, 3, 4, 5].map((i) => [i, i]),
    );
    const delivered = (await db.query<{ seq: number }>('SELECT seq FROM deliveries')).map((r) => r.seq).sort();
    assert.deepEqual(delivered, [1, 2, 2, 3, 4, 5], 'seq 2 was delivered twice; nothing before the stop came again');
    const jsm = await nc.jetstreamManager();
    const info = await jsm.consumers.info(names.events, 'projector');
    assert.equal(info.num_pending, 0);
    assert.equal(info.num_ack_pending, 0);
  } finally {
    await db.close();
  }
});

test('engine snapshots round-trip through the object store, larger than a message, newest wins', async () => {
  const store = await SnapshotStore.open(nc, names.snapshots);
  assert.equal(await store.latest(), undefined);
  const big = new Uint8Array(randomBytes(2_500_000));
  await store.save({ seq: 41, nextOrder: 7, state: big });
  const got = await store.latest();
  assert.equal(got?.seq, 41);
  assert.equal(got?.nextOrder, 7);
  assert.equal(Buffer.compare(Buffer.from(got!.state), Buffer.from(big)), 0);
  await store.save({ seq: 99, nextOrder: 12, state: enc('small') });
  const newer = await store.latest();
  assert.deepEqual([newer?.seq, newer?.nextOrder, dec(newer!.state)], [99, 12, 'small']);
  assert.throws(() => jetStreamNames('Bad-Name'), /JetStream prefix must match/);
});

test("the engine service's command journal on JetStream: lines survive a reopen, retries store nothing twice, released lines are purged", async () => {
  const jn = jetStreamNames(`j_${token()}`);
  const jsm = await nc.jetstreamManager();
  try {
    type Line = { n: number; r?: number[]; e?: string };
    const text = (lines: Line[]) => lines.map((l) => JSON.stringify(l) + '\n').join('');
    let j = await openJetStreamCommandJournal<Line>(nc, jn);
    assert.deepEqual(j.read(), []);
    const first = [{ n: 1, r: [1, 2, 3] }, { n: 2, e: 'order' }, { n: 3, r: [4.5] }];
    await j.append(1, text(first));
    // The same append again, as after a lost ack: de-duplicated.
    await j.append(1, text(first));
    await j.append(4, text([{ n: 4, e: 'limits' }]));
    await j.close();

    j = await openJetStreamCommandJournal<Line>(nc, jn);
    assert.deepEqual(j.read(), [...first, { n: 4, e: 'limits' }]);
    j.release(2);
    await j.close();
    const info = await jsm.streams.info(jn.commands, { subjects_filter: journalSubject(jn) });
    assert.equal(info.state.messages, 2);

    j = await openJetStreamCommandJournal<Line>(nc, jn);
    assert.deepEqual(
      j.read().map((l) => l.n),
      [3, 4],
    );
    // A writer opened before another's append is fenced off.
    await j.append(5, text([{ n: 5, r: [9] }]));
    const stale = await openJetStreamCommandJournal<Line>(nc, jn);
    await j.append(6, text([{ n: 6, r: [10] }]));
    await assert.rejects(stale.append(6, text([{ n: 6, r: [11] }])), /written by another writer/);
    await j.close();
    j = await openJetStreamCommandJournal<Line>(nc, jn);
    assert.deepEqual(j.read(), [{ n: 3, r: [4.5] }, { n: 4, e: 'limits' }, { n: 5, r: [9] }, { n: 6, r: [10] }]);
    assert.deepEqual(j.read(), [], 'the held lines are taken once');
    // An append that failed part-way (lines 7 and 8 stored, nothing acknowledged) and the writer numbering
    // from 7 anew after its rebuild: on reading, the new line 7 supersedes the old 7 and 8.
    await j.append(7, text([{ n: 7, r: [12] }, { n: 8, r: [13] }]));
    await j.append(7, text([{ n: 7, r: [14] }]));
    j = await openJetStreamCommandJournal<Line>(nc, jn);
    assert.deepEqual(
      j.read().map((l) => [l.n, l.r?.[0]]),
      [
        [3, 4.5],
        [4, undefined],
        [5, 9],
        [6, 10],
        [7, 14],
      ],
    );
  } finally {
    await deleteStreams(jsm, jn);
  }
});
