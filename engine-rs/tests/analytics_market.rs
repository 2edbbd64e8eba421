//! Market-data analytics: hand-computed cases for every function, batch ==
//! streaming bit for bit, refusals of bad input, and real data — SPY minute
//! bars rebuilt from the day's ticks, BTCUSDT quotes, book and trades.

use cift_engine::analytics::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

// ---------------------------------------------------------------- helpers

/// Same values, bit for bit (NaN matches NaN).
fn assert_same(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{what}[{i}]: {x} != {y}");
    }
}

/// Equal within a relative tolerance (NaN matches NaN).
fn assert_close(what: &str, a: &[f64], b: &[f64], rel: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let ok = (x.is_nan() && y.is_nan()) || (x - y).abs() <= rel * x.abs().max(y.abs()).max(1e-300);
        assert!(ok, "{what}[{i}]: {x} vs {y}");
    }
}

fn nan() -> f64 {
    f64::NAN
}

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel)
}

/// The one entry of a single-file zip archive under testdata, as text.
fn read_zip_entry(rel: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(testdata(rel)).unwrap()).unwrap();
    assert_eq!(zip.len(), 1, "{rel}: expected one file");
    let mut text = String::new();
    zip.by_index(0).unwrap().read_to_string(&mut text).unwrap();
    text
}

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter(|l| !l.is_empty()).map(|l| l.split(',').collect())
}

fn lcg(seed: u64) -> fastrand::Rng {
    fastrand::Rng::with_seed(seed)
}

/// A random trade series: non-decreasing ms timestamps, prices around 100,
/// sizes with some zeros.
fn random_trades(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut r = lcg(seed);
    let mut t = 1_700_000_000_000.0;
    let mut p = 100.0;
    let (mut ts, mut price, mut size) = (vec![], vec![], vec![]);
    for _ in 0..n {
        t += f64::from(r.u32(0..120_000));
        p = (p + (r.f64() - 0.5) * 0.1f64).max(1.0);
        ts.push(t);
        price.push(p);
        size.push(if r.u8(0..10) == 0 { 0.0 } else { f64::from(r.u32(1..500)) * 0.5 });
    }
    (ts, price, size)
}

// ---------------------------------------------------------------- SIMD == scalar

#[test]
fn simd_and_scalar_paths_agree_bit_for_bit() {
    // Lengths around the 4-lane width, so both the lane loop and the tail run.
    for n in [0, 1, 3, 4, 5, 8, 1_001, 20_003] {
        let (_, p, v) = random_trades(n, 10 + n as u64);
        let mut r = lcg(n as u64);
        let ask: Vec<f64> = p.iter().map(|x| x + 0.01 * f64::from(r.u8(0..3))).collect();
        let asz: Vec<f64> = v.iter().map(|x| if r.bool() { *x } else { 0.0 }).collect();
        let both = |f: &dyn Fn(Path) -> Vec<f64>| (f(Path::Simd), f(Path::Scalar));
        let cases = [
            ("spread", both(&|path| spread(&p, &ask, path).unwrap())),
            ("mid", both(&|path| mid(&p, &ask, path).unwrap())),
            ("microprice", both(&|path| microprice(&p, &ask, &v, &asz, path).unwrap())),
            ("simple returns", both(&|path| simple_returns(&p, path).unwrap())),
            ("vwap", both(&|path| vwap(&p, &v, path).unwrap())),
        ];
        for (name, (simd, scalar)) in cases {
            assert_same(&format!("{name} n={n}"), &simd, &scalar);
        }
        for w in [1, 2, 5, 64, n] {
            if (1..=n).contains(&w) {
                let (simd, scalar) = both(&|path| rolling_vwap(&p, &v, w, path).unwrap());
                assert_same(&format!("rolling vwap n={n} w={w}"), &simd, &scalar);
            }
        }
    }
}

// ---------------------------------------------------------------- returns

#[test]
fn returns_hand_computed() {
    let p = [100.0, 110.0, 99.0, 99.0];
    assert_close("simple", &simple_returns(&p, Path::Simd).unwrap(), &[nan(), 0.1, -0.1, 0.0], 1e-15);
    let expect = [nan(), (1.1f64).ln(), (0.9f64).ln(), 0.0];
    assert_close("log", &log_returns(&p).unwrap(), &expect, 1e-15);
    assert_same("empty", &simple_returns(&[], Path::Simd).unwrap(), &[]);
    assert_same("one", &log_returns(&[5.0]).unwrap(), &[nan()]);
}

#[test]
fn returns_batch_equals_stream() {
    let (_, price, _) = random_trades(5_000, 1);
    let (simple, log) = (simple_returns(&price, Path::Simd).unwrap(), log_returns(&price).unwrap());
    let mut s = ReturnsStream::new();
    let (ss, ls): (Vec<f64>, Vec<f64>) = price.iter().map(|&p| s.update(p).unwrap()).unzip();
    assert_same("simple", &simple, &ss);
    assert_same("log", &log, &ls);
}

#[test]
fn returns_refuse_bad_prices() {
    let e = simple_returns(&[1.0, f64::NAN], Path::Scalar).unwrap_err();
    assert_eq!(e, AnalyticsError::NotFinite { field: "price", index: 1 });
    assert_eq!(log_returns(&[1.0, 0.0]).unwrap_err().field(), "price");
    let mut s = ReturnsStream::new();
    s.update(2.0).unwrap();
    assert!(s.update(-1.0).is_err());
    // Refused input changed nothing: the next return is still from 2.0.
    assert_eq!(s.update(3.0).unwrap().0, 0.5);
}

// ---------------------------------------------------------------- quotes

