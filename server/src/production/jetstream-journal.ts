// The engine service's command journal on JetStream instead of a file in the
// data directory: the same contract (numbered JSON lines; append resolves once
// durable; lines the database already reflects are released; the lines still
// held are read once at start), so a venue whose engine may move between
// machines keeps its journal in NATS. Appends are JetStream publishes with
// Nats-Msg-Id de-duplication (a retried append stores nothing twice) and
// single-writer fencing (a stale process is refused, not interleaved).
import { createHash } from 'node:crypto';
import type { JsMsg, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { ensureStreams, JetStreamJournal, readStream, resumeAfterAckFloor, type JetStreamNames, type StreamOptions } from './jetstream.ts';

/** The subject journal lines go to, in the commands stream. "_" never starts a symbol token, so it cannot clash with one. */
export const journalSubject = (n: JetStreamNames): string => `${n.subjectRoot}.cmd._journal`;

/** A journal line: any JSON object numbered `n` from 1. */
export interface NumberedLine {
  n: number;
}

/** The journal, shaped as the engine service's CommandJournal. */
export interface JetStreamCommandJournal<L extends NumberedLine> {
  readonly kind: 'jetstream';
  /** The lines still held when the journal was opened, in order (taken once: later calls return none). */
  read(): L[];
  /** Appends `text` (JSON lines, each ending in "\n", the first numbered `firstLine`); resolves once JetStream stored them all. */
  append(firstLine: number, text: string): Promise<void>;
  /** Lines up to `line` are reflected elsewhere: acknowledged to the follower's consumer and purged from the stream (in the background). */
  release(line: number): void;
  /**
   * Follows the journal through the durable consumer `journal_projector`
   * (ack-all): `delivered` hears each line number delivered; release(line)
   * acknowledges through that line; a line delivered again after it was
   * released is acknowledged at once (it changes nothing). On start the
   * consumer begins just after its ack floor, so what a stopped or killed
   * process had not acknowledged comes again first, in order.
   */
  follow(delivered: (line: number) => void): Promise<{ stop(): Promise<void> }>;
  /** Waits for pending purges. The connection stays open (it belongs to the caller). */
  close(): Promise<void>;
}

/** Journal settings. */
export interface CommandJournalOptions extends StreamOptions {
  /** Publish ack timeout in ms (default 5000). */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * Opens the journal on `names`' commands stream (created if missing) and
 * reads the lines it holds. The message id of a line is its number plus a
 * hash of its text: a retry of the same line is a duplicate, while a line
 * that reuses a number with other content (a journal restarted from 1) is not.
 */
export async function openJetStreamCommandJournal<L extends NumberedLine>(
  nc: NatsConnection,
  names: JetStreamNames,
  opts: CommandJournalOptions = {},
): Promise<JetStreamCommandJournal<L>> {
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, names, opts);
  const subject = journalSubject(names);
  const held: L[] = [];
  // Stream sequence of each line still held, so release() knows where to cut.
  const seqOf = new Map<number, number>();
  for await (const r of readStream(nc, names.commands, 1, [subject])) {
    const line = JSON.parse(new TextDecoder().decode(r.data)) as L;
    // A number seen again: the writer numbered from there anew after an append that failed part-way (so
    // nothing from it was acknowledged, and the state it ran ahead with was thrown away). The earlier
    // lines from that number on are superseded.
    while (held.length > 0 && held[held.length - 1].n >= line.n) seqOf.delete(held.pop()!.n);
    held.push(line);
    seqOf.set(line.n, r.seq);
  }
  const journal = await JetStreamJournal.open(nc, names.commands, { timeoutMs: opts.timeoutMs });
  const enc = new TextEncoder();
  let purging: Promise<unknown> = Promise.resolve();
  // The follower: delivered messages not yet acknowledged, in order, and the last line released.
  const unacked: { n: number; msg: JsMsg }[] = [];
  let released = 0;
  const ackThrough = (line: number): void => {
    let last: JsMsg | undefined;
    while (unacked.length > 0 && unacked[0].n <= line) last = unacked.shift()!.msg;
    // Ack-all: acknowledging the last one acknowledges those before it.
    last?.ack();
  };
  return {
    kind: 'jetstream',
    read: () => held.splice(0),
    async append(firstLine, text) {
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      const acks = await journal.append(
        lines.map((line, i) => ({
          id: `${firstLine + i}-${createHash('sha256').update(line).digest('base64url').slice(0, 16)}`,
          subject,
          data: enc.encode(line),
        })),
      );
      acks.forEach((a, i) => seqOf.set(firstLine + i, a.seq));
    },
    release(line) {
      released = Math.max(released, line);
      ackThrough(line);
      const seq = seqOf.get(line);
      if (seq === undefined) return;
      for (const n of seqOf.keys()) if (n <= line) seqOf.delete(n);
      // Purge the journal's subject below the next line's sequence.
      purging = purging
        .then(() => jsm.streams.purge(names.commands, { filter: subject, seq: seq + 1 }))
        .catch((err: unknown) => opts.logger?.warn({ err, line }, 'jetstream journal: purge failed (lines are kept; the next release retries)'));
    },
    async follow(delivered) {
      const durable = 'journal_projector';
      await resumeAfterAckFloor(jsm, { stream: names.commands, durable, filterSubject: subject, maxAckPending: 100_000 });
      const messages = await (await nc.jetstream().consumers.get(names.commands, durable)).consume({ max_messages: 1000 });
      const loop = (async () => {
        for await (const m of messages) {
          // The message id is "<line>-<hash>": the number without parsing the line.
          const n = Number.parseInt(m.headers?.get('Nats-Msg-Id') ?? '', 10);
          if (!Number.isSafeInteger(n) || n <= released) {
            m.ack();
            continue;
          }
          unacked.push({ n, msg: m });
          delivered(n);
        }
      })();
      return {
        async stop() {
          messages.stop();
          await loop;
        },
      };
    },
    async close() {
      await purging;
    },
  };
}
