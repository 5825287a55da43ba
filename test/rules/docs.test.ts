/** docs/rules/ and docs/effects.md are generated from metadata and must be up to date and complete. */
import { expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { generatedDocs } from '../../src/rules/docs.js';
import { allRules as rules } from '../../src/rules/registry.js';

test('every generated doc file is committed and current (run `npm run docs` after changing a rule)', async () => {
  const files = await generatedDocs();
  for (const id of Object.keys(rules)) expect(files.has(`docs/rules/${id}.md`)).toBe(true);
  for (const [path, text] of files) {
    let onDisk = '';
    try {
      onDisk = readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
    } catch {
      /* missing */
    }
    expect(onDisk, `${path} is stale or missing: run npm run docs`).toBe(text);
  }
  const pages = readdirSync(new URL('../../docs/rules/', import.meta.url)).filter((f) => f.endsWith('.md'));
  expect(pages.sort()).toEqual([...files.keys()].filter((p) => p.startsWith('docs/rules/')).map((p) => p.slice('docs/rules/'.length)).sort());
});
