import { defineRule } from './rule.js';
import { alterClauses, existingTables, onlineCopyAdvice, partsOf, proofNote, sqlBlock, sqlName, statementLabel } from './helpers.js';

export default defineRule({
  id: 'changing-primary-key',
  title: 'Dropping or adding a primary key rebuilds the table',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table'],
  why:
    'InnoDB stores the rows in primary-key order (the clustered index), and every secondary index holds the primary key. Changing the primary key rebuilds the whole table and all its indexes. `DROP PRIMARY KEY` alone is worse: the server copies the table (`ALGORITHM=COPY`, writes blocked), the table is then clustered on a hidden row id (or the first NOT NULL unique key), and row-based replication must scan the whole table on a replica for every updated or deleted row. Adding one with `ADD PRIMARY KEY` is in place, but still a full rebuild, and fails if any row duplicates the key or holds NULL in it.\n\n' +
    'Replace a primary key in one statement (`DROP PRIMARY KEY, ADD PRIMARY KEY (…)`: in place, writes continue), never drop it on its own, and on a big table do it as an online copy.',
  examples: {
    bad: 'ALTER TABLE order_items DROP PRIMARY KEY;',
    good: '-- a table created in this migration holds no rows yet:\nCREATE TABLE order_lines (order_id BIGINT NOT NULL, line INT NOT NULL);\nALTER TABLE order_lines ADD PRIMARY KEY (order_id, line);',
  },
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table' || !existingTables(stmt, ctx).length) return;
    const parts = partsOf(ctx, ['add-primary-key', 'drop-primary-key', 'replace-primary-key']);
    const p = parts[0];
    if (!p) return;
    const t = sqlName(stmt.table);
    const alone = p.entry === 'drop-primary-key' && !parts.some((x) => x.entry !== 'drop-primary-key');
    ctx.report({
      at: p.span.start,
      table: stmt.table,
      message: `${statementLabel(stmt)} ${p.entry === 'drop-primary-key' ? 'drops' : p.entry === 'add-primary-key' ? 'adds' : 'replaces'} the primary key: the whole table and every index is rebuilt${p.algorithm === 'copy' ? ' by a copy with writes blocked' : ' (writes continue, the I/O and replica lag are the cost)'}${alone ? '; afterwards the table has no primary key (a hidden row id), and row-based replicas scan the table for every changed row' : ''}${proofNote(p, ctx)}`,
      fix: alone
        ? sqlBlock('Replace it in one statement instead of dropping it (in place, writes continue):', '```sql', `ALTER TABLE ${t} DROP PRIMARY KEY, ADD PRIMARY KEY (<new key columns>), ALGORITHM=INPLACE, LOCK=NONE;`, '```', onlineCopyAdvice(stmt, ctx))
        : sqlBlock('State the cost you accept, so the server refuses anything worse:', '```sql', `ALTER TABLE ${t} ${alterClauses(stmt)}, ALGORITHM=INPLACE, LOCK=NONE;`, '```', onlineCopyAdvice(stmt, ctx)),
    });
  },
});
