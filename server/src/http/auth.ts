// Who is calling. Two credentials, checked in this order:
// - `Authorization: Bearer <jwt>`: a short-lived HS256 token from /v1/auth/login
//   (jose), with every scope of its user;
// - `APCA-API-KEY-ID` + `APCA-API-SECRET-KEY` (Alpaca's header names): an API
//   key, shown once at creation and stored as a SHA-256 of its 256-bit random
//   secret (a slow hash buys nothing for a random secret and would cost every
//   request), scoped read and/or trade, revocable.
// Passwords are hashed with argon2id (hash-wasm: pure WASM, same on Node, Deno, Bun).
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';
import { SignJWT, jwtVerify } from 'jose';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps } from '../deps.ts';
import { sha256 } from '../sha256.ts';
import { accountDisabled } from './account-status.ts';
import { ApiError, forbidden, unauthorized } from './errors.ts';
import { responseHeader } from './frame.ts';

/** The caller of an authenticated route. */
export interface Principal {
  userId: string;
  accountId: string;
  engineAccount: number;
  role: 'user' | 'admin';
  scopes: Scope[];
  /** The API key used, or undefined for a bearer token. */
  keyId?: string;
  /** The token's id, for logout. */
  jti?: string;
  /** Token expiry (seconds since the epoch). */
  exp?: number;
}

export type Scope = 'read' | 'trade';

/** Variables the app's middleware sets on the context. */
export interface AppVariables {
  requestId: string;
  principal: Principal;
}

/** The app's Hono environment. */
export type AppEnv = { Variables: AppVariables };

/** Hashes a password with argon2id (random 16-byte salt; PHC string). */
export async function hashPassword(password: string, cost: AppDeps['config']['argon2']): Promise<string> {
  return argon2id({
    password,
    salt: randomBytes(16),
    parallelism: 1,
    iterations: cost.iterations,
    memorySize: cost.memorySize,
    hashLength: 32,
    outputType: 'encoded',
  });
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return argon2Verify({ password, hash });
}

/** A new API key: its public id and its secret (returned once). */
export function newApiKey(): { id: string; secret: string; secretHash: string } {
  const id = `CK${randomBytes(10).toString('hex').toUpperCase()}`;
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, secretHash: sha256(secret) };
}


