/**
 * Statement → the effects-table entries it triggers, with the relations playing each role.
 * The effects table (effects.ts) says what an entry locks and rewrites; this file only recognizes
 * statements, using the catalog to resolve what the text alone cannot (a column's current type, the
 * kind of a constraint being validated, a table's DEFAULT partition, a function's volatility).
 */
import type { QualifiedName } from '../../core/types.js';
import { strongest, type LockMode, lockModes } from './locks.js';
import type { Statement } from './parser.js';
import type { Catalog } from './catalog.js';
import { claimFor, type EffectId, type RelRole, type VersionedClaim } from './effects.js';
import { fromNameList, fromRangeVar, fromTypeName, key, strings, type TypeRef } from './names.js';
import { expressionVolatility, type VolatilityResult } from './volatility.js';

export interface ClassifyContext {
  version: number;
  catalog: Catalog;
  /** `true`/`false` when the session TimeZone is known to be / not to be UTC. */
  timeZoneUtc?: boolean;
}

export interface EffectPart {
  entry: EffectId;
  /** The claim for the target version; undefined when that version does not have the statement. */
  claim: VersionedClaim | undefined;
  relations: Partial<Record<RelRole, QualifiedName[]>>;
  /** File offset of the subcommand or clause the part comes from. */
  at: number;
  /** The subcommand node (AlterTableCmd, ColumnDef, Constraint, …) or the statement's AST. */
  node: any;
  /** Why the classification is a best guess (e.g. the column's current type is unknown). */
  uncertain?: string;
  /** For ADD COLUMN … DEFAULT: the default's volatility. */
  volatility?: VolatilityResult;
  /** LOCK TABLE names its own mode. */
  lockMode?: LockMode;
}

export interface RelationLock {
  relation: QualifiedName;
  role: RelRole;
  mode: LockMode;
}

export interface StatementEffect {
  parts: EffectPart[];
  /** Strongest lock per relation over all parts. */
  locks: RelationLock[];
  rewrite: boolean;
  scan: boolean;
  transactional: boolean;
  failsOnRows: boolean;
}

const noEffect: StatementEffect = { parts: [], locks: [], rewrite: false, scan: false, transactional: true, failsOnRows: false };

