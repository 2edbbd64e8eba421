/* tslint:disable */
/* eslint-disable */

/**
 * Streaming ATR.
 */
export class AtrStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * An ATR over `window` bars.
     */
    constructor(window: number);
    /**
     * Adds a bar; the ATR (NaN during warm-up).
     */
    update(high: number, low: number, close: number): number;
}

/**
 * A backtest driven from JavaScript (see the module docs for the loop).
 */
export class Backtest {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Adds an instrument (integer units) with its fees (ppm of notional and per unit).
     */
    addInstrument(symbol: number, tick_size: number, lot_size: number, min_price: number, max_price: number, min_qty: number, max_qty: number, maker_ppm: number, taker_ppm: number, maker_per_unit: number, taker_per_unit: number): void;
    /**
     * Cash, as the strategy's fills left it.
     */
    cash(): number;
    /**
     * Room for `count` command records; returns its address in WASM memory.
     */
    commandBuffer(count: number): number;
    /**
     * The equity curve, 4 slots per sample: ts, equity, drawdown, exposed (0/1).
     */
    equityCurve(): Float64Array;
    /**
     * Cash plus positions at their marks.
     */
    equity(): number;
    /**
     * Address of the last `stepBatch`'s `[now, end]` pairs.
     */
    instantsPtr(): number;
    /**
     * Loads bars (ts when complete, open, high, low, close, volume); returns the stream number.
     */
    loadBars(symbol: number, ts: Float64Array, open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array): number;
    /**
     * Loads L2 diffs (side 1 bid / 2 ask, price, new level size); returns the stream number.
     */
    loadDepth(symbol: number, ts: Float64Array, side: Float64Array, price: Float64Array, qty: Float64Array): number;
    /**
     * Loads L3 events (action 1 add / 2 cancel / 3 delete / 4 execute / 5 modify, exchange order id, side 1 bid /
     * 2 ask, price, size); returns the stream number.
     */
    loadOrders(symbol: number, ts: Float64Array, action: Float64Array, id: Float64Array, side: Float64Array, price: Float64Array, qty: Float64Array): number;
    /**
     * Loads top-of-book quotes; returns the stream number.
     */
    loadQuotes(symbol: number, ts: Float64Array, bid: Float64Array, bid_qty: Float64Array, ask: Float64Array, ask_qty: Float64Array): number;
    /**
     * Loads trade prints (aggressor side 0 unknown, 1 buy, 2 sell); returns the stream number.
     */
    loadTrades(symbol: number, ts: Float64Array, price: Float64Array, qty: Float64Array, side: Float64Array): number;
    /**
     * The last price the venue has seen for `symbol` (NaN before any).
     */
    mark(symbol: number): number;
    /**
     * The metrics, in the order of `backtestMetricNames()`.
     */
    metrics(): Float64Array;
    /**
     * A backtest with the given config (see the module docs; `backtestConfigDefaults()` to start from).
     */
    constructor(config: Float64Array);
    /**
     * The strategy's time (when it received the latest records).
     */
    now(): number;
    /**
     * Working orders, 10 slots each: symbol, id, side, type, tif, price, stop price, leaves, triggered, ahead.
     */
    openOrders(): Float64Array;
    /**
     * The position in `symbol`.
     */
    position(symbol: number): number;
    /**
     * Data points processed and in all: `[done, total]`.
     */
    progress(): Float64Array;
    /**
     * Address of the records of the last step.
     */
    recordsPtr(): number;
    /**
     * Sends the first `count` records of the command buffer to the venue (they
     * travel with the order latency from the strategy's current time).
     */
    send(count: number): void;
    /**
     * The strategy handled the first `count` instants of the last batch and is
     * about to send commands: applies them, drops the rest (errors if the batch
     * has fewer).
     */
    settle(count: number): void;
    /**
     * Like `step`, but may deliver up to `max_instants` instants in one call
     * (see the module docs): returns how many (their `[now, end]` pairs at
     * `instantsPtr()`), 0 when the budget ran out first, −1 at the end.
     */
    stepBatch(max_points: number, max_instants: number): number;
    /**
     * Advances the replay through at most `max_points` data points. Returns
     * the number of records now at `recordsPtr()` (> 0: call the strategy), 0
     * when the budget ran out first, or −1 when the replay is over. (No
     * `Result` here: this is the one call per strategy instant, kept lean.)
     */
    step(max_points: number): number;
    /**
     * The trades, `backtestTradeStride()` slots each (see `Trade::to_array`).
     */
    trades(): Float64Array;
}

