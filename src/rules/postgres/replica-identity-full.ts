import { defineRule } from './rule.js';
import { partLocks, quoteIdent, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'replica-identity-full',
  title: 'Identify replicated rows by a key, not with REPLICA IDENTITY FULL',
  category: 'compatibility',
  severity: 'warning',
  kinds: ['AlterTableStmt'],
  why:
    'With `REPLICA IDENTITY FULL`, every UPDATE and DELETE on the table writes the whole old row to the WAL instead of just its key: more WAL, more replication traffic, and on a logical-replication subscriber each replicated UPDATE or DELETE has to find the row by comparing every column (before Postgres 16 that is a full scan of the subscriber\u2019s table per row unless it has a primary key). The `ALTER TABLE` itself takes ACCESS EXCLUSIVE briefly.\n\n' +
    'Give the table a primary key and keep `REPLICA IDENTITY DEFAULT`, or use `REPLICA IDENTITY USING INDEX` with a unique index on NOT NULL columns. Keep FULL only when a consumer needs the whole old row (change-data-capture before-images, row filters on non-key columns). `DEFAULT`, `USING INDEX` and `NOTHING` are not flagged.',
  examples: {
    bad: 'ALTER TABLE orders REPLICA IDENTITY FULL;',
    good: 'ALTER TABLE orders REPLICA IDENTITY DEFAULT;\nALTER TABLE order_events REPLICA IDENTITY USING INDEX order_events_event_id_key;',
  },
  peers: ['pgfence: replica-identity-full', 'squawk: ban-replica-identity'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'replica-identity' || part.node.def?.ReplicaIdentityStmt?.identity_type !== 'f') continue;
      const table = part.relations.table?.[0];
      if (!table) continue;
      const T = sqlName(table);
      const existing = !ctx.isNew(table);
      const info = ctx.catalog.table(table);
      const cons = [...(info?.constraints.values() ?? [])];
      const pk = cons.find((c) => c.kind === 'primary-key');
      const unique = cons.find((c) => c.kind === 'unique' && c.columns.every((col) => info?.columns.get(col)?.notNull));
      ctx.report({
        at: part.at,
        message: `REPLICA IDENTITY FULL on ${T} makes every UPDATE and DELETE write the whole old row to the WAL (more WAL, slower apply on logical-replication subscribers)${existing ? `, and the change takes ${partLocks(part)}` : ''}`,
        fix: sqlBlock(
          'Unless a consumer needs the whole old row (change-data-capture before-images, row filters on non-key columns), identify rows by a key instead:',
          pk
            ? `ALTER TABLE ${T} REPLICA IDENTITY DEFAULT;  -- uses the primary key ${quoteIdent(pk.name)}`
            : unique
              ? `ALTER TABLE ${T} REPLICA IDENTITY USING INDEX ${quoteIdent(unique.name)};  -- unique on NOT NULL columns`
              : info
                ? `${T} has no primary key: add one (CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE ${T} ADD PRIMARY KEY USING INDEX \u2026) and keep REPLICA IDENTITY DEFAULT, or use REPLICA IDENTITY USING INDEX <a unique index on NOT NULL columns>.`
                : `ALTER TABLE ${T} REPLICA IDENTITY DEFAULT;  -- the primary key; or REPLICA IDENTITY USING INDEX <a unique index on NOT NULL columns>`,
        ),
      });
    }
  },
});
