// The production relational store: PostgreSQL through a `pg` pool, behind the
// same SqlDatabase interface as PGlite (same migrations, same row types: int8
// as JS numbers, numeric as strings, timestamptz as Date, bytea as bytes).
// A lost connection or a server that is down becomes a 503 ApiError naming the
// database, so callers fail fast; the pool reconnects on the next query, so the
// venue recovers by itself when PostgreSQL is back.
import pg from 'pg';
import type { Logger } from 'pino';
import type { SqlClient, SqlDatabase } from '../deps.ts';
import { unavailable } from '../http/errors.ts';
import { migrate } from '../venue/migrate.ts';

/** Pool settings (the defaults suit one venue process). */
export interface PostgresOptions {
  /** Largest number of connections (default 10). */
  max?: number;
  /** How long a query may wait for a connection before failing, in ms (default 3000). */
  connectTimeoutMs?: number;
  logger?: Logger;
}

// Node's and pg's error codes for a connection that failed or was cut.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// pg's own messages for the same (it raises plain Errors for them).
const CONNECTION_MESSAGE = /connection terminated|timeout exceeded when trying to connect|not queryable|connection ended|cannot use a pool after calling end/i;

/**
 * Whether `err` means the database could not be reached (as opposed to a
 * statement it refused): network errors, SQLSTATE class 08 (connection
 * exception), 57P01-57P03 (shutting down, starting up) and 53300 (too many connections).
 */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300') return true;
  }
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  return CONNECTION_MESSAGE.test(err.message);
}

/** A short reason for a connection error, without host names or addresses. */
function reason(err: Error): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (err instanceof AggregateError && err.errors.length > 0) return reason(err.errors[0] as Error);
  return typeof code === 'string' && NETWORK_CODES.has(code) ? code : err.message;
}

/** Rethrows connection errors as 503 ApiErrors; statement errors pass through unchanged. */
function translate(err: unknown): never {
  if (isConnectionError(err)) throw unavailable(`the database (postgres) is unavailable: ${reason(err as Error)}`);
  throw err;
}

// int8 as a JS number (ids, sequence numbers and money units stay within 2^53);
// every other type keeps pg's default parser (numeric as string, timestamptz as Date, bytea as Buffer).
const INT8 = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

function client(q: pg.Pool | pg.PoolClient): SqlClient {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      try {
        const res = await q.query(sql, params as unknown[] | undefined);
        return res.rows as R[];
      } catch (err) {
        return translate(err);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        // No parameters: the simple query protocol, which runs several statements.
        await q.query(sql);
      } catch (err) {
        translate(err);
      }
    },
  };
}

/** A PostgreSQL database, with the pool exposed for what the interface does not cover (advisory locks, tests). */
export interface PostgresDatabase extends SqlDatabase {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
}

/**
 * Connects a pool to `url` (postgres://user:password@host:port/database) and
 * checks it answers; throws a readable error otherwise.
 */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<PostgresDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 3000,
    application_name: 'cift',
    types: typeParsers,
  });
  // An idle connection the server closed (restart, failover) is reported here;
  // without a listener it would crash the process. The pool replaces it on demand.
  pool.on('error', (err) => opts.logger?.warn({ err }, 'postgres: idle connection lost'));
  const base = client(pool);
  const db: PostgresDatabase = {
    kind: 'postgres',
    pool,
    query: base.query,
    exec: base.exec,
    async transaction(fn) {
      let conn: pg.PoolClient;
      try {
        conn = await pool.connect();
      } catch (err) {
        return translate(err);
      }
      let broken: unknown;
      // A connection cut while checked out (between two statements) is
      // emitted as an 'error' event, which would crash the process unheard.
      const onError = (err: Error): void => {
        broken = err;
        opts.logger?.warn({ err }, 'postgres: connection lost inside a transaction');
      };
      conn.on('error', onError);
      try {
        await conn.query('BEGIN');
        const out = await fn(client(conn));
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await conn.query('ROLLBACK');
        } catch (rollbackErr) {
          // The connection is unusable: drop it from the pool rather than reuse it.
          broken = rollbackErr;
        }
        return translate(err);
      } finally {
        conn.off('error', onError);
        conn.release(broken instanceof Error ? broken : undefined);
      }
    },
    async ping() {
      await base.query('SELECT 1');
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
  try {
    await db.ping();
  } catch (err) {
    await db.close();
    throw new Error(`cannot connect to PostgreSQL at DATABASE_URL: ${(err as Error).message}`, { cause: err });
  }
  return db;
}

// pg_advisory_lock key for migrations: the bytes of "ciftmigr" as an int8.
const MIGRATION_LOCK = 0x636966746d696772n;

/**
 * Runs the migrations while holding a session advisory lock, so several
 * processes starting against one database (API nodes, engine workers) apply
 * each migration once instead of racing on CREATE TABLE.
 */
export async function migratePostgres(db: PostgresDatabase): Promise<number[]> {
  const conn = await db.pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken = err;
  };
  conn.on('error', onError);
  try {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      return await migrate(db);
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } finally {
    conn.off('error', onError);
    conn.release(broken);
  }
}
