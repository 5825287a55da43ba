import { defineRule } from './rule.js';
import { effectEntry, type EffectId } from '../../dialects/postgres/effects.js';
import { sqlName } from './helpers.js';

/** What to write instead on versions that lack the statement. */
const instead: Partial<Record<EffectId, (v: number) => string>> = {
  'reindex-concurrently': () => 'Build a replacement with CREATE INDEX CONCURRENTLY, then DROP INDEX CONCURRENTLY the old one and rename the new one to the old name.',
  'detach-partition-concurrently': () => 'Use a plain DETACH PARTITION under a short lock_timeout, retried until it gets its lock.',
  'add-column-generated-virtual': () => 'Before 18 a generated column must be STORED (which rewrites the table when added to an existing one): write GENERATED ALWAYS AS (…) STORED, or keep a plain column maintained by a trigger.',
  'add-not-null-not-valid': (v) =>
    v >= 12
      ? 'Use a CHECK constraint instead: ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (no scan thanks to the valid CHECK) and DROP the CHECK.'
      : 'Postgres 11 has no way to add NOT NULL without a full scan under ACCESS EXCLUSIVE.',
  'validate-not-null': () => 'NOT NULL constraints cannot be NOT VALID before 18; validate a CHECK (col IS NOT NULL) instead.',
  'set-compression': () => 'Column compression methods arrived in 14.',
  'set-access-method': () => 'Table access methods can only be changed from 15 (before: create a new table and copy).',
  'set-expression': () => 'Before 17: drop and re-add the generated column (a rewrite), or use a plain column maintained by a trigger.',
  'drop-expression': () => 'Before 13: add a plain column, copy the values in batches, and swap by rename.',
  'add-column-generated-stored': () => 'Generated columns arrived in 12; use a plain column maintained by a trigger.',
};

export default defineRule({
  id: 'unsupported-in-version',
  title: 'Statements the target Postgres version does not have',
  category: 'correctness',
  severity: 'error',
  kinds: ['AlterTableStmt', 'IndexStmt', 'ReindexStmt', 'CreateStmt'],
  why:
    'lockstep parses with the newest Postgres grammar (18), so a statement can parse here and still be rejected by the server you deploy to: `REINDEX CONCURRENTLY` before 12, `DETACH PARTITION … CONCURRENTLY` before 14, `NOT NULL … NOT VALID` and VIRTUAL generated columns (the default when `STORED` is not written) before 18. Some statements fail on every version for a particular table: `CREATE INDEX CONCURRENTLY` on a partitioned table, and a `NOT VALID` foreign key on a partitioned table before 18. The migration would stop at this statement.',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN total_with_tax numeric GENERATED ALWAYS AS (total * 1.2);\nALTER TABLE orders ADD CONSTRAINT orders_status_not_null NOT NULL status NOT VALID;',
    good: 'ALTER TABLE orders ADD COLUMN total_with_tax numeric GENERATED ALWAYS AS (total * 1.2) STORED;\nALTER TABLE orders ADD CONSTRAINT orders_status_not_null CHECK (status IS NOT NULL) NOT VALID;',
    version: 16,
  },
  check(stmt, ctx) {
    if (stmt.kind === 'CreateStmt') {
      // Generated columns in CREATE TABLE have no effects entry (the table is new): check the syntax here.
      for (const elt of stmt.ast.tableElts ?? []) {
        const gen = (elt.ColumnDef?.constraints ?? []).map((c: any) => c.Constraint).find((c: any) => c?.contype === 'CONSTR_GENERATED');
        if (!gen) continue;
        const entry: EffectId = gen.generated_kind === 'v' ? 'add-column-generated-virtual' : 'add-column-generated-stored';
        const from = effectEntry(entry).claims[0]!.from;
        if (from <= ctx.version) continue;
        const what = gen.generated_kind === 'v' ? 'VIRTUAL generated columns (the default when STORED is not written)' : 'Generated columns';
        const hint = instead[entry]?.(ctx.version);
        ctx.report({ at: stmt.at(gen.location ?? elt.ColumnDef.location), message: `${what} need PostgreSQL ${from} or later: PostgreSQL ${ctx.version} rejects column ${elt.ColumnDef.colname}`, ...(hint ? { fix: hint } : {}) });
      }
      return;
    }
    for (const part of ctx.effect.parts) {
      if (!part.claim) {
        const entry = effectEntry(part.entry);
        const from = entry.claims[0]!.from;
        if (from <= ctx.version) continue; // (no entry ends before the newest version)
        const hint = instead[part.entry]?.(ctx.version);
        ctx.report({
          at: part.at,
          message: `${entry.title} needs PostgreSQL ${from} or later: PostgreSQL ${ctx.version} rejects it`,
          ...(hint ? { fix: hint } : {}),
        });
        continue;
      }
      const table = part.relations.table?.[0];
      const info = table ? ctx.catalog.table(table) : undefined;
      if (info?.kind !== 'partitioned') continue;
      if (part.entry === 'create-index-concurrently') {
        const name = stmt.ast.idxname ?? `${table!.name}_idx`;
        ctx.report({
          at: part.at,
          message: `CREATE INDEX CONCURRENTLY fails on partitioned table ${sqlName(table!)}: Postgres cannot build a partitioned index concurrently`,
          fix: `Create the parent index ON ONLY ${sqlName(table!)} (instant, invalid at first), build each partition's index with CREATE INDEX CONCURRENTLY, and ALTER INDEX ${name} ATTACH PARTITION each one; the parent index becomes valid when every partition has one.`,
        });
      } else if (part.entry === 'add-foreign-key-not-valid' && ctx.version < 18) {
        ctx.report({
          at: part.at,
          message: `A NOT VALID foreign key on partitioned table ${sqlName(table!)} fails before PostgreSQL 18`,
          fix: 'Add the foreign key NOT VALID to each partition and VALIDATE it there; then add it to the parent (without NOT VALID): the parent adopts the partitions\u2019 valid keys without scanning again.',
        });
      }
    }
  },
});
