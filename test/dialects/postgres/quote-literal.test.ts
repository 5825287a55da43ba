/** One literal quoter for all of lockstep: what the server reads back is the string, whatever standard_conforming_strings is. */
import { describe, expect, test } from 'vitest';
import pg from 'pg';
import { pg15Server, testServers } from '../../helpers/db.js';
import { quoteIdent, quoteLiteral } from '../../../src/dialects/postgres/names.js';

const pg15 = pg15Server();
const values = ['plain', "it's", 'back\\slash', "both \\' and ''", 'line\nbreak\ttab', 'ünïcødé ✓', '', 'E\'x\'', '\\\\'];

describe('quoteLiteral on PostgreSQL 15', () => {
  test.each(['on', 'off'])('standard_conforming_strings = %s: every value reads back as itself', async (scs) => {
    const c = new pg.Client(pg15.url);
    await c.connect();
    try {
      await c.query(`SET standard_conforming_strings = ${scs}`);
      await c.query('SET escape_string_warning = off');
      for (const v of values) {
        expect((await c.query(`SELECT ${quoteLiteral(v)} AS v`)).rows[0].v).toBe(v);
        expect((await c.query(`SELECT ${quoteLiteral(v, { escapeControls: true })} AS v`)).rows[0].v).toBe(v);
      }
    } finally {
      await c.end();
    }
  });

  test('control characters are spelled out for people when asked', () => {
    expect(quoteLiteral('a\nb', { escapeControls: true })).toBe("E'a\\nb'");
    expect(quoteLiteral('a\nb')).toBe("'a\nb'");
    expect(quoteLiteral("o'k")).toBe("'o''k'");
  });
});

describe('quoteIdent against the servers\' quote_ident', () => {
  test.each(testServers().map((s) => [s.name, s] as const))('%s: every keyword and some odd names', async (_name, server) => {
    const c = new pg.Client(server.url);
    await c.connect();
    try {
      const words: string[] = (await c.query(`SELECT word FROM pg_get_keywords()`)).rows.map((r) => r.word);
      const names = [...words, 'orders', 'a$b', '_x', 'x1', '1x', 'Mixed', 'with space', 'ünï', 'user_id', 'created_at'];
      const server_ = (await c.query(`SELECT n, quote_ident(n) AS q FROM unnest($1::text[]) n`, [names])).rows as { n: string; q: string }[];
      for (const { n, q } of server_) {
        // Never bare where the server quotes (that would be wrong SQL); exactly the server on the newest major.
        if (q !== n) expect(quoteIdent(n), n).toBe(q);
        if (server.major === 18) expect(quoteIdent(n), n).toBe(q);
      }
    } finally {
      await c.end();
    }
  });
});
