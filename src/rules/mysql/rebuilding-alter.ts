import { defineRule } from './rule.js';
import type { MyEffectId } from '../../dialects/mysql/effect.js';
import { andList, costPhrase, existingTables, onlineCopyAdvice, proofNote, statementLabel , detail } from './helpers.js';

/** Parts another rule reports with its own advice (so one change is one finding). */
export const REPORTED_ELSEWHERE: readonly MyEffectId[] = [
  'varchar-extend-cross-prefix',
  'varchar-shrink',
  'enum-reorder',
  'change-type',
  'table-convert-charset',
  'column-charset',
  'add-primary-key',
  'drop-primary-key',
  'replace-primary-key',
  'table-force',
  'optimize-table',
  'add-foreign-key',
];

export default defineRule({
  id: 'rebuilding-alter',
  title: 'Do not copy or rebuild a table in use with a plain ALTER',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table', 'create-index'],
  why:
    'Some changes cannot be made in place: the server copies every row into a new table (`ALGORITHM=COPY`, writes blocked until the copy ends) or rebuilds the table in place (`INPLACE` with a rebuild: writes continue, but the whole table is rewritten, the I/O competes with traffic, and the change waits for an exclusive metadata lock at its start and its end). On a big table that is minutes to hours. Replicas apply the ALTER only after the primary finished it, and then serially: they fall behind by its whole duration.\n\n' +
    'Run such a change as an online copy instead — a shadow table with the change, filled in small chunks while triggers (pt-online-schema-change) or the binlog (gh-ost) carry the writes, then swapped in with one atomic RENAME. lockstep\u2019s own online copy for MySQL (`lockstep apply`) is not built yet: the finding says how to do it with those tools today.',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP;',
    good: 'ALTER TABLE orders ADD COLUMN placed_at DATETIME NULL, ALGORITHM=INSTANT;\n\n-- a table created in this migration holds no rows yet:\nCREATE TABLE refunds (id BIGINT PRIMARY KEY, amount DECIMAL(10,2));\nALTER TABLE refunds ADD COLUMN created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP;',
  },
  peers: ['pt-online-schema-change', 'gh-ost'],
  check(stmt, ctx) {
    const tables = existingTables(stmt, ctx);
    if (!tables.length) return;
    const e = ctx.effect;
    const run = e.refused ? { algorithm: e.algorithm, lock: e.lock } : e.effective;
    if (run.algorithm !== 'copy' && !e.rebuild) return;
    const parts = e.parts.filter((p) => (p.algorithm === 'copy' || p.rebuild) && !REPORTED_ELSEWHERE.includes(p.entry));
    if (!parts.length) return;
    const why = andList(parts.map((p) => detail(p.detail) ?? p.entry));
    ctx.report({
      at: parts[0]!.span.start,
      table: tables[0]!,
      message: `${statementLabel(stmt)} ${run.algorithm === 'copy' ? 'copies' : 'rebuilds'} the whole table: ${why}; it runs with ${costPhrase(run.algorithm, run.lock, true)}, and replicas lag by its whole duration${proofNote(parts.find((p) => !p.proven) ?? parts[0]!, ctx)}`,
      fix: onlineCopyAdvice(stmt, ctx),
    });
  },
});
