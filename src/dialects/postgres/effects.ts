/**
 * The Postgres effects table: for each kind of statement (or ALTER TABLE subcommand), per version
 * range, which locks it takes on which relations, whether it rewrites the table, scans every row,
 * may run inside a transaction block, or fails on a table that has rows.
 *
 * This is the one place that knowledge lives. The linter, the planner and the rehearsal read it, and
 * `test/integration/effects.pg15.test.ts` … `effects.pg18.test.ts` and `effects.pglite.test.ts` (shared code in `effects-proof.ts`) prove every entry that has a `proof` against real servers
 * (PG 15, 16, 17, 18 and PGlite): it runs `proof.sql` on the fixture schema below, reads `pg_locks`
 * and `relfilenode`, and compares them with the claim for that server's version. Claims for 11–14
 * cannot be run here (no such servers); they come from the release notes and are labelled so in docs.
 */
import type { LockMode } from './locks.js';

/** The roles a relation can play in a statement. */
export type RelRole =
  | 'table' // the table the statement changes
  | 'referenced' // the table a foreign key points at
  | 'referencing' // tables whose foreign keys point at the table (TRUNCATE CASCADE, DROP … CASCADE)
  | 'index' // the index the statement names
  | 'partition' // the partition being attached or detached
  | 'default-partition' // the parent's DEFAULT partition (scanned when attaching)
  | 'domain-users' // every table with a column of the domain
  | 'dependent'; // views and materialized views dropped along with the table (CASCADE)

export interface LockClaim {
  on: RelRole;
  mode: LockMode;
}

export interface Claim {
  /** Strongest lock held on each relation role until the end of the transaction. */
  locks: LockClaim[];
  /** The table gets new storage (pg_class.relfilenode changes): every row is copied, indexes rebuilt. */
  rewrite: boolean;
  /** Every row is read (a validation scan, an index build, or the rewrite itself). */
  scan: boolean;
  /** May run inside a transaction block. */
  transactional: boolean;
  /** The statement errors out when the table has rows. */
  failsOnRows?: boolean;
  /** One sentence a user needs beyond the fields above. */
  note?: string;
  /**
   * Stronger locks taken at the very end, when nothing can be using the relation any more (so nothing
   * waits on them): not in `locks`, which is what traffic can queue behind, but a trace sees them.
   */
  lateLocks?: LockClaim[];
}

export interface VersionedClaim extends Claim {
  /** First major this claim holds for (inclusive). */
  from: number;
  /** Last major this claim holds for (inclusive); open-ended when absent. */
  to?: number;
}

export interface Proof {
  /** Runs on the fixture schema. */
  sql: string;
  /** Which fixture relation plays each role. */
  relations: Partial<Record<RelRole, string[]>>;
  /** Runs before `sql` (outside the observed transaction). */
  setup?: string;
  /** Statements that cannot run in a transaction block: observed from a second session while blocked. */
  concurrent?: boolean;
  /** Why this entry is not run on PGlite, when it is not. */
  skipPglite?: string;
}

export interface EffectEntry {
  id: string;
  /** How users recognize it, e.g. `ALTER TABLE … ADD COLUMN … DEFAULT <volatile>`. */
  title: string;
  /** Claims in version order; versions without a claim do not support the statement. */
  claims: VersionedClaim[];
  /** How the test suite proves the claims (absent only where no server here can show it). */
  proof?: Proof;
}

/** Majors the test suite proves effects on (test/integration/effects.pg*.test.ts). */
export const PROVED_ON = [15, 16, 17, 18];

export const MIN_VERSION = 11;
export const MAX_VERSION = 18;

// Shorthands for the table below.
const AE: LockMode = 'AccessExclusive';
const SRE: LockMode = 'ShareRowExclusive';
const S: LockMode = 'Share';
const SUE: LockMode = 'ShareUpdateExclusive';
const RS: LockMode = 'RowShare';
const RE: LockMode = 'RowExclusive';
const EX: LockMode = 'Exclusive';

const on = (mode: LockMode, role: RelRole = 'table'): LockClaim => ({ on: role, mode });
const c = (from: number, claim: Omit<Claim, 'transactional'> & { transactional?: boolean }, to?: number): VersionedClaim => ({
  from,
  ...(to !== undefined ? { to } : {}),
  transactional: true,
  ...claim,
});
const catalogOnly = { rewrite: false, scan: false };
const scanOnly = { rewrite: false, scan: true };
const rewrites = { rewrite: true, scan: true };
const T = { table: ['t'] };

/**
 * The fixture schema every proof runs on. Tables have rows, so that a claim of "no scan" or
 * "no rewrite" is observable and not an artefact of an empty table.
 */
export const proofFixture = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE FUNCTION noop_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 100) g;
CREATE TABLE t (
  id bigint PRIMARY KEY,
  parent_id bigint,
  a integer,
  b integer NOT NULL DEFAULT 0,
  v varchar(20),
  w varchar(20) NOT NULL,
  n numeric(10, 2),
  ts timestamp,
  ch char(5),
  j json,
  m mood,
  d positive_int,
  net cidr,
  k integer,
  g integer GENERATED ALWAYS AS (k * 2) STORED
);
INSERT INTO t
  SELECT g, 1 + g % 100, g, g, 'v' || g, 'w' || g, g, timestamp '2024-01-01' + g * interval '1 minute',
         'c', '{}', 'ok', g, '10.0.0.0/8', g
  FROM generate_series(1, 1000) g;
