import { defineRule, type HeldLock, type RuleContext } from './rule.js';
import type { EffectPart } from '../../dialects/postgres/classify.js';
import { key } from '../../dialects/postgres/names.js';
import { LOCKING_KINDS, onExisting, quoteStatement, runnerTransaction, sqlBlock, sqlName, statementLabel, tableOf } from './helpers.js';

const validates = new Set(['validate-check', 'validate-foreign-key', 'validate-not-null']);

/** VALIDATE of a constraint added NOT VALID earlier in this transaction (not-valid-validate-same-transaction reports it). */
function validatesOwnNotValid(ctx: RuleContext, p: EffectPart): boolean {
  const t = tableOf(p);
  return validates.has(p.entry) && !!t && ctx.tx.notValid.has(`${key(t)}.${p.node?.name}`);
}

export default defineRule({
  id: 'multiple-access-exclusive-in-transaction',
  title: 'Do not hold an ACCESS EXCLUSIVE lock while taking another one or scanning a table',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: LOCKING_KINDS,
  why:
    'Locks are held until the transaction ends. Once a statement has taken ACCESS EXCLUSIVE on a table, nobody can read or write that table until COMMIT — so whatever the transaction does next is added to that outage. Waiting for a second table\u2019s ACCESS EXCLUSIVE keeps the first table blocked for the whole wait (and deadlocks when another transaction locks the two tables in the other order); a statement that scans or rewrites a table (a backfill UPDATE, an index build, a validation) keeps it blocked for the whole scan, even when that statement alone would take a weaker lock.\n\n' +
    'Give each table its own short transaction with its own `lock_timeout`: separate migrations, or a COMMIT in between.',
  examples: {
    bad: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nUPDATE orders SET shipped_at = updated_at WHERE status = \'shipped\';\nALTER TABLE customers ADD COLUMN vip boolean;\nCOMMIT;',
    good:
      "BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;\n\nBEGIN;\nALTER TABLE customers ADD COLUMN vip boolean;\nCOMMIT;\n\n-- tables created in the same migration are not in use yet:\nBEGIN;\nCREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);\nALTER TABLE refunds ADD COLUMN reason text;\nCREATE INDEX refunds_order_id_idx ON refunds (order_id);\nCOMMIT;",
  },
  peers: ['pgfence: wide-lock-window', 'pgfence: statement-after-access-exclusive'],
  check(stmt, ctx) {
    const tx = ctx.tx;
    if (!tx.open || !tx.held.size) return;
    const earlier: HeldLock[] = [];
    for (const h of tx.held.values()) if (h.mode === 'AccessExclusive' && !ctx.isNew(h.relation)) earlier.push(h);
    if (!earlier.length) return;
    const ownAE = new Set(ctx.effect.locks.filter((l) => l.mode === 'AccessExclusive' && !ctx.isNew(l.relation)).map((l) => key(l.relation)));

    // A scan or rewrite of an existing table while an earlier ACCESS EXCLUSIVE is held (on a table this statement would not block anyway).
    if (ctx.effect.rewrite || ctx.effect.scan) {
      for (const p of onExisting(ctx)) {
        if (!p.claim || !(p.claim.rewrite || p.claim.scan) || !p.claim.transactional) continue;
        const scanned = tableOf(p);
        if (!scanned || ctx.isNew(scanned)) continue;
        const own = validatesOwnNotValid(ctx, p);
        const h = earlier.find((x) => !ownAE.has(key(x.relation)) && !(own && key(x.relation) === key(scanned)));
        if (!h) continue;
        const held = sqlName(h.relation);
        ctx.report({
          at: p.at,
          table: scanned,
          message: `${statementLabel(stmt)} ${p.claim.rewrite ? 'rewrites' : 'scans'} ${sqlName(scanned)} while this transaction holds ACCESS EXCLUSIVE on ${held} (taken by \`${quoteStatement(h.stmt)}\`): ${held} stays blocked for reads and writes for the whole ${p.claim.rewrite ? 'rewrite' : 'scan'}`,
          fix: splitFix(ctx, h, stmt.text),
        });
        return;
      }
    }

    // Waiting for a second table's ACCESS EXCLUSIVE while the first one is held.
    if (!ownAE.size) return;
    const h = earlier.find((x) => !ownAE.has(key(x.relation)));
    if (!h) return;
    const second = [...ownAE].map((k) => ctx.effect.locks.find((l) => key(l.relation) === k)!.relation);
    const held = sqlName(h.relation);
    ctx.report({
      at: stmt.span.start,
      table: h.relation,
      message: `${statementLabel(stmt)} waits for ACCESS EXCLUSIVE on ${second.map(sqlName).join(', ')} while this transaction still holds ACCESS EXCLUSIVE on ${held} (taken by \`${quoteStatement(h.stmt)}\`): ${held} stays blocked for reads and writes while it waits, and a transaction that locks them in the other order deadlocks with it`,
      fix: splitFix(ctx, h, stmt.text),
    });
  },
});

function splitFix(ctx: RuleContext, earlier: HeldLock, text: string): string {
  if (ctx.tx.begin) {
    return sqlBlock(
      'Commit after the earlier statement, so that each transaction blocks one table briefly, each with its own lock_timeout:',
      `${earlier.stmt.text};`,
      'COMMIT;',
      'BEGIN;',
      "SET LOCAL lock_timeout = '2s';",
      `${text};`,
    );
  }
  return sqlBlock(
    `Put them in separate migrations, one table each, each with its own lock_timeout: ${runnerTransaction(ctx)}, so the statements of one migration share it.`,
    '-- first migration',
    "SET LOCAL lock_timeout = '2s';",
    `${earlier.stmt.text};`,
    '-- next migration',
    "SET LOCAL lock_timeout = '2s';",
    `${text};`,
  );
}
