// The per-request frame every route runs inside: a request id (X-Request-Id,
// as hono's requestId: the caller's if it is a short token, else a new UUID),
// security headers (hono's secureHeaders defaults), and a log line per request
// (debug; error for 5xx).
//
// Headers that do not depend on the route's answer (these, and the rate-limit
// headers auth sets through responseHeader()) go, on @hono/node-server,
// straight onto Node's ServerResponse (`c.env.outgoing`), which merges them
// with the Response's own (a route that sets one of them itself keeps its
// value there; none does). Setting them on the fetch Response instead turns
// the adapter's plain header object into a WHATWG Headers whose every set is
// validated and copied, which cost more than the rest of a cheap route. On
// other runtimes (and in app.request() tests) they go on the Response as hono's
// middleware would.
import type { ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './auth.ts';

/** hono's secureHeaders() defaults. */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

const REQUEST_ID_MAX = 255;
const NOT_REQUEST_ID = /[^\w\-=]/;

/** Node's response under @hono/node-server, or undefined on other runtimes and in app.request(). */
function nodeResponse(c: Context): ServerResponse | undefined {
  const out = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return out !== undefined && typeof out.setHeader === 'function' && !out.headersSent ? out : undefined;
}

/** Sets a response header that does not depend on the route's answer (kept on error responses too). */
export function responseHeader(c: Context, name: string, value: string): void {
  const out = nodeResponse(c);
  if (out !== undefined) out.setHeader(name, value);
  else c.header(name, value);
}

/** The frame middleware (register it before the routes). */
export function requestFrame(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    let id = c.req.header('x-request-id');
    if (!id || id.length > REQUEST_ID_MAX || NOT_REQUEST_ID.test(id)) id = crypto.randomUUID();
    c.set('requestId', id);
    const out = nodeResponse(c);
    if (out !== undefined) {
      out.setHeader('X-Request-Id', id);
      for (const [name, value] of SECURITY_HEADERS) out.setHeader(name, value);
      await next();
    } else {
      c.header('X-Request-Id', id);
      await next();
      // After the route, overwriting what it set, as secureHeaders() does.
      const headers = c.res.headers;
      for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
      headers.delete('X-Powered-By');
    }
    const status = c.res.status;
    if (status >= 500 || log.isLevelEnabled('debug')) {
      const ms = Math.round((performance.now() - start) * 1000) / 1000;
      const entry = { requestId: id, method: c.req.method, path: c.req.path, status, ms };
      if (status >= 500) log.error(entry, 'request');
      else log.debug(entry, 'request');
    }
  };
}
