import { defineRule } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import { fromRangeVar, key } from '../../dialects/postgres/names.js';
import { lockTimeoutRetry, notNullConstraintName, partLocks, quoteIdent, sqlBlock, sqlName, tokensOf, upSectionOf } from './helpers.js';

/** An ALTER TABLE in `statements` adds a constraint called `name` to `table`. */
function addsConstraint(statements: readonly Statement[], table: QualifiedName, name: string): boolean {
  const k = key(table);
  return statements.some(
    (s) => s.kind === 'AlterTableStmt' && s.ast.relation && key(fromRangeVar(s.ast.relation)) === k && (s.ast.cmds ?? []).some((c: any) => c.AlterTableCmd?.subtype === 'AT_AddConstraint' && c.AlterTableCmd.def?.Constraint?.conname === name),
  );
}

/** Columns of `table` that an ALTER … SET NOT NULL in `statements` made NOT NULL. */
function setNotNull(statements: readonly Statement[], table: QualifiedName): Set<string> {
  const k = key(table);
  const out = new Set<string>();
  for (const s of statements)
    if (s.kind === 'AlterTableStmt' && s.ast.relation && key(fromRangeVar(s.ast.relation)) === k)
      for (const c of s.ast.cmds ?? []) if (c.AlterTableCmd?.subtype === 'AT_SetNotNull' && c.AlterTableCmd.name) out.add(c.AlterTableCmd.name);
  return out;
}

/** Offset of the `DROP CONSTRAINT [IF EXISTS] <name>` subcommand. */
function dropAt(stmt: Statement, name: string): number | undefined {
  const toks = tokensOf(stmt);
  const want = quoteIdent(name).toUpperCase();
  for (let i = 0; i < toks.length; i++) {
    if (toks[i]!.up !== 'DROP' || toks[i + 1]?.up !== 'CONSTRAINT') continue;
    const j = toks[i + 2]?.up === 'IF' && toks[i + 3]?.up === 'EXISTS' ? i + 4 : i + 2;
    if (toks[j]?.up === want || toks[j]?.text === name) return toks[i]!.start;
  }
  return undefined;
}

export default defineRule({
  id: 'dropping-constraint',
  title: 'Drop constraints only once nothing relies on them',
  category: 'destructive',
  severity: 'info',
  optIn: true,
  kinds: ['AlterTableStmt'],
  why:
    '`DROP CONSTRAINT` is instant, but the guarantee is gone for good: rows that break a dropped CHECK, duplicates a dropped UNIQUE or PRIMARY KEY kept out, rows pointing at nothing that a FOREIGN KEY refused can all be written from then on, and code that relied on them (including `INSERT \u2026 ON CONFLICT` on a unique constraint) misbehaves. Putting the constraint back later means finding and fixing those rows and a validation scan. It takes ACCESS EXCLUSIVE on the table, and for a foreign key on the referenced table too.\n\n' +
    'Make sure nothing relies on the constraint any more; to replace it, add the new one first (`NOT VALID`, then `VALIDATE`) and drop the old one after. Constraints of tables created or added in the same migration, and the last step of the NOT NULL recipe (dropping the `CHECK (col IS NOT NULL)` once `SET NOT NULL` is in place), are not flagged.',
  examples: {
    bad: 'ALTER TABLE orders DROP CONSTRAINT orders_total_check;',
    good:
      "-- the NOT NULL recipe's last step:\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;",
  },
  peers: ['squawk: ban-drop-constraint', 'pgfence: drop-constraint'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'drop-constraint' && part.entry !== 'drop-foreign-key') continue;
      const table = fromRangeVar(stmt.ast.relation);
      const name: string | undefined = part.node?.name;
      if (!name || ctx.isNew(table) || ctx.catalog.table(table)?.createdIn === ctx.migration.id) continue;
      if (addsConstraint(ctx.previous, table, name)) continue;
      const up = upSectionOf(ctx);
      if (up && addsConstraint(up, table, name)) continue; // the down undoing its own up
      const con = ctx.catalog.constraint(table, name);
      // NOT NULL constraints (18) are ban-drop-not-null's business.
      if (con?.kind === 'not-null') continue;
      if (!con && ctx.version >= 18 && [...(ctx.catalog.table(table)?.columns.values() ?? [])].some((c) => c.notNull && notNullConstraintName(table, c.name) === name)) continue;
      // The NOT NULL recipe's last step: the CHECK (col IS NOT NULL) is redundant once the column is NOT NULL.
      const proves = con?.notNullColumn;
      const madeNotNull = setNotNull(ctx.previous, table);
      if (proves && (ctx.catalog.column(table, proves)?.notNull || madeNotNull.has(proves))) continue;
      if (!con && [...madeNotNull].some((col) => notNullConstraintName(table, col) === name)) continue;

      const t = sqlName(table);
      const n = quoteIdent(name);
      const ref = part.relations.referenced?.[0];
      const cols = con?.columns.length ? `(${con.columns.map(quoteIdent).join(', ')})` : '';
      const lost =
        con?.kind === 'check'
          ? `the CHECK is no longer enforced, so rows that break it can be written`
          : con?.kind === 'foreign-key'
            ? `rows of ${t} can point at rows of ${ref ? sqlName(ref) : 'the referenced table'} that do not exist, and its ON DELETE / ON UPDATE actions stop`
            : con?.kind === 'unique' || con?.kind === 'primary-key'
              ? `duplicates of ${cols || 'its columns'} can be written, and its index goes with it (queries that used it slow down, INSERT \u2026 ON CONFLICT ${cols} fails)`
              : con?.kind === 'exclusion'
                ? 'conflicting rows can be written, and its index goes with it'
                : 'the guarantee it gave is gone: rows that break it can be written';
      ctx.report({
        at: dropAt(stmt, name) ?? part.at,
        table,
        message: `DROP CONSTRAINT ${n} on ${t}: ${lost}; putting it back later means fixing those rows and a validation scan; it takes ${partLocks(part)}`,
        fix: sqlBlock(
          `Make sure nothing relies on ${n} any more (application code that assumes it, reports${con?.kind === 'unique' || con?.kind === 'primary-key' ? ', ON CONFLICT clauses' : ''}). To replace it, add the new constraint first (NOT VALID, then VALIDATE CONSTRAINT) and drop this one after. The drop itself is quick, but it waits for every query on ${ref ? `${t} and ${sqlName(ref)}` : t}, so keep that wait short:`,
          ...lockTimeoutRetry(ctx, `ALTER TABLE ${t} DROP CONSTRAINT ${part.node?.missing_ok ? 'IF EXISTS ' : ''}${n};`),
        ),
      });
    }
  },
});
