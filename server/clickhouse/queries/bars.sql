-- Bars of {step} seconds rolled up from the 1-minute bars, bucket starts in
-- [{start}, {end}] (epoch-aligned: 300 s buckets start on :00, :05, …; 86400 s at
-- midnight UTC), ascending or descending, at most {limit} rows.
SELECT
    toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond({step:UInt32}))) AS t,
    argMinMerge(open) AS o,
    max(high) AS h,
    min(low) AS l,
    argMaxMerge(close) AS c,
    sum(volume) AS v,
    sum(notional) AS notional,
    sum(trade_count) AS n
FROM {db}.bars_1m
WHERE symbol = {symbol:String}
  AND minute >= toStartOfInterval(toDateTime({start:Int64}, 'UTC'), toIntervalSecond({step:UInt32}))
  AND minute <= toDateTime({end:Int64}, 'UTC') + toIntervalSecond({step:UInt32})
GROUP BY t
HAVING t >= {start:Int64} AND t <= {end:Int64}
ORDER BY t {order}
LIMIT {limit:UInt32}
