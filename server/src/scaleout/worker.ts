// An engine worker: owns the symbols of one shard. It consumes those symbols'
// command subjects (and its shard's account-wide subject) from JetStream
// through one durable consumer each, runs the commands one at a time on its
// own engine (the same EmbeddedEngineService a single-process venue runs,
// with its tables in its own PostgreSQL schema and its journal on its own
// JetStream stream), and replies with the outcome and the state that changed.
//
// A command is acknowledged to JetStream only after its effects are durable
// in the worker's journal, so a crash redelivers it; the journal lines carry
// the command's stream position (tagged-journal.ts), so a redelivered command
// that already ran is skipped. Restart = engine snapshot + the journal after
// it (the service's own recovery) + the commands JetStream still holds unacked.
import { randomUUID } from 'node:crypto';
import { nanos, type JetStreamManager, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import type { Bus, Clock } from '../deps.ts';
import { systemClock } from '../deps.ts';
import { ApiError, toApiError } from '../http/errors.ts';
import { ensureStreams, jetStreamNames, runDurableConsumer, type DurableConsumer } from '../production/jetstream.ts';
import { openJetStreamCommandJournal } from '../production/jetstream-journal.ts';
import { connectNats, natsBus } from '../production/nats-bus.ts';
import { migratePostgres, openPostgres, type PostgresDatabase } from '../production/postgres.ts';
import { openStreamStores } from '../production/services.ts';
import type { JournalLine } from '../venue/journal.ts';
import { EmbeddedEngineService } from '../venue/service.ts';
import type { AccountRef, CloseResult, InstrumentInput } from '../venue/types.ts';
import { COMMAND_ID_HEADER, DEPTH_LEVELS, REPLY_HEADER, type ShardCommand, type ShardRead, type ShardReply, type ShardView, type WireError } from './protocol.ts';
import { scaleoutNames, type ScaleoutNames, type Shard, type ShardMap } from './shard-map.ts';
import { TaggedJournal } from './tagged-journal.ts';

/** How long JetStream remembers a Nats-Msg-Id (gateway retries, transfer legs re-stored after a restart). */
export const COMMAND_DEDUPE_WINDOW_MS = 60 * 60 * 1000;

/** How long JetStream waits for a worker's ack before redelivering (ms): bounds how long a restarted worker waits for the command its predecessor held. */
export const ACK_WAIT_MS = 5000;

/**
 * Creates the venue's command and event streams if missing (every gateway and
 * worker calls this), and widens the command stream's de-duplication window to
 * COMMAND_DEDUPE_WINDOW_MS if it was created with a shorter one.
 */
export async function ensureCommandStream(jsm: JetStreamManager, names: ScaleoutNames): Promise<void> {
  await ensureStreams(jsm, jetStreamNames(names.prefix), { duplicateWindowMs: COMMAND_DEDUPE_WINDOW_MS }).catch((err: unknown) => {
    // Another process created them first.
    if (!/already in use|name already/i.test((err as Error).message)) throw err;
  });
  const info = await jsm.streams.info(names.commandStream);
  if (info.config.duplicate_window < nanos(COMMAND_DEDUPE_WINDOW_MS)) {
    await jsm.streams.update(names.commandStream, { ...info.config, duplicate_window: nanos(COMMAND_DEDUPE_WINDOW_MS) });
  }
}

/** DATABASE_URL with its search_path set to `schema` (each shard's tables live in a schema of the venue's database). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Creates the shard's schema if missing and applies the migrations in it; returns the database at that schema. */
export async function openShardDatabase(databaseUrl: string, schema: string, logger?: Logger): Promise<PostgresDatabase> {
  const admin = await openPostgres(databaseUrl, { max: 1, logger });
  try {
    await admin.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await admin.close();
  }
  const db = await openPostgres(withSearchPath(databaseUrl, schema), { logger });
  try {
    await migratePostgres(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** What a worker is started with. */
export interface WorkerOptions {
  map: ShardMap;
  /** The shard this worker owns. */
  shard: string;
  /** Scale-out prefix (JetStream subjects, consumers, schemas); default "cift". */
  prefix?: string;
  databaseUrl: string;
  natsUrl: string;
  /** Instruments listed on first start (those of other shards are ignored). */
  instruments: InstrumentInput[];
  logger: Logger;
  clock?: Clock;
  /** Engine snapshot interval in commands. */
  snapshotEvery?: number;
  /** How often the worker announces its state and changes (ms, default 500). */
  viewEveryMs?: number;
}

/** A running worker. */
export interface Worker {
  shard: Shard;
  /** Stops consuming, lets the command in hand finish, and closes everything. */
  close(): Promise<void>;
}

/** Starts a worker: its database schema, engine (recovered), and one durable consumer per owned subject. */
export async function startWorker(opts: WorkerOptions): Promise<Worker> {
  const names = scaleoutNames(opts.prefix);
  const shard = opts.map.shard(opts.shard);
  if (!shard) throw new Error(`shard '${opts.shard}' is not in the shard map (${opts.map.shards.map((s) => s.name).join(', ')})`);
  const { logger } = opts;
  const log = logger.child({ shard: shard.name });
  const db = await openShardDatabase(opts.databaseUrl, names.schema(shard.name), logger);
  let nc: NatsConnection;
  try {
    nc = await connectNats(opts.natsUrl, { name: `cift-worker-${shard.name}` });
  } catch (err) {
    await db.close();
    throw err;
  }
  // One worker per shard: a second would split the shard's commands with the first (its journal appends are refused anyway).
  const other = await nc
    .request(names.readSubject(shard.name), new TextEncoder().encode(JSON.stringify({ op: 'full_view' } satisfies ShardRead)), { timeout: 500 })
    .then((m) => (JSON.parse(new TextDecoder().decode(m.data)) as ShardView).boot)
    .catch(() => undefined);
  if (other !== undefined) {
    await nc.close();
    await db.close();
    throw new Error(`shard '${shard.name}' already has a running worker (boot ${other}); stop it first`);
  }
  const sharedBus = natsBus(nc, { subjectPrefix: names.busPrefix, logger: log });
  // Which accounts and books changed since the last view: the service announces every order change
  // (trade_updates.<account>) and every change of a book level (book.<SYMBOL>) on the bus.
  const dirtyAccounts = new Set<string>();
  const dirtySymbols = new Set<string>();
  const bus: Bus = {
    kind: sharedBus.kind,
    publish(subject, message) {
      if (subject.startsWith('trade_updates.')) dirtyAccounts.add(subject.slice('trade_updates.'.length));
      else if (subject.startsWith('book.')) dirtySymbols.add(subject.slice('book.'.length));
      else if (subject.startsWith('quotes.')) dirtySymbols.add(subject.slice('quotes.'.length));
      sharedBus.publish(subject, message);
    },
    subscribe: (pattern, handler) => sharedBus.subscribe(pattern, handler),
    ping: () => sharedBus.ping(),
    close: () => sharedBus.close(),
  };
  const consumers: DurableConsumer[] = [];
  let service: EmbeddedEngineService | undefined;
  let viewTimer: ReturnType<typeof setInterval> | undefined;
  let reads: Subscription | undefined;
  try {
    const inner = await openJetStreamCommandJournal<JournalLine>(nc, jetStreamNames(names.journalPrefix(shard.name)), { logger: log });
    const journal = await TaggedJournal.open(inner, db);
    // The shard's market events (per symbol, de-duplicated by engine sequence) and engine snapshots, on JetStream.
    const streams = await openStreamStores({ services: { streamPrefix: names.journalPrefix(shard.name) }, db, bus: sharedBus, dataDir: undefined, logger: log });
    const engine = await EmbeddedEngineService.open({
      db,
      bus,
      clock: opts.clock ?? systemClock,
      logger: log,
      // Cash is credited by commands only (the opening cash on the account's home shard): see sharded-engine.ts.
      initialCash: '0',
      snapshotEvery: opts.snapshotEvery,
      journal,
      events: streams?.events,
      snapshots: streams?.snapshots,
    });
    service = engine;
    for (const inst of opts.instruments) {
      if (opts.map.shardOf(inst.symbol) === shard && !engine.instrument(inst.symbol)) await engine.addInstrument(inst, 'instruments-file');
    }

    const accounts = new Map<string, AccountRef>();
    for (const a of await db.query<{ id: string; engine_account: number }>('SELECT id, engine_account FROM accounts')) accounts.set(a.id, a);

    const boot = randomUUID();
    let version = 0;
    const view = (full: boolean, accountIds: Iterable<string>, symbols: Iterable<string>): ShardView => {
      const out: ShardView = {
        shard: shard.name,
        boot,
        version: ++version,
        full,
        symbols: shard.symbols,
        status: engine.status(),
        instruments: engine.instruments().filter((i) => opts.map.shardOf(i.symbol) === shard),
        books: {},
        accounts: {},
      };
      for (const sym of symbols) {
        if (!engine.instrument(sym)) continue;
        out.books[sym] = { quote: engine.quote(sym), depth: engine.depth(sym, DEPTH_LEVELS) };
      }
      for (const id of accountIds) {
        const ref = accounts.get(id);
        if (!ref) continue;
        try {
          out.accounts[id] = { state: engine.accountState(ref), positions: engine.positions(ref) };
        } catch {
          // Not open in the engine yet: nothing to show.
        }
      }
      return out;
    };
    const changes = (extraAccount?: string, extraSymbol?: string): ShardView => {
      if (extraAccount) dirtyAccounts.add(extraAccount);
      if (extraSymbol) dirtySymbols.add(extraSymbol);
      const v = view(false, [...dirtyAccounts], [...dirtySymbols]);
      dirtyAccounts.clear();
      dirtySymbols.clear();
      return v;
    };

    const js = nc.jetstream();
    const steps = (cmd: ShardCommand): (() => Promise<unknown>)[] => {
      switch (cmd.op) {
        case 'open_account':
          return [
            async () => {
              // The shard's own copy of the account (its orders reference it); the user lives with the gateway.
              await db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, '!') ON CONFLICT (id) DO NOTHING`, [
                cmd.account.id,
                `${cmd.account.id}@shard.invalid`,
              ]);
              await db.query(
                `INSERT INTO accounts (id, user_id, account_number, engine_account) VALUES ($1, $1, $2, $3) ON CONFLICT (id) DO NOTHING`,
                [cmd.account.id, `S${cmd.account.engine_account}`, cmd.account.engine_account],
              );
              accounts.set(cmd.account.id, cmd.account);
            },
            () => engine.openAccount(cmd.account),
            ...(Number(cmd.opening_cash) > 0 ? [() => engine.deposit(cmd.account, cmd.opening_cash)] : []),
          ];
        case 'deposit':
        case 'transfer_in':
          return [() => engine.deposit(cmd.account, cmd.amount)];
        case 'withdraw':
          return [() => engine.withdraw(cmd.account, cmd.amount)];
        case 'transfer_out': {
          const to = opts.map.shard(cmd.to);
          if (!to) return [() => Promise.reject(new ApiError(422, 'invalid', `unknown shard '${cmd.to}'`, 'to'))];
          return [
            () => engine.withdraw(cmd.account, cmd.amount),
            async () => {
              // The credit leg, stored once the debit is durable; its message id makes a re-store after a restart a no-op.
              const credit: ShardCommand = { op: 'transfer_in', account: cmd.account, amount: cmd.amount, from: shard.name, transfer_id: cmd.transfer_id };
              await js.publish(names.shardSubject(to.name), new TextEncoder().encode(JSON.stringify(credit)), { msgID: `${cmd.transfer_id}:in` });
            },
          ];
        }
        case 'limits':
          return [() => engine.setLimits(cmd.account, cmd.limits, cmd.actor)];
        case 'trading_blocked':
          return [() => engine.setTradingBlocked(cmd.account, cmd.blocked)];
        case 'place':
          return [() => engine.placeOrder(cmd.account, cmd.req)];
        case 'replace':
          return [() => engine.replaceOrder(cmd.account, cmd.order_id, cmd.req)];
        case 'cancel':
          return [() => engine.cancelOrder(cmd.account, cmd.order_id)];
        case 'cancel_all':
          return [() => engine.cancelAllOrders(cmd.account)];
        case 'close_position':
          return [() => engine.closePosition(cmd.account, cmd.symbol, cmd.qty)];
        case 'close_all':
          // One step per owned symbol (a fixed list, so a rerun after a crash resumes at the same step), each one close.
          return shard.symbols.map((symbol) => async (): Promise<CloseResult | undefined> => {
            if (!engine.position(cmd.account, symbol)) return undefined;
            try {
              return { symbol, status: 200, body: await engine.closePosition(cmd.account, symbol) };
            } catch (err) {
              if (!(err instanceof ApiError) || err.status >= 500) throw err;
              return { symbol, status: err.status, body: { code: err.code, message: err.message } };
            }
          });
        case 'add_instrument':
          return [() => engine.addInstrument(cmd.input, cmd.actor)];
        case 'update_instrument':
          return [() => engine.updateInstrument(cmd.symbol, cmd.patch, cmd.actor)];
        case 'end_session':
          return [() => engine.endSession(cmd.symbol)];
      }
    };

    // A command nobody waits for (a transfer's credit, one redelivered after a restart) still shows its changes to every gateway.
    const reply = (to: string | undefined, r: ShardReply): void => {
      if (to) nc.publish(to, JSON.stringify(r));
      else if (r.view) nc.publish(names.viewSubject(shard.name), JSON.stringify(r.view));
    };
    const wireError = (err: unknown): WireError => {
      const api = toApiError(err);
      if (api) return { status: api.status, code: api.code, message: api.message, field: api.field };
      // The details stay in the worker's log, not in an answer to a client.
      log.error({ err }, 'worker: command failed');
      return { status: 500, code: 'internal', message: `shard '${shard.name}' failed to run the command (see its log); it is retried` };
    };

    /**
     * The mark of `subject` if it vouches that command `seq` ran. Cancels and replaces are not skipped by
     * marks: running one again changes nothing (the order is no longer open), and they look the order up
     * (awaiting) before they run, so a GTD expiry appended meanwhile could carry their mark ahead of their
     * own lines. An order with a client_order_id awaits the same way, so its mark counts only if the order is there.
     */
    const applied = async (subject: string, seq: number, cmd: ShardCommand) => {
      const done = journal.mark(subject);
      if (done === undefined || done.seq < seq || cmd.op === 'cancel' || cmd.op === 'replace') return undefined;
      if (done.seq === seq && cmd.op === 'place' && cmd.req.client_order_id !== undefined) {
        const [row] = await db.query('SELECT 1 FROM orders WHERE account_id = $1 AND client_order_id = $2', [cmd.account.id, cmd.req.client_order_id]);
        if (!row) return undefined;
      }
      return done;
    };

    /** Runs one stored command (never two at once: the engine is single-threaded per shard). */
    const execute = async (subject: string, seq: number, cmd: ShardCommand, replyTo: string | undefined, id: string): Promise<void> => {
      const done = await applied(subject, seq, cmd);
      const list = steps(cmd);
      // A transfer's credit is known by its id, so one stored twice (outside the de-duplication window) is credited once.
      const key = cmd.op === 'transfer_in' ? `transfer:${cmd.transfer_id}` : undefined;
      if ((key !== undefined && journal.has(key)) || (done && (done.seq > seq || done.step >= list.length - 1))) {
        // Applied before a restart; whoever sent it has long stopped waiting.
        log.info({ subject, seq }, 'worker: skipping a redelivered command that was already applied');
        reply(replyTo, { id, ok: false, error: { status: 409, code: 'already_applied', message: `command ${seq} was applied before shard '${shard.name}' restarted` } });
        return;
      }
      const account = 'account' in cmd ? cmd.account.id : undefined;
      const symbol =
        cmd.op === 'place'
          ? cmd.req.symbol
          : cmd.op === 'close_position' || cmd.op === 'update_instrument'
            ? cmd.symbol
            : cmd.op === 'add_instrument'
              ? cmd.input.symbol
              : undefined;
      const results: unknown[] = [];
      try {
        for (let i = 0; i < list.length; i++) {
          if (done && done.step >= i) continue;
          journal.arm(subject, { seq, step: i }, key);
          try {
            results[i] = await list[i]();
          } finally {
            journal.disarm();
          }
        }
        // The gateway reads the rows (orders, fills, cash) right after the reply: project them first.
        await engine.settled();
      } catch (err) {
        const error = wireError(err);
        reply(replyTo, { id, ok: false, error, view: changes(account, symbol) });
        // Outages (503) and failures are retried (the message is not acked); a refusal (4xx) is the command's outcome.
        if (error.status >= 500) throw err;
        return;
      }
      // The outcome: the order, cash movement, …; for a close-all the closes made; for a transfer its debit.
      const result = cmd.op === 'close_all' ? results.filter((r) => r !== undefined) : cmd.op === 'transfer_out' ? results[0] : results.at(-1);
      reply(replyTo, { id, ok: true, result: result ?? null, view: changes(account, symbol) });
    };

    let queue: Promise<void> = Promise.resolve();
    const serial = (fn: () => Promise<void>): Promise<void> => {
      const run = queue.then(fn);
      queue = run.catch(() => undefined);
      return run;
    };

    // Gateways get the recovered state in full before any reply from this process.
    reads = nc.subscribe(names.readSubject(shard.name), {
      callback: (err, m) => {
        if (err) return;
        const read = JSON.parse(new TextDecoder().decode(m.data)) as ShardRead;
        if (read.op === 'full_view') m.respond(JSON.stringify(view(true, accounts.keys(), shard.symbols)));
      },
    });
    nc.publish(names.viewSubject(shard.name), JSON.stringify(view(true, accounts.keys(), shard.symbols)));
    viewTimer = setInterval(() => nc.publish(names.viewSubject(shard.name), JSON.stringify(changes())), opts.viewEveryMs ?? 500);

    const jsm = await nc.jetstreamManager();
    await ensureCommandStream(jsm, names);
    const consume = async (subject: string): Promise<void> => {
      consumers.push(
        await runDurableConsumer(nc, {
          stream: names.commandStream,
          durable: names.durable(shard.name, subject),
          subjects: [subject],
          // A message a killed worker held is redelivered once this passes (then one at a time again); a slow
          // command redelivered while still running queues behind itself and is skipped by its mark.
          ackWaitMs: ACK_WAIT_MS,
          retryMs: 500,
          logger: log,
          handle: (m) => {
            const cmd = JSON.parse(new TextDecoder().decode(m.data)) as ShardCommand;
            return serial(() => execute(subject, m.seq, cmd, m.headers?.get(REPLY_HEADER) || undefined, m.headers?.get(COMMAND_ID_HEADER) || ''));
          },
        }),
      );
    };
    // Account-wide commands first (an account opened while this worker was down), then the symbols.
    const accountSubject = names.shardSubject(shard.name);
    await consume(accountSubject);
    for (let i = 0; i < 600; i++) {
      const info = await jsm.consumers.info(names.commandStream, names.durable(shard.name, accountSubject));
      if (info.num_pending + info.num_ack_pending === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await queue;
    for (const sym of shard.symbols) await consume(names.symbolSubject(sym));

    log.info({ symbols: shard.symbols }, 'worker: consuming');

    return {
      shard,
      async close() {
        clearInterval(viewTimer);
        reads?.unsubscribe();
        for (const c of consumers) await c.stop();
        await queue;
        await engine.close();
        await sharedBus.close();
        await db.close();
      },
    };
  } catch (err) {
    clearInterval(viewTimer);
    reads?.unsubscribe();
    for (const c of consumers) await c.stop().catch(() => undefined);
    await service?.close().catch(() => undefined);
    await sharedBus.close().catch(() => undefined);
    await db.close();
    throw err;
  }
}
