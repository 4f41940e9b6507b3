-- The people who have opened warroom's Home tab: their Home is published again when one of their
-- incidents or actions changes.
CREATE TABLE app_homes (
    user_id text PRIMARY KEY,
    opened_at timestamptz NOT NULL DEFAULT now()
);
