-- An account's pre-trade checks can be switched off (post-trade only: a house
-- or market-maker account). Every existing account stays checked. A scale-out
-- gateway's risk_limits is a view over its first shard's table (which gets
-- the column from this same migration), so only a table is altered.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'risk_limits' AND table_type = 'BASE TABLE') THEN
    ALTER TABLE risk_limits ADD COLUMN pre_trade_checks boolean NOT NULL DEFAULT true;
  END IF;
END $$;
