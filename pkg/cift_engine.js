/* @ts-self-types="./cift_engine.d.ts" */

/**
 * Streaming ATR.
 */
export class AtrStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        AtrStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_atrstream_free(ptr, 0);
    }
    /**
     * An ATR over `window` bars.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.atrstream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        AtrStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds a bar; the ATR (NaN during warm-up).
     * @param {number} high
     * @param {number} low
     * @param {number} close
     * @returns {number}
     */
    update(high, low, close) {
        const ret = wasm.atrstream_update(this.__wbg_ptr, high, low, close);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) AtrStream.prototype[Symbol.dispose] = AtrStream.prototype.free;

/**
 * A backtest driven from JavaScript (see the module docs for the loop).
 */
export class Backtest {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        BacktestFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_backtest_free(ptr, 0);
    }
    /**
     * Adds an instrument (integer units) with its fees (ppm of notional and per unit).
     * @param {number} symbol
     * @param {number} tick_size
     * @param {number} lot_size
     * @param {number} min_price
     * @param {number} max_price
     * @param {number} min_qty
     * @param {number} max_qty
     * @param {number} maker_ppm
     * @param {number} taker_ppm
     * @param {number} maker_per_unit
     * @param {number} taker_per_unit
     */
    addInstrument(symbol, tick_size, lot_size, min_price, max_price, min_qty, max_qty, maker_ppm, taker_ppm, maker_per_unit, taker_per_unit) {
        const ret = wasm.backtest_addInstrument(this.__wbg_ptr, symbol, tick_size, lot_size, min_price, max_price, min_qty, max_qty, maker_ppm, taker_ppm, maker_per_unit, taker_per_unit);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
    /**
     * Cash, as the strategy's fills left it.
     * @returns {number}
     */
    cash() {
        const ret = wasm.backtest_cash(this.__wbg_ptr);
        return ret;
    }
    /**
     * Room for `count` command records; returns its address in WASM memory.
     * @param {number} count
     * @returns {number}
     */
    commandBuffer(count) {
        const ret = wasm.backtest_commandBuffer(this.__wbg_ptr, count);
        return ret >>> 0;
    }
    /**
     * The equity curve, 4 slots per sample: ts, equity, drawdown, exposed (0/1).
     * @returns {Float64Array}
     */
    equityCurve() {
        const ret = wasm.backtest_equityCurve(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * Cash plus positions at their marks.
     * @returns {number}
     */
    equity() {
        const ret = wasm.backtest_equity(this.__wbg_ptr);
        return ret;
    }
    /**
     * Address of the last `stepBatch`'s `[now, end]` pairs.
     * @returns {number}
     */
    instantsPtr() {
        const ret = wasm.backtest_instantsPtr(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * Loads bars (ts when complete, open, high, low, close, volume); returns the stream number.
     * @param {number} symbol
     * @param {Float64Array} ts
     * @param {Float64Array} open
     * @param {Float64Array} high
     * @param {Float64Array} low
     * @param {Float64Array} close
     * @param {Float64Array} volume
     * @returns {number}
     */
    loadBars(symbol, ts, open, high, low, close, volume) {
        const ptr0 = passArrayF64ToWasm0(ts, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ptr1 = passArrayF64ToWasm0(open, wasm.__wbindgen_malloc);
        const len1 = WASM_VECTOR_LEN;
        const ptr2 = passArrayF64ToWasm0(high, wasm.__wbindgen_malloc);
        const len2 = WASM_VECTOR_LEN;
        const ptr3 = passArrayF64ToWasm0(low, wasm.__wbindgen_malloc);
        const len3 = WASM_VECTOR_LEN;
        const ptr4 = passArrayF64ToWasm0(close, wasm.__wbindgen_malloc);
        const len4 = WASM_VECTOR_LEN;
        const ptr5 = passArrayF64ToWasm0(volume, wasm.__wbindgen_malloc);
        const len5 = WASM_VECTOR_LEN;
        const ret = wasm.backtest_loadBars(this.__wbg_ptr, symbol, ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, ptr4, len4, ptr5, len5);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0] >>> 0;
    }
    /**
     * Loads L2 diffs (side 1 bid / 2 ask, price, new level size); returns the stream number.
     * @param {number} symbol
     * @param {Float64Array} ts
     * @param {Float64Array} side
     * @param {Float64Array} price
     * @param {Float64Array} qty
     * @returns {number}
     */
    loadDepth(symbol, ts, side, price, qty) {
        const ptr0 = passArrayF64ToWasm0(ts, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ptr1 = passArrayF64ToWasm0(side, wasm.__wbindgen_malloc);
        const len1 = WASM_VECTOR_LEN;
        const ptr2 = passArrayF64ToWasm0(price, wasm.__wbindgen_malloc);
        const len2 = WASM_VECTOR_LEN;
        const ptr3 = passArrayF64ToWasm0(qty, wasm.__wbindgen_malloc);
        const len3 = WASM_VECTOR_LEN;
        const ret = wasm.backtest_loadDepth(this.__wbg_ptr, symbol, ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0] >>> 0;
    }
    /**
     * Loads L3 events (action 1 add / 2 cancel / 3 delete / 4 execute / 5 modify, exchange order id, side 1 bid /
     * 2 ask, price, size); returns the stream number.
     * @param {number} symbol
     * @param {Float64Array} ts
     * @param {Float64Array} action
     * @param {Float64Array} id
     * @param {Float64Array} side
     * @param {Float64Array} price
     * @param {Float64Array} qty
     * @returns {number}
     */
    loadOrders(symbol, ts, action, id, side, price, qty) {
        const ptr0 = passArrayF64ToWasm0(ts, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ptr1 = passArrayF64ToWasm0(action, wasm.__wbindgen_malloc);
        const len1 = WASM_VECTOR_LEN;
        const ptr2 = passArrayF64ToWasm0(id, wasm.__wbindgen_malloc);
        const len2 = WASM_VECTOR_LEN;
        const ptr3 = passArrayF64ToWasm0(side, wasm.__wbindgen_malloc);
        const len3 = WASM_VECTOR_LEN;
        const ptr4 = passArrayF64ToWasm0(price, wasm.__wbindgen_malloc);
        const len4 = WASM_VECTOR_LEN;
        const ptr5 = passArrayF64ToWasm0(qty, wasm.__wbindgen_malloc);
        const len5 = WASM_VECTOR_LEN;
        const ret = wasm.backtest_loadOrders(this.__wbg_ptr, symbol, ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, ptr4, len4, ptr5, len5);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0] >>> 0;
    }
    /**
     * Loads top-of-book quotes; returns the stream number.
     * @param {number} symbol
     * @param {Float64Array} ts
     * @param {Float64Array} bid
     * @param {Float64Array} bid_qty
     * @param {Float64Array} ask
     * @param {Float64Array} ask_qty
     * @returns {number}
     */
    loadQuotes(symbol, ts, bid, bid_qty, ask, ask_qty) {
        const ptr0 = passArrayF64ToWasm0(ts, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ptr1 = passArrayF64ToWasm0(bid, wasm.__wbindgen_malloc);
        const len1 = WASM_VECTOR_LEN;
        const ptr2 = passArrayF64ToWasm0(bid_qty, wasm.__wbindgen_malloc);
        const len2 = WASM_VECTOR_LEN;
        const ptr3 = passArrayF64ToWasm0(ask, wasm.__wbindgen_malloc);
        const len3 = WASM_VECTOR_LEN;
        const ptr4 = passArrayF64ToWasm0(ask_qty, wasm.__wbindgen_malloc);
        const len4 = WASM_VECTOR_LEN;
        const ret = wasm.backtest_loadQuotes(this.__wbg_ptr, symbol, ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, ptr4, len4);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0] >>> 0;
    }
    /**
     * Loads trade prints (aggressor side 0 unknown, 1 buy, 2 sell); returns the stream number.
     * @param {number} symbol
     * @param {Float64Array} ts
     * @param {Float64Array} price
     * @param {Float64Array} qty
     * @param {Float64Array} side
     * @returns {number}
     */
    loadTrades(symbol, ts, price, qty, side) {
        const ptr0 = passArrayF64ToWasm0(ts, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ptr1 = passArrayF64ToWasm0(price, wasm.__wbindgen_malloc);
        const len1 = WASM_VECTOR_LEN;
        const ptr2 = passArrayF64ToWasm0(qty, wasm.__wbindgen_malloc);
        const len2 = WASM_VECTOR_LEN;
        const ptr3 = passArrayF64ToWasm0(side, wasm.__wbindgen_malloc);
        const len3 = WASM_VECTOR_LEN;
        const ret = wasm.backtest_loadTrades(this.__wbg_ptr, symbol, ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0] >>> 0;
    }
    /**
     * The last price the venue has seen for `symbol` (NaN before any).
     * @param {number} symbol
     * @returns {number}
     */
    mark(symbol) {
        const ret = wasm.backtest_mark(this.__wbg_ptr, symbol);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * The metrics, in the order of `backtestMetricNames()`.
     * @returns {Float64Array}
     */
    metrics() {
        const ret = wasm.backtest_metrics(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * A backtest with the given config (see the module docs; `backtestConfigDefaults()` to start from).
     * @param {Float64Array} config
     */
    constructor(config) {
        const ptr0 = passArrayF64ToWasm0(config, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.backtest_new(ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        BacktestFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The strategy's time (when it received the latest records).
     * @returns {number}
     */
    now() {
        const ret = wasm.backtest_now(this.__wbg_ptr);
        return ret;
    }
    /**
     * Working orders, 10 slots each: symbol, id, side, type, tif, price, stop price, leaves, triggered, ahead.
     * @returns {Float64Array}
     */
    openOrders() {
        const ret = wasm.backtest_openOrders(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * The position in `symbol`.
     * @param {number} symbol
     * @returns {number}
     */
    position(symbol) {
        const ret = wasm.backtest_position(this.__wbg_ptr, symbol);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * Data points processed and in all: `[done, total]`.
     * @returns {Float64Array}
     */
    progress() {
        const ret = wasm.backtest_progress(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * Address of the records of the last step.
     * @returns {number}
     */
    recordsPtr() {
        const ret = wasm.backtest_recordsPtr(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * Sends the first `count` records of the command buffer to the venue (they
     * travel with the order latency from the strategy's current time).
     * @param {number} count
     */
    send(count) {
        const ret = wasm.backtest_send(this.__wbg_ptr, count);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
    /**
     * The strategy handled the first `count` instants of the last batch and is
     * about to send commands: applies them, drops the rest (errors if the batch
     * has fewer).
     * @param {number} count
     */
    settle(count) {
        const ret = wasm.backtest_settle(this.__wbg_ptr, count);
        if (ret[1]) {
            throw takeFromExternrefTable0(ret[0]);
        }
    }
    /**
     * Like `step`, but may deliver up to `max_instants` instants in one call
     * (see the module docs): returns how many (their `[now, end]` pairs at
     * `instantsPtr()`), 0 when the budget ran out first, −1 at the end.
     * @param {number} max_points
     * @param {number} max_instants
     * @returns {number}
     */
    stepBatch(max_points, max_instants) {
        const ret = wasm.backtest_stepBatch(this.__wbg_ptr, max_points, max_instants);
        return ret;
    }
    /**
     * Advances the replay through at most `max_points` data points. Returns
     * the number of records now at `recordsPtr()` (> 0: call the strategy), 0
     * when the budget ran out first, or −1 when the replay is over. (No
     * `Result` here: this is the one call per strategy instant, kept lean.)
     * @param {number} max_points
     * @returns {number}
     */
    step(max_points) {
        const ret = wasm.backtest_step(this.__wbg_ptr, max_points);
        return ret;
    }
    /**
     * The trades, `backtestTradeStride()` slots each (see `Trade::to_array`).
     * @returns {Float64Array}
     */
    trades() {
        const ret = wasm.backtest_trades(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
}
if (Symbol.dispose) Backtest.prototype[Symbol.dispose] = Backtest.prototype.free;

/**
 * Streaming bars: feed trades in time order; `update` returns a completed bar
 * as `[start, open, high, low, close, volume, count, vwap]`, or undefined.
 */
export class BarBuilder {
    static __wrap(ptr) {
        const obj = Object.create(BarBuilder.prototype);
        obj.__wbg_ptr = ptr;
        BarBuilderFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        BarBuilderFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_barbuilder_free(ptr, 0);
    }
    /**
     * Bars closing once their traded value reaches `value`.
     * @param {number} value
     * @returns {BarBuilder}
     */
    static dollar(value) {
        const ret = wasm.barbuilder_dollar(value);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return BarBuilder.__wrap(ret[0]);
    }
    /**
     * Hands over the bar in progress (incomplete), if any.
     * @returns {Float64Array | undefined}
     */
    flush() {
        const ret = wasm.barbuilder_flush(this.__wbg_ptr);
        let v1;
        if (ret[0] !== 0) {
            v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
            wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        }
        return v1;
    }
    /**
     * Bars of `trades` trades.
     * @param {number} trades
     * @returns {BarBuilder}
     */
    static tick(trades) {
        const ret = wasm.barbuilder_tick(trades);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return BarBuilder.__wrap(ret[0]);
    }
    /**
     * Time bars of `intervalMs` aligned to UTC multiples.
     * @param {number} interval_ms
     * @returns {BarBuilder}
     */
    static time(interval_ms) {
        const ret = wasm.barbuilder_time(interval_ms);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return BarBuilder.__wrap(ret[0]);
    }
    /**
     * Adds a trade; returns the bar it completes, if any.
     * @param {number} ts
     * @param {number} price
     * @param {number} size
     * @returns {Float64Array | undefined}
     */
    update(ts, price, size) {
        const ret = wasm.barbuilder_update(this.__wbg_ptr, ts, price, size);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        let v1;
        if (ret[0] !== 0) {
            v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
            wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        }
        return v1;
    }
    /**
     * Bars closing once their volume reaches `volume`.
     * @param {number} volume
     * @returns {BarBuilder}
     */
    static volume(volume) {
        const ret = wasm.barbuilder_volume(volume);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return BarBuilder.__wrap(ret[0]);
    }
}
if (Symbol.dispose) BarBuilder.prototype[Symbol.dispose] = BarBuilder.prototype.free;

/**
 * Streaming Bollinger Bands: `update` returns the middle band; `upper` and `lower` hold the rest.
 */
export class BollingerStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        BollingerStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_bollingerstream_free(ptr, 0);
    }
    /**
     * The lower band of the last update.
     * @returns {number}
     */
    get lower() {
        const ret = wasm.bollingerstream_lower(this.__wbg_ptr);
        return ret;
    }
    /**
     * Bands over `window` values, `kUp` / `kDown` σ wide.
     * @param {number} window
     * @param {number} k_up
     * @param {number} k_down
     */
    constructor(window, k_up, k_down) {
        const ret = wasm.bollingerstream_new(window, k_up, k_down);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        BollingerStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds `x`; the middle band (NaN during warm-up).
     * @param {number} x
     * @returns {number}
     */
    update(x) {
        const ret = wasm.bollingerstream_update(this.__wbg_ptr, x);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * The upper band of the last update.
     * @returns {number}
     */
    get upper() {
        const ret = wasm.bollingerstream_upper(this.__wbg_ptr);
        return ret;
    }
}
if (Symbol.dispose) BollingerStream.prototype[Symbol.dispose] = BollingerStream.prototype.free;

/**
 * Streaming top-N book imbalance.
 */
export class BookImbalanceStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        BookImbalanceStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_bookimbalancestream_free(ptr, 0);
    }
    /**
     * Imbalance over the best `levels` (≥ 1) levels.
     * @param {number} levels
     */
    constructor(levels) {
        const ret = wasm.bookimbalancestream_new(levels);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        BookImbalanceStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Imbalance of one snapshot (each side's sizes best first, at least `levels`).
     * @param {Float64Array} bid_sizes
     * @param {Float64Array} ask_sizes
     * @returns {number}
     */
    update(bid_sizes, ask_sizes) {
        const ptr0 = passArrayF64ToWasm0(bid_sizes, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ptr1 = passArrayF64ToWasm0(ask_sizes, wasm.__wbindgen_malloc);
        const len1 = WASM_VECTOR_LEN;
        const ret = wasm.bookimbalancestream_update(this.__wbg_ptr, ptr0, len0, ptr1, len1);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) BookImbalanceStream.prototype[Symbol.dispose] = BookImbalanceStream.prototype.free;

/**
 * r" Streaming EMA.
 */
export class EmaStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        EmaStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_emastream_free(ptr, 0);
    }
    /**
     * A streaming indicator over `window` values.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.emastream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        EmaStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     * @param {number} x
     * @returns {number}
     */
    update(x) {
        const ret = wasm.emastream_update(this.__wbg_ptr, x);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) EmaStream.prototype[Symbol.dispose] = EmaStream.prototype.free;

/**
 * The engine as seen from JavaScript.
 *
 * Every command method returns the number of events it produced; read them
 * as `new Float64Array(wasmMemory().buffer, engine.eventsPtr(), n * eventStride())`
 * before the next call (memory may grow, so take a fresh view each time).
 */
export class Engine {
    static __wrap(ptr) {
        const obj = Object.create(Engine.prototype);
        obj.__wbg_ptr = ptr;
        EngineFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        EngineFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_engine_free(ptr, 0);
    }
    /**
     * A managed account as `[cash, reserved, buyingPower, equity, realized, unrealized, openOrders, killed (0/1)]`
     * (money exact up to 2^53), or undefined if the account is not managed.
     * @param {number} account
     * @returns {Float64Array | undefined}
     */
    account(account) {
        const ret = wasm.engine_account(this.__wbg_ptr, account);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        let v1;
        if (ret[0] !== 0) {
            v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
            wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        }
        return v1;
    }
    /**
     * Adds an instrument (integer price and quantity units).
     * @param {number} ts
     * @param {number} seq
     * @param {number} symbol
     * @param {number} tick_size
     * @param {number} lot_size
     * @param {number} min_price
     * @param {number} max_price
     * @param {number} min_qty
     * @param {number} max_qty
     * @returns {number}
     */
    addInstrument(ts, seq, symbol, tick_size, lot_size, min_price, max_price, min_qty, max_qty) {
        const ret = wasm.engine_addInstrument(this.__wbg_ptr, ts, seq, symbol, tick_size, lot_size, min_price, max_price, min_qty, max_qty);
        return ret >>> 0;
    }
    /**
     * Advances time to `ts`; GTD orders expiring by then expire.
     * @param {number} ts
     * @param {number} seq
     * @returns {number}
     */
    advanceTime(ts, seq) {
        const ret = wasm.engine_advanceTime(this.__wbg_ptr, ts, seq);
        return ret >>> 0;
    }
    /**
     * Best ask price, or NaN when the ask side is empty.
     * @param {number} symbol
     * @returns {number}
     */
    bestAsk(symbol) {
        const ret = wasm.engine_bestAsk(this.__wbg_ptr, symbol);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * Best bid price, or NaN when the bid side is empty.
     * @param {number} symbol
     * @returns {number}
     */
    bestBid(symbol) {
        const ret = wasm.engine_bestBid(this.__wbg_ptr, symbol);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * Cancels a live order of `account`.
     * @param {number} ts
     * @param {number} seq
     * @param {number} id
     * @param {number} account
     * @returns {number}
     */
    cancel(ts, seq, id, account) {
        const ret = wasm.engine_cancel(this.__wbg_ptr, ts, seq, id, account);
        return ret >>> 0;
    }
    /**
     * Makes room for `count` command records and returns their address in
     * WASM memory; write them there, then call `executeBatch(count)`.
     * @param {number} count
     * @returns {number}
     */
    commandBuffer(count) {
        const ret = wasm.engine_commandBuffer(this.__wbg_ptr, count);
        return ret >>> 0;
    }
    /**
     * Deposits `amount` money units into `account` (making it managed).
     * @param {number} ts
     * @param {number} seq
     * @param {number} account
     * @param {number} amount
     * @returns {number}
     */
    deposit(ts, seq, account, amount) {
        const ret = wasm.engine_deposit(this.__wbg_ptr, ts, seq, account, amount);
        return ret >>> 0;
    }
    /**
     * Visible quantity at a price on a side (1 buy, 2 sell); 0 if none.
     * @param {number} symbol
     * @param {number} side
     * @param {number} price
     * @returns {number}
     */
    depthAt(symbol, side, price) {
        const ret = wasm.engine_depthAt(this.__wbg_ptr, symbol, side, price);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * Address of the last call's event records.
     * @returns {number}
     */
    eventsPtr() {
        const ret = wasm.engine_eventsPtr(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * Executes the first `count` records of the command buffer; returns the
     * number of events written at `eventsPtr()`.
     * @param {number} count
     * @returns {number}
     */
    executeBatch(count) {
        const ret = wasm.engine_executeBatch(this.__wbg_ptr, count);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0] >>> 0;
    }
    /**
     * Last trade price, or NaN before the first trade.
     * @param {number} symbol
     * @returns {number}
     */
    lastPrice(symbol) {
        const ret = wasm.engine_lastPrice(this.__wbg_ptr, symbol);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
    /**
     * Top `n` levels of a side as `[price, qty, orders]` triples, best first.
     * @param {number} symbol
     * @param {number} side
     * @param {number} n
     * @returns {Float64Array}
     */
    levels(symbol, side, n) {
        const ret = wasm.engine_levels(this.__wbg_ptr, symbol, side, n);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * Number of live orders.
     * @returns {number}
     */
    liveOrders() {
        const ret = wasm.engine_liveOrders(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * Cancels every live order matching the filters (−1 / 0 for any).
     * @param {number} ts
     * @param {number} seq
     * @param {number} account
     * @param {number} symbol
     * @param {number} side
     * @returns {number}
     */
    massCancel(ts, seq, account, symbol, side) {
        const ret = wasm.engine_massCancel(this.__wbg_ptr, ts, seq, account, symbol, side);
        return ret >>> 0;
    }
    /**
     * Submits a new order. `flags` bit 0 is post-only, bit 1 reduce-only.
     * @param {number} ts
     * @param {number} seq
     * @param {number} id
     * @param {number} account
     * @param {number} symbol
     * @param {number} side
     * @param {number} order_type
     * @param {number} tif
     * @param {number} price
     * @param {number} qty
     * @param {number} stop_price
     * @param {number} display_qty
     * @param {number} expire_at
     * @param {number} stp
     * @param {number} flags
     * @returns {number}
     */
    newOrder(ts, seq, id, account, symbol, side, order_type, tif, price, qty, stop_price, display_qty, expire_at, stp, flags) {
        const ret = wasm.engine_newOrder(this.__wbg_ptr, ts, seq, id, account, symbol, side, order_type, tif, price, qty, stop_price, display_qty, expire_at, stp, flags);
        return ret >>> 0;
    }
    /**
     * An empty engine.
     */
    constructor() {
        const ret = wasm.engine_new();
        this.__wbg_ptr = ret;
        EngineFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * A live order as `[account, symbol, side, type, tif, status (1 resting,
     * 2 pending stop), price, stopPrice, leaves, visible, filled]`, or undefined.
     * @param {number} id
     * @returns {Float64Array | undefined}
     */
    order(id) {
        const ret = wasm.engine_order(this.__wbg_ptr, id);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        let v1;
        if (ret[0] !== 0) {
            v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
            wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        }
        return v1;
    }
    /**
     * A managed account's position as `[qty, averagePrice, basis, realized, unrealized, mark (NaN: none)]`,
     * or undefined if the account is not managed.
     * @param {number} account
     * @param {number} symbol
     * @returns {Float64Array | undefined}
     */
    position(account, symbol) {
        const ret = wasm.engine_position(this.__wbg_ptr, account, symbol);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        let v1;
        if (ret[0] !== 0) {
            v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
            wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        }
        return v1;
    }
    /**
     * Replaces a live order's price (0 keeps it) and open quantity.
     * @param {number} ts
     * @param {number} seq
     * @param {number} id
     * @param {number} account
     * @param {number} new_price
     * @param {number} new_qty
     * @returns {number}
     */
    replace(ts, seq, id, account, new_price, new_qty) {
        const ret = wasm.engine_replace(this.__wbg_ptr, ts, seq, id, account, new_price, new_qty);
        return ret >>> 0;
    }
    /**
     * An engine rebuilt from `snapshot()` bytes; throws if they are not a valid snapshot.
     * @param {Uint8Array} bytes
     * @returns {Engine}
     */
    static restore(bytes) {
        const ptr0 = passArray8ToWasm0(bytes, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.engine_restore(ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return Engine.__wrap(ret[0]);
    }
    /**
     * Ends the session for one instrument (−1: all); DAY orders expire.
     * @param {number} ts
     * @param {number} seq
     * @param {number} symbol
     * @returns {number}
     */
    sessionEnd(ts, seq, symbol) {
        const ret = wasm.engine_sessionEnd(this.__wbg_ptr, ts, seq, symbol);
        return ret >>> 0;
    }
    /**
     * Sets an account's limits (0: unlimited); `flags` bit 0 forbids short selling, bit 1 makes the account
     * post-trade only (no pre-trade check refuses its orders; it is still accounted).
     * @param {number} ts
     * @param {number} seq
     * @param {number} account
     * @param {number} max_order_qty
     * @param {number} max_order_notional
     * @param {number} max_gross_exposure
     * @param {number} max_open_orders
     * @param {number} rate_capacity
     * @param {number} rate_per_interval
     * @param {number} rate_interval
     * @param {number} flags
     * @returns {number}
     */
    setAccountLimits(ts, seq, account, max_order_qty, max_order_notional, max_gross_exposure, max_open_orders, rate_capacity, rate_per_interval, rate_interval, flags) {
        const ret = wasm.engine_setAccountLimits(this.__wbg_ptr, ts, seq, account, max_order_qty, max_order_notional, max_gross_exposure, max_open_orders, rate_capacity, rate_per_interval, rate_interval, flags);
        return ret >>> 0;
    }
    /**
     * Sets an instrument's fees: rates in ppm of notional (1 bp = 100 ppm), amounts per quantity unit; negative is a rebate.
     * @param {number} ts
     * @param {number} seq
     * @param {number} symbol
     * @param {number} maker_ppm
     * @param {number} taker_ppm
     * @param {number} maker_per_unit
     * @param {number} taker_per_unit
     * @returns {number}
     */
    setFees(ts, seq, symbol, maker_ppm, taker_ppm, maker_per_unit, taker_per_unit) {
        const ret = wasm.engine_setFees(this.__wbg_ptr, ts, seq, symbol, maker_ppm, taker_ppm, maker_per_unit, taker_per_unit);
        return ret >>> 0;
    }
    /**
     * Halts (1) or resumes (0) an instrument.
     * @param {number} ts
     * @param {number} seq
     * @param {number} symbol
     * @param {number} halted
     * @returns {number}
     */
    setHalt(ts, seq, symbol, halted) {
        const ret = wasm.engine_setHalt(this.__wbg_ptr, ts, seq, symbol, halted);
        return ret >>> 0;
    }
    /**
     * Sets an account's limits in one instrument (0: unlimited); collar reference 0 off, 1 last, 2 mid, 3 host.
     * @param {number} ts
     * @param {number} seq
     * @param {number} account
     * @param {number} symbol
     * @param {number} max_order_qty
     * @param {number} max_order_notional
     * @param {number} max_long
     * @param {number} max_short
     * @param {number} collar_bps
     * @param {number} collar_ref
     * @returns {number}
     */
    setInstrumentLimits(ts, seq, account, symbol, max_order_qty, max_order_notional, max_long, max_short, collar_bps, collar_ref) {
        const ret = wasm.engine_setInstrumentLimits(this.__wbg_ptr, ts, seq, account, symbol, max_order_qty, max_order_notional, max_long, max_short, collar_bps, collar_ref);
        return ret >>> 0;
    }
    /**
     * Turns an account's kill switch on (1) or off (0).
     * @param {number} ts
     * @param {number} seq
     * @param {number} account
     * @param {number} on
     * @returns {number}
     */
    setKillSwitch(ts, seq, account, on) {
        const ret = wasm.engine_setKillSwitch(this.__wbg_ptr, ts, seq, account, on);
        return ret >>> 0;
    }
    /**
     * Sets an instrument's reference price for collars (0 clears it).
     * @param {number} ts
     * @param {number} seq
     * @param {number} symbol
     * @param {number} price
     * @returns {number}
     */
    setReferencePrice(ts, seq, symbol, price) {
        const ret = wasm.engine_setReferencePrice(this.__wbg_ptr, ts, seq, symbol, price);
        return ret >>> 0;
    }
    /**
     * The full engine state as bytes.
     * @returns {Uint8Array}
     */
    snapshot() {
        const ret = wasm.engine_snapshot(this.__wbg_ptr);
        var v1 = getArrayU8FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 1, 1);
        return v1;
    }
    /**
     * Withdraws `amount` money units from `account` (at most its buying power).
     * @param {number} ts
     * @param {number} seq
     * @param {number} account
     * @param {number} amount
     * @returns {number}
     */
    withdraw(ts, seq, account, amount) {
        const ret = wasm.engine_withdraw(this.__wbg_ptr, ts, seq, account, amount);
        return ret >>> 0;
    }
}
if (Symbol.dispose) Engine.prototype[Symbol.dispose] = Engine.prototype.free;

/**
 * A column of f64 in WASM memory. Fill and read it through
 * `new Float64Array(wasmMemory().buffer, buf.ptr(), buf.len())`, taken again
 * after any call that may grow memory (allocating another buffer does).
 */
export class F64Buffer {
    static __wrap(ptr) {
        const obj = Object.create(F64Buffer.prototype);
        obj.__wbg_ptr = ptr;
        F64BufferFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        F64BufferFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_f64buffer_free(ptr, 0);
    }
    /**
     * Whether the buffer holds no values.
     * @returns {boolean}
     */
    isEmpty() {
        const ret = wasm.f64buffer_isEmpty(this.__wbg_ptr);
        return ret !== 0;
    }
    /**
     * Number of values.
     * @returns {number}
     */
    len() {
        const ret = wasm.f64buffer_len(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * A buffer of `len` zeros.
     * @param {number} len
     */
    constructor(len) {
        const ret = wasm.f64buffer_new(len);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        F64BufferFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Byte offset of the first value in WASM memory.
     * @returns {number}
     */
    ptr() {
        const ret = wasm.f64buffer_ptr(this.__wbg_ptr);
        return ret >>> 0;
    }
}
if (Symbol.dispose) F64Buffer.prototype[Symbol.dispose] = F64Buffer.prototype.free;

/**
 * Streaming MACD: `update` returns the line; `signal` and `hist` hold the rest.
 */
export class MacdStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        MacdStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_macdstream_free(ptr, 0);
    }
    /**
     * The histogram of the last update.
     * @returns {number}
     */
    get hist() {
        const ret = wasm.macdstream_hist(this.__wbg_ptr);
        return ret;
    }
    /**
     * A MACD with the given periods (`fast < slow`).
     * @param {number} fast
     * @param {number} slow
     * @param {number} signal
     */
    constructor(fast, slow, signal) {
        const ret = wasm.macdstream_new(fast, slow, signal);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        MacdStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The signal of the last update.
     * @returns {number}
     */
    get signal() {
        const ret = wasm.macdstream_signal(this.__wbg_ptr);
        return ret;
    }
    /**
     * Adds `x`; the MACD line (NaN during warm-up).
     * @param {number} x
     * @returns {number}
     */
    update(x) {
        const ret = wasm.macdstream_update(this.__wbg_ptr, x);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) MacdStream.prototype[Symbol.dispose] = MacdStream.prototype.free;

/**
 * Streaming order-flow imbalance.
 */
export class OrderFlowImbalanceStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        OrderFlowImbalanceStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_orderflowimbalancestream_free(ptr, 0);
    }
    /**
     * A stream that has seen no quote.
     */
    constructor() {
        const ret = wasm.orderflowimbalancestream_new();
        this.__wbg_ptr = ret;
        OrderFlowImbalanceStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * `e_n` of this quote (NaN for the first).
     * @param {number} bid
     * @param {number} bid_size
     * @param {number} ask
     * @param {number} ask_size
     * @returns {number}
     */
    update(bid, bid_size, ask, ask_size) {
        const ret = wasm.orderflowimbalancestream_update(this.__wbg_ptr, bid, bid_size, ask, ask_size);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) OrderFlowImbalanceStream.prototype[Symbol.dispose] = OrderFlowImbalanceStream.prototype.free;

/**
 * Streaming spread, mid and microprice.
 */
export class QuoteStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        QuoteStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_quotestream_free(ptr, 0);
    }
    /**
     * A stream that has seen no quote.
     */
    constructor() {
        const ret = wasm.quotestream_new();
        this.__wbg_ptr = ret;
        QuoteStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * `[spread, mid, microprice]` of this quote.
     * @param {number} bid
     * @param {number} ask
     * @param {number} bid_size
     * @param {number} ask_size
     * @returns {Float64Array}
     */
    update(bid, ask, bid_size, ask_size) {
        const ret = wasm.quotestream_update(this.__wbg_ptr, bid, ask, bid_size, ask_size);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
}
if (Symbol.dispose) QuoteStream.prototype[Symbol.dispose] = QuoteStream.prototype.free;

/**
 * Streaming realized volatility.
 */
export class RealizedVolatilityStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        RealizedVolatilityStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_realizedvolatilitystream_free(ptr, 0);
    }
    /**
     * Over `window` (≥ 1) log returns.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.realizedvolatilitystream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        RealizedVolatilityStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Volatility of the last `window` returns up to this price (NaN during warm-up).
     * @param {number} price
     * @returns {number}
     */
    update(price) {
        const ret = wasm.realizedvolatilitystream_update(this.__wbg_ptr, price);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) RealizedVolatilityStream.prototype[Symbol.dispose] = RealizedVolatilityStream.prototype.free;

/**
 * Streaming simple and log returns.
 */
export class ReturnsStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        ReturnsStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_returnsstream_free(ptr, 0);
    }
    /**
     * A stream that has seen no price.
     */
    constructor() {
        const ret = wasm.returnsstream_new();
        this.__wbg_ptr = ret;
        ReturnsStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * `[simple, log]` return from the previous price (NaN for the first).
     * @param {number} price
     * @returns {Float64Array}
     */
    update(price) {
        const ret = wasm.returnsstream_update(this.__wbg_ptr, price);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
}
if (Symbol.dispose) ReturnsStream.prototype[Symbol.dispose] = ReturnsStream.prototype.free;

/**
 * r" Streaming rolling σ.
 */
export class RollingStdStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        RollingStdStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_rollingstdstream_free(ptr, 0);
    }
    /**
     * A streaming indicator over `window` values.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.rollingstdstream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        RollingStdStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     * @param {number} x
     * @returns {number}
     */
    update(x) {
        const ret = wasm.rollingstdstream_update(this.__wbg_ptr, x);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) RollingStdStream.prototype[Symbol.dispose] = RollingStdStream.prototype.free;

/**
 * Streaming rolling VWAP over the last `window` trades.
 */
export class RollingVwapStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        RollingVwapStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_rollingvwapstream_free(ptr, 0);
    }
    /**
     * A rolling VWAP over `window` (≥ 1) trades.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.rollingvwapstream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        RollingVwapStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * VWAP of the last `window` trades including this one (NaN during warm-up).
     * @param {number} price
     * @param {number} size
     * @returns {number}
     */
    update(price, size) {
        const ret = wasm.rollingvwapstream_update(this.__wbg_ptr, price, size);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) RollingVwapStream.prototype[Symbol.dispose] = RollingVwapStream.prototype.free;

/**
 * r" Streaming RSI.
 */
export class RsiStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        RsiStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_rsistream_free(ptr, 0);
    }
    /**
     * A streaming indicator over `window` values.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.rsistream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        RsiStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     * @param {number} x
     * @returns {number}
     */
    update(x) {
        const ret = wasm.rsistream_update(this.__wbg_ptr, x);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) RsiStream.prototype[Symbol.dispose] = RsiStream.prototype.free;

/**
 * Streaming session-anchored VWAP.
 */
export class SessionVwapStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        SessionVwapStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_sessionvwapstream_free(ptr, 0);
    }
    /**
     * Sessions of `sessionMs` aligned to its multiples shifted by `offsetMs`.
     * @param {number} session_ms
     * @param {number} offset_ms
     */
    constructor(session_ms, offset_ms) {
        const ret = wasm.sessionvwapstream_new(session_ms, offset_ms);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        SessionVwapStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * VWAP of this trade's session so far.
     * @param {number} ts
     * @param {number} price
     * @param {number} size
     * @returns {number}
     */
    update(ts, price, size) {
        const ret = wasm.sessionvwapstream_update(this.__wbg_ptr, ts, price, size);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) SessionVwapStream.prototype[Symbol.dispose] = SessionVwapStream.prototype.free;

/**
 * r" Streaming SMA.
 */
export class SmaStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        SmaStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_smastream_free(ptr, 0);
    }
    /**
     * A streaming indicator over `window` values.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.smastream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        SmaStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     * @param {number} x
     * @returns {number}
     */
    update(x) {
        const ret = wasm.smastream_update(this.__wbg_ptr, x);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) SmaStream.prototype[Symbol.dispose] = SmaStream.prototype.free;

/**
 * Streaming stochastic: `update` returns slow %K; `d` holds %D.
 */
export class StochStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        StochStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_stochstream_free(ptr, 0);
    }
    /**
     * %D of the last update.
     * @returns {number}
     */
    get d() {
        const ret = wasm.stochstream_d(this.__wbg_ptr);
        return ret;
    }
    /**
     * A stochastic with the given periods.
     * @param {number} fast_k
     * @param {number} slow_k
     * @param {number} slow_d
     */
    constructor(fast_k, slow_k, slow_d) {
        const ret = wasm.stochstream_new(fast_k, slow_k, slow_d);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        StochStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds a bar; slow %K (NaN during warm-up).
     * @param {number} high
     * @param {number} low
     * @param {number} close
     * @returns {number}
     */
    update(high, low, close) {
        const ret = wasm.stochstream_update(this.__wbg_ptr, high, low, close);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) StochStream.prototype[Symbol.dispose] = StochStream.prototype.free;

/**
 * Streaming cumulative TWAP.
 */
export class TwapStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        TwapStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_twapstream_free(ptr, 0);
    }
    /**
     * A stream that has seen no trade.
     */
    constructor() {
        const ret = wasm.twapstream_new();
        this.__wbg_ptr = ret;
        TwapStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * TWAP from the first trade's time to `ts`.
     * @param {number} ts
     * @param {number} price
     * @returns {number}
     */
    update(ts, price) {
        const ret = wasm.twapstream_update(this.__wbg_ptr, ts, price);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) TwapStream.prototype[Symbol.dispose] = TwapStream.prototype.free;

/**
 * Streaming cumulative VWAP.
 */
export class VwapStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        VwapStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_vwapstream_free(ptr, 0);
    }
    /**
     * A stream that has seen no trade.
     */
    constructor() {
        const ret = wasm.vwapstream_new();
        this.__wbg_ptr = ret;
        VwapStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * VWAP including this trade.
     * @param {number} price
     * @param {number} size
     * @returns {number}
     */
    update(price, size) {
        const ret = wasm.vwapstream_update(this.__wbg_ptr, price, size);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) VwapStream.prototype[Symbol.dispose] = VwapStream.prototype.free;

/**
 * r" Streaming WMA.
 */
export class WmaStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        WmaStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_wmastream_free(ptr, 0);
    }
    /**
     * A streaming indicator over `window` values.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.wmastream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        WmaStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     * @param {number} x
     * @returns {number}
     */
    update(x) {
        const ret = wasm.wmastream_update(this.__wbg_ptr, x);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) WmaStream.prototype[Symbol.dispose] = WmaStream.prototype.free;

/**
 * r" Streaming z-score.
 */
export class ZScoreStream {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        ZScoreStreamFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_zscorestream_free(ptr, 0);
    }
    /**
     * A streaming indicator over `window` values.
     * @param {number} window
     */
    constructor(window) {
        const ret = wasm.zscorestream_new(window);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        ZScoreStreamFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Adds `x`; the indicator's value (NaN during warm-up). Throws on a
     * non-finite `x`, and the state is unchanged.
     * @param {number} x
     * @returns {number}
     */
    update(x) {
        const ret = wasm.zscorestream_update(this.__wbg_ptr, x);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0];
    }
}
if (Symbol.dispose) ZScoreStream.prototype[Symbol.dispose] = ZScoreStream.prototype.free;

/**
 * Wilder ATR of the bars into `out` (NaN for the first `window`).
 * @param {F64Buffer} high
 * @param {F64Buffer} low
 * @param {F64Buffer} close
 * @param {number} window
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function atr(high, low, close, window, out, simd) {
    _assertClass(high, F64Buffer);
    _assertClass(low, F64Buffer);
    _assertClass(close, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.atr(high.__wbg_ptr, low.__wbg_ptr, close.__wbg_ptr, window, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * The default config, in the slot layout of the module docs.
 * @returns {Float64Array}
 */
export function backtestConfigDefaults() {
    const ret = wasm.backtestConfigDefaults();
    var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
    wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
    return v1;
}

/**
 * The config slot names, comma-separated, in slot order.
 * @returns {string}
 */
export function backtestConfigNames() {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.backtestConfigNames();
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}

/**
 * The metric names, comma-separated, in the order of `Backtest.metrics()`.
 * @returns {string}
 */
export function backtestMetricNames() {
    let deferred1_0;
    let deferred1_1;
    try {
        const ret = wasm.backtestMetricNames();
        deferred1_0 = ret[0];
        deferred1_1 = ret[1];
        return getStringFromWasm0(ret[0], ret[1]);
    } finally {
        wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
    }
}

/**
 * Slots per data, update and command record.
 * @returns {number}
 */
export function backtestStride() {
    const ret = wasm.backtestStride();
    return ret >>> 0;
}

/**
 * Slots per trade in `Backtest.trades()`.
 * @returns {number}
 */
export function backtestTradeStride() {
    const ret = wasm.backtestTradeStride();
    return ret >>> 0;
}

/**
 * Bollinger Bands of `x`: `kUp` / `kDown` population σ around the SMA.
 * @param {F64Buffer} x
 * @param {number} window
 * @param {number} k_up
 * @param {number} k_down
 * @param {F64Buffer} upper
 * @param {F64Buffer} middle
 * @param {F64Buffer} lower
 * @param {boolean | null} [simd]
 */
export function bollinger(x, window, k_up, k_down, upper, middle, lower, simd) {
    _assertClass(x, F64Buffer);
    _assertClass(upper, F64Buffer);
    _assertClass(middle, F64Buffer);
    _assertClass(lower, F64Buffer);
    const ret = wasm.bollinger(x.__wbg_ptr, window, k_up, k_down, upper.__wbg_ptr, middle.__wbg_ptr, lower.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Top-`levels` imbalance of snapshots of a `depth`-level book (sizes row
 * after row, best level first), one value per snapshot into `out`.
 * @param {F64Buffer} bid_sizes
 * @param {F64Buffer} ask_sizes
 * @param {number} depth
 * @param {number} levels
 * @param {F64Buffer} out
 */
export function bookImbalance(bid_sizes, ask_sizes, depth, levels, out) {
    _assertClass(bid_sizes, F64Buffer);
    _assertClass(ask_sizes, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.bookImbalance(bid_sizes.__wbg_ptr, ask_sizes.__wbg_ptr, depth, levels, out.__wbg_ptr);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * f64 slots per command record.
 * @returns {number}
 */
export function commandStride() {
    const ret = wasm.commandStride();
    return ret >>> 0;
}

/**
 * Bars closing once their traded value Σ p·v reaches `value`, as in `timeBars`.
 * @param {F64Buffer} ts
 * @param {F64Buffer} price
 * @param {F64Buffer} size
 * @param {number} value
 * @returns {F64Buffer}
 */
export function dollarBars(ts, price, size, value) {
    _assertClass(ts, F64Buffer);
    _assertClass(price, F64Buffer);
    _assertClass(size, F64Buffer);
    const ret = wasm.dollarBars(ts.__wbg_ptr, price.__wbg_ptr, size.__wbg_ptr, value);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return F64Buffer.__wrap(ret[0]);
}

/**
 * Exponential moving average (TA-Lib seeding) of `x` into `out`.
 * @param {F64Buffer} x
 * @param {number} window
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function ema(x, window, out, simd) {
    _assertClass(x, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.ema(x.__wbg_ptr, window, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * f64 slots per event record.
 * @returns {number}
 */
export function eventStride() {
    const ret = wasm.eventStride();
    return ret >>> 0;
}

/**
 * Log returns (NaN at index 0), into `out`.
 * @param {F64Buffer} price
 * @param {F64Buffer} out
 */
export function logReturns(price, out) {
    _assertClass(price, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.logReturns(price.__wbg_ptr, out.__wbg_ptr);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * MACD line, signal and histogram of `x`.
 * @param {F64Buffer} x
 * @param {number} fast
 * @param {number} slow
 * @param {number} signal
 * @param {F64Buffer} line
 * @param {F64Buffer} signal_out
 * @param {F64Buffer} hist
 * @param {boolean | null} [simd]
 */
export function macd(x, fast, slow, signal, line, signal_out, hist, simd) {
    _assertClass(x, F64Buffer);
    _assertClass(line, F64Buffer);
    _assertClass(signal_out, F64Buffer);
    _assertClass(hist, F64Buffer);
    const ret = wasm.macd(x.__wbg_ptr, fast, slow, signal, line.__wbg_ptr, signal_out.__wbg_ptr, hist.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Size-weighted mid of each quote, into `out`.
 * @param {F64Buffer} bid
 * @param {F64Buffer} ask
 * @param {F64Buffer} bid_size
 * @param {F64Buffer} ask_size
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function microprice(bid, ask, bid_size, ask_size, out, simd) {
    _assertClass(bid, F64Buffer);
    _assertClass(ask, F64Buffer);
    _assertClass(bid_size, F64Buffer);
    _assertClass(ask_size, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.microprice(bid.__wbg_ptr, ask.__wbg_ptr, bid_size.__wbg_ptr, ask_size.__wbg_ptr, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * `(bid + ask) / 2` of each quote, into `out`.
 * @param {F64Buffer} bid
 * @param {F64Buffer} ask
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function mid(bid, ask, out, simd) {
    _assertClass(bid, F64Buffer);
    _assertClass(ask, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.mid(bid.__wbg_ptr, ask.__wbg_ptr, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Cont–Kukanov–Stoikov order-flow imbalance of each quote (NaN at index 0), into `out`.
 * @param {F64Buffer} bid
 * @param {F64Buffer} bid_size
 * @param {F64Buffer} ask
 * @param {F64Buffer} ask_size
 * @param {F64Buffer} out
 */
export function orderFlowImbalance(bid, bid_size, ask, ask_size, out) {
    _assertClass(bid, F64Buffer);
    _assertClass(bid_size, F64Buffer);
    _assertClass(ask, F64Buffer);
    _assertClass(ask_size, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.orderFlowImbalance(bid.__wbg_ptr, bid_size.__wbg_ptr, ask.__wbg_ptr, ask_size.__wbg_ptr, out.__wbg_ptr);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Realized volatility `sqrt(Σ r²)` of the last `window` log returns at each price, into `out`.
 * @param {F64Buffer} price
 * @param {number} window
 * @param {F64Buffer} out
 */
export function realizedVolatility(price, window, out) {
    _assertClass(price, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.realizedVolatility(price.__wbg_ptr, window, out.__wbg_ptr);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Rolling population standard deviation of `x` into `out`.
 * @param {F64Buffer} x
 * @param {number} window
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function rollingStd(x, window, out, simd) {
    _assertClass(x, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.rollingStd(x.__wbg_ptr, window, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * VWAP of the last `window` trades at each trade (NaN during warm-up), into `out`.
 * @param {F64Buffer} price
 * @param {F64Buffer} size
 * @param {number} window
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function rollingVwap(price, size, window, out, simd) {
    _assertClass(price, F64Buffer);
    _assertClass(size, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.rollingVwap(price.__wbg_ptr, size.__wbg_ptr, window, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Wilder RSI of `x` into `out` (NaN for the first `window`).
 * @param {F64Buffer} x
 * @param {number} window
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function rsi(x, window, out, simd) {
    _assertClass(x, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.rsi(x.__wbg_ptr, window, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * VWAP restarting at each session (periods of `sessionMs` aligned to its
 * multiples shifted by `offsetMs`), into `out`.
 * @param {F64Buffer} ts
 * @param {F64Buffer} price
 * @param {F64Buffer} size
 * @param {number} session_ms
 * @param {number} offset_ms
 * @param {F64Buffer} out
 */
export function sessionVwap(ts, price, size, session_ms, offset_ms, out) {
    _assertClass(ts, F64Buffer);
    _assertClass(price, F64Buffer);
    _assertClass(size, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.sessionVwap(ts.__wbg_ptr, price.__wbg_ptr, size.__wbg_ptr, session_ms, offset_ms, out.__wbg_ptr);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Simple returns (NaN at index 0), into `out`.
 * @param {F64Buffer} price
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function simpleReturns(price, out, simd) {
    _assertClass(price, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.simpleReturns(price.__wbg_ptr, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Simple moving average of `x` into `out` (NaN for the first `window − 1`).
 * @param {F64Buffer} x
 * @param {number} window
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function sma(x, window, out, simd) {
    _assertClass(x, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.sma(x.__wbg_ptr, window, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * `ask − bid` of each quote, into `out`.
 * @param {F64Buffer} bid
 * @param {F64Buffer} ask
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function spread(bid, ask, out, simd) {
    _assertClass(bid, F64Buffer);
    _assertClass(ask, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.spread(bid.__wbg_ptr, ask.__wbg_ptr, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Stochastic slow %K and %D of the bars.
 * @param {F64Buffer} high
 * @param {F64Buffer} low
 * @param {F64Buffer} close
 * @param {number} fast_k
 * @param {number} slow_k
 * @param {number} slow_d
 * @param {F64Buffer} k_out
 * @param {F64Buffer} d_out
 * @param {boolean | null} [simd]
 */
export function stoch(high, low, close, fast_k, slow_k, slow_d, k_out, d_out, simd) {
    _assertClass(high, F64Buffer);
    _assertClass(low, F64Buffer);
    _assertClass(close, F64Buffer);
    _assertClass(k_out, F64Buffer);
    _assertClass(d_out, F64Buffer);
    const ret = wasm.stoch(high.__wbg_ptr, low.__wbg_ptr, close.__wbg_ptr, fast_k, slow_k, slow_d, k_out.__wbg_ptr, d_out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Bars of `trades` trades each, as in `timeBars`.
 * @param {F64Buffer} ts
 * @param {F64Buffer} price
 * @param {F64Buffer} size
 * @param {number} trades
 * @returns {F64Buffer}
 */
export function tickBars(ts, price, size, trades) {
    _assertClass(ts, F64Buffer);
    _assertClass(price, F64Buffer);
    _assertClass(size, F64Buffer);
    const ret = wasm.tickBars(ts.__wbg_ptr, price.__wbg_ptr, size.__wbg_ptr, trades);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return F64Buffer.__wrap(ret[0]);
}

/**
 * Time bars of `intervalMs` aligned to UTC multiples, as a new buffer of 8
 * columns one after another (start, open, high, low, close, volume, count,
 * vwap), n values each: column c of bar i at `c * n + i`.
 * @param {F64Buffer} ts
 * @param {F64Buffer} price
 * @param {F64Buffer} size
 * @param {number} interval_ms
 * @returns {F64Buffer}
 */
export function timeBars(ts, price, size, interval_ms) {
    _assertClass(ts, F64Buffer);
    _assertClass(price, F64Buffer);
    _assertClass(size, F64Buffer);
    const ret = wasm.timeBars(ts.__wbg_ptr, price.__wbg_ptr, size.__wbg_ptr, interval_ms);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return F64Buffer.__wrap(ret[0]);
}

/**
 * Cumulative time-weighted average price at each trade (NaN while no time has passed), into `out`.
 * @param {F64Buffer} ts
 * @param {F64Buffer} price
 * @param {F64Buffer} out
 */
export function twap(ts, price, out) {
    _assertClass(ts, F64Buffer);
    _assertClass(price, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.twap(ts.__wbg_ptr, price.__wbg_ptr, out.__wbg_ptr);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Bars closing once their volume reaches `volume`, as in `timeBars`.
 * @param {F64Buffer} ts
 * @param {F64Buffer} price
 * @param {F64Buffer} size
 * @param {number} volume
 * @returns {F64Buffer}
 */
export function volumeBars(ts, price, size, volume) {
    _assertClass(ts, F64Buffer);
    _assertClass(price, F64Buffer);
    _assertClass(size, F64Buffer);
    const ret = wasm.volumeBars(ts.__wbg_ptr, price.__wbg_ptr, size.__wbg_ptr, volume);
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return F64Buffer.__wrap(ret[0]);
}

/**
 * Cumulative VWAP at each trade, into `out`.
 * @param {F64Buffer} price
 * @param {F64Buffer} size
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function vwap(price, size, out, simd) {
    _assertClass(price, F64Buffer);
    _assertClass(size, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.vwap(price.__wbg_ptr, size.__wbg_ptr, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * The module's linear memory, for typed-array views of the buffers.
 * @returns {any}
 */
export function wasmMemory() {
    const ret = wasm.wasmMemory();
    return ret;
}

/**
 * Weighted moving average of `x` into `out`.
 * @param {F64Buffer} x
 * @param {number} window
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function wma(x, window, out, simd) {
    _assertClass(x, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.wma(x.__wbg_ptr, window, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}

/**
 * Rolling z-score of `x` into `out`.
 * @param {F64Buffer} x
 * @param {number} window
 * @param {F64Buffer} out
 * @param {boolean | null} [simd]
 */
export function zscore(x, window, out, simd) {
    _assertClass(x, F64Buffer);
    _assertClass(out, F64Buffer);
    const ret = wasm.zscore(x.__wbg_ptr, window, out.__wbg_ptr, isLikeNone(simd) ? 0xFFFFFF : simd ? 1 : 0);
    if (ret[1]) {
        throw takeFromExternrefTable0(ret[0]);
    }
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_Error_30c8987f7c2ed4e2: function(arg0, arg1) {
            const ret = Error(getStringFromWasm0(arg0, arg1));
            return ret;
        },
        __wbg___wbindgen_memory_caa4a6165639c8b5: function() {
            const ret = wasm.memory;
            return ret;
        },
        __wbg___wbindgen_throw_41e9ee4f547fc59a: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            const offset = table.grow(4);
            table.set(0, undefined);
            table.set(offset + 0, undefined);
            table.set(offset + 1, null);
            table.set(offset + 2, true);
            table.set(offset + 3, false);
        },
    };
    return {
        __proto__: null,
        "./cift_engine_bg.js": import0,
    };
}

const AtrStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_atrstream_free(ptr, 1));
const BacktestFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_backtest_free(ptr, 1));
const BarBuilderFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_barbuilder_free(ptr, 1));
const BollingerStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_bollingerstream_free(ptr, 1));
const BookImbalanceStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_bookimbalancestream_free(ptr, 1));
const EmaStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_emastream_free(ptr, 1));
const EngineFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_engine_free(ptr, 1));
const F64BufferFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_f64buffer_free(ptr, 1));
const MacdStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_macdstream_free(ptr, 1));
const OrderFlowImbalanceStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_orderflowimbalancestream_free(ptr, 1));
const QuoteStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_quotestream_free(ptr, 1));
const RealizedVolatilityStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_realizedvolatilitystream_free(ptr, 1));
const ReturnsStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_returnsstream_free(ptr, 1));
const RollingStdStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_rollingstdstream_free(ptr, 1));
const RollingVwapStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_rollingvwapstream_free(ptr, 1));
const RsiStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_rsistream_free(ptr, 1));
const SessionVwapStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_sessionvwapstream_free(ptr, 1));
const SmaStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_smastream_free(ptr, 1));
const StochStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_stochstream_free(ptr, 1));
const TwapStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_twapstream_free(ptr, 1));
const VwapStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_vwapstream_free(ptr, 1));
const WmaStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_wmastream_free(ptr, 1));
const ZScoreStreamFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_zscorestream_free(ptr, 1));

function _assertClass(instance, klass) {
    if (!(instance instanceof klass)) {
        throw new Error(`expected instance of ${klass.name}`);
    }
}

function getArrayF64FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getFloat64ArrayMemory0().subarray(ptr / 8, ptr / 8 + len);
}

function getArrayU8FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);
}

let cachedFloat64ArrayMemory0 = null;
function getFloat64ArrayMemory0() {
    if (cachedFloat64ArrayMemory0 === null || cachedFloat64ArrayMemory0.byteLength === 0) {
        cachedFloat64ArrayMemory0 = new Float64Array(wasm.memory.buffer);
    }
    return cachedFloat64ArrayMemory0;
}

function getStringFromWasm0(ptr, len) {
    return decodeText(ptr >>> 0, len);
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function isLikeNone(x) {
    return x === undefined || x === null;
}

function passArray8ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 1, 1) >>> 0;
    getUint8ArrayMemory0().set(arg, ptr / 1);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passArrayF64ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 8, 8) >>> 0;
    getFloat64ArrayMemory0().set(arg, ptr / 8);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function takeFromExternrefTable0(idx) {
    const value = wasm.__wbindgen_externrefs.get(idx);
    wasm.__externref_table_dealloc(idx);
    return value;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
cachedTextDecoder.decode();
const MAX_SAFARI_DECODE_BYTES = 2146435072;
let numBytesDecoded = 0;
function decodeText(ptr, len) {
    numBytesDecoded += len;
    if (numBytesDecoded >= MAX_SAFARI_DECODE_BYTES) {
        cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
        cachedTextDecoder.decode();
        numBytesDecoded = len;
    }
    return cachedTextDecoder.decode(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let WASM_VECTOR_LEN = 0;

let wasmModule, wasmInstance, wasm;
function __wbg_finalize_init(instance, module) {
    wasmInstance = instance;
    wasm = instance.exports;
    wasmModule = module;
    cachedFloat64ArrayMemory0 = null;
    cachedUint8ArrayMemory0 = null;
    wasm.__wbindgen_start();
    return wasm;
}

async function __wbg_load(module, imports) {
    if (typeof Response === 'function' && module instanceof Response) {
        if (!module.ok) {
            throw new Error(`failed to fetch Wasm: ${module.status} ${module.statusText} fetching '${module.url}'`);
        }

        if (typeof WebAssembly.instantiateStreaming === 'function') {
            try {
                return await WebAssembly.instantiateStreaming(module, imports);
            } catch (e) {
                const validResponse = expectedResponseType(module.type);

                if (validResponse && module.headers.get('Content-Type') !== 'application/wasm') {
                    console.warn("`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\n", e);

                } else { throw e; }
            }
        }

        const bytes = await module.arrayBuffer();
        return await WebAssembly.instantiate(bytes, imports);
    } else {
        const instance = await WebAssembly.instantiate(module, imports);

        if (instance instanceof WebAssembly.Instance) {
            return { instance, module };
        } else {
            return instance;
        }
    }

    function expectedResponseType(type) {
        switch (type) {
            case 'basic': case 'cors': case 'default': return true;
        }
        return false;
    }
}

function initSync(module) {
    if (wasm !== undefined) return wasm;


    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for `initSync()`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
    const instance = new WebAssembly.Instance(module, imports);
    return __wbg_finalize_init(instance, module);
}

async function __wbg_init(module_or_path) {
    if (wasm !== undefined) return wasm;


    if (module_or_path !== undefined) {
        if (Object.getPrototypeOf(module_or_path) === Object.prototype) {
            ({module_or_path} = module_or_path)
        } else {
            console.warn('using deprecated parameters for the initialization function; pass a single object instead')
        }
    }

    if (module_or_path === undefined) {
        module_or_path = new URL('cift_engine_bg.wasm', import.meta.url);
    }
    const imports = __wbg_get_imports();

    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {
        module_or_path = fetch(module_or_path);
    }

    const { instance, module } = await __wbg_load(await module_or_path, imports);

    return __wbg_finalize_init(instance, module);
}

export { initSync, __wbg_init as default };
