import { defineRule } from './rule.js';
import { key } from '../../dialects/postgres/names.js';
import { earlierFacts, inTransactionBlock, sqlBlock, sqlName, suffixedName, quoteIdent } from './helpers.js';

export default defineRule({
  id: 'row-level-security-toggle',
  title: 'Turn row-level security on or off only together with its policies',
  category: 'compatibility',
  severity: 'warning',
  kinds: ['AlterTableStmt'],
  why:
    '`ENABLE ROW LEVEL SECURITY` changes what every query sees: with no policy on the table, every role other than the owner (and superusers or BYPASSRLS roles) sees no rows and cannot insert, update or delete any, from the moment the migration commits. `FORCE ROW LEVEL SECURITY` applies the policies to the table\u2019s owner too, which is often the application\u2019s own role. The other direction is just as silent: `DISABLE` (and `NO FORCE`, for the owner) lets every role with table privileges see and change every row.\n\n' +
    'lockstep does not track policies, so it cannot tell whether they exist; it stays quiet when the migration itself created a policy on the table before enabling. Create the policies first, in the same transaction as `ENABLE`. Tables created in the same migration are not flagged.',
  examples: {
    bad: 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
    good:
      "BEGIN;\nCREATE POLICY orders_by_tenant ON orders USING (tenant_id = current_setting('app.tenant_id')::bigint);\nALTER TABLE orders ENABLE ROW LEVEL SECURITY;\nCOMMIT;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE notes (id bigint PRIMARY KEY, tenant_id bigint);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;",
  },
  peers: ['pgfence: enable-rls', 'pgfence: disable-rls', 'pgfence: force-rls', 'pgfence: no-force-rls', 'squawk: ban-alter-row-level-security'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'row-level-security') continue;
      const table = part.relations.table?.[0];
      if (!table || ctx.isNew(table)) continue;
      const T = sqlName(table);
      const sub: string = part.node.subtype;
      if (sub === 'AT_EnableRowSecurity' || sub === 'AT_ForceRowSecurity') {
        if (earlierFacts(ctx.previous).policies.has(key(table))) continue; // the migration created a policy for it first
        const enable = sub === 'AT_EnableRowSecurity';
        const policy = quoteIdent(suffixedName(table.name, '_policy'));
        const tx = !inTransactionBlock(ctx);
        ctx.report({
          at: part.at,
          message: enable
            ? `ENABLE ROW LEVEL SECURITY on ${T}: unless policies exist for it, every role but the owner sees no rows and cannot write any, the moment it commits`
            : `FORCE ROW LEVEL SECURITY on ${T}: the policies apply to its owner too; unless they let the owner through, the owner (often the application\u2019s role) sees no rows`,
          fix: sqlBlock(
            enable
              ? 'Create the policies before enabling it, in the same transaction, so no query runs in between without them (lockstep does not track policies: if they already exist, this does not apply):'
              : 'Make sure a policy lets the owner role through, created in the same transaction (lockstep does not track policies: if one already exists, this does not apply):',
            tx && 'BEGIN;',
            `CREATE POLICY ${policy} ON ${T}${enable ? '' : ' TO <owner role>'} USING (<which rows may be seen>);`,
            `ALTER TABLE ${T} ${enable ? 'ENABLE' : 'FORCE'} ROW LEVEL SECURITY;`,
            tx && 'COMMIT;',
          ),
        });
      } else {
        const disable = sub === 'AT_DisableRowSecurity';
        ctx.report({
          at: part.at,
          message: disable
            ? `DISABLE ROW LEVEL SECURITY on ${T}: its policies stop applying, and every role with privileges on the table sees and changes every row`
            : `NO FORCE ROW LEVEL SECURITY on ${T}: its owner bypasses the policies again and sees every row`,
          fix: disable
            ? `Make sure that is intended. To let one role bypass the policies, give it BYPASSRLS (ALTER ROLE <role> BYPASSRLS;) or a policy of its own (CREATE POLICY \u2026 ON ${T} TO <role> USING (true);) instead of turning them off for everyone.`
            : `Make sure that is intended, and that the application does not connect as the owner of ${T}.`,
        });
      }
    }
  },
});
