// Reads market data back from the market store: bars of any supported
// timeframe rolled up from the 1-minute bars, trades, quotes and L2 snapshots
// with cursor pagination, and the latest trade. Integers in the instrument's
// units are formatted as exact decimal strings here.
import { Buffer } from 'node:buffer';
import { invalid } from '../http/errors.ts';
import { divideToScale, fromUnits } from '../venue/decimal.ts';
import type { Instrument } from '../venue/types.ts';
import { sqlFile, statements, type MarketStore } from './store.ts';

/** A bar, Alpaca style (decimals as strings): time, OHLC, volume, trade count, VWAP. */
export interface Bar {
  t: string;
  o: string;
  h: string;
  l: string;
  c: string;
  v: string;
  n: number;
  vw: string;
}

/** A trade, Alpaca style: time, price, size, id (the engine's sequence number), taker side. */
export interface Trade {
  t: string;
  p: string;
  s: string;
  i: number;
  tks: 'B' | 'S';
}

/** A top-of-book quote, Alpaca style; a missing side has null price and size "0". */
export interface StoredQuote {
  t: string;
  bp: string | null;
  bs: string;
  ap: string | null;
  as: string;
}

/** A stored L2 snapshot: the top levels per side as of book change `seq`. */
export interface L2Snapshot {
  t: string;
  seq: number;
  bids: { p: string; s: string; n: number }[];
  asks: { p: string; s: string; n: number }[];
}

/** One page and the token of the next (null on the last page). */
export interface Page<T> {
  items: T[];
  next_page_token: string | null;
}

/** The range, order and size of a page request; times in ms since the epoch. */
export interface RangeQuery {
  start: number;
  end: number;
  limit: number;
  sort: 'asc' | 'desc';
  pageToken?: string;
}

/**
 * The timeframes taken, exactly: [1-59]Min (or T), [1-23]Hour (or H), 1Day (or D). Also the pattern the OpenAPI
 * document publishes for `timeframe`.
 */
export const TIMEFRAME = /^(?:([1-9]|[1-5]\d)(?:Min|T)|([1-9]|1\d|2[0-3])(?:Hour|H)|1(?:Day|D))$/;

/** A timeframe's length in seconds. Throws a 422 naming `timeframe` unless it matches `TIMEFRAME`. */
export function timeframeSeconds(tf: string): number {
  const m = TIMEFRAME.exec(tf);
  if (!m) throw invalid(`timeframe must be [1-59]Min, [1-23]Hour or 1Day, got '${tf.slice(0, 20)}'`, 'timeframe');
  return m[1] ? Number(m[1]) * 60 : m[2] ? Number(m[2]) * 3600 : 86_400;
}

interface Cursor {
  /** What the token pages: the kind and (for bars) the timeframe. */
  k: string;
  /** Position of the last item returned: seconds (bars), microseconds (trades, quotes) or sequence number (L2). */
  a: number;
  /** Tie-breaker: the trade's or quote's sequence number. */
  b?: number;
}

function encodeToken(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeToken(token: string, kind: string): Cursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('page_token is not a token this API returned', 'page_token');
  }
  const cur = c as Partial<Cursor> | null;
  if (!cur || typeof cur !== 'object' || cur.k !== kind || typeof cur.a !== 'number' || !Number.isSafeInteger(cur.a) || cur.a < 0) {
    throw invalid(`page_token does not belong to this request (${kind})`, 'page_token');
  }
  if (cur.b !== undefined && (!Number.isSafeInteger(cur.b) || cur.b < 0)) throw invalid('page_token is malformed', 'page_token');
  return cur as Cursor;
}

/** Latest time the tables hold: DateTime ends in 2106, so a range is cut at the end of 2105. */
const MAX_MS = Date.UTC(2105, 11, 31, 23, 59, 59);

