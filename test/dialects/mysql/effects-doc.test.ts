/** The committed docs/effects-mysql.md is the page the effects table renders (run `npm run docs` after changing it). */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { effectsDocMysql } from '../../../src/dialects/mysql/effects-doc.js';
import { mysqlEffectIds } from '../../../src/dialects/mysql/effects.js';

it('docs/effects-mysql.md is up to date with src/dialects/mysql/effects.ts', () => {
  const page = effectsDocMysql();
  expect(readFileSync(new URL('../../../docs/effects-mysql.md', import.meta.url), 'utf8')).toBe(page);
  for (const id of mysqlEffectIds) expect(page).toContain(`\`${id}\``);
  expect(page).toMatch(/documented, not proven here \(MySQL 8\.0 Reference Manual/);
  expect(page).toMatch(/\*\*proven on MariaDB 10\.11\*\*/);
});
