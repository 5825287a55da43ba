/**
 * What one MySQL/MariaDB statement does to traffic: each ALTER clause (and CREATE/DROP INDEX, RENAME,
 * OPTIMIZE, TRUNCATE, DROP TABLE, triggers…) becomes an effects-table entry (effects.ts), chosen with
 * the catalog (the column's old type, its charset's bytes per character for the VARCHAR length-prefix
 * class, ENUM members, indexed columns, an existing FULLTEXT index, the primary key) and the session
 * (foreign_key_checks, strict sql_mode). The parts combine as the server combines them: the weakest
 * common algorithm, the strongest lock, a rebuild if any part rebuilds. Then the statement's own
 * ALGORITHM/LOCK clauses apply — MySQL runs exactly the algorithm named, MariaDB treats it as a floor —
 * and a combination the server refuses is `refused`, in the server's words.
 *
 * When the catalog does not know a column (the table was only seen in ALTERs), the part says so in
 * `detail` and the conservative case is assumed.
 */
import { inRange, type ServerVersion } from '../../core/version.js';
import type { QualifiedName, Span } from '../../core/types.js';
import type { AlterAction, AlterTable, ColumnDef, IndexKind, MyStatement } from './ast.js';
import { bytesPerChar, type MyColumn, type MysqlCatalog, type MyTable } from './catalog.js';
import type { Alg, Lock, MyEffectId, MyEffectPart, MyStatementEffect } from './effect.js';
import { algorithmRank, bestOf, claimFor, explicitAlgorithm, lockRank, mysqlEffects, PROVEN_ON, type ClaimConditions, type MyClaim, type MyEffectEntry } from './effects.js';

export interface ClassifyContext {
  server: ServerVersion;
  catalog: MysqlCatalog;
  session: { foreignKeyChecks: boolean; sqlModeStrict: boolean };
}

interface Draft {
  entry: MyEffectId;
  span: Span;
  object?: string;
  conditions?: ClaimConditions;
  detail?: string;
}

const algName = (a: Alg) => a.toUpperCase();
const lockName = (l: Lock) => l.toUpperCase();
const maxLock = (a: Lock, b: Lock): Lock => (lockRank(a) >= lockRank(b) ? a : b);

/** Tables whose foreign keys point at `t` (RENAME COLUMN may then not be instant on MySQL). */
function referenced(catalog: MysqlCatalog, t: QualifiedName): boolean {
  return catalog.referencing(t).length > 0;
}

function columnCharset(catalog: MysqlCatalog, table: MyTable | undefined, col: MyColumn | undefined): string {
  return (col?.charset ?? table?.charset ?? catalog.defaultCharset).toLowerCase();
}

