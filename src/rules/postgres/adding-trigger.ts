import { defineRule } from './rule.js';
import { fromNameList, fromRangeVar, key } from '../../dialects/postgres/names.js';
import { andList, createdObjects, inTransactionBlock, lockTimeoutRetry, objectKey, partLocks, quoteIdent, sqlBlock, sqlName, tokensOf } from './helpers.js';

/** `INSERT or UPDATE`, from CreateTrigStmt.events (TRIGGER_TYPE_INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32). */
function events(mask: number): string {
  const names = [
    [4, 'INSERT'],
    [16, 'UPDATE'],
    [8, 'DELETE'],
    [32, 'TRUNCATE'],
  ]
    .filter(([bit]) => (mask & (bit as number)) !== 0)
    .map(([, n]) => n as string);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? 'write');
}

const TOGGLES: Record<string, { words: string; effect: (t: string, name: string) => string }> = {
  AT_DisableTrig: { words: 'DISABLE TRIGGER', effect: (_t, n) => `${n} stops firing, in every session, until it is enabled again` },
  AT_DisableTrigUser: { words: 'DISABLE TRIGGER USER', effect: (t) => `no trigger of your own on ${t} fires (audit rows, synced columns, checks written as triggers), in every session, until they are enabled again` },
  AT_EnableTrig: { words: 'ENABLE TRIGGER', effect: (t, n) => `${n} runs on every write to ${t} again; rows written while it was off were not processed` },
  AT_EnableTrigUser: { words: 'ENABLE TRIGGER USER', effect: (t) => `your triggers run on every write to ${t} again; rows written while they were off were not processed` },
  AT_EnableTrigAll: { words: 'ENABLE TRIGGER ALL', effect: (t) => `every trigger of ${t}, foreign-key checks included, runs again; rows written while they were off were not checked` },
  AT_EnableAlwaysTrig: { words: 'ENABLE ALWAYS TRIGGER', effect: (_t, n) => `${n} also fires when session_replication_role is replica (logical replication apply, some bulk loaders)` },
  AT_EnableReplicaTrig: { words: 'ENABLE REPLICA TRIGGER', effect: (_t, n) => `${n} fires only when session_replication_role is replica, no longer for ordinary writes` },
};

