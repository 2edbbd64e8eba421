//! The run loop: a strategy over a dataset on the engine's `Backtest`, one `step` per strategy instant, records read
//! through one Float64Array view of WASM memory and commands written back in one batch per instant.

import {
  AtrStream,
  Backtest,
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
  backtestConfigDefaults,
  backtestConfigNames,
  backtestStride,
  wasmMemory,
} from 'cift-engine';
import { assembleResult } from './result.ts';
import type {
  BacktestResult,
  Bar,
  BookUpdate,
  Context,
  L3Action,
  Dataset,
  Fill,
  Indicators,
  Order,
  OrderOptions,
  OrderType,
  Params,
  RunOptions,
  Side,
  Size,
  Strategy,
  StrategyModule,
  TimeInForce,
  TradePrint,
} from './types.ts';

// Record kinds and command codes (engine-rs/src/backtest/record.rs).
const BAR = 1;
const TRADE = 2;
const QUOTE = 3;
const DEPTH = 4;
const ORDER = 5;
const ACCEPTED = 10;
const REJECTED = 11;
const FILL = 12;
const CANCELLED = 13;
const REPLACED = 14;
const TRIGGERED = 15;
const CMD_NEW = 1;
const CMD_CANCEL = 2;
const CMD_REPLACE = 3;
const TYPE_CODE: Record<OrderType, number> = { limit: 1, market: 2, stop: 3, stopLimit: 4 };
const TIF_CODE: Record<TimeInForce, number> = { GTC: 1, DAY: 2, GTD: 3, IOC: 4, FOK: 5 };
const L3_ACTIONS: readonly L3Action[] = ['add', 'cancel', 'delete', 'execute', 'modify'];
const LOG_CAP = 1000;
/** Most instants the engine reads ahead in one call (a batch's records take 96 bytes each). */
const MAX_BATCH = 4096;

/** An error in the run's settings, naming the option. */
export class OptionError extends Error {
  override name = 'OptionError';
}

/** Per-instrument state: scales to the engine's integer units and what the strategy has heard. */
interface Instrument {
  symbol: string;
  id: number;
  priceScale: number;
  qtyScale: number;
  positionUnits: number;
  lastPriceUnits: number;
  bar: Bar;
  trade: TradePrint;
  book: BookUpdate;
}

/** Merges a strategy module's defaults with `params` and makes the strategy (calls the factory when it is one). */
export function instantiate(mod: StrategyModule, params: Params = {}): { strategy: Strategy; params: Params } {
  const merged = { ...(mod.params ?? {}), ...params };
  const d = mod.default as unknown;
  if (typeof d === 'function') return { strategy: (d as (p: Params) => Strategy)(merged), params: merged };
  if (d !== null && typeof d === 'object') return { strategy: d as Strategy, params: merged };
  throw new TypeError('the strategy module must export default a strategy object or a function (params) => strategy');
}

function nonNegative(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!Number.isFinite(x) || x < 0) throw new OptionError(`${name} must be a finite number ≥ 0, got ${x}`);
  return x;
}

