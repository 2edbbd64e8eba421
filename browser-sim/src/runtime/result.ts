//! Result assembly: the engine's metrics, equity curve and trades in the quote currency and instrument units, as plain
//! JSON (non-finite numbers become null) so a result is the same object in memory, on the wire and in a file.

import { type Backtest, backtestMetricNames, backtestTradeStride } from 'cift-engine';
import type { BacktestResult, MetricName, Params, TradeRecord } from './types.ts';

/** Metrics in money units (divided by the money scale); the rest are ratios, counts or durations. */
const MONEY_METRICS = new Set(['startEquity', 'endEquity', 'expectancy']);

/** A finite number, or null (JSON has no NaN or Infinity). */
export function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export interface ResultContext {
  dataset: string;
  tsPerSecond: number;
  params: Params;
  moneyScale: number;
  instruments: { symbol: string; priceScale: number; qtyScale: number }[];
  orders: BacktestResult['orders'];
  events: number;
  logs: string[];
}

export function assembleResult(bt: Backtest, c: ResultContext): BacktestResult {
  const names = backtestMetricNames().split(',') as MetricName[];
  const values = bt.metrics();
  const metrics = {} as Record<MetricName, number | null>;
  names.forEach((name, i) => {
    metrics[name] = jsonNumber(MONEY_METRICS.has(name) ? values[i] / c.moneyScale : values[i]);
  });
  const curve = bt.equityCurve();
  const m = curve.length / 4;
  const equity = { ts: new Array<number>(m), equity: new Array<number>(m), drawdown: new Array<number>(m), exposed: new Array<number>(m) };
  for (let i = 0; i < m; i++) {
    equity.ts[i] = curve[4 * i];
    equity.equity[i] = curve[4 * i + 1] / c.moneyScale;
    equity.drawdown[i] = curve[4 * i + 2];
    equity.exposed[i] = curve[4 * i + 3];
  }
  const t = bt.trades();
  const stride = backtestTradeStride();
  const trades: TradeRecord[] = [];
  for (let at = 0; at < t.length; at += stride) {
    const inst = c.instruments[t[at] - 1];
    trades.push({
      symbol: inst.symbol,
      side: t[at + 1] === 1 ? 'long' : 'short',
      entryTs: t[at + 2],
      exitTs: t[at + 3],
      entryPrice: t[at + 4] / inst.priceScale,
      exitPrice: t[at + 5] / inst.priceScale,
      qty: t[at + 6] / inst.qtyScale,
      pnl: t[at + 7] / c.moneyScale,
      return: jsonNumber(t[at + 8]) ?? 0,
      duration: t[at + 9],
      fees: t[at + 10] / c.moneyScale,
      open: t[at + 11] === 1,
    });
  }
  return {
    dataset: c.dataset,
    tsPerSecond: c.tsPerSecond,
    params: c.params,
    metrics,
    equity,
    trades,
    orders: c.orders,
    events: c.events,
    logs: c.logs,
  };
}
