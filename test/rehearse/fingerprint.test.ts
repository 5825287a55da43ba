/**
 * The schema fingerprint and the data checksum `lockstep rehearse` compares, on PGlite (Postgres 18 in
 * WASM) and on a real PostgreSQL 15: equal schemas give equal fingerprints whatever the OIDs, every kind
 * of difference shows up as readable lines, and the checksum sees every changed value but not the order
 * rows happen to be stored in.
 */
import { afterAll, beforeAll, describe, expect, onTestFinished, test, vi } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { freshPglite } from '../helpers/pglite.js';
import { dropDatabase, freshDatabase, testServers } from '../helpers/db.js';
import type { Queryable } from '../../src/dialects/postgres/introspect.js';
import { dataChecksum, diffFingerprints, fingerprint, literal, oneLine, tableColumns, type Fingerprint } from '../../src/rehearse/fingerprint.js';

// PGlite instances and 100k-row loads: 25-35 s a test on 2 cores in a parallel run, past 60 s when the
// machine is busy. A generous limit keeps a slow machine from failing them; no timing is asserted.
vi.setConfig({ testTimeout: 180_000 });

interface Conn {
  db: Queryable;
  /** Runs a script (several statements, no parameters). */
  exec(sql: string): Promise<void>;
  major: number;
}

interface Target {
  name: string;
  major: number;
  /** A new empty database, dropped when the current test ends. */
  fresh(ctx: { onTestFinished: typeof onTestFinished }): Promise<Conn>;
  /** A new empty database for a whole describe block, and how to get rid of it. */
  shared(): Promise<Conn & { close(): Promise<void> }>;
}

const pglite: Target = {
  name: 'PGlite',
  major: 18,
  async fresh() {
    const p = await freshPglite();
    return { db: p, exec: async (sql) => void (await p.exec(sql)), major: 18 };
  },
  async shared() {
    const p = new PGlite();
    await p.waitReady;
    return { db: p, exec: async (sql) => void (await p.exec(sql)), major: 18, close: () => p.close() };
  },
};

const serverTargets: Target[] = testServers([15])
  .map((server) => ({
    name: server.name,
    major: server.major,
    async fresh(ctx) {
      const d = await freshDatabase(server, { ctx });
      const c = await d.connect();
      return { db: c, exec: async (sql) => void (await c.query(sql)), major: server.major };
    },
    async shared() {
      const d = await freshDatabase(server, { keep: true });
      const c = await d.connect();
      return {
        db: c,
        exec: async (sql) => void (await c.query(sql)),
        major: server.major,
        close: async () => {
          await c.end();
          await dropDatabase(server, d.name);
        },
      };
    },
  }));

const targets = [pglite, ...serverTargets];

const schema = `
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS integer DEFAULT 1 CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE TYPE app.pair AS (a integer, b text);
CREATE TYPE app.floatrange AS RANGE (subtype = float8);
CREATE SEQUENCE app.tickets INCREMENT 5 START 100 CYCLE;
CREATE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE app.total(integer) (sfunc = int4pl, stype = integer, initcond = '0');
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, mood app.mood);
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  customer_id bigint REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
  ref text COLLATE "C",
  total numeric(12,2) CHECK (total >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  qty app.posint,
  total_x2 numeric GENERATED ALWAYS AS (total * 2) STORED
);
ALTER TABLE orders ADD CONSTRAINT orders_ref_len CHECK (length(ref) < 100) NOT VALID;
CREATE INDEX orders_ref_idx ON orders (ref) WHERE ref IS NOT NULL;
CREATE TABLE measurements (logdate date NOT NULL, v int) PARTITION BY RANGE (logdate);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE UNLOGGED TABLE scratch (x int) WITH (fillfactor = 70);
CREATE VIEW order_totals AS SELECT customer_id, sum(total) AS total, 'a
  b' AS note FROM orders GROUP BY customer_id;
CREATE MATERIALIZED VIEW order_count AS SELECT count(*) AS n FROM orders;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_positive ON orders FOR SELECT USING (customer_id > 0);
CREATE RULE scratch_keep AS ON DELETE TO scratch DO INSTEAD NOTHING;
CREATE STATISTICS orders_stats (dependencies) ON customer_id, ref FROM orders;
COMMENT ON TABLE orders IS 'customer orders';
COMMENT ON COLUMN orders.ref IS 'external
reference';
COMMENT ON FUNCTION app.add(integer, integer) IS 'adds';
CREATE TABLE "Order Items" ("Order Id" bigint REFERENCES orders (id), "x""; drop table t; --" text);
CREATE SCHEMA lockstep;
CREATE TABLE lockstep.changes (id int PRIMARY KEY, name text);
`;

