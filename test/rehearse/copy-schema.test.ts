/**
 * copySchema on real databases: a PostgreSQL 15 source (the service), copied into PGlite (Postgres 18
 * in WASM) and into a second PostgreSQL 15 database. Proof: the copied tables' columns, constraints
 * (pg_get_constraintdef), indexes (pg_get_indexdef), partitions and sequences read back the same from
 * the target's catalogs as from the source's, including tables only reached through foreign keys; the
 * script it returns rebuilds the same schema on its own; hostile names survive; errors name the object.
 */
import { describe, expect, test, type onTestFinished as OnTestFinished, vi } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { freshDatabase, pg15Server } from '../helpers/db.js';
import { freshPglite } from '../helpers/pglite.js';
import { copySchema } from '../../src/rehearse/copy-schema.js';
import { LockstepError } from '../../src/core/errors.js';
import type { Queryable } from '../../src/dialects/postgres/introspect.js';

// PGlite instances and 100k-row loads: 25-35 s a test on 2 cores in a parallel run, past 60 s when the
// machine is busy. A generous limit keeps a slow machine from failing them; no timing is asserted.
vi.setConfig({ testTimeout: 180_000 });

const pg15 = pg15Server();
const HOSTILE = 'x"; drop table t; --';

const schema = `
CREATE TYPE product_status AS ENUM ('draft', 'active', 'it''s gone');
CREATE TYPE money_pair AS (amount numeric(12,2), currency char(3));
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE FUNCTION positive(numeric) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 > 0';
CREATE FUNCTION shop_now() RETURNS timestamptz LANGUAGE sql STABLE AS 'SELECT now()';
CREATE FUNCTION sku_ok(text) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN $1 LIKE 'SKU-%';
CREATE SCHEMA "x""; drop table t; --";
CREATE DOMAIN "x""; drop table t; --".qty AS integer DEFAULT 1 NOT NULL CHECK (VALUE BETWEEN 1 AND 100);
CREATE SEQUENCE invoice_no START 1000 INCREMENT 5;

CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  email text NOT NULL,
  name text COLLATE "C" NOT NULL,
  country char(2),
  created_at timestamptz NOT NULL DEFAULT shop_now()
);
CREATE UNIQUE INDEX customers_email_lower ON customers (lower(email));
CREATE TABLE products (
  id serial PRIMARY KEY,
  sku varchar(20) NOT NULL UNIQUE CHECK (sku_ok(sku)),
  title text NOT NULL,
  price numeric(10,2) NOT NULL CONSTRAINT price_positive CHECK (positive(price)),
  status product_status NOT NULL DEFAULT 'draft',
  tags text[],
  list_price money_pair,
  weights floatrange
) WITH (fillfactor = 80);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 2) PRIMARY KEY,
  invoice bigint NOT NULL DEFAULT nextval('invoice_no') UNIQUE NULLS NOT DISTINCT,
  customer_id bigint NOT NULL REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
  total numeric(12,2) NOT NULL CHECK (total >= 0),
  tax numeric(12,2) GENERATED ALWAYS AS (round(total * 0.2, 2)) STORED,
  created_at timestamptz NOT NULL,
  valid_during tstzrange,
  note text,
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
  EXCLUDE USING gist (valid_during WITH &&)
);
ALTER TABLE orders ADD CONSTRAINT orders_total_sane CHECK (total < 1000000) NOT VALID;
CREATE INDEX orders_customer_created ON orders (customer_id, created_at DESC) INCLUDE (total);
CREATE INDEX orders_open ON orders (created_at) WHERE status <> 'cancelled';
CREATE TABLE "Order Items" (
  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line_no integer NOT NULL,
  product_id integer NOT NULL REFERENCES products (id),
  quantity "x""; drop table t; --".qty NOT NULL,
  unit_price numeric(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE INDEX "Order Items product" ON "Order Items" (product_id);
CREATE TABLE "x""; drop table t; --"."x""; drop table t; --" (
  "we""ird col" bigint PRIMARY KEY,
  customer_id bigint REFERENCES customers (id),
  "Order Items" integer,
  payload jsonb
);
CREATE TABLE events (
  id bigint NOT NULL,
  customer_id bigint REFERENCES customers (id),
  kind text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY RANGE (created_at);
CREATE TABLE events_2025_h1 PARTITION OF events_2025 FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
CREATE TABLE events_2025_h2 PARTITION OF events_2025 DEFAULT;
CREATE TABLE events_2026 PARTITION OF events (kind WITH OPTIONS DEFAULT 'view') FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_kind ON events (kind);
CREATE INDEX events_2026_local ON events_2026 (customer_id) WHERE kind = 'buy';
CREATE TABLE unrelated (id int PRIMARY KEY);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
`;

