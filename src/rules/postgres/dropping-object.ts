import { defineRule, type MigrationInfo, type ReportOptions, type RuleContext } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import { fromNameList, key, strings } from '../../dialects/postgres/names.js';
import {
  andList,
  columnsOfType,
  createdObjects,
  inTransactionBlock,
  lockTimeoutRetry,
  objectKey,
  objectName,
  objectsCreatedBy,
  functionArgsText,
  partLocks,
  quoteIdent,
  sqlBlock,
  sqlName,
  sqlString,
  upSectionOf,
  type ObjectFamily,
} from './helpers.js';

interface Kind {
  word: string;
  family: ObjectFamily;
  /** Other objects can depend on it, so CASCADE may take them along. */
  dependents: boolean;
  /** The reg* type that resolves its name, for the pg_depend look-up in the fix. */
  reg?: string;
}

const KINDS: Record<string, Kind> = {
  OBJECT_VIEW: { word: 'VIEW', family: 'relation', dependents: true, reg: 'regclass' },
  OBJECT_MATVIEW: { word: 'MATERIALIZED VIEW', family: 'relation', dependents: true, reg: 'regclass' },
  OBJECT_FUNCTION: { word: 'FUNCTION', family: 'function', dependents: true, reg: 'regprocedure' },
  OBJECT_PROCEDURE: { word: 'PROCEDURE', family: 'function', dependents: true, reg: 'regprocedure' },
  OBJECT_ROUTINE: { word: 'ROUTINE', family: 'function', dependents: true, reg: 'regprocedure' },
  OBJECT_AGGREGATE: { word: 'AGGREGATE', family: 'function', dependents: true, reg: 'regprocedure' },
  OBJECT_TYPE: { word: 'TYPE', family: 'type', dependents: true, reg: 'regtype' },
  OBJECT_DOMAIN: { word: 'DOMAIN', family: 'type', dependents: true, reg: 'regtype' },
  OBJECT_SCHEMA: { word: 'SCHEMA', family: 'schema', dependents: true, reg: 'regnamespace' },
  OBJECT_SEQUENCE: { word: 'SEQUENCE', family: 'relation', dependents: true, reg: 'regclass' },
  OBJECT_EXTENSION: { word: 'EXTENSION', family: 'extension', dependents: true },
  OBJECT_TRIGGER: { word: 'TRIGGER', family: 'trigger', dependents: false },
  OBJECT_POLICY: { word: 'POLICY', family: 'policy', dependents: false },
  OBJECT_RULE: { word: 'RULE', family: 'rule', dependents: false },
};

/** One object a DROP names. */
interface Target {
  /** The object's own name (schemas and extensions have no schema). */
  name: QualifiedName;
  /** For triggers, policies and rules: their table. */
  table?: QualifiedName;
  /** As SQL: `order_totals`, `price_with_tax(numeric)`, `orders_audit ON orders`. */
  label: string;
  /** The name with a function's argument list, for the reg* look-up (`price_with_tax(numeric)`). */
  lookup: string;
  key: string;
  at: number;
}

/** A finding waiting for the end of the section: it is dropped if the same object is created again in the same transaction. */
interface Pending {
  index: number;
  key: string;
  cascade: boolean;
  inTx: boolean;
  what: string;
  word: string;
  family: ObjectFamily;
  report: ReportOptions & { at: number };
}

const pending = new WeakMap<MigrationInfo, Pending[]>();

function targetsOf(stmt: Statement, kind: Kind): Target[] {
  const a = stmt.ast;
  const out: Target[] = [];
  for (const o of a.objects ?? []) {
    if (kind.family === 'trigger' || kind.family === 'policy' || kind.family === 'rule') {
      const items = strings(o.List?.items);
      if (items.length < 2) continue;
      const table = fromNameList(items.slice(0, -1).map((s) => ({ String: { sval: s } })));
      const name = items[items.length - 1]!;
      out.push({ name: { name }, table, label: `${quoteIdent(name)} ON ${sqlName(table)}`, lookup: name, key: objectKey(kind.family, name, table), at: stmt.span.start });
    } else if (kind.family === 'schema' || kind.family === 'extension') {
      const name = o.String?.sval;
      if (name) out.push({ name: { name }, label: quoteIdent(name), lookup: quoteIdent(name), key: objectKey(kind.family, name), at: stmt.span.start });
    } else if (kind.family === 'function') {
      const owa = o.ObjectWithArgs;
      const name = fromNameList(owa?.objname);
      const label = `${sqlName(name)}${functionArgsText(stmt, owa)}`;
      out.push({ name, label, lookup: label, key: objectKey('function', name), at: stmt.span.start });
    } else if (o.TypeName) {
      const name = fromNameList(o.TypeName.names);
      out.push({ name, label: sqlName(name), lookup: sqlName(name), key: objectKey(kind.family, name), at: stmt.at(o.TypeName.location) });
    } else {
      const name = fromNameList(o.List?.items ?? (o.String ? [o] : []));
      out.push({ name, label: sqlName(name), lookup: sqlName(name), key: objectKey(kind.family, name), at: stmt.span.start });
    }
  }
  return out;
}

