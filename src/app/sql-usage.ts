/**
 * What one SQL statement from application code does with the tables a change touches, read from the
 * Postgres parser's tree (libpg-query), never from the text: INSERTs without a column list, INSERTs
 * that leave out a column that will be NOT NULL without a default, `SELECT *` / `t.*` / `RETURNING *`
 * over the table, and which of the changed columns a query reads.
 */
import { walk } from '../dialects/postgres/volatility.js';
import { parsePostgres } from '../dialects/postgres/parser.js';
import { skipQuoted } from '../dialects/postgres/lexer.js';
import type { AppPhase, ChangedColumn } from './columns.js';
import { insertIssues, starIssue, tkey, type SqlAnalysis, type SqlIssue } from './sql-issues.js';

export type { SqlIssue, SqlAnalysis };

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
  const result: SqlAnalysis = { parsed: parsed.syntaxErrors.length === 0, errors: parsed.syntaxErrors.map((e) => ({ offset: e.span.start, message: e.message })), issues: [], tables: new Set(), reads: new Set() };
  if (parsed.syntaxErrors.length) result.error = parsed.syntaxErrors[0]!.message;
  const colsOf = (rv: any): ChangedColumn[] => cols.filter((c) => matches(rv, c));

  for (const st of parsed.statements) {
    const at = (loc: number | undefined) => st.at(loc);
    // Every reference to a changed table.
    walk(st.node, (n) => {
      const rv = n.RangeVar;
      if (rv) for (const c of colsOf(rv)) result.tables.add(tkey(c.table.schema, c.table.name));
    });
    // Statements that write: INSERT, MERGE … WHEN NOT MATCHED THEN INSERT, COPY … FROM.
    const writes = (relation: any, listed: string[] | undefined, what: string, head: string, loc: number, values?: any[][]) => {
      // Listed, but given NULL or DEFAULT (which is NULL without a default) in some row of VALUES.
      const nulled = (i: number) => !!values?.some((row) => row[i]?.SetToDefault || row[i]?.A_Const?.isnull);
      result.issues.push(...insertIssues(colsOf(relation), listed, what, head, loc, nulled));
    };
    walk(st.node, (n) => {
      const ins = n.InsertStmt;
      if (ins) {
        const listed: string[] = (ins.cols ?? []).map((r: any) => r.ResTarget?.name).filter(Boolean);
        const sel = ins.selectStmt?.SelectStmt;
        const what = `INSERT INTO ${ins.relation?.relname} ${ins.selectStmt ? (sel && !sel.valuesLists ? 'SELECT …' : 'VALUES …') : 'DEFAULT VALUES'}`;
        const values = sel?.valuesLists?.map((l: any) => l.List?.items ?? []);
        writes(ins.relation, listed.length ? listed : undefined, what, `INSERT INTO ${ins.relation?.relname}`, at(ins.relation?.location), values);
      }
      const merge = n.MergeStmt;
      if (merge)
        for (const w of merge.mergeWhenClauses ?? []) {
          const m = w.MergeWhenClause;
          if (m?.commandType !== 'CMD_INSERT') continue;
          const listed: string[] = (m.targetList ?? []).map((r: any) => r.ResTarget?.name).filter(Boolean);
          writes(merge.relation, listed.length ? listed : undefined, `MERGE INTO ${merge.relation?.relname} … INSERT …`, `MERGE … INSERT`, at(merge.relation?.location), m.values ? [m.values] : undefined);
        }
      const copy = n.CopyStmt;
      if (copy?.is_from && copy.relation) {
        const listed: string[] = (copy.attlist ?? []).map((x: any) => x.String?.sval).filter(Boolean);
        writes(copy.relation, listed.length ? listed : undefined, `COPY ${copy.relation.relname} FROM …`, `COPY ${copy.relation.relname}`, at(copy.relation.location));
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
    // SELECT lists: `*` and `alias.*` over a changed table, and changed columns read by name. The
    // branches of UNION/INTERSECT/EXCEPT are SelectStmt bodies without the wrapper.
    const selects: any[] = [];
    walk(st.node, (n) => {
      if (n.SelectStmt) selects.push(n.SelectStmt);
    });
    for (let i = 0; i < selects.length; i++) {
      const sel = selects[i];
      if (sel.larg) selects.push(sel.larg);
      if (sel.rarg) selects.push(sel.rarg);
      if (!sel.targetList) continue;
      const rels = fromRelations(sel.fromClause).map((r) => ({ ...r, cols: colsOf(r.rv) }));
      if (!rels.some((r) => r.cols.length)) continue;
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
    }
  }
  return result;
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

/**
 * Placeholders of other drivers and ORMs (`?` of Knex/mysql-style, `:name` of Sequelize/TypeORM) as
 * `$n`, outside quotes and comments, so the Postgres parser can read the statement. Used only when
 * the text did not parse as it is (`?` is also a jsonb operator).
 */
export function normalizePlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    const quoted = skipQuoted(sql, i); // strings, quoted names, dollar quotes, comments: as they are
    if (quoted >= 0) {
      out += sql.slice(i, quoted);
      i = quoted - 1;
    } else if (ch === '?' && !/[?|&]/.test(sql[i + 1] ?? '')) out += `$${++n}`;
    else if (ch === ':' && sql[i - 1] !== ':' && sql[i + 1] !== ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      out += `$${++n}`;
      i += m[0].length;
    } else out += ch;
  }
  return out;
}
