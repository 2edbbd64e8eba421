// The command journal: what the engine service makes durable before it
// acknowledges anything. Every command record it runs, and every change it
// makes beside the engine (an instrument listed, limits set, an order's
// identity), is one numbered JSON line. The database rows (orders, fills,
// positions, cash, the engine log) are projected from the same lines later,
// in batches, and the database records the last line it reflects; on start,
// the lines after that one are run again.
import type { OrderRow } from './records.ts';
import type { Instrument, RiskLimits } from './types.ts';

/** A change beside the engine, carried in the journal so a restart can redo it. */
export type JournalEffect =
  /** A new order's identity (before its New command runs). */
  | { k: 'order'; row: OrderRow; ea: number }
  /** A replacement order's identity (before its Replace command runs). */
  | { k: 'replace'; old: string; row: OrderRow; ea: number }
  /** An instrument listed or changed. */
  | { k: 'instrument'; row: Instrument; actor: string; action: string; detail: unknown }
  /** An account made known to the engine. */
  | { k: 'account'; id: string; ea: number }
  /** Risk limits set. */
  | { k: 'limits'; account: string; limits: RiskLimits; actor: string };

/** One journal line: a command record (`s`, `t`, `r`) or an effect (`e`), numbered `n` from 1. */
export type JournalLine = { n: number; s: number; t: number; r: number[] } | { n: number; e: JournalEffect };

/** Where the journal lives. */
export interface CommandJournal {
  readonly kind: string;
  /** Every line still held (taken once, at start). */
  read(): JournalLine[];
  /** Appends lines (`text`: JSON lines, each ending in "\n", the first numbered `firstLine`); resolves once durable. */
  append(firstLine: number, text: string): Promise<void>;
  /** Lines up to `line` are reflected in the database and need not be kept (on JetStream: acknowledged to the projecting consumer, then purged). */
  release(line: number): void;
  /**
   * Follows the journal through a durable consumer (JetStream): `delivered`
   * hears each line number as it is delivered, from where the consumer last
   * acknowledged, redeliveries included. The engine service then writes the
   * rows of a line only once it was delivered, and acknowledges it (release)
   * after the transaction commits. Absent: rows are written as soon as the
   * line is durable.
   */
  follow?(delivered: (line: number) => void): Promise<JournalFollower>;
  close(): Promise<void>;
}

/** A running follower of the journal. */
export interface JournalFollower {
  /** Stops following; undelivered lines stay for the next start. */
  stop(): Promise<void>;
}

/** An engine snapshot: the engine after command `seq` (journal line `line`), and the venue's next order id. */
export interface StoredSnapshot {
  seq: number;
  line: number;
  nextOrder: number;
  state: Uint8Array;
}

/** Where engine snapshots are kept outside the database (JetStream's object store, with NATS). */
export interface SnapshotStorage {
  /** Stores `snap` as the latest (only after the database reflects everything up to it). */
  save(snap: StoredSnapshot): Promise<void>;
  /** The latest snapshot, if any. */
  latest(): Promise<StoredSnapshot | undefined>;
}

/** The journal of an in-memory venue: nothing outlives the process anyway, so appends are immediate. */
export function memoryJournal(): CommandJournal {
  return {
    kind: 'memory',
    read: () => [],
    append: async () => {},
    release() {},
    async close() {},
  };
}
