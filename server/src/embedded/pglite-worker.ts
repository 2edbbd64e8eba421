// The PGlite thread: runs PGlite (PostgreSQL compiled to WASM, which executes
// synchronously) on a worker thread, so statements — above all the engine
// service's projection transactions — never stall the HTTP event loop. The
// main thread talks to it through `openPgliteWorker()` (pglite.ts), one
// message per statement; a transaction holds PGlite's lock here until the
// main thread commits or rolls it back.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { GrowthAnalyzer, PGLITE_PARSERS, type PgliteReply, type PgliteRequest } from './pglite.ts';

const port = parentPort;
if (port === null) throw new Error('pglite-worker.ts runs only as a worker thread');

const { dataDir } = workerData as { dataDir: string | undefined };

/** Thrown inside a transaction's callback to make PGlite roll it back. */
class RollBack extends Error {}

/** Open transactions by id: their PGlite handle, how to end them, and PGlite's promise for the outcome. */
const transactions = new Map<number, { tx: Transaction; end: (commit: boolean) => void; outcome: Promise<void> }>();

/** The fields of a PostgreSQL error worth carrying across (SQLSTATE code, detail, …). */
function errorFields(err: unknown): PgliteReply['error'] {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & Record<string, unknown>;
  const out: NonNullable<PgliteReply['error']> = { message: e.message };
  for (const k of ['code', 'detail', 'constraint', 'table', 'column', 'severity'] as const) {
    if (typeof e[k] === 'string') out[k] = e[k];
  }
  return out;
}

const db = await PGlite.create(dataDir, { parsers: PGLITE_PARSERS }).catch((err: unknown) => {
  port.postMessage({ id: 0, error: errorFields(err) } satisfies PgliteReply);
  throw err;
});
port.postMessage({ id: 0 } satisfies PgliteReply);
const analyzer = new GrowthAnalyzer(db);

function target(tx: number | undefined): PGlite | Transaction {
  if (tx === undefined) return db;
  const open = transactions.get(tx);
  if (open === undefined) throw new Error(`transaction ${tx} is not open`);
  return open.tx;
}

async function handle(req: PgliteRequest): Promise<PgliteReply> {
  switch (req.op) {
    case 'query': {
      const res = await target(req.tx).query(req.sql, req.params as unknown[] | undefined);
      return { id: req.id, rows: res.rows };
    }
    case 'copy':
      await target(req.tx).query(req.sql, [], { blob: new Blob([req.csv]) });
      return { id: req.id };
    case 'exec':
      await target(req.tx).exec(req.sql);
      return { id: req.id };
    case 'begin':
      return new Promise<PgliteReply>((begun, failed) => {
        let opened = false;
        // PGlite's transaction() holds its lock, commits when the callback resolves and rolls back when it throws.
        const outcome = db
          .transaction(
            (tx) =>
              new Promise<void>((resolve, reject) => {
                opened = true;
                transactions.set(req.id, { tx, end: (commit) => (commit ? resolve() : reject(new RollBack())), outcome });
                begun({ id: req.id, tx: req.id });
              }),
          )
          .catch((err: unknown) => {
            if (!opened) failed(err);
            if (!(err instanceof RollBack)) throw err;
          });
        // Observed by commit/rollback; never an unhandled rejection in between.
        outcome.catch(() => {});
      });
    case 'commit':
    case 'rollback': {
      const open = transactions.get(req.tx);
      if (open === undefined) throw new Error(`transaction ${req.tx} is not open`);
      transactions.delete(req.tx);
      open.end(req.op === 'commit');
      // Answers once PGlite has run COMMIT (or ROLLBACK); a failed COMMIT is the caller's error.
      await open.outcome;
      if (req.op === 'commit') analyzer.afterCommit();
      return { id: req.id };
    }
    case 'close':
      await analyzer.idle();
      if (!db.closed) await db.close();
      return { id: req.id };
  }
}

port.on('message', (req: PgliteRequest) => {
  handle(req).then(
    (reply) => port.postMessage(reply),
    (err: unknown) => port.postMessage({ id: req.id, error: errorFields(err) } satisfies PgliteReply),
  );
});
