/** Which tables a MySQL/MariaDB statement is about: the ones it changes (rules) and the ones it touches (rehearse). */
import type { QualifiedName } from '../../core/types.js';
import type { MyStatement } from './ast.js';

/** The tables a statement changes. */
export function tablesOf(stmt: MyStatement): QualifiedName[] {
  switch (stmt.kind) {
    case 'alter-table':
    case 'create-index':
    case 'drop-index':
      return [stmt.table];
    case 'drop-table':
    case 'truncate':
    case 'optimize':
    case 'analyze':
    case 'check-table':
    case 'repair':
      return stmt.tables;
    case 'rename-table':
      return stmt.renames.map((r) => r.from);
    case 'create-trigger':
    case 'drop-trigger':
      return stmt.table ? [stmt.table] : [];
    default:
      return [];
  }
}

/** The tables a statement touches: those it changes, and also a created table, both sides of a rename and the target of a DML statement. */
export function tablesTouched(stmt: MyStatement): QualifiedName[] {
  switch (stmt.kind) {
    case 'create-table':
      return [stmt.table];
    case 'rename-table':
      return stmt.renames.flatMap((r) => [r.from, r.to]);
    case 'insert':
    case 'replace':
    case 'update':
    case 'delete':
    case 'load-data':
      return stmt.table ? [stmt.table] : [];
    default:
      return tablesOf(stmt);
  }
}
