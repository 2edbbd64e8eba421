// Exact decimal strings ⇄ integer units. Prices, quantities and money cross
// the HTTP edge as decimal strings (Alpaca style) and the engine sees integers
// in each instrument's units; nothing here goes through binary floating point.

/** Largest integer the engine's f64 wire carries exactly. */
export const MAX_UNITS = 2n ** 53n;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;
const ZERO = 48; // '0'

/** Why a decimal did not convert: the message names no field, the caller adds it. */
export class DecimalError extends Error {}

/**
 * Parses a decimal string (or a finite JSON number) into units of 10^-scale.
 * Throws DecimalError for anything else, more decimals than `scale`, or a
 * magnitude of 2^53 units or more.
 */
export function toUnits(value: string | number, scale: number, allowNegative = false): bigint {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw new DecimalError(`must be a decimal number, got '${String(value).slice(0, 40)}'`);
  const [, minus, whole, frac = ''] = m;
  if (minus && !allowNegative) throw new DecimalError('must not be negative');
  let places = frac.length; // without trailing zeros
  while (places > 0 && frac.charCodeAt(places - 1) === ZERO) places--;
  if (places > scale) throw new DecimalError(`has more than ${scale} decimal places`);
  // One BigInt from the digits shifted by `scale` places: "12.5" at scale 2 is 1250.
  const units = BigInt(whole + frac.slice(0, places).padEnd(scale, '0'));
  if (units >= MAX_UNITS) throw new DecimalError('is too large');
  return minus ? -units : units;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new DecimalError('must be a finite number');
  // Shortest round-trip text, expanded from exponent form.
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mant, expText] = s.toLowerCase().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const [w, f = ''] = mant.replace('-', '').split('.');
  const digits = w + f;
  const point = w.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? '-' : '') + out;
}

/** Formats units of 10^-scale as a decimal string without trailing zeros ("12.5", "3", "-0.01"). */
export function fromUnits(units: bigint | number, scale: number): string {
  let neg: boolean;
  let s: string;
  if (typeof units === 'number' && Number.isSafeInteger(units)) {
    // The engine's f64 values: formatted as numbers, which is cheaper than going through a BigInt.
    neg = units < 0;
    s = String(neg ? -units : units);
  } else {
    const v = typeof units === 'bigint' ? units : BigInt(units);
    neg = v < 0n;
    s = (neg ? -v : v).toString();
  }
  if (scale > 0) {
    if (s.length <= scale) s = '0'.repeat(scale + 1 - s.length) + s;
    const point = s.length - scale;
    let end = s.length; // without trailing fractional zeros
    while (end > point && s.charCodeAt(end - 1) === ZERO) end--;
    s = end === point ? s.slice(0, point) : `${s.slice(0, point)}.${s.slice(point, end)}`;
  }
  return neg ? `-${s}` : s;
}

/** `a / b` in units of 10^-scale, rounded half away from zero (b > 0). */
export function divideToScale(a: bigint, b: bigint, scale: number): string {
  const scaled = a * 10n ** BigInt(scale);
  const neg = scaled < 0n;
  const abs = neg ? -scaled : scaled;
  let q = abs / b;
  if ((abs % b) * 2n >= b) q += 1n;
  return fromUnits(neg ? -q : q, scale);
}
