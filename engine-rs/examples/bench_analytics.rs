//! Native timings of the analytics benchmark (`npm run bench:analytics`): the
//! same seeded price series as bench/analytics/series.mjs, each case on both
//! paths, best of a few runs, one JSON line per case on stdout.
//!
//! Usage: `cargo run --release -p cift-engine --example bench_analytics -- <points>...`.

use cift_engine::analytics::indicators::{bollinger, ema, rsi, sma};
use cift_engine::analytics::Path;
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
        let (mut a, mut b, mut c) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
        let reps = if len >= 5_000_000 { 3 } else { 5 };
        for (name, path) in [("native", Path::Simd), ("native-scalar", Path::Scalar)] {
            let cases: [(&str, f64); 4] = [
                ("SMA(20)", best_ms(reps, || sma(black_box(&x), 20, &mut a, path).unwrap())),
                ("EMA(20)", best_ms(reps, || ema(black_box(&x), 20, &mut a, path).unwrap())),
                ("RSI(14)", best_ms(reps, || rsi(black_box(&x), 14, &mut a, path).unwrap())),
                (
                    "Bollinger(20, 2)",
                    best_ms(reps, || bollinger(black_box(&x), 20, 2.0, 2.0, &mut a, &mut b, &mut c, path).unwrap()),
                ),
            ];
            for (case, ms) in cases {
                println!(r#"{{"case":"{case}","points":{len},"impl":"{name}","ms":{ms:.3}}}"#);
            }
        }
    }
}
