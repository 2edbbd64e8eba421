// The production cache: Redis or Dragonfly through ioredis, behind the same
// Cache interface as the in-process one. It holds what several API processes
// must share: API key records, token revocations, rate-limit windows and the
// latest quotes. Commands are never queued while the server is unreachable:
// they fail at once as a 503 ApiError naming the cache, and ioredis keeps
// reconnecting in the background, so the venue recovers by itself.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Cache, WindowCount } from '../deps.ts';
import { unavailable } from '../http/errors.ts';

/** Cache settings. */
export interface RedisCacheOptions {
  /** Prepended to every key, so several venues (or test runs) share one server. Default "cift:". */
  keyPrefix?: string;
  /** How long a command or a (re)connection may take, in ms (default 2000). */
  timeoutMs?: number;
  logger?: Logger;
}

// One fixed-window hit, atomically: count, start the window on the first hit,
// and repair a counter that lost its expiry. Returns {count, ms until reset}.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

type HitRedis = Redis & { ciftHit(key: string, windowMs: number): Promise<[number, number]> };

/** A Redis-backed cache, with the client exposed for tests and for what the interface does not cover. */
export interface RedisCache extends Cache {
  readonly kind: 'redis';
  readonly client: Redis;
  readonly keyPrefix: string;
}

/** Connects to `url` (redis://[:password@]host:port[/db]) and checks it answers; throws a readable error otherwise. */
export async function openRedisCache(url: string, opts: RedisCacheOptions = {}): Promise<RedisCache> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const keyPrefix = opts.keyPrefix ?? 'cift:';
  const client = new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    // Fail fast while disconnected instead of queueing requests behind an outage.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // Keep reconnecting (forever) at most a second apart.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  }) as HitRedis;
  client.defineCommand('ciftHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    // ioredis reports every failed reconnection; log the first of a run only.
    if (lastError === undefined) opts.logger?.warn({ err }, 'redis: connection lost; reconnecting');
    lastError = err;
  });
  client.on('ready', () => {
    if (lastError !== undefined) opts.logger?.info('redis: connection restored');
    lastError = undefined;
  });
  const down = (err: unknown): never => {
    const why = client.status === 'ready' ? (err as Error).message : `not connected (${lastError?.message ?? client.status})`;
    throw unavailable(`the cache (redis) is unavailable: ${why}`);
  };
  const cache: RedisCache = {
    kind: 'redis',
    client,
    keyPrefix,
    async get(key) {
      const v = await client.get(key).catch(down);
      return v ?? undefined;
    },
    async set(key, value, ttlMs) {
      if (ttlMs !== undefined && ttlMs > 0) await client.set(key, value, 'PX', Math.ceil(ttlMs)).catch(down);
      else await client.set(key, value).catch(down);
    },
    async del(key) {
      await client.del(key).catch(down);
    },
    async hit(key, windowMs): Promise<WindowCount> {
      const [count, resetMs] = await client.ciftHit(key, Math.ceil(windowMs)).catch(down);
      return { count: Number(count), resetMs: Number(resetMs) };
    },
    async ping() {
      await client.ping().catch(down);
    },
    async close() {
      if (client.status === 'end') return;
      await client.quit().catch(() => client.disconnect());
    },
  };
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw new Error(`cannot connect to Redis at REDIS_URL: ${(err as Error).message}`, { cause: err });
  }
  return cache;
}
