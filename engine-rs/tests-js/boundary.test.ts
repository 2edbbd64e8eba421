// The JS API's edges: event records read through the memory view, errors thrown across the boundary, snapshot and
// restore, queries against what the events say, malformed numbers, and memory growth under a huge batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, wasmMemory } from 'cift-engine';
import { callOne, COMMAND_STRIDE, EVENT_STRIDE, eventsView, load, runBatch, slotName } from './replay.mjs';
import { assertSameBytes, assertSameEvents, loadVectors, wasmBytes } from './vectors.ts';

load(wasmBytes);
const vectors = new Map(loadVectors().map((v) => [v.name, v]));
const vector = (name: string) => {
  const v = vectors.get(name);
  assert.ok(v, `vector ${name} is missing`);
  return v;
};

const BUY = 1;
const SELL = 2;
const [LIMIT, STOP] = [1, 3];
const [GTC, IOC] = [1, 4];

/** One decoded event: slot names (see replay.mjs) to values. */
type Ev = Record<string, number>;

/** Decodes event records by slot name, insisting that the unused tail of each record is zero. */
function decode(view: Float64Array): Ev[] {
  const out: Ev[] = [];
  for (let at = 0; at < view.length; at += EVENT_STRIDE) {
    const ev: Ev = {};
    const kind = view[at];
    for (let slot = 0; slot < EVENT_STRIDE; slot++) {
      const name = slotName(kind, slot);
      if (name.startsWith('slot')) assert.equal(view[at + slot], 0, `event ${at / EVENT_STRIDE}: padding ${name}`);
      else ev[name] = view[at + slot];
    }
    out.push(ev);
  }
  return out;
}

interface OrderSpec {
  id: number;
  account: number;
  symbol: number;
  side: number;
  type?: number;
  tif?: number;
  price?: number;
  qty: number;
  stop?: number;
}

/** An engine driven through the per-call methods, with seq and ts handed out in order. */
class Session {
  engine = new Engine();
  seq = 0;
  // Microseconds since 1970: large, but exact in an f64.
  ts = 1_700_000_000_000_000;

  private next(): [number, number] {
    this.seq += 1;
    this.ts += 1_000;
    return [this.ts, this.seq];
  }

  events(n: number): Ev[] {
    return decode(eventsView(this.engine, n));
  }

  instrument(symbol: number): Ev[] {
    return this.events(this.engine.addInstrument(...this.next(), symbol, 5, 10, 5, 1_000_000, 10, 1_000_000));
  }

  order(o: OrderSpec): Ev[] {
    const [ts, seq] = this.next();
    const { id, account, symbol, side, type = LIMIT, tif = GTC, price = 0, qty, stop = 0 } = o;
    return this.events(this.engine.newOrder(ts, seq, id, account, symbol, side, type, tif, price, qty, stop, 0, 0, 0, 0));
  }

  replace(id: number, account: number, price: number, qty: number): Ev[] {
    return this.events(this.engine.replace(...this.next(), id, account, price, qty));
  }

  cancel(id: number, account: number): Ev[] {
    return this.events(this.engine.cancel(...this.next(), id, account));
  }

  /** Both sides' top 100 levels as [price, qty, orders] triples. */
  book(symbol: number): number[][] {
    return [BUY, SELL].map((side) => Array.from(this.engine.levels(symbol, side, 100)));
  }
}

