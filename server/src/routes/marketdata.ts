// Market data from the market store (ClickHouse) and the engine, named after
// Alpaca's Market Data API: bars of any timeframe rolled up from the 1-minute
// bars, trades, stored quotes and L2 snapshots (each with start/end/limit/sort
// and page_token pagination), the latest trade and quote, and a snapshot.
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { requireAuth, type AppEnv } from '../http/auth.ts';
import { invalid, notFound } from '../http/errors.ts';
import { IsoTime, orNull, Symbol } from '../http/schemas.ts';
import { TIMEFRAME, type RangeQuery } from '../market/data.ts';
import type { Instrument } from '../venue/types.ts';
import { authenticated, errorResponses, jsonResponse } from './common.ts';

const SymbolParam = z.object({ symbol: Symbol.openapi({ param: { name: 'symbol', in: 'path' } }) });

const rangeFields = {
  start: IsoTime.optional().openapi({ description: "Inclusive; default: the start of end's UTC day (the current day without end)" }),
  end: IsoTime.optional().openapi({ description: 'Inclusive; default: now' }),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  sort: z.enum(['asc', 'desc']).default('asc'),
  page_token: z.string().min(1).max(512).optional().openapi({ description: 'next_page_token of the previous page' }),
};
const RangeParams = z.object(rangeFields).strict();
/** Query of the bar routes (one symbol, or several with `symbols`). */
export const BarParams = z
  .object({
    timeframe: z.string().max(10).regex(TIMEFRAME, 'must be [1-59]Min, [1-23]Hour or 1Day').default('1Min').openapi({ description: '[1-59]Min, [1-23]Hour or 1Day; buckets start on multiples of it since the epoch (UTC)', example: '5Min' }),
    ...rangeFields,
  })
  .strict();

export const BarSchema = z
  .object({
    t: z.string(),
    o: z.string(),
    h: z.string(),
    l: z.string(),
    c: z.string(),
    v: z.string(),
    n: z.number().int(),
    vw: z.string(),
  })
  .openapi('Bar');
export const TradeSchema = z
  .object({ t: z.string(), p: z.string(), s: z.string(), i: z.number().int(), tks: z.enum(['B', 'S']) })
  .openapi('Trade');
export const QuoteSchema = z
  .object({ t: z.string(), bp: z.string().nullable(), bs: z.string(), ap: z.string().nullable(), as: z.string() })
  .openapi('MarketQuote');
const LevelSchema = z.object({ p: z.string(), s: z.string(), n: z.number().int() });
const L2Schema = z.object({ t: z.string(), seq: z.number().int(), bids: z.array(LevelSchema), asks: z.array(LevelSchema) }).openapi('L2Snapshot');

const BarsPage = z.object({ symbol: z.string(), timeframe: z.string(), bars: z.array(BarSchema), next_page_token: z.string().nullable() }).openapi('BarsPage');
const TradesPage = z.object({ symbol: z.string(), trades: z.array(TradeSchema), next_page_token: z.string().nullable() }).openapi('TradesPage');
const QuotesPage = z.object({ symbol: z.string(), quotes: z.array(QuoteSchema), next_page_token: z.string().nullable() }).openapi('QuotesPage');
const L2Page = z.object({ symbol: z.string(), snapshots: z.array(L2Schema), next_page_token: z.string().nullable() }).openapi('L2SnapshotsPage');
export const SnapshotSchema = z
  .object({
    symbol: z.string(),
    latestTrade: orNull(TradeSchema),
    latestQuote: QuoteSchema,
    minuteBar: orNull(BarSchema),
    dailyBar: orNull(BarSchema),
    prevDailyBar: orNull(BarSchema),
  })
  .openapi('Snapshot');

const DAY_MS = 86_400_000;

/** The page request of a range query; end defaults to now, start to the start of end's UTC day. */
export function rangeOf(deps: AppDeps, q: { start?: string; end?: string; limit: number; sort: 'asc' | 'desc'; page_token?: string }): RangeQuery {
  const now = deps.clock.now();
  const end = q.end === undefined ? now : Date.parse(q.end);
  // Without a start, the range is end's UTC day up to end: a past end alone names that day, not an empty range.
  const start = q.start === undefined ? Math.floor(end / DAY_MS) * DAY_MS : Date.parse(q.start);
  if (start > end) throw invalid('start must not be after end', 'start');
  return { start, end, limit: q.limit, sort: q.sort, pageToken: q.page_token };
}

/** The engine's current best bid and ask, in the stored-quote shape. */
export function latestQuoteOf(deps: AppDeps, symbol: string): z.infer<typeof QuoteSchema> {
  const q = deps.engine.quote(symbol);
  return { t: q.timestamp, bp: q.bid_price, bs: q.bid_size, ap: q.ask_price, as: q.ask_size };
}