#[test]
fn quotes_hand_computed() {
    let (bid, ask) = ([10.0, 20.0, 5.0], [10.5, 20.25, 5.0]);
    let (bs, asz) = ([300.0, 0.0, 0.0], [100.0, 50.0, 0.0]);
    assert_same("spread", &spread(&bid, &ask, Path::Simd).unwrap(), &[0.5, 0.25, 0.0]);
    assert_same("mid", &mid(&bid, &ask, Path::Simd).unwrap(), &[10.25, 20.125, 5.0]);
    // 10 × 100/400 + 10.5 × 300/400 = 10.375; no bid size → at the bid; no size → mid.
    assert_same("microprice", &microprice(&bid, &ask, &bs, &asz, Path::Simd).unwrap(), &[10.375, 20.0, 5.0]);
}

#[test]
fn quotes_batch_equals_stream_and_refuse_bad_input() {
    let mut r = lcg(2);
    let n = 3_000;
    let bid: Vec<f64> = (0..n).map(|_| 100.0 + r.f64()).collect();
    let ask: Vec<f64> = bid.iter().map(|b| b + 0.01 * f64::from(r.u8(0..4))).collect();
    let bs: Vec<f64> = (0..n).map(|_| f64::from(r.u16(0..1000))).collect();
    let asz: Vec<f64> = (0..n).map(|_| f64::from(r.u16(0..1000))).collect();
    let mut s = QuoteStream::new();
    let m: Vec<QuoteMeasures> = (0..n).map(|i| s.update(bid[i], ask[i], bs[i], asz[i]).unwrap()).collect();
    assert_same("spread", &spread(&bid, &ask, Path::Simd).unwrap(), &m.iter().map(|q| q.spread).collect::<Vec<_>>());
    assert_same("mid", &mid(&bid, &ask, Path::Simd).unwrap(), &m.iter().map(|q| q.mid).collect::<Vec<_>>());
    let micro = microprice(&bid, &ask, &bs, &asz, Path::Simd).unwrap();
    assert_same("microprice", &micro, &m.iter().map(|q| q.microprice).collect::<Vec<_>>());
    for i in 0..n {
        assert!(bid[i] <= micro[i] && micro[i] <= ask[i], "microprice[{i}] outside the quote");
    }
    assert_eq!(
        spread(&[1.0], &[1.0, 2.0], Path::Simd).unwrap_err(),
        AnalyticsError::LengthMismatch { field: "ask", expected: 1, got: 2 }
    );
    assert_eq!(mid(&[f64::NAN], &[1.0], Path::Simd).unwrap_err(), AnalyticsError::NotFinite { field: "bid", index: 0 });
    let e = microprice(&[1.0], &[2.0], &[1.0], &[-1.0], Path::Simd).unwrap_err();
    assert_eq!(e.field(), "ask_size");
    assert!(QuoteStream::new().update(1.0, 2.0, -5.0, 1.0).is_err());
}

// ---------------------------------------------------------------- book imbalance

#[test]
fn book_imbalance_hand_computed() {
    // Two snapshots of a 3-level book.
    let bids = [5.0, 3.0, 100.0, 0.0, 0.0, 0.0];
    let asks = [1.0, 1.0, 100.0, 4.0, 0.0, 9.0];
    // Top 2: (8 − 2) / 10 = 0.6; (0 − 4) / 4 = −1.
    assert_same("top2", &book_imbalance(&bids, &asks, 3, 2).unwrap(), &[0.6, -1.0]);
    // Top 1 of the second snapshot; all 3 levels.
    assert_same("top1", &book_imbalance(&bids, &asks, 3, 1).unwrap(), &[4.0 / 6.0, -1.0]);
    assert_same("top3", &book_imbalance(&bids, &asks, 3, 3).unwrap(), &[6.0 / 210.0, -1.0]);
    // An empty book has no imbalance.
    assert_same("empty", &book_imbalance(&[0.0, 0.0], &[0.0, 0.0], 2, 2).unwrap(), &[nan()]);
    assert_eq!(book_imbalance(&bids, &asks, 3, 4).unwrap_err().field(), "levels");
    assert_eq!(book_imbalance(&bids, &asks, 3, 0).unwrap_err().field(), "levels");
    assert_eq!(book_imbalance(&bids[..5], &asks[..5], 3, 1).unwrap_err().field(), "bid_sizes");
    assert_eq!(book_imbalance(&bids, &asks[..3], 3, 1).unwrap_err().field(), "ask_sizes");
    let neg = [1.0, -1.0, 0.0];
    assert_eq!(
        book_imbalance(&neg, &neg, 3, 2).unwrap_err(),
        AnalyticsError::OutOfRange { field: "bid_sizes", index: 0, reason: "must not be negative" }
    );
    let mut s = BookImbalanceStream::new(2).unwrap();
    assert_eq!(s.update(&[8.0, 0.0], &[2.0, 0.0]).unwrap(), 0.6);
    assert!(s.update(&[1.0], &[1.0, 1.0]).is_err());
    assert!(BookImbalanceStream::new(0).is_err());
}

// ---------------------------------------------------------------- OFI