CREATE INDEX t_a_idx ON t (a);
CREATE UNIQUE INDEX t_w_key_idx ON t (w);
ALTER TABLE t ADD CONSTRAINT t_b_check CHECK (b >= 0);
ALTER TABLE t ADD CONSTRAINT t_a_not_null CHECK (a IS NOT NULL);
ALTER TABLE t ADD CONSTRAINT t_k_check CHECK (k > 0) NOT VALID;
ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID;
CREATE TRIGGER t_noop BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION noop_trigger();
CREATE TABLE child (id bigint PRIMARY KEY, t_id bigint REFERENCES t (id));
INSERT INTO child SELECT g, g FROM generate_series(1, 10) g;
CREATE TABLE measurements (id integer NOT NULL, k integer NOT NULL) PARTITION BY RANGE (k);
CREATE TABLE measurements_1 PARTITION OF measurements FOR VALUES FROM (0) TO (100);
CREATE TABLE measurements_2 PARTITION OF measurements FOR VALUES FROM (100) TO (200);
CREATE TABLE measurements_default PARTITION OF measurements DEFAULT;
INSERT INTO measurements SELECT g, g % 250 FROM generate_series(1, 1000) g;
CREATE TABLE measurements_new (id integer NOT NULL, k integer NOT NULL);
CREATE TABLE events (id integer NOT NULL, k integer NOT NULL) PARTITION BY RANGE (k);
CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100);
CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (100) TO (200);
INSERT INTO events SELECT g, g % 200 FROM generate_series(1, 1000) g;
INSERT INTO measurements_new SELECT g, 300 + g % 50 FROM generate_series(1, 100) g;
CREATE MATERIALIZED VIEW t_summary AS SELECT parent_id, count(*) AS n FROM t GROUP BY parent_id;
CREATE UNIQUE INDEX t_summary_parent_idx ON t_summary (parent_id);
`;

/** Fixture tables a proof may observe locks on (anything else locked above ACCESS SHARE fails the proof). */
export const proofTables = ['parent', 't', 'child', 'measurements', 'measurements_1', 'measurements_2', 'measurements_default', 'measurements_new', 'events', 'events_1', 'events_2', 't_summary'];

const effectList = [
  // ───────────────────────────── ADD COLUMN ─────────────────────────────
  {
    id: 'add-column',
    title: 'ADD COLUMN (nullable, no default)',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x integer', relations: T },
  },
  {
    id: 'add-column-default',
    title: 'ADD COLUMN … DEFAULT <constant or stable expression>',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'The default is evaluated once and stored in the catalog; existing rows read that one value.' })],
    proof: { sql: `ALTER TABLE t ADD COLUMN x timestamptz DEFAULT now()`, relations: T },
  },
  {
    id: 'add-column-not-null-default',
    title: 'ADD COLUMN … NOT NULL DEFAULT <constant or stable expression>',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: `ALTER TABLE t ADD COLUMN x integer NOT NULL DEFAULT 0`, relations: T },
  },
  {
    id: 'add-column-not-null',
    title: 'ADD COLUMN … NOT NULL without a default',
    claims: [c(11, { locks: [on(AE)], ...scanOnly, failsOnRows: true, note: 'Every existing row would be NULL, so it errors on any table with rows.' })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x integer NOT NULL', relations: T },
  },
  {
    id: 'add-column-volatile-default',
    title: 'ADD COLUMN … DEFAULT <volatile expression> (clock_timestamp(), random(), gen_random_uuid(), …)',
    claims: [c(11, { locks: [on(AE)], ...rewrites, note: 'Each row needs its own value, so the whole table and its indexes are rewritten under ACCESS EXCLUSIVE.' })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x timestamptz DEFAULT clock_timestamp()', relations: T },
  },
  {
    id: 'add-column-serial',
    title: 'ADD COLUMN … serial / bigserial',
    claims: [c(11, { locks: [on(AE)], ...rewrites, note: 'serial is a nextval() default, which is volatile.' })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x bigserial', relations: T },
  },
  {
    id: 'add-column-identity',
    title: 'ADD COLUMN … GENERATED … AS IDENTITY',
    claims: [c(11, { locks: [on(AE)], ...rewrites })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x bigint GENERATED BY DEFAULT AS IDENTITY', relations: T },
  },
  {
    id: 'add-column-generated-stored',
    title: 'ADD COLUMN … GENERATED ALWAYS AS (…) STORED',
    claims: [c(12, { locks: [on(AE)], ...rewrites })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x integer GENERATED ALWAYS AS (a * 2) STORED', relations: T },
  },
  {
    id: 'add-column-generated-virtual',
    title: 'ADD COLUMN … GENERATED ALWAYS AS (…) VIRTUAL',
    claims: [c(18, { locks: [on(AE)], ...catalogOnly, note: 'Computed on read; nothing is stored.' })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x integer GENERATED ALWAYS AS (a * 2) VIRTUAL', relations: T },
  },
  {
    id: 'add-column-domain-check',
    title: 'ADD COLUMN of a domain type that has constraints',
    claims: [c(11, { locks: [on(AE)], ...rewrites, note: "The domain's constraints are checked against every row's new value, which Postgres does by rewriting the table." })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x positive_int', relations: T },
  },
  {
    id: 'add-column-check',
    title: 'ADD COLUMN … CHECK (…)',
    claims: [c(11, { locks: [on(AE)], ...scanOnly })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x integer CHECK (x > 0)', relations: T },
  },
  {
    id: 'add-column-references',
    title: 'ADD COLUMN … REFERENCES (no default)',
    claims: [c(11, { locks: [on(AE), on(SRE, 'referenced')], ...catalogOnly, note: 'No row can violate a key that is NULL everywhere, so nothing is checked.' })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x bigint REFERENCES parent (id)', relations: { table: ['t'], referenced: ['parent'] } },
  },
  {
    id: 'add-column-references-default',
    title: 'ADD COLUMN … REFERENCES … DEFAULT <value>',
    claims: [c(11, { locks: [on(AE), on(SRE, 'referenced')], ...scanOnly })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x bigint DEFAULT 1 REFERENCES parent (id)', relations: { table: ['t'], referenced: ['parent'] } },
  },
  {
    id: 'add-column-unique',
    title: 'ADD COLUMN … UNIQUE / PRIMARY KEY',
    claims: [c(11, { locks: [on(AE)], ...scanOnly, note: 'The index is built while ACCESS EXCLUSIVE is held.' })],
    proof: { sql: 'ALTER TABLE t ADD COLUMN x integer UNIQUE', relations: T },
  },
  // ───────────────────────────── other column changes ─────────────────────────────
  {
    id: 'drop-column',
    title: 'DROP COLUMN',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'The column is only marked dropped; every query that names it breaks.' })],
    proof: { sql: 'ALTER TABLE t DROP COLUMN j', relations: T },
  },
  {
    id: 'set-default',
    title: 'ALTER COLUMN … SET DEFAULT / DROP DEFAULT',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'Affects new rows only, even for a volatile default.' })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN a SET DEFAULT 0', relations: T },
  },
  {
    id: 'set-not-null',
    title: 'ALTER COLUMN … SET NOT NULL',
    claims: [c(11, { locks: [on(AE)], ...scanOnly, note: 'Every row is checked while ACCESS EXCLUSIVE is held.' })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN b DROP NOT NULL; ALTER TABLE t ALTER COLUMN v SET NOT NULL', relations: T },
  },
  {
    id: 'set-not-null-with-check',
    title: 'ALTER COLUMN … SET NOT NULL with a valid CHECK (col IS NOT NULL) in place',
    claims: [
      c(11, { locks: [on(AE)], ...scanOnly, note: 'Postgres 11 does not use the CHECK constraint to skip the scan.' }, 11),
      c(12, { locks: [on(AE)], ...catalogOnly, note: 'The valid CHECK constraint proves the column has no NULLs, so the scan is skipped.' }),
    ],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL', relations: T },
  },
  {
    id: 'drop-not-null',
    title: 'ALTER COLUMN … DROP NOT NULL',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN b DROP NOT NULL', relations: T },
  },
  {
    id: 'alter-column-type',
    title: 'ALTER COLUMN … TYPE (a conversion that changes the stored bytes, e.g. integer → bigint)',
    claims: [c(11, { locks: [on(AE)], ...rewrites })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN a TYPE bigint', relations: T },
  },
  {
    id: 'alter-column-type-binary-coercible',
    title: 'ALTER COLUMN … TYPE (binary-coercible: varchar(n) → varchar(m ≥ n), varchar → text, numeric(p,s) → numeric(p2 ≥ p,s), cidr → inet, …)',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'The stored bytes stay valid, so neither the table nor its indexes are rewritten.' })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar(50)', relations: T },
  },
  {
    id: 'alter-column-type-varchar-to-text',
    title: 'ALTER COLUMN … TYPE text (from varchar)',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN v TYPE text', relations: T },
  },
  {
    id: 'alter-column-type-numeric-widen',
    title: 'ALTER COLUMN … TYPE numeric with more precision, same scale',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(12, 2)', relations: T },
  },
  {
    id: 'alter-column-type-cidr-to-inet',
    title: 'ALTER COLUMN … TYPE inet (from cidr)',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN net TYPE inet', relations: T },
  },
  {
    id: 'alter-column-type-timestamptz-utc',
    title: 'ALTER COLUMN … TYPE timestamptz (from timestamp) with the session TimeZone UTC',
    claims: [
      c(11, { locks: [on(AE)], ...rewrites }, 11),
      c(12, { locks: [on(AE)], ...catalogOnly, note: 'Only when the session TimeZone is UTC; otherwise every value shifts and the table is rewritten.' }),
    ],
    proof: { sql: `SET LOCAL TimeZone = 'UTC'; ALTER TABLE t ALTER COLUMN ts TYPE timestamptz`, relations: T },
  },
  {
    id: 'alter-column-type-timestamptz',
    title: 'ALTER COLUMN … TYPE timestamptz (from timestamp) with a TimeZone other than UTC',
    claims: [c(11, { locks: [on(AE)], ...rewrites })],
    proof: { sql: `SET LOCAL TimeZone = 'Europe/Berlin'; ALTER TABLE t ALTER COLUMN ts TYPE timestamptz`, relations: T },
  },
  {
    id: 'alter-column-type-char-to-varchar',
    title: 'ALTER COLUMN … TYPE varchar/text (from char(n))',
    claims: [c(11, { locks: [on(AE)], ...rewrites, note: 'char(n) pads with spaces; converting strips them, so every value changes.' })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN ch TYPE varchar(5)', relations: T },
  },
  {
    id: 'alter-column-type-varchar-shorten',
    title: 'ALTER COLUMN … TYPE varchar(m) with m smaller than before',
    claims: [c(11, { locks: [on(AE)], ...rewrites, note: 'Every value must be checked against the new limit.' })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar(10)', relations: T },
  },
  {
    id: 'set-statistics',
    title: 'ALTER COLUMN … SET STATISTICS',
    claims: [c(11, { locks: [on(SUE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN a SET STATISTICS 500', relations: T },
  },
  {
    id: 'set-storage',
    title: 'ALTER COLUMN … SET STORAGE',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN v SET STORAGE EXTERNAL', relations: T },
  },
  {
    id: 'set-compression',
    title: 'ALTER COLUMN … SET COMPRESSION',
    claims: [c(14, { locks: [on(AE)], ...catalogOnly, note: 'Only values written afterwards use the new method.' })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN v SET COMPRESSION pglz', relations: T },
  },
  {
    id: 'add-identity',
    title: 'ALTER COLUMN … ADD GENERATED … AS IDENTITY (on a NOT NULL column)',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY', relations: T },
  },
  {
    id: 'alter-identity',
    title: 'ALTER COLUMN … SET GENERATED / SET (sequence options) / DROP IDENTITY',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { setup: 'ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY', sql: 'ALTER TABLE t ALTER COLUMN id SET GENERATED ALWAYS', relations: T },
  },
  {
    id: 'set-expression',
    title: 'ALTER COLUMN … SET EXPRESSION AS (…) (a stored generated column)',
    claims: [c(17, { locks: [on(AE)], ...rewrites, note: 'Every row is recomputed.' })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (k * 3)', relations: T },
  },
  {
    id: 'drop-expression',
    title: 'ALTER COLUMN … DROP EXPRESSION',
    claims: [c(13, { locks: [on(AE)], ...catalogOnly, note: 'The column keeps its values and becomes an ordinary column.' })],
    proof: { sql: 'ALTER TABLE t ALTER COLUMN g DROP EXPRESSION', relations: T },
  },
  // ───────────────────────────── constraints ─────────────────────────────
  {
    id: 'add-check',
    title: 'ADD CONSTRAINT … CHECK (…)',
    claims: [c(11, { locks: [on(AE)], ...scanOnly })],
    proof: { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)', relations: T },
  },
  {
    id: 'add-check-not-valid',
    title: 'ADD CONSTRAINT … CHECK (…) NOT VALID',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'New and updated rows are checked from now on; existing rows are not read.' })],
    proof: { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID', relations: T },
  },
  {
    id: 'validate-check',
    title: 'VALIDATE CONSTRAINT (a CHECK)',
    claims: [c(11, { locks: [on(SUE)], ...scanOnly, note: 'Scans while reads and writes go on.' })],
    proof: { sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_k_check', relations: T },
  },
  {
    id: 'add-foreign-key',
    title: 'ADD CONSTRAINT … FOREIGN KEY',
    claims: [c(11, { locks: [on(SRE), on(SRE, 'referenced')], ...scanOnly, note: 'Both tables block writes while every row is checked.' })],
    proof: { sql: 'ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (id) REFERENCES parent (id)', relations: { table: ['child'], referenced: ['parent'] } },
  },
  {
    id: 'add-foreign-key-not-valid',
    title: 'ADD CONSTRAINT … FOREIGN KEY … NOT VALID',
    claims: [c(11, { locks: [on(SRE), on(SRE, 'referenced')], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (id) REFERENCES parent (id) NOT VALID', relations: { table: ['child'], referenced: ['parent'] } },
  },
  {
    id: 'validate-foreign-key',
    title: 'VALIDATE CONSTRAINT (a FOREIGN KEY)',
    claims: [c(11, { locks: [on(SUE), on(RS, 'referenced')], ...scanOnly, note: 'Scans while reads and writes go on.' })],
    proof: { sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_parent_fk', relations: { table: ['t'], referenced: ['parent'] } },
  },
  {
    id: 'add-unique',
    title: 'ADD CONSTRAINT … UNIQUE / PRIMARY KEY (builds its index)',
    claims: [c(11, { locks: [on(AE)], ...scanOnly, note: 'The index is built while ACCESS EXCLUSIVE is held.' })],
    proof: { sql: 'ALTER TABLE t ADD CONSTRAINT t_k_key UNIQUE (k)', relations: T },
  },
  {
    id: 'add-unique-using-index',
    title: 'ADD CONSTRAINT … UNIQUE / PRIMARY KEY USING INDEX',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'Instant: the index already exists (a PRIMARY KEY on a nullable column also checks for NULLs).' })],
    proof: { sql: 'ALTER TABLE t ADD CONSTRAINT t_w_key UNIQUE USING INDEX t_w_key_idx', relations: T },
  },
  {
    id: 'add-exclusion',
    title: 'ADD CONSTRAINT … EXCLUDE',
    claims: [c(11, { locks: [on(AE)], ...scanOnly, note: 'There is no USING INDEX form for exclusion constraints.' })],
    proof: { sql: 'ALTER TABLE t ADD CONSTRAINT t_k_excl EXCLUDE USING btree (k WITH =)', relations: T },
  },
  {
    id: 'add-not-null-not-valid',
    title: 'ADD CONSTRAINT … NOT NULL col NOT VALID',
    claims: [c(18, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ADD CONSTRAINT t_k_nn NOT NULL k NOT VALID', relations: T },
  },
  {
    id: 'validate-not-null',
    title: 'VALIDATE CONSTRAINT (a NOT NULL constraint)',
    claims: [c(18, { locks: [on(SUE)], ...scanOnly })],
    proof: { setup: 'ALTER TABLE t ADD CONSTRAINT t_k_nn NOT NULL k NOT VALID', sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_k_nn', relations: T },
  },
  {
    id: 'drop-constraint',
    title: 'DROP CONSTRAINT',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t DROP CONSTRAINT t_b_check', relations: T },
  },
  {
    id: 'drop-foreign-key',
    title: 'DROP CONSTRAINT (a FOREIGN KEY)',
    claims: [c(11, { locks: [on(AE), on(AE, 'referenced')], ...catalogOnly, note: "Dropping a foreign key also removes triggers on the referenced table, which needs ACCESS EXCLUSIVE there too." })],
    proof: { sql: 'ALTER TABLE t DROP CONSTRAINT t_parent_fk', relations: { table: ['t'], referenced: ['parent'] } },
  },
  {
    id: 'alter-constraint',
    title: 'ALTER CONSTRAINT … [NOT] DEFERRABLE',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t ALTER CONSTRAINT t_parent_fk DEFERRABLE', relations: T },
  },
  // ───────────────────────────── renames ─────────────────────────────
  {
    id: 'rename-table',
    title: 'ALTER TABLE … RENAME TO',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'Every query that names the old name breaks.' })],
    proof: { sql: 'ALTER TABLE t RENAME TO t2', relations: T },
  },
  {
    id: 'rename-column',
    title: 'ALTER TABLE … RENAME COLUMN',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'Every query that names the old name breaks.' })],
    proof: { sql: 'ALTER TABLE t RENAME COLUMN a TO a2', relations: T },
  },
  {
    id: 'rename-constraint',
    title: 'ALTER TABLE … RENAME CONSTRAINT',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t RENAME CONSTRAINT t_b_check TO t_b_check2', relations: T },
  },
  {
    id: 'rename-index',
    title: 'ALTER INDEX … RENAME TO',
    claims: [c(11, { locks: [on(AE, 'index')], ...catalogOnly }, 11), c(12, { locks: [on(SUE, 'index')], ...catalogOnly })],
    proof: { sql: 'ALTER INDEX t_a_idx RENAME TO t_a_idx2', relations: { index: ['t_a_idx'] } },
  },
  // ───────────────────────────── table-level ALTER ─────────────────────────────
  {
    id: 'toggle-trigger',
    title: 'ENABLE / DISABLE TRIGGER',
    claims: [c(11, { locks: [on(SRE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t DISABLE TRIGGER t_noop', relations: T },
  },
  {
    id: 'set-storage-parameter',
    title: 'ALTER TABLE … SET (fillfactor, autovacuum_*, …)',
    claims: [c(11, { locks: [on(SUE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01)', relations: T },
  },
  {
    id: 'cluster-on',
    title: 'ALTER TABLE … CLUSTER ON / SET WITHOUT CLUSTER',
    claims: [c(11, { locks: [on(SUE)], ...catalogOnly })],
    proof: { sql: 'ALTER TABLE t CLUSTER ON t_a_idx', relations: T },
  },
  {
    id: 'set-logged',
    title: 'ALTER TABLE … SET LOGGED / UNLOGGED',
    claims: [c(11, { locks: [on(AE)], ...rewrites })],
    proof: { sql: 'ALTER TABLE measurements_new SET UNLOGGED', relations: { table: ['measurements_new'] } },
  },
  {
    id: 'set-access-method',
    title: 'ALTER TABLE … SET ACCESS METHOD',
    claims: [c(15, { locks: [on(AE)], ...rewrites })],
    proof: { sql: 'ALTER TABLE t SET ACCESS METHOD heap2', setup: 'CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler', relations: T },
  },
  {
    id: 'replica-identity',
    title: 'ALTER TABLE … REPLICA IDENTITY',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'REPLICA IDENTITY FULL makes every UPDATE and DELETE log the whole old row.' })],
    proof: { sql: 'ALTER TABLE t REPLICA IDENTITY FULL', relations: T },
  },
  {
    id: 'row-level-security',
    title: 'ALTER TABLE … ENABLE / DISABLE / FORCE ROW LEVEL SECURITY',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'With no policy, enabling it hides every row from non-owners.' })],
    proof: { sql: 'ALTER TABLE t ENABLE ROW LEVEL SECURITY', relations: T },
  },
  {
    id: 'set-schema',
    title: 'ALTER TABLE … SET SCHEMA',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'CREATE SCHEMA s2; ALTER TABLE t SET SCHEMA s2', relations: T },
  },
  {
    id: 'inherit',
    title: 'ALTER TABLE … INHERIT / NO INHERIT',
    claims: [c(11, { locks: [on(AE), on(AE, 'referenced')], ...catalogOnly, note: 'Locks the parent table as well.' })],
    proof: { sql: 'CREATE TABLE inh_parent (id bigint); ALTER TABLE parent INHERIT inh_parent', relations: { table: ['parent'], referenced: ['inh_parent'] } },
  },
  {
    id: 'alter-table-other',
    title: 'Other ALTER TABLE subcommands (OWNER TO, OF, …)',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'lockstep assumes ACCESS EXCLUSIVE for subcommands it has no entry for.' })],
    proof: { sql: 'ALTER TABLE t OWNER TO CURRENT_USER', relations: T },
  },
  {
    id: 'set-tablespace',
    title: 'ALTER TABLE … SET TABLESPACE',
    claims: [c(11, { locks: [on(AE)], ...rewrites, note: 'Every file of the table is copied to the new tablespace while ACCESS EXCLUSIVE is held.' })],
  },
  // ───────────────────────────── partitions ─────────────────────────────
  {
    id: 'create-partition',
    title: 'CREATE TABLE … PARTITION OF (the parent has no DEFAULT partition)',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly, note: 'Locks the parent briefly; nothing is scanned.' })],
    proof: { sql: 'CREATE TABLE events_3 PARTITION OF events FOR VALUES FROM (200) TO (300)', relations: { table: ['events'] } },
  },
  {
    id: 'create-partition-with-default',
    title: 'CREATE TABLE … PARTITION OF a parent that has a DEFAULT partition',
    claims: [
      c(11, {
        locks: [on(AE), on(AE, 'default-partition')],
        ...scanOnly,
        note: 'The DEFAULT partition is scanned, under ACCESS EXCLUSIVE, for rows that belong to the new partition.',
      }),
    ],
    proof: {
      sql: 'CREATE TABLE measurements_3 PARTITION OF measurements FOR VALUES FROM (250) TO (260)',
      relations: { table: ['measurements'], 'default-partition': ['measurements_default'] },
    },
  },
  {
    id: 'attach-partition',
    title: 'ALTER TABLE … ATTACH PARTITION',
    claims: [
      c(11, { locks: [on(AE), on(AE, 'partition'), on(AE, 'default-partition')], ...scanOnly }, 11),
      c(12, {
        locks: [on(SUE), on(AE, 'partition'), on(AE, 'default-partition')],
        ...scanOnly,
        note: 'The new partition is scanned unless a valid CHECK constraint proves its rows fit; the DEFAULT partition is scanned for rows that now belong to it.',
      }),
    ],
    proof: {
      sql: 'ALTER TABLE measurements ATTACH PARTITION measurements_new FOR VALUES FROM (300) TO (400)',
      relations: { table: ['measurements'], partition: ['measurements_new'], 'default-partition': ['measurements_default'] },
    },
  },
  {
    id: 'detach-partition',
    title: 'ALTER TABLE … DETACH PARTITION',
    claims: [c(11, { locks: [on(AE), on(AE, 'partition'), on(AE, 'default-partition')], ...catalogOnly, note: "The DEFAULT partition is locked too: its implicit constraint changes." })],
    proof: {
      sql: 'ALTER TABLE measurements DETACH PARTITION measurements_2',
      relations: { table: ['measurements'], partition: ['measurements_2'], 'default-partition': ['measurements_default'] },
    },
  },
  {
    id: 'detach-partition-concurrently',
    title: 'ALTER TABLE … DETACH PARTITION … CONCURRENTLY',
    claims: [
      c(14, {
        locks: [on(SUE), on(SUE, 'partition')],
        ...catalogOnly,
        transactional: false,
        note: 'Runs in two transactions and waits for every query on the table in between; not possible when a DEFAULT partition exists.',
      }),
    ],
    proof: {
      sql: 'ALTER TABLE events DETACH PARTITION events_2 CONCURRENTLY',
      relations: { table: ['events'], partition: ['events_2'] },
      concurrent: true,
      skipPglite: 'needs a second connection',
    },
  },
  // ───────────────────────────── indexes ─────────────────────────────
  {
    id: 'create-index',
    title: 'CREATE INDEX',
    claims: [c(11, { locks: [on(S)], ...scanOnly, note: 'Writes wait for the whole build; reads go on.' })],
    proof: { sql: 'CREATE INDEX t_k_idx ON t (k)', relations: T },
  },
  {
    id: 'create-index-concurrently',
    title: 'CREATE INDEX CONCURRENTLY',
    claims: [
      c(11, {
        locks: [on(SUE)],
        ...scanOnly,
        transactional: false,
        note: 'Waits for transactions that started before it; a failed build leaves an INVALID index that must be dropped.',
      }),
    ],
    proof: { sql: 'CREATE INDEX CONCURRENTLY t_k_idx ON t (k)', relations: T, concurrent: true, skipPglite: 'needs a second connection' },
  },
  {
    id: 'create-index-partitioned',
    title: 'CREATE INDEX on a partitioned table',
    claims: [c(11, { locks: [on(S), on(S, 'partition')], ...scanOnly, note: 'Builds the index on every partition in one transaction; CONCURRENTLY is not supported on the parent.' })],
    proof: { sql: 'CREATE INDEX measurements_id_idx ON measurements (id)', relations: { table: ['measurements'], partition: ['measurements_1', 'measurements_2', 'measurements_default'] } },
  },
  {
    id: 'create-index-only',
    title: 'CREATE INDEX … ON ONLY <partitioned table>',
    claims: [c(11, { locks: [on(S)], ...catalogOnly, note: 'Creates an invalid parent index; attach one index per partition (built CONCURRENTLY) to make it valid.' })],
    proof: { sql: 'CREATE INDEX measurements_id_idx ON ONLY measurements (id)', relations: { table: ['measurements'] } },
  },
  {
    id: 'drop-index',
    title: 'DROP INDEX',
    claims: [c(11, { locks: [on(AE), on(AE, 'index')], ...catalogOnly })],
    proof: { sql: 'DROP INDEX t_a_idx', relations: { table: ['t'], index: ['t_a_idx'] } },
  },
  {
    id: 'drop-index-concurrently',
    title: 'DROP INDEX CONCURRENTLY',
    claims: [
      c(11, {
        locks: [on(SUE), on(SUE, 'index')],
        ...catalogOnly,
        transactional: false,
        note: 'Waits for queries using the index to finish without blocking new ones; the final ACCESS EXCLUSIVE on the index comes when nothing can be using it.',
        // Seen by lockstep rehearse's lock watcher on PG 15 and 16: the index is dropped under ACCESS
        // EXCLUSIVE once it is no longer live (no query plans with it, none waits for it).
        lateLocks: [on(AE, 'index')],
      }),
    ],
    proof: { sql: 'DROP INDEX CONCURRENTLY t_a_idx', relations: { table: ['t'], index: ['t_a_idx'] }, concurrent: true, skipPglite: 'needs a second connection' },
  },
  {
    id: 'reindex',
    title: 'REINDEX INDEX / TABLE',
    claims: [
      c(11, {
        locks: [on(S), on(AE, 'index')],
        ...scanOnly,
        note: 'Writes wait; so do reads, in practice: planning any query on the table locks all its indexes, and this one is held ACCESS EXCLUSIVE.',
      }),
    ],
    proof: { sql: 'REINDEX INDEX t_a_idx', relations: { table: ['t'], index: ['t_a_idx'] } },
  },
  {
    id: 'reindex-schema',
    title: 'REINDEX SCHEMA / DATABASE / SYSTEM',
    claims: [
      c(11, {
        locks: [on(S)],
        ...scanOnly,
        transactional: false,
        note: 'Each table is reindexed in its own transaction (writes to it wait, and so do reads that would use its indexes); cannot run inside a transaction block.',
      }),
    ],
    proof: { sql: 'REINDEX SCHEMA public', relations: T, concurrent: true, skipPglite: 'needs a second connection' },
  },
  {
    id: 'reindex-concurrently',
    title: 'REINDEX … CONCURRENTLY',
    claims: [c(12, { locks: [on(SUE), on(SUE, 'index')], ...scanOnly, transactional: false })],
    proof: { sql: 'REINDEX INDEX CONCURRENTLY t_a_idx', relations: { table: ['t'], index: ['t_a_idx'] }, concurrent: true, skipPglite: 'needs a second connection' },
  },
  // ───────────────────────────── domains and types ─────────────────────────────
  {
    id: 'alter-domain-add-constraint',
    title: 'ALTER DOMAIN … ADD CONSTRAINT',
    claims: [c(11, { locks: [on(S, 'domain-users')], ...scanOnly, note: 'Every table with a column of the domain blocks writes while it is scanned.' })],
    proof: { sql: 'ALTER DOMAIN positive_int ADD CONSTRAINT positive_int_small CHECK (VALUE < 1000000)', relations: { 'domain-users': ['t'] } },
  },
  {
    id: 'alter-domain-add-constraint-not-valid',
    title: 'ALTER DOMAIN … ADD CONSTRAINT … NOT VALID',
    claims: [c(11, { locks: [], ...catalogOnly })],
    proof: { sql: 'ALTER DOMAIN positive_int ADD CONSTRAINT positive_int_small CHECK (VALUE < 1000000) NOT VALID', relations: { 'domain-users': ['t'] } },
  },
  {
    id: 'alter-domain-set-not-null',
    title: 'ALTER DOMAIN … SET NOT NULL',
    claims: [c(11, { locks: [on(S, 'domain-users')], ...scanOnly })],
    proof: { sql: 'ALTER DOMAIN positive_int SET NOT NULL', relations: { 'domain-users': ['t'] } },
  },
  {
    id: 'alter-domain-validate',
    title: 'ALTER DOMAIN … VALIDATE CONSTRAINT',
    claims: [c(11, { locks: [on(S, 'domain-users')], ...scanOnly, note: 'Unlike a table VALIDATE, this blocks writes on every table using the domain.' })],
    proof: {
      setup: 'ALTER DOMAIN positive_int ADD CONSTRAINT positive_int_small CHECK (VALUE < 1000000) NOT VALID',
      sql: 'ALTER DOMAIN positive_int VALIDATE CONSTRAINT positive_int_small',
      relations: { 'domain-users': ['t'] },
    },
  },
  {
    id: 'enum-add-value',
    title: 'ALTER TYPE … ADD VALUE',
    claims: [
      c(11, { locks: [], ...catalogOnly, transactional: false, note: 'Cannot run inside a transaction block before Postgres 12.' }, 11),
      c(12, {
        locks: [],
        ...catalogOnly,
        note: 'Inside a transaction, the new value cannot be used until the transaction commits (from 17 it can when the enum type was created in the same transaction).',
      }),
    ],
    proof: { sql: `ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'`, relations: {} },
  },
  // ───────────────────────────── whole tables ─────────────────────────────
  {
    id: 'create-table-references',
    title: 'CREATE TABLE with a FOREIGN KEY',
    claims: [c(11, { locks: [on(SRE, 'referenced')], ...catalogOnly, note: 'The new table is empty; only the referenced table is locked, briefly.' })],
    proof: { sql: 'CREATE TABLE t_new (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id))', relations: { referenced: ['parent'] } },
  },
  {
    id: 'create-trigger',
    title: 'CREATE TRIGGER',
    claims: [c(11, { locks: [on(SRE)], ...catalogOnly })],
    proof: { sql: 'CREATE TRIGGER t_noop2 BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION noop_trigger()', relations: T },
  },
  {
    id: 'drop-trigger',
    title: 'DROP TRIGGER',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'DROP TRIGGER t_noop ON t', relations: T },
  },
  {
    id: 'drop-table',
    title: 'DROP TABLE',
    claims: [c(11, { locks: [on(AE), on(AE, 'referenced')], ...catalogOnly, note: 'Its data is gone; a table it references is locked too (its foreign-key triggers are removed).' })],
    proof: { sql: 'DROP TABLE child', relations: { table: ['child'], referenced: ['t'] } },
  },
  {
    id: 'drop-table-cascade',
    title: 'DROP TABLE … CASCADE (referenced by other tables)',
    claims: [
      c(11, {
        locks: [on(AE), on(AE, 'referencing'), on(AE, 'referenced'), on(AE, 'dependent')],
        ...catalogOnly,
        note: 'Foreign keys of other tables that point at it are dropped, which locks those tables too; views on it are dropped.',
      }),
    ],
    proof: { sql: 'DROP TABLE t CASCADE', relations: { table: ['t'], referencing: ['child'], referenced: ['parent'], dependent: ['t_summary'] } },
  },
  {
    id: 'truncate',
    title: 'TRUNCATE',
    claims: [c(11, { locks: [on(AE)], rewrite: true, scan: false, note: 'All rows are gone at once; the table gets new, empty storage.' })],
    proof: { sql: 'TRUNCATE measurements_new', relations: { table: ['measurements_new'] } },
  },
  {
    id: 'truncate-cascade',
    title: 'TRUNCATE … CASCADE',
    claims: [c(11, { locks: [on(AE), on(AE, 'referencing')], rewrite: true, scan: false, note: 'Also empties every table that references it, and theirs, recursively.' })],
    proof: { sql: 'TRUNCATE t CASCADE', relations: { table: ['t'], referencing: ['child'] } },
  },
  {
    id: 'vacuum-full',
    title: 'VACUUM FULL',
    claims: [c(11, { locks: [on(AE)], ...rewrites, transactional: false })],
    proof: { sql: 'VACUUM FULL t', relations: T, concurrent: true, skipPglite: 'needs a second connection' },
  },
  {
    id: 'vacuum',
    title: 'VACUUM / ANALYZE',
    claims: [c(11, { locks: [on(SUE)], ...scanOnly, transactional: false })],
    proof: { sql: 'VACUUM t', relations: T, concurrent: true, skipPglite: 'needs a second connection' },
  },
  {
    id: 'comment-on',
    title: 'COMMENT ON TABLE / COLUMN / VIEW / MATERIALIZED VIEW',
    claims: [
      c(11, {
        locks: [on(SUE)],
        ...catalogOnly,
        note: 'Blocks neither reads nor writes; it waits for, and queues ahead of, other SHARE UPDATE EXCLUSIVE takers (VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT) on the same relation.',
      }),
    ],
    proof: { sql: "COMMENT ON COLUMN t.a IS 'the a column'", relations: T },
  },
  {
    id: 'cluster',
    title: 'CLUSTER',
    claims: [c(11, { locks: [on(AE)], ...rewrites })],
    proof: { sql: 'CLUSTER t USING t_a_idx', relations: T },
  },
  {
    id: 'cluster-all',
    title: 'CLUSTER (without a table: every table clustered before)',
    claims: [c(11, { locks: [on(AE)], ...rewrites, transactional: false, note: 'Rewrites each previously clustered table in its own transaction.' })],
    proof: { setup: 'ALTER TABLE t CLUSTER ON t_a_idx', sql: 'CLUSTER', relations: T, concurrent: true, skipPglite: 'needs a second connection' },
  },
  {
    id: 'refresh-materialized-view',
    title: 'REFRESH MATERIALIZED VIEW',
    claims: [c(11, { locks: [on(AE)], ...rewrites, note: 'Reads of the view wait for the whole refresh.' })],
    proof: { sql: 'REFRESH MATERIALIZED VIEW t_summary', relations: { table: ['t_summary'] } },
  },
  {
    id: 'refresh-materialized-view-concurrently',
    title: 'REFRESH MATERIALIZED VIEW CONCURRENTLY',
    claims: [c(11, { locks: [on(EX)], rewrite: false, scan: true, note: 'Reads go on; needs a unique index on the view.' })],
    proof: { sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY t_summary', relations: { table: ['t_summary'] } },
  },
  {
    id: 'lock-table',
    title: 'LOCK TABLE (default mode: ACCESS EXCLUSIVE)',
    claims: [c(11, { locks: [on(AE)], ...catalogOnly })],
    proof: { sql: 'LOCK TABLE t', relations: T },
  },
  // ───────────────────────────── data ─────────────────────────────
  {
    id: 'update-all',
    title: 'UPDATE without WHERE (a backfill in one statement)',
    claims: [c(11, { locks: [on(RE)], ...scanOnly, note: 'Every row is locked until commit, and every row gets a new version (bloat, WAL, replica lag).' })],
    proof: { sql: 'UPDATE t SET k = a', relations: T },
  },
  {
    id: 'delete-all',
    title: 'DELETE without WHERE',
    claims: [c(11, { locks: [on(RE)], ...scanOnly, note: 'Every row is locked until commit.' })],
    proof: { sql: 'DELETE FROM child', relations: { table: ['child'] } },
  },
  {
    id: 'update',
    title: 'UPDATE … WHERE',
    claims: [c(11, { locks: [on(RE)], ...catalogOnly, note: 'Cost depends on how many rows match.' })],
  },
  {
    id: 'delete',
    title: 'DELETE … WHERE',
    claims: [c(11, { locks: [on(RE)], ...catalogOnly, note: 'Cost depends on how many rows match.' })],
  },
] as const satisfies readonly EffectEntry[];

export type EffectId = (typeof effectList)[number]['id'];

/** Every entry, in table order. */
export const effects: readonly (EffectEntry & { id: EffectId })[] = effectList;

const byId = new Map<string, EffectEntry>(effects.map((e) => [e.id, e]));

export function effectEntry(id: EffectId): EffectEntry {
  return byId.get(id)!;
}

/** The claim an entry makes for a server major, or undefined when that version lacks the statement. */
export function claimFor(id: EffectId, version: number): VersionedClaim | undefined {
  return effectEntry(id).claims.find((cl) => cl.from <= version && (cl.to === undefined || version <= cl.to));
}
