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
//! Cumulative and session sums are compensated running sums (see
//! `RunningSum`). A rolling window's Σ p·v and Σ v are window sums by blocks
//! (`indicators::window`: a suffix of one block plus a prefix of the next, as
//! for the SMA): sums of at most `window` non-negative terms, so accurate to a
//! few roundings of the window's own sums however long the series, with no
//! difference of large totals; the streaming form keeps the same blocks, so
//! both give identical bits.

use super::indicators::window::{reduce_each, windows, BlockWindow, Identity, Sum, Windowed};
use super::market_input::{
    all_finite, all_non_negative, all_time_forward, finite, finite_param, non_negative, period_start, positive_param,
    same_len, stream_window, time_forward, window, RunningSum,
};
use super::simd::{F64x2, F64x4, Lane, Path};
use super::AnalyticsError;

fn check_trades(price: &[f64], size: &[f64], path: Path) -> Result<(), AnalyticsError> {
    same_len("size", size, price.len())?;
    all_finite("price", price, path)?;
    all_non_negative("size", size, path)
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
}

/// Cumulative VWAP at each trade.
pub fn vwap(price: &[f64], size: &[f64], path: Path) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![f64::NAN; price.len()];
    vwap_into(price, size, &mut out, path)?;
    Ok(out)
}

/// [`vwap`] into `out` (the series' length); nothing is written on an error.
pub fn vwap_into(price: &[f64], size: &[f64], out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_trades(price, size, path)?;
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

/// VWAP of the last `window` trades at each trade (NaN during warm-up): the
/// window's Σ p·v over its Σ v, both summed by blocks.
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
    check_trades(price, size, path)?;
    window("window", window_len, price.len())?;
    same_len("out", out, price.len())?;
    out[..window_len - 1].fill(f64::NAN);
    windows::<F64x4, 2, _>(&mut WindowVwap { price, size, out }, window_len, path);
    Ok(())
}

/// [`ratio`] of window sums, lane by lane, as a plain division: sizes are
/// finite and non-negative, so a window's Σ v is 0 only when all its sizes
/// are, and then its Σ p·v is ±0 too and the quotient NaN, as [`ratio`] has it.
#[inline(always)]
fn lane_ratio<L: Lane>(pv: L, v: L) -> L {
    pv.div(v)
}

/// Window sums of p·v and v by blocks, divided as they are made.
struct WindowVwap<'a> {
    price: &'a [f64],
    size: &'a [f64],
    out: &'a mut [f64],
}

// SAFETY: `len` is `price`'s length; `size` and `out` are as long (checked in `rolling_vwap_into`).
unsafe impl Windowed<2> for WindowVwap<'_> {
    fn len(&self) -> usize {
        self.price.len()
    }
    #[inline(always)]
    fn reduce<L: Lane>(acc: [L; 2], v: [L; 2]) -> [L; 2] {
        reduce_each::<Sum, L, 2>(acc, v)
    }
    #[inline(always)]
    unsafe fn terms<L: Lane>(&self, i: usize, stride: usize) -> [L; 2] {
        let v = L::gather_unchecked(self.size, i, stride);
        [L::gather_unchecked(self.price, i, stride).mul(v), v]
    }
    #[inline(always)]
    unsafe fn term_pairs<L: Lane>(&self, i: usize, stride: usize) -> ([L; 2], [L; 2]) {
        let (p0, p1) = L::gather_pair_unchecked(self.price, i, stride);
        let (v0, v1) = L::gather_pair_unchecked(self.size, i, stride);
        ([p0.mul(v0), v0], [p1.mul(v1), v1])
    }
    #[inline(always)]
    unsafe fn finish<L: Lane>(&mut self, i: usize, stride: usize, [pv, v]: [L; 2]) {
        lane_ratio(pv, v).scatter_unchecked(self.out, i, stride);
    }
    #[inline(always)]
    unsafe fn finish_pair<L: Lane>(&mut self, i: usize, stride: usize, [pv0, v0]: [L; 2], [pv1, v1]: [L; 2]) {
        L::scatter_pair_unchecked(lane_ratio(pv0, v0), lane_ratio(pv1, v1), self.out, i, stride);
    }
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
    check_trades(price, size, Path::Simd)?;
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
    all_finite("price", price, Path::Simd)?;
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
    pv: BlockWindow<Sum, Identity>,
    v: BlockWindow<Sum, Identity>,
    index: usize,
}

impl RollingVwapStream {
    /// A rolling VWAP over `window` (≥ 1) trades.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        stream_window("window", window)?;
        Ok(Self { pv: BlockWindow::new(window), v: BlockWindow::new(window), index: 0 })
    }

    /// VWAP of the last `window` trades including this one; NaN during warm-up.
    pub fn update(&mut self, price: f64, size: f64) -> Result<f64, AnalyticsError> {
        check_trade(self.index, price, size)?;
        self.index += 1;
        Ok(match (self.pv.update(price * size), self.v.update(size)) {
            (Some(pv), Some(v)) => lane_ratio(pv, v),
            _ => f64::NAN,
        })
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