#[test]
fn ofi_hand_computed() {
    // Quotes: (bid, bidSize, ask, askSize).
    let q = [
        (10.0, 5.0, 11.0, 7.0),
        (10.0, 8.0, 11.0, 7.0), // bid size +3 at the same bid: e = 8 − 5 = 3
        (10.5, 2.0, 11.0, 4.0), // bid up: +2; ask same, size 7 → 4: −4 + 7 → e = 5
        (10.0, 9.0, 10.8, 1.0), // bid down: −2; ask down: −1 → e = −3
        (10.0, 9.0, 11.2, 6.0), // bid same: 9 − 9 = 0; ask up: +1 → e = 1
    ];
    let col = |f: fn(&(f64, f64, f64, f64)) -> f64| q.iter().map(f).collect::<Vec<f64>>();
    let (b, bs, a, asz) = (col(|x| x.0), col(|x| x.1), col(|x| x.2), col(|x| x.3));
    let e = order_flow_imbalance(&b, &bs, &a, &asz).unwrap();
    assert_same("ofi", &e, &[nan(), 3.0, 5.0, -3.0, 1.0]);
    let mut s = OfiStream::new();
    let es: Vec<f64> = (0..q.len()).map(|i| s.update(b[i], bs[i], a[i], asz[i]).unwrap()).collect();
    assert_same("stream", &e, &es);
    assert_eq!(order_flow_imbalance(&b, &bs, &a[..2], &asz).unwrap_err().field(), "ask");
    assert_eq!(order_flow_imbalance(&b, &bs, &a, &[0.0, 0.0, 0.0, 0.0, f64::NAN]).unwrap_err().field(), "ask_size");
    assert!(s.update(f64::INFINITY, 1.0, 2.0, 1.0).is_err());
    assert_eq!(s.update(10.0, 9.0, 11.2, 6.0).unwrap(), 0.0, "a refused quote left the state as it was");
}

// ---------------------------------------------------------------- VWAP / TWAP

#[test]
fn vwap_hand_computed() {
    let p = [10.0, 12.0, 11.0, 13.0];
    let v = [100.0, 300.0, 0.0, 100.0];
    // Σpv: 1000, 4600, 4600, 5900; Σv: 100, 400, 400, 500.
    assert_same("cumulative", &vwap(&p, &v, Path::Simd).unwrap(), &[10.0, 11.5, 11.5, 11.8]);
    // Window 2: NaN, 4600/400, 3600/300, 1300/100.
    assert_same("rolling", &rolling_vwap(&p, &v, 2, Path::Simd).unwrap(), &[nan(), 11.5, 12.0, 13.0]);
    assert_same("window 1", &rolling_vwap(&p, &v, 1, Path::Simd).unwrap(), &[10.0, 12.0, nan(), 13.0]);
    assert_same("no volume yet", &vwap(&[5.0, 6.0], &[0.0, 2.0], Path::Simd).unwrap(), &[nan(), 6.0]);
    // Sessions of 1 000 ms: trades at 900 | 1000, 1999 | 2000.
    let ts = [900.0, 1000.0, 1999.0, 2000.0];
    assert_same("session", &session_vwap(&ts, &p, &v, 1000.0, 0.0).unwrap(), &[10.0, 12.0, 12.0, 13.0]);
    // Offset 500: sessions [500, 1500) and [1500, 2500), the latter with no volume before 2000.
    assert_same("offset", &session_vwap(&ts, &p, &v, 1000.0, 500.0).unwrap(), &[10.0, 11.5, nan(), 13.0]);
    // TWAP: prices 10 for 100 ms, 12 for 899 ms, 11 for 1 ms.
    let tw = twap(&[900.0, 1000.0, 1899.0, 1900.0], &[10.0, 12.0, 11.0, 13.0]).unwrap();
    let expect = [nan(), 10.0, (1000.0 + 12.0 * 899.0) / 999.0, (1000.0 + 12.0 * 899.0 + 11.0) / 1000.0];
    assert_close("twap", &tw, &expect, 1e-15);
    assert_same("twap same time", &twap(&[5.0, 5.0], &[1.0, 2.0]).unwrap(), &[nan(), nan()]);
}

#[test]
fn vwap_batch_equals_stream() {
    let (ts, p, v) = random_trades(20_000, 3);
    let mut s = VwapStream::new();
    assert_same(
        "vwap",
        &vwap(&p, &v, Path::Simd).unwrap(),
        &(0..p.len()).map(|i| s.update(p[i], v[i]).unwrap()).collect::<Vec<_>>(),
    );
    for w in [1, 2, 7, 500, p.len()] {
        let mut s = RollingVwapStream::new(w).unwrap();
        let stream: Vec<f64> = (0..p.len()).map(|i| s.update(p[i], v[i]).unwrap()).collect();
        let batch = rolling_vwap(&p, &v, w, Path::Simd).unwrap();
        assert_same(&format!("rolling {w}"), &batch, &stream);
        // Each value lies within its window's price range (when defined).
        for i in w - 1..p.len() {
            let win = &p[i + 1 - w..=i];
            let (lo, hi) = win.iter().fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
            assert!(batch[i].is_nan() || (lo - 1e-9 <= batch[i] && batch[i] <= hi + 1e-9), "rolling {w} [{i}]");
        }
    }
    for (session, offset) in [(86_400_000.0, 0.0), (3_600_000.0, 1_800_000.0), (60_000.0, -7.0)] {
        let mut s = SessionVwapStream::new(session, offset).unwrap();
        let stream: Vec<f64> = (0..p.len()).map(|i| s.update(ts[i], p[i], v[i]).unwrap()).collect();
        assert_same("session", &session_vwap(&ts, &p, &v, session, offset).unwrap(), &stream);
    }
    let mut s = TwapStream::new();
    let stream: Vec<f64> = (0..p.len()).map(|i| s.update(ts[i], p[i]).unwrap()).collect();
    assert_same("twap", &twap(&ts, &p).unwrap(), &stream);
}

