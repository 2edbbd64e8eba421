//! CSV loaders: OHLCV bars and trade prints, with header detection (or none: positional columns) and the timestamp
//! formats of `dates.ts`. Every row is checked before anything is returned; the first bad one throws a DataError with
//! its file, line and column.

import type { Dataset } from '../types.ts';
import { parseTimestamp } from './dates.ts';
import { DataError } from './errors.ts';
import { Column, MAX_PRICE_DECIMALS, MAX_QTY_DECIMALS, type Row, decimalsOf, detectDelimiter, isNumeric, lines, num, splitRow } from './fields.ts';

/** Options of the CSV loaders. */
export interface CsvOptions {
  /** The instrument's name (default: the file name without directory and extension). */
  symbol?: string;
}

const NAMES: Record<string, RegExp> = {
  ts: /^(date|time|timestamp|datetime|date_?time|ts|t|day|open_?time)$/,
  date: /^date$/,
  time: /^time$/,
  open: /^(open|o)$/,
  high: /^(high|h)$/,
  low: /^(low|l)$/,
  close: /^(close|c|last)$/,
  volume: /^(volume|vol|v)$/,
  price: /^(price|p|px|last)$/,
  qty: /^(qty|quantity|size|amount|q|volume|vol)$/,
  side: /^(side|aggressor|taker_?side)$/,
  buyerMaker: /^(is_?buyer_?maker|m|buyer_?maker)$/,
};

function symbolOf(file: string, opts: CsvOptions): string {
  return opts.symbol ?? (file.split(/[\\/]/).pop() ?? file).replace(/\.[^.]*$/, '').toUpperCase();
}

/** A dataset of one instrument (named after the file) with the decimals seen, capped. */
function oneInstrument(file: string, opts: CsvOptions, pd: number, qd: number, data: Pick<Dataset['instruments'][number], 'bars'> | Pick<Dataset['instruments'][number], 'trades'>): Dataset {
  return {
    name: file,
    tsPerSecond: 1000,
    instruments: [{ symbol: symbolOf(file, opts), priceDecimals: Math.min(pd, MAX_PRICE_DECIMALS), qtyDecimals: Math.min(qd, MAX_QTY_DECIMALS), ...data }],
  };
}

/** The header's column indices by role, or null when the first row is data. */
function header(row: Row): Map<string, number> | null {
  if (row.fields.every((f, i) => isNumeric(f) || (i === 0 && !Number.isNaN(parseTimestamp(f))))) return null;
  const roles = new Map<string, number>();
  row.fields.forEach((f, i) => {
    const name = f.toLowerCase().replace(/[\s-]+/g, '_');
    for (const [role, re] of Object.entries(NAMES)) if (!roles.has(role) && re.test(name)) roles.set(role, i);
  });
  return roles;
}

/** Reads the timestamp of a row (a `date` and a `time` column are joined). */
function timestamp(file: string, row: Row, tsAt: number, timeAt: number | undefined, prev: number): number {
  if (tsAt >= row.fields.length) throw new DataError(file, row.line, row.end, 'ts', 'missing');
  const text = timeAt === undefined ? row.fields[tsAt] : `${row.fields[tsAt]} ${row.fields[timeAt] ?? ''}`;
  const t = parseTimestamp(text);
  if (Number.isNaN(t)) {
    throw new DataError(file, row.line, row.columns[tsAt], 'ts', `not a date or time: '${text}' (ISO date/datetime, yyyymmdd, 'yyyymmdd HH:MM', epoch s or ms)`);
  }
  if (t < 0) throw new DataError(file, row.line, row.columns[tsAt], 'ts', `before 1970: '${text}'`);
  if (t < prev) throw new DataError(file, row.line, row.columns[tsAt], 'ts', `'${text}' is before the previous row's time`);
  return t;
}

