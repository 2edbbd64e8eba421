// SMA crossover on every instrument of a portfolio: each symbol is long when its fast average of closes is above its
// slow one, flat otherwise, with `fraction / number of symbols` of the shared equity; one order in flight per symbol.
// Run it on several instruments: `cift backtest sma-portfolio.ts --data SPY=spy-daily --data SP500=sp500-2000`.
import type { Params, Strategy } from '../runtime/types.ts';

export const params = { fast: 10, slow: 30, fraction: 0.9 };

export default function smaPortfolio(p: Params): Strategy {
  const state = new Map<string, { fast: { update(x: number): number }; slow: { update(x: number): number }; wasAbove?: boolean }>();
  return {
    onStart(ctx) {
      state.clear();
      for (const s of ctx.symbols) state.set(s, { fast: ctx.indicators.sma(p.fast), slow: ctx.indicators.sma(p.slow) });
    },
    onBar(bar, ctx) {
      const st = state.get(bar.symbol)!;
      const f = st.fast.update(bar.close);
      const s = st.slow.update(bar.close);
      if (Number.isNaN(s)) return;
      const above = f > s;
      const crossed = st.wasAbove !== undefined && st.wasAbove !== above;
      st.wasAbove = above;
      if (!crossed || ctx.openOrders(bar.symbol).length > 0) return;
      if (above && ctx.position(bar.symbol) === 0) ctx.market('buy', { fraction: p.fraction / ctx.symbols.length }, { symbol: bar.symbol });
      else if (!above && ctx.position(bar.symbol) > 0) ctx.close(bar.symbol);
    },
  };
}