/**
 * Streaming bars: feed trades in time order; `update` returns a completed bar
 * as `[start, open, high, low, close, volume, count, vwap]`, or undefined.
 */
export class BarBuilder {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Bars closing once their traded value reaches `value`.
     */
    static dollar(value: number): BarBuilder;
    /**
     * Hands over the bar in progress (incomplete), if any.
     */
    flush(): Float64Array | undefined;
    /**
     * Bars of `trades` trades.
     */
    static tick(trades: number): BarBuilder;
    /**
     * Time bars of `intervalMs` aligned to UTC multiples.
     */
    static time(interval_ms: number): BarBuilder;
    /**
     * Adds a trade; returns the bar it completes, if any.
     */
    update(ts: number, price: number, size: number): Float64Array | undefined;
    /**
     * Bars closing once their volume reaches `volume`.
     */
    static volume(volume: number): BarBuilder;
}

/**
 * Streaming Bollinger Bands: `update` returns the middle band; `upper` and `lower` hold the rest.
 */
export class BollingerStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Bands over `window` values, `kUp` / `kDown` σ wide.
     */
    constructor(window: number, k_up: number, k_down: number);
    /**
     * Adds `x`; the middle band (NaN during warm-up).
     */
    update(x: number): number;
    /**
     * The lower band of the last update.
     */
    readonly lower: number;
    /**
     * The upper band of the last update.
     */
    readonly upper: number;
}

/**
 * Streaming top-N book imbalance.
 */
export class BookImbalanceStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Imbalance over the best `levels` (≥ 1) levels.
     */
    constructor(levels: number);
    /**
     * Imbalance of one snapshot (each side's sizes best first, at least `levels`).
     */
    update(bid_sizes: Float64Array, ask_sizes: Float64Array): number;
}

/**
 * r" Streaming EMA.
 */
export class EmaStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A streaming indicator over `window` values.
     */
    constructor(window: number);
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     */
    update(x: number): number;
}

/**
 * The engine as seen from JavaScript.
 *
 * Every command method returns the number of events it produced; read them
 * as `new Float64Array(wasmMemory().buffer, engine.eventsPtr(), n * eventStride())`
 * before the next call (memory may grow, so take a fresh view each time).
 */