function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** Signs a bearer token for a user. */
export async function issueToken(deps: AppDeps, p: Omit<Principal, 'scopes' | 'keyId' | 'jti' | 'exp'>): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(deps.clock.now() / 1000);
  const exp = now + deps.config.tokenTtlSeconds;
  const token = await new SignJWT({ acc: p.accountId, ea: p.engineAccount, role: p.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(p.userId)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .setIssuer('cift')
    .sign(deps.config.jwtSecret);
  return { token, expiresAt: new Date(exp * 1000) };
}

interface KeyRecord {
  accountId: string;
  engineAccount: number;
  userId: string;
  role: 'user' | 'admin';
  scopes: Scope[];
  secretHash: string;
  revoked: boolean;
}

const KEY_CACHE_MS = 60_000;

/** Cache key of an API key's record; deleted on revocation. */
export const keyCacheKey = (id: string): string => `apikey:${id}`;

/** Forgets a key's record (after revocation). */
export async function forgetKey(deps: AppDeps, id: string): Promise<void> {
  await deps.cache.del(keyCacheKey(id));
}

/**
 * Parsed key records by the cached text they were parsed from, per venue: the
 * cache (the source of truth for revocation) is still read on every request,
 * only its JSON is not parsed again while the text is the same.
 */
const parsedKeys = new WeakMap<AppDeps, Map<string, { text: string; rec: KeyRecord }>>();
const PARSED_KEYS_MAX = 10_000;

function parseKey(deps: AppDeps, id: string, text: string): KeyRecord {
  let memo = parsedKeys.get(deps);
  if (memo === undefined) parsedKeys.set(deps, (memo = new Map()));
  const known = memo.get(id);
  if (known !== undefined && known.text === text) return known.rec;
  const rec = JSON.parse(text) as KeyRecord;
  if (memo.size >= PARSED_KEYS_MAX) memo.clear();
  memo.set(id, { text, rec });
  return rec;
}

async function loadKey(deps: AppDeps, id: string): Promise<KeyRecord | undefined> {
  const cached = await deps.cache.get(keyCacheKey(id));
  if (cached !== undefined) return parseKey(deps, id, cached);
  const [row] = await deps.db.query<{
    account_id: string;
    engine_account: number;
    user_id: string;
    role: 'user' | 'admin';
    scopes: Scope[];
    secret_hash: string;
    revoked_at: Date | null;
  }>(
    `SELECT k.account_id, a.engine_account, a.user_id, u.role, k.scopes, k.secret_hash, k.revoked_at
     FROM api_keys k JOIN accounts a ON a.id = k.account_id JOIN users u ON u.id = a.user_id WHERE k.id = $1`,
    [id],
  );
  if (!row) return undefined;
  const rec: KeyRecord = {
    accountId: row.account_id,
    engineAccount: row.engine_account,
    userId: row.user_id,
    role: row.role,
    scopes: row.scopes,
    secretHash: row.secret_hash,
    revoked: row.revoked_at !== null,
  };
  await deps.cache.set(keyCacheKey(id), JSON.stringify(rec), KEY_CACHE_MS);
  return rec;
}

/** Resolves the caller's credentials; throws 401 for missing or bad ones. */
export async function authenticate(deps: AppDeps, c: Context): Promise<Principal> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw unauthorized('Authorization must be "Bearer <token>"');
    let payload;
    try {
      ({ payload } = await jwtVerify(m[1], deps.config.jwtSecret, {
        issuer: 'cift',
        algorithms: ['HS256'],
        currentDate: new Date(deps.clock.now()),
      }));
    } catch {
      throw unauthorized('invalid or expired token');
    }
    if (typeof payload.jti === 'string' && (await deps.cache.get(`revoked:${payload.jti}`)) !== undefined) {
      throw unauthorized('token was revoked');
    }
    return {
      userId: String(payload.sub),
      accountId: String(payload.acc),
      engineAccount: Number(payload.ea),
      role: payload.role === 'admin' ? 'admin' : 'user',
      scopes: ['read', 'trade'],
      jti: payload.jti,
      exp: payload.exp,
    };
  }
  const keyId = c.req.header('apca-api-key-id');
  const secret = c.req.header('apca-api-secret-key');
  if (keyId === undefined && secret === undefined) throw unauthorized();
  if (keyId === undefined || secret === undefined) throw unauthorized('send both APCA-API-KEY-ID and APCA-API-SECRET-KEY');
  const rec = await loadKey(deps, keyId);
  if (!rec || rec.revoked || !sameHex(rec.secretHash, sha256(secret))) throw unauthorized('invalid API key');
  return {
    userId: rec.userId,
    accountId: rec.accountId,
    engineAccount: rec.engineAccount,
    role: rec.role,
    scopes: rec.scopes,
    keyId,
  };
}

/**
 * Authenticates, checks the scope (or the admin role; a disabled account
 * cannot use the trade scope), and counts the request
 * against the caller's rate limit (fixed window through the cache), setting
 * X-RateLimit-Limit/Remaining/Reset.
 */
export function requireAuth(deps: AppDeps, need: Scope | 'admin'): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = await authenticate(deps, c);
    if (need === 'admin') {
      if (p.role !== 'admin') throw forbidden('this route needs the admin role');
    } else if (!p.scopes.includes(need)) {
      throw forbidden(`this API key lacks the '${need}' scope`, 'insufficient_scope');
    } else if (need === 'trade' && (await accountDisabled(deps, p.accountId))) {
      throw forbidden('this account is disabled: it can read but not trade', 'account_disabled');
    }
    c.set('principal', p);
    const { rateLimit, rateWindowMs } = deps.config;
    if (rateLimit > 0) {
      const who = p.keyId ?? `user:${p.userId}`;
      const { count, resetMs } = await deps.cache.hit(`ratelimit:${who}`, rateWindowMs);
      responseHeader(c, 'X-RateLimit-Limit', String(rateLimit));
      responseHeader(c, 'X-RateLimit-Remaining', String(Math.max(0, rateLimit - count)));
      responseHeader(c, 'X-RateLimit-Reset', String(Math.ceil((deps.clock.now() + resetMs) / 1000)));
      if (count > rateLimit) {
        responseHeader(c, 'Retry-After', String(Math.max(1, Math.ceil(resetMs / 1000))));
        throw new ApiError(429, 'rate_limited', `rate limit of ${rateLimit} requests per ${rateWindowMs} ms exceeded`);
      }
    }
    await next();
  };
}
