#!/usr/bin/env node
// Writes docs/rules/*.md, docs/rules/README.md and docs/effects.md from the built library (npm run build first).
import { writeFileSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedDocs } from '../dist/rules/docs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = await generatedDocs();
mkdirSync(join(root, 'docs/rules'), { recursive: true });
for (const f of readdirSync(join(root, 'docs/rules'))) if (f.endsWith('.md') && !files.has(`docs/rules/${f}`)) unlinkSync(join(root, 'docs/rules', f));
for (const [path, text] of files) writeFileSync(join(root, path), text);
console.log(`wrote ${files.size} files`);
