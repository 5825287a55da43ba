/**
 * The column names a query gives its result, as Postgres names them when a view, materialized view or
 * CREATE TABLE … AS takes them (the parser's FigureColname rules): an explicit `AS`, else the column's
 * or function's name, else `?column?`. `*` is expanded from the catalog when every relation it covers is
 * known; what cannot be known (a CTE, a function in FROM, a table lockstep has not seen) is left unknown,
 * so callers only ever see names Postgres really gives.
 */
import type { Catalog } from './catalog.js';
import { fromRangeVar, key, strings } from './names.js';

export interface OutputColumn {
  /** The name Postgres gives it; undefined when lockstep cannot tell. */
  name?: string;
  /** How the column came about, for messages: `1`, `count(*)`, `orders.id (from *)`. */
  origin: 'alias' | 'inferred' | 'star';
  /** Parse-tree location of the target (statement-relative, as the parser gives it). */
  location?: number;
  /** For `*` columns: the relation the column comes from. */
  from?: string;
}

/** The result columns of a query, in order; `unknownWidth` after a `*` lockstep could not expand (later positions are then unknown). */
export interface OutputNames {
  columns: (OutputColumn & { definitePosition: boolean })[];
}

interface Env {
  catalog?: Catalog;
  /** Server major: `true`/`false` were `bool` casts before 15, so they were named `bool`. */
  version: number;
  /** CTE names in scope (they shadow tables of the same name). */
  ctes: Set<string>;
}

/** Names of a SelectStmt's (or a set operation's leftmost branch's) result columns. */
export function outputNames(select: any, opts: { catalog?: Catalog; version: number }): OutputNames {
  return namesOf(select, { catalog: opts.catalog, version: opts.version, ctes: new Set() });
}

function namesOf(select: any, outer: Env): OutputNames {
  const s = select?.SelectStmt ?? select;
  const env: Env = { ...outer, ctes: new Set(outer.ctes) };
  for (const c of s?.withClause?.ctes ?? []) if (c.CommonTableExpr?.ctename) env.ctes.add(c.CommonTableExpr.ctename);
  if (s?.op && s.op !== 'SETOP_NONE') return namesOf(s.larg, env);
  const out: OutputNames = { columns: [] };
  if (s?.valuesLists?.length) {
    const first = s.valuesLists[0]?.List?.items ?? [];
    first.forEach((_: any, i: number) => out.columns.push({ name: `column${i + 1}`, origin: 'inferred', definitePosition: true }));
    return out;
  }
  let definite = true;
  for (const raw of s?.targetList ?? []) {
    const rt = raw.ResTarget;
    if (!rt) continue;
    const ref = rt.val?.ColumnRef;
    const last = ref?.fields?.[ref.fields.length - 1];
    if (!rt.name && last?.A_Star) {
      const qual = strings(ref.fields.slice(0, -1));
      const expanded = expandStar(s.fromClause ?? [], qual, env);
      if (!expanded) {
        definite = false;
        continue;
      }
      for (const c of expanded) out.columns.push({ ...c, origin: 'star', location: rt.location, definitePosition: definite });
      continue;
    }
    const name = rt.name ?? figureColname(rt.val, env).name;
    out.columns.push({ ...(name !== undefined ? { name } : {}), origin: rt.name ? 'alias' : 'inferred', location: rt.location, definitePosition: definite });
  }
  return out;
}

/** The columns `*` (or `qual.*`) stands for, or undefined when some relation's columns are not known. */
function expandStar(from: any[], qual: string[], env: Env): { name: string; from: string }[] | undefined {
  const items: { alias: string; columns: { name: string; from: string }[] | undefined }[] = [];
  const visit = (node: any): { name: string; from: string }[] | undefined => {
    if (node?.RangeVar) {
      const rv = node.RangeVar;
      const label = rv.alias?.aliasname ?? rv.relname;
      const cols = relationColumns(rv, env);
      const renamed = cols && applyAliasColumns(cols, rv.alias?.colnames, label);
      items.push({ alias: label, columns: renamed });
      return renamed;
    }
    if (node?.RangeSubselect) {
      const r = node.RangeSubselect;
      const label = r.alias?.aliasname;
      const names = namesOf(r.subquery, env);
      const known = names.columns.every((c) => c.name !== undefined && c.definitePosition) ? names.columns.map((c) => ({ name: c.name!, from: label ?? 'subquery' })) : undefined;
      const renamed = known && applyAliasColumns(known, r.alias?.colnames, label ?? 'subquery');
      if (label) items.push({ alias: label, columns: renamed });
      return renamed;
    }
    if (node?.JoinExpr) {
      const j = node.JoinExpr;
      const left = visit(j.larg);
      const right = visit(j.rarg);
      if (j.alias) return undefined; // a join alias hides the tables' own names: not expanded here
      if (!left || !right) return undefined;
      if (j.isNatural) return undefined; // the merged columns depend on names lockstep may not all know
      const using = strings(j.usingClause);
      if (!using.length) return [...left, ...right];
      // USING merges each named column into one, listed first.
      const merged = using.map((u) => left.find((c) => c.name === u) ?? { name: u, from: 'USING' });
      return [...merged, ...left.filter((c) => !using.includes(c.name)), ...right.filter((c) => !using.includes(c.name))];
    }
    return undefined; // functions in FROM, table samples, XMLTABLE, …
  };
  const all: ({ name: string; from: string }[] | undefined)[] = from.map(visit);
  if (!qual.length) return all.every(Boolean) ? all.flat() as { name: string; from: string }[] : undefined;
  const target = qual[qual.length - 1];
  const found = items.filter((i) => i.alias === target);
  return found.length === 1 ? found[0]!.columns : undefined;
}

