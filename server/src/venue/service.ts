// The embedded engine service: one engine per process, every command run
// through it in order, and every command's effects made durable before the
// caller hears back.
//
// An order's path: the route validates and authenticates; here the decimals
// are converted to the instrument's integer units (off-grid → 422 naming the
// field), client_order_id is checked for idempotency, the engine runs its risk
// checks and matching, the events are projected onto order/fill/position/cash
// rows, and the command record, its events and the projected rows are written
// later. Commands keep executing while an append is in flight and join the
// next one (group commit).
//
// With a journal (venue/journal.ts; the embedded venue keeps one in its data
// directory) a caller's promise resolves once the journal lines of its command
// (the command record, plus the order's identity) are durable; the database
// rows are projected from the same batches afterwards, several batches per
// transaction, off the caller's path, and the transaction records the last
// journal line it reflects, so each line is projected exactly once. Reads of
// those rows first wait for the projection to catch up (`settled()`), so a
// caller reads its own writes. With the journal on JetStream the lines'
// rows are written as its durable consumer delivers them, and acknowledged
// once committed (see follow()); the market events of a batch are stored on
// the events stream before its rows commit, and snapshots go to JetStream's
// object store. Without a journal each batch's rows are
// written in one transaction before its callers hear back. Bus messages go
// out after the batch is durable either way.
//
// On start the engine is rebuilt from the latest snapshot plus the commands
// logged after it in the database, then the journal lines the database does
// not reflect yet are run again through the same path (rebuilding orders,
// fills, positions and cash) and projected, so a restart, or a crash, restores
// everything that was acknowledged. If an append fails, the in-memory state
// (which ran ahead of it) is thrown away and rebuilt the same way.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Engine } from 'cift-engine';
import type { Bus, Clock, SqlClient, SqlDatabase } from '../deps.ts';
import { loadEngineModule } from '../engine.ts';
import { sha256 } from '../sha256.ts';
import { ApiError, conflict, forbidden, invalid, notFound, unavailable } from '../http/errors.ts';
import { DecimalError, fromUnits, MAX_UNITS, toUnits } from './decimal.ts';
import { isoMs, normalize, rowToOrder, rowToState, stateToOrder, stateToRow, type OrderRow, type OrderState, type Scales } from './records.ts';
import {
  MONEY_SCALE,
  OPEN_STATUSES,
  type AccountRef,
  type AccountState,
  type CancelResult,
  type CashMovement,
  type CloseResult,
  type Depth,
  type EngineService,
  type EngineStatus,
  type Instrument,
  type InstrumentInput,
  type InstrumentPatch,
  type Order,
  type OrderRequest,
  type Position,
  type Quote,
  type ReplaceRequest,
  type RiskLimits,
} from './types.ts';
import type { CommandJournal, JournalEffect, JournalFollower, JournalLine, SnapshotStorage, StoredSnapshot } from './journal.ts';
import { marketEvents, type MarketEvent, type MarketEventSink } from './market-events.ts';
import { CancelReason, Cmd, CMD, EVT, Evt, ORDER_TYPE, REJECT_REASONS, SIDE, TIF, WireEngine, record } from './wire.ts';

/** How the service is set up. */
export interface EngineServiceOptions {
  db: SqlDatabase;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Cash a new account opens with (decimal string). */
  initialCash: string;
  /** Take an engine snapshot after this many commands (0: never). */
  snapshotEvery?: number;
  /** Where commands are made durable before they are acknowledged; absent: each batch's rows are written first. */
  journal?: CommandJournal;
  /** Where market events are stored before the rows of their commands are committed (the JetStream events stream); absent: the bus only. */
  events?: MarketEventSink;
  /** Where engine snapshots are kept (JetStream's object store, with NATS); absent: the database's engine_snapshots. */
  snapshots?: SnapshotStorage;
}

