/** What MySQL/MariaDB rules share: names in SQL, what an algorithm and lock cost traffic, the online-copy advice. */
import type { QualifiedName } from '../../core/types.js';
import { describeVersion } from '../../core/version.js';
import type { AlterAction, AlterTable, MyStatement } from '../../dialects/mysql/ast.js';
import type { Alg, Lock, MyEffectId, MyEffectPart } from '../../dialects/mysql/effect.js';
import { quoteIdent, sqlName } from '../../dialects/mysql/names.js';
import { tablesOf } from '../../dialects/mysql/tables.js';
import type { RuleContext } from './rule.js';

export { quoteIdent, sqlName, tablesOf };

export type MyFlavor = 'mysql' | 'mariadb';

export const flavorOf = (ctx: { server: { flavor: string } }): MyFlavor => (ctx.server.flavor === 'mariadb' ? 'mariadb' : 'mysql');

/** `MariaDB 10.11`, `MySQL 8.0.40`. */
export const serverName = (ctx: { server: RuleContext['server'] }): string => describeVersion(ctx.server);

/** Statement kinds that take a table's metadata lock for a schema change. */
export const DDL_KINDS = ['alter-table', 'create-index', 'drop-index', 'drop-table', 'rename-table', 'truncate', 'optimize', 'create-trigger', 'drop-trigger'] as const;


/** Tables the statement changes that existed before this migration (a table created in it is not in use yet). */
export function existingTables(stmt: MyStatement, ctx: RuleContext): QualifiedName[] {
  return tablesOf(stmt).filter((t) => !ctx.isNew(t));
}

/** `ALTER TABLE `orders``, `CREATE INDEX `i` ON `orders``, for messages. */
export function statementLabel(stmt: MyStatement): string {
  switch (stmt.kind) {
    case 'alter-table':
      return `ALTER TABLE ${sqlName(stmt.table)}`;
    case 'create-index':
      return `CREATE ${stmt.index.kind === 'unique' ? 'UNIQUE ' : stmt.index.kind === 'fulltext' ? 'FULLTEXT ' : stmt.index.kind === 'spatial' ? 'SPATIAL ' : ''}INDEX ${quoteIdent(stmt.index.name)} ON ${sqlName(stmt.table)}`;
    case 'drop-index':
      return `DROP INDEX ${quoteIdent(stmt.name)} ON ${sqlName(stmt.table)}`;
    case 'drop-table':
      return `DROP TABLE ${stmt.tables.map(sqlName).join(', ')}`;
    case 'rename-table':
      return `RENAME TABLE ${stmt.renames.map((r) => `${sqlName(r.from)} TO ${sqlName(r.to)}`).join(', ')}`;
    case 'truncate':
      return `TRUNCATE TABLE ${stmt.tables.map(sqlName).join(', ')}`;
    case 'optimize':
      return `OPTIMIZE TABLE ${stmt.tables.map(sqlName).join(', ')}`;
    case 'create-table':
      return `CREATE TABLE ${sqlName(stmt.table)}`;
    default: {
      const t = stmt.text.replace(/\s+/g, ' ').trim();
      return t.length > 60 ? `${t.slice(0, 57)}…` : t;
    }
  }
}

/** `INSTANT`, `INPLACE`, `NOCOPY`, `COPY`. */
export const algName = (a: Alg): string => a.toUpperCase();

/** What a lock level lets traffic do while the statement runs (after its metadata lock is granted). */
export function lockBlocks(lock: Lock): string {
  return lock === 'none' ? 'reads and writes continue' : lock === 'shared' ? 'writes are blocked, reads continue' : 'reads and writes are blocked';
}

/** `ALGORITHM=COPY, LOCK=SHARED (every row copied to a new table; writes are blocked, reads continue)`. */
export function costPhrase(algorithm: Alg, lock: Lock, rebuild: boolean): string {
  const what =
    algorithm === 'instant'
      ? 'metadata only'
      : algorithm === 'copy'
        ? 'every row copied to a new table'
        : rebuild
          ? 'the table rebuilt in place'
          : algorithm === 'nocopy'
            ? 'no table copy'
            : 'in place';
  return `ALGORITHM=${algName(algorithm)}, LOCK=${lock.toUpperCase()} (${what}; ${lockBlocks(lock)})`;
}

