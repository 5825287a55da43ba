-- migrate:up
ALTER TABLE orders ADD COLUMN shipped_at timestamp;
ALTER TABLE orders ADD COLUMN warehouse_id bigint;
ALTER TABLE orders ADD CONSTRAINT orders_warehouse_fk FOREIGN KEY (warehouse_id) REFERENCES customers (id);
UPDATE orders SET warehouse_id = 1;
ALTER TABLE orders ALTER COLUMN warehouse_id SET NOT NULL;

-- migrate:down
ALTER TABLE orders DROP COLUMN warehouse_id;
ALTER TABLE orders DROP COLUMN shipped_at;
