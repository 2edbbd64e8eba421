// Where an order becomes durable on the production stack, and that durability
// is group-committed: with PostgreSQL alone, the transaction holding the
// order's rows commits before the order is acknowledged, many orders per
// transaction; with NATS too, the command journal on JetStream is appended
// before the acknowledgement, many lines per pipelined append, and PostgreSQL
// follows. Scratch database, stream names and subject prefix per run, removed after.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { deleteStreams, JetStreamJournal, jetStreamNames, type JournalEntry } from '../src/production/jetstream.ts';
import { journalSubject } from '../src/production/jetstream-journal.ts';
import { connectNats } from '../src/production/nats-bus.ts';
import type { AccountRef, Order } from '../src/venue/types.ts';
import { newUser, type TestVenue } from './helpers.ts';
import { LOCAL, scratchDatabase, serviceVenue, token, type ScratchDatabase } from './production-helpers.ts';

let scratch: ScratchDatabase;
let reader: pg.Client;
before(async () => {
  scratch = await scratchDatabase();
  reader = new pg.Client({ connectionString: scratch.url });
  await reader.connect();
});
after(async () => {
  await reader?.end();
  await scratch?.drop();
});

async function accountRef(t: TestVenue): Promise<AccountRef> {
  const u = await newUser(t);
  const [row] = await t.venue.deps.db.query<{ engine_account: number }>('SELECT engine_account FROM accounts WHERE id = $1', [u.accountId]);
  return { id: u.accountId, engine_account: row.engine_account };
}

const ORDERS = 200;
const order = (i: number) => ({ symbol: 'AAPL', side: i % 2 === 0 ? 'buy' : 'sell', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: String(i % 2 === 0 ? 90 : 110) }) as const;

test('PostgreSQL without NATS: an order is acknowledged once its transaction committed, many orders per transaction', async (tc) => {
  const t = await serviceVenue({ databaseUrl: scratch.url });
  try {
    const acct = await accountRef(t);
    const db = t.venue.deps.db;
    let transactions = 0;
    const transaction = db.transaction.bind(db);
    db.transaction = (fn) => {
      transactions++;
      return transaction(fn);
    };
    // Each acknowledgement is checked from another connection at once: the row is already committed.
    const missing: string[] = [];
    const checks: Promise<void>[] = [];
    const placed = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) =>
        t.venue.deps.engine.placeOrder(acct, order(i)).then((o: Order) => {
          checks.push(
            reader.query('SELECT 1 FROM orders WHERE id = $1', [o.id]).then((r) => {
              if (r.rowCount !== 1) missing.push(o.id);
            }),
          );
          return o;
        }),
      ),
    );
    await Promise.all(checks);
    assert.deepEqual(missing, [], 'every acknowledged order was committed before its acknowledgement');
    assert.equal(new Set(placed.map((o) => o.id)).size, ORDERS);
    tc.diagnostic(`${ORDERS} orders at once: ${transactions} transactions`);
    assert.ok(transactions >= 1 && transactions <= ORDERS / 10, `${ORDERS} orders took ${transactions} transactions`);
  } finally {
    await t.close();
  }
});

test('PostgreSQL + NATS: an order is acknowledged once JetStream acked its journal lines, many lines per append; PostgreSQL follows', async (tc) => {
  const names = jetStreamNames(`dur_${token()}`);
  const nc = await connectNats(LOCAL.nats);
  const appends: JournalEntry[][] = [];
  const append = JetStreamJournal.prototype.append;
  JetStreamJournal.prototype.append = function (batch) {
    appends.push([...batch]);
    return append.call(this, batch);
  };
  const db2 = await scratchDatabase();
  const t = await serviceVenue({ databaseUrl: db2.url, natsUrl: LOCAL.nats, subjectPrefix: `cift_test_${token()}.`, streamPrefix: names.subjectRoot });
  try {
    const acct = await accountRef(t);
    appends.length = 0;
    const placed = await Promise.all(Array.from({ length: ORDERS }, (_, i) => t.venue.deps.engine.placeOrder(acct, order(i))));
    // Every acknowledged order's identity was in an append that JetStream had acked (the lines name it).
    const journaled = new Set(
      appends
        .flat()
        .map((e) => JSON.parse(new TextDecoder().decode(e.data)) as { e?: { k: string; row?: { id: string } } })
        .filter((l) => l.e?.k === 'order')
        .map((l) => l.e!.row!.id),
    );
    for (const o of placed) assert.ok(journaled.has(o.id), `order ${o.id} was journaled`);
    assert.ok(appends.every((a) => a.every((e) => e.subject === journalSubject(names))));
    tc.diagnostic(`${ORDERS} orders at once: ${appends.length} appends of ${appends.flat().length} lines`);
    assert.ok(appends.length <= ORDERS / 10, `${ORDERS} orders took ${appends.length} appends`);
    // PostgreSQL converges on the same orders.
    await t.venue.deps.engine.settled();
    const rows = await t.venue.deps.db.query<{ id: string }>('SELECT id FROM orders WHERE account_id = $1', [acct.id]);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(placed.map((o) => o.id)));
  } finally {
    JetStreamJournal.prototype.append = append;
    await t.close();
    await deleteStreams(await nc.jetstreamManager(), names);
    await nc.close();
    await db2.drop();
  }
});
