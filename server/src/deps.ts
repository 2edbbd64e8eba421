// The small interfaces the app is built from. Each has an embedded
// implementation (server/src/embedded/: PGlite, in-process bus and cache) and
// is meant to get a production one (PostgreSQL via `pg`, NATS JetStream, Redis)
// without the routes or the engine service changing.
import type { UpgradeWebSocket } from 'hono/ws';
import type { Logger } from 'pino';
import type { Market } from './market/index.ts';
import type { VenueMetrics } from './market/metrics.ts';
import type { EngineService } from './venue/types.ts';

/** A connection that runs SQL. Rows come back with int8 as JS numbers, numeric as strings, timestamptz as Date. */
export interface SqlClient {
  /** Runs one parameterized statement ($1, $2, …) and returns its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements with no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Inserts `rows` into `table`, each row's values taken by name in `columns`
   * (which should name every column: a column left out takes its default).
   * Plain inserts: a row that conflicts fails the whole load. Offered where
   * it is cheaper than a statement with the rows as a JSON parameter (PGlite:
   * COPY from CSV); callers fall back to that statement where it is absent.
   */
  copyRows?(table: string, columns: readonly string[], rows: readonly Record<string, unknown>[]): Promise<void>;
}

/** The relational store: PostgreSQL semantics (PGlite embedded, `pg` in production). */
export interface SqlDatabase extends SqlClient {
  /** What it is, for /ready ("pglite", "postgres"). */
  readonly kind: string;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Throws if the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A message handler: the concrete subject and the published message. */
export type BusHandler = (subject: string, message: unknown) => void;

/**
 * Publish/subscribe with NATS-style subjects: tokens separated by dots, `*`
 * matches one token and a trailing `>` one or more. Messages are delivered
 * after the state they describe is durable.
 */
export interface Bus {
  readonly kind: string;
  publish(subject: string, message: unknown): void;
  /** Subscribes; returns the function that unsubscribes. */
  subscribe(pattern: string, handler: BusHandler): () => void;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A fixed-window counter: how many hits the window has seen and when it resets. */
export interface WindowCount {
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/** A key-value cache with expiry (in-process embedded, Redis/Dragonfly in production). */
export interface Cache {
  readonly kind: string;
  get(key: string): Promise<string | undefined>;
  /** Stores `value`; `ttlMs` > 0 makes it expire. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Counts one hit in the fixed window `key` (created with `windowMs` on its first hit). */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Wall-clock time, injected so tests can control it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Settings the HTTP layer reads. */
export interface AppConfig {
  /** HS256 key for bearer tokens (at least 32 bytes). */
  jwtSecret: Uint8Array;
  /** Bearer token lifetime in seconds. */
  tokenTtlSeconds: number;
  /** Requests per window per API key or user; 0 turns rate limiting off. */
  rateLimit: number;
  rateWindowMs: number;
  /** Register and login attempts per window per client IP and per email (0 turns one off). */
  authRateLimit: { perIp: number; perEmail: number; windowMs: number };
  /** Behind a reverse proxy: the client IP is the last X-Forwarded-For entry. */
  trustProxy: boolean;
  /** Allowed CORS origins ("*" for any); empty: no CORS headers. */
  corsOrigins: string[];
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Argon2id cost for password hashes (memory in KiB, iterations). */
  argon2: { memorySize: number; iterations: number };
  /** Cash a new paper account starts with (decimal string, "0" for none). */
  initialCash: string;
}

/** Everything createApp() is built from. */
export interface AppDeps {
  db: SqlDatabase;
  bus: Bus;
  cache: Cache;
  clock: Clock;
  engine: EngineService;
  logger: Logger;
  config: AppConfig;
  /** Market data: the ClickHouse store, its projector, the stream hub (server/src/market/). */
  market: Market;
  /** Prometheus metrics (GET /metrics). */
  metrics: VenueMetrics;
  /** The runtime's WebSocket upgrade, injected by the entry (Node, Deno, Bun); without it /v1/stream answers 501. */
  upgradeWebSocket?: UpgradeWebSocket<unknown>;
}
