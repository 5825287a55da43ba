import { defineRule } from './rule.js';
import type { Severity } from '../../core/types.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import type { Catalog } from '../../dialects/postgres/catalog.js';
import { quoteIdent, sliceOf, sqlName, tokensOf } from './helpers.js';
import { fromRangeVar, strings } from '../../dialects/postgres/names.js';
import { outputNames } from '../../dialects/postgres/output-names.js';

interface Finding {
  at: number;
  message: string;
  fix: string;
  severity?: Severity;
}

export default defineRule({
  id: 'ban-duplicate-column-assignments',
  title: 'Name each column once per column list or SET list',
  category: 'correctness',
  severity: 'error',
  kinds: ['CreateStmt', 'CreateForeignTableStmt', 'CreateTableAsStmt', 'ViewStmt', 'AlterTableStmt', 'InsertStmt', 'UpdateStmt', 'MergeStmt'],
  why:
    'A column named twice where it is defined or assigned is almost always a copy-paste mistake, and Postgres rejects most of them: a column declared twice in `CREATE TABLE` or a view\u2019s column list (`column "x" specified more than once`), a view, materialized view or `CREATE TABLE … AS` whose result has two columns of one name \u2014 named with `AS`, after the column or function (`count(*), count(id)` are both `count`), `?column?` for an expression without `AS` (`SELECT 1, 2`, refused by PostgreSQL 15 with `column "?column?" specified more than once`), or from `*` over tables that share a column (expanded when lockstep knows the tables), two `ADD COLUMN` of one name (`column "x" already exists`), two `ALTER COLUMN x TYPE` in one `ALTER TABLE` (`cannot alter type of column "x" twice`), the same column twice in an `INSERT` column list, or twice in `UPDATE … SET` / `ON CONFLICT DO UPDATE SET`, including the `SET (a, b) = …` form (`multiple assignments to same column "x"`), and the same in a `MERGE` action: `WHEN NOT MATCHED THEN INSERT (a, a)` (`column "a" specified more than once`) or `WHEN MATCHED THEN UPDATE SET a = 1, a = 2` (`multiple assignments to same column "a"`; both messages are PostgreSQL 15\u2019s). The migration fails halfway.\n\nTwo different `SET DEFAULT` for one column in one `ALTER TABLE`, and a second `ADD COLUMN IF NOT EXISTS`, are accepted: the last default wins and the second column definition is silently skipped, which is rarely what was meant. Assigning different elements or fields of one column (`SET tags[1] = …, tags[2] = …`) is fine and not flagged.',
  examples: {
    bad: "UPDATE orders SET status = 'shipped', shipped_at = now(), status = 'delivered' WHERE id = 42;",
    good: "UPDATE orders SET status = 'shipped', shipped_at = now() WHERE id = 42;\nUPDATE orders SET tags[1] = 'gift', tags[2] = 'express' WHERE id = 42;",
  },
  peers: ['squawk: ban-duplicate-column-assignments'],
  check(stmt, ctx) {
    for (const f of findDuplicates(stmt, ctx)) ctx.report({ at: f.at, message: f.message, fix: f.fix, ...(f.severity ? { severity: f.severity } : {}) });
  },
});

