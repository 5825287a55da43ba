import { defineRule } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import { key } from '../../dialects/postgres/names.js';
import { andList, inTransactionBlock, lockPhrase, outsideTransactionAdvice, partLocks, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'truncate-table',
  title: 'Do not TRUNCATE live tables in a migration',
  category: 'destructive',
  severity: 'warning',
  kinds: ['TruncateStmt'],
  why:
    '`TRUNCATE` deletes every row at once and takes ACCESS EXCLUSIVE on the table, so it waits for every running query and blocks every later one. It is also not MVCC-safe: a transaction that took its snapshot before the TRUNCATE sees the table empty afterwards, not the rows it should see.\n\n' +
    'With `CASCADE` it also empties every table that references it with a foreign key, and every table that references those, recursively, without naming them: one statement can wipe half the schema. Name every table you mean to empty instead. Tables created in the same migration are not flagged.',
  examples: {
    bad: 'TRUNCATE customers CASCADE;',
    good:
      '-- a table created in the same migration is not flagged:\nCREATE TABLE import_batch (id bigint PRIMARY KEY, payload jsonb);\nTRUNCATE import_batch;',
  },
  peers: ['squawk: ban-truncate-cascade', 'pgfence: truncate', 'pgfence: truncate-cascade'],
  check(stmt, ctx) {
    const part = ctx.effect.parts[0];
    if (part?.entry !== 'truncate' && part?.entry !== 'truncate-cascade') return;
    const tables = (part.relations.table ?? []).filter((t) => !ctx.isNew(t));
    if (!tables.length) return;
    const cascade = part.entry === 'truncate-cascade';
    const listed = new Set((part.relations.table ?? []).map(key));
    // Every table that references them, recursively (the catalog knows the foreign keys).
    const reached: QualifiedName[] = [];
    const seen = new Set(listed);
    for (let queue = [...(part.relations.table ?? [])]; queue.length; ) {
      for (const r of ctx.catalog.referencing(queue.shift()!)) {
        if (seen.has(key(r))) continue;
        seen.add(key(r));
        reached.push(r);
        queue.push(r);
      }
    }
    const names = andList(tables.map(sqlName));
    const tableMode = part.claim?.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
    const notMvcc = 'it is not MVCC-safe: transactions with an older snapshot see the table empty';
    if (cascade) {
      const refMode = part.claim?.locks.find((l) => l.on === 'referencing')?.mode ?? tableMode;
      const all = [...tables, ...reached.filter((r) => !ctx.isNew(r))];
      ctx.report({
        at: stmt.span.start,
        severity: 'error',
        message: reached.length
          ? `TRUNCATE ${names} CASCADE also empties ${andList(reached.map(sqlName))} (every table that references it, recursively), all under ${lockPhrase(refMode)}; ${notMvcc}`
          : `TRUNCATE ${names} CASCADE deletes every row under ${lockPhrase(tableMode)} and also empties every table that references it, recursively (lockstep does not know which: pass --db); ${notMvcc}`,
        fix: sqlBlock(
          'Name every table you mean to empty, without CASCADE: Postgres then refuses to empty a referencing table you did not list, instead of emptying it silently:',
          `TRUNCATE ${reached.length ? all.map(sqlName).join(', ') : `${tables.map(sqlName).join(', ')}, <each table that references ${tables.length > 1 ? 'them' : 'it'}>`};`,
        ),
      });
      return;
    }
    const missing = (part.relations.table ?? []).flatMap((t) => ctx.catalog.referencing(t)).filter((r, i, all) => !listed.has(key(r)) && all.findIndex((x) => key(x) === key(r)) === i);
    ctx.report({
      at: stmt.span.start,
      message: `TRUNCATE ${names} deletes every row at once under ${partLocks(part, (rel) => !ctx.isNew(rel))}; ${notMvcc}${missing.length ? `, and it fails while ${andList(missing.map(sqlName))} ${missing.length > 1 ? 'reference' : 'references'} it (unless listed too)` : ''}`,
      fix: sqlBlock(
        'If the rows must go while the application runs, delete them in batches instead, each batch its own transaction, so reads and writes go on and every reader sees a consistent snapshot:',
        ...tables.map((t) => `DELETE FROM ${sqlName(t)} WHERE ctid IN (SELECT ctid FROM ${sqlName(t)} LIMIT 5000);  -- repeat until it deletes 0 rows`),
        inTransactionBlock(ctx) ? `(A transaction around the batches would hold every row lock to the end. ${outsideTransactionAdvice(ctx)})` : undefined,
        "If emptying it at once is what you want and nothing reads it meanwhile, keep TRUNCATE, with a short lock_timeout (SET lock_timeout = '2s') so it gives up instead of queueing traffic.",
      ),
    });
  },
});
