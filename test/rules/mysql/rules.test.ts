/** Each MySQL rule, flagged and not flagged, on statements and effects in the parser's and classifier's shapes (see harness.ts). */
import { describe, expect, test } from 'vitest';
import { alter, clause, createTable, lintCases, set, table, colType } from './harness.js';

const modify = (tableName: string, text: string, part: string, col: string, type: string, extra: Record<string, unknown> = {}) =>
  alter(tableName, text, [clause(text, part, { type: 'modify-column', column: { name: col, type: colType(type), ...extra, span: { start: 0, end: 0 } } })]);

describe('require-lock-wait-timeout', () => {
  const add = alter('orders', 'ALTER TABLE orders ADD COLUMN note TEXT NULL');
  const instant = { parts: [{ entry: 'add-column-last' as const }] };

  test('flags DDL on an existing table at the server default, once per section', () => {
    expect(lintCases('require-lock-wait-timeout', [{ stmt: add, effect: instant }, { stmt: add, effect: instant }])).toMatchInlineSnapshot(`
      [
        "1:1 warning ALTER TABLE \`orders\` waits up to 365 days for an exclusive metadata lock on \`orders\` (lock_wait_timeout: server default (31536000 s on MySQL)): while it waits behind an open transaction, every later query on \`orders\`, reads included, queues behind it
      Set a short lock_wait_timeout first (seconds), and retry when it times out (error 1205), after a short pause:
      \`\`\`sql
      SET SESSION lock_wait_timeout = 5;
      ALTER TABLE orders ADD COLUMN note TEXT NULL;
      \`\`\`",
      ]
    `);
  });

  test('MariaDB: the day-long default; WAIT n on the statement is enough', () => {
    expect(lintCases('require-lock-wait-timeout', [{ stmt: add, effect: instant }], { flavor: 'mariadb' })[0]).toMatch(/waits up to 24 h .*server default \(86400 s on MariaDB\)/);
    expect(lintCases('require-lock-wait-timeout', [{ stmt: { ...add, text: 'ALTER TABLE orders WAIT 5 ADD COLUMN note TEXT NULL', wait: 5 }, effect: instant }], { flavor: 'mariadb' })).toEqual([]);
  });

  test('a short SET SESSION lock_wait_timeout, and a table created in the migration, are not flagged; a long one is', () => {
    expect(lintCases('require-lock-wait-timeout', [{ stmt: set('SET SESSION lock_wait_timeout = 5', 'lock_wait_timeout', '5') }, { stmt: add, effect: instant }])).toEqual([]);
    expect(lintCases('require-lock-wait-timeout', [{ stmt: createTable('refunds') }, { stmt: alter('refunds', 'ALTER TABLE refunds ADD COLUMN reason TEXT'), effect: instant }])).toEqual([]);
    expect(lintCases('require-lock-wait-timeout', [{ stmt: set('SET lock_wait_timeout = 600', 'lock_wait_timeout', '600') }, { stmt: add, effect: instant }])).toMatchInlineSnapshot(`
      [
        "2:1 warning ALTER TABLE \`orders\` waits up to 10 min for an exclusive metadata lock on \`orders\` (lock_wait_timeout: SET lock_wait_timeout = 600 (line 1)): while it waits behind an open transaction, every later query on \`orders\`, reads included, queues behind it
      Set a short lock_wait_timeout first (seconds), and retry when it times out (error 1205), after a short pause:
      \`\`\`sql
      SET SESSION lock_wait_timeout = 5;
      ALTER TABLE orders ADD COLUMN note TEXT NULL;
      \`\`\`",
      ]
    `);
  });
});

