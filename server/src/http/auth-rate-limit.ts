// Rate limits on registration and login, against password guessing and sign-up
// floods: fixed windows in the cache (in process, or Redis shared by every
// server), counted per client IP before the body is read and per email
// address once it is valid, each route with its own counters. Answers 429
// `rate_limited` (field `email` when the address's window is full) with
// X-RateLimit-Limit/Remaining/Reset of the tighter window and Retry-After.
import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { AppEnv } from './auth.ts';
import { clientIp } from './client-ip.ts';
import { ApiError } from './errors.ts';

/** Registration and login limits: attempts per window per IP and per email (0 turns one off). */
export interface AuthRateLimit {
  perIp: number;
  perEmail: number;
  windowMs: number;
}

/** The X-RateLimit-Remaining already set on a request. */
const shown = new WeakMap<Request, number>();

/** Counts one hit on `key` against `limit`; sets the headers; throws 429 when over. */
async function count(deps: AppDeps, c: Context, key: string, limit: number, windowMs: number, what: string, field?: string): Promise<void> {
  const { count: n, resetMs } = await deps.cache.hit(key, windowMs);
  const remaining = Math.max(0, limit - n);
  // Two windows apply to one request: the headers show the tighter one.
  const previous = shown.get(c.req.raw);
  if (previous === undefined || remaining <= previous) {
    shown.set(c.req.raw, remaining);
    c.header('X-RateLimit-Limit', String(limit));
    c.header('X-RateLimit-Remaining', String(remaining));
    c.header('X-RateLimit-Reset', String(Math.ceil((deps.clock.now() + resetMs) / 1000)));
  }
  if (n > limit) {
    c.header('Retry-After', String(Math.max(1, Math.ceil(resetMs / 1000))));
    throw new ApiError(429, 'rate_limited', `too many attempts ${what}: at most ${limit} per ${Math.round(windowMs / 1000)} s`, field);
  }
}

/** The limiter of one route (`register` or `login`). */
export function authRateLimiter(deps: AppDeps, route: 'register' | 'login'): { byIp: MiddlewareHandler<AppEnv>; byEmail(c: Context, email: string): Promise<void> } {
  const { perIp, perEmail, windowMs } = deps.config.authRateLimit;
  return {
    byIp: async (c, next) => {
      const ip = perIp > 0 ? clientIp(c, deps.config.trustProxy) : undefined;
      if (ip !== undefined) await count(deps, c, `authlimit:${route}:ip:${ip}`, perIp, windowMs, 'from this address');
      await next();
    },
    byEmail: async (c, email) => {
      if (perEmail > 0) await count(deps, c, `authlimit:${route}:email:${email.toLowerCase()}`, perEmail, windowMs, 'for this email', 'email');
    },
  };
}
