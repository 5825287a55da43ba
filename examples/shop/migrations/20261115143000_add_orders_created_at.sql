-- migrate:up
-- The change everyone underestimates: a timestamp for every order, indexed for reports.
ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT clock_timestamp();
CREATE INDEX orders_created_at_idx ON orders (created_at);

-- migrate:down
DROP INDEX orders_created_at_idx;
ALTER TABLE orders DROP COLUMN created_at;
