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
    let mut out = vec![f64::NAN; price.len()];
    vwap_into(price, size, &mut out, path)?;
    Ok(out)
}

/// [`vwap`] into `out` (the series' length); nothing is written on an error.
pub fn vwap_into(price: &[f64], size: &[f64], out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_trades(price, size)?;
    same_len("out", out, price.len())?;
    match path {
        Path::Scalar => {
            let mut t = Totals::default();
            for (i, o) in out.iter_mut().enumerate() {
                t.add(price[i], size[i]);
                *o = t.vwap();
            }
        }
        Path::Simd => {
            // Lane 0 carries Σ p·v, lane 1 Σ v: two TwoSum chains in one register.
            let mut acc = LaneSum::<F64x2>::default();
            for (i, o) in out.iter_mut().enumerate() {
                acc.add(F64x2::new(price[i] * size[i], size[i]));
                let total = acc.hi.add(acc.lo);
                *o = ratio(total.lo(), total.hi());
            }
        }
    }
    Ok(())
}

/// VWAP of the last `window` trades at each trade (NaN during warm-up).
///
/// Two running totals advance in lockstep: one over trades `0..=i`, one over
/// trades `0..=i − window` (zeros while that is before the start). Their
/// difference is the window, exactly as the streaming form computes it from
/// the totals it kept `window` trades ago, with O(1) memory beyond the output.
pub fn rolling_vwap(price: &[f64], size: &[f64], window_len: usize, path: Path) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![f64::NAN; price.len()];
    rolling_vwap_into(price, size, window_len, &mut out, path)?;
    Ok(out)
}

/// [`rolling_vwap`] into `out` (the series' length); nothing is written on an error.
pub fn rolling_vwap_into(
    price: &[f64],
    size: &[f64],
    window_len: usize,
    out: &mut [f64],
    path: Path,
) -> Result<(), AnalyticsError> {
    check_trades(price, size)?;
    window("window", window_len, price.len())?;
    same_len("out", out, price.len())?;
    let w = window_len;
    out[..w - 1].fill(f64::NAN);
    // Trade j's (p·v, v), or zeros before the series starts.
    let trade = |j: Option<usize>| j.map_or((0.0, 0.0), |j| (price[j] * size[j], size[j]));
    match path {
        Path::Scalar => {
            let (mut lead, mut lag) = (Totals::default(), Totals::default());
            for (i, o) in out.iter_mut().enumerate() {
                lead.add(price[i], size[i]);
                if i >= w {
                    lag.add(price[i - w], size[i - w]);
                } else {
                    lag.add(0.0, 0.0);
                }
                if i + 1 >= w {
                    *o = lead.vwap_since(lag);
                }
            }
        }
        Path::Simd => {
            // Lanes: (lead Σ p·v, lead Σ v) in the first register, the lagging
            // pair in the second: four TwoSum chains side by side.
            let mut acc = LaneSum::<F64x4>::default();
            for (i, o) in out.iter_mut().enumerate() {
                let (pv, v) = trade(Some(i));
                let (lag_pv, lag_v) = trade(i.checked_sub(w));
                acc.add(F64x4(F64x2::new(pv, v), F64x2::new(lag_pv, lag_v)));
                if i + 1 >= w {
                    let win = acc.hi.0.sub(acc.hi.1).add(acc.lo.0.sub(acc.lo.1));
                    *o = ratio(win.lo(), win.hi());
                }
            }
        }
    }
    Ok(())
}

/// [`RunningSum`] lane by lane: the same TwoSum steps on every lane.
#[derive(Clone, Copy)]
struct LaneSum<L: Lane> {
    hi: L,
    lo: L,
}

impl<L: Lane> Default for LaneSum<L> {
    fn default() -> Self {
        LaneSum { hi: L::splat(0.0), lo: L::splat(0.0) }
    }
}

impl<L: Lane> LaneSum<L> {
    #[inline(always)]
    fn add(&mut self, x: L) {
        let s = self.hi.add(x);
        let back = s.sub(self.hi);
        self.lo = self.lo.add(self.hi.sub(s.sub(back)).add(x.sub(back)));
        self.hi = s;
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
    let mut out = vec![f64::NAN; ts.len()];
    session_vwap_into(ts, price, size, session, offset, &mut out)?;
    Ok(out)
}

/// [`session_vwap`] into `out` (the series' length); nothing is written on an error.
pub fn session_vwap_into(
    ts: &[f64],
    price: &[f64],
    size: &[f64],
    session: f64,
    offset: f64,
    out: &mut [f64],
) -> Result<(), AnalyticsError> {
    positive_param("session", session)?;
    finite_param("offset", offset)?;
    same_len("price", price, ts.len())?;
    check_trades(price, size)?;
    all_time_forward("ts", ts)?;
    same_len("out", out, ts.len())?;
    let mut s = SessionVwapStream::new(session, offset)?;
    for (i, o) in out.iter_mut().enumerate() {
        *o = s.apply(ts[i], price[i], size[i]);
    }
    Ok(())
}

/// Cumulative TWAP at each trade; `ts` must not go back in time.
pub fn twap(ts: &[f64], price: &[f64]) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![f64::NAN; ts.len()];
    twap_into(ts, price, &mut out)?;
    Ok(out)
}

/// [`twap`] into `out` (the series' length); nothing is written on an error.
pub fn twap_into(ts: &[f64], price: &[f64], out: &mut [f64]) -> Result<(), AnalyticsError> {
    same_len("price", price, ts.len())?;
    all_finite("price", price)?;
    all_time_forward("ts", ts)?;
    same_len("out", out, ts.len())?;
    let mut s = TwapStream::new();
    for (i, o) in out.iter_mut().enumerate() {
        *o = s.apply(ts[i], price[i]);
    }
    Ok(())
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
