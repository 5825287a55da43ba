/** Change specs (YAML and JSON): each shape → the exact operations; every problem at once, with path and line. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadParser } from '../../src/dialects/postgres/parser.js';
import { parseChangeSpec } from '../../src/spec/parse-spec.js';
import { readChange, readChangeSpec } from '../../src/spec/read.js';
import { LockstepError } from '../../src/core/errors.js';

beforeAll(() => loadParser());

/** The problems of a spec that must fail, as `where: message` lines. */
function problemsOf(text: string, file = 'change.yaml'): string[] {
  try {
    parseChangeSpec(text, { file });
  } catch (e) {
    expect(e).toBeInstanceOf(LockstepError);
    expect((e as LockstepError).code).toBe('E_INPUT');
    return (e as LockstepError).problems.map((p) => `${p.where}: ${p.message}`);
  }
  throw new Error('expected the spec to be rejected');
}

describe('valid specs', () => {
  test('a single addColumn with every option', () => {
    const spec = `# changes/2026-11-27-orders-created-at.yaml
table: orders
addColumn:
  name: created_at
  type: timestamptz
  nullable: false
  default: now()
  backfill: clock_timestamp()
  check: created_at > '2000-01-01'
  references: { table: customers, column: id, onDelete: cascade, onUpdate: NO ACTION, name: orders_customer_fk }
  unique: { name: orders_created_at_key }
  index: { name: orders_created_at_idx, method: brin, columns: [created_at, "(date_trunc('day', created_at))"], where: created_at IS NOT NULL }
  comment: When the order was placed
`;
    expect(parseChangeSpec(spec, { file: 'changes/2026-11-27-orders-created-at.yaml' })).toEqual({
      name: '2026-11-27-orders-created-at',
      operations: [
        {
          kind: 'addColumn',
          table: { name: 'orders' },
          name: 'created_at',
          type: 'timestamptz',
          nullable: false,
          default: 'now()',
          backfill: 'clock_timestamp()',
          check: "created_at > '2000-01-01'",
          references: { table: { name: 'customers' }, column: 'id', onDelete: 'cascade', onUpdate: 'no action', name: 'orders_customer_fk' },
          unique: { name: 'orders_created_at_key' },
          index: { name: 'orders_created_at_idx', method: 'brin', columns: ['created_at', "(date_trunc('day', created_at))"], where: 'created_at IS NOT NULL' },
          comment: 'When the order was placed',
        },
      ],
    });
  });

  test('the short forms: references as a table name, unique and index as true, nullable by default', () => {
    const change = parseChangeSpec('name: customer-ref\ntable: orders\naddColumn: { name: customer_id, type: bigint, references: customers, unique: true, index: true }\n', { file: 'x.yaml' });
    expect(change).toEqual({
      name: 'customer-ref',
      operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'customer_id', type: 'bigint', nullable: true, references: { table: { name: 'customers' } }, unique: true, index: true }],
    });
  });

  test('several changes, one of each operation, on several tables (schema-qualified and quoted)', () => {
    const spec = `name: shop-2026-11
changes:
  - table: billing.invoices
    addColumn: { name: paid_at, type: "timestamp(3) with time zone" }
  - table: '"Order Items"'
    addIndex: { name: order_items_sku, columns: ['"SKU"', "lower(note) DESC"], method: GIN, where: "deleted_at IS NULL", unique: true, include: [qty] }
  - table: orders
    addCheck: { name: total_positive, expression: total >= 0 }
  - table: orders
    addForeignKey: { columns: [customer_id], references: { table: crm.customers, columns: [id] }, onDelete: set null }
  - table: Customers
    addUnique: { name: customers_email_key, columns: [email] }
  - table: orders
    setNotNull: { column: '"Status"' }
`;
    expect(parseChangeSpec(spec, { file: 'shop.yml' }).operations).toEqual([
      { kind: 'addColumn', table: { schema: 'billing', name: 'invoices' }, name: 'paid_at', type: 'timestamp(3) with time zone', nullable: true },
      { kind: 'addIndex', table: { name: 'Order Items' }, name: 'order_items_sku', columns: ['"SKU"', 'lower(note) DESC'], method: 'gin', where: 'deleted_at IS NULL', unique: true, include: ['qty'] },
      { kind: 'addCheck', table: { name: 'orders' }, name: 'total_positive', expression: 'total >= 0' },
      { kind: 'addForeignKey', table: { name: 'orders' }, columns: ['customer_id'], references: { table: { schema: 'crm', name: 'customers' }, columns: ['id'] }, onDelete: 'set null' },
      { kind: 'addUnique', table: { name: 'customers' }, name: 'customers_email_key', columns: ['email'] },
      { kind: 'setNotNull', table: { name: 'orders' }, column: 'Status' },
    ]);
  });

  test('JSON, with numbers and booleans taken as SQL literals', () => {
    const json = JSON.stringify({ changes: [{ table: 'orders', addColumn: { name: 'retries', type: 'int', nullable: false, default: 0 } }, { table: 'orders', addColumn: { name: 'flag', type: 'boolean', default: true } }] });
    expect(parseChangeSpec(json, { file: 'changes/retries.json' })).toEqual({
      name: 'retries',
      operations: [
        { kind: 'addColumn', table: { name: 'orders' }, name: 'retries', type: 'int', nullable: false, default: '0' },
        { kind: 'addColumn', table: { name: 'orders' }, name: 'flag', type: 'boolean', nullable: true, default: 'true' },
      ],
    });
  });

  test('names as in SQL: unquoted ones fold to lower case, quoted ones keep case, spaces and quotes', () => {
    const op = parseChangeSpec(`table: '"Order Items"'\naddColumn: { name: '"x""; drop table t; --"', type: text, index: { columns: ['"x""; drop table t; --"'] } }\n`).operations[0];
    expect(op).toMatchObject({ table: { name: 'Order Items' }, name: 'x"; drop table t; --', index: { columns: ['"x""; drop table t; --"'] } });
    expect(parseChangeSpec('table: Public.Orders\nsetNotNull: { column: Status }\n').operations[0]).toEqual({ kind: 'setNotNull', table: { schema: 'public', name: 'orders' }, column: 'status' });
  });

  test('the name defaults to the file name without its extension, else "change"', () => {
    expect(parseChangeSpec('table: t\nsetNotNull: { column: c }\n', { file: 'db/changes/add-c.yaml' }).name).toBe('add-c');
    expect(parseChangeSpec('table: t\nsetNotNull: { column: c }\n').name).toBe('change');
  });
});