#[test]
fn vwap_refuses_bad_input() {
    let p = [1.0, 2.0, 3.0];
    assert_eq!(vwap(&p, &[1.0, 1.0], Path::Simd).unwrap_err().field(), "size");
    assert_eq!(
        vwap(&[1.0, f64::NAN], &[1.0, 1.0], Path::Simd).unwrap_err(),
        AnalyticsError::NotFinite { field: "price", index: 1 }
    );
    assert_eq!(vwap(&p, &[1.0, -1.0, 1.0], Path::Simd).unwrap_err().field(), "size");
    assert_eq!(
        rolling_vwap(&p, &p, 0, Path::Simd).unwrap_err(),
        AnalyticsError::BadWindow { field: "window", window: 0, len: 3 }
    );
    assert_eq!(rolling_vwap(&p, &p, 4, Path::Simd).unwrap_err().field(), "window");
    assert!(RollingVwapStream::new(0).is_err());
    let e = session_vwap(&[2.0, 1.0, 3.0], &p, &p, 10.0, 0.0).unwrap_err();
    assert_eq!(e, AnalyticsError::OutOfRange { field: "ts", index: 1, reason: "timestamp goes back in time" });
    assert_eq!(session_vwap(&p, &p, &p, 0.0, 0.0).unwrap_err().field(), "session");
    assert_eq!(session_vwap(&p, &p, &p, 1.0, f64::NAN).unwrap_err().field(), "offset");
    assert_eq!(twap(&[1.0, 0.0], &[1.0, 1.0]).unwrap_err().field(), "ts");
    let mut s = SessionVwapStream::new(10.0, 0.0).unwrap();
    s.update(5.0, 2.0, 1.0).unwrap();
    assert!(s.update(4.0, 3.0, 1.0).is_err());
    assert!(s.update(6.0, 3.0, -1.0).is_err());
    assert_eq!(s.update(6.0, 4.0, 1.0).unwrap(), 3.0, "refused trades changed nothing");
}

// ---------------------------------------------------------------- realized volatility

#[test]
fn outputs_of_the_wrong_length_are_refused_and_left_untouched() {
    let (ts, price, size) = random_trades(10, 3);
    let path = Path::Simd;
    type Into<'a> = &'a dyn Fn(&mut [f64]) -> Result<(), AnalyticsError>;
    let calls: [(&str, Into); 11] = [
        ("vwap", &|o| vwap_into(&price, &size, o, path)),
        ("rolling_vwap", &|o| rolling_vwap_into(&price, &size, 3, o, path)),
        ("session_vwap", &|o| session_vwap_into(&ts, &price, &size, 86_400_000.0, 0.0, o)),
        ("twap", &|o| twap_into(&ts, &price, o)),
        ("spread", &|o| spread_into(&price, &price, o, path)),
        ("mid", &|o| mid_into(&price, &price, o, path)),
        ("microprice", &|o| microprice_into(&price, &price, &size, &size, o, path)),
        ("ofi", &|o| order_flow_imbalance_into(&price, &size, &price, &size, o)),
        ("volatility", &|o| realized_volatility_into(&price, 3, o)),
        ("simple_returns", &|o| simple_returns_into(&price, o, path)),
        ("log_returns", &|o| log_returns_into(&price, o)),
    ];
    for (what, call) in calls {
        let mut out = vec![7.0; 9];
        assert_eq!(
            call(&mut out),
            Err(AnalyticsError::LengthMismatch { field: "out", expected: 10, got: 9 }),
            "{what}"
        );
        assert!(out.iter().all(|&v| v == 7.0), "{what} wrote into a refused output");
        let mut out = vec![7.0; 10];
        call(&mut out).unwrap();
    }
    let mut out = vec![7.0; 4];
    let refused = book_imbalance_into(&size, &size, 2, 1, &mut out);
    assert_eq!(refused, Err(AnalyticsError::LengthMismatch { field: "out", expected: 5, got: 4 }));
    assert!(out.iter().all(|&v| v == 7.0));
}

#[test]
fn realized_volatility_hand_computed() {
    let p = [100.0, 110.0, 99.0, 99.0, 108.9];
    let r = [(1.1f64).ln(), (0.9f64).ln(), 0.0, (1.1f64).ln()];
    let w2 = [nan(), nan(), (r[0] * r[0] + r[1] * r[1]).sqrt(), r[1].abs(), r[3].abs()];
    assert_close("window 2", &realized_volatility(&p, 2).unwrap(), &w2, 1e-12);
    let all = (r.iter().map(|x| x * x).sum::<f64>()).sqrt();
    assert_close("window 4", &realized_volatility(&p, 4).unwrap()[4..], &[all], 1e-12);
    assert_eq!(realized_volatility(&p, 5).unwrap_err().field(), "window");
    assert_eq!(realized_volatility(&p, 0).unwrap_err().field(), "window");
    assert_eq!(realized_volatility(&[1.0, -1.0], 1).unwrap_err().field(), "price");
}

#[test]
fn realized_volatility_batch_equals_stream() {
    let (_, p, _) = random_trades(10_000, 4);
    for w in [1, 3, 390, p.len() - 1] {
        let mut s = RealizedVolatilityStream::new(w).unwrap();
        let stream: Vec<f64> = p.iter().map(|&x| s.update(x).unwrap()).collect();
        assert_same(&format!("rv {w}"), &realized_volatility(&p, w).unwrap(), &stream);
    }
}

// ---------------------------------------------------------------- bars

const MIN: f64 = 60_000.0;
const HOUR: f64 = 3_600_000.0;
const DAY: f64 = 86_400_000.0;

fn bar(start: f64, ohlc: [f64; 4], volume: f64, count: u64, vwap: f64) -> Bar {
    Bar { start, open: ohlc[0], high: ohlc[1], low: ohlc[2], close: ohlc[3], volume, count, vwap }
}

fn all_bars(b: &Bars) -> Vec<Bar> {
    (0..b.len()).map(|i| b.get(i)).collect()
}

