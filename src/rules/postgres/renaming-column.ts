import { defineRule } from './rule.js';
import { key } from '../../dialects/postgres/names.js';
import { earlierFacts, inTransactionBlock, quoteIdent, sqlBlock, sqlName, suffixedName } from './helpers.js';

export default defineRule({
  id: 'renaming-column',
  title: 'Rename columns in steps, not in place',
  category: 'compatibility',
  severity: 'warning',
  kinds: ['RenameStmt'],
  why:
    '`RENAME COLUMN` is instant, but the application does not move with it: every query, function body and ORM mapping that still uses the old name fails the moment the migration commits, until the new code is deployed (and the new code fails if it is deployed first). Views keep working: Postgres follows the rename inside them.\n\n' +
    'Rename in steps instead (expand/contract): add the new column, keep both in sync with a trigger, backfill, move the application to the new name, then drop the old column. Or, shorter: rename, and for the transition put a view with the old table name in front of the table that shows the column under both names.',
  examples: {
    bad: 'ALTER TABLE orders RENAME COLUMN amount TO total;',
    good:
      'ALTER TABLE orders ADD COLUMN total numeric(10, 2);\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, amt numeric);\nALTER TABLE refunds RENAME COLUMN amt TO amount;',
  },
  peers: ['squawk: renaming-column', 'strong_migrations: rename_column', 'pgfence: rename-column'],
  check(stmt, ctx) {
    const part = ctx.effect.parts[0];
    if (part?.entry !== 'rename-column') return;
    const a = stmt.ast;
    const table = part.relations.table?.[0];
    if (!table || ctx.isNew(table)) return;
    const from: string = a.subname;
    const to: string = a.newname;
    // A column added (or renamed into this name) earlier in this migration is not in use yet; nor is a
    // table name that a RENAME earlier in this migration created (renaming-table covers the old name).
    const k = key(table);
    const facts = earlierFacts(ctx.previous);
    if (facts.addedColumns.has(`${k}.${from}`) || facts.renamedColumns.has(`${k}.${from}`) || facts.renamedTables.has(k)) return;
    const T = sqlName(table);
    const [f, t] = [quoteIdent(from), quoteIdent(to)];
    const type = ctx.catalog.column(table, from)?.type.text ?? `<type of ${from}>`;
    const fn = { ...(table.schema ? { schema: table.schema } : {}), name: suffixedName(`${table.name}_${to}`, '_sync') };
    const trigger = quoteIdent(fn.name);
    const base = { ...(table.schema ? { schema: table.schema } : {}), name: suffixedName(table.name, '_base') };
    const tx = !inTransactionBlock(ctx);
    ctx.report({
      at: part.at,
      message: `RENAME COLUMN ${f} TO ${t} on ${T} breaks every query, function and ORM mapping that still uses ${f} the moment it commits`,
      fix: sqlBlock(
        `Rename in steps so that old and new code both work (expand/contract). Add ${t}, keep both columns in sync with a trigger, and backfill:`,
        `ALTER TABLE ${T} ADD COLUMN ${t} ${type};`,
        `CREATE FUNCTION ${sqlName(fn)}() RETURNS trigger LANGUAGE plpgsql AS $$`,
        'BEGIN',
        `  IF (TG_OP = 'INSERT' AND NEW.${t} IS NOT NULL) OR (TG_OP = 'UPDATE' AND NEW.${t} IS DISTINCT FROM OLD.${t}) THEN`,
        `    NEW.${f} := NEW.${t};  -- new code wrote ${t}`,
        '  ELSE',
        `    NEW.${t} := NEW.${f};  -- old code wrote ${f}`,
        '  END IF;',
        '  RETURN NEW;',
        'END $$;',
        `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON ${T} FOR EACH ROW EXECUTE FUNCTION ${sqlName(fn)}();`,
        `UPDATE ${T} SET ${t} = ${f} WHERE ${t} IS DISTINCT FROM ${f};  -- in batches on a large table`,
        `-- then give ${t} the default, NOT NULL, indexes and constraints of ${f} (each the safe way),`,
        `-- deploy code that reads and writes ${t}, and in a later migration:`,
        `DROP TRIGGER ${trigger} ON ${T};`,
        `DROP FUNCTION ${sqlName(fn)}();`,
        `ALTER TABLE ${T} DROP COLUMN ${f};`,
        `Or, shorter: rename it, and until every client uses ${t}, put a view named ${T} in front of the table that shows the column under both names (a simple view like this accepts INSERT, UPDATE and DELETE; check that your ORM works through a view):`,
        tx && 'BEGIN;',
        `ALTER TABLE ${T} RENAME TO ${quoteIdent(base.name)};`,
        `ALTER TABLE ${sqlName(base)} RENAME COLUMN ${f} TO ${t};`,
        `CREATE VIEW ${T} AS SELECT *, ${t} AS ${f} FROM ${sqlName(base)};`,
        tx && 'COMMIT;',
        `-- once no client uses ${f}:`,
        tx && 'BEGIN;',
        `DROP VIEW ${T};`,
        `ALTER TABLE ${sqlName(base)} RENAME TO ${quoteIdent(table.name)};`,
        tx && 'COMMIT;',
      ),
    });
  },
});
