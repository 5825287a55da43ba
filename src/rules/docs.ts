/**
 * docs/rules/*.md and docs/effects.md, generated from rule metadata and the effects table (never
 * written twice). Each rule page shows what lockstep actually prints for its example, produced by
 * running the linter while generating.
 */
import { allRules as rules } from './registry.js';
import type { Rule } from './rule.js';
import { lintSql } from '../lint/lint.js';
import { effects, MIN_VERSION, MAX_VERSION, PROVED_ON, type RelRole } from '../dialects/postgres/effects.js';
import { sqlLockName, describeBlocks, strongest, type LockMode } from '../dialects/postgres/locks.js';


const versionRange = (r: Rule) => {
  const from = r.versions?.from ?? MIN_VERSION;
  const to = r.versions?.to ?? MAX_VERSION;
  return from === MIN_VERSION && to === MAX_VERSION ? `PostgreSQL ${MIN_VERSION}–${MAX_VERSION}` : from === to ? `PostgreSQL ${from}` : `PostgreSQL ${from}–${to}`;
};

export async function rulePage(rule: Rule): Promise<string> {
  const version = rule.examples.version ?? 15;
  const result = await lintSql(rule.examples.bad, { pgVersion: version, file: 'migration.sql', rules: { [rule.id]: 'on' } });
  const mine = result.findings.filter((f) => f.rule === rule.id);
  const printed = mine.map((f) => `${f.severity}: ${f.message}${f.fix ? `\n\nfix:\n${f.fix}` : ''}`).join('\n\n---\n\n');
  const lines = [
    `# ${rule.id}`,
    '',
    `**${rule.title}**`,
    '',
    '| | |',
    '|---|---|',
    `| Severity | ${rule.severity}${rule.sizeSensitive ? ' — with `--db`, one level lower on tables under 10,000 rows and 10 MB, `error` from 1M rows or 1 GB' : ''} |`,
    `| Category | ${rule.category} |`,
    `| Applies to | ${versionRange(rule)} |`,
    `| Enabled | ${rule.optIn ? `no, opt in with \`"rules": { "${rule.id}": "on" }\`` : 'by default'} |`,
    ...(rule.peers?.length ? [`| Same check elsewhere | ${rule.peers.map((p) => `\`${p}\``).join(', ')} |`] : []),
    '',
    '## Why',
    '',
    rule.why,
    '',
    '## Flagged',
    '',
    '```sql',
    rule.examples.bad.trim(),
    '```',
    '',
    ...(printed ? [`lockstep prints${rule.examples.version ? ` (for PostgreSQL ${version})` : ''}:`, '', '```text', printed, '```', ''] : []),
    '## Not flagged',
    '',
    '```sql',
    rule.examples.good.trim(),
    '```',
    '',
    '## Configure',
    '',
    `Change its severity or turn it off in \`lockstep.config.json\`: \`{ "rules": { "${rule.id}": "error" | "warning" | "info" | "off" } }\`.`,
    `Ignore one statement with \`-- lockstep-ignore ${rule.id}: <reason>\` on the line before it, or a whole file with \`-- lockstep-ignore-file ${rule.id}\`.`,
    '',
  ];
  return lines.join('\n');
}

export function rulesIndex(): string {
  const byCat = new Map<string, Rule[]>();
  for (const r of Object.values(rules) as Rule[]) byCat.set(r.category, [...(byCat.get(r.category) ?? []), r]);
  const out = ['# lockstep lint rules', '', 'Generated from each rule\u2019s metadata (`src/rules/<id>.ts`) by `npm run docs`; do not edit.', ''];
  for (const [cat, list] of byCat) {
    out.push(`## ${cat[0]!.toUpperCase()}${cat.slice(1)}`, '', '| rule | severity | what it checks |', '|---|---|---|');
    for (const r of list) out.push(`| [${r.id}](${r.id}.md) | ${r.severity}${r.optIn ? ' (opt-in)' : ''} | ${r.title} |`);
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
