/**
 * What lockstep knows about the target schema while it reads migrations in order: tables, columns and
 * their types, constraints and their validity, indexes, partitions, domains, enums and functions.
 * Seeded from a live database (`--db`, see introspect.ts) when one is given, and updated by every
 * statement lint reads, so that a later statement is judged against the schema the earlier ones made.
 */
import type { QualifiedName } from '../../core/types.js';
import type { Statement } from './parser.js';
import { checkConstraintName, fromNameList, fromRangeVar, fromTypeName, key, objectName, strings, type TypeRef } from './names.js';

export type Volatility = 'volatile' | 'stable' | 'immutable';
export type ConstraintKind = 'check' | 'foreign-key' | 'unique' | 'primary-key' | 'exclusion' | 'not-null';

export interface ColumnInfo {
  name: string;
  type: TypeRef;
  notNull: boolean;
  hasDefault: boolean;
  /** The migration that added it (CREATE TABLE or ADD COLUMN), when lockstep saw that. */
  addedIn?: string;
}

export interface ConstraintInfo {
  name: string;
  kind: ConstraintKind;
  valid: boolean;
  columns: string[];
  /** For a foreign key: the referenced table. */
  references?: QualifiedName;
  /** For `CHECK (col IS NOT NULL)` (and NOT NULL constraints): the column it proves non-null. */
  notNullColumn?: string;
}

export interface TableInfo {
  name: QualifiedName;
  kind: 'table' | 'partitioned' | 'matview' | 'view';
  columns: Map<string, ColumnInfo>;
  constraints: Map<string, ConstraintInfo>;
  indexes: Set<string>;
  partitionOf?: QualifiedName;
  isDefaultPartition?: boolean;
  /** Estimated rows and bytes (table + indexes + toast), from a live database. */
  rows?: number;
  bytes?: number;
  /** Where lockstep saw it created: `migration id`, or undefined when it already existed. */
  createdIn?: string;
  /** Known only from ALTER statements (no CREATE seen, no database): its columns are not all known. */
  partial?: boolean;
  /** The index CLUSTER without a table name uses (ALTER TABLE … CLUSTER ON, or an earlier CLUSTER … USING). */
  clusteredOn?: string;
}

export interface IndexInfo {
  name: QualifiedName;
  table: QualifiedName;
  unique: boolean;
}

export interface DomainInfo {
  name: QualifiedName;
  constraints: Map<string, { valid: boolean }>;
  notNull: boolean;
}

export class Catalog {
  readonly tables = new Map<string, TableInfo>();
  readonly indexes = new Map<string, IndexInfo>();
  readonly domains = new Map<string, DomainInfo>();
  readonly enums = new Map<string, string[]>();
  /** User functions by name (any schema) → volatility. */
  readonly functions = new Map<string, Volatility>();
  /** True when the schema came from a live database (absence of a table then means it does not exist). */
  complete = false;

  /**
   * Objects this catalog may change in place. A clone shares every table, index, domain and enum with
   * its source until either of them changes one: then it copies that one object first (copy on write),
   * so cloning is O(tables) pointer copies and reading a down section never copies the schema it does
   * not touch. Cloning therefore also takes ownership away from the source.
   */
  private owned = new WeakSet<object>();

  /** An independent copy (copy on write), for reading a down section without keeping its changes. */
  clone(): Catalog {
    const c = new Catalog();
    for (const [k, v] of this.tables) c.tables.set(k, v);
    for (const [k, v] of this.indexes) c.indexes.set(k, v);
    for (const [k, v] of this.domains) c.domains.set(k, v);
    for (const [k, v] of this.enums) c.enums.set(k, v);
    for (const [k, v] of this.functions) c.functions.set(k, v);
    c.complete = this.complete;
    this.owned = new WeakSet();
    return c;
  }

  /** The table, safe to change in place here (copied first when it is shared with another catalog). */
  editTable(n: QualifiedName): TableInfo | undefined {
    const t = this.table(n);
    return t && this.own(t);
  }

  private own(t: TableInfo): TableInfo {
    if (this.owned.has(t)) return t;
    const copy: TableInfo = {
      ...t,
      columns: new Map([...t.columns].map(([k, c]) => [k, { ...c }])),
      constraints: new Map([...t.constraints].map(([k, c]) => [k, { ...c, columns: [...c.columns] }])),
      indexes: new Set(t.indexes),
    };
    this.owned.add(copy);
    this.tables.set(key(copy.name), copy);
    return copy;
  }

