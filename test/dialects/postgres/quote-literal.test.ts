/** One literal quoter for all of lockstep: what the server reads back is the string, whatever standard_conforming_strings is. */
import { describe, expect, test } from 'vitest';
import pg from 'pg';
import { testServers } from '../../helpers/db.js';
import { quoteLiteral } from '../../../src/dialects/postgres/names.js';

const pg15 = testServers().find((s) => s.major === 15)!;
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
