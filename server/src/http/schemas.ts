// Shared zod schemas: request validation and the OpenAPI document in one.
// Objects are strict (an unknown field is a 422 naming it).
import { z } from '@hono/zod-openapi';

/** What a decimal string looks like: up to 30 digits each side of an optional point. */
const DECIMAL = /^\d{1,30}(\.\d{1,30})?$/;
/** The same with a non-zero digit somewhere: a decimal greater than 0. */
const POSITIVE_DECIMAL = /^(?=[\d.]*[1-9])\d{1,30}(\.\d{1,30})?$/;

/**
 * A decimal as a string ("10.25"); a JSON number is accepted and turned into its shortest decimal text. The
 * published schema is the check: a pattern-checked string, or a number in the same range.
 */
function decimal(positive: boolean) {
  const [pattern, what] = positive ? [POSITIVE_DECIMAL, 'a positive'] : [DECIMAL, 'a non-negative'];
  return z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      const text = typeof v === 'number' ? (Number.isFinite(v) ? decimalOfNumber(v) : '') : v;
      if (!pattern.test(text)) {
        ctx.addIssue({ code: 'custom', message: `must be ${what} decimal string, got ${JSON.stringify(v).slice(0, 40)}` });
        return z.NEVER;
      }
      return text;
    })
    .openapi({
      // A number is taken as its shortest decimal text (`decimalOfNumber`), so under 1e30 as the pattern is.
      anyOf: [
        { type: 'string', pattern: pattern.source },
        { type: 'number', ...(positive ? { exclusiveMinimum: 0 } : { minimum: 0 }), exclusiveMaximum: 1e30 },
      ],
      description: `${what[0].toUpperCase()}${what.slice(1)} decimal, as a string (a JSON number is taken as its shortest decimal text)`,
      example: '10.5',
    });
}

/** A decimal ≥ 0 (limits, where 0 means none). */
export const Decimal = decimal(false);
/** A decimal > 0 (quantities, prices, amounts). */
export const PositiveDecimal = decimal(true);
/** A decimal > 0 in a query string, where every value is text: the string form alone. */
export const PositiveDecimalText = z
  .string()
  .regex(POSITIVE_DECIMAL, 'must be a positive decimal string')
  .openapi({ description: 'A positive decimal', example: '10.5' });

/**
 * A JSON number as the shortest decimal text that reads back as it: `String(n)` where that has no exponent,
 * otherwise the same shortest digits (`toExponential()`) with the point moved by hand, so 1e-7 is "0.0000001"
 * and 1e21 is "1" and 21 zeros (not binary noise digits, not an exponent the pattern refuses).
 */
export function decimalOfNumber(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mantissa, exponent] = n.toExponential().split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = Number(exponent) + 1; // digits before the point
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A comma-separated list of `entry` (a pattern anchored with ^…$), with spaces around each entry and no entry
 * empty; `orEmpty` also takes "" (no list at all).
 */
export function commaListPattern(entry: RegExp, orEmpty = false): RegExp {
  const item = `\\s*${entry.source.slice(1, -1)}\\s*`;
  const list = `${item}(,${item})*`;
  return new RegExp(orEmpty ? `^(${list})?$` : `^${list}$`);
}

/** A symbol as listed (upper case). */
export const Symbol = z.string().regex(/^[A-Z0-9][A-Z0-9./-]{0,15}$/, 'must be an upper-case symbol of up to 16 characters').openapi({ example: 'AAPL' });

export const Uuid = z.uuid();

/**
 * `schema` or null. Not `.nullable()`: on a registered (named) schema that publishes as `allOf [$ref, {type:
 * [object, null]}]`, which no null satisfies; a union publishes as `anyOf [$ref, {type: null}]`.
 */
