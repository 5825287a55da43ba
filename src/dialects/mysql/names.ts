/** The one identifier and literal quoter for MySQL/MariaDB SQL lockstep writes (fixes, and later plans). */
import type { QualifiedName } from '../../core/types.js';

/** `` `order` ``, `` `a``b` ``: always quoted, a backtick doubled (valid whatever sql_mode says). */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/**
 * A string literal the server reads the same under any sql_mode: `'it''s'`; a value with a backslash
 * (which NO_BACKSLASH_ESCAPES reads differently) as a utf8mb4 hex string, `_utf8mb4 X'5C6E'`.
 */
export function quoteLiteral(value: string): string {
  if (!value.includes('\\')) return `'${value.replace(/'/g, "''")}'`;
  return `_utf8mb4 X'${Buffer.from(value, 'utf8').toString('hex').toUpperCase()}'`;
}

/** `` `app`.`orders` `` or `` `orders` ``. */
export function sqlName(n: QualifiedName): string {
  return n.schema ? `${quoteIdent(n.schema)}.${quoteIdent(n.name)}` : quoteIdent(n.name);
}
