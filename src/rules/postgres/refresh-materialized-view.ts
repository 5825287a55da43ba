import { defineRule } from './rule.js';
import { claimFor } from '../../dialects/postgres/effects.js';
import { andList, inTransactionBlock, lockPhrase, outsideTransactionAdvice, partLocks, quoteIdent, sqlBlock, sqlName, suffixedName } from './helpers.js';

export default defineRule({
  id: 'refresh-materialized-view',
  title: 'Refresh materialized views CONCURRENTLY',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['RefreshMatViewStmt'],
  why:
    'A plain `REFRESH MATERIALIZED VIEW` reruns the view\u2019s query and swaps in the result while holding ACCESS EXCLUSIVE on the view: every read of the view waits for the whole refresh. `REFRESH MATERIALIZED VIEW CONCURRENTLY` computes the new result next to the old one and applies the difference under an EXCLUSIVE lock, so reads go on (it is slower, and only one refresh runs at a time).\n\n' +
    '`CONCURRENTLY` needs at least one unique index on the view that covers every row (plain columns, no `WHERE`), and a view that has been populated: a view created in the same migration (for example `WITH NO DATA`, whose first refresh cannot be concurrent) is not flagged.',
  examples: {
    bad: 'REFRESH MATERIALIZED VIEW order_totals;',
    good:
      'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\n\n-- a view created in the same migration is not flagged:\nCREATE MATERIALIZED VIEW daily_sales AS SELECT created_at::date AS day, sum(total) AS total FROM orders GROUP BY 1 WITH NO DATA;\nREFRESH MATERIALIZED VIEW daily_sales;',
  },
  peers: ['pgfence: refresh-matview-blocking'],
  check(stmt, ctx) {
    const part = ctx.effect.parts[0];
    if (part?.entry !== 'refresh-materialized-view') return;
    const view = part.relations.table?.[0];
    if (!view || ctx.isNew(view)) return;
    const V = sqlName(view);
    if (stmt.ast.skipData) {
      ctx.report({
        at: part.at,
        table: view,
        message: `REFRESH MATERIALIZED VIEW ${V} WITH NO DATA empties the view under ${partLocks(part)}: every query on it fails ("has not been populated") until it is refreshed again`,
        fix: `If nothing reads ${V} any more, drop it (DROP MATERIALIZED VIEW ${V};); otherwise refresh it, CONCURRENTLY, instead of emptying it.`,
      });
      return;
    }
    const info = ctx.catalog.table(view);
    const uniques = [...(info?.indexes ?? [])].filter((n) => ctx.catalog.index({ ...(view.schema ? { schema: view.schema } : {}), name: n })?.unique);
    const concurrentLock = claimFor('refresh-materialized-view-concurrently', ctx.version)?.locks.find((l) => l.on === 'table')?.mode ?? 'Exclusive';
    const index = { ...(view.schema ? { schema: view.schema } : {}), name: suffixedName(view.name, '_key') };
    const createIndex = `CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(index.name)} ON ${V} (<columns that identify a row>);`;
    ctx.report({
      at: part.at,
      table: view,
      message: `REFRESH MATERIALIZED VIEW ${V} holds ${partLocks(part)} while the whole query reruns: every read of ${V} waits until it is done`,
      fix: sqlBlock(
        `Refresh it CONCURRENTLY: it takes ${lockPhrase(concurrentLock)}, so reads go on.`,
        info && uniques.length
          ? `It uses a unique index of the view to match rows (${V} has ${andList(uniques.map(quoteIdent))}):`
          : info
            ? `That needs a unique index on the view covering every row (plain columns, no WHERE), and ${V} has none: create one first:`
            : `That needs a unique index on the view covering every row (plain columns, no WHERE); if ${V} has none, create one first:`,
        !(info && uniques.length) ? createIndex : undefined,
        !(info && uniques.length) && inTransactionBlock(ctx) ? `(CREATE INDEX CONCURRENTLY cannot run inside a transaction block. ${outsideTransactionAdvice(ctx)})` : undefined,
        `REFRESH MATERIALIZED VIEW CONCURRENTLY ${V};`,
      ),
    });
  },
});
