import { defineRule } from './rule.js';
import { fromRangeVar, fromTypeName } from '../../dialects/postgres/names.js';
import { alterColumnAt, backfillSteps, clauseEnd, exprText, inTransactionBlock, lockPhrase, objectName, quoteIdent, sliceOf, sqlBlock, sqlName, tokensOf, typeText } from './helpers.js';

export default defineRule({
  id: 'changing-column-type',
  title: 'Change column types that rewrite the table through a new column',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    '`ALTER COLUMN … TYPE` rewrites the whole table and rebuilds its indexes under ACCESS EXCLUSIVE unless the old bytes are valid for the new type (binary-coercible changes such as `varchar(n)` → `varchar(m ≥ n)`, `varchar` → `text`, `numeric(p,s)` → `numeric(p2 ≥ p,s)`, `cidr` → `inet`, which only touch the catalog). Nothing can read or write the table during the rewrite. `timestamp` ↔ `timestamptz` needs no rewrite on Postgres 12+ when the session TimeZone is UTC.\n\nOtherwise add a new column of the new type, keep it in sync with a trigger, fill it in batches, and swap the names in one short transaction.',
  examples: {
    bad: 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;',
    good: "-- binary-coercible changes (varchar(n) to text or a longer varchar, numeric(p,s) to a larger p, cidr to inet) only touch the catalog;\n-- lockstep recognizes them when it knows the column's current type (--db, or the migration that created the table).\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, amount integer, note varchar(200));\nALTER TABLE refunds ALTER COLUMN amount TYPE bigint;\nALTER TABLE refunds ALTER COLUMN note TYPE text;",
  },
  peers: ['squawk: changing-column-type', 'strong_migrations: change_column', 'pgfence: alter-column-type'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (!part.entry.startsWith('alter-column-type') || !part.claim?.rewrite) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const cmd = part.node;
      const def = cmd?.def?.ColumnDef;
      const column: string = cmd?.name;
      const t = sqlName(table);
      const c = quoteIdent(column);
      const mode = part.claim.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
      const type = typeText(stmt, def?.typeName);
      const at = alterColumnAt(stmt, column, ['TYPE']) ?? alterColumnAt(stmt, column, ['SET', 'DATA', 'TYPE']) ?? part.at;
      const current = ctx.catalog.column(table, column)?.type;
      const unknownType = !current && part.entry === 'alter-column-type' && !!part.uncertain;

      // timestamp <-> timestamptz: no rewrite on 12+ when the session TimeZone is UTC.
      if (part.entry === 'alter-column-type-timestamptz' && ctx.version >= 12) {
        const inTx = ctx.tx.open || ctx.migration.transaction !== 'none';
        ctx.report({
          at,
          table,
          message:
            ctx.timeouts.timeZoneUtc === false
              ? `ALTER COLUMN ${c} TYPE ${type} rewrites ${t} and its indexes under ${lockPhrase(mode)}: the session TimeZone is not UTC, so every value is converted`
              : `ALTER COLUMN ${c} TYPE ${type} rewrites ${t} and its indexes under ${lockPhrase(mode)} unless the session TimeZone is UTC, which lockstep cannot tell here`,
          fix: sqlBlock(
            `Set the TimeZone to UTC for this transaction first: then Postgres ${ctx.version} only changes the catalog (stored values are read as UTC, which is right when they hold UTC times; if they hold local times of another zone, converting them is a real rewrite):`,
            !inTx && 'BEGIN;',
            `SET LOCAL TimeZone = 'UTC';`,
            (stmt.ast.cmds ?? []).length > 1 ? `ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${type};` : `${stmt.text.trim()};`,
            !inTx && 'COMMIT;',
          ),
        });
        continue;
      }

      // The new column, its sync trigger, the backfill and the swap.
      const collate = def?.collClause ? sliceOf(stmt, stmt.at(def.collClause.location), clauseEnd(stmt, stmt.at(def.collClause.location), ['USING'])) : '';
      let value = c;
      let fromNew = `NEW.${c}`;
      if (def?.raw_default) {
        const using = tokensOf(stmt).find((tk) => tk.up === 'USING' && tk.start > stmt.at(def.typeName?.location));
        const first = using && tokensOf(stmt).find((tk) => tk.start >= using.end);
        if (first) {
          value = sliceOf(stmt, first.start, clauseEnd(stmt, first.start));
          fromNew = exprText(stmt, value, first.start, def.raw_default, (col) => `NEW.${quoteIdent(col)}`);
        }
      }
      const tmp = objectName(column, undefined, 'new');
      const old = objectName(column, undefined, 'old');
      const fnName = objectName(table.name, tmp, 'sync');
      const fn = `${table.schema ? `${quoteIdent(table.schema)}.` : ''}${quoteIdent(fnName)}`;
      const q = fromNew.includes('$$') ? '$sync$' : '$$';
      const steps = [
        `ALTER TABLE ${t} ADD COLUMN ${quoteIdent(tmp)} ${type}${collate ? ` ${collate}` : ''};`,
        `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS ${q}\nBEGIN\n  NEW.${quoteIdent(tmp)} := ${fromNew};\n  RETURN NEW;\nEND\n${q};`,
        `CREATE TRIGGER ${quoteIdent(fnName)} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
        ...backfillSteps(ctx, table, tmp, value),
        `-- give ${quoteIdent(tmp)} what ${c} has: its indexes (CREATE INDEX CONCURRENTLY), constraints (NOT VALID, then VALIDATE), default and NOT NULL; then swap the names in one short transaction:`,
        'BEGIN;',
        `SET LOCAL lock_timeout = '2s';`,
        `ALTER TABLE ${t} RENAME COLUMN ${c} TO ${quoteIdent(old)};`,
        `ALTER TABLE ${t} RENAME COLUMN ${quoteIdent(tmp)} TO ${c};`,
        `DROP TRIGGER ${quoteIdent(fnName)} ON ${t};`,
        `DROP FUNCTION ${fn}();`,
        'COMMIT;',
        `-- once nothing reads it any more:`,
        `ALTER TABLE ${t} DROP COLUMN ${quoteIdent(old)};`,
      ];
      const intro = `Add a column of the new type, keep it in sync with a trigger, fill it in batches, and swap the names in one short transaction (views and foreign keys that use ${c} follow it to ${quoteIdent(old)}: recreate them on the new column). Run each step on its own:`;
      const limit = part.entry === 'alter-column-type-varchar-shorten' && def?.typeName?.typmods?.[0]?.A_Const?.ival?.ival;
      const messages: Record<string, string> = {
        'alter-column-type-varchar-shorten': `ALTER COLUMN ${c} TYPE ${type} shortens the limit, so every value of ${t} is checked while it is rewritten with its indexes under ${lockPhrase(mode)}`,
        'alter-column-type-char-to-varchar': `ALTER COLUMN ${c} TYPE ${type} from char(n) strips the padding of every value, rewriting ${t} and its indexes under ${lockPhrase(mode)}`,
      };
      ctx.report({
        at,
        table,
        message: unknownType
          ? `ALTER COLUMN ${c} TYPE ${type}: lockstep does not know the current type of ${t}.${c}, so it assumes a rewrite of ${t} and its indexes under ${lockPhrase(mode)}`
          : (messages[part.entry] ??
            `ALTER COLUMN ${c} TYPE ${type}${current ? ` (from ${current.text})` : ''} rewrites ${t} and its indexes under ${lockPhrase(mode)}`),
        fix: sqlBlock(
          limit &&
            sqlBlock(
              `If the point is to enforce the shorter limit, a CHECK constraint does it without a rewrite (VALIDATE scans while reads and writes go on):`,
              `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(objectName(table.name, column, 'length_check'))} CHECK (char_length(${c}) <= ${limit}) NOT VALID;`,
              `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(objectName(table.name, column, 'length_check'))};`,
              'To change the type itself:',
            ),
          unknownType &&
            `If the change is binary-coercible (e.g. varchar(n) to text or to a longer varchar), it only touches the catalog and is fine as it is: let lockstep know the current type by passing --db, or by linting the migration that created ${t} together with this one.${
              ctx.version >= 12 && ['timestamptz', 'timestamp'].includes(fromTypeName(def?.typeName).name)
                ? ` If ${c} is a timestamp${fromTypeName(def?.typeName).name === 'timestamp' ? ' with time zone' : ' without time zone'}, run SET LOCAL TimeZone = 'UTC' before this statement in the same transaction: then it only changes the catalog too.`
                : ''
            } If it does rewrite:`,
          intro,
          ...steps,
          inTransactionBlock(ctx) && 'The backfill and the swap must not run in the migration\u2019s transaction: put them in migrations of their own.',
        ),
      });
    }
  },
});
