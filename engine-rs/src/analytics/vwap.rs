//! Volume- and time-weighted average prices of a trade series.
//!
//! - Cumulative VWAP: `Σ p·v / Σ v` from the first trade to each trade.
//! - Rolling VWAP over the last `window` trades: NaN during warm-up (the first
//!   `window − 1` trades), as a TA-Lib indicator would be.
//! - Session-anchored VWAP: cumulative, restarting at each session start;
//!   sessions are the periods of length `session` aligned to multiples of
//!   `session` shifted by `offset` (with ms since the Unix epoch, `session` =
//!   86 400 000 and `offset` = 0 restart at each UTC midnight).
//! - TWAP: each price holds until the next trade's time; at trade i the TWAP is
//!   the average price over `[t_0, t_i]`, NaN while no time has passed.
//!
//! A VWAP with no volume behind it (only zero-size trades) is NaN.
//!
//! Sums are compensated running sums (see `RunningSum`); a rolling window's
//! sum is the difference of two of them (`Σ_0..i − Σ_0..i−w`), kept the same
//! way by the streaming form, so both give identical bits, accurate to a few
//! roundings of the window's own sums however long the series.

use super::market_input::{
    all_finite, all_non_negative, all_time_forward, finite, finite_param, non_negative, period_start, positive_param,
    same_len, stream_window, time_forward, window, RunningSum,
};
use super::simd::{F64x2, F64x4, Lane, Path};
use super::AnalyticsError;
use std::collections::VecDeque;

fn check_trades(price: &[f64], size: &[f64]) -> Result<(), AnalyticsError> {
    same_len("size", size, price.len())?;
    all_finite("price", price)?;
    all_non_negative("size", size)
}

fn check_trade(index: usize, price: f64, size: f64) -> Result<(), AnalyticsError> {
    finite("price", index, price)?;
    non_negative("size", index, size)
}

/// `pv / v`, NaN when there is no volume.
#[inline]
fn ratio(pv: f64, v: f64) -> f64 {
    if v > 0.0 {
        pv / v
    } else {
        f64::NAN
    }
}

/// Running totals of `p·v` and `v`, the state every VWAP form shares.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Totals {
    pv: RunningSum,
    v: RunningSum,
}

impl Totals {
    #[inline]
    fn add(&mut self, price: f64, size: f64) {
        self.pv.add(price * size);
        self.v.add(size);
    }

    /// VWAP of everything added.
    #[inline]
    fn vwap(self) -> f64 {
        ratio(self.pv.total(), self.v.total())
    }

    /// VWAP of what was added after `earlier`.
    #[inline]
    fn vwap_since(self, earlier: Totals) -> f64 {
        ratio(self.pv.since(earlier.pv), self.v.since(earlier.v))
    }
}

/// Cumulative VWAP at each trade.
pub fn vwap(price: &[f64], size: &[f64], path: Path) -> Result<Vec<f64>, AnalyticsError> {
    check_trades(price, size)?;
    let pre = Prefix::of(price, size, path);
    let mut out = vec![f64::NAN; price.len()];
    pre.ratios(None, 0, &mut out, path);
    Ok(out)
}

/// VWAP of the last `window` trades at each trade (NaN during warm-up).
pub fn rolling_vwap(price: &[f64], size: &[f64], window_len: usize, path: Path) -> Result<Vec<f64>, AnalyticsError> {
    check_trades(price, size)?;
    window("window", window_len, price.len())?;
    let pre = Prefix::of(price, size, path);
    let mut out = vec![f64::NAN; price.len()];
    // The first full window is measured from the start; later ones by lag.
    pre.ratios(None, window_len - 1, &mut out[..window_len], path);
    pre.ratios(Some(window_len), window_len, &mut out, path);
    Ok(out)
}

/// Running totals after each trade, column by column (entry 0 is the empty
/// state before the first trade, so trade i's totals are at i + 1).
struct Prefix {
    pv_hi: Vec<f64>,
    pv_lo: Vec<f64>,
    v_hi: Vec<f64>,
    v_lo: Vec<f64>,
}

