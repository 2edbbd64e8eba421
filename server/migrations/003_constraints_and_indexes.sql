-- What a DBA expects beyond 001: every value a column may take spelled out,
-- references between orders and fills that cannot drift, and indexes for the
-- reads and foreign keys the venue does. Rows are projected several commands
-- per transaction (an order, its replacement and their fills together), so
-- the references among orders are checked at commit (DEFERRABLE INITIALLY
-- DEFERRED); the others hold at every statement, as the projection writes an
-- order before its fills.

-- ---- orders ----
ALTER TABLE orders
  ADD CONSTRAINT orders_status_check CHECK (status IN
    ('pending_new', 'new', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected', 'replaced')),
  ADD CONSTRAINT orders_filled_qty_check CHECK (filled_qty >= 0 AND filled_qty <= qty),
  ADD CONSTRAINT orders_filled_notional_check CHECK (filled_notional >= 0),
  ADD CONSTRAINT orders_prices_check CHECK ((limit_price IS NULL OR limit_price > 0) AND (stop_price IS NULL OR stop_price > 0)),
  ADD CONSTRAINT orders_limit_price_check CHECK ((type IN ('limit', 'stop_limit')) = (limit_price IS NOT NULL)),
  ADD CONSTRAINT orders_stop_price_check CHECK ((type IN ('stop', 'stop_limit')) = (stop_price IS NOT NULL)),
  ADD CONSTRAINT orders_display_qty_check CHECK (display_qty IS NULL OR (display_qty > 0 AND display_qty <= qty)),
  ADD CONSTRAINT orders_expire_at_check CHECK ((time_in_force = 'gtd') = (expire_at IS NOT NULL)),
  ADD CONSTRAINT orders_rejected_check CHECK (status <> 'rejected' OR reject_reason IS NOT NULL),
  ADD CONSTRAINT orders_replaced_check CHECK (status <> 'replaced' OR replaced_by IS NOT NULL),
  ADD CONSTRAINT orders_client_order_id_check CHECK (length(client_order_id) BETWEEN 1 AND 128),
  ADD CONSTRAINT orders_replaces_fkey FOREIGN KEY (replaces) REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT orders_replaced_by_fkey FOREIGN KEY (replaced_by) REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  -- The target of the fills' composite reference below.
  ADD CONSTRAINT orders_id_account_symbol_key UNIQUE (id, account_id, symbol);

-- A replacement keeps its predecessor's engine id, so the id is unique among
-- the orders not replaced: one current order per engine order.
CREATE UNIQUE INDEX orders_engine_id_key ON orders (engine_id) WHERE replaced_by IS NULL;
CREATE INDEX orders_engine_id_idx ON orders (engine_id);
CREATE INDEX orders_symbol_created_idx ON orders (symbol, created_at DESC);
CREATE UNIQUE INDEX orders_replaces_key ON orders (replaces) WHERE replaces IS NOT NULL;
CREATE INDEX orders_replaced_by_idx ON orders (replaced_by) WHERE replaced_by IS NOT NULL;

-- ---- fills ----
ALTER TABLE fills
  ADD CONSTRAINT fills_qty_check CHECK (qty > 0),
  ADD CONSTRAINT fills_price_check CHECK (price > 0),
  ADD CONSTRAINT fills_leaves_qty_check CHECK (leaves_qty >= 0),
  -- A fill belongs to its order's account and instrument.
  ADD CONSTRAINT fills_order_account_symbol_fkey FOREIGN KEY (order_id, account_id, symbol) REFERENCES orders (id, account_id, symbol);
CREATE INDEX fills_symbol_time_idx ON fills (symbol, transaction_time DESC);

-- ---- money and positions ----
ALTER TABLE cash_ledger ADD CONSTRAINT cash_ledger_amount_check CHECK (amount > 0);
CREATE INDEX positions_symbol_idx ON positions (symbol);
ALTER TABLE risk_limits
  ADD CONSTRAINT risk_limits_nonnegative_check CHECK (
    max_order_qty >= 0 AND max_order_notional >= 0 AND max_gross_exposure >= 0 AND max_open_orders >= 0 AND orders_per_second >= 0);

-- ---- users, keys, engine log, audit ----
ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (position('@' IN email) > 1 AND length(email) <= 320);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_revoked_at_check CHECK (revoked_at IS NULL OR revoked_at >= created_at);
ALTER TABLE engine_log ADD CONSTRAINT engine_log_seq_check CHECK (seq > 0);
ALTER TABLE engine_snapshots ADD CONSTRAINT engine_snapshots_next_order_check CHECK (next_order > 0);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC);