export class Engine {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A managed account as `[cash, reserved, buyingPower, equity, realized, unrealized, openOrders, killed (0/1)]`
     * (money exact up to 2^53), or undefined if the account is not managed.
     */
    account(account: number): Float64Array | undefined;
    /**
     * Adds an instrument (integer price and quantity units).
     */
    addInstrument(ts: number, seq: number, symbol: number, tick_size: number, lot_size: number, min_price: number, max_price: number, min_qty: number, max_qty: number): number;
    /**
     * Advances time to `ts`; GTD orders expiring by then expire.
     */
    advanceTime(ts: number, seq: number): number;
    /**
     * Best ask price, or NaN when the ask side is empty.
     */
    bestAsk(symbol: number): number;
    /**
     * Best bid price, or NaN when the bid side is empty.
     */
    bestBid(symbol: number): number;
    /**
     * Cancels a live order of `account`.
     */
    cancel(ts: number, seq: number, id: number, account: number): number;
    /**
     * Makes room for `count` command records and returns their address in
     * WASM memory; write them there, then call `executeBatch(count)`.
     */
    commandBuffer(count: number): number;
    /**
     * Deposits `amount` money units into `account` (making it managed).
     */
    deposit(ts: number, seq: number, account: number, amount: number): number;
    /**
     * Visible quantity at a price on a side (1 buy, 2 sell); 0 if none.
     */
    depthAt(symbol: number, side: number, price: number): number;
    /**
     * Address of the last call's event records.
     */
    eventsPtr(): number;
    /**
     * Executes the first `count` records of the command buffer; returns the
     * number of events written at `eventsPtr()`.
     */
    executeBatch(count: number): number;
    /**
     * Last trade price, or NaN before the first trade.
     */
    lastPrice(symbol: number): number;
    /**
     * Top `n` levels of a side as `[price, qty, orders]` triples, best first.
     */
    levels(symbol: number, side: number, n: number): Float64Array;
    /**
     * Number of live orders.
     */
    liveOrders(): number;
    /**
     * Cancels every live order matching the filters (−1 / 0 for any).
     */
    massCancel(ts: number, seq: number, account: number, symbol: number, side: number): number;
    /**
     * Submits a new order. `flags` bit 0 is post-only, bit 1 reduce-only.
     */
    newOrder(ts: number, seq: number, id: number, account: number, symbol: number, side: number, order_type: number, tif: number, price: number, qty: number, stop_price: number, display_qty: number, expire_at: number, stp: number, flags: number): number;
    /**
     * An empty engine.
     */
    constructor();
    /**
     * A live order as `[account, symbol, side, type, tif, status (1 resting,
     * 2 pending stop), price, stopPrice, leaves, visible, filled]`, or undefined.
     */
    order(id: number): Float64Array | undefined;
    /**
     * A managed account's position as `[qty, averagePrice, basis, realized, unrealized, mark (NaN: none)]`,
     * or undefined if the account is not managed.
     */
    position(account: number, symbol: number): Float64Array | undefined;
    /**
     * Replaces a live order's price (0 keeps it) and open quantity.
     */
    replace(ts: number, seq: number, id: number, account: number, new_price: number, new_qty: number): number;
    /**
     * An engine rebuilt from `snapshot()` bytes; throws if they are not a valid snapshot.
     */
    static restore(bytes: Uint8Array): Engine;
    /**
     * Ends the session for one instrument (−1: all); DAY orders expire.
     */
    sessionEnd(ts: number, seq: number, symbol: number): number;
    /**
     * Sets an account's limits (0: unlimited); `flags` bit 0 forbids short selling, bit 1 makes the account
     * post-trade only (no pre-trade check refuses its orders; it is still accounted).
     */
    setAccountLimits(ts: number, seq: number, account: number, max_order_qty: number, max_order_notional: number, max_gross_exposure: number, max_open_orders: number, rate_capacity: number, rate_per_interval: number, rate_interval: number, flags: number): number;
    /**
     * Sets an instrument's fees: rates in ppm of notional (1 bp = 100 ppm), amounts per quantity unit; negative is a rebate.
     */
    setFees(ts: number, seq: number, symbol: number, maker_ppm: number, taker_ppm: number, maker_per_unit: number, taker_per_unit: number): number;
    /**
     * Halts (1) or resumes (0) an instrument.
     */
    setHalt(ts: number, seq: number, symbol: number, halted: number): number;
    /**
     * Sets an account's limits in one instrument (0: unlimited); collar reference 0 off, 1 last, 2 mid, 3 host.
     */
    setInstrumentLimits(ts: number, seq: number, account: number, symbol: number, max_order_qty: number, max_order_notional: number, max_long: number, max_short: number, collar_bps: number, collar_ref: number): number;
    /**
     * Turns an account's kill switch on (1) or off (0).
     */
    setKillSwitch(ts: number, seq: number, account: number, on: number): number;
    /**
     * Sets an instrument's reference price for collars (0 clears it).
     */
    setReferencePrice(ts: number, seq: number, symbol: number, price: number): number;
    /**
     * The full engine state as bytes.
     */
    snapshot(): Uint8Array;
    /**
     * Withdraws `amount` money units from `account` (at most its buying power).
     */
    withdraw(ts: number, seq: number, account: number, amount: number): number;
}

/**
 * A column of f64 in WASM memory. Fill and read it through
 * `new Float64Array(wasmMemory().buffer, buf.ptr(), buf.len())`, taken again
 * after any call that may grow memory (allocating another buffer does).
 */
export class F64Buffer {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Whether the buffer holds no values.
     */
    isEmpty(): boolean;
    /**
     * Number of values.
     */
    len(): number;
    /**
     * A buffer of `len` zeros.
     */
    constructor(len: number);
    /**
     * Byte offset of the first value in WASM memory.
     */
    ptr(): number;
}

/**
 * Streaming MACD: `update` returns the line; `signal` and `hist` hold the rest.
 */
