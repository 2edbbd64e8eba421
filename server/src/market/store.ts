// The market store: ClickHouse behind a small interface, so the same SQL
// (server/clickhouse/*.sql) runs on the embedded ClickHouse engine of chdb (the
// default, persistent in the venue's data directory) or on a ClickHouse server
// over HTTP (CLICKHOUSE_URL). Both go through @clickhouse/client; only the
// connection differs.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { unavailable } from '../http/errors.ts';

/** Values bound to `{name:Type}` placeholders. */
export type QueryParams = Record<string, unknown>;

/** ClickHouse as the market-data code uses it. */
export interface MarketStore {
  /** What it is, for /ready ("chdb", "clickhouse"). */
  readonly kind: string;
  /** The database holding the tables (substituted for `{db}` in the SQL files). */
  readonly database: string;
  /** Runs a SELECT with bound parameters; rows as JSON objects (64-bit integers as strings). */
  query<R = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<R[]>;
  /** Runs a statement that returns nothing (DDL, INSERT … SELECT, mutations) with bound parameters. */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Inserts rows (JSON objects keyed by column) into `table` of the store's database. */
  insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
  /** Throws if the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks a database name before it is spliced into SQL text. */
export function checkDatabaseName(name: string): string {
  if (!IDENT.test(name)) throw new Error(`ClickHouse database name must match ${IDENT}, got '${name}'`);
  return name;
}

/** Reads a SQL file from server/clickhouse/ with `{db}` replaced by the database name. */
export function sqlFile(name: string, database: string): string {
  const text = readFileSync(new URL(`../../clickhouse/${name}`, import.meta.url), 'utf8');
  return text.replaceAll('{db}', checkDatabaseName(database));
}

/** Splits a DDL file into its statements (separated by lines holding only `;`). */
export function statements(sql: string): string[] {
  return sql
    .split(/^\s*;\s*$/m)
    .map((s) =>
      s
        .split('\n')
        .filter((line) => !/^\s*--/.test(line))
        .join('\n')
        .trim(),
    )
    .filter((s) => s !== '');
}

function clientStore(kind: string, client: ClickHouseClient, database: string, onClose: () => Promise<void>): MarketStore {
  return {
    kind,
    database,
    async query<R>(sql: string, params?: QueryParams): Promise<R[]> {
      try {
        const rs = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
        return await rs.json<R>();
      } catch (err) {
        // A store that cannot answer is a 503 for the caller, not a 500.
        throw unavailable(`market store (${kind}) failed: ${(err as Error).message.slice(0, 200)}`);
      }
    },
    async command(sql, params) {
      await client.command({ query: sql, query_params: params });
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      await client.insert({ table: `${database}.${table}`, values: rows as Record<string, unknown>[], format: 'JSONEachRow' });
    },
    async ping() {
      const r = await client.ping();
      if (!r.success) throw r.error;
    },
    close: onClose,
  };
}

/**
 * The embedded store: chdb's engine in this process. `path` is its data
 * directory, or null for an in-memory one (then the database gets a unique
 * name and is dropped on close, since chdb shares one in-memory engine per
 * process). chdb binds one data directory per process: a second store on a
 * different path fails until the first is closed.
 */
export async function openChdbStore(path: string | null, database = 'cift'): Promise<MarketStore> {
  const { createChdbConnection } = await import('chdb/connection');
  const { drainPending } = await import('chdb');
  const db = path === null ? `cift_mem_${randomBytes(6).toString('hex')}` : checkDatabaseName(database);
  // chdb implements @clickhouse/client-common's Connection, which @clickhouse/client now
  // bundles as its own copy of the same types: identical shapes, distinct declarations.
  const connection = createChdbConnection({ path: path ?? ':memory:' }) as unknown as ClientConnection;
  const client = createClient({ connection });
  let closed = false;
  return clientStore('chdb', client, db, async () => {
    if (closed) return;
    closed = true;
    if (path === null) await client.command({ query: `DROP DATABASE IF EXISTS ${db} SYNC` }).catch(() => undefined);
    await client.close();
    // Lets the next store bind another data directory.
    await drainPending();
  });
}

/** A ClickHouse server over HTTP (`url` as CLICKHOUSE_URL: http://user:password@host:8123). */
export function openClickHouseStore(url: string, database = 'cift'): MarketStore {
  const client = createClient({ url, request_timeout: 10_000 });
  return clientStore('clickhouse', client, checkDatabaseName(database), () => client.close());
}

/** Applies server/clickhouse/001_market.sql (idempotent: every statement is IF NOT EXISTS). */
export async function migrateMarketStore(store: MarketStore): Promise<void> {
  for (const stmt of statements(sqlFile('001_market.sql', store.database))) await store.command(stmt);
}
