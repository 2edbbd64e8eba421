// Market events on JetStream: the engine service stores each batch's trades,
// L2 level changes and quotes on the events stream (one subject per symbol,
// Nats-Msg-Id = the event's id from its engine sequence, so a batch run again
// after a crash stores nothing twice) before committing the batch's rows; the
// ClickHouse projector reads them through a durable consumer and acks after
// its insert, so a projector that stops or dies resumes where it left off.
import { JSONCodec, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { unavailable } from '../http/errors.ts';
import type { MarketEvent, MarketEventFeed, MarketEventSink, MarketEventSource } from '../venue/market-events.ts';
import { ensureStreams, eventSubject, resumeAfterAckFloor, type JetStreamNames } from './jetstream.ts';

const codec = JSONCodec<MarketEvent>();

/** Opens the sink on `names`' events stream (created if missing). */
export async function openMarketEventSink(nc: NatsConnection, names: JetStreamNames, opts: { timeoutMs?: number } = {}): Promise<MarketEventSink> {
  await ensureStreams(await nc.jetstreamManager(), names);
  const js = nc.jetstream();
  const timeout = opts.timeoutMs ?? 5000;
  return {
    async publish(events) {
      if (nc.isClosed()) throw unavailable('the events stream (nats) is closed');
      // Pipelined: one round trip's worth of waiting for the whole batch; the server stores them in this order.
      const acks = await Promise.allSettled(
        events.map((e) => js.publish(eventSubject(names, e.symbol), codec.encode(e), { msgID: e.id, timeout, expect: { streamName: names.events } })),
      );
      const failed = acks.find((a): a is PromiseRejectedResult => a.status === 'rejected');
      if (failed) throw unavailable(`the events stream (nats) is unavailable: ${(failed.reason as Error).message}`);
    },
  };
}


/** Feed settings. */
export interface MarketEventFeedOptions {
  /** The durable consumer's name (default "market_projector"). */
  durable?: string;
  /** Most events per batch (default 2000). */
  batch?: number;
  /** How long a fetch waits for events, in ms (default and least 1000, as the client requires). */
  waitMs?: number;
  /** Delay between attempts when the handler fails, in ms (default 1000). */
  retryMs?: number;
  logger?: Logger;
}

/**
 * Feeds `handle` the events stream in order, in batches, through a durable
 * consumer; each batch is acked (all of it, by acking its last message) once
 * `handle` resolves, and retried until it does. On start the consumer is
 * set to begin right after its ack floor, so whatever was delivered but not
 * acked when the last process stopped or died comes again first, in order
 * (rather than after the redelivery timeout, behind newer events). `handle`
 * must therefore be idempotent: the projector skips sequence numbers it
 * already stored.
 */
export async function feedMarketEvents(
  nc: NatsConnection,
  names: JetStreamNames,
  handle: (events: MarketEvent[]) => Promise<void>,
  opts: MarketEventFeedOptions = {},
): Promise<MarketEventFeed> {
  const durable = opts.durable ?? 'market_projector';
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, names);
  await resumeAfterAckFloor(jsm, { stream: names.events, durable, filterSubject: eventSubject(names, '>'), maxAckPending: 20_000 });
  const consumer = await nc.jetstream().consumers.get(names.events, durable);
  const batchSize = opts.batch ?? 2000;
  const waitMs = Math.max(1000, opts.waitMs ?? 1000);
  let stopping = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  const loop = (async () => {
    while (!stopping) {
      const msgs: JsMsg[] = [];
      try {
        const fetched = await consumer.fetch({ max_messages: batchSize, expires: waitMs });
        for await (const m of fetched) msgs.push(m);
      } catch (err) {
        if (stopping) break;
        opts.logger?.warn({ err }, 'market events: fetch failed; retrying');
        await sleep(opts.retryMs ?? 1000);
        continue;
      }
      if (msgs.length === 0) continue;
      const events = msgs.map((m) => codec.decode(m.data));
      for (;;) {
        try {
          await handle(events);
          // Acks the whole batch. If the ack is lost the batch comes again, and changes nothing.
          await msgs
            .at(-1)!
            .ackAck()
            .catch((err: unknown) => opts.logger?.warn({ err }, 'market events: ack failed (the batch will be delivered again)'));
          break;
        } catch (err) {
          opts.logger?.error({ err, first: msgs[0].seq, last: msgs.at(-1)!.seq }, 'market events: projecting a batch failed; retrying');
          // Not acked: a process started later gets the batch again from the ack floor.
          if (stopping) break;
          await sleep(opts.retryMs ?? 1000);
        }
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}

/** The events stream as the market projector's source. */
export function marketEventSource(nc: NatsConnection, names: JetStreamNames, opts: MarketEventFeedOptions = {}): MarketEventSource {
  return { start: (handle) => feedMarketEvents(nc, names, handle, opts) };
}