#[test]
fn time_bars_align_to_utc_across_days_and_skip_empty_intervals() {
    // 2024-03-09 23:30 UTC … 2024-03-10 04:10 UTC; 4-hour bars start at 20:00, 00:00, 04:00.
    let d = 19_791.0 * DAY; // 2024-03-10 00:00 UTC
    let ts = [d - 30.0 * MIN, d - 1.0, d, d + 2.0 * HOUR, d + 4.0 * HOUR + 10.0 * MIN];
    let p = [10.0, 12.0, 11.0, 9.0, 20.0];
    let v = [1.0, 3.0, 2.0, 2.0, 0.0];
    let b = time_bars(&ts, &p, &v, 4.0 * HOUR).unwrap();
    let vwap0 = (10.0 + 36.0) / 4.0;
    let vwap1 = (22.0 + 18.0) / 4.0;
    let expect = [
        bar(d - 4.0 * HOUR, [10.0, 12.0, 10.0, 12.0], 4.0, 2, vwap0),
        bar(d, [11.0, 11.0, 9.0, 9.0], 4.0, 2, vwap1),
        bar(d + 4.0 * HOUR, [20.0, 20.0, 20.0, 20.0], 0.0, 1, f64::NAN),
    ];
    let got = all_bars(&b);
    assert_eq!(got.len(), 3);
    for (g, e) in got.iter().zip(&expect) {
        assert_eq!(
            (g.start, g.open, g.high, g.low, g.close, g.volume, g.count),
            (e.start, e.open, e.high, e.low, e.close, e.volume, e.count)
        );
        assert_same("vwap", &[g.vwap], &[e.vwap]);
    }
    // Daily bars: two days, each starting at UTC midnight.
    let days = time_bars(&ts, &p, &v, DAY).unwrap();
    assert_eq!(days.start, vec![d - DAY, d]);
    assert_eq!(days.count, vec![2.0, 3.0]);
    // 1-minute bars: empty minutes produce no bar (sparse output).
    let mins = time_bars(&ts, &p, &v, MIN).unwrap();
    assert_eq!(mins.start, vec![d - 30.0 * MIN, d - MIN, d, d + 2.0 * HOUR, d + 250.0 * MIN]);
    // 90-second bars align to multiples of 90 s since the epoch, not to the first trade.
    let odd = time_bars(&[1_000.0, 89_999.0, 90_000.0], &[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0], 90_000.0).unwrap();
    assert_eq!(odd.start, vec![0.0, 90_000.0]);
    // Before the epoch too.
    assert_eq!(time_bars(&[-1.0], &[1.0], &[1.0], MIN).unwrap().start, vec![-MIN]);
    // Columns come out one after another.
    assert_eq!(
        odd.to_columns(),
        vec![0.0, 90_000.0, 1.0, 3.0, 2.0, 3.0, 1.0, 3.0, 2.0, 3.0, 2.0, 1.0, 2.0, 1.0, 1.5, 3.0]
    );
}

#[test]
fn time_bars_start_where_the_remainder_says_for_whole_and_fractional_intervals() {
    let (ts, price, size) = random_trades(2_000, 11);
    // Fractional times too: the shortcut past the remainder must not change a bar.
    let ts: Vec<f64> = ts.iter().enumerate().map(|(i, t)| t + (i % 4) as f64 * 0.25).collect();
    for interval in [60_000.0, 1_000.0, 7.0, 0.1, 2.5] {
        let starts: Vec<f64> = ts.iter().map(|t| t - t.rem_euclid(interval)).collect();
        let mut expected = starts.clone();
        expected.dedup();
        let bars = time_bars(&ts, &price, &size, interval).unwrap();
        assert_same(&format!("starts every {interval}"), &bars.start, &expected);
        let counts: Vec<f64> = expected.iter().map(|s| starts.iter().filter(|v| *v == s).count() as f64).collect();
        assert_same(&format!("counts every {interval}"), &bars.count, &counts);
    }
}

#[test]
fn tick_volume_and_dollar_bars_hand_computed() {
    let ts = [1.0, 2.0, 3.0, 4.0, 5.0];
    let p = [10.0, 11.0, 9.0, 10.0, 12.0];
    let v = [5.0, 5.0, 20.0, 1.0, 4.0];
    let t = all_bars(&tick_bars(&ts, &p, &v, 2).unwrap());
    assert_eq!(t.len(), 3, "two full bars and the incomplete last one");
    assert_eq!(t[0], bar(1.0, [10.0, 11.0, 10.0, 11.0], 10.0, 2, 10.5));
    assert_eq!(t[1], bar(3.0, [9.0, 10.0, 9.0, 10.0], 21.0, 2, 190.0 / 21.0));
    assert_eq!(t[2], bar(5.0, [12.0; 4], 4.0, 1, 12.0));
    // Volume 10: closes on the trade reaching it, overshoot kept in the bar.
    let vb = all_bars(&volume_bars(&ts, &p, &v, 10.0).unwrap());
    assert_eq!(vb[0], bar(1.0, [10.0, 11.0, 10.0, 11.0], 10.0, 2, 10.5));
    assert_eq!(vb[1], bar(3.0, [9.0; 4], 20.0, 1, 9.0));
    assert_eq!(vb[2], bar(4.0, [10.0, 12.0, 10.0, 12.0], 5.0, 2, 58.0 / 5.0));
    // Dollars 100: 50 + 55 ≥ 100 | 180 ≥ 100 | 10 + 48 < 100 (incomplete).
    let db = all_bars(&dollar_bars(&ts, &p, &v, 100.0).unwrap());
    assert_eq!(db.iter().map(|b| b.count).collect::<Vec<_>>(), vec![2, 1, 2]);
    assert_eq!(db[2].vwap, 58.0 / 5.0);
}

