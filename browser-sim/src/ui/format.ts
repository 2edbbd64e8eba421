// How numbers show in the tables. The raw value travels with each cell (data-value) so tests compare exact numbers.
import type { MetricName } from '../runtime/types.ts';

/** Metric labels and how each is shown, in the engine's order. */
export const METRICS: { name: MetricName; label: string; kind: 'money' | 'pct' | 'ratio' | 'count' | 'duration' }[] = [
  { name: 'startEquity', label: 'Start equity', kind: 'money' },
  { name: 'endEquity', label: 'End equity', kind: 'money' },
  { name: 'totalReturn', label: 'Total return', kind: 'pct' },
  { name: 'annualizedReturn', label: 'Annualized return', kind: 'pct' },
  { name: 'cagr', label: 'CAGR', kind: 'pct' },
  { name: 'volatility', label: 'Volatility (ann.)', kind: 'pct' },
  { name: 'sharpe', label: 'Sharpe', kind: 'ratio' },
  { name: 'sortino', label: 'Sortino', kind: 'ratio' },
  { name: 'calmar', label: 'Calmar', kind: 'ratio' },
  { name: 'maxDrawdown', label: 'Max drawdown', kind: 'pct' },
  { name: 'maxDrawdownDuration', label: 'Max drawdown duration', kind: 'duration' },
  { name: 'winRate', label: 'Win rate', kind: 'pct' },
  { name: 'profitFactor', label: 'Profit factor', kind: 'ratio' },
  { name: 'expectancy', label: 'Expectancy (per trade)', kind: 'money' },
  { name: 'exposure', label: 'Exposure time', kind: 'pct' },
  { name: 'trades', label: 'Trades', kind: 'count' },
  { name: 'avgTrade', label: 'Average trade', kind: 'pct' },
  { name: 'bestTrade', label: 'Best trade', kind: 'pct' },
  { name: 'worstTrade', label: 'Worst trade', kind: 'pct' },
  { name: 'buyAndHoldReturn', label: 'Buy and hold', kind: 'pct' },
];

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const fixed = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });

/** A duration in the data's time units, as days/hours/minutes. */
export function duration(units: number, tsPerSecond: number): string {
  const s = units / tsPerSecond;
  if (s >= 86_400) return `${(s / 86_400).toFixed(1)} d`;
  if (s >= 3_600) return `${(s / 3_600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(3)} s`;
}

/** A metric's value as shown (null: not defined for this run, e.g. a Sharpe with no variance). */
export function showMetric(kind: (typeof METRICS)[number]['kind'], v: number | null, tsPerSecond: number): string {
  if (v === null) return '—';
  switch (kind) {
    case 'money':
      return money.format(v);
    case 'pct':
      return `${(v * 100).toFixed(2)}%`;
    case 'ratio':
      return fixed.format(v);
    case 'count':
      return String(v);
    case 'duration':
      return duration(v, tsPerSecond);
  }
}

/** A data timestamp as an ISO date-time (UTC), to the second. */
export function showTime(ts: number, tsPerSecond: number): string {
  const ms = (ts / tsPerSecond) * 1000;
  const iso = new Date(ms).toISOString();
  return ms % 86_400_000 === 0 ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

/** A price or P&L with its decimals. */
export function showNumber(v: number, decimals = 2): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
