import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { lockTimeoutRetry, partLocks, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'changing-inheritance',
  title: 'Deploy readers first when a table starts or stops inheriting',
  category: 'compatibility',
  severity: 'warning',
  kinds: ['AlterTableStmt'],
  why:
    '`ALTER TABLE child INHERIT parent` makes every query on the parent (without `ONLY`) include the child\u2019s rows from the moment it commits; `NO INHERIT` makes them disappear from it. Counts, reports, updates and deletes through the parent change what they touch. Both take ACCESS EXCLUSIVE on the child and on the parent, so every query on either table waits while the statement waits for its locks.\n\n' +
    'Deploy code that expects the new result first (or that queries the parent with `ONLY` where it must not see the child), and run the statement with a short `lock_timeout`, retrying on timeout. Tables created in the same migration are not flagged.',
  examples: {
    bad: 'ALTER TABLE orders_2023 INHERIT orders;',
    good: '-- a table created in the same migration is not flagged:\nCREATE TABLE orders_2025 (LIKE orders);\nALTER TABLE orders_2025 INHERIT orders;',
  },
  peers: ['pgfence: inherit', 'pgfence: no-inherit', 'squawk: ban-detach-inheritance'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'inherit') continue;
      const child = fromRangeVar(stmt.ast.relation);
      const parent = part.relations.referenced?.[0];
      if (ctx.isNew(child) || (parent && ctx.isNew(parent))) continue;
      const add = part.node?.subtype === 'AT_AddInherit';
      const [c, p] = [sqlName(child), parent ? sqlName(parent) : 'the parent'];
      ctx.report({
        at: parent && part.node?.def?.RangeVar ? stmt.at(part.node.def.RangeVar.location) : part.at,
        table: child,
        message: `${c} ${add ? 'INHERIT' : 'NO INHERIT'} ${p}: queries on ${p} (without ONLY) ${add ? 'start' : 'stop'} seeing the rows of ${c} the moment it commits; it takes ${partLocks(part)}`,
        fix: sqlBlock(
          add
            ? `Deploy code that expects ${p} to include the rows of ${c} first (counts, reports, UPDATE and DELETE through ${p}); queries that must not see them need SELECT \u2026 FROM ONLY ${p}. Then keep the wait for the locks short:`
            : `Deploy code that no longer expects the rows of ${c} in ${p} first (or reads ${c} directly). Then keep the wait for the locks short:`,
          ...lockTimeoutRetry(ctx, `${stmt.text.trim()};`),
        ),
      });
    }
  },
});
