import { defineRule } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import { key } from '../../dialects/postgres/names.js';
import { andList, partLocks, quoteIdent, shellWord, sqlBlock, sqlName, suffixedName } from './helpers.js';

export default defineRule({
  id: 'dropping-table',
  title: 'Drop tables only once nothing uses them, and keep the data',
  category: 'destructive',
  severity: 'warning',
  kinds: ['DropStmt'],
  why:
    '`DROP TABLE` deletes the table and every row in it, and every query that still uses it fails from the moment the migration commits. It takes ACCESS EXCLUSIVE on the table and also on every table it references with a foreign key (their foreign-key triggers are removed), so it waits behind, and blocks, traffic on those tables too.\n\n' +
    'With `CASCADE` it also drops the foreign keys of other tables that point at it (locking those tables) and every view on it, without naming them: write those drops out instead, so the migration says what goes. A table created in the same migration, or dropped by the down section of the migration that created it, is not flagged.',
  examples: {
    bad: 'DROP TABLE legacy_orders;',
    good:
      '-- a table created in the same migration is not flagged:\nCREATE TABLE import_batch (id bigint PRIMARY KEY, payload jsonb);\nDROP TABLE import_batch;',
  },
  peers: ['squawk: ban-drop-table', 'pgfence: drop-table'],
  check(stmt, ctx) {
    if (stmt.ast.removeType !== 'OBJECT_TABLE') return;
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'drop-table' && part.entry !== 'drop-table-cascade') continue;
      const table = part.relations.table?.[0];
      if (!table || ctx.isNew(table)) continue;
      // The down section undoing its own up's CREATE TABLE.
      if (ctx.migration.section === 'down' && ctx.catalog.table(table)?.createdIn === ctx.migration.id) continue;
      const T = sqlName(table);
      const cascade = part.entry === 'drop-table-cascade';
      const k = key(table);
      // Foreign keys of other tables that point at it, by name (the catalog knows them).
      const fks: { table: QualifiedName; name: string }[] = [];
      for (const t of ctx.catalog.tables.values())
        if (key(t.name) !== k) for (const c of t.constraints.values()) if (c.kind === 'foreign-key' && c.references && key(c.references) === k) fks.push({ table: t.name, name: c.name });
      const others = partLocks(part, (rel, role) => role !== 'table' && !ctx.isNew(rel));
      const referencing = [...new Set(fks.map((f) => sqlName(f.table)))];
      const message = cascade
        ? `DROP TABLE ${T} CASCADE deletes the table and all its rows, and drops ${referencing.length ? `the foreign keys of ${andList(referencing)} that point at it` : 'every foreign key that points at it'} and every view on it${others ? `, taking ${others}` : ''}`
        : `DROP TABLE ${T} deletes the table and all its rows${others ? `, and takes ${others} too` : ''}${fks.length ? `; it fails while ${andList(fks.map((f) => `${sqlName(f.table)} (${quoteIdent(f.name)})`))} still references it` : ''}`;
      const parked = { ...(table.schema ? { schema: table.schema } : {}), name: suffixedName(table.name, '_to_drop') };
      ctx.report({
        at: stmt.span.start,
        ...(cascade ? { severity: 'error' as const } : {}),
        message,
        fix: sqlBlock(
          `Deploy code that no longer uses ${T} first, and keep its data until you are sure: take a copy (${['pg_dump', shellWord(`--table=${T}`), '<database>'].join(' ')}), or rename the table now and drop it a release later:`,
          `ALTER TABLE ${T} RENAME TO ${quoteIdent(parked.name)};`,
          cascade || fks.length ? `-- a release later, dropping what depends on it yourself so the migration says what goes${cascade ? ' (without CASCADE, a view that still uses it makes the drop fail instead of vanishing silently)' : ''}:` : '-- a release later:',
          ...fks.map((f) => `ALTER TABLE ${sqlName(f.table)} DROP CONSTRAINT ${quoteIdent(f.name)};`),
          cascade && !fks.length ? `-- ALTER TABLE <each table that references it> DROP CONSTRAINT <its foreign key>;  (lockstep does not know them: pass --db)` : undefined,
          `DROP TABLE ${sqlName(parked)};`,
        ),
      });
    }
  },
});
