/**
 * The schema fingerprint and data checksum a rehearsal compares: the down of a migration must give back
 * the schema exactly (`down-restores-schema`) and leave the rows that were there unchanged
 * (`down-keeps-data`).
 *
 * The fingerprint is read from the system catalogs only (no pg_dump), so it works the same on PostgreSQL
 * 15–18 and on PGlite. It is a sorted list of canonical one-line facts, e.g.
 *   column public.orders.created_at timestamp with time zone not null default now()
 * independent of OIDs and physical details (relfilenode, attnum gaps left by dropped columns, constraint
 * OIDs, row order). Names are quoted only where SQL needs it. Expressions come from the server's
 * deparser (pg_get_expr, pg_get_constraintdef, pg_get_indexdef, …), which qualifies names that are not
 * on the session's search_path: compare fingerprints taken with the same search_path (one session).
 *
 * Covered, in user schemas (everything but pg_catalog, information_schema, pg_toast*, pg_temp* and
 * lockstep's own `lockstep` schema), leaving out objects that belong to an extension:
 * schemas; extensions; tables (kind, persistence, partition key and bounds, inheritance, storage options,
 * row level security, replica identity); column order; columns (type, collation, NOT NULL, default,
 * identity, generated); constraints (definition, NOT VALID, deferrable); indexes (definition, primary,
 * valid, ready); triggers (definition, enabled state); sequences (type, start, increment, bounds, cache,
 * cycle, owner; never last_value); views and materialized views (definition, options, populated); enum,
 * domain (with constraints), range and composite types; functions and procedures (signature, language,
 * volatility and an md5 of pg_get_functiondef), aggregates; comments; row level security policies;
 * rules; extended statistics.
 * Ignored on purpose: owners, privileges, tablespaces, table access methods, column storage,
 * compression and statistics targets, CLUSTER marks (indisclustered), sequence state, planner
 * statistics, and everything physical.
 */
import type { Queryable } from '../dialects/postgres/introspect.js';
import { escapeControls, quoteIdent, quoteLiteral, sqlName } from '../dialects/postgres/names.js';
import { lex } from '../dialects/postgres/lexer.js';
import { LEDGER_SCHEMA } from '../apply/ledger.js';

export interface Fingerprint {
  /** Canonical one-line facts, sorted (by UTF-16 code units) and unique. */
  lines: string[];
  /**
   * For each line (same index), the identity of what it describes, e.g. `column public.orders.created_at`:
   * `diffFingerprints` shows a removed and an added line of the same identity together, as a change.
   */
  keys: string[];
}

export interface FingerprintOptions {
  /** Only these schemas (exact names). Default: every user schema but `lockstep`. */
  schemas?: string[];
}

export interface TableColumns {
  schema: string;
  name: string;
  /** In column order, dropped columns left out. */
  columns: string[];
}

// lockstep's ledger lives in LEDGER_SCHEMA; it is never part of what a migration changes.

interface Scope {
  /** A predicate on a schema-name column. */
  where(col: string): string;
  params: unknown[];
}

