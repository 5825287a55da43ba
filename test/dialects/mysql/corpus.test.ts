/**
 * The DDL corpus (test/fixtures/mysql/ddl-corpus.sql): how much of what ORMs and migration tools write
 * the parser reads fully, and that the corpus is real SQL — every statement not marked `-- mysql-only`
 * runs on MariaDB 10.11, in order, on a fresh database.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { describeMariadb, freshMysqlDatabase, itMariadb } from '../../helpers/mariadb.js';
import { parseMysql } from '../../../src/dialects/mysql/parser.js';
import { comments } from '../../../src/dialects/mysql/lexer.js';

const path = new URL('../../fixtures/mysql/ddl-corpus.sql', import.meta.url);
const text = readFileSync(path, 'utf8');
const server = { flavor: 'mariadb' as const, major: 10, minor: 11 };
const parsed = parseMysql(text, 0, { server });
const marks = comments(text, 0, { server }).filter((c) => c.text.trim() === '-- mysql-only');
const mysqlOnly = (start: number) => marks.some((m) => m.span.end <= start && text.slice(m.span.end, start).trim() === '');

test('the corpus has ≥ 60 DDL statements and the parser reads every one fully', () => {
  const ddl = parsed.statements.filter((s) => !['set', 'other', 'select'].includes(s.kind));
  expect(ddl.length).toBeGreaterThanOrEqual(60);
  expect(parsed.syntaxErrors).toEqual([]);
  const unparsed = parsed.statements.filter((s) => s.kind === 'unparsed').map((s) => `${s.text} — ${(s as any).reason}`);
  expect(unparsed).toEqual([]);
});

describeMariadb('the corpus is valid SQL for MariaDB 10.11', () => {
  itMariadb('every statement not marked mysql-only runs, in order', async () => {
    const db = await freshMysqlDatabase();
    const conn = await db.connect();
    let ran = 0;
    for (const s of parsed.statements) {
      if (mysqlOnly(s.span.start)) continue;
      try {
        await conn.query(s.text);
      } catch (e: any) {
        throw new Error(`MariaDB refused: ${s.text}\n${e.message}`);
      }
      ran++;
    }
    expect(ran).toBeGreaterThanOrEqual(60);
  }, 120_000);
});