/** The text of one ALTER clause as written. */
export function clauseText(stmt: MyStatement, span: { start: number; end: number }): string {
  return stmt.text.slice(span.start - stmt.span.start, span.end - stmt.span.start).trim();
}

/** The clauses of an ALTER TABLE as written, without ALGORITHM/LOCK: what an online-copy tool takes as `--alter`. */
export function alterClauses(stmt: AlterTable, actions: AlterAction[] = stmt.actions): string {
  return actions.map((a) => clauseText(stmt, a.span)).join(', ');
}

/** Parts of the statement's effect with one of these entries. */
export function partsOf(ctx: RuleContext, entries: readonly MyEffectId[]): MyEffectPart[] {
  return ctx.effect.parts.filter((p) => entries.includes(p.entry));
}

/** ` (documented for MySQL 8.0, not proven here: <manual>)` for a claim the test suite does not run. */
export function proofNote(part: Pick<MyEffectPart, 'proven' | 'source'>, ctx: RuleContext): string {
  if (part.proven) return '';
  return ` (${flavorOf(ctx) === 'mysql' ? 'documented for MySQL' : `documented for ${serverName(ctx)}`}, not proven here${part.source ? `: ${part.source}` : ''})`;
}

/**
 * How to run a change that copies or rebuilds a table without blocking writes, with the user's names.
 * lockstep's own online copy for MySQL (`lockstep apply`) is not built yet: say so, and give the tools
 * people use today.
 */
export function onlineCopyAdvice(stmt: MyStatement, ctx: RuleContext): string {
  const table = tablesOf(stmt)[0];
  if (!table || stmt.kind !== 'alter-table') return 'Run it in a maintenance window, or rebuild the table with an online schema-change tool (pt-online-schema-change, gh-ost).';
  const written = alterClauses(stmt) || stmt.text.replace(/^\s*ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:`(?:[^`]|``)*`(?:\.`(?:[^`]|``)*`)?|\S+)\s*/i, '').replace(/;\s*$/, '');
  const clauses = written.replace(/"/g, '\\"');
  const db = table.schema ? `D=${table.schema},` : 'D=<database>,';
  return [
    'Run it as an online copy, which keeps writes flowing (a shadow table, copied in chunks, swapped in with one atomic RENAME):',
    '```sh',
    `pt-online-schema-change --alter "${clauses}" ${db}t=${table.name} --execute`,
    `# or: gh-ost --alter="${clauses}" --database=${table.schema ?? '<database>'} --table=${table.name} --execute`,
    '```',
    `lockstep's own online copy for ${flavorOf(ctx) === 'mariadb' ? 'MariaDB' : 'MySQL'} (\`lockstep apply\`) is not built yet; until then use one of these, or a maintenance window.`,
  ].join('\n');
}

/** The statement with `, ALGORITHM=…, LOCK=…` appended (replacing clauses it already has). */
export function withClauses(stmt: MyStatement, algorithm: Alg | undefined, lock: Lock | undefined): string {
  let text = stmt.text.replace(/\s*;\s*$/, '');
  for (const re of [/\bALGORITHM\s*=?\s*(?:DEFAULT|INSTANT|NOCOPY|INPLACE|COPY)\b/, /\bLOCK\s*=?\s*(?:DEFAULT|NONE|SHARED|EXCLUSIVE)\b/]) {
    // `ALGORITHM=X, ADD …` (first) or `…, ALGORITHM=X` (later) or `… ALGORITHM=X` (CREATE INDEX).
    text = text.replace(new RegExp(re.source + '\\s*,\\s*', 'gi'), '').replace(new RegExp('\\s*,?\\s*' + re.source, 'gi'), '');
  }
  const add = [algorithm ? `ALGORITHM=${algName(algorithm)}` : '', lock ? `LOCK=${lock.toUpperCase()}` : ''].filter(Boolean).join(', ');
  if (!add) return `${text};`;
  return stmt.kind === 'alter-table' ? `${text}, ${add};` : `${text} ${add.replace(', ', ' ')};`;
}

/** Joins lines into a fix, dropping empty ones. */
export function sqlBlock(...lines: (string | false | undefined)[]): string {
  return lines.filter(Boolean).join('\n');
}

/** A human list: `a`, `a and b`, `a, b and c`. */
export function andList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A part's detail for use inside a sentence (no trailing full stop). */
export const detail = (s: string | undefined): string | undefined => s?.trim().replace(/\.$/, '');
