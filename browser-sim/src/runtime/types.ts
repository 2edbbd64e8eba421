//! The public types of the backtest runtime: strategies, their context, the events they receive, datasets and results.
// (DOM-free: this module and everything under runtime/ run unchanged in Node, Web Workers and the CLI.)

import type {
  AtrStream,
  BollingerStream,
  EmaStream,
  MacdStream,
  RealizedVolatilityStream,
  RollingStdStream,
  RsiStream,
  SmaStream,
  StochStream,
  VwapStream,
  WmaStream,
  ZScoreStream,
} from 'cift-engine';

/** Strategy parameters (swept by name). */
export type Params = Record<string, number>;

export type Side = 'buy' | 'sell';
export type TimeInForce = 'GTC' | 'DAY' | 'GTD' | 'IOC' | 'FOK';
export type OrderType = 'limit' | 'market' | 'stop' | 'stopLimit';

/**
 * An order size: a number is a quantity (in the instrument's units, e.g. shares); `{ fraction }` is that share of the
 * strategy's equity at the order's reference price (its limit, else its stop, else the last price seen), rounded down
 * to the lot. A size that rounds to zero sends nothing (the helper returns 0).
 */
export type Size = number | { qty: number } | { fraction: number };

/** Options every order helper takes. */
export interface OrderOptions {
  /** Instrument; defaults to the dataset's first. */
  symbol?: string;
  /** Time in force, GTC by default. */
  tif?: TimeInForce;
  /** For GTD: expiry time in the data's timestamp units. */
  expireAt?: number;
  /** Only ever reduces the position (the venue refuses what would open or grow one). */
  reduceOnly?: boolean;
}

