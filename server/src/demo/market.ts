// The demo market: simulated market makers and noise traders placing real
// orders through the engine service, as dedicated demo accounts, so a fresh
// venue shows live quotes, trades and bars. Seeded, so a run is repeatable
// for a given sequence of ticks.
//
// Each tick moves every symbol's fair value by a small log-normal step (3 bp);
// the maker (re)quotes a few levels per side around it when it moved by the
// half-spread or a side ran empty (cancel, then post-only limit orders), and
// each noise trader sends a small market order with some probability. Nothing here bypasses the engine:
// risk checks, fees, fills and positions apply as to any account.
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../deps.ts';
import { toApiError } from '../http/errors.ts';
import { createUser } from '../routes/auth.ts';
import { fromUnits, toUnits } from '../venue/decimal.ts';
import type { AccountRef, Instrument } from '../venue/types.ts';

/** How the demo market runs. */
export interface DemoOptions {
  /** Symbols to trade (default: the first three listed). */
  symbols?: string[];
  /** PRNG seed. */
  seed?: number;
  /** Milliseconds between ticks; 0 runs no timer (call tick() yourself). */
  intervalMs?: number;
  /** Noise traders (one market maker per venue quotes every symbol). */
  traders?: number;
  /** Price levels the maker quotes per side. */
  levels?: number;
}

/** A running demo market. */
export interface DemoMarket {
  readonly symbols: string[];
  /** Runs one step for every symbol (the timer calls it). */
  tick(): Promise<void>;
  /** Stops the timer and cancels the maker's quotes. */
  stop(): Promise<void>;
}

/** Fair values to start from when a symbol has never traded. */
const START_PRICES: Record<string, number> = { AAPL: 190, MSFT: 420, 'BTC-USD': 65_000 };

/** Cash each demo account gets when it is created. */
const DEMO_CASH = '50000000';

/** SplitMix32-style seeded generator: uniform in [0, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 2 ** 32;
  };
}

interface SymbolState {
  inst: Instrument;
  tick: bigint;
  lot: bigint;
  fair: number;
  /** Centre (in price units) of the maker's resting quotes, or null when it has none. */
  quotedAt: bigint | null;
  makerOrders: string[];
}

/** The demo account with this email, created (with cash and shorting allowed) on first use. */
async function demoAccount(deps: AppDeps, email: string): Promise<AccountRef> {
  const [row] = await deps.db.query<{ id: string; engine_account: number }>(
    'SELECT a.id, a.engine_account FROM users u JOIN accounts a ON a.user_id = u.id WHERE lower(u.email) = lower($1)',
    [email],
  );
  if (row) return { id: row.id, engine_account: row.engine_account };
  const created = await createUser(deps, email, randomBytes(24).toString('base64url'));
  const ref = { id: created.account.id, engine_account: created.account.engine_account };
  await deps.engine.deposit(ref, DEMO_CASH);
  await deps.engine.setLimits(
    ref,
    { max_order_qty: '0', max_order_notional: '0', max_gross_exposure: '0', max_open_orders: 0, orders_per_second: 0, shorting_enabled: true, pre_trade_checks: true },
    'demo',
  );
  return ref;
}

