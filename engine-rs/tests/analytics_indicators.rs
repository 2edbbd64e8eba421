//! Indicators natively: hand-computed values, TA-Lib's warm-up (NaN up to the
//! lookback), SIMD == scalar and streaming == batch bit for bit over random
//! series and many windows, and refusals that leave the outputs untouched.
//! (The comparison with TA-Lib itself runs against the WASM build in
//! engine-rs/tests-js/analytics-indicators.test.ts.)

use cift_engine::analytics::indicators::*;
use cift_engine::analytics::{AnalyticsError, Path};

const PATHS: [Path; 2] = [Path::Simd, Path::Scalar];

fn bits(label: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{label}: length");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(x.to_bits(), y.to_bits(), "{label}[{i}]: {x} vs {y}");
    }
}

fn warm(label: &str, out: &[f64], lookback: usize) {
    let end = lookback.min(out.len());
    assert!(out[..end].iter().all(|v| v.is_nan()), "{label}: warm-up not NaN");
    assert!(out[end..].iter().all(|v| v.is_finite()), "{label}: NaN after warm-up");
}

/// A random walk of prices with bars around it; some flat stretches so ranges of 0 and σ of 0 occur.
fn series(len: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut p = 100.0;
    let (mut h, mut l, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..len {
        if (i / 37) % 5 != 0 {
            p += rng.f64() - 0.5;
        }
        let up = if (i / 37) % 5 == 0 { 0.0 } else { rng.f64() * 0.3 };
        let down = if (i / 37) % 5 == 0 { 0.0 } else { rng.f64() * 0.3 };
        h.push(p + up);
        l.push(p - down);
        c.push(p);
    }
    (h, l, c)
}

#[test]
fn hand_computed_values() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let mut out = [0.0; 6];
    sma(&x, 3, &mut out, Path::Simd).unwrap();
    assert!(out[..2].iter().all(|v| v.is_nan()));
    assert_eq!(&out[2..], &[2.0, 3.0, 4.0, 5.0]);
    wma(&x, 3, &mut out, Path::Simd).unwrap();
    assert_eq!(out[2], (1.0 + 4.0 + 9.0) / 6.0);
    ema(&x, 3, &mut out, Path::Scalar).unwrap();
    assert_eq!(&out[2..], &[2.0, 3.0, 4.0, 5.0]); // a straight line: the EMA lags by one step exactly
    rsi(&[1.0, 2.0, 1.0, 2.0, 3.0, 3.0], 2, &mut out, Path::Simd).unwrap();
    // Seed: gains (1) / losses (1) over 2 changes → 50; then Wilder: gain (0.5+1)/2, loss 0.5/2 → 75.
    assert_eq!(&out[2..4], &[50.0, 75.0]);
    rolling_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8, &mut [0.0; 8], Path::Simd).unwrap();
    let mut sd = [0.0; 8];
    rolling_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8, &mut sd, Path::Simd).unwrap();
    assert_eq!(sd[7], 2.0);
    let mut z = [0.0; 8];
    zscore(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8, &mut z, Path::Scalar).unwrap();
    assert_eq!(z[7], 2.0); // (9 − 5) / 2
    zscore(&[3.0; 8], 4, &mut z, Path::Simd).unwrap();
    assert_eq!(&z[3..], &[0.0; 5]); // σ = 0: on the mean
    let (mut u, mut m, mut l) = ([0.0; 8], [0.0; 8], [0.0; 8]);
    bollinger(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8, 2.0, 1.0, &mut u, &mut m, &mut l, Path::Simd).unwrap();
    assert_eq!((u[7], m[7], l[7]), (9.0, 5.0, 3.0));
    let mut tr = [0.0; 4];
    // True ranges 2, |10 − 14| = 4, |13 − 9| = 4 → ATR(2): (2 + 4) / 2 = 3, then (3 · 1 + 4) / 2 = 3.5.
    atr(&[10.0, 11.0, 14.0, 12.0], &[9.0, 9.0, 12.0, 9.0], &[10.0, 10.0, 13.0, 10.0], 2, &mut tr, Path::Simd).unwrap();
    assert!(tr[0].is_nan() && tr[1].is_nan());
    assert_eq!(&tr[2..], &[3.0, 3.5]);
    let (mut k, mut d) = ([0.0; 4], [0.0; 4]);
    stoch(&[2.0, 4.0, 4.0, 4.0], &[0.0, 0.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 3.5], 2, 1, 1, &mut k, &mut d, Path::Simd)
        .unwrap();
    assert_eq!(&k[1..], &[75.0, 50.0, 75.0]);
    assert_eq!(k[1..], d[1..]);
}