/** The engine config array for these options; `moneyScale` converts cash, `tsPerMs` latencies. */
function engineConfig(opts: RunOptions, moneyScale: number, tsPerMs: number, subscriptions: number, stopTrigger: 'last' | 'quote'): Float64Array {
  const names = backtestConfigNames().split(',');
  const cfg = new Float64Array(backtestConfigDefaults());
  const set = (name: string, v: number) => {
    cfg[names.indexOf(name)] = v;
  };
  const cash = Math.round(nonNegative('cash', opts.cash, 100_000) * moneyScale);
  if (cash > Number.MAX_SAFE_INTEGER) {
    throw new OptionError(`cash × 10^(price + quantity decimals) must stay below 2^53; lower cash (${opts.cash})`);
  }
  set('cash', cash);
  set('seed', Math.floor(nonNegative('seed', opts.seed, 0)));
  const fill = opts.fillModel ?? 'next-open';
  if (fill !== 'next-open' && fill !== 'close') throw new OptionError(`fillModel must be next-open or close, got ${String(fill)}`);
  set('barMarketFill', fill === 'close' ? 1 : 0);
  const cap = nonNegative('volumeCap', opts.volumeCap, 0);
  if (cap > 1) throw new OptionError(`volumeCap must be from 0 to 1, got ${cap}`);
  set('volumeCap', cap);
  if (opts.slippageTicks !== undefined && opts.slippageTicks > 0) {
    const t = nonNegative('slippageTicks', opts.slippageTicks, 0);
    if (!Number.isInteger(t)) throw new OptionError(`slippageTicks must be an integer, got ${t}`);
    set('slippageKind', 1);
    set('slippage', t);
  } else {
    const bps = nonNegative('slippageBps', opts.slippageBps, 0);
    set('slippageKind', bps > 0 ? 2 : 0);
    set('slippage', bps);
  }
  set('orderLatencyKind', 0);
  set('orderLatencyA', Math.round(nonNegative('latencyMs', opts.latencyMs, 0) * tsPerMs));
  set('dataLatencyKind', 0);
  set('dataLatencyA', Math.round(nonNegative('dataLatencyMs', opts.dataLatencyMs, 0) * tsPerMs));
  const periods = nonNegative('periodsPerYear', opts.periodsPerYear, 252);
  if (periods === 0) throw new OptionError('periodsPerYear must be > 0');
  set('periodsPerYear', periods);
  set('tsPerYear', 365.25 * 86_400_000 * tsPerMs);
  set('subscriptions', subscriptions);
  set('allowShort', opts.allowShort === false ? 0 : 1);
  const trigger = opts.stopTrigger ?? stopTrigger;
  if (trigger !== 'last' && trigger !== 'quote') throw new OptionError(`stopTrigger must be last or quote, got ${String(trigger)}`);
  set('stopTrigger', trigger === 'quote' ? 1 : 0);
  return cfg;
}

function maxOf(cols: (Float64Array | undefined)[]): number {
  let m = 0;
  for (const c of cols) if (c) for (let i = 0; i < c.length; i++) if (c[i] > m) m = c[i];
  return m;
}

/** The default stop trigger for a dataset: the book when it has book data but no prints (nothing else would trigger). */
export function defaultStopTrigger(data: Dataset): 'last' | 'quote' {
  const prints = data.instruments.some((i) => i.trades || i.orders);
  const book = data.instruments.some((i) => i.quotes || i.depth);
  return book && !prints ? 'quote' : 'last';
}

/** Decimals → integer units: exact for data with at most `scale`'s decimals. */
function units(col: Float64Array, scale: number): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) out[i] = Math.round(col[i] * scale);
  return out;
}

/**
 * A prepared run: the dataset loaded into a `Backtest`, ready to `advance`. Hosts that must stay responsive (a Web
 * Worker taking cancel messages, a CLI drawing a progress bar) call `advance` in slices; `runBacktest` does it all.
 */
export class BacktestRun {
  readonly params: Params;
  private readonly bt: Backtest;
  private readonly strategy: Strategy;
  private readonly instruments: Instrument[];
  private readonly bySymbol = new Map<string, Instrument>();
  private readonly stride = backtestStride();
  private readonly moneyScale: number;
  private readonly tsPerSecond: number;
  private readonly dataset: string;
  private heap: Float64Array = new Float64Array(0);
  private readonly commands: number[] = [];
  private commandCount = 0;
  /** Instants to ask the engine for in the next call (see `advance`). */
  private batch = 16;
  /** Instants of the last batch the strategy handled and the engine has not applied yet. */
  private unsettled = 0;
  private readonly open = new Map<number, Order>();
  private readonly streams: { free(): void }[] = [];
  private readonly logs: string[] = [];
  private readonly ctx: Context;
  private cashUnits: number;
  private now = 0;
  private nextId = 1;
  private started = false;
  private finished = false;
  private events = 0;
  private readonly counts = { sent: 0, filled: 0, fills: 0, rejected: 0, cancelled: 0 };

