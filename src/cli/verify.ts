/** `lockstep verify`: what a change did to the database, from two snapshots. */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse, oneOf } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError, type Problem } from '../core/errors.js';
import { connect, type Db } from '../apply/db.js';
import { storeSnapshot, takeSnapshot, type Snapshot } from '../verify/snapshot.js';
import { asSnapshot, defaultThresholds, thresholdNames, thresholdProblem, verify, type VerifyResult, type VerifyThresholds } from '../verify/verify.js';
import { loadConfig } from '../config/config.js';

export const verifyFormats = ['text', 'json', 'html'] as const;

const thresholdHelp: Record<keyof VerifyThresholds, string> = {
  unusedIndexAfterScans: 'a new index is unused after its table saw this many scans',
  queryRegressionPct: 'a query regressed: mean time up more than this many %',
  queryMinCalls: '…with at least this many calls before and after',
  cacheHitDropPoints: 'cache hit ratio down more than this many points',
  deadTupleRatio: 'dead tuples over this share of live rows (0.2 = 20 %)',
  replicationLagSeconds: 'a replica more than this many seconds behind',
};

export const verifyHelp = `Usage: lockstep verify --db <url> (--change <name> | --before <snap>) [--after <snap>|now] [options]

Compares two snapshots of the database (lockstep snapshot; apply takes one before and after each
change): the difference per second between them, and findings — a new index never used, a query whose
mean time rose, new sequential scans on a changed table, a lower cache hit ratio, dead tuples and growth
left by a backfill, replication lag. A statistics reset between the two is said, not compared.

Options:
  --db <url>           the database (snapshots by id are read from its ledger)
  --change <name>      before = the snapshot apply took before that change; after = now (or --after)
  --before <snap>      a snapshot id from the ledger, or a file written by lockstep snapshot --out
  --after <snap|now>   the same, or now: take (and store) a snapshot now (default)
  --format <f>         text | json | html (default: text); html is one self-contained page
  --out <file>         write the output to this file instead of stdout
  --threshold <n=v>    set a finding's threshold, repeatable; it overrides "verify": {"thresholds": {…}}
                       in lockstep.config.json. The names, with their defaults:
${thresholdNames.map((k) => `                         ${k}=${defaultThresholds[k]}`.padEnd(52) + thresholdHelp[k]).join('\n')}
  --config <file>      config file (default: lockstep.config.json, or "lockstep" in package.json)
  --fail-on <level>    regression: exit 1 when a regression is found (default: never)
  -h, --help           show this help

Exit codes: 0 compared (and, with --fail-on regression, no regression found), 1 a regression found
with --fail-on regression, 2 bad usage or input.`;

async function load(db: Db, ref: string, where: string, io: Io): Promise<Snapshot> {
  if (/^\d+$/.test(ref)) {
    const ok = (await db.query(`SELECT to_regclass('lockstep.snapshots') IS NOT NULL AS ok`)).rows[0].ok;
    const r = ok ? await db.query(`SELECT id::int AS id, data FROM lockstep.snapshots WHERE id = $1`, [Number(ref)]) : { rows: [] as any[] };
    if (!r.rows[0]) throw new LockstepError('E_INPUT', [{ where, message: `no snapshot ${ref} in the ledger of this database` }]);
    return { ...asSnapshot(r.rows[0].data, where), id: r.rows[0].id };
  }
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, ref), 'utf8');
  } catch {
    throw new LockstepError('E_INPUT', [{ where, message: `${ref}: no such file, and not a snapshot id` }]);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new LockstepError('E_INPUT', [{ where: `${where} ${ref}`, message: 'not JSON, so not a lockstep snapshot' }]);
  }
  return asSnapshot(v, `${where} ${ref}`);
}

