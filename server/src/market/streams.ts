// Live streams, independent of transport: a connection subscribes to trades,
// quotes and L2 deltas per symbol (or `*` for all) and to its own account's
// order and fill updates. The WebSocket and SSE routes (routes/stream.ts)
// only move the messages this produces.
//
// Private updates are isolated by construction: a connection can only ever
// subscribe to `trade_updates.<its authenticated account id>`; the client
// names no account.
//
// Every message is an object with `T` (Alpaca's market-data stream style):
//   t trade {S, i, p, s, t, tks}, q quote {S, bp, bs, ap, as, t},
//   d L2 delta {S, side, p, s, n, i, t} (size and order count are the level's new totals),
//   u order update {event, order, price?, qty?, timestamp?},
//   success {msg}, error {code, msg, field?}, subscription {trades, quotes, book, trade_updates}.
import type { Bus } from '../deps.ts';
import type { Principal } from '../http/auth.ts';
import type { VenueMetrics } from './metrics.ts';
import type { BookMessage, QuoteMessage, TradeMessage } from './projector.ts';

/** A message to a stream client. */
export type StreamMessage = { T: string } & Record<string, unknown>;

/** Market channels a connection subscribes to per symbol. */
export const CHANNELS = ['trades', 'quotes', 'book'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A subscription change: symbols per channel, and/or the caller's order updates. */
export interface SubscriptionRequest {
  trades?: string[];
  quotes?: string[];
  book?: string[];
  trade_updates?: boolean;
}

const SUBJECT: Record<Channel, string> = { trades: 'trades', quotes: 'quotes', book: 'book' };

function toMessage(channel: Channel, m: unknown): StreamMessage {
  if (channel === 'trades') {
    const t = m as TradeMessage;
    return { T: 't', S: t.symbol, i: t.seq, p: t.price, s: t.size, t: t.timestamp, tks: t.taker_side === 'buy' ? 'B' : 'S' };
  }
  if (channel === 'quotes') {
    const q = m as QuoteMessage;
    return { T: 'q', S: q.symbol, bp: q.bid_price, bs: q.bid_size, ap: q.ask_price, as: q.ask_size, t: q.timestamp };
  }
  const b = m as BookMessage;
  return { T: 'd', S: b.symbol, side: b.side, p: b.price, s: b.size, n: b.orders, i: b.seq, t: b.timestamp };
}

/** One client connection. */
export class StreamConnection {
  /** Set once the client has authenticated (at connect or with an auth message). */
  principal: Principal | undefined;
  private readonly subs = new Map<string, () => void>();
  private closed = false;

  constructor(
    private readonly hub: StreamHub,
    readonly transport: 'ws' | 'sse',
    private readonly send: (msg: StreamMessage) => void,
  ) {}

  /** The current subscription. */
  subscription(): StreamMessage {
    const out: StreamMessage = { T: 'subscription', trades: [], quotes: [], book: [], trade_updates: false };
    for (const key of this.subs.keys()) {
      const [channel, symbol] = key.split(' ');
      if (channel === 'trade_updates') out.trade_updates = true;
      else (out[channel] as string[]).push(symbol);
    }
    return out;
  }

  /** Adds subscriptions (symbols must be checked by the caller). Needs an authenticated principal for trade_updates. */
  subscribe(req: SubscriptionRequest): void {
    if (this.closed) return;
    for (const channel of CHANNELS) {
      for (const symbol of req[channel] ?? []) {
        const key = `${channel} ${symbol}`;
        if (this.subs.has(key)) continue;
        this.subs.set(
          key,
          this.hub.bus.subscribe(`${SUBJECT[channel]}.${symbol}`, (_s, m) => this.deliver(toMessage(channel, m))),
        );
      }
    }
    if (req.trade_updates === true && this.principal && !this.subs.has('trade_updates')) {
      // Only ever the authenticated caller's own account.
      this.subs.set(
        'trade_updates',
        this.hub.bus.subscribe(`trade_updates.${this.principal.accountId}`, (_s, m) => this.deliver({ T: 'u', ...(m as Record<string, unknown>) })),
      );
    }
  }

  /** Removes subscriptions. */
  unsubscribe(req: SubscriptionRequest): void {
    for (const channel of CHANNELS) {
      for (const symbol of req[channel] ?? []) {
        const key = `${channel} ${symbol}`;
        this.subs.get(key)?.();
        this.subs.delete(key);
      }
    }
    if (req.trade_updates === false || req.trade_updates === true) {
      // `trade_updates: true` in an unsubscribe means "stop them" too.
      this.subs.get('trade_updates')?.();
      this.subs.delete('trade_updates');
    }
  }

  /** Sends a message unless closed (a failing transport closes the connection). */
  deliver(msg: StreamMessage): void {
    if (this.closed) return;
    try {
      this.send(msg);
    } catch {
      this.close();
    }
  }

  /** Drops every subscription; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.subs.values()) u();
    this.subs.clear();
    this.hub.forget(this);
  }
}

/** Tracks the open connections (for the gauge and for closing them on shutdown). */
export class StreamHub {
  private readonly open = new Set<StreamConnection>();
  private readonly closers = new Map<StreamConnection, () => void>();

  constructor(
    readonly bus: Bus,
    private readonly metrics: VenueMetrics,
  ) {}

  /** Opens a connection; `end` ends the transport (called on shutdown). */
  connect(transport: 'ws' | 'sse', send: (msg: StreamMessage) => void, end: () => void): StreamConnection {
    const c = new StreamConnection(this, transport, send);
    this.open.add(c);
    this.closers.set(c, end);
    this.metrics.streamConnections.inc({ transport });
    return c;
  }

  /** Called by a connection as it closes. */
  forget(c: StreamConnection): void {
    if (!this.open.delete(c)) return;
    this.closers.delete(c);
    this.metrics.streamConnections.dec({ transport: c.transport });
  }

  /** Open connections. */
  size(): number {
    return this.open.size;
  }

  /** Closes every connection and ends its transport. */
  close(): void {
    for (const c of [...this.open]) {
      const end = this.closers.get(c);
      c.close();
      try {
        end?.();
      } catch {
        // The transport is already gone.
      }
    }
  }
}