  constructor(mod: StrategyModule, data: Dataset, opts: RunOptions = {}) {
    if (data.instruments.length === 0) throw new OptionError(`dataset ${data.name} has no instruments`);
    const made = instantiate(mod, opts.params);
    this.strategy = made.strategy;
    this.params = made.params;
    this.dataset = data.name;
    this.tsPerSecond = data.tsPerSecond;
    // One cash balance: every instrument's price units × quantity units must be the same money unit.
    const moneyDecimals = Math.max(...data.instruments.map((i) => i.priceDecimals + i.qtyDecimals));
    this.moneyScale = 10 ** moneyDecimals;
    const s = this.strategy;
    let subscriptions = 0;
    if (s.onBar) subscriptions |= 2;
    if (s.onTrade) subscriptions |= 4;
    if (s.onBook) subscriptions |= 8 | 16 | 32;
    this.cashUnits = 0;
    const cfg = engineConfig(opts, this.moneyScale, data.tsPerSecond / 1000, subscriptions, defaultStopTrigger(data));
    this.cashUnits = cfg[0];
    const feeMaker = Math.round(nonNegative('makerFeesBps', opts.makerFeesBps ?? opts.feesBps, 0) * 100);
    const feeTaker = Math.round(nonNegative('feesBps', opts.feesBps, 0) * 100);
    this.bt = new Backtest(cfg);
    try {
      this.instruments = data.instruments.map((d, k) => {
        const priceScale = 10 ** d.priceDecimals;
        const qtyScale = 10 ** (moneyDecimals - d.priceDecimals);
        const id = k + 1;
        const maxPrice = Math.min(
          Number.MAX_SAFE_INTEGER,
          Math.max(1e6, Math.ceil(maxOf([d.bars?.high, d.trades?.price, d.quotes?.ask, d.depth?.price, d.orders?.price]) * priceScale * 10)),
        );
        this.bt.addInstrument(id, 1, 1, 1, maxPrice, 1, 1e15, feeMaker, feeTaker, 0, 0);
        const p = (c: Float64Array) => units(c, priceScale);
        const q = (c: Float64Array) => units(c, qtyScale);
        if (d.bars) {
          const b = d.bars;
          this.bt.loadBars(id, b.ts, p(b.open), p(b.high), p(b.low), p(b.close), q(b.volume));
        }
        if (d.trades) this.bt.loadTrades(id, d.trades.ts, p(d.trades.price), q(d.trades.qty), d.trades.side);
        if (d.quotes) {
          const c = d.quotes;
          this.bt.loadQuotes(id, c.ts, p(c.bid), q(c.bidQty), p(c.ask), q(c.askQty));
        }
        if (d.depth) this.bt.loadDepth(id, d.depth.ts, d.depth.side, p(d.depth.price), q(d.depth.qty));
        if (d.orders) {
          const o = d.orders;
          this.bt.loadOrders(id, o.ts, o.action, o.id, o.side, p(o.price), q(o.qty));
        }
        const inst: Instrument = {
          symbol: d.symbol,
          id,
          priceScale,
          qtyScale,
          positionUnits: 0,
          lastPriceUnits: NaN,
          bar: { symbol: d.symbol, ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 },
          trade: { symbol: d.symbol, ts: 0, price: 0, qty: 0, aggressor: 'unknown' },
          book: { kind: 'depth', symbol: d.symbol, ts: 0, side: 'bid', price: 0, qty: 0, action: '', orderId: NaN, bid: NaN, bidQty: NaN, ask: NaN, askQty: NaN },
        };
        if (this.bySymbol.has(d.symbol)) throw new OptionError(`dataset ${data.name}: symbol ${d.symbol} appears twice`);
        this.bySymbol.set(d.symbol, inst);
        return inst;
      });
    } catch (e) {
      this.bt.free();
      throw e;
    }
    this.ctx = this.makeContext();
  }

  /** Data points replayed so far and in all. */
  progress(): { done: number; total: number } {
    const [done, total] = this.bt.progress();
    return { done, total };
  }

