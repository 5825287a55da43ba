// MySQL parsing: how many statements of test/fixtures/mysql/ddl-corpus.sql lockstep's parser reads
// fully, its speed, and (when NSP_DIR points at a directory with node-sql-parser installed — never a
// dependency of lockstep) how many node-sql-parser reads with its MySQL and MariaDB grammars.
// Run: npm run build && node bench/mysql-parse.js   (NSP_DIR=/tmp/nsp for the comparison)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseMysql } from '../dist/dialects/mysql/parser.js';

const text = readFileSync(new URL('../test/fixtures/mysql/ddl-corpus.sql', import.meta.url), 'utf8');
const server = { flavor: 'mariadb', major: 10, minor: 11 };
const parsed = parseMysql(text, 0, { server });
const ddl = parsed.statements.filter((s) => !['set', 'other', 'select'].includes(s.kind));
const full = ddl.filter((s) => s.kind !== 'unparsed');
console.log(`lockstep parser: ${full.length}/${ddl.length} DDL statements read fully (${parsed.statements.length} statements in all)`);

// speed: the corpus as 1,000 files of ~9 statements each
const files = [];
for (let i = 0; i < 1000; i++) {
  const from = (i * 9) % (ddl.length - 9);
  files.push(ddl.slice(from, from + 9).map((s) => s.text + ';\n').join(''));
}
for (const f of files) parseMysql(f, 0, { server }); // warm-up
const t0 = process.hrtime.bigint();
for (let r = 0; r < 5; r++) for (const f of files) parseMysql(f, 0, { server });
const ms = Number(process.hrtime.bigint() - t0) / 1e6 / 5;
console.log(`lockstep parser: 1,000 files of 9 DDL statements in ${ms.toFixed(1)} ms (${(ms / 1000).toFixed(3)} ms/file)`);

if (process.env.NSP_DIR) {
  const require = createRequire(`${process.env.NSP_DIR}/package.json`);
  const { Parser } = require('node-sql-parser');
  const p = new Parser();
  for (const database of ['MySQL', 'MariaDB']) {
    let ok = 0;
    for (const s of ddl) {
      try {
        p.astify(s.text, { database });
        ok++;
      } catch {}
    }
    console.log(`node-sql-parser ${require('node-sql-parser/package.json').version} (${database} grammar): ${ok}/${ddl.length}`);
  }
}
