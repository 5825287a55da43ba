/**
 * What one SQL statement from application code does with the tables a change touches, read from the
 * Postgres parser's tree (libpg-query), never from the text: INSERTs without a column list, INSERTs
 * that leave out a column that will be NOT NULL without a default, `SELECT *` / `t.*` / `RETURNING *`
 * over the table, and which of the changed columns a query reads.
 */
import { walk } from '../dialects/postgres/volatility.js';
import { parsePostgres } from '../parse/postgres.js';
import { nullableFor, tableLabel, type AppPhase, type ChangedColumn } from './columns.js';
import type { AppRule } from './findings.js';
import type { Severity } from '../core/types.js';

export interface SqlIssue {
  rule: AppRule;
  severity: Severity;
  message: string;
  advice: string;
  /** Offset into the SQL text of the node the issue is about. */
  offset: number;
}

export interface SqlAnalysis {
  /** False when the text did not parse (the parser's message in `error`). */
  parsed: boolean;
  error?: string;
  issues: SqlIssue[];
  /** Changed tables the SQL reads or writes (`schema.table`, schema defaulting to public). */
  tables: Set<string>;
  /** Changed columns the SQL returns (`schema.table.column`), through `*` or by name. */
  reads: Set<string>;
}

const tkey = (schema: string | undefined, name: string) => `${schema ?? 'public'}.${name}`;

/** Whether a RangeVar names the changed table (an unqualified name matches any schema: the search_path is unknown). */
function matches(rv: any, c: ChangedColumn): boolean {
  return rv?.relname === c.table.name && (!rv.schemaname || rv.schemaname === (c.table.schema ?? 'public'));
}

/** The relations in a FROM list, with the alias each is known by (subqueries and functions skipped). */
function fromRelations(from: any[] | undefined): { rv: any; alias: string }[] {
  const out: { rv: any; alias: string }[] = [];
  const visit = (n: any) => {
    if (!n) return;
    if (n.RangeVar) out.push({ rv: n.RangeVar, alias: n.RangeVar.alias?.aliasname ?? n.RangeVar.relname });
    else if (n.JoinExpr) {
      visit(n.JoinExpr.larg);
      visit(n.JoinExpr.rarg);
    }
  };
  for (const f of from ?? []) visit(f);
  return out;
}

function columnRef(n: any): { qualifier?: string; name?: string; star: boolean; location: number } | undefined {
  const fields: any[] | undefined = n?.ColumnRef?.fields;
  if (!fields) return undefined;
  const last = fields[fields.length - 1];
  const star = !!last?.A_Star;
  const names = fields.map((f) => f.String?.sval).filter((s: unknown): s is string => typeof s === 'string');
  const qualifier = star ? names[names.length - 1] : names.length > 1 ? names[names.length - 2] : undefined;
  return { ...(qualifier ? { qualifier } : {}), ...(!star && names.length ? { name: names[names.length - 1] } : {}), star, location: n.ColumnRef.location ?? 0 };
}

