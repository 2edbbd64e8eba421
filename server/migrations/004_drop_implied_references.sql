-- Checks that cost the projection a lookup per row and guarded nothing that
-- migration 003 does not already guarantee.
--
-- fills.account_id -> accounts, fills.order_id -> orders, fills.symbol ->
-- instruments: every fill column is NOT NULL, so the composite reference
-- fills_order_account_symbol_fkey (order_id, account_id, symbol) -> orders
-- (id, account_id, symbol) is checked for every fill; the order it finds has
-- that id, and (through orders_account_id_fkey and orders_symbol_fkey) that
-- account and that instrument. An order cannot be deleted or re-keyed while a
-- fill names it (the composite reference), nor an account or instrument while
-- such an order names it (the orders' references), so each single-column
-- reference held whenever the composite one did. A fill naming an unknown
-- order, or an order of another account or instrument, is still refused,
-- now by fills_order_account_symbol_fkey.
ALTER TABLE fills
  DROP CONSTRAINT fills_account_id_fkey,
  DROP CONSTRAINT fills_order_id_fkey,
  DROP CONSTRAINT fills_symbol_fkey;

-- orders_engine_id_idx: no statement looks orders up by engine id; the
-- partial unique index orders_engine_id_key holds the current order of every
-- engine id, and the orders a replacement superseded are reached through
-- orders_replaces_key and orders_replaced_by_idx.
DROP INDEX orders_engine_id_idx;
