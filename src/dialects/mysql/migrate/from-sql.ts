/**
 * A MySQL/MariaDB SQL migration as a way in, read with lockstep's MySQL parser: the statements lockstep
 * knows how to make safe become operations (ADD COLUMN → addColumn, ADD [UNIQUE] INDEX / CREATE INDEX →
 * addIndex, ADD FOREIGN KEY → addForeignKey, ADD CHECK → addCheck, MODIFY / CHANGE with the same name →
 * changeColumnType). Every other statement, and every variant an operation cannot express faithfully,
 * comes back in `unconverted` with the reason: nothing is dropped silently.
 */
import { basename, extname } from 'node:path';
import type { Span } from '../../../core/types.js';
import type { Unconverted } from '../../../spec/from-sql.js';
import type { Change, FkAction, Operation } from '../../../operations/types.js';
import { fkActions } from '../../../operations/types.js';
import { parseMysql } from '../parser.js';
import type { AlterAction, ColumnDef, MyStatement } from '../ast.js';
import type { MyOperation } from './types.js';
import { specIdent } from '../spec-fragments.js';

export const MY_CONVERTED = 'ADD COLUMN, ADD [UNIQUE] INDEX / CREATE INDEX, ADD FOREIGN KEY, ADD CHECK and MODIFY / CHANGE of a column (same name)';

type Result = { ops: MyOperation[] } | { reason: string };

export function changeFromMysql(sql: string, o: { file?: string; name?: string } = {}): { change: Change; unconverted: Unconverted[] } {
  const file = o.file ?? 'input.sql';
  const parsed = parseMysql(sql, 0);
  const operations: MyOperation[] = [];
  const unconverted: Unconverted[] = [];
  const left = (span: Span, reason: string) => unconverted.push({ statement: sql.slice(span.start, span.end), span, reason, findings: [] });
  const pieces = [...parsed.statements.map((s) => ({ at: s.span.start, s })), ...parsed.syntaxErrors.map((e) => ({ at: e.span.start, e }))].sort((a, b) => a.at - b.at);
  for (const p of pieces) {
    if ('e' in p && p.e) {
      left(p.e.span, `does not parse: ${p.e.message}`);
      continue;
    }
    const s = (p as { s: MyStatement }).s;
    const r = convert(s, sql);
    if ('reason' in r) left(s.span, r.reason);
    else operations.push(...r.ops);
  }
  const name = o.name ?? (basename(file, extname(file)) || 'sql');
  return { change: { name, operations: operations as Operation[] }, unconverted };
}

function convert(s: MyStatement, sql: string): Result {
  switch (s.kind) {
    case 'alter-table': {
      if (s.ignore) return { reason: 'ALTER IGNORE TABLE drops rows that would fail: lockstep does not plan it' };
      const ops: MyOperation[] = [];
      for (const a of s.actions) {
        const r = action(a, s.table, sql);
        if ('reason' in r) return { reason: `${clauseHead(a)}: ${r.reason}` };
        ops.push(...r.ops);
      }
      if (!ops.length) return { reason: 'nothing to plan in this ALTER TABLE' };
      return { ops };
    }
    case 'create-index': {
      const ix = s.index;
      if (ix.kind !== 'index' && ix.kind !== 'unique') return { reason: `${ix.kind.toUpperCase()} indexes are not planned yet` };
      if (ix.parts.some((x) => !x.column || x.length !== undefined || x.expression)) return { reason: 'prefix and functional key parts are not planned yet' };
      return { ops: [{ kind: 'addIndex', table: s.table, ...(ix.name ? { name: ix.name } : {}), columns: ix.parts.map((x) => quoteSpec(x.column!)), ...(ix.kind === 'unique' ? { unique: true } : {}) }] };
    }
    case 'set':
      return { reason: 'a session setting: lockstep sets lock_wait_timeout (and foreign_key_checks where a step needs it) for every step itself' };
    case 'begin':
    case 'commit':
    case 'rollback':
      return { reason: 'transaction control: every MySQL/MariaDB DDL commits on its own; lockstep runs each step by itself' };
    default:
      return { reason: `${head(s.text)} is not a change lockstep plans (it converts ${MY_CONVERTED})` };
  }
}

/** A name as a change spec writes it (double-quoted when it is not a plain lower-case name), so the planner reads it back as-is. */
const quoteSpec = specIdent;

