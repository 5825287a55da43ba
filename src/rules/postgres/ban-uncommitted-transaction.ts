import { defineRule } from './rule.js';
import { blocksTraffic } from '../../dialects/postgres/locks.js';
import { lockPhrase, sqlName, strongestLock } from './helpers.js';

export default defineRule({
  id: 'ban-uncommitted-transaction',
  title: 'Close every BEGIN with COMMIT',
  category: 'transactions',
  severity: 'error',
  why:
    'A migration that ends inside `BEGIN` leaves its transaction open. What happens next depends on the runner: `psql -f` exits and the server rolls everything back, reporting success all the same; a runner that keeps the connection holds the transaction — and every lock it took — until something on that connection commits or the connection closes. Either the change silently never happens, or tables stay locked for an unknown time.',
  examples: {
    bad: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nUPDATE orders SET shipped_at = now() WHERE status = \'shipped\';',
    good: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nUPDATE orders SET shipped_at = now() WHERE status = \'shipped\';\nCOMMIT;',
  },
  peers: ['squawk: ban-uncommitted-transaction', 'pgfence: unclosed-transaction'],
  end(ctx) {
    const begin = ctx.tx.open ? ctx.tx.begin : undefined;
    if (!begin) return;
    const held = strongestLock([...ctx.tx.held.values()].filter((h) => blocksTraffic(h.mode)));
    const holding = held ? `, holding ${lockPhrase(held.mode)} on ${held.tables.map(sqlName).join(', ')}` : '';
    ctx.report({
      at: begin.span,
      message: `${begin.ast.kind === 'TRANS_STMT_START' ? 'START TRANSACTION' : 'BEGIN'} is never committed: the transaction is still open when the ${ctx.migration.section === 'down' ? 'down migration' : 'migration'} ends${holding}, and is either rolled back when the connection closes or left open with its locks`,
      fix: 'End the block with `COMMIT;` after its last statement (or remove the BEGIN when the runner already wraps the migration in a transaction).',
    });
  },
});
