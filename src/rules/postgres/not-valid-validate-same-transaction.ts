import { defineRule } from './rule.js';
import { fromRangeVar, key } from '../../dialects/postgres/names.js';
import { lockPhrase, quoteIdent, quoteStatement, runnerTransaction, sqlBlock, sqlName, strongestLock } from './helpers.js';

export default defineRule({
  id: 'not-valid-validate-same-transaction',
  title: 'Validate a NOT VALID constraint in a later transaction than the one that added it',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    'Adding a constraint `NOT VALID` and validating it later exists to split one long blocking operation in two: the ADD takes a strong lock (ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key) but only for an instant, and `VALIDATE CONSTRAINT` scans the table under a lock that lets reads and writes go on.\n\n' +
    'In the same transaction that split is lost: locks are held until COMMIT, so the strong lock from the ADD is still held during the whole validation scan — the same outage as adding the constraint without NOT VALID. Runners that wrap each migration in a transaction do this silently when both statements are in one migration.',
  examples: {
    bad: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fk;\nCOMMIT;',
    good: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nCOMMIT;\n\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fk;',
  },
  peers: ['pgfence: not-valid-validate-same-tx', 'squawk: constraint-missing-not-valid'],
  check(stmt, ctx) {
    const tx = ctx.tx;
    if (!tx.open || !tx.notValid.size) return;
    const table = fromRangeVar(stmt.ast.relation);
    if (ctx.isNew(table)) return;
    for (const raw of stmt.ast.cmds ?? []) {
      const cmd = raw.AlterTableCmd;
      if (cmd?.subtype !== 'AT_ValidateConstraint') continue;
      const added = tx.notValid.get(`${key(table)}.${cmd.name}`);
      if (!added) continue;
      // What the ADD locked is still held (on the referenced table too, for a foreign key).
      const held = strongestLock([...tx.held.values()].filter((h) => h.stmt === added));
      const lock = held ? lockPhrase(held.mode) : 'lock';
      const on = held ? held.tables.map(sqlName).join(' and ') : sqlName(table);
      const con = quoteIdent(cmd.name);
      const runner = !tx.begin;
      const part = ctx.effect.parts.find((p) => p.node === cmd);
      ctx.report({
        at: part?.at ?? stmt.span.start,
        table,
        message: `VALIDATE CONSTRAINT ${con} runs in the same transaction that added it NOT VALID, so the ${lock} from the ADD (\`${quoteStatement(added)}\`) is still held on ${on} during the whole validation scan, which defeats NOT VALID${runner ? `: ${runnerTransaction(ctx)}` : ''}`,
        fix: runner
          ? sqlBlock(
              'Move the VALIDATE into the next migration, so the ADD commits first and the scan runs under SHARE UPDATE EXCLUSIVE (reads and writes go on):',
              '-- this migration',
              `${added.text};`,
              '-- next migration',
              `${stmt.text};`,
            )
          : sqlBlock(
              'Commit the ADD first, so its lock is released and the scan runs under SHARE UPDATE EXCLUSIVE (reads and writes go on):',
              `${added.text};`,
              'COMMIT;',
              `${stmt.text};`,
            ),
      });
    }
  },
});
