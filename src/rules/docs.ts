/**
 * docs/rules/*.md and docs/effects.md, generated from rule metadata and the effects table (never
 * written twice). Each rule page shows what lockstep actually prints for its example, produced by
 * running the linter while generating. An id that two dialects check with their own rule has one page
 * with a section per dialect; a rule both dialects share (the common ones) says so.
 */
import { allRules as rules, rulesByDialect } from './registry.js';
import type { Rule } from './rule.js';
import { lintSql, schemaFromSql } from '../lint/lint.js';
import type { DialectId } from '../core/version.js';
import { effects, MIN_VERSION, MAX_VERSION, PROVED_ON, type RelRole } from '../dialects/postgres/effects.js';
import { sqlLockName, describeBlocks, strongest, type LockMode } from '../dialects/postgres/locks.js';
import { SUPPORTED as MYSQL_SUPPORTED } from '../dialects/mysql/versions.js';

const dialectTitle: Record<DialectId, string> = { postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' };

const versionRange = (r: Rule, dialect: DialectId) => {
  if (dialect === 'mysql') return MYSQL_SUPPORTED;
  const from = r.versions?.from ?? MIN_VERSION;
  const to = r.versions?.to ?? MAX_VERSION;
  return from === MIN_VERSION && to === MAX_VERSION ? `PostgreSQL ${MIN_VERSION}–${MAX_VERSION}` : from === to ? `PostgreSQL ${from}` : `PostgreSQL ${from}–${to}`;
};

/** The dialects whose registry has this very rule object, and the distinct rule objects registered under its id. */
function variantsOf(id: string): { rule: Rule; dialects: DialectId[] }[] {
  const out: { rule: Rule; dialects: DialectId[] }[] = [];
  for (const [d, reg] of Object.entries(rulesByDialect) as [DialectId, Record<string, Rule<any>>][]) {
    const r = reg[id] as Rule | undefined;
    if (!r) continue;
    const v = out.find((x) => x.rule === r);
    if (v) v.dialects.push(d);
    else out.push({ rule: r, dialects: [d] });
  }
  return out;
}

/** What lockstep prints for the rule's bad example, on its first dialect. */
async function printedFor(rule: Rule, dialect: DialectId): Promise<string> {
  const mysql = dialect === 'mysql';
  const version = rule.examples.version ?? (mysql ? undefined : 15);
  const target = mysql ? { dialect: 'mysql' as const, ...(version !== undefined ? { serverVersion: String(version) } : {}) } : { pgVersion: version! };
  const catalog = rule.examples.schema ? await schemaFromSql(rule.examples.schema, target) : undefined;
  const result = await lintSql(rule.examples.bad, { ...target, file: 'migration.sql', rules: { [rule.id]: 'on' }, ...(catalog ? { catalog } : {}) });
  return result.findings
    .filter((f) => f.rule === rule.id)
    .map((f) => `${f.severity}: ${f.message}${f.fix ? `\n\nfix:\n${f.fix}` : ''}`)
    .join('\n\n---\n\n');
}

async function ruleBody(rule: Rule, dialects: DialectId[], h: string): Promise<string[]> {
  const dialect = dialects[0]!;
  const printed = await printedFor(rule, dialect);
  const version = rule.examples.version;
  const target = dialect === 'mysql' ? `MySQL ${version}` : `PostgreSQL ${version ?? 15}`;
  return [
    '| | |',
    '|---|---|',
    `| Severity | ${rule.severity}${rule.sizeSensitive ? ' — with `--db`, one level lower on tables under 10,000 rows and 10 MB, `error` from 1M rows or 1 GB' : ''} |`,
    `| Category | ${rule.category} |`,
    `| Applies to | ${dialects.map((d) => versionRange(rule, d)).join('; ')} |`,
    `| Enabled | ${rule.optIn ? `no, opt in with \`"rules": { "${rule.id}": "on" }\`` : 'by default'} |`,
    ...(rule.peers?.length ? [`| Same check elsewhere | ${rule.peers.map((p) => `\`${p}\``).join(', ')} |`] : []),
    '',
    `${h} Why`,
    '',
    rule.why,
    '',
    `${h} Flagged`,
    '',
    ...(rule.examples.schema ? ['Given the table as it is before the migration (as `--db` would read it):', '', '```sql', rule.examples.schema.trim(), '```', '', 'the migration', ''] : []),
    '```sql',
    rule.examples.bad.trim(),
    '```',
    '',
    // Four backticks: a fix may hold fenced SQL of its own.
    ...(printed ? [`lockstep prints${version ? ` (for ${target})` : ''}:`, '', printed.includes('```') ? '````text' : '```text', printed, printed.includes('```') ? '````' : '```', ''] : []),
    `${h} Not flagged`,
    '',
    '```sql',
    rule.examples.good.trim(),
    '```',
    '',
  ];
}