/** Latest trade, latest quote, the latest minute bar and the latest two daily bars of one instrument. */
export async function snapshotOf(deps: AppDeps, inst: Instrument): Promise<z.infer<typeof SnapshotSchema>> {
  const now = deps.clock.now();
  const [latestTrade, minute, daily] = await Promise.all([
    deps.market.data.latestTrade(inst),
    deps.market.data.latestBars(inst, 60, 1, now),
    deps.market.data.latestBars(inst, 86_400, 2, now),
  ]);
  return {
    symbol: inst.symbol,
    latestTrade: latestTrade ?? null,
    latestQuote: latestQuoteOf(deps, inst.symbol),
    minuteBar: minute[0] ?? null,
    dailyBar: daily[0] ?? null,
    prevDailyBar: daily[1] ?? null,
  };
}

export function registerMarketDataRoutes(app: App, deps: AppDeps): void {
  const { market, engine } = deps;
  const readAuth = requireAuth(deps, 'read');
  // The instruments module already authenticates /v1/market/*; this covers these routes if that ever changes, without counting a request twice.
  const auth: MiddlewareHandler<AppEnv> = async (c, next) => (c.get('principal') ? next() : readAuth(c, next));
  for (const suffix of ['bars', 'trades', 'trades/latest', 'quotes', 'quotes/latest', 'orderbook/snapshots', 'snapshot']) {
    app.on(['GET'], `/v1/market/:symbol/${suffix}`, auth);
  }

  const instrument = (symbol: string): Instrument => {
    const inst = engine.instrument(symbol);
    if (!inst) throw notFound(`unknown symbol '${symbol}'`);
    return inst;
  };
  const range = (q: Parameters<typeof rangeOf>[1]): RangeQuery => rangeOf(deps, q);
  const errors = errorResponses(401, 403, 404, 422, 429);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/bars',
      tags: ['market data'],
      summary: 'Bars (OHLCV, trade count, VWAP) rolled up from the stored 1-minute bars',
      security: authenticated,
      request: { params: SymbolParam, query: BarParams },
      responses: { 200: jsonResponse(BarsPage, 'One page of bars'), ...errors },
    }),
    async (c) => {
      const { symbol } = c.req.valid('param');
      const q = c.req.valid('query');
      const inst = instrument(symbol);
      const page = await market.data.bars(inst, q.timeframe, range(q));
      return c.json({ symbol, timeframe: q.timeframe, bars: page.items, next_page_token: page.next_page_token }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/trades',
      tags: ['market data'],
      summary: 'Trades (i: the engine sequence number; tks: taker side B/S)',
      security: authenticated,
      request: { params: SymbolParam, query: RangeParams },
      responses: { 200: jsonResponse(TradesPage, 'One page of trades'), ...errors },
    }),
    async (c) => {
      const { symbol } = c.req.valid('param');
      const page = await market.data.trades(instrument(symbol), range(c.req.valid('query')));
      return c.json({ symbol, trades: page.items, next_page_token: page.next_page_token }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/trades/latest',
      tags: ['market data'],
      summary: 'The latest stored trade (null before the first)',
      security: authenticated,
      request: { params: SymbolParam },
      responses: { 200: jsonResponse(z.object({ symbol: z.string(), trade: orNull(TradeSchema) }), 'The latest trade'), ...errors },
    }),
    async (c) => {
      const { symbol } = c.req.valid('param');
      const trade = await market.data.latestTrade(instrument(symbol));
      return c.json({ symbol, trade: trade ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/quotes',
      tags: ['market data'],
      summary: 'Stored top-of-book quotes (every change of best bid/ask or their sizes)',
      security: authenticated,
      request: { params: SymbolParam, query: RangeParams },
      responses: { 200: jsonResponse(QuotesPage, 'One page of quotes'), ...errors },
    }),
    async (c) => {
      const { symbol } = c.req.valid('param');
      const page = await market.data.quotes(instrument(symbol), range(c.req.valid('query')));
      return c.json({ symbol, quotes: page.items, next_page_token: page.next_page_token }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/quotes/latest',
      tags: ['market data'],
      summary: 'The current best bid and ask with sizes, from the engine',
      security: authenticated,
      request: { params: SymbolParam },
      responses: { 200: jsonResponse(z.object({ symbol: z.string(), quote: QuoteSchema }), 'The latest quote'), ...errors },
    }),
    (c) => {
      const { symbol } = c.req.valid('param');
      instrument(symbol);
      return c.json({ symbol, quote: latestQuoteOf(deps, symbol) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/orderbook/snapshots',
      tags: ['market data'],
      summary: 'Stored L2 snapshots (top levels per side, taken about once a second while the book changes)',
      security: authenticated,
      request: { params: SymbolParam, query: RangeParams },
      responses: { 200: jsonResponse(L2Page, 'One page of L2 snapshots'), ...errors },
    }),
    async (c) => {
      const { symbol } = c.req.valid('param');
      const page = await market.data.l2Snapshots(instrument(symbol), range(c.req.valid('query')));
      return c.json({ symbol, snapshots: page.items, next_page_token: page.next_page_token }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/snapshot',
      tags: ['market data'],
      summary: 'Latest trade, latest quote, the latest minute bar, and the latest two daily bars',
      security: authenticated,
      request: { params: SymbolParam },
      responses: { 200: jsonResponse(SnapshotSchema, 'The snapshot'), ...errors },
    }),
    async (c) => c.json(await snapshotOf(deps, instrument(c.req.valid('param').symbol)), 200),
  );
}
