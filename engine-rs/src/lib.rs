//! CIFT Markets matching engine: a deterministic multi-instrument limit order
//! book with price-time priority, stops, icebergs, self-trade prevention and an
//! event stream — pure Rust with no I/O, clocks or randomness, compiled once
//! to WebAssembly (see `wasm`) and natively for tests and benchmarks.

pub mod analytics;
pub mod backtest;
mod book;
mod command;
mod engine;
mod event;
mod instrument;
mod level;
mod order;
mod risk;
mod snapshot;
mod types;
pub mod wasm;
pub mod wire;

pub use backtest::{Backtest, BacktestConfig, BacktestResult};
pub use command::{Command, CommandKind, NewOrder};
pub use engine::{Engine, LevelView};
pub use event::{CancelReason, Event, EventKind, RejectReason};
pub use instrument::InstrumentSpec;
pub use order::{OrderStatus, OrderView};
pub use risk::{AccountLimits, AccountView, CollarRef, Fees, InstrumentLimits, Liquidity, PositionView, PPM};
pub use snapshot::SnapshotError;
pub use types::{AccountId, OrderId, OrderType, Price, Qty, Side, StpMode, SymbolId, TimeInForce};