  private ownIndex(i: IndexInfo): IndexInfo {
    if (this.owned.has(i)) return i;
    const copy = { ...i };
    this.owned.add(copy);
    this.indexes.set(key(copy.name), copy);
    return copy;
  }

  private ownDomain(d: DomainInfo): DomainInfo {
    if (this.owned.has(d)) return d;
    const copy = { ...d, constraints: new Map([...d.constraints].map(([k, c]) => [k, { ...c }])) };
    this.owned.add(copy);
    this.domains.set(key(copy.name), copy);
    return copy;
  }

  table(n: QualifiedName): TableInfo | undefined {
    return this.tables.get(key(n));
  }

  /** Estimated rows and bytes (from a live database), when known. */
  size(t: QualifiedName): { rows?: number; bytes?: number } {
    const info = this.table(t);
    return { ...(info?.rows !== undefined ? { rows: info.rows } : {}), ...(info?.bytes !== undefined ? { bytes: info.bytes } : {}) };
  }

  column(t: QualifiedName, col: string): ColumnInfo | undefined {
    return this.table(t)?.columns.get(col);
  }

  index(n: QualifiedName): IndexInfo | undefined {
    return this.indexes.get(key(n));
  }

  domain(n: QualifiedName): DomainInfo | undefined {
    return this.domains.get(key(n));
  }

  /** A valid CHECK (col IS NOT NULL) (or, on 18, a valid NOT NULL constraint) proves `col` has no NULLs. */
  hasValidNotNullProof(t: QualifiedName, col: string): boolean {
    for (const c of this.table(t)?.constraints.values() ?? []) if (c.valid && c.notNullColumn === col) return true;
    return false;
  }

  constraint(t: QualifiedName, name: string): ConstraintInfo | undefined {
    return this.table(t)?.constraints.get(name);
  }

  /** Tables whose foreign keys reference `t`. */
  referencing(t: QualifiedName): QualifiedName[] {
    const k = key(t);
    const out: QualifiedName[] = [];
    for (const tab of this.tables.values())
      for (const c of tab.constraints.values()) if (c.kind === 'foreign-key' && c.references && key(c.references) === k && key(tab.name) !== k) out.push(tab.name);
    return out;
  }

  /** Tables `t`'s foreign keys reference. */
  referenced(t: QualifiedName): QualifiedName[] {
    return [...(this.table(t)?.constraints.values() ?? [])].filter((c) => c.kind === 'foreign-key' && c.references).map((c) => c.references!);
  }

  partitions(parent: QualifiedName): TableInfo[] {
    const k = key(parent);
    return [...this.tables.values()].filter((t) => t.partitionOf && key(t.partitionOf) === k);
  }

  defaultPartition(parent: QualifiedName): QualifiedName | undefined {
    return this.partitions(parent).find((p) => p.isDefaultPartition)?.name;
  }

  /** Tables with a column of the domain. */
  domainUsers(domain: QualifiedName): QualifiedName[] {
    const dk = key(domain);
    return [...this.tables.values()]
      .filter((t) => [...t.columns.values()].some((c) => key({ ...(c.type.schema ? { schema: c.type.schema } : {}), name: c.type.name }) === dk))
      .map((t) => t.name);
  }

  private ensureTable(n: QualifiedName, kind: TableInfo['kind'] = 'table'): TableInfo {
    const t = this.tables.get(key(n));
    if (t) return this.own(t);
    const created: TableInfo = { name: n, kind, columns: new Map(), constraints: new Map(), indexes: new Set() };
    this.owned.add(created);
    this.tables.set(key(n), created);
    return created;
  }

