/** `lockstep verify`: what a change did to the database, from two snapshots. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError, type Problem } from '../core/errors.js';
import { connect, type Db } from '../apply/db.js';
import { storeSnapshot, takeSnapshot, type Snapshot } from '../verify/snapshot.js';
import { asSnapshot, verify, type VerifyResult } from '../verify/verify.js';

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
  --format <f>         text | json (default: text)
  --fail-on <level>    regression: exit 1 when a regression is found (default: never)
  -h, --help           show this help`;

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
  if (values.format !== undefined && !['text', 'json'].includes(values.format)) problems.push({ where: '--format', message: `must be text or json; got ${JSON.stringify(values.format)}` });
  if (values['fail-on'] !== undefined && values['fail-on'] !== 'regression') problems.push({ where: '--fail-on', message: `must be regression; got ${JSON.stringify(values['fail-on'])}` });
  if (problems.length) throw new LockstepError('E_USAGE', problems);

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
    result = verify(before, after, { ...(changedTables ? { changedTables } : {}) });
  } finally {
    await db.close();
  }
  if (values.format === 'json') io.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else io.stdout.write(renderVerifyText(result, useColor(io)));
  return values['fail-on'] === 'regression' && result.findings.some((f) => f.severity === 'regression') ? EXIT.findings : EXIT.ok;
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
