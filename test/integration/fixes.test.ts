/**
 * The fixes lint prints are real SQL that works: for the common unsafe changes, run the fix's
 * statements on a real server (PG 15 and 18) against a table with rows, with the schema read through
 * --db as a user would, and check the end state is what the unsafe statement wanted.
 */
import { describe, expect, test } from 'vitest';
import { testServers, freshDatabase } from '../helpers/db.js';
import { introspectUrl } from '../../src/dialects/postgres/introspect.js';
import { lintSql } from '../../src/lint/lint.js';

const schema = `
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, ref text, status text, quantity integer, placed timestamp);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, 1 + g % 100, 'r' || g, 'new', g % 7, now() FROM generate_series(1, 1000) g;
ANALYZE;
`;

/** The SQL statements of a fix: from a line starting with an SQL keyword to the line ending with `;`. */
export function fixStatements(fix: string): string[] {
  const out: string[] = [];
  let cur: string[] | undefined;
  let inBody = false;
  for (const line of fix.split('\n')) {
    if (!cur && /^(ALTER|CREATE|DROP|UPDATE|SET|BEGIN|COMMIT|SELECT|INSERT|DELETE|REINDEX|VACUUM|WITH|DO)\b/.test(line)) cur = [];
    if (!cur) continue;
    cur.push(line);
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inBody = !inBody;
    if (!inBody && /;\s*(--.*)?$/.test(line)) {
      out.push(cur.join('\n'));
      cur = undefined;
    }
  }
  return out;
}

interface Scenario {
  rule: string;
  sql: string;
  /** SQL returning one row with column ok = true when the end state is right. */
  check: string;
}

const scenarios: Scenario[] = [
  {
    rule: 'adding-volatile-default',
    sql: 'ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT clock_timestamp();',
    check: `SELECT a.attnotnull AND pg_get_expr(d.adbin, d.adrelid) = 'clock_timestamp()' AND (SELECT count(*) FROM orders WHERE created_at IS NULL) = 0 AS ok
            FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = 'orders'::regclass AND a.attname = 'created_at'`,
  },
  {
    rule: 'setting-not-null',
    sql: 'ALTER TABLE orders ALTER COLUMN status SET NOT NULL;',
    check: `SELECT attnotnull AS ok FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'status'`,
  },
  {
    rule: 'adding-foreign-key',
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);',
    check: `SELECT convalidated AS ok FROM pg_constraint WHERE conname = 'orders_customer_fk' AND contype = 'f'`,
  },
  {
    rule: 'adding-unique-constraint',
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref);',
    check: `SELECT i.indisvalid AND i.indisunique AS ok FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid WHERE c.conname = 'orders_ref_key' AND c.contype = 'u'`,
  },
  {
    rule: 'constraint-missing-not-valid',
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_quantity_check CHECK (quantity >= 0);',
    check: `SELECT convalidated AS ok FROM pg_constraint WHERE conname = 'orders_quantity_check' AND contype = 'c'`,
  },
  {
    rule: 'require-concurrent-index-creation',
    sql: 'CREATE INDEX orders_placed_idx ON orders (placed);',
    check: `SELECT indisvalid AS ok FROM pg_index WHERE indexrelid = 'orders_placed_idx'::regclass`,
  },
  {
    rule: 'changing-column-type',
    sql: 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;',
    check: `SELECT format_type(atttypid, atttypmod) = 'bigint' AND (SELECT sum(quantity) FROM orders) = (SELECT sum(g % 7) FROM generate_series(1, 1000) g) AS ok
            FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'quantity'`,
  },
  {
    rule: 'adding-serial-column',
    sql: 'ALTER TABLE orders ADD COLUMN seq bigserial;',
    check: `SELECT (SELECT count(*) FROM orders WHERE seq IS NULL) = 0 AND (SELECT count(DISTINCT seq) FROM orders) = 1000 AS ok`,
  },
];

const servers = testServers().filter((s) => s.major === 15 || s.major === 18);

describe.each(servers)('fixes run on $name', (server) => {
  test.for(scenarios)('$rule', async (sc, { onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const facts = await introspectUrl(db.url);
    const r = await lintSql(sc.sql, { catalog: facts.catalog, pgVersion: facts.major });
    const finding = r.findings.find((f) => f.rule === sc.rule);
    expect(finding, `${sc.rule} did not flag ${sc.sql}`).toBeDefined();
    const statements = fixStatements(finding!.fix ?? '');
    expect(statements.length, finding!.fix).toBeGreaterThan(0);
    const client = await db.connect();
    for (const s of statements) {
      expect(s, 'a fix must not contain placeholders').not.toMatch(/<[a-z][^>]*>/i);
      try {
        await client.query(s);
      } catch (e: any) {
        throw new Error(`${sc.rule} on PostgreSQL ${server.major}: fix statement failed: ${e.message}\n${s}\n--- whole fix:\n${finding!.fix}`);
      }
    }
    const [row] = await db.query(sc.check);
    expect(row?.ok, `${sc.rule} end state after:\n${statements.join('\n')}`).toBe(true);
  });
});
