// Orders as the service keeps them in memory (integer units) and as they are
// stored and served (decimal strings), and the conversions between them.
import { fromUnits, toUnits } from './decimal.ts';
import { MONEY_SCALE, type Order, type OrderSide, type OrderStatus, type OrderType, type TimeInForce } from './types.ts';

/** Scales of the instrument an order trades. */
export interface Scales {
  price_scale: number;
  qty_scale: number;
}

/** An order as the engine service tracks it while it can still change. */
export interface OrderState {
  id: string;
  accountId: string;
  engineAccount: number;
  engineId: number;
  clientOrderId: string;
  requestHash: string;
  symbol: string;
  scales: Scales;
  side: OrderSide;
  type: OrderType;
  tif: TimeInForce;
  qty: bigint;
  filledQty: bigint;
  /** Σ price × qty of the fills, in money units. */
  filledNotional: bigint;
  limitPrice: bigint | null;
  stopPrice: bigint | null;
  displayQty: bigint | null;
  postOnly: boolean;
  reduceOnly: boolean;
  /** GTD expiry, ms since the epoch. */
  expireAt: number | null;
  status: OrderStatus;
  rejectReason: string | null;
  replaces: string | null;
  replacedBy: string | null;
  createdAt: number;
  updatedAt: number;
  filledAt: number | null;
  canceledAt: number | null;
  expiredAt: number | null;
  replacedAt: number | null;
  failedAt: number | null;
}

/** An orders-table row (numeric as decimal strings, timestamptz as Date or ISO text). */
export interface OrderRow {
  id: string;
  account_id: string;
  engine_id: number;
  client_order_id: string;
  request_hash: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  time_in_force: TimeInForce;
  qty: string;
  filled_qty: string;
  filled_notional: string;
  filled_avg_price: string | null;
  limit_price: string | null;
  stop_price: string | null;
  display_qty: string | null;
  post_only: boolean;
  reduce_only: boolean;
  expire_at: Date | string | null;
  status: OrderStatus;
  reject_reason: string | null;
  replaces: string | null;
  replaced_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  filled_at: Date | string | null;
  canceled_at: Date | string | null;
  expired_at: Date | string | null;
  replaced_at: Date | string | null;
  failed_at: Date | string | null;
}

// The rows and messages of one command share their timestamps (now, and an
// order's creation): the last two formatted are kept.
const isoCache = { ms: [NaN, NaN], text: ['', ''], next: 0 };

/** `new Date(ms).toISOString()`, formatting a time again only when it is not one of the last two. */
export function isoMs(ms: number): string {
  const c = isoCache;
  if (ms === c.ms[0]) return c.text[0];
  if (ms === c.ms[1]) return c.text[1];
  const text = new Date(ms).toISOString();
  c.ms[c.next] = ms;
  c.text[c.next] = text;
  c.next ^= 1;
  return text;
}

const iso = (ms: number | null): string | null => (ms === null ? null : isoMs(ms));
const isoOf = (v: Date | string | null): string | null => (v === null ? null : v instanceof Date ? v.toISOString() : new Date(v).toISOString());
const msOf = (v: Date | string | null): number | null => (v === null ? null : new Date(v).getTime());

/** The average fill price with 4 more decimals than the price scale, or null before the first fill. */
function avgPrice(s: OrderState): string | null {
  if (s.filledQty === 0n) return null;
  // notional (10^-(p+q)) / qty (10^-q) = price (10^-p); keep 4 more places, rounded half up.
  const scaled = s.filledNotional * 10_000n;
  const q = scaled / s.filledQty;
  return fromUnits((scaled % s.filledQty) * 2n >= s.filledQty ? q + 1n : q, s.scales.price_scale + 4);
}

const price = (v: bigint | null, s: Scales): string | null => (v === null ? null : fromUnits(v, s.price_scale));
const qty = (v: bigint | null, s: Scales): string | null => (v === null ? null : fromUnits(v, s.qty_scale));

/** The stored row of an order. */
export function stateToRow(s: OrderState): OrderRow {
  return {
    id: s.id,
    account_id: s.accountId,
    engine_id: s.engineId,
    client_order_id: s.clientOrderId,
    request_hash: s.requestHash,
    symbol: s.symbol,
    side: s.side,
    type: s.type,
    time_in_force: s.tif,
    qty: fromUnits(s.qty, s.scales.qty_scale),
    filled_qty: fromUnits(s.filledQty, s.scales.qty_scale),
    filled_notional: fromUnits(s.filledNotional, MONEY_SCALE),
    filled_avg_price: avgPrice(s),
    limit_price: price(s.limitPrice, s.scales),
    stop_price: price(s.stopPrice, s.scales),
    display_qty: qty(s.displayQty, s.scales),
    post_only: s.postOnly,
    reduce_only: s.reduceOnly,
    expire_at: iso(s.expireAt),
    status: s.status,
    reject_reason: s.rejectReason,
    replaces: s.replaces,
    replaced_by: s.replacedBy,
    created_at: iso(s.createdAt)!,
    updated_at: iso(s.updatedAt)!,
    filled_at: iso(s.filledAt),
    canceled_at: iso(s.canceledAt),
    expired_at: iso(s.expiredAt),
    replaced_at: iso(s.replacedAt),
    failed_at: iso(s.failedAt),
  };
}

