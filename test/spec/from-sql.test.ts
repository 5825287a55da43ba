/** Plain SQL as a way in: recognized statements → operations (text kept as written); the rest reported with reasons and lint findings. */
import { describe, expect, test } from 'vitest';
import { changeFromSql, type Unconverted } from '../../src/spec/from-sql.js';
import { plan } from '../../src/plan/planner.js';
import { catalogFrom } from '../rules/postgres/helpers.js';

const orders = { name: 'orders' };
const ops = async (sql: string) => {
  const r = await changeFromSql(sql, { file: 'm.sql' });
  expect(r.unconverted.map((u) => u.reason)).toEqual([]);
  return r.change.operations;
};
/** Unconverted statements as `statement → reason [rules]`. */
const left = (us: Unconverted[]) => us.map((u) => `${u.statement} → ${u.reason}${u.findings.length ? ` [${u.findings.map((f) => f.rule).join(', ')}]` : ''}`);

describe('ADD COLUMN', () => {
  test('NOT NULL DEFAULT clock_timestamp(): the default as written', async () => {
    const r = await changeFromSql('ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT clock_timestamp();\n', { file: 'db/20261127_created_at.sql' });
    expect(r).toEqual({
      change: { name: '20261127_created_at', operations: [{ kind: 'addColumn', table: orders, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()' }] },
      unconverted: [],
    });
  });

  test('every clause: NULL/NOT NULL, DEFAULT, CHECK, REFERENCES with actions, UNIQUE; types and expressions exactly as written', async () => {
    expect(
      await ops(`ALTER TABLE orders
  ADD COLUMN customer_id bigint REFERENCES customers (id) ON DELETE SET NULL ON UPDATE CASCADE,
  ADD total NUMERIC(12, 2) NULL DEFAULT 0.00 CHECK (total >= 0::numeric),
  ADD COLUMN ref text CONSTRAINT orders_ref_key UNIQUE CONSTRAINT orders_ref_fk REFERENCES refs (code),
  ADD COLUMN due timestamp with time zone NOT NULL DEFAULT (now() -- a day later
      + interval '1 day') CHECK (due > '2000-01-01') CONSTRAINT due_not_ancient CHECK (due < 'infinity') CHECK (due IS NOT NULL);`),
    ).toEqual([
      { kind: 'addColumn', table: orders, name: 'customer_id', type: 'bigint', nullable: true, references: { table: { name: 'customers' }, column: 'id', onDelete: 'set null', onUpdate: 'cascade' } },
      { kind: 'addColumn', table: orders, name: 'total', type: 'NUMERIC(12, 2)', nullable: true, default: '0.00', check: 'total >= 0::numeric' },
      { kind: 'addColumn', table: orders, name: 'ref', type: 'text', nullable: true, unique: { name: 'orders_ref_key' }, references: { table: { name: 'refs' }, column: 'code', name: 'orders_ref_fk' } },
      { kind: 'addColumn', table: orders, name: 'due', type: 'timestamp with time zone', nullable: false, default: "(now()\n      + interval '1 day')", check: "due > '2000-01-01'" },
      { kind: 'addCheck', table: orders, name: 'due_not_ancient', expression: "due < 'infinity'" },
      { kind: 'addCheck', table: orders, name: 'orders_due_check1', expression: 'due IS NOT NULL' },
    ]);
  });

  test('schema-qualified and quoted names', async () => {
    expect(await ops('ALTER TABLE sales."Order Items" ADD COLUMN "Shipped At" timestamptz DEFAULT now(), ADD COLUMN "x""; drop table t; --" int;')).toEqual([
      { kind: 'addColumn', table: { schema: 'sales', name: 'Order Items' }, name: 'Shipped At', type: 'timestamptz', nullable: true, default: 'now()' },
      { kind: 'addColumn', table: { schema: 'sales', name: 'Order Items' }, name: 'x"; drop table t; --', type: 'int', nullable: true },
    ]);
  });

  test('a CREATE INDEX right after it stays an addIndex of its own', async () => {
    expect(await ops('ALTER TABLE orders ADD COLUMN status text;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);')).toEqual([
      { kind: 'addColumn', table: orders, name: 'status', type: 'text', nullable: true },
      { kind: 'addIndex', table: orders, name: 'orders_status_idx', columns: ['status'] },
    ]);
  });
});

describe('CREATE INDEX, ADD CONSTRAINT, SET NOT NULL', () => {
  test('CREATE [UNIQUE] INDEX [CONCURRENTLY]: columns, expressions, method, INCLUDE and WHERE as written', async () => {
    expect(
      await ops(`CREATE INDEX ON orders (customer_id);
CREATE UNIQUE INDEX CONCURRENTLY "Order Items_sku" ON sales."Order Items" USING btree (lower(sku), "Region" DESC, (qty * 2), Note) INCLUDE (price) WHERE deleted_at IS NULL -- live rows only
;
CREATE INDEX orders_tags ON orders USING gin (tags jsonb_path_ops);`),
    ).toEqual([
      { kind: 'addIndex', table: orders, columns: ['customer_id'] },
      { kind: 'addIndex', table: { schema: 'sales', name: 'Order Items' }, name: 'Order Items_sku', columns: ['lower(sku)', '"Region" DESC', '(qty * 2)', 'note'], where: 'deleted_at IS NULL', unique: true, include: ['price'] },
      { kind: 'addIndex', table: orders, name: 'orders_tags', columns: ['tags jsonb_path_ops'], method: 'gin' },
    ]);
  });

  test('ADD CONSTRAINT CHECK / FOREIGN KEY / UNIQUE and SET NOT NULL', async () => {
    expect(
      await ops(`ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0 AND total < 1e9);
ALTER TABLE orders ADD FOREIGN KEY (customer_id, region) REFERENCES crm."Customers" (id, region) ON DELETE CASCADE;
ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref, region);
ALTER TABLE billing.invoices ALTER COLUMN "Paid At" SET NOT NULL;`),
    ).toEqual([
      { kind: 'addCheck', table: orders, name: 'total_positive', expression: 'total > 0 AND total < 1e9' },
      { kind: 'addForeignKey', table: orders, columns: ['customer_id', 'region'], references: { table: { schema: 'crm', name: 'Customers' }, columns: ['id', 'region'] }, onDelete: 'cascade' },
      { kind: 'addUnique', table: orders, name: 'orders_ref_key', columns: ['ref', 'region'] },
      { kind: 'setNotNull', table: { schema: 'billing', name: 'invoices' }, column: 'Paid At' },
    ]);
  });

  test('NOT VALID followed by its VALIDATE CONSTRAINT is one operation (both statements used)', async () => {
    const r = await changeFromSql(`ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
ALTER TABLE orders VALIDATE CONSTRAINT total_positive;`);
    expect(r.change.operations).toEqual([
      { kind: 'addForeignKey', table: orders, name: 'orders_customer_fk', columns: ['customer_id'], references: { table: { name: 'customers' }, columns: ['id'] } },
      { kind: 'addCheck', table: orders, name: 'total_positive', expression: 'total > 0' },
    ]);
    expect(r.unconverted).toEqual([]);
  });
});

describe('not converted: reported with the reason and lint findings, never dropped', () => {
  test('every other statement and every variant an operation cannot express', async () => {
    const sql = `BEGIN;
SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
ALTER TABLE orders DROP COLUMN legacy;
ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref) INCLUDE (region);
ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;
ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers;
ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;
ALTER TABLE orders ADD COLUMN a int, ALTER COLUMN b DROP NOT NULL;
ALTER TABLE orders ADD COLUMN id2 bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE ONLY orders ADD CONSTRAINT c CHECK (a > 0);
CREATE INDEX orders_big ON orders (customer_id) WITH (fillfactor = 50);
ALTER TABLE orders ADD CONSTRAINT d UNIQUE (a) DEFERRABLE;
SELEC 1;
COMMIT;`;
    const r = await changeFromSql(sql, { file: 'm.sql' });
    expect(r.change.operations).toEqual([]);
    expect(left(r.unconverted)).toEqual([
      'BEGIN → transaction control: lockstep runs each step in a transaction of its own (and CONCURRENTLY steps outside one)',
      "SET lock_timeout = '2s' → a session setting: lockstep sets lock_timeout and statement_timeout for every step itself",
      'ALTER TABLE orders ALTER COLUMN total TYPE bigint → a column type change (ALTER COLUMN … TYPE) is not one of the changes lockstep plans (it converts ADD COLUMN, CREATE INDEX, ADD CONSTRAINT … CHECK / FOREIGN KEY / UNIQUE and ALTER COLUMN … SET NOT NULL) [changing-column-type, require-statement-timeout]',
      'ALTER TABLE orders DROP COLUMN legacy → DROP COLUMN is not one of the changes lockstep plans (it converts ADD COLUMN, CREATE INDEX, ADD CONSTRAINT … CHECK / FOREIGN KEY / UNIQUE and ALTER COLUMN … SET NOT NULL) [dropping-column]',
      'ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref) INCLUDE (region) → UNIQUE … INCLUDE: addUnique has no INCLUDE columns (a CREATE UNIQUE INDEX … INCLUDE converts to addIndex) [adding-unique-constraint]',
      'ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text → ADD COLUMN IF NOT EXISTS: lockstep plans for a column that does not exist yet (drop IF NOT EXISTS to convert it)',
      'ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers → REFERENCES customers names no column: lockstep needs it spelled out (REFERENCES customers (id))',
      'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID → NOT VALID with no VALIDATE CONSTRAINT after it in this file: lockstep’s addCheck also validates the constraint, which this migration leaves for later',
      'ALTER TABLE orders ADD COLUMN a int, ALTER COLUMN b DROP NOT NULL → ALTER COLUMN … DROP NOT NULL is not one of the changes lockstep plans (it converts ADD COLUMN, CREATE INDEX, ADD CONSTRAINT … CHECK / FOREIGN KEY / UNIQUE and ALTER COLUMN … SET NOT NULL) (subcommand 2 of 2: the statement is converted whole or not at all) [prefer-bigint-over-int, ban-drop-not-null]',
      'ALTER TABLE orders ADD COLUMN id2 bigint GENERATED ALWAYS AS IDENTITY → an identity column (GENERATED … AS IDENTITY) is not something addColumn can express [adding-serial-column]',
      'ALTER TABLE ONLY orders ADD CONSTRAINT c CHECK (a > 0) → ALTER TABLE ONLY: lockstep’s steps act on the table with its partitions or children (drop ONLY to convert it) [constraint-missing-not-valid]',
      'CREATE INDEX orders_big ON orders (customer_id) WITH (fillfactor = 50) → index storage parameters (WITH (…)) are not something addIndex can express [require-concurrent-index-creation, multiple-access-exclusive-in-transaction]',
      'ALTER TABLE orders ADD CONSTRAINT d UNIQUE (a) DEFERRABLE → DEFERRABLE / INITIALLY DEFERRED: lockstep adds constraints that are checked immediately [adding-unique-constraint]',
      'SELEC 1 → does not parse: syntax error at or near "SELEC" [syntax-error]',
      'COMMIT → transaction control: lockstep runs each step in a transaction of its own (and CONCURRENTLY steps outside one)',
    ]);
    for (const u of r.unconverted) expect(sql.slice(u.span.start, u.span.end)).toBe(u.statement);
    const typeChange = r.unconverted[2]!.findings.find((f) => f.rule === 'changing-column-type')!;
    expect(typeChange).toMatchObject({ file: 'm.sql', severity: 'warning' });
    expect(sql.slice(typeChange.span.start, typeChange.span.end)).toBe('ALTER COLUMN total TYPE bigint');
  });

  test('the reason names the kind of statement by its leading keywords', async () => {
    const r = await changeFromSql('ALTER INDEX orders_idx RENAME TO orders_i;\nALTER INDEX orders_i SET (fillfactor = 70);\n/* gone */ drop table if exists legacy;\nCREATE OR REPLACE VIEW v AS SELECT 1;');
    expect(r.unconverted.map((u) => u.reason.replace(/ \(it converts.*$/, ''))).toEqual([
      'ALTER INDEX is not a change lockstep plans',
      'ALTER INDEX is not a change lockstep plans',
      'DROP TABLE IF EXISTS is not a change lockstep plans',
      'CREATE OR REPLACE VIEW is not a change lockstep plans',
    ]);
  });

  test('findings come from the file as it runs without the converted statements', async () => {
    // The converted ADD COLUMN (volatile default) gets no finding anywhere; the table created earlier is new, so changing its type is fine.
    const r = await changeFromSql(`CREATE TABLE refunds (id bigint PRIMARY KEY, amount int);
ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT clock_timestamp();
ALTER TABLE refunds ALTER COLUMN amount TYPE bigint;
ALTER TABLE orders ALTER COLUMN total TYPE bigint;`);
    expect(r.change.operations).toEqual([{ kind: 'addColumn', table: orders, name: 'created_at', type: 'timestamptz', nullable: true, default: 'clock_timestamp()' }]);
    expect(left(r.unconverted).map((l) => l.replace(/ → .*?( \[|$)/, ' →$1'))).toEqual([
      'CREATE TABLE refunds (id bigint PRIMARY KEY, amount int) → [prefer-robust-stmts, prefer-bigint-over-int]',
      'ALTER TABLE refunds ALTER COLUMN amount TYPE bigint →',
      'ALTER TABLE orders ALTER COLUMN total TYPE bigint → [require-lock-timeout, changing-column-type, require-statement-timeout]',
    ]);
    expect(r.unconverted.flatMap((u) => u.findings).some((f) => f.rule === 'adding-volatile-default')).toBe(false);
    expect(r.change.name).toBe('input');
  });
});

describe('plan', () => {
  test('the operations from SQL plan into phases (offline, PG 15)', async () => {
    const { change } = await changeFromSql(`ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);`, { file: 'shop.sql' });
    const p = await plan(change, { version: 15 });
    expect(p.change.name).toBe('shop');
    expect(p.phases.map((ph) => `${ph.name}: ${ph.steps.map((s) => s.id).join(', ')}`)).toEqual([
      'expand: 1.add-column',
      // an index on a column the change adds is built after any backfill
      'contract: 2.create-index, 3.add-foreign-key-not-valid, 3.validate-foreign-key',
    ]);
    expect(p.phases[0]!.steps[0]!.up).toBe("ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new'");
  });

  test('the unsafe single ALTER becomes expand → backfill → contract, with the default as written', async () => {
    const { change } = await changeFromSql('ALTER TABLE "Order Items" ADD COLUMN created_at timestamptz NOT NULL DEFAULT clock_timestamp();');
    const db = await catalogFrom('CREATE TABLE "Order Items" (id bigint PRIMARY KEY);');
    const p = await plan(change, { version: 15, catalog: db });
    expect(p.phases.map((ph) => ph.name)).toEqual(['expand', 'backfill', 'contract']);
    expect(p.phases[0]!.steps.map((s) => s.up)).toEqual(['ALTER TABLE "Order Items" ADD COLUMN created_at timestamptz', 'ALTER TABLE "Order Items" ALTER COLUMN created_at SET DEFAULT clock_timestamp()']);
    expect(p.phases[1]!.steps[0]!.backfill).toEqual({ table: { name: 'Order Items' }, column: 'created_at', expression: 'clock_timestamp()', key: ['id'] });
  });
});