/** What CASCADE takes along, as far as the catalog knows: a phrase for the message and the drops that say it explicitly. */
function cascadeTakes(ctx: RuleContext, kind: Kind, t: Target): { phrase: string; drops: string[] } {
  const cat = ctx.catalog;
  switch (kind.word) {
    case 'TYPE':
    case 'DOMAIN': {
      const cols = columnsOfType(cat, t.name);
      if (!cols.length) return { phrase: 'every column of that type, with its data', drops: [] };
      return {
        phrase: `the column${cols.length > 1 ? 's' : ''} ${andList(cols.map((c) => `${sqlName(c.table)}.${quoteIdent(c.column)}`))} with ${cols.length > 1 ? 'their' : 'its'} data`,
        drops: cols.map((c) => `ALTER TABLE ${sqlName(c.table)} DROP COLUMN ${quoteIdent(c.column)};`),
      };
    }
    case 'SCHEMA': {
      const inSchema = [...cat.tables.values()].filter((x) => (x.name.schema ?? 'public') === t.name.name);
      const keys = new Set(inSchema.map((x) => key(x.name)));
      // Partitions go with their parent.
      const top = inSchema.filter((x) => !(x.partitionOf && keys.has(key(x.partitionOf))));
      if (!top.length) return { phrase: 'everything in it (tables with all their rows, views, functions, types)', drops: [] };
      const word = (k: string) => (k === 'view' ? 'VIEW' : k === 'matview' ? 'MATERIALIZED VIEW' : 'TABLE');
      return {
        phrase: `everything in it, including ${andList(top.map((x) => sqlName(x.name)))}${top.some((x) => x.kind === 'table' || x.kind === 'partitioned') ? ' with all their rows' : ''}`,
        drops: top.map((x) => `DROP ${word(x.kind)} ${sqlName(x.name)};`),
      };
    }
    case 'SEQUENCE': {
      // serial columns own a sequence named <table>_<column>_seq.
      const users: { table: QualifiedName; column: string }[] = [];
      for (const tab of cat.tables.values())
        for (const c of tab.columns.values())
          if (c.type.serial && objectName(tab.name.name, c.name, 'seq') === t.name.name && (tab.name.schema ?? 'public') === (t.name.schema ?? 'public')) users.push({ table: tab.name, column: c.name });
      if (!users.length) return { phrase: 'every column default that uses it', drops: [] };
      return {
        phrase: `the default of ${andList(users.map((u) => `${sqlName(u.table)}.${quoteIdent(u.column)}`))} (inserts that leave it out then write NULL or fail)`,
        drops: users.map((u) => `ALTER TABLE ${sqlName(u.table)} ALTER COLUMN ${quoteIdent(u.column)} DROP DEFAULT;`),
      };
    }
    case 'VIEW':
    case 'MATERIALIZED VIEW':
      return { phrase: 'every view built on it', drops: [] };
    case 'EXTENSION':
      return { phrase: 'every column, index and function that uses its types, functions or operators (columns with their data)', drops: [] };
    default:
      return { phrase: 'every column default, trigger, CHECK constraint, index and view that uses it', drops: [] };
  }
}

/** What the drop breaks, per kind (without CASCADE). */
function breaks(kind: Kind, t: Target, locks: string): string {
  switch (kind.word) {
    case 'VIEW':
    case 'MATERIALIZED VIEW':
      return 'breaks every query that still reads it, the moment it commits';
    case 'FUNCTION':
    case 'ROUTINE':
    case 'AGGREGATE':
      return 'breaks every query and function that still calls it, the moment it commits';
    case 'PROCEDURE':
      return 'breaks every CALL of it, the moment it commits';
    case 'TYPE':
    case 'DOMAIN':
      return 'breaks every query and function that names it (casts, function arguments, ORM type mappings)';
    case 'SCHEMA':
      return 'breaks every query, function and search_path setting that names it';
    case 'SEQUENCE':
      return 'breaks every nextval(), currval() and setval() call that names it';
    case 'EXTENSION':
      return 'removes its functions, types and operators: every query that uses them breaks';
    case 'TRIGGER':
      return `stops what it did on every write to ${sqlName(t.table!)} (audit rows, synced columns, checks)${locks ? `, and takes ${locks}` : ''}`;
    case 'POLICY':
      return `changes which rows of ${sqlName(t.table!)} each role can read and write: the rows a permissive policy let its roles see disappear for them, the limits of a restrictive one go away`;
    default:
      return `stops what the rule rewrote on ${sqlName(t.table!)} (e.g. writes through a view)`;
  }
}

