import { defineRule } from './rule.js';
import type { RuleContext } from './rule.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import type { QualifiedName } from '../../core/types.js';
import { createdTypeIn, outsideTransactionAdvice, quoteLiteral, runnerTransaction, sqlBlock, sqlName } from './helpers.js';
import { fromNameList, fromRangeVar, fromTypeName, key } from '../../dialects/postgres/names.js';
import { walk } from '../../dialects/postgres/volatility.js';

/** Statements that can carry a string literal the server turns into an enum value. */
const usingKinds = [
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'SelectStmt',
  'MergeStmt',
  'CreateStmt',
  'AlterTableStmt',
  'IndexStmt',
  'ViewStmt',
  'CreateTableAsStmt',
  'CreateDomainStmt',
  'AlterDomainStmt',
  'CreateTrigStmt',
  'CreatePolicyStmt',
  'AlterPolicyStmt',
  'RuleStmt',
  'CallStmt',
  'ExplainStmt',
] as const;

export default defineRule({
  id: 'enum-value-in-transaction',
  title: 'Add an enum value in a transaction of its own',
  category: 'transactions',
  severity: 'error',
  kinds: ['AlterEnumStmt', ...usingKinds],
  why:
    'On Postgres 11, `ALTER TYPE … ADD VALUE` cannot run inside a transaction block at all (unless the type was created in the same transaction): a migration tool that wraps the migration in a transaction fails with `ALTER TYPE ... ADD cannot run inside a transaction block`.\n\nFrom 12 it may run in a transaction, but the new value cannot be used until that transaction commits: a later statement of the same transaction that stores, compares or casts to it (`INSERT`, `UPDATE … SET status = \'refunded\'`, a `DEFAULT`, a `CHECK`, a `WHERE`) fails with `unsafe use of new value`. From 17 this is allowed when the type itself was created in the same transaction.\n\nAdd the value in a migration of its own that commits before the value is used (on 11, one that runs outside a transaction).',
  examples: {
    bad: "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded' AFTER 'delivered';\nUPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;\nCOMMIT;",
    good: "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded' AFTER 'delivered';\nCOMMIT;\nUPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;",
  },
  peers: ['pgfence: alter-enum-add-value'],
  check(stmt, ctx) {
    if (stmt.kind === 'AlterEnumStmt') {
      if (ctx.version >= 12) return;
      const a = stmt.ast;
      if (!a.newVal || a.oldVal || !ctx.tx.open) return;
      const type = fromNameList(a.typeName);
      if (createdTypeIn(ctx.tx.statements, type)) return; // allowed on 11 for a type created in the same transaction
      ctx.report({
        at: stmt.span.start,
        message: `ALTER TYPE ${sqlName(type)} ADD VALUE cannot run inside a transaction block on Postgres 11, and ${ctx.tx.byRunner ? runnerTransaction(ctx) : 'this one runs after BEGIN'}`,
        fix: ctx.tx.byRunner
          ? sqlBlock('Add the value in a migration of its own that runs outside a transaction, before the migrations that use it:', `${stmt.text.trim()};`, outsideTransactionAdvice(ctx))
          : sqlBlock('Run it outside the transaction block: move it before the BEGIN (or after the COMMIT):', `${stmt.text.trim()};`),
      });
      return;
    }
    if (ctx.version < 12 || !ctx.tx.newEnumValues.size) return;
    const reported = new Set<string>();
    for (const use of newValueUses(stmt, ctx)) {
      if (reported.has(use.value)) continue;
      reported.add(use.value);
      const added = ctx.tx.newEnumValues.get(use.value)!;
      const type = fromNameList(added.ast.typeName);
      ctx.report({
        at: use.at,
        message: `${quoteLiteral(use.value)} was added to ${sqlName(type)} earlier in this transaction; using it before that transaction commits fails with: unsafe use of new value "${use.value}" of enum type ${type.name}`,
        fix: sqlBlock(
          `Commit the new value before using it: put the ALTER TYPE in a migration of its own (a transaction is fine, as long as it commits before this one starts)${ctx.tx.byRunner ? '' : ', or COMMIT right after it'}:`,
          `${added.text.trim()};`,
        ),
      });
    }
  },
});

