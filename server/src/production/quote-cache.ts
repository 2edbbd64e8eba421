// Keeps the latest quote of every symbol in the cache, from the bus's
// quotes.<SYMBOL> messages, so processes without the engine (API nodes in a
// scale-out, dashboards) read top of book from Redis instead of asking the
// engine process.
import type { Bus, Cache } from '../deps.ts';
import type { Logger } from 'pino';
import type { Quote } from '../venue/types.ts';

/** Cache key of a symbol's latest quote. */
export const quoteKey = (symbol: string): string => `quote:${symbol}`;

/**
 * Mirrors quotes into `cache` (no expiry: a quote stays until the next one
 * replaces it). Writes go out in arrival order on one connection, so the last
 * one wins. Returns the function that stops mirroring.
 */
export function mirrorQuotes(bus: Bus, cache: Cache, logger?: Logger): () => void {
  let failing = false;
  return bus.subscribe('quotes.>', (_subject, message) => {
    const q = message as Quote;
    cache.set(quoteKey(q.symbol), JSON.stringify(q)).then(
      () => {
        failing = false;
      },
      (err: unknown) => {
        // A cache outage is reported once; the next quote after it rewrites the key.
        if (!failing) logger?.warn({ err, symbol: q.symbol }, 'quote cache: write failed');
        failing = true;
      },
    );
  });
}

/** The cached latest quote of `symbol`, or undefined if none was seen. */
export async function cachedQuote(cache: Cache, symbol: string): Promise<Quote | undefined> {
  const v = await cache.get(quoteKey(symbol));
  return v === undefined ? undefined : (JSON.parse(v) as Quote);
}
