//! Backtest replay: historical bars, trades, quotes, L2 diffs and L3 orders replayed in
//! timestamp order through a simulated venue built on the real engine — its
//! book, risk checks and accounting — for one strategy account whose single
//! cash balance spans every instrument.
//!
//! # Time
//! Every data point has a timestamp (any integer unit; a bar's timestamp is
//! when it is *complete*). The venue processes, in time order, data points
//! and strategy commands reaching it; at equal times, commands first, then
//! data, then deliveries to the strategy. A command sent at the strategy's
//! time `now` reaches the venue `order_latency` later; data points and order
//! updates reach the strategy `data_latency` after they happen (latencies are
//! constant or drawn from a SplitMix64 stream seeded by `seed`, see
//! [`Latency`]). The strategy is called with everything due at one instant, so
//! it only ever sees data stamped at or before its `now`: there is no look-ahead
//! by construction. The same inputs and seed give identical runs.
//!
//! # Fill models
//! *Bars.* An order takes part in a bar if it reached the venue by the bar's
//! timestamp. Market orders fill at the bar's open (or, with
//! [`BarMarketFill::SameClose`], at once at the last bar's close). Within a
//! bar, in this order: at the open, market orders, stops the open has gapped
//! through (at the open) and limits the open already satisfies (at the open
//! plus slippage, never beyond their limit); then stops the bar's path touches, in
//! the order it touches them, at their stop price; then limits the path
//! touches, at their limit price (maker). The path is `O → L → H → C` for a
//! bar closing at or above its open and `O → H → L → C` otherwise (see
//! [`fill`]). So when a stop and a target are both touched in one bar, the
//! stop is taken first (give exits `reduce_only` so the second one is refused
//! by the engine rather than opening a new position). A triggered stop-limit
//! fills at once if its limit accepts the stop price, otherwise rests and may
//! fill later in the same bar once the path comes back to its limit. With a
//! volume cap, fills in a bar share `cap × volume` (rounded down to the lot);
//! the rest stays working (partial fills).
//!
//! *Prints (trades).* Stops trigger when a print reaches them (with
//! [`StopTrigger::Quote`], when the book's best opposite price does instead). Market orders
//! (and triggered stops) fill at the next print, within `cap × print size`,
//! unless the instrument has a book (below). A resting limit the print traded
//! through (a buy above it, a sell below it) fills at its limit first, best
//! price first; then orders at the print's price, on the side the aggressor
//! hit (either side if unknown), fill with what the print has beyond the
//! queue ahead of them (see [`fill::queue_fills`]); each side of the
//! strategy's orders is matched against the whole print.
//!
//! *Book (L2 diffs, quotes).* The venue keeps the data's book. An order that
//! arrives marketable walks it at the book's prices (no slippage; the levels
//! it takes are consumed until the data next sets them) and the rest of a
//! limit joins the queue with the level's current size ahead of it. The
//! queue ahead shrinks with prints at its price and is capped by the level's
//! size whenever the data shrinks it (cancellations ahead of us). A data
//! level that crosses a resting strategy order fills it at its own price. A
//! quote replaces the book with its two levels.
//!
//! *L3 (market-by-order).* The venue rebuilds the real book order by order
//! and a strategy order's queue position is exact: behind every order
//! resting at its price when it joins, advancing as exactly those are
//! cancelled or executed, filled by executions of orders behind it (see
//! [`l3`] for the rules). Executions are prints for stops and marks.
//!
//! Orders are validated on arrival with the engine's reject codes (unknown
//! symbol, duplicate id, off-grid price or quantity, expiry). IOC and FOK
//! orders get one evaluation (the first bar, print, or their arrival against
//! a book); GTD orders expire at their time and DAY orders at the next
//! session boundary (`session_length`).
//!
//! # Costs
//! Fees are the engine's per-instrument maker/taker rates (ppm of notional,
//! 1 bp = 100 ppm) plus per-unit amounts; slippage ([`Slippage`]) moves bar
//! and print fill prices against the order by ticks or basis points. Every
//! fill executes in the engine (see `venue`): fees, positions, cash and
//! realized P&L are the engine's, and its risk checks run at execution.
//!
//! # Results
//! An equity curve (cash + positions at the last price, sampled after each
//! data timestamp), a trade list and the metrics in [`metrics`].
//!
//! # The batch protocol (what the WASM layer exposes)
//! Data is loaded once as columns. The host then loops: write the strategy's
//! commands as f64 records ([`record`]), call `step(max_points)`, which sends
//! them and advances until something is due to the strategy (or the budget of
//! data points runs out), and read the records it wrote — data points and
//! order updates, all for one instant — through one typed-array view. The
//! strategy's callbacks run over that batch and their orders go into the next
//! call. One call per strategy instant; no object per event.

mod clock;
mod data;
pub mod fill;
pub mod l3;
mod latency;
pub mod metrics;
mod portfolio;
pub mod record;
mod rng;
mod runner;
mod venue;

pub use data::{DataError, DataKind};
pub use fill::{BarMarketFill, Slippage, StopTrigger};
pub use l3::L3Action;
pub use latency::Latency;
pub use metrics::{Annualization, EquityPoint, Metrics, Trade};
pub use rng::Rng;
pub use runner::{
    Backtest, BacktestConfig, BacktestResult, StepStatus, Subscriptions, STRATEGY_ACCOUNT, SUBSCRIBE_ALL,
};
pub use venue::{OrderRequest, SimOrderView, StrategyCommand, LIQUIDITY_MAKER, LIQUIDITY_TAKER};