/** What makes the drop fail without CASCADE, per kind: said in the message so that users know the drop can fail. */
function failsWhile(ctx: RuleContext, kind: Kind, t: Target): string | undefined {
  switch (kind.word) {
    case 'TYPE':
    case 'DOMAIN': {
      const cols = columnsOfType(ctx.catalog, t.name);
      return cols.length ? `it fails while ${andList(cols.map((c) => `${sqlName(c.table)}.${quoteIdent(c.column)}`))} still ${cols.length > 1 ? 'have' : 'has'} that type` : 'it fails while a column still has that type';
    }
    case 'SCHEMA': {
      const n = [...ctx.catalog.tables.values()].filter((x) => (x.name.schema ?? 'public') === t.name.name).length;
      return n ? `it fails while the schema still holds ${n === 1 ? 'a table' : `${n} tables`} lockstep knows of` : 'it fails unless the schema is empty';
    }
    case 'FUNCTION':
    case 'ROUTINE':
    case 'AGGREGATE':
      return 'it fails while a column default, trigger, CHECK constraint, index or view still uses it';
    case 'SEQUENCE':
      return 'it fails while a column default still uses it';
    case 'VIEW':
    case 'MATERIALIZED VIEW':
      return 'it fails while another view is built on it';
    default:
      return undefined;
  }
}

function dependentsQuery(kind: Kind, t: Target): string | undefined {
  if (!kind.reg) return undefined;
  const reg = kind.reg === 'regprocedure' && !t.lookup.endsWith(')') ? 'regproc' : kind.reg;
  const sub = kind.word === 'SCHEMA' ? '0' : 'objsubid';
  return `SELECT DISTINCT pg_describe_object(classid, objid, ${sub}) FROM pg_depend WHERE refobjid = ${sqlString(t.lookup)}::${reg} AND deptype = 'n';`;
}

