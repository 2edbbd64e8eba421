// What a gateway and the engine workers say to each other. Commands travel on
// JetStream (stored before anything runs them); replies, reads and views on
// core NATS (they are answers and caches, not records).
import type {
  AccountRef,
  AccountState,
  Depth,
  EngineStatus,
  Instrument,
  InstrumentInput,
  InstrumentPatch,
  OrderRequest,
  Position,
  Quote,
  ReplaceRequest,
  RiskLimits,
} from '../venue/types.ts';

/** A command, as stored on a symbol's or a shard's command subject. */
export type ShardCommand =
  /** Makes the account known to the shard, crediting `opening_cash` (non-zero on its home shard only). */
  | { op: 'open_account'; account: AccountRef; opening_cash: string }
  | { op: 'deposit'; account: AccountRef; amount: string }
  | { op: 'withdraw'; account: AccountRef; amount: string }
  /** Debits this shard, then stores the matching transfer_in on the destination shard's subject. */
  | { op: 'transfer_out'; account: AccountRef; amount: string; to: string; transfer_id: string }
  /** Credits this shard (stored by the source worker after its debit was durable). */
  | { op: 'transfer_in'; account: AccountRef; amount: string; from: string; transfer_id: string }
  | { op: 'limits'; account: AccountRef; limits: RiskLimits; actor: string }
  /** The account's kill switch on this shard (its open orders here canceled when set). */
  | { op: 'trading_blocked'; account: AccountRef; blocked: boolean }
  | { op: 'place'; account: AccountRef; req: OrderRequest }
  | { op: 'replace'; account: AccountRef; order_id: string; req: ReplaceRequest }
  | { op: 'cancel'; account: AccountRef; order_id: string }
  | { op: 'cancel_all'; account: AccountRef }
  | { op: 'close_position'; account: AccountRef; symbol: string; qty?: string }
  | { op: 'close_all'; account: AccountRef }
  | { op: 'add_instrument'; input: InstrumentInput; actor: string }
  | { op: 'update_instrument'; symbol: string; patch: InstrumentPatch; actor: string }
  | { op: 'end_session'; symbol?: string };

/** Headers a gateway puts on a command: where to reply, and the id the reply carries. */
export const REPLY_HEADER = 'Cift-Reply-To';
export const COMMAND_ID_HEADER = 'Cift-Command-Id';

/** An error as it crosses the wire (an ApiError's fields). */
export interface WireError {
  status: number;
  code: string;
  message: string;
  field?: string;
}

/** One account on one shard. */
export interface AccountView {
  state: AccountState;
  positions: Position[];
}

/** One book. */
export interface BookView {
  quote: Quote;
  /** Up to DEPTH_LEVELS levels per side. */
  depth: Depth;
}

/** Levels per side a view carries (the depth route's maximum). */
export const DEPTH_LEVELS = 100;

/**
 * What a worker shows of its state: everything (a full view, on request) or
 * what changed (with every reply, and on a timer). `version` grows with every
 * view a worker process sends; `boot` names the process, so a gateway
 * re-reads the full view when a worker restarts.
 */
export interface ShardView {
  shard: string;
  boot: string;
  version: number;
  full: boolean;
  /** The symbols the worker owns by its shard map (a gateway with another map refuses to route to it). */
  symbols: string[];
  status: EngineStatus;
  instruments: Instrument[];
  books: Record<string, BookView>;
  accounts: Record<string, AccountView>;
}

/** A worker's answer to a command. */
export type ShardReply =
  | { id: string; ok: true; result: unknown; view: ShardView }
  | { id: string; ok: false; error: WireError; view?: ShardView };

/** A read sent to a worker (request/reply). */
export type ShardRead = { op: 'full_view' };
