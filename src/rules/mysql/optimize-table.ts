import { defineRule } from './rule.js';
import { existingTables, proofNote, sqlBlock, sqlName, statementLabel } from './helpers.js';

export default defineRule({
  id: 'optimize-table',
  title: 'Keep OPTIMIZE TABLE and ALTER TABLE … FORCE out of migrations',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['optimize', 'alter-table'],
  why:
    'On InnoDB, `OPTIMIZE TABLE` is `ALTER TABLE … FORCE` (plus ANALYZE): it rebuilds the whole table and all its indexes. Writes continue for most of it (in place, LOCK=NONE), but it takes an exclusive metadata lock at its start and its end (queuing every query behind any open transaction), the rebuild reads and writes the whole table while traffic competes for I/O, replicas replay it only afterwards (lagging by its duration), and a table with a FULLTEXT index is copied with writes blocked. That is maintenance to schedule and watch, not a schema change to run with every deploy.',
  examples: {
    bad: 'OPTIMIZE TABLE events;',
    good: '-- run maintenance from a scheduled job, outside migrations:\nANALYZE TABLE events;',
  },
  check(stmt, ctx) {
    const tables = existingTables(stmt, ctx);
    if (!tables.length) return;
    const part = ctx.effect.parts.find((p) => p.entry === 'optimize-table' || p.entry === 'table-force');
    if (stmt.kind === 'alter-table' && !part) return;
    ctx.report({
      at: stmt.span.start,
      table: tables[0]!,
      message: `${statementLabel(stmt)} rebuilds ${tables.map(sqlName).join(', ')} and every index, with an exclusive metadata lock at its start and end; replicas lag by its whole duration${part ? proofNote(part, ctx) : ''}`,
      fix: sqlBlock(
        'Take it out of the migration and run it as scheduled maintenance at a quiet time, with a short lock_wait_timeout, or rebuild with an online copy tool:',
        '```sh',
        `pt-online-schema-change --alter "ENGINE=InnoDB" D=${tables[0]!.schema ?? '<database>'},t=${tables[0]!.name} --execute`,
        '```',
      ),
    });
  },
});
