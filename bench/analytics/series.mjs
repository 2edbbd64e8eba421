// The benchmark's series: a seeded geometric random walk of prices (xorshift32 steps) and, for the trade cases, the
// times and sizes of trades at those prices, computed with the same IEEE operations as
// engine-rs/examples/bench_analytics.rs so the native figures run on the very same numbers.

/** @param {number} len */
export function series(len) {
  const out = new Float64Array(len);
  let state = 0x9e3779b9;
  let price = 100;
  for (let i = 0; i < len; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const u = state / 4294967296;
    price *= 1 + (u - 0.5) * 0.002;
    out[i] = price;
  }
  return out;
}

/** 2024-01-02 14:30 UTC (a US session open), in ms since the Unix epoch. */
const FIRST_TRADE_MS = 1_704_205_800_000;

/**
 * Trades at the prices of `series(len)`: times increasing by 0-49 ms (several trades may share a millisecond, as on
 * a consolidated tape; about 2,450 trades a minute), sizes in round lots of 10 to 200 shares.
 * @param {number} len
 */
export function trades(len) {
  const ts = new Float64Array(len);
  const size = new Float64Array(len);
  let state = 0x2545f491;
  let t = FIRST_TRADE_MS;
  for (let i = 0; i < len; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    t += state % 50;
    ts[i] = t;
    size[i] = ((state >>> 8) % 20 + 1) * 10;
  }
  return { ts, price: series(len), size };
}
