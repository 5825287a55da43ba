/** The TypeScript builders: the same operations as a spec, checked by the same code. */
import { beforeAll, describe, expect, test } from 'vitest';
import { loadParser } from '../../src/dialects/postgres/parser.js';
import { addCheck, addColumn, addForeignKey, addIndex, addUnique, change, setNotNull } from '../../src/spec/builders.js';
import { parseChangeSpec } from '../../src/spec/parse-spec.js';
import { LockstepError } from '../../src/core/errors.js';

beforeAll(() => loadParser());

function problems(f: () => unknown): { where: string; message: string }[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LockstepError);
    expect((e as LockstepError).code).toBe('E_INPUT');
    return (e as LockstepError).problems;
  }
  throw new Error('expected a LockstepError');
}

describe('builders', () => {
  test('each builder returns its operation', () => {
    expect(addColumn('billing.invoices', { name: 'created_at', type: 'timestamptz', nullable: false, default: 'now()', references: 'customers', index: { method: 'brin' } })).toEqual({
      kind: 'addColumn',
      table: { schema: 'billing', name: 'invoices' },
      name: 'created_at',
      type: 'timestamptz',
      nullable: false,
      default: 'now()',
      references: { table: { name: 'customers' } },
      index: { method: 'brin' },
    });
    expect(addIndex({ schema: 'Sales', name: 'Order Items' }, { columns: ['sku', '(lower(note))'], unique: true })).toEqual({ kind: 'addIndex', table: { schema: 'Sales', name: 'Order Items' }, columns: ['sku', '(lower(note))'], unique: true });
    expect(addCheck('orders', 'total >= 0', { name: 'total_positive' })).toEqual({ kind: 'addCheck', table: { name: 'orders' }, name: 'total_positive', expression: 'total >= 0' });
    expect(addForeignKey('orders', { columns: ['customer_id'], references: { table: 'crm.customers', columns: ['id'] }, onDelete: 'cascade' })).toEqual({
      kind: 'addForeignKey',
      table: { name: 'orders' },
      columns: ['customer_id'],
      references: { table: { schema: 'crm', name: 'customers' }, columns: ['id'] },
      onDelete: 'cascade',
    });
    expect(addUnique('"Order Items"', ['sku', '"Region"'])).toEqual({ kind: 'addUnique', table: { name: 'Order Items' }, columns: ['sku', 'Region'] });
    expect(setNotNull('orders', 'status')).toEqual({ kind: 'setNotNull', table: { name: 'orders' }, column: 'status' });
  });

  test('change() names the operations; it equals the same spec in YAML', () => {
    const built = change('orders-created-at', addColumn('orders', { name: 'created_at', type: 'timestamptz', nullable: false, default: 'now()', index: true }), addCheck('orders', 'total >= 0'));
    const spec = parseChangeSpec(
      `name: orders-created-at
changes:
  - { table: orders, addColumn: { name: created_at, type: timestamptz, nullable: false, default: now(), index: true } }
  - { table: orders, addCheck: { expression: total >= 0 } }
`,
    );
    expect(built).toEqual(spec);
    expect(problems(() => change(' '))).toEqual([
      { where: 'change', message: 'needs a name (the key of the change in the ledger)' },
      { where: 'change', message: 'needs at least one operation' },
    ]);
  });

  test('bad input throws the same clear LockstepError a spec gets, every problem at once', () => {
    expect(problems(() => addColumn('orders', { name: 'x', type: 'not a type(' }))).toEqual([{ where: 'addColumn.type', message: '"not a type(" has a "(" that is never closed' }]);
    expect(problems(() => addColumn('orders; drop table orders', { name: 'Bad Name', type: 'int', default: 'now(); select 1', frobnicate: 1 } as never))).toEqual([
      { where: 'addColumn.table', message: '"orders; drop table orders" must be exactly one table name, without ";" (it is spliced into the SQL lockstep writes)' },
      { where: 'addColumn.frobnicate', message: 'unknown key (known: name, type, nullable, default, backfill, check, references, unique, index, comment)' },
      { where: 'addColumn.name', message: expect.stringMatching(/^"Bad Name" is not a valid name; names are written as in SQL/) },
      { where: 'addColumn.default', message: '"now(); select 1" must be exactly one SQL expression, without ";" (it is spliced into the SQL lockstep writes)' },
    ]);
    expect(problems(() => addForeignKey('orders', { columns: ['a'], references: { table: 'customers', columns: ['id', 'region'] }, onDelete: 'explode' as never }))).toEqual([
      { where: 'addForeignKey.references.columns', message: 'names 2 columns for the 1 in columns' },
      { where: 'addForeignKey.onDelete', message: 'must be one of no action, restrict, cascade, set null, set default; got "explode"' },
    ]);
    expect(problems(() => addCheck('orders', 'total > (SELECT 0)'))).toEqual([{ where: 'addCheck.expression', message: '"total > (SELECT 0)" cannot contain a subquery (Postgres does not allow one in a CHECK constraint)' }]);
    expect(problems(() => addIndex('orders', { columns: [] }))).toEqual([{ where: 'addIndex.columns', message: 'must be a non-empty list of column names or expressions in parentheses, got a list' }]);
    expect(problems(() => setNotNull('', 'c'))).toEqual([{ where: 'setNotNull.table', message: '"" is empty' }]);
    expect(problems(() => addUnique({ name: '' }, ['a']))).toEqual([{ where: 'addUnique.table', message: 'must be a table name like orders or billing.invoices, got a mapping' }]);
  });
});
