import { defineRule } from './rule.js';
import { andList, inTransactionBlock, lockPhrase, partLocks, pgRepackCommand, sqlBlock, sqlName } from './helpers.js';

/** `FULL`, `(FULL)`, `(FULL true)`: on; `(FULL false|off|no|0)`: off. */
function isFull(a: any): boolean {
  const o = (a.options ?? []).find((x: any) => x.DefElem?.defname === 'full')?.DefElem;
  if (!o) return false;
  const v = o.arg?.String?.sval ?? o.arg?.Boolean?.boolval ?? (o.arg?.Integer ? (o.arg.Integer.ival ?? 0) : undefined);
  return !(v === false || v === 0 || (typeof v === 'string' && /^(false|off|no|0)$/i.test(v)));
}

export default defineRule({
  id: 'vacuum-full',
  title: 'Reclaim space online instead of with VACUUM FULL',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['VacuumStmt'],
  why:
    '`VACUUM FULL` writes a new copy of the table and all its indexes while holding ACCESS EXCLUSIVE: nobody can read or write the table until it is done, which takes minutes to hours on a large table, and it needs free disk space for the whole copy. It cannot run inside a transaction block, so a migration runner that wraps migrations in one fails on it.\n\n' +
    'To give the space back to the operating system online, use `pg_repack` (`--no-order`) or `pg_squeeze`, which build the copy while traffic goes on and take the exclusive lock only briefly at the end. Often plain `VACUUM` is enough: it does not shrink the file, but makes the dead space reusable without blocking reads or writes.',
  examples: {
    bad: 'VACUUM FULL order_events;',
    good: 'VACUUM (ANALYZE) order_events;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE import_batch (id bigint PRIMARY KEY);\nVACUUM FULL import_batch;',
  },
  peers: ['pgfence: vacuum-full', 'squawk: prefer-repack'],
  check(stmt, ctx) {
    const part = ctx.effect.parts[0];
    if (part?.entry !== 'vacuum-full' || !isFull(stmt.ast)) return;
    const all = part.relations.table ?? [];
    const tables = all.filter((t) => !ctx.isNew(t));
    if (all.length && !tables.length) return;
    const names = andList(tables.map(sqlName));
    const failsHere = inTransactionBlock(ctx) ? ' (and it fails here: VACUUM cannot run inside a transaction block)' : '';
    ctx.report({
      at: stmt.span.start,
      ...(tables[0] ? { table: tables[0] } : {}),
      message: tables.length
        ? `VACUUM FULL ${names} rewrites ${tables.length > 1 ? 'each table' : 'the table'} and its indexes under ${partLocks(part, (rel) => !ctx.isNew(rel))} until it is done, and needs disk space for the copy${failsHere}`
        : `VACUUM FULL without a table rewrites every table in the database, one at a time, each under ${lockPhrase(part.claim?.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive')}${failsHere}`,
      fix: sqlBlock(
        'Give the space back online with pg_repack (needs a primary key or a unique NOT NULL index; locks only briefly at the start and end) or the pg_squeeze extension:',
        pgRepackCommand(tables, '--no-order'),
        'Or, if the space only needs to be reusable (not returned to the operating system), plain VACUUM does that without blocking reads or writes:',
        `VACUUM${tables.length ? ` ${tables.map(sqlName).join(', ')}` : ''};`,
      ),
    });
  },
});