describe('problems: all of them at once, each with line and path', () => {
  test('unknown keys (with the closest known one), missing keys, wrong types, several operations in one change', () => {
    const spec = `name: bad
changes:
  - table: orders
    addColumn:
      name: created_at
      typ: timestamptz
      nulable: false
      nullable: "no"
  - table: orders
    addIndex: { columns: [email] }
    addCheck: { expression: total > 0 }
  - tabel: customers
    addUnique: { columns: email }
  - table: orders
    addForeignKey: { columns: [a, b], references: { table: customers, columns: [id] }, onDelete: cascde, onUpdate: 3 }
  - table: orders
    setNotNull: {}
    frobnicate: true
`;
    expect(problemsOf(spec)).toEqual([
      'change.yaml:4: changes[0].addColumn.type: is required (the column\'s SQL type, e.g. timestamptz)',
      'change.yaml:6: changes[0].addColumn.typ: unknown key (did you mean type?)',
      'change.yaml:7: changes[0].addColumn.nulable: unknown key (did you mean nullable?)',
      'change.yaml:8: changes[0].addColumn.nullable: must be true or false, got "no"',
      'change.yaml:11: changes[1].addCheck: one operation per change, found addIndex and addCheck: make each an item of changes: [ … ]',
      'change.yaml:12: changes[2].tabel: unknown key (did you mean table?)',
      'change.yaml:12: changes[2].table: is required (the table, e.g. orders or billing.invoices)',
      'change.yaml:13: changes[2].addUnique.columns: must be a non-empty list of column names, got "email"',
      'change.yaml:15: changes[3].addForeignKey.references.columns: names 1 column for the 2 in columns',
      'change.yaml:15: changes[3].addForeignKey.onDelete: must be one of no action, restrict, cascade, set null, set default; got "cascde" (did you mean cascade?)',
      'change.yaml:15: changes[3].addForeignKey.onUpdate: must be one of no action, restrict, cascade, set null, set default; got 3',
      'change.yaml:17: changes[4].setNotNull.column: is required (the column, e.g. created_at)',
      'change.yaml:18: changes[4].frobnicate: unknown key (expected table and one of addColumn, addIndex, addCheck, addForeignKey, addUnique, setNotNull)',
    ]);
  });

  test('the single-change shape has paths without changes[…]', () => {
    expect(problemsOf('table: orders\naddColumn:\n  name: x\n  type: int\n  nullable: 1\n  uniq: true\n', 'c.yml')).toEqual([
      'c.yml:5: addColumn.nullable: must be true or false, got 1',
      'c.yml:6: addColumn.uniq: unknown key (did you mean unique?)',
    ]);
    expect(problemsOf('table: orders\n')).toEqual(['change.yaml:1: needs one operation: addColumn, addIndex, addCheck, addForeignKey, addUnique, setNotNull']);
    expect(problemsOf('table: orders\naddColumn: { name: x, type: int }\nchanges: []\n')).toEqual([
      'change.yaml:1: table: goes inside an item of changes: (a spec has either changes: [ … ] or one table + operation at the top)',
      'change.yaml:2: addColumn: goes inside an item of changes: (a spec has either changes: [ … ] or one table + operation at the top)',
      'change.yaml:3: changes: must be a non-empty list of { table, <operation> }, got a list',
    ]);
    expect(problemsOf('- table: orders\n')).toEqual(['change.yaml:1: must be a mapping: table + one operation (addColumn, addIndex, addCheck, addForeignKey, addUnique, setNotNull), or changes: [ … ]; got a list']);
  });

  test('SQL fragments that do not parse, or are more than one thing, are reported with their path', () => {
    const spec = `changes:
  - table: orders
    addColumn:
      name: x
      type: "not a type("
      default: "now(); DROP TABLE orders"
      backfill: "1 +"
      check: "x > 0) OR (true"
  - table: orders
    addColumn: { name: y, type: "int NOT NULL", default: 'new', index: { columns: ["a, b", "a + b"], where: "(SELECT true)" } }
  - table: "orders; drop table x"
    addCheck: { expression: "total > 0 -- and more" }
  - table: o
    addIndex: { columns: ["(lower(email))"], where: "SELECT 1", method: "gin gist" }
  - table: o
    addColumn: { name: user, type: int, default: "(SELECT 1)" }
`;
    expect(problemsOf(spec)).toEqual([
      'change.yaml:5: changes[0].addColumn.type: "not a type(" has a "(" that is never closed',
      'change.yaml:6: changes[0].addColumn.default: "now(); DROP TABLE orders" must be exactly one SQL expression, without ";" (it is spliced into the SQL lockstep writes)',
      'change.yaml:7: changes[0].addColumn.backfill: "1 +" is not an SQL expression (syntax error at or near ")")',
      'change.yaml:8: changes[0].addColumn.check: "x > 0) OR (true" has a ")" that closes nothing',
      'change.yaml:10: changes[1].addColumn.type: "int NOT NULL" is more than a type: NOT NULL, DEFAULT, CHECK, REFERENCES and UNIQUE have keys of their own (nullable, default, check, references, unique)',
      `change.yaml:10: changes[1].addColumn.default: "new" cannot refer to a column (new): a default is computed without the row (use "backfill" for values from other columns); for the text 'new' write the SQL string literal, quoted once more for YAML: "'new'"`,
      'change.yaml:10: changes[1].addColumn.index.columns[0]: "a, b" must be exactly one column or expression (found "," outside parentheses)',
      'change.yaml:10: changes[1].addColumn.index.columns[1]: "a + b" is not a column name or an expression in parentheses (syntax error at or near "+")',
      'change.yaml:10: changes[1].addColumn.index.where: "(SELECT true)" cannot contain a subquery (Postgres does not allow one in an index predicate)',
      'change.yaml:11: changes[2].table: "orders; drop table x" must be exactly one table name, without ";" (it is spliced into the SQL lockstep writes)',
      'change.yaml:12: changes[2].addCheck.expression: "total > 0 -- and more" must not contain a "--" comment (it would swallow the SQL lockstep writes after it)',
      'change.yaml:14: changes[3].addIndex.method: "gin gist" is not a valid name; names are written as in SQL: unquoted ones fold to lower case; double-quote one with capitals, spaces or a reserved word ("Order Items")',
      'change.yaml:14: changes[3].addIndex.where: "SELECT 1" is a query: put a subquery in parentheses, (SELECT …)',
      'change.yaml:16: changes[4].addColumn.name: "user" is not a valid name; names are written as in SQL: unquoted ones fold to lower case; double-quote one with capitals, spaces or a reserved word ("Order Items")',
      'change.yaml:16: changes[4].addColumn.default: "(SELECT 1)" cannot contain a subquery (Postgres does not allow one in a DEFAULT)',
    ]);
  });

  test('bind parameters have no value to splice', () => {
    expect(problemsOf('table: t\naddCheck: { expression: a > $1 }\n')).toEqual(['change.yaml:2: addCheck.expression: "a > $1" cannot contain a parameter ($1): write the value itself']);
  });

  test('table names: a plain, optionally schema-qualified name and nothing else', () => {
    const bad = (t: string) => problemsOf(`table: ${JSON.stringify(t)}\nsetNotNull: { column: c }\n`)[0];
    expect(bad('db.billing.invoices')).toBe('change.yaml:1: table: "db.billing.invoices" names a database as well: write schema.table or just table');
    expect(bad('orders o')).toMatch(/^change.yaml:1: table: "orders o" must be just a table name/);
    expect(bad('orders WHERE true')).toMatch(/"orders WHERE true" is not a table name/);
    expect(bad('ONLY orders')).toMatch(/"ONLY orders" must be just a table name/);
    expect(bad('orders, customers')).toMatch(/"," outside parentheses/);
    expect(bad('')).toBe('change.yaml:1: table: "" is empty');
  });
});

