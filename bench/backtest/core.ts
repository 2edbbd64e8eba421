// The backtest benchmark's workloads, shared by Node and the Chromium page (bundled by bench/backtest.mjs): a
// synthetic bar series (seeded random walk) run with a trivial onBar, the real BTCUSDT L2 recording run with a
// trivial onBook + onTrade, and a synthetic seeded L3 (market-by-order) stream run with a trivial onBook. Each returns the best of `repeat` timed runs and a checksum of the callbacks' inputs.
import { BacktestRun, type Dataset, type StrategyModule } from '../../browser-sim/src/runtime/index.ts';

/** `perSecond`: events over the replay loop alone (step + callbacks); `endToEndPerSecond` adds loading the data into
 * the engine and assembling the result (metrics, curves, trades). */
export interface Figure {
  events: number;
  seconds: number;
  perSecond: number;
  endToEndSeconds: number;
  endToEndPerSecond: number;
  checksum: number;
}

/** `n` bars of a seeded random walk in cents, one per minute. */
export function syntheticBars(n: number, seed = 42): Dataset {
  const ts = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n).fill(1000);
  let s = seed >>> 0;
  let price = 10_000;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const step = (s % 21) - 10;
    const o = price;
    price = Math.max(100, price + step);
    ts[i] = 1_600_000_000_000 + i * 60_000;
    open[i] = o / 100;
    close[i] = price / 100;
    high[i] = (Math.max(o, price) + 5) / 100;
    low[i] = (Math.min(o, price) - 5) / 100;
  }
  return { name: `synthetic-${n}`, tsPerSecond: 1000, instruments: [{ symbol: 'SYN', priceDecimals: 2, qtyDecimals: 0, bars: { ts, open, high, low, close, volume } }] };
}

/**
 * `n` L3 events of a seeded, consistent order flow around a random-walk mid in cents: 45% adds (1–10 ticks from the
 * mid, 1–100 lots), 20% partial cancels, 15% deletes and 20% executions of a random live order (an add when none).
 */
export function syntheticL3(n: number, seed = 7): Dataset {
  const [ts, action, id, side, price, qty] = [0, 0, 0, 0, 0, 0].map(() => new Float64Array(n));
  let s = seed >>> 0;
  const rand = (k: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % k;
  };
  const live: { id: number; side: number; price: number; size: number }[] = [];
  let mid = 10_000;
  let nextId = 1;
  for (let i = 0; i < n; i++) {
    ts[i] = 1_600_000_000_000_000 + i * 100;
    const r = rand(100);
    if (r < 45 || live.length === 0) {
      if (rand(10) === 0) mid = Math.max(100, mid + rand(3) - 1);
      const sd = 1 + rand(2);
      const o = { id: nextId++, side: sd, price: sd === 1 ? mid - 1 - rand(10) : mid + 1 + rand(10), size: 1 + rand(100) };
      live.push(o);
      [action[i], id[i], side[i], price[i], qty[i]] = [1, o.id, o.side, o.price / 100, o.size];
      continue;
    }
    const k = rand(live.length);
    const o = live[k];
    const act = r < 65 ? 2 : r < 80 ? 3 : 4;
    const size = act === 3 ? o.size : 1 + rand(o.size);
    [action[i], id[i], side[i], price[i], qty[i]] = [act, o.id, o.side, o.price / 100, size];
    o.size -= size;
    if (o.size === 0) {
      live[k] = live[live.length - 1];
      live.pop();
    }
  }
  return { name: `synthetic-l3-${n}`, tsPerSecond: 1e6, instruments: [{ symbol: 'SYN', priceDecimals: 2, qtyDecimals: 0, orders: { ts, action, id, side, price, qty } }] };
}

function best(repeat: number, data: Dataset, make: () => { mod: StrategyModule; sum: () => number }): Figure {
  let [loop, whole, events, checksum] = [Infinity, Infinity, 0, 0];
  for (let r = 0; r < repeat; r++) {
    const { mod, sum } = make();
    const t0 = performance.now();
    const run = new BacktestRun(mod, data);
    const t1 = performance.now();
    run.advance();
    const t2 = performance.now();
    events = run.result().events;
    const t3 = performance.now();
    run.dispose();
    loop = Math.min(loop, (t2 - t1) / 1000);
    whole = Math.min(whole, (t3 - t0) / 1000);
    checksum = sum();
  }
  return { events, seconds: loop, perSecond: events / loop, endToEndSeconds: whole, endToEndPerSecond: events / whole, checksum };
}

/** Bars/s with a trivial strategy (sums closes). */
export function benchBars(data: Dataset, repeat: number): Figure {
  return best(repeat, data, () => {
    let sum = 0;
    const mod: StrategyModule = {
      default: {
        onBar(bar) {
          sum += bar.close;
        },
      },
    };
    return { mod, sum: () => sum };
  });
}

/** L2 events/s (depth diffs and prints) with trivial book and trade callbacks. */
export function benchL2(data: Dataset, repeat: number): Figure {
  return best(repeat, data, () => {
    let sum = 0;
    const mod: StrategyModule = {
      default: {
        onBook(u) {
          sum += u.qty;
        },
        onTrade(t) {
          sum += t.qty;
        },
      },
    };
    return { mod, sum: () => sum };
  });
}

/** L3 events/s (market-by-order) with a trivial book callback. */
export function benchL3(data: Dataset, repeat: number): Figure {
  return best(repeat, data, () => {
    let sum = 0;
    const mod: StrategyModule = {
      default: {
        onBook(u) {
          sum += u.qty;
        },
      },
    };
    return { mod, sum: () => sum };
  });
}
