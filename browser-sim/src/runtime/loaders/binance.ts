//! Binance-style JSON lines: depth diffs (`depthUpdate`), trades (`trade`) and a REST depth snapshot
//! (`lastUpdateId`, `bids`, `asks`), raw or in the combined-stream wrapper `{"stream", "data"}`, each line optionally
//! prefixed by a local receive time in ns (the engine-rs/testdata/btcusdt-l2 recording). Timestamps are µs: the
//! prefix when present (held monotone, as recorded in arrival order), else the event time `E` (`T` for trades).
//! `bookTicker` lines are skipped: a quote would replace the L2 book the diffs maintain.

import type { Dataset } from '../types.ts';
import { DataError } from './errors.ts';
import { Column, MAX_PRICE_DECIMALS, MAX_QTY_DECIMALS, decimalsOf, lines } from './fields.ts';

const DECIMAL = /^\d+(\.\d+)?$/;

/** Binance JSON lines → a dataset with depth and trades for the one symbol they carry. */
export function parseBinanceJsonl(text: string, file: string, opts: { symbol?: string } = {}): Dataset {
  const depth = { ts: new Column(), side: new Column(), price: new Column(), qty: new Column() };
  const trades = { ts: new Column(), price: new Column(), qty: new Column(), side: new Column() };
  let [pd, qd, last] = [0, 0, 0];
  let symbol = opts.symbol;
  for (const [l, n] of lines(text)) {
    const space = l.indexOf(' ');
    const prefixed = space > 0 && /^\d+$/.test(l.slice(0, space));
    const body = prefixed ? l.slice(space + 1) : l;
    const offset = prefixed ? space + 1 : 0;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(body) as Record<string, unknown>;
    } catch (e) {
      const pos = /position (\d+)/.exec(String(e));
      throw new DataError(file, n, offset + 1 + (pos ? Number(pos[1]) : 0), 'json', `not valid JSON (${(e as Error).message})`);
    }
    if (msg === null || typeof msg !== 'object') throw new DataError(file, n, offset + 1, 'json', 'not a JSON object');
    const data = (typeof msg.stream === 'string' && msg.data && typeof msg.data === 'object' ? msg.data : msg) as Record<string, unknown>;
    const col = (key: string) => {
      const at = body.indexOf(`"${key}"`);
      return offset + 1 + (at < 0 ? 0 : at);
    };
    const fail = (key: string, why: string) => new DataError(file, n, col(key), key, why);
    const decimal = (v: unknown, key: string, isPrice: boolean): number => {
      if (typeof v !== 'string' || !DECIMAL.test(v)) throw fail(key, `not a decimal string: ${JSON.stringify(v)}`);
      const d = decimalsOf(v);
      if (isPrice) pd = Math.max(pd, d);
      else qd = Math.max(qd, d);
      return Number(v);
    };
    let ts: number;
    if (prefixed) {
      // ns since 1970 exceed 2^53: drop the last three digits as text, keeping µs exact.
      const ns = l.slice(0, space);
      ts = ns.length > 3 ? Number(ns.slice(0, -3)) : 0;
    } else {
      const e = data.T ?? data.E;
      if (typeof e !== 'number' && !('lastUpdateId' in data)) throw fail('E', 'no receive-time prefix and no event time E/T');
      ts = typeof e === 'number' ? e * 1000 : last;
    }
    ts = Math.max(ts, last);
    last = ts;
    const levels = (list: unknown, side: number, key: string) => {
      if (!Array.isArray(list)) throw fail(key, 'not an array of [price, qty] levels');
      for (const lv of list) {
        if (!Array.isArray(lv) || lv.length < 2) throw fail(key, `not a [price, qty] level: ${JSON.stringify(lv)}`);
        const p = decimal(lv[0], key, true);
        const q = decimal(lv[1], key, false);
        if (p <= 0) throw fail(key, `price must be > 0, got ${String(lv[0])}`);
        depth.ts.push(ts);
        depth.side.push(side);
        depth.price.push(p);
        depth.qty.push(q);
      }
    };
    if ('lastUpdateId' in data) {
      levels(data.bids, 1, 'bids');
      levels(data.asks, 2, 'asks');
    } else if (data.e === 'depthUpdate') {
      levels(data.b, 1, 'b');
      levels(data.a, 2, 'a');
    } else if (data.e === 'trade' || data.e === 'aggTrade') {
      const p = decimal(data.p, 'p', true);
      const q = decimal(data.q, 'q', false);
      if (p <= 0) throw fail('p', `must be > 0, got ${String(data.p)}`);
      if (q <= 0) throw fail('q', `must be > 0, got ${String(data.q)}`);
      if (typeof data.m !== 'boolean') throw fail('m', `must be true or false, got ${JSON.stringify(data.m)}`);
      trades.ts.push(ts);
      trades.price.push(p);
      trades.qty.push(q);
      trades.side.push(data.m ? 2 : 1); // the buyer was the maker: a sell hit the bid
    } else if (!('u' in data && 'b' in data && 'a' in data)) {
      throw fail('e', `not a depth update, trade, snapshot or bookTicker message`);
    }
    if (symbol === undefined && typeof data.s === 'string') symbol = data.s;
  }
  if (depth.ts.length === 0 && trades.ts.length === 0) throw new DataError(file, 1, 1, 'rows', 'no depth or trade messages');
  const t = trades.ts.length > 0 ? { ts: trades.ts.done(), price: trades.price.done(), qty: trades.qty.done(), side: trades.side.done() } : undefined;
  const d = depth.ts.length > 0 ? { ts: depth.ts.done(), side: depth.side.done(), price: depth.price.done(), qty: depth.qty.done() } : undefined;
  return {
    name: file,
    tsPerSecond: 1e6,
    instruments: [
      {
        symbol: symbol ?? 'BINANCE',
        priceDecimals: Math.min(pd, MAX_PRICE_DECIMALS),
        qtyDecimals: Math.min(qd, MAX_QTY_DECIMALS),
        trades: t,
        depth: d,
      },
    ],
  };
}
