import { defineRule } from './rule.js';
import { fromRangeVar, key, strings } from '../../dialects/postgres/names.js';
import { claimFor } from '../../dialects/postgres/effects.js';
import type { EffectPart } from '../../dialects/postgres/classify.js';
import { sqlLockName, type LockMode } from '../../dialects/postgres/locks.js';
import type { QualifiedName } from '../../core/types.js';
import { addColumnParts, addColumnRecipe, clauseEnd, lockPhrase, objectName, quoteIdent, sliceOf, sqlBlock, sqlName, tokensOf } from './helpers.js';

/** `SHARE ROW EXCLUSIVE (blocks writes) on orders and customers`, grouped by mode. */
function describeLocks(part: EffectPart, phrase: (m: LockMode) => string = lockPhrase): string {
  const byMode = new Map<LockMode, QualifiedName[]>();
  const seen = new Set<string>();
  for (const l of part.claim?.locks ?? []) {
    for (const rel of part.relations[l.on] ?? []) {
      if (seen.has(key(rel))) continue;
      seen.add(key(rel));
      byMode.set(l.mode, [...(byMode.get(l.mode) ?? []), rel]);
    }
  }
  return [...byMode].map(([mode, rels]) => `${phrase(mode)} on ${rels.map(sqlName).join(' and ')}`).join(' and ');
}

export default defineRule({
  id: 'adding-foreign-key',
  title: 'Add foreign keys NOT VALID, then validate them separately',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    'Adding a foreign key checks every existing row against the referenced table while holding SHARE ROW EXCLUSIVE on **both** tables: writes to either of them wait until the whole table has been checked. An `ADD COLUMN … REFERENCES` with a non-null default does the same check under ACCESS EXCLUSIVE. (With no default the new column is NULL everywhere and nothing is checked.)\n\nAdd the constraint `NOT VALID` (instant; new rows are checked from then on) and run `VALIDATE CONSTRAINT` in a separate transaction: it scans under SHARE UPDATE EXCLUSIVE on the table and ROW SHARE on the referenced one, so reads and writes go on.',
  examples: {
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);',
    good: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;\n\n-- a new column with no default has nothing to check:\nALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id);\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));',
  },
  peers: ['squawk: adding-foreign-key-constraint', 'strong_migrations: add_foreign_key', 'pgfence: add-constraint-fk-no-not-valid'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if ((part.entry !== 'add-foreign-key' && part.entry !== 'add-column-references-default') || !part.claim) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const t = sqlName(table);
      const referenced = part.relations.referenced?.[0];
      const ref = referenced ? sqlName(referenced) : 'the referenced table';
      const vclaim = claimFor('validate-foreign-key', ctx.version);
      const vlocks = vclaim ? describeLocks({ ...part, claim: vclaim }, sqlLockName) : 'SHARE UPDATE EXCLUSIVE';
      const then = `-- then, in a separate transaction (it scans under ${vlocks}, so reads and writes go on):`;
      if (part.entry === 'add-foreign-key') {
        const con = part.node?.def?.Constraint;
        const start = stmt.at(con?.location);
        const text = sliceOf(stmt, start, clauseEnd(stmt, start));
        const cols = strings(con?.fk_attrs);
        const name = con?.conname ?? objectName(table.name, cols.join('_'), 'fkey');
        const n = quoteIdent(name);
        const toks = tokensOf(stmt).filter((tk) => tk.start >= start);
        const body = con?.conname && toks[0]?.up === 'CONSTRAINT' && toks[2] ? sliceOf(stmt, toks[2].start, clauseEnd(stmt, start)) : text;
        const partitioned = ctx.catalog.table(table)?.kind === 'partitioned' && ctx.version < 18;
        let fix: string;
        if (partitioned) {
          const parts = ctx.catalog.partitions(table).map((p) => p.name);
          const list = parts.length ? parts : [{ name: '<partition>' }];
          fix = sqlBlock(
            `Postgres ${ctx.version} cannot add a NOT VALID foreign key to a partitioned table (18 can). Add it NOT VALID to each partition and validate it there (reads and writes go on), then add it to ${t}: it adopts the partitions' valid constraints without checking rows again. Run each statement as its own transaction:`,
            ...list.flatMap((p) => {
              const pn = quoteIdent(objectName(p.name, cols.join('_'), 'fkey'));
              return [`ALTER TABLE ${sqlName(p)} ADD CONSTRAINT ${pn} ${body.replace(/^\s*/, '')} NOT VALID;`, `ALTER TABLE ${sqlName(p)} VALIDATE CONSTRAINT ${pn};`];
            }),
            `ALTER TABLE ${t} ADD CONSTRAINT ${n} ${body};`,
            !parts.length && `(lockstep does not know the partitions of ${t}: repeat the first two statements for each of them.)`,
          );
        } else
          fix = sqlBlock(
            'Add it NOT VALID (instant; new and updated rows are checked from then on), and validate the existing rows separately:',
            `ALTER TABLE ${t} ADD ${con?.conname ? '' : `CONSTRAINT ${n} `}${text} NOT VALID;`,
            then,
            `ALTER TABLE ${t} VALIDATE CONSTRAINT ${n};`,
          );
        ctx.report({
          at: part.at,
          table,
          message: `ADD CONSTRAINT ${n} FOREIGN KEY checks every row of ${t} against ${ref} while holding ${describeLocks(part)}`,
          fix,
        });
      } else {
        const p = addColumnParts(stmt, part.node);
        const c = quoteIdent(p.column);
        const volatileDefault = ctx.effect.parts.some((x) => x.node === part.node && x.entry === 'add-column-volatile-default');
        const steps = addColumnRecipe(ctx, table, p, volatileDefault && p.defaultExpr ? { setDefault: p.defaultExpr, backfill: p.defaultExpr } : { keepDefault: true });
        ctx.report({
          at: part.at,
          table,
          message: `ADD COLUMN ${c} REFERENCES ${ref} with DEFAULT ${p.defaultExpr ?? '…'} checks every row of ${t} against ${ref} while holding ${describeLocks(part)}`,
          fix: sqlBlock(
            `Add the column with its default but without REFERENCES, then add the foreign key NOT VALID (instant) and validate it separately (VALIDATE scans under ${vlocks}, so reads and writes go on); run each statement as its own transaction:`,
            ...steps,
          ),
        });
      }
    }
  },
});