  /** Learns what `stmt` does to the schema. `migration` names where it happened (for `createdIn`). */
  apply(stmt: Statement, migration: string): void {
    const a = stmt.ast;
    switch (stmt.kind) {
      case 'CreateStmt': {
        const name = fromRangeVar(a.relation);
        const t = this.ensureTable(name, a.partspec ? 'partitioned' : 'table');
        t.createdIn = migration;
        if (a.partbound) {
          t.partitionOf = fromRangeVar(a.inhRelations?.[0]?.RangeVar);
          t.isDefaultPartition = !!a.partbound.is_default;
        }
        for (const elt of a.tableElts ?? []) {
          if (elt.ColumnDef) this.addColumn(t, elt.ColumnDef, migration, true);
          else if (elt.Constraint) this.addConstraint(t, elt.Constraint, true, true);
        }
        break;
      }
      case 'CreateTableAsStmt': {
        const into = a.into?.rel;
        if (into) this.ensureTable(fromRangeVar(into), a.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'table').createdIn = migration;
        break;
      }
      case 'ViewStmt':
        this.ensureTable(fromRangeVar(a.view), 'view').createdIn = migration;
        break;
      case 'AlterTableStmt':
        if (a.objtype === 'OBJECT_TABLE' || a.objtype === undefined) this.alterTable(fromRangeVar(a.relation), a.cmds ?? [], migration);
        break;
      case 'IndexStmt': {
        const table = fromRangeVar(a.relation);
        const name = { ...(table.schema ? { schema: table.schema } : {}), name: a.idxname ?? `${table.name}_idx` };
        const index: IndexInfo = { name, table, unique: !!a.unique };
        this.owned.add(index);
        this.indexes.set(key(name), index);
        this.editTable(table)?.indexes.add(name.name);
        break;
      }
      case 'RenameStmt':
        this.rename(a);
        break;
      case 'AlterObjectSchemaStmt':
        if ((a.objectType === 'OBJECT_TABLE' || a.objectType === 'OBJECT_MATVIEW' || a.objectType === 'OBJECT_VIEW') && a.relation)
          this.moveTable(fromRangeVar(a.relation), { schema: a.newschema, name: a.relation.relname });
        break;
      case 'ClusterStmt': {
        const t = a.relation && a.indexname ? this.editTable(fromRangeVar(a.relation)) : undefined;
        if (t) t.clusteredOn = a.indexname;
        break;
      }
      case 'DropStmt':
        this.drop(a);
        break;
      case 'CreateDomainStmt': {
        const name = fromNameList(a.domainname);
        const d: DomainInfo = { name, constraints: new Map(), notNull: false };
        this.owned.add(d);
        (a.constraints ?? []).forEach((c: any, i: number) => {
          const con = c.Constraint;
          if (con?.contype === 'CONSTR_NOTNULL') d.notNull = true;
          else if (con?.contype === 'CONSTR_CHECK') d.constraints.set(con.conname ?? `${name.name}_check${i ? i : ''}`, { valid: true });
        });
        this.domains.set(key(name), d);
        break;
      }
      case 'AlterDomainStmt': {
        const found = this.domain(fromNameList(a.typeName));
        if (!found) break;
        const d = this.ownDomain(found);
        if (a.subtype === 'C' && a.def?.Constraint) d.constraints.set(a.def.Constraint.conname ?? `${d.name.name}_check`, { valid: !a.def.Constraint.skip_validation });
        else if (a.subtype === 'V' && a.name) d.constraints.set(a.name, { valid: true });
        else if (a.subtype === 'X' && a.name) d.constraints.delete(a.name);
        else if (a.subtype === 'O') d.notNull = true;
        else if (a.subtype === 'N') d.notNull = false;
        break;
      }
      case 'CreateEnumStmt':
        this.enums.set(key(fromNameList(a.typeName)), strings(a.vals));
        break;
      case 'AlterEnumStmt': {
        const k = key(fromNameList(a.typeName));
        const shared = this.enums.get(k);
        if (shared && a.newVal && !a.oldVal) {
          const vals = [...shared]; // enum value lists are small: copy rather than track them
          this.enums.set(k, vals);
          const at = a.newValNeighbor ? vals.indexOf(a.newValNeighbor) : -1;
          if (at < 0) vals.push(a.newVal);
          else vals.splice(a.newValIsAfter ? at + 1 : at, 0, a.newVal);
        }
        break;
      }
      case 'CreateFunctionStmt': {
        const name = fromNameList(a.funcname).name;
        let vol: Volatility = 'volatile'; // the Postgres default when none is declared
        for (const o of a.options ?? []) if (o.DefElem?.defname === 'volatility') vol = (o.DefElem.arg?.String?.sval ?? 'volatile') as Volatility;
        this.functions.set(name, vol);
        break;
      }
    }
  }

