import { defineRule } from './rule.js';
import { outsideTransactionAdvice, runnerTransaction, sqlBlock } from './helpers.js';

export default defineRule({
  id: 'transaction-nesting',
  title: 'Do not nest BEGIN, or COMMIT a transaction the migration did not open',
  category: 'transactions',
  severity: 'warning',
  kinds: ['TransactionStmt'],
  why:
    'Postgres has no nested transactions. A `BEGIN` inside an open transaction only warns "there is already a transaction in progress" and is ignored, so the first `COMMIT` commits everything so far — including the runner\u2019s own transaction when the runner wraps the migration: the statements after it run one by one in autocommit (a failure leaves the migration half applied) and the runner\u2019s final `COMMIT` warns "there is no transaction in progress".\n\n' +
    'A `COMMIT` or `ROLLBACK` with no transaction open does nothing but warn; it usually means the file was written for a runner that wraps migrations in a transaction, or that its `BEGIN` is missing.',
  examples: {
    bad: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nBEGIN;\nALTER TABLE customers ADD COLUMN vip boolean;\nCOMMIT;\nCOMMIT;',
    good: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;\n\nBEGIN;\nALTER TABLE customers ADD COLUMN vip boolean;\nCOMMIT;',
  },
  peers: ['squawk: transaction-nesting'],
  check(stmt, ctx) {
    const kind = stmt.ast.kind as string;
    const tx = ctx.tx;
    const multi = ctx.migration.transaction === 'multi-statement';
    const word = kind === 'TRANS_STMT_START' ? 'START TRANSACTION' : stmt.text.trim().split(/\s+/)[0]!.toUpperCase();
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
      if (!tx.open) return;
      if (tx.begin) {
        ctx.report({
          message: `${word} inside a transaction that an earlier BEGIN already opened: Postgres warns and ignores it, so the first COMMIT already ends the outer block, the statements after it run in autocommit, and the second COMMIT only warns`,
          fix: 'COMMIT the first block before starting the next one, or remove this BEGIN and its COMMIT so that the statements run in the outer block.',
        });
        return;
      }
      // golang-migrate's multi-statement query: a BEGIN turns the implicit transaction into an explicit one, silently and harmlessly.
      if (multi) return;
      ctx.report({
        message: `${word} inside the runner's transaction is ignored with a warning, and the COMMIT that follows commits the runner's transaction early, so later statements run in autocommit: ${runnerTransaction(ctx)}`,
        fix: sqlBlock(
          'Remove the BEGIN and its COMMIT: the runner already runs the migration as one transaction.',
          `If the file needs its own transaction control (for a statement that cannot run in a transaction), turn the runner's transaction off for this migration instead. ${outsideTransactionAdvice(ctx)}`,
        ),
      });
      return;
    }
    if (kind !== 'TRANS_STMT_COMMIT' && kind !== 'TRANS_STMT_ROLLBACK') return;
    const ends = kind === 'TRANS_STMT_COMMIT' ? 'commits' : 'rolls back';
    if (!tx.open) {
      ctx.report({
        message: `${word} with no transaction open: Postgres only warns "there is no transaction in progress", and whatever it was meant to ${kind === 'TRANS_STMT_COMMIT' ? 'commit' : 'undo'} has already been committed statement by statement`,
        fix: 'Add the BEGIN this statement belongs to, or remove it. If the file was written for a runner that wraps each migration in a transaction, lint it with that layout (or set `layouts.<layout>.transaction` in the config).',
      });
      return;
    }
    if (tx.begin || !tx.byRunner) return;
    if (multi) {
      ctx.report({
        message: `${word} with no BEGIN in a multi-statement file warns "there is no transaction in progress" and ${ends} everything before it on its own, so a later failure leaves the migration half applied: ${runnerTransaction(ctx)}`,
        fix: 'Remove it so the file runs as one transaction, or wrap the statements it should end in BEGIN; … COMMIT;.',
      });
      return;
    }
    ctx.report({
      message: `${word} inside the runner's transaction ${ends} it early: the statements after it run in autocommit, and the runner's own COMMIT warns "there is no transaction in progress" — ${runnerTransaction(ctx)}`,
      fix: sqlBlock(
        `Remove the ${word}: the runner ${kind === 'TRANS_STMT_COMMIT' ? 'commits' : 'rolls back'} the migration itself.`,
        `If the migration needs to commit part way (e.g. before a statement that cannot run in a transaction), turn the runner's transaction off for it and write BEGIN … COMMIT yourself. ${outsideTransactionAdvice(ctx)}`,
      ),
    });
  },
});
