// A gateway: the HTTP API of a scaled-out venue. It holds the users, keys and
// accounts in PostgreSQL, routes every engine command by symbol to the worker
// that owns it (sharded-engine.ts), and reads the workers' order, fill,
// position and cash rows through views over their schemas, so the order and
// activity routes work unchanged.
import type { Logger } from 'pino';
import { DEFAULT_SESSION_CLOSE, DEFAULTS, jwtSecret } from '../boot.ts';
import type { AppConfig, AppDeps, Clock, SqlDatabase } from '../deps.ts';
import { systemClock } from '../deps.ts';
import { openMarket, type MarketOptions } from '../market/index.ts';
import { createVenueMetrics, instrumentEngine } from '../market/metrics.ts';
import type { NatsBus } from '../production/nats-bus.ts';
import { openPostgres } from '../production/postgres.ts';
import { migrateDatabase, openMessaging } from '../production/services.ts';
import { parseSessionClose, SessionClose } from '../venue/session-close.ts';
import { ShardedEngineService } from './sharded-engine.ts';
import { scaleoutNames, type ScaleoutNames, type ShardMap } from './shard-map.ts';
import { ensureCommandStream, openShardDatabase } from './worker.ts';

/** Tables the gateway reads from the shards (each shard's rows for its own symbols). */
const SHARD_TABLES = ['orders', 'fills', 'positions', 'cash_ledger', 'equity_history'] as const;

/**
 * Replaces the gateway's own (empty) copies of the shard tables with views
 * over every shard's schema. Risk limits are set on every shard alike, so
 * they are read from the first one.
 */
export async function createShardViews(db: SqlDatabase, names: ScaleoutNames, map: ShardMap): Promise<void> {
  const views: [string, string][] = [
    ...SHARD_TABLES.map((t): [string, string] => [t, map.shards.map((s) => `SELECT * FROM ${names.schema(s.name)}.${t}`).join(' UNION ALL ')]),
    ['risk_limits', `SELECT * FROM ${names.schema(map.shards[0].name)}.risk_limits`],
  ];
  await db.transaction(async (tx) => {
    // Gateways starting together take turns (each would otherwise see the other's half-made views).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${names.prefix}:shard-views`]);
    for (const [table, select] of views) {
      const [kind] = await tx.query<{ table_type: string }>(
        'SELECT table_type FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1',
        [table],
      );
      if (kind?.table_type === 'BASE TABLE') await tx.exec(`DROP TABLE ${table} CASCADE`);
      else if (kind) await tx.exec(`DROP VIEW ${table}`);
      await tx.exec(`CREATE VIEW ${table} AS ${select}`);
    }
  });
}

/** What a gateway is opened with. */
export interface GatewayOptions {
  map: ShardMap;
  /** Scale-out prefix (as the workers'); default "cift". */
  prefix?: string;
  databaseUrl: string;
  natsUrl: string;
  redisUrl?: string;
  cachePrefix?: string;
  config?: Partial<AppConfig>;
  clock?: Clock;
  logger: Logger;
  /** How long a command waits for its shard (ms). */
  timeoutMs?: number;
  /** The daily session close, "HH:MM" UTC (default "20:00"; "off": none); the gateway ends the session on every shard. */
  sessionClose?: string;
  market?: Omit<MarketOptions, 'dataDir'>;
}

/** An open gateway: the app's dependencies, the sharded engine (for the shard routes) and how to close them. */
export interface Gateway {
  deps: AppDeps;
  sharded: ShardedEngineService;
  names: ScaleoutNames;
  close(): Promise<void>;
}

/** Opens the gateway's database (migrated, with the shard views), bus, cache, sharded engine and market store. */
export async function openGateway(opts: GatewayOptions): Promise<Gateway> {
  const { map, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const names = scaleoutNames(opts.prefix);
  const closeMinutes = parseSessionClose(opts.sessionClose ?? DEFAULT_SESSION_CLOSE, 'sessionClose');
  // The shard schemas must exist (migrated) before views can read them; a worker may not have started yet.
  for (const s of map.shards) await (await openShardDatabase(opts.databaseUrl, names.schema(s.name), logger)).close();
  const db = await openPostgres(opts.databaseUrl, { logger });
  const closers: (() => Promise<void>)[] = [() => db.close()];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => logger.error({ err }, 'gateway: close failed'));
  };
  try {
    await migrateDatabase(db);
    await createShardViews(db, names, map);
    const config: AppConfig = { ...DEFAULTS, jwtSecret: await jwtSecret(db), ...opts.config };
    const messaging = await openMessaging(
      { natsUrl: opts.natsUrl, redisUrl: opts.redisUrl, cachePrefix: opts.cachePrefix, subjectPrefix: names.busPrefix },
      { clock, logger },
    );
    closers.push(() => messaging.close());
    const nc = (messaging.bus as NatsBus).connection;
    await ensureCommandStream(await nc.jetstreamManager(), names);
    const sharded = await ShardedEngineService.open({ nc, names, map, db, clock, logger, initialCash: config.initialCash, timeoutMs: opts.timeoutMs });
    closers.push(() => sharded.close());
    const metrics = createVenueMetrics();
    const engine = instrumentEngine(sharded, metrics);
    const market = await openMarket({ bus: messaging.bus, engine, clock, logger, metrics }, { dataDir: null, ...opts.market });
    closers.push(() => market.close());
    // A close while a shard is down is retried until it answers (its end-of-session command is stored meanwhile).
    const session = closeMinutes === null ? undefined : await SessionClose.start({ db, engine, clock, logger }, closeMinutes);
    if (session) closers.push(() => session.stop());
    return {
      deps: { db, bus: messaging.bus, cache: messaging.cache, clock, engine, logger, config, market, metrics },
      sharded,
      names,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