test('event records read through the memory view decode to the documented fields', () => {
  const s = new Session();
  const t = (seq: number) => s.ts - (s.seq - seq) * 1_000;
  assert.deepEqual(s.instrument(7), [{ kind: 1, seq: 1, cmdSeq: 1, ts: t(1), symbol: 7 }]);
  assert.deepEqual(s.order({ id: 100, account: 1, symbol: 7, side: SELL, price: 1000, qty: 100 }), [
    { kind: 2, seq: 2, cmdSeq: 2, ts: t(2), orderId: 100, account: 1, symbol: 7, side: SELL, orderType: LIMIT, tif: GTC, price: 1000, qty: 100 },
    { kind: 8, seq: 3, cmdSeq: 2, ts: t(2), symbol: 7, side: SELL, price: 1000, qty: 100, orders: 1 },
  ]);
  // An IOC buy through the ask: one trade at the maker's price, the rest cancelled.
  assert.deepEqual(s.order({ id: 101, account: 2, symbol: 7, side: BUY, tif: IOC, price: 1005, qty: 130 }), [
    { kind: 2, seq: 4, cmdSeq: 3, ts: t(3), orderId: 101, account: 2, symbol: 7, side: BUY, orderType: LIMIT, tif: IOC, price: 1005, qty: 130 },
    {
      kind: 4, seq: 5, cmdSeq: 3, ts: t(3), symbol: 7, makerId: 100, takerId: 101, makerAccount: 1, takerAccount: 2,
      takerSide: BUY, price: 1000, qty: 100, makerLeaves: 0, takerLeaves: 30,
    },
    { kind: 5, seq: 6, cmdSeq: 3, ts: t(3), orderId: 101, account: 2, symbol: 7, side: BUY, qty: 30, leaves: 0, reason: 2 },
    { kind: 8, seq: 7, cmdSeq: 3, ts: t(3), symbol: 7, side: SELL, price: 1000, qty: 0, orders: 0 },
  ]);
  // A buy stop at or below the last trade triggers on arrival; with no asks its market remainder is cancelled.
  assert.deepEqual(s.order({ id: 102, account: 3, symbol: 7, side: BUY, type: STOP, qty: 50, stop: 1000 }), [
    { kind: 2, seq: 8, cmdSeq: 4, ts: t(4), orderId: 102, account: 3, symbol: 7, side: BUY, orderType: STOP, tif: GTC, price: 0, qty: 50 },
    { kind: 7, seq: 9, cmdSeq: 4, ts: t(4), orderId: 102, account: 3, symbol: 7, side: BUY, stopPrice: 1000, lastPrice: 1000 },
    { kind: 5, seq: 10, cmdSeq: 4, ts: t(4), orderId: 102, account: 3, symbol: 7, side: BUY, qty: 50, leaves: 0, reason: 2 },
  ]);
  s.order({ id: 103, account: 4, symbol: 7, side: BUY, price: 990, qty: 40 });
  assert.deepEqual(s.replace(103, 4, 995, 60), [
    {
      kind: 6, seq: 13, cmdSeq: 6, ts: t(6), orderId: 103, account: 4, symbol: 7, side: BUY, oldPrice: 990, newPrice: 995,
      oldQty: 40, newQty: 60, priorityKept: 0,
    },
    { kind: 8, seq: 14, cmdSeq: 6, ts: t(6), symbol: 7, side: BUY, price: 990, qty: 0, orders: 0 },
    { kind: 8, seq: 15, cmdSeq: 6, ts: t(6), symbol: 7, side: BUY, price: 995, qty: 60, orders: 1 },
  ]);
  assert.deepEqual(s.cancel(999, 4), [{ kind: 3, seq: 16, cmdSeq: 7, ts: t(7), orderId: 999, account: 4, symbol: 0, reason: 13, limit: 0, requested: 0 }]);
  s.engine.free();
});

test('executeBatch beyond the command buffer throws a JS Error that says why', () => {
  const s = new Session();
  const thrown = (count: number) => (e: unknown) =>
    e instanceof Error && e.message.includes(`executeBatch(${count})`) && /holds \d+ records; call commandBuffer first/.test(e.message);
  assert.throws(() => s.engine.executeBatch(1), thrown(1));
  s.engine.commandBuffer(2);
  assert.throws(() => s.engine.executeBatch(3), (e: unknown) => thrown(3)(e) && (e as Error).message.includes('holds 2 records'));
  // Nothing ran, and the engine still works: two zeroed records are two malformed commands.
  assert.equal(s.engine.executeBatch(2), 2);
  assert.deepEqual(
    s.events(2).map((e) => [e.kind, e.reason]),
    [[3, 1], [3, 1]],
  );
  assert.equal(s.instrument(1).length, 1);
  s.engine.free();
});

