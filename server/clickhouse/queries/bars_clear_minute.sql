-- Drops the 1-minute bar rows of one symbol and minute, before bars_rebuild_minute.sql makes them again.
ALTER TABLE {db}.bars_1m DELETE WHERE symbol = {symbol:String} AND minute = toDateTime({minute:UInt32}, 'UTC')
SETTINGS mutations_sync = 2
