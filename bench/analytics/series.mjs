// The benchmark's price series: a seeded geometric random walk (xorshift32 steps), computed with the same IEEE
// operations as engine-rs/examples/bench_analytics.rs so the native figures run on the very same numbers.

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