  private addColumn(t: TableInfo, def: any, migration?: string, inCreate = false): void {
    const c: ColumnInfo = { name: def.colname, type: fromTypeName(def.typeName), notNull: false, hasDefault: false, ...(migration ? { addedIn: migration } : {}) };
    for (const x of def.constraints ?? []) {
      const con = x.Constraint;
      if (!con) continue;
      if (con.contype === 'CONSTR_NOTNULL' || con.contype === 'CONSTR_PRIMARY') c.notNull = true;
      if (con.contype === 'CONSTR_DEFAULT' || con.contype === 'CONSTR_IDENTITY' || c.type.serial) c.hasDefault = true;
      if (con.contype !== 'CONSTR_NOTNULL' && con.contype !== 'CONSTR_DEFAULT') this.addConstraint(t, { ...con, keys: con.keys ?? [{ String: { sval: def.colname } }], fk_attrs: con.fk_attrs ?? [{ String: { sval: def.colname } }] }, true, inCreate);
    }
    if (c.type.serial) c.hasDefault = true;
    t.columns.set(c.name, c);
  }

  /** `inCreate`: part of CREATE TABLE, where Postgres ignores NOT VALID (the table is empty). */
  private addConstraint(t: TableInfo, con: any, valid: boolean, inCreate = false): void {
    const kinds: Record<string, ConstraintKind> = {
      CONSTR_CHECK: 'check',
      CONSTR_FOREIGN: 'foreign-key',
      CONSTR_UNIQUE: 'unique',
      CONSTR_PRIMARY: 'primary-key',
      CONSTR_EXCLUSION: 'exclusion',
      CONSTR_NOTNULL: 'not-null',
    };
    const kind = kinds[con.contype];
    if (!kind) return;
    const columns = kind === 'foreign-key' ? strings(con.fk_attrs) : strings(con.keys);
    // The names Postgres gives unnamed constraints: orders_pkey, orders_ref_key, orders_customer_id_fkey,
    // orders_total_check (a CHECK names the one column it uses), each within 63 bytes.
    const suffix = { 'foreign-key': 'fkey', 'primary-key': 'pkey', unique: 'key', 'not-null': 'not_null', check: 'check', exclusion: 'excl' }[kind];
    const name =
      con.conname ??
      (kind === 'primary-key'
        ? objectName(t.name.name, undefined, 'pkey')
        : kind === 'check'
          ? checkConstraintName(t.name, con.raw_expr)
          : objectName(t.name.name, columns.join('_') || undefined, suffix));
    const info: ConstraintInfo = { name, kind, valid: valid && (inCreate || !con.skip_validation), columns };
    if (kind === 'foreign-key' && con.pktable) info.references = fromRangeVar(con.pktable);
    if (kind === 'check') {
      const col = isNotNullCheck(con.raw_expr);
      if (col) info.notNullColumn = col;
    }
    if (kind === 'not-null') info.notNullColumn = columns[0];
    if (kind === 'primary-key') for (const col of columns) { const c = t.columns.get(col); if (c) c.notNull = true; }
    if (kind === 'not-null' && info.valid) { const c = t.columns.get(columns[0] ?? ''); if (c) c.notNull = true; }
    t.constraints.set(name, info);
  }

  private alterTable(name: QualifiedName, cmds: any[], migration: string): void {
    // Without a live database, a table first seen in an ALTER existed before: start tracking it
    // (its constraints and columns from here on), so later statements are judged with what this one did.
    let t = this.editTable(name);
    if (!t && !this.complete) {
      t = this.ensureTable(name);
      t.partial = true;
    }
    if (!t) return;
    for (const raw of cmds) {
      const cmd = raw.AlterTableCmd;
      if (!cmd) continue;
      const col = cmd.name ? t.columns.get(cmd.name) : undefined;
      switch (cmd.subtype) {
        case 'AT_AddColumn':
          this.addColumn(t, cmd.def.ColumnDef, migration);
          break;
        case 'AT_DropColumn':
          t.columns.delete(cmd.name);
          break;
        case 'AT_AlterColumnType':
          if (col) col.type = fromTypeName(cmd.def?.ColumnDef?.typeName);
          break;
        case 'AT_SetNotNull':
          if (col) col.notNull = true;
          break;
        case 'AT_DropNotNull':
          if (col) col.notNull = false;
          break;
        case 'AT_ColumnDefault':
          if (col) col.hasDefault = !!cmd.def;
          break;
        case 'AT_AddConstraint':
          if (cmd.def?.Constraint) this.addConstraint(t, cmd.def.Constraint, true);
          break;
        case 'AT_ValidateConstraint': {
          const c = t.constraints.get(cmd.name);
          if (c) {
            c.valid = true;
            if (c.kind === 'not-null' && c.columns[0]) { const cc = t.columns.get(c.columns[0]); if (cc) cc.notNull = true; }
          }
          break;
        }
        case 'AT_DropConstraint':
          t.constraints.delete(cmd.name);
          break;
        case 'AT_AttachPartition': {
          const p = this.editTable(fromRangeVar(cmd.def?.PartitionCmd?.name));
          if (p) {
            p.partitionOf = t.name;
            p.isDefaultPartition = !!cmd.def?.PartitionCmd?.bound?.is_default;
          }
          break;
        }
        case 'AT_ClusterOn':
          t.clusteredOn = cmd.name;
          break;
        case 'AT_DropCluster':
          delete t.clusteredOn;
          break;
        case 'AT_DetachPartition': {
          const p = this.editTable(fromRangeVar(cmd.def?.PartitionCmd?.name));
          if (p) delete p.partitionOf;
          break;
        }
      }
    }
  }

