-- The last trade of one symbol.
SELECT toUnixTimestamp64Micro(ts) AS us, seq, price, size, taker_side
FROM {db}.trades
WHERE symbol = {symbol:String}
ORDER BY ts DESC, seq DESC
LIMIT 1
