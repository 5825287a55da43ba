/**
 * A real-sized history rehearsed end to end on the PostgreSQL 15 service: the 154 Diesel migrations of
 * test/fixtures/rehearse-history (see its generate.js) with seed INSERTs, a one-to-one foreign key to a
 * table filled with one row, unique keys over small domains, a CHECK random values do not satisfy,
 * triggers that reject rows, extensions, functions, enums, views and partitioned tables. Synthetic data
 * cannot reach the asked row count in many of its tables: the rehearsal must say so per table and go
 * on, and its verdict must name the one migration whose down does not restore the schema, with the
 * difference. Its wall time is recorded by bench/rehearse-history.js, not asserted here.
 */
import { describe, expect, test, vi } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pg15Server, serverUrl } from '../helpers/db.js';
import { rehearse } from '../../src/rehearse/rehearse.js';
import { readMigrations } from '../../src/parse/layouts/index.js';
import { renderRehearsalText, renderRehearsalJson } from '../../src/report/rehearse.js';
import { renderRehearsalHtml } from '../../src/report/rehearse-html.js';
// @ts-expect-error: a plain JS script (the fixture's generator), no types
import { migrations as generated, DOWN_BROKEN } from '../fixtures/rehearse-history/generate.js';

// About two minutes of server work on a quiet machine (bench/RESULTS.md); generous for a busy one.
vi.setConfig({ testTimeout: 900_000 });

const pg15 = pg15Server();
const dir = fileURLToPath(new URL('../fixtures/rehearse-history/migrations/', import.meta.url));