/** An instrument with its integer units. */
interface InstrumentState {
  row: Instrument;
  scales: Scales;
  tick: bigint;
  lot: bigint;
  minPrice: bigint;
  maxPrice: bigint;
  minQty: bigint;
  maxQty: bigint;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** What one group commit makes durable, and the rows projected from it. */
interface Batch {
  /** Journal lines (JSON), numbered `firstLine` … `lastLine`. */
  lines: string[];
  firstLine: number;
  lastLine: number;
  log: { seq: number; ts: number; kind: number; record: number[] }[];
  effects: JournalEffect[];
  orders: Map<string, OrderState>;
  fills: Record<string, unknown>[];
  cash: Record<string, unknown>[];
  positions: Map<string, Record<string, unknown>>;
  accountCash: Map<string, string>;
  equity: Record<string, unknown>[];
  publish: [string, unknown][];
  waiters: Waiter[];
}

function newBatch(): Batch {
  return {
    lines: [],
    firstLine: 0,
    lastLine: 0,
    log: [],
    effects: [],
    orders: new Map(),
    fills: [],
    cash: [],
    positions: new Map(),
    accountCash: new Map(),
    equity: [],
    publish: [],
    waiters: [],
  };
}

/** A cut batch on its way to the database: order rows as of the cut, and the engine snapshot if one was due. */
interface Projection {
  firstLine: number;
  lastLine: number;
  log: Batch['log'];
  effects: JournalEffect[];
  orders: Map<string, OrderRow>;
  fills: Record<string, unknown>[];
  cash: Record<string, unknown>[];
  positions: Map<string, Record<string, unknown>>;
  accountCash: Map<string, string>;
  equity: Record<string, unknown>[];
  snapshot?: StoredSnapshot;
  /** Market events, stored (opts.events) before the projection commits. */
  events: MarketEvent[];
  /** Without a journal: published and resolved once the projection commits. */
  publish: [string, unknown][];
  waiters: Waiter[];
}

/** Several consecutive projections as one (later rows of the same key win). */
function mergeProjections(list: Projection[]): Projection {
  if (list.length === 1) return list[0];
  const out: Projection = { ...list[0], log: [], effects: [], orders: new Map(), fills: [], cash: [], positions: new Map(), accountCash: new Map(), equity: [], events: [], publish: [], waiters: [] };
  for (const p of list) {
    out.log.push(...p.log);
    out.effects.push(...p.effects);
    for (const [k, v] of p.orders) out.orders.set(k, v);
    out.fills.push(...p.fills);
    out.cash.push(...p.cash);
    for (const [k, v] of p.positions) out.positions.set(k, v);
    for (const [k, v] of p.accountCash) out.accountCash.set(k, v);
    out.equity.push(...p.equity);
    if (p.snapshot) out.snapshot = p.snapshot;
    out.events.push(...p.events);
    out.publish.push(...p.publish);
    out.waiters.push(...p.waiters);
    out.lastLine = p.lastLine;
  }
  return out;
}

/** How long queued batches wait to be projected together (ms), when no reader waits for them. */
const PROJECT_DELAY_MS = 20;
/** Most journal lines one projection transaction takes. */
const PROJECT_LINES = 4_000;
/** The largest deposit or withdrawal: whole cents below 2^53 money units. */
const MAX_CASH_MOVE = ((MAX_UNITS - 1n) / 10n ** BigInt(MONEY_SCALE - 2)) * 10n ** BigInt(MONEY_SCALE - 2);

/** The latest GTD expiry: the engine keeps times in microseconds, exact on the wire up to 2^53 (2255-06-05). */
const LATEST_EXPIRY_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** How far (in journal lines) the projection may fall behind before acknowledgements wait for it. */
const MAX_PROJECTION_LAG = 50_000;

const defer: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

const HTTP_FOR_REJECT: Record<string, { status: 403 | 404 | 422 | 429; field?: string }> = {
  unknown_symbol: { status: 422, field: 'symbol' },
  invalid_price: { status: 422, field: 'limit_price' },
  invalid_stop_price: { status: 422, field: 'stop_price' },
  invalid_qty: { status: 422, field: 'qty' },
  invalid_display_qty: { status: 422, field: 'display_qty' },
  invalid_time_in_force: { status: 422, field: 'time_in_force' },
  post_only_would_take: { status: 422, field: 'post_only' },
  invalid_order_type: { status: 422, field: 'type' },
  unknown_order: { status: 404 },
  rate_limited: { status: 429 },
  reduce_only: { status: 422, field: 'reduce_only' },
};

/** The error a rejected command answers with (risk rejections are 403 with the numbers behind them). */
function rejection(reason: string, limit: number, requested: number): ApiError {
  const map = HTTP_FOR_REJECT[reason];
  const text = reason.replaceAll('_', ' ');
  if (map === undefined) {
    const numbers = limit !== 0 || requested !== 0 ? ` (limit ${limit}, requested ${requested})` : '';
    return forbidden(`order rejected: ${text}${numbers}`, reason);
  }
  return new ApiError(map.status, reason, `order rejected: ${text}`, map.field);
}

/** Canonical JSON (sorted keys) of a request but its client_order_id, hashed: same body, same hash. */
function hashRequest(body: object): string {
  const fields = body as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  // Keys are distinct, so the default (UTF-16 code unit) order is the `<` order.
  for (const k of Object.keys(fields).sort()) if (fields[k] !== undefined && k !== 'client_order_id') sorted[k] = fields[k];
  return sha256(JSON.stringify(sorted));
}

/** A price from the engine (NaN: none) as a decimal string, or null. */
const priceOrNull = (units: number, scale: number): string | null => (Number.isNaN(units) ? null : fromUnits(units, scale));

const isoFromMicros = (us: number): string => isoMs(Math.floor(us / 1000));

/** The fields of an order's state that its lifecycle moves. */
type Lifecycle = 'filledQty' | 'filledNotional' | 'status' | 'replacedBy' | 'createdAt' | 'updatedAt' | 'filledAt' | 'canceledAt' | 'expiredAt' | 'replacedAt' | 'failedAt';

/**
 * An order not yet acknowledged: `f` with nothing filled and no terminal
 * time. Written out field by field, as it is on every order's path and a
 * spread costs more than the rest of the literal.
 */
function freshOrder(f: Omit<OrderState, Lifecycle>, now: number): OrderState {
  return {
    id: f.id,
    accountId: f.accountId,
    engineAccount: f.engineAccount,
    engineId: f.engineId,
    clientOrderId: f.clientOrderId,
    requestHash: f.requestHash,
    symbol: f.symbol,
    scales: f.scales,
    side: f.side,
    type: f.type,
    tif: f.tif,
    qty: f.qty,
    limitPrice: f.limitPrice,
    stopPrice: f.stopPrice,
    displayQty: f.displayQty,
    postOnly: f.postOnly,
    reduceOnly: f.reduceOnly,
    expireAt: f.expireAt,
    rejectReason: f.rejectReason,
    replaces: f.replaces,
    filledQty: 0n,
    filledNotional: 0n,
    status: 'pending_new',
    replacedBy: null,
    createdAt: now,
    updatedAt: now,
    filledAt: null,
    canceledAt: null,
    expiredAt: null,
    replacedAt: null,
    failedAt: null,
  };
}

/** The embedded EngineService over a SqlDatabase. Create with `EmbeddedEngineService.open()`. */
export class EmbeddedEngineService implements EngineService {
  readonly kind = 'embedded';
  private wire!: WireEngine;
  private seq = 0;
  private ts = 0;
  private nextOrderId = 1;
  private nextSymbol = 1;
  private sinceSnapshot = 0;
  private readonly bySymbol = new Map<string, InstrumentState>();
  private readonly byEngineSymbol = new Map<number, InstrumentState>();
  private readonly accountIds = new Map<number, string>();
  private readonly live = new Map<number, OrderState>();
  private readonly liveById = new Map<string, OrderState>();
  private readonly inflightClientIds = new Map<string, Promise<Order>>();
  private readonly lastQuote = new Map<number, string>();
  private batch = newBatch();
  private flushing = false;
  /** The last journal line numbered, and the last one the database reflects. */
  private line = 0;
  private projectedLine = 0;
  private readonly queue: Projection[] = [];
  private projecting: Promise<void> | undefined;
  private projectTimer: { timer: ReturnType<typeof setTimeout>; start: () => void } | undefined;
  private projectionError: string | undefined;
  private snapshotSaving: Promise<void> = Promise.resolve();
  /** With a journal that can be followed (JetStream): the durable consumer, and the last line it delivered. */
  private follower: JournalFollower | undefined;
  private deliveredLine: number | undefined;
  /** Write what is durable without waiting for its delivery (a clean stop, a rebuild). */
  private draining = false;
  private settledWaiters: { line: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** Running journal lines again on start: no bus messages, no GTD timers. */
  private replaying = false;
  /** Inside load(): a failed projection fails the load instead of being retried. */
  private loading = false;
  private readonly journal: CommandJournal | undefined;
  private broken: string | undefined;
  private gtdTimer: ReturnType<typeof setTimeout> | undefined;
  /** The earliest GTD expiry among live orders (ms), checked after every command. */
  private gtdDue = Infinity;
  private closed = false;
  private readonly initialCash: bigint;
  private readonly snapshotEvery: number;

  private constructor(private readonly opts: EngineServiceOptions) {
    this.initialCash = toUnits(opts.initialCash, MONEY_SCALE);
    this.snapshotEvery = opts.snapshotEvery ?? 50_000;
    this.journal = opts.journal;
  }

  /** Loads the engine module, rebuilds the engine and the open orders from the database, and opens any account the engine lacks. */
  static async open(opts: EngineServiceOptions): Promise<EmbeddedEngineService> {
    loadEngineModule();
    const service = new EmbeddedEngineService(opts);
    await service.load();
    await service.follow();
    return service;
  }

  // ---- startup and recovery ----

  private async load(): Promise<void> {
    this.loading = true;
    try {
      await this.loadState();
    } finally {
      this.loading = false;
    }
  }

  private async loadState(): Promise<void> {
    const { db } = this.opts;
    const snap = await this.latestSnapshot();
    if (this.wire) this.wire.engine.free();
    this.wire = new WireEngine(snap ? Engine.restore(snap.state) : new Engine());
    this.seq = snap?.seq ?? 0;
    this.nextOrderId = snap?.nextOrder ?? 1;
    this.ts = 0;
    // Replay the tail of the command log in pages.
    const page = 20_000;
    for (;;) {
      const rows = await db.query<{ seq: number; ts: number; record: number[] }>(
        'SELECT seq, ts, record FROM engine_log WHERE seq > $1 ORDER BY seq LIMIT $2',
        [this.seq, page],
      );
      if (rows.length === 0) break;
      const recs = new Float64Array(rows.length * CMD);
      rows.forEach((r, i) => {
        recs.set(r.record, i * CMD);
        if (r.record[0] === Cmd.New) this.nextOrderId = Math.max(this.nextOrderId, r.record[3] + 1);
      });
      this.wire.executeMany(recs, rows.length);
      this.seq = rows[rows.length - 1].seq;
      this.ts = rows[rows.length - 1].ts;
      if (rows.length < page) break;
    }
    if (this.ts === 0 && this.seq > 0) {
      const [last] = await db.query<{ ts: number }>('SELECT ts FROM engine_log WHERE seq = $1', [this.seq]);
      this.ts = last?.ts ?? 0;
    }
    this.sinceSnapshot = 0;

    this.bySymbol.clear();
    this.byEngineSymbol.clear();
    for (const row of await db.query<Instrument>('SELECT * FROM instruments ORDER BY engine_symbol')) {
      this.remember(normalizeInstrument(row));
    }
    this.nextSymbol = Math.max(0, ...[...this.byEngineSymbol.keys()]) + 1;

    this.accountIds.clear();
    const accounts = await db.query<{ id: string; engine_account: number }>('SELECT id, engine_account FROM accounts');
    for (const a of accounts) this.accountIds.set(a.engine_account, a.id);

    this.live.clear();
    this.liveById.clear();
    const open = await db.query<OrderRow & { engine_account: number }>(
      `SELECT o.*, a.engine_account FROM orders o JOIN accounts a ON a.id = o.account_id WHERE o.status = ANY($1::text[])`,
      [OPEN_STATUSES],
    );
    for (const r of open) {
      const inst = this.bySymbol.get(r.symbol);
      if (!inst) throw new Error(`open order ${r.id} names unknown instrument ${r.symbol}`);
      const s = rowToState(r, r.engine_account, inst.scales);
      if (this.wire.engine.order(s.engineId) === undefined) {
        throw new Error(`open order ${r.id} (engine id ${s.engineId}) is not live in the rebuilt engine`);
      }
      this.track(s);
    }
    this.lastQuote.clear();

    // Journal lines the database does not reflect yet: run them again, then project them.
    const [projected] = await db.query<{ value: string }>(`SELECT value FROM venue_meta WHERE key = 'projected_line'`);
    this.projectedLine = projected ? Number(projected.value) : 0;
    this.line = this.projectedLine;
    this.batch = newBatch();
    const tail = (this.journal?.read() ?? []).filter((l) => l.n > this.projectedLine);
    if (tail.length > 0) {
      this.redo(tail);
      this.queue.push({ ...this.cut(), publish: [], waiters: [] });
      await this.runProjector();
      if (this.projectionError !== undefined) throw new Error(`projecting the journal failed: ${this.projectionError}`);
    }
    this.broken = undefined;

    // Accounts registered but never opened in the engine (a crash in between) are opened now.
    for (const a of accounts) {
      if (this.wire.engine.account(a.engine_account) === undefined) await this.openAccount({ id: a.id, engine_account: a.engine_account });
    }
    await this.expireDue();
  }

  /**
   * The snapshot to start from: the later of the database's and the external
   * store's (JetStream). An external one is saved only once the database
   * reflects it, so one beyond the engine log belongs to another venue state
   * (a database restored or replaced) and is not used.
   */
  private async latestSnapshot(): Promise<StoredSnapshot | undefined> {
    const { db, snapshots } = this.opts;
    const [row] = await db.query<{ seq: number; state: Uint8Array; next_order: number }>(
      'SELECT seq, state, next_order FROM engine_snapshots ORDER BY seq DESC LIMIT 1',
    );
    const inDb = row ? { seq: row.seq, line: 0, nextOrder: row.next_order, state: row.state } : undefined;
    const outside = await snapshots?.latest();
    if (outside === undefined || outside.seq <= (inDb?.seq ?? 0)) return inDb;
    const [last] = await db.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM engine_log');
    if (outside.seq > (last?.seq ?? 0)) {
      this.opts.logger.warn({ snapshot: outside.seq, log: last?.seq ?? 0 }, 'engine: the stored snapshot is ahead of the engine log; not used');
      return inDb;
    }
    return outside;
  }

  /** Runs journal lines again (on start), in order, through the same path as live commands. */
  private redo(lines: JournalLine[]): void {
    this.replaying = true;
    try {
      for (const l of lines) {
        if (l.n !== this.line + 1) throw new Error(`journal line ${l.n} follows line ${this.line}: lines are missing`);
        if ('e' in l) {
          this.redoEffect(l.e);
          continue;
        }
        if (l.s !== this.seq + 1) throw new Error(`journal line ${l.n} holds command ${l.s} but the engine is at ${this.seq}`);
        this.seq = l.s;
        this.ts = l.t;
        this.run(Float64Array.from(l.r));
        this.pendingReplace = undefined;
      }
    } finally {
      this.replaying = false;
      this.pendingReplace = undefined;
    }
  }

  private redoEffect(e: JournalEffect): void {
    switch (e.k) {
      case 'order': {
        const inst = this.bySymbol.get(e.row.symbol);
        if (!inst) throw new Error(`journal: order ${e.row.id} names unknown instrument ${e.row.symbol}`);
        this.track(rowToState(e.row, e.ea, inst.scales));
        this.nextOrderId = Math.max(this.nextOrderId, e.row.engine_id + 1);
        break;
      }
      case 'replace': {
        const old = this.liveById.get(e.old);
        const inst = this.bySymbol.get(e.row.symbol);
        if (old && inst) this.pendingReplace = { old, next: rowToState(e.row, e.ea, inst.scales) };
        break;
      }
      case 'instrument': {
        const row = normalizeInstrument({ ...e.row, created_at: new Date(e.row.created_at), updated_at: new Date(e.row.updated_at) });
        this.remember(row);
        this.nextSymbol = Math.max(this.nextSymbol, row.engine_symbol + 1);
        break;
      }
      case 'account':
        this.accountIds.set(e.ea, e.id);
        break;
      case 'limits':
        break;
    }
    this.effect(e);
  }

  private remember(row: Instrument): InstrumentState {
    const scales = { price_scale: row.price_scale, qty_scale: row.qty_scale };
    const st: InstrumentState = {
      row,
      scales,
      tick: toUnits(row.tick_size, scales.price_scale),
      lot: toUnits(row.lot_size, scales.qty_scale),
      minPrice: toUnits(row.min_price, scales.price_scale),
      maxPrice: toUnits(row.max_price, scales.price_scale),
      minQty: toUnits(row.min_qty, scales.qty_scale),
      maxQty: toUnits(row.max_qty, scales.qty_scale),
    };
    this.bySymbol.set(row.symbol, st);
    this.byEngineSymbol.set(row.engine_symbol, st);
    return st;
  }

  private track(s: OrderState): void {
    this.live.set(s.engineId, s);
    this.liveById.set(s.id, s);
  }

  private untrack(s: OrderState): void {
    if (this.live.get(s.engineId) === s) this.live.delete(s.engineId);
    this.liveById.delete(s.id);
  }

  // ---- running commands ----

  /** The next (ts, seq) for a command: ts in microseconds, never going back. */
  private stamp(): { ts: number; seq: number } {
    this.ts = Math.max(this.ts, this.opts.clock.now() * 1000);
    return { ts: this.ts, seq: ++this.seq };
  }

  private usable(): void {
    if (this.closed) throw unavailable('the engine service is closed');
    if (this.broken !== undefined) throw unavailable(`the engine is recovering: ${this.broken}`);
  }

  /** Executes one command record, logs it and projects its events into the current batch. */
  private run(rec: Float64Array): Float64Array {
    const events = this.wire.execute(rec);
    // Copied by hand: Array.from() over a typed array goes through its iterator, which costs more than the command.
    const fields: number[] = new Array<number>(rec.length);
    for (let i = 0; i < rec.length; i++) fields[i] = rec[i];
    this.batch.log.push({ seq: rec[2], ts: rec[1], kind: rec[0], record: fields });
    // The text JSON.stringify({ n, s, t, r }) writes, without building the object.
    if (this.numberLine()) this.batch.lines.push(`{"n":${this.line},"s":${rec[2]},"t":${rec[1]},"r":${JSON.stringify(fields)}}`);
    this.sinceSnapshot++;
    this.project(events);
    if (!this.replaying && rec[0] !== Cmd.AdvanceTime && this.gtdDue <= this.opts.clock.now()) {
      // A GTD expiry has passed: expire now rather than wait for the timer.
      this.gtdDue = Infinity;
      const st = this.stamp();
      this.run(record(Cmd.AdvanceTime, st.ts, st.seq));
      void this.expireDue().catch((err: unknown) => this.opts.logger.error({ err }, 'engine: GTD expiry failed'));
    }
    return events;
  }

  /** Numbers the next journal line (`this.line`) in the current batch; true when its text is to be written (a journal, and not a replay). */
  private numberLine(): boolean {
    const n = ++this.line;
    const b = this.batch;
    if (b.firstLine === 0) b.firstLine = n;
    b.lastLine = n;
    return this.journal !== undefined && !this.replaying;
  }

  /** Records a change beside the engine (journaled, and projected with its batch). */
  private effect(e: JournalEffect): void {
    // An order's identity is only journaled: its rows are written from the projected order state (see writeEffect),
    // so the batch does not hold its row until the projection commits.
    if (e.k !== 'order' && e.k !== 'replace') this.batch.effects.push(e);
    if (this.numberLine()) this.batch.lines.push(JSON.stringify({ n: this.line, e }));
  }

  /** Resolves when everything run so far is durable (journaled, or without a journal, committed). */
  private durable(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.batch.waiters.push({ resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (!this.flushing) {
      this.flushing = true;
      defer(() => void this.flush());
    }
  }

  /** Ends the current batch: order rows as they are now, and an engine snapshot if one is due. */
  private cut(): Projection {
    const b = this.batch;
    this.batch = newBatch();
    const orders = new Map<string, OrderRow>();
    for (const [id, st] of b.orders) orders.set(id, stateToRow(st));
    const p: Projection = {
      firstLine: b.firstLine,
      lastLine: b.lastLine,
      log: b.log,
      effects: b.effects,
      orders,
      fills: b.fills,
      cash: b.cash,
      positions: b.positions,
      accountCash: b.accountCash,
      equity: b.equity,
      events: this.opts.events === undefined ? [] : marketEvents(b.publish),
      publish: b.publish,
      waiters: b.waiters,
    };
    if (this.snapshotEvery > 0 && this.sinceSnapshot >= this.snapshotEvery && b.log.length > 0) {
      // Taken when the batch is cut, so it holds exactly the commands up to the batch's last one.
      p.snapshot = { seq: this.seq, line: b.lastLine, state: this.wire.engine.snapshot(), nextOrder: this.nextOrderId };
      this.sinceSnapshot = 0;
    }
    return p;
  }

  private async flush(): Promise<void> {
    const lines = this.batch.lines;
    const p = this.cut();
    if (this.journal === undefined) {
      // No journal: the projection's commit is what makes the batch durable.
      if (p.lastLine > 0 || p.waiters.length > 0) this.enqueue(p);
    } else {
      try {
        if (lines.length > 0) await this.journal.append(p.firstLine, lines.join('\n') + '\n');
      } catch (err) {
        await this.fail(err, p.waiters);
        return;
      }
      const { publish, waiters } = p;
      if (p.lastLine > 0) this.enqueue({ ...p, publish: [], waiters: [] });
      // Backpressure: acknowledgements wait while the projection is too far behind.
      if (p.lastLine - this.projectedLine > MAX_PROJECTION_LAG) await this.projectedTo(p.lastLine - MAX_PROJECTION_LAG).catch(() => {});
      // The commands that ran during this append start theirs before this group's callers are
      // answered, so the next write is on its way to the disk while the answers are written.
      // Appends stay one at a time and in order: this one is done.
      if (this.batch.waiters.length > 0 || this.batch.lastLine > 0) void this.flush();
      else this.flushing = false;
      for (const [subject, message] of publish) this.opts.bus.publish(subject, message);
      for (const w of waiters) w.resolve();
      return;
    }
    if (this.batch.waiters.length > 0 || this.batch.lastLine > 0) defer(() => void this.flush());
    else this.flushing = false;
  }

  /** A journal append failed: nothing since the last good append is acknowledged; rebuild from the database and journal. */
  private async fail(err: unknown, waiters: Waiter[]): Promise<void> {
    this.opts.logger.error({ err }, 'engine: making a batch durable failed; rebuilding');
    const failure = unavailable(`the order could not be made durable: ${err instanceof Error ? err.message : String(err)}; nothing was acknowledged`);
    for (const w of [...waiters, ...this.batch.waiters]) w.reject(failure);
    this.batch = newBatch();
    this.broken = err instanceof Error ? err.message : String(err);
    this.flushing = false;
    try {
      await this.drain();
      await this.load();
    } catch (loadErr) {
      this.opts.logger.error({ err: loadErr }, 'engine: rebuild failed');
    }
  }

  // ---- projection onto the database ----

  /**
   * With a journal on JetStream the rows are projected as its durable
   * consumer delivers the lines: a line's rows are written once it was
   * delivered, and it is acknowledged (released) once they are committed; a
   * line delivered again after that is acknowledged at once and changes
   * nothing, as the database records the last line it reflects. The rows
   * themselves come from this engine's run of the line.
   */
  private async follow(): Promise<void> {
    if (this.journal?.follow === undefined) return;
    this.journal.release(this.projectedLine);
    this.deliveredLine = this.projectedLine;
    this.follower = await this.journal.follow((line) => {
      if (line <= this.deliveredLine!) return;
      this.deliveredLine = line;
      this.kickProjector();
    });
  }

  /** Whether a queued projection may be written: its lines were delivered, or nothing is followed, or everything durable is being written. */
  private deliverable(p: Projection): boolean {
    return this.deliveredLine === undefined || this.loading || this.draining || p.lastLine <= this.deliveredLine;
  }

  /** Starts the projector if it is idle and something is queued. */
  private kickProjector(): void {
    if (this.projecting !== undefined || this.queue.length === 0) return;
    this.projecting = new Promise<void>((resolve) => defer(resolve)).then(() => this.runProjector());
  }

  /** Writes everything queued, delivered or not (a clean stop, or before a rebuild). */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      this.projectNow();
      this.kickProjector();
      while (this.projecting !== undefined) {
        await this.projecting;
        this.kickProjector();
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Queues a projection. With a journal the projector waits up to
   * PROJECT_DELAY_MS to gather several batches into one transaction (a
   * transaction's fixed cost dwarfs a row's), unless someone waits to read.
   */
  private enqueue(p: Projection): void {
    this.queue.push(p);
    if (this.projecting) return;
    const delay = this.journal === undefined || this.settledWaiters.length > 0 ? 0 : PROJECT_DELAY_MS;
    this.projecting = new Promise<void>((resolve) => {
      if (delay === 0) return defer(resolve);
      this.projectTimer = { timer: setTimeout(resolve, delay), start: resolve };
    }).then(() => {
      this.projectTimer = undefined;
      return this.runProjector();
    });
  }

  /** Starts a delayed projection now (a reader is waiting). */
  private projectNow(): void {
    if (this.projectTimer === undefined) return;
    clearTimeout(this.projectTimer.timer);
    this.projectTimer.start();
  }

  /** Writes queued projections, several per transaction, until the queue is empty. */
  private async runProjector(): Promise<void> {
    try {
      while (this.queue.length > 0 && this.deliverable(this.queue[0])) {
        let take = 0;
        let lines = 0;
        while (
          take < this.queue.length &&
          this.deliverable(this.queue[take]) &&
          (take === 0 || lines + this.queue[take].lastLine - this.queue[take].firstLine < PROJECT_LINES)
        ) {
          lines += this.queue[take].lastLine - this.queue[take].firstLine + 1;
          take++;
        }
        const p = mergeProjections(this.queue.slice(0, take));
        try {
          // The events first: a command the database reflects has its market events stored (a retry stores nothing twice).
          if (p.events.length > 0) await this.opts.events!.publish(p.events);
          await this.opts.db.transaction((tx) => writeProjection(tx, p, this.opts.snapshots === undefined));
        } catch (err) {
          if (this.journal === undefined || this.loading) {
            this.queue.splice(0, take);
            await this.projectionFailed(err, p);
            return;
          }
          // The lines are durable in the journal: report, wait, and try again.
          this.projectionError = err instanceof Error ? err.message : String(err);
          this.opts.logger.error({ err }, 'engine: projecting onto the database failed; retrying');
          if (this.closed) return;
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        this.queue.splice(0, take);
        this.projectionError = undefined;
        if (p.snapshot && this.opts.snapshots) this.saveSnapshot(p.snapshot);
        if (p.lastLine > 0) this.projectedLine = p.lastLine;
        this.journal?.release(this.projectedLine);
        for (const [subject, message] of p.publish) this.opts.bus.publish(subject, message);
        for (const w of p.waiters) w.resolve();
        this.settledWaiters = this.settledWaiters.filter((w) => {
          if (w.line > this.projectedLine) return true;
          w.resolve();
          return false;
        });
      }
    } finally {
      this.projecting = undefined;
    }
  }

  /** Stores a snapshot outside the database (in the background, one at a time; a failed save leaves the previous one in use). */
  private saveSnapshot(snap: StoredSnapshot): void {
    this.snapshotSaving = this.snapshotSaving
      .then(() => this.opts.snapshots!.save(snap))
      .catch((err: unknown) => this.opts.logger.warn({ err, seq: snap.seq }, 'engine: storing a snapshot failed; the previous one stays'));
  }

  /** Without a journal a failed write loses the batch: its callers hear so, and the state is rebuilt. */
  private async projectionFailed(err: unknown, p: Projection): Promise<void> {
    this.opts.logger.error({ err }, 'engine: writing a batch failed; rebuilding from the log');
    const failure = unavailable('the order could not be made durable; nothing was acknowledged');
    for (const q of this.queue) for (const w of q.waiters) w.reject(failure);
    for (const w of [...p.waiters, ...this.batch.waiters]) w.reject(failure);
    for (const w of this.settledWaiters) w.reject(failure);
    this.settledWaiters = [];
    this.queue.length = 0;
    this.batch = newBatch();
    this.broken = err instanceof Error ? err.message : String(err);
    this.projectionError = this.broken;
    this.flushing = false;
    if (this.loading) return;
    try {
      this.projecting = undefined;
      await this.load();
    } catch (loadErr) {
      this.opts.logger.error({ err: loadErr }, 'engine: rebuild failed');
    }
  }

  /** Resolves once the database reflects journal line `line`. */
  private projectedTo(line: number): Promise<void> {
    if (this.projectedLine >= line) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.settledWaiters.push({ line, resolve, reject });
      if (this.batch.lastLine > 0 && this.batch.firstLine <= line) this.scheduleFlush();
      this.projectNow();
    });
  }

  settled(): Promise<void> {
    return this.projectedTo(this.line);
  }

  // ---- projection of events onto rows ----

  private project(ev: Float64Array): void {
    const accounts = new Set<number>();
    const positions = new Map<string, [account: number, symbol: number]>();
    const books = new Set<number>();
    const done: OrderState[] = [];
    const b = this.batch;
    let lastSeq = 0;
    let lastTs = 0;
    for (let o = 0; o < ev.length; o += EVT) {
      const kind = ev[o];
      const evSeq = ev[o + 1];
      const us = ev[o + 3];
      const ms = Math.floor(us / 1000);
      lastSeq = evSeq;
      lastTs = us;
      switch (kind) {
        case Evt.Accepted: {
          const s = this.live.get(ev[o + 4]);
          if (s && s.status === 'pending_new') {
            s.status = 'new';
            s.updatedAt = ms;
            this.dirty(s, 'new');
          }
          break;
        }
        case Evt.Rejected: {
          const s = this.live.get(ev[o + 4]);
          if (s && s.status === 'pending_new') {
            s.status = 'rejected';
            s.rejectReason = REJECT_REASONS[ev[o + 7]] ?? `reason_${ev[o + 7]}`;
            s.failedAt = ms;
            s.updatedAt = ms;
            done.push(s);
            this.dirty(s, 'rejected');
          }
          break;
        }
        case Evt.Trade: {
          const sym = this.byEngineSymbol.get(ev[o + 4]);
          const price = BigInt(ev[o + 10]);
          const qty = BigInt(ev[o + 11]);
          this.filled(ev[o + 5], ev[o + 12], price, qty, ms, done);
          this.filled(ev[o + 6], ev[o + 13], price, qty, ms, done);
          if (sym) {
            b.publish.push([
              `trades.${sym.row.symbol}`,
              {
                symbol: sym.row.symbol,
                price: fromUnits(price, sym.scales.price_scale),
                size: fromUnits(qty, sym.scales.qty_scale),
                taker_side: ev[o + 9] === SIDE.buy ? 'buy' : 'sell',
                seq: evSeq,
                timestamp: isoFromMicros(us),
              },
            ]);
          }
          break;
        }
        case Evt.Cancelled: {
          const s = this.live.get(ev[o + 4]);
          if (s && ev[o + 9] === 0) {
            s.updatedAt = ms;
            if (ev[o + 10] === CancelReason.Expired) {
              s.status = 'expired';
              s.expiredAt = ms;
            } else {
              s.status = 'canceled';
              s.canceledAt = ms;
            }
            done.push(s);
            this.dirty(s, s.status);
          }
          break;
        }
        case Evt.Replaced:
          this.applyReplace(ev[o + 4], BigInt(ev[o + 9]), BigInt(ev[o + 11]), ms);
          break;
        case Evt.BookDelta: {
          const sym = this.byEngineSymbol.get(ev[o + 4]);
          books.add(ev[o + 4]);
          if (sym) {
            b.publish.push([
              `book.${sym.row.symbol}`,
              {
                symbol: sym.row.symbol,
                side: ev[o + 5] === SIDE.buy ? 'bid' : 'ask',
                price: fromUnits(ev[o + 6], sym.scales.price_scale),
                size: fromUnits(ev[o + 7], sym.scales.qty_scale),
                orders: ev[o + 8],
                seq: evSeq,
                timestamp: isoFromMicros(us),
              },
            ]);
          }
          break;
        }
        case Evt.Fill: {
          const engineAccount = ev[o + 4];
          const accountId = this.accountIds.get(engineAccount);
          const s = this.live.get(ev[o + 5]);
          const sym = this.byEngineSymbol.get(ev[o + 6]);
          if (!accountId || !s || !sym) break;
          const sideLiq = ev[o + 7];
          const sc = sym.scales;
          b.fills.push({
            id: randomUUID(),
            event_seq: evSeq,
            account_id: accountId,
            order_id: s.id,
            symbol: sym.row.symbol,
            side: sideLiq % 10 === SIDE.buy ? 'buy' : 'sell',
            liquidity: sideLiq < 20 ? 'maker' : 'taker',
            price: fromUnits(ev[o + 8], sc.price_scale),
            qty: fromUnits(ev[o + 9], sc.qty_scale),
            fee: fromUnits(ev[o + 10], MONEY_SCALE),
            realized_pl: fromUnits(ev[o + 11], MONEY_SCALE),
            position_qty: fromUnits(ev[o + 12], sc.qty_scale),
            cash_after: fromUnits(ev[o + 13], MONEY_SCALE),
            leaves_qty: fromUnits(s.qty - s.filledQty, sc.qty_scale),
            transaction_time: isoMs(ms),
          });
          accounts.add(engineAccount);
          positions.set(`${engineAccount}:${ev[o + 6]}`, [engineAccount, ev[o + 6]]);
          break;
        }
        case Evt.CashMoved: {
          const accountId = this.accountIds.get(ev[o + 4]);
          if (!accountId) break;
          const amount = ev[o + 5];
          b.cash.push({
            event_seq: evSeq,
            account_id: accountId,
            kind: amount >= 0 ? 'deposit' : 'withdrawal',
            amount: fromUnits(Math.abs(amount), MONEY_SCALE),
            cash_after: fromUnits(ev[o + 6], MONEY_SCALE),
            created_at: isoMs(ms),
          });
          accounts.add(ev[o + 4]);
          break;
        }
        default:
          break;
      }
    }
    for (const s of done) this.untrack(s);
    const engine = this.wire.engine;
    for (const [key, [acc, sym]] of positions) {
      const p = engine.position(acc, sym);
      const inst = this.byEngineSymbol.get(sym);
      const accountId = this.accountIds.get(acc);
      if (!p || !inst || !accountId) continue;
      b.positions.set(key, {
        account_id: accountId,
        symbol: inst.row.symbol,
        qty: fromUnits(p[0], inst.scales.qty_scale),
        cost_basis: fromUnits(p[2], MONEY_SCALE),
        realized_pl: fromUnits(p[3], MONEY_SCALE),
        updated_at: isoFromMicros(lastTs),
      });
    }
    for (const acc of accounts) {
      const a = engine.account(acc);
      const accountId = this.accountIds.get(acc);
      if (!a || !accountId) continue;
      const cash = fromUnits(a[0], MONEY_SCALE);
      b.accountCash.set(accountId, cash);
      b.equity.push({ account_id: accountId, event_seq: lastSeq, ts: isoFromMicros(lastTs), equity: fromUnits(a[3], MONEY_SCALE), cash });
    }
    for (const sym of books) this.publishQuote(sym);
  }

  /** A trade filled `qty` at `price` of live order `engineId`, leaving `leaves` open. */
  private filled(engineId: number, leaves: number, price: bigint, qty: bigint, ms: number, done: OrderState[]): void {
    const s = this.live.get(engineId);
    if (!s) return;
    s.filledQty += qty;
    s.filledNotional += price * qty;
    s.updatedAt = ms;
    if (leaves === 0) {
      s.status = 'filled';
      s.filledAt = ms;
      done.push(s);
    } else {
      s.status = 'partially_filled';
    }
    this.dirty(s, leaves === 0 ? 'fill' : 'partial_fill', {
      price: fromUnits(price, s.scales.price_scale),
      qty: fromUnits(qty, s.scales.qty_scale),
      timestamp: isoMs(ms),
    });
  }

  /** Marks an order for writing and queues its update for the owner's stream. */
  private dirty(s: OrderState, event: string, extra?: Record<string, unknown>): void {
    this.batch.orders.set(s.id, s);
    this.batch.publish.push([`trade_updates.${s.accountId}`, { event, ...extra, order: stateToOrder(s) }]);
  }

  private pendingReplace: { old: OrderState; next: OrderState } | undefined;

  private applyReplace(engineId: number, newPrice: bigint, newQty: bigint, ms: number): void {
    const r = this.pendingReplace;
    if (!r || r.old.engineId !== engineId) return;
    r.old.status = 'replaced';
    r.old.replacedBy = r.next.id;
    r.old.replacedAt = ms;
    r.old.updatedAt = ms;
    this.untrack(r.old);
    this.dirty(r.old, 'replaced');
    const n = r.next;
    if (n.limitPrice !== null) n.limitPrice = newPrice;
    n.qty = newQty;
    n.status = 'new';
    n.createdAt = ms;
    n.updatedAt = ms;
    this.track(n);
    this.dirty(n, 'new');
  }

  private publishQuote(engineSymbol: number): void {
    const inst = this.byEngineSymbol.get(engineSymbol);
    if (!inst) return;
    const q = this.quoteOf(inst);
    const key = `${q.bid_price}|${q.bid_size}|${q.ask_price}|${q.ask_size}`;
    if (this.lastQuote.get(engineSymbol) === key) return;
    this.lastQuote.set(engineSymbol, key);
    this.batch.publish.push([`quotes.${inst.row.symbol}`, q]);
  }

  // ---- GTD expiry ----

  /** Runs AdvanceTime when a GTD order's expiry has passed, and arms a timer for the next one. */
  private async expireDue(): Promise<void> {
    if (this.gtdTimer) clearTimeout(this.gtdTimer);
    this.gtdTimer = undefined;
    if (this.closed) return;
    let next = Infinity;
    for (const s of this.live.values()) if (s.expireAt !== null && s.expireAt < next) next = s.expireAt;
    this.gtdDue = next;
    if (next === Infinity) return;
    const wait = next - this.opts.clock.now();
    if (wait <= 0) {
      const { ts, seq } = this.stamp();
      this.run(record(Cmd.AdvanceTime, ts, seq));
      await this.durable();
      return this.expireDue();
    }
    this.gtdTimer = setTimeout(() => void this.expireDue().catch((err: unknown) => this.opts.logger.error({ err }, 'engine: GTD expiry failed')), Math.min(wait, 2 ** 31 - 1));
    (this.gtdTimer as { unref?: () => void }).unref?.();
  }

  // ---- instruments ----

  instruments(): Instrument[] {
    return [...this.bySymbol.values()].map((s) => s.row);
  }

  instrument(symbol: string): Instrument | undefined {
    return this.bySymbol.get(symbol)?.row;
  }

  private inst(symbol: string, field = 'symbol'): InstrumentState {
    const s = this.bySymbol.get(symbol);
    if (!s) throw invalid(`unknown symbol '${symbol}'`, field, 'unknown_symbol');
    return s;
  }

  async addInstrument(input: InstrumentInput, actor: string): Promise<Instrument> {
    this.usable();
    if (this.bySymbol.has(input.symbol)) throw conflict(`instrument ${input.symbol} already exists`, 'instrument_exists', 'symbol');
    const priceScale = input.price_scale ?? 4;
    if (!Number.isInteger(priceScale) || priceScale < 0 || priceScale > MONEY_SCALE) {
      throw invalid(`price_scale must be an integer 0-${MONEY_SCALE}`, 'price_scale');
    }
    const qtyScale = MONEY_SCALE - priceScale;
    const conv = (field: keyof InstrumentInput, scale: number, positive = true): bigint => {
      const v = input[field] as string;
      let units: bigint;
      try {
        units = toUnits(v, scale);
      } catch (err) {
        throw invalid(`${field} ${(err as Error).message} (scale ${scale})`, field);
      }
      if (positive && units <= 0n) throw invalid(`${field} must be positive`, field);
      return units;
    };
    const tick = conv('tick_size', priceScale);
    const lot = conv('lot_size', qtyScale);
    const minPrice = conv('min_price', priceScale);
    const maxPrice = conv('max_price', priceScale);
    const minQty = conv('min_qty', qtyScale);
    const maxQty = conv('max_qty', qtyScale);
    if (minPrice % tick !== 0n || maxPrice % tick !== 0n) throw invalid('min_price and max_price must be multiples of tick_size', 'min_price');
    if (minQty % lot !== 0n || maxQty % lot !== 0n) throw invalid('min_qty and max_qty must be multiples of lot_size', 'min_qty');
    if (maxPrice < minPrice) throw invalid('max_price must be at least min_price', 'max_price');
    if (maxQty < minQty) throw invalid('max_qty must be at least min_qty', 'max_qty');
    const fees = feesPpm(input.maker_fee_bps ?? '0', input.taker_fee_bps ?? '0');
    const now = new Date(this.opts.clock.now());
    const row: Instrument = {
      symbol: input.symbol,
      engine_symbol: this.nextSymbol,
      name: input.name ?? '',
      price_scale: priceScale,
      qty_scale: qtyScale,
      tick_size: fromUnits(tick, priceScale),
      lot_size: fromUnits(lot, qtyScale),
      min_price: fromUnits(minPrice, priceScale),
      max_price: fromUnits(maxPrice, priceScale),
      min_qty: fromUnits(minQty, qtyScale),
      max_qty: fromUnits(maxQty, qtyScale),
      maker_fee_bps: fromUnits(fees.maker, 2),
      taker_fee_bps: fromUnits(fees.taker, 2),
      status: input.status ?? 'active',
      created_at: now,
      updated_at: now,
    };
    let st = this.stamp();
    const add = record(Cmd.AddInstrument, st.ts, st.seq);
    add[5] = row.engine_symbol;
    add[9] = Number(tick);
    add[10] = Number(lot);
    add[11] = Number(minPrice);
    add[12] = Number(maxPrice);
    add[13] = Number(minQty);
    add[14] = Number(maxQty);
    const ev = this.run(add);
    if (ev[0] !== Evt.InstrumentAdded) {
      throw invalid(`the engine rejected the instrument: ${REJECT_REASONS[ev[7]] ?? ev[7]}`, 'symbol', 'invalid_instrument');
    }
    this.nextSymbol++;
    st = this.stamp();
    const setFees = record(Cmd.SetFees, st.ts, st.seq);
    setFees[5] = row.engine_symbol;
    setFees[9] = Number(fees.maker);
    setFees[10] = Number(fees.taker);
    this.run(setFees);
    if (row.status === 'halted') this.runHalt(row.engine_symbol, true);
    this.remember(row);
    this.effect({ k: 'instrument', row, actor, action: 'instrument.create', detail: row });
    await this.durable();
    return row;
  }

  private runHalt(engineSymbol: number, halted: boolean): void {
    const st = this.stamp();
    const rec = record(Cmd.SetHalt, st.ts, st.seq);
    rec[5] = engineSymbol;
    rec[15] = halted ? 1 : 0;
    this.run(rec);
  }

  async updateInstrument(symbol: string, patch: InstrumentPatch, actor: string): Promise<Instrument> {
    this.usable();
    const inst = this.bySymbol.get(symbol);
    if (!inst) throw notFound(`instrument ${symbol} not found`);
    const row = { ...inst.row };
    if (patch.maker_fee_bps !== undefined || patch.taker_fee_bps !== undefined) {
      const fees = feesPpm(patch.maker_fee_bps ?? row.maker_fee_bps, patch.taker_fee_bps ?? row.taker_fee_bps);
      const st = this.stamp();
      const rec = record(Cmd.SetFees, st.ts, st.seq);
      rec[5] = row.engine_symbol;
      rec[9] = Number(fees.maker);
      rec[10] = Number(fees.taker);
      this.run(rec);
      row.maker_fee_bps = fromUnits(fees.maker, 2);
      row.taker_fee_bps = fromUnits(fees.taker, 2);
    }
    if (patch.status !== undefined && patch.status !== row.status) {
      this.runHalt(row.engine_symbol, patch.status === 'halted');
      row.status = patch.status;
    }
    if (patch.name !== undefined) row.name = patch.name;
    row.updated_at = new Date(this.opts.clock.now());
    inst.row = row;
    this.effect({ k: 'instrument', row, actor, action: 'instrument.update', detail: { symbol, ...patch } });
    await this.durable();
    return row;
  }

  // ---- accounts, cash and limits ----

  async openAccount(account: AccountRef): Promise<void> {
    this.usable();
    this.accountIds.set(account.engine_account, account.id);
    this.effect({ k: 'account', id: account.id, ea: account.engine_account });
    if (this.wire.engine.account(account.engine_account) === undefined) {
      // SetAccountLimits with nothing set makes the account managed (risk-checked and accounted).
      const st = this.stamp();
      const rec = record(Cmd.SetAccountLimits, st.ts, st.seq);
      rec[4] = account.engine_account;
      this.run(rec);
      if (this.initialCash > 0n) this.runCash(Cmd.Deposit, account.engine_account, this.initialCash);
    }
    await this.durable();
  }

  private account(account: AccountRef): void {
    if (this.accountIds.get(account.engine_account) !== account.id) throw notFound('account not found');
  }

  private runCash(kind: number, engineAccount: number, units: bigint): Float64Array {
    const st = this.stamp();
    const rec = record(kind, st.ts, st.seq);
    rec[4] = engineAccount;
    rec[9] = Number(units);
    return this.run(rec);
  }

  private async moveCash(account: AccountRef, amount: string, kind: 'deposit' | 'withdrawal'): Promise<CashMovement> {
    this.usable();
    this.account(account);
    let units: bigint;
    try {
      units = toUnits(amount, 2);
    } catch (err) {
      throw invalid(`amount ${(err as Error).message}`, 'amount');
    }
    if (units <= 0n) throw invalid('amount must be positive', 'amount');
    units *= 10n ** BigInt(MONEY_SCALE - 2);
    // Cash travels to the engine in money units, exact up to 2^53 (the 2-place check above is 10^6 times looser).
    if (units >= MAX_UNITS) throw invalid(`amount is too large (at most ${fromUnits(MAX_CASH_MOVE, MONEY_SCALE)})`, 'amount');
    const ev = this.runCash(kind === 'deposit' ? Cmd.Deposit : Cmd.Withdraw, account.engine_account, units);
    await this.durable();
    if (ev[0] !== Evt.CashMoved) {
      const reason = REJECT_REASONS[ev[7]] ?? String(ev[7]);
      if (reason === 'insufficient_funds') throw forbidden('withdrawal exceeds buying power', reason);
      throw invalid(`${kind} rejected: ${reason.replaceAll('_', ' ')}`, 'amount');
    }
    return {
      id: String(ev[1]),
      kind,
      amount: fromUnits(units, MONEY_SCALE),
      cash_after: fromUnits(ev[6], MONEY_SCALE),
      created_at: isoFromMicros(ev[3]),
    };
  }

  deposit(account: AccountRef, amount: string): Promise<CashMovement> {
    return this.moveCash(account, amount, 'deposit');
  }

  withdraw(account: AccountRef, amount: string): Promise<CashMovement> {
    return this.moveCash(account, amount, 'withdrawal');
  }

  async setLimits(account: AccountRef, limits: RiskLimits, actor: string): Promise<RiskLimits> {
    this.usable();
    this.account(account);
    // Notionals are money (one scale venue-wide); a quantity limit is in whole units and is
    // set per instrument, in each instrument's own quantity units.
    const money = (field: keyof RiskLimits): bigint => {
      try {
        return toUnits(String(limits[field]), MONEY_SCALE);
      } catch (err) {
        throw invalid(`${field} ${(err as Error).message}`, field);
      }
    };
    const notional = money('max_order_notional');
    const gross = money('max_gross_exposure');
    let qty: bigint;
    try {
      qty = toUnits(limits.max_order_qty, 0);
    } catch (err) {
      throw invalid(`max_order_qty ${(err as Error).message} (whole units)`, 'max_order_qty');
    }
    const st = this.stamp();
    const rec = record(Cmd.SetAccountLimits, st.ts, st.seq);
    rec[4] = account.engine_account;
    rec[9] = 0; // per-instrument quantity units differ; the quantity limit is applied per instrument below
    rec[10] = Number(notional);
    rec[11] = Number(gross);
    rec[12] = limits.max_open_orders;
    if (limits.orders_per_second > 0) {
      rec[6] = limits.orders_per_second;
      rec[7] = limits.orders_per_second;
      rec[8] = 1_000_000;
    }
    // Only an explicit false switches the checks off: a limits command from before the field (a peer's, or a
    // replayed one) keeps them on.
    const preTradeChecks = limits.pre_trade_checks !== false;
    rec[15] = (limits.shorting_enabled ? 0 : 1) | (preTradeChecks ? 0 : 2);
    const ev = this.run(rec);
    if (ev[0] !== Evt.ConfigChanged) {
      await this.durable();
      throw invalid(`limits rejected: ${REJECT_REASONS[ev[7]] ?? ev[7]}`);
    }
    for (const inst of this.bySymbol.values()) {
      const s = this.stamp();
      const r = record(Cmd.SetInstrumentLimits, s.ts, s.seq);
      r[4] = account.engine_account;
      r[5] = inst.row.engine_symbol;
      r[9] = Number(qty * 10n ** BigInt(inst.scales.qty_scale));
      this.run(r);
    }
    const stored: RiskLimits = {
      max_order_qty: fromUnits(qty, 0),
      max_order_notional: fromUnits(notional, MONEY_SCALE),
      max_gross_exposure: fromUnits(gross, MONEY_SCALE),
      max_open_orders: limits.max_open_orders,
      orders_per_second: limits.orders_per_second,
      shorting_enabled: limits.shorting_enabled,
      pre_trade_checks: preTradeChecks,
    };
    this.effect({ k: 'limits', account: account.id, limits: stored, actor });
    await this.durable();
    return stored;
  }

  // ---- orders ----

  /** Converts a decimal field with the instrument's scale, on its grid and within its bounds. */
  private units(value: string, field: string, scale: number, grid: bigint, gridName: string, min: bigint, max: bigint): bigint {
    let units: bigint;
    try {
      units = toUnits(value, scale);
    } catch (err) {
      if (err instanceof DecimalError) throw invalid(`${field} ${err.message}`, field);
      throw err;
    }
    if (units <= 0n) throw invalid(`${field} must be positive`, field);
    if (units % grid !== 0n) {
      throw invalid(`${field} ${value} is not a multiple of the ${gridName} ${fromUnits(grid, scale)}`, field, 'off_grid');
    }
    if (units < min || units > max) {
      throw invalid(`${field} ${value} is outside ${fromUnits(min, scale)}..${fromUnits(max, scale)}`, field, 'out_of_bounds');
    }
    return units;
  }

  private price(inst: InstrumentState, value: string, field: string): bigint {
    return this.units(value, field, inst.scales.price_scale, inst.tick, 'tick size', inst.minPrice, inst.maxPrice);
  }

  private qty(inst: InstrumentState, value: string, field: string, max = inst.maxQty): bigint {
    return this.units(value, field, inst.scales.qty_scale, inst.lot, 'lot size', inst.minQty, max);
  }

  async placeOrder(account: AccountRef, req: OrderRequest): Promise<Order> {
    this.usable();
    this.account(account);
    const inst = this.inst(req.symbol);
    const hasLimit = req.type === 'limit' || req.type === 'stop_limit';
    const hasStop = req.type === 'stop' || req.type === 'stop_limit';
    if (hasLimit && req.limit_price === undefined) throw invalid(`limit_price is required for ${req.type} orders`, 'limit_price', 'missing_field');
    if (!hasLimit && req.limit_price !== undefined) throw invalid(`limit_price is not allowed for ${req.type} orders`, 'limit_price');
    if (hasStop && req.stop_price === undefined) throw invalid(`stop_price is required for ${req.type} orders`, 'stop_price', 'missing_field');
    if (!hasStop && req.stop_price !== undefined) throw invalid(`stop_price is not allowed for ${req.type} orders`, 'stop_price');
    const qty = this.qty(inst, req.qty, 'qty');
    const limit = req.limit_price === undefined ? null : this.price(inst, req.limit_price, 'limit_price');
    const stop = req.stop_price === undefined ? null : this.price(inst, req.stop_price, 'stop_price');
    let display: bigint | null = null;
    if (req.display_qty !== undefined) {
      if (!hasLimit) throw invalid('display_qty (iceberg) needs a limit or stop_limit order', 'display_qty');
      if (req.time_in_force === 'ioc' || req.time_in_force === 'fok') throw invalid('display_qty (iceberg) needs a time in force that rests', 'display_qty');
      display = this.units(req.display_qty, 'display_qty', inst.scales.qty_scale, inst.lot, 'lot size', inst.lot, qty);
    }
    if (req.post_only) {
      if (req.type !== 'limit') throw invalid('post_only needs a limit order', 'post_only');
      if (req.time_in_force === 'ioc' || req.time_in_force === 'fok') throw invalid('post_only orders cannot be ioc or fok', 'time_in_force');
    }
    let expireAt: number | null = null;
    if (req.time_in_force === 'gtd') {
      if (req.expire_at === undefined) throw invalid('expire_at is required for gtd orders', 'expire_at', 'missing_field');
      expireAt = Date.parse(req.expire_at);
      if (!Number.isFinite(expireAt)) throw invalid('expire_at must be an ISO 8601 date-time', 'expire_at');
      if (expireAt <= this.opts.clock.now()) throw invalid('expire_at must be in the future', 'expire_at');
      if (expireAt > LATEST_EXPIRY_MS) throw invalid(`expire_at must be no later than ${new Date(LATEST_EXPIRY_MS).toISOString()}`, 'expire_at');
    } else if (req.expire_at !== undefined) {
      throw invalid('expire_at is only for gtd orders', 'expire_at');
    }

    const now = this.opts.clock.now();
    const s = freshOrder(
      {
        id: '', // set with engineId when the order is submitted
        accountId: account.id,
        engineAccount: account.engine_account,
        engineId: 0,
        clientOrderId: req.client_order_id ?? randomUUID(),
        requestHash: hashRequest(req),
        symbol: inst.row.symbol,
        scales: inst.scales,
        side: req.side,
        type: req.type,
        tif: req.time_in_force,
        qty,
        limitPrice: limit,
        stopPrice: stop,
        displayQty: display,
        postOnly: req.post_only ?? false,
        reduceOnly: req.reduce_only ?? false,
        expireAt,
        rejectReason: null,
        replaces: null,
      },
      now,
    );
    // A generated client_order_id is known to no one yet: no earlier order, nor a request in flight, can hold it.
    if (req.client_order_id === undefined) return this.submit(inst, s);
    return this.oneAtATime(account.id, s.clientOrderId, () => this.placeOnce(inst, s));
  }

  /**
   * Runs `attempt` once no other place or replace naming the same caller's client_order_id of the account is in
   * flight, so the one that comes second sees the first one's order (and answers with it or refuses the id).
   */
  private async oneAtATime(accountId: string, clientOrderId: string, attempt: () => Promise<Order>): Promise<Order> {
    const key = `${accountId}\u0000${clientOrderId}`;
    for (let inflight = this.inflightClientIds.get(key); inflight; inflight = this.inflightClientIds.get(key)) {
      await inflight.catch(() => undefined);
    }
    const running = attempt();
    this.inflightClientIds.set(key, running);
    try {
      return await running;
    } finally {
      if (this.inflightClientIds.get(key) === running) this.inflightClientIds.delete(key);
    }
  }

  /** Places an order with a caller's client_order_id: the order already placed with it if the body is the same, else a new one. */
  private async placeOnce(inst: InstrumentState, s: OrderState): Promise<Order> {
    const holder = await this.holderOf(s.accountId, s.clientOrderId);
    if (holder?.live) return this.sameRequest(s, stateToOrder(holder.live), holder.live.requestHash);
    if (holder?.row) return this.sameRequest(s, rowToOrder(holder.row), holder.row.request_hash);
    this.usable();
    const now = this.opts.clock.now();
    s.createdAt = now;
    s.updatedAt = now;
    return this.submit(inst, s);
  }

  /** The account's order that holds `clientOrderId` (a rejected one holds none): live from memory, else its row. */
  private async holderOf(accountId: string, clientOrderId: string): Promise<{ live?: OrderState; row?: OrderRow } | undefined> {
    const live = [...this.liveById.values()].find((o) => o.accountId === accountId && o.clientOrderId === clientOrderId);
    if (live) return { live };
    await this.settled();
    const [row] = await this.opts.db.query<OrderRow>(
      `SELECT * FROM orders WHERE account_id = $1 AND client_order_id = $2 AND status <> 'rejected'`,
      [accountId, clientOrderId],
    );
    return row ? { row } : undefined;
  }

  /** The order placed earlier with `s`'s client_order_id, if it was placed with the same body. */
  private sameRequest(s: OrderState, existing: Order, existingHash: string): Order {
    if (existingHash !== s.requestHash) {
      throw invalid(`client_order_id '${s.clientOrderId}' was already used for a different order`, 'client_order_id', 'client_order_id_reused');
    }
    return existing;
  }

  /** Runs a new order through the engine; resolves once it is durable (a rejection throws). */
  private async submit(inst: InstrumentState, s: OrderState): Promise<Order> {
    s.id = randomUUID();
    s.engineId = this.nextOrderId++;
    const st = this.stamp();
    const rec = record(Cmd.New, st.ts, st.seq);
    rec[3] = s.engineId;
    rec[4] = s.engineAccount;
    rec[5] = inst.row.engine_symbol;
    rec[6] = SIDE[s.side];
    rec[7] = ORDER_TYPE[s.type];
    rec[8] = TIF[s.tif];
    rec[9] = s.limitPrice === null ? 0 : Number(s.limitPrice);
    rec[10] = Number(s.qty);
    rec[11] = s.stopPrice === null ? 0 : Number(s.stopPrice);
    rec[12] = s.displayQty === null ? 0 : Number(s.displayQty);
    rec[13] = s.expireAt === null ? 0 : s.expireAt * 1000;
    rec[15] = (s.postOnly ? 1 : 0) | (s.reduceOnly ? 2 : 0);
    this.track(s);
    this.effect({ k: 'order', row: stateToRow(s), ea: s.engineAccount });
    const ev = this.run(rec);
    if (s.expireAt !== null && s.status !== 'rejected') void this.expireDue();
    await this.durable();
    if (s.status === 'rejected') {
      const o = ev.findIndex((_, i) => i % EVT === 0 && ev[i] === Evt.Rejected);
      throw rejection(s.rejectReason!, o >= 0 ? ev[o + 8] : 0, o >= 0 ? ev[o + 9] : 0);
    }
    return stateToOrder(s);
  }

  /** An order of `account` by id: live from memory, else from the database; 404 if missing or not theirs. */
  private async find(account: AccountRef, orderId: string): Promise<{ live?: OrderState; row?: OrderRow }> {
    const live = this.liveById.get(orderId);
    if (live) {
      if (live.accountId !== account.id) throw notFound(`order ${orderId} not found`);
      return { live };
    }
    await this.settled();
    const [row] = await this.opts.db.query<OrderRow>('SELECT * FROM orders WHERE id = $1 AND account_id = $2', [orderId, account.id]);
    if (!row) throw notFound(`order ${orderId} not found`);
    return { row };
  }

  async replaceOrder(account: AccountRef, orderId: string, req: ReplaceRequest): Promise<Order> {
    this.usable();
    this.account(account);
    if (req.qty === undefined && req.limit_price === undefined) throw invalid('give qty and/or limit_price', 'qty', 'missing_field');
    const found = await this.find(account, orderId);
    const old = found.live;
    if (!old || old.status === 'pending_new') throw conflict(`order ${orderId} is ${found.row?.status ?? old?.status} and cannot be replaced`, 'order_not_open');
    const inst = this.inst(old.symbol);
    if (req.limit_price !== undefined && old.limitPrice === null) throw invalid(`a ${old.type} order has no limit_price to replace`, 'limit_price');
    const price = req.limit_price === undefined ? null : this.price(inst, req.limit_price, 'limit_price');
    const leaves = old.qty - old.filledQty;
    const qty = req.qty === undefined ? leaves : this.qty(inst, req.qty, 'qty', inst.maxQty - old.filledQty);
    if (req.client_order_id === undefined) return this.replaceOnce(account, old, req, randomUUID(), qty, price);
    const clientOrderId = req.client_order_id;
    return this.oneAtATime(account.id, clientOrderId, async () => {
      if (await this.holderOf(account.id, clientOrderId)) {
        throw invalid(`client_order_id '${clientOrderId}' is already used`, 'client_order_id', 'client_order_id_reused');
      }
      return this.replaceOnce(account, old, req, clientOrderId, qty, price);
    });
  }

  /** Replaces `old` with an order of `qty` (at `price`, or the old limit when null) named `clientOrderId`. */
  private async replaceOnce(
    account: AccountRef,
    old: OrderState,
    req: ReplaceRequest,
    clientOrderId: string,
    qty: bigint,
    price: bigint | null,
  ): Promise<Order> {
    const orderId = old.id;
    this.usable();
    if (this.liveById.get(orderId) !== old) throw conflict(`order ${orderId} changed while replacing; retry`, 'order_not_open');
    const now = this.opts.clock.now();
    const next = freshOrder(
      {
        ...old,
        id: randomUUID(),
        clientOrderId,
        requestHash: hashRequest({ replaces: old.id, ...req }),
        qty,
        // An iceberg never shows more than it holds: a replace below its display size shows all of it.
        displayQty: old.displayQty !== null && old.displayQty > qty ? qty : old.displayQty,
        limitPrice: price ?? old.limitPrice,
        replaces: old.id,
      },
      now,
    );
    const st = this.stamp();
    const rec = record(Cmd.Replace, st.ts, st.seq);
    rec[3] = old.engineId;
    rec[4] = account.engine_account;
    rec[9] = price === null ? 0 : Number(price);
    rec[10] = Number(qty);
    this.pendingReplace = { old, next };
    this.effect({ k: 'replace', old: old.id, row: stateToRow(next), ea: account.engine_account });
    let ev: Float64Array;
    try {
      ev = this.run(rec);
    } finally {
      this.pendingReplace = undefined;
    }
    await this.durable();
    if (ev[0] === Evt.Rejected) {
      const reason = REJECT_REASONS[ev[7]] ?? `reason_${ev[7]}`;
      if (reason === 'unknown_order') throw conflict(`order ${orderId} is no longer open`, 'order_not_open');
      throw rejection(reason, ev[8], ev[9]);
    }
    return stateToOrder(next);
  }

  async cancelOrder(account: AccountRef, orderId: string): Promise<Order> {
    this.usable();
    this.account(account);
    const found = await this.find(account, orderId);
    const s = found.live;
    if (!s) throw conflict(`order ${orderId} is ${found.row!.status} and cannot be canceled`, 'order_not_open');
    this.usable();
    const st = this.stamp();
    const rec = record(Cmd.Cancel, st.ts, st.seq);
    rec[3] = s.engineId;
    rec[4] = account.engine_account;
    const ev = this.run(rec);
    await this.durable();
    if (ev[0] === Evt.Rejected) throw conflict(`order ${orderId} is no longer open`, 'order_not_open');
    return stateToOrder(s);
  }

  async cancelAllOrders(account: AccountRef): Promise<CancelResult[]> {
    this.usable();
    this.account(account);
    const mine = [...this.liveById.values()].filter((s) => s.accountId === account.id);
    if (mine.length === 0) return [];
    const st = this.stamp();
    const rec = record(Cmd.MassCancel, st.ts, st.seq);
    rec[4] = account.engine_account;
    rec[5] = -1;
    rec[6] = 0;
    this.run(rec);
    await this.durable();
    return mine.map((s) =>
      s.status === 'canceled'
        ? { id: s.id, status: 200, body: stateToOrder(s) }
        : { id: s.id, status: 409, body: { code: 'order_not_open', message: `order is ${s.status}` } },
    );
  }

  async closePosition(account: AccountRef, symbol: string, qty?: string): Promise<Order> {
    this.usable();
    this.account(account);
    const inst = this.bySymbol.get(symbol);
    if (!inst) throw notFound(`no position in ${symbol}`);
    const p = this.wire.engine.position(account.engine_account, inst.row.engine_symbol);
    const held = p ? BigInt(p[0]) : 0n;
    if (held === 0n) throw notFound(`no position in ${symbol}`);
    const abs = held < 0n ? -held : held;
    const amount = qty === undefined ? abs : this.qty(inst, qty, 'qty', abs);
    return this.placeOrder(account, {
      symbol,
      side: held > 0n ? 'sell' : 'buy',
      type: 'market',
      time_in_force: 'ioc',
      qty: fromUnits(amount, inst.scales.qty_scale),
      reduce_only: true,
    });
  }

  async closeAllPositions(account: AccountRef): Promise<CloseResult[]> {
    const out: CloseResult[] = [];
    for (const pos of this.positions(account)) {
      try {
        out.push({ symbol: pos.symbol, status: 200, body: await this.closePosition(account, pos.symbol) });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        out.push({ symbol: pos.symbol, status: err.status, body: { code: err.code, message: err.message } });
      }
    }
    return out;
  }

  // ---- reads from the engine ----

  accountState(account: AccountRef): AccountState {
    this.account(account);
    const a = this.wire.engine.account(account.engine_account);
    if (!a) throw unavailable('the account is not open in the engine yet');
    const m = (v: number): string => fromUnits(v, MONEY_SCALE);
    return {
      cash: m(a[0]),
      reserved: m(a[1]),
      buying_power: m(a[2]),
      equity: m(a[3]),
      realized_pl: m(a[4]),
      unrealized_pl: m(a[5]),
      open_orders: a[6],
      trading_blocked: a[7] === 1,
    };
  }

  position(account: AccountRef, symbol: string): Position | undefined {
    this.account(account);
    const inst = this.bySymbol.get(symbol);
    if (!inst) return undefined;
    const p = this.wire.engine.position(account.engine_account, inst.row.engine_symbol);
    if (!p || p[0] === 0) return undefined;
    const qty = BigInt(p[0]);
    const basis = BigInt(p[2]);
    const abs = qty < 0n ? -qty : qty;
    const absBasis = basis < 0n ? -basis : basis;
    const sc = inst.scales;
    const mark = Number.isNaN(p[5]) ? null : BigInt(p[5]);
    const avgUnits = (absBasis * 10_000n + abs / 2n) / abs;
    return {
      symbol,
      qty: fromUnits(qty, sc.qty_scale),
      side: qty > 0n ? 'long' : 'short',
      avg_entry_price: fromUnits(avgUnits, sc.price_scale + 4),
      cost_basis: fromUnits(basis, MONEY_SCALE),
      market_value: mark === null ? null : fromUnits(mark * qty, MONEY_SCALE),
      current_price: mark === null ? null : fromUnits(mark, sc.price_scale),
      unrealized_pl: fromUnits(p[4], MONEY_SCALE),
      realized_pl: fromUnits(p[3], MONEY_SCALE),
    };
  }

  positions(account: AccountRef): Position[] {
    this.account(account);
    const out: Position[] = [];
    for (const symbol of this.bySymbol.keys()) {
      const p = this.position(account, symbol);
      if (p) out.push(p);
    }
    return out;
  }

  private quoteOf(inst: InstrumentState): Quote {
    const e = this.wire.engine;
    const sym = inst.row.engine_symbol;
    const sc = inst.scales;
    const bid = e.bestBid(sym);
    const ask = e.bestAsk(sym);
    const last = e.lastPrice(sym);
    return {
      symbol: inst.row.symbol,
      bid_price: priceOrNull(bid, sc.price_scale),
      bid_size: Number.isNaN(bid) ? '0' : fromUnits(e.depthAt(sym, SIDE.buy, bid), sc.qty_scale),
      ask_price: priceOrNull(ask, sc.price_scale),
      ask_size: Number.isNaN(ask) ? '0' : fromUnits(e.depthAt(sym, SIDE.sell, ask), sc.qty_scale),
      last_price: priceOrNull(last, sc.price_scale),
      timestamp: isoFromMicros(Math.max(this.ts, this.opts.clock.now() * 1000)),
    };
  }

  quote(symbol: string): Quote {
    const inst = this.bySymbol.get(symbol);
    if (!inst) throw notFound(`unknown symbol '${symbol}'`);
    return this.quoteOf(inst);
  }

  depth(symbol: string, levels: number): Depth {
    const inst = this.bySymbol.get(symbol);
    if (!inst) throw notFound(`unknown symbol '${symbol}'`);
    const side = (s: number): Depth['bids'] => {
      const flat = this.wire.engine.levels(inst.row.engine_symbol, s, levels);
      const out: Depth['bids'] = [];
      for (let i = 0; i < flat.length; i += 3) {
        out.push({
          price: fromUnits(flat[i], inst.scales.price_scale),
          size: fromUnits(flat[i + 1], inst.scales.qty_scale),
          orders: flat[i + 2],
        });
      }
      return out;
    };
    return { symbol, bids: side(SIDE.buy), asks: side(SIDE.sell), timestamp: new Date(this.opts.clock.now()).toISOString() };
  }

  async setTradingBlocked(account: AccountRef, blocked: boolean): Promise<string[]> {
    this.usable();
    this.account(account);
    const mine = blocked ? [...this.liveById.values()].filter((s) => s.accountId === account.id) : [];
    const st = this.stamp();
    const rec = record(Cmd.SetKillSwitch, st.ts, st.seq);
    rec[4] = account.engine_account;
    rec[15] = blocked ? 1 : 0;
    this.run(rec);
    await this.durable();
    return mine.filter((s) => s.status === 'canceled').map((s) => s.id);
  }

  async endSession(symbol?: string): Promise<void> {
    this.usable();
    const engineSymbol = symbol === undefined ? -1 : this.inst(symbol).row.engine_symbol;
    const st = this.stamp();
    const rec = record(Cmd.SessionEnd, st.ts, st.seq);
    rec[5] = engineSymbol;
    this.run(rec);
    await this.durable();
  }

  status(): EngineStatus {
    return {
      ok: this.broken === undefined && !this.closed,
      seq: this.seq,
      live_orders: this.wire.engine.liveOrders(),
      pending_writes: this.line - this.projectedLine,
      ...(this.broken === undefined ? (this.projectionError === undefined ? {} : { error: `projection: ${this.projectionError}` }) : { error: this.broken }),
    };
  }

  /** Waits for queued writes, stops timers and frees the engine. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.batch.lastLine > 0 || this.flushing) await this.durable().catch(() => {});
    // What is durable is written now, without waiting for the consumer to deliver it (NATS may be down).
    await this.drain();
    await this.settled().catch(() => {});
    this.closed = true;
    await this.projecting;
    await this.follower?.stop();
    await this.snapshotSaving;
    await this.journal?.close();
    if (this.gtdTimer) clearTimeout(this.gtdTimer);
    this.wire.engine.free();
  }
}

/** Fee rates in ppm from basis points (two decimals at most, within ±10^6 ppm). */
function feesPpm(makerBps: string, takerBps: string): { maker: bigint; taker: bigint } {
  const one = (v: string, field: string): bigint => {
    let ppm: bigint;
    try {
      ppm = toUnits(v, 2, true);
    } catch (err) {
      throw invalid(`${field} ${(err as Error).message}`, field);
    }
    if (ppm > 1_000_000n || ppm < -1_000_000n) throw invalid(`${field} must be within ±10000 bps`, field);
    return ppm;
  };
  return { maker: one(makerBps, 'maker_fee_bps'), taker: one(takerBps, 'taker_fee_bps') };
}

/** An instruments row with its numeric columns normalized. */
export function normalizeInstrument(r: Instrument): Instrument {
  const n = (v: string): string => normalize(String(v));
  return {
    ...r,
    engine_symbol: Number(r.engine_symbol),
    price_scale: Number(r.price_scale),
    qty_scale: Number(r.qty_scale),
    tick_size: n(r.tick_size),
    lot_size: n(r.lot_size),
    min_price: n(r.min_price),
    max_price: n(r.max_price),
    min_qty: n(r.min_qty),
    max_qty: n(r.max_qty),
    maker_fee_bps: n(r.maker_fee_bps),
    taker_fee_bps: n(r.taker_fee_bps),
  };
}

async function audit(tx: SqlClient, actor: string, action: string, detail: unknown): Promise<void> {
  await tx.query('INSERT INTO audit_log (actor, action, detail) VALUES ($1, $2, $3::jsonb)', [actor, action, JSON.stringify(detail)]);
}

/** The rows an effect changes. */
async function writeEffect(tx: SqlClient, e: JournalEffect): Promise<void> {
  switch (e.k) {
    case 'instrument': {
      const r = e.row;
      await tx.query(
        `INSERT INTO instruments (symbol, engine_symbol, name, price_scale, qty_scale, tick_size, lot_size, min_price, max_price,
           min_qty, max_qty, maker_fee_bps, taker_fee_bps, status, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
         ON CONFLICT (symbol) DO UPDATE SET name = excluded.name, maker_fee_bps = excluded.maker_fee_bps,
           taker_fee_bps = excluded.taker_fee_bps, status = excluded.status, updated_at = excluded.updated_at`,
        [r.symbol, r.engine_symbol, r.name, r.price_scale, r.qty_scale, r.tick_size, r.lot_size, r.min_price, r.max_price,
          r.min_qty, r.max_qty, r.maker_fee_bps, r.taker_fee_bps, r.status, r.created_at, r.updated_at],
      );
      await audit(tx, e.actor, e.action, e.detail);
      break;
    }
    case 'account':
      await tx.query('INSERT INTO risk_limits (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING', [e.id]);
      break;
    case 'limits': {
      const l = e.limits;
      await tx.query(
        `INSERT INTO risk_limits (account_id, max_order_qty, max_order_notional, max_gross_exposure, max_open_orders,
           orders_per_second, shorting_enabled, pre_trade_checks, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,now())
         ON CONFLICT (account_id) DO UPDATE SET max_order_qty = excluded.max_order_qty,
           max_order_notional = excluded.max_order_notional, max_gross_exposure = excluded.max_gross_exposure,
           max_open_orders = excluded.max_open_orders, orders_per_second = excluded.orders_per_second,
           shorting_enabled = excluded.shorting_enabled, pre_trade_checks = excluded.pre_trade_checks, updated_at = now()`,
        [e.account, l.max_order_qty, l.max_order_notional, l.max_gross_exposure, l.max_open_orders, l.orders_per_second, l.shorting_enabled,
          l.pre_trade_checks !== false], // journal lines written before the field keep the checks on
      );
      await audit(tx, e.actor, 'account.limits', { account_id: e.account, ...l });
      break;
    }
    case 'order':
    case 'replace':
      break; // the order rows are written from the projected order states
  }
}

/** The columns of the rows the projection bulk-loads (every column of each table, so none falls back to a default). */
const LOG_COLUMNS = ['seq', 'ts', 'kind', 'record'] as const;
const ORDER_COLUMNS = Object.keys({
  id: 0, account_id: 0, engine_id: 0, client_order_id: 0, request_hash: 0, symbol: 0, side: 0, type: 0, time_in_force: 0, qty: 0,
  filled_qty: 0, filled_notional: 0, filled_avg_price: 0, limit_price: 0, stop_price: 0, display_qty: 0, post_only: 0, reduce_only: 0,
  expire_at: 0, status: 0, reject_reason: 0, replaces: 0, replaced_by: 0, created_at: 0, updated_at: 0, filled_at: 0, canceled_at: 0,
  expired_at: 0, replaced_at: 0, failed_at: 0,
} satisfies Record<keyof OrderRow, 0>);
const FILL_COLUMNS = [
  'id', 'event_seq', 'account_id', 'order_id', 'symbol', 'side', 'liquidity', 'price', 'qty', 'fee', 'realized_pl', 'position_qty',
  'cash_after', 'leaves_qty', 'transaction_time',
] as const;

/**
 * Of the equity points an account has at one instant (commands stamped within
 * the same millisecond), the last. Portfolio history reads, per bucket, the
 * point with the highest event_seq among those its time range admits; points
 * at one instant share their bucket and are admitted or not together, so the
 * others are never read.
 */
function lastPerInstant(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const last = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const key = `${r.account_id as string} ${r.ts as string}`;
    const prev = last.get(key);
    if (prev === undefined || (prev.event_seq as number) < (r.event_seq as number)) last.set(key, r);
  }
  return last.size === rows.length ? rows : [...last.values()];
}

/** Inserts `rows` into `table`: bulk-loaded where the client can (PGlite: COPY), else one statement over the rows as JSON. */
async function insertRows(tx: SqlClient, table: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
  const records = rows as readonly Record<string, unknown>[];
  if (tx.copyRows) return tx.copyRows(table, columns, records);
  const cols = columns.join(', ');
  await tx.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(records)]);
}

/** What an order row that is already stored takes from its newer version. */
const ORDER_UPSERT = `ON CONFLICT (id) DO UPDATE SET qty = excluded.qty, filled_qty = excluded.filled_qty,
         filled_notional = excluded.filled_notional, filled_avg_price = excluded.filled_avg_price,
         limit_price = excluded.limit_price, status = excluded.status, reject_reason = excluded.reject_reason,
         replaced_by = excluded.replaced_by, updated_at = excluded.updated_at, filled_at = excluded.filled_at,
         canceled_at = excluded.canceled_at, expired_at = excluded.expired_at, replaced_at = excluded.replaced_at,
         failed_at = excluded.failed_at`;

/**
 * Writes one projection: the command log, effects, the projected rows, a snapshot if due, and the last journal line reflected.
 * Where the client bulk-loads (PGlite: COPY), the log, orders and fills go that way; orders, which may be
 * stored already, through a staging table emptied at commit.
 */
async function writeProjection(tx: SqlClient, b: Projection, snapshotInDb: boolean): Promise<void> {
  if (b.log.length > 0) {
    await insertRows(tx, 'engine_log', LOG_COLUMNS, b.log);
  }
  for (const e of b.effects) await writeEffect(tx, e);
  if (b.orders.size > 0) {
    const rows = [...b.orders.values()];
    if (tx.copyRows) {
      await tx.exec('CREATE TEMP TABLE IF NOT EXISTS orders_incoming (LIKE orders) ON COMMIT DELETE ROWS');
      await tx.copyRows('orders_incoming', ORDER_COLUMNS, rows as unknown as Record<string, unknown>[]);
      const cols = ORDER_COLUMNS.join(', ');
      await tx.query(`INSERT INTO orders (${cols}) SELECT ${cols} FROM orders_incoming ${ORDER_UPSERT}`);
    } else {
      await tx.query(`INSERT INTO orders SELECT * FROM jsonb_populate_recordset(NULL::orders, $1::jsonb) ${ORDER_UPSERT}`, [JSON.stringify(rows)]);
    }
  }
  if (b.fills.length > 0) {
    await insertRows(tx, 'fills', FILL_COLUMNS, b.fills);
  }
  if (b.cash.length > 0) {
    await tx.query(`INSERT INTO cash_ledger SELECT * FROM jsonb_populate_recordset(NULL::cash_ledger, $1::jsonb)`, [JSON.stringify(b.cash)]);
  }
  if (b.positions.size > 0) {
    await tx.query(
      `INSERT INTO positions SELECT * FROM jsonb_populate_recordset(NULL::positions, $1::jsonb)
       ON CONFLICT (account_id, symbol) DO UPDATE SET qty = excluded.qty, cost_basis = excluded.cost_basis,
         realized_pl = excluded.realized_pl, updated_at = excluded.updated_at`,
      [JSON.stringify([...b.positions.values()])],
    );
  }
  if (b.accountCash.size > 0) {
    await tx.query(
      `UPDATE accounts a SET cash = x.cash, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, cash numeric) WHERE a.id = x.id`,
      [JSON.stringify([...b.accountCash].map(([id, cash]) => ({ id, cash })))],
    );
  }
  if (b.equity.length > 0) {
    await tx.query(
      `INSERT INTO equity_history SELECT * FROM jsonb_populate_recordset(NULL::equity_history, $1::jsonb)
       ON CONFLICT (account_id, event_seq) DO UPDATE SET equity = excluded.equity, cash = excluded.cash`,
      [JSON.stringify(lastPerInstant(b.equity))],
    );
  }
  if (b.snapshot && snapshotInDb) {
    await tx.query('INSERT INTO engine_snapshots (seq, state, next_order) VALUES ($1, $2, $3)', [
      b.snapshot.seq,
      b.snapshot.state,
      b.snapshot.nextOrder,
    ]);
    await tx.query('DELETE FROM engine_snapshots WHERE seq < $1', [b.snapshot.seq]);
  }
  if (b.lastLine > 0) {
    await tx.query(
      `INSERT INTO venue_meta (key, value) VALUES ('projected_line', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [String(b.lastLine)],
    );
  }
}
