//! Performance metrics from the equity curve and the trade list. Every
//! formula is here, in one place, in f64 (money converted from the engine's
//! integers):
//!
//! - Period returns `r_i = E_i / E_{i−1} − 1` over the `m` intervals between
//!   the `m + 1` equity samples (one sample per data timestamp, or per sample
//!   interval; see `BacktestConfig::sample_every`).
//! - Total return `E_last / E_first − 1`.
//! - Annualized return `(1 + total)^(P / m) − 1`, where `P` is the number of
//!   periods per year (`periods_per_year`, 252 for daily bars by default).
//! - CAGR `(1 + total)^(1 / years) − 1`, with `years = (t_last − t_first) /
//!   ts_per_year` measured on the timestamps (calendar time).
//! - Volatility `σ × √P`, σ the *sample* standard deviation (n − 1) of `r`.
//! - Sharpe `mean(r) / σ × √P`, risk-free rate 0.
//! - Sortino `mean(r) / DD × √P`, with downside deviation
//!   `DD = √(Σ min(r_i, 0)² / m)` (target 0, over all `m` periods).
//! - Drawdown at each sample `E_i / max_{j≤i} E_j − 1` (≤ 0); maximum drawdown
//!   is the largest `−drawdown`, reported as a positive fraction; its duration
//!   is the longest time from a peak until equity first gets back to it (or
//!   until the last sample, if it never does).
//! - Calmar `CAGR / max drawdown`.
//! - Trade statistics over *closed* trades (a trade open at the end is listed
//!   but not counted): win rate = share with P&L > 0; profit factor = gross
//!   profit / gross loss (∞ with profits and no losses); expectancy = mean P&L
//!   in money; average, best and worst trade by return (P&L / entry notional).
//! - Exposure = share of the sampled time during which any position was open.
//! - Buy-and-hold return of the first instrument: last mark / first price − 1.
//!
//! A ratio whose denominator is 0 is reported as 0 (∞ only for the profit factor).
//! Powers come from the `libm` crate (pure Rust) rather than the platform's
//! maths library, so native and WASM runs agree to the last bit.

use crate::types::{Side, SymbolId};

/// One sample of the equity curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EquityPoint {
    /// Timestamp of the data the sample follows.
    pub ts: u64,
    /// Cash plus every position at its mark, in money units.
    pub equity: f64,
    /// `equity / running peak − 1` (0 at a new peak).
    pub drawdown: f64,
    /// Whether any position was open at the sample.
    pub exposed: bool,
}

/// One round trip: from a flat position to flat again (a fill through zero
/// closes one trade and opens the next).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trade {
    /// The instrument.
    pub symbol: SymbolId,
    /// `Buy` for a long trade, `Sell` for a short one.
    pub side: Side,
    /// Time of the first entry fill.
    pub entry_ts: u64,
    /// Time of the last exit fill (of the last mark, for an open trade).
    pub exit_ts: u64,
    /// Average entry price (quantity-weighted).
    pub entry_price: f64,
    /// Average exit price (the last mark for the open part of an open trade).
    pub exit_price: f64,
    /// Total quantity entered.
    pub qty: i64,
    /// Net P&L: realized P&L minus every fee of the trade, in money units
    /// (for an open trade, marked to the last price).
    pub pnl: f64,
    /// `pnl / (entry_price × qty)`.
    pub ret: f64,
    /// `exit_ts − entry_ts`.
    pub duration: u64,
    /// Fees paid on the trade's fills (negative: rebates).
    pub fees: f64,
    /// Still open at the end of the run.
    pub open: bool,
}

