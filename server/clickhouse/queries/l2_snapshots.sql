-- Stored L2 snapshots of one symbol in [{start}, {end}] (microseconds), after
-- the cursor seq in the requested direction, at most {limit} rows (FINAL: a
-- snapshot stored twice is read once).
SELECT toUnixTimestamp64Micro(ts) AS us, seq, bid_prices, bid_sizes, bid_orders, ask_prices, ask_sizes, ask_orders
FROM {db}.l2_snapshots FINAL
WHERE symbol = {symbol:String}
  AND ts >= fromUnixTimestamp64Micro({start:Int64}, 'UTC')
  AND ts <= fromUnixTimestamp64Micro({end:Int64}, 'UTC')
  AND {cursor}
ORDER BY seq {order}
LIMIT {limit:UInt32}
