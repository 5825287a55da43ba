import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'transaction-nesting';

describe(R, () => {
  test('BEGIN inside BEGIN', async () => {
    expect(await lintView(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nBEGIN;\nALTER TABLE customers ADD COLUMN vip boolean;\nCOMMIT;\nCOMMIT;')).toMatchInlineSnapshot(`
      [
        "3:1 warning BEGIN inside a transaction that an earlier BEGIN already opened: Postgres warns and ignores it, so the first COMMIT already ends the outer block, the statements after it run in autocommit, and the second COMMIT only warns
      COMMIT the first block before starting the next one, or remove this BEGIN and its COMMIT so that the statements run in the outer block.",
        "6:1 warning COMMIT with no transaction open: Postgres only warns "there is no transaction in progress", and whatever it was meant to commit has already been committed statement by statement
      Add the BEGIN this statement belongs to, or remove it. If the file was written for a runner that wraps each migration in a transaction, lint it with that layout (or set \`layouts.<layout>.transaction\` in the config).",
      ]
    `);
  });

  test('BEGIN … COMMIT inside a runner transaction: both ends are flagged', async () => {
    expect(await lintView(R, 'BEGIN;\nALTER TABLE "Order Items" ADD COLUMN note text;\nCOMMIT;', { transaction: 'wrapped', layout: 'flyway' })).toMatchInlineSnapshot(`
      [
        "1:1 warning BEGIN inside the runner's transaction is ignored with a warning, and the COMMIT that follows commits the runner's transaction early, so later statements run in autocommit: flyway runs each migration inside a transaction (given)
      Remove the BEGIN and its COMMIT: the runner already runs the migration as one transaction.
      If the file needs its own transaction control (for a statement that cannot run in a transaction), turn the runner's transaction off for this migration instead. Put it in its own migration with \`executeInTransaction=false\` in a \`<file>.sql.conf\` next to it.",
        "3:1 warning COMMIT inside the runner's transaction commits it early: the statements after it run in autocommit, and the runner's own COMMIT warns "there is no transaction in progress" — flyway runs each migration inside a transaction (given)
      Remove the COMMIT: the runner commits the migration itself.
      If the migration needs to commit part way (e.g. before a statement that cannot run in a transaction), turn the runner's transaction off for it and write BEGIN … COMMIT yourself. Put it in its own migration with \`executeInTransaction=false\` in a \`<file>.sql.conf\` next to it.",
      ]
    `);
  });

  test('COMMIT with no transaction open', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;')).toMatchInlineSnapshot(`
      [
        "2:1 warning COMMIT with no transaction open: Postgres only warns "there is no transaction in progress", and whatever it was meant to commit has already been committed statement by statement
      Add the BEGIN this statement belongs to, or remove it. If the file was written for a runner that wraps each migration in a transaction, lint it with that layout (or set \`layouts.<layout>.transaction\` in the config).",
      ]
    `);
    expect((await findingsOf(R, 'ROLLBACK;')).map((f) => f.message)).toEqual([expect.stringMatching(/^ROLLBACK with no transaction open/)]);
    expect((await findingsOf(R, 'END;')).map((f) => f.message)).toEqual([expect.stringMatching(/^END with no transaction open/)]);
  });

  test('golang-migrate multi-statement file: a COMMIT without BEGIN commits part of the file and warns', async () => {
    const f = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nALTER TABLE orders ADD COLUMN b int;', { transaction: 'multi-statement', layout: 'golang-migrate' });
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('COMMIT with no BEGIN in a multi-statement file')]);
  });

  test('leaves alone: consecutive blocks, BEGIN … COMMIT in a golang-migrate file (Postgres makes the implicit block explicit), chained blocks', async () => {
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nBEGIN;\nALTER TABLE customers ADD COLUMN b int;\nROLLBACK;')).toEqual([]);
    const gm = { transaction: 'multi-statement' as const, layout: 'golang-migrate' };
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nBEGIN;\nALTER TABLE customers ADD COLUMN b int;\nCOMMIT;', gm)).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN a int;\nBEGIN;\nALTER TABLE customers ADD COLUMN b int;\nCOMMIT;', gm)).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT AND CHAIN;\nALTER TABLE customers ADD COLUMN b int;\nCOMMIT;')).toEqual([]);
    expect(await findingsOf(R, 'SAVEPOINT a;')).toEqual([]);
  });

  test('but BEGIN inside an explicit block of a golang-migrate file is nested', async () => {
    const f = await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nBEGIN;\nCOMMIT;', { transaction: 'multi-statement', layout: 'golang-migrate' });
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('inside a transaction that an earlier BEGIN already opened')]);
  });
});