#[test]
fn simd_equals_scalar_and_streaming_equals_batch() {
    for (len, seed) in [(1, 1), (7, 2), (64, 3), (1000, 4), (9001, 5)] {
        let (h, l, c) = series(len, seed);
        for window in [1, 2, 3, 4, 5, 9, 14, 20, 63, 200, 4096, 5000] {
            if window > len {
                continue;
            }
            let run = |f: &dyn Fn(&mut [f64], Path)| -> Vec<f64> {
                let mut outs = Vec::new();
                for path in PATHS {
                    let mut o = vec![0.0; len];
                    f(&mut o, path);
                    outs.push(o);
                }
                bits(&format!("simd vs scalar w={window} len={len}"), &outs[0], &outs[1]);
                outs.swap_remove(0)
            };
            let label = |name: &str| format!("{name}({window}) len={len}");

            let b = run(&|o, p| sma(&c, window, o, p).unwrap());
            let mut s = Sma::new(window).unwrap();
            bits(&label("sma"), &b, &c.iter().map(|&v| s.update(v).unwrap()).collect::<Vec<_>>());
            warm(&label("sma"), &b, sma_lookback(window));

            let b = run(&|o, p| ema(&c, window, o, p).unwrap());
            let mut s = Ema::new(window).unwrap();
            bits(&label("ema"), &b, &c.iter().map(|&v| s.update(v).unwrap()).collect::<Vec<_>>());
            warm(&label("ema"), &b, ema_lookback(window));

            let b = run(&|o, p| wma(&c, window, o, p).unwrap());
            let mut s = Wma::new(window).unwrap();
            bits(&label("wma"), &b, &c.iter().map(|&v| s.update(v).unwrap()).collect::<Vec<_>>());
            warm(&label("wma"), &b, wma_lookback(window));

            let b = run(&|o, p| rsi(&c, window, o, p).unwrap());
            let mut s = Rsi::new(window).unwrap();
            bits(&label("rsi"), &b, &c.iter().map(|&v| s.update(v).unwrap()).collect::<Vec<_>>());
            warm(&label("rsi"), &b, rsi_lookback(window));

            let b = run(&|o, p| rolling_std(&c, window, o, p).unwrap());
            let mut s = RollingStd::new(window).unwrap();
            bits(&label("std"), &b, &c.iter().map(|&v| s.update(v).unwrap()).collect::<Vec<_>>());
            warm(&label("std"), &b, rolling_std_lookback(window));

            let b = run(&|o, p| zscore(&c, window, o, p).unwrap());
            let mut s = ZScore::new(window).unwrap();
            bits(&label("z"), &b, &c.iter().map(|&v| s.update(v).unwrap()).collect::<Vec<_>>());
            warm(&label("z"), &b, zscore_lookback(window));

            let b = run(&|o, p| atr(&h, &l, &c, window, o, p).unwrap());
            let mut s = Atr::new(window).unwrap();
            let streamed: Vec<f64> = (0..len).map(|i| s.update(h[i], l[i], c[i]).unwrap()).collect();
            bits(&label("atr"), &b, &streamed);
            warm(&label("atr"), &b, atr_lookback(window));

            for (ku, kd) in [(2.0, 2.0), (1.0, 1.0), (2.5, 0.5)] {
                let mut bands = Vec::new();
                for path in PATHS {
                    let (mut u, mut m, mut lo) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
                    bollinger(&c, window, ku, kd, &mut u, &mut m, &mut lo, path).unwrap();
                    bands.push((u, m, lo));
                }
                let mut s = Bollinger::new(window, ku, kd).unwrap();
                let pts: Vec<BollingerPoint> = c.iter().map(|&v| s.update(v).unwrap()).collect();
                let (u, m, lo) = &bands[0];
                bits(&label("bb upper"), u, &bands[1].0);
                bits(&label("bb middle"), m, &bands[1].1);
                bits(&label("bb lower"), lo, &bands[1].2);
                bits(&label("bb upper stream"), u, &pts.iter().map(|p| p.upper).collect::<Vec<_>>());
                bits(&label("bb middle stream"), m, &pts.iter().map(|p| p.middle).collect::<Vec<_>>());
                bits(&label("bb lower stream"), lo, &pts.iter().map(|p| p.lower).collect::<Vec<_>>());
                warm(&label("bb"), u, bollinger_lookback(window));
                let mut sm = vec![0.0; len];
                sma(&c, window, &mut sm, Path::Simd).unwrap();
                bits(&label("bb middle = sma"), m, &sm);
            }

            for (sk, sd) in [(1, 1), (3, 3), (5, 2)] {
                let mut kd = Vec::new();
                for path in PATHS {
                    let (mut k, mut d) = (vec![0.0; len], vec![0.0; len]);
                    stoch(&h, &l, &c, window, sk, sd, &mut k, &mut d, path).unwrap();
                    kd.push((k, d));
                }
                bits(&label("stoch k"), &kd[0].0, &kd[1].0);
                bits(&label("stoch d"), &kd[0].1, &kd[1].1);
                let mut s = Stoch::new(window, sk, sd).unwrap();
                let pts: Vec<StochPoint> = (0..len).map(|i| s.update(h[i], l[i], c[i]).unwrap()).collect();
                bits(&label("stoch k stream"), &kd[0].0, &pts.iter().map(|p| p.k).collect::<Vec<_>>());
                bits(&label("stoch d stream"), &kd[0].1, &pts.iter().map(|p| p.d).collect::<Vec<_>>());
                warm(&label("stoch"), &kd[0].0, stoch_lookback(window, sk, sd));
                assert!(kd[0].0.iter().chain(&kd[0].1).all(|v| v.is_nan() || (-1e-9..=100.0 + 1e-9).contains(v)));
            }
        }
        for (f, s, g) in [(12, 26, 9), (2, 3, 1), (5, 35, 5)] {
            if s > len {
                continue;
            }
            let mut outs = Vec::new();
            for path in PATHS {
                let (mut a, mut b, mut d) = (vec![0.0; len], vec![0.0; len], vec![0.0; len]);
                macd(&c, f, s, g, &mut a, &mut b, &mut d, path).unwrap();
                outs.push((a, b, d));
            }
            let mut st = Macd::new(f, s, g).unwrap();
            let pts: Vec<MacdPoint> = c.iter().map(|&v| st.update(v).unwrap()).collect();
            let (a, b, d) = &outs[0];
            bits("macd simd/scalar", a, &outs[1].0);
            bits("macd line", a, &pts.iter().map(|p| p.line).collect::<Vec<_>>());
            bits("macd signal", b, &pts.iter().map(|p| p.signal).collect::<Vec<_>>());
            bits("macd hist", d, &pts.iter().map(|p| p.hist).collect::<Vec<_>>());
            warm("macd", a, macd_lookback(s, g));
        }
    }
}