function scopeOf(schemas: string[] | undefined): Scope {
  if (schemas) {
    return {
      // One bound JSON array: works the same through node-postgres and PGlite.
      where: (col) => `${col} IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      params: [JSON.stringify(schemas)],
    };
  }
  return {
    where: (col) =>
      `(${col} NOT IN ('pg_catalog', 'information_schema', '${LEDGER_SCHEMA}') AND ${col} NOT LIKE 'pg\\_toast%' AND ${col} NOT LIKE 'pg\\_temp%')`,
    params: [],
  };
}

/** The object (a pg_class, pg_type or pg_proc row) is not a member of an extension. */
const notInExtension = (catalog: 'pg_class' | 'pg_type' | 'pg_proc', oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

const qn = (schema: string, name: string) => sqlName({ schema, name });

const relationWords: Record<string, string> = {
  r: 'table',
  p: 'partitioned table',
  f: 'foreign table',
  v: 'view',
  m: 'materialized view',
  c: 'type',
  S: 'sequence',
  i: 'index',
  I: 'index',
};

/** The fingerprint of the schemas in scope. Read-only; several catalog queries, no locks beyond AccessShare on catalogs. */
export async function fingerprint(db: Queryable, opts: FingerprintOptions = {}): Promise<Fingerprint> {
  const scope = scopeOf(opts.schemas);
  const w = scope.where;
  const q = <R extends Record<string, any>>(sql: string) =>
    db.query<R>(sql, scope.params.length ? scope.params : undefined).then((r) => r.rows);
  const facts = new Map<string, string>(); // line → key
  const add = (key: string, line: string) => facts.set(line, key);

  // Schemas.
  for (const r of await q<{ schema: string }>(`SELECT n.nspname AS schema FROM pg_namespace n WHERE ${w('n.nspname')}`))
    add(`schema ${quoteIdent(r.schema)}`, `schema ${quoteIdent(r.schema)}`);

  // Extensions: database-wide; all of them unless schemas were named.
  for (const r of await q<{ name: string; version: string; schema: string }>(`
    SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    ${opts.schemas ? `WHERE ${w('n.nspname')}` : ''}`))
    add(`extension ${quoteIdent(r.name)}`, `extension ${quoteIdent(r.name)} version ${r.version} schema ${quoteIdent(r.schema)}`);

  // Relations: tables, views, materialized views, foreign tables, composite types.
  const rels = await q<{
    schema: string;
    name: string;
    kind: string;
    persistence: string;
    is_partition: boolean;
    partkey: string | null;
    bound: string | null;
    parents: [string, string][] | null;
    options: string[] | null;
    rls: boolean;
    force_rls: boolean;
    replident: string;
    replident_index: string | null;
    def: string | null;
    populated: boolean;
    server: string | null;
  }>(`
    SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence,
           c.relispartition AS is_partition,
           CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
           CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
           (SELECT json_agg(json_build_array(pn.nspname, p.relname) ORDER BY i.inhseqno)
              FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
             WHERE i.inhrelid = c.oid) AS parents,
           c.reloptions::text[] AS options,
           c.relrowsecurity AS rls, c.relforcerowsecurity AS force_rls, c.relreplident::text AS replident,
           (SELECT ri.relname FROM pg_index x JOIN pg_class ri ON ri.oid = x.indexrelid WHERE x.indrelid = c.oid AND x.indisreplident LIMIT 1) AS replident_index,
           CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS def,
           c.relispopulated AS populated,
           (SELECT s.srvname FROM pg_foreign_table ft JOIN pg_foreign_server s ON s.oid = ft.ftserver WHERE ft.ftrelid = c.oid) AS server
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'c') AND ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`);
  for (const r of rels) {
    const name = qn(r.schema, r.name);
    const word = relationWords[r.kind] ?? `relation (${r.kind})`;
    let line = `${word} ${name}`;
    if (r.kind === 'c') line += ' as composite';
    if (r.persistence === 'u') line += ' unlogged';
    if (r.partkey) line += ` partition by ${oneLine(r.partkey)}`;
    const parents = (r.parents ?? []).map(([s, n]) => qn(s, n));
    if (r.is_partition) line += ` partition of ${parents[0] ?? '?'} ${oneLine(r.bound ?? '')}`;
    else if (parents.length) line += ` inherits (${parents.join(', ')})`;
    if (r.server) line += ` server ${quoteIdent(r.server)}`;
    if (r.options?.length) line += ` with (${[...r.options].sort().join(', ')})`;
    if (r.rls) line += ' row level security';
    if (r.force_rls) line += ' forced';
    if (r.kind === 'r' || r.kind === 'p' || r.kind === 'm') {
      if (r.replident === 'f') line += ' replica identity full';
      else if (r.replident === 'n') line += ' replica identity nothing';
      else if (r.replident === 'i') line += ` replica identity using index ${quoteIdent(r.replident_index ?? '?')}`;
    }
    if (r.kind === 'm' && !r.populated) line += ' not populated';
    if (r.def !== null) line += ` as ${oneLine(r.def).replace(/;$/, '')}`;
    add(`relation ${name}`, line);
  }

  // Columns of tables, foreign tables and composite types; their order is a fact of its own.
  const cols = await q<{
    schema: string;
    rel: string;
    name: string;
    num: number;
    type: string;
    coll_schema: string | null;
    coll: string | null;
    notnull: boolean;
    identity: string;
    generated: string;
    expr: string | null;
  }>(`
    SELECT n.nspname AS schema, c.relname AS rel, a.attname AS name, a.attnum::int AS num,
           format_type(a.atttypid, a.atttypmod) AS type,
           cn.nspname AS coll_schema, co.collname AS coll,
           a.attnotnull AS notnull, a.attidentity::text AS identity, a.attgenerated::text AS generated,
           pg_get_expr(d.adbin, d.adrelid) AS expr
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
    LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f', 'c')
      AND ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`);
  const order = new Map<string, { num: number; name: string }[]>();
  for (const r of cols) {
    const rel = qn(r.schema, r.rel);
    const list = order.get(rel) ?? [];
    list.push({ num: r.num, name: r.name });
    order.set(rel, list);
    let line = `column ${rel}.${quoteIdent(r.name)} ${r.type}`;
    if (r.coll) line += ` collate ${r.coll_schema && r.coll_schema !== 'pg_catalog' ? qn(r.coll_schema, r.coll) : quoteIdent(r.coll)}`;
    if (r.notnull) line += ' not null';
    if (r.identity === 'a') line += ' generated always as identity';
    else if (r.identity === 'd') line += ' generated by default as identity';
    if (r.generated === 's' || r.generated === 'v') line += ` generated always as (${oneLine(r.expr ?? '')}) ${r.generated === 's' ? 'stored' : 'virtual'}`;
    else if (r.expr !== null) line += ` default ${oneLine(r.expr)}`;
    add(`column ${rel}.${quoteIdent(r.name)}`, line);
  }
  for (const [rel, list] of order) {
    const names = list.sort((a, b) => a.num - b.num).map((c) => quoteIdent(c.name));
    add(`columns ${rel}`, `columns ${rel} (${names.join(', ')})`);
  }

  // Constraints of tables (PG 18 also lists NOT NULL ones here, with their names).
  for (const r of await q<{ schema: string; rel: string; name: string; def: string; valid: boolean }>(`
    SELECT n.nspname AS schema, c.relname AS rel, con.conname AS name, pg_get_constraintdef(con.oid) AS def, con.convalidated AS valid
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`)) {
    const key = `constraint ${qn(r.schema, r.rel)}.${quoteIdent(r.name)}`;
    add(key, `${key} ${withValidity(oneLine(r.def), r.valid)}`);
  }

  // Indexes.
  for (const r of await q<{ schema: string; name: string; def: string; valid: boolean; ready: boolean; primary: boolean }>(`
    SELECT n.nspname AS schema, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def,
           i.indisvalid AS valid, i.indisready AS ready, i.indisprimary AS primary
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_class', 'i.indrelid')}`)) {
    const key = `index ${qn(r.schema, r.name)}`;
    const flags = [r.primary ? 'primary key' : '', r.valid ? '' : 'invalid', r.ready ? '' : 'not ready'].filter(Boolean);
    add(key, `${key}: ${oneLine(r.def)}${flags.map((f) => ` [${f}]`).join('')}`);
  }

  // Triggers (not the internal ones behind foreign keys).
  for (const r of await q<{ schema: string; rel: string; name: string; def: string; enabled: string }>(`
    SELECT n.nspname AS schema, c.relname AS rel, tg.tgname AS name, pg_get_triggerdef(tg.oid) AS def, tg.tgenabled::text AS enabled
    FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT tg.tgisinternal AND ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`)) {
    const key = `trigger ${qn(r.schema, r.rel)}.${quoteIdent(r.name)}`;
    const state = { D: ' [disabled]', R: ' [enabled replica]', A: ' [enabled always]' }[r.enabled as 'D'] ?? '';
    add(key, `${key}: ${oneLine(r.def)}${state}`);
  }

  // Sequences: their definition and owner, never their state.
  for (const r of await q<{
    schema: string;
    name: string;
    persistence: string;
    type: string;
    start: string;
    inc: string;
    min: string;
    max: string;
    cache: string;
    cycle: boolean;
    owner_schema: string | null;
    owner_rel: string | null;
    owner_col: string | null;
    deptype: string | null;
  }>(`
    SELECT n.nspname AS schema, c.relname AS name, c.relpersistence::text AS persistence, format_type(s.seqtypid, NULL) AS type,
           s.seqstart::text AS start, s.seqincrement::text AS inc, s.seqmin::text AS min, s.seqmax::text AS max,
           s.seqcache::text AS cache, s.seqcycle AS cycle,
           dn.nspname AS owner_schema, dc.relname AS owner_rel, da.attname AS owner_col, d.deptype::text AS deptype
    FROM pg_sequence s
    JOIN pg_class c ON c.oid = s.seqrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                         AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
    LEFT JOIN pg_class dc ON dc.oid = d.refobjid
    LEFT JOIN pg_namespace dn ON dn.oid = dc.relnamespace
    LEFT JOIN pg_attribute da ON da.attrelid = d.refobjid AND da.attnum = d.refobjsubid
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`)) {
    const name = qn(r.schema, r.name);
    let line = `sequence ${name} as ${r.type} start ${r.start} increment ${r.inc} minvalue ${r.min} maxvalue ${r.max} cache ${r.cache} ${r.cycle ? 'cycle' : 'no cycle'}`;
    if (r.persistence === 'u') line += ' unlogged';
    if (r.owner_rel && r.owner_col && r.owner_schema)
      line += ` ${r.deptype === 'i' ? 'identity of' : 'owned by'} ${qn(r.owner_schema, r.owner_rel)}.${quoteIdent(r.owner_col)}`;
    add(`relation ${name}`, line);
  }

  // Enum, domain and range types (composite ones are relations, above).
  for (const r of await q<{
    schema: string;
    name: string;
    kind: string;
    labels: string[] | null;
    base: string | null;
    coll_schema: string | null;
    coll: string | null;
    notnull: boolean;
    def: string | null;
    subtype: string | null;
  }>(`
    SELECT n.nspname AS schema, t.typname AS name, t.typtype::text AS kind,
           CASE WHEN t.typtype = 'e' THEN (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) END AS labels,
           CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base,
           cn.nspname AS coll_schema, co.collname AS coll,
           t.typnotnull AS notnull, coalesce(pg_get_expr(t.typdefaultbin, 0), t.typdefault) AS def,
           CASE WHEN t.typtype = 'r' THEN (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid) END AS subtype
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
    LEFT JOIN pg_collation co ON t.typtype = 'd' AND co.oid = t.typcollation AND t.typcollation <> coalesce(bt.typcollation, 0)
    LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE t.typtype IN ('e', 'd', 'r') AND ${w('n.nspname')} AND ${notInExtension('pg_type', 't.oid')}`)) {
    const name = qn(r.schema, r.name);
    let line: string;
    if (r.kind === 'e') line = `type ${name} as enum (${(r.labels ?? []).map(literal).join(', ')})`;
    else if (r.kind === 'r') line = `type ${name} as range (subtype ${r.subtype ?? '?'})`;
    else {
      line = `domain ${name} as ${r.base ?? '?'}`;
      if (r.coll) line += ` collate ${r.coll_schema && r.coll_schema !== 'pg_catalog' ? qn(r.coll_schema, r.coll) : quoteIdent(r.coll)}`;
      if (r.notnull) line += ' not null';
      if (r.def !== null) line += ` default ${oneLine(r.def)}`;
    }
    add(`type ${name}`, line);
  }

  // Domain constraints.
  for (const r of await q<{ schema: string; type: string; name: string; def: string; valid: boolean }>(`
    SELECT n.nspname AS schema, t.typname AS type, con.conname AS name, pg_get_constraintdef(con.oid) AS def, con.convalidated AS valid
    FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_type', 't.oid')}`)) {
    const key = `domain constraint ${qn(r.schema, r.type)}.${quoteIdent(r.name)}`;
    add(key, `${key} ${withValidity(oneLine(r.def), r.valid)}`);
  }

  // Functions, procedures, aggregates.
  for (const r of await q<{
    schema: string;
    name: string;
    kind: string;
    idargs: string;
    args: string;
    result: string | null;
    lang: string;
    vol: string;
    hash: string | null;
    agg: string | null;
  }>(`
    SELECT n.nspname AS schema, p.proname AS name, p.prokind::text AS kind,
           pg_get_function_identity_arguments(p.oid) AS idargs, pg_get_function_arguments(p.oid) AS args,
           pg_get_function_result(p.oid) AS result, l.lanname AS lang, p.provolatile::text AS vol,
           CASE WHEN p.prokind <> 'a' THEN md5(pg_get_functiondef(p.oid)) END AS hash,
           CASE WHEN p.prokind = 'a' THEN (
             SELECT concat_ws(' ', 'sfunc', a.aggtransfn::regprocedure::text, 'stype', format_type(a.aggtranstype, NULL),
                              CASE WHEN a.aggfinalfn <> 0 THEN 'finalfunc ' || a.aggfinalfn::regprocedure::text END,
                              CASE WHEN a.aggcombinefn <> 0 THEN 'combinefunc ' || a.aggcombinefn::regprocedure::text END,
                              CASE WHEN a.aggmtransfn <> 0 THEN 'msfunc ' || a.aggmtransfn::regprocedure::text END,
                              CASE WHEN a.agginitval IS NOT NULL THEN 'initcond ' || quote_literal(a.agginitval) END,
                              CASE a.aggkind WHEN 'o' THEN 'ordered-set' WHEN 'h' THEN 'hypothetical' END)
             FROM pg_aggregate a WHERE a.aggfnoid = p.oid) END AS agg
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_proc', 'p.oid')}
      -- not the constructors a range type makes for itself
      AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')`)) {
    const name = qn(r.schema, r.name);
    const key = `function ${name}(${r.idargs})`;
    const vol = { i: 'immutable', s: 'stable', v: 'volatile' }[r.vol as 'i'] ?? r.vol;
    let line: string;
    if (r.kind === 'a') line = `aggregate ${name}(${r.args}) returns ${r.result ?? '?'} ${oneLine(r.agg ?? '')}`;
    else if (r.kind === 'p') line = `procedure ${name}(${r.args}) language ${quoteIdent(r.lang)} definition ${(r.hash ?? '').slice(0, 16)}`;
    else
      line = `${r.kind === 'w' ? 'window function' : 'function'} ${name}(${r.args}) returns ${r.result ?? '?'} language ${quoteIdent(r.lang)} ${vol} definition ${(r.hash ?? '').slice(0, 16)}`;
    add(key, oneLine(line));
  }

  // Row level security policies.
  for (const r of await q<{ schema: string; rel: string; name: string; cmd: string; permissive: boolean; roles: (string | null)[] | null; using: string | null; check: string | null }>(`
    SELECT n.nspname AS schema, c.relname AS rel, pol.polname AS name, pol.polcmd::text AS cmd, pol.polpermissive AS permissive,
           (SELECT json_agg(CASE WHEN r = 0 THEN NULL ELSE pg_get_userbyid(r)::text END) FROM unnest(pol.polroles) r) AS roles,
           pg_get_expr(pol.polqual, pol.polrelid) AS using, pg_get_expr(pol.polwithcheck, pol.polrelid) AS check
    FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`)) {
    const key = `policy ${qn(r.schema, r.rel)}.${quoteIdent(r.name)}`;
    const cmd = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' }[r.cmd as '*'] ?? r.cmd;
    const roles = (r.roles ?? []).map((x) => (x === null ? 'public' : quoteIdent(x))).sort();
    let line = `${key} as ${r.permissive ? 'permissive' : 'restrictive'} for ${cmd} to ${roles.join(', ')}`;
    if (r.using !== null) line += ` using (${oneLine(r.using)})`;
    if (r.check !== null) line += ` with check (${oneLine(r.check)})`;
    add(key, line);
  }

  // Rules (other than the ones that make views).
  for (const r of await q<{ schema: string; rel: string; name: string; def: string; enabled: string }>(`
    SELECT n.nspname AS schema, c.relname AS rel, ru.rulename AS name, pg_get_ruledef(ru.oid) AS def, ru.ev_enabled::text AS enabled
    FROM pg_rewrite ru JOIN pg_class c ON c.oid = ru.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ru.rulename <> '_RETURN' AND ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`)) {
    const key = `rule ${qn(r.schema, r.rel)}.${quoteIdent(r.name)}`;
    const state = { D: ' [disabled]', R: ' [enabled replica]', A: ' [enabled always]' }[r.enabled as 'D'] ?? '';
    add(key, `${key}: ${oneLine(r.def).replace(/;$/, '')}${state}`);
  }

  // Extended statistics.
  for (const r of await q<{ schema: string; name: string; def: string }>(`
    SELECT n.nspname AS schema, s.stxname AS name, pg_get_statisticsobjdef(s.oid) AS def
    FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace JOIN pg_class c ON c.oid = s.stxrelid
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`)) {
    const key = `statistics ${qn(r.schema, r.name)}`;
    add(key, `${key}: ${oneLine(r.def)}`);
  }

  // Comments.
  for (const r of await q<{ what: string; relkind: string | null; schema: string; name: string | null; sub: string | null; text: string }>(`
    SELECT 'relation' AS what, c.relkind::text AS relkind, n.nspname AS schema, c.relname AS name, NULL::text AS sub, d.description AS text
    FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}
    UNION ALL
    SELECT 'column', c.relkind::text, n.nspname, c.relname, a.attname::text, d.description
    FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid > 0
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND NOT a.attisdropped
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}
    UNION ALL
    SELECT 'schema', NULL, n.nspname, NULL, NULL, d.description
    FROM pg_description d JOIN pg_namespace n ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid
    WHERE ${w('n.nspname')}
    UNION ALL
    SELECT 'type', NULL, n.nspname, t.typname, NULL, d.description
    FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid
    JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_type', 't.oid')}
    UNION ALL
    SELECT 'function', p.prokind::text, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), d.description
    FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_proc', 'p.oid')}
    UNION ALL
    SELECT CASE WHEN con.contypid <> 0 THEN 'domain constraint' ELSE 'constraint' END, NULL, n.nspname,
           coalesce(c.relname, t.typname), con.conname::text, d.description
    FROM pg_description d JOIN pg_constraint con ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid
    LEFT JOIN pg_class c ON c.oid = con.conrelid LEFT JOIN pg_type t ON t.oid = con.contypid
    JOIN pg_namespace n ON n.oid = coalesce(c.relnamespace, t.typnamespace)
    WHERE ${w('n.nspname')}
    UNION ALL
    SELECT 'trigger', NULL, n.nspname, c.relname, tg.tgname::text, d.description
    FROM pg_description d JOIN pg_trigger tg ON d.classoid = 'pg_trigger'::regclass AND d.objoid = tg.oid
    JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${w('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`)) {
    const obj = r.name === null ? quoteIdent(r.schema) : qn(r.schema, r.name);
    let key: string;
    switch (r.what) {
      case 'relation':
        key = `comment on ${relationWords[r.relkind ?? ''] ?? 'relation'} ${obj}`;
        break;
      case 'column':
        key = `comment on column ${obj}.${quoteIdent(r.sub ?? '')}`;
        break;
      case 'function':
        key = `comment on ${r.relkind === 'p' ? 'procedure' : r.relkind === 'a' ? 'aggregate' : 'function'} ${obj}(${r.sub ?? ''})`;
        break;
      case 'constraint':
      case 'domain constraint':
      case 'trigger':
        key = `comment on ${r.what === 'domain constraint' ? 'constraint' : r.what} ${quoteIdent(r.sub ?? '')} on ${r.what === 'domain constraint' ? 'domain ' : ''}${obj}`;
        break;
      default:
        key = `comment on ${r.what} ${obj}`;
    }
    add(key, `${key} is ${literal(r.text)}`);
  }

  const lines = [...facts.keys()].sort(byCodeUnits);
  return { lines, keys: lines.map((l) => facts.get(l)!) };
}

