import { defineRule } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import { fromRangeVar, quoteLiteral } from '../../dialects/postgres/names.js';
import { andList, inTransactionBlock, insertAfter, lockPhrase, outsideTransactionAdvice, quoteIdent, sqlBlock, sqlName, suffixedName } from './helpers.js';

const kindWord: Record<string, string> = {
  REINDEX_OBJECT_INDEX: 'INDEX',
  REINDEX_OBJECT_TABLE: 'TABLE',
  REINDEX_OBJECT_SCHEMA: 'SCHEMA',
  REINDEX_OBJECT_DATABASE: 'DATABASE',
};

/** `CONCURRENTLY`, `(CONCURRENTLY)`, `(CONCURRENTLY true)`: on; `(CONCURRENTLY false|off|0)`: off. */
function isConcurrent(a: any): boolean {
  const p = (a.params ?? []).find((x: any) => x.DefElem?.defname === 'concurrently')?.DefElem;
  if (!p) return false;
  const v = p.arg?.String?.sval ?? p.arg?.Boolean?.boolval ?? (p.arg?.Integer ? (p.arg.Integer.ival ?? 0) : undefined);
  return !(v === false || v === 0 || (typeof v === 'string' && /^(false|off|no|0)$/i.test(v)));
}

export default defineRule({
  id: 'require-concurrent-reindex',
  title: 'Rebuild indexes with REINDEX CONCURRENTLY',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['ReindexStmt'],
  why:
    'A plain `REINDEX` holds a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE lock on each index while it is rebuilt; since queries lock every index of a table while they are planned, reads of the table wait too. On a large table that is minutes of downtime. From Postgres 12, `REINDEX \u2026 CONCURRENTLY` builds a new copy of each index next to the old one and swaps it in with only brief locks; it cannot run inside a transaction block.\n\n' +
    'Postgres 11 has no concurrent form: build a new index with `CREATE INDEX CONCURRENTLY` and the same definition, drop the old one `CONCURRENTLY`, and rename the new one. `REINDEX SYSTEM` (system catalogs only) is not flagged.',
  examples: {
    bad: 'REINDEX INDEX orders_created_at_idx;',
    good: 'REINDEX INDEX CONCURRENTLY orders_created_at_idx;\nREINDEX SYSTEM;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY);\nREINDEX TABLE refunds;',
  },
  peers: ['squawk: require-concurrent-reindex', 'pgfence: reindex-non-concurrent'],
  check(stmt, ctx) {
    const a = stmt.ast;
    const word = kindWord[a.kind];
    if (!word || isConcurrent(a)) return; // REINDEX SYSTEM: catalogs only, and it has no concurrent form
    const part = ctx.effect.parts[0];
    const claim = part?.claim;
    const rel: QualifiedName | undefined = a.relation ? fromRangeVar(a.relation) : undefined;
    const many = word === 'SCHEMA' || word === 'DATABASE';
    const table = many ? undefined : part?.relations.table?.[0];
    if (table && ctx.isNew(table)) return;
    const at = a.relation ? stmt.at(a.relation.location) : stmt.span.start;
    // Lock modes from the effects table; the index lock only where the entry claims one.
    const tableMode = claim?.locks.find((l) => l.on === 'table')?.mode ?? 'Share';
    const indexMode = claim?.locks.find((l) => l.on === 'index')?.mode;
    const target = rel ? sqlName(rel) : a.name ? quoteIdent(a.name) : 'the current database';
    const onIndex = (what: string) => (indexMode ? ` and ${lockPhrase(indexMode)} on ${what}` : '');
    const locks =
      word === 'INDEX'
        ? `${lockPhrase(tableMode)} on ${table ? sqlName(table) : 'its table'}${onIndex(target)}`
        : word === 'TABLE'
          ? `${lockPhrase(tableMode)} on ${target}${onIndex('each of its indexes')}`
          : `${lockPhrase(tableMode)} on each table${onIndex('each index')}, one table at a time,`;
    const what = word === 'INDEX' ? `the index` : word === 'TABLE' ? 'every index of the table' : `every index in ${word === 'SCHEMA' ? `schema ${target}` : target}`;
    const message = `REINDEX ${word} ${rel || a.name ? `${target} ` : ''}holds ${locks} until ${what} is rebuilt (${many ? 'reads that use its indexes wait too' : 'queries on the table wait too: planning locks every index'})`;
    const outside = inTransactionBlock(ctx)
      ? `${claim?.transactional === false ? `REINDEX ${word} cannot run inside a transaction block at all. ` : ''}${outsideTransactionAdvice(ctx)}`
      : undefined;

    if (ctx.version >= 12) {
      const hasConcurrentParam = (a.params ?? []).some((x: any) => x.DefElem?.defname === 'concurrently');
      const sql = hasConcurrentParam
        ? `REINDEX ${word} CONCURRENTLY${rel ? ` ${sqlName(rel)}` : a.name ? ` ${quoteIdent(a.name)}` : ''};`
        : `${insertAfter(stmt.text, /^\s*reindex\s*(\([^)]*\)\s*)?(index|table|schema|database)\b/i, 'CONCURRENTLY')};`;
      ctx.report({
        at,
        ...(table ? { table } : {}),
        message,
        fix: sqlBlock(
          'Rebuild it next to the old one and swap it in with only brief locks:',
          sql,
          word === 'SCHEMA' || word === 'DATABASE' ? 'CONCURRENTLY skips the system catalogs (they cannot be rebuilt concurrently).' : undefined,
          'If it fails, it leaves INVALID indexes named \u2026_ccnew (or \u2026_ccold): drop them with DROP INDEX CONCURRENTLY before trying again.',
          outside,
        ),
      });
      return;
    }

    // Postgres 11: no REINDEX CONCURRENTLY.
    const recipe = (idx: QualifiedName) => {
      const fresh = { ...(idx.schema ? { schema: idx.schema } : {}), name: suffixedName(idx.name, '_new') };
      if (idx.name.startsWith('<')) {
        // A placeholder: written as is, not quoted.
        return [
          `SELECT pg_get_indexdef('<index>'::regclass);  -- the definition to copy`,
          `CREATE INDEX CONCURRENTLY <index>_new ON <table> (\u2026the same columns, options and WHERE\u2026);`,
          'DROP INDEX CONCURRENTLY <index>;',
          'ALTER INDEX <index>_new RENAME TO <index>;',
        ];
      }
      const info = ctx.catalog.index(idx);
      const on = info?.table ?? (word === 'TABLE' ? rel : table);
      return [
        `SELECT pg_get_indexdef(${quoteLiteral(sqlName(idx))}::regclass);  -- the definition to copy`,
        `CREATE ${info?.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${quoteIdent(fresh.name)} ON ${on ? sqlName(on) : '<table>'} (\u2026the same columns, options and WHERE\u2026);`,
        `DROP INDEX CONCURRENTLY ${sqlName(idx)};`,
        `ALTER INDEX ${sqlName(fresh)} RENAME TO ${quoteIdent(idx.name)};`,
      ];
    };
    const known = word === 'TABLE' && rel ? [...(ctx.catalog.table(rel)?.indexes ?? [])].map((n) => ({ ...(rel.schema ? { schema: rel.schema } : {}), name: n })) : [];
    const steps =
      word === 'INDEX' && rel
        ? recipe(rel)
        : known.length
          ? known.flatMap(recipe)
          : [...recipe({ name: '<index>' }), `-- repeat for each index of ${target} (SELECT indexname FROM pg_indexes WHERE ${word === 'TABLE' && rel ? `tablename = ${quoteLiteral(rel.name)}` : word === 'SCHEMA' ? `schemaname = ${quoteLiteral(a.name ?? '')}` : "schemaname NOT IN ('pg_catalog', 'information_schema')"})`];
    ctx.report({
      at,
      ...(table ? { table } : {}),
      message,
      fix: sqlBlock(
        `Postgres 11 has no REINDEX CONCURRENTLY. Build a copy of ${word === 'INDEX' ? 'the index' : `each index${known.length ? ` (${andList(known.map(sqlName))})` : ''}`} with CREATE INDEX CONCURRENTLY and the same definition (pg_get_indexdef shows it), drop the old one CONCURRENTLY and give the copy its name:`,
        ...steps,
        'An index that backs a PRIMARY KEY or UNIQUE constraint cannot be dropped this way: build the new one as a UNIQUE index and swap the constraint with ALTER TABLE \u2026 DROP CONSTRAINT \u2026, ADD CONSTRAINT \u2026 UNIQUE USING INDEX \u2026 (brief ACCESS EXCLUSIVE).',
        outside,
      ),
    });
  },
});
