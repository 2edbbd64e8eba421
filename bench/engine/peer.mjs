// The pure-JS peer, nodejs-order-book, replaying the same command stream: one OrderBook per
// symbol, integer prices and sizes as-is, new GTC/IOC/FOK limits via limit(), cancels via cancel(),
// replaces via modify(). Its results are materialized like our events: the fields of every done /
// partial entry (and the cancel result) are copied into a preallocated array.
import { createRequire } from 'node:module';
import { COMMAND_STRIDE as CS, percentiles } from './common.mjs';

// The package's ESM build imports extensionless paths that Node's ESM loader rejects; use its CJS build.
const { OrderBook } = createRequire(import.meta.url)('nodejs-order-book');

const sink = new Float64Array(1 << 16);
const MASK = sink.length - 1;
const idSink = new Array(1024).fill('');
let k = 0;
let sk = 0;

/** Copies one IProcessOrder's fields into the sinks; returns the number of result entries. */
function materializeProcess(res) {
  const done = res.done;
  for (let j = 0; j < done.length; j++) {
    const d = done[j];
    sink[k++ & MASK] = d.price;
    sink[k++ & MASK] = d.size;
    sink[k++ & MASK] = d.time;
    idSink[sk++ & 1023] = d.id;
  }
  const p = res.partial;
  if (p !== null) {
    sink[k++ & MASK] = p.price;
    sink[k++ & MASK] = p.size;
    sink[k++ & MASK] = res.partialQuantityProcessed;
    idSink[sk++ & 1023] = p.id;
  }
  sink[k++ & MASK] = res.quantityLeft;
  sink[k++ & MASK] = res.err === null ? 0 : res.err.code;
  return done.length + (p !== null ? 1 : 0) + (res.err === null ? 0 : 1);
}

/** Copies a cancel result's fields; returns 1 if an order was cancelled. */
function materializeCancel(res) {
  const o = res === undefined ? undefined : res.order;
  if (o === undefined) return 0;
  sink[k++ & MASK] = o.price;
  sink[k++ & MASK] = o.size;
  idSink[sk++ & 1023] = o.id;
  return 1;
}

const WARMUP = 200_000;
const TIF = [undefined, 'GTC', undefined, undefined, 'IOC', 'FOK'];

/**
 * Applies record `o`; returns the number of result entries it materialized, or -1 when the peer cannot
 * express the command (stop/market/iceberg/DAY/GTD/STP orders, mass cancel, session end, time advance).
 */
function step(books, symOf, idStr, r, o) {
  switch (r[o]) {
    case 1: {
      const tif = TIF[r[o + 8]];
      if (r[o + 7] !== 1 || tif === undefined || r[o + 12] !== 0 || r[o + 14] !== 0) return -1;
      const res = books[r[o + 5]].limit({
        id: idStr[r[o + 3]],
        side: r[o + 6] === 1 ? 'buy' : 'sell',
        size: r[o + 10],
        price: r[o + 9],
        timeInForce: tif,
        postOnly: r[o + 15] === 1,
      });
      return materializeProcess(res);
    }
    case 2: {
      const id = r[o + 3];
      return materializeCancel(books[symOf[id]].cancel(idStr[id]));
    }
    case 3: {
      const id = r[o + 3];
      const price = r[o + 9];
      const update = price === 0 ? { size: r[o + 10] } : { price, size: r[o + 10] };
      return materializeProcess(books[symOf[id]].modify(idStr[id], update));
    }
    case 7:
      books[r[o + 5]] = new OrderBook();
      return 0;
    default:
      return -1;
  }
}

/** Untimed pre-pass: each order id's symbol (cancel/replace records carry none) and its string form. */
function indexIds(r) {
  let maxId = 0;
  for (let o = 0; o < r.length; o += CS) if (r[o] === 1 && r[o + 3] > maxId) maxId = r[o + 3];
  const symOf = new Int32Array(maxId + 1);
  const idStr = new Array(maxId + 1);
  for (let o = 0; o < r.length; o += CS) {
    if (r[o] === 1) {
      symOf[r[o + 3]] = r[o + 5];
      idStr[r[o + 3]] = String(r[o + 3]);
    }
  }
  for (let i = 0; i <= maxId; i++) if (idStr[i] === undefined) idStr[i] = String(i);
  return { symOf, idStr };
}

function range(books, ids, r, from, to) {
  let results = 0;
  let skipped = 0;
  for (let i = from; i < to; i++) {
    const n = step(books, ids.symOf, ids.idStr, r, i * CS);
    if (n < 0) skipped++;
    else results += n;
  }
  return [results, skipped];
}

/**
 * Same protocol as the WASM per-call runner, but with a shorter warm-up and a single throughput pass
 * (one timer), and a latency pass timing every call with performance.now().
 * Order id strings are made in an untimed pre-pass (generous to the peer: its API wants string ids).
 */
export function benchPeer(r, setup) {
  const total = r.length / CS;
  const timed = total - setup;
  const ids = indexIds(r);
  // Warm-up on throwaway books: the setup and the first WARMUP messages (the peer is slow; that is enough for the JIT).
  range([], ids, r, 0, Math.min(total, setup + WARMUP));

  let books = [];
  range(books, ids, r, 0, setup);
  const t0 = performance.now();
  const [results, skipped] = range(books, ids, r, setup, total);
  const seconds = (performance.now() - t0) / 1e3;

  books = [];
  range(books, ids, r, 0, setup);
  const lat = new Float64Array(timed);
  let m = 0;
  for (let i = setup; i < total; i++) {
    const a = performance.now();
    const n = step(books, ids.symOf, ids.idStr, r, i * CS);
    const dt = (performance.now() - a) * 1e6;
    if (n >= 0) lat[m++] = dt;
  }
  return {
    results,
    skipped,
    msgs_per_s: (timed - skipped) / seconds,
    lat_ns: percentiles(lat.subarray(0, m)),
  };
}