/// The summary of a run (see the module docs for each formula).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    /// Equity at the first sample.
    pub start_equity: f64,
    /// Equity at the last sample.
    pub end_equity: f64,
    /// Total return.
    pub total_return: f64,
    /// Annualized return by period count.
    pub annualized_return: f64,
    /// Compound annual growth rate by calendar time.
    pub cagr: f64,
    /// Annualized volatility of period returns.
    pub volatility: f64,
    /// Annualized Sharpe ratio (risk-free rate 0).
    pub sharpe: f64,
    /// Annualized Sortino ratio (target 0).
    pub sortino: f64,
    /// CAGR over maximum drawdown.
    pub calmar: f64,
    /// Maximum drawdown, a positive fraction.
    pub max_drawdown: f64,
    /// Longest time underwater, in timestamp units.
    pub max_drawdown_duration: u64,
    /// Share of closed trades with positive P&L.
    pub win_rate: f64,
    /// Gross profit / gross loss of closed trades.
    pub profit_factor: f64,
    /// Mean P&L of closed trades, in money units.
    pub expectancy: f64,
    /// Share of time with a position open.
    pub exposure: f64,
    /// Number of closed trades.
    pub trades: u32,
    /// Mean return of closed trades.
    pub avg_trade: f64,
    /// Best closed trade's return.
    pub best_trade: f64,
    /// Worst closed trade's return.
    pub worst_trade: f64,
    /// Buy-and-hold return of the first instrument.
    pub buy_and_hold_return: f64,
}

impl Metrics {
    /// The field names, in the order of [`Metrics::to_array`] (the WASM layout).
    pub const NAMES: [&'static str; 20] = [
        "startEquity",
        "endEquity",
        "totalReturn",
        "annualizedReturn",
        "cagr",
        "volatility",
        "sharpe",
        "sortino",
        "calmar",
        "maxDrawdown",
        "maxDrawdownDuration",
        "winRate",
        "profitFactor",
        "expectancy",
        "exposure",
        "trades",
        "avgTrade",
        "bestTrade",
        "worstTrade",
        "buyAndHoldReturn",
    ];

    /// Every field as f64, in the order of [`Metrics::NAMES`].
    pub fn to_array(&self) -> [f64; 20] {
        [
            self.start_equity,
            self.end_equity,
            self.total_return,
            self.annualized_return,
            self.cagr,
            self.volatility,
            self.sharpe,
            self.sortino,
            self.calmar,
            self.max_drawdown,
            self.max_drawdown_duration as f64,
            self.win_rate,
            self.profit_factor,
            self.expectancy,
            self.exposure,
            f64::from(self.trades),
            self.avg_trade,
            self.best_trade,
            self.worst_trade,
            self.buy_and_hold_return,
        ]
    }
}

impl Trade {
    /// Slots of [`Trade::to_array`].
    pub const STRIDE: usize = 12;

    /// The trade as f64s: symbol, side (1 long, 2 short), entry ts, exit ts,
    /// entry price, exit price, qty, P&L, return, duration, fees, open (0/1).
    pub fn to_array(&self) -> [f64; 12] {
        [
            f64::from(self.symbol.0),
            f64::from(self.side.code()),
            self.entry_ts as f64,
            self.exit_ts as f64,
            self.entry_price,
            self.exit_price,
            self.qty as f64,
            self.pnl,
            self.ret,
            self.duration as f64,
            self.fees,
            if self.open { 1.0 } else { 0.0 },
        ]
    }
}

/// What the metrics need beyond the curve and the trades.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Annualization {
    /// Return periods per year (`P`).
    pub periods_per_year: f64,
    /// Timestamp units per year (for CAGR).
    pub ts_per_year: f64,
}

/// Fills in each sample's drawdown from the equities; returns the maximum
/// drawdown and its duration.
pub fn drawdowns(curve: &mut [EquityPoint]) -> (f64, u64) {
    let (mut peak, mut peak_ts, mut underwater) = (f64::NEG_INFINITY, 0u64, false);
    let (mut max_dd, mut max_dur) = (0.0f64, 0u64);
    for p in curve.iter_mut() {
        if p.equity >= peak {
            // Back at (or above) the peak: the underwater stretch, if any, lasted until now.
            if underwater {
                max_dur = max_dur.max(p.ts - peak_ts);
            }
            (peak, peak_ts, underwater) = (p.equity, p.ts, false);
            p.drawdown = 0.0;
        } else {
            p.drawdown = if peak > 0.0 { p.equity / peak - 1.0 } else { 0.0 };
            max_dd = max_dd.max(-p.drawdown);
            // Not recovered (yet): counts up to this sample.
            max_dur = max_dur.max(p.ts - peak_ts);
            underwater = true;
        }
    }
    (max_dd, max_dur)
}

