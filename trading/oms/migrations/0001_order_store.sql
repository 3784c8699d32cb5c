-- The order store of the trading engine, in its own schema "trading" (the API's accounts live elsewhere).
CREATE TABLE trading.accounts (
    account_id  text PRIMARY KEY,
    broker      text NOT NULL,
    is_paper    boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE trading.runs (
    run_id      text PRIMARY KEY,
    account_id  text NOT NULL REFERENCES trading.accounts,
    mode        text NOT NULL CHECK (mode IN ('dry-run', 'paper', 'live')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running',
    report      jsonb
);

CREATE TABLE trading.orders (
    client_order_id text PRIMARY KEY,
    account_id      text NOT NULL REFERENCES trading.accounts,
    run_id          text REFERENCES trading.runs,
    ticker          text NOT NULL,
    side            text NOT NULL CHECK (side IN ('BUY', 'SELL')),
    quantity        numeric NOT NULL CHECK (quantity > 0),
    order_type      text NOT NULL DEFAULT 'MKT',
    limit_price     double precision,
    ref_price       double precision,
    status          text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'submitted', 'partially_filled', 'filled', 'cancelled', 'rejected')),
    filled_quantity numeric NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0 AND filled_quantity <= quantity),
    avg_fill_price  double precision,
    reason          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_account_created ON trading.orders (account_id, created_at);

CREATE TABLE trading.executions (
    exec_id         text PRIMARY KEY,
    client_order_id text NOT NULL REFERENCES trading.orders,
    quantity        numeric NOT NULL CHECK (quantity > 0),
    price           double precision NOT NULL CHECK (price > 0),
    commission      double precision NOT NULL DEFAULT 0,
    executed_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX executions_order ON trading.executions (client_order_id);

CREATE TABLE trading.positions (
    account_id    text NOT NULL REFERENCES trading.accounts,
    ticker        text NOT NULL,
    quantity      numeric NOT NULL,
    avg_cost      double precision,
    reconciled_at timestamptz NOT NULL DEFAULT now(),
    source        text NOT NULL,
    PRIMARY KEY (account_id, ticker)
);

CREATE TABLE trading.audit (
    audit_id      bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor         text NOT NULL,
    action        text NOT NULL,
    account_id    text,
    run_id        text,
    subject       text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',
    details       jsonb NOT NULL DEFAULT '{}',
    lake_versions jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_subject ON trading.audit (subject);
