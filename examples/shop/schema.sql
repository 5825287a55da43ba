-- The shop before the change: customers, products, orders and their items, with realistic rows.
-- `lockstep rehearse changes/orders-created-at.yaml --schema schema.sql` loads this into the sandbox.
-- Deterministic (setseed), so every rehearsal starts from the same data.
SELECT setseed(0.42);

CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  country text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  title text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents > 0)
);

CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  note text
);

CREATE TABLE order_items (
  order_id bigint NOT NULL,
  line smallint NOT NULL,
  product_id bigint NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, line)
);

-- 10,000 customers in a handful of countries (skewed, as customers are).
INSERT INTO customers (email, name, country, created_at)
SELECT 'customer' || g || '@example.com',
       (ARRAY['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken'])[1 + (g % 8)] || ' ' ||
       (ARRAY['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson'])[1 + ((g / 8) % 8)],
       (ARRAY['DE', 'DE', 'DE', 'FR', 'FR', 'NL', 'US', 'US', 'US', 'US', 'GB', 'PL'])[1 + floor(random() * 12)::int],
       now() - (random() ^ 2) * interval '3 years'
FROM generate_series(1, 10000) g;

-- 500 products, prices from 1 € to a few hundred, most of them cheap.
INSERT INTO products (sku, title, price_cents)
SELECT 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 100 + floor((random() ^ 3) * 40000)::int
FROM generate_series(1, 500) g;

-- 100,000 orders: a few customers order a lot; most orders are delivered; notes are rare.
INSERT INTO orders (customer_id, status, total_cents, note)
SELECT 1 + floor((random() ^ 2) * 10000)::bigint,
       (ARRAY['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'shipped', 'paid', 'pending', 'cancelled'])[1 + floor(random() * 10)::int],
       floor(random() * 50000)::bigint,
       CASE WHEN random() < 0.05 THEN 'please ring twice' END
FROM generate_series(1, 100000) g;

-- One item for most orders, two for some.
INSERT INTO order_items (order_id, line, product_id, quantity)
SELECT o.id, l, 1 + floor((random() ^ 2) * 500)::bigint, 1 + floor(random() * 3)::int
FROM orders o CROSS JOIN LATERAL generate_series(1, 1 + (o.id % 4 = 0)::int) l;

-- Foreign keys and indexes after the rows (as a restore does): one check per table, not one per row.
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE order_items ADD FOREIGN KEY (product_id) REFERENCES products (id);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
