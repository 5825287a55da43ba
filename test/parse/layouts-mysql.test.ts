/** The MySQL flavours of the migration layouts: each is read with its runner's layout, and the history says it is MySQL. */
import { describe, expect, test } from 'vitest';
import { readMigrations } from '../../src/parse/layouts/index.js';
import { lintPaths } from '../../src/lint/lint.js';

const dir = (name: string) => `test/fixtures/layouts/mysql/${name}`;

describe('MySQL layouts', () => {
  test.each([
    ['golang-migrate', 'golang-migrate', ['000001_create_customers', '000002_customers_name'], { flavor: 'mysql', guessed: true, where: 'test/fixtures/layouts/mysql/golang-migrate/000001_create_customers.down.sql (a backtick-quoted table name: MySQL syntax)' }],
    ['flyway', 'flyway', ['V1__create_customers', 'V2__customers_phone'], { flavor: 'mysql', guessed: true }],
    ['dbmate', 'dbmate', ['20240301101500_create_customers', '20240305120000_customers_phone'], { flavor: 'mysql', guessed: true }],
    ['prisma', 'prisma', ['20240301101500_init', '20240305120000_add_orders'], { flavor: 'mysql', where: 'test/fixtures/layouts/mysql/prisma/migration_lock.toml: provider' }],
    ['drizzle', 'drizzle', ['0000_warm_storm', '0001_quiet_hulk'], { flavor: 'mysql', where: 'test/fixtures/layouts/mysql/drizzle/meta/_journal.json: dialect' }],
    ['plain', 'plain', ['001_init', '002_phone'], { flavor: 'mysql', guessed: true }],
    ['knex', 'plain', ['20240301101500_create_customers', '20240305120000_customers_phone'], { flavor: 'mysql', guessed: true, where: 'test/fixtures/layouts/mysql/knex/20240301101500_create_customers.sql (AUTO_INCREMENT: MySQL syntax)' }],
  ] as const)('%s', async (name, layout, ids, flavor) => {
    const { histories } = await readMigrations([dir(name)]);
    expect(histories).toHaveLength(1);
    const h = histories[0]!;
    expect(h.migrations.map((m) => m.layout)).toEqual(ids.map(() => layout));
    expect(h.migrations.map((m) => m.id.replace(/^.*\//, '').replace(/\.up$/, '').replace(/\.sql$/, ''))).toEqual(ids);
    expect(h.flavor).toMatchObject(flavor);
  });

  test('the Postgres fixtures are not taken for MySQL', async () => {
    for (const name of ['golang-migrate', 'flyway', 'dbmate', 'plain', 'diesel']) {
      const { histories } = await readMigrations([`test/fixtures/layouts/${name}`]);
      expect(histories[0]!.flavor, name).toBeUndefined();
    }
  });

  test('a guess yields to --dialect (no conflict error), a declaration does not', async () => {
    const r = await lintPaths([dir('golang-migrate')], { dialect: 'postgres' });
    expect(r.dialect).toBe('postgres');
    await expect(lintPaths([dir('prisma')], { dialect: 'postgres' })).rejects.toThrow(/says MySQL/);
  });
});
