// The market projector: subscribes to the bus (`trades.*`, `quotes.*`,
// `book.*`), or with NATS reads the JetStream events stream through a durable
// consumer (acknowledging each batch once it is stored, so a restart resumes
// where it left off), and writes trades, quotes and periodic L2 snapshots into
// the market store in batches.
//
// Idempotent: a trade carries the engine's event sequence number, and per
// symbol nothing at or below the highest one already taken (loaded from the
// store on start) is written again, so a re-delivered trade changes nothing —
// which matters most for the bars the materialized view sums. Quotes and L2
// snapshots are numbered the same way by the last book change (`book.*`,
// which the engine publishes before the quote it leads to) they include; the
// projector keeps its own copy of each book from those changes.
//
// A failed write keeps its rows and is retried on the next flush.
import type { Logger } from 'pino';
import type { Bus, Clock } from '../deps.ts';
import { toUnits } from '../venue/decimal.ts';
import type { MarketEvent, MarketEventFeed, MarketEventSource } from '../venue/market-events.ts';
import type { EngineService, Instrument } from '../venue/types.ts';
import type { MarketData } from './data.ts';
import type { VenueMetrics } from './metrics.ts';
import type { MarketStore } from './store.ts';

/** A trade as the engine service publishes it on `trades.<SYMBOL>`. */
export interface TradeMessage {
  symbol: string;
  price: string;
  size: string;
  taker_side: 'buy' | 'sell';
  seq: number;
  timestamp: string;
}

/** A quote as published on `quotes.<SYMBOL>`. */
export interface QuoteMessage {
  symbol: string;
  bid_price: string | null;
  bid_size: string;
  ask_price: string | null;
  ask_size: string;
  timestamp: string;
}

/** One L2 level change as published on `book.<SYMBOL>` (size and orders are the level's new totals). */
export interface BookMessage {
  symbol: string;
  side: 'bid' | 'ask';
  price: string;
  size: string;
  orders: number;
  seq: number;
  timestamp: string;
}

/** How the projector batches. */
export interface ProjectorOptions {
  /** Flush pending rows this often (ms). */
  flushMs?: number;
  /** Flush as soon as this many rows are pending. */
  maxPending?: number;
  /** Store an L2 snapshot of each changed book this often (ms); 0: never. */
  l2SnapshotMs?: number;
  /** Levels per side in a stored L2 snapshot. */
  l2Levels?: number;
}

interface Level {
  size: bigint;
  orders: number;
}

interface Book {
  bids: Map<bigint, Level>;
  asks: Map<bigint, Level>;
  seq: number;
  us: number;
  /** Changed since the last stored snapshot. */
  dirty: boolean;
}

