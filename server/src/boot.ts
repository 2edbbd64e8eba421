// Builds the dependencies from configuration: the embedded defaults (PGlite in
// a data directory, in-process bus and cache), or PostgreSQL, NATS and Redis
// selected by their URLs (production/services.ts). Used by every runtime
// entry (node.ts, deno.ts, bun.ts) and by the CLI's admin commands.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { AppConfig, AppDeps, Clock } from './deps.ts';
import { systemClock } from './deps.ts';
import { migrateDatabase, openCommandJournal, openDatabase, openMessaging, openStreamStores, type Messaging, type ServiceOptions } from './production/services.ts';
import { startDemo, type DemoMarket, type DemoOptions } from './demo/market.ts';
import { openMarket, type MarketOptions } from './market/index.ts';
import { createVenueMetrics, instrumentEngine } from './market/metrics.ts';
import { InstrumentInputSchema } from './routes/admin.ts';
import { EmbeddedEngineService } from './venue/service.ts';
import { parseSessionClose, SessionClose } from './venue/session-close.ts';
import type { InstrumentInput } from './venue/types.ts';

/** When DAY orders expire unless CIFT_SESSION_CLOSE says otherwise (UTC). */
export const DEFAULT_SESSION_CLOSE = '20:00';

/** Default data directory (relative to the working directory). */
export const DEFAULT_DATA_DIR = '.cift-data';

/** The instruments listed on first start unless CIFT_INSTRUMENTS names another file. */
export const DEFAULT_INSTRUMENTS_FILE = new URL('../instruments.json', import.meta.url);

/** What a venue is opened with. */
export interface VenueOptions {
  /** PGlite data directory; `null` keeps everything in memory. */
  dataDir: string | null;
  /** Instruments file listed when missing from the store (`null`: none). */
  instrumentsFile: string | URL | null;
  config?: Partial<AppConfig>;
  clock?: Clock;
  logger?: Logger;
  /** Engine snapshot interval in commands. */
  snapshotEvery?: number;
  /** PostgreSQL, Redis and NATS URLs (production/services.ts); each unset one is embedded. */
  services?: ServiceOptions;
  /** Market store (ClickHouse URL; default: chdb in `<dataDir>/clickhouse`) and projector settings. */
  market?: Omit<MarketOptions, 'dataDir'>;
  /** Run the demo market (off unless given; `cift serve` turns it on unless CIFT_DEMO=0 or --no-demo). */
  demo?: DemoOptions | false;
  /** The daily session close, "HH:MM" UTC, when DAY orders expire (default "20:00"; "off": none). */
  sessionClose?: string;
}

/** Paths and keys logs must never show. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers["apca-api-secret-key"]',
  'headers.authorization',
  'headers["apca-api-secret-key"]',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'password_hash',
  '*.password_hash',
];

/** The server's logger: JSON lines on stderr, secrets redacted, level from CIFT_LOG_LEVEL (default info). */
export function createLogger(level = process.env.CIFT_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
}

/** Reads settings from the environment (documented in server/README.md). */
export function configFromEnv(env: Record<string, string | undefined> = process.env): Partial<AppConfig> {
  const out: Partial<AppConfig> = {};
  const int = (name: string, min: number): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`${name} must be an integer ≥ ${min}, got '${v}'`);
    return Number(v);
  };
  if (env.CIFT_JWT_SECRET) {
    if (env.CIFT_JWT_SECRET.length < 32) throw new Error('CIFT_JWT_SECRET must be at least 32 characters');
    out.jwtSecret = new TextEncoder().encode(env.CIFT_JWT_SECRET);
  }
  const ttl = int('CIFT_TOKEN_TTL_SECONDS', 1);
  if (ttl !== undefined) out.tokenTtlSeconds = ttl;
  const rate = int('CIFT_RATE_LIMIT', 0);
  if (rate !== undefined) out.rateLimit = rate;
  const win = int('CIFT_RATE_WINDOW_MS', 1);
  if (win !== undefined) out.rateWindowMs = win;
  const body = int('CIFT_MAX_BODY_BYTES', 64);
  if (body !== undefined) out.maxBodyBytes = body;
  const authIp = int('CIFT_AUTH_RATE_LIMIT_IP', 0);
  const authEmail = int('CIFT_AUTH_RATE_LIMIT_EMAIL', 0);
  const authWindow = int('CIFT_AUTH_RATE_WINDOW_MS', 1);
  if (authIp !== undefined || authEmail !== undefined || authWindow !== undefined) {
    const d = DEFAULTS.authRateLimit;
    out.authRateLimit = { perIp: authIp ?? d.perIp, perEmail: authEmail ?? d.perEmail, windowMs: authWindow ?? d.windowMs };
  }
  if (env.CIFT_TRUST_PROXY !== undefined && env.CIFT_TRUST_PROXY !== '') {
    if (!/^(0|1|true|false)$/i.test(env.CIFT_TRUST_PROXY)) throw new Error(`CIFT_TRUST_PROXY must be 1 or 0, got '${env.CIFT_TRUST_PROXY}'`);
    out.trustProxy = /^(1|true)$/i.test(env.CIFT_TRUST_PROXY);
  }
  if (env.CIFT_CORS_ORIGINS !== undefined) out.corsOrigins = env.CIFT_CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  if (env.CIFT_INITIAL_CASH !== undefined) out.initialCash = env.CIFT_INITIAL_CASH;
  return out;
}