test('restoring bytes that are not a snapshot throws an invalid-snapshot Error', () => {
  const s = new Session();
  s.instrument(1);
  s.order({ id: 1, account: 1, symbol: 1, side: BUY, price: 100, qty: 10 });
  const good = s.engine.snapshot();
  const otherVersion = good.slice();
  otherVersion[0] = 1;
  const garbage: [string, Uint8Array][] = [
    ['no bytes', new Uint8Array()],
    ['three bytes', new Uint8Array([1, 2, 3])],
    ['text', new TextEncoder().encode('not a snapshot at all')],
    ['truncated', good.subarray(0, good.length - 3)],
    ['another format version', otherVersion],
  ];
  for (const [what, bytes] of garbage) {
    assert.throws(
      () => Engine.restore(bytes),
      (e: unknown) => e instanceof Error && e.message.startsWith('invalid engine snapshot'),
      what,
    );
  }
  assert.throws(() => Engine.restore(otherVersion), /format version 1 \(this build reads 2 to 3\)/);
  s.engine.free();
});

test('snapshot then restore: identical events and state from there on', () => {
  const { commands } = vector('dense');
  const half = Math.floor(commands.length / COMMAND_STRIDE / 2) * COMMAND_STRIDE;
  const original = new Engine();
  runBatch(original, commands.subarray(0, half), () => {});
  const restored = Engine.restore(original.snapshot());
  assertSameBytes('snapshot of the restored engine', original.snapshot(), restored.snapshot());
  const run = (engine: Engine) => {
    const parts: Float64Array[] = [];
    runBatch(engine, commands.subarray(half), (events) => parts.push(events.slice()), 1000);
    const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    return all;
  };
  const a = run(original);
  const b = run(restored);
  assert.ok(a.length > 10_000 * EVENT_STRIDE);
  assertSameEvents('restored engine', a, b);
  assertSameBytes('final snapshots', original.snapshot(), restored.snapshot());
  original.free();
  restored.free();
});

/** What the events say about one live order. */
interface Shadow {
  account: number;
  symbol: number;
  side: number;
  type: number;
  tif: number;
  status: number;
  price: number;
  stop: number;
  display: number;
  leaves: number;
  filled: number;
}

