// NATS JetStream building blocks for the durable path (issue 6): the command
// and event streams with one subject per symbol, a journal whose append()
// resolves once JetStream has stored every message of a batch (pipelined
// publishes, de-duplicated by Nats-Msg-Id, optionally fenced by the expected
// last sequence so a stale writer cannot interleave), replay from a sequence,
// durable consumers for projections, and an object store for engine snapshots.
// The engine service's journal (venue/) plugs into `JetStreamJournal`.
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  Events,
  RetentionPolicy,
  StorageType,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type ObjectStore,
  type PubAck,
  type StreamInfo,
} from 'nats';
import type { Logger } from 'pino';
import { unavailable } from '../http/errors.ts';

/** The names one venue uses: stream names are upper-case tokens, subjects hang off `subjectRoot`. */
export interface JetStreamNames {
  /** Subject root, e.g. "cift" (commands on cift.cmd.<SYMBOL>, events on cift.evt.<SYMBOL>). */
  subjectRoot: string;
  /** Stream holding commands, in the order the engine executes them. */
  commands: string;
  /** Stream holding the events the engine produced. */
  events: string;
  /** Object store bucket holding engine snapshots. */
  snapshots: string;
}

/** Names for `prefix` ("cift" in production; a random one per test run). */
export function jetStreamNames(prefix = 'cift'): JetStreamNames {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(prefix)) throw new Error(`JetStream prefix must match [a-z][a-z0-9_]{0,31}, got '${prefix}'`);
  const upper = prefix.toUpperCase();
  return { subjectRoot: prefix, commands: `${upper}_COMMANDS`, events: `${upper}_EVENTS`, snapshots: `${prefix}_snapshots` };
}

/**
 * The subject token for a symbol. Symbols may contain "." (e.g. BRK.B), which
 * NATS reads as a token separator; "_" never occurs in a symbol, so mapping
 * "." to "_" keeps tokens distinct.
 */
export function symbolToken(symbol: string): string {
  return symbol.replaceAll('.', '_');
}

/** The command subject of a symbol ("cift.cmd.AAPL"); `symbol` "*" or ">" gives a wildcard. */
export const commandSubject = (n: JetStreamNames, symbol: string): string => `${n.subjectRoot}.cmd.${symbol === '*' || symbol === '>' ? symbol : symbolToken(symbol)}`;
/** The event subject of a symbol ("cift.evt.AAPL"). */
export const eventSubject = (n: JetStreamNames, symbol: string): string => `${n.subjectRoot}.evt.${symbol === '*' || symbol === '>' ? symbol : symbolToken(symbol)}`;

/** Stream settings. */
export interface StreamOptions {
  /** How long Nats-Msg-Id de-duplication remembers an id, in ms (default 2 minutes). */
  duplicateWindowMs?: number;
  /** Replicas in a clustered JetStream (default 1). */
  replicas?: number;
  /**
   * How long the event stream keeps a message, in ms (default 7 days). Its consumers (the
   * market projector) ack within a batch, and ClickHouse holds the history, so the stream
   * only has to outlast a projector outage. The command stream keeps everything: its
   * lines are purged once projected.
   */
  eventsMaxAgeMs?: number;
}

/**
 * Creates the command and event streams if missing (file storage, limits
 * retention, nothing discarded for size: a full stream refuses writes rather
 * than dropping acknowledged history; events age out after `eventsMaxAgeMs`).
 * Existing streams are left as they are.
 */