  /**
   * Runs up to `maxSteps` strategy instants (each engine call replays at most `budget` data points). Returns true once
   * the replay is over and `onEnd` has run.
   *
   * Instants come in batches (`stepBatch`): while no order of the strategy is live or in flight, the engine reads
   * ahead up to `batch` instants of data. The strategy is called instant by instant as ever; the first instant whose
   * callbacks send commands settles the batch there (the engine applies the data up to that instant, so the commands
   * are stamped and processed exactly as with one call per instant) and the rest of the batch is dropped, to be
   * delivered again by the next call. The batch size doubles while whole batches are used and shrinks to about
   * twice what was used when one is cut, so a strategy that trades often wastes little read-ahead.
   */
  advance(maxSteps = 1 << 30, budget = 100_000): boolean {
    if (this.finished) return true;
    const { bt, stride, strategy, ctx } = this;
    if (!this.started) {
      this.started = true;
      strategy.onStart?.(ctx);
      this.flush();
    }
    const onBar = strategy.onBar;
    for (let s = 0; s < maxSteps; ) {
      const k = bt.stepBatch(budget, Math.min(this.batch, maxSteps - s));
      if (k <= 0) {
        if (k < 0) {
          this.now = bt.now();
          strategy.onEnd?.(ctx);
          this.finished = true;
          return true;
        }
        s++;
        continue;
      }
      // The records and instant bounds stay where they are until the next engine call; only the view may detach.
      let heap = this.heap;
      if (heap.length === 0) heap = this.heap = new Float64Array(wasmMemory().buffer);
      const base = bt.recordsPtr() / 8;
      const bounds = bt.instantsPtr() / 8;
      let at = base;
      let cut = false;
      this.unsettled = k;
      for (let i = 0; i < k; i++) {
        this.now = heap[bounds + 2 * i];
        const end = base + heap[bounds + 2 * i + 1] * stride;
        this.events += (end - at) / stride;
        for (; at < end; at += stride) {
          const kind = heap[at];
          if (kind === BAR && onBar !== undefined) {
            // The hot path: one reused bar object per instrument.
            const inst = this.instruments[heap[at + 2] - 1];
            const ps = inst.priceScale;
            const bar = inst.bar;
            bar.ts = heap[at + 1];
            bar.open = heap[at + 3] / ps;
            bar.high = heap[at + 4] / ps;
            bar.low = heap[at + 5] / ps;
            bar.close = heap[at + 6] / ps;
            bar.volume = heap[at + 7] / inst.qtyScale;
            inst.lastPriceUnits = heap[at + 6];
            onBar.call(strategy, bar, ctx);
          } else {
            this.dispatch(kind, heap, at);
          }
          // A callback that grew WASM memory (an indicator, say) detached the view: take a fresh one.
          if (heap.length === 0) heap = this.heap = new Float64Array(wasmMemory().buffer);
        }
        s++;
        if (this.commandCount > 0) {
          if (i + 1 < k) bt.settle(i + 1);
          this.unsettled = 0;
          this.flush();
          this.batch = Math.max(2, 2 * (i + 1));
          cut = true;
          break;
        }
      }
      if (!cut) this.batch = Math.min(2 * this.batch, MAX_BATCH);
    }
    // Apply what was read ahead and handled, so `progress()` and the engine's state are current between slices.
    if (this.unsettled > 0) bt.settle(this.unsettled);
    this.unsettled = 0;
    return false;
  }

