import { defineRule } from './rule.js';
import { quoteLiteral, sqlBlock, sqlName } from './helpers.js';
import { fromNameList, key } from '../../dialects/postgres/names.js';

export default defineRule({
  id: 'require-enum-value-ordering',
  title: 'Say where a new enum value goes (BEFORE / AFTER)',
  category: 'types',
  severity: 'info',
  kinds: ['AlterEnumStmt'],
  why:
    'An enum sorts by the order its values were declared in, not alphabetically: `ORDER BY`, `<`, `>`, `min()`, `max()` and range checks on the column all use that order. `ALTER TYPE … ADD VALUE` without `BEFORE` or `AFTER` puts the new value last, which is often not where it belongs (`\'refunded\'` after `\'archived\'`). Writing the position makes it a decision a reviewer can see; it cannot be changed later without recreating the type.',
  examples: {
    bad: "ALTER TYPE order_status ADD VALUE 'refunded';",
    good: "ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'delivered';\nALTER TYPE order_status ADD VALUE IF NOT EXISTS 'on_hold' BEFORE 'shipped';",
  },
  peers: ['squawk: require-enum-value-ordering', 'pgfence: alter-enum-no-ordering'],
  check(stmt, ctx) {
    const a = stmt.ast;
    if (!a.newVal || a.oldVal || a.newValNeighbor) return; // RENAME VALUE, or the position is given
    const type = fromNameList(a.typeName);
    const values = ctx.catalog.enums.get(key(type));
    const last = values?.length ? values[values.length - 1] : undefined;
    const head = `ALTER TYPE ${sqlName(type)} ADD VALUE ${a.skipIfNewValExists ? 'IF NOT EXISTS ' : ''}${quoteLiteral(a.newVal)}`;
    ctx.report({
      at: stmt.span.start,
      message: `ADD VALUE ${quoteLiteral(a.newVal)} to ${sqlName(type)} without BEFORE or AFTER puts it last${last !== undefined ? `, after ${quoteLiteral(last)}` : ''}; ORDER BY and comparisons on the column use the declared order`,
      fix:
        last !== undefined
          ? sqlBlock(`Say where it goes among ${values!.map((v) => quoteLiteral(v)).join(', ')}; to keep it last:`, `${head} AFTER ${quoteLiteral(last)};`)
          : sqlBlock('Say where it goes:', `${head} AFTER '<value>';  -- or BEFORE '<value>'`),
    });
  },
});