describe('require-algorithm-lock', () => {
  const text = 'ALTER TABLE orders MODIFY amount DECIMAL(14,2) NOT NULL';
  const copy = { parts: [{ entry: 'change-type' as const, algorithm: 'copy' as const, lock: 'shared' as const, rebuild: true, object: 'amount', detail: 'decimal(10,2) → decimal(14,2)' }] };

  test('flags a silent COPY, with the clause to write and the online-copy advice', () => {
    const t = 'ALTER TABLE orders ADD COLUMN total DECIMAL(14,2) AS (amount * 1.2) STORED';
    const stored = { parts: [{ entry: 'add-column-stored' as const, algorithm: 'copy' as const, lock: 'shared' as const, rebuild: true, detail: 'a stored generated column is computed and written for every row.' }] };
    expect(lintCases('require-algorithm-lock', [{ stmt: alter('orders', t, [clause(t, 'ADD COLUMN total DECIMAL(14,2) AS (amount * 1.2) STORED', { type: 'add-column' })]), effect: stored }])).toMatchInlineSnapshot(`
      [
        "1:1 warning ALTER TABLE \`orders\` has no ALGORITHM/LOCK clause, and the server silently uses ALGORITHM=COPY, LOCK=SHARED (every row copied to a new table; writes are blocked, reads continue): a stored generated column is computed and written for every row
      Say what you accept, so the server refuses instead of copying the table: with \`ALGORITHM=INPLACE, LOCK=NONE\` this statement fails at once on MySQL rather than running this way:
      \`\`\`sql
      ALTER TABLE orders ADD COLUMN total DECIMAL(14,2) AS (amount * 1.2) STORED, ALGORITHM=INPLACE, LOCK=NONE;
      \`\`\`
      Run it as an online copy, which keeps writes flowing (a shadow table, copied in chunks, swapped in with one atomic RENAME):
      \`\`\`sh
      pt-online-schema-change --alter "ADD COLUMN total DECIMAL(14,2) AS (amount * 1.2) STORED" D=<database>,t=orders --execute
      # or: gh-ost --alter="ADD COLUMN total DECIMAL(14,2) AS (amount * 1.2) STORED" --database=<database> --table=orders --execute
      \`\`\`
      lockstep's own online copy for MySQL (\`lockstep apply\`) is not built yet; until then use one of these, or a maintenance window.",
      ]
    `);
    // a type change's copy is changing-column-type's finding alone
    expect(lintCases('require-algorithm-lock', [{ stmt: modify('orders', text, 'MODIFY amount DECIMAL(14,2) NOT NULL', 'amount', 'decimal(14,2)'), effect: copy }])).toEqual([]);
  });

  test('a refused explicit clause is an error; an instant change without a clause is fine', () => {
    const refused = { ...copy, refused: 'LOCK=NONE is not supported. Reason: Cannot change column type INPLACE. Try LOCK=SHARED', effective: { algorithm: 'copy' as const, lock: 'shared' as const } };
    expect(lintCases('require-algorithm-lock', [{ stmt: { ...modify('orders', `${text}, LOCK=NONE`, 'MODIFY amount DECIMAL(14,2) NOT NULL', 'amount', 'decimal(14,2)'), lock: 'none' }, effect: refused }])[0]).toMatch(/^1:1 error ALTER TABLE `orders` fails: LOCK=NONE is not supported/);
    expect(lintCases('require-algorithm-lock', [{ stmt: alter('orders', 'ALTER TABLE orders ADD COLUMN note TEXT NULL'), effect: { parts: [{ entry: 'add-column-last' }] } }])).toEqual([]);
  });
});

