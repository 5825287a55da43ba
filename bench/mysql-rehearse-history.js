#!/usr/bin/env node
/**
 * A MySQL/MariaDB migration history to time `lockstep rehearse --sandbox mysql://…` on: 50 golang-migrate
 * migrations (25 tables, each created — 24 with a foreign key to the first — then given a column and an
 * index), written to a directory, up/down pairs. Deterministic.
 *   node bench/mysql-rehearse-history.js <dir>
 *   node bin/lockstep.js rehearse <dir> --sandbox mysql://root@127.0.0.1:3306/
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/mysql-rehearse-history.js <dir>');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
for (let i = 1; i <= 25; i++) {
  const n = String(i).padStart(2, '0');
  const fk = i === 1 ? '' : `, CONSTRAINT t${n}_fk FOREIGN KEY (ref) REFERENCES t01 (id)`;
  writeFileSync(join(dir, `${n}0_create_t${n}.up.sql`), `CREATE TABLE t${n} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, ref INT NULL${fk});\n`);
  writeFileSync(join(dir, `${n}0_create_t${n}.down.sql`), `DROP TABLE t${n};\n`);
  writeFileSync(join(dir, `${n}1_alter_t${n}.up.sql`), `ALTER TABLE t${n} ADD COLUMN extra INT NULL;\nCREATE INDEX t${n}_name ON t${n} (name);\n`);
  writeFileSync(join(dir, `${n}1_alter_t${n}.down.sql`), `DROP INDEX t${n}_name ON t${n};\nALTER TABLE t${n} DROP COLUMN extra;\n`);
}
console.log(`${dir}: 50 migrations`);