#[test]
fn refusals_name_the_field_and_change_nothing() {
    let (h, l, c) = series(30, 9);
    let mut out = vec![7.0; 30];
    let mut short = vec![7.0; 29];
    let untouched = |o: &[f64]| assert!(o.iter().all(|&v| v == 7.0));
    assert_eq!(
        sma(&c, 0, &mut out, Path::Simd),
        Err(AnalyticsError::BadWindow { field: "window", window: 0, len: 30 })
    );
    assert_eq!(
        ema(&c, 31, &mut out, Path::Simd),
        Err(AnalyticsError::BadWindow { field: "window", window: 31, len: 30 })
    );
    assert_eq!(
        wma(&c, 3, &mut short, Path::Simd),
        Err(AnalyticsError::LengthMismatch { field: "out", expected: 30, got: 29 })
    );
    assert_eq!(
        atr(&h, &l[..29], &c, 3, &mut out, Path::Simd),
        Err(AnalyticsError::LengthMismatch { field: "low", expected: 30, got: 29 })
    );
    let mut bad = c.clone();
    bad[11] = f64::NEG_INFINITY;
    for path in PATHS {
        assert_eq!(rsi(&bad, 3, &mut out, path), Err(AnalyticsError::NotFinite { field: "x", index: 11 }));
        assert_eq!(zscore(&bad, 3, &mut out, path), Err(AnalyticsError::NotFinite { field: "x", index: 11 }));
        assert_eq!(
            stoch(&h, &l, &bad, 3, 3, 3, &mut out, &mut short, path).unwrap_err().field(),
            "d_out",
            "lengths are checked before values"
        );
    }
    let (mut a, mut b) = (vec![7.0; 30], vec![7.0; 30]);
    assert_eq!(
        macd(&c, 26, 12, 9, &mut out, &mut a, &mut b, Path::Simd),
        Err(AnalyticsError::BadParam { field: "fast", reason: "must be shorter than slow" })
    );
    assert_eq!(bollinger(&c, 5, f64::NAN, 2.0, &mut out, &mut a, &mut b, Path::Simd).unwrap_err().field(), "k_up");
    untouched(&out);
    untouched(&short);
    untouched(&a);
    untouched(&b);
    // Streaming: a rejected value changes nothing.
    let mut s = Sma::new(3).unwrap();
    let mut t = Sma::new(3).unwrap();
    for &v in &c[..5] {
        s.update(v).unwrap();
        t.update(v).unwrap();
    }
    assert_eq!(s.update(f64::NAN), Err(AnalyticsError::NotFinite { field: "x", index: 5 }));
    assert_eq!(s.update(c[5]).unwrap().to_bits(), t.update(c[5]).unwrap().to_bits());
    assert!(Ema::new(0).is_err() && Stoch::new(5, 0, 3).is_err() && Macd::new(3, 3, 3).is_err());
    assert_eq!(
        AnalyticsError::BadWindow { field: "window", window: 0, len: 3 }.to_string(),
        "window: window 0 must be from 1 to the series length 3"
    );
}
