import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'dropping-database';

describe(R, () => {
  test('flags DROP DATABASE as an error', async () => {
    expect(await lintView(R, 'DROP DATABASE IF EXISTS "Analytics DB" WITH (FORCE);')).toMatchInlineSnapshot(`
      [
        "1:1 error DROP DATABASE "Analytics DB" deletes the whole database and everything in it, after terminating every session connected to it
      Do not drop databases from a migration: take a backup (pg_dump) and drop it by hand, once nothing connects to it any more.",
      ]
    `);
  });

  test('plain form', async () => {
    const [f] = await findingsOf(R, 'DROP DATABASE analytics;');
    expect(f!.severity).toBe('error');
    expect(f!.message).toBe('DROP DATABASE analytics deletes the whole database and everything in it');
  });

  test('leaves alone: other drops and database statements', async () => {
    expect(await findingsOf(R, 'DROP SCHEMA staging; DROP TABLE t; CREATE DATABASE analytics_v2; ALTER DATABASE analytics SET work_mem = 64000;')).toEqual([]);
  });
});
