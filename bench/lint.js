#!/usr/bin/env node
/**
 * Lint benchmark: lockstep vs squawk-cli (pinned dev dependency) on the same inputs, in the same run.
 *   npm run bench:lint            (builds first; writes the figures to stdout as a markdown table)
 * Whole process: each CLI runs N times, the median wall time is reported. Library: lintSql on (a)
 * in-process after a warm-up, best of N, statements per second.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { generate } from './generate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench/out');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const inputs = generate(out);
const files = readdirSync(inputs.migrations).map((f) => join(inputs.migrations, f)).sort();

function time(cmd, args) {
  const times = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    last = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (last.error) throw last.error;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], status: last.status, bytes: last.stdout.length };
}

const lockstep = (paths) => time(process.execPath, [join(root, 'bin/lockstep.js'), 'lint', ...paths, '--format', 'json', '--fail-on', 'never']);
const squawk = (paths) => time(join(root, 'node_modules/.bin/squawk'), ['--reporter', 'json', ...paths]);

const results = {
  a: { lockstep: lockstep([inputs.mixed]), squawk: squawk([inputs.mixed]) },
  b: { lockstep: lockstep([inputs.migrations]), squawk: squawk(files) },
};

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
| (a) 1 file, 10,000 mixed DDL statements | ${f(results.a.lockstep.median)} | ${f(results.a.squawk.median)} | ${ratio(results.a.lockstep.median, results.a.squawk.median)}× |
| (b) 1,000 migration files, ${inputs.migrationStatements} statements | ${f(results.b.lockstep.median)} | ${f(results.b.squawk.median)} | ${ratio(results.b.lockstep.median, results.b.squawk.median)}× |

Library, warm (lintSql on (a) in-process, best of ${RUNS}): ${statements} statements in ${best.toFixed(1)} ms = **${rate.toLocaleString('en')} statements/s**.
Targets: (b) wall time ≤ 2× squawk's; ≥ 50,000 statements/s warm on (a).`);