/** Columns, constraints, indexes, partitions and sequences of the user schemas, one canonical line each. */
const fingerprint = `
SELECT x FROM (
  SELECT format('table %s.%s kind=%s persistence=%s options=%s partkey=%s bound=%s parent=%s', quote_ident(n.nspname), quote_ident(c.relname), c.relkind, c.relpersistence, c.reloptions,
                CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, pg_get_expr(c.relpartbound, c.oid),
                (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid)) AS x
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', $1)
  UNION ALL
  SELECT format('column %s.%s %s %s notnull=%s default=%s identity=%s generated=%s collation=%s', quote_ident(n.nspname), quote_ident(c.relname), quote_ident(a.attname),
                format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', $1) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('constraint %s %s %s valid=%s deferrable=%s', conrelid::regclass, quote_ident(conname), pg_get_constraintdef(k.oid), convalidated, condeferrable)
  FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname IN ('public', $1) AND contype <> 'n' AND conrelid <> 0
  UNION ALL
  SELECT format('domain-constraint %s %s %s', contypid::regtype, quote_ident(conname), pg_get_constraintdef(k.oid))
  FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname IN ('public', $1) AND contype = 'c' AND contypid <> 0
  UNION ALL
  SELECT format('index %s valid=%s parent=%s', pg_get_indexdef(i.indexrelid), i.indisvalid, (SELECT h.inhparent::regclass::text FROM pg_inherits h WHERE h.inhrelid = i.indexrelid))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', $1)
  UNION ALL
  SELECT format('sequence %s %s start=%s inc=%s owned=%s', s.seqrelid::regclass, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                (SELECT d.refobjid::regclass::text || '.' || d.refobjsubid FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.deptype IN ('a', 'i')))
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', $1)
  UNION ALL
  SELECT format('type %s %s %s', t.oid::regtype, t.typtype,
                CASE t.typtype WHEN 'e' THEN (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid)
                               WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod) || ' notnull=' || t.typnotnull || ' default=' || coalesce(t.typdefault, '') END)
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname IN ('public', $1) AND t.typtype IN ('e', 'd', 'c', 'r') AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  UNION ALL
  SELECT format('function %s %s', p.oid::regprocedure, md5(pg_get_functiondef(p.oid)))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', $1) AND p.prokind = 'f'
) f
WHERE x !~ '(unrelated|big_orders)'
ORDER BY x`;

async function lines(db: Queryable): Promise<string[]> {
  return (await db.query<{ x: string }>(fingerprint, [HOSTILE])).rows.map((r) => r.x);
}

const asked = [
  { schema: 'public', name: 'Order Items' },
  { schema: HOSTILE, name: HOSTILE },
  { schema: 'public', name: 'events' },
];

async function sourceDb(onTestFinished: typeof OnTestFinished) {
  const db = await freshDatabase(pg15, { ctx: { onTestFinished } });
  await db.query(schema);
  return { db, client: await db.connect() };
}

