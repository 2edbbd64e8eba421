// PGlite's bulk load (copyRows: COPY from CSV), in-thread and through the
// PGlite worker thread: every value comes back as the same row written with
// parameters would (quotes, commas and line breaks in text, the empty string
// apart from NULL, JSON, exact decimals, timestamps, booleans), a load inside
// a transaction rolls back with it, and a refused row refuses the whole load.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SqlDatabase } from '../src/deps.ts';
import { openPglite, toCsv, type PgliteThread } from '../src/embedded/pglite.ts';

const COLUMNS = ['id', 'label', 'note', 'amount', 'at', 'flag', 'doc'];

const ROWS: Record<string, unknown>[] = [
  { id: 1, label: 'a,"quoted", and, commas', note: '', amount: '0.10', at: '2026-01-02T15:04:05.123Z', flag: true, doc: [1, 2.5, null] },
  { id: 2, label: 'line\nbreak and \\ backslash', note: null, amount: '-12345678901234567890.000000001', at: new Date(Date.UTC(2026, 0, 2)), flag: false, doc: { a: '"x"' } },
  { id: 3, label: '\\.', note: 'é ☃ 𝄞', amount: null, at: null, flag: null, doc: null },
  { id: 4, label: '"', note: ',', amount: '1e3', at: '2026-01-02 15:04:05.999999+00', flag: true, doc: [{ b: 'comma, "quote"' }] },
];

function copyTests(thread: PgliteThread): void {
  let db: SqlDatabase;
  let dir: string | undefined;
  before(async () => {
    if (thread === 'worker') dir = mkdtempSync(join(tmpdir(), 'cift-copy-'));
    db = await openPglite(dir, thread);
    await db.exec(`CREATE TABLE t (id int PRIMARY KEY, label text NOT NULL, note text, amount numeric, at timestamptz, flag boolean, doc jsonb);
                   CREATE TABLE u (LIKE t)`);
  });
  after(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('copied rows equal the same rows inserted with parameters', async () => {
    assert.ok(db.copyRows, 'PGlite offers copyRows');
    await db.copyRows('t', COLUMNS, ROWS);
    for (const r of ROWS) {
      await db.query('INSERT INTO u VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)', [
        r.id, r.label, r.note, r.amount, r.at, r.flag, r.doc === null ? null : JSON.stringify(r.doc),
      ]);
    }
    const read = (table: string) =>
      db.query(`SELECT id, label, note, note IS NULL AS note_null, amount::text, at, flag, doc FROM ${table} ORDER BY id`);
    const copied = await read('t');
    assert.deepEqual(copied, await read('u'));
    assert.equal(copied[0].label, 'a,"quoted", and, commas');
    assert.equal(copied[0].note, '');
    assert.equal(copied[1].note_null, true);
    assert.equal(copied[1].amount, '-12345678901234567890.000000001');
    assert.equal(copied[2].label, '\\.');
    assert.equal(copied[2].note, 'é ☃ 𝄞');
  });

  test('a load in a transaction is undone with it, and a refused row refuses the whole load', async () => {
    const rows = (ids: number[]) => ids.map((id) => ({ id, label: `row ${id}` }));
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.copyRows!('t', ['id', 'label'], rows([10, 11]));
        throw new Error('roll back');
      }),
      /roll back/,
    );
    await assert.rejects(db.copyRows!('t', ['id', 'label'], rows([12, 1])), /t_pkey/);
    await assert.rejects(db.copyRows!('t', ['id', 'label'], [{ id: 13, label: null }]), /null value/);
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id >= 10');
    assert.equal(n, 0);
  });
}

describe('copyRows on PGlite in-thread', () => copyTests('main'));
describe('copyRows through the PGlite worker thread', () => copyTests('worker'));

test('CSV: NULL is an empty unquoted field, every string is quoted, numbers that are not finite are refused', () => {
  assert.equal(toCsv(['a', 'b', 'c', 'd'], [{ a: null, b: '', c: 'x"y', d: 2 }]), ',"","x""y",2\n');
  assert.throws(() => toCsv(['a'], [{ a: Number.NaN }]), /NaN/);
});

test('PGlite analyzes a table once it has doubled since its last ANALYZE (it has no autovacuum to do so)', async () => {
  const db = await openPglite(undefined, 'main');
  try {
    await db.exec('CREATE TABLE big (id int PRIMARY KEY, pad text NOT NULL)');
    const relpages = async () => (await db.query<{ relpages: number }>(`SELECT relpages FROM pg_class WHERE relname = 'big'`))[0].relpages;
    assert.equal(await relpages(), 0, 'never analyzed');
    const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, pad: 'x'.repeat(100) }));
    await db.transaction((tx) => tx.copyRows!('big', ['id', 'pad'], rows));
    // The check after the commit runs in the background; closing waits for it.
    for (let i = 0; i < 100 && (await relpages()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await relpages()) > 8, 'analyzed after the commit that grew it');
  } finally {
    await db.close();
  }
});