export async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    db: { type: 'string' },
    change: { type: 'string' },
    before: { type: 'string' },
    after: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    threshold: { type: 'string', multiple: true },
    config: { type: 'string' },
    'fail-on': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(verifyHelp + '\n');
    return EXIT.ok;
  }
  const problems: Problem[] = [];
  if (!values.db) problems.push({ where: '--db', message: 'is required' });
  else if (!/^postgres(ql)?:\/\//.test(values.db)) problems.push({ where: '--db', message: 'must be a postgres:// or postgresql:// URL' });
  if (!values.change === !values.before) problems.push({ where: 'verify', message: 'needs either --change <name> or --before <snapshot>' });
  let format: (typeof verifyFormats)[number] = 'text';
  try {
    format = oneOf('--format', values.format, verifyFormats) ?? 'text';
  } catch (e) {
    if (e instanceof LockstepError) problems.push(...e.problems);
    else throw e;
  }
  if (values['fail-on'] !== undefined && values['fail-on'] !== 'regression') problems.push({ where: '--fail-on', message: `must be regression; got ${JSON.stringify(values['fail-on'])}` });
  const flagThresholds = parseThresholds((values.threshold as string[] | undefined) ?? [], problems);
  if (values.out !== undefined) {
    const dir = dirname(resolve(io.cwd, values.out));
    const isDir = await stat(dir).then((x) => x.isDirectory(), () => false);
    if (!values.out) problems.push({ where: '--out', message: 'needs a file name' });
    else if (!isDir) problems.push({ where: '--out', message: `${values.out}: its directory ${dir} does not exist` });
  }
  if (problems.length) throw new LockstepError('E_USAGE', problems);
  const { config } = await loadConfig(io.cwd, values.config);
  const thresholds: Partial<VerifyThresholds> = { ...config.verify?.thresholds, ...flagThresholds };

  const db = await connect(values.db, '--db', 'lockstep verify');
  let result: VerifyResult;
  try {
    let before: Snapshot;
    let changedTables: string[] | undefined;
    if (values.change) {
      const ok = (await db.query(`SELECT to_regclass('lockstep.snapshots') IS NOT NULL AND to_regclass('lockstep.changes') IS NOT NULL AS ok`)).rows[0].ok;
      const r = ok
        ? await db.query(
            `SELECT s.id::int AS id, s.data, c.spec FROM lockstep.snapshots s JOIN lockstep.changes c ON c.name = s.change
             WHERE s.change = $1 AND s.label = 'before apply' ORDER BY s.id DESC LIMIT 1`,
            [values.change],
          )
        : { rows: [] as any[] };
      if (!r.rows[0]) throw new LockstepError('E_INPUT', [{ where: '--change', message: `no snapshot taken before applying ${values.change} (apply takes one unless --no-snapshot)` }]);
      before = { ...asSnapshot(r.rows[0].data, '--change'), id: r.rows[0].id };
      changedTables = [...new Set((r.rows[0].spec?.operations ?? []).map((op: any) => `${quote(op.table.schema ?? 'public')}.${quote(op.table.name)}`))] as string[];
    } else before = await load(db, values.before!, '--before', io);
    let after: Snapshot;
    if (!values.after || values.after === 'now') {
      after = await takeSnapshot(db, { label: 'verify' });
      after.id = await storeSnapshot(db, after);
    } else after = await load(db, values.after, '--after', io);
    result = verify(before, after, { thresholds, ...(changedTables ? { changedTables } : {}) });
  } finally {
    await db.close();
  }
  let output: string;
  if (format === 'json') output = JSON.stringify(result, null, 2) + '\n';
  else if (format === 'html') {
    const { renderVerifyHtml } = await import('../report/verify-html.js');
    output = renderVerifyHtml(result);
  } else output = renderVerifyText(result, !values.out && useColor(io));
  const regressions = result.findings.filter((f) => f.severity === 'regression').length;
  if (values.out) {
    try {
      await writeFile(resolve(io.cwd, values.out), output);
    } catch (e: any) {
      throw new LockstepError('E_INPUT', [{ where: '--out', message: `${values.out}: cannot write (${e?.code ?? e})` }]);
    }
    io.stdout.write(`verify: ${regressions ? `${regressions} regression(s)` : 'no regression'}; ${format} written to ${values.out}\n`);
  } else io.stdout.write(output);
  return values['fail-on'] === 'regression' && regressions > 0 ? EXIT.findings : EXIT.ok;
}

/** `--threshold name=value` flags → thresholds; each bad one is a problem naming it. */
export function parseThresholds(flags: string[], problems: Problem[]): Partial<VerifyThresholds> {
  const out: Partial<VerifyThresholds> = {};
  for (const flag of flags) {
    const m = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/.exec(flag);
    if (!m) {
      problems.push({ where: '--threshold', message: `expected name=value (like queryRegressionPct=30); got ${JSON.stringify(flag)}` });
      continue;
    }
    const [, name, raw] = m as unknown as [string, string, string];
    const value = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    const problem = thresholdProblem(name, value);
    if (problem) problems.push({ where: '--threshold', message: `${name}: ${problem}` });
    else out[name as keyof VerifyThresholds] = value as number;
  }
  return out;
}

/** Snapshot tables are named with %I.%I: the same quoting here. */
function quote(id: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(id) ? id : `"${id.replace(/"/g, '""')}"`;
}

export function renderVerifyText(r: VerifyResult, color: boolean): string {
  const paint = (s: string, code: number) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const side = (x: VerifyResult['before']) => `${x.id !== undefined ? `snapshot ${x.id}` : 'file'}${x.label ? ` "${x.label}"` : ''} at ${x.takenAt}`;
  const out = [`verify: ${side(r.before)} → ${side(r.after)} (${Math.round(r.seconds)} s)`];
  for (const f of r.findings) {
    out.push(`  ${f.severity === 'regression' ? paint('regression', 31) : paint('info', 36)}  ${f.kind}: ${f.message}`);
    if (f.advice) out.push(`              ${f.advice}`);
  }
  if (!r.findings.length) out.push(paint('  no findings', 32));
  const regressions = r.findings.filter((f) => f.severity === 'regression').length;
  out.push(regressions ? paint(`${regressions} regression(s)`, 31) : paint('no regression', 32));
  return out.join('\n') + '\n';
}
