// The gateway's EngineService: the routes call it exactly as they call the
// in-process engine, and it routes each command by symbol to the shard that
// owns it. A command is published to the symbol's (or the shard's) command
// subject on JetStream — the publish ack makes it durable — and the call
// waits for the worker's reply; if none comes in time the call fails with a
// 503 naming the shard, and the command, already stored, runs when the worker
// is back. Reads (account, positions, quotes, depth) are answered from a
// mirror of each shard's state, kept current by the views the workers send
// with every reply and on a timer; account-wide reads are merged across shards.
//
// Cash across shards: each shard's engine keeps its own cash ledger for the
// account and checks buying power against it alone, so two shards can never
// spend the same cash. Opening cash, deposits and withdrawals go to the
// account's home shard (ShardMap.homeShard); moving cash to another shard is
// an explicit transfer: a debit command on the source shard, whose worker
// stores the matching credit command on the destination shard once the debit
// is durable. The account's cash, buying power and equity are the sums.
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import type { Clock, SqlDatabase } from '../deps.ts';
import { ApiError, invalid, notFound, unavailable } from '../http/errors.ts';
import { fromUnits, toUnits } from '../venue/decimal.ts';
import {
  MONEY_SCALE,
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
} from '../venue/types.ts';
import { COMMAND_ID_HEADER, REPLY_HEADER, type AccountView, type BookView, type ShardCommand, type ShardRead, type ShardReply, type ShardView } from './protocol.ts';
import type { ScaleoutNames, Shard, ShardMap } from './shard-map.ts';

/** What the gateway's engine service is built from. */
export interface ShardedEngineOptions {
  nc: NatsConnection;
  names: ScaleoutNames;
  map: ShardMap;
  /** The gateway's database, where the shards' order rows are visible (gateway.ts creates the views). */
  db: SqlDatabase;
  clock: Clock;
  logger: Logger;
  /** Cash a new account opens with, credited on its home shard. */
  initialCash: string;
  /** How long a command waits for its shard's reply (ms, default 5000). */
  timeoutMs?: number;
  /** A shard silent for longer than this is reported down by status() (ms, default 3000). */
  staleMs?: number;
}

/** What the gateway knows of one shard. */
interface Mirror {
  shard: Shard;
  boot: string | undefined;
  seenAt: number;
  status: EngineStatus | undefined;
  /** Set when the worker's shard map gives it other symbols than ours: nothing is routed to it then. */
  mismatch: string | undefined;
  instruments: Map<string, Instrument>;
  books: Map<string, { version: number; view: BookView }>;
  accounts: Map<string, { version: number; view: AccountView }>;
}

