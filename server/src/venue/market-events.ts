// The market events of a batch (trades, L2 level changes, quotes), picked
// from the messages the engine service publishes, each with an id fixed by
// the engine's event sequence. With NATS they go to the events stream before
// the batch's rows are committed (production/event-stream.ts), so every
// command reflected in the database has its market events stored, and a
// command run again after a crash produces the same ids (de-duplicated).

/** What a market event is. */
export type MarketEventType = 'trade' | 'book' | 'quote';

/** One market event: `message` is what the bus carries on `<type>s.<SYMBOL>` (`book.<SYMBOL>` for book). */
export interface MarketEvent {
  type: MarketEventType;
  symbol: string;
  /**
   * Unique and stable: a trade's or a book change's engine event sequence;
   * a quote's is the sequence of the last book change behind it plus "q".
   */
  id: string;
  message: unknown;
}

/** Where market events are made durable (resolves once all are stored; idempotent by id). */
export interface MarketEventSink {
  publish(events: readonly MarketEvent[]): Promise<void>;
}

/** A running feed of market events. */
export interface MarketEventFeed {
  /** Stops fetching; resolves once the batch in hand is handled (acknowledged if it was stored). */
  stop(): Promise<void>;
}

/** Where a projector reads market events from durably (the JetStream events stream): batches in order, each acknowledged once `handle` resolves. */
export interface MarketEventSource {
  start(handle: (events: MarketEvent[]) => Promise<void>): Promise<MarketEventFeed>;
}

const TYPE_OF_PREFIX: Record<string, MarketEventType> = { trades: 'trade', book: 'book', quotes: 'quote' };

/** The market events among bus messages `[subject, message]`, in order. Book changes precede the quote they lead to. */
export function marketEvents(published: readonly [string, unknown][]): MarketEvent[] {
  const out: MarketEvent[] = [];
  const lastBookSeq = new Map<string, number>();
  for (const [subject, message] of published) {
    const dot = subject.indexOf('.');
    const type = TYPE_OF_PREFIX[subject.slice(0, dot)];
    if (type === undefined) continue;
    const symbol = subject.slice(dot + 1);
    const m = message as { seq?: number };
    if (type === 'quote') {
      const seq = lastBookSeq.get(symbol);
      if (seq === undefined) throw new Error(`a quote of ${symbol} without a book change before it`);
      out.push({ type, symbol, id: `${seq}q`, message });
      continue;
    }
    if (type === 'book') lastBookSeq.set(symbol, m.seq!);
    out.push({ type, symbol, id: String(m.seq), message });
  }
  return out;
}