describe('files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-spec-'));
  });
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const failure = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (err) => err,
    );
    expect(e).toBeInstanceOf(LockstepError);
    return (e as LockstepError).problems;
  };

  test('reads YAML and JSON files', async () => {
    const y = await write('add-status.yaml', 'table: orders\naddColumn: { name: status, type: text, default: "\'new\'", nullable: false }\n');
    expect(await readChangeSpec(y)).toEqual({ name: 'add-status', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'status', type: 'text', nullable: false, default: "'new'" }] });
    const j = await write('nn.json', '{\n  "table": "orders",\n  "setNotNull": { "column": "status" }\n}\n');
    expect(await readChangeSpec(j)).toEqual({ name: 'nn', operations: [{ kind: 'setNotNull', table: { name: 'orders' }, column: 'status' }] });
  });

  test('a missing file, a directory, another extension: one clear problem each', async () => {
    await mkdir(join(dir, 'adir.yaml'));
    expect(await failure(readChangeSpec(join(dir, 'nope.yaml'), 'nope.yaml'))).toEqual([{ where: 'nope.yaml', message: 'no such file' }]);
    expect(await failure(readChangeSpec(join(dir, 'adir.yaml'), 'adir.yaml'))).toEqual([{ where: 'adir.yaml', message: 'is a directory, not a file' }]);
    expect(await failure(readChangeSpec('m.sql'))).toEqual([{ where: 'm.sql', message: 'is not a change spec: use a .yaml, .yml or .json file (SQL goes through changeFromSql)' }]);
  });

  test('invalid YAML and JSON: the line of the error', async () => {
    const y = await write('bad.yaml', 'table: orders\naddColumn:\n  name: x\n  type: [int\n');
    expect(await failure(readChangeSpec(y, 'bad.yaml'))).toEqual([{ where: 'bad.yaml:5', message: expect.stringMatching(/^invalid YAML: /) }]);
    const dup = await write('dup.yaml', 'table: orders\ntable: customers\nsetNotNull: { column: c }\n');
    expect(await failure(readChangeSpec(dup, 'dup.yaml'))).toEqual([{ where: 'dup.yaml:2', message: 'invalid YAML: Map keys must be unique' }]);
    const j = await write('bad.json', '{\n  "table": "orders",\n  "setNotNull": { "column": "c", }\n}\n');
    expect(await failure(readChangeSpec(j, 'bad.json'))).toEqual([{ where: 'bad.json:3', message: 'invalid JSON: a comma before "}"' }]);
    const j2 = await write('bad2.json', '{\n  "table": orders\n}');
    expect(await failure(readChangeSpec(j2, 'bad2.json'))).toEqual([{ where: 'bad2.json:2', message: 'invalid JSON: unexpected "o": expected a value' }]);
  });

  test('an empty file (or one with only comments)', async () => {
    const shape = 'is empty: expected table + one operation (addColumn, addIndex, addCheck, addForeignKey, addUnique, setNotNull), or changes: [ … ]';
    expect(await failure(readChangeSpec(await write('empty.yaml', ''), 'empty.yaml'))).toEqual([{ where: 'empty.yaml', message: shape }]);
    expect(await failure(readChangeSpec(await write('comments.yml', '# nothing yet\n'), 'comments.yml'))).toEqual([{ where: 'comments.yml', message: shape }]);
    expect(await failure(readChangeSpec(await write('empty.json', '  \n'), 'empty.json'))).toEqual([{ where: 'empty.json', message: shape }]);
  });

  test('readChange (what plan and apply read): a spec, or SQL with what was not converted, and the text for positions', async () => {
    const sql = await write('20261127_status.sql', "\uFEFFALTER TABLE orders ADD COLUMN status text DEFAULT 'new';\nDROP TABLE legacy;\n");
    const fromSql = await readChange(sql, 'db/20261127_status.sql');
    expect(fromSql.change).toEqual({ name: '20261127_status', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'status', type: 'text', nullable: true, default: "'new'" }] });
    expect(fromSql.unconverted.map((u) => [u.statement, fromSql.source.slice(u.span.start, u.span.end), u.findings[0]?.file])).toEqual([['DROP TABLE legacy', 'DROP TABLE legacy', 'db/20261127_status.sql']]);
    const spec = await write('s.yaml', 'table: orders\nsetNotNull: { column: status }\n');
    expect(await readChange(spec, 's.yaml', { name: 'renamed' })).toEqual({ change: { name: 'renamed', operations: [{ kind: 'setNotNull', table: { name: 'orders' }, column: 'status' }] }, unconverted: [], source: 'table: orders\nsetNotNull: { column: status }\n' });
    expect(await failure(readChange(join(dir, 'x.txt'), 'x.txt'))).toEqual([{ where: 'x.txt', message: 'is neither a change spec (.yaml, .yml, .json) nor SQL (.sql)' }]);
  });

  test('problems in a JSON file carry lines too', async () => {
    const j = await write('p.json', '{\n  "table": "orders",\n  "addColumn": {\n    "name": "x",\n    "type": "int",\n    "nullable": "yes"\n  }\n}\n');
    expect(await failure(readChangeSpec(j, 'p.json'))).toEqual([{ where: 'p.json:6: addColumn.nullable', message: 'must be true or false, got "yes"' }]);
  });
});

test('a key without a value is a problem, not an absence', () => {
  expect(problemsOf('table: orders\naddColumn:\n  name:\n  type: int\n  default:\n  unique:\n')).toEqual([
    'change.yaml:3: addColumn.name: must be a name, got nothing',
    'change.yaml:5: addColumn.default: must be an SQL expression, got nothing',
    'change.yaml:6: addColumn.unique: must be a mapping (true, or { name }), got nothing',
  ]);
});
