import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'ban-uncommitted-transaction';

describe(R, () => {
  test('BEGIN without COMMIT, naming the locks it keeps', async () => {
    expect(await lintView(R, 'BEGIN;\nALTER TABLE "Order Items" ADD COLUMN note text;\nUPDATE "Order Items" SET note = \'\' WHERE id < 10;')).toMatchInlineSnapshot(`
      [
        "1:1 error BEGIN is never committed: the transaction is still open when the migration ends, holding ACCESS EXCLUSIVE (blocks reads and writes) on "Order Items", and is either rolled back when the connection closes or left open with its locks
      End the block with \`COMMIT;\` after its last statement (or remove the BEGIN when the runner already wraps the migration in a transaction).",
      ]
    `);
  });

  test('the second of two blocks left open; START TRANSACTION too', async () => {
    const f = await findingsOf(R, 'BEGIN;\nSELECT 1;\nCOMMIT;\nSTART TRANSACTION;\nSELECT 2;');
    expect(f.map((x) => [x.span.start, x.message])).toEqual([[25, expect.stringMatching(/^START TRANSACTION is never committed: .*the migration ends, and/)]]);
  });

  test('golang-migrate: a BEGIN in a multi-statement file stays open after the query', async () => {
    const f = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN a int;\nBEGIN;\nALTER TABLE customers ADD COLUMN b int;', { transaction: 'multi-statement', layout: 'golang-migrate' });
    expect(f).toHaveLength(1);
  });

  test('leaves alone: committed, rolled back, the runner\'s own transaction, BEGIN ignored inside a runner transaction', async () => {
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nROLLBACK;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;', { transaction: 'wrapped' })).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;', { transaction: 'wrapped' })).toEqual([]);
  });
});
