import { defineRule } from './rule.js';
import { bytesPerChar } from '../../dialects/mysql/catalog.js';
import { clauseText, existingTables, onlineCopyAdvice, partsOf, proofNote, quoteIdent, sqlBlock, sqlName, statementLabel , detail } from './helpers.js';

export default defineRule({
  id: 'varchar-length-prefix',
  title: 'Widening a VARCHAR past 255 bytes copies the table',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table'],
  why:
    'InnoDB stores a VARCHAR value with a length prefix of 1 byte while the column\u2019s maximum is at most 255 bytes and 2 bytes beyond. The maximum counts bytes, not characters: the length times the character set\u2019s bytes per character (utf8mb4 4, utf8mb3 3, latin1 1), so `VARCHAR(63)` in utf8mb4 is 252 bytes and `VARCHAR(64)` is 256. Widening a column within the same class changes only metadata (in place, often instant); crossing from ≤ 255 to ≥ 256 bytes changes every row\u2019s format, so the server copies the whole table (`ALGORITHM=COPY`, writes blocked for the whole copy).',
  examples: {
    schema: 'CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(50) NOT NULL) DEFAULT CHARSET=utf8mb4;',
    bad: 'ALTER TABLE users MODIFY name VARCHAR(100) NOT NULL;',
    good: 'ALTER TABLE users MODIFY name VARCHAR(60) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;',
  },
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table' || !existingTables(stmt, ctx).length) return;
    for (const p of partsOf(ctx, ['varchar-extend-cross-prefix'])) {
      const col = p.object ? ctx.catalog.column(stmt.table, p.object) : undefined;
      const perChar = bytesPerChar(col?.charset ?? ctx.catalog.table(stmt.table)?.charset ?? ctx.catalog.defaultCharset);
      const fits = Math.floor(255 / perChar);
      const name = p.object ? quoteIdent(p.object) : 'the column';
      ctx.report({
        at: p.span.start,
        table: stmt.table,
        message: `${statementLabel(stmt)} widens ${name} across the 255-byte length prefix${detail(p.detail) ? ` (${detail(p.detail)})` : ''}: every row is rewritten, so the server copies the table with writes blocked${proofNote(p, ctx)}`,
        fix: sqlBlock(
          `If ${fits} characters are enough (${fits} × ${perChar} bytes ≤ 255), stay within the 1-byte prefix and the change is in place:`,
          '```sql',
          `ALTER TABLE ${sqlName(stmt.table)} ${clauseText(stmt, p.span).replace(/varchar\s*\(\s*\d+\s*\)/i, `VARCHAR(${fits})`)}, ALGORITHM=INPLACE, LOCK=NONE;`,
          '```',
          'Otherwise: ' + onlineCopyAdvice(stmt, ctx).replace(/^Run it/, 'run it'),
        ),
      });
    }
  },
});
