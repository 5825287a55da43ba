/**
 * Copies the schema of some tables from a source database into a sandbox, with everything they need:
 * schemas, extensions (when the target can install them), enum / domain / composite / range types,
 * sequences, the functions their defaults, CHECK constraints, index expressions and domains call, the
 * tables their foreign keys reference (recursively), partitions, columns, constraints and indexes.
 *
 * The source is read from its catalogs only (no pg_dump), read-only, inside one READ ONLY transaction
 * with `search_path = ''` (SET LOCAL), so the server's deparsers (format_type, pg_get_expr,
 * pg_get_constraintdef, pg_get_indexdef, pg_get_functiondef) qualify every name. Pass a single
 * connection (a pg.Client, a PGlite), not a pool, and not inside a transaction of its own: the
 * transaction must stay on one session. The source must be PostgreSQL 13 or later.
 *
 * The target runs the statements in one transaction: it gets all of them or none. Order:
 * schemas → extensions → types, sequences and functions (in the order of their dependencies, from
 * pg_depend) → tables (partition parents before partitions) → sequence ownership → PRIMARY KEY, UNIQUE,
 * EXCLUDE and CHECK constraints → indexes (partition indexes attached to their parents' indexes) →
 * FOREIGN KEYs last (a foreign key may rely on a unique index that is not a constraint).
 *
 * Not copied (each is reported in `notes` when a copied object uses it): triggers, row level security
 * policies, rules, comments, owners and grants, statistics objects, column storage / compression /
 * statistics targets, tablespaces, user-defined collations, operators, operator classes and base types
 * that do not come from an extension, aggregates, range types' canonical functions. Functions are copied
 * when pg_depend records the use (defaults, CHECKs, index expressions, domains, SQL-standard bodies);
 * what a PL/pgSQL body calls is not recorded, hence not copied. Traditional (non-partition) inheritance is
 * flattened: a child becomes a standalone table with all its columns and constraints. Partition-specific
 * defaults and NOT NULLs are copied; other per-partition column options are not.
 */
import { LockstepError } from '../core/errors.js';
import type { Queryable } from '../dialects/postgres/introspect.js';
import { quoteIdent, quoteLiteral, sqlName } from '../dialects/postgres/names.js';

export interface TableRef {
  schema: string;
  name: string;
}

export type CopyTarget = Queryable & { exec?(sql: string): Promise<unknown> };

export interface CopySchemaResult {
  /** The statements that ran on the target, as one script (each ends with `;`). */
  sql: string;
  /**
   * The tables to load rows into, parents before the tables whose foreign keys reference them: the
   * tables asked for and those their foreign keys reference. Partitions are not listed: rows go
   * through their partitioned parent (see `partitions`).
   */
  tables: TableRef[];
  /** Partitions created with their parents (all levels). */
  partitions: TableRef[];
  /** What was left out or skipped, one line each (an extension the target lacks, a trigger, …). */
  notes: string[];
}

/** `'it''s'`; an E'' literal when there is a backslash, so the text means the same whatever standard_conforming_strings says. */
export { quoteLiteral };

const qualified = (schema: string, name: string) => sqlName({ schema, name });
const display = (t: TableRef) => sqlName(t.schema === 'public' ? { name: t.name } : t);
const systemSchema = (s: string | null | undefined) => s === 'pg_catalog' || s === 'information_schema';
const intText = (s: unknown, what: string): string => {
  const t = String(s);
  if (!/^-?\d+$/.test(t)) throw new LockstepError('E_INTERNAL', `${what}: unexpected value ${t}`);
  return t;
};

interface Stmt {
  what: string;
  sql: string;
  /** A schema (skipped when the target has it) or an extension (a note, not an error, when the target cannot install it). */
  kind?: 'schema' | 'extension';
  /** The schema or extension name, for `kind`. */
  name?: string;
  /** The schema the object lives in (created first). */
  schema?: string;
}

interface TableRow {
  oid: string;
  schema: string;
  name: string;
  relkind: string;
  persistence: string;
  reloptions: string[] | null;
  ispartition: boolean;
  partkey: string | null;
  bound: string | null;
  parent: string | null;
  inherits: number;
}

interface ColumnRow {
  rel: string;
  attnum: number;
  name: string;
  type: string;
  notnull: boolean;
  identity: string;
  generated: string;
  local: boolean;
  def: string | null;
  coll_schema: string | null;
  coll_name: string | null;
}

interface SeqRow {
  oid: string;
  schema: string;
  name: string;
  type: string;
  start: string;
  inc: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** The column it belongs to (identity or OWNED BY), when it does. */
  rel: string | null;
  attnum: number | null;
  deptype: string | null;
}

interface DepRow {
  owner: string;
  refclass: string;
  refoid: string;
  reftype: string | null;
  refschema: string | null;
  refidentity: string | null;
  extname: string | null;
  extschema: string | null;
}

