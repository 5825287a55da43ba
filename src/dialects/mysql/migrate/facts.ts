/**
 * What planning on MySQL/MariaDB reads from --db (read-only): the schema and sizes (introspect.ts), the
 * column definitions of the tables the change touches as SHOW CREATE TABLE prints them (a MODIFY
 * restates the whole column, and a down restores the old one), and how many replicas are connected.
 */
import type { Change } from '../../../operations/types.js';
import { introspectMysql } from '../introspect.js';
import { connectMysql } from '../driver.js';
import { parseMysql } from '../parser.js';
import { quoteIdent } from '../names.js';
import type { MysqlCatalog } from '../catalog.js';
import type { ServerVersion } from '../../../core/version.js';

export interface PlanFacts {
  server: ServerVersion;
  catalog: MysqlCatalog;
  definitions: Map<string, Map<string, string>>;
  replicas: number;
}

/** `` `amount` decimal(10,2) DEFAULT NULL `` → `decimal(10,2) DEFAULT NULL`, per column of a CREATE TABLE. */
export function columnDefinitions(createTable: string): Map<string, string> {
  const out = new Map<string, string>();
  const s = parseMysql(createTable, 0).statements[0];
  if (s?.kind !== 'create-table') return out;
  for (const c of s.columns ?? []) {
    const text = createTable.slice(c.span.start, c.span.end).trim();
    const m = /^(`(?:[^`]|``)*`|\S+)\s*/.exec(text);
    out.set(c.name.toLowerCase(), m ? text.slice(m[0].length).trim() : text);
  }
  return out;
}

export async function readPlanFacts(url: string, change: Change, where = '--db'): Promise<PlanFacts> {
  const facts = await introspectMysql(url, where);
  const db = await connectMysql(url, { where, readOnly: true });
  const definitions = new Map<string, Map<string, string>>();
  let replicas = 0;
  try {
    for (const t of new Set(change.operations.map((op) => op.table.name))) {
      if (!facts.catalog.table({ name: t })) continue;
      const [r] = await db.query<any>(`SHOW CREATE TABLE ${quoteIdent(t)}`);
      const text = r?.['Create Table'];
      if (typeof text === 'string') definitions.set(t, columnDefinitions(text));
    }
    try {
      replicas = (await db.query('SHOW REPLICAS')).length;
    } catch {
      replicas = (await db.query('SHOW SLAVE HOSTS').catch(() => [])).length;
    }
  } finally {
    await db.close();
  }
  return { server: facts.version, catalog: facts.catalog, definitions, replicas };
}
