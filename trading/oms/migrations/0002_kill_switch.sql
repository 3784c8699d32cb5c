-- The operator's kill switch: one row, read by a running rebalance before every order it places
-- (python -m trading.killswitch on|off|status). Every change is also an audit row (killswitch.on / .off).
CREATE TABLE trading.kill_switch (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    engaged  boolean NOT NULL,
    reason   text NOT NULL DEFAULT '',
    set_by   text NOT NULL,
    set_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO trading.kill_switch (engaged, reason, set_by) VALUES (false, 'initial state', 'migration');