/** A type, function or sequence the tables need, created before them in dependency order. */
interface Node {
  key: string;
  deps: Set<string>;
  stmts: Stmt[];
}

export async function copySchema(source: Queryable, target: CopyTarget, tables: TableRef[]): Promise<CopySchemaResult> {
  if (!tables.length) return { sql: '', tables: [], partitions: [], notes: [] };
  const plan = await readSource(source, tables);
  const ran = await run(target, plan.stmts, plan.notes);
  return {
    sql: ran.map((s) => `${s.trim().replace(/;$/, '')};`).join('\n\n') + '\n',
    tables: plan.load,
    partitions: plan.partitions,
    notes: plan.notes,
  };
}

async function readSource(source: Queryable, asked: TableRef[]): Promise<{ stmts: Stmt[]; load: TableRef[]; partitions: TableRef[]; notes: string[] }> {
  const q = async <R>(sql: string, params: unknown[] = [], what = 'reading the source catalogs'): Promise<R[]> => {
    try {
      return (await source.query(sql, params)).rows as R[];
    } catch (e: any) {
      throw new LockstepError('E_DATABASE', [{ where: 'copy-schema', message: `${what} failed: ${oneLine(e?.message ?? e)}` }], { cause: e });
    }
  };
  await q(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`);
  try {
    await q(`SET LOCAL search_path = ''`);
    const out = await readCatalogs(q, asked);
    return out;
  } finally {
    await source.query('ROLLBACK').catch(() => {});
  }
}

type Q = <R>(sql: string, params?: unknown[], what?: string) => Promise<R[]>;

async function readCatalogs(q: Q, asked: TableRef[]) {
  const notes: string[] = [];
  const versionNum = Number((await q<{ v: string }>(`SELECT current_setting('server_version_num') AS v`))[0]!.v);

  // 1. The tables asked for.
  const found = await q<{ schema: string; name: string; oid: string | null; relkind: string | null }>(
    `SELECT w.schema, w.name, c.oid::text AS oid, c.relkind::text AS relkind
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(schema, name, i)
     LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = w.schema
     LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
     ORDER BY w.i`,
    [asked.map((t) => t.schema), asked.map((t) => t.name)],
  );
  const problems = found.flatMap((f) => {
    if (!f.oid) return [{ where: display(f), message: 'no such table in the source database' }];
    if (f.relkind !== 'r' && f.relkind !== 'p') return [{ where: display(f), message: `is ${relkindName(f.relkind)}, not a table; copy-schema copies tables` }];
    return [];
  });
  if (problems.length) throw new LockstepError('E_INPUT', problems);

  // 2. Closure: referenced tables (foreign keys), partitions and partition parents, until nothing new.
  const closure = new Set(found.map((f) => f.oid!));
  let frontier = [...closure];
  while (frontier.length) {
    const more = await q<{ oid: string; relkind: string; schema: string; name: string }>(
      `SELECT DISTINCT x.oid::text AS oid, c.relkind::text AS relkind, n.nspname AS schema, c.relname AS name FROM (
         SELECT k.confrelid AS oid FROM pg_catalog.pg_constraint k WHERE k.contype = 'f' AND k.conrelid = ANY($1::oid[])
         UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE c.relispartition AND i.inhparent = ANY($1::oid[])
         UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid WHERE c.relispartition AND i.inhrelid = ANY($1::oid[])
       ) x JOIN pg_catalog.pg_class c ON c.oid = x.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`,
      [frontier],
    );
    frontier = [];
    for (const m of more) {
      if (closure.has(m.oid)) continue;
      if (m.relkind !== 'r' && m.relkind !== 'p') throw new LockstepError('E_INPUT', [{ where: display(m), message: `is ${relkindName(m.relkind)}; a copied table needs it and copy-schema copies only tables` }]);
      closure.add(m.oid);
      frontier.push(m.oid);
    }
  }
  const oids = [...closure];

  // 3. Tables, columns, sequences, constraints, indexes.
  const tableRows = await q<TableRow>(
    `SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.relpersistence::text AS persistence,
            c.reloptions, c.relispartition AS ispartition,
            CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey,
            CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound,
            (SELECT i.inhparent::text FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition) AS parent,
            (SELECT count(*) FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition)::int AS inherits
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = ANY($1::oid[])`,
    [oids],
  );
  const byOid = new Map(tableRows.map((t) => [t.oid, t]));
  const tname = (oid: string) => {
    const t = byOid.get(oid)!;
    return qualified(t.schema, t.name);
  };
  for (const t of tableRows) if (t.inherits > 0) notes.push(`${display(t)} inherits from another table (not a partition): copied as a standalone table with all its columns and constraints`);

  const columns = await q<ColumnRow>(
    `SELECT a.attrelid::text AS rel, a.attnum, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, a.attidentity::text AS identity, a.attgenerated::text AS generated, a.attislocal AS local,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS def,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN cn.nspname END AS coll_schema,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END AS coll_name
     FROM pg_catalog.pg_attribute a
     JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
     LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
     LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  const colsOf = new Map<string, ColumnRow[]>();
  for (const c of columns) colsOf.set(c.rel, [...(colsOf.get(c.rel) ?? []), c]);

  const seqSelect = `SELECT s.oid::text AS oid, sn.nspname AS schema, s.relname AS name, pg_catalog.format_type(p.seqtypid, NULL) AS type,
            p.seqstart::text AS start, p.seqincrement::text AS inc, p.seqmin::text AS min, p.seqmax::text AS max, p.seqcache::text AS cache, p.seqcycle AS cycle`;
  // Sequences that belong to a column: identity (deptype i) and OWNED BY / serial (deptype a).
  const ownedSeqs = await q<SeqRow>(
    `${seqSelect}, d.refobjid::text AS rel, d.refobjsubid AS attnum, d.deptype::text AS deptype
     FROM pg_catalog.pg_depend d
     JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
     JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
     JOIN pg_catalog.pg_sequence p ON p.seqrelid = s.oid
     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.refobjid = ANY($1::oid[]) AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0`,
    [oids],
  );
  const identitySeq = new Map(ownedSeqs.filter((s) => s.deptype === 'i').map((s) => [`${s.rel}:${s.attnum}`, s]));

  const constraints = await q<{ rel: string; name: string; type: string; def: string; cloned: boolean; local: boolean; inherited: number; attnum: number | null }>(
    `SELECT k.conrelid::text AS rel, k.conname AS name, k.contype::text AS type, pg_catalog.pg_get_constraintdef(k.oid) AS def,
            k.conparentid <> 0 AS cloned, k.conislocal AS local, k.coninhcount::int AS inherited, k.conkey[1]::int AS attnum
     FROM pg_catalog.pg_constraint k WHERE k.conrelid = ANY($1::oid[])
     ORDER BY k.conrelid, k.conname`,
    [oids],
  );
  const notNullName = new Map(constraints.filter((k) => k.type === 'n' && k.local && !k.cloned).map((k) => [`${k.rel}:${k.attnum}`, k.name]));

  const indexes = await q<{ oid: string; rel: string; schema: string; name: string; def: string; backed: boolean; parent: string | null }>(
    `SELECT i.indexrelid::text AS oid, i.indrelid::text AS rel, n.nspname AS schema, ic.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS def,
            EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) AS backed,
            (SELECT h.inhparent::text FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid) AS parent
     FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
     WHERE i.indrelid = ANY($1::oid[])
     ORDER BY i.indrelid, ic.relname`,
    [oids],
  );

  const triggers = await q<{ rel: string; name: string }>(
    `SELECT tgrelid::text AS rel, tgname AS name FROM pg_catalog.pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal AND tgparentid = 0 ORDER BY 1, 2`,
    [oids],
  );
  for (const t of triggers) notes.push(`trigger ${quoteIdent(t.name)} on ${display(byOid.get(t.rel)!)} is not copied`);
  const policies = await q<{ rel: string; n: number }>(`SELECT polrelid::text AS rel, count(*)::int AS n FROM pg_catalog.pg_policy WHERE polrelid = ANY($1::oid[]) GROUP BY 1`, [oids]);
  for (const p of policies) notes.push(`${p.n} row level security polic${p.n === 1 ? 'y' : 'ies'} on ${display(byOid.get(p.rel)!)} not copied`);

  // 4. What the tables depend on, from pg_depend, until nothing new: types, functions, sequences, extensions.
  const nodes = new Map<string, Node>();
  const extensions = new Map<string, string>(); // name → schema
  const tableDeps = new Set<string>();
  const seen = new Set<string>();
  let types: string[] = [];
  let procs: string[] = [];
  let first = true;
  const pendingSeqs = new Set<string>(ownedSeqs.filter((s) => s.deptype === 'a').map((s) => s.oid));
  for (const s of pendingSeqs) tableDeps.add(`s:${s}`);
  while (first || types.length || procs.length) {
    const deps = await q<DepRow>(
      `WITH src(owner, classid, objid) AS (
         SELECT 'table', 'pg_catalog.pg_class'::pg_catalog.regclass::oid, c.oid FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::oid[])
         UNION ALL SELECT 'table', 'pg_catalog.pg_class'::pg_catalog.regclass::oid, i.indexrelid FROM pg_catalog.pg_index i WHERE i.indrelid = ANY($1::oid[])
         UNION ALL SELECT 'table', 'pg_catalog.pg_attrdef'::pg_catalog.regclass::oid, d.oid FROM pg_catalog.pg_attrdef d WHERE d.adrelid = ANY($1::oid[])
         UNION ALL SELECT 'table', 'pg_catalog.pg_constraint'::pg_catalog.regclass::oid, k.oid FROM pg_catalog.pg_constraint k WHERE k.conrelid = ANY($1::oid[])
         UNION ALL SELECT 't:' || t.oid::text, 'pg_catalog.pg_type'::pg_catalog.regclass::oid, t.oid FROM pg_catalog.pg_type t WHERE t.oid = ANY($2::oid[])
         UNION ALL SELECT 't:' || k.contypid::text, 'pg_catalog.pg_constraint'::pg_catalog.regclass::oid, k.oid FROM pg_catalog.pg_constraint k WHERE k.contypid = ANY($2::oid[])
         UNION ALL SELECT 't:' || t.oid::text, 'pg_catalog.pg_class'::pg_catalog.regclass::oid, t.typrelid FROM pg_catalog.pg_type t WHERE t.oid = ANY($2::oid[]) AND t.typrelid <> 0
         UNION ALL SELECT 'f:' || p.oid::text, 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, p.oid FROM pg_catalog.pg_proc p WHERE p.oid = ANY($3::oid[])
       )
       SELECT DISTINCT s.owner, d.refclassid::pg_catalog.regclass::text AS refclass, d.refobjid::text AS refoid,
              o.type AS reftype, o.schema AS refschema, o.identity AS refidentity, e.extname::text AS extname, en.nspname::text AS extschema
       FROM src s
       JOIN pg_catalog.pg_depend d ON d.classid = s.classid AND d.objid = s.objid AND d.deptype <> 'e'
       CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.refclassid, d.refobjid, 0) o
       LEFT JOIN pg_catalog.pg_depend x ON x.classid = d.refclassid AND x.objid = d.refobjid AND x.deptype = 'e'
       LEFT JOIN pg_catalog.pg_extension e ON e.oid = x.refobjid
       LEFT JOIN pg_catalog.pg_namespace en ON en.oid = e.extnamespace
       WHERE d.refclassid <> 'pg_catalog.pg_namespace'::pg_catalog.regclass
       ORDER BY 1, 2, 3`,
      [first ? oids : [], types, procs],
    );
    first = false;
    types = [];
    procs = [];
    for (const d of deps) {
      const ownerKey = d.owner;
      if (d.refclass === 'pg_class' && closure.has(d.refoid)) continue; // a copied table (or its own row)
      if (d.extname) {
        extensions.set(d.extname, d.extschema ?? 'public');
        continue;
      }
      if (systemSchema(d.refschema)) continue;
      let key: string | undefined;
      if (d.refclass === 'pg_type') key = `t:${d.refoid}`;
      else if (d.refclass === 'pg_proc') key = `f:${d.refoid}`;
      else if (d.refclass === 'pg_class' && d.reftype === 'sequence') key = `s:${d.refoid}`;
      else if (d.refclass === 'pg_class' || d.refclass === 'pg_language' || d.refclass === 'pg_attrdef' || d.refclass === 'pg_constraint') continue;
      else {
        const note = `${d.reftype ?? d.refclass} ${d.refidentity ?? d.refoid} is used by a copied object and not copied: create it in the target first`;
        if (!notes.includes(note)) notes.push(note);
        continue;
      }
      if (key === ownerKey) continue;
      if (ownerKey === 'table') tableDeps.add(key);
      else nodes.get(ownerKey)?.deps.add(key);
      if (seen.has(key)) continue;
      seen.add(key);
      nodes.set(key, { key, deps: new Set(), stmts: [] });
      if (key.startsWith('t:')) types.push(d.refoid);
      else if (key.startsWith('f:')) procs.push(d.refoid);
      else pendingSeqs.add(d.refoid);
    }
    if (types.length) await describeTypes(q, types, nodes, notes, versionNum);
    if (procs.length) await describeProcs(q, procs, nodes, notes);
  }
  for (const oid of pendingSeqs) if (!nodes.has(`s:${oid}`)) nodes.set(`s:${oid}`, { key: `s:${oid}`, deps: new Set(), stmts: [] });
  if (pendingSeqs.size) {
    const seqs = await q<SeqRow>(
      `${seqSelect} FROM pg_catalog.pg_class s JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace JOIN pg_catalog.pg_sequence p ON p.seqrelid = s.oid WHERE s.oid = ANY($1::oid[])`,
      [[...pendingSeqs]],
    );
    for (const s of seqs) {
      nodes.get(`s:${s.oid}`)!.stmts.push({ what: `sequence ${qualified(s.schema, s.name)}`, sql: `CREATE SEQUENCE ${qualified(s.schema, s.name)} AS ${s.type} ${seqOptions(s)}`, schema: s.schema });
    }
  }

  // 5. Statements, in order.
  const stmts: Stmt[] = [];
  const schemas = new Set<string>();
  for (const t of tableRows) schemas.add(t.schema);
  for (const s of ownedSeqs) schemas.add(s.schema);
  for (const n of nodes.values()) for (const s of n.stmts) if (s.schema) schemas.add(s.schema);
  for (const [, schema] of extensions) schemas.add(schema);
  for (const s of [...schemas].sort()) if (!systemSchema(s)) stmts.push({ what: `schema ${quoteIdent(s)}`, sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`, kind: 'schema', name: s });
  for (const [name, schema] of [...extensions].sort()) stmts.push({ what: `extension ${quoteIdent(name)}`, sql: `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)} WITH SCHEMA ${quoteIdent(schema)}`, kind: 'extension', name });

  // Types, functions and sequences: depth-first, dependencies first (a cycle is cut where it closes).
  const emitted = new Set<string>();
  const visit = (key: string) => {
    if (emitted.has(key)) return;
    emitted.add(key);
    const n = nodes.get(key);
    if (!n) return;
    for (const d of n.deps) visit(d);
    stmts.push(...n.stmts);
  };
  for (const k of [...tableDeps].sort()) visit(k);
  for (const k of [...nodes.keys()].sort()) visit(k);

  // Tables: partition parents first (by depth), then by name.
  const depth = (t: TableRow): number => (t.parent && byOid.has(t.parent) ? 1 + depth(byOid.get(t.parent)!) : 0);
  const ordered = [...tableRows].sort((a, b) => depth(a) - depth(b) || a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name));
  for (const t of ordered) stmts.push({ what: `table ${display(t)}`, sql: createTable(t, colsOf.get(t.oid) ?? [], byOid, colsOf, identitySeq, notNullName) });

  for (const s of ownedSeqs.filter((s) => s.deptype === 'a')) {
    const col = (colsOf.get(s.rel!) ?? []).find((c) => c.attnum === s.attnum);
    if (col) stmts.push({ what: `sequence ${qualified(s.schema, s.name)}`, sql: `ALTER SEQUENCE ${qualified(s.schema, s.name)} OWNED BY ${tname(s.rel!)}.${quoteIdent(col.name)}` });
  }

  const keep = (k: (typeof constraints)[number]) => {
    if (k.cloned || k.type === 'n') return false;
    const t = byOid.get(k.rel)!;
    if (t.ispartition && (!k.local || k.inherited > 0)) return false;
    if (k.type === 't') {
      notes.push(`constraint trigger ${quoteIdent(k.name)} on ${display(t)} is not copied`);
      return false;
    }
    return true;
  };
  const kept = constraints.filter(keep);
  const rank: Record<string, number> = { p: 0, u: 1, x: 2, c: 3 };
  const addConstraint = (k: (typeof constraints)[number]) => ({ what: `constraint ${quoteIdent(k.name)} on ${display(byOid.get(k.rel)!)}`, sql: `ALTER TABLE ${tname(k.rel)} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.def}` });
  const byTableOrder = (a: { rel: string }, b: { rel: string }) => ordered.indexOf(byOid.get(a.rel)!) - ordered.indexOf(byOid.get(b.rel)!);
  for (const k of kept.filter((k) => k.type !== 'f').sort((a, b) => byTableOrder(a, b) || (rank[a.type] ?? 9) - (rank[b.type] ?? 9) || a.name.localeCompare(b.name))) stmts.push(addConstraint(k));

  const idxByOid = new Map(indexes.map((i) => [i.oid, i]));
  for (const i of indexes.filter((i) => !i.backed).sort((a, b) => byTableOrder(a, b) || a.name.localeCompare(b.name))) {
    stmts.push({ what: `index ${qualified(i.schema, i.name)}`, sql: i.def });
  }
  const idxDepth = (i: (typeof indexes)[number]): number => (i.parent && idxByOid.has(i.parent) ? 1 + idxDepth(idxByOid.get(i.parent)!) : 0);
  for (const i of indexes.filter((i) => !i.backed && i.parent && idxByOid.has(i.parent) && !idxByOid.get(i.parent)!.backed).sort((a, b) => idxDepth(b) - idxDepth(a) || a.name.localeCompare(b.name))) {
    const p = idxByOid.get(i.parent!)!;
    stmts.push({ what: `index ${qualified(i.schema, i.name)}`, sql: `ALTER INDEX ${qualified(p.schema, p.name)} ATTACH PARTITION ${qualified(i.schema, i.name)}` });
  }
  for (const k of kept.filter((k) => k.type === 'f').sort((a, b) => byTableOrder(a, b) || a.name.localeCompare(b.name))) stmts.push(addConstraint(k));

  // 6. What to load, parents first: partitions go through their root.
  const refs = await q<{ rel: string; ref: string }>(
    `SELECT DISTINCT conrelid::text AS rel, confrelid::text AS ref FROM pg_catalog.pg_constraint WHERE contype = 'f' AND conparentid = 0 AND conrelid = ANY($1::oid[])`,
    [oids],
  );
  const root = (oid: string): string => {
    const t = byOid.get(oid);
    return t?.parent && byOid.has(t.parent) ? root(t.parent) : oid;
  };
  const parentsOf = new Map<string, Set<string>>();
  for (const r of refs) {
    const a = root(r.rel);
    const b = root(r.ref);
    if (a === b) continue;
    parentsOf.set(a, (parentsOf.get(a) ?? new Set()).add(b));
  }
  const roots = ordered.filter((t) => root(t.oid) === t.oid);
  const load: TableRef[] = [];
  const placed = new Set<string>();
  const onPath = new Set<string>();
  const place = (oid: string) => {
    if (placed.has(oid) || onPath.has(oid)) return;
    onPath.add(oid);
    for (const p of [...(parentsOf.get(oid) ?? [])].sort()) place(p);
    onPath.delete(oid);
    placed.add(oid);
    const t = byOid.get(oid)!;
    load.push({ schema: t.schema, name: t.name });
  };
  for (const t of roots) place(t.oid);
  const partitions = ordered.filter((t) => root(t.oid) !== t.oid).map((t) => ({ schema: t.schema, name: t.name }));
  return { stmts, load, partitions, notes };
}

function relkindName(k: string | null): string {
  return ({ v: 'a view', m: 'a materialized view', f: 'a foreign table', S: 'a sequence', i: 'an index', I: 'a partitioned index', c: 'a composite type' } as Record<string, string>)[k ?? ''] ?? `a relation of kind ${k}`;
}

function seqOptions(s: { inc: string; min: string; max: string; start: string; cache: string; cycle: boolean }): string {
  const w = 'sequence';
  return `INCREMENT BY ${intText(s.inc, w)} MINVALUE ${intText(s.min, w)} MAXVALUE ${intText(s.max, w)} START WITH ${intText(s.start, w)} CACHE ${intText(s.cache, w)} ${s.cycle ? 'CYCLE' : 'NO CYCLE'}`;
}

function createTable(
  t: TableRow,
  cols: ColumnRow[],
  byOid: Map<string, TableRow>,
  colsOf: Map<string, ColumnRow[]>,
  identitySeq: Map<string, SeqRow>,
  notNullName: Map<string, string>,
): string {
  const name = qualified(t.schema, t.name);
  const unlogged = t.persistence === 'u' ? 'UNLOGGED ' : '';
  const partitionBy = t.partkey ? ` PARTITION BY ${t.partkey}` : '';
  const withOpts = t.reloptions?.length ? ` WITH (${t.reloptions.map(relOption).join(', ')})` : '';
  const parent = t.parent ? byOid.get(t.parent) : undefined;
  if (t.ispartition && parent) {
    // Columns come from the parent; only what differs on the partition is spelled out.
    const pcols = new Map((colsOf.get(parent.oid) ?? []).map((c) => [c.name, c]));
    const opts = cols.flatMap((c) => {
      const p = pcols.get(c.name);
      const o: string[] = [];
      if (c.def !== null && c.def !== p?.def && !c.generated && !c.identity) o.push(`DEFAULT ${c.def}`);
      if (c.notnull && !p?.notnull) o.push('NOT NULL');
      return o.length ? [`${quoteIdent(c.name)} WITH OPTIONS ${o.join(' ')}`] : [];
    });
    return `CREATE ${unlogged}TABLE ${name} PARTITION OF ${qualified(parent.schema, parent.name)}${opts.length ? ` (\n  ${opts.join(',\n  ')}\n)` : ''} ${t.bound}${partitionBy}${withOpts}`;
  }
  const defs = cols.map((c) => {
    let s = `${quoteIdent(c.name)} ${c.type}`;
    if (c.coll_name) s += ` COLLATE ${qualified(c.coll_schema!, c.coll_name)}`;
    if (c.generated === 's' || c.generated === 'v') s += ` GENERATED ALWAYS AS (${c.def}) ${c.generated === 's' ? 'STORED' : 'VIRTUAL'}`;
    else if (c.identity === 'a' || c.identity === 'd') {
      const seq = identitySeq.get(`${c.rel}:${c.attnum}`);
      s += ` GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${seq ? ` (SEQUENCE NAME ${qualified(seq.schema, seq.name)} ${seqOptions(seq)})` : ''}`;
    } else if (c.def !== null) s += ` DEFAULT ${c.def}`;
    if (c.notnull) {
      const nn = notNullName.get(`${c.rel}:${c.attnum}`);
      s += nn ? ` CONSTRAINT ${quoteIdent(nn)} NOT NULL` : ' NOT NULL';
    }
    return s;
  });
  return `CREATE ${unlogged}TABLE ${name} (\n  ${defs.join(',\n  ')}\n)${partitionBy}${withOpts}`;
}

/** `fillfactor=70` → `fillfactor = '70'` (the key quoted as an identifier, the value as a literal). */
function relOption(o: string): string {
  const i = o.indexOf('=');
  if (i < 0) return quoteIdent(o);
  const key = o.slice(0, i);
  const dot = key.indexOf('.');
  const k = dot > 0 ? `${quoteIdent(key.slice(0, dot))}.${quoteIdent(key.slice(dot + 1))}` : quoteIdent(key);
  return `${k} = ${quoteLiteral(o.slice(i + 1))}`;
}

async function describeTypes(q: Q, oids: string[], nodes: Map<string, Node>, notes: string[], versionNum: number): Promise<void> {
  const rows = await q<{
    oid: string;
    schema: string;
    name: string;
    typtype: string;
    elem: string;
    len: number;
    relkind: string | null;
    basetype: string | null;
    notnull: boolean;
    def: string | null;
    coll_schema: string | null;
    coll_name: string | null;
  }>(
    `SELECT t.oid::text AS oid, n.nspname AS schema, t.typname AS name, t.typtype::text AS typtype, t.typelem::text AS elem, t.typlen::int AS len,
            r.relkind::text AS relkind,
            CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS basetype,
            t.typnotnull AS notnull, pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS def,
            CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> b.typcollation THEN cn.nspname END AS coll_schema,
            CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> b.typcollation THEN co.collname END AS coll_name
     FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     LEFT JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype
     LEFT JOIN pg_catalog.pg_class r ON r.oid = t.typrelid
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
     LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE t.oid = ANY($1::oid[])`,
    [oids],
  );
  const enums = await q<{ oid: string; label: string }>(`SELECT enumtypid::text AS oid, enumlabel::text AS label FROM pg_catalog.pg_enum WHERE enumtypid = ANY($1::oid[]) ORDER BY enumtypid, enumsortorder`, [oids]);
  const domCons = await q<{ oid: string; name: string; def: string; type: string }>(
    `SELECT contypid::text AS oid, conname AS name, pg_catalog.pg_get_constraintdef(oid) AS def, contype::text AS type FROM pg_catalog.pg_constraint WHERE contypid = ANY($1::oid[]) ORDER BY contypid, conname`,
    [oids],
  );
  const attrs = await q<{ oid: string; name: string; type: string; coll_schema: string | null; coll_name: string | null }>(
    `SELECT t.oid::text AS oid, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation THEN cn.nspname END AS coll_schema,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation THEN co.collname END AS coll_name
     FROM pg_catalog.pg_type t JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE t.oid = ANY($1::oid[]) AND t.typtype = 'c' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY t.oid, a.attnum`,
    [oids],
  );
  const ranges = await q<{ oid: string; subtype: string; diff: string | null; canonical: boolean; coll_schema: string | null; coll_name: string | null; multi: string | null }>(
    `SELECT r.rngtypid::text AS oid, pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
            CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text END AS diff, r.rngcanonical <> 0 AS canonical,
            CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN cn.nspname END AS coll_schema,
            CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN co.collname END AS coll_name,
            ${versionNum >= 140000 ? `pg_catalog.format_type(r.rngmultitypid, NULL)` : 'NULL::text'} AS multi
     FROM pg_catalog.pg_range r JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = r.rngcollation LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE r.rngtypid = ANY($1::oid[])`,
    [oids],
  );
  for (const t of rows) {
    const node = nodes.get(`t:${t.oid}`)!;
    const name = qualified(t.schema, t.name);
    const stmt = (sql: string) => node.stmts.push({ what: `type ${name}`, sql, schema: t.schema });
    if (t.typtype === 'b' && t.elem !== '0' && t.len === -1) {
      node.deps.add(`t:${t.elem}`); // an array: its element type is what gets created
      continue;
    }
    switch (t.typtype) {
      case 'e':
        stmt(`CREATE TYPE ${name} AS ENUM (${enums.filter((e) => e.oid === t.oid).map((e) => quoteLiteral(e.label)).join(', ')})`);
        break;
      case 'd': {
        const coll = t.coll_name ? ` COLLATE ${qualified(t.coll_schema!, t.coll_name)}` : '';
        stmt(`CREATE DOMAIN ${name} AS ${t.basetype}${coll}${t.def !== null ? ` DEFAULT ${t.def}` : ''}${t.notnull ? ' NOT NULL' : ''}`);
        for (const c of domCons.filter((c) => c.oid === t.oid && c.type === 'c')) stmt(`ALTER DOMAIN ${name} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.def}`);
        break;
      }
      case 'c':
        if (t.relkind !== 'c') {
          notes.push(`a column has the row type of table ${name}: not supported (copy that table and use a composite type)`);
          break;
        }
        stmt(`CREATE TYPE ${name} AS (${attrs.filter((a) => a.oid === t.oid).map((a) => `${quoteIdent(a.name)} ${a.type}${a.coll_name ? ` COLLATE ${qualified(a.coll_schema!, a.coll_name)}` : ''}`).join(', ')})`);
        break;
      case 'r': {
        const r = ranges.find((r) => r.oid === t.oid);
        if (!r) break;
        const opts = [`SUBTYPE = ${r.subtype}`];
        if (r.coll_name) opts.push(`COLLATION = ${qualified(r.coll_schema!, r.coll_name)}`);
        if (r.diff) opts.push(`SUBTYPE_DIFF = ${r.diff}`);
        if (r.multi) opts.push(`MULTIRANGE_TYPE_NAME = ${r.multi}`);
        if (r.canonical) notes.push(`range type ${name}: its canonical function is not copied`);
        stmt(`CREATE TYPE ${name} AS RANGE (${opts.join(', ')})`);
        break;
      }
      case 'm':
        break; // created with its range type
      default:
        notes.push(`type ${name} is a base type that does not come from an extension: not copied; create it in the target first`);
    }
  }
}

async function describeProcs(q: Q, oids: string[], nodes: Map<string, Node>, notes: string[]): Promise<void> {
  const rows = await q<{ oid: string; schema: string; ident: string; kind: string; def: string | null }>(
    `SELECT p.oid::text AS oid, n.nspname AS schema, p.oid::pg_catalog.regprocedure::text AS ident, p.prokind::text AS kind,
            CASE WHEN p.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(p.oid) END AS def
     FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = ANY($1::oid[])`,
    [oids],
  );
  for (const p of rows) {
    if (p.def === null) {
      notes.push(`${p.kind === 'a' ? 'aggregate' : 'window function'} ${p.ident} is used by a copied object and not copied`);
      continue;
    }
    nodes.get(`f:${p.oid}`)!.stmts.push({ what: `function ${p.ident}`, sql: p.def, schema: p.schema });
  }
}

/** Runs the statements on the target in one transaction; extensions it cannot install become notes. Returns what ran. */
async function run(target: CopyTarget, stmts: Stmt[], notes: string[]): Promise<string[]> {
  const ran: string[] = [];
  const exec = async (sql: string, keep = true) => {
    await (target.exec ? target.exec(sql) : target.query(sql));
    if (keep) ran.push(sql);
  };
  const existing = new Set((await target.query<{ name: string }>(`SELECT extname::text AS name FROM pg_catalog.pg_extension`)).rows.map((r) => r.name));
  const available = new Set((await target.query<{ name: string }>(`SELECT name::text AS name FROM pg_catalog.pg_available_extensions`)).rows.map((r) => r.name));
  const schemas = new Set((await target.query<{ name: string }>(`SELECT nspname::text AS name FROM pg_catalog.pg_namespace`)).rows.map((r) => r.name));
  await exec('BEGIN');
  try {
    await exec('SET LOCAL check_function_bodies = off');
    for (const s of stmts) {
      if (s.kind === 'schema' && schemas.has(s.name!)) continue;
      if (s.kind === 'extension') {
        const name = s.name!;
        if (existing.has(name)) continue;
        if (!available.has(name)) {
          notes.push(`extension ${quoteIdent(name)} is not available in the target: skipped; objects that need it will fail`);
          continue;
        }
        await exec('SAVEPOINT lockstep_extension', false);
        try {
          await exec(s.sql);
          await exec('RELEASE SAVEPOINT lockstep_extension', false);
        } catch (e: any) {
          await exec('ROLLBACK TO SAVEPOINT lockstep_extension', false);
          notes.push(`extension ${quoteIdent(name)} could not be created in the target (${oneLine(e?.message ?? e)}): skipped`);
        }
        continue;
      }
      try {
        await exec(s.sql);
      } catch (e: any) {
        // A skipped extension is the likely cause: say so on its own line.
        const skipped = notes.filter((n) => n.startsWith('extension ')).map((message) => ({ where: 'copy-schema', message }));
        throw new LockstepError('E_DATABASE', [{ where: 'copy-schema', message: `creating ${s.what} in the target failed: ${oneLine(e?.message ?? e)}` }, ...skipped], { cause: e });
      }
    }
    await exec('COMMIT');
    return ran;
  } catch (e) {
    await exec('ROLLBACK', false).catch(() => {});
    throw e;
  }
}

function oneLine(s: unknown): string {
  return String(s).split('\n')[0]!.trim();
}