/** Lines that read the same on PG 15 and 18. */
const expectedLines = [
  'schema app',
  'schema public',
  'extension plpgsql version 1.0 schema pg_catalog',
  'table public.orders row level security',
  'table public.scratch unlogged with (fillfactor=70)',
  'partitioned table public.measurements partition by RANGE (logdate)',
  "table public.measurements_2024 partition of public.measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
  'columns public.orders (id, customer_id, ref, total, created_at, qty, total_x2)',
  "column public.orders.id bigint not null default nextval('orders_id_seq'::regclass)",
  'column public.orders.ref text collate "C"',
  'column public.orders.created_at timestamp with time zone not null default now()',
  'column public.orders.total_x2 numeric generated always as ((total * (2)::numeric)) stored',
  'column public.customers.id bigint not null generated always as identity',
  'column public.customers.mood app.mood',
  'constraint public.orders.orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED',
  'constraint public.orders.orders_ref_len CHECK ((length(ref) < 100)) NOT VALID',
  'index public.orders_pkey: CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id) [primary key]',
  'index public.orders_ref_idx: CREATE INDEX orders_ref_idx ON public.orders USING btree (ref) WHERE (ref IS NOT NULL)',
  'trigger public.orders.orders_touch: CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION touch()',
  'sequence app.tickets as bigint start 100 increment 5 minvalue 1 maxvalue 9223372036854775807 cache 1 cycle',
  'sequence public.orders_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1 no cycle owned by public.orders.id',
  'sequence public.customers_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1 no cycle identity of public.customers.id',
  "type app.mood as enum ('sad', 'ok', 'happy')",
  'type app.pair as composite',
  'type app.floatrange as range (subtype double precision)',
  'domain app.posint as integer default 1',
  'domain constraint app.posint.posint_positive CHECK ((VALUE > 0))',
  'materialized view public.order_count as SELECT count(*) AS n FROM orders',
  "aggregate app.total(integer) returns integer sfunc int4pl(integer,integer) stype integer initcond '0'",
  'policy public.orders.orders_positive as permissive for select to public using ((customer_id > 0))',
  'rule public.scratch.scratch_keep: CREATE RULE scratch_keep AS ON DELETE TO public.scratch DO INSTEAD NOTHING',
  'statistics public.orders_stats: CREATE STATISTICS public.orders_stats (dependencies) ON customer_id, ref FROM orders',
  "comment on table public.orders is 'customer orders'",
  "comment on column public.orders.ref is E'external\\nreference'",
  "comment on function app.add(a integer, b integer) is 'adds'",
  'columns public."Order Items" ("Order Id", "x""; drop table t; --")',
  'column public."Order Items"."x""; drop table t; --" text',
];

/** `- minus` directly followed by `+ plus`. */
function expectChange(diff: string[], minus: string, plus: string) {
  const i = diff.indexOf(`- ${minus}`);
  expect(i, `"- ${minus}" in\n${diff.join('\n')}`).toBeGreaterThanOrEqual(0);
  expect(diff[i + 1]).toBe(`+ ${plus}`);
}

