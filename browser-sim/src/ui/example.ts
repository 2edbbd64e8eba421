// The strategy the editor opens on: a working SMA crossover, the JavaScript twin of src/examples/sma-crossover.ts
// (the golden run, engine-rs/tests/golden/backtest-sma-spy.json). It is an ES module, the same file the CLI takes:
// `cift backtest <file> --data …`.
export const EXAMPLE_STRATEGY = `// SMA crossover: long when the fast average of closes crosses above the slow one,
// flat when it crosses below. Orders 95% of equity, filled at the next bar's open.
// Sweep the parameters below the results (params.fast, params.slow).
export const params = { fast: 10, slow: 30, fraction: 0.95 };

// A factory: every run (and every sweep point) gets fresh state.
export default function smaCrossover(p) {
  let fast, slow, wasAbove;
  return {
    onStart(ctx) {
      fast = ctx.indicators.sma(p.fast);
      slow = ctx.indicators.sma(p.slow);
    },
    onBar(bar, ctx) {
      const f = fast.update(bar.close);
      const s = slow.update(bar.close);
      if (Number.isNaN(s)) return; // still warming up
      const above = f > s;
      const crossed = wasAbove !== undefined && wasAbove !== above;
      wasAbove = above;
      if (!crossed || ctx.openOrders().length > 0) return;
      if (above && ctx.position() === 0) ctx.market('buy', { fraction: p.fraction });
      else if (!above && ctx.position() > 0) ctx.close();
    },
  };
}
`;
