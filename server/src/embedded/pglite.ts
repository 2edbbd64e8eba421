// The embedded relational store: PGlite (PostgreSQL compiled to WASM) in a data
// directory, or in memory when no directory is given.
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlDatabase } from '../deps.ts';

// int8 as a JS number (ids, sequence numbers and money units stay within 2^53).
const parsers = { [types.INT8]: (v: string) => Number(v) };

function client(db: PGlite | Transaction): SqlClient {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const res = await db.query<R>(sql, params as unknown[] | undefined);
      return res.rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
}

/** Opens PGlite at `dataDir` (created if missing; `undefined` keeps it in memory). */
export async function openPglite(dataDir?: string): Promise<SqlDatabase> {
  const db = await PGlite.create(dataDir, { parsers });
  const base = client(db);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (fn) => db.transaction((tx) => fn(client(tx))),
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