/** OHLCV bars from CSV text. Header names: date/time/timestamp, open, high, low, close, volume (others ignored). */
export function parseOhlcvCsv(text: string, file: string, opts: CsvOptions = {}): Dataset {
  const cols = { ts: new Column(), open: new Column(), high: new Column(), low: new Column(), close: new Column(), volume: new Column() };
  let roles: Map<string, number> | null | undefined;
  let delimiter = ',';
  let [pd, qd] = [0, 0];
  let timeAt: number | undefined;
  let at = { ts: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 as number | undefined };
  for (const [l, n] of lines(text)) {
    if (roles === undefined) {
      delimiter = detectDelimiter(l);
      const row = splitRow(l, n, delimiter);
      roles = header(row);
      if (roles) {
        for (const need of ['open', 'high', 'low', 'close']) {
          if (!roles.has(need)) throw new DataError(file, n, 1, need, `no '${need}' column in the header (${row.fields.join(', ')})`);
        }
        const tsAt = roles.get('ts') ?? roles.get('date');
        if (tsAt === undefined) throw new DataError(file, n, 1, 'ts', `no date/time column in the header (${row.fields.join(', ')})`);
        if (roles.has('date') && roles.has('time') && roles.get('date') !== roles.get('time')) timeAt = roles.get('time');
        at = { ts: roles.get('date') ?? tsAt, open: roles.get('open')!, high: roles.get('high')!, low: roles.get('low')!, close: roles.get('close')!, volume: roles.get('volume') };
        continue;
      }
      if (row.fields.length < 5) throw new DataError(file, n, row.end, 'close', `a header-less OHLCV row needs ts, open, high, low, close[, volume]; got ${row.fields.length} fields`);
      if (row.fields.length < 6) at.volume = undefined;
    }
    const row = splitRow(l, n, delimiter);
    const ts = timestamp(file, row, at.ts, timeAt, cols.ts.length > 0 ? cols.ts.last() : 0);
    const o = num(file, row, at.open, 'open');
    const h = num(file, row, at.high, 'high');
    const lo = num(file, row, at.low, 'low');
    const c = num(file, row, at.close, 'close');
    const v = at.volume === undefined ? 0 : num(file, row, at.volume, 'volume');
    const bad = (i: number, field: string, why: string) => new DataError(file, n, row.columns[i], field, why);
    if (o <= 0) throw bad(at.open, 'open', `must be > 0, got ${o}`);
    if (lo <= 0) throw bad(at.low, 'low', `must be > 0, got ${lo}`);
    if (c <= 0) throw bad(at.close, 'close', `must be > 0, got ${c}`);
    if (h < Math.max(o, c, lo)) throw bad(at.high, 'high', `${h} is below the bar's open, low or close`);
    if (lo > Math.min(o, c)) throw bad(at.low, 'low', `${lo} is above the bar's open or close`);
    if (v < 0) throw bad(at.volume!, 'volume', `must be ≥ 0, got ${v}`);
    for (const i of [at.open, at.high, at.low, at.close]) pd = Math.max(pd, decimalsOf(row.fields[i]));
    if (at.volume !== undefined) qd = Math.max(qd, decimalsOf(row.fields[at.volume]));
    cols.ts.push(ts);
    cols.open.push(o);
    cols.high.push(h);
    cols.low.push(lo);
    cols.close.push(c);
    cols.volume.push(v);
  }
  if (cols.ts.length === 0) throw new DataError(file, 1, 1, 'rows', 'no data rows');
  return oneInstrument(file, opts, pd, qd, {
    bars: { ts: cols.ts.done(), open: cols.open.done(), high: cols.high.done(), low: cols.low.done(), close: cols.close.done(), volume: cols.volume.done() },
  });
}

/** The aggressor side code of a side field: 1 buy, 2 sell, 0 unknown (empty). */
function sideCode(file: string, row: Row, i: number, buyerMaker: boolean): number {
  const s = (row.fields[i] ?? '').toLowerCase();
  if (buyerMaker) {
    if (s === 'true' || s === '1') return 2;
    if (s === 'false' || s === '0') return 1;
  } else {
    if (s === '') return 0;
    if (s === 'buy' || s === 'b' || s === '1') return 1;
    if (s === 'sell' || s === 's' || s === '2') return 2;
  }
  throw new DataError(file, row.line, row.columns[i] ?? row.end, buyerMaker ? 'is_buyer_maker' : 'side', `not a side: '${row.fields[i] ?? ''}'`);
}

/** Trade prints from CSV text: ts, price, qty[, side] (header names: time/timestamp, price, qty/size/amount, side or is_buyer_maker). */
export function parseTradeCsv(text: string, file: string, opts: CsvOptions = {}): Dataset {
  const cols = { ts: new Column(), price: new Column(), qty: new Column(), side: new Column() };
  let roles: Map<string, number> | null | undefined;
  let delimiter = ',';
  let [pd, qd] = [0, 0];
  let at = { ts: 0, price: 1, qty: 2, side: 3 as number | undefined, buyerMaker: false };
  for (const [l, n] of lines(text)) {
    if (roles === undefined) {
      delimiter = detectDelimiter(l);
      const row = splitRow(l, n, delimiter);
      roles = header(row);
      if (roles) {
        const tsAt = roles.get('ts') ?? roles.get('date');
        if (tsAt === undefined) throw new DataError(file, n, 1, 'ts', `no time column in the header (${row.fields.join(', ')})`);
        if (!roles.has('price')) throw new DataError(file, n, 1, 'price', `no 'price' column in the header (${row.fields.join(', ')})`);
        if (!roles.has('qty')) throw new DataError(file, n, 1, 'qty', `no 'qty'/'size' column in the header (${row.fields.join(', ')})`);
        const bm = roles.get('buyerMaker');
        at = { ts: tsAt, price: roles.get('price')!, qty: roles.get('qty')!, side: roles.get('side') ?? bm, buyerMaker: roles.get('side') === undefined && bm !== undefined };
        continue;
      }
      if (row.fields.length < 3) throw new DataError(file, n, row.end, 'qty', `a header-less trade row needs ts, price, qty[, side]; got ${row.fields.length} fields`);
      if (row.fields.length < 4) at.side = undefined;
    }
    const row = splitRow(l, n, delimiter);
    const ts = timestamp(file, row, at.ts, undefined, cols.ts.length > 0 ? cols.ts.last() : 0);
    const p = num(file, row, at.price, 'price');
    const q = num(file, row, at.qty, 'qty');
    if (p <= 0) throw new DataError(file, n, row.columns[at.price], 'price', `must be > 0, got ${p}`);
    if (q <= 0) throw new DataError(file, n, row.columns[at.qty], 'qty', `must be > 0, got ${q}`);
    const side = at.side === undefined ? 0 : sideCode(file, row, at.side, at.buyerMaker);
    pd = Math.max(pd, decimalsOf(row.fields[at.price]));
    qd = Math.max(qd, decimalsOf(row.fields[at.qty]));
    cols.ts.push(ts);
    cols.price.push(p);
    cols.qty.push(q);
    cols.side.push(side);
  }
  if (cols.ts.length === 0) throw new DataError(file, 1, 1, 'rows', 'no data rows');
  return oneInstrument(file, opts, pd, qd, { trades: { ts: cols.ts.done(), price: cols.price.done(), qty: cols.qty.done(), side: cols.side.done() } });
}