export const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/**
 * Free text the venue stores (client order ids, names): no control characters (PostgreSQL text refuses NUL) and no
 * lone surrogates (not Unicode: PostgreSQL refuses them in JSON, such as an audit row, and stores them altered in
 * text, where two ids would then collide). Matched by UTF-16 code unit: anything but a control character (the class
 * Cc spelled as its ranges: C0, DEL, C1) or a surrogate, or a surrogate pair. Without the `u` flag: the OpenAPI
 * document publishes the pattern's source alone, and a pattern must mean the same there.
 */
export const Text = z
  .string()
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  .regex(/^(?:[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/, 'must not contain control characters or lone surrogates');

/**
 * An ISO 8601 / RFC 3339 date, or date-time with optional seconds, fraction and offset. Offsets stop at ±15:59,
 * PostgreSQL's range (RFC 3339 allows ±23:59; no time zone is past +14:00).
 */
const ISO_TIME =
  /^(?!0000)(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:[Tt ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,9})?)?([Zz]|[+-](?:0\d|1[0-5])(?::?[0-5]\d)?)?)?$/;

/**
 * `text` as the canonical date-time of the instant it names (`YYYY-MM-DDTHH:MM:SS[.fraction]±HH:MM`; a bare date
 * is midnight UTC, a date-time without an offset is UTC), or undefined unless it names a real one: every field in
 * range (February 30th is not a date), years 0001–9999. Canonical, so every store reads the same instant from it.
 */
export function canonicalIsoTime(text: string): string | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', fraction = '', zone] = m;
  // The pattern bounds every field but the day by its month (February 30th matches it).
  if (Number(d) > daysIn(Number(y), Number(mo))) return undefined;
  let offset = '+00:00';
  if (zone !== undefined && zone.toUpperCase() !== 'Z') offset = `${zone[0]}${zone.slice(1, 3)}:${zone.length > 3 ? zone.slice(-2) : '00'}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${sec}${fraction}${offset}`;
}

