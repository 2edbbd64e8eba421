// The result charts (TradingView lightweight-charts): candles with entry/exit markers, equity, drawdown.
// Times arrive in milliseconds since the epoch; the charts take whole seconds, strictly increasing, so samples
// that share a second keep the last one (the bar's close, the equity after the last event of that second).
import {
  AreaSeries,
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  LineSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';

/** OHLC bars as columns, times in ms. */
export interface BarColumns {
  ts: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
}

/** A point series as columns, times in ms. */
export interface Curve {
  ts: ArrayLike<number>;
  value: ArrayLike<number>;
}

/** What the markers need of a trade. */
export interface TradeMark {
  side: 'long' | 'short';
  entryTs: number;
  exitTs: number;
  entryPrice: number;
  exitPrice: number;
  open: boolean;
}

const sec = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

/** Line points with strictly increasing whole-second times (the last sample of each second). */
function linePoints(curve: Curve): { time: UTCTimestamp; value: number }[] {
  const out: { time: UTCTimestamp; value: number }[] = [];
  for (let i = 0; i < curve.ts.length; i++) {
    const time = sec(curve.ts[i]);
    const point = { time, value: curve.value[i] };
    if (out.length > 0 && out[out.length - 1].time >= time) out[out.length - 1] = { ...point, time: out[out.length - 1].time };
    else out.push(point);
  }
  return out;
}

/** Candles with strictly increasing whole-second times; bars within one second merge (first open, last close). */
function candles(bars: BarColumns) {
  const out: { time: UTCTimestamp; open: number; high: number; low: number; close: number }[] = [];
  for (let i = 0; i < bars.ts.length; i++) {
    const time = sec(bars.ts[i]);
    const last = out[out.length - 1];
    if (last && last.time >= time) {
      last.high = Math.max(last.high, bars.high[i]);
      last.low = Math.min(last.low, bars.low[i]);
      last.close = bars.close[i];
    } else {
      out.push({ time, open: bars.open[i], high: bars.high[i], low: bars.low[i], close: bars.close[i] });
    }
  }
  return out;
}

function baseChart(el: HTMLElement): IChartApi {
  return createChart(el, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: '#ffffff' }, textColor: '#1d2330', attributionLogo: false },
    grid: { vertLines: { color: '#eef1f5' }, horzLines: { color: '#eef1f5' } },
    // Decades of daily bars must fit in one view: allow bars far thinner than a pixel.
    timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.001 },
    rightPriceScale: { borderColor: '#d8dce3' },
  });
}

/** The three charts of a run, their time axes kept in step. */
export class ResultCharts {
  readonly price: IChartApi;
  readonly equity: IChartApi;
  readonly drawdown: IChartApi;
  private readonly candleSeries: ISeriesApi<'Candlestick'>;
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private readonly equitySeries: ISeriesApi<'Line'>;
  private readonly drawdownSeries: ISeriesApi<'Area'>;

  constructor(priceEl: HTMLElement, equityEl: HTMLElement, drawdownEl: HTMLElement) {
    this.price = baseChart(priceEl);
    this.equity = baseChart(equityEl);
    this.drawdown = baseChart(drawdownEl);
    this.candleSeries = this.price.addSeries(CandlestickSeries, {
      upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350',
    });
    this.markers = createSeriesMarkers(this.candleSeries, []);
    this.equitySeries = this.equity.addSeries(LineSeries, { color: '#1f6feb', lineWidth: 2 });
    this.drawdownSeries = this.drawdown.addSeries(AreaSeries, {
      lineColor: '#d1495b', topColor: 'rgba(209,73,91,0.05)', bottomColor: 'rgba(209,73,91,0.35)', lineWidth: 1,
      priceFormat: { type: 'percent' },
    });
    // Scrolling or zooming one chart moves the others to the same time range.
    const charts = [this.price, this.equity, this.drawdown];
    for (const chart of charts) {
      chart.timeScale().subscribeVisibleTimeRangeChange((range) => {
        if (!range) return;
        for (const other of charts) {
          if (other === chart) continue;
          const current = other.timeScale().getVisibleRange();
          if (current && current.from === range.from && current.to === range.to) continue;
          try {
            other.timeScale().setVisibleRange(range);
          } catch {
            // A chart with no data yet has no range to set; it catches up when it gets data.
          }
        }
      });
    }
  }

  /** Draws the price bars (or a price line drawn as flat candles) with one marker per entry and exit. */
  show(bars: BarColumns, equity: Curve, trades: readonly TradeMark[]): void {
    this.candleSeries.setData(candles(bars));
    const marks: SeriesMarker<Time>[] = [];
    // Prices on the markers only while they stay readable.
    const labelled = trades.length <= 20;
    for (const t of trades) {
      const long = t.side === 'long';
      const entry = `${long ? 'buy' : 'sell'} ${t.entryPrice.toFixed(2)}`;
      marks.push({ time: sec(t.entryTs), position: long ? 'belowBar' : 'aboveBar', shape: long ? 'arrowUp' : 'arrowDown', color: long ? '#1f6feb' : '#b42318', text: labelled ? entry : undefined });
      if (!t.open) {
        const exit = `exit ${t.exitPrice.toFixed(2)}`;
        marks.push({ time: sec(t.exitTs), position: long ? 'aboveBar' : 'belowBar', shape: long ? 'arrowDown' : 'arrowUp', color: '#6b7280', text: labelled ? exit : undefined });
      }
    }
    marks.sort((a, b) => (a.time as number) - (b.time as number));
    this.markers.setMarkers(marks);
    const points = linePoints(equity);
    this.equitySeries.setData(points);
    let peak = -Infinity;
    this.drawdownSeries.setData(points.map((p) => {
      peak = Math.max(peak, p.value);
      return { time: p.time, value: peak > 0 ? (p.value / peak - 1) * 100 : 0 };
    }));
    for (const chart of [this.price, this.equity, this.drawdown]) chart.timeScale().fitContent();
  }

  /** Empties every chart (a new run started, or the last one failed). */
  clear(): void {
    this.candleSeries.setData([]);
    this.markers.setMarkers([]);
    this.equitySeries.setData([]);
    this.drawdownSeries.setData([]);
  }
}
