//! Archives and the bundled real samples: zip (one entry) and gzip through the platform's DecompressionStream (Node,
//! browsers and Web Workers alike), AlgoSeek SPY bars and ticks (engine-rs/testdata/spy-2013-10), and `loadFile`,
//! which picks a loader from a file's name and content.

import type { Dataset } from '../types.ts';
import { parseBinanceJsonl } from './binance.ts';
import { parseOhlcvCsv, parseTradeCsv } from './csv.ts';
import { DataError } from './errors.ts';
import { newYorkOffset } from './dates.ts';
import { Column, lines, num, splitRow } from './fields.ts';
import { isLobsterMessages, parseLobster } from './lobster.ts';

async function inflate(bytes: Uint8Array, format: 'deflate-raw' | 'gzip'): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const U32_MAX = 0xffffffff;

/** A 64-bit little-endian size or offset; refused beyond 2^53 (no archive here comes near). */
function u64(view: DataView, at: number, file: string, field: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${file}: ${field} ${v} is beyond 2^53`);
  return Number(v);
}

/**
 * The entries of a zip archive (via its central directory; stored or deflated), name → bytes. Zip64 archives (the
 * AlgoSeek SPY files are) are read too: a 32-bit size or offset of 0xFFFFFFFF means the real one is in the entry's
 * Zip64 extra field (id 1), which holds, in this order, only the fields that overflowed; an entry count of 0xFFFF or
 * a directory offset of 0xFFFFFFFF sends us to the Zip64 end of central directory. Exact sizes matter: the browsers'
 * DecompressionStream refuses anything after the end of the deflate stream.
 */
export async function unzip(bytes: Uint8Array, file = 'archive.zip'): Promise<Map<string, Uint8Array>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => view.getUint32(at, true);
  const u16 = (at: number) => view.getUint16(at, true);
  const within = (at: number, len: number, what: string) => {
    if (at < 0 || at + len > bytes.length) throw new Error(`${file}: ${what} lies outside the archive (truncated?)`);
  };
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (u32(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip archive (no end of central directory)`);
  let count = u16(eocd + 10);
  let at = u32(eocd + 16);
  if (count === 0xffff || at === U32_MAX) {
    // Zip64 end of central directory locator (20 bytes just before), pointing at the Zip64 record.
    const locator = eocd - 20;
    if (locator < 0 || u32(locator) !== 0x07064b50) throw new Error(`${file}: Zip64 archive without its end of central directory locator`);
    const record = u64(view, locator + 8, file, 'Zip64 end of central directory offset');
    within(record, 56, 'the Zip64 end of central directory');
    if (u32(record) !== 0x06064b50) throw new Error(`${file}: bad Zip64 end of central directory`);
    count = u64(view, record + 32, file, 'entry count');
    at = u64(view, record + 48, file, 'central directory offset');
  }
  const out = new Map<string, Uint8Array>();
  for (let k = 0; k < count; k++) {
    within(at, 46, `central directory entry ${k}`);
    if (u32(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${k}`);
    const method = u16(at + 10);
    let size = u32(at + 20);
    let uncompressed = u32(at + 24);
    const nameLen = u16(at + 28);
    const extraLen = u16(at + 30);
    const commentLen = u16(at + 32);
    let local = u32(at + 42);
    within(at + 46, nameLen + extraLen, `central directory entry ${k}`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen));
    if (uncompressed === U32_MAX || size === U32_MAX || local === U32_MAX) {
      let x = at + 46 + nameLen;
      const extraEnd = x + extraLen;
      while (x + 4 <= extraEnd && u16(x) !== 0x0001) x += 4 + u16(x + 2);
      if (x + 4 > extraEnd) throw new Error(`${file}: ${name} has 32-bit sizes of 0xFFFFFFFF but no Zip64 extra field`);
      let f = x + 4;
      const fieldEnd = f + u16(x + 2);
      const next = (field: string) => {
        if (f + 8 > fieldEnd) throw new Error(`${file}: ${name}: the Zip64 extra field lacks the ${field}`);
        const v = u64(view, f, file, `${name} ${field}`);
        f += 8;
        return v;
      };
      if (uncompressed === U32_MAX) uncompressed = next('uncompressed size');
      if (size === U32_MAX) size = next('compressed size');
      if (local === U32_MAX) local = next('local header offset');
    }
    within(local, 30, `${name}'s local header`);
    if (u32(local) !== 0x04034b50) throw new Error(`${file}: ${name}: bad local header`);
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    within(start, size, `${name}'s data`);
    const data = bytes.subarray(start, start + size);
    if (method !== 0 && method !== 8) throw new Error(`${file}: ${name} uses compression method ${method} (only stored and deflate)`);
    const content = method === 8 ? await inflate(data, 'deflate-raw') : data;
    if (content.length !== uncompressed) throw new Error(`${file}: ${name} inflates to ${content.length} bytes, the directory says ${uncompressed}`);
    out.set(name, content);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return inflate(bytes, 'gzip');
}

const DECI_CENTS = 10_000;

/**
 * AlgoSeek bars (QuantConnect Lean layout, no header, prices in deci-cents): daily rows `yyyymmdd 00:00,o,h,l,c,v`
 * (ts: UTC midnight of the date, as the Rust golden run), or minute rows `ms since midnight New York,o,h,l,c,v` for
 * `date` (yyyymmdd; ts: the minute's end, UTC ms).
 */
export function parseAlgoSeekBars(text: string, file: string, date?: string): Dataset {
  const c = { ts: new Column(), open: new Column(), high: new Column(), low: new Column(), close: new Column(), volume: new Column() };
  let dayStart = NaN;
  if (date !== undefined) {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
    if (!m) throw new Error(`${file}: date must be yyyymmdd, got ${date}`);
    const midnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    dayStart = midnight - newYorkOffset(midnight + 12 * 3_600_000);
  }
  for (const [l, n] of lines(text)) {
    const row = splitRow(l, n, ',');
    let ts: number;
    if (date === undefined) {
      const m = /^(\d{4})(\d{2})(\d{2})/.exec(row.fields[0]);
      if (!m) throw new DataError(file, n, 1, 'ts', `not 'yyyymmdd HH:MM': '${row.fields[0]}'`);
      ts = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    } else {
      ts = dayStart + num(file, row, 0, 'ts') + 60_000;
    }
    if (c.ts.length > 0 && ts < c.ts.last()) throw new DataError(file, n, 1, 'ts', 'before the previous row');
    const [o, h, lo, cl] = [1, 2, 3, 4].map((i, k) => num(file, row, i, ['open', 'high', 'low', 'close'][k]));
    const v = num(file, row, 5, 'volume');
    if (!(o > 0 && lo > 0 && cl > 0 && h >= Math.max(o, cl, lo) && lo <= Math.min(o, cl))) {
      throw new DataError(file, n, row.columns[2], 'high', 'the bar is not ordered low ≤ open, close ≤ high with prices > 0');
    }
    c.ts.push(ts);
    c.open.push(o / DECI_CENTS);
    c.high.push(h / DECI_CENTS);
    c.low.push(lo / DECI_CENTS);
    c.close.push(cl / DECI_CENTS);
    c.volume.push(v);
  }
  if (c.ts.length === 0) throw new DataError(file, 1, 1, 'rows', 'no data rows');
  return {
    name: file,
    tsPerSecond: 1000,
    instruments: [
      {
        symbol: 'SPY',
        priceDecimals: 4,
        qtyDecimals: 0,
        bars: { ts: c.ts.done(), open: c.open.done(), high: c.high.done(), low: c.low.done(), close: c.close.done(), volume: c.volume.done() },
      },
    ],
  };
}

/** AlgoSeek tick trades for `date`: `ms since midnight New York, price (deci-cents), size, exchange, condition, suspicious`; suspicious prints are dropped. */
export function parseAlgoSeekTrades(text: string, file: string, date: string): Dataset {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (!m) throw new Error(`${file}: date must be yyyymmdd, got ${date}`);
  const midnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const dayStart = midnight - newYorkOffset(midnight + 12 * 3_600_000);
  const c = { ts: new Column(), price: new Column(), qty: new Column(), side: new Column() };
  for (const [l, n] of lines(text)) {
    const row = splitRow(l, n, ',');
    const ts = dayStart + num(file, row, 0, 'ts');
    const p = num(file, row, 1, 'price');
    const q = num(file, row, 2, 'size');
    if (c.ts.length > 0 && ts < c.ts.last()) throw new DataError(file, n, 1, 'ts', 'before the previous row');
    if (!(p > 0)) throw new DataError(file, n, row.columns[1], 'price', `must be > 0, got ${p}`);
    if (!(q > 0)) throw new DataError(file, n, row.columns[2], 'size', `must be > 0, got ${q}`);
    if (row.fields[5] === '1') continue;
    c.ts.push(ts);
    c.price.push(p / DECI_CENTS);
    c.qty.push(q);
    c.side.push(0);
  }
  return {
    name: file,
    tsPerSecond: 1000,
    instruments: [{ symbol: 'SPY', priceDecimals: 4, qtyDecimals: 0, trades: { ts: c.ts.done(), price: c.price.done(), qty: c.qty.done(), side: c.side.done() } }],
  };
}

/** A bundled real sample (paths relative to the repository root). */
export interface Sample {
  id: string;
  label: string;
  path: string;
}

export const SAMPLES: readonly Sample[] = [
  { id: 'spy-daily', label: 'SPY daily bars 1998–2021 (AlgoSeek)', path: 'engine-rs/testdata/spy-2013-10/daily_spy.zip' },
  { id: 'spy-minute', label: 'SPY 1-minute bars 2013-10-07 (AlgoSeek)', path: 'engine-rs/testdata/spy-2013-10/minute_20131007_trade.zip' },
  { id: 'spy-ticks', label: 'SPY trade prints 2013-10-07 (AlgoSeek)', path: 'engine-rs/testdata/spy-2013-10/tick_20131007_trade.zip' },
  { id: 'btcusdt-l2', label: 'BTCUSDT L2 diffs + trades 2024-08-08 (Binance)', path: 'engine-rs/testdata/btcusdt-l2/binance_spot_btcusdt_20240808.gz' },
  { id: 'sp500-2000', label: 'S&P 500 daily 2000–2020 (vega-datasets)', path: 'node_modules/vega-datasets/data/sp500-2000.csv' },
];

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** The text formats `loadFile` reads; `auto` picks one from the file's name and content. */
export const DATA_FORMATS = ['auto', 'ohlcv', 'trades', 'binance', 'lobster'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** Options of `loadFile`. */
export interface LoadOptions {
  /** The instrument's name (default: from the file). */
  symbol?: string;
  /** The format, when detection would pick the wrong one (default `auto`). */
  format?: DataFormat;
}

/**
 * Any supported file, by name and content: `.zip` (its one entry; AlgoSeek names `daily_*`, `minute_YYYYMMDD_trade*`,
 * `tick_YYYYMMDD_trade*` get the AlgoSeek readers), `.gz` (gunzipped first), JSON lines (Binance), a LOBSTER message
 * file (by its name `TICKER_date_start_end_message_N.csv`, or six numeric columns shaped like one), else CSV — OHLCV
 * when it has open/high/low/close, trades otherwise. `opts.format` overrides the detection of the text format.
 */
export async function loadFile(name: string, bytes: Uint8Array, opts: LoadOptions = {}): Promise<Dataset> {
  const format = opts.format ?? 'auto';
  if (!DATA_FORMATS.includes(format)) throw new Error(`format must be one of ${DATA_FORMATS.join(', ')}, got ${String(format)}`);
  const base = name.split(/[\\/]/).pop() ?? name;
  if (/\.zip$/i.test(base)) {
    const entries = await unzip(bytes, name);
    if (entries.size !== 1) throw new Error(`${name}: expected one file in the archive, found ${entries.size}`);
    const [[inner, data]] = [...entries];
    const daily = /^daily_/i.test(base);
    const minute = /^minute_(\d{8})_trade/i.exec(base);
    const tick = /^tick_(\d{8})_trade/i.exec(base);
    const label = `${name}:${inner}`;
    if (daily) return parseAlgoSeekBars(text(data), label);
    if (minute) return parseAlgoSeekBars(text(data), label, minute[1]);
    if (tick) return parseAlgoSeekTrades(text(data), label, tick[1]);
    return loadFile(inner, data, opts).then((d) => ({ ...d, name: label }));
  }
  if (/\.gz$/i.test(base)) {
    const d = await loadFile(base.replace(/\.gz$/i, ''), await gunzip(bytes), opts);
    return { ...d, name };
  }
  const body = text(bytes);
  const first = body.slice(0, 4096).trimStart();
  const head = first.split('\n', 1)[0].toLowerCase();
  switch (format) {
    case 'ohlcv':
      return parseOhlcvCsv(body, name, opts);
    case 'trades':
      return parseTradeCsv(body, name, opts);
    case 'binance':
      return parseBinanceJsonl(body, name, opts);
    case 'lobster':
      return parseLobster(body, name, opts);
  }
  if (first.startsWith('{') || /^\d+ \{/.test(first)) return parseBinanceJsonl(body, name, opts);
  if (isLobsterMessages(name, head.replace(/\r$/, ''))) return parseLobster(body, name, opts);
  if (/\bopen\b/.test(head) || !/\b(price|qty|size|amount)\b/.test(head)) {
    // A header-less file with 3–4 columns is trades; 5–6 are bars.
    const cols = head.split(/[,;\t|]/).length;
    if (!/[a-z]/.test(head.replace(/[eEtTzZ:]/g, '')) && cols <= 4) return parseTradeCsv(body, name, opts);
    return parseOhlcvCsv(body, name, opts);
  }
  return parseTradeCsv(body, name, opts);
}