describe('copySchema from PostgreSQL 15', () => {
  test.for(['pglite', 'pg15'] as const)('into %s: the tables, everything they reference, and nothing else', async (kind, { onTestFinished }) => {
    const { client } = await sourceDb(onTestFinished);
    const target: Queryable & { exec?(sql: string): Promise<unknown> } =
      kind === 'pglite' ? await freshPglite() : await (await freshDatabase(pg15, { ctx: { onTestFinished } })).connect();
    const r = await copySchema(client, target, asked);

    // The tables asked for, the ones their foreign keys reach (customers, products, orders), parents first.
    expect(r.tables.map((t) => t.name)).toEqual(['customers', 'events', 'products', 'orders', 'Order Items', HOSTILE]);
    expect(r.partitions.map((t) => t.name).sort()).toEqual(['events_2025', 'events_2025_h1', 'events_2025_h2', 'events_2026']);
    expect(r.notes).toEqual([]);

    // Read back from the target's catalogs: the same as the source's.
    const src = await lines(client);
    const dst = await lines(target);
    expect(dst).toEqual(src);
    expect(src.filter((l) => l.startsWith('constraint ')).length).toBeGreaterThanOrEqual(20);
    expect(src.some((l) => l.includes('EXCLUDE USING gist'))).toBe(true);
    expect(src.some((l) => l.includes('UNIQUE NULLS NOT DISTINCT'))).toBe(true);
    expect(src.some((l) => /index CREATE INDEX events_2025_h1_kind_idx .* parent=events_2025_kind_idx/.test(l))).toBe(true);
    expect(src.some((l) => l.startsWith('function sku_ok(text)'))).toBe(true);
    // Not asked for and not referenced: not copied.
    expect((await target.query(`SELECT to_regclass('public.unrelated') AS r, to_regclass('public.big_orders') AS v`)).rows[0]).toEqual({ r: null, v: null });

    // The returned script is the whole story: on its own it rebuilds the same schema.
    const again = await freshPglite();
    await again.exec(r.sql);
    expect(await lines(again)).toEqual(src);
    expect(r.sql).toContain(`CREATE TABLE public."Order Items" (`);
    expect(r.sql).toContain(`CREATE SCHEMA IF NOT EXISTS "x""; drop table t; --"`);

    // The source is untouched and its session as it was.
    expect((await client.query(`SELECT current_setting('search_path') AS p, current_setting('transaction_read_only') AS ro`)).rows[0]).toEqual({ p: '"$user", public', ro: 'off' });
  });

  test('extensions: installed when the target has them, a note and a clear error when it does not', async ({ onTestFinished }) => {
    const db = await freshDatabase(pg15, { ctx: { onTestFinished } });
    await db.query(`
      CREATE EXTENSION citext; CREATE EXTENSION pg_trgm;
      CREATE TABLE users (id int PRIMARY KEY, login citext NOT NULL UNIQUE, bio text);
      CREATE INDEX users_bio_trgm ON users USING gin (bio gin_trgm_ops);`);
    const source = await db.connect();
    const server = await (await freshDatabase(pg15, { ctx: { onTestFinished } })).connect();
    const r = await copySchema(source, server, [{ schema: 'public', name: 'users' }]);
    expect(r.sql).toMatch(/CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;/);
    expect(r.sql).toMatch(/CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;/);
    expect((await server.query(`SELECT pg_get_indexdef('users_bio_trgm'::regclass) AS d`)).rows[0].d).toBe('CREATE INDEX users_bio_trgm ON public.users USING gin (bio gin_trgm_ops)');

    const lite = await freshPglite();
    const err = await copySchema(source, lite, [{ schema: 'public', name: 'users' }]).catch((e) => e);
    expect(err).toBeInstanceOf(LockstepError);
    expect(err.code).toBe('E_DATABASE');
    expect(err.message).toContain('creating table users in the target failed: type "public.citext" does not exist');
    expect(err.message).toContain('extension citext is not available in the target: skipped');
    // All or nothing: the failed copy left nothing behind.
    expect((await lite.query(`SELECT to_regclass('public.users') AS r`)).rows[0]).toEqual({ r: null });
  });

  test('a table that is not there, or not a table, is named', async ({ onTestFinished }) => {
    const { client } = await sourceDb(onTestFinished);
    const err = await copySchema(client, await freshPglite(), [
      { schema: 'public', name: 'nope' },
      { schema: 'public', name: 'big_orders' },
      { schema: HOSTILE, name: 'missing' },
    ]).catch((e) => e);
    expect(err).toBeInstanceOf(LockstepError);
    expect(err.code).toBe('E_INPUT');
    expect(err.problems).toEqual([
      { where: 'nope', message: 'no such table in the source database' },
      { where: 'big_orders', message: 'is a view, not a table; copy-schema copies tables' },
      { where: '"x""; drop table t; --".missing', message: 'no such table in the source database' },
    ]);
  });

  test('a partition asked for brings its partitioned parent and siblings; PGlite as the source works too', async ({ onTestFinished }) => {
    const { client } = await sourceDb(onTestFinished);
    const mid = await freshPglite();
    await copySchema(client, mid, [{ schema: 'public', name: 'events_2025_h1' }]);
    const dst = new PGlite();
    await dst.waitReady;
    onTestFinished(() => dst.close());
    const r = await copySchema(mid, dst, [{ schema: 'public', name: 'events' }]);
    expect(r.tables.map((t) => t.name)).toEqual(['customers', 'events']);
    const subject = /^(table|column) public\.(events|customers)|^constraint (events|customers)|^index CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?public\.(events|customers)|^sequence customers/;
    const only = (ls: string[]) => ls.filter((l) => subject.test(l));
    expect(only(await lines(dst))).toEqual(only(await lines(client)));
  });
});