function findDuplicates(stmt: Statement, ctx: { catalog: Catalog; version: number }): Finding[] {
  const a = stmt.ast;
  const out: Finding[] = [];
  const at = (loc: number | undefined) => (loc === undefined ? stmt.span.start : stmt.at(loc));
  switch (stmt.kind) {
    case 'CreateStmt':
    case 'CreateForeignTableStmt': {
      const base = stmt.kind === 'CreateStmt' ? a : a.base;
      const table = fromRangeVar(base?.relation);
      const seen = new Set<string>();
      for (const e of base?.tableElts ?? []) {
        const d = e.ColumnDef;
        if (!d?.colname) continue;
        if (seen.has(d.colname))
          out.push({
            at: at(d.location),
            message: `CREATE TABLE ${sqlName(table)} declares column ${quoteIdent(d.colname)} twice: Postgres rejects it (column "${d.colname}" specified more than once)`,
            fix: `Keep one definition of ${quoteIdent(d.colname)} (or rename one of them).`,
          });
        seen.add(d.colname);
      }
      break;
    }
    case 'CreateTableAsStmt':
    case 'ViewStmt': {
      const names = strings(stmt.kind === 'ViewStmt' ? a.aliases : a.into?.colNames);
      const rel = fromRangeVar(stmt.kind === 'ViewStmt' ? a.view : a.into?.rel);
      const seen = new Set<string>();
      for (const n of names) {
        if (seen.has(n))
          out.push({
            at: stmt.span.start,
            message: `the column list of ${sqlName(rel)} names ${quoteIdent(n)} twice: Postgres rejects it (column "${n}" specified more than once)`,
            fix: `Give each column its own name.`,
          });
        seen.add(n);
      }
      out.push(...resultNameDuplicates(stmt, names, rel, ctx));
      break;
    }
    case 'AlterTableStmt': {
      const table = fromRangeVar(a.relation);
      const added = new Map<string, any>();
      const typed = new Set<string>();
      const defaults = new Map<string, string>();
      for (const raw of a.cmds ?? []) {
        const cmd = raw.AlterTableCmd;
        if (!cmd) continue;
        if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef?.colname) {
          const d = cmd.def.ColumnDef;
          const col = quoteIdent(d.colname);
          if (added.has(d.colname)) {
            out.push(
              cmd.missing_ok
                ? {
                    at: at(d.location),
                    severity: 'warning',
                    message: `ALTER TABLE ${sqlName(table)} adds column ${col} twice: the second ADD COLUMN IF NOT EXISTS is silently skipped, so its definition is ignored`,
                    fix: `Keep one ADD COLUMN ${col} with the definition you want.`,
                  }
                : {
                    at: at(d.location),
                    message: `ALTER TABLE ${sqlName(table)} adds column ${col} twice: Postgres rejects it (column "${d.colname}" of relation "${table.name}" already exists)`,
                    fix: `Keep one ADD COLUMN ${col} with the definition you want.`,
                  },
            );
          } else added.set(d.colname, d);
        } else if (cmd.subtype === 'AT_AlterColumnType' && cmd.name) {
          const col = quoteIdent(cmd.name);
          if (typed.has(cmd.name))
            out.push({
              at: at(cmd.def?.ColumnDef?.location),
              message: `ALTER TABLE ${sqlName(table)} changes the type of ${col} twice: Postgres rejects it (cannot alter type of column "${cmd.name}" twice)`,
              fix: `Keep one ALTER COLUMN ${col} TYPE … with the final type.`,
            });
          typed.add(cmd.name);
        } else if (cmd.subtype === 'AT_ColumnDefault' && cmd.name) {
          const col = quoteIdent(cmd.name);
          const shape = cmd.def ? JSON.stringify(cmd.def, (k, v) => (k === 'location' ? undefined : v)) : 'DROP';
          const prev = defaults.get(cmd.name);
          if (prev !== undefined && prev !== shape)
            out.push({
              at: at(cmd.def ? firstLocation(cmd.def) : undefined),
              severity: 'warning',
              message: `ALTER TABLE ${sqlName(table)} sets the default of ${col} twice with different values: Postgres accepts it and the last one wins`,
              fix: `Keep only the ${cmd.def ? 'SET DEFAULT' : 'DROP DEFAULT'} you mean for ${col}.`,
            });
          defaults.set(cmd.name, shape);
        }
      }
      break;
    }
    case 'InsertStmt': {
      const table = fromRangeVar(a.relation);
      const cols = (a.cols ?? []).map((c: any) => c.ResTarget).filter(Boolean);
      out.push(...targets(cols, (t) => ({ message: `INSERT INTO ${sqlName(table)} lists column ${quoteIdent(t.name)} twice: Postgres rejects it (column "${t.name}" specified more than once)`, fix: `List ${quoteIdent(t.name)} once, with the value you want.` }), at));
      const upd = (a.onConflictClause?.targetList ?? []).map((c: any) => c.ResTarget).filter(Boolean);
      out.push(...targets(upd, (t) => ({ message: `ON CONFLICT DO UPDATE SET assigns ${quoteIdent(t.name)} twice: Postgres rejects it (multiple assignments to same column "${t.name}")`, fix: `Assign ${quoteIdent(t.name)} once.` }), at));
      break;
    }
    case 'UpdateStmt': {
      const table = fromRangeVar(a.relation);
      const set = (a.targetList ?? []).map((c: any) => c.ResTarget).filter(Boolean);
      out.push(...targets(set, (t) => ({ message: `UPDATE ${sqlName(table)} SET assigns ${quoteIdent(t.name)} twice: Postgres rejects it (multiple assignments to same column "${t.name}")`, fix: `Assign ${quoteIdent(t.name)} once, with the value you want.` }), at));
      break;
    }
    case 'MergeStmt': {
      const table = fromRangeVar(a.relation);
      // Each WHEN clause is its own INSERT or UPDATE: a column may appear in several clauses, not twice in one.
      for (const w of a.mergeWhenClauses ?? []) {
        const clause = w.MergeWhenClause;
        const list = (clause?.targetList ?? []).map((c: any) => c.ResTarget).filter(Boolean);
        if (clause?.commandType === 'CMD_INSERT')
          out.push(...targets(list, (t) => ({ message: `MERGE INTO ${sqlName(table)} … THEN INSERT lists column ${quoteIdent(t.name)} twice: Postgres rejects it (column "${t.name}" specified more than once)`, fix: `List ${quoteIdent(t.name)} once in the INSERT column list, with the value you want.` }), at));
        else if (clause?.commandType === 'CMD_UPDATE')
          out.push(...targets(list, (t) => ({ message: `MERGE INTO ${sqlName(table)} … THEN UPDATE SET assigns ${quoteIdent(t.name)} twice: Postgres rejects it (multiple assignments to same column "${t.name}")`, fix: `Assign ${quoteIdent(t.name)} once in the UPDATE SET list, with the value you want.` }), at));
      }
      break;
    }
  }
  return out;
}

