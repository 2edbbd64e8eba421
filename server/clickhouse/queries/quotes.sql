-- Stored top-of-book quotes of one symbol in [{start}, {end}] (microseconds),
-- after the cursor (ts, seq) in the requested direction, at most {limit} rows.
-- FINAL: a quote stored twice (re-delivered across a restart) is read once.
SELECT toUnixTimestamp64Micro(ts) AS us, seq, bid_price, bid_size, ask_price, ask_size
FROM {db}.quotes FINAL
WHERE symbol = {symbol:String}
  AND ts >= fromUnixTimestamp64Micro({start:Int64}, 'UTC')
  AND ts <= fromUnixTimestamp64Micro({end:Int64}, 'UTC')
  AND {cursor}
ORDER BY ts {order}, seq {order}
LIMIT {limit:UInt32}