export class MacdStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A MACD with the given periods (`fast < slow`).
     */
    constructor(fast: number, slow: number, signal: number);
    /**
     * Adds `x`; the MACD line (NaN during warm-up).
     */
    update(x: number): number;
    /**
     * The histogram of the last update.
     */
    readonly hist: number;
    /**
     * The signal of the last update.
     */
    readonly signal: number;
}

/**
 * Streaming order-flow imbalance.
 */
export class OrderFlowImbalanceStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A stream that has seen no quote.
     */
    constructor();
    /**
     * `e_n` of this quote (NaN for the first).
     */
    update(bid: number, bid_size: number, ask: number, ask_size: number): number;
}

/**
 * Streaming spread, mid and microprice.
 */
export class QuoteStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A stream that has seen no quote.
     */
    constructor();
    /**
     * `[spread, mid, microprice]` of this quote.
     */
    update(bid: number, ask: number, bid_size: number, ask_size: number): Float64Array;
}

/**
 * Streaming realized volatility.
 */
export class RealizedVolatilityStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Over `window` (≥ 1) log returns.
     */
    constructor(window: number);
    /**
     * Volatility of the last `window` returns up to this price (NaN during warm-up).
     */
    update(price: number): number;
}

/**
 * Streaming simple and log returns.
 */
export class ReturnsStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A stream that has seen no price.
     */
    constructor();
    /**
     * `[simple, log]` return from the previous price (NaN for the first).
     */
    update(price: number): Float64Array;
}

/**
 * r" Streaming rolling σ.
 */
export class RollingStdStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A streaming indicator over `window` values.
     */
    constructor(window: number);
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     */
    update(x: number): number;
}

/**
 * Streaming rolling VWAP over the last `window` trades.
 */
export class RollingVwapStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A rolling VWAP over `window` (≥ 1) trades.
     */
    constructor(window: number);
    /**
     * VWAP of the last `window` trades including this one (NaN during warm-up).
     */
    update(price: number, size: number): number;
}

/**
 * r" Streaming RSI.
 */
export class RsiStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A streaming indicator over `window` values.
     */
    constructor(window: number);
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     */
    update(x: number): number;
}

/**
 * Streaming session-anchored VWAP.
 */
export class SessionVwapStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Sessions of `sessionMs` aligned to its multiples shifted by `offsetMs`.
     */
    constructor(session_ms: number, offset_ms: number);
    /**
     * VWAP of this trade's session so far.
     */
    update(ts: number, price: number, size: number): number;
}

/**
 * r" Streaming SMA.
 */
export class SmaStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A streaming indicator over `window` values.
     */
    constructor(window: number);
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     */
    update(x: number): number;
}

/**
 * Streaming stochastic: `update` returns slow %K; `d` holds %D.
 */
export class StochStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A stochastic with the given periods.
     */
    constructor(fast_k: number, slow_k: number, slow_d: number);
    /**
     * Adds a bar; slow %K (NaN during warm-up).
     */
    update(high: number, low: number, close: number): number;
    /**
     * %D of the last update.
     */
    readonly d: number;
}

/**
 * Streaming cumulative TWAP.
 */
export class TwapStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A stream that has seen no trade.
     */
    constructor();
    /**
     * TWAP from the first trade's time to `ts`.
     */
    update(ts: number, price: number): number;
}

/**
 * Streaming cumulative VWAP.
 */
export class VwapStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A stream that has seen no trade.
     */
    constructor();
    /**
     * VWAP including this trade.
     */
    update(price: number, size: number): number;
}

/**
 * r" Streaming WMA.
 */
export class WmaStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A streaming indicator over `window` values.
     */
    constructor(window: number);
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     */
    update(x: number): number;
}

/**
 * r" Streaming z-score.
 */
export class ZScoreStream {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * A streaming indicator over `window` values.
     */
    constructor(window: number);
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     */
    update(x: number): number;
}

/**
 * Wilder ATR of the bars into `out` (NaN for the first `window`).
 */
export function atr(high: F64Buffer, low: F64Buffer, close: F64Buffer, window: number, out: F64Buffer, simd?: boolean | null): void;

/**
 * The default config, in the slot layout of the module docs.
 */