export function classify(stmt: Statement, ctx: ClassifyContext): StatementEffect {
  const parts: EffectPart[] = [];
  const add = (entry: EffectId, relations: EffectPart['relations'], at: number, node: any, extra: Partial<EffectPart> = {}) =>
    parts.push({ entry, claim: claimFor(entry, ctx.version), relations, at, node, ...extra });
  const a = stmt.ast;
  const cat = ctx.catalog;
  switch (stmt.kind) {
    case 'AlterTableStmt':
      if (a.objtype === 'OBJECT_TABLE' || a.objtype === 'OBJECT_MATVIEW' || a.objtype === undefined) alterTable(stmt, ctx, add);
      else if (a.objtype === 'OBJECT_INDEX') {
        // ALTER INDEX … SET (…) / ATTACH PARTITION / SET TABLESPACE: no table entry of its own
      }
      break;
    case 'RenameStmt': {
      const rel = a.relation ? fromRangeVar(a.relation) : undefined;
      if (!rel) break;
      if (a.renameType === 'OBJECT_TABLE') add('rename-table', { table: [rel] }, stmt.at(a.relation.location), a);
      else if (a.renameType === 'OBJECT_COLUMN' && (a.relationType === 'OBJECT_TABLE' || a.relationType === undefined)) add('rename-column', { table: [rel] }, stmt.at(a.relation.location), a);
      else if (a.renameType === 'OBJECT_TABCONSTRAINT') add('rename-constraint', { table: [rel] }, stmt.at(a.relation.location), a);
      else if (a.renameType === 'OBJECT_INDEX') add('rename-index', { index: [rel] }, stmt.at(a.relation.location), a);
      break;
    }
    case 'AlterObjectSchemaStmt':
      if (a.objectType === 'OBJECT_TABLE' && a.relation) add('set-schema', { table: [fromRangeVar(a.relation)] }, stmt.at(a.relation.location), a);
      break;
    case 'IndexStmt': {
      const table = fromRangeVar(a.relation);
      const at = stmt.at(a.relation.location);
      const info = cat.table(table);
      if (a.concurrent) add('create-index-concurrently', { table: [table] }, at, a, info?.kind === 'partitioned' ? { uncertain: 'CONCURRENTLY is not supported on a partitioned table' } : {});
      // ON ONLY matters only for a partitioned table; on a plain table Postgres builds the whole index.
      else if (!a.relation.inh && info?.kind !== 'table') add('create-index-only', { table: [table] }, at, a);
      else if (info?.kind === 'partitioned') add('create-index-partitioned', { table: [table], partition: cat.partitions(table).map((p) => p.name) }, at, a);
      else add('create-index', { table: [table] }, at, a);
      break;
    }
    case 'DropStmt':
      drop(stmt, ctx, add);
      break;
    case 'ReindexStmt': {
      const concurrently = (a.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently' && optionOn(p.DefElem));
      const rel = a.relation ? fromRangeVar(a.relation) : undefined;
      const at = stmt.at(a.relation?.location);
      const relations: EffectPart['relations'] =
        a.kind === 'REINDEX_OBJECT_INDEX' && rel
          ? { index: [rel], table: cat.index(rel) ? [cat.index(rel)!.table] : [] }
          : a.kind === 'REINDEX_OBJECT_TABLE' && rel
            ? { table: [rel] }
            : a.kind === 'REINDEX_OBJECT_SCHEMA' && a.name
              ? { table: [...cat.tables.values()].filter((t) => (t.name.schema ?? 'public') === a.name && (t.kind === 'table' || t.kind === 'matview')).map((t) => t.name) }
              : {};
      const many = a.kind === 'REINDEX_OBJECT_SCHEMA' || a.kind === 'REINDEX_OBJECT_DATABASE' || a.kind === 'REINDEX_OBJECT_SYSTEM';
      add(concurrently ? 'reindex-concurrently' : many ? 'reindex-schema' : 'reindex', relations, at, a);
      break;
    }
    case 'AlterDomainStmt': {
      const domain = fromNameList(a.typeName);
      const users = { 'domain-users': cat.domainUsers(domain) };
      if (a.subtype === 'C') add(a.def?.Constraint?.skip_validation ? 'alter-domain-add-constraint-not-valid' : 'alter-domain-add-constraint', users, stmt.span.start, a);
      else if (a.subtype === 'V') add('alter-domain-validate', users, stmt.span.start, a);
      else if (a.subtype === 'O') add('alter-domain-set-not-null', users, stmt.span.start, a);
      break;
    }
    case 'AlterEnumStmt':
      if (a.newVal && !a.oldVal) add('enum-add-value', {}, stmt.span.start, a);
      break;
    case 'CreateStmt': {
      const table = fromRangeVar(a.relation);
      if (a.partbound) {
        const parent = fromRangeVar(a.inhRelations?.[0]?.RangeVar);
        const def = a.partbound.is_default ? undefined : cat.defaultPartition(parent);
        if (def) add('create-partition-with-default', { table: [parent], 'default-partition': [def] }, stmt.at(a.relation.location), a);
        else add('create-partition', { table: [parent] }, stmt.at(a.relation.location), a);
      }
      const referenced = foreignKeysOf(a).filter((r) => key(r) !== key(table));
      if (referenced.length) add('create-table-references', { referenced }, stmt.at(a.relation.location), a);
      break;
    }
    case 'CreateTrigStmt':
      if (a.relation) add('create-trigger', { table: [fromRangeVar(a.relation)] }, stmt.at(a.relation.location), a);
      break;
    case 'TruncateStmt': {
      const tables = (a.relations ?? []).map((r: any) => fromRangeVar(r.RangeVar));
      const cascade = a.behavior === 'DROP_CASCADE';
      // CASCADE follows foreign keys recursively: tables referencing the referencing tables are emptied too.
      const referencing: QualifiedName[] = [];
      if (cascade) {
        const seen = new Set(tables.map((t: QualifiedName) => key(t)));
        const queue = [...tables];
        while (queue.length) {
          for (const r of cat.referencing(queue.shift()!)) {
            if (seen.has(key(r))) continue;
            seen.add(key(r));
            referencing.push(r);
            queue.push(r);
          }
        }
      }
      add(cascade ? 'truncate-cascade' : 'truncate', { table: tables, ...(cascade ? { referencing } : {}) }, stmt.span.start, a);
      break;
    }
    case 'VacuumStmt': {
      if (!a.is_vacuumcmd) break; // ANALYZE alone: SUE, no rewrite; nothing to warn about
      const full = (a.options ?? []).some((o: any) => o.DefElem?.defname === 'full' && optionOn(o.DefElem));
      const tables = (a.rels ?? []).map((r: any) => fromRangeVar(r.VacuumRelation?.relation));
      add(full ? 'vacuum-full' : 'vacuum', { table: tables }, stmt.span.start, a);
      break;
    }
    case 'CommentStmt': {
      // COMMENT ON a relation or one of its columns locks that relation (ShareUpdateExclusive); other objects
      // (indexes, functions, types, schemas…) are left out: not tables lint follows.
      const names = (a.object?.List?.items ?? []).map((i: any) => i.String?.sval).filter((x: unknown): x is string => typeof x === 'string');
      const relKinds = ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE'];
      const rel = relKinds.includes(a.objtype) ? names : a.objtype === 'OBJECT_COLUMN' ? names.slice(0, -1) : [];
      if (rel.length) {
        const table: QualifiedName = rel.length > 1 ? { schema: rel[rel.length - 2]!, name: rel[rel.length - 1]! } : { name: rel[0]! };
        add('comment-on', { table: [table] }, stmt.span.start, a);
      }
      break;
    }
    case 'ClusterStmt':
      if (a.relation) add('cluster', { table: [fromRangeVar(a.relation)] }, stmt.span.start, a);
      else add('cluster-all', { table: [...cat.tables.values()].filter((t) => t.clusteredOn).map((t) => t.name) }, stmt.span.start, a);
      break;
    case 'RefreshMatViewStmt':
      add(a.concurrent ? 'refresh-materialized-view-concurrently' : 'refresh-materialized-view', { table: [fromRangeVar(a.relation)] }, stmt.at(a.relation.location), a);
      break;
    case 'LockStmt': {
      const mode = lockModes[(a.mode ?? 8) - 1] ?? 'AccessExclusive';
      const tables = (a.relations ?? []).map((r: any) => fromRangeVar(r.RangeVar));
      add('lock-table', { table: tables }, stmt.span.start, a, { lockMode: mode });
      break;
    }
    case 'UpdateStmt':
      add(a.whereClause ? 'update' : 'update-all', { table: [fromRangeVar(a.relation)] }, stmt.at(a.relation.location), a);
      break;
    case 'DeleteStmt':
      add(a.whereClause ? 'delete' : 'delete-all', { table: [fromRangeVar(a.relation)] }, stmt.at(a.relation.location), a);
      break;
  }
  if (!parts.length) return noEffect;
  return combine(parts);
}

/** A boolean option (`FULL`, `CONCURRENTLY`, `FULL off`, `(CONCURRENTLY false)`, `FULL 0`) as Postgres reads it. */
function optionOn(def: any): boolean {
  const arg = def?.arg;
  if (!arg) return true;
  if (arg.Boolean) return !!arg.Boolean.boolval;
  if (arg.Integer) return (arg.Integer.ival ?? 0) !== 0;
  const v = String(arg.String?.sval ?? '').toLowerCase();
  return !['off', 'false', 'no', '0'].includes(v);
}

type Add = (entry: EffectId, relations: EffectPart['relations'], at: number, node: any, extra?: Partial<EffectPart>) => void;

function alterTable(stmt: Statement, ctx: ClassifyContext, add: Add): void {
  const a = stmt.ast;
  const cat = ctx.catalog;
  const table = fromRangeVar(a.relation);
  const T = { table: [table] };
  for (const raw of a.cmds ?? []) {
    const cmd = raw.AlterTableCmd;
    if (!cmd) continue;
    const at = stmt.at(cmd.def?.ColumnDef?.location ?? cmd.def?.Constraint?.location ?? a.relation.location);
    switch (cmd.subtype) {
      case 'AT_AddColumn':
        addColumn(stmt, ctx, table, cmd.def.ColumnDef, add);
        break;
      case 'AT_DropColumn':
        add('drop-column', T, at, cmd);
        break;
      case 'AT_ColumnDefault':
      case 'AT_CookedColumnDefault':
        add('set-default', T, at, cmd);
        break;
      case 'AT_SetNotNull':
        add(cat.hasValidNotNullProof(table, cmd.name) ? 'set-not-null-with-check' : 'set-not-null', T, at, cmd);
        break;
      case 'AT_DropNotNull':
        add('drop-not-null', T, at, cmd);
        break;
      case 'AT_AlterColumnType': {
        const { entry, uncertain } = typeChange(ctx, cat.column(table, cmd.name)?.type, cmd.def?.ColumnDef);
        add(entry, T, at, cmd, uncertain ? { uncertain } : {});
        break;
      }
      case 'AT_SetStatistics':
      case 'AT_SetOptions':
      case 'AT_ResetOptions':
        add('set-statistics', T, at, cmd);
        break;
      case 'AT_SetStorage':
        add('set-storage', T, at, cmd);
        break;
      case 'AT_SetCompression':
        add('set-compression', T, at, cmd);
        break;
      case 'AT_AddIdentity':
        add('add-identity', T, at, cmd);
        break;
      case 'AT_SetIdentity':
      case 'AT_DropIdentity':
        add('alter-identity', T, at, cmd);
        break;
      case 'AT_SetExpression':
        add('set-expression', T, at, cmd);
        break;
      case 'AT_DropExpression':
        add('drop-expression', T, at, cmd);
        break;
      case 'AT_AddConstraint':
        addConstraint(ctx, table, cmd.def?.Constraint, at, cmd, add);
        break;
      case 'AT_ValidateConstraint': {
        const con = cat.constraint(table, cmd.name);
        if (con?.kind === 'foreign-key') add('validate-foreign-key', { table: [table], referenced: con.references ? [con.references] : [] }, at, cmd);
        else if (con?.kind === 'not-null') add('validate-not-null', T, at, cmd);
        else add('validate-check', T, at, cmd, con ? {} : { uncertain: `lockstep does not know constraint ${cmd.name}; if it is a foreign key, the referenced table gets ROW SHARE too` });
        break;
      }
      case 'AT_DropConstraint': {
        const con = cat.constraint(table, cmd.name);
        if (con?.kind === 'foreign-key') add('drop-foreign-key', { table: [table], referenced: con.references ? [con.references] : [] }, at, cmd);
        else add('drop-constraint', T, at, cmd);
        break;
      }
      case 'AT_AlterConstraint':
        add('alter-constraint', T, at, cmd);
        break;
      case 'AT_EnableTrig':
      case 'AT_EnableAlwaysTrig':
      case 'AT_EnableReplicaTrig':
      case 'AT_DisableTrig':
      case 'AT_EnableTrigAll':
      case 'AT_DisableTrigAll':
      case 'AT_EnableTrigUser':
      case 'AT_DisableTrigUser':
        add('toggle-trigger', T, at, cmd);
        break;
      case 'AT_SetRelOptions':
      case 'AT_ResetRelOptions':
      case 'AT_ReplaceRelOptions':
        add('set-storage-parameter', T, at, cmd);
        break;
      case 'AT_ClusterOn':
      case 'AT_DropCluster':
        add('cluster-on', T, at, cmd);
        break;
      case 'AT_SetLogged':
      case 'AT_SetUnLogged':
        add('set-logged', T, at, cmd);
        break;
      case 'AT_SetAccessMethod':
        add('set-access-method', T, at, cmd);
        break;
      case 'AT_SetTableSpace':
        add('set-tablespace', T, at, cmd);
        break;
      case 'AT_ReplicaIdentity':
        add('replica-identity', T, at, cmd);
        break;
      case 'AT_EnableRowSecurity':
      case 'AT_DisableRowSecurity':
      case 'AT_ForceRowSecurity':
      case 'AT_NoForceRowSecurity':
        add('row-level-security', T, at, cmd);
        break;
      case 'AT_AddInherit':
      case 'AT_DropInherit':
        add('inherit', { table: [table], referenced: cmd.def?.RangeVar ? [fromRangeVar(cmd.def.RangeVar)] : [] }, at, cmd);
        break;
      case 'AT_AttachPartition': {
        const p = cmd.def?.PartitionCmd;
        const isDefault = !!p?.bound?.is_default;
        const def = isDefault ? undefined : cat.defaultPartition(table);
        add('attach-partition', { table: [table], partition: [fromRangeVar(p?.name)], ...(def ? { 'default-partition': [def] } : {}) }, stmt.at(p?.name?.location), cmd);
        break;
      }
      case 'AT_DetachPartition':
      case 'AT_DetachPartitionFinalize': {
        const p = cmd.def?.PartitionCmd;
        const def = cat.defaultPartition(table);
        if (p?.concurrent || cmd.subtype === 'AT_DetachPartitionFinalize') add('detach-partition-concurrently', { table: [table], partition: [fromRangeVar(p?.name)] }, stmt.at(p?.name?.location), cmd);
        else add('detach-partition', { table: [table], partition: [fromRangeVar(p?.name)], ...(def ? { 'default-partition': [def] } : {}) }, stmt.at(p?.name?.location), cmd);
        break;
      }
      default:
        add('alter-table-other', T, at, cmd);
    }
  }
}

function addColumn(stmt: Statement, ctx: ClassifyContext, table: QualifiedName, def: any, add: Add): void {
  const at = stmt.at(def.location);
  const type = fromTypeName(def.typeName);
  const cons = (def.constraints ?? []).map((c: any) => c.Constraint).filter(Boolean);
  const has = (t: string) => cons.find((c: any) => c.contype === t);
  const T = { table: [table] };
  const dflt = has('CONSTR_DEFAULT');
  const generated = has('CONSTR_GENERATED');
  const identity = has('CONSTR_IDENTITY');
  const notNull = has('CONSTR_NOTNULL') || has('CONSTR_PRIMARY');
  const domain = type.schema || !isBuiltinType(type.name) ? ctx.catalog.domain({ ...(type.schema ? { schema: type.schema } : {}), name: type.name }) : undefined;
  const volatility = dflt ? expressionVolatility(dflt.raw_expr, ctx.catalog) : undefined;
  const vol = volatility ? { volatility } : {};
  if (type.serial) add('add-column-serial', T, at, def);
  else if (identity) add('add-column-identity', T, at, def);
  else if (generated) add(generated.generated_kind === 'v' ? 'add-column-generated-virtual' : 'add-column-generated-stored', T, at, def);
  else if (volatility?.volatility === 'volatile') add('add-column-volatile-default', T, at, def, vol);
  else if (volatility?.volatility === 'unknown')
    add('add-column-volatile-default', T, at, def, { ...vol, uncertain: `lockstep cannot tell whether ${volatility.unknownFunctions.join(', ')} is volatile; a volatile default rewrites the table` });
  else if (domain && (domain.constraints.size > 0 || domain.notNull)) add('add-column-domain-check', T, at, def);
  else if (notNull && !dflt) add('add-column-not-null', T, at, def);
  else if (notNull) add('add-column-not-null-default', T, at, def, vol);
  else if (dflt) add('add-column-default', T, at, def, vol);
  else add('add-column', T, at, def);
  // Inline constraints add their own cost.
  if (has('CONSTR_CHECK')) add('add-column-check', T, stmt.at(has('CONSTR_CHECK').location), def);
  const fk = has('CONSTR_FOREIGN');
  if (fk) add(dflt && !isNullConst(dflt.raw_expr) ? 'add-column-references-default' : 'add-column-references', { table: [table], referenced: [fromRangeVar(fk.pktable)] }, stmt.at(fk.location), def);
  if (has('CONSTR_UNIQUE') || has('CONSTR_PRIMARY')) add('add-column-unique', T, stmt.at((has('CONSTR_UNIQUE') ?? has('CONSTR_PRIMARY')).location), def);
}

function addConstraint(ctx: ClassifyContext, table: QualifiedName, con: any, at: number, cmd: any, add: Add): void {
  const T = { table: [table] };
  if (!con) return add('alter-table-other', T, at, cmd);
  const notValid = !!con.skip_validation;
  switch (con.contype) {
    case 'CONSTR_CHECK':
      return add(notValid ? 'add-check-not-valid' : 'add-check', T, at, cmd);
    case 'CONSTR_FOREIGN':
      return add(notValid ? 'add-foreign-key-not-valid' : 'add-foreign-key', { table: [table], referenced: [fromRangeVar(con.pktable)] }, at, cmd);
    case 'CONSTR_UNIQUE':
    case 'CONSTR_PRIMARY':
      return add(con.indexname ? 'add-unique-using-index' : 'add-unique', T, at, cmd);
    case 'CONSTR_EXCLUSION':
      return add('add-exclusion', T, at, cmd);
    case 'CONSTR_NOTNULL':
      if (notValid) return add('add-not-null-not-valid', T, at, cmd);
      return add(ctx.catalog.hasValidNotNullProof(table, strings(con.keys)[0] ?? '') ? 'set-not-null-with-check' : 'set-not-null', T, at, cmd);
    default:
      return add('alter-table-other', T, at, cmd);
  }
}

function drop(stmt: Statement, ctx: ClassifyContext, add: Add): void {
  const a = stmt.ast;
  const cat = ctx.catalog;
  const names: QualifiedName[] = (a.objects ?? []).map((o: any) => fromNameList(o.List?.items ?? (o.String ? [o] : [])));
  switch (a.removeType) {
    case 'OBJECT_INDEX':
      for (const idx of names) {
        const table = cat.index(idx)?.table;
        add(a.concurrent ? 'drop-index-concurrently' : 'drop-index', { index: [idx], table: table ? [table] : [] }, stmt.span.start, a, table ? {} : { uncertain: `lockstep does not know which table index ${idx.name} is on` });
      }
      break;
    case 'OBJECT_TABLE':
      for (const t of names) {
        const referencing = cat.referencing(t);
        const referenced = cat.referenced(t);
        if (a.behavior === 'DROP_CASCADE') add('drop-table-cascade', { table: [t], referencing, referenced }, stmt.span.start, a);
        else add('drop-table', { table: [t], referenced }, stmt.span.start, a);
      }
      break;
    case 'OBJECT_TRIGGER': {
      // objects: [[schema?, table, trigger]]
      const items = strings(a.objects?.[0]?.List?.items);
      const table = items.length >= 2 ? fromNameList(items.slice(0, -1).map((s) => ({ String: { sval: s } }))) : undefined;
      if (table) add('drop-trigger', { table: [table] }, stmt.span.start, a);
      break;
    }
  }
}

/** Which type-change entry applies, from the column's current type (when known) and the new one. */
export function typeChange(ctx: ClassifyContext, from: TypeRef | undefined, def: any): { entry: EffectId; uncertain?: string } {
  const to = fromTypeName(def?.typeName);
  if (def?.raw_default) return { entry: 'alter-column-type' }; // USING: every value recomputed
  if (!from) return { entry: 'alter-column-type', uncertain: 'lockstep does not know the column\u2019s current type (pass --db, or lint the migration that created it), so it assumes a rewrite' };
  if (from.array !== to.array) return { entry: 'alter-column-type' };
  const f = from.name;
  const t = to.name;
  const [fm, tm] = [from.mods, to.mods];
  if (f === t && sameMods(fm, tm)) return { entry: 'alter-column-type-binary-coercible' };
  if ((f === 'varchar' || f === 'text') && t === 'varchar') {
    if (!tm.length) return { entry: 'alter-column-type-binary-coercible' };
    if (f === 'varchar' && fm.length && tm[0]! >= fm[0]!) return { entry: 'alter-column-type-binary-coercible' };
    return { entry: 'alter-column-type-varchar-shorten' };
  }
  if (f === 'varchar' && t === 'text') return { entry: 'alter-column-type-varchar-to-text' };
  if (f === 'text' && t === 'text') return { entry: 'alter-column-type-binary-coercible' };
  if (f === 'bpchar' && (t === 'varchar' || t === 'text')) return { entry: 'alter-column-type-char-to-varchar' };
  if (f === 'numeric' && t === 'numeric') {
    if (!tm.length) return { entry: 'alter-column-type-numeric-widen' };
    if (fm.length && tm[0]! >= fm[0]! && (tm[1] ?? 0) === (fm[1] ?? 0)) return { entry: 'alter-column-type-numeric-widen' };
    return { entry: 'alter-column-type' };
  }
  if (f === 'cidr' && t === 'inet') return { entry: 'alter-column-type-cidr-to-inet' };
  if (['timestamp', 'timestamptz', 'time', 'timetz', 'varbit'].includes(f) && f === t) {
    // precision (or varbit length) increase, or removal, only
    if (!tm.length || (fm.length && tm[0]! >= fm[0]!)) return { entry: 'alter-column-type-binary-coercible' };
    return { entry: 'alter-column-type' };
  }
  if (f === 'interval' && t === 'interval') {
    // typmods are [fields] or [fields, precision]: the fields must stay, the precision may only grow
    const prec = (m: number[]) => (m.length > 1 ? m[1] : undefined);
    const FULL_RANGE = 32767; // INTERVAL_FULL_RANGE: what plain `interval` means
    const sameFields = (fm[0] ?? FULL_RANGE) === (tm[0] ?? FULL_RANGE);
    const fp = prec(fm);
    const tp = prec(tm);
    if (sameFields && (tp === undefined || (fp !== undefined && tp >= fp))) return { entry: 'alter-column-type-binary-coercible' };
    return { entry: 'alter-column-type' };
  }
  if ((f === 'timestamp' && t === 'timestamptz') || (f === 'timestamptz' && t === 'timestamp')) {
    if (tm.length && fm.length && tm[0]! < fm[0]!) return { entry: 'alter-column-type' };
    if (ctx.timeZoneUtc === true) return { entry: 'alter-column-type-timestamptz-utc' };
    if (ctx.timeZoneUtc === false) return { entry: 'alter-column-type-timestamptz' };
    return {
      entry: 'alter-column-type-timestamptz',
      uncertain: ctx.version >= 12 ? 'no rewrite when the session TimeZone is UTC; add SET LOCAL TimeZone = \u2018UTC\u2019 before it' : undefined,
    } as { entry: EffectId; uncertain?: string };
  }
  return { entry: 'alter-column-type' };
}

function sameMods(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function isNullConst(e: any): boolean {
  return !!e?.A_Const?.isnull;
}

const builtinTypes = new Set(
  'int2 int4 int8 float4 float8 numeric bool text varchar bpchar bytea date time timetz timestamp timestamptz interval json jsonb uuid inet cidr macaddr macaddr8 money bit varbit xml point line lseg box path polygon circle tsvector tsquery oid regclass int4range int8range numrange tsrange tstzrange daterange'.split(' '),
);
function isBuiltinType(name: string): boolean {
  return builtinTypes.has(name);
}

/** Tables a CREATE TABLE's foreign keys reference. */
function foreignKeysOf(create: any): QualifiedName[] {
  const out: QualifiedName[] = [];
  for (const elt of create.tableElts ?? []) {
    if (elt.Constraint?.contype === 'CONSTR_FOREIGN') out.push(fromRangeVar(elt.Constraint.pktable));
    for (const c of elt.ColumnDef?.constraints ?? []) if (c.Constraint?.contype === 'CONSTR_FOREIGN') out.push(fromRangeVar(c.Constraint.pktable));
  }
  return out;
}

function combine(parts: EffectPart[]): StatementEffect {
  const locks = new Map<string, RelationLock>();
  let rewrite = false;
  let scan = false;
  let transactional = true;
  let failsOnRows = false;
  for (const p of parts) {
    if (!p.claim) continue;
    rewrite ||= p.claim.rewrite;
    scan ||= p.claim.scan;
    transactional &&= p.claim.transactional;
    failsOnRows ||= !!p.claim.failsOnRows;
    for (const l of p.claim.locks) {
      for (const rel of p.relations[l.on] ?? []) {
        const mode = p.lockMode ?? l.mode;
        const k = key(rel);
        const prev = locks.get(k);
        locks.set(k, { relation: rel, role: prev?.role ?? l.on, mode: prev ? strongest(prev.mode, mode) : mode });
      }
    }
  }
  return { parts, locks: [...locks.values()], rewrite, scan, transactional, failsOnRows };
}
