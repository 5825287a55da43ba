import { defineRule } from './rule.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { parenGroup, quoteIdent, sqlBlock, sqlName, tokensOf } from './helpers.js';

/** Most key columns lockstep accepts in a non-unique B-tree index. */
const MAX_KEY_COLUMNS = 3;

/** The items of a parenthesized list, as written (top-level commas split them). */
function listItems(stmt: Statement, start: number, end: number): string[] {
  const items: string[] = [];
  let depth = 0;
  let from = start;
  for (const t of tokensOf(stmt)) {
    if (t.start < start || t.start >= end) continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (t.text === ',' && depth === 0) {
      items.push(stmt.text.slice(from - stmt.span.start, t.start - stmt.span.start).trim());
      from = t.end;
    }
  }
  items.push(stmt.text.slice(from - stmt.span.start, end - stmt.span.start).trim());
  return items.map((i) => i.replace(/\s+/g, ' '));
}

/** A key that INCLUDE accepts: a plain column, without an operator class, collation or ordering. */
function plainColumn(elem: any): boolean {
  return !!elem?.name && !elem.expr && !elem.opclass?.length && !elem.collation?.length && (elem.ordering ?? 'SORTBY_DEFAULT') === 'SORTBY_DEFAULT' && (elem.nulls_ordering ?? 'SORTBY_NULLS_DEFAULT') === 'SORTBY_NULLS_DEFAULT';
}

export default defineRule({
  id: 'index-too-many-columns',
  title: 'Keep non-unique B-tree indexes to three key columns or fewer',
  category: 'correctness',
  severity: 'info',
  optIn: true,
  kinds: ['IndexStmt'],
  why:
    'A B-tree index serves queries well only through its leading columns: one on `(a, b, c, d)` helps a query that filters on `a`, or `a` and `b`, but a query on `c` or `d` alone gets little from it. An index with more than three key columns is usually built for one query and used less than expected, while every write pays to maintain it and it takes more memory and disk.\n\n' +
    'Keep the columns that queries filter on, equality columns first, and move columns that are only read back to `INCLUDE (\u2026)`: they stay available for index-only scans without being part of the search key. Unique indexes (where every column is part of the constraint) and other index types are left alone.',
  examples: {
    bad: 'CREATE INDEX CONCURRENTLY orders_lookup_idx ON orders (customer_id, status, created_at, total);',
    good:
      'CREATE INDEX CONCURRENTLY orders_lookup_idx ON orders (customer_id, status, created_at) INCLUDE (total);\n\n-- a unique index needs all its columns:\nCREATE UNIQUE INDEX CONCURRENTLY order_lines_key ON order_lines (order_id, product_id, variant_id, warehouse_id);',
  },
  peers: ['strong_migrations: add_index_columns'],
  check(stmt, ctx) {
    const a = stmt.ast;
    if (a.unique || a.primary || (a.accessMethod && a.accessMethod !== 'btree')) return;
    const keys: any[] = (a.indexParams ?? []).map((p: any) => p.IndexElem);
    if (keys.length <= MAX_KEY_COLUMNS) return;
    const table = fromRangeVar(a.relation);
    const group = parenGroup(stmt, stmt.at(a.relation.location));
    if (!group) return;
    const written = listItems(stmt, group.start, group.end);
    const name = a.idxname ? `${quoteIdent(a.idxname)} ` : '';
    const kept = written.slice(0, MAX_KEY_COLUMNS);
    const moved = written.slice(MAX_KEY_COLUMNS);
    let suggestion: string | undefined;
    if (written.length === keys.length && keys.slice(MAX_KEY_COLUMNS).every(plainColumn)) {
      const text = stmt.text;
      const base = stmt.span.start;
      let after = text.slice(group.end - base + 1);
      const toks = tokensOf(stmt);
      const include = toks.find((t) => t.start > group.end && t.up === 'INCLUDE');
      const incGroup = include && parenGroup(stmt, include.end);
      if (incGroup) {
        const rel = (o: number) => o - group.end - 1;
        after = `${after.slice(0, rel(incGroup.start))}${[...moved, incGroup.inner].join(', ')}${after.slice(rel(incGroup.end))}`;
      } else after = ` INCLUDE (${moved.join(', ')})${after}`;
      suggestion = `${text.slice(0, group.start - base)}${kept.join(', ')})${after}`.replace(/\s*;?\s*$/, ';');
    }
    ctx.report({
      at: stmt.at(a.relation.location),
      table,
      message: `CREATE INDEX ${name}on ${sqlName(table)} has ${keys.length} key columns (${written.join(', ')}): a B-tree index helps mostly queries that filter on its leading columns, so the trailing ones make it bigger and slower to maintain for little use`,
      fix: sqlBlock(
        `Keep the columns that queries filter on, equality columns first (three or fewer usually suffice), and check with EXPLAIN that the queries you built it for use it.${suggestion ? ' Columns that are only read back can go to INCLUDE, which keeps them out of the search key but still allows index-only scans:' : ' Columns that are only read back can go to INCLUDE (…), which keeps them out of the search key (INCLUDE takes plain columns only).'}`,
        suggestion,
      ),
    });
  },
});
