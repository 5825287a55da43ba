import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { clauseEnd, lockPhrase, lockTimeoutRetry, objectName, quoteIdent, sliceOf, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'adding-exclusion-constraint',
  title: 'Add EXCLUDE constraints only while the table is small or quiet',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    'Adding an `EXCLUDE` constraint builds its index (usually GiST) while holding ACCESS EXCLUSIVE: nothing can read or write the table until the whole index is built, which on a large table takes minutes.\n\nUnlike UNIQUE and PRIMARY KEY, an exclusion constraint has no `USING INDEX` form and no `NOT VALID` form, so there is no way to build it ahead of time. Add it while the table is small, or in a quiet window with a short `lock_timeout`; until then the rule can only be enforced by the application.',
  examples: {
    bad: 'ALTER TABLE room_bookings ADD CONSTRAINT room_bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);',
    good: 'CREATE TABLE room_bookings (room_id bigint, during tstzrange);\n-- a table created in the same migration is not flagged:\nALTER TABLE room_bookings ADD CONSTRAINT room_bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);',
  },
  peers: ['strong_migrations: add_exclusion_constraint', 'pgfence: add-constraint-exclude', 'squawk: constraint-missing-not-valid'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'add-exclusion' || !part.claim) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const t = sqlName(table);
      const con = part.node?.def?.Constraint;
      const start = stmt.at(con?.location);
      const text = sliceOf(stmt, start, clauseEnd(stmt, start));
      const cols = (con?.exclusions ?? []).map((x: any) => x.List?.items?.[0]?.IndexElem?.name ?? 'expr');
      const name = quoteIdent(con?.conname ?? objectName(table.name, cols.join('_') || undefined, 'excl'));
      const mode = part.claim.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
      ctx.report({
        at: part.at,
        table,
        message: `ADD CONSTRAINT ${name} EXCLUDE builds its index on ${t} under ${lockPhrase(mode)}, and Postgres has no concurrent way to add an exclusion constraint`,
        fix: sqlBlock(
          `There is no safe form: an exclusion constraint cannot be added NOT VALID or attached from an index built CONCURRENTLY. Your options: add it now if ${t} is small; otherwise in a quiet window, with a short lock_timeout so that it gives up instead of making traffic queue behind it (the build itself still blocks reads and writes for as long as it takes):`,
          ...lockTimeoutRetry(ctx, `ALTER TABLE ${t} ADD ${con?.conname ? '' : `CONSTRAINT ${name} `}${text};`),
          `Until then, enforce the rule in the application (for example, serialize conflicting writes with SELECT … FOR UPDATE on a parent row, or pg_advisory_xact_lock, and check for overlaps before inserting).`,
        ),
      });
    }
  },
});
