-- The highest stored sequence number per symbol, for trades, quotes and L2 snapshots:
-- the projector skips anything at or below it (a re-delivered event).
SELECT 'trades' AS kind, symbol, max(seq) AS seq FROM {db}.trades GROUP BY symbol
UNION ALL
SELECT 'quotes' AS kind, symbol, max(seq) AS seq FROM {db}.quotes GROUP BY symbol
UNION ALL
SELECT 'l2' AS kind, symbol, max(seq) AS seq FROM {db}.l2_snapshots GROUP BY symbol
