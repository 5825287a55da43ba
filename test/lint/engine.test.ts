import { beforeAll, describe, expect, test } from 'vitest';
import { lintSql, lintMigrations } from '../../src/lint/lint.js';
import { loadParser, parsePostgres } from '../../src/dialects/postgres/parser.js';
import { Session } from '../../src/dialects/postgres/session.js';
import { classify } from '../../src/dialects/postgres/classify.js';
import { Catalog } from '../../src/dialects/postgres/catalog.js';
import type { Migration } from '../../src/parse/migrations.js';

beforeAll(loadParser);
const R = 'require-concurrent-index-creation';
const watched = new Set([R, 'unused-ignore', 'ignore-without-reason', 'syntax-error']);
/** Findings of the rules these tests are about (other rules may fire on the same SQL). */
const findings = async (sql: string) => (await lintSql(sql)).findings.filter((f) => watched.has(f.rule));
const rulesOf = async (sql: string) => (await findings(sql)).map((f) => f.rule);

describe('ignore comments', () => {
  test('next-statement ignore silences only that statement', async () => {
    const sql = `-- lockstep-ignore ${R}: orders is empty until launch
CREATE INDEX a ON orders (a);
CREATE INDEX b ON orders (b);`;
    const f = (await findings(sql));
    expect(f.filter((x) => x.rule === R)).toHaveLength(1);
    expect(f.find((x) => x.rule === R)!.span.start).toBe(sql.indexOf('CREATE INDEX b'));
  });

  test('file ignore silences the rule everywhere in the file, from anywhere in it', async () => {
    expect(await rulesOf(`CREATE INDEX a ON orders (a);\nCREATE INDEX b ON orders (b);\n/* lockstep-ignore-file ${R} */`)).not.toContain(R);
  });

  test('an ignore that matched nothing, or names an unknown rule, is reported', async () => {
    const f = (await findings(`-- lockstep-ignore ${R}: fixed already\nCREATE INDEX CONCURRENTLY a ON orders (a);\n-- lockstep-ignore require-concurent-index-creation: typo\nSELECT 1;`));
    expect(f.map((x) => `${x.rule}: ${x.message}`)).toEqual([
      `unused-ignore: lockstep-ignore ${R} matched no finding in the next statement`,
      'unused-ignore: unknown rule `require-concurent-index-creation` in lockstep-ignore',
    ]);
  });

  test('an ignore without a reason still applies, and asks for one', async () => {
    const f = (await findings(`-- lockstep-ignore ${R}\nCREATE INDEX a ON orders (a);`));
    expect(f.map((x) => x.rule)).toEqual(['ignore-without-reason']);
  });

  test('the words inside a string literal are not a directive', async () => {
    expect(await rulesOf(`SELECT '-- lockstep-ignore ${R}: no';\nCREATE INDEX a ON orders (a);`)).toContain(R);
  });
});

describe('syntax errors', () => {
  test('are findings at their position, and the other statements are still checked', async () => {
    const sql = 'CREATE INDEX a ON orders (a);\nALTER TABLE orders ADD COLUMNN x int;\nCREATE INDEX b ON orders (b);';
    const f = (await findings(sql));
    expect(f.map((x) => x.rule)).toEqual([R, 'syntax-error', R]);
    const syn = f[1]!;
    expect(sql.slice(syn.span.start, syn.span.start + 3)).toBe('int');
    expect(syn.message).toBe('syntax error: syntax error at or near "int"');
  });

  test('an unterminated string does not crash', async () => {
    const f = (await findings("CREATE INDEX a ON orders (a);\nSELECT 'oops"));
    expect(f.map((x) => x.rule)).toContain('syntax-error');
  });
});