export function backtestConfigDefaults(): Float64Array;

/**
 * The config slot names, comma-separated, in slot order.
 */
export function backtestConfigNames(): string;

/**
 * The metric names, comma-separated, in the order of `Backtest.metrics()`.
 */
export function backtestMetricNames(): string;

/**
 * Slots per data, update and command record.
 */
export function backtestStride(): number;

/**
 * Slots per trade in `Backtest.trades()`.
 */
export function backtestTradeStride(): number;

/**
 * Bollinger Bands of `x`: `kUp` / `kDown` population σ around the SMA.
 */
export function bollinger(x: F64Buffer, window: number, k_up: number, k_down: number, upper: F64Buffer, middle: F64Buffer, lower: F64Buffer, simd?: boolean | null): void;

/**
 * Top-`levels` imbalance of snapshots of a `depth`-level book (sizes row
 * after row, best level first), one value per snapshot into `out`.
 */
export function bookImbalance(bid_sizes: F64Buffer, ask_sizes: F64Buffer, depth: number, levels: number, out: F64Buffer): void;

/**
 * f64 slots per command record.
 */
export function commandStride(): number;

/**
 * Bars closing once their traded value Σ p·v reaches `value`, as in `timeBars`.
 */
export function dollarBars(ts: F64Buffer, price: F64Buffer, size: F64Buffer, value: number): F64Buffer;

/**
 * Exponential moving average (TA-Lib seeding) of `x` into `out`.
 */
export function ema(x: F64Buffer, window: number, out: F64Buffer, simd?: boolean | null): void;

/**
 * f64 slots per event record.
 */
export function eventStride(): number;

/**
 * Log returns (NaN at index 0), into `out`.
 */
export function logReturns(price: F64Buffer, out: F64Buffer): void;

/**
 * MACD line, signal and histogram of `x`.
 */
export function macd(x: F64Buffer, fast: number, slow: number, signal: number, line: F64Buffer, signal_out: F64Buffer, hist: F64Buffer, simd?: boolean | null): void;

/**
 * Size-weighted mid of each quote, into `out`.
 */
export function microprice(bid: F64Buffer, ask: F64Buffer, bid_size: F64Buffer, ask_size: F64Buffer, out: F64Buffer, simd?: boolean | null): void;

/**
 * `(bid + ask) / 2` of each quote, into `out`.
 */
export function mid(bid: F64Buffer, ask: F64Buffer, out: F64Buffer, simd?: boolean | null): void;

/**
 * Cont–Kukanov–Stoikov order-flow imbalance of each quote (NaN at index 0), into `out`.
 */
export function orderFlowImbalance(bid: F64Buffer, bid_size: F64Buffer, ask: F64Buffer, ask_size: F64Buffer, out: F64Buffer): void;

/**
 * Realized volatility `sqrt(Σ r²)` of the last `window` log returns at each price, into `out`.
 */
export function realizedVolatility(price: F64Buffer, window: number, out: F64Buffer): void;

/**
 * Rolling population standard deviation of `x` into `out`.
 */
export function rollingStd(x: F64Buffer, window: number, out: F64Buffer, simd?: boolean | null): void;

/**
 * VWAP of the last `window` trades at each trade (NaN during warm-up), into `out`.
 */
export function rollingVwap(price: F64Buffer, size: F64Buffer, window: number, out: F64Buffer, simd?: boolean | null): void;

/**
 * Wilder RSI of `x` into `out` (NaN for the first `window`).
 */
export function rsi(x: F64Buffer, window: number, out: F64Buffer, simd?: boolean | null): void;

/**
 * VWAP restarting at each session (periods of `sessionMs` aligned to its
 * multiples shifted by `offsetMs`), into `out`.
 */
export function sessionVwap(ts: F64Buffer, price: F64Buffer, size: F64Buffer, session_ms: number, offset_ms: number, out: F64Buffer): void;

/**
 * Simple returns (NaN at index 0), into `out`.
 */
export function simpleReturns(price: F64Buffer, out: F64Buffer, simd?: boolean | null): void;

/**
 * Simple moving average of `x` into `out` (NaN for the first `window − 1`).
 */
export function sma(x: F64Buffer, window: number, out: F64Buffer, simd?: boolean | null): void;

