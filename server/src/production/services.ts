// Selects each dependency by its URL: DATABASE_URL (PostgreSQL), REDIS_URL
// (Redis or Dragonfly), NATS_URL (NATS); an unset one falls back to the
// embedded default (PGlite in the data directory, in-process cache and bus).
// CLICKHOUSE_URL is read by the market store (server/src/market/). Also
// picks where the engine service's command journal lives (openCommandJournal).
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Bus, Cache, Clock, SqlDatabase } from '../deps.ts';
import { openFileJournal } from '../embedded/file-journal.ts';
import { createMemoryBus } from '../embedded/memory-bus.ts';
import { createMemoryCache } from '../embedded/memory-cache.ts';
import { openPglite } from '../embedded/pglite.ts';
import { memoryJournal, type CommandJournal, type JournalLine, type SnapshotStorage } from '../venue/journal.ts';
import type { MarketEventSink, MarketEventSource } from '../venue/market-events.ts';
import { migrate } from '../venue/migrate.ts';
import { marketEventSource, openMarketEventSink } from './event-stream.ts';
import { jetStreamNames, SnapshotStore } from './jetstream.ts';
import { openJetStreamCommandJournal } from './jetstream-journal.ts';
import { openNatsBus, type NatsBus } from './nats-bus.ts';
import { migratePostgres, openPostgres, type PostgresDatabase } from './postgres.ts';
import { mirrorQuotes } from './quote-cache.ts';
import { openRedisCache } from './redis-cache.ts';

/** Where the production services are; each unset one is embedded. */
export interface ServiceOptions {
  /** postgres://user:password@host:port/database */
  databaseUrl?: string;
  /** redis://[:password@]host:port[/db] (Redis or Dragonfly) */
  redisUrl?: string;
  /** nats://host:port (several separated by commas) */
  natsUrl?: string;
  /** Prefix of every cache key (default "cift:"), so venues or test runs can share a Redis. */
  cachePrefix?: string;
  /** Prefix of every bus subject (default none), so venues or test runs can share a NATS. */
  subjectPrefix?: string;
  /** Prefix of the JetStream streams and subjects holding the command journal (default "cift"; see jetStreamNames). */
  streamPrefix?: string;
}

/** The variables read here, with the URL schemes each accepts. */
export const SERVICE_URL_VARIABLES = {
  DATABASE_URL: ['postgres:', 'postgresql:'],
  REDIS_URL: ['redis:', 'rediss:'],
  NATS_URL: ['nats:', 'tls:', 'ws:', 'wss:'],
} as const;