impl Prefix {
    /// The running totals; on [`Path::Simd`] the `p·v` and `v` sums advance
    /// side by side in the two lanes of one register (each lane the same
    /// TwoSum steps as [`RunningSum::add`]), after a lane-wise `p·v` pass.
    fn of(price: &[f64], size: &[f64], path: Path) -> Prefix {
        let n = price.len();
        let mut pre = Prefix {
            pv_hi: Vec::with_capacity(n + 1),
            pv_lo: Vec::with_capacity(n + 1),
            v_hi: Vec::with_capacity(n + 1),
            v_lo: Vec::with_capacity(n + 1),
        };
        pre.pv_hi.push(0.0);
        pre.pv_lo.push(0.0);
        pre.v_hi.push(0.0);
        pre.v_lo.push(0.0);
        match path {
            Path::Scalar => {
                let mut t = Totals::default();
                for (&p, &v) in price.iter().zip(size) {
                    t.add(p, v);
                    let (pv, vv) = (t.pv.parts(), t.v.parts());
                    pre.pv_hi.push(pv.0);
                    pre.pv_lo.push(pv.1);
                    pre.v_hi.push(vv.0);
                    pre.v_lo.push(vv.1);
                }
            }
            Path::Simd => {
                let mut pv = vec![0.0; n];
                let mut i = 0;
                while i + F64x4::WIDTH <= n {
                    F64x4::load(price, i).mul(F64x4::load(size, i)).store(&mut pv, i);
                    i += F64x4::WIDTH;
                }
                for j in i..n {
                    pv[j] = price[j] * size[j];
                }
                let (mut hi, mut lo) = (F64x2::splat(0.0), F64x2::splat(0.0));
                for j in 0..n {
                    // Lane 0: Σ p·v, lane 1: Σ v; TwoSum as in RunningSum::add.
                    let x = F64x2::new(pv[j], size[j]);
                    let s = hi.add(x);
                    let back = s.sub(hi);
                    lo = lo.add(hi.sub(s.sub(back)).add(x.sub(back)));
                    hi = s;
                    pre.pv_hi.push(hi.lo());
                    pre.v_hi.push(hi.hi());
                    pre.pv_lo.push(lo.lo());
                    pre.v_lo.push(lo.hi());
                }
            }
        }
        pre
    }

    /// `out[i]` for `i` in `from..out.len()`: the VWAP of trades
    /// `i + 1 − lag ..= i` (`lag` None: from the first trade), with the same
    /// operations as `Totals::vwap_since`.
    fn ratios(&self, lag: Option<usize>, from: usize, out: &mut [f64], path: Path) {
        match path {
            Path::Simd => self.ratios_with::<F64x4>(lag, from, out),
            Path::Scalar => self.ratios_with::<f64>(lag, from, out),
        }
    }

    #[inline(always)]
    fn ratios_with<L: Lane>(&self, lag: Option<usize>, from: usize, out: &mut [f64]) {
        // `cur` reads the totals after trade i (lanes i.. or one splatted
        // value); `earlier` the totals the window starts from.
        let one = |i: usize, cur: fn(&[f64], usize) -> L| {
            let earlier = |col: &[f64]| match lag {
                Some(w) => cur(col, i + 1 - w),
                None => L::splat(col[0]),
            };
            let pv = cur(&self.pv_hi, i + 1)
                .sub(earlier(&self.pv_hi))
                .add(cur(&self.pv_lo, i + 1).sub(earlier(&self.pv_lo)));
            let v =
                cur(&self.v_hi, i + 1).sub(earlier(&self.v_hi)).add(cur(&self.v_lo, i + 1).sub(earlier(&self.v_lo)));
            L::splat(0.0).lt_select(v, pv.div(v), L::splat(f64::NAN))
        };
        let n = out.len();
        let mut i = from;
        while i + L::WIDTH <= n {
            one(i, L::load).store(out, i);
            i += L::WIDTH;
        }
        for (j, o) in out.iter_mut().enumerate().skip(i) {
            let mut lanes = [0.0; 4];
            one(j, |c, k| L::splat(c[k])).store(&mut lanes, 0);
            *o = lanes[0];
        }
    }
}

/// Session-anchored VWAP at each trade; `ts` must not go back in time.
pub fn session_vwap(
    ts: &[f64],
    price: &[f64],
    size: &[f64],
    session: f64,
    offset: f64,
) -> Result<Vec<f64>, AnalyticsError> {
    positive_param("session", session)?;
    finite_param("offset", offset)?;
    same_len("price", price, ts.len())?;
    check_trades(price, size)?;
    all_time_forward("ts", ts)?;
    let mut s = SessionVwapStream::new(session, offset)?;
    Ok((0..ts.len()).map(|i| s.apply(ts[i], price[i], size[i])).collect())
}

/// Cumulative TWAP at each trade; `ts` must not go back in time.
pub fn twap(ts: &[f64], price: &[f64]) -> Result<Vec<f64>, AnalyticsError> {
    same_len("price", price, ts.len())?;
    all_finite("price", price)?;
    all_time_forward("ts", ts)?;
    let mut s = TwapStream::new();
    Ok((0..ts.len()).map(|i| s.apply(ts[i], price[i])).collect())
}

