// The venue's Prometheus metrics (prom-client), one registry per venue so
// several venues in one process (tests) do not share counters. Engine calls
// are timed by wrapping the EngineService; orders, fills and rejects are
// counted from what the engine answers and publishes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Bus } from '../deps.ts';
import { toApiError } from '../http/errors.ts';
import type { EngineService, Order } from '../venue/types.ts';

/** Every metric the venue exports. */
export interface VenueMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  engineDuration: Histogram<'operation' | 'outcome'>;
  orders: Counter<'symbol' | 'side' | 'type'>;
  rejects: Counter<'reason'>;
  fills: Counter<'symbol'>;
  streamConnections: Gauge<'transport'>;
  projectorRows: Counter<'table'>;
  projectorErrors: Counter;
}

/** Creates the registry and its metrics (plus the process defaults where the runtime supports them). */
export function createVenueMetrics(): VenueMetrics {
  const registry = new Registry();
  try {
    collectDefaultMetrics({ register: registry, prefix: 'cift_' });
  } catch {
    // A runtime without some of Node's process APIs: the venue's own metrics still work.
  }
  const seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  return {
    registry,
    httpDuration: new Histogram({
      name: 'cift_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['method', 'route', 'status'],
      buckets: seconds,
      registers: [registry],
    }),
    engineDuration: new Histogram({
      name: 'cift_engine_operation_duration_seconds',
      help: 'Engine service call latency, until its effects are durable',
      labelNames: ['operation', 'outcome'],
      buckets: seconds,
      registers: [registry],
    }),
    orders: new Counter({ name: 'cift_orders_total', help: 'Orders accepted by the engine', labelNames: ['symbol', 'side', 'type'], registers: [registry] }),
    rejects: new Counter({ name: 'cift_order_rejects_total', help: 'Orders rejected, by reason', labelNames: ['reason'], registers: [registry] }),
    fills: new Counter({ name: 'cift_fills_total', help: 'Trades (each fills a maker and a taker order)', labelNames: ['symbol'], registers: [registry] }),
    streamConnections: new Gauge({ name: 'cift_stream_connections', help: 'Open stream connections', labelNames: ['transport'], registers: [registry] }),
    projectorRows: new Counter({ name: 'cift_market_rows_total', help: 'Rows written to the market store', labelNames: ['table'], registers: [registry] }),
    projectorErrors: new Counter({ name: 'cift_market_write_errors_total', help: 'Failed market store writes (retried)', registers: [registry] }),
  };
}

/** Engine calls whose latency is recorded. */
const TIMED = new Set([
  'placeOrder',
  'replaceOrder',
  'cancelOrder',
  'cancelAllOrders',
  'closePosition',
  'closeAllPositions',
  'deposit',
  'withdraw',
  'openAccount',
  'setLimits',
  'addInstrument',
  'updateInstrument',
  'endSession',
]);

/**
 * Wraps an EngineService so each mutating call is timed, accepted orders are
 * counted, and rejections (thrown or returned as status "rejected") are
 * counted by reason. Everything else passes through unchanged.
 */
export function instrumentEngine(engine: EngineService, m: VenueMetrics): EngineService {
  const countOrder = (o: Order): void => {
    if (o.status === 'rejected') m.rejects.inc({ reason: o.reject_reason ?? 'unknown' });
    else m.orders.inc({ symbol: o.symbol, side: o.side, type: o.type });
  };
  // One wrapper per method, made on first use (reads such as quote() stay a plain bound call).
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(engine, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const known = wrapped.get(prop);
      if (known !== undefined) return known;
      const fn = value as (...args: unknown[]) => unknown;
      const out = typeof prop === 'string' && TIMED.has(prop) ? timed(prop, fn, target) : fn.bind(target);
      wrapped.set(prop, out);
      return out;
    },
  });

  function timed(prop: string, fn: (...args: unknown[]) => unknown, target: EngineService) {
    // Timed with performance.now(): histogram.startTimer() costs two process.hrtime() arrays and a merged label object per call.
    const observe = (outcome: 'ok' | 'rejected' | 'error', start: number): void =>
      m.engineDuration.observe({ operation: prop, outcome }, (performance.now() - start) / 1000);
    return async (...args: unknown[]) => {
      const start = performance.now();
      try {
        const out = await fn.apply(target, args);
        observe('ok', start);
        if (prop === 'placeOrder' || prop === 'replaceOrder') countOrder(out as Order);
        return out;
      } catch (err) {
        const known = toApiError(err);
        observe(known && known.status < 500 ? 'rejected' : 'error', start);
        if (prop === 'placeOrder' || prop === 'replaceOrder') m.rejects.inc({ reason: known?.code ?? 'internal' });
        throw err;
      }
    };
  }
}

/** Counts trades from the bus; returns the unsubscribe function. */
export function countFills(bus: Bus, m: VenueMetrics): () => void {
  return bus.subscribe('trades.*', (_subject, msg) => {
    m.fills.inc({ symbol: (msg as { symbol: string }).symbol });
  });
}
