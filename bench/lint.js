#!/usr/bin/env node
/**
 * Lint benchmark: lockstep vs squawk-cli and pgfence (pinned dev dependencies) on the same inputs, in
 * the same run.
 *   npm run bench:lint            (builds first; writes the figures to stdout as a markdown table)
 * Whole process: each CLI runs N times, interleaved, the median wall time is reported. Library: lintSql
 * on (a) in-process after a warm-up, best of N, statements per second.
 * Inputs: (a) and (b) from generate.js; (c) two realistic histories from generate-histories.js, a
 * Diesel one and a Prisma one (~850 files), linted as two paths, the way `lockstep lint dirA dirB` runs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { generate } from './generate.js';
import { generateHistories } from './generate-histories.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench/out');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const inputs = generate(out);
const files = readdirSync(inputs.migrations).map((f) => join(inputs.migrations, f)).sort();
const histories = generateHistories(out);
const sqlUnder = (dir) => readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.sql')).map((f) => join(dir, f)).sort();
const historyFiles = [...sqlUnder(histories.diesel), ...sqlUnder(histories.prisma)];

/** Runs every command RUNS times, interleaved (so a busy moment hits all of them alike); median and min wall time. */
function timeAll(commands) {
  const samples = commands.map(() => []);
  const last = [];
  for (let i = 0; i < RUNS; i++) {
    commands.forEach(([cmd, args], k) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
      samples[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.error) throw r.error;
      last[k] = r;
    });
  }
  return samples.map((t, k) => {
    t.sort((a, b) => a - b);
    return { median: t[Math.floor(t.length / 2)], min: t[0], status: last[k].status, bytes: last[k].stdout.length };
  });
}

const lockstep = (paths) => [process.execPath, [join(root, 'bin/lockstep.js'), 'lint', ...paths, '--format', 'json', '--fail-on', 'never']];
const squawk = (paths) => [join(root, 'node_modules/.bin/squawk'), ['--reporter', 'json', ...paths]];
const pgfence = (paths) => [join(root, 'node_modules/.bin/pgfence'), ['analyze', '--output', 'json', ...paths]];
const [la, sa, lb, sb, lc, sc, pc] = timeAll([
  lockstep([inputs.mixed]),
  squawk([inputs.mixed]),
  lockstep([inputs.migrations]),
  squawk(files),
  lockstep([histories.diesel, histories.prisma]),
  squawk(historyFiles),
  pgfence(historyFiles),
]);
const results = { a: { lockstep: la, squawk: sa }, b: { lockstep: lb, squawk: sb }, c: { lockstep: lc, squawk: sc, pgfence: pc } };

// Library, warm: the same 10,000 statements through lintSql in-process.
const { lintSql, loadParser } = await import(join(root, 'dist/index.js'));
await loadParser();
const sql = readFileSync(inputs.mixed, 'utf8');
for (let i = 0; i < 3; i++) await lintSql(sql, { file: 'mixed.sql' });
let best = Infinity;
let statements = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  const r = await lintSql(sql, { file: 'mixed.sql' });
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  statements = r.statements;
}
const rate = Math.round((statements / best) * 1000);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const f = (ms) => `${ms.toFixed(0)} ms`;
const ratio = (a, b) => (a / b).toFixed(2);
console.log(`## lint (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${cpu}, Node ${process.version}, median of ${RUNS} runs)

| input | lockstep (whole process) | squawk-cli 2.61.0 (whole process) | lockstep / squawk |
|---|---|---|---|
| (a) 1 file, 10,000 mixed DDL statements | ${f(results.a.lockstep.median)} (min ${f(results.a.lockstep.min)}) | ${f(results.a.squawk.median)} (min ${f(results.a.squawk.min)}) | ${ratio(results.a.lockstep.median, results.a.squawk.median)}× |
| (b) 1,000 migration files, ${inputs.migrationStatements} statements | ${f(results.b.lockstep.median)} (min ${f(results.b.lockstep.min)}) | ${f(results.b.squawk.median)} (min ${f(results.b.squawk.min)}) | ${ratio(results.b.lockstep.median, results.b.squawk.median)}× |
| (c) ${histories.files} files of two histories (Diesel + Prisma), ${histories.statements} statements | ${f(results.c.lockstep.median)} (min ${f(results.c.lockstep.min)}) | ${f(results.c.squawk.median)} (min ${f(results.c.squawk.min)}) | ${ratio(results.c.lockstep.median, results.c.squawk.median)}× |

pgfence 0.1.5 on (c), whole process, same run: ${f(results.c.pgfence.median)} (min ${f(results.c.pgfence.min)}); lockstep / pgfence ${ratio(results.c.lockstep.median, results.c.pgfence.median)}×.

Output size (json): lockstep ${(results.b.lockstep.bytes / 1e6).toFixed(1)} MB vs squawk ${(results.b.squawk.bytes / 1e6).toFixed(1)} MB on (b); on (c) lockstep ${(results.c.lockstep.bytes / 1e6).toFixed(1)} MB, squawk ${(results.c.squawk.bytes / 1e6).toFixed(1)} MB, pgfence ${(results.c.pgfence.bytes / 1e6).toFixed(1)} MB.

Library, warm (lintSql on (a) in-process, best of ${RUNS}): ${statements} statements in ${best.toFixed(1)} ms = **${rate.toLocaleString('en')} statements/s**.
Targets: (c) wall time ≤ 2× squawk's and below pgfence's; ≥ 50,000 statements/s warm on (a).`);