#[test]
fn bars_batch_equals_stream() {
    let (ts, p, v) = random_trades(30_000, 5);
    let kinds = [
        BarKind::Time(1_000.0),
        BarKind::Time(MIN),
        BarKind::Time(15.0 * MIN),
        BarKind::Time(HOUR),
        BarKind::Time(DAY),
        BarKind::Tick(1),
        BarKind::Tick(77),
        BarKind::Volume(1_000.0),
        BarKind::Dollar(250_000.0),
    ];
    for kind in kinds {
        let batch = bars(&ts, &p, &v, kind).unwrap();
        let mut b = BarBuilder::new(kind).unwrap();
        let mut stream = Bars::default();
        for i in 0..ts.len() {
            if let Some(done) = b.update(ts[i], p[i], v[i]).unwrap() {
                stream.push(&done);
            }
        }
        if let Some(last) = b.flush() {
            stream.push(&last);
        }
        assert_same(&format!("{kind:?}"), &batch.to_columns(), &stream.to_columns());
        assert_eq!(batch.count.iter().sum::<f64>(), ts.len() as f64, "{kind:?}: every trade in one bar");
        for i in 0..batch.len() {
            let x = batch.get(i);
            assert!(x.low <= x.open.min(x.close) && x.high >= x.open.max(x.close), "{kind:?} bar {i}");
            assert!(x.vwap.is_nan() || (x.low <= x.vwap && x.vwap <= x.high), "{kind:?} bar {i} vwap");
        }
    }
}

#[test]
fn bars_refuse_bad_input() {
    let ts = [1.0, 2.0];
    let p = [1.0, 2.0];
    assert_eq!(time_bars(&ts, &p, &[1.0, 1.0], 0.0).unwrap_err().field(), "interval");
    assert_eq!(time_bars(&ts, &p, &[1.0, 1.0], -60_000.0).unwrap_err().field(), "interval");
    assert_eq!(tick_bars(&ts, &p, &[1.0, 1.0], 0).unwrap_err().field(), "trades");
    assert_eq!(volume_bars(&ts, &p, &[1.0, 1.0], f64::INFINITY).unwrap_err().field(), "volume");
    assert_eq!(dollar_bars(&ts, &p, &[1.0, 1.0], 0.0).unwrap_err().field(), "value");
    assert_eq!(time_bars(&[2.0, 1.0], &p, &[1.0, 1.0], 1.0).unwrap_err().field(), "ts");
    assert_eq!(time_bars(&ts, &[1.0, f64::NAN], &[1.0, 1.0], 1.0).unwrap_err().field(), "price");
    assert_eq!(time_bars(&ts, &p, &[1.0, -1.0], 1.0).unwrap_err().field(), "size");
    assert_eq!(time_bars(&ts, &p, &[1.0], 1.0).unwrap_err().field(), "size");
    assert_eq!(dollar_bars(&ts, &[1.0, -2.0], &[1.0, 1.0], 5.0).unwrap_err().field(), "price");
    let mut b = BarBuilder::new(BarKind::Tick(2)).unwrap();
    b.update(5.0, 1.0, 1.0).unwrap();
    assert!(b.update(4.0, 1.0, 1.0).is_err());
    assert!(b.update(6.0, f64::NAN, 1.0).is_err());
    let done = b.update(6.0, 3.0, 1.0).unwrap().expect("second trade completes the bar");
    assert_eq!(done, bar(5.0, [1.0, 3.0, 1.0, 3.0], 2.0, 2, 2.0));
}

// ---------------------------------------------------------------- SPY: minute bars from ticks

/// AlgoSeek sale-condition bits of the SPY tick files (the `condition` column
/// is this bitmask in hex).
mod cond {
    pub const INTERMARKET_SWEEP: u32 = 1 << 5;
    pub const OPENING_PRINTS: u32 = 1 << 6;
    pub const CLOSING_PRINTS: u32 = 1 << 7;
    pub const EXTENDED_HOURS: u32 = 1 << 13;
    pub const STOCK_OPTION: u32 = 1 << 18;
    pub const AVERAGE_PRICE: u32 = 1 << 20;
    pub const OFFICIAL_CLOSE: u32 = 1 << 24;
    pub const OFFICIAL_OPEN: u32 = 1 << 26;
}

const OPEN_MS: f64 = 9.5 * 3_600_000.0;
const CLOSE_MS: f64 = 16.0 * 3_600_000.0;

/// Whether a trade sets the published bar's prices: outside 09:30–16:00 New
/// York every trade does; inside, trades flagged intermarket sweep, extended
/// hours (Form T), stock option or average price do not.
fn sets_price(t: f64, c: u32) -> bool {
    use cond::*;
    !(OPEN_MS..CLOSE_MS).contains(&t) || c & (INTERMARKET_SWEEP | EXTENDED_HOURS | STOCK_OPTION | AVERAGE_PRICE) == 0
}

/// Whether a trade counts in the published bar's volume: all but the auction
/// prints and the official open/close summaries.
fn counts_volume(c: u32) -> bool {
    use cond::*;
    c & (OPENING_PRINTS | CLOSING_PRINTS | OFFICIAL_OPEN | OFFICIAL_CLOSE) == 0
}

