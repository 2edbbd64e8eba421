//! OHLCV bars from trades, each with its trade count and VWAP.
//!
//! - Time bars of any length (ms: 1 000 for seconds, 60 000 for minutes,
//!   3 600 000 for hours, 86 400 000 for days), aligned to multiples of the
//!   length since the Unix epoch, hence to UTC: a 4-hour bar starts at 00:00,
//!   04:00, … UTC whatever the first trade's time. A bar's start is the start
//!   of its interval. Intervals without trades produce no bar (no
//!   forward-filled empty bars): the output is sparse in time.
//! - Tick bars of `n` trades; volume bars that close on the trade bringing
//!   their volume to at least the threshold; dollar bars likewise on `Σ p·v`.
//!   Trades are never split between bars, so a bar may overshoot its
//!   threshold. A bar's start is its first trade's time.
//!
//! Bar VWAP is `Σ p·v / Σ v` (NaN for a bar of zero-size trades only),
//! clamped into `[low, high]` where rounding would put it a hair outside.
//! Timestamps must not go back in time; sizes must be ≥ 0; prices finite
//! (and > 0 for dollar bars).
//!
//! The batch forms emit every bar including the last, which may be
//! incomplete (the series ended inside it); the streaming [`BarBuilder`]
//! emits a bar when it completes and hands over the one in progress on
//! [`BarBuilder::flush`]. Batch = every `update` + `flush`, bit for bit.

use super::market_input::{
    all_finite, all_non_negative, all_positive, all_time_forward, finite, non_negative, period_start, positive,
    positive_param, same_len, time_forward, RunningSum,
};
use super::simd::Path;
use super::AnalyticsError;

/// How trades are grouped into bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BarKind {
    /// Intervals of this many ms aligned to UTC multiples.
    Time(f64),
    /// This many trades per bar.
    Tick(u64),
    /// Close a bar once its volume reaches this.
    Volume(f64),
    /// Close a bar once its traded value `Σ p·v` reaches this.
    Dollar(f64),
}

impl BarKind {
    fn check(self) -> Result<(), AnalyticsError> {
        match self {
            BarKind::Time(ms) => positive_param("interval", ms),
            BarKind::Tick(n) => positive_param("trades", n as f64),
            BarKind::Volume(v) => positive_param("volume", v),
            BarKind::Dollar(v) => positive_param("value", v),
        }
    }
}

/// One bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Interval start (time bars) or first trade's time (other bars).
    pub start: f64,
    /// First trade's price.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Last trade's price.
    pub close: f64,
    /// Sum of sizes.
    pub volume: f64,
    /// Number of trades.
    pub count: u64,
    /// `Σ p·v / Σ v`, NaN with no volume.
    pub vwap: f64,
}

/// Bars as columns, one entry per bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bars {
    /// Bar starts.
    pub start: Vec<f64>,
    /// Opens.
    pub open: Vec<f64>,
    /// Highs.
    pub high: Vec<f64>,
    /// Lows.
    pub low: Vec<f64>,
    /// Closes.
    pub close: Vec<f64>,
    /// Volumes.
    pub volume: Vec<f64>,
    /// Trade counts (exact up to 2^53).
    pub count: Vec<f64>,
    /// VWAPs.
    pub vwap: Vec<f64>,
}

/// Number of columns in [`Bars::to_columns`].
pub const BAR_COLUMNS: usize = 8;

impl Bars {
    /// Number of bars.
    pub fn len(&self) -> usize {
        self.start.len()
    }

    /// True when there is no bar.
    pub fn is_empty(&self) -> bool {
        self.start.is_empty()
    }

    /// Appends one bar.
    pub fn push(&mut self, b: &Bar) {
        self.start.push(b.start);
        self.open.push(b.open);
        self.high.push(b.high);
        self.low.push(b.low);
        self.close.push(b.close);
        self.volume.push(b.volume);
        self.count.push(b.count as f64);
        self.vwap.push(b.vwap);
    }