/** Rebuilds the in-memory state of a stored open order. */
export function rowToState(r: OrderRow, engineAccount: number, scales: Scales): OrderState {
  const p = (v: string | null): bigint | null => (v === null ? null : toUnits(v, scales.price_scale));
  const q = (v: string | null): bigint | null => (v === null ? null : toUnits(v, scales.qty_scale));
  return {
    id: r.id,
    accountId: r.account_id,
    engineAccount,
    engineId: Number(r.engine_id),
    clientOrderId: r.client_order_id,
    requestHash: r.request_hash,
    symbol: r.symbol,
    scales,
    side: r.side,
    type: r.type,
    tif: r.time_in_force,
    qty: q(r.qty)!,
    filledQty: q(r.filled_qty)!,
    filledNotional: toUnits(r.filled_notional, MONEY_SCALE),
    limitPrice: p(r.limit_price),
    stopPrice: p(r.stop_price),
    displayQty: q(r.display_qty),
    postOnly: r.post_only,
    reduceOnly: r.reduce_only,
    expireAt: msOf(r.expire_at),
    status: r.status,
    rejectReason: r.reject_reason,
    replaces: r.replaces,
    replacedBy: r.replaced_by,
    createdAt: msOf(r.created_at)!,
    updatedAt: msOf(r.updated_at)!,
    filledAt: msOf(r.filled_at),
    canceledAt: msOf(r.canceled_at),
    expiredAt: msOf(r.expired_at),
    replacedAt: msOf(r.replaced_at),
    failedAt: msOf(r.failed_at),
  };
}

/** The API form of a stored order. Numeric columns are normalized (no trailing zeros). */
export function rowToOrder(r: OrderRow): Order {
  const dec = (v: string | null): string | null => (v === null ? null : normalize(v));
  return {
    id: r.id,
    client_order_id: r.client_order_id,
    created_at: isoOf(r.created_at)!,
    updated_at: isoOf(r.updated_at)!,
    submitted_at: isoOf(r.created_at)!,
    filled_at: isoOf(r.filled_at),
    expired_at: isoOf(r.expired_at),
    canceled_at: isoOf(r.canceled_at),
    failed_at: isoOf(r.failed_at),
    replaced_at: isoOf(r.replaced_at),
    replaced_by: r.replaced_by,
    replaces: r.replaces,
    symbol: r.symbol,
    qty: normalize(r.qty),
    filled_qty: normalize(r.filled_qty),
    filled_avg_price: dec(r.filled_avg_price),
    order_class: 'simple',
    order_type: r.type,
    type: r.type,
    side: r.side,
    time_in_force: r.time_in_force,
    limit_price: dec(r.limit_price),
    stop_price: dec(r.stop_price),
    display_qty: dec(r.display_qty),
    post_only: r.post_only,
    reduce_only: r.reduce_only,
    expire_at: isoOf(r.expire_at),
    status: r.status,
    reject_reason: r.reject_reason,
  };
}

/**
 * The API form of an order the service holds: rowToOrder(stateToRow(s)),
 * built directly (fromUnits already writes no trailing zeros, and the
 * timestamps need not go through their row form and back).
 */
export function stateToOrder(s: OrderState): Order {
  const created = iso(s.createdAt)!;
  return {
    id: s.id,
    client_order_id: s.clientOrderId,
    created_at: created,
    updated_at: iso(s.updatedAt)!,
    submitted_at: created,
    filled_at: iso(s.filledAt),
    expired_at: iso(s.expiredAt),
    canceled_at: iso(s.canceledAt),
    failed_at: iso(s.failedAt),
    replaced_at: iso(s.replacedAt),
    replaced_by: s.replacedBy,
    replaces: s.replaces,
    symbol: s.symbol,
    qty: fromUnits(s.qty, s.scales.qty_scale),
    filled_qty: fromUnits(s.filledQty, s.scales.qty_scale),
    filled_avg_price: avgPrice(s),
    order_class: 'simple',
    order_type: s.type,
    type: s.type,
    side: s.side,
    time_in_force: s.tif,
    limit_price: price(s.limitPrice, s.scales),
    stop_price: price(s.stopPrice, s.scales),
    display_qty: qty(s.displayQty, s.scales),
    post_only: s.postOnly,
    reduce_only: s.reduceOnly,
    expire_at: iso(s.expireAt),
    status: s.status,
    reject_reason: s.rejectReason,
  };
}

/** Strips trailing fractional zeros from a decimal string ("10.500" → "10.5", "3.0" → "3"). */
export function normalize(v: string): string {
  return v.includes('.') ? v.replace(/\.?0+$/, '') : v;
}