describe('rehearsing a 154-migration Diesel history on PostgreSQL 15', () => {
  test('the committed fixture is what its generator writes', () => {
    const dirs = readdirSync(dir).sort();
    expect(dirs).toEqual(generated.map((m: { id: string }) => m.id).sort());
    for (const m of generated as { id: string; up: string; down: string; noTransaction?: boolean }[]) {
      expect(readFileSync(join(dir, m.id, 'up.sql'), 'utf8'), m.id).toBe(m.up);
      expect(readFileSync(join(dir, m.id, 'down.sql'), 'utf8'), m.id).toBe(m.down);
      expect(existsSync(join(dir, m.id, 'metadata.toml')), m.id).toBe(!!m.noTransaction);
    }
  });

  test('every shortfall said per table, the rehearsal goes on, the verdict names the broken down with its diff', async () => {
    // The extensions the history creates are available on this server (a missing one is a failure, not a skip).
    const c = new pg.Client(pg15.url);
    await c.connect();
    const available = (await c.query(`SELECT name FROM pg_available_extensions WHERE name IN ('pgcrypto', 'citext', 'pg_trgm')`)).rows.map((r) => r.name).sort();
    await c.end();
    expect(available).toEqual(['citext', 'pg_trgm', 'pgcrypto']);

    const { migrations } = await readMigrations([dir]);
    expect(new Set(migrations.map((m) => m.layout))).toEqual(new Set(['diesel']));
    expect(migrations.length).toBeGreaterThanOrEqual(150);
    const broken = migrations.findIndex((m) => m.id.endsWith(`_${DOWN_BROKEN}`));
    expect(broken).toBeGreaterThan(140);

    const r = await rehearse({ kind: 'migrations', name: 'rehearse-history', migrations }, { sandbox: serverUrl(pg15, 'postgres'), rows: 200, seed: 1 });

    // The verdict: one failing check, the broken down, with the constraint its down forgot.
    expect(r.ok).toBe(false);
    const failed = r.checks.filter((x) => !x.ok);
    expect(failed.map((x) => x.name)).toEqual([`down-restores-schema: ${migrations[broken]!.id}`]);
    expect(failed[0]!.detail).toBe(`the down of ${migrations[broken]!.id} does not restore the schema (1 line(s) differ); the ${migrations.length - broken - 1} migration(s) after it were not rehearsed`);
    expect(failed[0]!.diff).toEqual(['+ constraint public.comment.comment_content_length CHECK ((length(content) <= 10000))']);
    // Every migration before it passed up, down and up again; what the effects table claimed held.
    expect(r.checks.find((x) => x.name === 'migrations-before')!.detail).toBe(`the ${broken} migration(s) before ${migrations[broken]!.id} ran up, down and up again, each down restoring the schema and keeping the data`);
    expect(r.checks.find((x) => x.name === 'claims-hold')!.ok).toBe(true);
    expect(new Set(r.steps.filter((s) => s.error).map((s) => s.id))).toEqual(new Set());

    // Shortfalls, each with its table, its count and its reason; the tables that could be filled are full.
    const data = (t: string) => r.data.find((d) => d.table === t)!;
    expect(data('user_ban')).toMatchObject({ rows: 1, requested: 200, shortfall: 'foreign key user_ban_user_id_fkey is one-to-one and user_ has only 1 rows' });
    expect(data('user_ban').after).toMatch(/_create_user_ban$/);
    expect(data('local_site_rate_limit')).toMatchObject({ rows: 6, shortfall: 'column kind is unique and rate_limit_kind has only 6 distinct values' });
    expect(data('tagline')).toMatchObject({ rows: 2, shortfall: 'column is_default is unique and boolean has only 2 distinct values' });
    expect(data('digest_day').rows).toBe(7);
    expect(data('digest_day').shortfall).toMatch(/^only 7 of \d+ generated rows passed digest_day_weekday_check, unique keys:/);
    expect(data('site').rows).toBe(1); // a unique index over a constant
    expect(data('instance').rows).toBe(0);
    expect(data('instance').shortfall).toMatch(/passed instance_domain_check, unique keys/);
    expect(data('federation_allowlist')).toMatchObject({ rows: 0, shortfall: 'foreign key federation_allowlist_instance_id_fkey: instance has no rows to reference' });
    expect(data('registration_application').rows).toBe(0);
    expect(data('registration_application').shortfall).toMatch(/trigger registration_application_guard \(registration applications are written by the application only/);
    // A trigger that rejects some rows: they are replaced, the table is full, a note says so.
    expect(data('post_report')).toMatchObject({ rows: 200, requested: 200 });
    expect(data('post_report').shortfall).toBeUndefined();
    expect(data('post_report').notes!.join(' ')).toMatch(/report \d+ throttled/);
    for (const t of ['category', 'user_']) expect(r.data.some((d) => d.table === t), t).toBe(false); // not filled: their migrations seeded them
    for (const d of r.data) expect(d.shortfall === undefined ? d.rows === d.requested : d.rows < d.requested!, d.table).toBe(true);
    // Partitioned tables got rows within their bounds.
    for (const t of ['activity', 'mod_log', 'post_read']) expect(data(t).rows, t).toBeGreaterThan(0);

    // The report says all of it: text, JSON, HTML.
    const text = renderRehearsalText(r, { color: false });
    expect(text).toContain(`  FAIL  down-restores-schema: ${migrations[broken]!.id}: the down of`);
    expect(text).toMatch(/fewer rows than asked for in \d+ table\(s\); the rehearsal went on with the rows that could be made:/);
    expect(text).toContain('    user_ban: 1 of 200 rows (after ');
    expect(text).toContain('+ constraint public.comment.comment_content_length CHECK ((length(content) <= 10000))');
    expect(JSON.parse(renderRehearsalJson(r)).data.find((d: any) => d.table === 'user_ban').shortfall).toBe(data('user_ban').shortfall);
    const html = renderRehearsalHtml(r);
    expect(html).toContain('id="data-shortfall"');
    expect(html).toContain('data-table="user_ban" data-rows="1" data-requested="200"');

    // The temporary database is gone.
    const name = /temporary database (lockstep_rehearse_[0-9a-f]+)/.exec(r.sandbox.description)![1];
    const c2 = new pg.Client(pg15.url);
    await c2.connect();
    expect((await c2.query(`SELECT FROM pg_database WHERE datname = $1`, [name])).rowCount).toBe(0);
    await c2.end();
  });
});