describe('rebuilding-alter', () => {
  test('flags a copy that no more specific rule reports, with pt-osc and gh-ost commands in the user’s names', () => {
    const text = 'ALTER TABLE orders ADD COLUMN placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP';
    const parts = [{ entry: 'add-column-default-expression' as const, algorithm: 'copy' as const, lock: 'shared' as const, rebuild: true, detail: 'a non-constant default is evaluated per row', proven: true }];
    expect(lintCases('rebuilding-alter', [{ stmt: alter('orders', text, [clause(text, 'ADD COLUMN placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP', { type: 'add-column', column: { name: 'placed_at', type: colType('datetime') } })]), effect: { parts } }], { flavor: 'mariadb' })).toMatchInlineSnapshot(`
      [
        "1:1 warning ALTER TABLE \`orders\` copies the whole table: a non-constant default is evaluated per row; it runs with ALGORITHM=COPY, LOCK=SHARED (every row copied to a new table; writes are blocked, reads continue), and replicas lag by its whole duration
      Run it as an online copy, which keeps writes flowing (a shadow table, copied in chunks, swapped in with one atomic RENAME):
      \`\`\`sh
      pt-online-schema-change --alter "ADD COLUMN placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP" D=<database>,t=orders --execute
      # or: gh-ost --alter="ADD COLUMN placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP" --database=<database> --table=orders --execute
      \`\`\`
      lockstep's own online copy for MariaDB (\`lockstep apply\`) is not built yet; until then use one of these, or a maintenance window.",
      ]
    `);
  });

  test('not for a type change (changing-column-type reports it), nor on a new table', () => {
    const text = 'ALTER TABLE orders MODIFY amount DECIMAL(14,2)';
    expect(lintCases('rebuilding-alter', [{ stmt: alter('orders', text), effect: { parts: [{ entry: 'change-type', algorithm: 'copy', lock: 'shared', rebuild: true }] } }])).toEqual([]);
    expect(lintCases('rebuilding-alter', [{ stmt: createTable('x') }, { stmt: alter('x', 'ALTER TABLE x FORCE'), effect: { parts: [{ entry: 'table-engine', algorithm: 'copy', lock: 'shared', rebuild: true }] } }])).toEqual([]);
  });
});

describe('instant-not-available', () => {
  test('ALGORITHM=INSTANT with AFTER on MySQL 8.0.28 fails: drop the AFTER', () => {
    const text = 'ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL AFTER customer_id, ALGORITHM=INSTANT';
    const effect = { parts: [{ entry: 'add-column-positioned' as const, algorithm: 'inplace' as const, lock: 'none' as const, rebuild: true, detail: 'Before 8.0.29 INSTANT adds only at the end.', proven: false, source: 'MySQL 8.0 §17.12.1' }], refused: 'ALGORITHM=INSTANT is not supported for this operation. Try ALGORITHM=COPY/INPLACE.' };
    expect(lintCases('instant-not-available', [{ stmt: { ...alter('orders', text), algorithm: 'instant' }, effect }], { server: '8.0.28' })).toMatchInlineSnapshot(`
      [
        "1:1 error ALTER TABLE \`orders\` fails on MySQL 8.0.28: ALGORITHM=INSTANT is not supported for this operation. Try ALGORITHM=COPY/INPLACE. (Before 8.0.29 INSTANT adds only at the end) (documented for MySQL, not proven here: MySQL 8.0 §17.12.1)
      Before MySQL 8.0.29 only a column added at the end is instant: drop the FIRST/AFTER (column order rarely matters to an application), or upgrade:
      \`\`\`sql
      ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL, ALGORITHM=INSTANT;
      \`\`\`",
      ]
    `);
  });

  test('the row-version cap (MySQL 8.0.29+), the 8.0.29–31 redo format, MDEV-18519; none on 8.0.40 with room left', () => {
    const add = alter('orders', 'ALTER TABLE orders ADD COLUMN c INT NULL');
    const instant = { parts: [{ entry: 'add-column-last' as const }], rowVersions: 1 };
    expect(lintCases('instant-not-available', [{ stmt: add, effect: instant }], { tables: [table('orders', [['id', 'bigint', false]], { rowVersions: 64 })] })[0]).toMatch(/has used 64 of its 64 instant row versions.*silently rebuilds/);
    expect(lintCases('instant-not-available', [{ stmt: add, effect: instant }], { server: '8.0.30' })[0]).toMatch(/8.0.29–8.0.31 write such tables in a redo format/);
    expect(lintCases('instant-not-available', [{ stmt: add, effect: instant }], { flavor: 'mariadb', server: '10.6.5' })[0]).toMatch(/MDEV-18519/);
    expect(lintCases('instant-not-available', [{ stmt: add, effect: instant }], { tables: [table('orders', [['id', 'bigint', false]], { rowVersions: 10 })] })).toEqual([]);
  });
});