export default defineRule({
  id: 'adding-trigger',
  title: 'Add, enable and disable triggers on live tables with care',
  category: 'locking',
  severity: 'info',
  kinds: ['CreateTrigStmt', 'AlterTableStmt'],
  why:
    '`CREATE TRIGGER` takes SHARE ROW EXCLUSIVE on the table: writes wait while it waits for its lock and until its transaction commits. From then on every matching write runs the trigger function, adding its cost to each INSERT, UPDATE or DELETE (and failing the write when the function raises an error): test it under production-like load first. `ENABLE`/`DISABLE TRIGGER` take the same lock and switch the trigger for every session, not just the migration\u2019s.\n\n' +
    '`DISABLE TRIGGER ALL` also turns off the internal triggers that enforce foreign keys: rows that break them can be written meanwhile, and nothing checks them when the triggers are enabled again. Disable only your own triggers (`DISABLE TRIGGER USER` or by name) instead. Tables created in the same migration are not flagged.',
  examples: {
    bad: 'CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();\nALTER TABLE orders DISABLE TRIGGER ALL;',
    good: '-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);\nCREATE TRIGGER refunds_audit AFTER INSERT ON refunds FOR EACH ROW EXECUTE FUNCTION audit_row();',
  },
  peers: ['pgfence: create-trigger', 'pgfence: enable-disable-trigger', 'squawk: ban-disable-trigger'],
  check(stmt, ctx) {
    const a = stmt.ast;
    if (stmt.kind === 'CreateTrigStmt') {
      const part = ctx.effect.parts.find((p) => p.entry === 'create-trigger');
      const table = part?.relations.table?.[0];
      if (!part || !table || ctx.isNew(table) || ctx.catalog.table(table)?.createdIn === ctx.migration.id) return;
      if (createdObjects(ctx.previous).has(objectKey('trigger', a.trigname, table))) return; // replaces one created earlier in this migration
      const t = sqlName(table);
      const fn = `${sqlName(fromNameList(a.funcname))}()`;
      const when = a.timing === 64 ? 'instead of' : a.timing === 2 ? 'before' : 'after';
      ctx.report({
        at: stmt.span.start,
        table,
        message: `CREATE TRIGGER ${quoteIdent(a.trigname)}: every ${events(a.events ?? 0)} on ${t} runs ${fn} ${a.row ? 'for each row ' : ''}${when} it from now on; it takes ${partLocks(part)} while it waits for the lock and until the transaction commits`,
        fix: sqlBlock(
          `Test ${fn} under production-like write load first: it adds its cost to every such write, and an error in it fails the write. Run it in a short transaction of its own, and keep the wait for the lock short:`,
          ...lockTimeoutRetry(ctx, `${stmt.text.trim()};`),
        ),
      });
      return;
    }
    if (!ctx.effect.parts.some((p) => p.entry === 'toggle-trigger')) return;
    // Where each ENABLE/DISABLE … TRIGGER subcommand starts, in order (the parser gives them no location).
    const toks = tokensOf(stmt);
    const starts = toks.filter((tk, i) => (tk.up === 'ENABLE' || tk.up === 'DISABLE') && (toks[i + 1]?.up === 'TRIGGER' || toks[i + 2]?.up === 'TRIGGER')).map((tk) => tk.start);
    let n = 0;
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'toggle-trigger') continue;
      const at = starts[n++] ?? part.at;
      const table = fromRangeVar(a.relation);
      if (ctx.isNew(table) || ctx.catalog.table(table)?.createdIn === ctx.migration.id) continue;
      const cmd = part.node;
      const t = sqlName(table);
      const locks = partLocks(part);
      const tx = !inTransactionBlock(ctx);
      if (cmd.subtype === 'AT_DisableTrigAll') {
        const referenced = ctx.catalog.referenced(table).filter((r) => key(r) !== key(table));
        const referencing = ctx.catalog.referencing(table);
        const fks = andList([...new Set([...referenced.map((r) => `${t} \u2192 ${sqlName(r)}`), ...referencing.map((r) => `${sqlName(r)} \u2192 ${t}`)])]);
        ctx.report({
          at,
          table,
          severity: 'warning',
          message: `DISABLE TRIGGER ALL on ${t} also turns off the internal triggers that enforce its foreign keys${fks ? ` (${fks})` : ''}: rows that break them can be written meanwhile, and nothing checks them when the triggers are enabled again; it takes ${locks}`,
          fix: sqlBlock(
            'Disable only your own triggers, so that foreign keys stay enforced, and enable them again in the same transaction (writes from every session skip them meanwhile):',
            tx && 'BEGIN;',
            `ALTER TABLE ${t} DISABLE TRIGGER USER;`,
            '-- \u2026',
            `ALTER TABLE ${t} ENABLE TRIGGER USER;`,
            tx && 'COMMIT;',
            'Disabling the foreign-key triggers also needs superuser rights.',
          ),
        });
        continue;
      }
      const toggle = TOGGLES[cmd.subtype];
      if (!toggle) continue;
      const name = cmd.name ? quoteIdent(cmd.name) : '';
      ctx.report({
        at,
        table,
        message: `${toggle.words}${name ? ` ${name}` : ''} on ${t}: ${toggle.effect(t, name)}; it takes ${locks}`,
        fix: sqlBlock(
          cmd.subtype.startsWith('AT_Disable')
            ? 'This affects the writes of every session, not just the migration\u2019s: enable it again in the same transaction if only the migration should skip it. Keep the wait for the lock short:'
            : 'Keep the wait for the lock short:',
          ...lockTimeoutRetry(ctx, `${stmt.text.trim()};`),
        ),
      });
    }
  },
});
