// Opens the venue's market-data side: the market store (chdb in the data
// directory, or a ClickHouse server when CLICKHOUSE_URL is set), its tables,
// the projector that fills them from the bus, the stream hub, and (when asked)
// the demo market.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Bus, Clock } from '../deps.ts';
import type { MarketEventSource } from '../venue/market-events.ts';
import type { EngineService } from '../venue/types.ts';
import { MarketData } from './data.ts';
import { countFills, type VenueMetrics } from './metrics.ts';
import { MarketProjector, type ProjectorOptions } from './projector.ts';
import { migrateMarketStore, openChdbStore, openClickHouseStore, type MarketStore } from './store.ts';
import { StreamHub } from './streams.ts';

/** Where market data is stored and how it is projected. */
export interface MarketOptions {
  /** The venue's data directory (chdb keeps its files in `<dataDir>/clickhouse`); null: in memory. */
  dataDir: string | null;
  /** A ClickHouse server (http://user:password@host:8123) instead of the embedded engine. */
  clickhouseUrl?: string;
  /** Database name on that server (default "cift"). */
  clickhouseDatabase?: string;
  projector?: ProjectorOptions;
  /** The durable source of market events (the JetStream events stream, with NATS); absent: the bus. */
  events?: MarketEventSource;
}

/** The market-data side as the routes use it. */
export interface Market {
  store: MarketStore;
  data: MarketData;
  projector: MarketProjector;
  streams: StreamHub;
  /** Store status for /ready. */
  status(): Promise<{ ok: boolean; kind: string; pending: number; error?: string }>;
  close(): Promise<void>;
}

/** Opens the store, creates its tables and starts projecting. */
export async function openMarket(
  deps: { bus: Bus; engine: EngineService; clock: Clock; logger: Logger; metrics: VenueMetrics },
  opts: MarketOptions,
): Promise<Market> {
  const store = opts.clickhouseUrl
    ? openClickHouseStore(opts.clickhouseUrl, opts.clickhouseDatabase)
    : await openChdbStore(opts.dataDir === null ? null : join(opts.dataDir, 'clickhouse'));
  try {
    await migrateMarketStore(store);
    const data = new MarketData(store);
    const projector = new MarketProjector({ ...deps, store, data, events: opts.events }, opts.projector);
    await projector.start();
    const stopFills = countFills(deps.bus, deps.metrics);
    const streams = new StreamHub(deps.bus, deps.metrics);
    return {
      store,
      data,
      projector,
      streams,
      async status() {
        try {
          await store.ping();
          return { ok: true, kind: store.kind, pending: projector.pending() };
        } catch (err) {
          return { ok: false, kind: store.kind, pending: projector.pending(), error: (err as Error).message };
        }
      },
      async close() {
        streams.close();
        stopFills();
        try {
          await projector.stop();
        } catch (err) {
          deps.logger.error({ err }, 'market: final flush failed');
        }
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