#[test]
fn spy_minute_bars_from_ticks_match_the_published_bars() {
    let ticks = read_zip_entry("spy-2013-10/tick_20131007_trade.zip");
    let published = read_zip_entry("spy-2013-10/minute_20131007_trade.zip");
    // Two trade selections, one for prices and one for volume.
    let (mut price_sel, mut volume_sel) = ((vec![], vec![], vec![]), (vec![], vec![], vec![]));
    let mut suspicious = 0;
    for r in rows(&ticks) {
        let (t, p, s): (f64, f64, f64) = (r[0].parse().unwrap(), r[1].parse().unwrap(), r[2].parse().unwrap());
        let c = u32::from_str_radix(r[4], 16).unwrap();
        if r[5] == "1" {
            suspicious += 1;
            continue;
        }
        if sets_price(t, c) {
            price_sel.0.push(t);
            price_sel.1.push(p);
            price_sel.2.push(s);
        }
        if counts_volume(c) {
            volume_sel.0.push(t);
            volume_sel.1.push(p);
            volume_sel.2.push(s);
        }
    }
    assert_eq!(suspicious, 0, "this day's file flags no trade suspicious");
    let prices = time_bars(&price_sel.0, &price_sel.1, &price_sel.2, MIN).unwrap();
    let volumes = time_bars(&volume_sel.0, &volume_sel.1, &volume_sel.2, MIN).unwrap();
    let expect: Vec<Vec<f64>> = rows(&published).map(|r| r.iter().map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(expect.len(), 828, "04:00–20:00 minus the minutes without trades");
    assert_eq!(prices.start, expect.iter().map(|r| r[0]).collect::<Vec<_>>(), "same minutes");
    assert_eq!(volumes.start, prices.start, "same minutes");
    let mut residual = vec![];
    for (i, e) in expect.iter().enumerate() {
        let got = [prices.open[i], prices.high[i], prices.low[i], prices.close[i], volumes.volume[i]];
        for (f, name) in ["open", "high", "low", "close", "volume"].iter().enumerate() {
            if got[f] != e[f + 1] {
                residual.push((e[0], *name, got[f], e[f + 1]));
            }
        }
    }
    // The residual: the first print of each primary-market auction. The
    // publisher counts the opening cross's first print (1 750 sh at 09:30:00.768)
    // in the 09:30 bar's volume, and the closing cross's first print (3 500 sh
    // at $167.42, stamped 16:00:00.726) in the 15:59 bar, as its close and volume.
    // No condition flag tells these prints from the other auction prints.
    assert_eq!(
        residual,
        vec![
            (34_200_000.0, "volume", 814_703.0, 814_703.0 + 1_750.0),
            (57_540_000.0, "close", 1_674_400.0, 1_674_200.0),
            (57_540_000.0, "volume", 2_915_492.0, 2_915_492.0 + 3_500.0),
        ]
    );
}

// ---------------------------------------------------------------- BTCUSDT L2

struct Btc {
    /// bookTicker: bid, bidSize, ask, askSize.
    top: [Vec<f64>; 4],
    /// Trades: time (ms), price, qty.
    trades: [Vec<f64>; 3],
    /// Top-5 sizes of the book after each depth diff.
    bid5: Vec<f64>,
    ask5: Vec<f64>,
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

/// Price in integer cents, so the book map orders levels exactly.
fn cents(v: &serde_json::Value) -> i64 {
    (num(v) * 100.0).round() as i64
}

fn apply_levels(side: &mut BTreeMap<i64, f64>, levels: &serde_json::Value) {
    for lvl in levels.as_array().unwrap() {
        let qty = num(&lvl[1]);
        if qty == 0.0 {
            side.remove(&cents(&lvl[0]));
        } else {
            side.insert(cents(&lvl[0]), qty);
        }
    }
}

/// The book: bids and asks by price in cents, and the last applied update id.
#[derive(Default)]
struct Book {
    bids: BTreeMap<i64, f64>,
    asks: BTreeMap<i64, f64>,
    last_id: u64,
}

impl Book {
    /// Applies a diff after the snapshot in Binance's documented order (drop
    /// diffs up to `lastUpdateId`, the first one must straddle it, no gaps);
    /// returns whether it applied.
    fn apply(&mut self, d: &serde_json::Value) -> bool {
        let (first, last) = (d["U"].as_u64().unwrap(), d["u"].as_u64().unwrap());
        if last <= self.last_id {
            return false;
        }
        assert!(first <= self.last_id + 1, "a gap in the diff stream after update {}", self.last_id);
        self.last_id = last;
        apply_levels(&mut self.bids, &d["b"]);
        apply_levels(&mut self.asks, &d["a"]);
        let best = (*self.bids.keys().next_back().unwrap(), *self.asks.keys().next().unwrap());
        assert!(best.0 < best.1, "rebuilt book crossed: {best:?}");
        true
    }
}

/// Reads the recording. The book is the one REST snapshot (1 000 levels a
/// side, `lastUpdateId`) with the diffs received before and after it applied
/// in Binance's documented order.
fn load_btc() -> Btc {
    let file = std::fs::File::open(testdata("btcusdt-l2/binance_spot_btcusdt_20240808.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut text).unwrap();
    let mut out = Btc { top: Default::default(), trades: Default::default(), bid5: vec![], ask5: vec![] };
    let mut book: Option<Book> = None;
    let mut before_snapshot = vec![];
    let pad = |it: &mut dyn Iterator<Item = f64>| {
        let mut v: Vec<f64> = it.take(5).collect();
        v.resize(5, 0.0);
        v
    };
    let record = |b: &Book, out: &mut Btc| {
        out.bid5.extend(pad(&mut b.bids.values().rev().copied()));
        out.ask5.extend(pad(&mut b.asks.values().copied()));
    };
    for line in text.lines() {
        let (_, json) = line.split_once(' ').unwrap();
        let msg: serde_json::Value = serde_json::from_str(json).unwrap();
        if let Some(id) = msg["lastUpdateId"].as_u64() {
            let mut b = Book { last_id: id, ..Book::default() };
            apply_levels(&mut b.bids, &msg["bids"]);
            apply_levels(&mut b.asks, &msg["asks"]);
            for d in before_snapshot.drain(..) {
                if b.apply(&d) {
                    record(&b, &mut out);
                }
            }
            book = Some(b);
            continue;
        }
        let d = &msg["data"];
        match msg["stream"].as_str().unwrap() {
            "btcusdt@bookTicker" => {
                for (col, key) in out.top.iter_mut().zip(["b", "B", "a", "A"]) {
                    col.push(num(&d[key]));
                }
            }
            "btcusdt@trade" => {
                out.trades[0].push(d["T"].as_f64().unwrap());
                out.trades[1].push(num(&d["p"]));
                out.trades[2].push(num(&d["q"]));
            }
            _ => match book.as_mut() {
                Some(b) => {
                    if b.apply(d) {
                        record(b, &mut out);
                    }
                }
                None => before_snapshot.push(d.clone()),
            },
        }
    }
    out
}

#[test]
fn btcusdt_quotes_trades_and_book() {
    let btc = load_btc();
    let [b, bs, a, asz] = &btc.top;
    assert_eq!(b.len(), 28_040);
    // Hand-computed from the first two bookTicker messages (decimal arithmetic):
    // (61837.63 × 1.54698 + 61837.64 × 3.78826) / 5.33524.
    let micro = microprice(b, a, bs, asz, Path::Simd).unwrap();
    assert_close("microprice", &micro[..2], &[61_837.637_100_449_1, 61_837.637_023_802_9], 1e-14);
    for i in 0..b.len() {
        assert!(b[i] <= micro[i] && micro[i] <= a[i], "microprice[{i}] outside the quote");
    }
    // Second message: same prices, ask size 1.54698 → 1.60520: e = −(1.60520 − 1.54698).
    let e = order_flow_imbalance(b, bs, a, asz).unwrap();
    assert_close("ofi", &e[..2], &[nan(), -0.05822], 1e-9);
    let mut s = OfiStream::new();
    let es: Vec<f64> = (0..b.len()).map(|i| s.update(b[i], bs[i], a[i], asz[i]).unwrap()).collect();
    assert_same("ofi stream", &e, &es);
    // OFI telescopes while prices stay put: over a run of unchanged prices the
    // sum is (bid size change) − (ask size change).
    let run_end = (1..b.len()).find(|&i| b[i] != b[0] || a[i] != a[0]).unwrap();
    let sum: f64 = e[1..run_end].iter().sum();
    let expect = (bs[run_end - 1] - bs[0]) - (asz[run_end - 1] - asz[0]);
    assert!((sum - expect).abs() < 1e-9, "telescoped OFI {sum} vs {expect}");
    let spr = spread(b, a, Path::Simd).unwrap();
    assert!(spr.iter().all(|&x| x >= 0.0), "the best bid never crosses the best ask");

    // Trades: the first seven by hand (decimal arithmetic), then invariants.
    let [tt, tp, tq] = &btc.trades;
    let cum = vwap(tp, tq, Path::Simd).unwrap();
    assert_close("vwap[6]", &cum[6..7], &[61_837.629_624_982_38], 1e-14);
    assert_eq!(cum[4], 61_837.63, "five trades at one price");
    let (lo, hi) = tp.iter().fold((f64::MAX, f64::MIN), |(l, h), &x| (l.min(x), h.max(x)));
    assert!(cum.iter().all(|&x| lo <= x && x <= hi));
    // The recording crosses UTC midnight: the daily session VWAP restarts there.
    let midnight = 1_723_161_600_000.0;
    let daily = session_vwap(tt, tp, tq, DAY, 0.0).unwrap();
    let first_new_day = tt.iter().position(|&t| t >= midnight).unwrap();
    assert_eq!(daily[first_new_day], tp[first_new_day]);
    assert_eq!(&daily[..first_new_day], &cum[..first_new_day]);
    let day_bars = time_bars(tt, tp, tq, DAY).unwrap();
    assert_eq!(day_bars.start, vec![midnight - DAY, midnight]);
    assert_eq!(day_bars.count, vec![first_new_day as f64, (tt.len() - first_new_day) as f64]);
    assert_eq!(day_bars.vwap[0], cum[first_new_day - 1]);
    let mut rv = RealizedVolatilityStream::new(100).unwrap();
    let rvs: Vec<f64> = tp.iter().map(|&x| rv.update(x).unwrap()).collect();
    assert_same("realized volatility", &realized_volatility(tp, 100).unwrap(), &rvs);

    // Book: top-5 imbalance of the book rebuilt from the diffs.
    let imb = book_imbalance(&btc.bid5, &btc.ask5, 5, 5).unwrap();
    assert!(imb.len() > 3_400, "diffs after the snapshot: {}", imb.len());
    assert!(imb.iter().all(|&x| (-1.0..=1.0).contains(&x)), "imbalance within [−1, 1]");
    let mut st = BookImbalanceStream::new(5).unwrap();
    let ims: Vec<f64> = (0..imb.len()).map(|r| st.update(&btc.bid5[r * 5..], &btc.ask5[r * 5..]).unwrap()).collect();
    assert_same("imbalance stream", &imb, &ims);
    // Top 1 by hand for the last snapshot.
    let last = imb.len() - 1;
    let (b1, a1) = (btc.bid5[last * 5], btc.ask5[last * 5]);
    assert_eq!(book_imbalance(&btc.bid5, &btc.ask5, 5, 1).unwrap()[last], (b1 - a1) / (b1 + a1));
}
