import { defineRule } from './rule.js';
import { REPORTED_ELSEWHERE } from './rebuilding-alter.js';
import { algName, costPhrase, existingTables, flavorOf, onlineCopyAdvice, proofNote, sqlBlock, statementLabel, withClauses , detail } from './helpers.js';

export default defineRule({
  id: 'require-algorithm-lock',
  title: 'State ALGORITHM and LOCK where the server would otherwise copy the table or block writes',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table', 'create-index', 'drop-index'],
  why:
    'Without an `ALGORITHM` clause the server silently picks the best algorithm it can for the change — and when that is `COPY` (every row copied to a new table, writes blocked for the whole copy) or a `LOCK=SHARED`/`EXCLUSIVE` rebuild, nothing in the migration says so. Written explicitly (`ALGORITHM=INPLACE, LOCK=NONE`, or `ALGORITHM=INSTANT`), the same statement fails at once with the server\u2019s reason ("ALGORITHM=INPLACE is not supported. Try ALGORITHM=COPY") instead of blocking writes for minutes: the migration states the cost it accepts, and a wrong guess is an error, not an outage.\n\n' +
    'A clause the server cannot honour for this change is reported too: the migration would fail there. On MySQL an explicit `ALGORITHM=INPLACE` also forces INPLACE where INSTANT was possible, and a LOCK clause other than DEFAULT with INSTANT is an error; on MariaDB ALGORITHM is a floor ("at least this good").',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN total_with_tax DECIMAL(14,2) AS (amount * 1.2) STORED;',
    good: 'ALTER TABLE orders ADD INDEX orders_created_at_idx (created_at), ALGORITHM=INPLACE, LOCK=NONE;\n\n-- instant without a clause is fine: the server cannot pick worse\nALTER TABLE orders ADD COLUMN note TEXT NULL;',
  },
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table' && stmt.kind !== 'create-index' && stmt.kind !== 'drop-index') return;
    const tables = existingTables(stmt, ctx);
    if (!tables.length) return;
    const e = ctx.effect;
    const flavor = flavorOf(ctx);
    const written = (stmt.algorithm && stmt.algorithm !== 'default') || (stmt.lock && stmt.lock !== 'default') || stmt.online;
    if (e.refused) {
      // A refused ALGORITHM=INSTANT is instant-not-available's finding.
      if (stmt.algorithm === 'instant') return;
      ctx.report({
        at: stmt.span.start,
        severity: 'error',
        message: `${statementLabel(stmt)} fails: ${e.refused}. Without the clause the server would use ${costPhrase(e.algorithm, e.lock, e.rebuild)}`,
        fix: e.algorithm === 'copy' || e.blocksWrites ? onlineCopyAdvice(stmt, ctx) : sqlBlock('Write the clause the server accepts for this change:', '```sql', withClauses(stmt, e.algorithm, e.algorithm === 'instant' && flavor === 'mysql' ? undefined : e.lock), '```'),
      });
      return;
    }
    if (written) return;
    if (e.algorithm !== 'copy' && !e.blocksWrites) return;
    // A copy that a more specific rule explains (type change, ENUM reorder, VARCHAR prefix, FK …) is its finding alone.
    const costly = e.parts.filter((p) => p.algorithm === 'copy' || p.lock !== 'none');
    if (costly.length && costly.every((p) => REPORTED_ELSEWHERE.includes(p.entry))) return;
    const worst = e.parts.find((p) => p.algorithm === e.algorithm && (p.algorithm === 'copy' || p.lock !== 'none')) ?? e.parts[0];
    const why = worst?.detail ? `: ${detail(worst.detail)}` : worst ? ` (${worst.entry})` : '';
    const expect = e.algorithm === 'copy' ? 'INPLACE' : algName(e.algorithm);
    ctx.report({
      at: stmt.span.start,
      table: tables[0]!,
      message: `${statementLabel(stmt)} has no ALGORITHM/LOCK clause, and the server silently uses ${costPhrase(e.algorithm, e.lock, e.rebuild)}${why}${worst ? proofNote(worst, ctx) : ''}`,
      fix: sqlBlock(
        `Say what you accept, so the server refuses instead of ${e.algorithm === 'copy' ? 'copying the table' : 'blocking writes'}: with \`ALGORITHM=${expect}, LOCK=NONE\` this statement fails at once on ${flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} rather than running this way:`,
        '```sql',
        withClauses(stmt, e.algorithm === 'copy' ? 'inplace' : e.algorithm, 'none'),
        '```',
        e.algorithm === 'copy' || e.rebuild ? onlineCopyAdvice(stmt, ctx) : undefined,
      ),
    });
  },
});
