import { defineRule } from './rule.js';
import { compareVersions, v } from '../../core/version.js';
import { costPhrase, existingTables, flavorOf, onlineCopyAdvice, proofNote, serverName, sqlBlock, sqlName, statementLabel, withClauses , detail } from './helpers.js';

/** InnoDB keeps at most this many row versions per table for INSTANT ADD/DROP COLUMN (MySQL 8.0.29+). */
export const ROW_VERSION_CAP = 64;

export default defineRule({
  id: 'instant-not-available',
  title: 'Do not count on INSTANT where this server version cannot do it',
  category: 'compatibility',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table'],
  why:
    'INSTANT changes only the table\u2019s metadata, and what qualifies depends on the server version: MySQL adds and drops columns instantly at any position only from 8.0.29 (before that, only ADD COLUMN at the end), MariaDB from 10.4. From MySQL 8.0.29 every instant ADD/DROP COLUMN also uses one of the table\u2019s 64 row versions: once they are used up, `ALGORITHM=INSTANT` fails (ERROR 4092) and an ALTER without a clause silently rebuilds the whole table. An explicit `ALGORITHM=INSTANT` the server cannot honour fails the migration; without the clause the same change quietly becomes a rebuild.\n\n' +
    'Known defects matter too: MySQL 8.0.29–8.0.31 wrote instant ADD/DROP COLUMN in a redo format that backup tools refuse (upgrade to 8.0.32+ first), and MariaDB before 10.6.9 could corrupt a table after instant ADD COLUMN (MDEV-18519).',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL AFTER customer_id, ALGORITHM=INSTANT;',
    good: 'ALTER TABLE orders ADD COLUMN coupon VARCHAR(32) NULL, ALGORITHM=INSTANT;',
    version: '8.0.28',
  },
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table') return;
    const tables = existingTables(stmt, ctx);
    if (!tables.length) return;
    const e = ctx.effect;
    const flavor = flavorOf(ctx);
    const server = serverName(ctx);
    const name = sqlName(stmt.table);
    const columnParts = e.parts.filter((p) => p.entry === 'add-column-last' || p.entry === 'add-column-positioned' || p.entry === 'drop-column' || p.entry === 'drop-column-indexed');
    const positioned = e.parts.find((p) => p.entry === 'add-column-positioned');
    // 1. An explicit ALGORITHM=INSTANT the server refuses.
    if (stmt.algorithm === 'instant' && e.refused) {
      const culprit = e.parts.find((p) => p.algorithm !== 'instant');
      const dropPosition = !!positioned && flavor === 'mysql' && compareVersions(ctx.server, v('8.0.29')) < 0;
      ctx.report({
        at: stmt.span.start,
        severity: 'error',
        message: `${statementLabel(stmt)} fails on ${server}: ${e.refused}${culprit?.detail ? ` (${detail(culprit.detail)})` : ''}${culprit ? proofNote(culprit, ctx) : ''}`,
        fix: sqlBlock(
          dropPosition
            ? `Before MySQL 8.0.29 only a column added at the end is instant: drop the ${'FIRST/AFTER'} (column order rarely matters to an application), or upgrade:`
            : `The best this server can do for it is ${costPhrase(e.algorithm, e.lock, e.rebuild)}. State that instead, or split the instant part into its own ALTER:`,
          '```sql',
          dropPosition ? withClauses({ ...stmt, text: stmt.text.replace(/\s+(FIRST|AFTER\s+(`[^`]*(?:``[^`]*)*`|\w+))(?=\s*(,|$|;))/gi, '') }, 'instant', undefined) : withClauses(stmt, e.algorithm, flavor === 'mysql' && e.algorithm === 'instant' ? undefined : e.lock),
          '```',
          !dropPosition && (e.algorithm === 'copy' || e.rebuild) ? onlineCopyAdvice(stmt, ctx) : undefined,
        ),
      });
      return;
    }
    // 2. The row-version cap: this change would use versions the table no longer has.
    const table = ctx.catalog.table(stmt.table);
    if (flavor === 'mysql' && compareVersions(ctx.server, v('8.0.29')) >= 0 && table?.rowVersions !== undefined && columnParts.length) {
      const need = e.rowVersions ?? columnParts.length;
      if (table.rowVersions + need > ROW_VERSION_CAP) {
        ctx.report({
          at: stmt.span.start,
          table: stmt.table,
          message: `${name} has used ${table.rowVersions} of its ${ROW_VERSION_CAP} instant row versions (INFORMATION_SCHEMA.INNODB_TABLES.TOTAL_ROW_VERSIONS); this ALTER needs ${need} more, so ${stmt.algorithm === 'instant' ? 'ALGORITHM=INSTANT fails (ERROR 4092)' : 'the server silently rebuilds the whole table instead'} (documented for MySQL 8.0.29+, not proven here)`,
          fix: sqlBlock('Rebuild the table once without blocking writes (that resets the count), then the instant changes work again:', '```sql', `ALTER TABLE ${name} FORCE, ALGORITHM=INPLACE, LOCK=NONE;`, '```', onlineCopyAdvice(stmt, ctx)),
        });
        return;
      }
    }
    // 3. Known defects of instant ADD/DROP COLUMN on this version.
    const instantColumn = columnParts.some((p) => p.algorithm === 'instant') && (stmt.algorithm === undefined || stmt.algorithm === 'default' || stmt.algorithm === 'instant');
    if (!instantColumn) return;
    if (flavor === 'mysql' && ctx.server.patch !== undefined && compareVersions(ctx.server, v('8.0.29')) >= 0 && compareVersions(ctx.server, v('8.0.31')) <= 0) {
      ctx.report({
        at: stmt.span.start,
        table: stmt.table,
        message: `${statementLabel(stmt)} adds or drops a column instantly on ${server}: 8.0.29–8.0.31 write such tables in a redo format that backup tools (Percona XtraBackup) refuse, and crash recovery had bugs (documented for MySQL, not proven here)`,
        fix: sqlBlock('Upgrade to MySQL 8.0.32 or later first; or make the change with a rebuild instead of INSTANT:', '```sql', withClauses(stmt, 'inplace', 'none'), '```'),
      });
      return;
    }
    if (flavor === 'mariadb' && ctx.server.major === 10 && (ctx.server.minor ?? 0) === 6 && ctx.server.patch !== undefined && ctx.server.patch < 9 && e.parts.some((p) => p.entry.startsWith('add-column') && p.algorithm === 'instant')) {
      ctx.report({
        at: stmt.span.start,
        table: stmt.table,
        message: `${statementLabel(stmt)} adds a column instantly on ${server}: before 10.6.9 a table changed by instant ADD COLUMN could be corrupted by later DML (MDEV-18519)`,
        fix: sqlBlock('Upgrade to MariaDB 10.6.9 or later first; or make the change with a rebuild instead of INSTANT:', '```sql', withClauses(stmt, 'inplace', 'none'), '```'),
      });
    }
  },
});
