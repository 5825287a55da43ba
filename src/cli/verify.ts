/** `lockstep verify`: what a change did to the database, from two snapshots. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, oneOf, dbUrlProblem } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError, type Problem } from '../core/errors.js';
import type { Snapshot } from '../verify/snapshot.js';
import type { MetricsSession } from '../dialects/dialect.js';
import { asSnapshot, defaultThresholds, thresholdNames, thresholdProblem, verify, type VerifyResult, type VerifyThresholds } from '../verify/verify.js';
import { loadConfig, type Config } from '../config/config.js';
import { dbMessage, metricsFor, outProblems } from './snapshot.js';

export const verifyFormats = ['text', 'json', 'html'] as const;

const thresholdHelp: Record<keyof VerifyThresholds, string> = {
  unusedIndexAfterScans: 'a new index is unused after its table saw this many scans',
  queryRegressionPct: 'a query regressed: mean time up more than this many %',
  queryMinCalls: '…with at least this many calls before and after',
  cacheHitDropPoints: 'cache hit ratio down more than this many points',
  deadTupleRatio: 'dead tuples over this share of live rows (0.2 = 20 %)',
  replicationLagSeconds: 'a replica more than this many seconds behind',
  seqScanMinRows: 'sequential scans are judged on tables of at least this many rows',
  seqScanRateFactor: '…when their rate is this many times the rate before (never scanned before: always)',
  tableGrowthPct: 'a table with its indexes grew more than this many % (and 1 MB)',
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
  --after <snap|now>   the same, or now: take a snapshot now (default), stored in the ledger
                       (lockstep.snapshots; lockstep_snapshots on MySQL/MariaDB) once the comparison succeeded
  --no-store           with --after now: do not store that snapshot (nothing is written to the database)
  --format <f>         text | json | html (default: text); html is one self-contained page
  --out <file>         write the output to this file instead of stdout
  --threshold <n=v>    set a finding's threshold, repeatable; it overrides "verify": {"thresholds": {…}}
                       in lockstep.config.json. The names, with their defaults:
${thresholdNames.map((k) => `                         ${k}=${defaultThresholds[k]}`.padEnd(52) + thresholdHelp[k]).join('\n')}
  --config <file>      config file (default: lockstep.config.json, or "lockstep" in package.json)
  --fail-on <level>    regression: exit 1 when a regression is found (default: never)
  -h, --help           show this help

Exit codes: 0 compared (and, with --fail-on regression, no regression found), 1 a regression found
with --fail-on regression, 2 bad usage or input, 4 a database error. When only storing the "now" snapshot fails (a
read-only role or server), the result is printed, a warning says so on stderr, and the exit code is
that of the comparison.`;

async function load(db: MetricsSession, ref: string, where: string, io: Io): Promise<Snapshot> {
  if (/^\d+$/.test(ref)) {
    const data = await db.load(Number(ref));
    if (data === undefined) throw new LockstepError('E_INPUT', [{ where, message: `no snapshot ${ref} in the ledger of this database` }]);
    return { ...asSnapshot(data, where), id: Number(ref) };
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
    'no-store': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(verifyHelp + '\n');
    return EXIT.ok;
  }
  const problems: Problem[] = [];
  if (!values.db) problems.push({ where: '--db', message: 'is required' });
  else if (dbUrlProblem(values.db, 'verify')) problems.push({ where: '--db', message: dbUrlProblem(values.db, 'verify')! });
  if (!values.change === !values.before) problems.push({ where: 'verify', message: 'needs either --change <name> or --before <snapshot>' });
  let format: (typeof verifyFormats)[number] = 'text';
  try {
    format = oneOf('--format', values.format, verifyFormats) ?? 'text';
  } catch (e) {
    if (e instanceof LockstepError) problems.push(...e.problems);
    else throw e;
  }
  if (values['fail-on'] !== undefined && values['fail-on'] !== 'regression') problems.push({ where: '--fail-on', message: `must be regression; got ${JSON.stringify(values['fail-on'])}` });
  const afterNow = values.after === undefined || values.after === 'now';
  if (values['no-store'] && !afterNow) problems.push({ where: '--no-store', message: `only goes with --after now (the default); --after ${values.after} stores nothing` });
  const flagThresholds = parseThresholds((values.threshold as string[] | undefined) ?? [], problems);
  if (values.out !== undefined) problems.push(...(await outProblems(values.out, io.cwd)));
  // The config is read before any flag problem is thrown, so a bad entry there is reported with them.
  let config: Config = {};
  try {
    ({ config } = await loadConfig(io.cwd, values.config));
  } catch (e) {
    if (e instanceof LockstepError) problems.push(...e.problems);
    else throw e;
  }
  if (problems.length) throw new LockstepError('E_USAGE', problems);
  const thresholds: Partial<VerifyThresholds> = { ...config.verify?.thresholds, ...flagThresholds };

  const metrics = await metricsFor(values.db, 'verify');
  const db = await metrics.open(values.db, '--db', { application: 'lockstep verify' });
  let result: VerifyResult;
  /** Why the "now" snapshot could not be stored, when it could not. */
  let notStored: string | undefined;
  try {
    let before: Snapshot;
    let changedTables: string[] | undefined;
    if (values.change) {
      const r = await db.beforeChange(values.change);
      if (!r) throw new LockstepError('E_INPUT', [{ where: '--change', message: `no snapshot taken before applying ${values.change} (apply takes one unless --no-snapshot)` }]);
      before = { ...asSnapshot(r.data, '--change'), id: r.id };
      changedTables = r.changedTables;
    } else before = await load(db, values.before!, '--before', io);
    // Nothing is written to the database before the comparison succeeded: the "now" snapshot is
    // taken, compared, and only then stored (unless --no-store).
    const after = afterNow
      ? await db.take({ label: 'verify' }).catch((e) => {
          throw e instanceof LockstepError ? e : new LockstepError('E_DATABASE', [{ where: '--db', message: `taking the "now" snapshot failed: ${dbMessage(e)}` }]);
        })
      : await load(db, values.after, '--after', io);
    result = verify(before, after, { thresholds, ...(changedTables ? { changedTables } : {}), ...(metrics.words ? { words: metrics.words } : {}) });
    if (afterNow && !values['no-store']) {
      try {
        const id = await db.store(after);
        after.id = id;
        result.after = { id, ...result.after };
      } catch (e) {
        notStored = `${db.ledger}: ${dbMessage(e)}`;
      }
    }
  } catch (e) {
    if (e instanceof LockstepError) throw e;
    throw new LockstepError('E_DATABASE', [{ where: '--db', message: dbMessage(e) }]);
  } finally {
    await db.close();
  }
  let output: string;
  if (format === 'json') output = JSON.stringify(result, null, 2) + '\n';
  else if (format === 'html') {
    const { renderVerifyHtml } = await import('../report/verify-html.js');
    output = renderVerifyHtml(result);
  } else output = renderVerifyText(result, !values.out && useColor(io), { afterNow });
  const regressions = result.findings.filter((f) => f.severity === 'regression').length;
  if (values.out) {
    try {
      await writeFile(resolve(io.cwd, values.out), output);
    } catch (e: any) {
      throw new LockstepError('E_INPUT', [{ where: '--out', message: `${values.out}: cannot write (${e?.code ?? e})` }]);
    }
    io.stdout.write(`verify: ${regressions ? `${regressions} regression(s)` : 'no regression'}; ${format} written to ${values.out}\n`);
  } else io.stdout.write(output);
  if (notStored !== undefined)
    io.stderr.write(`lockstep: --db: warning: the "now" snapshot was not stored in ${notStored} (the comparison is complete; --no-store skips storing)\n`);
  return values['fail-on'] === 'regression' && regressions > 0 ? EXIT.findings : EXIT.ok;
}