describe.each(targets)('fingerprint on $name', (target) => {
  test('two databases built the same way have the same fingerprint, though their OIDs differ', async ({ onTestFinished }) => {
    const a = await target.fresh({ onTestFinished });
    const b = await target.fresh({ onTestFinished });
    // Shift b's OIDs.
    await b.exec(`CREATE TABLE filler (x int); DROP TABLE filler; CREATE TYPE filler AS ENUM ('x'); DROP TYPE filler; CREATE SEQUENCE filler; DROP SEQUENCE filler;`);
    await a.exec(schema);
    await b.exec(schema);
    const oid = `SELECT 'orders'::regclass::oid::text AS t, (SELECT oid::text FROM pg_constraint WHERE conname = 'orders_pkey') AS c`;
    expect((await a.db.query(oid)).rows[0]).not.toEqual((await b.db.query(oid)).rows[0]);

    const fa = await fingerprint(a.db);
    const fb = await fingerprint(b.db);
    expect(fb).toEqual(fa);
    expect(diffFingerprints(fa, fb)).toEqual([]);
    expect(await fingerprint(a.db)).toEqual(fa); // stable across runs
    expect(fa.lines).toEqual([...fa.lines].sort());
    expect(fa.lines.length).toBe(fa.keys.length);
    expect(fa.lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(fa.lines).toEqual(expect.arrayContaining(expectedLines));
    // The view's literal with a line break stays exact, on one line.
    expect(fa.lines.find((l) => l.startsWith('view public.order_totals as SELECT '))).toMatch(/ E'a\\n {2}b'::text AS note FROM orders GROUP BY (orders\.)?customer_id$/);
    // Functions: signature, language, volatility, a hash of the definition; not the range type's constructors.
    expect(fa.lines.find((l) => l.startsWith('function app.add('))).toMatch(/^function app\.add\(a integer, b integer DEFAULT 1\) returns integer language sql immutable definition [0-9a-f]{16}$/);
    expect(fa.lines.filter((l) => l.startsWith('function app.floatrange'))).toEqual([]);
    expect(fa.lines.find((l) => l.startsWith('procedure app.noop('))).toMatch(/^procedure app\.noop\(\) language sql definition [0-9a-f]{16}$/);
    // PG 18 lists NOT NULL constraints with names; older majors only have attnotnull.
    const notNull = 'constraint public.orders.orders_created_at_not_null NOT NULL created_at';
    if (target.major >= 18) expect(fa.lines).toContain(notNull);
    else expect(fa.lines).not.toContain(notNull);
  });

  test('ADD COLUMN then DROP COLUMN gives back the same fingerprint (the attnum gap does not count)', async ({ onTestFinished }) => {
    const c = await target.fresh({ onTestFinished });
    await c.exec(schema);
    const before = await fingerprint(c.db);
    await c.exec(`
      ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
      ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status <> '');
      CREATE INDEX orders_status_idx ON orders (status);
      COMMENT ON COLUMN orders.status IS 'state';`);
    const during = diffFingerprints(before, await fingerprint(c.db));
    expectChange(
      during,
      'columns public.orders (id, customer_id, ref, total, created_at, qty, total_x2)',
      'columns public.orders (id, customer_id, ref, total, created_at, qty, total_x2, status)',
    );
    expect(during).toContain("+ column public.orders.status text not null default 'new'::text");
    expect(during).toContain("+ constraint public.orders.orders_status_check CHECK ((status <> ''::text))");
    expect(during).toContain('+ index public.orders_status_idx: CREATE INDEX orders_status_idx ON public.orders USING btree (status)');
    expect(during).toContain("+ comment on column public.orders.status is 'state'");
    expect(during.every((l) => l.startsWith('+ ') || l.startsWith('- columns '))).toBe(true);

    await c.exec(`ALTER TABLE orders DROP COLUMN status`);
    const gap = (await c.db.query(`SELECT count(*) FILTER (WHERE attisdropped)::int AS dropped FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum > 0`)).rows[0];
    expect(gap.dropped).toBe(1);
    const after = await fingerprint(c.db);
    expect(diffFingerprints(before, after)).toEqual([]);
    expect(after).toEqual(before);
  });

  test('the lockstep schema is ignored; schemas can be named', async ({ onTestFinished }) => {
    const c = await target.fresh({ onTestFinished });
    await c.exec(schema);
    const before = await fingerprint(c.db);
    expect(before.lines.filter((l) => /lockstep/.test(l))).toEqual([]);
    await c.exec(`
      ALTER TABLE lockstep.changes ADD COLUMN state text DEFAULT 'pending';
      CREATE INDEX changes_state ON lockstep.changes (state);
      CREATE TABLE lockstep.steps (id int);
      CREATE FUNCTION lockstep.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
      COMMENT ON TABLE lockstep.changes IS 'ledger';`);
    expect(diffFingerprints(before, await fingerprint(c.db))).toEqual([]);
    expect((await tableColumns(c.db)).map((t) => t.schema)).not.toContain('lockstep');

    const app = await fingerprint(c.db, { schemas: ['app'] });
    expect(app.lines).toContain("type app.mood as enum ('sad', 'ok', 'happy')");
    expect(app.lines.filter((l) => / public\./.test(l) || l === 'schema public')).toEqual([]);
    expect(app.lines).not.toContain('extension plpgsql version 1.0 schema pg_catalog');
    // Named explicitly, the ledger can be looked at too.
    expect((await fingerprint(c.db, { schemas: ['lockstep'] })).lines).toContain('column lockstep.changes.state text default \'pending\'::text');
  });

  describe('each kind of difference is found and shown readably', () => {
    let conn: Conn & { close(): Promise<void> };
    let base: Fingerprint;
    beforeAll(async () => {
      conn = await target.shared();
      await conn.exec(schema);
      base = await fingerprint(conn.db);
    });
    afterAll(async () => {
      await conn?.close();
    });

    /** The diff the mutation makes, rolled back afterwards (DDL is transactional). */
    async function diffOf(sql: string): Promise<string[]> {
      await conn.exec('BEGIN');
      try {
        await conn.exec(sql);
        return diffFingerprints(base, await fingerprint(conn.db));
      } finally {
        await conn.exec('ROLLBACK');
        expect(await fingerprint(conn.db)).toEqual(base);
      }
    }

    test("a column's default changed", async () => {
      expect(await diffOf(`ALTER TABLE orders ALTER created_at SET DEFAULT clock_timestamp()`)).toEqual([
        '- column public.orders.created_at timestamp with time zone not null default now()',
        '+ column public.orders.created_at timestamp with time zone not null default clock_timestamp()',
      ]);
    });

    test('NOT NULL dropped', async () => {
      expect(await diffOf(`ALTER TABLE orders ALTER created_at DROP NOT NULL`)).toEqual([
        '- column public.orders.created_at timestamp with time zone not null default now()',
        '+ column public.orders.created_at timestamp with time zone default now()',
        ...(target.major >= 18 ? ['- constraint public.orders.orders_created_at_not_null NOT NULL created_at'] : []),
      ]);
    });

    test('a constraint NOT VALID vs valid', async () => {
      expect(await diffOf(`ALTER TABLE orders VALIDATE CONSTRAINT orders_ref_len`)).toEqual([
        '- constraint public.orders.orders_ref_len CHECK ((length(ref) < 100)) NOT VALID',
        '+ constraint public.orders.orders_ref_len CHECK ((length(ref) < 100))',
      ]);
    });

    test('an index INVALID vs valid', async () => {
      // What a failed CREATE INDEX CONCURRENTLY leaves behind.
      expect(await diffOf(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'orders_ref_idx'::regclass`)).toEqual([
        '- index public.orders_ref_idx: CREATE INDEX orders_ref_idx ON public.orders USING btree (ref) WHERE (ref IS NOT NULL)',
        '+ index public.orders_ref_idx: CREATE INDEX orders_ref_idx ON public.orders USING btree (ref) WHERE (ref IS NOT NULL) [invalid]',
      ]);
    });

    test('a missing trigger, a disabled one', async () => {
      const trigger = 'trigger public.orders.orders_touch: CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION touch()';
      expect(await diffOf(`DROP TRIGGER orders_touch ON orders`)).toEqual([`- ${trigger}`]);
      expect(await diffOf(`ALTER TABLE orders DISABLE TRIGGER orders_touch`)).toEqual([`- ${trigger}`, `+ ${trigger} [disabled]`]);
    });

    test('a renamed index', async () => {
      expect(await diffOf(`ALTER INDEX orders_ref_idx RENAME TO orders_ref_partial`)).toEqual([
        '- index public.orders_ref_idx: CREATE INDEX orders_ref_idx ON public.orders USING btree (ref) WHERE (ref IS NOT NULL)',
        '+ index public.orders_ref_partial: CREATE INDEX orders_ref_partial ON public.orders USING btree (ref) WHERE (ref IS NOT NULL)',
      ]);
    });

    test('an enum label added', async () => {
      expect(await diffOf(`ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok'`)).toEqual([
        "- type app.mood as enum ('sad', 'ok', 'happy')",
        "+ type app.mood as enum ('sad', 'meh', 'ok', 'happy')",
      ]);
    });

    test("a sequence's increment changed (its state is not part of the schema)", async () => {
      expect(await diffOf(`ALTER SEQUENCE app.tickets INCREMENT BY 1`)).toEqual([
        '- sequence app.tickets as bigint start 100 increment 5 minvalue 1 maxvalue 9223372036854775807 cache 1 cycle',
        '+ sequence app.tickets as bigint start 100 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1 cycle',
      ]);
      expect(await diffOf(`SELECT nextval('app.tickets'); SELECT setval('orders_id_seq', 500)`)).toEqual([]);
    });

    test("a view's definition changed", async () => {
      const diff = await diffOf(`CREATE OR REPLACE VIEW order_totals AS SELECT customer_id, sum(total) AS total, 'a
  b' AS note FROM orders WHERE total > 0 GROUP BY customer_id`);
      expect(diff).toHaveLength(2);
      expect(diff[0]).toMatch(/^- view public\.order_totals as SELECT .* FROM orders GROUP BY (orders\.)?customer_id$/);
      expect(diff[1]).toMatch(/^\+ view public\.order_totals as SELECT .* FROM orders WHERE \((orders\.)?total > \(0\)::numeric\) GROUP BY (orders\.)?customer_id$/);
    });

    test("a function's body changed", async () => {
      const diff = await diffOf(`CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := clock_timestamp(); RETURN NEW; END $$`);
      expect(diff).toHaveLength(2);
      const [minus, plus] = diff.map((l) => /^([-+]) (function public\.touch\(\) returns trigger language plpgsql volatile definition) ([0-9a-f]{16})$/.exec(l));
      expect(minus?.[1]).toBe('-');
      expect(plus?.[1]).toBe('+');
      expect(minus?.[3]).not.toBe(plus?.[3]);
      // So does its volatility, readably.
      expect(await diffOf(`ALTER FUNCTION app.add(integer, integer) STABLE`)).toEqual([
        expect.stringMatching(/^- function app\.add\(a integer, b integer DEFAULT 1\) returns integer language sql immutable definition /),
        expect.stringMatching(/^\+ function app\.add\(a integer, b integer DEFAULT 1\) returns integer language sql stable definition /),
      ]);
    });

    test('a comment changed, added, removed', async () => {
      expect(await diffOf(`COMMENT ON TABLE orders IS 'orders of customers'`)).toEqual([
        "- comment on table public.orders is 'customer orders'",
        "+ comment on table public.orders is 'orders of customers'",
      ]);
      expect(await diffOf(`COMMENT ON COLUMN orders.ref IS NULL; COMMENT ON COLUMN orders.total IS 'it''s money'`)).toEqual([
        "- comment on column public.orders.ref is E'external\\nreference'",
        "+ comment on column public.orders.total is 'it''s money'",
      ]);
    });

    test('a column moved to the end (dropped and added again)', async () => {
      expect(await diffOf(`ALTER TABLE customers DROP COLUMN email; ALTER TABLE customers ADD COLUMN email text NOT NULL UNIQUE`)).toEqual([
        '- columns public.customers (id, email, mood)',
        '+ columns public.customers (id, mood, email)',
      ]);
    });

    test('a hostile column name', async () => {
      expect(await diffOf(`ALTER TABLE "Order Items" ALTER "x""; drop table t; --" SET DEFAULT 'x'`)).toEqual([
        '- column public."Order Items"."x""; drop table t; --" text',
        '+ column public."Order Items"."x""; drop table t; --" text default \'x\'::text',
      ]);
    });
  });
});

describe.each(targets)('dataChecksum on $name', (target) => {
  const data = `
    CREATE TABLE t (keep int);
    CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), tags text[], at timestamptz);
    INSERT INTO items SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'item ' || g END, g * 1.5, ARRAY['a', g::text], '2024-01-01'::timestamptz + g * interval '1 hour'
      FROM generate_series(1, 2000) g;
    CREATE INDEX items_name ON items (name);
    CREATE TABLE empty (a int, b text);
    CREATE TABLE "Order Items" ("Order Id" int, "x""; drop table t; --" text);
    INSERT INTO "Order Items" VALUES (1, 'a'), (2, NULL), (3, '');
    CREATE SCHEMA lockstep;
    CREATE TABLE lockstep.changes (id int);`;
  const items = { schema: 'public', name: 'items', columns: ['id', 'name', 'price', 'tags', 'at'] };
  const sum = async (c: Conn, t = items) => Object.values(await dataChecksum(c.db, [t]))[0]!;
  const physical = async (c: Conn) => (await c.db.query<{ ids: string }>(`SELECT string_agg(id::text, ',' ORDER BY ctid) AS ids FROM items`)).rows[0]!.ids;

  test('one changed value changes it; rows moved physically do not', async ({ onTestFinished }) => {
    const c = await target.fresh({ onTestFinished });
    await c.exec(data);
    const before = await sum(c);
    expect(before.rows).toBe(2000);
    expect(before.md5).toMatch(/^[0-9a-f]{32}$/);
    const order = await physical(c);

    await c.exec(`UPDATE items SET price = price + 0.01 WHERE id = 1000`);
    const changed = await sum(c);
    expect(changed.rows).toBe(2000);
    expect(changed.md5).not.toBe(before.md5);

    // Back to the same value: the row now lives at the end of the heap, the checksum is the original.
    await c.exec(`UPDATE items SET price = price - 0.01 WHERE id = 1000`);
    expect(await physical(c)).not.toBe(order);
    expect(await sum(c)).toEqual(before);

    // CLUSTER rewrites the whole table in another order.
    await c.exec(`CLUSTER items USING items_name`);
    expect(await physical(c)).not.toBe(order);
    expect(await sum(c)).toEqual(before);

    // Two rows swapping a value is a change, although the multiset of values per column is the same.
    await c.exec(`UPDATE items SET name = CASE id WHEN 1 THEN 'item 2' ELSE 'item 1' END WHERE id IN (1, 2)`);
    expect((await sum(c)).md5).not.toBe(before.md5);
  });

  test("NULL and '' differ; a deleted or duplicated row changes it", async ({ onTestFinished }) => {
    const c = await target.fresh({ onTestFinished });
    await c.exec(data);
    const before = await sum(c);
    await c.exec(`UPDATE items SET name = '' WHERE id = 7`); // was NULL
    expect((await sum(c)).md5).not.toBe(before.md5);
    await c.exec(`UPDATE items SET name = NULL WHERE id = 7`);
    expect(await sum(c)).toEqual(before);
    await c.exec(`UPDATE items SET tags = ARRAY['a', NULL] WHERE id = 5`);
    const nullInArray = await sum(c);
    await c.exec(`UPDATE items SET tags = ARRAY['a', 'NULL'] WHERE id = 5`);
    expect((await sum(c)).md5).not.toBe(nullInArray.md5);

    const t = { schema: 'public', name: 'empty', columns: ['a', 'b'] };
    await c.exec(`INSERT INTO empty VALUES (1, 'x')`);
    const one = await sum(c, t);
    await c.exec(`INSERT INTO empty VALUES (1, 'x')`);
    const two = await sum(c, t);
    expect(two.rows).toBe(2);
    expect(two.md5).not.toBe(one.md5);
    await c.exec(`DELETE FROM empty`);
    expect((await sum(c, t)).rows).toBe(0);
  });

  test('an empty table; only the columns asked for count', async ({ onTestFinished }) => {
    const c = await target.fresh({ onTestFinished });
    await c.exec(data);
    const empty = await sum(c, { schema: 'public', name: 'empty', columns: ['a', 'b'] });
    expect(empty.rows).toBe(0);
    expect(empty.md5).toMatch(/^[0-9a-f]{32}$/);

    // What `down-keeps-data` does: checksum the pre-existing columns; a column the up added does not count.
    const before = await sum(c);
    await c.exec(`ALTER TABLE items ADD COLUMN status text DEFAULT 'new'`);
    expect(await sum(c)).toEqual(before);
    expect(await sum(c, { ...items, columns: [...items.columns, 'status'] })).not.toEqual(before);

    // A table or column that is gone has no entry (a comparison sees it as changed); the others still do.
    await c.exec(`BEGIN; ALTER TABLE items DROP COLUMN at; DROP TABLE empty`);
    const gone = await dataChecksum(c.db, [items, { schema: 'public', name: 'empty', columns: ['a'] }, { schema: 'public', name: 't', columns: ['keep'] }]);
    expect(Object.keys(gone)).toEqual(['public.t']);
    await c.exec('ROLLBACK'); // the transaction was not broken by the missing ones
  });

  test('hostile names are quoted, and the same rows give the same checksum in another database', async ({ onTestFinished }) => {
    const c = await target.fresh({ onTestFinished });
    await c.exec(data);
    const hostile = { schema: 'public', name: 'Order Items', columns: ['Order Id', 'x"; drop table t; --'] };
    const r = await dataChecksum(c.db, [hostile, items]);
    expect(Object.keys(r)).toEqual(['public."Order Items"', 'public.items']);
    expect(r['public."Order Items"']!.rows).toBe(3);
    expect((await c.db.query(`SELECT to_regclass('public.t') IS NOT NULL AS ok`)).rows[0].ok).toBe(true);

    await c.exec(`UPDATE "Order Items" SET "x""; drop table t; --" = NULL WHERE "Order Id" = 3`); // '' → NULL
    expect((await sum(c, hostile)).md5).not.toBe(r['public."Order Items"']!.md5);

    const other = await target.fresh({ onTestFinished });
    await other.exec(data);
    expect(await sum(other)).toEqual(r['public.items']);
  });

  test('tableColumns: user tables and their columns in order, no partitions, no ledger', async ({ onTestFinished }) => {
    const c = await target.fresh({ onTestFinished });
    await c.exec(data);
    await c.exec(`
      ALTER TABLE items DROP COLUMN price;
      CREATE TABLE m (d date, v int) PARTITION BY RANGE (d);
      CREATE TABLE m_1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE SCHEMA "App";
      CREATE TABLE "App"."Odd" ("A" int);
      CREATE VIEW v AS SELECT 1 AS one;`);
    expect(await tableColumns(c.db)).toEqual([
      { schema: 'App', name: 'Odd', columns: ['A'] },
      { schema: 'public', name: 'Order Items', columns: ['Order Id', 'x"; drop table t; --'] },
      { schema: 'public', name: 'empty', columns: ['a', 'b'] },
      { schema: 'public', name: 'items', columns: ['id', 'name', 'tags', 'at'] },
      { schema: 'public', name: 'm', columns: ['d', 'v'] },
      { schema: 'public', name: 't', columns: ['keep'] },
    ]);
    expect(await tableColumns(c.db, ['App'])).toEqual([{ schema: 'App', name: 'Odd', columns: ['A'] }]);
    const all = await dataChecksum(c.db, await tableColumns(c.db));
    expect(Object.keys(all)).toEqual(['"App"."Odd"', 'public."Order Items"', 'public.empty', 'public.items', 'public.m', 'public.t']);
    expect(all['public.items']!.rows).toBe(2000);
  });
});

describe('diffFingerprints and line helpers', () => {
  const fp = (entries: [key: string, line: string][]): Fingerprint => {
    const sorted = [...entries].sort((a, b) => (a[1] < b[1] ? -1 : 1));
    return { lines: sorted.map((e) => e[1]), keys: sorted.map((e) => e[0]) };
  };

  test('a changed object shows its - line directly followed by its + line; equal is empty', () => {
    const before = fp([
      ['column public.t.a', 'column public.t.a integer not null'],
      ['column public.t.b', 'column public.t.b text'],
      ['index public.t_a', 'index public.t_a: CREATE INDEX t_a ON public.t USING btree (a)'],
      ['table public.t', 'table public.t'],
    ]);
    const after = fp([
      ['column public.t.a', 'column public.t.a integer'],
      ['column public.t.c', 'column public.t.c text'],
      ['index public.t_a', 'index public.t_a: CREATE INDEX t_a ON public.t USING btree (a) [invalid]'],
      ['table public.t', 'table public.t'],
    ]);
    expect(diffFingerprints(before, before)).toEqual([]);
    expect(diffFingerprints(before, after)).toEqual([
      '- column public.t.a integer not null',
      '+ column public.t.a integer',
      '- column public.t.b text',
      '+ column public.t.c text',
      '- index public.t_a: CREATE INDEX t_a ON public.t USING btree (a)',
      '+ index public.t_a: CREATE INDEX t_a ON public.t USING btree (a) [invalid]',
    ]);
  });

  test('oneLine collapses layout, never a literal', () => {
    expect(oneLine(" SELECT a,\n    b\n   FROM t\n  WHERE (a = 'x  y');")).toBe("SELECT a, b FROM t WHERE (a = 'x  y');");
    expect(oneLine("SELECT 'a\nb', \"odd  name\"")).toBe("SELECT E'a\\nb', \"odd  name\"");
    expect(oneLine("SELECT 'a\\n\nb'")).toBe("SELECT E'a\\\\n\\nb'"); // a backslash and a line break stay distinct
    expect(oneLine("SELECT E'it\\'s\nx'")).toBe("SELECT E'it\\'s\\nx'");
    expect(literal("it's")).toBe("'it''s'");
    expect(literal('a\\b\tc')).toBe("E'a\\\\b\\tc'");
  });
});
