import { defineRule } from './rule.js';
import { quoteIdent } from './helpers.js';

export default defineRule({
  id: 'dropping-database',
  title: 'Do not drop databases in a migration',
  category: 'destructive',
  severity: 'error',
  kinds: ['DropdbStmt'],
  why:
    '`DROP DATABASE` deletes a whole database: every table, every row, every function. A migration is the wrong place for it: it runs wherever the migration runs (staging, production, a colleague\u2019s laptop), and it cannot be rolled back. It also cannot run inside a transaction block, and `WITH (FORCE)` terminates every session connected to the database first.',
  examples: {
    bad: 'DROP DATABASE analytics;',
    good: '-- retire it in the migration; drop it by hand after a backup:\nREVOKE CONNECT ON DATABASE analytics FROM PUBLIC;',
  },
  peers: ['squawk: ban-drop-database', 'pgfence: drop-database'],
  check(stmt, ctx) {
    const a = stmt.ast;
    const force = (a.options ?? []).some((o: any) => o.DefElem?.defname === 'force');
    ctx.report({
      at: stmt.span.start,
      message: `DROP DATABASE ${quoteIdent(a.dbname)} deletes the whole database and everything in it${force ? ', after terminating every session connected to it' : ''}`,
      fix: 'Do not drop databases from a migration: take a backup (pg_dump) and drop it by hand, once nothing connects to it any more.',
    });
  },
});
