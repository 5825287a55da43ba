import { defineRule } from './rule.js';
import { key } from '../../dialects/postgres/names.js';
import { andList, earlierFacts, quoteIdent, sqlBlock, sqlName, suffixedName } from './helpers.js';

export default defineRule({
  id: 'dropping-column',
  title: 'Stop using a column before you drop it',
  category: 'destructive',
  severity: 'warning',
  kinds: ['AlterTableStmt'],
  why:
    '`DROP COLUMN` is instant (Postgres only marks the column dropped), but its data is gone, and every query and ORM model that still names the column fails from the moment the migration commits. Many ORMs (Active Record, Hibernate, Ecto, \u2026) select every column they have mapped, so even code that never uses the column breaks until it is redeployed.\n\n' +
    'Deploy code that no longer uses the column first (for such ORMs, make the model ignore the column, e.g. Rails `self.ignored_columns`), then drop it in a later migration. Indexes and constraints that use the column go with it; a view that uses it makes the drop fail, and `CASCADE` drops the view too.',
  examples: {
    bad: 'ALTER TABLE orders DROP COLUMN legacy_status;',
    good:
      '-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, note text);\nALTER TABLE refunds DROP COLUMN note;',
  },
  peers: ['squawk: ban-drop-column', 'strong_migrations: remove_column', 'pgfence: drop-column'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'drop-column') continue;
      const table = part.relations.table?.[0];
      if (!table || ctx.isNew(table)) continue;
      const col: string = part.node.name;
      if (earlierFacts(ctx.previous).addedColumns.has(`${key(table)}.${col}`)) continue; // added in this migration: nothing uses it yet
      // The down section undoing its own up's ADD COLUMN (rolling back an expand).
      if (ctx.migration.section === 'down' && ctx.catalog.column(table, col)?.addedIn === ctx.migration.id) continue;
      const T = sqlName(table);
      const c = quoteIdent(col);
      const info = ctx.catalog.table(table);
      const constraints = [...(info?.constraints.values() ?? [])].filter((k) => k.columns.includes(col)).map((k) => quoteIdent(k.name));
      const pk = [...(info?.constraints.values() ?? [])].find((k) => k.kind === 'primary-key')?.columns;
      const cascade = part.node.behavior === 'DROP_CASCADE';
      const backup = { ...(table.schema ? { schema: table.schema } : {}), name: suffixedName(`${table.name}_${col}`, '_backup') };
      ctx.report({
        at: part.at,
        message: `DROP COLUMN ${c} deletes its data from ${T} and breaks every query and ORM model that still names it, the moment it commits`,
        fix: sqlBlock(
          `First deploy code that no longer reads or writes ${c}. ORMs that select every mapped column fail even when your code never uses it, so make the model ignore it first (Rails: self.ignored_columns += ["${col.replace(/["\\]/g, '\\$&')}"]). Then drop it in a later migration:`,
          `ALTER TABLE ${T} DROP COLUMN ${c}${cascade ? ' CASCADE' : ''};`,
          constraints.length ? `Constraints that use it are dropped with it: ${andList(constraints)}.` : undefined,
          cascade ? 'CASCADE also drops every view and foreign key that uses the column; without it, the drop fails while one does, which shows you what still depends on it.' : undefined,
          pk?.length ? `To keep the values, copy them first: CREATE TABLE ${sqlName(backup)} AS SELECT ${pk.map(quoteIdent).join(', ')}, ${c} FROM ${T};` : undefined,
        ),
      });
    }
  },
});