function head(text: string): string {
  return text.trim().split(/\s+/).slice(0, 3).join(' ').toUpperCase();
}

function clauseHead(a: AlterAction): string {
  return a.type.replace(/-/g, ' ').toUpperCase();
}

const fkAction = (a: string | undefined): FkAction | undefined => {
  const x = a?.toLowerCase();
  return x && (fkActions as readonly string[]).includes(x) ? (x as FkAction) : undefined;
};

/** The text of a column definition after its name: `DECIMAL(14,2) NOT NULL DEFAULT 0`. */
function definitionText(col: ColumnDef, sql: string): string {
  const text = sql.slice(col.span.start, col.span.end).trim();
  const m = /^(`(?:[^`]|``)*`|"(?:[^"]|"")*"|[^\s(]+)\s*/.exec(text);
  return m ? text.slice(m[0].length).trim() : text;
}

function action(a: AlterAction, table: { schema?: string; name: string }, sql: string): Result {
  switch (a.type) {
    case 'add-column': {
      const c = a.column;
      if (a.position) return { reason: 'FIRST / AFTER is not planned (lockstep adds the column last, the instant way)' };
      if (c.generated || c.autoIncrement || c.primaryKey) return { reason: 'generated, AUTO_INCREMENT and PRIMARY KEY columns are not planned' };
      if (c.onUpdate || c.invisible || c.charset || c.collation) return { reason: 'ON UPDATE, INVISIBLE, CHARACTER SET and COLLATE on a new column are not planned yet' };
      const def = c.default && c.default.kind !== 'null' ? c.default.text.replace(/^\((.*)\)$/s, '$1') : undefined;
      return {
        ops: [
          {
            kind: 'addColumn',
            table,
            name: c.name,
            type: c.type.text,
            nullable: c.nullable !== false,
            ...(def !== undefined ? { default: def } : {}),
            ...(c.check ? { check: c.check } : {}),
            ...(c.unique ? { unique: true } : {}),
            ...(c.comment !== undefined ? { comment: c.comment } : {}),
            ...(c.references ? { references: { table: c.references.table, ...(c.references.columns[0] ? { column: c.references.columns[0] } : {}) } } : {}),
          },
        ],
      };
    }
    case 'modify-column':
    case 'change-column': {
      if (a.type === 'change-column' && a.oldName.toLowerCase() !== a.column.name.toLowerCase()) return { reason: 'renaming a column is not planned (it breaks the application running now)' };
      if (a.position) return { reason: 'FIRST / AFTER is not planned' };
      return { ops: [{ kind: 'changeColumnType', table, column: a.column.name, definition: definitionText(a.column, sql) }] };
    }
    case 'add-index': {
      const ix = a.index;
      if (ix.kind !== 'index' && ix.kind !== 'unique') return { reason: `${ix.kind.toUpperCase()} keys are not planned yet` };
      if (ix.parts.some((x) => !x.column || x.length !== undefined || x.expression)) return { reason: 'prefix and functional key parts are not planned yet' };
      const cols = ix.parts.map((x) => quoteSpec(x.column!));
      const name = ix.name ?? ix.constraintName;
      if (ix.kind === 'unique') return { ops: [{ kind: 'addUnique', table, ...(name ? { name } : {}), columns: cols }] };
      return { ops: [{ kind: 'addIndex', table, ...(name ? { name } : {}), columns: cols }] };
    }
    case 'add-foreign-key': {
      const f = a.foreignKey;
      const onDelete = fkAction(f.onDelete);
      const onUpdate = fkAction(f.onUpdate);
      return {
        ops: [
          {
            kind: 'addForeignKey',
            table,
            ...(f.name ? { name: f.name } : {}),
            columns: f.columns.map(quoteSpec),
            references: { table: f.references, columns: f.referencedColumns.map(quoteSpec) },
            ...(onDelete ? { onDelete } : {}),
            ...(onUpdate ? { onUpdate } : {}),
          },
        ],
      };
    }
    case 'add-check':
      if (a.enforced === false) return { reason: 'NOT ENFORCED checks are not planned' };
      return { ops: [{ kind: 'addCheck', table, ...(a.name ? { name: a.name } : {}), expression: a.expr }] };
    default:
      return { reason: `not a change lockstep plans (it converts ${MY_CONVERTED})` };
  }
}
