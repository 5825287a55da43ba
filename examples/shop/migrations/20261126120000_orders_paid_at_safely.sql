-- migrate:up transaction:false
-- The same kind of change, written the safe way: every lock is bounded, nothing is rewritten,
-- constraints are validated without blocking writes, the index is built concurrently, and every
-- statement can be rerun if the migration stops half way.
SET lock_timeout = '2s';
SET statement_timeout = '15min';
-- paid_at stays NULL until an order is paid: the constraint says a pending order has none.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS paid_at timestamptz;
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_paid_at_when_paid;
ALTER TABLE orders ADD CONSTRAINT orders_paid_at_when_paid CHECK (status <> 'pending' OR paid_at IS NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_paid_at_when_paid;
DROP INDEX CONCURRENTLY IF EXISTS orders_paid_at_idx;
CREATE INDEX CONCURRENTLY orders_paid_at_idx ON orders (paid_at);

-- migrate:down transaction:false
SET lock_timeout = '2s';
DROP INDEX CONCURRENTLY IF EXISTS orders_paid_at_idx;
ALTER TABLE orders DROP COLUMN IF EXISTS paid_at;
