import { defineRule } from './rule.js';
import type { AlterTable, MyStatement } from '../../dialects/mysql/ast.js';
import { alterClauses, sqlBlock, sqlName, statementLabel } from './helpers.js';
import { tableKey } from '../../dialects/mysql/catalog.js';

export default defineRule({
  id: 'multiple-ddl-in-migration',
  title: 'One DDL statement per migration: MySQL commits each on its own',
  category: 'transactions',
  severity: 'warning',
  dialects: ['mysql'],
  why:
    'MySQL and MariaDB have no transactional DDL: every CREATE, ALTER, DROP, RENAME or TRUNCATE commits the open transaction before it runs and commits itself when it is done. `START TRANSACTION; ALTER …; ALTER …; COMMIT;` is not one change, and neither is a migration a runner wraps in a transaction (Flyway, Prisma): if the third statement fails — a lock wait timeout, a duplicate key, a refused ALGORITHM — the first two stay applied, the migration is recorded as failed or dirty (golang-migrate), and running it again fails at its first statement because that change already exists.\n\n' +
    'Keep each migration to one DDL statement, or to one ALTER TABLE per table with all its changes as clauses (one statement, applied all or nothing). Where several are unavoidable, write each so a rerun skips what is already done (`CREATE TABLE IF NOT EXISTS`; on MariaDB `ADD COLUMN IF NOT EXISTS`, `DROP INDEX IF EXISTS`).',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL;\nALTER TABLE orders ADD INDEX orders_coupon_idx (coupon);\nCREATE TABLE coupons (code VARCHAR(32) PRIMARY KEY);',
    good: 'ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL, ADD INDEX orders_coupon_idx (coupon);',
  },
  end(ctx) {
    const ddl = ctx.tx.ddl;
    if (ddl.length < 2) return;
    const second = ddl[1]!;
    const list = ddl.map((s) => `${statementLabel(s)} (${ctx.where(s.span.start)})`);
    const broken = ctx.tx.broken[0];
    const tx = broken ? (broken.byRunner ? ` The ${ctx.migration.layout} runner's transaction does not make them atomic: the first DDL commits it.` : ` The START TRANSACTION at ${ctx.where(broken.begin?.span.start ?? 0)} does not make them atomic: the first DDL commits it.`) : '';
    // Several ALTERs of one table can be one statement.
    const alters = new Map<string, AlterTable[]>();
    for (const s of ddl) if (s.kind === 'alter-table' && !s.actions.some((a) => a.type === 'rename-table')) alters.set(tableKey(s.table), [...(alters.get(tableKey(s.table)) ?? []), s]);
    const merge = [...alters.values()].find((l) => l.length > 1);
    ctx.report({
      at: second.span.start,
      message: `This migration runs ${ddl.length} DDL statements, and ${ctx.server.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} commits each on its own: if one fails, the ones before it stay applied and the migration is half done — ${list.join(', ')}.${tx}`,
      fix: merge
        ? sqlBlock(`Make the changes to ${sqlName(merge[0]!.table)} one statement (applied all or nothing), and put the other DDL in migrations of their own:`, '```sql', `ALTER TABLE ${sqlName(merge[0]!.table)} ${merge.map((s) => alterClauses(s)).join(', ')};`, '```')
        : `Put each DDL statement in a migration of its own${others(ddl)}, so a failure leaves a migration either applied or not.`,
    });
  },
});

function others(ddl: MyStatement[]): string {
  return ddl.some((s) => s.kind === 'create-table' && !s.ifNotExists) ? ' (or write `CREATE TABLE IF NOT EXISTS`, so a rerun skips what is already there)' : '';
}