function checkUrl(name: keyof typeof SERVICE_URL_VARIABLES, value: string): string {
  for (const part of name === 'NATS_URL' ? value.split(',') : [value]) {
    let url: URL;
    try {
      url = new URL(part.trim());
    } catch {
      throw new Error(`${name} must be a URL, got '${part}'`);
    }
    const schemes: readonly string[] = SERVICE_URL_VARIABLES[name];
    if (!schemes.includes(url.protocol)) throw new Error(`${name} must start with ${schemes.map((s) => `${s}//`).join(' or ')}, got '${url.protocol}//'`);
  }
  return value;
}

/**
 * Reads DATABASE_URL, REDIS_URL and NATS_URL (empty counts as unset), and the
 * prefixes CIFT_CACHE_PREFIX, CIFT_SUBJECT_PREFIX and CIFT_STREAM_PREFIX;
 * throws naming a malformed one.
 */
export function serviceOptionsFromEnv(env: Record<string, string | undefined>): ServiceOptions {
  const out: ServiceOptions = {};
  if (env.DATABASE_URL) out.databaseUrl = checkUrl('DATABASE_URL', env.DATABASE_URL);
  if (env.REDIS_URL) out.redisUrl = checkUrl('REDIS_URL', env.REDIS_URL);
  if (env.NATS_URL) out.natsUrl = checkUrl('NATS_URL', env.NATS_URL);
  if (env.CIFT_CACHE_PREFIX) out.cachePrefix = env.CIFT_CACHE_PREFIX;
  if (env.CIFT_SUBJECT_PREFIX) out.subjectPrefix = env.CIFT_SUBJECT_PREFIX;
  if (env.CIFT_STREAM_PREFIX) {
    // Checked now, so a bad value fails at start naming the variable.
    try {
      jetStreamNames(env.CIFT_STREAM_PREFIX);
    } catch (err) {
      throw new Error(`CIFT_STREAM_PREFIX: ${(err as Error).message}`, { cause: err });
    }
    out.streamPrefix = env.CIFT_STREAM_PREFIX;
  }
  return out;
}

/** Opens PostgreSQL when `databaseUrl` is set, else PGlite at `dataDir` (in memory when undefined). */
export async function openDatabase(services: ServiceOptions | undefined, dataDir: string | undefined, logger?: Logger): Promise<SqlDatabase> {
  if (services?.databaseUrl) return openPostgres(services.databaseUrl, { logger });
  return openPglite(dataDir);
}

/** Applies the migrations; on PostgreSQL under an advisory lock, as several processes may start at once. */
export async function migrateDatabase(db: SqlDatabase): Promise<number[]> {
  return db.kind === 'postgres' ? migratePostgres(db as PostgresDatabase) : migrate(db);
}

/** The bus and the cache, opened together. */
export interface Messaging {
  bus: Bus;
  cache: Cache;
  /** Closes both (idempotent). */
  close(): Promise<void>;
}

/**
 * Opens the bus (NATS when `natsUrl` is set) and the cache (Redis when
 * `redisUrl` is set). With a shared cache, the latest quotes are mirrored
 * into it. If either fails to open, the other is closed before the error.
 */
export async function openMessaging(services: ServiceOptions | undefined, deps: { clock: Clock; logger: Logger }): Promise<Messaging> {
  const { clock, logger } = deps;
  const bus = services?.natsUrl
    ? await openNatsBus(services.natsUrl, { subjectPrefix: services.subjectPrefix, logger })
    : createMemoryBus((err, subject) => logger.error({ err, subject }, 'bus handler failed'));
  let cache: Cache;
  try {
    cache = services?.redisUrl ? await openRedisCache(services.redisUrl, { keyPrefix: services.cachePrefix, logger }) : createMemoryCache(clock);
  } catch (err) {
    await bus.close();
    throw err;
  }
  if (cache.kind === 'redis') mirrorQuotes(bus, cache, logger);
  return {
    bus,
    cache,
    async close() {
      await bus.close();
      await cache.close();
    },
  };
}

/**
 * Where the engine service makes commands durable before acknowledging them:
 * - NATS (a NATS bus) and a store that outlives the process (PostgreSQL, or
 *   PGlite in a data directory): a journal on JetStream, each group of lines
 *   one pipelined publish with Nats-Msg-Id de-duplication, acknowledged on
 *   JetStream's publish acks; the store holds the projected rows and snapshots.
 * - PGlite in a data directory without NATS: a file journal there (fdatasync'ed).
 * - PGlite in memory: nothing outlives the process, so appends are immediate.
 * - PostgreSQL without NATS: none; each group's rows are committed before the answer.
 */
export async function openCommandJournal(args: {
  services: ServiceOptions | undefined;
  db: SqlDatabase;
  bus: Bus;
  dataDir: string | undefined;
  logger: Logger;
}): Promise<CommandJournal | undefined> {
  const { services, db, bus, dataDir, logger } = args;
  if (onJetStream(bus, db, dataDir)) {
    return openJetStreamCommandJournal<JournalLine>((bus as NatsBus).connection, jetStreamNames(services?.streamPrefix), { logger });
  }
  if (db.kind === 'pglite') return dataDir === undefined ? memoryJournal() : openFileJournal(join(dataDir, 'cift-journal'));
  return undefined;
}

/** Whether the venue keeps its durable state on JetStream: NATS, and a store that outlives the process. */
function onJetStream(bus: Bus, db: SqlDatabase, dataDir: string | undefined): boolean {
  return bus.kind === 'nats' && (db.kind === 'postgres' || dataDir !== undefined);
}

/** What the venue keeps on JetStream beside the command journal. */
export interface StreamStores {
  /** The events stream, written by the engine service before it commits a batch's rows. */
  events: MarketEventSink;
  /** The events stream as the market projector reads it: a durable consumer. */
  source: MarketEventSource;
  /** Engine snapshots in the object store. */
  snapshots: SnapshotStorage;
}

/**
 * With the journal on JetStream (see openCommandJournal), the market events
 * and engine snapshots go there too: events on the events stream (subjects per
 * symbol, Nats-Msg-Id from the engine sequence) read by the market projector
 * through a durable consumer, snapshots in the object store `<prefix>_snapshots`.
 * Otherwise none (market events go over the bus, snapshots into the database).
 */
export async function openStreamStores(args: {
  services: ServiceOptions | undefined;
  db: SqlDatabase;
  bus: Bus;
  dataDir: string | undefined;
  logger: Logger;
}): Promise<StreamStores | undefined> {
  const { services, db, bus, dataDir, logger } = args;
  if (!onJetStream(bus, db, dataDir)) return undefined;
  const nc = (bus as NatsBus).connection;
  const names = jetStreamNames(services?.streamPrefix);
  const store = await SnapshotStore.open(nc, names.snapshots);
  return {
    events: await openMarketEventSink(nc, names),
    source: marketEventSource(nc, names, { logger }),
    snapshots: {
      save: (snap) => store.save(snap),
      async latest() {
        const snap = await store.latest();
        return snap && { ...snap, line: snap.line ?? 0 };
      },
    },
  };
}