/**
 * `- line` for each fact of `before` missing from `after`, `+ line` for each new one; a changed object
 * (same identity, different line) shows its `-` line directly followed by its `+` line. Empty when equal.
 */
export function diffFingerprints(before: Fingerprint, after: Fingerprint): string[] {
  const index = (f: Fingerprint) => new Map(f.lines.map((l, i) => [l, f.keys[i] ?? l] as const));
  const b = index(before);
  const a = index(after);
  const groups = new Map<string, { removed: string[]; added: string[] }>();
  const group = (key: string) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { removed: [], added: [] }));
    return g;
  };
  for (const [line, key] of b) if (!a.has(line)) group(key).removed.push(line);
  for (const [line, key] of a) if (!b.has(line)) group(key).added.push(line);
  const out: string[] = [];
  for (const key of [...groups.keys()].sort(byCodeUnits)) {
    const g = groups.get(key)!;
    for (const l of g.removed.sort(byCodeUnits)) out.push(`- ${l}`);
    for (const l of g.added.sort(byCodeUnits)) out.push(`+ ${l}`);
  }
  return out;
}

/**
 * Per table (keyed `schema.name`, quoted where needed), the number of rows and a checksum over the given
 * columns of every row, independent of physical row order. Each row is hashed (md5 of the row's text form,
 * `ROW(a, b)::text`, in which NULL and '' differ) and the two 64-bit halves of the hashes are summed as
 * numeric: one sequential scan per table, constant memory, nothing sorted and no row loaded into Node.
 * Values are rendered by the server's output functions, so compare checksums taken in one session
 * (same DateStyle, TimeZone, extra_float_digits, bytea_output). A table, or one of its columns, that no
 * longer exists has no entry in the result.
 */
