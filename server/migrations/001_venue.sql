-- The venue's relational state. Plain PostgreSQL: the embedded server runs it
-- on PGlite, production on PostgreSQL (same file, applied once, in order).
-- Prices, quantities and money are exact decimals (numeric); the engine's
-- integer units are derived from them with each instrument's scale.

CREATE TABLE venue_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  email         text NOT NULL,
  password_hash text NOT NULL,
  role          text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE SEQUENCE engine_account_seq;
CREATE SEQUENCE account_number_seq;

CREATE TABLE accounts (
  id              uuid PRIMARY KEY,
  user_id         uuid NOT NULL UNIQUE REFERENCES users (id),
  account_number  text NOT NULL UNIQUE,
  engine_account  integer NOT NULL UNIQUE CHECK (engine_account > 0),
  status          text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED')),
  cash            numeric NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  account_id   uuid NOT NULL REFERENCES accounts (id),
  secret_hash  text NOT NULL,
  scopes       text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'trade']::text[] AND cardinality(scopes) > 0),
  label        text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX api_keys_account_idx ON api_keys (account_id);

CREATE TABLE instruments (
  symbol         text PRIMARY KEY CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,15}$'),
  engine_symbol  integer NOT NULL UNIQUE CHECK (engine_symbol > 0),
  name           text NOT NULL DEFAULT '',
  price_scale    smallint NOT NULL CHECK (price_scale BETWEEN 0 AND 12),
  qty_scale      smallint NOT NULL CHECK (qty_scale BETWEEN 0 AND 12),
  tick_size      numeric NOT NULL CHECK (tick_size > 0),
  lot_size       numeric NOT NULL CHECK (lot_size > 0),
  min_price      numeric NOT NULL CHECK (min_price > 0),
  max_price      numeric NOT NULL CHECK (max_price >= min_price),
  min_qty        numeric NOT NULL CHECK (min_qty > 0),
  max_qty        numeric NOT NULL CHECK (max_qty >= min_qty),
  maker_fee_bps  numeric NOT NULL DEFAULT 0,
  taker_fee_bps  numeric NOT NULL DEFAULT 0,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'halted')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE risk_limits (
  account_id          uuid PRIMARY KEY REFERENCES accounts (id),
  max_order_qty       numeric NOT NULL DEFAULT 0,
  max_order_notional  numeric NOT NULL DEFAULT 0,
  max_gross_exposure  numeric NOT NULL DEFAULT 0,
  max_open_orders     integer NOT NULL DEFAULT 0,
  orders_per_second   integer NOT NULL DEFAULT 0,
  shorting_enabled    boolean NOT NULL DEFAULT true,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id                uuid PRIMARY KEY,
  account_id        uuid NOT NULL REFERENCES accounts (id),
  engine_id         bigint NOT NULL,
  client_order_id   text NOT NULL,
  request_hash      text NOT NULL,
  symbol            text NOT NULL REFERENCES instruments (symbol),
  side              text NOT NULL CHECK (side IN ('buy', 'sell')),
  type              text NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop_limit')),
  time_in_force     text NOT NULL CHECK (time_in_force IN ('day', 'gtc', 'gtd', 'ioc', 'fok')),
  qty               numeric NOT NULL CHECK (qty > 0),
  filled_qty        numeric NOT NULL DEFAULT 0,
  filled_notional   numeric NOT NULL DEFAULT 0,
  filled_avg_price  numeric,
  limit_price       numeric,
  stop_price        numeric,
  display_qty       numeric,
  post_only         boolean NOT NULL DEFAULT false,
  reduce_only       boolean NOT NULL DEFAULT false,
  expire_at         timestamptz,
  status            text NOT NULL,
  reject_reason     text,
  replaces          uuid,
  replaced_by       uuid,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  filled_at         timestamptz,
  canceled_at       timestamptz,
  expired_at        timestamptz,
  replaced_at       timestamptz,
  failed_at         timestamptz
);
-- client_order_id is unique per account among orders that were not rejected
-- (a rejected order's id may be retried).
CREATE UNIQUE INDEX orders_client_order_id_key ON orders (account_id, client_order_id) WHERE status <> 'rejected';
CREATE INDEX orders_account_created_idx ON orders (account_id, created_at DESC, id);
CREATE INDEX orders_open_idx ON orders (status) WHERE status IN ('new', 'partially_filled', 'pending_new');

CREATE TABLE fills (
  id                uuid PRIMARY KEY,
  event_seq         bigint NOT NULL UNIQUE,
  account_id        uuid NOT NULL REFERENCES accounts (id),
  order_id          uuid NOT NULL REFERENCES orders (id),
  symbol            text NOT NULL REFERENCES instruments (symbol),
  side              text NOT NULL CHECK (side IN ('buy', 'sell')),
  liquidity         text NOT NULL CHECK (liquidity IN ('maker', 'taker')),
  price             numeric NOT NULL,
  qty               numeric NOT NULL,
  fee               numeric NOT NULL,
  realized_pl       numeric NOT NULL,
  position_qty      numeric NOT NULL,
  cash_after        numeric NOT NULL,
  leaves_qty        numeric NOT NULL,
  transaction_time  timestamptz NOT NULL
);
CREATE INDEX fills_account_time_idx ON fills (account_id, transaction_time DESC, event_seq DESC);
CREATE INDEX fills_order_idx ON fills (order_id);

CREATE TABLE cash_ledger (
  event_seq   bigint PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  kind        text NOT NULL CHECK (kind IN ('deposit', 'withdrawal')),
  amount      numeric NOT NULL,
  cash_after  numeric NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX cash_ledger_account_idx ON cash_ledger (account_id, created_at DESC);

CREATE TABLE positions (
  account_id   uuid NOT NULL REFERENCES accounts (id),
  symbol       text NOT NULL REFERENCES instruments (symbol),
  qty          numeric NOT NULL,
  cost_basis   numeric NOT NULL,
  realized_pl  numeric NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (account_id, symbol)
);

CREATE TABLE equity_history (
  account_id  uuid NOT NULL REFERENCES accounts (id),
  event_seq   bigint NOT NULL,
  ts          timestamptz NOT NULL,
  equity      numeric NOT NULL,
  cash        numeric NOT NULL,
  PRIMARY KEY (account_id, event_seq)
);
CREATE INDEX equity_history_ts_idx ON equity_history (account_id, ts);

-- The engine's command log: every command executed, in sequence, with the
-- events it produced (both as the engine's f64 wire records). Replaying the
-- commands after the latest snapshot rebuilds the engine exactly.
CREATE TABLE engine_log (
  seq     bigint PRIMARY KEY,
  ts      bigint NOT NULL,
  kind    smallint NOT NULL,
  record  jsonb NOT NULL,
  events  jsonb NOT NULL
);

CREATE TABLE engine_snapshots (
  seq         bigint PRIMARY KEY REFERENCES engine_log (seq),
  state       bytea NOT NULL,
  next_order  bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
