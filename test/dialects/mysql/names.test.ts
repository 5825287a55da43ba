/** MySQL quoting: identifiers with backticks (doubled), literals safe under any sql_mode — checked on the MariaDB service. */
import { expect, test } from 'vitest';
import { quoteIdent, quoteLiteral, sqlName } from '../../../src/dialects/mysql/names.js';
import { itMariadb, freshMysqlDatabase } from '../../helpers/mariadb.js';

test('quoteIdent doubles backticks; sqlName keeps the schema', () => {
  expect(quoteIdent('order')).toBe('`order`');
  expect(quoteIdent('a`b')).toBe('`a``b`');
  expect(sqlName({ schema: 'app', name: 'orders' })).toBe('`app`.`orders`');
  expect(quoteLiteral("it's")).toBe("'it''s'");
  expect(quoteLiteral('a\\n')).toBe("_utf8mb4 X'615C6E'");
});

itMariadb('the server reads quoted names and literals back as written, with and without NO_BACKSLASH_ESCAPES', async () => {
  const db = await freshMysqlDatabase();
  const c = await db.connect();
  const hostile = ['order', 'a`b', 'x``y', 'über', 'c'.repeat(64)];
  for (const n of hostile) await c.query(`CREATE TABLE ${quoteIdent(n)} (${quoteIdent('col`' + n.slice(0, 20))} INT)`);
  const [tables] = await c.query('SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME');
  expect((tables as any[]).map((r) => r.n).sort()).toEqual([...hostile].sort());
  const values = ["it's", 'back\\slash', "\\'", 'tab\there', 'naïve 🚀'];
  for (const mode of ['', 'NO_BACKSLASH_ESCAPES']) {
    await c.query(`SET SESSION sql_mode = ${quoteLiteral(mode)}`);
    for (const v of values) {
      const [rows] = await c.query(`SELECT ${quoteLiteral(v)} AS v`);
      expect((rows as any[])[0].v, `${mode}: ${v}`).toBe(v);
    }
  }
});