/** "2025-01-02T15:00:00.123Z" → ClickHouse DateTime64(6) text. */
function chTime(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = String(us % 1_000_000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${micros}`;
}

const microsOf = (iso: string): number => Date.parse(iso) * 1000;

/** Projects bus messages into the market store. */
export class MarketProjector {
  private readonly tradeSeq = new Map<string, number>();
  private readonly l2Seq = new Map<string, number>();
  private readonly quoteSeq = new Map<string, number>();
  private readonly books = new Map<string, Book>();
  private trades: Record<string, unknown>[] = [];
  private quotes: Record<string, unknown>[] = [];
  private snapshots: Record<string, unknown>[] = [];
  private unsubscribe: (() => void)[] = [];
  private feed: MarketEventFeed | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private flushing: Promise<void> | undefined;
  private readonly opts: Required<ProjectorOptions>;

  constructor(
    private readonly deps: {
      bus: Bus;
      engine: EngineService;
      store: MarketStore;
      data: MarketData;
      logger: Logger;
      clock: Clock;
      metrics: VenueMetrics;
      /** The durable source of market events (JetStream); absent: the bus, as published. */
      events?: MarketEventSource;
    },
    opts: ProjectorOptions = {},
  ) {
    this.opts = { flushMs: 200, maxPending: 5000, l2SnapshotMs: 1000, l2Levels: 20, ...opts };
  }

  /** Loads the stored watermarks, seeds the books from the engine, subscribes and starts the timers. */
  async start(): Promise<void> {
    // Trades at or below the watermarks are skipped from here on: any of them whose bar a crash lost is rebuilt first.
    const repaired = await this.deps.data.repairBars();
    if (repaired.length > 0) this.deps.logger.warn({ repaired }, 'market: rebuilt 1-minute bars that did not count their trades');
    const marks = await this.deps.data.watermarks();
    for (const [s, seq] of marks.trades) this.tradeSeq.set(s, seq);
    for (const [s, seq] of marks.quotes) this.quoteSeq.set(s, seq);
    for (const [s, seq] of marks.l2) this.l2Seq.set(s, seq);
    for (const inst of this.deps.engine.instruments()) this.seedBook(inst);
    const { bus, events } = this.deps;
    if (events) {
      // Acknowledged once stored: a batch whose write fails is handed again (and skipped up to the watermarks).
      this.feed = await events.start(async (batch) => {
        for (const e of batch) this.onEvent(e);
        await this.flush();
      });
    } else {
      this.unsubscribe.push(
        bus.subscribe('trades.*', (_s, m) => this.onTrade(m as TradeMessage)),
        bus.subscribe('quotes.*', (_s, m) => this.onQuote(m as QuoteMessage)),
        bus.subscribe('book.*', (_s, m) => this.onBook(m as BookMessage)),
      );
    }
    const every = (ms: number, fn: () => Promise<void>): void => {
      if (ms <= 0) return;
      const t = setInterval(() => void fn().catch((err: unknown) => this.deps.logger.error({ err }, 'market projector failed')), ms);
      (t as { unref?: () => void }).unref?.();
      this.timers.push(t);
    };
    every(this.opts.flushMs, () => this.flush());
    every(this.opts.l2SnapshotMs, async () => {
      this.snapshotBooks();
      await this.flush();
    });
  }

  /** Rows waiting to be written. */
  pending(): number {
    return this.trades.length + this.quotes.length + this.snapshots.length;
  }

  private instrument(symbol: string): Instrument | undefined {
    return this.deps.engine.instrument(symbol);
  }

  private onEvent(e: MarketEvent): void {
    if (e.type === 'trade') this.onTrade(e.message as TradeMessage);
    else if (e.type === 'book') this.onBook(e.message as BookMessage);
    else this.onQuote(e.message as QuoteMessage);
  }

  private onTrade(m: TradeMessage): void {
    const inst = this.instrument(m.symbol);
    if (!inst || !(m.seq > (this.tradeSeq.get(m.symbol) ?? 0))) return;
    this.tradeSeq.set(m.symbol, m.seq);
    this.trades.push({
      symbol: m.symbol,
      ts: chTime(microsOf(m.timestamp)),
      seq: m.seq,
      price: toUnits(m.price, inst.price_scale).toString(),
      size: toUnits(m.size, inst.qty_scale).toString(),
      taker_side: m.taker_side,
      price_scale: inst.price_scale,
      qty_scale: inst.qty_scale,
    });
    this.kick();
  }

  private onQuote(m: QuoteMessage): void {
    const inst = this.instrument(m.symbol);
    if (!inst) return;
    // The book changes behind a quote are published before it, so the book's
    // sequence number identifies the quote.
    const seq = (this.books.get(m.symbol) ?? this.seedBook(inst)).seq;
    if (!(seq > (this.quoteSeq.get(m.symbol) ?? 0))) return;
    this.quoteSeq.set(m.symbol, seq);
    this.quotes.push({
      symbol: m.symbol,
      ts: chTime(microsOf(m.timestamp)),
      seq,
      bid_price: m.bid_price === null ? '0' : toUnits(m.bid_price, inst.price_scale).toString(),
      bid_size: toUnits(m.bid_size, inst.qty_scale).toString(),
      ask_price: m.ask_price === null ? '0' : toUnits(m.ask_price, inst.price_scale).toString(),
      ask_size: toUnits(m.ask_size, inst.qty_scale).toString(),
    });
    this.kick();
  }

  private seedBook(inst: Instrument): Book {
    const book: Book = { bids: new Map(), asks: new Map(), seq: this.l2Seq.get(inst.symbol) ?? 0, us: 0, dirty: false };
    const depth = this.deps.engine.depth(inst.symbol, 10_000);
    for (const [levels, side] of [
      [depth.bids, book.bids],
      [depth.asks, book.asks],
    ] as const) {
      for (const l of levels) side.set(toUnits(l.price, inst.price_scale), { size: toUnits(l.size, inst.qty_scale), orders: l.orders });
    }
    this.books.set(inst.symbol, book);
    return book;
  }

  private onBook(m: BookMessage): void {
    const inst = this.instrument(m.symbol);
    if (!inst) return;
    const book = this.books.get(m.symbol) ?? this.seedBook(inst);
    if (!(m.seq > book.seq)) return;
    const side = m.side === 'bid' ? book.bids : book.asks;
    const price = toUnits(m.price, inst.price_scale);
    const size = toUnits(m.size, inst.qty_scale);
    if (size === 0n) side.delete(price);
    else side.set(price, { size, orders: m.orders });
    book.seq = m.seq;
    book.us = microsOf(m.timestamp);
    book.dirty = true;
  }

  /** Queues an L2 snapshot of every book changed since its last one. */
  snapshotBooks(): void {
    const n = this.opts.l2Levels;
    for (const [symbol, book] of this.books) {
      if (!book.dirty || !(book.seq > (this.l2Seq.get(symbol) ?? 0))) continue;
      book.dirty = false;
      this.l2Seq.set(symbol, book.seq);
      const top = (side: Map<bigint, Level>, desc: boolean) =>
        [...side.entries()].sort(([a], [b]) => (a === b ? 0 : (a < b) === desc ? 1 : -1)).slice(0, n);
      const bids = top(book.bids, true);
      const asks = top(book.asks, false);
      this.snapshots.push({
        symbol,
        ts: chTime(book.us),
        seq: book.seq,
        bid_prices: bids.map(([p]) => p.toString()),
        bid_sizes: bids.map(([, l]) => l.size.toString()),
        bid_orders: bids.map(([, l]) => l.orders),
        ask_prices: asks.map(([p]) => p.toString()),
        ask_sizes: asks.map(([, l]) => l.size.toString()),
        ask_orders: asks.map(([, l]) => l.orders),
      });
    }
  }

  private kick(): void {
    if (this.pending() >= this.opts.maxPending) void this.flush().catch((err: unknown) => this.deps.logger.error({ err }, 'market projector flush failed'));
  }

  /** Writes everything pending (one write at a time); resolves when it is stored. Rejects if a write fails (rows are kept for the retry). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (this.pending() === 0) return;
    this.flushing = this.write();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(): Promise<void> {
    const { store, metrics } = this.deps;
    for (const [table, take] of [
      ['trades', () => this.trades.splice(0)],
      ['quotes', () => this.quotes.splice(0)],
      ['l2_snapshots', () => this.snapshots.splice(0)],
    ] as const) {
      const rows = take();
      if (rows.length === 0) continue;
      try {
        await store.insert(table, rows);
        metrics.projectorRows.inc({ table }, rows.length);
      } catch (err) {
        metrics.projectorErrors.inc();
        // Put them back in front, in order, for the next attempt.
        const queue = table === 'trades' ? this.trades : table === 'quotes' ? this.quotes : this.snapshots;
        queue.unshift(...rows);
        throw err;
      }
    }
  }

  /** Snapshots the books and writes everything pending (for shutdown and tests). */
  async sync(): Promise<void> {
    this.snapshotBooks();
    await this.flush();
  }

  /** Unsubscribes (or stops the durable feed), stops the timers and writes what is pending. */
  async stop(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    await this.feed?.stop();
    this.feed = undefined;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.sync();
  }
}