/**
 * `ask − bid` of each quote, into `out`.
 */
export function spread(bid: F64Buffer, ask: F64Buffer, out: F64Buffer, simd?: boolean | null): void;

/**
 * Stochastic slow %K and %D of the bars.
 */
export function stoch(high: F64Buffer, low: F64Buffer, close: F64Buffer, fast_k: number, slow_k: number, slow_d: number, k_out: F64Buffer, d_out: F64Buffer, simd?: boolean | null): void;

/**
 * Bars of `trades` trades each, as in `timeBars`.
 */
export function tickBars(ts: F64Buffer, price: F64Buffer, size: F64Buffer, trades: number): F64Buffer;

/**
 * Time bars of `intervalMs` aligned to UTC multiples, as a new buffer of 8
 * columns one after another (start, open, high, low, close, volume, count,
 * vwap), n values each: column c of bar i at `c * n + i`.
 */
export function timeBars(ts: F64Buffer, price: F64Buffer, size: F64Buffer, interval_ms: number): F64Buffer;

/**
 * Cumulative time-weighted average price at each trade (NaN while no time has passed), into `out`.
 */
export function twap(ts: F64Buffer, price: F64Buffer, out: F64Buffer): void;

/**
 * Bars closing once their volume reaches `volume`, as in `timeBars`.
 */
export function volumeBars(ts: F64Buffer, price: F64Buffer, size: F64Buffer, volume: number): F64Buffer;

/**
 * Cumulative VWAP at each trade, into `out`.
 */
export function vwap(price: F64Buffer, size: F64Buffer, out: F64Buffer, simd?: boolean | null): void;

/**
 * The module's linear memory, for typed-array views of the buffers.
 */
export function wasmMemory(): any;

/**
 * Weighted moving average of `x` into `out`.
 */
export function wma(x: F64Buffer, window: number, out: F64Buffer, simd?: boolean | null): void;

/**
 * Rolling z-score of `x` into `out`.
 */