describe('migrations', () => {
  const mig = (id: string, up: string, down?: string): Migration => {
    const text = down === undefined ? up : `${up}\n-- down\n${down}`;
    const file = { path: `${id}.sql`, text };
    return {
      id,
      layout: 'plain',
      up: { file, parts: [{ start: 0, end: up.length }] },
      ...(down !== undefined ? { down: { file, parts: [{ start: up.length + 9, end: text.length }] } } : {}),
      transaction: 'none',
      transactionSource: 'test',
    };
  };

  test('a table created in one migration is existing in the next', async () => {
    const a = mig('001', 'CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);');
    const b = mig('002', 'CREATE INDEX t_a2 ON t (a);');
    const r = await lintMigrations([a, b], [a.up.file, b.up.file]);
    expect(r.findings.filter((f) => f.rule === R).map((f) => `${f.migration}: ${f.rule}`)).toEqual([`002: ${R}`]);
  });

  test('a down is judged against the schema its up made, and does not change it for the next migration', async () => {
    const a = mig('001', 'CREATE TABLE t (a int);', 'CREATE INDEX t_a ON t (a); DROP TABLE t;');
    const b = mig('002', 'CREATE INDEX t_b ON t (a);');
    const r = await lintMigrations([a, b], [a.up.file, b.up.file]);
    expect(r.findings.filter((f) => f.rule === R).map((f) => `${f.migration}/${f.section}: ${f.rule}`)).toEqual([`001/down: ${R}`, `002/up: ${R}`]);
  });

  test("a down sees its own up's statements, and nothing of an earlier lint call", async () => {
    const D = 'dropping-constraint';
    const add = 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);';
    const drop = 'ALTER TABLE orders DROP CONSTRAINT orders_total_check;';
    // A migration with only a down section (the engine lints whatever sections a migration has).
    const downOnly = (): Migration => {
      const file = { path: '007.sql', text: drop };
      return { id: '007', layout: 'plain', down: { file, parts: [{ start: 0, end: drop.length }] }, transaction: 'none', transactionSource: 'test' } as Partial<Migration> as Migration;
    };
    const dropFindings = async (ms: Migration[]) => (await lintMigrations(ms, [...new Set(ms.flatMap((m) => [...(m.up ? [m.up.file] : []), ...(m.down ? [m.down.file] : [])]))], { rules: { [D]: 'on' } })).findings.filter((f) => f.rule === D).map((f) => `${f.migration}/${f.section}: ${f.message}`);
    // The down undoing its own up's ADD is not flagged; a down alone, dropping a constraint from before, is.
    const both = mig('007', add, drop);
    expect(await dropFindings([both])).toEqual([]);
    const fresh = await dropFindings([downOnly()]);
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatch(/^007\/down: /);
    // Two lint calls in a row: an up of the same migration id linted before (with no down after it) changes nothing.
    await lintMigrations([mig('007', add)], [mig('007', add).up.file], { rules: { [D]: 'on' } });
    expect(await dropFindings([downOnly()])).toEqual(fresh);
    await dropFindings([both]);
    expect(await dropFindings([downOnly()])).toEqual(fresh);
  });
});

describe('session state', () => {
  function run(sql: string, mode: 'none' | 'wrapped' = 'none') {
    const stmts = parsePostgres(sql).statements;
    const s = new Session(mode, stmts.length);
    const cat = new Catalog();
    const states = stmts.map((st) => {
      const before = { open: s.tx.open, lock: s.timeouts.lock.ms, statement: s.timeouts.statement.ms, lost: s.timeouts.lockLost };
      s.apply(st, classify(st, { version: 15, catalog: cat }));
      return before;
    });
    return { states, after: { open: s.tx.open, lock: s.timeouts.lock.ms, lost: s.timeouts.lockLost, tz: s.timeouts.timeZoneUtc } };
  }

  test('SET LOCAL lasts until COMMIT; a session SET survives it; ROLLBACK undoes both', () => {
    expect(run("BEGIN; SET LOCAL lock_timeout = '2s'; SELECT 1; COMMIT;").after).toMatchObject({ open: false, lock: 0, lost: expect.stringMatching(/ended with the COMMIT/) });
    expect(run("BEGIN; SET lock_timeout = '2s'; COMMIT;").after.lock).toBe(2000);
    expect(run("SET lock_timeout = '1s'; BEGIN; SET lock_timeout = '5min'; ROLLBACK;").after.lock).toBe(1000);
    expect(run("SET LOCAL lock_timeout = '2s';").after.lock).toBe(0); // outside a transaction: no effect
  });

  test('units, RESET, DEFAULT, set_config and TimeZone', () => {
    expect(run('SET lock_timeout = 1500;').after.lock).toBe(1500);
    expect(run("SET lock_timeout TO '1min';").after.lock).toBe(60_000);
    expect(run("SET lock_timeout = '2s'; RESET lock_timeout;").after).toMatchObject({ lock: 0 });
    expect(run("SET lock_timeout = '2s'; SET lock_timeout TO DEFAULT;").after.lock).toBe(0);
    expect(run("SELECT set_config('lock_timeout', '3s', false);").after.lock).toBe(3000);
    expect(run("SET TIME ZONE 'UTC';").after.tz).toBe(true);
    expect(run("SET TimeZone = 'Europe/Berlin';").after.tz).toBe(false);
  });

  test('a runner transaction is open from the first statement; an explicit COMMIT ends it', () => {
    const r = run('SELECT 1; COMMIT; SELECT 2;', 'wrapped');
    expect(r.states.map((s) => s.open)).toEqual([true, true, false]);
  });
});
