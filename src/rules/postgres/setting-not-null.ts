import { defineRule } from './rule.js';
import { fromRangeVar, key, strings } from '../../dialects/postgres/names.js';
import { isNotNullCheck } from '../../dialects/postgres/catalog.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import type { QualifiedName } from '../../core/types.js';
import { claimFor } from '../../dialects/postgres/effects.js';
import { sqlLockName } from '../../dialects/postgres/locks.js';
import { alterColumnAt, checkConstraintName, lockPhrase, notNullSteps, objectName, pendingNotNullProof, quoteIdent, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'setting-not-null',
  title: 'Make existing columns NOT NULL without a long scan under ACCESS EXCLUSIVE',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    '`ALTER COLUMN … SET NOT NULL` reads every row to check for NULLs while holding ACCESS EXCLUSIVE: nothing can read or write the table until the scan is done.\n\nOn Postgres 12–17, add `CHECK (col IS NOT NULL) NOT VALID` (instant), `VALIDATE` it (scans under SHARE UPDATE EXCLUSIVE while reads and writes go on), and SET NOT NULL then uses the constraint instead of scanning; drop the CHECK afterwards. On Postgres 18, add the NOT NULL constraint itself `NOT VALID` and validate it. Postgres 11 cannot skip the scan at all.',
  examples: {
    bad: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
    good: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);\nALTER TABLE refunds ALTER COLUMN order_id SET NOT NULL;',
  },
  peers: ['squawk: adding-not-nullable-field', 'strong_migrations: change_column_null_postgresql', 'pgfence: alter-column-set-not-null'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if ((part.entry !== 'set-not-null' && part.entry !== 'set-not-null-with-check') || !part.claim?.scan) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const constraint = part.node?.def?.Constraint;
      const column: string = constraint ? (strings(constraint.keys)[0] ?? '?') : part.node?.name;
      if (ctx.catalog.column(table, column)?.notNull) continue; // already NOT NULL: Postgres does nothing
      const earlier = proofsInThisMigration(ctx.previous, table, column);
      if (earlier.valid && ctx.version >= 12) continue; // a valid CHECK (col IS NOT NULL) from earlier in this migration: no scan
      const t = sqlName(table);
      const c = quoteIdent(column);
      const mode = part.claim.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
      const at = constraint ? part.at : (alterColumnAt(stmt, column, ['SET', 'NOT', 'NULL']) ?? part.at);
      const pending = pendingNotNullProof(ctx.catalog, table, column) ?? earlier.pending;
      const { steps, note } = notNullSteps(ctx.version, table, column, pending);
      const validate = sqlLockName(claimFor('validate-check', ctx.version)?.locks.find((l) => l.on === 'table')?.mode ?? 'ShareUpdateExclusive');
      const ownName = constraint?.conname ? quoteIdent(constraint.conname) : undefined;
      const steps18 = ownName && ctx.version >= 18 && !pending ? steps.map((s) => s.split(quoteIdent(objectName(table.name, column, 'not_null'))).join(ownName)) : steps;
      let message: string;
      let severity: 'error' | undefined;
      if (constraint && ctx.version < 18) {
        message = `ADD CONSTRAINT ${ownName ?? '…'} NOT NULL ${c} is Postgres 18 syntax: on Postgres ${ctx.version} it is a syntax error (use ALTER COLUMN ${c} SET NOT NULL, the safe way below)`;
        severity = 'error';
      } else if (constraint) message = `ADD CONSTRAINT ${ownName ?? '…'} NOT NULL ${c} without NOT VALID scans all of ${t} under ${lockPhrase(mode)} to check for NULLs`;
      else if (part.entry === 'set-not-null-with-check' || earlier.valid) message = `SET NOT NULL on ${t}.${c} scans all of ${t} under ${lockPhrase(mode)}: Postgres 11 does not use the valid CHECK (${c} IS NOT NULL) to skip the scan`;
      else message = `SET NOT NULL on ${t}.${c} scans all of ${t} under ${lockPhrase(mode)} to check for NULLs`;
      const intro =
        ctx.version >= 18 && (!pending || pending.kind === 'not-null')
          ? pending
            ? `${sqlName({ name: pending.name })} is already there NOT VALID: validate it instead (it scans under ${validate}, so reads and writes go on), in a transaction of its own:`
            : `Add the NOT NULL constraint NOT VALID (instant; new rows are checked from then on), then validate it in a separate transaction (it scans under ${validate}, so reads and writes go on):`
          : ctx.version >= 12
            ? pending
              ? `Validate the NOT VALID ${sqlName({ name: pending.name })} that is already there (it scans under ${validate}, so reads and writes go on); SET NOT NULL then uses it instead of scanning. Run each statement as its own transaction:`
              : `Prove there are no NULLs with a CHECK constraint first: added NOT VALID it is instant, VALIDATE scans under ${validate} while reads and writes go on, and SET NOT NULL then uses it instead of scanning. Run each statement as its own transaction:`
            : note!;
      ctx.report({
        at,
        ...(severity ? {} : { table }), // a syntax error is an error whatever the table's size
        message,
        ...(severity ? { severity } : {}),
        fix: sqlBlock(
          intro,
          ...steps18,
          ctx.version < 12 &&
            (part.entry === 'set-not-null-with-check' || earlier.valid
              ? `The valid CHECK (${c} IS NOT NULL) already keeps NULLs out; if the column's NOT NULL flag itself is not needed, leave this statement out.`
              : sqlBlock(
                  `If the column's NOT NULL flag itself is not needed, a validated CHECK constraint enforces the same rule without the long lock (VALIDATE scans under ${validate}):`,
                  !pending && `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(objectName(table.name, column, 'not_null'))} CHECK (${c} IS NOT NULL) NOT VALID;`,
                  `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(pending?.name ?? objectName(table.name, column, 'not_null'))};`,
                )),
        ),
      });
    }
  },
});

/**
 * NOT NULL proofs for `column` that earlier statements of this migration added (the catalog keeps them only for
 * tables it knows): a CHECK (col IS NOT NULL) or, on 18, a NOT NULL constraint, and whether it was validated.
 */
function proofsInThisMigration(previous: Statement[], table: QualifiedName, column: string): { valid?: string; pending?: { name: string; kind: string } } {
  const proofs = new Map<string, { kind: string; valid: boolean }>();
  for (const s of previous) {
    if (s.kind !== 'AlterTableStmt' || key(fromRangeVar(s.ast.relation)) !== key(table)) continue;
    for (const raw of s.ast.cmds ?? []) {
      const cmd = raw.AlterTableCmd;
      const con = cmd?.def?.Constraint;
      if (cmd?.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_CHECK' && isNotNullCheck(con.raw_expr) === column)
        proofs.set(con.conname ?? checkConstraintName(table, con.raw_expr), { kind: 'check', valid: !con.skip_validation });
      else if (cmd?.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_NOTNULL' && strings(con.keys)[0] === column)
        proofs.set(con.conname ?? objectName(table.name, column, 'not_null'), { kind: 'not-null', valid: !con.skip_validation });
      else if (cmd?.subtype === 'AT_ValidateConstraint' && proofs.has(cmd.name)) proofs.get(cmd.name)!.valid = true;
      else if (cmd?.subtype === 'AT_DropConstraint') proofs.delete(cmd.name);
    }
  }
  const all = [...proofs];
  const valid = all.find(([, p]) => p.valid)?.[0];
  const pending = all.find(([, p]) => !p.valid);
  return { ...(valid ? { valid } : {}), ...(pending ? { pending: { name: pending[0], kind: pending[1].kind } } : {}) };
}
