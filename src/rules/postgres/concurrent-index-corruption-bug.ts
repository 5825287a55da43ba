import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { quoteIdent, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'concurrent-index-corruption-bug',
  title: 'Do not build indexes CONCURRENTLY on PostgreSQL 14.0–14.3',
  category: 'correctness',
  severity: 'error',
  versions: { from: 14, to: 14 },
  kinds: ['IndexStmt', 'ReindexStmt'],
  why:
    'An optimization in PostgreSQL 14.0 made `CREATE INDEX CONCURRENTLY` and `REINDEX … CONCURRENTLY` sometimes miss rows that were updated while the index was being built. The index is silently incomplete: queries that use it return wrong results, and a unique index may let duplicates in. 14.4 reverted the optimization; indexes built concurrently on 14.0–14.3 stay damaged until they are rebuilt.\n\n' +
    'lockstep knows the minor version only from `--db` or a full `--pg-version` such as `14.2`; with a plain `14` this rule stays quiet.',
  examples: {
    bad: 'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);',
    good: '-- upgrade to 14.4+ first; until then a plain CREATE INDEX is not affected (it blocks writes while it builds):\nCREATE INDEX orders_created_at_idx ON orders (created_at);',
    version: '14.2',
  },
  peers: ['strong_migrations: add_index_corruption'],
  check(stmt, ctx) {
    const v = ctx.versionNum;
    if (v === undefined || v < 140000 || v > 140003) return;
    const part = ctx.effect.parts.find((p) => p.entry === 'create-index-concurrently' || p.entry === 'reindex-concurrently');
    if (!part) return;
    const a = stmt.ast;
    const minor = `14.${v - 140000}`;
    const what =
      part.entry === 'create-index-concurrently'
        ? `CREATE INDEX CONCURRENTLY${a.idxname ? ` ${quoteIdent(a.idxname)}` : ''} on ${sqlName(fromRangeVar(a.relation))}`
        : `REINDEX … CONCURRENTLY${a.relation ? ` ${sqlName(fromRangeVar(a.relation))}` : ''}`;
    ctx.report({
      at: stmt.span.start,
      message: `${what}: on PostgreSQL ${minor} (a bug in 14.0–14.3) the build can leave out rows that are updated while it runs, and the index then silently returns wrong results`,
      fix: sqlBlock(
        'Upgrade the server to 14.4 or later (a minor update: no dump/restore) before running it, or build it without CONCURRENTLY (not affected, but it blocks writes while it builds).',
        'After upgrading, rebuild every index that was built or reindexed CONCURRENTLY on 14.0–14.3 (`pg_amcheck --heapallindexed` finds damaged B-tree indexes), e.g.:',
        part.entry === 'create-index-concurrently' && a.idxname ? `REINDEX INDEX CONCURRENTLY ${a.relation?.schemaname ? `${quoteIdent(a.relation.schemaname)}.` : ''}${quoteIdent(a.idxname)};` : 'REINDEX INDEX CONCURRENTLY <index>;',
      ),
    });
  },
});