test('levels, bestBid/bestAsk, depthAt, order, lastPrice and liveOrders agree with the events', () => {
  for (const name of ['order_types', 'amendments', 'dense']) {
    const { commands } = vector(name);
    const engine = new Engine();
    const book = new Map<string, [number, number]>(); // "symbol side price" -> [qty, orders], from BookDelta
    const orders = new Map<number, Shadow>();
    const last = new Map<number, number>();
    const symbols = new Set<number>();
    const n = commands.length / COMMAND_STRIDE;
    for (let i = 0; i < n; i++) {
      const rec = commands.subarray(i * COMMAND_STRIDE, (i + 1) * COMMAND_STRIDE);
      for (const e of decode(eventsView(engine, callOne(engine, rec)))) {
        const shadow = (id: number) => {
          const o = orders.get(id);
          assert.ok(o, `${name}: event for unknown live order ${id}`);
          return o;
        };
        const settle = (id: number, leaves: number) => (leaves === 0 ? orders.delete(id) : (shadow(id).leaves = leaves));
        if (e.kind === 1) symbols.add(e.symbol);
        if (e.kind === 2) {
          const stop = e.orderType >= 3;
          orders.set(e.orderId, {
            account: e.account, symbol: e.symbol, side: e.side, type: e.orderType, tif: e.tif, status: stop ? 2 : 1,
            price: e.price, stop: stop ? rec[11] : 0, display: rec[12], leaves: e.qty, filled: 0,
          });
        }
        if (e.kind === 4) {
          last.set(e.symbol, e.price);
          shadow(e.makerId).filled += e.qty;
          shadow(e.takerId).filled += e.qty;
          settle(e.makerId, e.makerLeaves);
          settle(e.takerId, e.takerLeaves);
        }
        if (e.kind === 5) settle(e.orderId, e.leaves);
        if (e.kind === 6) Object.assign(shadow(e.orderId), { price: e.newPrice, leaves: e.newQty });
        if (e.kind === 7) shadow(e.orderId).status = 1;
        if (e.kind === 8) {
          const key = `${e.symbol} ${e.side} ${e.price}`;
          if (e.qty === 0) {
            assert.equal(e.orders, 0, `${name}: empty level with orders`);
            book.delete(key);
          } else book.set(key, [e.qty, e.orders]);
        }
      }
      if (i % 50 !== 49 && i !== n - 1) continue;
      const at = `${name} after command ${i}`;
      assert.equal(engine.liveOrders(), orders.size, `${at}: liveOrders`);
      for (const symbol of symbols) {
        for (const side of [BUY, SELL]) {
          const levels = [...book]
            .map(([key, [qty, count]]) => [key.split(' ').map(Number), qty, count] as const)
            .filter(([[sym, sd]]) => sym === symbol && sd === side)
            .map(([[, , price], qty, count]) => [price, qty, count])
            .sort((x, y) => (side === BUY ? y[0] - x[0] : x[0] - y[0]));
          assert.deepEqual(Array.from(engine.levels(symbol, side, 10_000)), levels.flat(), `${at}: levels ${symbol}/${side}`);
          const best = side === BUY ? engine.bestBid(symbol) : engine.bestAsk(symbol);
          assert.ok(levels.length ? best === levels[0][0] : Number.isNaN(best), `${at}: best ${symbol}/${side}`);
          for (const [price, qty] of levels) assert.equal(engine.depthAt(symbol, side, price), qty, `${at}: depthAt`);
          const outside = levels.length ? levels[levels.length - 1][0] + (side === BUY ? -1 : 1) : 1;
          assert.equal(engine.depthAt(symbol, side, outside), 0, `${at}: depthAt outside the book`);
        }
        const lastPrice = engine.lastPrice(symbol);
        assert.ok(last.has(symbol) ? lastPrice === last.get(symbol) : Number.isNaN(lastPrice), `${at}: lastPrice`);
      }
      const perLevel = new Map<string, number>();
      for (const [id, o] of orders) {
        const got = engine.order(id);
        assert.ok(got, `${at}: order ${id} is live by the events but unknown to the engine`);
        const [account, symbol, side, type, tif, status, price, stop, leaves, visible, filled] = Array.from(got);
        assert.deepEqual(
          { account, symbol, side, type, tif, status, price, stop, leaves, filled },
          { account: o.account, symbol: o.symbol, side: o.side, type: o.type, tif: o.tif, status: o.status, price: o.price, stop: o.stop, leaves: o.leaves, filled: o.filled },
          `${at}: order ${id}`,
        );
        if (status === 2) assert.equal(visible, 0, `${at}: pending stop ${id} shows quantity`);
        else {
          const cap = o.display > 0 ? Math.min(o.display, leaves) : leaves;
          assert.ok(visible > 0 && visible <= cap && (o.display > 0 || visible === leaves), `${at}: order ${id} visible ${visible}`);
          const key = `${symbol} ${side} ${price}`;
          perLevel.set(key, (perLevel.get(key) ?? 0) + 1);
        }
      }
      // Every resting order sits on a level the deltas announced, with the announced order count.
      assert.deepEqual(
        [...perLevel].sort(),
        [...book].map(([key, [, count]]) => [key, count]).sort(),
        `${at}: orders per level`,
      );
    }
    assert.equal(engine.order(123_456_789), undefined);
    engine.free();
  }
});

test('query arguments out of range throw; unknown things read as empty', () => {
  const s = new Session();
  s.instrument(1);
  assert.throws(() => s.engine.depthAt(1, 3, 100), (e: unknown) => e instanceof Error && /side must be 1 \(buy\) or 2 \(sell\)/.test(e.message));
  assert.throws(() => s.engine.levels(1, 0, 5), /side must be 1/);
  assert.deepEqual(Array.from(s.engine.levels(42, BUY, 5)), []);
  assert.ok(Number.isNaN(s.engine.bestBid(42)) && Number.isNaN(s.engine.bestAsk(1)) && Number.isNaN(s.engine.lastPrice(1)));
  assert.equal(s.engine.depthAt(42, SELL, 100), 0);
  assert.equal(s.engine.order(1), undefined);
  // Queries take exact integers, like commands: nothing is truncated or wrapped.
  assert.throws(() => s.engine.depthAt(1, BUY, 100.5), /price must be an integer/);
  assert.throws(() => s.engine.order(5.7), /id must be an integer/);
  assert.throws(() => s.engine.bestBid(4294967297), /symbol must be an integer from 0 to 4294967295/);
  assert.throws(() => s.engine.lastPrice(Number.NaN), /symbol must be an integer/);
  assert.throws(() => s.engine.levels(1, BUY, -1), /n must be an integer/);
  s.engine.free();
});

