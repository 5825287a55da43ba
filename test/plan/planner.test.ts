/** Plans per operation and version: the steps, their order and what the effects table says about each. */
import { describe, expect, test } from 'vitest';
import { plan } from '../../src/plan/planner.js';
import type { Change, Operation } from '../../src/operations/types.js';
import { catalogFrom } from '../rules/postgres/helpers.js';

const orders = { name: 'orders' };
const change = (...operations: Operation[]): Change => ({ name: 'test', operations });
const shape = (p: Awaited<ReturnType<typeof plan>>) => p.phases.map((ph) => `${ph.name}: ${ph.steps.map((s) => `${s.id} [${s.locks.map((l) => l.mode).join('+') || '-'}${s.scan ? ' scan' : ''}${s.rewrite ? ' rewrite' : ''}${s.transactional ? '' : ' no-tx'}]`).join(', ')}`);

describe('addColumn', () => {
  const createdAt: Operation = { kind: 'addColumn', table: orders, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()', index: true };

  test('PG 15: volatile default, NOT NULL, index → expand, backfill, contract with the CHECK recipe', async () => {
    const db = await catalogFrom('CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);');
    db.complete = true;
    const p = await plan(change(createdAt), { version: 15, catalog: db });
    expect(shape(p)).toEqual([
      'expand: 1.add-column [AccessExclusive], 1.set-default [AccessExclusive]',
      'backfill: 1.backfill [RowExclusive]',
      'contract: 1.add-not-null-check [AccessExclusive], 1.validate-not-null-check [ShareUpdateExclusive scan], 1.set-not-null [AccessExclusive], 1.drop-not-null-check [AccessExclusive], 1.create-index [ShareUpdateExclusive scan no-tx]',
    ]);
    const backfill = p.phases[1]!.steps[0]!;
    expect(backfill.backfill).toEqual({ table: orders, column: 'created_at', expression: 'clock_timestamp()', key: ['id'] });
    expect(p.phases[2]!.steps.find((s) => s.id === '1.set-not-null')!.scan).toBe(false); // the valid CHECK proves it
  });

  test('PG 18: NOT NULL … NOT VALID then VALIDATE', async () => {
    const db = await catalogFrom('CREATE TABLE orders (id bigint PRIMARY KEY);');
    const p = await plan(change(createdAt), { version: 18, catalog: db });
    expect(p.phases[2]!.steps.map((s) => s.id)).toEqual(['1.add-not-null-not-valid', '1.validate-not-null', '1.create-index']);
  });

  test('PG 11: SET NOT NULL scans and says so', async () => {
    const db = await catalogFrom('CREATE TABLE orders (id bigint PRIMARY KEY);');
    const p = await plan(change(createdAt), { version: 11, catalog: db });
    const nn = p.phases[2]!.steps.find((s) => s.id === '1.set-not-null')!;
    expect(nn.scan).toBe(true);
    expect(nn.notes.join(' ')).toMatch(/cannot avoid scanning/);
  });

  test('a non-volatile default with NOT NULL is one instant step (11+): no backfill, no contract', async () => {
    const db = await catalogFrom('CREATE TABLE orders (id bigint PRIMARY KEY);');
    const p = await plan(change({ kind: 'addColumn', table: orders, name: 'status', type: 'text', nullable: false, default: "'new'" }), { version: 15, catalog: db });
    expect(shape(p)).toEqual(['expand: 1.add-column [AccessExclusive]']);
    expect(p.phases[0]!.steps[0]!.up).toBe("ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new'");
  });

  test('conflicts with the schema are refused before anything runs, all at once', async () => {
    const db = await catalogFrom('CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz); CREATE TABLE nokey (a int);');
    db.complete = true;
    await expect(
      plan(change(createdAt, { kind: 'addColumn', table: { name: 'missing' }, name: 'x', type: 'int', nullable: true }, { kind: 'addColumn', table: { name: 'nokey' }, name: 'b', type: 'int', nullable: false, backfill: '0' }), { version: 15, catalog: db }),
    ).rejects.toMatchObject({
      problems: [
        { where: 'operations[0].addColumn.name', message: 'column orders.created_at already exists' },
        { where: 'operations[1].addColumn.table', message: 'table missing does not exist' },
        { where: 'operations[2].addColumn.backfill', message: expect.stringContaining('has no primary key') },
      ],
    });
  });

  test('estimates come from the table size when known', async () => {
    const db = await catalogFrom('CREATE TABLE orders (id bigint PRIMARY KEY);');
    db.table(orders)!.rows = 10_000_000;
    db.table(orders)!.bytes = 2 * 1024 ** 3;
    const p = await plan(change(createdAt), { version: 15, catalog: db });
    expect(p.phases[1]!.steps[0]!.estimate.seconds).toBeCloseTo(500, 0);
    expect(p.phases[2]!.steps.find((s) => s.id === '1.validate-not-null-check')!.estimate.basis).toMatch(/full scan of ~2\.0 GB/);
    const offline = await plan(change(createdAt), { version: 15 });
    expect(offline.phases[1]!.steps[0]!.estimate).toEqual({ seconds: null, basis: 'table size unknown (pass --db)' });
  });
});

describe('standalone operations', () => {
  test('addUnique, addForeignKey, addCheck, setNotNull, addIndex', async () => {
    const db = await catalogFrom('CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, ref text, total int);');
    const p = await plan(
      change(
        { kind: 'addIndex', table: orders, columns: ['customer_id'] },
        { kind: 'addUnique', table: orders, columns: ['ref'] },
        { kind: 'addForeignKey', table: orders, columns: ['customer_id'], references: { table: { name: 'customers' }, columns: ['id'] }, onDelete: 'cascade' },
        { kind: 'addCheck', table: orders, name: 'orders_total_check', expression: 'total >= 0' },
        { kind: 'setNotNull', table: orders, column: 'total' },
      ),
      { version: 16, catalog: db },
    );
    expect(shape(p)).toEqual([
      'expand: 1.create-index [ShareUpdateExclusive scan no-tx]',
      'contract: 2.create-unique-index [ShareUpdateExclusive scan no-tx], 2.add-unique-using-index [AccessExclusive], 3.add-foreign-key-not-valid [ShareRowExclusive+ShareRowExclusive], 3.validate-foreign-key [ShareUpdateExclusive+RowShare scan], 4.add-check-not-valid [AccessExclusive], 4.validate-check [ShareUpdateExclusive scan], 5.add-not-null-check [AccessExclusive], 5.validate-not-null-check [ShareUpdateExclusive scan], 5.set-not-null [AccessExclusive], 5.drop-not-null-check [AccessExclusive]',
    ]);
    expect(p.phases[1]!.steps[2]!.up).toBe('ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE NOT VALID');
  });

  test('hostile names are quoted everywhere', async () => {
    const p = await plan(change({ kind: 'addColumn', table: { name: 'Order Items' }, name: 'x"; drop table t; --', type: 'int', nullable: false, default: 'random()' }), { version: 15 });
    for (const s of p.phases.flatMap((ph) => ph.steps)) {
      expect(s.up).toContain('"Order Items"');
      expect(s.up).not.toMatch(/x"; drop/);
    }
    expect(p.phases[0]!.steps[0]!.up).toBe('ALTER TABLE "Order Items" ADD COLUMN "x""; drop table t; --" int');
  });
});
