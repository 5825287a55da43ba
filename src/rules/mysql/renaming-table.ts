import { defineRule } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import { sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'renaming-table',
  title: 'Renaming a table breaks the application that uses it',
  category: 'compatibility',
  severity: 'warning',
  dialects: ['mysql'],
  kinds: ['rename-table', 'alter-table'],
  why:
    '`RENAME TABLE` (or `ALTER TABLE … RENAME TO`) is instant, and that is the problem: from that moment every query of the running application that names the old table fails ("Table … doesn\u2019t exist"), until the new version is deployed everywhere — and a rollback of the application breaks again the other way. Triggers, views and stored routines that name the table by its old name break too.\n\n' +
    'Rename in steps the application can follow: deploy code that works with both names, rename and create a view with the old name in one migration (a simple view over one table is updatable in MySQL), deploy code that uses only the new name, then drop the view.',
  examples: {
    bad: 'RENAME TABLE customers TO clients;',
    good: '-- a table created in this migration is not used by anything yet:\nCREATE TABLE clients_import (id BIGINT PRIMARY KEY);\nRENAME TABLE clients_import TO clients_staging;',
  },
  peers: ['squawk: renaming-table (Postgres)', 'strong_migrations: rename_table'],
  check(stmt, ctx) {
    const renames: { from: QualifiedName; to: QualifiedName }[] =
      stmt.kind === 'rename-table'
        ? stmt.renames
        : stmt.kind === 'alter-table'
          ? stmt.actions.flatMap((a) => (a.type === 'rename-table' ? [{ from: stmt.table, to: a.to }] : []))
          : [];
    // RENAME TABLE a TO a_old, a_new TO a (a swap): the name stays in use; it is how online copies cut over.
    const targets = new Set(renames.map((r) => sqlName(r.to)));
    const sources = new Set(renames.map((r) => sqlName(r.from)));
    for (const r of renames) {
      // The old name is taken over by another table (swap), or this table takes over a name another vacates.
      if (ctx.isNew(r.from) || targets.has(sqlName(r.from)) || sources.has(sqlName(r.to))) continue;
      const from = sqlName(r.from);
      const to = sqlName(r.to);
      ctx.report({
        at: stmt.span.start,
        table: r.from,
        message: `Renames ${from} to ${to}: every query, view, trigger and routine that still names ${from} fails from this moment until all of them are changed`,
        fix: sqlBlock(
          `Keep the old name working while the application moves: deploy code that can use both, then rename and leave a view with the old name (simple views are updatable), and drop the view after the code no longer uses ${from}:`,
          '```sql',
          `RENAME TABLE ${from} TO ${to};`,
          `CREATE VIEW ${from} AS SELECT * FROM ${to};`,
          '```',
        ),
      });
    }
  },
});
