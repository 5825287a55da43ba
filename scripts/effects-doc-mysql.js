#!/usr/bin/env node
// Writes docs/effects-mysql.md from the MySQL/MariaDB effects table (src/dialects/mysql/effects.ts) in
// the built library (npm run build first; `npm run docs` runs both).
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { effectsDocMysql } from '../dist/dialects/mysql/effects-doc.js';
import { mysqlEffectIds } from '../dist/dialects/mysql/effects.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(join(root, 'docs/effects-mysql.md'), effectsDocMysql());
console.log(`wrote docs/effects-mysql.md (${mysqlEffectIds.length} entries)`);
