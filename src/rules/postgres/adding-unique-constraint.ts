import { defineRule } from './rule.js';
import { fromRangeVar, strings } from '../../dialects/postgres/names.js';
import type { QualifiedName } from '../../core/types.js';
import { addColumnParts, addColumnRecipe, clauseEnd, inTransactionBlock, lockPhrase, notNullSteps, objectName, outsideTransactionAdvice, quoteIdent, sliceOf, sqlBlock, sqlName } from './helpers.js';

const invalidIndexNote = 'If a CONCURRENTLY build fails (e.g. on a duplicate) it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY before trying again.';

export default defineRule({
  id: 'adding-unique-constraint',
  title: 'Build the index of a UNIQUE or PRIMARY KEY constraint CONCURRENTLY, then attach it',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    'Adding a UNIQUE or PRIMARY KEY constraint (with `ADD CONSTRAINT` or inline in `ADD COLUMN`) builds its unique index while holding ACCESS EXCLUSIVE: nothing can read or write the table until the whole index is built.\n\nBuild the index first with `CREATE UNIQUE INDEX CONCURRENTLY` (writes go on), then turn it into the constraint with `ADD CONSTRAINT … UNIQUE USING INDEX` (or `PRIMARY KEY USING INDEX`), which only changes the catalog. A primary key also needs its columns NOT NULL: make them so first, or `USING INDEX` scans the table for NULLs under ACCESS EXCLUSIVE.',
  examples: {
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE (number);',
    good: 'CREATE UNIQUE INDEX CONCURRENTLY orders_number_key ON orders (number);\nALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE USING INDEX orders_number_key;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint, reference text);\nALTER TABLE refunds ADD CONSTRAINT refunds_reference_key UNIQUE (reference);',
  },
  peers: ['squawk: disallowed-unique-constraint', 'squawk: adding-serial-primary-key-field', 'strong_migrations: add_unique_constraint', 'pgfence: add-constraint-unique', 'pgfence: add-pk-without-using-index'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if ((part.entry !== 'add-unique' && part.entry !== 'add-column-unique') || !part.claim) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const t = sqlName(table);
      const mode = part.claim.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
      const tx = inTransactionBlock(ctx) ? `CREATE INDEX CONCURRENTLY cannot run in a transaction block. ${outsideTransactionAdvice(ctx)}` : undefined;
      if (part.entry === 'add-column-unique') {
        const p = addColumnParts(stmt, part.node);
        const primary = p.clauses.some((cl) => cl.kind === 'CONSTR_PRIMARY');
        const volatileDefault = ctx.effect.parts.some((x) => x.node === part.node && x.entry === 'add-column-volatile-default');
        const steps = addColumnRecipe(ctx, table, p, volatileDefault && p.defaultExpr ? { setDefault: p.defaultExpr, backfill: p.defaultExpr } : { keepDefault: true, ...(primary && !p.defaultExpr ? { backfill: '<value>' } : {}) });
        ctx.report({
          at: part.at,
          table,
          message: `ADD COLUMN ${quoteIdent(p.column)} ${primary ? 'PRIMARY KEY' : 'UNIQUE'} builds its unique index on ${t} under ${lockPhrase(mode)}`,
          fix: sqlBlock(
            `Add the column without the constraint, build the unique index CONCURRENTLY (writes go on), then attach it as the constraint (a catalog change)${primary ? ' once the column is NOT NULL' : ''}; run each statement as its own transaction:`,
            ...steps,
            tx,
            invalidIndexNote,
          ),
        });
        continue;
      }
      const con = part.node?.def?.Constraint;
      const primary = con?.contype === 'CONSTR_PRIMARY';
      const keys = strings(con?.keys);
      const name = con?.conname ?? (primary ? objectName(table.name, undefined, 'pkey') : objectName(table.name, keys.join('_'), 'key'));
      const n = quoteIdent(name);
      const kind = primary ? 'PRIMARY KEY' : 'UNIQUE';
      const cols = keys.map(quoteIdent).join(', ');
      const include = strings(con?.including).length ? ` INCLUDE (${strings(con.including).map(quoteIdent).join(', ')})` : '';
      const nnd = con?.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '';
      const deferrable = con?.deferrable ? ` DEFERRABLE${con.initdeferred ? ' INITIALLY DEFERRED' : ''}` : '';
      const opts = (con?.options ?? []).map((o: any) => o.DefElem).filter(Boolean).map((d: any) => sliceOf(stmt, stmt.at(d.location), clauseEnd(stmt, stmt.at(d.location))));
      const storage = `${opts.length ? ` WITH (${opts.join(', ')})` : ''}${con?.indexspace ? ` TABLESPACE ${quoteIdent(con.indexspace)}` : ''}`;
      const index = (on: QualifiedName, idx: string) => `CREATE UNIQUE INDEX CONCURRENTLY ${idx} ON ${sqlName(on)} (${cols})${include}${nnd}${storage};`;
      // A primary key's columns must be NOT NULL; USING INDEX would otherwise scan for NULLs under ACCESS EXCLUSIVE.
      const nullable = primary ? keys.filter((k) => ctx.catalog.column(table, k)?.notNull !== true) : [];
      const notNull = nullable.flatMap((k) => notNullSteps(ctx.version, table, k).steps.filter((s) => !s.startsWith('SET lock_timeout')));
      const pkNote = nullable.length
        ? ctx.version >= 12
          ? `PRIMARY KEY USING INDEX sets its columns NOT NULL, scanning ${t} under ACCESS EXCLUSIVE unless they already are: make ${nullable.map(quoteIdent).join(', ')} NOT NULL first, without a long lock. Run each statement as its own transaction:`
          : `PRIMARY KEY USING INDEX sets its columns NOT NULL, which on Postgres 11 scans ${t} under ACCESS EXCLUSIVE (there is no way around that scan): do it first, when the table is quiet. Run each statement as its own transaction:`
        : 'Run each statement as its own transaction:';
      let fix: string;
      if (ctx.catalog.table(table)?.kind === 'partitioned') {
        const parts = ctx.catalog.partitions(table).map((p) => p.name);
        const list = parts.length ? parts : [{ name: '<partition>' }];
        fix = sqlBlock(
          `A partitioned table has no USING INDEX form (and no CREATE INDEX CONCURRENTLY on the parent). Build the unique index CONCURRENTLY on each partition and make it that partition's constraint, then add the constraint to ${t}: it adopts the partitions' indexes instead of building new ones. ${pkNote}`,
          ...notNull,
          ...list.flatMap((p) => {
            const pn = quoteIdent(primary ? objectName(p.name, undefined, 'pkey') : objectName(p.name, keys.join('_'), 'key'));
            return [index(p, pn), `ALTER TABLE ${sqlName(p)} ADD CONSTRAINT ${pn} ${kind} USING INDEX ${pn}${deferrable};`];
          }),
          `ALTER TABLE ${t} ADD CONSTRAINT ${n} ${kind} (${cols})${include}${nnd}${deferrable};`,
          !parts.length && `(lockstep does not know the partitions of ${t}: repeat the two partition statements for each of them.)`,
          tx,
          invalidIndexNote,
        );
      } else
        fix = sqlBlock(
          `Build the unique index CONCURRENTLY (writes go on), then attach it as the constraint, which only changes the catalog. ${pkNote}`,
          ...notNull,
          index(table, n),
          `ALTER TABLE ${t} ADD CONSTRAINT ${n} ${kind} USING INDEX ${n}${deferrable};`,
          tx,
          invalidIndexNote,
          'USING INDEX takes a plain unique B-tree index; uniqueness over an expression or over only some rows (WHERE …) has no constraint form: there the unique index built CONCURRENTLY is the whole solution.',
        );
      ctx.report({
        at: part.at,
        table,
        message: `ADD CONSTRAINT ${n} ${kind} (${cols}) builds its unique index on ${t} under ${lockPhrase(mode)}`,
        fix,
      });
    }
  },
});
