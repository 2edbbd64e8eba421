// Instruments and the simplest market data (latest quote, depth) read from
// the engine. The market-data routes over stored trades and bars live beside
// this file.
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { requireAuth } from '../http/auth.ts';
import { notFound } from '../http/errors.ts';
import { InstrumentSchema, QuoteSchema, Symbol, instrumentOut } from '../http/schemas.ts';
import { authenticated, errorResponses, jsonResponse } from './common.ts';

const Level = z.object({ price: z.string(), size: z.string(), orders: z.number().int() });
const DepthSchema = z.object({ symbol: z.string(), bids: z.array(Level), asks: z.array(Level), timestamp: z.string() }).openapi('Depth');
const SymbolParam = z.object({ symbol: Symbol.openapi({ param: { name: 'symbol', in: 'path' } }) });

export function registerMarketRoutes(app: App, deps: AppDeps): void {
  app.on(['GET'], ['/v1/instruments/*', '/v1/market/*'], requireAuth(deps, 'read'));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/instruments',
      tags: ['instruments'],
      summary: 'Listed instruments',
      security: authenticated,
      responses: { 200: jsonResponse(z.array(InstrumentSchema), 'Instruments'), ...errorResponses(401, 429) },
    }),
    (c) => c.json(deps.engine.instruments().map(instrumentOut), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/instruments/{symbol}',
      tags: ['instruments'],
      summary: 'One instrument',
      security: authenticated,
      request: { params: SymbolParam },
      responses: { 200: jsonResponse(InstrumentSchema, 'The instrument'), ...errorResponses(401, 404, 422, 429) },
    }),
    (c) => {
      const { symbol } = c.req.valid('param');
      const inst = deps.engine.instrument(symbol);
      if (!inst) throw notFound(`instrument ${symbol} not found`);
      return c.json(instrumentOut(inst), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/quote',
      tags: ['market data'],
      summary: 'Latest quote (best bid/ask with sizes) and last trade price',
      security: authenticated,
      request: { params: SymbolParam },
      responses: { 200: jsonResponse(QuoteSchema, 'The quote'), ...errorResponses(401, 404, 422, 429) },
    }),
    (c) => c.json(deps.engine.quote(c.req.valid('param').symbol), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/market/{symbol}/depth',
      tags: ['market data'],
      summary: 'Top N price levels per side (L2)',
      security: authenticated,
      request: { params: SymbolParam, query: z.object({ levels: z.coerce.number().int().min(1).max(100).default(10) }).strict() },
      responses: { 200: jsonResponse(DepthSchema, 'Depth'), ...errorResponses(401, 404, 422, 429) },
    }),
    (c) => c.json(deps.engine.depth(c.req.valid('param').symbol, c.req.valid('query').levels), 200),
  );
}
