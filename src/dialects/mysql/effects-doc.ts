/**
 * docs/effects-mysql.md, rendered from the effects table (scripts/effects-doc-mysql.js writes it; a test
 * checks the committed page is current).
 */
import { inRange } from '../../core/version.js';
import { bestOf, claimFor, mysqlEffectIds, mysqlEffects, PROVEN_ON, type MyClaim, type MyEffectEntry } from './effects.js';
import type { MyEffectId } from './effect.js';

const RANK = ['instant', 'nocopy', 'inplace', 'copy'];
const up = (s: string) => s.toUpperCase();
const cond: Record<string, (v: boolean) => string> = {
  sqlModeStrict: (v) => (v ? 'strict sql_mode' : 'sql_mode not strict'),
  fulltextExists: (v) => (v ? 'the table has a FULLTEXT index' : 'no FULLTEXT index'),
  indexedColumn: (v) => (v ? 'the column is indexed' : 'the column is not indexed'),
  rowVersionsFull: (v) => (v ? '64 row versions used' : 'row versions left'),
  rowFormatCompressed: (v) => (v ? 'ROW_FORMAT=COMPRESSED' : 'not COMPRESSED'),
  referencedByForeignKey: (v) => (v ? "another table's foreign key references it" : 'no foreign key references it'),
  varcharFromUnder128: (v) => (v ? 'old maximum ≤ 127 bytes' : 'old maximum ≥ 128 bytes'),
};
const versions = (c: MyClaim) => (c.from && c.to ? `${c.from}–${c.to}` : c.from ? `${c.from}+` : c.to ? `≤ ${c.to}` : 'all');
const when = (c: MyClaim) => (c.when ? Object.entries(c.when).map(([k, v]) => cond[k]?.(v as boolean) ?? `${k}=${v}`).join(', ') : '');
const cell = (s: unknown) => String(s).replace(/\|/g, '\\|');

function accepts(c: MyClaim, flavor: 'mysql' | 'mariadb'): string {
  if (c.noClauses) return 'no ALGORITHM/LOCK clause';
  const listed = (Object.keys(c.algorithms) as (keyof MyClaim['algorithms'])[]).sort((a, b) => RANK.indexOf(a) - RANK.indexOf(b));
  if (flavor === 'mysql') return listed.filter((a) => a !== 'nocopy').map((a) => `${up(a)} (LOCK=${up(c.algorithms[a]!)}${a === 'instant' ? ' implied; no LOCK clause' : '+'})`).join(', ');
  const best = listed[0];
  const floors = RANK.filter((a) => (RANK.indexOf(a) >= RANK.indexOf(best!) || a === 'copy') && !(c.refuses ?? []).includes(a as never));
  return floors.map(up).join(', ') + ((c.refuses ?? []).length ? `; refuses ${c.refuses!.map(up).join(', ')}` : '');
}

function provenText(id: MyEffectId, entry: MyEffectEntry, c: MyClaim, flavor: 'mysql' | 'mariadb'): string {
  if (flavor === 'mariadb' && inRange(PROVEN_ON, c) && (entry.proofs ?? []).some((p) => claimFor(id, PROVEN_ON, p.when ?? {}) === c)) return '**proven on MariaDB 10.11**';
  return `documented, not proven here (${flavor === 'mysql' ? entry.source.mysql : entry.source.mariadb})`;
}

