// Live streams: WebSocket at /v1/stream and Server-Sent Events at
// /v1/stream/sse, both over the stream hub (market/streams.ts).
//
// WebSocket: the runtime entry injects its upgradeWebSocket (Node:
// @hono/node-server with `ws`, Deno: hono/deno, Bun: hono/bun) as
// deps.upgradeWebSocket; without one the route answers 501. Credentials come
// with the upgrade request (Authorization or the APCA-API-* headers) or in the
// first message, Alpaca style: {"action":"auth","key":…,"secret":…} or
// {"action":"auth","token":…}. Then {"action":"subscribe"|"unsubscribe",
// "trades":[…], "quotes":[…], "book":[…], "trade_updates":true}. Every frame
// the server sends is a JSON array of messages.
//
// SSE: GET /v1/stream/sse?trades=AAPL,MSFT&quotes=…&book=…&trade_updates=true
// with the usual credentials; each message is an event named by its `T`.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { WSContext } from 'hono/ws';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { authenticate, requireAuth, type AppEnv, type Principal } from '../http/auth.ts';
import { ApiError, invalid, toApiError, validationError } from '../http/errors.ts';
import { commaListPattern } from '../http/schemas.ts';
import { CHANNELS, type StreamConnection, type StreamMessage, type SubscriptionRequest } from '../market/streams.ts';
import { authenticated, errorResponses } from './common.ts';

const SYMBOL_OR_ALL = /^(\*|[A-Z0-9][A-Z0-9./-]{0,15})$/;
const SymbolList = z.array(z.string().regex(SYMBOL_OR_ALL, 'must be "*" or an upper-case symbol')).max(100);
/** What `commaList` takes, as the published pattern. */
const SYMBOL_LIST_TEXT = commaListPattern(SYMBOL_OR_ALL, true);

const ClientMessage = z.discriminatedUnion('action', [
  z
    .object({ action: z.literal('auth'), key: z.string().max(200).optional(), secret: z.string().max(200).optional(), token: z.string().max(4096).optional() })
    .strict()
    .refine((m) => (m.token !== undefined) !== (m.key !== undefined && m.secret !== undefined), { message: 'send either token or both key and secret', path: ['key'] }),
  z
    .object({
      action: z.enum(['subscribe', 'unsubscribe']),
      trades: SymbolList.optional(),
      quotes: SymbolList.optional(),
      book: SymbolList.optional(),
      trade_updates: z.boolean().optional(),
    })
    .strict(),
]);

/** Checks that every named symbol is listed (or `*`); a 422 names the channel otherwise. */
function checkSymbols(deps: AppDeps, req: SubscriptionRequest): void {
  for (const channel of CHANNELS) {
    for (const symbol of req[channel] ?? []) {
      if (symbol !== '*' && !deps.engine.instrument(symbol)) throw invalid(`unknown symbol '${symbol}'`, channel);
    }
  }
}

/** The error message a stream client gets for a failed request. */
function errorMessage(err: unknown): StreamMessage {
  const known = toApiError(err);
  if (known) return { T: 'error', code: known.status, msg: known.message, ...(known.field ? { field: known.field } : {}) };
  return { T: 'error', code: 500, msg: 'internal error' };
}

/** Authenticates an auth message the way the HTTP headers would be. */
async function authenticateMessage(deps: AppDeps, msg: { key?: string; secret?: string; token?: string }): Promise<Principal> {
  const headers: Record<string, string> =
    msg.token !== undefined ? { authorization: `Bearer ${msg.token}` } : { 'apca-api-key-id': msg.key ?? '', 'apca-api-secret-key': msg.secret ?? '' };
  const fake = { req: { header: (name: string) => headers[name.toLowerCase()] } } as unknown as Context;
  const p = await authenticate(deps, fake);
  if (!p.scopes.includes('read')) throw new ApiError(403, 'insufficient_scope', "this API key lacks the 'read' scope");
  return p;
}

const hasCredentials = (c: Context): boolean =>
  c.req.header('authorization') !== undefined || c.req.header('apca-api-key-id') !== undefined || c.req.header('apca-api-secret-key') !== undefined;

