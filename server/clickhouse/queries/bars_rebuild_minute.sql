-- The 1-minute bar of one symbol and minute from its stored trades: the same aggregates as the trades_to_bars_1m view.
INSERT INTO {db}.bars_1m
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
WHERE symbol = {symbol:String} AND toStartOfMinute(ts) = toDateTime({minute:UInt32}, 'UTC')
GROUP BY symbol, minute
