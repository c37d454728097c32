-- Pool state read model, fed by the pool-state projection from pool-, position- and oracle- streams.
-- Amounts are numeric in smallest units (exact); the API formats them.
CREATE TABLE pools (
  pool_id             text PRIMARY KEY,
  collateral_symbol   text NOT NULL,
  collateral_decimals int NOT NULL,
  debt_symbol         text NOT NULL,
  debt_decimals       int NOT NULL,
  feed                text NOT NULL,
  parameters          jsonb NOT NULL,
  borrow_index        numeric NOT NULL,
  index_at            bigint NOT NULL,
  rate_per_second     numeric NOT NULL,
  total_collateral    numeric NOT NULL DEFAULT 0,
  total_scaled_debt   numeric NOT NULL DEFAULT 0,
  open_positions      int NOT NULL DEFAULT 0
);

CREATE TABLE feed_prices (
  feed                text PRIMARY KEY,
  price               numeric NOT NULL,
  round               numeric NOT NULL,
  price_at            bigint NOT NULL,
  liquidations_paused boolean NOT NULL DEFAULT false
);

-- Per-position balances, internal to the ledger: they feed pool totals and health bands and are never
-- served as such.
CREATE TABLE position_balances (
  position_id text PRIMARY KEY,
  pool_id     text NOT NULL,
  collateral  numeric NOT NULL,
  scaled_debt numeric NOT NULL,
  open        boolean NOT NULL,
  commitment  text NOT NULL
);
CREATE INDEX position_balances_open_by_pool ON position_balances (pool_id) WHERE open;
