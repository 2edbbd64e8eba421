-- Drops the 1-minute bar rows of one symbol and minute, before MarketData.repairBars makes them again from the trades.
ALTER TABLE {db}.bars_1m DELETE WHERE symbol = {symbol:String} AND minute = toDateTime({minute:UInt32}, 'UTC')
SETTINGS mutations_sync = 2
