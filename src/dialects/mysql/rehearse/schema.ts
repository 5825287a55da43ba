/**
 * The schema a MySQL/MariaDB rehearsal compares and copies: the fingerprint (normalized SHOW CREATE
 * TABLE of every table, plus views, triggers, routines and events), a data checksum over the columns
 * that existed before a migration, and the copy of tables from a source database, in foreign-key order.
 *
 * Normalizing SHOW CREATE TABLE: `AUTO_INCREMENT=n` (the counter, not the schema) is removed, trailing
 * commas are dropped, and the keys and constraints are compared as a set (their order in the output
 * follows the order they were created in, which a down that drops and re-adds an index changes without
 * changing the schema). Column order is kept: it is part of the schema (`SELECT *`, `INSERT` without a
 * column list). lockstep's own `lockstep_*` tables are left out.
 */
import type { Fingerprint } from '../../../rehearse/fingerprint.js';
import type { MyDb } from '../driver.js';
import { quoteIdent } from '../names.js';

export interface MyTable {
  name: string;
  /** In column order. */
  columns: string[];
}

const LEDGER = /^lockstep_/;

/** Base tables of the connection's database (not views, not sequences, not lockstep's ledger), with their columns in order. */
export async function tablesOf(db: MyDb): Promise<MyTable[]> {
  // Two queries, not a join: MariaDB reads information_schema.COLUMNS joined to TABLES ten times slower.
  const base = new Set(
    (await db.query<{ t: string }>(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'`)).map((r) => r.t).filter((t) => !LEDGER.test(t)),
  );
  const rows = await db.query<{ t: string; c: string }>(`SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`);
  const out = new Map<string, MyTable>();
  for (const r of rows) {
    if (!base.has(r.t)) continue;
    let t = out.get(r.t);
    if (!t) out.set(r.t, (t = { name: r.t, columns: [] }));
    t.columns.push(r.c);
  }
  return [...out.values()];
}

/** SHOW CREATE TABLE's text, `AUTO_INCREMENT=n` removed. */
export async function showCreateTable(db: MyDb, table: string): Promise<string> {
  const r = (await db.query<Record<string, string>>(`SHOW CREATE TABLE ${quoteIdent(table)}`))[0]!;
  return stripCounters(String(r['Create Table']));
}

export function stripCounters(ddl: string): string {
  return ddl.replace(/ AUTO_INCREMENT=\d+/g, '');
}

const KEY_LINE = /^(PRIMARY KEY|UNIQUE KEY|KEY|FULLTEXT KEY|SPATIAL KEY|VECTOR KEY|CONSTRAINT|INDEX)\b/;

/** The fingerprint lines of one table's SHOW CREATE TABLE. */
export function tableLines(table: string, ddl: string): { lines: string[]; keys: string[] } {
  const t = quoteIdent(table);
  const lines: string[] = [];
  const keys: string[] = [];
  const add = (key: string, line: string) => (lines.push(line), keys.push(key));
  const body = ddl.split('\n').map((l) => l.trim().replace(/,$/, ''));
  const columns: string[] = [];
  let tail: string[] = [];
  for (const [i, l] of body.entries()) {
    if (i === 0) continue; // CREATE TABLE `t` (
    if (l.startsWith(')')) {
      tail = body.slice(i);
      break;
    }
    if (KEY_LINE.test(l)) {
      const name = /^(?:PRIMARY KEY)|(?:`(?:[^`]|``)*`)/.exec(l.replace(/^(UNIQUE |FULLTEXT |SPATIAL |VECTOR )?KEY |^CONSTRAINT |^INDEX /, ''))?.[0] ?? l;
      add(`key ${t}.${name}`, `key ${t}: ${l}`);
    } else {
      const name = /^`(?:[^`]|``)*`/.exec(l)?.[0] ?? l;
      columns.push(name);
      add(`column ${t}.${name}`, `column ${t}.${l}`);
    }
  }
  add(`table ${t}`, `table ${t} columns in order: ${columns.join(', ')}`);
  add(`table ${t} options`, `table ${t} options: ${tail.join(' ').replace(/^\)\s*/, '')}`);
  return { lines, keys };
}

/** The schema of the connection's database as canonical lines (see the file's comment). */
export async function fingerprintMy(db: MyDb): Promise<Fingerprint> {
  const lines: string[] = [];
  const keys: string[] = [];
  const dbName = String((await db.query<{ d: string }>('SELECT DATABASE() AS d'))[0]!.d);
  // The sandbox database's own name in definitions (views qualify their tables with it) is not schema.
  const local = (s: string) => s.split(`${quoteIdent(dbName)}.`).join('');
  const objects = await db.query<{ t: string; k: string }>(`SELECT TABLE_NAME AS t, TABLE_TYPE AS k FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME`);
  for (const o of objects) {
    if (LEDGER.test(o.t)) continue;
    if (o.k === 'BASE TABLE') {
      const x = tableLines(o.t, await showCreateTable(db, o.t));
      lines.push(...x.lines);
      keys.push(...x.keys);
    } else if (o.k === 'VIEW') {
      const r = (await db.query<{ d: string; u: string; c: string }>(
        `SELECT VIEW_DEFINITION AS d, IS_UPDATABLE AS u, CHECK_OPTION AS c FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
        [o.t],
      ))[0];
      lines.push(`view ${quoteIdent(o.t)}: ${local(String(r?.d ?? ''))} check option ${r?.c ?? 'NONE'}`);
      keys.push(`view ${quoteIdent(o.t)}`);
    } else {
      const r = (await db.query<Record<string, string>>(`SHOW CREATE TABLE ${quoteIdent(o.t)}`).catch(() => []))[0];
      lines.push(`${o.k.toLowerCase()} ${quoteIdent(o.t)}: ${local(stripCounters(String(r?.['Create Table'] ?? '')).replace(/\s+/g, ' '))}`);
      keys.push(`${o.k.toLowerCase()} ${quoteIdent(o.t)}`);
    }
  }
  for (const r of await db.query<{ n: string; t: string; w: string; e: string; o: number; s: string }>(
    `SELECT TRIGGER_NAME AS n, EVENT_OBJECT_TABLE AS t, ACTION_TIMING AS w, EVENT_MANIPULATION AS e, ACTION_ORDER AS o, ACTION_STATEMENT AS s
     FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()`,
  )) {
    lines.push(`trigger ${quoteIdent(r.n)} ${r.w} ${r.e} on ${quoteIdent(r.t)} (order ${r.o}): ${local(String(r.s)).replace(/\s+/g, ' ')}`);
    keys.push(`trigger ${quoteIdent(r.n)}`);
  }
  for (const r of await db.query<{ n: string; k: string; r: string; d: string }>(
    `SELECT ROUTINE_NAME AS n, ROUTINE_TYPE AS k, COALESCE(DTD_IDENTIFIER, '') AS r, MD5(COALESCE(ROUTINE_DEFINITION, '')) AS d FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()`,
  )) {
    lines.push(`${String(r.k).toLowerCase()} ${quoteIdent(r.n)}${r.r ? ` returns ${r.r}` : ''} body md5 ${r.d}`);
    keys.push(`${String(r.k).toLowerCase()} ${quoteIdent(r.n)}`);
  }
  for (const r of await db.query<{ n: string; d: string; s: string }>(`SELECT EVENT_NAME AS n, MD5(EVENT_DEFINITION) AS d, STATUS AS s FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()`).catch(() => [])) {
    lines.push(`event ${quoteIdent(r.n)} ${r.s} body md5 ${r.d}`);
    keys.push(`event ${quoteIdent(r.n)}`);
  }
  // Sorted and unique, as the Postgres fingerprint (diffFingerprints compares sets of lines).
  const order = lines.map((l, i) => [l, keys[i]!] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const seen = new Set<string>();
  const out: Fingerprint = { lines: [], keys: [] };
  for (const [l, k] of order) {
    if (seen.has(l)) continue;
    seen.add(l);
    out.lines.push(l);
    out.keys.push(k);
  }
  return out;
}

/**
 * Per table: rows and a checksum over `columns` of every row, independent of row order: the md5 of each
 * row (QUOTE() of each value, so NULL and 'NULL' differ) split into two 60-bit halves, each summed exactly
 * (DECIMAL). One scan per table, nothing sorted, no row in Node. Tables or columns gone have no entry.
 */
export async function checksumMy(db: MyDb, tables: MyTable[]): Promise<Record<string, { rows: number; sum: string }>> {
  const out: Record<string, { rows: number; sum: string }> = {};
  const now = new Map((await tablesOf(db)).map((t) => [t.name, new Set(t.columns)]));
  for (const t of tables) {
    const cols = now.get(t.name);
    if (!cols || !t.columns.every((c) => cols.has(c)) || !t.columns.length) continue;
    const row = `MD5(CONCAT_WS(',', ${t.columns.map((c) => `QUOTE(${quoteIdent(c)})`).join(', ')}))`;
    const r = (await db.query<{ n: string; a: string | null; b: string | null }>(
      `SELECT COUNT(*) AS n, SUM(CAST(CONV(LEFT(h, 15), 16, 10) AS UNSIGNED)) AS a, SUM(CAST(CONV(SUBSTRING(h, 16, 15), 16, 10) AS UNSIGNED)) AS b
       FROM (SELECT ${row} AS h FROM ${quoteIdent(t.name)}) x`,
    ))[0]!;
    out[quoteIdent(t.name)] = { rows: Number(r.n), sum: `${r.a ?? 0}:${r.b ?? 0}` };
  }
  return out;
}

/** Foreign keys of the connection's database: child table → the tables it references (in this database). */
export async function foreignKeyParents(db: MyDb, tables?: string[]): Promise<Map<string, Set<string>>> {
  const rows = await db.query<{ t: string; r: string }>(
    `SELECT TABLE_NAME AS t, REFERENCED_TABLE_NAME AS r FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND UNIQUE_CONSTRAINT_SCHEMA = DATABASE()`,
  );
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    if (tables && !tables.includes(r.t)) continue;
    if (!out.has(r.t)) out.set(r.t, new Set());
    out.get(r.t)!.add(r.r);
  }
  return out;
}

/** `tables` parents first (a cycle is broken where it closes: creation runs with foreign_key_checks off). */
export function fkOrder(tables: string[], parents: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: string) => {
    if (state.get(t)) return;
    state.set(t, 'visiting');
    for (const p of [...(parents.get(t) ?? [])].sort()) if (p !== t && tables.includes(p)) visit(p);
    state.set(t, 'done');
    out.push(t);
  };
  for (const t of [...tables].sort()) visit(t);
  return out;
}

/**
 * Copies the tables the migrations name (those the source has) and every table they reference, from the
 * source (read-only: SHOW CREATE TABLE) into the sandbox, parents first. Returns the tables copied, in
 * that order. Triggers, views and routines are not copied.
 */
export async function copySchemaMy(source: MyDb, sandbox: MyDb, wanted: string[]): Promise<string[]> {
  const present = new Set((await source.query<{ t: string }>(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'`)).map((r) => r.t));
  const parents = await foreignKeyParents(source);
  const take = new Set<string>();
  const add = (t: string) => {
    if (take.has(t) || !present.has(t) || LEDGER.test(t)) return;
    take.add(t);
    for (const p of parents.get(t) ?? []) add(p);
  };
  for (const t of wanted) add(t);
  const order = fkOrder([...take], parents);
  await sandbox.query('SET SESSION foreign_key_checks = 0');
  try {
    for (const t of order) await sandbox.query(await showCreateTable(source, t));
  } finally {
    await sandbox.query('SET SESSION foreign_key_checks = 1');
  }
  return order;
}