/**
 * A view, materialized view or CREATE TABLE … AS whose columns end up with one name twice: names from
 * AS, the column's or function's own name, `?column?` for an expression without one, or `*` expanded
 * (when lockstep knows the tables). Duplicates within the explicit column list are reported above.
 */
function resultNameDuplicates(stmt: Statement, aliases: string[], rel: ReturnType<typeof fromRangeVar>, ctx: { catalog: Catalog; version: number }): Finding[] {
  const a = stmt.ast;
  const query = a.query;
  if (!query?.SelectStmt) return [];
  const what = stmt.kind === 'ViewStmt' ? 'CREATE VIEW' : a.objtype === 'OBJECT_MATVIEW' ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE';
  const label = `${what} ${sqlName(rel)}${stmt.kind === 'CreateTableAsStmt' && a.objtype !== 'OBJECT_MATVIEW' ? ' AS' : ''}`;
  const cols = outputNames(query, ctx).columns;
  // After a `*` lockstep could not expand, positions are unknown: the column list may or may not rename them.
  const knownBefore = cols.findIndex((c) => !c.definitePosition);
  const aliasUnsure = knownBefore >= 0 && aliases.length > knownBefore;
  const text = (loc: number | undefined) => (loc === undefined ? '' : targetText(stmt, stmt.at(loc)));
  const final = cols.map((c, i) => {
    if (c.definitePosition && i < aliases.length) return { ...c, name: aliases[i], listed: true };
    if (!c.definitePosition && aliasUnsure) return { ...c, name: undefined, listed: false };
    return { ...c, listed: false };
  });
  const describe = (c: (typeof final)[number], i: number) =>
    c.listed
      ? `${quoteIdent(c.name!)} in the column list`
      : c.origin === 'star'
        ? `${c.from}.${quoteIdent(c.name!)} (from ${text(c.location)})`
        : c.origin === 'alias'
          ? `\`${text(c.location)}\``
          : `\`${text(c.location)}\` (named ${c.name} by Postgres${c.name === '?column?' ? ', for want of an AS' : ''})`;
  const out: Finding[] = [];
  const seen = new Map<string, number>();
  const reported = new Set<string>();
  final.forEach((c, i) => {
    if (c.name === undefined) return;
    const j = seen.get(c.name);
    if (j === undefined) return void seen.set(c.name, i);
    const first = final[j]!;
    if ((first.listed && c.listed) || reported.has(c.name)) return;
    reported.add(c.name);
    const star = first.origin === 'star' || c.origin === 'star';
    out.push({
      at: c.location !== undefined ? stmt.at(c.location) : stmt.span.start,
      message: `${label} gives two of its columns the name ${quoteIdent(c.name)}, ${describe(first, j)} and ${describe(c, i)}: Postgres rejects it (column "${c.name}" specified more than once)`,
      fix: star
        ? `List the columns instead of *, and rename one of the two with AS (\`${c.from ?? first.from}.${quoteIdent(c.name)} AS <other name>\`), or name the columns after ${sqlName(rel)}: ${what} ${sqlName(rel)} (col1, col2, …) AS …`
        : `${c.origin === 'alias' ? `Give \`${text(c.location)}\` another name` : `Give \`${text(c.location)}\` a name of its own with AS (\`${text(c.location)} AS <other name>\`)`}, or name the columns after ${sqlName(rel)}: ${what} ${sqlName(rel)} (col1, col2, …) AS …`,
    });
  });
  return out;
}

/** Words that end a SELECT list item at the top level. */
const afterTargets = new Set(['FROM', 'INTO', 'WHERE', 'GROUP', 'HAVING', 'WINDOW', 'UNION', 'INTERSECT', 'EXCEPT', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FOR', 'WITH']);

/** The text of the SELECT list item starting at file offset `from`, whitespace collapsed. */
function targetText(stmt: Statement, from: number): string {
  let depth = 0;
  let end = from;
  for (const t of tokensOf(stmt)) {
    if (t.start < from) continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (t.text === ',' || t.text === ';' || afterTargets.has(t.up))) break;
    end = t.end;
  }
  return sliceOf(stmt, from, end).replace(/\s+/g, ' ');
}

/** Repeated targets: a plain column twice, or a plain column and an element/field of it. Elements or fields only (`a[1]`, `a[2]`) are fine. */
function targets(list: any[], describe: (t: any) => { message: string; fix: string }, at: (loc: number | undefined) => number): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, { whole: boolean }>();
  const reported = new Set<string>();
  for (const t of list) {
    if (!t.name) continue;
    const whole = !t.indirection?.length;
    const prev = seen.get(t.name);
    if (prev && (prev.whole || whole) && !reported.has(t.name)) {
      reported.add(t.name);
      out.push({ at: at(t.location), ...describe(t) });
    }
    if (!prev) seen.set(t.name, { whole });
    else if (whole) prev.whole = true;
  }
  return out;
}

function firstLocation(node: any): number | undefined {
  let loc: number | undefined;
  const visit = (n: any) => {
    if (loc !== undefined || !n || typeof n !== 'object') return;
    if (typeof n.location === 'number') loc = n.location;
    else for (const v of Object.values(n)) visit(v);
  };
  visit(node);
  return loc;
}
