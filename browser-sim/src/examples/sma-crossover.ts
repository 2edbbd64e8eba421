// SMA crossover: long when the fast average of closes is above the slow one, flat otherwise. Orders 95% of equity at
// the next open; one order in flight at a time. (The golden run of engine-rs/tests/golden/backtest-sma-spy.json.)
import type { Params, Strategy } from '../runtime/types.ts';

export const params = { fast: 10, slow: 30, fraction: 0.95 };

export default function smaCrossover(p: Params): Strategy {
  let fast: { update(x: number): number };
  let slow: { update(x: number): number };
  let wasAbove: boolean | undefined;
  return {
    onStart(ctx) {
      fast = ctx.indicators.sma(p.fast);
      slow = ctx.indicators.sma(p.slow);
      wasAbove = undefined;
    },
    onBar(bar, ctx) {
      const f = fast.update(bar.close);
      const s = slow.update(bar.close);
      if (Number.isNaN(s)) return;
      const above = f > s;
      const crossed = wasAbove !== undefined && wasAbove !== above;
      wasAbove = above;
      if (!crossed || ctx.openOrders().length > 0) return;
      if (above && ctx.position() === 0) ctx.market('buy', { fraction: p.fraction });
      else if (!above && ctx.position() > 0) ctx.close();
    },
  };
}