export function effectsDocMysql(): string {
const out: string[] = [];
out.push('# What each schema change costs on MySQL and MariaDB');
out.push('');
out.push('Generated from `src/dialects/mysql/effects.ts` by `npm run docs` (scripts/effects-doc-mysql.js); do not edit. This is what `lockstep lint` predicts for MySQL 8.0/8.4 and MariaDB 10.3–11.x.');
out.push('');
out.push('Rows marked **proven on MariaDB 10.11** run in the test suite (`test/integration/mysql-effects.test.ts`) on the MariaDB 10.11 service: the statement runs on a fresh table with rows, as written and with explicit `ALGORITHM=INSTANT`, `NOCOPY`, `INPLACE`, `COPY` and `LOCK=NONE`, `SHARED`; which of them the server accepts (its refusal text names what it needs) and whether the InnoDB tablespace id changed (a rebuild) must equal the row, or the build fails. MySQL 8.0/8.4 and the other MariaDB versions cannot run here: those rows come from the manual section shown and are labelled "documented, not proven here" — in lint output too (`proven: false`).');
out.push('');
out.push('Reading the columns:');
out.push('- **algorithm** — what the server uses with no ALGORITHM clause (the best it can): INSTANT (metadata only) > NOCOPY (MariaDB: no row copy, may build an index) > INPLACE (in place, often a rebuild while writes go on) > COPY (a new table, rows copied, writes blocked).');
out.push('- **accepts** — explicit clauses the server takes. MySQL runs exactly the algorithm named (ALGORITHM=INPLACE forces INPLACE even where INSTANT was possible) and rejects a LOCK clause other than DEFAULT with INSTANT. MariaDB treats ALGORITHM as a floor ("at least this good") and allows `ALGORITHM=INSTANT, LOCK=NONE`.');
out.push('- **least LOCK** — NONE: reads and writes go on; SHARED: reads only; EXCLUSIVE: neither.');
out.push('- Every row also takes an **exclusive metadata lock** at start and end: the ALTER waits behind any open transaction that touched the table, and every later query on the table queues behind the waiting ALTER (proven on MariaDB 10.11). `lock_wait_timeout` bounds that wait; it defaults to one day on MariaDB 10.11 (86400 s, proven on the service) and a year on MySQL (documented). Set it short (`SET SESSION lock_wait_timeout = 5`, MariaDB also `ALTER TABLE t WAIT 5 …` / `NOWAIT`) and retry.');
out.push('- Every DDL **commits implicitly**: several DDL statements in one migration can leave it half applied. Replicas apply an ALTER serially, after it finished on the primary: replica lag ≈ its duration.');
out.push('- MySQL 8.0.29+: each INSTANT ADD/DROP COLUMN uses one of 64 row versions per table; then ALGORITHM=INSTANT fails (ERROR 4092) and no clause silently rebuilds. MySQL 8.0.29–8.0.31 wrote a flawed INSTANT redo format; MariaDB before 10.6.9 has MDEV-18519 (instant ADD COLUMN corruption): lint warns on those versions.');
out.push('');
out.push('| entry | change | flavor | versions | when | algorithm | accepts | least LOCK | rebuild | full scan | proof |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|');
for (const id of mysqlEffectIds) {
  const e: MyEffectEntry = mysqlEffects[id];
  for (const flavor of ['mysql', 'mariadb'] as const) {
    const claims = flavor === 'mysql' ? e.mysql : e.mariadb;
    if (!claims.length) out.push(`| \`${id}\` | ${cell(e.title)} | ${flavor === 'mysql' ? 'MySQL' : 'MariaDB'} | — | | not supported | | | | | |`);
    for (const c of claims) {
      const b = bestOf(c);
      const title = `${cell(e.title)}${c.note ? `<br>${cell(c.note)}` : ''}`;
      out.push(
        `| \`${id}\` | ${title} | ${flavor === 'mysql' ? 'MySQL' : 'MariaDB'} | ${versions(c)} | ${cell(when(c))} | ${b ? up(b.algorithm) : 'not supported'} | ${b ? cell(accepts(c, flavor)) : ''} | ${b ? up(b.lock) : ''} | ${c.rebuild ? 'yes' : 'no'} | ${c.scan ? 'yes' : 'no'} | ${b ? cell(provenText(id, e, c, flavor)) : ''} |`,
      );
    }
  }
}
out.push('');
out.push('## What the MariaDB 10.11 service contradicted');
out.push('');
out.push('Claims of the reference notes this table started from (and of its first drafts) that the server refused, now corrected above:');
out.push('- Crossing the 255-byte VARCHAR length prefix is not always a copy on MariaDB: from an old maximum ≤ 127 bytes (e.g. utf8mb4 VARCHAR(20) → VARCHAR(64), 80 → 256 bytes) it is INSTANT, because every stored length still fits in one byte. From 128–255 bytes (latin1 VARCHAR(200) → VARCHAR(256), utf8mb4 VARCHAR(40) → VARCHAR(64)) it is a COPY.');
out.push('- NULL → NOT NULL without strict sql_mode is the same INPLACE rebuild with LOCK=NONE as with strict mode (not a COPY).');
out.push('- NOT NULL → NULL is an INPLACE rebuild on the default DYNAMIC row format, not INSTANT.');
out.push('- ADD COLUMN with `DEFAULT (RAND())` or `DEFAULT CURRENT_TIMESTAMP` is INSTANT on MariaDB (a copy on MySQL per its manual).');
out.push('- ADD COLUMN on a table with a FULLTEXT index is INPLACE with a rebuild and LOCK=SHARED ("Fulltext index creation requires a lock"); ADD … AUTO_INCREMENT likewise ("Adding an auto-increment column requires a lock"), not a COPY.');
out.push('- An instant ADD COLUMN combined with ADD INDEX in one ALTER is INPLACE with a rebuild, not NOCOPY.');
out.push('- `ALTER TABLE … RENAME TO` refuses LOCK=NONE and LOCK=SHARED ("Try LOCK=EXCLUSIVE").');
out.push('- `AUTO_INCREMENT = n` is INSTANT (not NOCOPY).');
out.push('- ENGINE=Aria is accepted with ALGORITHM=INSTANT and NOCOPY (and still copies), but ALGORITHM=INPLACE is refused.');
out.push('- `DROP INDEX … ON t` and the partition clauses (ADD/DROP/REORGANIZE/TRUNCATE/COALESCE/EXCHANGE PARTITION, PARTITION BY, REMOVE PARTITIONING) take no ALGORITHM/LOCK clause at all on MariaDB 10.11: it is a syntax error. Use `ALTER TABLE t DROP INDEX i, ALGORITHM=…, LOCK=…` for the index.');
out.push('');
return out.join('\n');
}
