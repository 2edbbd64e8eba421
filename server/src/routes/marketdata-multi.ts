// Market data for several symbols in one request, after Alpaca's multi-symbol
// endpoints: bars (one page across the symbols: `limit` counts every bar,
// symbols in alphabetical order, `page_token` carries on where the page
// stopped), the latest trade, the latest quote and a snapshot per symbol.
// `symbols` is a comma-separated list of listed symbols (at most
// MAX_SYMBOLS); an empty, unknown or excess symbol is a 422 naming `symbols`.
import { Buffer } from 'node:buffer';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { requireAuth, type AppEnv } from '../http/auth.ts';
import { invalid } from '../http/errors.ts';
import { commaListPattern } from '../http/schemas.ts';
import type { Bar } from '../market/data.ts';
import type { Instrument } from '../venue/types.ts';
import { authenticated, errorResponses, jsonResponse } from './common.ts';
import { BarParams, BarSchema, QuoteSchema, SnapshotSchema, TradeSchema, latestQuoteOf, rangeOf, snapshotOf } from './marketdata.ts';

/** Most symbols one request may name. */
export const MAX_SYMBOLS = 100;

/** A comma-separated list with no empty entry (spaces around an entry are dropped). */
const SYMBOL_LIST = commaListPattern(/^[^,\s]+$/);

const Symbols = z
  .string()
  .max(MAX_SYMBOLS * 17)
  .regex(SYMBOL_LIST, 'must be a comma-separated list of symbols with none empty')
  .openapi({ description: `Comma-separated symbols, at most ${MAX_SYMBOLS}`, example: 'AAPL,BTC-USD' });
const SymbolsQuery = z.object({ symbols: Symbols }).strict();
const MultiBarParams = BarParams.extend({ symbols: Symbols }).strict();

const MultiBars = z
  .object({ bars: z.record(z.string(), z.array(BarSchema)), timeframe: z.string(), next_page_token: z.string().nullable() })
  .openapi('MultiBars');
const LatestTrades = z.object({ trades: z.record(z.string(), TradeSchema) }).openapi('LatestTrades');
const LatestQuotes = z.object({ quotes: z.record(z.string(), QuoteSchema) }).openapi('LatestQuotes');
const Snapshots = z.object({ snapshots: z.record(z.string(), SnapshotSchema) }).openapi('Snapshots');

/** Where a multi-symbol bars page stopped: the symbol, and that symbol's own page token (none: from its start). */
interface MultiCursor {
  s: string;
  t: string | null;
}

export function registerMultiSymbolMarketDataRoutes(app: App, deps: AppDeps): void {
  const readAuth = requireAuth(deps, 'read');
  const auth: MiddlewareHandler<AppEnv> = async (c, next) => (c.get('principal') ? next() : readAuth(c, next));
  for (const path of ['bars', 'trades/latest', 'quotes/latest', 'snapshots']) app.on(['GET'], `/v1/market/${path}`, auth);

  /** The listed instruments named by `symbols`, deduplicated, in alphabetical order. */
  const instrumentsOf = (symbols: string): Instrument[] => {
    const names = [...new Set(symbols.split(',').map((s) => s.trim()))];
    if (names.length > MAX_SYMBOLS) throw invalid(`at most ${MAX_SYMBOLS} symbols per request, got ${names.length}`, 'symbols');
    return names.sort().map((s) => {
      const inst = deps.engine.instrument(s);
      if (!inst) throw invalid(`unknown symbol '${s.slice(0, 32)}'`, 'symbols', 'unknown_symbol');
      return inst;
    });
  };
  const errors = errorResponses(401, 403, 422, 429);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/bars',
      tags: ['market data'],
      summary: 'Bars of several symbols: one page of at most `limit` bars across them, symbol by symbol in alphabetical order',
      security: authenticated,
      request: { query: MultiBarParams },
      responses: { 200: jsonResponse(MultiBars, 'One page of bars, by symbol'), ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const insts = instrumentsOf(q.symbols);
      const range = rangeOf(deps, { ...q, page_token: undefined });
      let from = 0;
      let inner: string | undefined;
      if (q.page_token !== undefined) {
        const cur = decodeCursor(q.page_token);
        from = insts.findIndex((i) => i.symbol === cur.s);
        if (from < 0) throw invalid(`page_token is for symbol '${cur.s}', which this request does not name`, 'page_token');
        inner = cur.t ?? undefined;
      }
      const bars: Record<string, Bar[]> = {};
      let remaining = q.limit;
      let next: MultiCursor | null = null;
      for (let i = from; i < insts.length; i++) {
        const inst = insts[i];
        const page = await deps.market.data.bars(inst, q.timeframe, { ...range, limit: remaining, pageToken: i === from ? inner : undefined });
        if (page.items.length > 0) bars[inst.symbol] = page.items;
        remaining -= page.items.length;
        if (page.next_page_token !== null) {
          next = { s: inst.symbol, t: page.next_page_token };
          break;
        }
        if (remaining === 0) {
          if (i + 1 < insts.length) next = { s: insts[i + 1].symbol, t: null };
          break;
        }
      }
      return c.json({ bars, timeframe: q.timeframe, next_page_token: next === null ? null : encodeCursor(next) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/trades/latest',
      tags: ['market data'],
      summary: 'The latest stored trade of each symbol (a symbol with no trade yet is left out)',
      security: authenticated,
      request: { query: SymbolsQuery },
      responses: { 200: jsonResponse(LatestTrades, 'Latest trades, by symbol'), ...errors },
    }),
    async (c) => {
      const insts = instrumentsOf(c.req.valid('query').symbols);
      const latest = await Promise.all(insts.map((inst) => deps.market.data.latestTrade(inst)));
      const trades: Record<string, z.infer<typeof TradeSchema>> = {};
      insts.forEach((inst, i) => {
        const trade = latest[i];
        if (trade) trades[inst.symbol] = trade;
      });
      return c.json({ trades }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/quotes/latest',
      tags: ['market data'],
      summary: 'The current best bid and ask with sizes of each symbol, from the engine',
      security: authenticated,
      request: { query: SymbolsQuery },
      responses: { 200: jsonResponse(LatestQuotes, 'Latest quotes, by symbol'), ...errors },
    }),
    (c) => {
      const insts = instrumentsOf(c.req.valid('query').symbols);
      return c.json({ quotes: Object.fromEntries(insts.map((inst) => [inst.symbol, latestQuoteOf(deps, inst.symbol)])) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/snapshots',
      tags: ['market data'],
      summary: 'A snapshot of each symbol: latest trade, latest quote, the latest minute bar and the latest two daily bars',
      security: authenticated,
      request: { query: SymbolsQuery },
      responses: { 200: jsonResponse(Snapshots, 'Snapshots, by symbol'), ...errors },
    }),
    async (c) => {
      const insts = instrumentsOf(c.req.valid('query').symbols);
      const snaps = await Promise.all(insts.map((inst) => snapshotOf(deps, inst)));
      return c.json({ snapshots: Object.fromEntries(snaps.map((s) => [s.symbol, s])) }, 200);
    },
  );
}

function encodeCursor(c: MultiCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(token: string): MultiCursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('page_token is not a token this API returned', 'page_token');
  }
  const cur = c as Partial<MultiCursor> | null;
  if (!cur || typeof cur !== 'object' || typeof cur.s !== 'string' || (cur.t !== null && typeof cur.t !== 'string')) {
    throw invalid('page_token does not belong to this request (multi-symbol bars)', 'page_token');
  }
  return cur as MultiCursor;
}