const stringTypes = new Set(['varchar', 'char', 'varbinary', 'binary', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);
const binaryTypes = new Set(['varbinary', 'binary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/** Storage bytes of an ENUM (1 or 2) / SET (1, 2, 3, 4 or 8) with n members. */
function enumBytes(kind: string, n: number): number {
  if (kind === 'enum') return n <= 255 ? 1 : 2;
  const b = Math.ceil(n / 8);
  return b > 4 ? 8 : b;
}

/** The parts of MODIFY/CHANGE: compares the old column (catalog) with the new definition. */
function modifyParts(a: Extract<AlterAction, { type: 'modify-column' | 'change-column' }>, ctx: ClassifyContext, table: MyTable | undefined, tname: QualifiedName): Draft[] {
  const oldName = a.type === 'change-column' ? a.oldName : a.column.name;
  const def: ColumnDef = a.column;
  const old = ctx.catalog.column(tname, oldName);
  const span = a.span;
  const object = def.name;
  const parts: Draft[] = [];
  if (!old) {
    return [{ entry: 'change-type', span, object, detail: `column ${oldName} is not in the catalog (table ${table?.partial ? 'known only from ALTERs' : 'unknown'}): assumed a data type change (table copy)` }];
  }
  const indexed = ctx.catalog.indexed(tname, oldName);
  if (a.type === 'change-column' && def.name.toLowerCase() !== oldName.toLowerCase()) {
    parts.push({ entry: 'rename-column', span, object, conditions: { referencedByForeignKey: referenced(ctx.catalog, tname), indexedColumn: indexed } });
  }
  const ot = old.type;
  const nt = def.type;
  const oldCs = columnCharset(ctx.catalog, table, old);
  // MODIFY without CHARACTER SET gives a string column the table's default character set.
  const newCs = stringTypes.has(nt.name) && !binaryTypes.has(nt.name) ? (def.charset ?? table?.charset ?? ctx.catalog.defaultCharset).toLowerCase() : oldCs;
  let typeChanged = false;
  if (def.generated || old.generated) {
    if ((def.generated?.kind ?? undefined) !== old.generated || def.generated) {
      parts.push({ entry: 'change-type', span, object, detail: 'a generated column is redefined' });
      typeChanged = true;
    }
  } else if (ot.name === 'varchar' && nt.name === 'varchar' && oldCs === newCs) {
    const bpc = bytesPerChar(oldCs);
    const ol = ot.length ?? 0;
    const nl = nt.length ?? 0;
    const ob = ol * bpc;
    const nb = nl * bpc;
    if (nl > ol) {
      const same = (ob <= 255 && nb <= 255) || ob >= 256;
      const detail = `varchar(${ol}) → varchar(${nl}) in ${oldCs} is ${ob} → ${nb} bytes: ${same ? 'stays in one length-prefix class' : 'crosses the 255-byte length prefix'}`;
      parts.push(same ? { entry: 'varchar-extend-same-prefix', span, object, detail, conditions: { indexedColumn: indexed } } : { entry: 'varchar-extend-cross-prefix', span, object, detail, conditions: { varcharFromUnder128: ob <= 127, indexedColumn: indexed } });
      typeChanged = true;
    } else if (nl < ol) {
      parts.push({ entry: 'varchar-shrink', span, object, detail: `varchar(${ol}) → varchar(${nl})` });
      typeChanged = true;
    }
  } else if ((ot.name === 'enum' || ot.name === 'set') && nt.name === ot.name && oldCs === newCs) {
    const om = ot.members ?? [];
    const nm = nt.members ?? [];
    const same = om.length === nm.length && om.every((m, i) => m === nm[i]);
    if (!same) {
      const append = nm.length > om.length && om.every((m, i) => m === nm[i]) && enumBytes(ot.name, om.length) === enumBytes(ot.name, nm.length);
      parts.push(
        append
          ? { entry: 'enum-append', span, object, detail: `${nm.length - om.length} member(s) appended` }
          : { entry: 'enum-reorder', span, object, detail: nm.length > om.length && om.every((m, i) => m === nm[i]) ? 'members appended, but the storage size grows' : 'members reordered, removed or inserted before the end' },
      );
      typeChanged = true;
    }
  } else if (oldCs !== newCs && ot.name === nt.name && (ot.length ?? 0) === (nt.length ?? 0)) {
    parts.push({ entry: 'column-charset', span, object, detail: `character set ${oldCs} → ${newCs}` });
    typeChanged = true;
  } else {
    const sameType = ot.name === nt.name && (ot.length ?? null) === (nt.length ?? null) && (ot.scale ?? null) === (nt.scale ?? null) && !!ot.unsigned === !!nt.unsigned && oldCs === newCs;
    // int(11) vs int: display widths are not types.
    const intLike = /^(tiny|small|medium|big)?int$/.test(ot.name) && ot.name === nt.name && !!ot.unsigned === !!nt.unsigned;
    if (!sameType && !intLike) {
      parts.push({ entry: oldCs !== newCs && ot.name === nt.name ? 'column-charset' : 'change-type', span, object, detail: `${ot.text}${stringTypes.has(ot.name) ? ` ${oldCs}` : ''} → ${nt.text}${stringTypes.has(nt.name) && !binaryTypes.has(nt.name) ? ` ${newCs}` : ''}` });
      typeChanged = true;
    }
  }
  // MODIFY restates the whole column: no NOT NULL means NULL (a PRIMARY KEY column stays NOT NULL).
  const newNullable = def.nullable ?? !(def.primaryKey || (table?.indexes.some((i) => i.kind === 'primary' && i.columns.some((c) => c.toLowerCase() === oldName.toLowerCase())) ?? false));
  if (old.nullable && !newNullable) parts.push({ entry: 'make-not-null', span, object, conditions: { sqlModeStrict: ctx.session.sqlModeStrict }, ...(ctx.session.sqlModeStrict ? {} : { detail: 'sql_mode is not strict: existing NULLs silently become the implicit default' }) });
  else if (!old.nullable && newNullable) parts.push({ entry: 'make-nullable', span, object });
  const newDefault = def.default ? (def.default.kind === 'null' ? 'none' : def.default.kind) : 'none';
  if (!typeChanged && newDefault !== old.default) parts.push({ entry: newDefault === 'none' ? 'drop-default' : 'set-default', span, object });
  if (def.invisible !== undefined && parts.length === 0) parts.push({ entry: 'column-visibility', span, object });
  if (a.position) parts.push({ entry: 'reorder-column', span, object });
  return parts;
}

function tableConditions(table: MyTable | undefined): ClaimConditions {
  return {
    fulltextExists: !!table?.indexes.some((i) => i.kind === 'fulltext'),
    rowVersionsFull: (table?.rowVersions ?? 0) >= 64,
    rowFormatCompressed: table?.rowFormat?.toLowerCase() === 'compressed',
  };
}

const indexEntry = (k: IndexKind): MyEffectId => (k === 'primary' ? 'add-primary-key' : k === 'unique' ? 'add-unique' : k === 'fulltext' ? 'add-fulltext' : k === 'spatial' ? 'add-spatial' : 'add-index');

function alterParts(stmt: AlterTable, ctx: ClassifyContext): Draft[] {
  const tname = stmt.table;
  const table = ctx.catalog.table(tname);
  const tc = tableConditions(table);
  const parts: Draft[] = [];
  const unknownTable = !table ? `table ${tname.name} is not in the catalog` : undefined;
  for (const a of stmt.actions) {
    switch (a.type) {
      case 'add-column': {
        const c = a.column;
        const last = table?.columns[table.columns.length - 1]?.name;
        const positioned = a.position && !('after' in a.position && last && a.position.after.toLowerCase() === last.toLowerCase());
        const entry: MyEffectId = c.generated?.kind === 'virtual' ? 'add-column-virtual' : c.generated?.kind === 'stored' ? 'add-column-stored' : c.autoIncrement ? 'add-column-auto-increment' : c.default && (c.default.kind === 'expression' || c.default.kind === 'current-timestamp') ? 'add-column-default-expression' : positioned ? 'add-column-positioned' : 'add-column-last';
        parts.push({ entry, span: a.span, object: c.name, conditions: tc, ...(unknownTable ? { detail: `${unknownTable}: assumed without a FULLTEXT index` } : {}) });
        if (c.primaryKey) parts.push({ entry: 'add-primary-key', span: a.span, object: c.name });
        else if (c.unique) parts.push({ entry: 'add-unique', span: a.span, object: c.name });
        if (c.references) parts.push({ entry: ctx.session.foreignKeyChecks ? 'add-foreign-key' : 'add-foreign-key-unchecked', span: a.span, object: c.name });
        if (c.check) parts.push({ entry: 'add-check', span: a.span, object: c.name });
        break;
      }
      case 'drop-column': {
        const known = ctx.catalog.column(tname, a.name);
        const indexed = ctx.catalog.indexed(tname, a.name);
        if (!known) parts.push({ entry: 'drop-column-indexed', span: a.span, object: a.name, detail: `column ${a.name} is not in the catalog: assumed indexed` });
        else parts.push({ entry: indexed ? 'drop-column-indexed' : 'drop-column', span: a.span, object: a.name, conditions: tc });
        break;
      }
      case 'modify-column':
      case 'change-column':
        parts.push(...modifyParts(a, ctx, table, tname));
        break;
      case 'rename-column':
        parts.push({ entry: 'rename-column', span: a.span, object: a.from, conditions: { referencedByForeignKey: referenced(ctx.catalog, tname) } });
        break;
      case 'set-default':
        parts.push({ entry: 'set-default', span: a.span, object: a.name });
        break;
      case 'drop-default':
        parts.push({ entry: 'drop-default', span: a.span, object: a.name });
        break;
      case 'column-visibility':
        parts.push({ entry: 'column-visibility', span: a.span, object: a.name });
        break;
      case 'add-index': {
        const k = a.index.kind;
        const entry = indexEntry(k);
        const name = a.index.name ?? a.index.constraintName ?? a.index.parts[0]?.column;
        if (k === 'primary' && table?.indexes.some((i) => i.kind === 'primary') && !stmt.actions.some((x) => x.type === 'drop-primary-key')) {
          parts.push({ entry: 'add-primary-key', span: a.span, ...(name ? { object: name } : {}), detail: 'the table already has a primary key: the server refuses a second one' });
        } else parts.push({ entry, span: a.span, ...(name ? { object: name } : {}), conditions: tc });
        break;
      }
      case 'drop-index':
        parts.push(a.name.toLowerCase() === 'primary' ? { entry: 'drop-primary-key', span: a.span } : { entry: 'drop-index', span: a.span, object: a.name });
        break;
      case 'drop-primary-key':
        parts.push({ entry: 'drop-primary-key', span: a.span });
        break;
      case 'rename-index':
        parts.push({ entry: 'rename-index', span: a.span, object: a.from });
        break;
      case 'index-visibility':
        parts.push({ entry: 'index-visibility', span: a.span, object: a.name });
        break;
      case 'add-foreign-key':
        parts.push({ entry: ctx.session.foreignKeyChecks ? 'add-foreign-key' : 'add-foreign-key-unchecked', span: a.span, ...(a.foreignKey.name ? { object: a.foreignKey.name } : {}) });
        break;
      case 'drop-foreign-key':
        parts.push({ entry: 'drop-foreign-key', span: a.span, object: a.name });
        break;
      case 'add-check':
        parts.push({ entry: 'add-check', span: a.span, ...(a.name ? { object: a.name } : {}) });
        break;
      case 'drop-check':
        parts.push({ entry: 'drop-check', span: a.span, object: a.name });
        break;
      case 'drop-constraint': {
        const n = a.name.toLowerCase();
        const entry: MyEffectId = table?.foreignKeys.some((f) => f.name.toLowerCase() === n) ? 'drop-foreign-key' : table?.indexes.some((i) => i.name.toLowerCase() === n) ? 'drop-index' : 'drop-check';
        parts.push({ entry, span: a.span, object: a.name, ...(table ? {} : { detail: `${unknownTable}: assumed a CHECK constraint` }) });
        break;
      }
      case 'table-options':
        for (const [k, v] of Object.entries(a.options)) {
          const key = k.toLowerCase();
          let entry: MyEffectId;
          let detail: string | undefined;
          if (key === 'engine') entry = (table?.engine ?? 'innodb').toLowerCase() === v.toLowerCase() ? 'table-force' : 'table-engine';
          else if (key === 'row_format') entry = 'table-row-format';
          else if (key === 'charset' || key === 'default_charset' || key === 'character_set' || key === 'collate' || key === 'default_collate') entry = 'table-default-charset';
          else if (key === 'auto_increment') entry = 'table-auto-increment';
          else if (key === 'comment') entry = 'table-comment';
          else if (key === 'key_block_size') entry = 'table-key-block-size';
          else if (/^stats_|^min_rows$|^max_rows$|^avg_row_length$|^pack_keys$/.test(key)) {
            entry = 'table-comment';
            detail = `${key} is table metadata`;
          } else {
            entry = 'table-force';
            detail = `table option ${key}: not in the effects table, assumed to rebuild`;
          }
          // ROW_FORMAT and KEY_BLOCK_SIZE together are one rebuild.
          if (entry === 'table-key-block-size' && parts.some((p) => p.entry === 'table-row-format')) continue;
          parts.push({ entry, span: a.span, object: key, conditions: tc, ...(detail ? { detail } : {}) });
        }
        break;
      case 'convert-charset':
        parts.push({ entry: 'table-convert-charset', span: a.span, object: a.charset });
        break;
      case 'force':
        parts.push({ entry: 'table-force', span: a.span, conditions: tc });
        break;
      case 'rename-table':
        parts.push({ entry: 'rename-table', span: a.span, object: a.to.name });
        break;
      case 'order-by':
        parts.push({ entry: 'change-type', span: a.span, detail: 'ORDER BY copies the table in the new order' });
        break;
      case 'keys':
        parts.push({ entry: 'table-comment', span: a.span, detail: 'ENABLE/DISABLE KEYS does nothing on InnoDB' });
        break;
      case 'tablespace':
        parts.push({ entry: 'partition-other', span: a.span, detail: `${a.op.toUpperCase()} TABLESPACE: the table is unusable meanwhile` });
        break;
      case 'partition': {
        const map: Partial<Record<string, MyEffectId>> = { add: 'partition-add', drop: 'partition-drop', reorganize: 'partition-reorganize', truncate: 'partition-truncate', coalesce: 'partition-coalesce', exchange: 'partition-exchange', remove: 'partition-remove', 'partition-by': 'partition-by' };
        parts.push({ entry: map[a.op] ?? 'partition-other', span: a.span, ...(a.partitions?.length ? { object: a.partitions.join(', ') } : {}) });
        break;
      }
      case 'other':
        parts.push({ entry: 'change-type', span: a.span, detail: `clause not modelled (${a.text.slice(0, 60)}): assumed a table copy` });
        break;
    }
  }
  // DROP PRIMARY KEY with ADD PRIMARY KEY in the same ALTER is one rebuild in the new order.
  const dropPk = parts.findIndex((p) => p.entry === 'drop-primary-key');
  const addPk = parts.findIndex((p) => p.entry === 'add-primary-key');
  if (dropPk >= 0 && addPk >= 0) {
    const add = parts[addPk]!;
    parts.splice(Math.max(dropPk, addPk), 1);
    parts.splice(Math.min(dropPk, addPk), 1, { entry: 'replace-primary-key', span: add.span, ...(add.object ? { object: add.object } : {}) });
  }
  return parts;
}

/** Claims of the effects table that the test suite proves on the MariaDB service. */
function isProven(id: MyEffectId, claim: MyClaim, server: ServerVersion): boolean {
  if (server.flavor !== PROVEN_ON.flavor || !inRange(server, { from: `${PROVEN_ON.major}.${PROVEN_ON.minor}`, to: `${PROVEN_ON.major}.${PROVEN_ON.minor}` })) return false;
  const e: MyEffectEntry = mysqlEffects[id];
  return !!e.proofs?.some((p) => claimFor(id, PROVEN_ON, p.when ?? {}) === claim);
}

const columnInstant = new Set<MyEffectId>(['add-column-last', 'add-column-positioned', 'drop-column', 'add-column-virtual']);

interface Resolved extends MyEffectPart {
  claim?: MyClaim;
}

function resolve(d: Draft, ctx: ClassifyContext): Resolved {
  const claim = claimFor(d.entry, ctx.server, d.conditions ?? {});
  const e: MyEffectEntry = mysqlEffects[d.entry];
  const source = ctx.server.flavor === 'mariadb' ? e.source.mariadb : e.source.mysql;
  const best = claim && bestOf(claim);
  if (!claim || !best) {
    return { entry: d.entry, span: d.span, ...(d.object ? { object: d.object } : {}), algorithm: 'copy', lock: 'exclusive', rebuild: true, detail: [d.detail, `${e.title}: not supported on this server version (assumed the worst)`].filter(Boolean).join('; '), proven: false, source };
  }
  const detail = [d.detail, claim.note].filter(Boolean).join('; ');
  return { entry: d.entry, span: d.span, ...(d.object ? { object: d.object } : {}), algorithm: best.algorithm, lock: best.lock, rebuild: claim.rebuild, ...(detail ? { detail } : {}), proven: isProven(d.entry, claim, ctx.server), source, claim };
}

/** The lock a part needs when the statement runs at `alg` (its claim's lock at the algorithm the server would use). */
function lockAt(p: Resolved, alg: Alg, flavor: 'mysql' | 'mariadb'): Lock | undefined {
  if (!p.claim) return p.lock;
  if (p.claim.noClauses) return p.lock;
  const x = explicitAlgorithm(p.claim, flavor, alg);
  if (x) return x.lock;
  // MySQL: an INSTANT-only part inside an INPLACE statement runs in place (add/drop column rebuild).
  return undefined;
}

const DDL_KINDS = new Set(['alter-table', 'create-table', 'create-index', 'drop-index', 'drop-table', 'rename-table', 'truncate', 'optimize', 'analyze', 'repair', 'check-table', 'create-trigger', 'drop-trigger', 'create-view', 'drop-view', 'alter-view', 'create-routine', 'drop-routine', 'alter-routine', 'create-event', 'drop-event', 'alter-event', 'create-database', 'drop-database', 'alter-database', 'lock-tables', 'begin']);
/** Statements that take a metadata lock on a table and may queue behind open transactions. */
const MDL_KINDS = new Set(['alter-table', 'create-index', 'drop-index', 'drop-table', 'rename-table', 'truncate', 'optimize', 'analyze', 'repair', 'create-trigger', 'drop-trigger', 'lock-tables']);

export function classifyMysql(stmt: MyStatement, ctx: ClassifyContext): MyStatementEffect {
  const flavor = ctx.server.flavor === 'mariadb' ? 'mariadb' : 'mysql';
  let drafts: Draft[] = [];
  let table: QualifiedName | undefined;
  let algClause: Alg | undefined;
  let lockClause: Lock | undefined;
  let clausesRefused: string | undefined;
  const whole = stmt.span;
  switch (stmt.kind) {
    case 'alter-table':
      table = stmt.table;
      drafts = alterParts(stmt, ctx);
      if (stmt.algorithm && stmt.algorithm !== 'default') algClause = stmt.algorithm;
      if (stmt.lock && stmt.lock !== 'default') lockClause = stmt.lock;
      if (stmt.online && !lockClause) lockClause = 'none';
      break;
    case 'create-index': {
      table = stmt.table;
      const t = ctx.catalog.table(stmt.table);
      drafts = [{ entry: indexEntry(stmt.index.kind), span: whole, object: stmt.index.name, conditions: tableConditions(t) }];
      if (stmt.algorithm && stmt.algorithm !== 'default') algClause = stmt.algorithm;
      if (stmt.lock && stmt.lock !== 'default') lockClause = stmt.lock;
      if (stmt.online && !lockClause) lockClause = 'none';
      break;
    }
    case 'drop-index':
      table = stmt.table;
      drafts = [stmt.name.toLowerCase() === 'primary' ? { entry: 'drop-primary-key', span: whole } : { entry: 'drop-index', span: whole, object: stmt.name }];
      if (stmt.algorithm && stmt.algorithm !== 'default') algClause = stmt.algorithm;
      if (stmt.lock && stmt.lock !== 'default') lockClause = stmt.lock;
      if (flavor === 'mariadb' && (algClause || lockClause)) {
        clausesRefused = `You have an error in your SQL syntax … near '${algClause ? `ALGORITHM=${algName(algClause)}` : `LOCK=${lockName(lockClause!)}`}' (MariaDB takes no ALGORITHM/LOCK on DROP INDEX … ON; use ALTER TABLE … DROP INDEX)`;
      }
      break;
    case 'drop-table':
      table = stmt.tables[0];
      drafts = stmt.tables.map((t) => ({ entry: 'drop-table' as const, span: whole, object: t.name }));
      break;
    case 'rename-table':
      table = stmt.renames[0]?.from;
      drafts = stmt.renames.map((r) => ({ entry: 'rename-table' as const, span: whole, object: r.from.name }));
      break;
    case 'truncate':
      table = stmt.tables[0];
      drafts = stmt.tables.map((t) => ({ entry: 'truncate-table' as const, span: whole, object: t.name }));
      break;
    case 'optimize':
      table = stmt.tables[0];
      drafts = stmt.tables.map((t) => ({ entry: 'optimize-table' as const, span: whole, object: t.name }));
      break;
    case 'analyze':
    case 'check-table':
    case 'repair':
      table = stmt.tables[0];
      drafts = stmt.tables.map((t) => ({ entry: 'analyze-table' as const, span: whole, object: t.name, ...(stmt.kind !== 'analyze' ? { detail: `${stmt.kind === 'repair' ? 'REPAIR' : 'CHECK'} TABLE reads the table` } : {}) }));
      break;
    case 'create-table':
      table = stmt.table;
      drafts = [{ entry: 'create-table', span: whole, object: stmt.table.name }];
      break;
    case 'create-trigger':
    case 'drop-trigger':
      table = stmt.table;
      drafts = [{ entry: stmt.kind, span: whole, object: stmt.name.name }];
      break;
    default:
      break;
  }
  const parts = drafts.map((d) => resolve(d, ctx));
  const ddl = DDL_KINDS.has(stmt.kind);
  const metadataLock = MDL_KINDS.has(stmt.kind) && !(stmt.kind === 'create-table');
  if (!parts.length) {
    return { ...(table ? { table } : {}), parts: [], algorithm: 'instant', lock: 'none', effective: { algorithm: 'instant', lock: 'none' }, rebuild: false, scan: false, blocksReads: false, blocksWrites: false, metadataLock, implicitCommit: ddl, proven: true };
  }
  // No clause: the weakest of the parts' best algorithms; each part's lock at that algorithm.
  let algorithm: Alg = parts.reduce<Alg>((w, p) => (algorithmRank(p.algorithm) > algorithmRank(w) ? p.algorithm : w), 'instant');
  // An instant ADD/DROP COLUMN combined with a clause that is not instant is done by rebuilding the table
  // (proven on MariaDB 10.11: ADD COLUMN + ADD INDEX is INPLACE with a rebuild, not NOCOPY).
  const columnRebuild = algorithm !== 'instant' && parts.some((p) => p.algorithm === 'instant' && columnInstant.has(p.entry));
  if (columnRebuild && algorithmRank(algorithm) < algorithmRank('inplace')) algorithm = 'inplace';
  const lockFor = (alg: Alg): Lock => parts.reduce<Lock>((l, p) => maxLock(l, lockAt(p, alg, flavor) ?? (alg === 'copy' ? 'shared' : p.lock)), 'none');
  const lock = lockFor(algorithm);
  const rebuildAt = (alg: Alg): boolean =>
    alg === 'copy' || parts.some((p) => p.rebuild || (alg !== 'instant' && p.algorithm === 'instant' && columnInstant.has(p.entry)));
  let effective = { algorithm, lock };
  let refused = clausesRefused;
  if (!refused && (algClause || lockClause)) {
    const noClauses = parts.some((p) => p.claim?.noClauses);
    if (noClauses) {
      refused = `You have an error in your SQL syntax … near '${algClause ? `ALGORITHM=${algName(algClause)}` : `LOCK=${lockName(lockClause!)}`}' (no ALGORITHM/LOCK clause for ${parts.find((p) => p.claim?.noClauses)!.entry})`;
    } else if (algClause) {
      if (flavor === 'mysql') {
        const ok = algClause !== 'nocopy' && parts.every((p) => !p.claim || p.claim.algorithms[algClause!] !== undefined || (algClause === 'inplace' && columnInstant.has(p.entry)) || algClause === 'copy');
        if (!ok) {
          const need = algClause === 'nocopy' ? undefined : parts.find((p) => p.claim && p.claim.algorithms[algClause!] === undefined);
          refused = algClause === 'nocopy' ? `Unknown ALGORITHM 'NOCOPY' (MySQL has INSTANT, INPLACE, COPY)` : `ALGORITHM=${algName(algClause)} is not supported for this operation. Try ALGORITHM=${algName(need ? bestAlgAtLeast(need, algClause) : algorithm)}`;
        } else if (algClause === 'instant' && lockClause) {
          refused = `Incorrect usage of ALGORITHM=INSTANT and LOCK=NONE/SHARED/EXCLUSIVE`;
        } else effective = { algorithm: algClause, lock: lockFor(algClause) };
      } else {
        // MariaDB: a floor. COPY is always possible.
        if (algClause === 'copy') effective = { algorithm: 'copy', lock: lockFor('copy') };
        else {
          const refusedBy = parts.find((p) => p.claim && !explicitAlgorithm(p.claim, 'mariadb', algClause!));
          if (refusedBy || algorithmRank(algorithm) > algorithmRank(algClause)) {
            const need = refusedBy?.claim ? (bestOf(refusedBy.claim)?.algorithm ?? 'copy') : algorithm;
            const tryAlg = algorithmRank(need) > algorithmRank(algClause) ? need : 'copy';
            refused = `ALGORITHM=${algName(algClause)} is not supported for this operation. Try ALGORITHM=${algName(tryAlg)}`;
          } else effective = { algorithm, lock };
        }
      }
    }
    if (!refused && lockClause) {
      let need = effective.lock;
      if (!algClause && lockRank(lockClause) < lockRank(need)) {
        // With no ALGORITHM clause the server may pick a slower algorithm that allows the lock asked for.
        for (const alt of ['inplace', 'copy'] as Alg[]) {
          if (algorithmRank(alt) <= algorithmRank(algorithm)) continue;
          if (lockRank(lockFor(alt)) <= lockRank(lockClause) && parts.every((p) => !p.claim || explicitAlgorithm(p.claim, flavor, alt))) {
            effective = { algorithm: alt, lock: lockFor(alt) };
            need = effective.lock;
            break;
          }
        }
      }
      if (lockRank(lockClause) < lockRank(need)) {
        refused =
          need === 'exclusive' && lockClause !== 'exclusive' && lockRank(lockFor(effective.algorithm)) === 2 && effective.algorithm !== 'copy'
            ? `LOCK=NONE/SHARED is not supported for this operation. Try LOCK=EXCLUSIVE`
            : `LOCK=${lockName(lockClause)} is not supported. Reason: ${effective.algorithm === 'copy' ? 'COPY algorithm requires a lock' : reasonFor(parts, effective.algorithm, flavor)}. Try LOCK=${lockName(need)}`;
      } else effective = { algorithm: effective.algorithm, lock: lockClause === 'exclusive' || lockClause === 'shared' ? maxLock(lockClause, need) : need };
    }
  }
  algorithm = effective.algorithm === algorithm ? algorithm : algorithm;
  const rebuild = rebuildAt(refused ? algorithm : effective.algorithm);
  const scan = rebuild || parts.some((p) => p.claim?.scan);
  const used = refused ? { algorithm, lock } : effective;
  const rowVersions =
    flavor === 'mysql' && inRange(ctx.server, { from: '8.0.29' }) && used.algorithm === 'instant' ? parts.filter((p) => ['add-column-last', 'add-column-positioned', 'drop-column'].includes(p.entry)).length : undefined;
  return {
    ...(table ? { table } : {}),
    parts: parts.map(({ claim: _c, ...p }) => p),
    algorithm,
    lock,
    ...(refused ? { refused } : {}),
    effective: used,
    rebuild,
    scan,
    blocksReads: used.lock === 'exclusive',
    blocksWrites: used.lock !== 'none',
    metadataLock,
    implicitCommit: ddl,
    ...(rowVersions ? { rowVersions } : {}),
    proven: parts.every((p) => p.proven),
  };
}

function bestAlgAtLeast(p: Resolved, floor: Alg): Alg {
  const algs = (Object.keys(p.claim?.algorithms ?? {}) as Alg[]).filter((a) => algorithmRank(a) > algorithmRank(floor)).sort((a, b) => algorithmRank(a) - algorithmRank(b));
  return algs[0] ?? 'copy';
}

function reasonFor(parts: Resolved[], alg: Alg, flavor: 'mysql' | 'mariadb'): string {
  const p = parts.find((x) => lockRank(lockAt(x, alg, flavor) ?? x.lock) > 0);
  return p ? `${mysqlEffects[p.entry].title} requires a lock` : 'the operation requires a lock';
}
