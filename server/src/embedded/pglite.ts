// The embedded relational store: PGlite (PostgreSQL compiled to WASM) in a data
// directory, or in memory when no directory is given. PGlite executes
// synchronously on the thread that calls it, so with a data directory on Node
// it runs on a worker thread (pglite-worker.ts) and the HTTP event loop only
// posts statements to it; in memory (tests, tools) it runs in-thread.
import { Worker } from 'node:worker_threads';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlDatabase } from '../deps.ts';

/** int8 as a JS number (ids, sequence numbers and money units stay within 2^53). */
export const PGLITE_PARSERS = { [types.INT8]: (v: string) => Number(v) };

/** One CSV field as COPY reads it: NULL unquoted and empty, every string quoted (so "" is the empty string), JSON for arrays and objects. */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  switch (typeof v) {
    case 'string':
      return v.includes('"') ? `"${v.replaceAll('"', '""')}"` : `"${v}"`;
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`a row holds the number ${v}, which no column takes`);
      return String(v);
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 't' : 'f';
    default: {
      if (v instanceof Date) return v.toISOString();
      const json = JSON.stringify(v);
      return `"${json.replaceAll('"', '""')}"`;
    }
  }
}

/** `rows` as CSV lines, each row's values taken by name in `columns`. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  let out = '';
  for (const r of rows) {
    let line = csvField(r[columns[0]]);
    for (let i = 1; i < columns.length; i++) line += ',' + csvField(r[columns[i]]);
    out += line + '\n';
  }
  return out;
}

/** The COPY statement that loads CSV from the blob passed with the query. */
export function copySql(table: string, columns: readonly string[]): string {
  return `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`;
}

/** A message to the PGlite thread (`tx`: the open transaction a statement belongs to; `csv`: the rows a COPY reads). */
export type PgliteRequest =
  | { id: number; op: 'query'; sql: string; params?: readonly unknown[]; tx?: number }
  | { id: number; op: 'copy'; sql: string; csv: string; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'close' };

/** The PGlite thread's answer to request `id` (id 0: the database is open, or failed to open). */
export interface PgliteReply {
  id: number;
  rows?: unknown[];
  /** Set by `begin`: the transaction's id. */
  tx?: number;
  error?: { message: string; code?: string; detail?: string; constraint?: string; table?: string; column?: string; severity?: string };
}

/** The tables of the current schema at more than twice the size (in pages) their last ANALYZE saw, and above 8 pages. */
const GROWN_TABLES = `SELECT format('%I', c.relname) AS name FROM pg_class c
  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
    AND pg_relation_size(c.oid) / current_setting('block_size')::int > 2 * greatest(c.relpages, 4)`;

/**
 * PGlite runs no autovacuum, so nothing analyzes a table as it grows, and a
 * plan made while a table was small stays cached: above all those of the
 * foreign-key checks, made at the first row a session writes, which then
 * scan the whole referenced table for every row written (a fill's check of
 * its order went from ~30 µs to over 100 µs within 20,000 orders). After a
 * commit (looked at once a second at most), the tables that have doubled
 * since their last ANALYZE are analyzed again, which also has the plans over
 * them made anew. Doubling keeps the work logarithmic in the table's growth.
 */
export class GrowthAnalyzer {
  private checked = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly db: PGlite) {}

  /** Called after each commit. */
  afterCommit(): void {
    const now = Date.now();
    if (this.running !== undefined || now - this.checked < 1000) return;
    this.checked = now;
    this.running = this.analyze()
      // A failed check leaves the statistics as they were; the next commit checks again.
      .catch(() => {})
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Resolves once no check runs (before closing the database). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async analyze(): Promise<void> {
    const { rows } = await this.db.query<{ name: string }>(GROWN_TABLES);
    if (rows.length > 0) await this.db.exec(`ANALYZE ${rows.map((r) => r.name).join(', ')}`);
  }
}

function client(db: PGlite | Transaction): SqlClient {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const res = await db.query<R>(sql, params as unknown[] | undefined);
      return res.rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
    async copyRows(table, columns, rows): Promise<void> {
      if (rows.length > 0) await db.query(copySql(table, columns), [], { blob: new Blob([toCsv(columns, rows)]) });
    },
  };
}

