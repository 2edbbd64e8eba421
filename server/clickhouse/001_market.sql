-- Market data in ClickHouse: trades, top-of-book quotes and L2 snapshots, each
-- ordered by (symbol, time), and 1-minute bars rolled from trades by a
-- materialized view. Prices and sizes are integers in the instrument's units
-- (price_scale / qty_scale decimals, as the engine keeps them), so nothing is
-- rounded and the integer codecs apply. `{db}` is the database name.
-- Statements are separated by lines holding only `;`.

CREATE DATABASE IF NOT EXISTS {db}
;
CREATE TABLE IF NOT EXISTS {db}.trades
(
    symbol      LowCardinality(String),
    ts          DateTime64(6, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    -- The engine's event sequence number: unique per trade, increasing.
    seq         UInt64 CODEC(DoubleDelta, ZSTD(1)),
    price       Int64 CODEC(Delta, ZSTD(1)),
    size        Int64 CODEC(T64, ZSTD(1)),
    taker_side  Enum8('buy' = 1, 'sell' = 2),
    price_scale UInt8 CODEC(ZSTD(1)),
    qty_scale   UInt8 CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (symbol, ts, seq)
;
CREATE TABLE IF NOT EXISTS {db}.quotes
(
    symbol      LowCardinality(String),
    ts          DateTime64(6, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    -- Sequence number of the last book change before the quote: orders quotes
    -- that share a timestamp, and makes a re-delivered quote the same row.
    seq         UInt64 CODEC(DoubleDelta, ZSTD(1)),
    -- 0 when that side of the book is empty.
    bid_price   Int64 CODEC(Delta, ZSTD(1)),
    bid_size    Int64 CODEC(T64, ZSTD(1)),
    ask_price   Int64 CODEC(Delta, ZSTD(1)),
    ask_size    Int64 CODEC(T64, ZSTD(1))
)
-- A re-delivered quote is the same row; merges keep one.
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (symbol, ts, seq)
;
CREATE TABLE IF NOT EXISTS {db}.l2_snapshots
(
    symbol      LowCardinality(String),
    ts          DateTime64(6, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    -- Sequence number of the last book change the snapshot includes.
    seq         UInt64 CODEC(DoubleDelta, ZSTD(1)),
    bid_prices  Array(Int64) CODEC(ZSTD(3)),
    bid_sizes   Array(Int64) CODEC(ZSTD(3)),
    bid_orders  Array(UInt32) CODEC(ZSTD(3)),
    ask_prices  Array(Int64) CODEC(ZSTD(3)),
    ask_sizes   Array(Int64) CODEC(ZSTD(3)),
    ask_orders  Array(UInt32) CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (symbol, ts, seq)
;
CREATE TABLE IF NOT EXISTS {db}.bars_1m
(
    symbol      LowCardinality(String),
    minute      DateTime('UTC') CODEC(DoubleDelta, ZSTD(1)),
    -- open/close: the price of the first/last trade by sequence number.
    open        AggregateFunction(argMin, Int64, UInt64),
    high        SimpleAggregateFunction(max, Int64),
    low         SimpleAggregateFunction(min, Int64),
    close       AggregateFunction(argMax, Int64, UInt64),
    volume      SimpleAggregateFunction(sum, Int128),
    -- sum(price × size), for the volume-weighted average price.
    notional    SimpleAggregateFunction(sum, Int128),
    trade_count SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (symbol, minute)
;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.trades_to_bars_1m TO {db}.bars_1m AS
SELECT
    symbol,
    toStartOfMinute(ts) AS minute,
    argMinState(price, seq) AS open,
    max(price) AS high,
    min(price) AS low,
    argMaxState(price, seq) AS close,
    sum(toInt128(size)) AS volume,
    sum(toInt128(price) * size) AS notional,
    count() AS trade_count
FROM {db}.trades
GROUP BY symbol, minute
;
