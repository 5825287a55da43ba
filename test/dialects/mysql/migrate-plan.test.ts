/**
 * MySQL/MariaDB plans: the exact SQL each step runs, per flavor and version, offline (the live-schema
 * side is in test/integration/mysql-apply.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { planMysql } from '../../../src/dialects/mysql/migrate/planner.js';
import { changeFromMysql } from '../../../src/dialects/mysql/migrate/from-sql.js';
import { assertValidMyChange } from '../../../src/dialects/mysql/migrate/validate.js';
import { renderMysqlSqlFiles } from '../../../src/dialects/mysql/migrate/render.js';
import type { ServerVersion } from '../../../src/core/version.js';
import type { Change } from '../../../src/operations/types.js';

const MARIADB: ServerVersion = { flavor: 'mariadb', major: 10, minor: 11 };
const MYSQL: ServerVersion = { flavor: 'mysql', major: 8, minor: 0, patch: 40 };

const steps = async (change: Change, server: ServerVersion) =>
  (await planMysql(change, { server })).phases.flatMap((p) => p.steps.map((s) => ({ id: s.id, phase: p.name, up: s.up, down: s.down ?? null, algorithm: s.online?.algorithm ?? null })));

const createdAt: Change = {
  name: 'orders-created-at',
  operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'datetime', nullable: false, default: 'CURRENT_TIMESTAMP', index: true }],
};

describe('MySQL/MariaDB planner: the SQL per flavor and version', () => {
  it('a NOT NULL column with a constant default is one INSTANT step on both flavors', async () => {
    const c: Change = { name: 'c', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'status', type: 'varchar(20)', nullable: false, default: "'new'" }] };
    for (const server of [MARIADB, MYSQL])
      expect(await steps(c, server)).toEqual([
        {
          id: '1.add-column',
          phase: 'expand',
          up: "ALTER TABLE `orders` ADD COLUMN `status` varchar(20) NOT NULL DEFAULT 'new', ALGORITHM=INSTANT",
          down: 'ALTER TABLE `orders` DROP COLUMN `status`, ALGORITHM=INSTANT',
          algorithm: 'instant',
        },
      ]);
  });

  it('the safe new column on MariaDB 10.11: instant add, default, batched backfill, NOT NULL and index online (NOCOPY)', async () => {
    expect(await steps(createdAt, MARIADB)).toEqual([
      { id: '1.add-column', phase: 'expand', up: 'ALTER TABLE `orders` ADD COLUMN `created_at` datetime NULL, ALGORITHM=INSTANT', down: 'ALTER TABLE `orders` DROP COLUMN `created_at`, ALGORITHM=INSTANT', algorithm: 'instant' },
      { id: '1.set-default', phase: 'expand', up: 'ALTER TABLE `orders` ALTER COLUMN `created_at` SET DEFAULT CURRENT_TIMESTAMP, ALGORITHM=INSTANT', down: 'ALTER TABLE `orders` ALTER COLUMN `created_at` DROP DEFAULT, ALGORITHM=INSTANT', algorithm: 'instant' },
      { id: '1.backfill', phase: 'backfill', up: 'UPDATE `orders` SET `created_at` = (CURRENT_TIMESTAMP) WHERE `id` >= ? AND `id` <= ? AND `created_at` IS NULL', down: null, algorithm: null },
      {
        id: '1.set-not-null',
        phase: 'contract',
        up: 'ALTER TABLE `orders` MODIFY COLUMN `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, ALGORITHM=INPLACE, LOCK=NONE',
        down: 'ALTER TABLE `orders` MODIFY COLUMN `created_at` datetime NULL DEFAULT CURRENT_TIMESTAMP, ALGORITHM=INPLACE, LOCK=NONE',
        algorithm: 'inplace',
      },
      { id: '1.add-index', phase: 'contract', up: 'ALTER TABLE `orders` ADD INDEX `orders_created_at_idx` (`created_at`), ALGORITHM=NOCOPY, LOCK=NONE', down: 'ALTER TABLE `orders` DROP INDEX `orders_created_at_idx`, ALGORITHM=NOCOPY, LOCK=NONE', algorithm: 'nocopy' },
    ]);
  });

  it('MySQL 8.0.40 builds the index INPLACE (MySQL has no NOCOPY)', async () => {
    const s = await steps(createdAt, MYSQL);
    expect(s.find((x) => x.id === '1.add-index')).toEqual({
      id: '1.add-index',
      phase: 'contract',
      up: 'ALTER TABLE `orders` ADD INDEX `orders_created_at_idx` (`created_at`), ALGORITHM=INPLACE, LOCK=NONE',
      down: 'ALTER TABLE `orders` DROP INDEX `orders_created_at_idx`, ALGORITHM=INPLACE, LOCK=NONE',
      algorithm: 'inplace',
    });
  });

  it('MODIFY amount DECIMAL(14,2) from a SQL migration becomes an online-copy step with its CopyJob', async () => {
    const { change, unconverted } = changeFromMysql('ALTER TABLE orders MODIFY amount DECIMAL(14,2);\nCREATE TABLE x (id int);\n', { file: 'm.sql' });
    expect(unconverted.map((u) => u.statement)).toEqual(['CREATE TABLE x (id int)']);
    const p = await planMysql(change, { server: MARIADB });
    const s = p.phases[0]!.steps[0]!;
    expect(s.up).toBe('ALTER TABLE `orders` MODIFY COLUMN `amount` DECIMAL(14,2)');
    expect(s.online?.copy).toEqual({ engine: 'lockstep', job: { table: 'orders', alter: 'MODIFY COLUMN `amount` DECIMAL(14,2)', change: 'm', step: '1.modify-column' } });
    expect(s.down).toBeUndefined();
    expect(s.loses).toMatch(/planned offline/);
    const files = renderMysqlSqlFiles(p);
    expect(files[0]!.text).toContain('Needs an online copy');
  });

  it('an unsafe ALTER in SQL becomes the safe plan: ADD COLUMN … NOT NULL DEFAULT CURRENT_TIMESTAMP', async () => {
    const { change, unconverted } = changeFromMysql('ALTER TABLE orders ADD COLUMN created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, ADD INDEX orders_created (created_at);', { file: 'x.sql' });
    expect(unconverted).toEqual([]);
    const s = await steps(change, MARIADB);
    expect(s.map((x) => `${x.phase} ${x.id}`)).toEqual(['expand 1.add-column', 'expand 1.set-default', 'backfill 1.backfill', 'contract 1.set-not-null', 'contract 2.add-index']);
  });

  it('a foreign key: checked by a query, then added in place with foreign_key_checks = 0', async () => {
    const c: Change = { name: 'fk', operations: [{ kind: 'addForeignKey', table: { name: 'orders' }, columns: ['customer_id'], references: { table: { name: 'customers' }, columns: ['id'] }, onDelete: 'cascade' }] };
    const p = await planMysql(c, { server: MARIADB });
    const s = p.phases[0]!.steps[0]!;
    expect(s.up).toBe('ALTER TABLE `orders` ADD CONSTRAINT `orders_customer_id_fkey` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`) ON DELETE CASCADE, ALGORITHM=NOCOPY, LOCK=NONE');
    expect(s.online?.session).toEqual(['SET SESSION foreign_key_checks = 0']);
    expect(s.online?.precheck?.sql).toBe('SELECT 1 FROM `orders` c WHERE c.`customer_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `customers` p WHERE p.`id` = c.`customer_id`) LIMIT 1');
  });

  it('hostile identifiers are quoted everywhere', async () => {
    const c: Change = { name: 'h', operations: [{ kind: 'addColumn', table: { name: 'we`ird tablé' }, name: 'c`ol', type: 'int', nullable: true }] };
    expect((await steps(c, MARIADB))[0]!.up).toBe('ALTER TABLE `we``ird tablé` ADD COLUMN `c``ol` int NULL, ALGORITHM=INSTANT');
  });

  it('refuses what it cannot plan, before anything runs, every problem at once', async () => {
    const c: Change = {
      name: 'bad',
      operations: [
        { kind: 'setNotNull', table: { name: 'orders' }, column: 'x' },
        { kind: 'addIndex', table: { name: 'orders' }, columns: ['a'], where: 'a > 0' },
      ],
    };
    await expect(planMysql(c, { server: MARIADB })).rejects.toThrow(/pass --db so lockstep reads the definition[\s\S]*no partial indexes/);
    expect(() => assertValidMyChange({ name: 'x', operations: [{ kind: 'addColumn', table: { name: 't' }, name: 'c', type: 'int; DROP TABLE t', nullable: true }] })).toThrow(/operations\[0\]\.type: must be exactly one type, without ";"/);
    expect(() => assertValidMyChange({ name: 'x', operations: [{ kind: 'addColumn', table: { name: 't' }, name: 'c', type: 'int', default: '1 -- x', nullable: true }] })).toThrow(/comment/);
  });
});
