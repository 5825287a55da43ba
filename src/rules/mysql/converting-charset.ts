import { defineRule } from './rule.js';
import { existingTables, onlineCopyAdvice, partsOf, proofNote, quoteIdent, sqlBlock, sqlName, statementLabel } from './helpers.js';

export default defineRule({
  id: 'converting-charset',
  title: 'Converting a character set copies the table',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table'],
  why:
    '`CONVERT TO CHARACTER SET` (and changing one column\u2019s `CHARACTER SET`) re-encodes every value: the server copies the whole table with writes blocked (`ALGORITHM=COPY`). It can also change the schema under you: going to utf8mb4 multiplies each string column\u2019s maximum bytes, so a VARCHAR index can exceed the 3072-byte key limit and fail, and `CONVERT TO` promotes TEXT columns to MEDIUMTEXT to keep their capacity in characters.\n\n' +
    'If only new columns need the new character set, change the table\u2019s default instead (`DEFAULT CHARACTER SET …`: metadata only, existing columns keep theirs). To convert existing data, do it as an online copy.',
  examples: {
    bad: 'ALTER TABLE comments CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;',
    good: 'ALTER TABLE comments DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, ALGORITHM=INSTANT;',
  },
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table' || !existingTables(stmt, ctx).length) return;
    for (const p of partsOf(ctx, ['table-convert-charset', 'column-charset'])) {
      const action = stmt.actions.find((a) => a.span.start === p.span.start);
      const charset = action?.type === 'convert-charset' ? action.charset : undefined;
      const whole = p.entry === 'table-convert-charset';
      ctx.report({
        at: p.span.start,
        table: stmt.table,
        message: `${statementLabel(stmt)} converts ${whole ? 'every string column' : quoteIdent(p.object ?? 'the column')} to ${charset ?? 'another character set'}: every value is re-encoded, so the server copies the whole table with writes blocked${whole ? '; indexes on long VARCHARs can exceed the key length limit, and TEXT columns become MEDIUMTEXT' : ''}${proofNote(p, ctx)}`,
        fix: whole
          ? sqlBlock('If only new columns need it, change the default (metadata only):', '```sql', `ALTER TABLE ${sqlName(stmt.table)} DEFAULT CHARACTER SET ${charset ?? 'utf8mb4'}${action?.type === 'convert-charset' && action.collation ? ` COLLATE ${action.collation}` : ''};`, '```', 'To convert the existing data, ' + onlineCopyAdvice(stmt, ctx).replace(/^Run it/, 'run it'))
          : onlineCopyAdvice(stmt, ctx),
      });
    }
  },
});