export async function dataChecksum(db: Queryable, tables: TableColumns[]): Promise<Record<string, { rows: number; md5: string }>> {
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const t of tables) {
    // A table or column that is gone is left out (a comparison then sees it as changed), rather than
    // failing the query and, on a connection inside a transaction, everything after it.
    const found = (
      await db.query<{ columns: string[] | null }>(
        `SELECT (SELECT json_agg(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'f', 'm', 'v')`,
        [t.schema, t.name],
      )
    ).rows[0];
    const present = new Set(found?.columns ?? []);
    if (!found || !t.columns.every((c) => present.has(c))) continue;
    const row = `ROW(${t.columns.map((c) => `t.${quoteIdent(c)}`).join(', ')})::text`;
    const half = (from: number) => `coalesce(sum(('x' || substr(h, ${from}, 16))::bit(64)::bigint), 0)::text`;
    const r = (
      await db.query<{ rows: string; md5: string }>(
        `SELECT count(*)::text AS rows, md5(count(*)::text || ':' || ${half(1)} || ':' || ${half(17)}) AS md5
         FROM (SELECT md5(${row}) AS h FROM ${qn(t.schema, t.name)} AS t) s`,
      )
    ).rows[0]!;
    out[qn(t.schema, t.name)] = { rows: Number(r.rows), md5: r.md5 };
  }
  return out;
}

