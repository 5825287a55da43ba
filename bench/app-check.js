#!/usr/bin/env node
// app-check on a generated application: how long `lockstep app-check` takes (whole process) on N
// TypeScript files, against the floor — a script that only reads and parses the same files with the
// same TypeScript parser and does nothing else. No other tool checks application code against a
// schema change, so the floor is the baseline: the difference is what app-check's own analysis costs.
//
//   node bench/app-check.js [--files 2000] [--runs 5]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { files: { type: 'string', default: '2000' }, runs: { type: 'string', default: '5' } } });
const N = Number(values.files);
const RUNS = Number(values.runs);
const dir = join(root, 'bench/out/app');

// A deterministic app: a fifth of the files query orders (SQL, Knex, Kysely, Drizzle), the rest are
// ordinary modules (components, utilities) with strings, templates and property accesses.
rmSync(dir, { recursive: true, force: true });
let seed = 42;
const rnd = (k) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % k);
for (let i = 0; i < N; i++) {
  const sub = join(dir, 'src', `m${i % 40}`);
  mkdirSync(sub, { recursive: true });
  const kind = i % 5 === 0 ? rnd(4) : 4;
  const body = [
    // eslint-disable-next-line no-template-curly-in-string
    [`import { Pool } from 'pg';`, `const pool = new Pool();`, `export interface Row${i} { id: string; total_cents: string; currency: string | null }`, `export async function get${i}(id: number) {`, `  const r = await pool.query<Row${i}>('SELECT id, total_cents, currency FROM orders WHERE id = $1', [id]);`, `  return r.rows[0]?.currency ?? 'n/a';`, `}`, `export const list${i} = (c: number) => pool.query(\`SELECT o.id, o.total_cents FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id = \${c}\`);`],
    [`import knex from 'knex';`, `const db = knex({ client: 'pg' });`, `export const place${i} = (c: number, t: number, cur: string) => db('orders').insert({ customer_id: c, total_cents: t, currency: cur });`, `export const find${i} = (id: number) => db('orders').where({ id }).first('id', 'currency');`],
    [`import { db } from './db';`, `export const place${i} = (c: string, t: string, currency: string) => db.insertInto('orders').values({ customer_id: c, total_cents: t, currency }).execute();`],
    [`import { pgTable, bigint, char } from 'drizzle-orm/pg-core';`, `export const orders${i} = pgTable('orders', { id: bigint('id', { mode: 'number' }).primaryKey(), currency: char('currency', { length: 3 }) });`],
    [`export interface Props${i} { title: string; items: { label: string; value: number }[] }`, `export function render${i}(p: Props${i}): string {`, `  const rows = p.items.map((it) => \`<li>\${it.label}: \${it.value.toFixed(2)}</li>\`).join('');`, `  return \`<section><h2>\${p.title}</h2><ul>\${rows}</ul></section>\`;`, `}`, `export const label${i} = (s: string) => s.trim().toLowerCase() + ' (' + s.length + ')';`],
  ][kind];
  // Pad every file to a realistic size (~60 lines) with plain code.
  for (let k = 0; k < 8; k++) body.push(`export function helper${i}_${k}(a: number, b: number): number {`, `  const x = a * ${k + 1} + b;`, `  return x > 100 ? x - 100 : x + ${k};`, `}`, ``);
  writeFileSync(join(sub, `f${i}.ts`), body.join('\n') + '\n');
}

const floorScript = join(root, 'bench/out/parse-only.mjs');
writeFileSync(
  floorScript,
  `import { createRequire } from 'node:module';
const ts = createRequire(${JSON.stringify(root + 'package.json')})('typescript');
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
let n = 0;
const walk = (d) => { for (const e of readdirSync(d).sort()) { const p = join(d, e); if (statSync(p).isDirectory()) walk(p); else { ts.createSourceFile(p, readFileSync(p, 'utf8'), ts.ScriptTarget.Latest, true); n++; } } };
walk(process.argv[2]);
console.log(n);
`,
);

execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
const time = (args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { ms, out: r.stdout };
};
const lockstep = [join(root, 'bin/lockstep.js'), 'app-check', 'examples/shop/changes/orders-currency.yaml', dir, '--format', 'json'];
const floor = [floorScript, dir];
const a = [];
const b = [];
let summary;
for (let r = 0; r < RUNS; r++) {
  const x = time(lockstep);
  a.push(x.ms);
  const j = JSON.parse(x.out);
  summary = { files: j.filesChecked, findings: j.findings.length, skipped: j.skipped.length };
  b.push(time(floor).ms);
}
const med = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
console.log(`app-check on ${N} generated TypeScript files (${summary.files} checked, ${summary.findings} findings, ${summary.skipped} skipped), ${RUNS} runs interleaved`);
console.log(`| | median | min |`);
console.log(`|---|---|---|`);
console.log(`| lockstep app-check (whole process) | ${Math.round(med(a))} ms | ${Math.round(min(a))} ms |`);
console.log(`| floor: read + TypeScript parse only (whole process) | ${Math.round(med(b))} ms | ${Math.round(min(b))} ms |`);
console.log(`| ratio | ${(med(a) / med(b)).toFixed(2)}× | |`);
console.log(`| per file (lockstep) | ${(med(a) / N).toFixed(2)} ms | |`);
