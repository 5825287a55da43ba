#!/usr/bin/env node
/**
 * `lockstep rehearse` of a whole real-sized history, timed: the 154 Diesel migrations of
 * test/fixtures/rehearse-history (up, down, up again each, synthetic rows in every table they create)
 * on a scratch database of a real server, as a fresh process per run (what a user waits for).
 *   npm run build && node bench/rehearse-history.js [--runs 2] [--rows 200] [--url postgres://postgres@127.0.0.1:5432/postgres]
 * Prints a markdown section to stdout: wall time per run, the verdict and the migration it names, the
 * tables with a data shortfall.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const RUNS = Number(opt('runs', 2));
const ROWS = opt('rows', '200');
const URL_ = opt('url', 'postgres://postgres@127.0.0.1:5432/postgres');
const history = 'test/fixtures/rehearse-history/migrations';

const runs = [];
const loadBefore = loadavg()[0];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/lockstep.js'), 'rehearse', history, '--sandbox', URL_, '--rows', ROWS, '--format', 'json'], { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 });
  const secs = (performance.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`lockstep rehearse exited ${r.status}: ${r.stderr}`);
  const json = JSON.parse(r.stdout);
  runs.push({ secs, json, code: r.status });
  process.stderr.write(`run ${i + 1}: ${secs.toFixed(1)} s, exit ${r.status}\n`);
}
const first = runs[0].json;
const failed = first.checks.filter((c) => !c.ok);
const before = first.checks.find((c) => c.name === 'migrations-before');
const short = first.data.filter((d) => d.shortfall !== undefined);
const server = spawnSync('psql', [URL_, '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).stdout.trim() || 'PostgreSQL';
const secs = runs.map((r) => r.secs).sort((a, b) => a - b);
console.log(`### Rehearsing a 154-migration Diesel history (bench/rehearse-history.js)

\`lockstep rehearse ${history} --sandbox ${URL_.replace(/\/\/[^@]*@/, '//…@')} --rows ${ROWS} --format json\`, ${RUNS} run(s), each a fresh process;
sandbox: a temporary database on PostgreSQL ${server} (the service); ${cpus().length} cores (${cpus()[0].model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, shared with other work (1-minute load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end).

| run | wall time | exit | verdict |
| --- | --- | --- | --- |
${runs.map((r, i) => `| ${i + 1} | ${r.secs.toFixed(1)} s | ${r.code} | ${r.json.ok ? 'PASS' : 'FAIL'} |`).join('\n')}

- wall time: fastest **${secs[0].toFixed(1)} s**, slowest ${secs[secs.length - 1].toFixed(1)} s (the report's own figure: ${first.seconds.toFixed(1)} s)
- ${before ? before.detail : 'no migration passed before the failure'}
- verdict: ${failed.map((c) => `\`${c.name}\``).join(', ')}; diff: ${failed.flatMap((c) => c.diff ?? []).map((l) => `\`${l}\``).join(', ')}
- ${first.steps.length} statements traced; ${first.data.length} tables filled, ${short.length} with a shortfall (${short.map((d) => `${d.table} ${d.rows}/${d.requested}`).join(', ')})
`);
