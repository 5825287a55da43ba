import { defineRule } from './rule.js';
import type { EffectId } from '../../dialects/postgres/effects.js';
import { fromNameList, fromRangeVar } from '../../dialects/postgres/names.js';
import { outsideTransactionAdvice, runnerTransaction, sqlBlock, sqlName, quoteIdent } from './helpers.js';

/** What Postgres calls each statement in its error, and how lockstep names the statement. */
const labels: Partial<Record<EffectId, { error: string; what: (a: any) => string }>> = {
  'create-index-concurrently': { error: 'CREATE INDEX CONCURRENTLY', what: (a) => `CREATE INDEX CONCURRENTLY${a.idxname ? ` ${quoteIdent(a.idxname)}` : ''} on ${sqlName(fromRangeVar(a.relation))}` },
  'drop-index-concurrently': { error: 'DROP INDEX CONCURRENTLY', what: (a) => `DROP INDEX CONCURRENTLY ${sqlName(fromNameList(a.objects?.[0]?.List?.items))}` },
  'reindex-concurrently': { error: 'REINDEX CONCURRENTLY', what: (a) => `REINDEX CONCURRENTLY${a.relation ? ` ${sqlName(fromRangeVar(a.relation))}` : ''}` },
  'detach-partition-concurrently': { error: 'ALTER TABLE ... DETACH CONCURRENTLY', what: (a) => `DETACH PARTITION … CONCURRENTLY on ${sqlName(fromRangeVar(a.relation))}` },
  vacuum: { error: 'VACUUM', what: (a) => `VACUUM${vacuumTables(a)}` },
  'vacuum-full': { error: 'VACUUM', what: (a) => `VACUUM FULL${vacuumTables(a)}` },
  'enum-add-value': { error: 'ALTER TYPE ... ADD', what: (a) => `ALTER TYPE ${sqlName(fromNameList(a.typeName))} ADD VALUE` },
};

function vacuumTables(a: any): string {
  const names = (a.rels ?? []).map((r: any) => sqlName(fromRangeVar(r.VacuumRelation?.relation)));
  return names.length ? ` ${names.join(', ')}` : '';
}

export default defineRule({
  id: 'concurrently-in-transaction',
  title: 'Run CONCURRENTLY, VACUUM and other non-transactional statements outside a transaction block',
  category: 'transactions',
  severity: 'error',
  kinds: ['IndexStmt', 'DropStmt', 'ReindexStmt', 'AlterTableStmt', 'VacuumStmt', 'AlterEnumStmt'],
  why:
    'Some statements manage their own transactions and refuse to run inside a transaction block: `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY` (12+), `ALTER TABLE … DETACH PARTITION … CONCURRENTLY` (14+), `VACUUM`, and on PostgreSQL 11 `ALTER TYPE … ADD VALUE`. Inside `BEGIN … COMMIT` they fail with "… cannot run inside a transaction block", and so does the rest of the migration.\n\n' +
    'The block is not always written in the file: many runners wrap every migration in a transaction (dbmate, Prisma, Flyway, diesel, node-pg-migrate by default), and golang-migrate sends a file of several statements as one query, which Postgres runs as one implicit transaction — even after a `COMMIT` in the middle of the file.',
  examples: {
    bad: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);\nCOMMIT;',
    good: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;\n\n-- outside the block, on its own:\nCREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);',
  },
  peers: ['squawk: ban-concurrent-index-creation-in-transaction', 'pgfence: concurrent-in-transaction'],
  check(stmt, ctx) {
    if (!ctx.tx.open) return;
    const part = ctx.effect.parts.find((p) => p.claim?.transactional === false);
    if (!part) return;
    // ALTER TYPE … ADD VALUE in a transaction on 11 is enum-value-in-transaction's (one finding per problem).
    if (part.entry === 'enum-add-value') return;
    const label = labels[part.entry] ?? { error: part.entry, what: () => stmt.text.split(/\s+/).slice(0, 3).join(' ') };
    const what = label.what(stmt.ast);
    const fails = `fails with "${label.error} cannot run inside a transaction block"`;
    const runner = ctx.migration.transaction !== 'none';
    let message: string;
    let fix: string;
    if (ctx.tx.begin) {
      const alsoRunner = runner && ctx.migration.transaction === 'multi-statement';
      message = `${what} inside BEGIN … COMMIT ${fails}`;
      fix = sqlBlock(
        'Move it out of the BEGIN … COMMIT block (after the COMMIT), so it runs as a statement of its own:',
        `${stmt.text};`,
        alsoRunner ? `Removing the BEGIN is not enough here: ${runnerTransaction(ctx)}. ${outsideTransactionAdvice(ctx)}` : runner ? outsideTransactionAdvice(ctx) : undefined,
      );
    } else {
      message = `${what} ${fails}: ${runnerTransaction(ctx)}`;
      fix = sqlBlock(outsideTransactionAdvice(ctx), 'The statement on its own:', `${stmt.text};`);
    }
    ctx.report({ at: stmt.span.start, message, fix });
  },
});
