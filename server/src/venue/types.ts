// What the engine service speaks: Alpaca-shaped records with decimal strings,
// and the EngineService interface the routes call. The embedded
// implementation (service.ts) runs the engine in process; a production one can
// route commands to engine workers without the routes changing.

/** The venue-wide money scale: every instrument's price_scale + qty_scale equals it, so cash is one unit. */
export const MONEY_SCALE = 8;

/** An instrument as configured (decimals as strings) with its integer units. */
export interface Instrument {
  symbol: string;
  engine_symbol: number;
  name: string;
  price_scale: number;
  qty_scale: number;
  tick_size: string;
  lot_size: string;
  min_price: string;
  max_price: string;
  min_qty: string;
  max_qty: string;
  maker_fee_bps: string;
  taker_fee_bps: string;
  status: 'active' | 'halted';
  created_at: Date;
  updated_at: Date;
}

/** What creates an instrument (file or admin route). */
export interface InstrumentInput {
  symbol: string;
  name?: string;
  price_scale?: number;
  tick_size: string;
  lot_size: string;
  min_price: string;
  max_price: string;
  min_qty: string;
  max_qty: string;
  maker_fee_bps?: string;
  taker_fee_bps?: string;
  status?: 'active' | 'halted';
}

/** What an admin may change after listing (the grid and bounds are fixed once orders can rest on them). */
export interface InstrumentPatch {
  name?: string;
  maker_fee_bps?: string;
  taker_fee_bps?: string;
  status?: 'active' | 'halted';
}

/** An account as the engine knows it. */
export interface AccountRef {
  id: string;
  engine_account: number;
}

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
export type TimeInForce = 'day' | 'gtc' | 'gtd' | 'ioc' | 'fok';
export type OrderStatus =
  | 'pending_new'
  | 'new'
  | 'partially_filled'
  | 'filled'
  | 'canceled'
  | 'expired'
  | 'rejected'
  | 'replaced';

/** Statuses of an order that can still trade. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['pending_new', 'new', 'partially_filled'];

/** A validated order request (decimals still strings; the service converts them with the instrument's scale). */
export interface OrderRequest {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  time_in_force: TimeInForce;
  qty: string;
  limit_price?: string;
  stop_price?: string;
  display_qty?: string;
  post_only?: boolean;
  reduce_only?: boolean;
  expire_at?: string;
  client_order_id?: string;
}

/** A replace (PATCH): the new open quantity and/or limit price. */
export interface ReplaceRequest {
  qty?: string;
  limit_price?: string;
  client_order_id?: string;
}

/** An order, Alpaca style. */
export interface Order {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  failed_at: string | null;
  replaced_at: string | null;
  replaced_by: string | null;
  replaces: string | null;
  symbol: string;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: 'simple';
  order_type: OrderType;
  type: OrderType;
  side: OrderSide;
  time_in_force: TimeInForce;
  limit_price: string | null;
  stop_price: string | null;
  display_qty: string | null;
  post_only: boolean;
  reduce_only: boolean;
  expire_at: string | null;
  status: OrderStatus;
  reject_reason: string | null;
}

/** One order's outcome in a cancel-all (HTTP status per order, as in Alpaca's 207 body). */
export interface CancelResult {
  id: string;
  status: number;
  body: Order | { code: string; message: string };
}

/** One position's outcome in a close-all (HTTP status per symbol). */
export interface CloseResult {
  symbol: string;
  status: number;
  body: Order | { code: string; message: string };
}

/** A managed account's money, from the engine. */
export interface AccountState {
  cash: string;
  reserved: string;
  buying_power: string;
  equity: string;
  realized_pl: string;
  unrealized_pl: string;
  open_orders: number;
  trading_blocked: boolean;
}

/** A position, Alpaca style. */
export interface Position {
  symbol: string;
  qty: string;
  side: 'long' | 'short';
  avg_entry_price: string;
  cost_basis: string;
  market_value: string | null;
  current_price: string | null;
  unrealized_pl: string;
  realized_pl: string;
}

/** Risk limits for an account (decimals; 0 = unlimited). */
export interface RiskLimits {
  max_order_qty: string;
  max_order_notional: string;
  max_gross_exposure: string;
  max_open_orders: number;
  orders_per_second: number;
  shorting_enabled: boolean;
  /** false: post-trade only (no pre-trade check refuses the account's orders). */
  pre_trade_checks: boolean;
}

/** A deposit or withdrawal as recorded. */
export interface CashMovement {
  id: string;
  kind: 'deposit' | 'withdrawal';
  amount: string;
  cash_after: string;
  created_at: string;
}

/** Top of book and last trade for one symbol. */
export interface Quote {
  symbol: string;
  bid_price: string | null;
  bid_size: string;
  ask_price: string | null;
  ask_size: string;
  last_price: string | null;
  timestamp: string;
}

/** Top N levels per side, best first. */
export interface Depth {
  symbol: string;
  bids: { price: string; size: string; orders: number }[];
  asks: { price: string; size: string; orders: number }[];
  timestamp: string;
}

/** Engine health for /ready. */
export interface EngineStatus {
  ok: boolean;
  seq: number;
  live_orders: number;
  pending_writes: number;
  error?: string;
}

/** The venue's engine, as the routes use it. Every mutating call resolves after its effects are durable. */
export interface EngineService {
  readonly kind: string;
  instruments(): Instrument[];
  instrument(symbol: string): Instrument | undefined;
  addInstrument(input: InstrumentInput, actor: string): Promise<Instrument>;
  updateInstrument(symbol: string, patch: InstrumentPatch, actor: string): Promise<Instrument>;
  /** Makes a new account known to the engine with the default limits and the configured opening cash. */
  openAccount(account: AccountRef): Promise<void>;
  deposit(account: AccountRef, amount: string): Promise<CashMovement>;
  withdraw(account: AccountRef, amount: string): Promise<CashMovement>;
  setLimits(account: AccountRef, limits: RiskLimits, actor: string): Promise<RiskLimits>;
  placeOrder(account: AccountRef, req: OrderRequest): Promise<Order>;
  replaceOrder(account: AccountRef, orderId: string, req: ReplaceRequest): Promise<Order>;
  cancelOrder(account: AccountRef, orderId: string): Promise<Order>;
  cancelAllOrders(account: AccountRef): Promise<CancelResult[]>;
  /** Closes (part of) a position with a market order; `qty` defaults to all of it. */
  closePosition(account: AccountRef, symbol: string, qty?: string): Promise<Order>;
  closeAllPositions(account: AccountRef): Promise<CloseResult[]>;
  accountState(account: AccountRef): AccountState;
  position(account: AccountRef, symbol: string): Position | undefined;
  positions(account: AccountRef): Position[];
  quote(symbol: string): Quote;
  depth(symbol: string, levels: number): Depth;
  /**
   * Blocks (or unblocks) an account in the engine (its kill switch): blocking
   * cancels the account's open orders, and the engine rejects its new orders
   * with `kill_switch` until unblocked. Resolves with the ids of the orders it canceled.
   */
  setTradingBlocked(account: AccountRef, blocked: boolean): Promise<string[]>;
  /** Ends the trading session (DAY orders expire) for one symbol or all. */
  endSession(symbol?: string): Promise<void>;
  status(): EngineStatus;
  /**
   * Resolves once the database rows (orders, fills, positions, cash, history)
   * reflect every command run so far; routes reading those rows wait for it
   * first, so a caller reads its own writes.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}