    /// Bar `i`.
    pub fn get(&self, i: usize) -> Bar {
        Bar {
            start: self.start[i],
            open: self.open[i],
            high: self.high[i],
            low: self.low[i],
            close: self.close[i],
            volume: self.volume[i],
            count: self.count[i] as u64,
            vwap: self.vwap[i],
        }
    }

    /// All columns one after another (start, open, high, low, close, volume,
    /// count, vwap), each `len()` long: column `c` of bar `i` is at `c * len() + i`.
    pub fn to_columns(&self) -> Vec<f64> {
        [&self.start, &self.open, &self.high, &self.low, &self.close, &self.volume, &self.count, &self.vwap]
            .iter()
            .flat_map(|c| c.iter().copied())
            .collect()
    }
}

/// The bar in progress. Volume and value are compensated sums, the same as
/// the VWAP functions keep, so a bar's VWAP equals `vwap` over its trades.
#[derive(Debug, Clone, Copy)]
struct Open {
    bar: Bar,
    /// For a time bar, where its interval ends if that is known exactly (see
    /// `known_end`); NaN otherwise.
    known_end: f64,
    volume: RunningSum,
    /// `Σ p·v`.
    value: RunningSum,
}

impl Open {
    fn new(start: f64, price: f64) -> Self {
        Open {
            bar: Bar {
                start,
                open: price,
                high: price,
                low: price,
                close: price,
                volume: 0.0,
                count: 0,
                vwap: f64::NAN,
            },
            known_end: f64::NAN,
            volume: RunningSum::default(),
            value: RunningSum::default(),
        }
    }

    fn add(&mut self, price: f64, size: f64) {
        let b = &mut self.bar;
        b.high = b.high.max(price);
        b.low = b.low.min(price);
        b.close = price;
        b.count += 1;
        self.volume.add(size);
        self.value.add(price * size);
        b.volume = self.volume.total();
    }

    fn finish(self) -> Bar {
        let mut b = self.bar;
        b.vwap = if b.volume > 0.0 { (self.value.total() / b.volume).clamp(b.low, b.high) } else { f64::NAN };
        b
    }
}

/// Largest integer up to which every integer is an f64.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// The end of the time bar starting at `start` when it can be known without
/// the remainder (a software `fmod` in WASM, tens of instructions per
/// trade), else NaN (no trade compares below it). With a whole `interval` and
/// whole starts below 2^53, `t − t.rem_euclid(interval)` is exact, so a trade
/// at `t ≥ start` (trades never go back in time) is in this bar exactly when
/// `t < start + interval`.
fn known_end(start: f64, interval: f64) -> f64 {
    let end = start + interval;
    if interval.fract() == 0.0 && start.fract() == 0.0 && start.abs() <= EXACT_INTEGERS && end.abs() <= EXACT_INTEGERS {
        end
    } else {
        f64::NAN
    }
}

/// Streaming bar builder: feed trades in time order, get bars as they complete.
#[derive(Debug, Clone)]
pub struct BarBuilder {
    kind: BarKind,
    open: Option<Open>,
    last_ts: Option<f64>,
    index: usize,
}

impl BarBuilder {
    /// A builder of `kind` bars; refuses a size ≤ 0.
    pub fn new(kind: BarKind) -> Result<Self, AnalyticsError> {
        kind.check()?;
        Ok(Self { kind, open: None, last_ts: None, index: 0 })
    }

    /// Adds a trade; returns the bar it completes, if any: for time bars the
    /// previous bar when this trade falls in a later interval, for the others
    /// the bar this trade fills. A refused trade changes nothing.
    pub fn update(&mut self, ts: f64, price: f64, size: f64) -> Result<Option<Bar>, AnalyticsError> {
        time_forward("ts", self.index, self.last_ts, ts)?;
        match self.kind {
            BarKind::Dollar(_) => positive("price", self.index, price)?,
            _ => finite("price", self.index, price)?,
        }
        non_negative("size", self.index, size)?;
        self.index += 1;
        Ok(self.apply(ts, price, size))
    }

