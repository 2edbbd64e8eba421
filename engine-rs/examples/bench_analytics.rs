//! Native timings of the analytics benchmark (`npm run bench:analytics`): the
//! same seeded price and trade series as bench/analytics/series.mjs, each case
//! on both paths, best of a few runs, one JSON line per case on stdout.
//!
//! Usage: `cargo run --release -p cift-engine --example bench_analytics -- <points>...`.

use cift_engine::analytics::indicators::{bollinger, ema, rsi, sma};
use cift_engine::analytics::{rolling_vwap_into, time_bars, volume_bars, vwap_into, Path};
use std::hint::black_box;
use std::time::Instant;

/// The geometric random walk of bench/analytics/series.mjs, operation for operation.
fn series(len: usize) -> Vec<f64> {
    let mut state: u32 = 0x9e37_79b9;
    let mut price = 100.0;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let u = f64::from(state) / 4_294_967_296.0;
            price *= 1.0 + (u - 0.5) * 0.002;
            price
        })
        .collect()
}

/// 2024-01-02 14:30 UTC in ms since the Unix epoch.
const FIRST_TRADE_MS: f64 = 1_704_205_800_000.0;

/// Trade times and sizes of bench/analytics/series.mjs `trades`, operation for operation.
fn trades(len: usize) -> (Vec<f64>, Vec<f64>) {
    let mut state: u32 = 0x2545_f491;
    let mut t = FIRST_TRADE_MS;
    let (mut ts, mut size) = (Vec::with_capacity(len), Vec::with_capacity(len));
    for _ in 0..len {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        t += f64::from(state % 50);
        ts.push(t);
        size.push(f64::from((state >> 8) % 20 + 1) * 10.0);
    }
    (ts, size)
}

fn best_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    best
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("points must be a number")).collect();
    for len in sizes {
        let x = series(len);
        let (ts, size) = trades(len);
        let (mut a, mut b, mut c) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
        let reps = if len >= 5_000_000 { 3 } else { 5 };
        for (name, path) in [("native", Path::Simd), ("native-scalar", Path::Scalar)] {
            let cases: [(&str, f64); 8] = [
                ("SMA(20)", best_ms(reps, || sma(black_box(&x), 20, &mut a, path).unwrap())),
                ("EMA(20)", best_ms(reps, || ema(black_box(&x), 20, &mut a, path).unwrap())),
                ("RSI(14)", best_ms(reps, || rsi(black_box(&x), 14, &mut a, path).unwrap())),
                (
                    "Bollinger(20, 2)",
                    best_ms(reps, || bollinger(black_box(&x), 20, 2.0, 2.0, &mut a, &mut b, &mut c, path).unwrap()),
                ),
                ("VWAP cumulative", best_ms(reps, || vwap_into(black_box(&x), &size, &mut a, path).unwrap())),
                (
                    "VWAP(20) rolling",
                    best_ms(reps, || rolling_vwap_into(black_box(&x), &size, 20, &mut a, path).unwrap()),
                ),
                // Bars have one path (a recurrence over trades).
                ("Time bars 1 min", best_ms(reps, || drop(black_box(time_bars(&ts, &x, &size, 60_000.0).unwrap())))),
                ("Volume bars 10k", best_ms(reps, || drop(black_box(volume_bars(&ts, &x, &size, 10_000.0).unwrap())))),
            ];
            for (case, ms) in cases {
                println!(r#"{{"case":"{case}","points":{len},"impl":"{name}","ms":{ms:.3}}}"#);
            }
        }
    }
}