/** One OHLCV bar. The runtime reuses one object per instrument: copy fields you want to keep. */
export interface Bar {
  symbol: string;
  /** When the bar is complete, in the data's timestamp units (ms since 1970 for CSV bars). */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One trade print (reused object, as for bars). */
export interface TradePrint {
  symbol: string;
  ts: number;
  price: number;
  qty: number;
  /** The aggressor's side when the data says. */
  aggressor: Side | 'unknown';
}

/** What an L3 (market-by-order) event does to the exchange order it names. */
export type L3Action = 'add' | 'cancel' | 'delete' | 'execute' | 'modify';

/**
 * A book change (reused object): an L2 level update (`kind: 'depth'`), a top-of-book quote (`kind: 'quote'`) or an L3
 * market-by-order event (`kind: 'order'`).
 */
export interface BookUpdate {
  kind: 'depth' | 'quote' | 'order';
  symbol: string;
  ts: number;
  /**
   * depth: the level's side, price and new total size (0 removes it). order: the exchange order's side and price, and
   * the size added (add), removed (cancel, execute), or its new size (modify); a delete's size is what the data says.
   */
  side: 'bid' | 'ask';
  price: number;
  qty: number;
  /** order: what happened to it and its exchange id ('' and NaN otherwise). */
  action: L3Action | '';
  orderId: number;
  /** quote: best bid/ask and sizes (NaN for depth updates). */
  bid: number;
  bidQty: number;
  ask: number;
  askQty: number;
}

/** A fill of one of the strategy's orders (a fresh object each time). */
export interface Fill {
  orderId: number;
  symbol: string;
  /** When it happened at the venue (the strategy hears of it at `ctx.now`). */
  ts: number;
  side: Side;
  price: number;
  qty: number;
  fee: number;
  liquidity: 'maker' | 'taker';
  /** Position and cash after this fill, and what is left of the order. */
  position: number;
  cash: number;
  leaves: number;
}

/** An order as the strategy knows it (from what it sent and the updates it received so far). */
export interface Order {
  id: number;
  symbol: string;
  side: Side;
  type: OrderType;
  tif: TimeInForce;
  /** Limit price (NaN for market and stop orders). */
  price: number;
  /** Stop price (NaN unless stop or stop-limit). */
  stopPrice: number;
  qty: number;
  filled: number;
  leaves: number;
  /** `sent`: not yet acknowledged; `working`: accepted; `triggered`: a stop that triggered. */
  status: 'sent' | 'working' | 'triggered';
  reduceOnly: boolean;
}

/** An order or command the venue refused. */
export interface Rejection {
  orderId: number;
  ts: number;
  /** The engine's reject code (1 malformed; others as in the engine's RejectReason codes). */
  reason: number;
}

/** The analytics module's streaming indicators; every one is freed when the run ends. */
export interface Indicators {
  sma(window: number): SmaStream;
  ema(window: number): EmaStream;
  wma(window: number): WmaStream;
  rsi(window: number): RsiStream;
  std(window: number): RollingStdStream;
  zscore(window: number): ZScoreStream;
  bollinger(window: number, kUp?: number, kDown?: number): BollingerStream;
  macd(fast?: number, slow?: number, signal?: number): MacdStream;
  atr(window: number): AtrStream;
  stoch(fastK?: number, slowK?: number, slowD?: number): StochStream;
  vwap(): VwapStream;
  realizedVolatility(window: number): RealizedVolatilityStream;
}

/** What a strategy sees and does. Money is in the quote currency, sizes in instrument units, times in data units. */
export interface Context {
  /** The strategy's clock: the time of the events being delivered. */
  readonly now: number;
  /** The parameters of this run (defaults merged with the sweep's values). */
  readonly params: Params;
  /** The instruments, first is the default. */
  readonly symbols: readonly string[];
  /** Cash after every fill heard of so far. */
  readonly cash: number;
  /** Cash plus positions at the last price the strategy has seen. */
  readonly equity: number;
  position(symbol?: string): number;
  /** The last price the strategy has seen (bar close or print; NaN before any). */
  price(symbol?: string): number;
  /** Orders sent and not yet finished (filled, cancelled or rejected), optionally of one instrument. */
  openOrders(symbol?: string): Order[];
  /** Order helpers: each returns the new order's id, or 0 when the size rounds to nothing. */
  market(side: Side, size: Size, opts?: OrderOptions): number;
  limit(side: Side, size: Size, price: number, opts?: OrderOptions): number;
  stop(side: Side, size: Size, stopPrice: number, opts?: OrderOptions): number;
  stopLimit(side: Side, size: Size, stopPrice: number, limitPrice: number, opts?: OrderOptions): number;
  /** A reduce-only market order that flattens the position (0 when flat). */
  close(symbol?: string): number;
  cancel(orderId: number): void;
  /** Cancels every open order (of one instrument). */
  cancelAll(symbol?: string): void;
  /** New limit price and/or new open quantity of a working order. */
  replace(orderId: number, change: { price?: number; qty?: number }): void;
  readonly indicators: Indicators;
  /** Collected into the result's `logs` (capped), and printed by the CLI with --verbose. */
  log(...args: unknown[]): void;
}

/** A strategy: every callback optional. Data callbacks are only subscribed when present. */
export interface Strategy {
  onStart?(ctx: Context): void;
  onBar?(bar: Bar, ctx: Context): void;
  onTrade?(trade: TradePrint, ctx: Context): void;
  onBook?(update: BookUpdate, ctx: Context): void;
  onFill?(fill: Fill, ctx: Context): void;
  onReject?(rejection: Rejection, ctx: Context): void;
  onEnd?(ctx: Context): void;
}

/**
 * A strategy module (a strategy file): `default` is a strategy object or a factory `(params) => Strategy` (use a
 * factory when the strategy keeps state and may run more than once, e.g. in a sweep); `params` their defaults.
 */
export interface StrategyModule {
  default: Strategy | ((params: Params) => Strategy);
  params?: Params;
}

/** Columns of bars for one instrument (prices and sizes as plain decimals). */
export interface BarColumns {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Trade prints; side 0 unknown, 1 buy aggressor, 2 sell aggressor. */
export interface TradeColumns {
  ts: Float64Array;
  price: Float64Array;
  qty: Float64Array;
  side: Float64Array;
}

export interface QuoteColumns {
  ts: Float64Array;
  bid: Float64Array;
  bidQty: Float64Array;
  ask: Float64Array;
  askQty: Float64Array;
}

/** L2 level updates; side 1 bid, 2 ask; qty is the level's new total (0 removes it). */
export interface DepthColumns {
  ts: Float64Array;
  side: Float64Array;
  price: Float64Array;
  qty: Float64Array;
}

/**
 * L3 (market-by-order) events: action 1 add, 2 cancel (part), 3 delete (whole), 4 execute, 5 modify; the exchange's
 * order id; side 1 bid, 2 ask; price; size (see `BookUpdate`). They must tell one consistent story from an empty book.
 */
export interface OrderColumns {
  ts: Float64Array;
  action: Float64Array;
  id: Float64Array;
  side: Float64Array;
  price: Float64Array;
  qty: Float64Array;
}

/** One instrument's data. `priceDecimals`/`qtyDecimals` are the decimals the data uses (the engine's integer units). */
export interface InstrumentData {
  symbol: string;
  priceDecimals: number;
  qtyDecimals: number;
  bars?: BarColumns;
  trades?: TradeColumns;
  quotes?: QuoteColumns;
  depth?: DepthColumns;
  /** L3 events (the whole book, order by order). */
  orders?: OrderColumns;
}

/** What loaders produce and runs consume. */
export interface Dataset {
  /** A label (file name or sample name). */
  name: string;
  /** Timestamp units per second: 1000 for ms since 1970 (bars, trade CSV), 1e6 for µs (Binance recordings). */
  tsPerSecond: number;
  instruments: InstrumentData[];
}

/** Run settings (all optional). */
export interface RunOptions {
  /** Starting cash in the quote currency (100 000). */
  cash?: number;
  /** Fees in basis points of notional, maker and taker (0); `makerFeesBps` overrides the maker side. */
  feesBps?: number;
  makerFeesBps?: number;
  /** Slippage against the order on bar and print fills, in basis points (0) — or in ticks with `slippageTicks`. */
  slippageBps?: number;
  slippageTicks?: number;
  /** Order-entry latency and market-data latency, in milliseconds (0). */
  latencyMs?: number;
  dataLatencyMs?: number;
  /** Bar market orders: at the next bar's open (default) or at once at the last close. */
  fillModel?: 'next-open' | 'close';
  /** Share of a bar's or print's volume fills may take (0: no cap). */
  volumeCap?: number;
  /** Seed of the latency draws. */
  seed?: number;
  /** May the strategy sell short (true). */
  allowShort?: boolean;
  /**
   * What triggers stop orders on print and book data (bars use the bar's path): `'last'` a trade print (or an L3
   * execution) at or through the stop; `'quote'` the book — a buy stop when the best ask is at or above the stop, a sell
   * stop when the best bid is at or below. Default: `'last'` when the data has trade prints or L3 events, `'quote'`
   * when its only book-side data is quotes or L2 diffs (where `'last'` would never trigger).
   */
  stopTrigger?: 'last' | 'quote';
  /** Return periods per year for annualization (252). */
  periodsPerYear?: number;
  /** Strategy parameters (merged over the module's defaults). */
  params?: Params;
}

/** Metric names, in the engine's order (see README "Backtest replay" for each formula). */
export type MetricName =
  | 'startEquity'
  | 'endEquity'
  | 'totalReturn'
  | 'annualizedReturn'
  | 'cagr'
  | 'volatility'
  | 'sharpe'
  | 'sortino'
  | 'calmar'
  | 'maxDrawdown'
  | 'maxDrawdownDuration'
  | 'winRate'
  | 'profitFactor'
  | 'expectancy'
  | 'exposure'
  | 'trades'
  | 'avgTrade'
  | 'bestTrade'
  | 'worstTrade'
  | 'buyAndHoldReturn';

/** A round trip flat → flat (or still open at the end). Money in the quote currency, times in data units. */
export interface TradeRecord {
  symbol: string;
  side: 'long' | 'short';
  entryTs: number;
  exitTs: number;
  entryPrice: number;
  exitPrice: number;
  qty: number;
  pnl: number;
  return: number;
  duration: number;
  fees: number;
  open: boolean;
}

/**
 * A run's result: plain JSON (non-finite numbers are null), identical number for number wherever it is computed.
 * Curves are columns (one entry per equity sample).
 */
export interface BacktestResult {
  dataset: string;
  tsPerSecond: number;
  params: Params;
  metrics: Record<MetricName, number | null>;
  equity: { ts: number[]; equity: number[]; drawdown: number[]; exposed: number[] };
  trades: TradeRecord[];
  /** Order counts: sent, filled (orders fully filled), fills, rejected, cancelled. */
  orders: { sent: number; filled: number; fills: number; rejected: number; cancelled: number };
  /** Data points replayed and strategy callbacks made. */
  events: number;
  logs: string[];
}