/** Where PGlite runs: `worker` (a worker thread; Node only) or `main` (the calling thread). */
export type PgliteThread = 'worker' | 'main';

/** The default: a worker for a data directory on Node (not Deno or Bun, which run the same code in-thread). */
function defaultThread(dataDir: string | undefined): PgliteThread {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return dataDir !== undefined && g.Deno === undefined && g.Bun === undefined ? 'worker' : 'main';
}

/** Opens PGlite at `dataDir` (created if missing; `undefined` keeps it in memory). */
export async function openPglite(dataDir?: string, thread: PgliteThread = defaultThread(dataDir)): Promise<SqlDatabase> {
  if (thread === 'worker') return openPgliteWorker(dataDir);
  const db = await PGlite.create(dataDir, { parsers: PGLITE_PARSERS });
  const base = client(db);
  const analyzer = new GrowthAnalyzer(db);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    copyRows: base.copyRows,
    async transaction(fn) {
      const result = await db.transaction((tx) => fn(client(tx)));
      analyzer.afterCommit();
      return result;
    },
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      await analyzer.idle();
      if (!db.closed) await db.close();
    },
  };
}

/** An Error carrying the PostgreSQL fields the PGlite thread sent (SQLSTATE `code`, …). */
function toError(e: NonNullable<PgliteReply['error']>): Error {
  return Object.assign(new Error(e.message), e);
}

/** PGlite on a worker thread behind the same SqlDatabase interface. */
async function openPgliteWorker(dataDir: string | undefined): Promise<SqlDatabase> {
  // Loaders are per thread: under tsx (Node runs the TypeScript sources through
  // it) an eval'd bootstrap registers tsx in the worker before importing the file.
  const file = new URL('./pglite-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(file)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { dataDir } });
  const pending = new Map<number, { resolve: (r: PgliteReply) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let dead: Error | undefined;
  const opened = new Promise<void>((resolve, reject) => pending.set(0, { resolve: () => resolve(), reject }));

  worker.on('message', (reply: PgliteReply) => {
    const p = pending.get(reply.id);
    if (p === undefined) return;
    pending.delete(reply.id);
    if (reply.error) p.reject(toError(reply.error));
    else p.resolve(reply);
  });
  const die = (err: Error): void => {
    dead ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`the PGlite thread exited (code ${code})`)));

  function send(req: PgliteRequest): Promise<PgliteReply> {
    if (dead !== undefined) return Promise.reject(dead);
    return new Promise<PgliteReply>((resolve, reject) => {
      pending.set(req.id, { resolve, reject });
      worker.postMessage(req);
    });
  }

  function clientOf(tx: number | undefined): SqlClient {
    return {
      async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
        const reply = await send({ id: nextId++, op: 'query', sql, params, tx });
        return reply.rows as R[];
      },
      async exec(sql: string): Promise<void> {
        await send({ id: nextId++, op: 'exec', sql, tx });
      },
      async copyRows(table, columns, rows): Promise<void> {
        // Encoded here, so the PGlite thread only parses the CSV.
        if (rows.length > 0) await send({ id: nextId++, op: 'copy', sql: copySql(table, columns), csv: toCsv(columns, rows), tx });
      },
    };
  }

  try {
    await opened;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  const base = clientOf(undefined);
  let closing: Promise<void> | undefined;
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    copyRows: base.copyRows,
    async transaction(fn) {
      const { tx } = await send({ id: nextId++, op: 'begin' });
      let result;
      try {
        result = await fn(clientOf(tx));
      } catch (err) {
        await send({ id: nextId++, op: 'rollback', tx: tx! }).catch(() => {});
        throw err;
      }
      await send({ id: nextId++, op: 'commit', tx: tx! });
      return result;
    },
    async ping() {
      await base.query('SELECT 1');
    },
    close() {
      closing ??= (async () => {
        if (dead === undefined) await send({ id: nextId++, op: 'close' });
        await worker.terminate();
      })();
      return closing;
    },
  };
}