  /** Every record other than a bar with an onBar handler. */
  private dispatch(kind: number, h: Float64Array, at: number): void {
    const { strategy, ctx } = this;
    const inst = this.instruments[h[at + 2] - 1];
    const ps = inst.priceScale;
    const qs = inst.qtyScale;
    switch (kind) {
      case BAR:
        inst.lastPriceUnits = h[at + 6];
        return;
      case TRADE: {
        inst.lastPriceUnits = h[at + 3];
        if (!strategy.onTrade) return;
        const t = inst.trade;
        t.ts = h[at + 1];
        t.price = h[at + 3] / ps;
        t.qty = h[at + 4] / qs;
        t.aggressor = h[at + 5] === 1 ? 'buy' : h[at + 5] === 2 ? 'sell' : 'unknown';
        strategy.onTrade(t, ctx);
        return;
      }
      case QUOTE:
      case DEPTH:
      case ORDER: {
        // An L3 execution is a print: the last price the strategy has seen.
        if (kind === ORDER && h[at + 3] === 4) inst.lastPriceUnits = h[at + 6];
        if (!strategy.onBook) return;
        const b = inst.book;
        b.ts = h[at + 1];
        b.action = '';
        b.orderId = NaN;
        if (kind === QUOTE) {
          b.kind = 'quote';
          b.bid = h[at + 3] / ps;
          b.bidQty = h[at + 4] / qs;
          b.ask = h[at + 5] / ps;
          b.askQty = h[at + 6] / qs;
          b.price = NaN;
          b.qty = NaN;
        } else if (kind === DEPTH) {
          b.kind = 'depth';
          b.side = h[at + 3] === 1 ? 'bid' : 'ask';
          b.price = h[at + 4] / ps;
          b.qty = h[at + 5] / qs;
          b.bid = b.bidQty = b.ask = b.askQty = NaN;
        } else {
          b.kind = 'order';
          b.action = L3_ACTIONS[h[at + 3] - 1];
          b.orderId = h[at + 4];
          b.side = h[at + 5] === 1 ? 'bid' : 'ask';
          b.price = h[at + 6] / ps;
          b.qty = h[at + 7] / qs;
          b.bid = b.bidQty = b.ask = b.askQty = NaN;
        }
        strategy.onBook(b, ctx);
        return;
      }
      case ACCEPTED: {
        const o = this.open.get(h[at + 3]);
        if (o && o.status === 'sent') o.status = 'working';
        return;
      }
      case REJECTED: {
        this.counts.rejected++;
        const id = h[at + 3];
        this.open.delete(id);
        strategy.onReject?.({ orderId: id, ts: h[at + 1], reason: h[at + 4] }, ctx);
        return;
      }
      case FILL: {
        this.counts.fills++;
        const id = h[at + 3];
        inst.positionUnits = h[at + 9];
        this.cashUnits = h[at + 10];
        const leaves = h[at + 11] / qs;
        const qty = h[at + 6] / qs;
        const o = this.open.get(id);
        if (o) {
          o.filled += qty;
          o.leaves = leaves;
          if (leaves === 0) this.open.delete(id);
        }
        if (leaves === 0) this.counts.filled++;
        if (!strategy.onFill) return;
        const fill: Fill = {
          orderId: id,
          symbol: inst.symbol,
          ts: h[at + 1],
          side: h[at + 4] === 1 ? 'buy' : 'sell',
          price: h[at + 5] / ps,
          qty,
          fee: h[at + 7] / this.moneyScale,
          liquidity: h[at + 8] === 1 ? 'maker' : 'taker',
          position: h[at + 9] / qs,
          cash: h[at + 10] / this.moneyScale,
          leaves,
        };
        strategy.onFill(fill, ctx);
        return;
      }
      case CANCELLED: {
        this.counts.cancelled++;
        const o = this.open.get(h[at + 3]);
        if (o) {
          o.leaves -= h[at + 5] / qs;
          if (o.leaves <= 0) this.open.delete(o.id);
        }
        return;
      }
      case REPLACED: {
        const o = this.open.get(h[at + 3]);
        if (o) {
          if (h[at + 4] !== 0) o.price = h[at + 4] / ps;
          o.leaves = h[at + 5] / qs;
        }
        return;
      }
      case TRIGGERED: {
        const o = this.open.get(h[at + 3]);
        if (o) o.status = 'triggered';
        return;
      }
      default:
        throw new Error(`unknown record kind ${kind} from the engine`);
    }
  }

  /** Writes the commands of this instant into the engine's command buffer and sends them. */
  private flush(): void {
    const k = this.commandCount;
    if (k === 0) return;
    const ptr = this.bt.commandBuffer(k) / 8;
    let heap = this.heap;
    if (heap.length === 0) heap = this.heap = new Float64Array(wasmMemory().buffer);
    const cmds = this.commands;
    for (let i = 0; i < k * this.stride; i++) heap[ptr + i] = cmds[i];
    this.bt.send(k);
    this.commandCount = 0;
    cmds.length = 0;
  }

  private command(slots: number[]): void {
    for (let i = 0; i < this.stride; i++) this.commands.push(i < slots.length ? slots[i] : 0);
    this.commandCount++;
  }

