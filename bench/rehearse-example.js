#!/usr/bin/env node
/**
 * The README's main job, timed: `lockstep rehearse` of the bundled shop example (100,000 orders) on the
 * default PGlite sandbox, as a fresh process each run (what a user waits for), with its peak RSS; and the
 * same rehearsal on a real server sandbox (a scratch database on the PostgreSQL 15 service) as the
 * baseline measured in the same run.
 *   npm run bench:rehearse                      (builds first; 3 runs each)
 *   node bench/rehearse-example.js --runs 5 --url postgres://postgres@127.0.0.1:5432/postgres
 * Prints a markdown section to stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const RUNS = Number(opt('runs', 3));
const URL_ = opt('url', 'postgres://postgres@127.0.0.1:5432/postgres');
const out = mkdtempSync(join(tmpdir(), 'lockstep-bench-'));

function run(sandbox) {
  const report = join(out, 'report.json');
  const argv = ['/usr/bin/time', '-f', '%e %M', process.execPath, join(root, 'bin/lockstep.js'), 'rehearse', 'examples/shop/changes/orders-created-at.yaml', '--schema', 'examples/shop/schema.sql', '--format', 'json', '--report', join(out, 'report.html')];
  if (sandbox) argv.push('--sandbox', sandbox);
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const [secs, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  const json = JSON.parse(r.stdout);
  void report;
  return { seconds: secs, rssMb: kb / 1024, ok: json.ok, exit: r.status, rows: json.data.find((d) => d.table === 'orders')?.rows, inner: json.seconds };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { pglite: [], server: [] };
for (let i = 0; i < RUNS; i++) {
  results.pglite.push(run());
  results.server.push(run(URL_));
  process.stderr.write(`run ${i + 1}/${RUNS}: pglite ${results.pglite.at(-1).seconds} s, server ${results.server.at(-1).seconds} s\n`);
}
const pgv = spawnSync('psql', [URL_, '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
const line = (name, xs) => `| ${name} | ${xs.map((x) => x.seconds.toFixed(1)).join(' / ')} s | ${median(xs.map((x) => x.seconds)).toFixed(1)} s | ${Math.round(Math.max(...xs.map((x) => x.rssMb)))} MB | ${xs.every((x) => x.ok && x.exit === 0) ? 'pass, exit 0' : 'FAILED'} | ${xs[0].rows?.toLocaleString('en-US')} |`;
console.log(`### ${new Date().toISOString().slice(0, 16).replace('T', ', ')} UTC — ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log('');
console.log(`\`lockstep rehearse examples/shop/changes/orders-created-at.yaml --schema examples/shop/schema.sql --format json --report …\`, a fresh process per run (${RUNS} runs each, alternating), wall time and peak RSS from /usr/bin/time.`);
console.log('');
console.log('| sandbox | wall time per run | median | peak RSS | verdict | orders rows |');
console.log('|---|---|---|---|---|---|');
console.log(line('PGlite (default; in-process, no server)', results.pglite));
console.log(line(`scratch database on PostgreSQL ${pgv} (baseline)`, results.server));