describe('multiple-ddl-in-migration', () => {
  test('two ALTERs of one table (merged in the fix) and a CREATE, inside a START TRANSACTION that protects nothing', () => {
    const a1 = 'ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL';
    const a2 = 'ALTER TABLE orders ADD INDEX orders_coupon_idx (coupon)';
    const ddl = { parts: [{ entry: 'add-column-last' as const }] };
    expect(
      lintCases('multiple-ddl-in-migration', [
        { stmt: { kind: 'begin', text: 'START TRANSACTION' } as any },
        { stmt: alter('orders', a1, [clause(a1, 'ADD COLUMN coupon VARCHAR(32) NULL', { type: 'add-column' })]), effect: ddl },
        { stmt: alter('orders', a2, [clause(a2, 'ADD INDEX orders_coupon_idx (coupon)', { type: 'add-index' })]), effect: ddl },
        { stmt: createTable('coupons'), effect: { parts: [{ entry: 'create-table' }] } },
        { stmt: { kind: 'commit', text: 'COMMIT' } as any },
      ]),
    ).toMatchInlineSnapshot(`
      [
        "3:1 warning This migration runs 3 DDL statements, and MySQL commits each on its own: if one fails, the ones before it stay applied and the migration is half done — ALTER TABLE \`orders\` (line 2), ALTER TABLE \`orders\` (line 3), CREATE TABLE \`coupons\` (line 4). The START TRANSACTION at line 1 does not make them atomic: the first DDL commits it.
      Make the changes to \`orders\` one statement (applied all or nothing), and put the other DDL in migrations of their own:
      \`\`\`sql
      ALTER TABLE \`orders\` ADD COLUMN coupon VARCHAR(32) NULL, ADD INDEX orders_coupon_idx (coupon);
      \`\`\`",
      ]
    `);
  });

  test('one DDL with data changes around it is not flagged', () => {
    expect(lintCases('multiple-ddl-in-migration', [{ stmt: alter('orders', 'ALTER TABLE orders ADD COLUMN c INT'), effect: { parts: [{ entry: 'add-column-last' }] } }, { stmt: { kind: 'update', text: 'UPDATE orders SET c = 1', table: { name: 'orders' }, noWhere: true } as any }])).toEqual([]);
  });
});