/** Days in `month` (1–12) of `year`, Gregorian. */
function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Timestamps in query strings: an ISO 8601 date or date-time, passed on in canonical form (see `canonicalIsoTime`). */
export const IsoTime = z
  .string()
  .transform((v, ctx) => {
    const canonical = canonicalIsoTime(v);
    if (canonical === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be an ISO 8601 date or date-time such as 2025-01-02 or 2025-01-02T15:04:05Z, got ${JSON.stringify(v.slice(0, 40))}` });
      return z.NEVER;
    }
    return canonical;
  })
  .openapi({ type: 'string', pattern: ISO_TIME.source, example: '2025-01-02T15:04:05Z' });

export const OrderSchema = z
  .object({
    id: z.string(),
    client_order_id: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    submitted_at: z.string(),
    filled_at: z.string().nullable(),
    expired_at: z.string().nullable(),
    canceled_at: z.string().nullable(),
    failed_at: z.string().nullable(),
    replaced_at: z.string().nullable(),
    replaced_by: z.string().nullable(),
    replaces: z.string().nullable(),
    symbol: z.string(),
    qty: z.string(),
    filled_qty: z.string(),
    filled_avg_price: z.string().nullable(),
    order_class: z.literal('simple'),
    order_type: z.enum(['market', 'limit', 'stop', 'stop_limit']),
    type: z.enum(['market', 'limit', 'stop', 'stop_limit']),
    side: z.enum(['buy', 'sell']),
    time_in_force: z.enum(['day', 'gtc', 'gtd', 'ioc', 'fok']),
    limit_price: z.string().nullable(),
    stop_price: z.string().nullable(),
    display_qty: z.string().nullable(),
    post_only: z.boolean(),
    reduce_only: z.boolean(),
    expire_at: z.string().nullable(),
    status: z.enum(['pending_new', 'new', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected', 'replaced']),
    reject_reason: z.string().nullable(),
  })
  .openapi('Order');

export const InstrumentSchema = z
  .object({
    symbol: z.string(),
    name: z.string(),
    price_scale: z.number().int(),
    qty_scale: z.number().int(),
    tick_size: z.string(),
    lot_size: z.string(),
    min_price: z.string(),
    max_price: z.string(),
    min_qty: z.string(),
    max_qty: z.string(),
    maker_fee_bps: z.string(),
    taker_fee_bps: z.string(),
    status: z.enum(['active', 'halted']),
    tradable: z.boolean(),
  })
  .openapi('Instrument');

export const PositionSchema = z
  .object({
    symbol: z.string(),
    qty: z.string(),
    side: z.enum(['long', 'short']),
    avg_entry_price: z.string(),
    cost_basis: z.string(),
    market_value: z.string().nullable(),
    current_price: z.string().nullable(),
    unrealized_pl: z.string(),
    realized_pl: z.string(),
  })
  .openapi('Position');

export const QuoteSchema = z
  .object({
    symbol: z.string(),
    bid_price: z.string().nullable(),
    bid_size: z.string(),
    ask_price: z.string().nullable(),
    ask_size: z.string(),
    last_price: z.string().nullable(),
    timestamp: z.string(),
  })
  .openapi('Quote');

const PRE_TRADE_CHECKS =
  "false: post-trade only (a house or market-maker account). No pre-trade check refuses the account's orders and the " +
  'other limits here are kept but not applied; halts, the kill switch and the bounds that keep the accounting exact ' +
  '(positions within 64 bits, buying power not below -2^100 money units) still refuse. Cash, positions and fills are ' +
  'kept as for any account, and buying power may go negative.';

const riskLimitFields = {
  max_order_qty: Decimal.openapi({ description: 'whole units per order in any instrument; 0 = unlimited', example: '1000' }),
  max_order_notional: Decimal.openapi({ description: 'money per order; 0 = unlimited' }),
  max_gross_exposure: Decimal.openapi({ description: 'money; 0 = unlimited' }),
  max_open_orders: z.number().int().min(0).max(1_000_000),
  orders_per_second: z.number().int().min(0).max(1_000_000),
  shorting_enabled: z.boolean(),
};

/** Risk limits as set (`pre_trade_checks` may be left out: true). */
export const RiskLimitsSchema = z
  .object({ ...riskLimitFields, pre_trade_checks: z.boolean().default(true).openapi({ description: PRE_TRADE_CHECKS }) })
  .strict()
  .openapi('RiskLimits');

/** Risk limits as in force: every field, `pre_trade_checks` included (a whole object, not an `allOf`, so that
 * `additionalProperties: false` holds for all of its fields). */
export const RiskLimitsInForceSchema = z
  .object({ ...riskLimitFields, pre_trade_checks: z.boolean().openapi({ description: PRE_TRADE_CHECKS }) })
  .strict()
  .openapi('RiskLimitsInForce');

/** Per-item outcome of a bulk operation (207). */
export const MultiStatusSchema = z
  .array(
    z.object({
      id: z.string().optional(),
      symbol: z.string().optional(),
      status: z.number().int(),
      body: z.unknown(),
    }),
  )
  .openapi('MultiStatus');

/** Instrument API form (engine ids stay internal). */
export function instrumentOut(i: {
  symbol: string;
  name: string;
  price_scale: number;
  qty_scale: number;
  tick_size: string;
  lot_size: string;
  min_price: string;
  max_price: string;
  min_qty: string;
  max_qty: string;
  maker_fee_bps: string;
  taker_fee_bps: string;
  status: 'active' | 'halted';
}): z.infer<typeof InstrumentSchema> {
  return {
    symbol: i.symbol,
    name: i.name,
    price_scale: i.price_scale,
    qty_scale: i.qty_scale,
    tick_size: i.tick_size,
    lot_size: i.lot_size,
    min_price: i.min_price,
    max_price: i.max_price,
    min_qty: i.min_qty,
    max_qty: i.max_qty,
    maker_fee_bps: i.maker_fee_bps,
    taker_fee_bps: i.taker_fee_bps,
    status: i.status,
    tradable: i.status === 'active',
  };
}