export async function ensureStreams(jsm: JetStreamManager, n: JetStreamNames, opts: StreamOptions = {}): Promise<void> {
  for (const [name, kind] of [
    [n.commands, 'cmd'],
    [n.events, 'evt'],
  ] as const) {
    try {
      await jsm.streams.info(name);
      continue;
    } catch (err) {
      if (!/stream not found/i.test((err as Error).message)) throw err;
    }
    await jsm.streams.add({
      name,
      subjects: [`${n.subjectRoot}.${kind}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      duplicate_window: nanos(opts.duplicateWindowMs ?? 120_000),
      ...(kind === 'evt' ? { max_age: nanos(opts.eventsMaxAgeMs ?? 7 * 24 * 3_600_000) } : {}),
      num_replicas: opts.replicas ?? 1,
      deny_delete: true,
      deny_purge: false,
      allow_direct: true,
    });
  }
}

/** Deletes the streams and the snapshot bucket (tests, and tearing a venue down). */
export async function deleteStreams(jsm: JetStreamManager, n: JetStreamNames): Promise<void> {
  for (const name of [n.commands, n.events, `OBJ_${n.snapshots}`]) {
    try {
      await jsm.streams.delete(name);
    } catch (err) {
      if (!/stream not found/i.test((err as Error).message)) throw err;
    }
  }
}

/** One message to journal. */
export interface JournalEntry {
  /** Unique id (sent as Nats-Msg-Id): republishing it within the duplicate window stores nothing new. */
  id: string;
  subject: string;
  data: Uint8Array;
}

/** What JetStream answered for one entry. */
export interface JournalAck {
  /** The stream sequence holding the entry. */
  seq: number;
  /** True when the id had already been stored (the entry was a retry). */
  duplicate: boolean;
}

/** A journal settings. */
export interface JournalOptions {
  /** How long to wait for each publish ack, in ms (default 5000). */
  timeoutMs?: number;
  /**
   * Single-writer fencing: each publish carries the stream sequence it
   * expects to follow, so a second writer (a stale process after a failover)
   * is refused instead of interleaving. Default true.
   */
  fenced?: boolean;
}

/** A stored message read back. */
export interface JournalRecord {
  seq: number;
  subject: string;
  /** The Nats-Msg-Id it was published with. */
  id: string | undefined;
  data: Uint8Array;
}

/**
 * An append-only journal on one stream. `append(batch)` publishes every entry
 * without waiting between them (group commit: one round trip's worth of
 * latency per batch, not per entry) and resolves once all are stored; it
 * rejects with a 503 ApiError if JetStream is unreachable or does not ack in
 * time, in which case the caller must not acknowledge anything in the batch.
 */
export class JetStreamJournal {
  private lastSeq: number;
  private tail: Promise<unknown> = Promise.resolve();
  private up = true;
  /** A failed append could not re-read where the stream ends: do so before the next one. */
  private stale = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    readonly stream: string,
    lastSeq: number,
    private readonly opts: Required<JournalOptions>,
  ) {
    this.lastSeq = lastSeq;
    // Track the connection so appends fail at once while it is down, instead of waiting for the ack timeout.
    void (async () => {
      for await (const st of nc.status()) {
        if (st.type === Events.Disconnect) this.up = false;
        else if (st.type === Events.Reconnect) this.up = true;
      }
    })();
  }

  /** Whether the connection currently has a server. */
  connected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  /** Opens the journal on an existing stream (see ensureStreams). */
  static async open(nc: NatsConnection, stream: string, opts: JournalOptions = {}): Promise<JetStreamJournal> {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    return new JetStreamJournal(nc, nc.jetstream(), stream, info.state.last_seq, { timeoutMs: opts.timeoutMs ?? 5000, fenced: opts.fenced ?? true });
  }

  /** The stream sequence of the last entry this journal knows of. */
  get last(): number {
    return this.lastSeq;
  }

  /** Appends `batch` in order; resolves with one ack per entry once all are stored. Batches are appended one after another. */
  append(batch: readonly JournalEntry[]): Promise<JournalAck[]> {
    const run = this.tail.then(() => this.publish(batch));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async publish(batch: readonly JournalEntry[]): Promise<JournalAck[]> {
    if (batch.length === 0) return [];
    if (this.nc.isClosed()) throw unavailable('the journal (nats) is closed');
    if (!this.up) throw unavailable('the journal (nats) is unavailable: disconnected, reconnecting');
    if (this.stale) {
      try {
        await this.resync();
      } catch (err) {
        throw unavailable(`the journal (nats) is unavailable: ${(err as Error).message}`);
      }
      this.stale = false;
    }
    const base = this.lastSeq;
    const pending: Promise<PubAck>[] = batch.map((e, i) =>
      this.js.publish(e.subject, e.data, {
        msgID: e.id,
        timeout: this.opts.timeoutMs,
        expect: this.opts.fenced ? { streamName: this.stream, lastSequence: base + i } : { streamName: this.stream },
      }),
    );
    const settled = await Promise.allSettled(pending);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      // Some entries may be stored: re-read where the stream ends before the next append.
      await this.resync().catch(() => {
        this.stale = true;
      });
      const msg = (failed.reason as Error).message;
      if (/wrong last sequence/i.test(msg)) throw unavailable(`the journal ${this.stream} was written by another writer (${msg}); refusing to append`);
      throw unavailable(`the journal (nats) is unavailable: ${msg}`);
    }
    const acks = settled.map((s) => (s as PromiseFulfilledResult<PubAck>).value);
    for (const a of acks) this.lastSeq = Math.max(this.lastSeq, a.seq);
    return acks.map((a) => ({ seq: a.seq, duplicate: a.duplicate }));
  }

  /** Re-reads the stream's last sequence (after a failed append, or when taking over as writer). */
  async resync(): Promise<number> {
    const jsm = await this.nc.jetstreamManager();
    const info: StreamInfo = await jsm.streams.info(this.stream);
    this.lastSeq = info.state.last_seq;
    return this.lastSeq;
  }

  /** Reads the entries from `fromSeq` on (optionally only `subjects`), up to the stream's end when called. */
  read(fromSeq: number, subjects?: string[]): AsyncIterable<JournalRecord> {
    return readStream(this.nc, this.stream, fromSeq, subjects);
  }
}

/**
 * A consumer's subject filter: one subject works on every server; several
 * (one worker's set of symbols) need nats-server 2.10 or later.
 */
function subjectFilter(subjects: string[] | undefined): { filter_subject?: string; filter_subjects?: string[] } {
  if (subjects === undefined || subjects.length === 0) return {};
  return subjects.length === 1 ? { filter_subject: subjects[0] } : { filter_subjects: subjects };
}

/**
 * Reads a stream from `fromSeq` up to its end at the time of the call, in
 * order, through a short-lived consumer. Replays after a snapshot use this.
 */
export async function* readStream(nc: NatsConnection, stream: string, fromSeq: number, subjects?: string[]): AsyncIterable<JournalRecord> {
  const jsm = await nc.jetstreamManager();
  const ci = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, fromSeq),
    ...subjectFilter(subjects),
    inactive_threshold: nanos(30_000),
    mem_storage: true,
  });
  try {
    let remaining = ci.num_pending;
    const consumer = await nc.jetstream().consumers.get(stream, ci.name);
    while (remaining > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(remaining, 512), expires: 5000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        remaining--;
        yield { seq: m.seq, subject: m.subject, id: m.headers?.get('Nats-Msg-Id') || undefined, data: m.data };
      }
      if (got === 0) throw new Error(`reading ${stream}: no messages arrived though ${remaining} were pending`);
    }
  } finally {
    await jsm.consumers.delete(stream, ci.name).catch(() => undefined);
  }
}

/** A running durable consumer. */
export interface DurableConsumer {
  /** Stops pulling; resolves once the message in hand is handled. */
  stop(): Promise<void>;
}

/** Durable consumer settings. */
export interface DurableOptions {
  stream: string;
  /** The durable name: the server remembers its position across restarts. */
  durable: string;
  /** Only these subjects (e.g. one worker's symbols). */
  subjects?: string[];
  /**
   * Handles one message. Must be idempotent (a message is redelivered if the
   * process dies before the ack, or if the handler throws); e.g. write the
   * projection and the message's stream sequence in one transaction and skip
   * sequences already applied.
   */
  handle(msg: JsMsg): Promise<void>;
  /** Delay before a failed message is redelivered, in ms (default 1000). */
  retryMs?: number;
  /** How long the server waits for an ack before redelivering, in ms (default 30000). */
  ackWaitMs?: number;
  logger?: Logger;
}

/**
 * Creates (or reuses) a durable pull consumer with explicit acks and handles
 * its messages one at a time, in stream order: ack after the handler
 * resolves, nak with a delay when it throws.
 */
export async function runDurableConsumer(nc: NatsConnection, opts: DurableOptions): Promise<DurableConsumer> {
  const jsm = await nc.jetstreamManager();
  const config = {
    durable_name: opts.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(opts.ackWaitMs ?? 30_000),
    // One in flight keeps the projection in stream order.
    max_ack_pending: 1,
    ...subjectFilter(opts.subjects),
  };
  try {
    await jsm.consumers.info(opts.stream, opts.durable);
    await jsm.consumers.update(opts.stream, opts.durable, { ack_wait: config.ack_wait, ...subjectFilter(opts.subjects) });
  } catch (err) {
    if (!/consumer not found/i.test((err as Error).message)) throw err;
    await jsm.consumers.add(opts.stream, config);
  }
  const consumer = await nc.jetstream().consumers.get(opts.stream, opts.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });
  const loop = (async () => {
    for await (const m of messages) {
      try {
        await opts.handle(m);
        m.ack();
      } catch (err) {
        opts.logger?.error({ err, stream: opts.stream, durable: opts.durable, seq: m.seq }, 'jetstream: handler failed; will retry');
        m.nak(opts.retryMs ?? 1000);
      }
    }
  })();
  return {
    async stop() {
      messages.stop();
      await loop;
    },
  };
}

/** A batch-acked durable consumer, recreated by `resumeAfterAckFloor`. */
export interface AckFloorConsumerOptions {
  stream: string;
  durable: string;
  /** One subject (nats-server 2.9 takes one filter per consumer). */
  filterSubject: string;
  /** Deliveries the server lets go unacked before pausing. */
  maxAckPending: number;
}

/**
 * (Re)creates a durable pull consumer acked in batches (AckPolicy.All) so
 * that it starts right after its previous ack floor: whatever was delivered
 * but not acked when the last process stopped or died comes again first, in
 * order, rather than after the redelivery timeout behind newer messages. A
 * consumer seen for the first time starts at the stream's beginning.
 */
export async function resumeAfterAckFloor(jsm: JetStreamManager, opts: AckFloorConsumerOptions): Promise<void> {
  let floor = 0;
  try {
    floor = (await jsm.consumers.info(opts.stream, opts.durable)).ack_floor.stream_seq;
    await jsm.consumers.delete(opts.stream, opts.durable);
  } catch (err) {
    if (!/consumer not found/i.test((err as Error).message)) throw err;
  }
  await jsm.consumers.add(opts.stream, {
    durable_name: opts.durable,
    ack_policy: AckPolicy.All,
    ...(floor > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 } : { deliver_policy: DeliverPolicy.All }),
    filter_subject: opts.filterSubject,
    ack_wait: nanos(60_000),
    max_ack_pending: opts.maxAckPending,
  });
}

/** An engine snapshot: the engine state after command `seq`, and the venue's next order id. */
export interface EngineSnapshot {
  seq: number;
  /** The position it reflects in the venue's command journal (journal line), when the writer has one. */
  line?: number;
  nextOrder: number;
  state: Uint8Array;
}

const SNAPSHOT_OBJECT = 'engine';

/**
 * Engine snapshots in a JetStream object store (chunked, so states larger
 * than a message fit). Only the latest is kept: a newer snapshot replaces the
 * object, and replay starts after its `seq`.
 */
export class SnapshotStore {
  private constructor(private readonly os: ObjectStore) {}

  /** Opens (creating if missing) the bucket. */
  static async open(nc: NatsConnection, bucket: string): Promise<SnapshotStore> {
    return new SnapshotStore(await nc.jetstream().views.os(bucket, { storage: StorageType.File }));
  }

  /** Stores `snap` as the latest snapshot. */
  async save(snap: EngineSnapshot): Promise<void> {
    const metadata: Record<string, string> = { seq: String(snap.seq), next_order: String(snap.nextOrder) };
    if (snap.line !== undefined) metadata.line = String(snap.line);
    await this.os.putBlob({ name: SNAPSHOT_OBJECT, metadata }, snap.state);
  }

  /** The latest snapshot, or undefined when none was saved. */
  async latest(): Promise<EngineSnapshot | undefined> {
    // get() returns the object's info and its chunks together, so they cannot come from two different saves.
    const res = await this.os.get(SNAPSHOT_OBJECT);
    if (res === null) return undefined;
    const chunks: Uint8Array[] = [];
    const reader = res.data.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    await res.error.then((err) => {
      if (err) throw err;
    });
    const state = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      state.set(c, at);
      at += c.length;
    }
    const meta = res.info.metadata ?? {};
    return { seq: Number(meta.seq), ...(meta.line === undefined ? {} : { line: Number(meta.line) }), nextOrder: Number(meta.next_order), state };
  }

  /** Removes the bucket. */
  async destroy(): Promise<void> {
    await this.os.destroy();
  }
}
