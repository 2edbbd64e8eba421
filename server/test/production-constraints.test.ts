// The constraints of migrations 003 and 004, on PGlite and on PostgreSQL (a
// scratch database, dropped after): the same files run on both, a well-formed
// set of rows (an order, its replacement in one transaction, a fill, a
// deposit) is accepted, and each bad row is refused naming its constraint,
// changing nothing. A fill's order, account and instrument are checked by the
// one composite reference to orders that 004 leaves (and the orders' own).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { SqlDatabase } from '../src/deps.ts';
import { openPglite } from '../src/embedded/pglite.ts';
import { migratePostgres, openPostgres, type PostgresDatabase } from '../src/production/postgres.ts';
import { migrate } from '../src/venue/migrate.ts';
import { scratchDatabase, type ScratchDatabase } from './production-helpers.ts';

const T = '2026-01-02T15:00:00Z';

interface Fixture {
  account: string;
  other: string;
  order: string;
}

async function seed(db: SqlDatabase): Promise<Fixture> {
  const ids = { user: randomUUID(), user2: randomUUID(), account: randomUUID(), other: randomUUID(), order: randomUUID() };
  await db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, 'a@example.com', 'x'), ($2, 'b@example.com', 'x')`, [ids.user, ids.user2]);
  await db.query(
    `INSERT INTO accounts (id, user_id, account_number, engine_account) VALUES ($1, $2, 'A1', 1), ($3, $4, 'A2', 2)`,
    [ids.account, ids.user, ids.other, ids.user2],
  );
  await db.query(
    `INSERT INTO instruments (symbol, engine_symbol, price_scale, qty_scale, tick_size, lot_size, min_price, max_price, min_qty, max_qty)
     VALUES ('AAPL', 1, 4, 4, 0.01, 1, 0.01, 100000, 1, 1000000), ('MSFT', 2, 4, 4, 0.01, 1, 0.01, 100000, 1, 1000000)`,
  );
  await insertOrder(db, { id: ids.order, account_id: ids.account, engine_id: 1 });
  return { account: ids.account, other: ids.other, order: ids.order };
}

/** An order row: a resting limit buy of 10 unless `fields` say otherwise. */
function orderRow(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: randomUUID(),
    client_order_id: randomUUID(),
    request_hash: 'h',
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    time_in_force: 'gtc',
    qty: '10',
    filled_qty: '0',
    filled_notional: '0',
    limit_price: '100',
    post_only: false,
    reduce_only: false,
    status: 'new',
    created_at: T,
    updated_at: T,
    ...fields,
  };
}

async function insertOrder(db: { query: SqlDatabase['query'] }, fields: Record<string, unknown>): Promise<void> {
  await db.query(`INSERT INTO orders SELECT * FROM jsonb_populate_recordset(NULL::orders, $1::jsonb)`, [JSON.stringify([orderRow(fields)])]);
}

function fillRow(f: Fixture, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: randomUUID(),
    event_seq: Math.floor(Math.random() * 1e9),
    account_id: f.account,
    order_id: f.order,
    symbol: 'AAPL',
    side: 'buy',
    liquidity: 'maker',
    price: '100',
    qty: '1',
    fee: '0',
    realized_pl: '0',
    position_qty: '1',
    cash_after: '0',
    leaves_qty: '9',
    transaction_time: T,
    ...fields,
  };
}

async function insertFill(db: SqlDatabase, row: Record<string, unknown>): Promise<void> {
  await db.query(`INSERT INTO fills SELECT * FROM jsonb_populate_recordset(NULL::fills, $1::jsonb)`, [JSON.stringify([row])]);
}

async function count(db: SqlDatabase, table: string): Promise<number> {
  const [r] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return r.n;
}

/** Asserts `write` is refused naming `constraint`, and that `table` keeps its row count. */
async function refused(db: SqlDatabase, table: string, constraint: string, write: () => Promise<unknown>): Promise<void> {
  const before = await count(db, table);
  await assert.rejects(write, (err: Error) => {
    assert.match(err.message, new RegExp(constraint), `expected a violation of ${constraint}, got: ${err.message}`);
    return true;
  });
  assert.equal(await count(db, table), before, `${table} unchanged after the refused write`);
}

function constraintTests(open: () => Promise<SqlDatabase>): void {
  let db: SqlDatabase;
  let f: Fixture;
  before(async () => {
    db = await open();
    f = await seed(db);
  });
  after(async () => {
    await db?.close();
  });

  test('well-formed rows are accepted, a replacement with its predecessor in one transaction too', async () => {
    const replacement = randomUUID();
    await db.transaction(async (tx) => {
      // The projection writes both rows in one statement: the old one pointing at the new one, the new one back.
      await tx.query(`INSERT INTO orders SELECT * FROM jsonb_populate_recordset(NULL::orders, $1::jsonb)`, [
        JSON.stringify([orderRow({ id: replacement, account_id: f.account, engine_id: 2, replaces: f.order, qty: '5' })]),
      ]);
      await tx.query(`UPDATE orders SET status = 'replaced', replaced_by = $1 WHERE id = $2`, [replacement, f.order]);
    });
    const [row] = await db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [f.order]);
    assert.equal(row.status, 'replaced');
    await insertFill(db, fillRow(f, {}));
    await db.query(`INSERT INTO cash_ledger VALUES (1, $1, 'deposit', 10, 10, $2)`, [f.account, T]);
    assert.equal(await count(db, 'fills'), 1);
    // The rest of the tests hang off a fresh open order.
    f.order = randomUUID();
    await insertOrder(db, { id: f.order, account_id: f.account, engine_id: 3 });
  });

  test('orders: status, quantities, prices and the fields each type needs are checked', async () => {
    const bad: [string, Record<string, unknown>][] = [
      ['orders_status_check', { status: 'open' }],
      ['orders_filled_qty_check', { filled_qty: '11' }],
      ['orders_filled_qty_check', { filled_qty: '-1' }],
      ['orders_qty_check', { qty: '0' }],
      ['orders_prices_check', { limit_price: '0' }],
      ['orders_limit_price_check', { type: 'market', limit_price: '100' }],
      ['orders_limit_price_check', { type: 'limit', limit_price: null }],
      ['orders_stop_price_check', { type: 'stop', limit_price: null }],
      ['orders_display_qty_check', { display_qty: '11' }],
      ['orders_expire_at_check', { time_in_force: 'gtd' }],
      ['orders_rejected_check', { status: 'rejected' }],
      ['orders_replaced_check', { status: 'replaced' }],
      ['orders_side_check', { side: 'short' }],
      ['orders_account_id_fkey', { account_id: randomUUID() }],
      ['orders_symbol_fkey', { symbol: 'NOPE' }],
    ];
    let engineId = 100;
    for (const [constraint, fields] of bad) {
      await refused(db, 'orders', constraint, () => insertOrder(db, { account_id: f.account, engine_id: engineId++, ...fields }));
    }
  });

  test('orders: one current order per engine id, one client_order_id per account, references checked at commit', async () => {
    await refused(db, 'orders', 'orders_engine_id_key', () => insertOrder(db, { account_id: f.account, engine_id: 3 }));
    await insertOrder(db, { account_id: f.account, engine_id: 200, client_order_id: 'dup' });
    await refused(db, 'orders', 'orders_client_order_id_key', () => insertOrder(db, { account_id: f.account, engine_id: 201, client_order_id: 'dup' }));
    // Another account may use the same client_order_id.
    await insertOrder(db, { account_id: f.other, engine_id: 202, client_order_id: 'dup' });
    await refused(db, 'orders', 'orders_replaces_fkey', () =>
      db.transaction((tx) => insertOrder(tx, { account_id: f.account, engine_id: 203, replaces: randomUUID() })),
    );
  });

  test('fills: positive quantity and price, and the order, account and instrument agree', async () => {
    await refused(db, 'fills', 'fills_qty_check', () => insertFill(db, fillRow(f, { qty: '0' })));
    await refused(db, 'fills', 'fills_price_check', () => insertFill(db, fillRow(f, { price: '-1' })));
    await refused(db, 'fills', 'fills_order_account_symbol_fkey', () => insertFill(db, fillRow(f, { account_id: f.other })));
    await refused(db, 'fills', 'fills_order_account_symbol_fkey', () => insertFill(db, fillRow(f, { symbol: 'MSFT' })));
    // An order, account or instrument that does not exist at all is refused the same way.
    await refused(db, 'fills', 'fills_order_account_symbol_fkey', () => insertFill(db, fillRow(f, { order_id: randomUUID() })));
    await refused(db, 'fills', 'fills_order_account_symbol_fkey', () => insertFill(db, fillRow(f, { account_id: randomUUID() })));
    await refused(db, 'fills', 'fills_order_account_symbol_fkey', () => insertFill(db, fillRow(f, { symbol: 'NOPE' })));
    // Bulk-loaded (PGlite's COPY, as the projection writes fills) the same checks hold.
    if (db.copyRows) {
      const load = (fields: Record<string, unknown>) => db.copyRows!('fills', Object.keys(fillRow(f, {})), [fillRow(f, {}), fillRow(f, fields)]);
      await refused(db, 'fills', 'fills_order_account_symbol_fkey', () => load({ account_id: f.other }));
      await refused(db, 'fills', 'fills_order_account_symbol_fkey', () => load({ order_id: randomUUID() }));
      await refused(db, 'fills', 'fills_qty_check', () => load({ qty: '0' }));
    }
  });

  test('an order and its fills cannot be re-keyed or deleted from under each other', async () => {
    const fill = fillRow(f, {});
    await insertFill(db, fill);
    await refused(db, 'orders', 'fills_order_account_symbol_fkey', () => db.query('DELETE FROM orders WHERE id = $1', [f.order]));
    await assert.rejects(db.query('UPDATE orders SET account_id = $1 WHERE id = $2', [f.other, f.order]), /fills_order_account_symbol_fkey/);
    await assert.rejects(db.query(`UPDATE orders SET symbol = 'MSFT' WHERE id = $1`, [f.order]), /fills_order_account_symbol_fkey/);
    await assert.rejects(db.query('DELETE FROM accounts WHERE id = $1', [f.account]), /_account_id_fkey/);
    await assert.rejects(db.query(`DELETE FROM instruments WHERE symbol = 'AAPL'`), /_symbol_fkey/);
  });

  test('money, limits, users and the engine log are checked', async () => {
    await refused(db, 'cash_ledger', 'cash_ledger_amount_check', () => db.query(`INSERT INTO cash_ledger VALUES (2, $1, 'withdrawal', -5, 5, $2)`, [f.account, T]));
    await refused(db, 'cash_ledger', 'cash_ledger_account_id_fkey', () => db.query(`INSERT INTO cash_ledger VALUES (3, $1, 'deposit', 5, 5, $2)`, [randomUUID(), T]));
    await refused(db, 'risk_limits', 'risk_limits_nonnegative_check', () => db.query('INSERT INTO risk_limits (account_id, max_open_orders) VALUES ($1, -1)', [f.account]));
    await refused(db, 'users', 'users_email_check', () => db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, 'nobody', 'x')`, [randomUUID()]));
    await refused(db, 'engine_log', 'engine_log_seq_check', () => db.query(`INSERT INTO engine_log (seq, ts, kind, record) VALUES (0, 0, 0, '[]')`));
    await refused(db, 'positions', 'positions_account_id_fkey', () =>
      db.query(`INSERT INTO positions VALUES ($1, 'AAPL', 1, 1, 0, $2)`, [randomUUID(), T]),
    );
  });
}

describe('constraints on PGlite', () => {
  constraintTests(async () => {
    const db = await openPglite(undefined, 'main');
    await migrate(db);
    return db;
  });
});

describe('constraints on PostgreSQL', () => {
  let scratch: ScratchDatabase;
  before(async () => {
    scratch = await scratchDatabase();
  });
  after(async () => {
    await scratch?.drop();
  });
  constraintTests(async () => {
    const db: PostgresDatabase = await openPostgres(scratch.url);
    await migratePostgres(db);
    return db;
  });
});