function applyAliasColumns(cols: { name: string; from: string }[], colnames: any[] | undefined, label: string) {
  const names = strings(colnames);
  return cols.map((c, i) => ({ name: names[i] ?? c.name, from: label }));
}

function relationColumns(rv: any, env: Env): { name: string; from: string }[] | undefined {
  if (!rv.schemaname && env.ctes.has(rv.relname)) return undefined;
  const t = env.catalog?.table(fromRangeVar(rv));
  if (!t || t.partial || t.partitionOf || !t.columns.size || (t.kind !== 'table' && t.kind !== 'partitioned')) return undefined;
  const label = rv.alias?.aliasname ?? key(fromRangeVar(rv));
  return [...t.columns.keys()].map((name) => ({ name, from: label }));
}

const sqlValueFunctionNames: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

const xmlNames: Record<string, string> = {
  IS_XMLCONCAT: 'xmlconcat',
  IS_XMLELEMENT: 'xmlelement',
  IS_XMLFOREST: 'xmlforest',
  IS_XMLPARSE: 'xmlparse',
  IS_XMLPI: 'xmlpi',
  IS_XMLROOT: 'xmlroot',
  IS_XMLSERIALIZE: 'xmlserialize',
};

/** Node types Postgres names `?column?` (FigureColname has no rule for them). */
const unnamed = new Set(['A_Const', 'A_Expr', 'BoolExpr', 'NullTest', 'BooleanTest', 'ParamRef']);

/**
 * Postgres's FigureColnameInternal: the name and its strength (2: a real name, 1: a type name or
 * `case`, 0: none, which becomes `?column?`). `name` undefined: a node lockstep does not model.
 */
function figureColname(node: any, env: Env): { name?: string; strength?: number } {
  const r = figure(node, env);
  if (r === undefined) return {};
  return r.strength === 0 ? { name: '?column?', strength: 0 } : r;
}

function figure(node: any, env: Env): { name?: string; strength: number } | undefined {
  if (!node || typeof node !== 'object') return { strength: 0 };
  const [type] = Object.keys(node);
  const n = node[type!];
  switch (type) {
    case 'ColumnRef': {
      const fields = strings((n.fields ?? []).filter((f: any) => f.String));
      return fields.length ? { name: fields[fields.length - 1], strength: 2 } : { strength: 0 };
    }
    case 'A_Indirection': {
      const fields = strings((n.indirection ?? []).filter((f: any) => f.String));
      if (fields.length) return { name: fields[fields.length - 1], strength: 2 };
      return figure(n.arg, env);
    }
    case 'FuncCall': {
      // SQL-syntax calls (EXTRACT, TRIM, …) are parsed as the functions of the parser's version (18); older servers chose others (date_part before 14).
      if (n.funcformat === 'COERCE_SQL_SYNTAX' && env.version < 15) return undefined;
      const parts = strings(n.funcname);
      return { name: parts[parts.length - 1], strength: 2 };
    }
    case 'A_Expr':
      return n.kind === 'AEXPR_NULLIF' ? { name: 'nullif', strength: 2 } : { strength: 0 };
    case 'A_Const':
      return n.boolval !== undefined && env.version < 15 ? { name: 'bool', strength: 1 } : { strength: 0 };
    case 'TypeCast': {
      const inner = figure(n.arg, env);
      if (inner === undefined) return undefined;
      if (inner.strength <= 1 && n.typeName?.names) {
        const parts = strings(n.typeName.names);
        return { name: parts[parts.length - 1], strength: 1 };
      }
      return inner;
    }
    case 'CollateClause':
      return figure(n.arg, env);
    case 'GroupingFunc':
      return { name: 'grouping', strength: 2 };
    case 'SubLink':
      if (n.subLinkType === 'EXISTS_SUBLINK') return { name: 'exists', strength: 2 };
      if (n.subLinkType === 'ARRAY_SUBLINK') return { name: 'array', strength: 2 };
      if (n.subLinkType === 'EXPR_SUBLINK') {
        const first = namesOf(n.subselect, env).columns[0];
        return first?.name !== undefined && first.definitePosition ? { name: first.name, strength: 2 } : undefined;
      }
      return { strength: 0 };
    case 'CaseExpr': {
      const inner = n.defresult ? figure(n.defresult, env) : { strength: 0 };
      if (inner === undefined) return undefined;
      return inner.strength <= 1 ? { name: 'case', strength: 1 } : inner;
    }
    case 'A_ArrayExpr':
      return { name: 'array', strength: 2 };
    case 'RowExpr':
      return { name: 'row', strength: 2 };
    case 'CoalesceExpr':
      return { name: 'coalesce', strength: 2 };
    case 'MinMaxExpr':
      return n.op === 'IS_GREATEST' ? { name: 'greatest', strength: 2 } : n.op === 'IS_LEAST' ? { name: 'least', strength: 2 } : undefined;
    case 'SQLValueFunction': {
      const name = sqlValueFunctionNames[n.op];
      return name ? { name, strength: 2 } : undefined;
    }
    case 'XmlExpr': {
      if (n.op === 'IS_DOCUMENT') return { strength: 0 };
      const name = xmlNames[n.op];
      return name ? { name, strength: 2 } : undefined;
    }
    case 'XmlSerialize':
      return { name: 'xmlserialize', strength: 2 };
    default:
      return unnamed.has(type!) ? { strength: 0 } : undefined;
  }
}