fn ratio(n: f64, d: f64) -> f64 {
    if d == 0.0 || !d.is_finite() {
        0.0
    } else {
        n / d
    }
}

/// Computes every metric. `curve` gets its drawdowns filled in.
pub fn compute(curve: &mut [EquityPoint], trades: &[Trade], ann: Annualization, buy_and_hold: f64) -> Metrics {
    let mut m = Metrics { buy_and_hold_return: buy_and_hold, ..Metrics::default() };
    let (max_dd, max_dur) = drawdowns(curve);
    m.max_drawdown = max_dd;
    m.max_drawdown_duration = max_dur;
    if let (Some(first), Some(last)) = (curve.first(), curve.last()) {
        m.start_equity = first.equity;
        m.end_equity = last.equity;
        m.total_return = ratio(last.equity, first.equity) - if first.equity == 0.0 { 0.0 } else { 1.0 };
        let years = (last.ts - first.ts) as f64 / ann.ts_per_year;
        m.cagr =
            if years > 0.0 && first.equity > 0.0 { libm::pow(1.0 + m.total_return, 1.0 / years) - 1.0 } else { 0.0 };
        let total_time = last.ts - first.ts;
        let exposed_time: u64 = curve.windows(2).filter(|w| w[0].exposed).map(|w| w[1].ts - w[0].ts).sum();
        m.exposure = if total_time > 0 {
            exposed_time as f64 / total_time as f64
        } else {
            curve.iter().filter(|p| p.exposed).count() as f64 / curve.len() as f64
        };
    }
    let returns: Vec<f64> = curve.windows(2).map(|w| ratio(w[1].equity, w[0].equity) - 1.0).collect();
    let periods = returns.len() as f64;
    if !returns.is_empty() {
        let p = ann.periods_per_year;
        m.annualized_return = libm::pow(1.0 + m.total_return, p / periods) - 1.0;
        let mean = returns.iter().sum::<f64>() / periods;
        let sigma = if returns.len() > 1 {
            (returns.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / (periods - 1.0)).sqrt()
        } else {
            0.0
        };
        let downside = (returns.iter().map(|r| r.min(0.0) * r.min(0.0)).sum::<f64>() / periods).sqrt();
        m.volatility = sigma * p.sqrt();
        m.sharpe = ratio(mean, sigma) * p.sqrt();
        m.sortino = ratio(mean, downside) * p.sqrt();
    }
    m.calmar = ratio(m.cagr, m.max_drawdown);
    let closed: Vec<&Trade> = trades.iter().filter(|t| !t.open).collect();
    m.trades = closed.len() as u32;
    if !closed.is_empty() {
        let n = closed.len() as f64;
        let wins = closed.iter().filter(|t| t.pnl > 0.0).count() as f64;
        let gross_profit: f64 = closed.iter().map(|t| t.pnl.max(0.0)).sum();
        let gross_loss: f64 = closed.iter().map(|t| (-t.pnl).max(0.0)).sum();
        m.win_rate = wins / n;
        m.profit_factor = if gross_loss > 0.0 {
            gross_profit / gross_loss
        } else if gross_profit > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        m.expectancy = closed.iter().map(|t| t.pnl).sum::<f64>() / n;
        m.avg_trade = closed.iter().map(|t| t.ret).sum::<f64>() / n;
        m.best_trade = closed.iter().map(|t| t.ret).fold(f64::NEG_INFINITY, f64::max);
        m.worst_trade = closed.iter().map(|t| t.ret).fold(f64::INFINITY, f64::min);
    }
    m
}