export default defineRule({
  id: 'dropping-object',
  title: 'Stop using views, functions, types and other objects before you drop them',
  category: 'destructive',
  severity: 'warning',
  kinds: ['DropStmt'],
  why:
    'Dropping a view, function, procedure, type, domain, schema, sequence or extension breaks every query and function that still uses it from the moment the migration commits, until code that no longer needs it is deployed. Dropping a trigger, policy or rule silently changes what writes do or which rows a role sees. Most of these drops fail while something in the database still depends on the object; with `CASCADE` the dependents go too, without being named: columns of a dropped type or domain (with their data), every table of a dropped schema, defaults, triggers and CHECK constraints that call a dropped function.\n\n' +
    'Deploy code that no longer uses the object first and drop it in a later migration, without `CASCADE`: drop the dependents yourself, so the migration says what goes. Objects created earlier in the same migration, objects dropped and created again in the same transaction (to change a view or function), and the down section dropping what its own up created are not flagged.',
  examples: {
    bad: 'DROP VIEW order_totals;\nDROP FUNCTION price_with_tax(numeric);\nDROP TYPE order_status CASCADE;',
    good:
      "-- created in the same migration:\nCREATE VIEW recent_orders AS SELECT * FROM orders WHERE created_at > now() - interval '1 day';\nDROP VIEW recent_orders;\n\n-- dropped and created again in the same transaction, to change it:\nBEGIN;\nDROP VIEW order_totals;\nCREATE VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;\nCOMMIT;",
  },
  peers: [
    'squawk: ban-drop-view',
    'squawk: ban-drop-function',
    'squawk: ban-drop-type',
    'squawk: ban-drop-schema',
    'squawk: ban-drop-sequence',
    'squawk: ban-drop-domain',
    'squawk: ban-drop-extension',
    'squawk: ban-drop-trigger',
    'squawk: ban-drop-policy',
    'pgfence: drop-schema',
    'pgfence: drop-trigger',
    'pgfence: drop-policy',
  ],
  check(stmt, ctx) {
    const a = stmt.ast;
    const kind = KINDS[a.removeType];
    if (!kind) return;
    const cascade = a.behavior === 'DROP_CASCADE';
    const earlier = createdObjects(ctx.previous);
    const up = upSectionOf(ctx);
    const fromUp = up && createdObjects(up);
    for (const t of targetsOf(stmt, kind)) {
      // Created in this migration (this section, or the up that this down undoes): nothing uses it yet.
      if (earlier.has(t.key) || fromUp?.has(t.key)) continue;
      if (t.table && (ctx.isNew(t.table) || ctx.catalog.table(t.table)?.createdIn === ctx.migration.id)) continue;
      if (kind.family === 'relation' && ctx.catalog.table(t.name)?.createdIn === ctx.migration.id) continue;
      const part = kind.word === 'TRIGGER' ? ctx.effect.parts.find((p) => p.entry === 'drop-trigger' && p.relations.table?.some((r) => key(r) === key(t.table!))) : undefined;
      const locks = part ? partLocks(part) : '';
      const what = `${kind.word} ${t.label}`;
      const takes = cascade && kind.dependents ? cascadeTakes(ctx, kind, t) : undefined;
      const fails = cascade ? undefined : failsWhile(ctx, kind, t);
      const message = `DROP ${what}${cascade ? ' CASCADE' : ''} ${breaks(kind, t, locks)}${takes ? `; CASCADE also drops ${takes.phrase}` : fails ? `; ${fails}` : ''}`;
      const query = dependentsQuery(kind, t);
      const plain = `DROP ${kind.word} ${a.missing_ok ? 'IF EXISTS ' : ''}${t.label};`;
      const lead =
        kind.word === 'TRIGGER'
          ? `Make sure what ${quoteIdent(t.name.name)} did is no longer needed (or is done elsewhere) before it goes.${locks ? ' The drop waits for every query on the table, so keep the wait short:' : ''}`
          : kind.word === 'POLICY'
            ? `Deploy whatever replaces ${quoteIdent(t.name.name)} first. To change a policy without a gap, use ALTER POLICY, or drop and create it again in one transaction. Then:`
            : `Deploy code that no longer uses ${t.label} first, then drop it in a later migration${takes?.drops.length ? ', dropping what depends on it yourself so the migration says what goes' : cascade && kind.dependents ? ' without CASCADE (the drop then fails while something still uses it, instead of taking it along silently)' : ''}.${kind.word === 'FUNCTION' || kind.word === 'ROUTINE' ? ' Column defaults, triggers and CHECK constraints that call it are not in your application code: look for them too.' : ''}`;
      const fix = sqlBlock(
        lead,
        query && `-- what still depends on it:\n${query}`,
        query || takes?.drops.length ? '-- then:' : undefined,
        ...(takes?.drops ?? []),
        ...(kind.word === 'TRIGGER' && locks ? lockTimeoutRetry(ctx, plain) : [plain]),
      );
      const list = pending.get(ctx.migration) ?? [];
      pending.set(ctx.migration, list);
      list.push({
        index: ctx.previous.length,
        key: t.key,
        cascade: cascade && kind.dependents,
        inTx: inTransactionBlock(ctx),
        what,
        word: kind.word,
        family: kind.family,
        report: { at: t.at, message, fix, ...(cascade && kind.dependents ? { severity: 'error' as const } : {}), ...(t.table ? { table: t.table } : {}) },
      });
    }
  },
  end(ctx) {
    const list = pending.get(ctx.migration);
    if (!list) return;
    pending.delete(ctx.migration);
    for (const p of list) {
      if (!p.cascade) {
        const j = ctx.statements.findIndex((s, k) => k > p.index && objectsCreatedBy(s).includes(p.key));
        if (j >= 0) {
          const between = ctx.statements.slice(p.index + 1, j);
          const ended = between.some((s) => s.kind === 'TransactionStmt' && /COMMIT|ROLLBACK|PREPARE/.test(String(s.ast.kind)));
          if (p.inTx && !ended) continue; // dropped and created again atomically: nobody sees it missing
          const again = ctx.statements[j]!;
          const inPlace =
            p.word === 'VIEW'
              ? 'Or change the view in place with CREATE OR REPLACE VIEW: that works as long as its existing columns stay as they are (new ones may be added at the end).'
              : p.family === 'function'
                ? 'Or change it in place with CREATE OR REPLACE: that works as long as its arguments and return type stay the same.'
                : undefined;
          ctx.report({
            at: p.report.at,
            message: `DROP ${p.what} and the CREATE at ${ctx.where(again.span.start)} run in separate transactions: queries that use it in between fail`,
            fix: sqlBlock(
              'Run both in one transaction, so that queries wait for the commit instead of failing:',
              ctx.migration.transaction === 'none' && 'BEGIN;',
              `${ctx.statements[p.index]!.text.trim()};`,
              j > p.index + 1 && '-- \u2026',
              `${again.text.trim()};`,
              ctx.migration.transaction === 'none' && 'COMMIT;',
              inPlace,
            ),
          });
          continue;
        }
      }
      ctx.report(p.report);
    }
  },
});