/** Handles one WebSocket connection's client messages in order. */
function wsSession(deps: AppDeps, principal: Principal | undefined) {
  let conn: StreamConnection | undefined;
  let chain = Promise.resolve();
  const handle = async (text: string): Promise<void> => {
    if (!conn) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      conn.deliver({ T: 'error', code: 400, msg: 'messages must be JSON' });
      return;
    }
    const r = ClientMessage.safeParse(parsed);
    if (!r.success) {
      // As for a request body: an unknown key, a missing field or a bad value is named; a non-object names none.
      conn.deliver(errorMessage(validationError(r.error, 'message', parsed)));
      return;
    }
    const msg = r.data;
    try {
      if (msg.action === 'auth') {
        conn.principal = await authenticateMessage(deps, msg);
        conn.deliver({ T: 'success', msg: 'authenticated' });
        return;
      }
      if (!conn.principal) throw new ApiError(401, 'unauthorized', 'authenticate first: {"action":"auth","key":…,"secret":…}');
      checkSymbols(deps, msg);
      if (msg.action === 'subscribe') conn.subscribe(msg);
      else conn.unsubscribe(msg);
      conn.deliver(conn.subscription());
    } catch (err) {
      conn.deliver(errorMessage(err));
    }
  };
  return {
    onOpen(_evt: Event, ws: WSContext) {
      conn = deps.market.streams.connect(
        'ws',
        (m) => ws.send(JSON.stringify([m])),
        () => ws.close(1001, 'server shutting down'),
      );
      conn.principal = principal;
      conn.deliver({ T: 'success', msg: principal ? 'authenticated' : 'connected' });
    },
    onMessage(evt: MessageEvent) {
      const text = typeof evt.data === 'string' ? evt.data : new TextDecoder().decode(evt.data as ArrayBuffer);
      chain = chain.then(() => handle(text));
    },
    onClose() {
      conn?.close();
    },
    onError() {
      conn?.close();
    },
  };
}

function commaList(field: string) {
  return z
    .string()
    .max(2000)
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return [];
      const list = v.split(',').map((s) => s.trim());
      const r = SymbolList.safeParse(list);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: `${field} must be a comma-separated list of symbols or "*"` });
        return z.NEVER;
      }
      return r.data;
    })
    .openapi({
      type: 'string',
      maxLength: 2000,
      pattern: SYMBOL_LIST_TEXT.source,
      description: 'Comma-separated upper-case symbols or "*", at most 100',
      example: 'AAPL,MSFT',
    });
}

const SseQuery = z
  .object({
    trades: commaList('trades'),
    quotes: commaList('quotes'),
    book: commaList('book'),
    trade_updates: z.enum(['true', 'false']).optional(),
  })
  .strict();

/** Keep-alive comment interval for SSE. */
const SSE_KEEPALIVE_MS = 15_000;

export function registerStreamRoutes(app: App, deps: AppDeps): void {
  const readAuth = requireAuth(deps, 'read');
  const upgrade = deps.upgradeWebSocket;
  const precheck: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (!upgrade) {
      throw new ApiError(501, 'not_implemented', 'WebSocket streaming is not available on this runtime; use GET /v1/stream/sse');
    }
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new ApiError(426, 'upgrade_required', 'GET /v1/stream is a WebSocket endpoint (send Upgrade: websocket); SSE is at /v1/stream/sse');
    }
    if (hasCredentials(c)) return readAuth(c, next);
    await next();
  };
  if (upgrade) {
    app.get(
      '/v1/stream',
      precheck,
      upgrade((c) => wsSession(deps, (c as Context<AppEnv>).get('principal'))),
    );
  } else {
    app.get('/v1/stream', precheck);
  }

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/stream',
    tags: ['streams'],
    summary: 'Live trades, quotes, L2 deltas and your order updates over a WebSocket',
    description:
      'Upgrade: websocket. Authenticate with the HTTP credentials on the upgrade request or send {"action":"auth","key","secret"} / {"action":"auth","token"}; then {"action":"subscribe"|"unsubscribe","trades":[…],"quotes":[…],"book":[…],"trade_updates":true}. Frames are JSON arrays of messages with T = t, q, d, u, subscription, success or error.',
    security: authenticated,
    responses: {
      101: { description: 'Switching to the WebSocket protocol' },
      ...errorResponses(401, 403, 429),
      426: { description: 'Not a WebSocket upgrade request' },
      501: { description: 'This runtime has no WebSocket support configured; use /v1/stream/sse' },
    },
  });

  app.on(['GET'], ['/v1/stream/sse'], readAuth);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/stream/sse',
      tags: ['streams'],
      summary: 'Live trades, quotes, L2 deltas and your order updates as Server-Sent Events',
      description:
        'Events are named by their `T`: t (trade), q (quote), d (L2 level change), u (your order/fill update), subscription, error. The WebSocket at /v1/stream carries the same messages.',
      security: authenticated,
      request: { query: SseQuery },
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...errorResponses(401, 403, 422, 429),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const req: SubscriptionRequest = { trades: q.trades, quotes: q.quotes, book: q.book, trade_updates: q.trade_updates === 'true' };
      checkSymbols(deps, req);
      const principal = c.get('principal');
      return streamSSE(c, async (stream) => {
        let id = 0;
        const conn = deps.market.streams.connect(
          'sse',
          (m) => void stream.writeSSE({ event: m.T, data: JSON.stringify(m), id: String(++id) }),
          () => stream.abort(),
        );
        stream.onAbort(() => conn.close());
        conn.principal = principal;
        conn.subscribe(req);
        conn.deliver(conn.subscription());
        while (!stream.aborted && !stream.closed) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, SSE_KEEPALIVE_MS);
            stream.onAbort(() => {
              clearTimeout(timer);
              resolve();
            });
          });
          if (!stream.aborted) await stream.write(': keep-alive\n\n');
        }
        conn.close();
      }) as never;
    },
  );
}
