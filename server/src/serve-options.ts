// Port and venue settings from the environment, shared by the Node, Deno and Bun entries.
import { configFromEnv, DEFAULT_DATA_DIR, DEFAULT_INSTRUMENTS_FILE, type VenueOptions } from './boot.ts';
import { serviceOptionsFromEnv } from './production/services.ts';
import { parseSessionClose } from './venue/session-close.ts';

/** Port used when neither PORT nor --port is given. */
export const DEFAULT_PORT = 8000;

/** Parses a TCP port (0 picks a free one); throws a readable error otherwise. */
export function parsePort(value: string | undefined, source: string): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`${source} must be a port number 0-65535, got '${value}'`);
  return port;
}

/**
 * PORT; CIFT_DATA_DIR (default ./.cift-data; ":memory:" keeps nothing);
 * CIFT_INSTRUMENTS (an instruments file; "none" lists nothing); the
 * CIFT_* settings of configFromEnv(); DATABASE_URL, REDIS_URL, NATS_URL
 * (serviceOptionsFromEnv()); CIFT_DEMO ("0"/"false"/"off" turns the
 * demo market off; on by default, but off under the node test runner unless set) and CIFT_DEMO_SYMBOLS (comma-separated);
 * CLICKHOUSE_URL (a ClickHouse server for market data instead of the
 * embedded chdb) and CLICKHOUSE_DATABASE; CIFT_SESSION_CLOSE (UTC "HH:MM"
 * when DAY orders expire, default 20:00; "off" for never).
 */
export function serveOptionsFromEnv(env: Record<string, string | undefined>): { port: number; venue: VenueOptions } {
  const dir = env.CIFT_DATA_DIR ?? DEFAULT_DATA_DIR;
  const inst = env.CIFT_INSTRUMENTS;
  const sessionClose = env.CIFT_SESSION_CLOSE || undefined;
  if (sessionClose !== undefined) parseSessionClose(sessionClose);
  return {
    port: parsePort(env.PORT, 'PORT'),
    venue: {
      dataDir: dir === ':memory:' ? null : dir,
      instrumentsFile: inst === 'none' ? null : inst === undefined || inst === '' ? DEFAULT_INSTRUMENTS_FILE : inst,
      config: configFromEnv(env),
      services: serviceOptionsFromEnv(env),
      sessionClose,
      ...marketOptionsFromEnv(env),
    },
  };
}

/** The demo market and market store settings from the environment. */
export function marketOptionsFromEnv(env: Record<string, string | undefined>): Pick<VenueOptions, 'demo' | 'market'> {
  // Unset CIFT_DEMO means on, except in a process started by the node test runner
  // (it sets NODE_TEST_CONTEXT for its children): tests turn the demo on explicitly.
  const setting = env.CIFT_DEMO ?? (env.NODE_TEST_CONTEXT ? '0' : '1');
  const demoOff = /^(0|false|off|no)$/i.test(setting);
  const symbols = env.CIFT_DEMO_SYMBOLS?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    demo: demoOff ? false : { symbols: symbols && symbols.length > 0 ? symbols : undefined },
    market: env.CLICKHOUSE_URL ? { clickhouseUrl: env.CLICKHOUSE_URL, clickhouseDatabase: env.CLICKHOUSE_DATABASE || undefined } : undefined,
  };
}