  private instrument(symbol: string | undefined): Instrument {
    if (symbol === undefined) return this.instruments[0];
    const inst = this.bySymbol.get(symbol);
    if (!inst) throw new RangeError(`unknown symbol ${symbol} (the data has ${[...this.bySymbol.keys()].join(', ')})`);
    return inst;
  }

  private equityUnits(): number {
    let e = this.cashUnits;
    for (const i of this.instruments) if (i.positionUnits !== 0) e += i.positionUnits * i.lastPriceUnits;
    return e;
  }

  /** A size in quantity units (lot 1), or throws naming what is wrong. */
  private sizeUnits(inst: Instrument, size: Size, refPriceUnits: number): number {
    if (typeof size === 'number' || 'qty' in size) {
      const q = typeof size === 'number' ? size : size.qty;
      if (!Number.isFinite(q) || q < 0) throw new RangeError(`order size must be a finite quantity ≥ 0, got ${q}`);
      return Math.round(q * inst.qtyScale);
    }
    const f = size.fraction;
    if (!Number.isFinite(f) || f < 0) throw new RangeError(`order fraction of equity must be finite and ≥ 0, got ${f}`);
    if (!(refPriceUnits > 0)) return 0; // no price seen yet: nothing to size against
    return Math.floor((f * this.equityUnits()) / refPriceUnits);
  }

  private order(
    type: OrderType,
    side: Side,
    size: Size,
    price: number,
    stopPrice: number,
    opts: OrderOptions | undefined,
  ): number {
    if (side !== 'buy' && side !== 'sell') throw new RangeError(`order side must be 'buy' or 'sell', got ${String(side)}`);
    const inst = this.instrument(opts?.symbol);
    const ps = inst.priceScale;
    const priceUnits = Number.isNaN(price) ? 0 : Math.round(price * ps);
    const stopUnits = Number.isNaN(stopPrice) ? 0 : Math.round(stopPrice * ps);
    if ((type === 'limit' || type === 'stopLimit') && !(priceUnits > 0)) throw new RangeError(`${type} price must be > 0, got ${price}`);
    if ((type === 'stop' || type === 'stopLimit') && !(stopUnits > 0)) throw new RangeError(`${type} stop price must be > 0, got ${stopPrice}`);
    const ref = priceUnits > 0 ? priceUnits : stopUnits > 0 ? stopUnits : inst.lastPriceUnits;
    const qtyUnits = this.sizeUnits(inst, size, ref);
    if (qtyUnits < 1) return 0;
    const tif = opts?.tif ?? 'GTC';
    const tifCode = TIF_CODE[tif];
    if (tifCode === undefined) throw new RangeError(`tif must be GTC, DAY, GTD, IOC or FOK, got ${String(tif)}`);
    const id = this.nextId++;
    const reduceOnly = opts?.reduceOnly === true;
    this.command([
      CMD_NEW,
      id,
      inst.id,
      side === 'buy' ? 1 : 2,
      TYPE_CODE[type],
      tifCode,
      priceUnits,
      qtyUnits,
      stopUnits,
      opts?.expireAt ?? 0,
      reduceOnly ? 1 : 0,
    ]);
    this.counts.sent++;
    this.open.set(id, {
      id,
      symbol: inst.symbol,
      side,
      type,
      tif,
      price: priceUnits > 0 ? priceUnits / ps : NaN,
      stopPrice: stopUnits > 0 ? stopUnits / ps : NaN,
      qty: qtyUnits / inst.qtyScale,
      filled: 0,
      leaves: qtyUnits / inst.qtyScale,
      status: 'sent',
      reduceOnly,
    });
    return id;
  }

