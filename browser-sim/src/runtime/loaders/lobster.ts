//! LOBSTER message files (lobsterdata.com): one L3 (market-by-order) event per line, no header, six columns —
//! Time (seconds after midnight, decimal), Type, Order ID, Size, Price (dollars × 10 000), Direction (1 buy, −1 sell).
//!
//! Types used: 1 submission (an add), 2 partial cancellation (a cancel of Size), 3 deletion (a delete: Size must be
//! what is left of the order), 4 execution of a visible order (an execute of Size at the order's price). Skipped: 5
//! executions of hidden orders (never in the visible book, so they move no visible queue), 6 cross trades (auction
//! prints outside the book) and 7 trading halts. Events on order ids the file never submitted are skipped too: they
//! belong to orders resting before the file's window, whose place in the queue the file does not tell (the file
//! starts from an empty book). Every other row is checked — its numbers, and that it fits the order it names (side,
//! price, size left) — and the first bad one throws a DataError at its file, line and column; nothing is half-loaded.
//!
//! Timestamps: µs. With LOBSTER's file name (`TICKER_YYYY-MM-DD_start_end_message_LEVEL.csv`) or `date`, µs since
//! 1970 (the seconds are New York time); otherwise µs after midnight.

import type { Dataset } from '../types.ts';
import { newYorkOffset } from './dates.ts';
import { DataError } from './errors.ts';
import { Column, lines, splitRow } from './fields.ts';

/** Options of the LOBSTER loader. */
export interface LobsterOptions {
  /** The instrument's name (default: the ticker in the file name, else LOBSTER). */
  symbol?: string;
  /** The trading day, yyyy-mm-dd (default: from the file name). */
  date?: string;
}

const NAME = /^([A-Za-z0-9.]+)_(\d{4}-\d{2}-\d{2})_\d+_\d+_message/;
const SECONDS = /^\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

/** Whether a file looks like a LOBSTER message file: by its name, else by its first row's shape. */
export function isLobsterMessages(name: string, firstLine: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? name;
  if (NAME.test(base)) return true;
  const f = firstLine.split(',').map((x) => x.trim());
  return f.length === 6 && SECONDS.test(f[0]) && Number(f[0]) < 86_400 && /^[1-7]$/.test(f[1]) && INTEGER.test(f[2]) && INTEGER.test(f[3]) && INTEGER.test(f[4]) && (f[5] === '1' || f[5] === '-1');
}

/** A LOBSTER message file → a dataset with one instrument's L3 events (prices in dollars, 4 decimals). */
export function parseLobster(text: string, file: string, opts: LobsterOptions = {}): Dataset {
  const base = file.split(/[\\/]/).pop() ?? file;
  const named = NAME.exec(base);
  const date = opts.date ?? named?.[2];
  let dayStartUs = 0;
  if (date !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    if (!m) throw new Error(`${file}: date must be yyyy-mm-dd, got ${date}`);
    const midnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    dayStartUs = (midnight - newYorkOffset(midnight + 12 * 3_600_000)) * 1000;
  }
  const c = { ts: new Column(), action: new Column(), id: new Column(), side: new Column(), price: new Column(), qty: new Column() };
  const live = new Map<number, { side: number; price: number; size: number }>();
  let last = 0;
  for (const [l, n] of lines(text)) {
    const row = splitRow(l, n, ',');
    const fail = (k: number, field: string, why: string) => new DataError(file, n, k < row.fields.length ? row.columns[k] : row.end, field, why);
    if (row.fields.length !== 6) throw fail(Math.min(row.fields.length, 6), 'row', `a LOBSTER message has 6 fields (Time, Type, Order ID, Size, Price, Direction), this row has ${row.fields.length}`);
    const t = row.fields[0];
    if (!SECONDS.test(t)) throw fail(0, 'time', `not seconds after midnight: '${t}'`);
    const [whole, frac = ''] = t.split('.');
    const ts = dayStartUs + Number(whole) * 1e6 + Number((frac + '000000').slice(0, 6));
    if (ts < last) throw fail(0, 'time', `'${t}' is before the previous row's time`);
    last = ts;
    const int = (k: number, field: string) => {
      if (!INTEGER.test(row.fields[k])) throw fail(k, field, `not an integer: '${row.fields[k]}'`);
      return Number(row.fields[k]);
    };
    const type = int(1, 'type');
    const id = int(2, 'order id');
    const size = int(3, 'size');
    const price = int(4, 'price');
    const dir = int(5, 'direction');
    if (type < 1 || type > 7) throw fail(1, 'type', `must be 1 to 7, got ${type}`);
    if (type >= 5) continue;
    if (id < 0) throw fail(2, 'order id', `must be ≥ 0, got ${id}`);
    if (size < 1) throw fail(3, 'size', `must be ≥ 1, got ${size}`);
    if (price < 1) throw fail(4, 'price', `must be > 0 (dollars × 10 000), got ${price}`);
    if (dir !== 1 && dir !== -1) throw fail(5, 'direction', `must be 1 (buy) or -1 (sell), got ${dir}`);
    const side = dir === 1 ? 1 : 2;
    if (type === 1) {
      if (live.has(id)) throw fail(2, 'order id', `order ${id} is submitted while it is still live`);
      live.set(id, { side, price, size });
    } else {
      const o = live.get(id);
      if (!o) continue; // rested before the file's window
      if (o.side !== side) throw fail(5, 'direction', `order ${id} is on the other side`);
      if (o.price !== price) throw fail(4, 'price', `order ${id} rests at ${o.price}, not ${price}`);
      if (type === 3 ? size !== o.size : size > o.size) throw fail(3, 'size', `${size} does not fit the ${o.size} left of order ${id}`);
      o.size -= size;
      if (o.size === 0) live.delete(id);
    }
    c.ts.push(ts);
    c.action.push(type);
    c.id.push(id);
    c.side.push(side);
    c.price.push(price / 10_000);
    c.qty.push(size);
  }
  if (c.ts.length === 0) throw new DataError(file, 1, 1, 'rows', 'no book events (types 1 to 4)');
  return {
    name: file,
    tsPerSecond: 1e6,
    instruments: [
      {
        symbol: opts.symbol ?? named?.[1] ?? 'LOBSTER',
        priceDecimals: 4,
        qtyDecimals: 0,
        orders: { ts: c.ts.done(), action: c.action.done(), id: c.id.done(), side: c.side.done(), price: c.price.done(), qty: c.qty.done() },
      },
    ],
  };
}
