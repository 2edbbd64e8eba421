// The embedded cache: a Map with expiry times, read against the injected clock.
import type { Cache, Clock } from '../deps.ts';

interface Entry {
  value: string;
  expiresAt: number; // ms; Infinity for none
}

/** An in-process cache. Expired entries are dropped when read and swept every `sweepEvery` writes. */
export function createMemoryCache(clock: Clock, sweepEvery = 10_000): Cache {
  const map = new Map<string, Entry>();
  let writes = 0;
  const live = (key: string): Entry | undefined => {
    const e = map.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= clock.now()) {
      map.delete(key);
      return undefined;
    }
    return e;
  };
  const wrote = (): void => {
    if (++writes % sweepEvery !== 0) return;
    const now = clock.now();
    for (const [k, e] of map) if (e.expiresAt <= now) map.delete(k);
  };
  return {
    kind: 'memory',
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      map.set(key, { value, expiresAt: ttlMs !== undefined && ttlMs > 0 ? clock.now() + ttlMs : Infinity });
      wrote();
    },
    async del(key) {
      map.delete(key);
    },
    async hit(key, windowMs) {
      const now = clock.now();
      const e = live(key);
      if (e === undefined) {
        map.set(key, { value: '1', expiresAt: now + windowMs });
        wrote();
        return { count: 1, resetMs: windowMs };
      }
      const count = Number(e.value) + 1;
      e.value = String(count);
      return { count, resetMs: e.expiresAt - now };
    },
    async ping() {},
    async close() {
      map.clear();
    },
  };
}