interface Pending {
  resolve: (r: ShardReply) => void;
  reject: (err: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const enc = new TextEncoder();

/** Sums decimal money strings exactly. */
function sum(values: string[]): string {
  return fromUnits(values.reduce((t, v) => t + toUnits(v, MONEY_SCALE, true), 0n), MONEY_SCALE);
}

/** Instruments cross the wire as JSON: their dates come back as strings. */
function revive(i: Instrument): Instrument {
  return { ...i, created_at: new Date(i.created_at), updated_at: new Date(i.updated_at) };
}

/** The EngineService of a gateway in front of engine workers. Create with `ShardedEngineService.open()`. */
export class ShardedEngineService implements EngineService {
  readonly kind = 'sharded';
  private readonly id = randomUUID().replaceAll('-', '');
  private readonly mirrors = new Map<string, Mirror>();
  private readonly pending = new Map<string, Pending>();
  private readonly subs: Subscription[] = [];
  private readonly timeoutMs: number;
  private readonly staleMs: number;
  private closed = false;

  private constructor(private readonly opts: ShardedEngineOptions) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.staleMs = opts.staleMs ?? 3000;
    for (const shard of opts.map.shards) {
      this.mirrors.set(shard.name, { shard, boot: undefined, seenAt: 0, status: undefined, mismatch: undefined, instruments: new Map(), books: new Map(), accounts: new Map() });
    }
  }

  /** Subscribes to replies and views, and asks every shard for its full state (a shard that is down is mirrored once it reports). */
  static async open(opts: ShardedEngineOptions): Promise<ShardedEngineService> {
    const s = new ShardedEngineService(opts);
    const { nc, names } = opts;
    s.subs.push(
      nc.subscribe(names.replySubject(s.id), {
        callback: (err, m) => {
          if (err) return;
          const r = JSON.parse(new TextDecoder().decode(m.data)) as ShardReply;
          const p = s.pending.get(r.id);
          if (r.view) s.apply(r.view);
          if (!p) return;
          s.pending.delete(r.id);
          clearTimeout(p.timer);
          p.resolve(r);
        },
      }),
      nc.subscribe(names.viewSubject('*'), {
        callback: (err, m) => {
          if (!err) s.apply(JSON.parse(new TextDecoder().decode(m.data)) as ShardView);
        },
      }),
    );
    await Promise.all(opts.map.shards.map((shard) => s.refresh(shard.name)));
    return s;
  }

  /** Asks a shard for its full view; a shard that does not answer is left to report itself. */
  private async refresh(shard: string): Promise<void> {
    try {
      const m = await this.opts.nc.request(this.opts.names.readSubject(shard), enc.encode(JSON.stringify({ op: 'full_view' } satisfies ShardRead)), { timeout: 2000 });
      this.apply(JSON.parse(new TextDecoder().decode(m.data)) as ShardView);
    } catch (err) {
      this.opts.logger.warn({ shard, err: (err as Error).message }, 'gateway: shard did not send its state (it is mirrored once it reports)');
    }
  }

  private apply(v: ShardView): void {
    const m = this.mirrors.get(v.shard);
    if (!m) return;
    if (m.boot !== v.boot) {
      // A worker (re)started: its versions start again (what we hold stays until its views replace it),
      // and what it holds is re-read in full.
      m.boot = v.boot;
      for (const b of m.books.values()) b.version = 0;
      for (const a of m.accounts.values()) a.version = 0;
      if (!v.full) void this.refresh(v.shard);
    }
    m.seenAt = this.opts.clock.now();
    m.status = v.status;
    const ours = [...m.shard.symbols].sort().join(',');
    const theirs = [...v.symbols].sort().join(',');
    const mismatch = ours === theirs ? undefined : `shard '${m.shard.name}' runs with symbols ${theirs} but this gateway's CIFT_SHARDS gives it ${ours}`;
    if (mismatch !== undefined && m.mismatch === undefined) this.opts.logger.error({ shard: m.shard.name }, mismatch);
    m.mismatch = mismatch;
    m.instruments = new Map(v.instruments.map((i) => [i.symbol, revive(i)]));
    for (const [sym, view] of Object.entries(v.books)) {
      const had = m.books.get(sym);
      if (!had || had.version < v.version) m.books.set(sym, { version: v.version, view });
    }
    for (const [id, view] of Object.entries(v.accounts)) {
      const had = m.accounts.get(id);
      if (!had || had.version < v.version) m.accounts.set(id, { version: v.version, view });
    }
  }

  /** Stores `cmd` on `subject` and waits for `shard`'s reply. */
  private async send<T>(shard: Shard, subject: string, cmd: ShardCommand): Promise<T> {
    if (this.closed) throw unavailable('the gateway is closing');
    const mismatch = this.mirrors.get(shard.name)!.mismatch;
    if (mismatch !== undefined) throw new ApiError(503, 'shard_unavailable', `${mismatch}; nothing is routed to it until the maps agree`);
    const id = randomUUID();
    const reply = new Promise<ShardReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ApiError(
            503,
            'shard_unavailable',
            `shard '${shard.name}' (${shard.symbols.join(', ')}) did not answer within ${this.timeoutMs} ms; the command is stored and runs when the shard is back`,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    const h = natsHeaders();
    h.set(REPLY_HEADER, this.opts.names.replySubject(this.id));
    h.set(COMMAND_ID_HEADER, id);
    try {
      await this.opts.nc.jetstream().publish(subject, enc.encode(JSON.stringify(cmd)), { msgID: id, headers: h, timeout: this.timeoutMs });
    } catch (err) {
      const p = this.pending.get(id);
      if (p) clearTimeout(p.timer);
      this.pending.delete(id);
      throw unavailable(`the command stream (nats) is unavailable: ${(err as Error).message}`);
    }
    const r = await reply;
    if (!r.ok) throw new ApiError(r.error.status as ApiError['status'], r.error.code, r.error.message, r.error.field);
    return r.result as T;
  }

  private bySymbol(symbol: string, field = 'symbol'): Shard {
    const shard = this.opts.map.shardOf(symbol);
    if (!shard) throw invalid(`unknown symbol '${symbol}'`, field, 'unknown_symbol');
    return shard;
  }

  private toSymbol<T>(symbol: string, cmd: ShardCommand, field?: string): Promise<T> {
    return this.send<T>(this.bySymbol(symbol, field), this.opts.names.symbolSubject(symbol), cmd);
  }

  private toShard<T>(shard: Shard, cmd: ShardCommand): Promise<T> {
    return this.send<T>(shard, this.opts.names.shardSubject(shard.name), cmd);
  }

  private toAll<T>(cmd: (shard: Shard) => ShardCommand): Promise<T[]> {
    return Promise.all(this.opts.map.shards.map((s) => this.toShard<T>(s, cmd(s))));
  }

  /** The symbol of one of the account's orders (from the shards' order rows). */
  private async orderSymbol(account: AccountRef, orderId: string): Promise<string> {
    if (!UUID.test(orderId)) throw notFound(`order ${orderId} not found`);
    const [row] = await this.opts.db.query<{ symbol: string }>('SELECT symbol FROM orders WHERE id = $1 AND account_id = $2', [orderId, account.id]);
    if (!row) throw notFound(`order ${orderId} not found`);
    return row.symbol;
  }

  private mirror(shard: Shard): Mirror {
    const m = this.mirrors.get(shard.name)!;
    if (m.boot === undefined) throw unavailable(`shard '${shard.name}' (${shard.symbols.join(', ')}) has not reported its state yet`);
    return m;
  }

  instruments(): Instrument[] {
    // Only those our map places on the shard reporting them (a worker with another map may report more).
    return [...this.mirrors.values()].flatMap((m) => [...m.instruments.values()].filter((i) => this.opts.map.shardOf(i.symbol) === m.shard));
  }

  instrument(symbol: string): Instrument | undefined {
    const shard = this.opts.map.shardOf(symbol);
    return shard ? this.mirrors.get(shard.name)!.instruments.get(symbol) : undefined;
  }

  async addInstrument(input: InstrumentInput, actor: string): Promise<Instrument> {
    if (!this.opts.map.shardOf(input.symbol)) throw invalid(`symbol ${input.symbol} is owned by no shard (add it to CIFT_SHARDS first)`, 'symbol');
    return revive(await this.toSymbol<Instrument>(input.symbol, { op: 'add_instrument', input, actor }));
  }

  async updateInstrument(symbol: string, patch: InstrumentPatch, actor: string): Promise<Instrument> {
    if (!this.opts.map.shardOf(symbol)) throw notFound(`instrument ${symbol} not found`);
    return revive(await this.toSymbol<Instrument>(symbol, { op: 'update_instrument', symbol, patch, actor }));
  }

  async openAccount(account: AccountRef): Promise<void> {
    const home = this.opts.map.homeShard(account.engine_account);
    await this.toAll((s) => ({ op: 'open_account', account, opening_cash: s === home ? this.opts.initialCash : '0' }));
  }

  deposit(account: AccountRef, amount: string): Promise<CashMovement> {
    return this.toShard(this.opts.map.homeShard(account.engine_account), { op: 'deposit', account, amount });
  }

  withdraw(account: AccountRef, amount: string): Promise<CashMovement> {
    return this.toShard(this.opts.map.homeShard(account.engine_account), { op: 'withdraw', account, amount });
  }

  /**
   * Moves cash from one shard's ledger of the account to another's: the debit
   * runs on `from` (refused there if that shard's buying power is short), and
   * the credit is stored for `to` once the debit is durable. Resolves with the
   * debit; the credit follows when `to` runs it.
   */
  async transfer(account: AccountRef, from: string, to: string, amount: string): Promise<CashMovement> {
    const source = this.opts.map.shard(from);
    if (!source) throw invalid(`unknown shard '${from}' (shards: ${this.opts.map.shards.map((s) => s.name).join(', ')})`, 'from');
    if (!this.opts.map.shard(to)) throw invalid(`unknown shard '${to}' (shards: ${this.opts.map.shards.map((s) => s.name).join(', ')})`, 'to');
    if (from === to) throw invalid('from and to must name different shards', 'to');
    return this.toShard(source, { op: 'transfer_out', account, amount, to, transfer_id: randomUUID() });
  }

  async setLimits(account: AccountRef, limits: RiskLimits, actor: string): Promise<RiskLimits> {
    const [first] = await this.toAll<RiskLimits>(() => ({ op: 'limits', account, limits, actor }));
    return first;
  }

  /** Sets the account's kill switch on every shard; resolves with the orders canceled on all of them. */
  async setTradingBlocked(account: AccountRef, blocked: boolean): Promise<string[]> {
    return (await this.toAll<string[]>(() => ({ op: 'trading_blocked', account, blocked }))).flat();
  }

  placeOrder(account: AccountRef, req: OrderRequest): Promise<Order> {
    return this.toSymbol(req.symbol, { op: 'place', account, req });
  }

  async replaceOrder(account: AccountRef, orderId: string, req: ReplaceRequest): Promise<Order> {
    return this.toSymbol(await this.orderSymbol(account, orderId), { op: 'replace', account, order_id: orderId, req });
  }

  async cancelOrder(account: AccountRef, orderId: string): Promise<Order> {
    return this.toSymbol(await this.orderSymbol(account, orderId), { op: 'cancel', account, order_id: orderId });
  }

  async cancelAllOrders(account: AccountRef): Promise<CancelResult[]> {
    return (await this.toAll<CancelResult[]>(() => ({ op: 'cancel_all', account }))).flat();
  }

  closePosition(account: AccountRef, symbol: string, qty?: string): Promise<Order> {
    if (!this.opts.map.shardOf(symbol)) return Promise.reject(notFound(`no position in ${symbol}`));
    return this.toSymbol(symbol, { op: 'close_position', account, symbol, qty });
  }

  async closeAllPositions(account: AccountRef): Promise<CloseResult[]> {
    return (await this.toAll<CloseResult[]>(() => ({ op: 'close_all', account }))).flat();
  }

  /** The account across shards: money summed, open orders counted, blocked if any shard blocks it. */
  accountState(account: AccountRef): AccountState {
    const parts = this.opts.map.shards.map((s) => this.mirror(s).accounts.get(account.id)?.view.state).filter((s): s is AccountState => s !== undefined);
    if (parts.length === 0) throw unavailable('the account is not open in the engine yet');
    return {
      cash: sum(parts.map((p) => p.cash)),
      reserved: sum(parts.map((p) => p.reserved)),
      buying_power: sum(parts.map((p) => p.buying_power)),
      equity: sum(parts.map((p) => p.equity)),
      realized_pl: sum(parts.map((p) => p.realized_pl)),
      unrealized_pl: sum(parts.map((p) => p.unrealized_pl)),
      open_orders: parts.reduce((n, p) => n + p.open_orders, 0),
      trading_blocked: parts.some((p) => p.trading_blocked),
    };
  }

  /** The account's state on each shard (the cash each shard's engine can spend). */
  accountStateByShard(account: AccountRef): { shard: string; state: AccountState | null }[] {
    return this.opts.map.shards.map((s) => ({ shard: s.name, state: this.mirror(s).accounts.get(account.id)?.view.state ?? null }));
  }

  position(account: AccountRef, symbol: string): Position | undefined {
    const shard = this.opts.map.shardOf(symbol);
    if (!shard) return undefined;
    return this.mirror(shard).accounts.get(account.id)?.view.positions.find((p) => p.symbol === symbol);
  }

  positions(account: AccountRef): Position[] {
    return this.opts.map.shards
      .flatMap((s) => this.mirror(s).accounts.get(account.id)?.view.positions ?? [])
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  private book(symbol: string): BookView {
    const shard = this.opts.map.shardOf(symbol);
    const inst = shard ? this.mirror(shard).instruments.get(symbol) : undefined;
    if (!shard || !inst) throw notFound(`unknown symbol '${symbol}'`);
    const book = this.mirror(shard).books.get(symbol);
    if (book) return book.view;
    // Listed, and no view of its book yet: it has had no order since the listing.
    const timestamp = new Date(this.opts.clock.now()).toISOString();
    return {
      quote: { symbol, bid_price: null, bid_size: '0', ask_price: null, ask_size: '0', last_price: null, timestamp },
      depth: { symbol, bids: [], asks: [], timestamp },
    };
  }

  quote(symbol: string): Quote {
    return this.book(symbol).quote;
  }

  depth(symbol: string, levels: number): Depth {
    const d = this.book(symbol).depth;
    return { ...d, bids: d.bids.slice(0, levels), asks: d.asks.slice(0, levels) };
  }

  async endSession(symbol?: string): Promise<void> {
    if (symbol !== undefined) await this.toSymbol(symbol, { op: 'end_session', symbol });
    else await this.toAll(() => ({ op: 'end_session' }));
  }

  /** Up only if every shard reported within `staleMs` and is up itself; the error names the shards that are not. */
  status(): EngineStatus {
    const now = this.opts.clock.now();
    const down: string[] = [];
    let seq = 0;
    let live = 0;
    let pending = 0;
    for (const m of this.mirrors.values()) {
      if (m.status === undefined || now - m.seenAt > this.staleMs) down.push(`shard '${m.shard.name}' (${m.shard.symbols.join(', ')}) is not reporting`);
      else if (m.mismatch !== undefined) down.push(m.mismatch);
      else if (!m.status.ok) down.push(`shard '${m.shard.name}': ${m.status.error ?? 'down'}`);
      seq += m.status?.seq ?? 0;
      live += m.status?.live_orders ?? 0;
      pending += m.status?.pending_writes ?? 0;
    }
    return { ok: down.length === 0, seq, live_orders: live, pending_writes: pending, ...(down.length > 0 ? { error: down.join('; ') } : {}) };
  }

  /** Workers reply only once their rows are projected, so there is nothing to wait for. */
  async settled(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.subs) s.unsubscribe();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(unavailable('the gateway is closing'));
      this.pending.delete(id);
    }
  }
}