/** The range cut to what the tables can hold (1970 … 2105); null when nothing is left. */
function clamp(r: RangeQuery): RangeQuery | null {
  const start = Math.max(0, r.start);
  const end = Math.min(MAX_MS, r.end);
  return start > end ? null : { ...r, start, end };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoMicros = (us: number | string): string => iso(Math.floor(Number(us) / 1000));
const ORDER = { asc: 'ASC', desc: 'DESC' } as const;

/**
 * The 1-minute bar of one symbol and minute (`{symbol}`, `{minute}` in Unix seconds) made again from its stored
 * trades: the trades_to_bars_1m view's own SELECT (001_market.sql), narrowed to that minute, inserted into bars_1m.
 */
function rebuildMinuteSql(database: string): string {
  const view = statements(sqlFile('001_market.sql', database)).find((st) => /MATERIALIZED VIEW .*trades_to_bars_1m/.test(st));
  const select = view?.slice(view.indexOf(' AS\n') + 4);
  if (!select?.startsWith('SELECT') || !select.includes('\nGROUP BY')) throw new Error('001_market.sql: the trades_to_bars_1m view is not where it was');
  const minute = "WHERE symbol = {symbol:String} AND toStartOfMinute(ts) = toDateTime({minute:UInt32}, 'UTC')\nGROUP BY";
  return `INSERT INTO ${database}.bars_1m ${select.replace('\nGROUP BY', `\n${minute}`)}`;
}

/** Market-data queries over one store. SQL lives in server/clickhouse/queries/. */
export class MarketData {
  private readonly sql: Record<string, string>;

  constructor(readonly store: MarketStore) {
    const q = (name: string) => sqlFile(`queries/${name}.sql`, store.database);
    this.sql = {
      bars: q('bars'),
      trades: q('trades'),
      quotes: q('quotes'),
      l2: q('l2_snapshots'),
      latestTrade: q('latest_trade'),
      watermarks: q('watermarks'),
      barsMismatch: q('bars_mismatch'),
      barsClearMinute: q('bars_clear_minute'),
      barsRebuildMinute: rebuildMinuteSql(store.database),
    };
  }

  /** Bars of `timeframe` whose start lies in [start, end], one page. */
  async bars(inst: Instrument, timeframe: string, range: RangeQuery): Promise<Page<Bar>> {
    const step = timeframeSeconds(timeframe);
    const kind = `bars:${step}`;
    if (range.pageToken !== undefined) decodeToken(range.pageToken, kind);
    const r = clamp(range);
    if (!r) return { items: [], next_page_token: null };
    let start = Math.ceil(r.start / 1000);
    let end = Math.floor(r.end / 1000);
    if (r.pageToken !== undefined) {
      const c = decodeToken(r.pageToken, kind);
      if (r.sort === 'asc') start = Math.max(start, c.a + 1);
      else end = Math.min(end, c.a - 1);
    }
    if (start > end) return { items: [], next_page_token: null };
    const sql = this.sql.bars.replace('{order}', ORDER[r.sort]);
    const rows = await this.store.query<BarRow>(sql, { symbol: inst.symbol, step, start, end, limit: r.limit + 1 });
    const more = rows.length > r.limit;
    const items = rows.slice(0, r.limit).map((row) => barOut(row, inst));
    const last = rows[r.limit - 1];
    return { items, next_page_token: more ? encodeToken({ k: kind, a: Number(last.t) }) : null };
  }

  /** The latest `count` bars of `step` seconds starting at or before `endMs` (newest first). */
  async latestBars(inst: Instrument, step: number, count: number, endMs: number): Promise<Bar[]> {
    const sql = this.sql.bars.replace('{order}', 'DESC');
    const rows = await this.store.query<BarRow>(sql, { symbol: inst.symbol, step, start: 0, end: Math.floor(endMs / 1000), limit: count });
    return rows.map((row) => barOut(row, inst));
  }

  /** Trades in [start, end], one page. */
  async trades(inst: Instrument, range: RangeQuery): Promise<Page<Trade>> {
    if (range.pageToken !== undefined) decodeToken(range.pageToken, 'trades');
    const r = clamp(range);
    if (!r) return { items: [], next_page_token: null };
    const params: Record<string, unknown> = { symbol: inst.symbol, start: r.start * 1000, end: r.end * 1000 + 999, limit: r.limit + 1 };
    let cursor = '1';
    if (r.pageToken !== undefined) {
      const c = decodeToken(r.pageToken, 'trades');
      if (typeof c.b !== 'number') throw invalid('page_token is malformed', 'page_token');
      cursor = `(ts, seq) ${r.sort === 'asc' ? '>' : '<'} (fromUnixTimestamp64Micro({after_us:Int64}, 'UTC'), {after_seq:UInt64})`;
      params.after_us = c.a;
      params.after_seq = c.b;
    }
    const sql = this.sql.trades.replace('{cursor}', cursor).replaceAll('{order}', ORDER[r.sort]);
    const rows = await this.store.query<TradeRow>(sql, params);
    const more = rows.length > r.limit;
    const last = rows[r.limit - 1];
    return {
      items: rows.slice(0, r.limit).map((row) => tradeOut(row, inst)),
      next_page_token: more ? encodeToken({ k: 'trades', a: Number(last.us), b: Number(last.seq) }) : null,
    };
  }

  /** The last stored trade, if any. */
  async latestTrade(inst: Instrument): Promise<Trade | undefined> {
    const [row] = await this.store.query<TradeRow>(this.sql.latestTrade, { symbol: inst.symbol });
    return row ? tradeOut(row, inst) : undefined;
  }

  /** Stored quotes in [start, end], one page. */
  async quotes(inst: Instrument, range: RangeQuery): Promise<Page<StoredQuote>> {
    if (range.pageToken !== undefined) decodeToken(range.pageToken, 'quotes');
    const r = clamp(range);
    if (!r) return { items: [], next_page_token: null };
    const params: Record<string, unknown> = { symbol: inst.symbol, start: r.start * 1000, end: r.end * 1000 + 999, limit: r.limit + 1 };
    let cursor = '1';
    if (r.pageToken !== undefined) {
      const c = decodeToken(r.pageToken, 'quotes');
      if (typeof c.b !== 'number') throw invalid('page_token is malformed', 'page_token');
      cursor = `(ts, seq) ${r.sort === 'asc' ? '>' : '<'} (fromUnixTimestamp64Micro({after_us:Int64}, 'UTC'), {after_seq:UInt64})`;
      params.after_us = c.a;
      params.after_seq = c.b;
    }
    const sql = this.sql.quotes.replace('{cursor}', cursor).replaceAll('{order}', ORDER[r.sort]);
    const rows = await this.store.query<QuoteRow>(sql, params);
    const more = rows.length > r.limit;
    const last = rows[r.limit - 1];
    return {
      items: rows.slice(0, r.limit).map((row) => quoteOut(row, inst)),
      next_page_token: more ? encodeToken({ k: 'quotes', a: Number(last.us), b: Number(last.seq) }) : null,
    };
  }

  /** Stored L2 snapshots in [start, end], one page. */
  async l2Snapshots(inst: Instrument, range: RangeQuery): Promise<Page<L2Snapshot>> {
    if (range.pageToken !== undefined) decodeToken(range.pageToken, 'l2');
    const r = clamp(range);
    if (!r) return { items: [], next_page_token: null };
    const params: Record<string, unknown> = { symbol: inst.symbol, start: r.start * 1000, end: r.end * 1000 + 999, limit: r.limit + 1 };
    let cursor = '1';
    if (r.pageToken !== undefined) {
      const c = decodeToken(r.pageToken, 'l2');
      cursor = `seq ${r.sort === 'asc' ? '>' : '<'} {after_seq:UInt64}`;
      params.after_seq = c.a;
    }
    const sql = this.sql.l2.replace('{cursor}', cursor).replaceAll('{order}', ORDER[r.sort]);
    const rows = await this.store.query<L2Row>(sql, params);
    const more = rows.length > r.limit;
    const last = rows[r.limit - 1];
    const ps = inst.price_scale;
    const qs = inst.qty_scale;
    const side = (p: string[], s: string[], n: number[]) => p.map((price, i) => ({ p: fromUnits(BigInt(price), ps), s: fromUnits(BigInt(s[i]), qs), n: Number(n[i]) }));
    return {
      items: rows.slice(0, r.limit).map((row) => ({
        t: isoMicros(row.us),
        seq: Number(row.seq),
        bids: side(row.bid_prices, row.bid_sizes, row.bid_orders),
        asks: side(row.ask_prices, row.ask_sizes, row.ask_orders),
      })),
      next_page_token: more ? encodeToken({ k: 'l2', a: Number(last.seq) }) : null,
    };
  }

  /**
   * Makes again, from the stored trades, the 1-minute bars of the last hour that do not count their trades (a crash
   * between a batch's trades and its bar; see bars_mismatch.sql). Returns the (symbol, minute) pairs it rebuilt.
   */
  async repairBars(): Promise<{ symbol: string; minute: number }[]> {
    const rows = await this.store.query<{ symbol: string; minute: string }>(this.sql.barsMismatch);
    const repaired = rows.map((r) => ({ symbol: r.symbol, minute: Number(r.minute) }));
    for (const params of repaired) {
      await this.store.command(this.sql.barsClearMinute, params);
      await this.store.command(this.sql.barsRebuildMinute, params);
    }
    return repaired;
  }

  /** The highest stored sequence number per symbol: trades, quotes and L2 snapshots. */
  async watermarks(): Promise<Record<'trades' | 'quotes' | 'l2', Map<string, number>>> {
    const rows = await this.store.query<{ kind: 'trades' | 'quotes' | 'l2'; symbol: string; seq: string }>(this.sql.watermarks);
    const out = { trades: new Map<string, number>(), quotes: new Map<string, number>(), l2: new Map<string, number>() };
    for (const r of rows) out[r.kind].set(r.symbol, Number(r.seq));
    return out;
  }
}

interface BarRow {
  t: number | string;
  o: string;
  h: string;
  l: string;
  c: string;
  v: string;
  notional: string;
  n: string;
}
interface TradeRow {
  us: string;
  seq: string;
  price: string;
  size: string;
  taker_side: 'buy' | 'sell';
}
interface QuoteRow {
  us: string;
  seq: string;
  bid_price: string;
  bid_size: string;
  ask_price: string;
  ask_size: string;
}
interface L2Row {
  us: string;
  seq: string;
  bid_prices: string[];
  bid_sizes: string[];
  bid_orders: number[];
  ask_prices: string[];
  ask_sizes: string[];
  ask_orders: number[];
}

function barOut(row: BarRow, inst: Instrument): Bar {
  const ps = inst.price_scale;
  const qs = inst.qty_scale;
  const volume = BigInt(row.v);
  return {
    t: iso(Number(row.t) * 1000),
    o: fromUnits(BigInt(row.o), ps),
    h: fromUnits(BigInt(row.h), ps),
    l: fromUnits(BigInt(row.l), ps),
    c: fromUnits(BigInt(row.c), ps),
    v: fromUnits(volume, qs),
    n: Number(row.n),
    // notional is in units of 10^-(ps+qs), volume of 10^-qs: vwap = notional / (volume·10^ps).
    vw: volume === 0n ? '0' : divideToScale(BigInt(row.notional), volume * 10n ** BigInt(ps), ps + 4),
  };
}

function tradeOut(row: TradeRow, inst: Instrument): Trade {
  return {
    t: isoMicros(row.us),
    p: fromUnits(BigInt(row.price), inst.price_scale),
    s: fromUnits(BigInt(row.size), inst.qty_scale),
    i: Number(row.seq),
    tks: row.taker_side === 'buy' ? 'B' : 'S',
  };
}

function quoteOut(row: QuoteRow, inst: Instrument): StoredQuote {
  const ps = inst.price_scale;
  const qs = inst.qty_scale;
  const bid = BigInt(row.bid_price);
  const ask = BigInt(row.ask_price);
  return {
    t: isoMicros(row.us),
    bp: bid === 0n ? null : fromUnits(bid, ps),
    bs: fromUnits(BigInt(row.bid_size), qs),
    ap: ask === 0n ? null : fromUnits(ask, ps),
    as: fromUnits(BigInt(row.ask_size), qs),
  };
}