interface Use {
  value: string;
  at: number;
}

/** String literals of `stmt` that name an enum value added earlier in the transaction and reach that enum. */
function newValueUses(stmt: Statement, ctx: RuleContext): Use[] {
  const out: Use[] = [];
  // Enum types whose new values are in play, and whether this statement can involve each one.
  const involved = new Map<string, boolean>();
  const involves = (type: QualifiedName): boolean => {
    const k = key(type);
    let v = involved.get(k);
    if (v === undefined) involved.set(k, (v = statementInvolves(stmt, ctx, type)));
    return v;
  };
  const casts = new Set<any>();
  walk(stmt.ast, (n) => {
    const cast = n.TypeCast;
    if (cast?.arg?.A_Const?.sval) casts.add(cast.arg.A_Const);
    const c = n.A_Const;
    const value: unknown = c?.sval?.sval;
    if (typeof value !== 'string') return;
    const added = ctx.tx.newEnumValues.get(value);
    if (!added) return;
    const type = fromNameList(added.ast.typeName);
    // On 17+ a value of a type created in the same transaction may be used.
    if (ctx.version >= 17 && createdTypeIn(ctx.tx.statements, type)) return;
    if (casts.has(c)) return; // a cast literal is judged by its target type, below
    if (!involves(type)) return;
    out.push({ value, at: stmt.at(c.location) });
  });
  // `'refunded'::order_status` uses the value; a cast to another type does not.
  walk(stmt.ast, (n) => {
    const cast = n.TypeCast;
    const value: unknown = cast?.arg?.A_Const?.sval?.sval;
    if (typeof value !== 'string') return;
    const added = ctx.tx.newEnumValues.get(value);
    if (!added) return;
    const type = fromNameList(added.ast.typeName);
    if (ctx.version >= 17 && createdTypeIn(ctx.tx.statements, type)) return;
    const to = fromTypeName(cast.typeName);
    if (to.name === type.name && (to.schema ?? 'public') === (type.schema ?? 'public')) out.push({ value, at: stmt.at(cast.arg.A_Const.location) });
  });
  return out.sort((x, y) => x.at - y.at);
}

/**
 * Whether a plain literal in `stmt` can become a value of `type`: the statement declares or changes a
 * column of that type, or touches a table that has one, or touches a table lockstep knows nothing about.
 */
function statementInvolves(stmt: Statement, ctx: RuleContext, type: QualifiedName): boolean {
  const k = key(type);
  const isType = (tn: any) => {
    if (!tn?.names) return false;
    const t = fromTypeName(tn);
    return key({ ...(t.schema ? { schema: t.schema } : {}), name: t.name }) === k;
  };
  let found = false;
  let unknownTable = false;
  let anyTable = false;
  walk(stmt.ast, (n) => {
    if (found) return;
    if (n.ColumnDef && isType(n.ColumnDef.typeName)) found = true;
    else if (n.RangeVar) {
      anyTable = true;
      const t = ctx.catalog.table(fromRangeVar(n.RangeVar));
      if (!t || t.partial) unknownTable = true;
      if (t) for (const c of t.columns.values()) if (key({ ...(c.type.schema ? { schema: c.type.schema } : {}), name: c.type.name }) === k) found = true;
    }
  });
  if (found) return true;
  if (stmt.kind === 'IndexStmt' || stmt.kind === 'AlterTableStmt' || stmt.kind === 'InsertStmt' || stmt.kind === 'UpdateStmt' || stmt.kind === 'DeleteStmt' || stmt.kind === 'MergeStmt') {
    const rel = stmt.ast.relation;
    if (rel) {
      anyTable = true;
      const t = ctx.catalog.table(fromRangeVar(rel));
      if (!t || t.partial) unknownTable = true;
      if (t) for (const c of t.columns.values()) if (key({ ...(c.type.schema ? { schema: c.type.schema } : {}), name: c.type.name }) === k) return true;
    }
  }
  return anyTable && unknownTable;
}