/** Starts the demo market over the venue's engine service. */
export async function startDemo(deps: AppDeps, opts: DemoOptions = {}): Promise<DemoMarket> {
  const { engine, logger } = deps;
  const listed = engine.instruments().filter((i) => i.status === 'active');
  const symbols = opts.symbols ?? listed.slice(0, 3).map((i) => i.symbol);
  const states: SymbolState[] = symbols.map((symbol) => {
    const inst = engine.instrument(symbol);
    if (!inst) throw new Error(`demo market: unknown symbol '${symbol}'`);
    const q = engine.quote(symbol);
    const ref = q.last_price ?? (q.bid_price && q.ask_price ? String((Number(q.bid_price) + Number(q.ask_price)) / 2) : undefined);
    const min = Number(inst.min_price);
    const max = Number(inst.max_price);
    const fair = ref !== undefined ? Number(ref) : (START_PRICES[symbol] ?? Math.sqrt(min * max));
    return {
      inst,
      tick: toUnits(inst.tick_size, inst.price_scale),
      lot: toUnits(inst.lot_size, inst.qty_scale),
      fair: Math.min(max, Math.max(min, fair)),
      quotedAt: null,
      makerOrders: [],
    };
  });
  const random = prng(opts.seed ?? 42);
  const gaussian = (): number => {
    const u = Math.max(random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const levels = opts.levels ?? 3;
  const maker = await demoAccount(deps, 'demo-maker@demo.cift');
  const traders: AccountRef[] = [];
  for (let i = 1; i <= (opts.traders ?? 3); i++) traders.push(await demoAccount(deps, `demo-trader-${i}@demo.cift`));
  // Quotes left resting by an earlier run are replaced by this run's.
  await engine.cancelAllOrders(maker);

  const quiet = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      // A rejected demo order (a risk check, a halted symbol) is part of the simulation.
      const known = toApiError(err);
      if (known && known.status < 500) {
        logger.debug({ err, what }, 'demo order rejected');
        return undefined;
      }
      throw err;
    }
  };

  const priceUnits = (s: SymbolState, value: number): bigint => {
    const raw = BigInt(Math.round(value * 10 ** s.inst.price_scale));
    const snapped = ((raw + s.tick / 2n) / s.tick) * s.tick;
    const min = toUnits(s.inst.min_price, s.inst.price_scale);
    const max = toUnits(s.inst.max_price, s.inst.price_scale);
    return snapped < min ? min : snapped > max ? max : snapped;
  };
  const qty = (s: SymbolState, lots: number): string => fromUnits(s.lot * BigInt(lots), s.inst.qty_scale);

  const requote = async (s: SymbolState): Promise<void> => {
    const centre = priceUnits(s, s.fair);
    // Half-spread of a few basis points, at least one tick.
    const half = BigInt(Math.max(1, Math.round((s.fair * 0.0005 * 10 ** s.inst.price_scale) / Number(s.tick)))) * s.tick;
    // Re-quote when the fair value moved by the half-spread or a side of the book ran empty;
    // otherwise the resting quotes stay (fewer commands in the log).
    const top = engine.depth(s.inst.symbol, 1);
    const moved = s.quotedAt === null || centre - s.quotedAt >= half || s.quotedAt - centre >= half;
    if (!moved && top.bids.length > 0 && top.asks.length > 0) return;
    // Orders filled meanwhile answer the cancel with an error, which is fine.
    for (const id of s.makerOrders.splice(0)) await quiet('cancel', () => engine.cancelOrder(maker, id));
    for (let level = 0; level < levels; level++) {
      const offset = half + BigInt(level) * s.tick * 2n;
      for (const [side, price] of [
        ['buy', centre - offset],
        ['sell', centre + offset],
      ] as const) {
        if (price <= 0n) continue;
        const order = await quiet('quote', () =>
          engine.placeOrder(maker, {
            symbol: s.inst.symbol,
            side,
            type: 'limit',
            time_in_force: 'gtc',
            qty: qty(s, 5 + Math.floor(random() * 20)),
            limit_price: fromUnits(price, s.inst.price_scale),
            post_only: true,
          }),
        );
        if (order && (order.status === 'new' || order.status === 'partially_filled')) s.makerOrders.push(order.id);
      }
    }
    s.quotedAt = centre;
  };

  let running: Promise<void> | undefined;
  const step = async (): Promise<void> => {
    for (const s of states) {
      s.fair = Math.min(Number(s.inst.max_price), Math.max(Number(s.inst.min_price), s.fair * Math.exp(0.0003 * gaussian())));
      await requote(s);
      for (const trader of traders) {
        if (random() < 0.35) {
          const side = random() < 0.5 ? 'buy' : 'sell';
          await quiet('trade', () =>
            engine.placeOrder(trader, { symbol: s.inst.symbol, side, type: 'market', time_in_force: 'ioc', qty: qty(s, 1 + Math.floor(random() * 4)) }),
          );
        }
      }
    }
  };
  const tick = async (): Promise<void> => {
    if (running) return running;
    running = step().finally(() => {
      running = undefined;
    });
    return running;
  };

  let timer: ReturnType<typeof setInterval> | undefined;
  if ((opts.intervalMs ?? 1000) > 0) {
    timer = setInterval(() => void tick().catch((err: unknown) => logger.error({ err }, 'demo market tick failed')), opts.intervalMs ?? 1000);
    (timer as { unref?: () => void }).unref?.();
  }
  logger.info({ symbols, traders: traders.length }, 'demo market on');
  return {
    symbols,
    tick,
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
      await quiet('cancel all', () => engine.cancelAllOrders(maker));
    },
  };
}