/** Analyzes SQL text (one or more statements) against the changed columns, for an app deployed in `phase`. */
export function analyzeSql(sql: string, cols: ChangedColumn[], phase: AppPhase): SqlAnalysis {
  const parsed = parsePostgres(sql);
  const result: SqlAnalysis = { parsed: parsed.syntaxErrors.length === 0, issues: [], tables: new Set(), reads: new Set() };
  if (parsed.syntaxErrors.length) result.error = parsed.syntaxErrors[0]!.message;
  const colsOf = (rv: any): ChangedColumn[] => cols.filter((c) => matches(rv, c));

  for (const st of parsed.statements) {
    const at = (loc: number | undefined) => st.at(loc);
    // Every reference to a changed table.
    walk(st.node, (n) => {
      const rv = n.RangeVar;
      if (rv) for (const c of colsOf(rv)) result.tables.add(tkey(c.table.schema, c.table.name));
    });
    // Statements that write: INSERT.
    walk(st.node, (n) => {
      const ins = n.InsertStmt;
      if (!ins) return;
      const mine = colsOf(ins.relation);
      if (!mine.length) return;
      result.tables.add(tkey(mine[0]!.table.schema, mine[0]!.table.name));
      const name = tableLabel(mine[0]!.table);
      const listed: string[] = (ins.cols ?? []).map((r: any) => r.ResTarget?.name).filter(Boolean);
      const loc = at(ins.relation?.location);
      const mustWrite = mine.filter((c) => !c.nullableAtEnd && !c.hasDefault);
      if (!listed.length) {
        const sel = ins.selectStmt?.SelectStmt;
        const fromSelect = sel && !sel.valuesLists;
        result.issues.push({
          rule: 'insert-without-columns',
          severity: mustWrite.length ? 'error' : 'warning',
          offset: loc,
          message:
            `INSERT INTO ${name} ${ins.selectStmt ? (fromSelect ? 'SELECT …' : 'VALUES …') : 'DEFAULT VALUES'} without a column list: ` +
            (mustWrite.length
              ? `${mustWrite.map((c) => c.column).join(', ')} will get NULL and the insert fails once NOT NULL is enforced`
              : `its values are matched to ${name}'s columns by position, and ${mine.map((c) => c.column).join(', ')} ${mine.length > 1 ? 'change' : 'changes'} that table`),
          advice: `name the columns: INSERT INTO ${name} (…${mustWrite.length ? `, ${mustWrite.map((c) => c.column).join(', ')}` : ''}) …`,
        });
        return;
      }
      for (const c of mustWrite) {
        if (listed.includes(c.column)) continue;
        result.issues.push({
          rule: 'insert-omits-column',
          severity: 'error',
          offset: loc,
          message: `INSERT INTO ${name} (${listed.join(', ')}) does not set ${c.column}, which ${c.kind === 'addColumn' ? 'is added' : 'becomes'} NOT NULL without a default: the insert fails once the change's contract phase enforces it`,
          advice: `write ${c.column} in this INSERT, and deploy that before the contract phase (lockstep apply --until expand, deploy, then apply)`,
        });
      }
    });
    // RETURNING * of INSERT/UPDATE/DELETE.
    walk(st.node, (n) => {
      const w = n.InsertStmt ?? n.UpdateStmt ?? n.DeleteStmt;
      // PG 18's grammar (libpg-query 18) wraps the list in returningClause; earlier ones had returningList.
      const returning: any[] | undefined = w?.returningList ?? w?.returningClause?.exprs;
      if (!returning) return;
      const mine = colsOf(w.relation);
      if (!mine.length) return;
      for (const t of returning) {
        const ref = columnRef(t.ResTarget?.val);
        if (ref?.name) for (const c of mine) if (c.column === ref.name) result.reads.add(`${tkey(c.table.schema, c.table.name)}.${c.column}`);
        if (!ref?.star) continue;
        for (const c of mine) result.reads.add(`${tkey(c.table.schema, c.table.name)}.${c.column}`);
        result.issues.push(starIssue(mine, 'RETURNING *', at(ref.location), phase));
      }
    });
    // SELECT lists: `*` and `alias.*` over a changed table, and changed columns read by name.
    walk(st.node, (n) => {
      const sel = n.SelectStmt;
      if (!sel?.targetList) return;
      const rels = fromRelations(sel.fromClause).map((r) => ({ ...r, cols: colsOf(r.rv) }));
      if (!rels.some((r) => r.cols.length)) return;
      for (const t of sel.targetList) {
        const val = t.ResTarget?.val;
        const ref = columnRef(val);
        if (ref?.star) {
          const over = ref.qualifier ? rels.filter((r) => r.alias === ref.qualifier) : rels;
          const mine = over.flatMap((r) => r.cols);
          if (!mine.length) continue;
          for (const c of mine) result.reads.add(`${tkey(c.table.schema, c.table.name)}.${c.column}`);
          if (!existsSubquery(st.node, sel)) result.issues.push(starIssue(mine, ref.qualifier ? `SELECT ${ref.qualifier}.*` : 'SELECT *', at(ref.location), phase));
          continue;
        }
        // Columns read by name anywhere in this target entry.
        walk(val, (m) => {
          const r = columnRef(m);
          if (!r?.name) return;
          const over = r.qualifier ? rels.filter((x) => x.alias === r.qualifier) : rels;
          for (const x of over) for (const c of x.cols) if (c.column === r.name) result.reads.add(`${tkey(c.table.schema, c.table.name)}.${c.column}`);
        });
      }
    });
  }
  return result;
}

function starIssue(mine: ChangedColumn[], what: string, offset: number, phase: AppPhase): SqlIssue {
  const table = tableLabel(mine[0]!.table);
  const added = mine.filter((c) => c.kind === 'addColumn');
  const nullable = mine.filter((c) => nullableFor(c, phase));
  const names = (added.length ? added : mine).map((c) => c.column).join(', ');
  return {
    rule: 'select-star',
    severity: 'warning',
    offset,
    message: `${what} over ${table}: ${added.length ? `the rows gain ${names}` : `${names} comes back`}${nullable.length ? ` (NULL in ${phase === 'expand' ? 'rows not yet backfilled' : 'some rows'})` : ''}, and whatever serializes these rows (API responses, caches, JSON) changes with it`,
    advice: `list the columns this code uses instead of ${what.replace(/^SELECT /, '')}`,
  };
}

/** `EXISTS (SELECT * …)` returns no columns: its star is harmless. */
function existsSubquery(root: any, sel: any): boolean {
  let found = false;
  walk(root, (n) => {
    const s = n.SubLink;
    if (s?.subLinkType === 'EXISTS_SUBLINK' && s.subselect?.SelectStmt === sel) found = true;
  });
  return found;
}