/**
 * The user tables (ordinary and partitioned; a partition's rows are counted through its parent) in the
 * schemas in scope, with their columns in order.
 */
export async function tableColumns(db: Queryable, schemas?: string[]): Promise<TableColumns[]> {
  const scope = scopeOf(schemas);
  const rows = (
    await db.query<{ schema: string; name: string; columns: string[] }>(
      `SELECT n.nspname AS schema, c.relname AS name,
              coalesce((SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::json) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${scope.where('n.nspname')} AND ${notInExtension('pg_class', 'c.oid')}`,
      scope.params.length ? scope.params : undefined,
    )
  ).rows;
  return rows
    .map((r) => ({ schema: r.schema, name: r.name, columns: r.columns }))
    .sort((a, b) => byCodeUnits(a.schema, b.schema) || byCodeUnits(a.name, b.name));
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** pg_get_constraintdef already says NOT VALID for the kinds that can be; this makes sure of it. */
function withValidity(def: string, valid: boolean): string {
  return valid || /\bNOT VALID$/.test(def) ? def : `${def} NOT VALID`;
}

/** A string as an SQL literal on one line: `'it''s'`, or `E'a\nb'` when it holds control characters. */
/** A value shown in a diff: a SQL literal with control characters spelled out. */
export function literal(s: string): string {
  return quoteLiteral(s, { escapeControls: true });
}

/**
 * Deparsed SQL (a view's definition, an expression) on one line: runs of whitespace outside literals
 * and quoted names become one space; a literal holding a line break is rewritten as the equal E'…'
 * literal with `\n`, so no two different definitions give the same line. Comments (never in deparsed
 * text) count as whitespace; a dollar-quoted literal is kept as it is, or rewritten like the others.
 */
export function oneLine(sql: string): string {
  let out = '';
  let at = 0;
  const controls = /[\x00-\x1f\x7f]/;
  for (const t of lex(sql, { joinStrings: false })) {
    if (t.kind === 'comment') continue;
    if (at > 0 && t.start > at) out += ' '; // whitespace or a comment between two tokens
    at = t.end;
    const text = sql.slice(t.start, t.end);
    const close = t.unterminated ? text.length : text.length - 1;
    if (t.kind === 'string' && (text[0] === "'" || ((text[0] === 'E' || text[0] === 'e') && text[1] === "'"))) {
      // '…' or E'…' (the deparser writes E'…' when standard_conforming_strings is off: backslash escapes)
      const escaped = text[0] !== "'";
      const body = text.slice(escaped ? 2 : 1, close);
      if (!controls.test(body)) out += `${escaped ? text[0] : ''}'${body}'`;
      else if (escaped) out += `${text[0]}'${escapeControls(body)}'`;
      else out += `E'${escapeControls(body.replace(/\\/g, '\\\\'))}'`;
    } else if (t.kind === 'quoted' && text[0] === '"') out += `"${escapeControls(text.slice(1, close))}"`;
    else if (t.kind === 'dollar' && controls.test(text)) {
      const tag = text.indexOf('$', 1) + 1;
      const body = text.slice(tag, t.unterminated ? text.length : text.length - tag);
      out += quoteLiteral(body, { escapeControls: true });
    } else out += text;
  }
  return out;
}
