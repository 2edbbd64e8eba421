// Node entries of a scaled-out venue: `cift worker --shard NAME` runs one
// engine worker, and `cift serve` with CIFT_SHARDS set runs a gateway (the
// HTTP API) in front of the workers. Both read the same environment.
import type { Logger } from 'pino';
import { createApp } from '../app.ts';
import { configFromEnv, createLogger, DEFAULT_INSTRUMENTS_FILE, readInstrumentsFile } from '../boot.ts';
import { nodeWebSocket } from '../market/node-websocket.ts';
import { listenNode, type RunningServer } from '../node.ts';
import { serviceOptionsFromEnv } from '../production/services.ts';
import { parsePort } from '../serve-options.ts';
import { parseSessionClose } from '../venue/session-close.ts';
import { openGateway, type GatewayOptions } from './gateway.ts';
import { parseShardMap, scaleoutNames } from './shard-map.ts';
import { registerShardRoutes } from './routes.ts';
import { startWorker, type WorkerOptions } from './worker.ts';

/** What both process kinds share, read from the environment. */
export interface ScaleoutSettings {
  port: number;
  gateway: Omit<GatewayOptions, 'logger'>;
  worker: Omit<WorkerOptions, 'shard' | 'logger'>;
}

/**
 * CIFT_SHARDS (the shard map, required), DATABASE_URL and NATS_URL
 * (required: the workers' schemas and the command stream live there),
 * REDIS_URL and CIFT_CACHE_PREFIX (optional, the gateway's cache),
 * CIFT_SCALEOUT_PREFIX (default "cift"), CIFT_SHARD_TIMEOUT_MS (how long the
 * gateway waits for a worker, default 5000), CIFT_SNAPSHOT_EVERY (worker
 * engine snapshots, in commands), CIFT_SESSION_CLOSE (the gateway's daily
 * close, ended on every shard), CIFT_INSTRUMENTS, PORT and the CIFT_*
 * settings of configFromEnv(). Throws naming a missing or malformed variable.
 */
export function scaleoutSettingsFromEnv(env: Record<string, string | undefined>): ScaleoutSettings {
  if (!env.CIFT_SHARDS) throw new Error('CIFT_SHARDS must name the shards, e.g. "a=AAPL,MSFT;b=SPY,QQQ"');
  const map = parseShardMap(env.CIFT_SHARDS);
  const services = serviceOptionsFromEnv(env);
  if (!services.databaseUrl) throw new Error('DATABASE_URL must be set: the workers keep their tables in PostgreSQL');
  if (!services.natsUrl) throw new Error('NATS_URL must be set: commands reach the workers through JetStream');
  const prefix = env.CIFT_SCALEOUT_PREFIX || 'cift';
  try {
    scaleoutNames(prefix);
  } catch (err) {
    throw new Error(`CIFT_SCALEOUT_PREFIX: ${(err as Error).message}`, { cause: err });
  }
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^[1-9]\d*$/.test(v)) throw new Error(`${name} must be a positive integer, got '${v}'`);
    return Number(v);
  };
  if (env.CIFT_SESSION_CLOSE) parseSessionClose(env.CIFT_SESSION_CLOSE);
  const inst = env.CIFT_INSTRUMENTS;
  const instrumentsFile = inst === 'none' ? null : inst === undefined || inst === '' ? DEFAULT_INSTRUMENTS_FILE : inst;
  return {
    port: parsePort(env.PORT, 'PORT'),
    gateway: {
      map,
      prefix,
      databaseUrl: services.databaseUrl,
      natsUrl: services.natsUrl,
      redisUrl: services.redisUrl,
      cachePrefix: services.cachePrefix,
      config: configFromEnv(env),
      timeoutMs: int('CIFT_SHARD_TIMEOUT_MS'),
      sessionClose: env.CIFT_SESSION_CLOSE || undefined,
      market: env.CLICKHOUSE_URL ? { clickhouseUrl: env.CLICKHOUSE_URL, clickhouseDatabase: env.CLICKHOUSE_DATABASE } : undefined,
    },
    worker: {
      map,
      prefix,
      databaseUrl: services.databaseUrl,
      natsUrl: services.natsUrl,
      instruments: instrumentsFile === null ? [] : readInstrumentsFile(instrumentsFile),
      snapshotEvery: int('CIFT_SNAPSHOT_EVERY'),
    },
  };
}

/** Runs until SIGINT/SIGTERM, then runs `stop` and exits (0, or 1 if stopping failed). */
function untilSignal(stop: () => Promise<void>, logger: Logger): void {
  const done = (): void => {
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
}

/** Starts the worker of `shard` and runs it until a signal. */
export async function runWorker(shard: string, settings: ScaleoutSettings, logger = createLogger()): Promise<void> {
  const worker = await startWorker({ ...settings.worker, shard, logger });
  console.log(`cift: worker ${shard} consuming ${worker.shard.symbols.join(', ')}`);
  untilSignal(() => worker.close(), logger);
}

/** A listening gateway and how to stop it. */
export type RunningGateway = RunningServer;

/** Opens the gateway and listens on `port` (0: any free port). */
export async function startGatewayServer(port: number, settings: ScaleoutSettings, logger = createLogger()): Promise<RunningGateway> {
  const gw = await openGateway({ ...settings.gateway, logger });
  try {
    const ws = await nodeWebSocket();
    const app = createApp({ ...gw.deps, upgradeWebSocket: ws?.upgradeWebSocket });
    const { map } = settings.gateway;
    registerShardRoutes(
      app,
      gw.sharded,
      (ea) => map.homeShard(ea).name,
      (name) => map.shard(name)?.symbols ?? [],
    );
    return await listenNode(app, port, ws, gw.deps.market.streams, () => gw.close());
  } catch (err) {
    await gw.close();
    throw err;
  }
}

/** Starts a gateway and runs it until a signal. */
export async function runGateway(port: number, settings: ScaleoutSettings, logger = createLogger()): Promise<void> {
  const running = await startGatewayServer(port, settings, logger);
  console.log(`cift: listening on http://localhost:${running.port} (gateway for shards ${settings.gateway.map.shards.map((s) => s.name).join(', ')})`);
  untilSignal(() => running.stop(), logger);
}