export function zscore(x: F64Buffer, window: number, out: F64Buffer, simd?: boolean | null): void;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_atrstream_free: (a: number, b: number) => void;
    readonly __wbg_backtest_free: (a: number, b: number) => void;
    readonly __wbg_barbuilder_free: (a: number, b: number) => void;
    readonly __wbg_bollingerstream_free: (a: number, b: number) => void;
    readonly __wbg_bookimbalancestream_free: (a: number, b: number) => void;
    readonly __wbg_emastream_free: (a: number, b: number) => void;
    readonly __wbg_engine_free: (a: number, b: number) => void;
    readonly __wbg_f64buffer_free: (a: number, b: number) => void;
    readonly __wbg_macdstream_free: (a: number, b: number) => void;
    readonly __wbg_orderflowimbalancestream_free: (a: number, b: number) => void;
    readonly __wbg_quotestream_free: (a: number, b: number) => void;
    readonly __wbg_realizedvolatilitystream_free: (a: number, b: number) => void;
    readonly __wbg_returnsstream_free: (a: number, b: number) => void;
    readonly __wbg_rollingstdstream_free: (a: number, b: number) => void;
    readonly __wbg_rollingvwapstream_free: (a: number, b: number) => void;
    readonly __wbg_rsistream_free: (a: number, b: number) => void;
    readonly __wbg_sessionvwapstream_free: (a: number, b: number) => void;
    readonly __wbg_smastream_free: (a: number, b: number) => void;
    readonly __wbg_stochstream_free: (a: number, b: number) => void;
    readonly __wbg_twapstream_free: (a: number, b: number) => void;
    readonly __wbg_vwapstream_free: (a: number, b: number) => void;
    readonly __wbg_wmastream_free: (a: number, b: number) => void;
    readonly __wbg_zscorestream_free: (a: number, b: number) => void;
    readonly atr: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number];
    readonly atrstream_new: (a: number) => [number, number, number];
    readonly atrstream_update: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly backtestConfigDefaults: () => [number, number];
    readonly backtestConfigNames: () => [number, number];
    readonly backtestMetricNames: () => [number, number];
    readonly backtestStride: () => number;
    readonly backtestTradeStride: () => number;
    readonly backtest_addInstrument: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number) => [number, number];
    readonly backtest_cash: (a: number) => number;
    readonly backtest_commandBuffer: (a: number, b: number) => number;
    readonly backtest_equity: (a: number) => number;
    readonly backtest_equityCurve: (a: number) => [number, number];
    readonly backtest_instantsPtr: (a: number) => number;
    readonly backtest_loadBars: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number) => [number, number, number];
    readonly backtest_loadDepth: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => [number, number, number];
    readonly backtest_loadOrders: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number) => [number, number, number];
    readonly backtest_loadQuotes: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number) => [number, number, number];
    readonly backtest_loadTrades: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => [number, number, number];
    readonly backtest_mark: (a: number, b: number) => [number, number, number];
    readonly backtest_metrics: (a: number) => [number, number];
    readonly backtest_new: (a: number, b: number) => [number, number, number];
    readonly backtest_now: (a: number) => number;
    readonly backtest_openOrders: (a: number) => [number, number];
    readonly backtest_position: (a: number, b: number) => [number, number, number];
    readonly backtest_progress: (a: number) => [number, number];
    readonly backtest_recordsPtr: (a: number) => number;
    readonly backtest_send: (a: number, b: number) => [number, number];
    readonly backtest_settle: (a: number, b: number) => [number, number];
    readonly backtest_step: (a: number, b: number) => number;
    readonly backtest_stepBatch: (a: number, b: number, c: number) => number;
    readonly backtest_trades: (a: number) => [number, number];
    readonly barbuilder_dollar: (a: number) => [number, number, number];
    readonly barbuilder_flush: (a: number) => [number, number];
    readonly barbuilder_tick: (a: number) => [number, number, number];
    readonly barbuilder_time: (a: number) => [number, number, number];
    readonly barbuilder_update: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly barbuilder_volume: (a: number) => [number, number, number];
    readonly bollinger: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => [number, number];
    readonly bollingerstream_lower: (a: number) => number;
    readonly bollingerstream_new: (a: number, b: number, c: number) => [number, number, number];
    readonly bollingerstream_update: (a: number, b: number) => [number, number, number];
    readonly bollingerstream_upper: (a: number) => number;
    readonly bookImbalance: (a: number, b: number, c: number, d: number, e: number) => [number, number];
    readonly bookimbalancestream_new: (a: number) => [number, number, number];
    readonly bookimbalancestream_update: (a: number, b: number, c: number, d: number, e: number) => [number, number, number];
    readonly commandStride: () => number;
    readonly dollarBars: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly ema: (a: number, b: number, c: number, d: number) => [number, number];
    readonly emastream_new: (a: number) => [number, number, number];
    readonly emastream_update: (a: number, b: number) => [number, number, number];
    readonly engine_account: (a: number, b: number) => [number, number, number, number];
    readonly engine_addInstrument: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => number;
    readonly engine_advanceTime: (a: number, b: number, c: number) => number;
    readonly engine_bestAsk: (a: number, b: number) => [number, number, number];
    readonly engine_bestBid: (a: number, b: number) => [number, number, number];
    readonly engine_cancel: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly engine_commandBuffer: (a: number, b: number) => number;
    readonly engine_deposit: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly engine_depthAt: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly engine_eventsPtr: (a: number) => number;
    readonly engine_executeBatch: (a: number, b: number) => [number, number, number];
    readonly engine_lastPrice: (a: number, b: number) => [number, number, number];
    readonly engine_levels: (a: number, b: number, c: number, d: number) => [number, number, number, number];
    readonly engine_liveOrders: (a: number) => number;
    readonly engine_massCancel: (a: number, b: number, c: number, d: number, e: number, f: number) => number;
    readonly engine_new: () => number;
    readonly engine_newOrder: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number, n: number, o: number, p: number) => number;
    readonly engine_order: (a: number, b: number) => [number, number, number, number];
    readonly engine_position: (a: number, b: number, c: number) => [number, number, number, number];
    readonly engine_replace: (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => number;
    readonly engine_restore: (a: number, b: number) => [number, number, number];
    readonly engine_sessionEnd: (a: number, b: number, c: number, d: number) => number;
    readonly engine_setAccountLimits: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number) => number;
    readonly engine_setFees: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => number;
    readonly engine_setHalt: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly engine_setInstrumentLimits: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number) => number;
    readonly engine_setKillSwitch: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly engine_setReferencePrice: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly engine_snapshot: (a: number) => [number, number];
    readonly engine_withdraw: (a: number, b: number, c: number, d: number, e: number) => number;
    readonly eventStride: () => number;
    readonly f64buffer_isEmpty: (a: number) => number;
    readonly f64buffer_len: (a: number) => number;
    readonly f64buffer_new: (a: number) => [number, number, number];
    readonly f64buffer_ptr: (a: number) => number;
    readonly logReturns: (a: number, b: number) => [number, number];
    readonly macd: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => [number, number];
    readonly macdstream_hist: (a: number) => number;
    readonly macdstream_new: (a: number, b: number, c: number) => [number, number, number];
    readonly macdstream_signal: (a: number) => number;
    readonly macdstream_update: (a: number, b: number) => [number, number, number];
    readonly microprice: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number];
    readonly mid: (a: number, b: number, c: number, d: number) => [number, number];
    readonly orderFlowImbalance: (a: number, b: number, c: number, d: number, e: number) => [number, number];
    readonly orderflowimbalancestream_new: () => number;
    readonly orderflowimbalancestream_update: (a: number, b: number, c: number, d: number, e: number) => [number, number, number];
    readonly quotestream_new: () => number;
    readonly quotestream_update: (a: number, b: number, c: number, d: number, e: number) => [number, number, number, number];
    readonly realizedVolatility: (a: number, b: number, c: number) => [number, number];
    readonly realizedvolatilitystream_new: (a: number) => [number, number, number];
    readonly realizedvolatilitystream_update: (a: number, b: number) => [number, number, number];
    readonly returnsstream_new: () => number;
    readonly returnsstream_update: (a: number, b: number) => [number, number, number, number];
    readonly rollingStd: (a: number, b: number, c: number, d: number) => [number, number];
    readonly rollingVwap: (a: number, b: number, c: number, d: number, e: number) => [number, number];
    readonly rollingstdstream_new: (a: number) => [number, number, number];
    readonly rollingstdstream_update: (a: number, b: number) => [number, number, number];
    readonly rollingvwapstream_new: (a: number) => [number, number, number];
    readonly rollingvwapstream_update: (a: number, b: number, c: number) => [number, number, number];
    readonly rsi: (a: number, b: number, c: number, d: number) => [number, number];
    readonly rsistream_new: (a: number) => [number, number, number];
    readonly rsistream_update: (a: number, b: number) => [number, number, number];
    readonly sessionVwap: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number];
    readonly sessionvwapstream_new: (a: number, b: number) => [number, number, number];
    readonly sessionvwapstream_update: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly simpleReturns: (a: number, b: number, c: number) => [number, number];
    readonly sma: (a: number, b: number, c: number, d: number) => [number, number];
    readonly smastream_new: (a: number) => [number, number, number];
    readonly smastream_update: (a: number, b: number) => [number, number, number];
    readonly spread: (a: number, b: number, c: number, d: number) => [number, number];
    readonly stoch: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number) => [number, number];
    readonly stochstream_d: (a: number) => number;
    readonly stochstream_new: (a: number, b: number, c: number) => [number, number, number];
    readonly stochstream_update: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly tickBars: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly timeBars: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly twap: (a: number, b: number, c: number) => [number, number];
    readonly twapstream_new: () => number;
    readonly twapstream_update: (a: number, b: number, c: number) => [number, number, number];
    readonly volumeBars: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly vwap: (a: number, b: number, c: number, d: number) => [number, number];
    readonly vwapstream_new: () => number;
    readonly vwapstream_update: (a: number, b: number, c: number) => [number, number, number];
    readonly wasmMemory: () => any;
    readonly wma: (a: number, b: number, c: number, d: number) => [number, number];
    readonly wmastream_new: (a: number) => [number, number, number];
    readonly wmastream_update: (a: number, b: number) => [number, number, number];
    readonly zscore: (a: number, b: number, c: number, d: number) => [number, number];
    readonly zscorestream_new: (a: number) => [number, number, number];
    readonly zscorestream_update: (a: number, b: number) => [number, number, number];
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