    /// Adds a trade already checked.
    fn apply(&mut self, ts: f64, price: f64, size: f64) -> Option<Bar> {
        self.last_ts = Some(ts);
        match self.kind {
            BarKind::Time(interval) => {
                // Most trades fall in the open bar's interval: see `same_interval`
                // for when that is decided without computing the start.
                if let Some(o) = self.open.as_mut().filter(|o| ts < o.known_end) {
                    o.add(price, size);
                    return None;
                }
                let start = period_start(ts, interval, 0.0);
                let done = match self.open {
                    Some(o) if o.bar.start != start => self.open.take().map(|o| o.finish()),
                    _ => None,
                };
                let o = self.open.get_or_insert_with(|| Open::new(start, price));
                o.known_end = known_end(start, interval);
                o.add(price, size);
                done
            }
            BarKind::Tick(n) => self.add_until(ts, price, size, |o| o.bar.count >= n),
            BarKind::Volume(v) => self.add_until(ts, price, size, |o| o.bar.volume >= v),
            BarKind::Dollar(v) => self.add_until(ts, price, size, |o| o.value.total() >= v),
        }
    }

    /// Adds the trade to the bar in progress and completes it once `full`.
    fn add_until(&mut self, ts: f64, price: f64, size: f64, full: impl Fn(&Open) -> bool) -> Option<Bar> {
        let o = self.open.get_or_insert_with(|| Open::new(ts, price));
        o.add(price, size);
        if full(o) {
            self.open.take().map(Open::finish)
        } else {
            None
        }
    }

    /// Hands over the bar in progress (incomplete), if any, and starts afresh
    /// for the next trade (time order is still enforced).
    pub fn flush(&mut self) -> Option<Bar> {
        self.open.take().map(Open::finish)
    }
}

/// Bars of `kind` from a trade series (see the module notes).
pub fn bars(ts: &[f64], price: &[f64], size: &[f64], kind: BarKind) -> Result<Bars, AnalyticsError> {
    same_len("price", price, ts.len())?;
    same_len("size", size, ts.len())?;
    let mut builder = BarBuilder::new(kind)?;
    all_time_forward("ts", ts)?;
    match kind {
        BarKind::Dollar(_) => all_positive("price", price)?,
        _ => all_finite("price", price, Path::Simd)?,
    }
    all_non_negative("size", size, Path::Simd)?;
    let mut out = Bars::default();
    for i in 0..ts.len() {
        if let Some(bar) = builder.apply(ts[i], price[i], size[i]) {
            out.push(&bar);
        }
    }
    if let Some(bar) = builder.flush() {
        out.push(&bar);
    }
    Ok(out)
}

/// Time bars of `interval` ms aligned to UTC multiples.
pub fn time_bars(ts: &[f64], price: &[f64], size: &[f64], interval: f64) -> Result<Bars, AnalyticsError> {
    bars(ts, price, size, BarKind::Time(interval))
}

/// Bars of `trades` trades each.
pub fn tick_bars(ts: &[f64], price: &[f64], size: &[f64], trades: u64) -> Result<Bars, AnalyticsError> {
    bars(ts, price, size, BarKind::Tick(trades))
}

/// Bars closing once their volume reaches `volume`.
pub fn volume_bars(ts: &[f64], price: &[f64], size: &[f64], volume: f64) -> Result<Bars, AnalyticsError> {
    bars(ts, price, size, BarKind::Volume(volume))
}

/// Bars closing once their traded value `Σ p·v` reaches `value`.
pub fn dollar_bars(ts: &[f64], price: &[f64], size: &[f64], value: f64) -> Result<Bars, AnalyticsError> {
    bars(ts, price, size, BarKind::Dollar(value))
}
