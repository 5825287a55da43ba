import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'ban-create-domain-with-constraint';

describe(R, () => {
  test('flags a CHECK domain and shows the rule as table constraints, VALUE replaced by the column', async () => {
    expect(await lintView(R, 'CREATE DOMAIN positive_amount AS numeric(12,2) CONSTRAINT positive_amount_positive CHECK (VALUE > 0);')).toMatchInlineSnapshot(`
      [
        "1:1 warning domain positive_amount has CHECK (VALUE > 0): adding a column of it to an existing table rewrites the table under ACCESS EXCLUSIVE (blocks reads and writes), and changing its constraints later locks every table that uses it with SHARE (blocks writes) while it scans them
      Declare the columns as numeric(12,2) and put the rule on each one as a table constraint (keep the domain, if you want the name, without CHECK or NOT NULL). In a new table:
      <column> numeric(12,2) CHECK (<column> > 0)
      On an existing table, with the CHECK added NOT VALID (instant) and validated while reads and writes go on:
      ALTER TABLE <table> ADD COLUMN <column> numeric(12,2);
      ALTER TABLE <table> ADD CONSTRAINT <table>_<column>_check CHECK (<column> > 0) NOT VALID;
      ALTER TABLE <table> VALIDATE CONSTRAINT <table>_<column>_check;",
      ]
    `);
  });

  test('NOT NULL domains, several checks, quoted names', async () => {
    const f = await findingsOf(R, 'CREATE DOMAIN "Order Ref" AS text NOT NULL CHECK (VALUE ~ \'^ORD-\') CHECK (char_length(VALUE) < 20);');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('domain "Order Ref" has CHECK (VALUE ~ \'^ORD-\') and CHECK (char_length(VALUE) < 20) and NOT NULL');
    expect(f[0]!.fix).toContain("<column> text NOT NULL CHECK (<column> ~ '^ORD-') CHECK (char_length(<column>) < 20)");
    expect(f[0]!.fix).toContain('ALTER TABLE <table> ADD COLUMN <column> text NOT NULL DEFAULT <value>;');
  });

  test('a string literal that says value is left as it is', async () => {
    const [f] = await findingsOf(R, "CREATE DOMAIN status AS text CHECK (VALUE <> 'value');");
    expect(f!.fix).toContain("CHECK (<column> <> 'value')");
  });

  test('leaves alone: domains without CHECK or NOT NULL', async () => {
    expect(await findingsOf(R, "CREATE DOMAIN email_address AS text; CREATE DOMAIN score AS integer DEFAULT 0 NULL; CREATE DOMAIN code AS text COLLATE \"C\";")).toEqual([]);
  });
});