/**
 * `--threshold name=value` flags → thresholds; each bad one is a problem naming it. A value is a
 * plain decimal number (`30`, `0.5`; `-1` is read as a number so that the message says why it is
 * refused); anything else (`0x10`, `1e3`, `20%`) is kept as text and refused. A name given twice is
 * refused: which one was meant is not for lockstep to guess.
 */
export function parseThresholds(flags: string[], problems: Problem[]): Partial<VerifyThresholds> {
  const out: Partial<VerifyThresholds> = {};
  /** The raw values of each name, among the well-formed settings: more than one is refused. */
  const given = new Map<string, string[]>();
  for (const flag of flags) {
    const m = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/.exec(flag);
    if (!m) {
      problems.push({ where: '--threshold', message: `expected name=value (like queryRegressionPct=30); got ${JSON.stringify(flag)}` });
      continue;
    }
    const [, name, raw] = m as unknown as [string, string, string];
    const value = /^-?[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : raw;
    const problem = thresholdProblem(name, value);
    if (problem) {
      problems.push({ where: '--threshold', message: `${name}: ${problem}` });
      continue;
    }
    const seen = given.get(name);
    if (seen) {
      if (seen.length === 1) problems.push({ where: '--threshold', message: `${name}: given twice (${seen[0]} and ${raw}); give it once` });
      seen.push(raw);
      delete out[name as keyof VerifyThresholds];
      continue;
    }
    given.set(name, [raw]);
    out[name as keyof VerifyThresholds] = value as number;
  }
  return out;
}

/**
 * Text from the database (query text, names, labels) made safe for one terminal line: whitespace runs
 * (newlines included) become one space, control characters (C0, DEL and C1, so no escape sequence
 * from an SQL comment reaches the terminal) become "?", and it is cut to `max` characters.
 */
export function oneLine(s: string, max = Infinity): string {
  const t = s.replace(/\s+/g, ' ').replace(/[\x00-\x1f\x7f-\x9f]/g, '?').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The interval between two snapshots: "0.5 s" below 10 s, whole seconds above. */
export function formatSeconds(s: number): string {
  if (s < 0.1) return `${Math.round(s * 1000)} ms`;
  if (s < 10) return `${s.toFixed(1)} s`;
  return `${Math.round(s).toLocaleString('en-US')} s`;
}

/** How long a query text may be in a finding's line. */
const QUERY_CHARS = 120;

/** `afterNow`: the "after" side was taken now; without an id it was not stored (rather than read from a file). */
export function renderVerifyText(r: VerifyResult, color: boolean, o: { afterNow?: boolean } = {}): string {
  const paint = (s: string, code: number) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const side = (x: VerifyResult['before'], now = false) =>
    `${x.id !== undefined ? `snapshot ${x.id}` : now ? 'snapshot (not stored)' : 'file'}${x.label ? ` "${oneLine(x.label, 80)}"` : ''} at ${x.takenAt}`;
  const out = [`verify: ${side(r.before)} → ${side(r.after, o.afterNow)} (${formatSeconds(r.seconds)})`];
  for (const f of r.findings) {
    // A query regression ends with the query's text: that part is cut, the figures before it are kept.
    const q = f.kind === 'query-regression' && f.subject && f.message.endsWith(f.subject) ? f.subject : undefined;
    const message = q ? `${oneLine(f.message.slice(0, f.message.length - q.length))} ${oneLine(q, QUERY_CHARS)}` : oneLine(f.message, 400);
    out.push(`  ${f.severity === 'regression' ? paint('regression', 31) : paint('info', 36)}  ${f.kind}: ${message}`);
    if (f.advice) out.push(`              ${oneLine(f.advice, 400)}`);
  }
  // Without query statistics on a side, "no regression" says nothing about queries: say so.
  if (r.queriesCompared === false) out.push(`  ${paint('info', 36)}  queries not compared: ${oneLine(r.statementsNote ?? `${r.statementsSource ?? 'pg_stat_statements'} was not read in one of the snapshots`, 400)}`);
  if (r.activityCompared === false) out.push(`  ${paint('info', 36)}  table and index activity not compared: ${oneLine(r.activityNote ?? 'it was not read in one of the snapshots', 400)}`);
  // Server-wide reads by kind (MySQL/MariaDB Handler_read_*): rnd_next is rows read by full scans.
  const handlers = (r.serverCounters ?? []).filter((c) => c.name.startsWith('Handler_read_') && c.delta > 0);
  if (handlers.length) out.push(`  ${paint('info', 36)}  server-wide row reads: ${handlers.map((c) => `${c.name} ${c.delta.toLocaleString('en-US')} (${c.perS.toFixed(1)}/s)`).join(', ')}`);
  if (!r.findings.length) out.push(paint('  no findings', 32));
  const regressions = r.findings.filter((f) => f.severity === 'regression').length;
  out.push(regressions ? paint(`${regressions} regression(s)`, 31) : paint('no regression', 32));
  return out.join('\n') + '\n';
}