/// Streaming cumulative VWAP, equal to [`vwap`].
#[derive(Debug, Clone, Default)]
pub struct VwapStream {
    totals: Totals,
    index: usize,
}

impl VwapStream {
    /// A stream that has seen no trade.
    pub fn new() -> Self {
        Self::default()
    }

    /// VWAP including this trade. A refused trade changes nothing.
    pub fn update(&mut self, price: f64, size: f64) -> Result<f64, AnalyticsError> {
        check_trade(self.index, price, size)?;
        self.index += 1;
        self.totals.add(price, size);
        Ok(self.totals.vwap())
    }
}

/// Streaming rolling VWAP over the last `window` trades, equal to [`rolling_vwap`].
#[derive(Debug, Clone)]
pub struct RollingVwapStream {
    window: usize,
    totals: Totals,
    /// Running totals after each of the last `window` trades, oldest first.
    past: VecDeque<Totals>,
    index: usize,
}

impl RollingVwapStream {
    /// A rolling VWAP over `window` (≥ 1) trades.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        stream_window("window", window)?;
        Ok(Self { window, totals: Totals::default(), past: VecDeque::with_capacity(window + 1), index: 0 })
    }

    /// VWAP of the last `window` trades including this one; NaN during warm-up.
    pub fn update(&mut self, price: f64, size: f64) -> Result<f64, AnalyticsError> {
        check_trade(self.index, price, size)?;
        self.index += 1;
        self.totals.add(price, size);
        self.past.push_back(self.totals);
        let out = if self.past.len() > self.window {
            let old = self.past.pop_front().unwrap_or_default();
            self.totals.vwap_since(old)
        } else if self.past.len() == self.window {
            self.totals.vwap_since(Totals::default())
        } else {
            f64::NAN
        };
        Ok(out)
    }
}

/// Streaming session-anchored VWAP, equal to [`session_vwap`].
#[derive(Debug, Clone)]
pub struct SessionVwapStream {
    session: f64,
    offset: f64,
    /// Start of the current session (NaN before the first trade).
    start: f64,
    totals: Totals,
    last_ts: Option<f64>,
    index: usize,
}

impl SessionVwapStream {
    /// Sessions of length `session` (> 0) aligned to multiples of it shifted by `offset`.
    pub fn new(session: f64, offset: f64) -> Result<Self, AnalyticsError> {
        positive_param("session", session)?;
        finite_param("offset", offset)?;
        Ok(Self { session, offset, start: f64::NAN, totals: Totals::default(), last_ts: None, index: 0 })
    }

    /// VWAP of the trade's session so far, including it. A refused trade changes nothing.
    pub fn update(&mut self, ts: f64, price: f64, size: f64) -> Result<f64, AnalyticsError> {
        time_forward("ts", self.index, self.last_ts, ts)?;
        check_trade(self.index, price, size)?;
        Ok(self.apply(ts, price, size))
    }

    fn apply(&mut self, ts: f64, price: f64, size: f64) -> f64 {
        let start = period_start(ts, self.session, self.offset);
        if start != self.start {
            self.start = start;
            self.totals = Totals::default();
        }
        self.last_ts = Some(ts);
        self.index += 1;
        self.totals.add(price, size);
        self.totals.vwap()
    }
}

/// Streaming cumulative TWAP, equal to [`twap`].
#[derive(Debug, Clone, Default)]
pub struct TwapStream {
    first_ts: Option<f64>,
    last: Option<(f64, f64)>,
    /// `Σ p_j · (t_{j+1} − t_j)` over the trades before the last.
    area: f64,
    index: usize,
}

impl TwapStream {
    /// A stream that has seen no trade.
    pub fn new() -> Self {
        Self::default()
    }

    /// TWAP over `[first trade's time, ts]`; NaN while no time has passed.
    /// A refused trade changes nothing.
    pub fn update(&mut self, ts: f64, price: f64) -> Result<f64, AnalyticsError> {
        time_forward("ts", self.index, self.last.map(|(t, _)| t), ts)?;
        finite("price", self.index, price)?;
        Ok(self.apply(ts, price))
    }

    fn apply(&mut self, ts: f64, price: f64) -> f64 {
        if let Some((t, p)) = self.last {
            self.area += p * (ts - t);
        }
        let first = *self.first_ts.get_or_insert(ts);
        self.last = Some((ts, price));
        self.index += 1;
        let elapsed = ts - first;
        if elapsed > 0.0 {
            self.area / elapsed
        } else {
            f64::NAN
        }
    }
}