/** Settings a venue runs with unless configured otherwise. */
export const DEFAULTS: Omit<AppConfig, 'jwtSecret'> = {
  tokenTtlSeconds: 900,
  rateLimit: 6000,
  rateWindowMs: 60_000,
  authRateLimit: { perIp: 100, perEmail: 10, windowMs: 15 * 60_000 },
  trustProxy: false,
  corsOrigins: [],
  maxBodyBytes: 16 * 1024,
  // OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane.
  argon2: { memorySize: 19_456, iterations: 2 },
  initialCash: '100000',
};

/** Reads and validates an instruments file: `{"instruments": [ … ]}`. */
export function readInstrumentsFile(file: string | URL): InstrumentInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read instruments file ${String(file)}: ${(err as Error).message}`, { cause: err });
  }
  const list = (parsed as { instruments?: unknown }).instruments;
  if (!Array.isArray(list)) throw new Error(`instruments file ${String(file)} must hold {"instruments": [...]}`);
  return list.map((item, i) => {
    const r = InstrumentInputSchema.safeParse(item);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`instruments file ${String(file)}: instruments[${i}].${issue.path.join('.')}: ${issue.message}`);
    }
    return r.data;
  });
}

/** The open venue: the app's dependencies plus how to close them. */
export interface Venue {
  deps: AppDeps;
  /** The demo market, when on. */
  demo?: DemoMarket;
  /** The daily session close, unless turned off. */
  session?: SessionClose;
  close(): Promise<void>;
}

/** Opens the embedded venue: database (migrated), bus, cache, engine (rebuilt from the log), instruments listed. */
export async function openVenue(opts: VenueOptions): Promise<Venue> {
  const logger = opts.logger ?? createLogger();
  const clock = opts.clock ?? systemClock;
  const dataDir = opts.dataDir === null ? undefined : resolve(opts.dataDir);
  const instruments = opts.instrumentsFile === null ? [] : readInstrumentsFile(opts.instrumentsFile);
  const closeMinutes = parseSessionClose(opts.sessionClose ?? DEFAULT_SESSION_CLOSE, 'sessionClose');
  const unlock = dataDir === undefined ? () => {} : lockDataDir(dataDir);
  let db;
  try {
    db = await openDatabase(opts.services, dataDir, logger);
  } catch (err) {
    unlock();
    throw err;
  }
  let messaging: Messaging | undefined;
  try {
    await migrateDatabase(db);
    const config: AppConfig = { ...DEFAULTS, jwtSecret: await jwtSecret(db), ...opts.config };
    messaging = await openMessaging(opts.services, { clock, logger });
    const { bus, cache } = messaging;
    // Orders are acknowledged once journaled (JetStream with NATS, else a file in the data directory) and the
    // rows follow; on PostgreSQL without NATS (no journal) each group's rows are committed before the answer.
    const journal = await openCommandJournal({ services: opts.services, db, bus, dataDir, logger });
    // With the journal on JetStream, market events and engine snapshots are kept there too.
    const streams = await openStreamStores({ services: opts.services, db, bus, dataDir, logger });
    const metrics = createVenueMetrics();
    const engine = instrumentEngine(
      await EmbeddedEngineService.open({
        db,
        bus,
        clock,
        logger,
        initialCash: config.initialCash,
        snapshotEvery: opts.snapshotEvery,
        journal,
        events: streams?.events,
        snapshots: streams?.snapshots,
      }),
      metrics,
    );
    for (const inst of instruments) {
      if (!engine.instrument(inst.symbol)) await engine.addInstrument(inst, 'instruments-file');
    }
    const market = await openMarket({ bus, engine, clock, logger, metrics }, { dataDir: dataDir ?? null, events: streams?.source, ...opts.market });
    const deps: AppDeps = { db, bus, cache, clock, engine, logger, config, market, metrics };
    const session = closeMinutes === null ? undefined : await SessionClose.start({ db, engine, clock, logger }, closeMinutes);
    const demo = opts.demo ? await startDemo(deps, opts.demo) : undefined;
    return {
      deps,
      demo,
      session,
      async close() {
        await session?.stop();
        await demo?.stop();
        await market.close();
        await engine.close();
        await bus.close();
        await cache.close();
        await db.close();
        unlock();
      },
    };
  } catch (err) {
    await messaging?.close();
    await db.close();
    unlock();
    throw err;
  }
}

/**
 * One process per data directory (PGlite is single-process): a lock file with
 * the owner's pid; a lock left by a dead process is taken over. Returns the unlock.
 */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = `${dir}/cift.lock`;
  let owner: number | undefined;
  try {
    owner = Number(readFileSync(lock, 'utf8'));
  } catch {
    owner = undefined;
  }
  if (owner !== undefined && owner !== process.pid && Number.isInteger(owner) && owner > 0) {
    let alive = true;
    try {
      process.kill(owner, 0);
    } catch (err) {
      alive = (err as { code?: string }).code === 'EPERM';
    }
    if (alive) throw new Error(`data directory ${dir} is in use by process ${owner} (stop the server first)`);
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

/** The signing key for bearer tokens: generated once and kept in the store, so tokens survive restarts. */
export async function jwtSecret(db: AppDeps['db']): Promise<Uint8Array> {
  await db.query(`INSERT INTO venue_meta (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING`, [
    randomBytes(32).toString('base64url'),
  ]);
  const [row] = await db.query<{ value: string }>(`SELECT value FROM venue_meta WHERE key = 'jwt_secret'`);
  return new TextEncoder().encode(row.value);
}