describe('column changes', () => {
  const users = table('users', [['id', 'bigint', false], ['name', 'varchar(50)', false]]);

  test('varchar-length-prefix: 50 → 100 characters of utf8mb4 crosses 255 bytes; the fix keeps 63', () => {
    const text = 'ALTER TABLE users MODIFY name VARCHAR(100) NOT NULL';
    const parts = [{ entry: 'varchar-extend-cross-prefix' as const, algorithm: 'copy' as const, lock: 'shared' as const, rebuild: true, object: 'name', detail: 'varchar(50) → varchar(100) in utf8mb4 is 200 → 400 bytes', span: { start: 18, end: text.length } }];
    expect(lintCases('varchar-length-prefix', [{ stmt: modify('users', text, 'MODIFY name VARCHAR(100) NOT NULL', 'name', 'varchar(100)', { nullable: false }), effect: { parts } }], { tables: [users] })).toMatchInlineSnapshot(`
      [
        "1:19 warning ALTER TABLE \`users\` widens \`name\` across the 255-byte length prefix (varchar(50) → varchar(100) in utf8mb4 is 200 → 400 bytes): every row is rewritten, so the server copies the table with writes blocked
      If 63 characters are enough (63 × 4 bytes ≤ 255), stay within the 1-byte prefix and the change is in place:
      \`\`\`sql
      ALTER TABLE \`users\` MODIFY name VARCHAR(63) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
      \`\`\`
      Otherwise: run it as an online copy, which keeps writes flowing (a shadow table, copied in chunks, swapped in with one atomic RENAME):
      \`\`\`sh
      pt-online-schema-change --alter "MODIFY name VARCHAR(100) NOT NULL" D=<database>,t=users --execute
      # or: gh-ost --alter="MODIFY name VARCHAR(100) NOT NULL" --database=<database> --table=users --execute
      \`\`\`
      lockstep's own online copy for MySQL (\`lockstep apply\`) is not built yet; until then use one of these, or a maintenance window.",
      ]
    `);
  });

  test('enum-reorder: the fix appends the new member', () => {
    const orders = table('orders', [['status', "enum('new','paid','shipped')", false]]);
    const text = "ALTER TABLE orders MODIFY status ENUM('new','pending','paid','shipped') NOT NULL";
    const part = "MODIFY status ENUM('new','pending','paid','shipped') NOT NULL";
    expect(
      lintCases('enum-reorder', [{ stmt: modify('orders', text, part, 'status', "enum('new','pending','paid','shipped')", { nullable: false }), effect: { parts: [{ entry: 'enum-reorder', algorithm: 'copy', lock: 'shared', rebuild: true, object: 'status', span: { start: text.indexOf(part), end: text.length } }] } }], { tables: [orders] }),
    ).toMatchInlineSnapshot(`
      [
        "1:20 warning ALTER TABLE \`orders\` changes the ENUM members of \`status\` other than by appending: the stored values change meaning, so the server copies the whole table with writes blocked
      Keep the existing members in their order and add the new ones at the end (instant; order the values in queries with ORDER BY FIELD(…) if the display order matters):
      \`\`\`sql
      ALTER TABLE \`orders\` MODIFY \`status\` ENUM('new','paid','shipped','pending') NOT NULL, ALGORITHM=INSTANT;
      \`\`\`",
      ]
    `);
    expect(lintCases('enum-reorder', [{ stmt: modify('orders', text, part, 'status', 'enum'), effect: { parts: [{ entry: 'enum-append', object: 'status' }] } }], { tables: [orders] })).toEqual([]);
  });

  test('changing-column-type and setting-not-null (strict and not)', () => {
    const orders = table('orders', [['amount', 'decimal(10,2)', false], ['currency', 'char(3)', true]]);
    const t1 = 'ALTER TABLE orders MODIFY amount DECIMAL(14,2) NOT NULL';
    expect(lintCases('changing-column-type', [{ stmt: modify('orders', t1, 'MODIFY amount DECIMAL(14,2) NOT NULL', 'amount', 'decimal(14,2)'), effect: { parts: [{ entry: 'change-type', algorithm: 'copy', lock: 'shared', rebuild: true, object: 'amount', span: { start: 18, end: t1.length } }] } }], { tables: [orders] })).toMatchInlineSnapshot(`
      [
        "1:19 warning ALTER TABLE \`orders\` changes the type of \`amount\` from decimal(10,2): the server copies the whole table with writes blocked
      Run it as an online copy, which keeps writes flowing (a shadow table, copied in chunks, swapped in with one atomic RENAME):
      \`\`\`sh
      pt-online-schema-change --alter "MODIFY amount DECIMAL(14,2) NOT NULL" D=<database>,t=orders --execute
      # or: gh-ost --alter="MODIFY amount DECIMAL(14,2) NOT NULL" --database=<database> --table=orders --execute
      \`\`\`
      lockstep's own online copy for MySQL (\`lockstep apply\`) is not built yet; until then use one of these, or a maintenance window.
      Or expand and contract: add the new column next to \`amount\` (instant), backfill it in batches, switch the application to it, then drop \`amount\`. The clause was: \`MODIFY amount DECIMAL(14,2) NOT NULL\`.",
      ]
    `);
    const t2 = 'ALTER TABLE orders MODIFY currency CHAR(3) NOT NULL';
    const nn = { parts: [{ entry: 'make-not-null' as const, algorithm: 'inplace' as const, rebuild: true, object: 'currency', span: { start: 18, end: t2.length } }] };
    const stmt = modify('orders', t2, 'MODIFY currency CHAR(3) NOT NULL', 'currency', 'char(3)', { nullable: false });
    expect(lintCases('setting-not-null', [{ stmt, effect: nn }], { tables: [orders] })).toMatchInlineSnapshot(`
      [
        "1:19 warning ALTER TABLE \`orders\` makes \`currency\` NOT NULL, and rows may still hold NULL: sql_mode is strict (server default sql_mode): a row holding NULL makes the ALTER fail (Invalid use of NULL value) after it rebuilt the table that far
      Backfill the NULLs first, in batches (repeat until no rows change), with the value you mean:
      \`\`\`sql
      UPDATE \`orders\` SET \`currency\` = <value> WHERE \`currency\` IS NULL LIMIT 1000;
      \`\`\`
      then make the application write the column, and only then add NOT NULL (with a DEFAULT, so inserts that omit it keep working).",
      ]
    `);
    expect(lintCases('setting-not-null', [{ stmt: set("SET SESSION sql_mode = ''", 'sql_mode', "''") }, { stmt, effect: nn }], { tables: [orders] })[0]).toMatch(/not strict \(SET SESSION sql_mode = '' \(line 1\)\): every NULL is silently replaced/);
    expect(lintCases('setting-not-null', [{ stmt: { kind: 'update', text: "UPDATE orders SET currency = 'EUR' WHERE currency IS NULL", table: { name: 'orders' } } as any }, { stmt, effect: nn }], { tables: [orders] })).toEqual([]);
  });
});