  private rename(a: any): void {
    if (a.renameType === 'OBJECT_TABLE' || a.renameType === 'OBJECT_MATVIEW' || a.renameType === 'OBJECT_VIEW') {
      const from = fromRangeVar(a.relation);
      this.moveTable(from, { ...(from.schema ? { schema: from.schema } : {}), name: a.newname });
    } else if (a.renameType === 'OBJECT_COLUMN') {
      const t = this.editTable(fromRangeVar(a.relation));
      const c = t?.columns.get(a.subname);
      if (t && c) {
        t.columns.delete(a.subname);
        c.name = a.newname;
        t.columns.set(a.newname, c);
      }
    } else if (a.renameType === 'OBJECT_TABCONSTRAINT') {
      const t = this.editTable(fromRangeVar(a.relation));
      const c = t?.constraints.get(a.subname);
      if (t && c) {
        t.constraints.delete(a.subname);
        c.name = a.newname;
        t.constraints.set(a.newname, c);
      }
    } else if (a.renameType === 'OBJECT_INDEX') {
      const from = fromRangeVar(a.relation);
      const found = this.index(from);
      if (found) {
        const i = this.ownIndex(found);
        this.indexes.delete(key(from));
        i.name = { ...(from.schema ? { schema: from.schema } : {}), name: a.newname };
        this.indexes.set(key(i.name), i);
        const t = this.editTable(i.table);
        if (t?.indexes.delete(from.name)) t.indexes.add(a.newname);
      }
    }
  }

  /** Renames or moves a table, keeping what points at it (indexes, foreign keys, partitions) pointing at it. */
  private moveTable(from: QualifiedName, to: QualifiedName): void {
    const t = this.editTable(from);
    if (!t) return;
    const old = key(from);
    this.tables.delete(old);
    t.name = to;
    this.tables.set(key(to), t);
    for (const i of [...this.indexes.values()]) if (key(i.table) === old) this.ownIndex(i).table = to;
    for (const found of [...this.tables.values()]) {
      const points = (found.partitionOf && key(found.partitionOf) === old) || [...found.constraints.values()].some((c) => c.references && key(c.references) === old);
      if (!points) continue;
      const other = this.own(found);
      if (other.partitionOf && key(other.partitionOf) === old) other.partitionOf = to;
      for (const c of other.constraints.values()) if (c.references && key(c.references) === old) c.references = to;
    }
  }

  private drop(a: any): void {
    for (const obj of a.objects ?? []) {
      const name = fromNameList(obj.List?.items ?? (obj.String ? [obj] : []));
      switch (a.removeType) {
        case 'OBJECT_TABLE':
        case 'OBJECT_VIEW':
        case 'OBJECT_MATVIEW':
          this.tables.delete(key(name));
          break;
        case 'OBJECT_INDEX': {
          const i = this.index(name);
          if (i) this.editTable(i.table)?.indexes.delete(i.name.name);
          this.indexes.delete(key(name));
          break;
        }
        case 'OBJECT_DOMAIN':
          this.domains.delete(key(name));
          break;
      }
    }
  }
}

/** `col IS NOT NULL` → col. */
export function isNotNullCheck(expr: any): string | undefined {
  const t = expr?.NullTest;
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = strings(t.arg?.ColumnRef?.fields);
  return fields.length === 1 ? fields[0] : undefined;
}
