-- Trades of one symbol in [{start}, {end}] (microseconds), after the cursor
-- (ts, seq) in the requested direction, at most {limit} rows.
SELECT toUnixTimestamp64Micro(ts) AS us, seq, price, size, taker_side
FROM {db}.trades
WHERE symbol = {symbol:String}
  AND ts >= fromUnixTimestamp64Micro({start:Int64}, 'UTC')
  AND ts <= fromUnixTimestamp64Micro({end:Int64}, 'UTC')
  AND {cursor}
ORDER BY ts {order}, seq {order}
LIMIT {limit:UInt32}