test('a NaN, infinite or fractional price is rejected as Malformed and changes nothing', () => {
  const s = new Session();
  s.instrument(1);
  s.order({ id: 1, account: 1, symbol: 1, side: BUY, price: 100, qty: 10 });
  s.order({ id: 2, account: 2, symbol: 1, side: SELL, price: 110, qty: 20 });
  const [accepted] = s.order({ id: 3, account: 3, symbol: 1, side: BUY, type: STOP, qty: 10, stop: 200 });
  const state = () => ({
    book: s.book(1),
    live: s.engine.liveOrders(),
    orders: [1, 2, 3, 4].map((id) => s.engine.order(id)),
    last: s.engine.lastPrice(1),
  });
  const before = state();
  const seq = s.seq + 1;
  let eventSeq = accepted.seq;
  for (const price of [NaN, Infinity, -Infinity, 110.5, 1e300]) {
    // Per call: a crossing buy that would trade if its price decoded.
    const n = s.engine.newOrder(s.ts, seq, 4, 4, 1, BUY, LIMIT, GTC, price, 10, 0, 0, 0, 0, 0);
    assert.deepEqual(s.events(n), [{ kind: 3, seq: ++eventSeq, cmdSeq: seq, ts: s.ts, orderId: 4, account: 0, symbol: 0, reason: 1, limit: 0, requested: 0 }]);
    // Batch: the same record through executeBatch.
    const ptr = s.engine.commandBuffer(1);
    new Float64Array(wasmMemory().buffer, ptr, COMMAND_STRIDE).set([1, s.ts, seq, 4, 4, 1, BUY, LIMIT, GTC, price, 10, 0, 0, 0, 0, 0]);
    assert.deepEqual(decode(eventsView(s.engine, s.engine.executeBatch(1))).map((e) => [e.kind, e.reason, e.seq]), [[3, 1, ++eventSeq]]);
    assert.deepEqual(state(), before, `after price ${price}`);
  }
  // The malformed commands did not consume their seq: a valid command may still use it.
  const n = s.engine.newOrder(s.ts, seq, 4, 4, 1, BUY, LIMIT, GTC, 110, 10, 0, 0, 0, 0, 0);
  assert.deepEqual(
    s.events(n).map((e) => e.kind),
    [2, 4, 8],
  );
  s.engine.free();
});

test('memory growth during a huge batch: a re-taken view reads the right events', () => {
  const { commands, events } = vector('random');
  const engine = new Engine();
  const first = eventsView(engine, callOne(engine, commands.subarray(0, COMMAND_STRIDE)));
  assert.equal(first.length, EVENT_STRIDE);
  const memory = wasmMemory() as WebAssembly.Memory;
  const before = memory.buffer.byteLength;
  // Ask for a command buffer larger than all of memory so far: the memory must grow.
  const records = commands.length / COMMAND_STRIDE - 1;
  const capacity = Math.max(records, Math.ceil(before / (COMMAND_STRIDE * 8)) + 1);
  const ptr = engine.commandBuffer(capacity);
  assert.ok(memory.buffer.byteLength > before, 'memory did not grow');
  assert.equal(first.length, 0, 'a view taken before the growth should be detached');
  new Float64Array(wasmMemory().buffer, ptr, records * COMMAND_STRIDE).set(commands.subarray(COMMAND_STRIDE));
  const n = engine.executeBatch(records);
  assert.equal(n, events.length / EVENT_STRIDE - 1);
  assertSameEvents('one huge batch', events.subarray(EVENT_STRIDE), eventsView(engine, n));
  engine.free();
});