  private makeContext(): Context {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const run = this;
    const track = <T extends { free(): void }>(x: T): T => {
      run.streams.push(x);
      return x;
    };
    const indicators: Indicators = {
      sma: (n) => track(new SmaStream(n)),
      ema: (n) => track(new EmaStream(n)),
      wma: (n) => track(new WmaStream(n)),
      rsi: (n) => track(new RsiStream(n)),
      std: (n) => track(new RollingStdStream(n)),
      zscore: (n) => track(new ZScoreStream(n)),
      bollinger: (n, up = 2, down = 2) => track(new BollingerStream(n, up, down)),
      macd: (fast = 12, slow = 26, signal = 9) => track(new MacdStream(fast, slow, signal)),
      atr: (n) => track(new AtrStream(n)),
      stoch: (k = 14, sk = 3, sd = 3) => track(new StochStream(k, sk, sd)),
      vwap: () => track(new VwapStream()),
      realizedVolatility: (n) => track(new RealizedVolatilityStream(n)),
    };
    const symbols = this.instruments.map((i) => i.symbol);
    return {
      get now() {
        return run.now;
      },
      params: this.params,
      symbols,
      get cash() {
        return run.cashUnits / run.moneyScale;
      },
      get equity() {
        return run.equityUnits() / run.moneyScale;
      },
      position: (symbol) => {
        const i = run.instrument(symbol);
        return i.positionUnits / i.qtyScale;
      },
      price: (symbol) => {
        const i = run.instrument(symbol);
        return i.lastPriceUnits / i.priceScale;
      },
      openOrders: (symbol) => {
        const out: Order[] = [];
        for (const o of run.open.values()) if (symbol === undefined || o.symbol === symbol) out.push({ ...o });
        return out;
      },
      market: (side, size, opts) => run.order('market', side, size, NaN, NaN, opts),
      limit: (side, size, price, opts) => run.order('limit', side, size, price, NaN, opts),
      stop: (side, size, stopPrice, opts) => run.order('stop', side, size, NaN, stopPrice, opts),
      stopLimit: (side, size, stopPrice, limitPrice, opts) => run.order('stopLimit', side, size, limitPrice, stopPrice, opts),
      close: (symbol) => {
        const i = run.instrument(symbol);
        if (i.positionUnits === 0) return 0;
        const side: Side = i.positionUnits > 0 ? 'sell' : 'buy';
        return run.order('market', side, Math.abs(i.positionUnits) / i.qtyScale, NaN, NaN, { symbol: i.symbol, reduceOnly: true });
      },
      cancel: (id) => {
        const o = run.open.get(id);
        run.command([CMD_CANCEL, id, o ? run.instrument(o.symbol).id : 0]);
      },
      cancelAll: (symbol) => {
        for (const o of run.open.values()) {
          if (symbol === undefined || o.symbol === symbol) run.command([CMD_CANCEL, o.id, run.instrument(o.symbol).id]);
        }
      },
      replace: (id, change) => {
        const o = run.open.get(id);
        if (!o) throw new RangeError(`replace: order ${id} is not open`);
        const inst = run.instrument(o.symbol);
        const p = change.price === undefined ? 0 : Math.round(change.price * inst.priceScale);
        const q = Math.round((change.qty ?? o.leaves) * inst.qtyScale);
        run.command([CMD_REPLACE, id, inst.id, 0, 0, 0, p, q]);
      },
      indicators,
      log: (...args) => {
        if (run.logs.length < LOG_CAP) run.logs.push(`[${run.now}] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
      },
    };
  }

  /** The result (call after `advance` returned true). */
  result(): BacktestResult {
    if (!this.finished) throw new Error('the run has not finished: call advance() until it returns true');
    return assembleResult(this.bt, {
      dataset: this.dataset,
      tsPerSecond: this.tsPerSecond,
      params: this.params,
      moneyScale: this.moneyScale,
      instruments: this.instruments,
      orders: { ...this.counts },
      events: this.events,
      logs: this.logs,
    });
  }

  /** Frees the engine and every indicator the strategy made. */
  dispose(): void {
    for (const s of this.streams) s.free();
    this.streams.length = 0;
    this.bt.free();
  }
}

/** Runs a strategy module over a dataset to the end; `onProgress(done, total)` after every slice of steps. */
export function runBacktest(
  mod: StrategyModule,
  data: Dataset,
  opts: RunOptions = {},
  onProgress?: (done: number, total: number) => void,
): BacktestResult {
  const run = new BacktestRun(mod, data, opts);
  try {
    while (!run.advance(onProgress ? 20_000 : 1 << 30)) {
      if (onProgress) {
        const p = run.progress();
        onProgress(p.done, p.total);
      }
    }
    return run.result();
  } finally {
    run.dispose();
  }
}
