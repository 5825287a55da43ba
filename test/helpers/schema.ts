/** docs/schema validators for the snapshot, verify and plan JSON (compiled once per process). */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type Validate = ((d: unknown) => boolean) & { errors?: unknown[] | null };
const Ajv = require('ajv').default as new (o: object) => { compile(s: object): Validate };
const ajv = new Ajv({ strict: false });
const compiled = new Map<string, Validate>();
export type SchemaName = 'snapshot.v1.json' | 'verify-result.v1.json' | 'plan.v1.json';
/** The schema's validator (compiled once). */
export function validator(name: SchemaName): Validate {
  let v = compiled.get(name);
  if (!v) compiled.set(name, (v = ajv.compile(JSON.parse(readFileSync(new URL(`../../docs/schema/${name}`, import.meta.url), 'utf8')))));
  return v;
}

export function expectValid(name: SchemaName, value: unknown): void {
  const v = validator(name);
  const ok = v(value);
  expect(v.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