describe('keys, charsets, maintenance, renames', () => {
  test('adding-foreign-key: with checks on, the orphan query and the unchecked ALTER; with checks off, nothing', () => {
    const text = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)';
    const part = 'ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)';
    const stmt = alter('orders', text, [clause(text, part, { type: 'add-foreign-key', foreignKey: { name: 'orders_customer_fk', columns: ['customer_id'], references: { name: 'customers' }, referencedColumns: ['id'] } })]);
    const effect = { parts: [{ entry: 'add-foreign-key' as const, algorithm: 'copy' as const, lock: 'shared' as const, rebuild: true, span: { start: text.indexOf(part), end: text.length } }] };
    expect(lintCases('adding-foreign-key', [{ stmt, effect }])).toMatchInlineSnapshot(`
      [
        "1:20 warning ALTER TABLE \`orders\` adds a foreign key to \`customers\` with foreign_key_checks on (server default): the server copies the whole table to check every row, with writes blocked
      Check for orphans first (it must return 0), then add the key with the checks off for that statement, in place:
      \`\`\`sql
      SELECT COUNT(*) FROM \`orders\` AS child LEFT JOIN \`customers\` AS parent ON parent.\`id\` = child.\`customer_id\`
       WHERE child.\`customer_id\` IS NOT NULL AND parent.\`id\` IS NULL;
      SET SESSION foreign_key_checks = 0;
      ALTER TABLE \`orders\` ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id), ALGORITHM=INPLACE, LOCK=NONE;
      SET SESSION foreign_key_checks = 1;
      \`\`\`",
      ]
    `);
    expect(lintCases('adding-foreign-key', [{ stmt: set('SET SESSION foreign_key_checks = 0', 'foreign_key_checks', '0') }, { stmt, effect }])).toEqual([]);
  });

  test('changing-primary-key: DROP PRIMARY KEY alone; converting-charset; optimize-table', () => {
    expect(lintCases('changing-primary-key', [{ stmt: alter('order_items', 'ALTER TABLE order_items DROP PRIMARY KEY'), effect: { parts: [{ entry: 'drop-primary-key', algorithm: 'copy', lock: 'shared', rebuild: true }] } }])).toMatchInlineSnapshot(`
      [
        "1:1 warning ALTER TABLE \`order_items\` drops the primary key: the whole table and every index is rebuilt by a copy with writes blocked; afterwards the table has no primary key (a hidden row id), and row-based replicas scan the table for every changed row
      Replace it in one statement instead of dropping it (in place, writes continue):
      \`\`\`sql
      ALTER TABLE \`order_items\` DROP PRIMARY KEY, ADD PRIMARY KEY (<new key columns>), ALGORITHM=INPLACE, LOCK=NONE;
      \`\`\`
      Run it as an online copy, which keeps writes flowing (a shadow table, copied in chunks, swapped in with one atomic RENAME):
      \`\`\`sh
      pt-online-schema-change --alter "DROP PRIMARY KEY" D=<database>,t=order_items --execute
      # or: gh-ost --alter="DROP PRIMARY KEY" --database=<database> --table=order_items --execute
      \`\`\`
      lockstep's own online copy for MySQL (\`lockstep apply\`) is not built yet; until then use one of these, or a maintenance window.",
      ]
    `);
    const conv = 'ALTER TABLE comments CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci';
    expect(lintCases('converting-charset', [{ stmt: alter('comments', conv, [clause(conv, 'CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', { type: 'convert-charset', charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' })]), effect: { parts: [{ entry: 'table-convert-charset', algorithm: 'copy', lock: 'shared', rebuild: true, span: { start: 21, end: conv.length } }] } }])).toMatchInlineSnapshot(`
      [
        "1:22 warning ALTER TABLE \`comments\` converts every string column to utf8mb4: every value is re-encoded, so the server copies the whole table with writes blocked; indexes on long VARCHARs can exceed the key length limit, and TEXT columns become MEDIUMTEXT
      If only new columns need it, change the default (metadata only):
      \`\`\`sql
      ALTER TABLE \`comments\` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
      \`\`\`
      To convert the existing data, run it as an online copy, which keeps writes flowing (a shadow table, copied in chunks, swapped in with one atomic RENAME):
      \`\`\`sh
      pt-online-schema-change --alter "CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" D=<database>,t=comments --execute
      # or: gh-ost --alter="CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" --database=<database> --table=comments --execute
      \`\`\`
      lockstep's own online copy for MySQL (\`lockstep apply\`) is not built yet; until then use one of these, or a maintenance window.",
      ]
    `);
    expect(lintCases('optimize-table', [{ stmt: { kind: 'optimize', text: 'OPTIMIZE TABLE events', tables: [{ name: 'events' }] } as any, effect: { parts: [{ entry: 'optimize-table', algorithm: 'inplace', rebuild: true }] } }])).toMatchInlineSnapshot(`
      [
        "1:1 warning OPTIMIZE TABLE \`events\` rebuilds \`events\` and every index, with an exclusive metadata lock at its start and end; replicas lag by its whole duration
      Take it out of the migration and run it as scheduled maintenance at a quiet time, with a short lock_wait_timeout, or rebuild with an online copy tool:
      \`\`\`sh
      pt-online-schema-change --alter "ENGINE=InnoDB" D=<database>,t=events --execute
      \`\`\`",
      ]
    `);
    expect(lintCases('optimize-table', [{ stmt: { kind: 'analyze', text: 'ANALYZE TABLE events', tables: [{ name: 'events' }] } as any, effect: { parts: [{ entry: 'analyze-table' }] } }])).toEqual([]);
  });

  test('renaming-table: a rename breaks the application; a swap (online-copy cut-over) and a new table do not', () => {
    expect(lintCases('renaming-table', [{ stmt: { kind: 'rename-table', text: 'RENAME TABLE customers TO clients', renames: [{ from: { name: 'customers' }, to: { name: 'clients' } }] } as any }])).toMatchInlineSnapshot(`
      [
        "1:1 warning Renames \`customers\` to \`clients\`: every query, view, trigger and routine that still names \`customers\` fails from this moment until all of them are changed
      Keep the old name working while the application moves: deploy code that can use both, then rename and leave a view with the old name (simple views are updatable), and drop the view after the code no longer uses \`customers\`:
      \`\`\`sql
      RENAME TABLE \`customers\` TO \`clients\`;
      CREATE VIEW \`customers\` AS SELECT * FROM \`clients\`;
      \`\`\`",
      ]
    `);
    expect(lintCases('renaming-table', [{ stmt: { kind: 'rename-table', text: 'RENAME TABLE orders TO orders_old, orders_new TO orders', renames: [{ from: { name: 'orders' }, to: { name: 'orders_old' } }, { from: { name: 'orders_new' }, to: { name: 'orders' } }] } as any }])).toEqual([]);
  });

  test('adding-unique-index: the duplicate check in the user’s columns; MariaDB ALTER IGNORE deletes rows', () => {
    const text = 'ALTER TABLE users ADD UNIQUE INDEX users_email_key (email)';
    const part = 'ADD UNIQUE INDEX users_email_key (email)';
    const stmt = alter('users', text, [clause(text, part, { type: 'add-index', index: { name: 'users_email_key', kind: 'unique', parts: [{ column: 'email' }] } })]);
    const effect = { parts: [{ entry: 'add-unique' as const, algorithm: 'inplace' as const, span: { start: text.indexOf(part), end: text.length } }] };
    expect(lintCases('adding-unique-index', [{ stmt, effect }])).toMatchInlineSnapshot(`
      [
        "1:19 warning ALTER TABLE \`users\` adds a unique index on \`email\` to a table with rows: one duplicate, existing or written while it builds, fails the ALTER at its end after the whole table was read
      Find duplicates first (it must return no rows), clean them up and make the application stop writing them:
      \`\`\`sql
      SELECT \`email\`, COUNT(*) FROM \`users\` GROUP BY \`email\` HAVING COUNT(*) > 1 LIMIT 10;
      \`\`\`",
      ]
    `);
    expect(lintCases('adding-unique-index', [{ stmt: { ...stmt, ignore: true }, effect }], { flavor: 'mariadb' })[0]).toMatch(/MariaDB silently deletes every row that duplicates/);
  });

  test('unanalyzable-statement: where the parser stopped, and why', () => {
    expect(lintCases('unanalyzable-statement', [{ stmt: { kind: 'unparsed', text: 'ALTER TABLE orders ADD COLUMN x INT, WITH SYSTEM VERSIONING', verb: 'alter table', reason: 'unexpected WITH', offset: 37 } as any }])).toMatchInlineSnapshot(`
      [
        "1:38 warning lockstep could not read this ALTER TABLE statement (unexpected WITH), so its locks and rebuilds are not checked
      Review it by hand (what it locks and whether it copies the table), or write it in a form lockstep reads; keep the review as a reason: \`-- lockstep-ignore unanalyzable-statement: <why it is safe>\`.",
      ]
    `);
  });
});

test('every MySQL rule is registered under its own id and declares the mysql dialect', async () => {
  const { mysqlRules } = await import('../../../src/rules/mysql/registry.js');
  for (const [id, rule] of Object.entries(mysqlRules)) {
    expect(rule.id).toBe(id);
    if (!['syntax-error', 'unused-ignore', 'ignore-without-reason'].includes(id)) expect((rule as { dialects?: unknown }).dialects, id).toEqual(['mysql']);
  }
});