export async function rulePage(rule: Rule): Promise<string> {
  const variants = variantsOf(rule.id);
  if (!variants.length) variants.push({ rule, dialects: [rule.dialects?.[0] ?? 'postgres'] });
  const lines: string[] = [`# ${rule.id}`, ''];
  if (variants.length === 1) {
    const v = variants[0]!;
    lines.push(`**${v.rule.title}**`, '', ...(await ruleBody(v.rule, v.dialects, '##')));
  } else {
    lines.push(`${variants.map((v) => dialectTitle[v.dialects[0]!]).join(' and ')} each check this with a rule of their own; one config key and one ignore id turn off both.`, '');
    for (const v of variants) lines.push(`## ${v.dialects.map((d) => dialectTitle[d]).join(', ')}: ${v.rule.title}`, '', ...(await ruleBody(v.rule, v.dialects, '###')));
  }
  lines.push(
    '## Configure',
    '',
    `Change its severity or turn it off in \`lockstep.config.json\`: \`{ "rules": { "${rule.id}": "error" | "warning" | "info" | "off" } }\`.`,
    `Ignore one statement with \`-- lockstep-ignore ${rule.id}: <reason>\` on the line before it, or a whole file with \`-- lockstep-ignore-file ${rule.id}\`.`,
    '',
  );
  return lines.join('\n');
}

export function rulesIndex(): string {
  const byCat = new Map<string, Rule[]>();
  for (const r of Object.values(rules) as Rule[]) byCat.set(r.category, [...(byCat.get(r.category) ?? []), r]);
  const out = ['# lockstep lint rules', '', 'Generated from each rule\u2019s metadata (`src/rules/<dialect>/<id>.ts`) by `npm run docs`; do not edit.', ''];
  for (const [cat, list] of byCat) {
    out.push(`## ${cat[0]!.toUpperCase()}${cat.slice(1)}`, '', '| rule | dialects | severity | what it checks |', '|---|---|---|---|');
    for (const r of list) {
      const ds = variantsOf(r.id).flatMap((v) => v.dialects);
      out.push(`| [${r.id}](${r.id}.md) | ${ds.map((d) => dialectTitle[d]).join(', ')} | ${r.severity}${r.optIn ? ' (opt-in)' : ''} | ${r.title} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

const roleNames: Record<RelRole, string> = {
  table: 'table',
  referenced: 'referenced table',
  referencing: 'referencing tables',
  index: 'index',
  partition: 'partition',
  'default-partition': 'DEFAULT partition',
  'domain-users': 'tables using the domain',
  dependent: 'dependent views',
};

export function effectsPage(): string {
  const out = [
    '# What each schema change locks and rewrites (PostgreSQL 11–18)',
    '',
    'Generated from `src/dialects/postgres/effects.ts` by `npm run docs`; do not edit. This table is what `lint` (and later `plan`, `apply` and `rehearse`) know.',
    `Entries marked **proved** run in the test suite on PostgreSQL ${PROVED_ON.join(', ')} and PGlite: the statement runs on a fixture with rows and the locks seen in \`pg_locks\`, the rewrite seen in \`relfilenode\` and the full scan seen in \`seq_tup_read\` must equal the claim, or the build fails. Claims for 11–14 cannot be run here (no such servers) and come from the release notes.`,
    '',
    'Lock names: ACCESS EXCLUSIVE blocks reads and writes; EXCLUSIVE blocks writes and SELECT … FOR UPDATE; SHARE ROW EXCLUSIVE and SHARE block writes; SHARE UPDATE EXCLUSIVE blocks only other schema changes and VACUUM; ROW EXCLUSIVE and ROW SHARE block none of the ordinary traffic.',
    '',
    '| entry | statement | versions | locks | blocks (on the table) | rewrite | full scan | in a transaction | proved |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const e of effects) {
    for (const c of e.claims) {
      const versions = c.to === undefined ? `${c.from}+` : c.from === c.to ? `${c.from}` : `${c.from}–${c.to}`;
      const locks = c.locks.length ? c.locks.map((l) => `${sqlLockName(l.mode)} on ${roleNames[l.on]}`).join('; ') : 'none on tables';
      const onTable = c.locks.filter((l) => l.on === 'table' || l.on === 'domain-users').map((l) => l.mode);
      const blocksText = onTable.length ? describeBlocks(onTable.reduce((a: LockMode, b: LockMode) => strongest(a, b))) : '—';
      const proved = e.proof ? PROVED_ON.filter((v) => v >= c.from && (c.to === undefined || v <= c.to)) : [];
      out.push(
        `| \`${e.id}\` | ${e.title.replace(/\|/g, '\\|')}${c.note ? `<br>${c.note}` : ''} | ${versions} | ${locks} | ${blocksText} | ${c.rewrite ? 'yes' : 'no'} | ${c.scan ? 'yes' : 'no'}${c.failsOnRows ? ' (fails on a table with rows)' : ''} | ${c.transactional ? 'yes' : 'no'} | ${proved.length ? `proved on ${proved.join(', ')}` : e.proof ? 'no server of these versions here' : 'not provable here'} |`,
      );
    }
  }
  out.push('');
  return out.join('\n');
}

/** Every generated doc file: path relative to the repository root → content. */
export async function generatedDocs(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const r of Object.values(rules) as Rule[]) files.set(`docs/rules/${r.id}.md`, await rulePage(r));
  files.set('docs/rules/README.md', rulesIndex());
  files.set('docs/effects.md', effectsPage());
  return files;
}
