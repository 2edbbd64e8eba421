// The production bus: NATS core subjects, behind the same Bus interface as the
// in-process one and with the same subject scheme (trades.<SYMBOL>,
// quotes.<SYMBOL>, book.<SYMBOL>, trade_updates.<account>), so other processes
// (API nodes, projectors, dashboards) can subscribe. Messages are JSON.
// Delivery is asynchronous and at most once, as NATS core is; what must not be
// lost goes through JetStream (jetstream.ts). The client reconnects forever;
// while it is disconnected ping() fails, so /ready names the bus.
import { Events, JSONCodec, connect, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import type { Bus, BusHandler } from '../deps.ts';

/** Bus settings. */
export interface NatsBusOptions {
  /** Prepended to every subject published and subscribed ("" by default); lets test runs share a server. */
  subjectPrefix?: string;
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** How long connecting and ping() may take, in ms (default 2000). */
  timeoutMs?: number;
  logger?: Logger;
}

/** A NATS-backed bus, with its connection exposed for JetStream (jetstream.ts) and tests. */
export interface NatsBus extends Bus {
  readonly kind: 'nats';
  readonly connection: NatsConnection;
  /** Whether the client currently has a server. */
  connected(): boolean;
}

const codec = JSONCodec<unknown>();

/** Opens a NATS connection to `url` (nats://host:port, or several separated by commas). */
export async function connectNats(url: string, opts: { name?: string; timeoutMs?: number } = {}): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url.split(',').map((s) => s.trim()),
      name: opts.name ?? 'cift',
      timeout: opts.timeoutMs ?? 2000,
      // Keep reconnecting for as long as the process lives, quickly.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 10_000,
    });
  } catch (err) {
    throw new Error(`cannot connect to NATS at NATS_URL: ${(err as Error).message}`, { cause: err });
  }
}

/** Connects and returns the bus; a failed first connection throws a readable error. */
export async function openNatsBus(url: string, opts: NatsBusOptions = {}): Promise<NatsBus> {
  const nc = await connectNats(url, opts);
  return natsBus(nc, opts);
}

/** A bus over an open connection (closing the bus drains and closes it). */
export function natsBus(nc: NatsConnection, opts: NatsBusOptions = {}): NatsBus {
  const prefix = opts.subjectPrefix ?? '';
  const timeoutMs = opts.timeoutMs ?? 2000;
  const log = opts.logger;
  let up = true;
  const subs = new Set<Subscription>();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) {
        up = false;
        log?.warn({ server: s.data }, 'nats: disconnected; reconnecting');
      } else if (s.type === Events.Reconnect) {
        up = true;
        log?.info({ server: s.data }, 'nats: reconnected');
      }
    }
  })();
  return {
    kind: 'nats',
    connection: nc,
    connected: () => up && !nc.isClosed(),
    publish(subject, message) {
      if (nc.isClosed()) return;
      // While reconnecting the client buffers what is published and sends it once back.
      nc.publish(prefix + subject, codec.encode(message));
    },
    subscribe(pattern: string, handler: BusHandler) {
      const sub = nc.subscribe(prefix + pattern, {
        callback: (err, msg) => {
          if (err) {
            log?.error({ err, pattern }, 'nats: subscription failed');
            return;
          }
          try {
            handler(msg.subject.slice(prefix.length), codec.decode(msg.data));
          } catch (handlerErr) {
            log?.error({ err: handlerErr, subject: msg.subject }, 'bus handler failed');
          }
        },
      });
      subs.add(sub);
      return () => {
        subs.delete(sub);
        sub.unsubscribe();
      };
    },
    async ping() {
      if (nc.isClosed()) throw new Error('the bus (nats) is closed');
      if (!up) throw new Error('the bus (nats) is unavailable: disconnected, reconnecting');
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          nc.flush(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`the bus (nats) did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (nc.isClosed()) return;
      for (const sub of subs) sub.unsubscribe();
      subs.clear();
      // drain() flushes what was published; while disconnected it cannot, so just close.
      if (up) await nc.drain().catch(() => nc.close());
      else await nc.close();
    },
  };
}
