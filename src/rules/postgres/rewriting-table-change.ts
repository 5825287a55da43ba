import { defineRule } from './rule.js';
import { claimFor } from '../../dialects/postgres/effects.js';
import { lockPhrase, lockTimeoutRetry, partLocks, pgRepackCommand, quoteIdent, sqlBlock, sqlName } from './helpers.js';

const noOnlineWay = 'There is no online way to do this: run it while the table is small or unused (a maintenance window), with a short lock_timeout so it gives up instead of queueing traffic while it waits for the lock:';

export default defineRule({
  id: 'rewriting-table-change',
  title: 'Know that SET LOGGED / UNLOGGED / TABLESPACE / ACCESS METHOD rewrite the table',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt', 'AlterTableMoveAllStmt'],
  why:
    'These `ALTER TABLE` forms look like settings but copy the whole table while holding ACCESS EXCLUSIVE, so nobody reads or writes it until the copy is done: `SET LOGGED` (makes an unlogged table crash-safe and replicated, writing all of it to the WAL), `SET UNLOGGED` (skips the WAL from then on, but the table is emptied after a crash and is not on replicas), `SET TABLESPACE` (moves the table\u2019s files to other storage; its indexes stay behind) and `SET ACCESS METHOD` (Postgres 15+, rewrites every row into another table access method).\n\n' +
    '`SET TABLESPACE` can be done online with `pg_repack --tablespace` (or logical replication into a copy); the others have no online form: run them while the table is small or unused, with a short `lock_timeout`. Tables created in the same migration are not flagged.',
  examples: {
    bad: 'ALTER TABLE order_events SET LOGGED;',
    good:
      "-- a table created (and loaded) in the same migration is not flagged:\nCREATE UNLOGGED TABLE import_batch (id bigint PRIMARY KEY, payload jsonb);\nALTER TABLE import_batch SET LOGGED;",
  },
  peers: ['pgfence: set-logged-unlogged'],
  check(stmt, ctx) {
    if (stmt.kind === 'AlterTableMoveAllStmt') {
      const a = stmt.ast;
      const claim = claimFor('set-tablespace', ctx.version);
      const what = a.objtype === 'OBJECT_INDEX' ? 'index' : a.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
      ctx.report({
        at: stmt.span.start,
        message: `ALTER ${what.toUpperCase()} ALL IN TABLESPACE ${quoteIdent(a.orig_tablespacename)} SET TABLESPACE ${quoteIdent(a.new_tablespacename)} copies every ${what} in ${quoteIdent(a.orig_tablespacename)}, one at a time, each under ${lockPhrase(claim?.locks[0]?.mode ?? 'AccessExclusive')} while it is copied`,
        fix: sqlBlock(
          `Move the big tables online with pg_repack, which copies each while traffic goes on (--moveidx moves its indexes too), and only the small ones this way:`,
          `${pgRepackCommand([{ name: '<table>' }], `--tablespace=${a.new_tablespacename}`, '--moveidx')}  -- for each table`,
        ),
      });
      return;
    }
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'set-logged' && part.entry !== 'set-tablespace' && part.entry !== 'set-access-method') continue;
      if (!part.claim) continue; // the version does not have the statement
      const table = part.relations.table?.[0];
      if (!table || ctx.isNew(table)) continue;
      const T = sqlName(table);
      const locks = partLocks(part);
      const cmd = part.node;
      if (part.entry === 'set-logged') {
        const logged = cmd.subtype === 'AT_SetLogged';
        ctx.report({
          at: part.at,
          table,
          message: logged
            ? `SET LOGGED rewrites ${T} and writes all of it to the WAL (replicas receive the whole table) under ${locks} until the copy is done`
            : `SET UNLOGGED rewrites ${T} under ${locks} until the copy is done; afterwards it is emptied after a crash and is not on replicas`,
          fix: sqlBlock(
            logged
              ? 'SET LOGGED is worth it once a table loaded UNLOGGED (a fast bulk load) becomes real data that must survive a crash and reach the replicas.'
              : 'SET UNLOGGED is only worth it for data you can rebuild (caches, staging tables): writes get faster, but a crash empties the table and standbys cannot read it.',
            noOnlineWay,
            ...lockTimeoutRetry(ctx, `ALTER TABLE ${T} SET ${logged ? 'LOGGED' : 'UNLOGGED'};`),
          ),
        });
      } else if (part.entry === 'set-tablespace') {
        const ts: string = cmd.name;
        ctx.report({
          at: part.at,
          table,
          message: `SET TABLESPACE ${quoteIdent(ts)} copies every file of ${T} to the new tablespace under ${locks} until the copy is done (its indexes stay where they are)`,
          fix: sqlBlock(
            'Moving a table to another tablespace is worth it to free a full disk or put hot data on faster storage. Do it online with pg_repack, which copies the table while traffic goes on and locks only briefly at the start and end (--moveidx moves its indexes too):',
            pgRepackCommand([table], `--tablespace=${ts}`, '--moveidx'),
            'Or replicate it logically into a copy in the new tablespace and switch over. For a small table, this statement with a short lock_timeout is fine.',
          ),
        });
      } else {
        const am: string = cmd.name ?? 'DEFAULT';
        ctx.report({
          at: part.at,
          table,
          message: `SET ACCESS METHOD ${cmd.name ? quoteIdent(am) : am} rewrites every row of ${T} into the new storage format under ${locks} until the copy is done`,
          fix: sqlBlock(
            'Changing the table access method is worth it when another storage format fits the workload (e.g. a columnar one for analytics).',
            noOnlineWay,
            ...lockTimeoutRetry(ctx, `ALTER TABLE ${T} SET ACCESS METHOD ${cmd.name ? quoteIdent(am) : am};`),
          ),
        });
      }
    }
  },
});
