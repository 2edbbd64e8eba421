-- Minutes of the last hour of trades whose 1-minute bar does not count their trades. The bars come from a
-- materialized view as trades are inserted, and the two tables are not written atomically: a crash between a batch's
-- trades and its bar leaves the trades (which the projector's watermark then skips) without their bar.
SELECT t.symbol AS symbol, toString(toUnixTimestamp(t.minute)) AS minute
FROM
(
    SELECT symbol, toStartOfMinute(ts) AS minute, count() AS n
    FROM {db}.trades
    WHERE ts >= (SELECT max(ts) FROM {db}.trades) - INTERVAL 1 HOUR
    GROUP BY symbol, minute
) AS t
LEFT JOIN
(
    SELECT symbol, minute, sum(trade_count) AS n
    FROM {db}.bars_1m
    WHERE minute >= toStartOfMinute((SELECT max(ts) FROM {db}.trades) - INTERVAL 1 HOUR)
    GROUP BY symbol, minute
) AS b ON t.symbol = b.symbol AND t.minute = b.minute
WHERE b.n != t.n
ORDER BY symbol, minute
