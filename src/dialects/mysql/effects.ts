/**
 * The MySQL/MariaDB effects table: for each kind of change (MyEffectId in effect.ts), per flavor and
 * version range, the algorithms the server can run it with (INSTANT / NOCOPY / INPLACE / COPY) and the
 * least LOCK each allows, whether the table is rebuilt and every row read, and the conditions that change
 * the answer (the VARCHAR length-prefix class, strict sql_mode, foreign_key_checks, an indexed column, an
 * existing FULLTEXT index, the MySQL 8.0.29+ row-version cap).
 *
 * This is the one place that knowledge lives: classify.ts reads it, and
 * test/integration/mysql-effects.test.ts proves every MariaDB 10.11 claim on the MariaDB service by trying
 * each entry's `proofs` with explicit ALGORITHM=INSTANT/NOCOPY/INPLACE/COPY and LOCK=NONE/SHARED on a
 * fresh table and reading the tablespace id before and after. MySQL 8.0/8.4 (and MariaDB versions other
 * than 10.11) cannot run here: those claims come from the manual section in `source` and are shown to
 * users as "documented, not proven here".
 *
 * Semantics of `algorithms` (what the server can do, each with the least LOCK it allows at that algorithm):
 * - no ALGORITHM clause: the server uses the best one (INSTANT > NOCOPY > INPLACE > COPY);
 * - MySQL, explicit `ALGORITHM=X`: accepted only when X is listed (INPLACE is then used even where INSTANT
 *   was possible); a LOCK clause other than DEFAULT with INSTANT is an error;
 * - MariaDB, explicit `ALGORITHM=X` is a floor: accepted when some listed algorithm is at least as good as
 *   X (the best such one runs); COPY is always possible.
 */
import { inRange, type ServerVersion } from '../../core/version.js';
import type { Alg, Lock, MyEffectId } from './effect.js';

/** Facts about the table, the column and the session that change what a change costs. */
export interface ClaimConditions {
  /** The session's sql_mode has STRICT_TRANS_TABLES or STRICT_ALL_TABLES. */
  sqlModeStrict?: boolean;
  /** The table already has a FULLTEXT index (InnoDB's hidden FTS_DOC_ID column exists). */
  fulltextExists?: boolean;
  /** The column is part of an index. */
  indexedColumn?: boolean;
  /** MySQL 8.0.29+: the table already used its 64 INSTANT row versions. */
  rowVersionsFull?: boolean;
  /** The table's ROW_FORMAT is COMPRESSED. */
  rowFormatCompressed?: boolean;
  /** Another table's foreign key references the column (RENAME COLUMN). */
  referencedByForeignKey?: boolean;
  /** VARCHAR growth: the old maximum byte length is ≤ 127 (every stored length fits one byte either way). */
  varcharFromUnder128?: boolean;
}

export interface MyClaim {
  /** Version range (inclusive, either end open), as in inRange. */
  from?: string;
  to?: string;
  /** This claim holds only under these conditions (every one given must match); first matching claim wins. */
  when?: ClaimConditions;
  /** The algorithms the server can run the change with, each with the least LOCK it allows there. */
  algorithms: Partial<Record<Alg, Lock>>;
  /** The table is rebuilt (new tablespace; every row copied) at the best algorithm. */
  rebuild: boolean;
  /** Every row is read (copy, rebuild, index build, validation). */
  scan: boolean;
  /** One sentence a user needs beyond the fields above. */
  note?: string;
  /** The statement has no ALGORITHM/LOCK clause (RENAME TABLE, TRUNCATE, OPTIMIZE, triggers). */
  noClauses?: boolean;
  /** MariaDB quirks: explicit algorithms refused although a better one is listed (the floor rule does not hold). */
  refuses?: Alg[];
}

/** How the test suite proves the MariaDB 10.11 claim: build the fixture, run `setup`, try `statement`. */
export interface MyProof {
  /** What this proof shows when an entry has several (e.g. `indexed column`). */
  title?: string;
  /** Statements after the fixture (`proofFixture`). Tables are `t` and `parent`. */
  setup?: string[];
  /** Session settings before the statement (`SET SESSION foreign_key_checks = 0`). */
  session?: string[];
  /** The statement without ALGORITHM/LOCK clauses. */
  statement: string;
  /** Where an ALGORITHM/LOCK clause goes: after the ALTER's clauses, after CREATE/DROP INDEX, or nowhere. */
  place: 'alter' | 'index' | 'none';
  /** The conditions the setup establishes (selects the claim to compare with). */
  when?: ClaimConditions;
  /** The table whose rebuild is observed (default `t`), and its name after the statement (RENAME). */
  table?: string;
  tableAfter?: string;
  /** Skip the fixture: the setup builds everything. */
  noFixture?: boolean;
  /** The server rejects ALGORITHM/LOCK clauses on this statement as a syntax error (proven too). */
  rejectsClauses?: boolean;
  /** The tablespace id cannot show a rebuild here (the table leaves InnoDB): only acceptance is compared. */
  rebuildUnobservable?: string;
  /** The statement swaps tablespaces without copying rows (EXCHANGE PARTITION): the id changes, the claim says no rebuild. */
  swapsTablespaces?: boolean;
}

export interface MyEffectEntry {
  id: MyEffectId;
  /** How users recognize it: `ADD COLUMN … (last)`. */
  title: string;
  /** What it is, in a sentence. */
  what: string;
  /** Claims per flavor, first match wins; no matching claim = the server does not support it. */
  mysql: MyClaim[];
  mariadb: MyClaim[];
  /** Manual sections the claims come from. */
  source: { mysql: string; mariadb: string };
  /** Proofs on the MariaDB 10.11 service (absent only where no proof can run here, with `unproven` saying why). */
  proofs?: MyProof[];
  unproven?: string;
}

/** The MariaDB release the test suite proves claims on (the service). */
export const PROVEN_ON: ServerVersion = { flavor: 'mariadb', major: 10, minor: 11 };

/** Versions the table covers (for docs): MySQL 8.0 / 8.4, MariaDB 10.3 – 11.x. */
export const COVERED = { mysql: ['8.0', '8.4'], mariadb: ['10.3', '10.4', '10.5', '10.6', '10.11', '11.x'] };

/**
 * The fixture every proof starts from: InnoDB, utf8mb4, rows present (a "no rebuild" claim must not be an
 * artefact of an empty table). VARCHAR bytes: v 20×4 = 80, w 100×4 = 400, l 200×1 = 200, n 20×4 = 80.
 */
export const proofFixture: string[] = [
  `CREATE TABLE parent (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB`,
  `INSERT INTO parent VALUES (1), (2), (3)`,
  `CREATE TABLE t (
  id INT NOT NULL PRIMARY KEY,
  a INT,
  b INT NOT NULL DEFAULT 0,
  v VARCHAR(20) CHARACTER SET utf8mb4,
  w VARCHAR(100) CHARACTER SET utf8mb4,
  l VARCHAR(200) CHARACTER SET latin1,
  n VARCHAR(20),
  m VARCHAR(20) CHARACTER SET utf8mb3,
  e ENUM('x','y','z'),
  s SET('p','q'),
  d DECIMAL(10,2),
  txt TEXT,
  pid INT,
  g POINT NOT NULL,
  KEY ia (a),
  KEY iv (v)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `INSERT INTO t VALUES
  (1, 1, 1, 'v1', 'w1', 'l1', 'n1', 'm1', 'x', 'p', 1.50, 'one', 1, POINT(1,1)),
  (2, 2, 2, 'v2', 'w2', 'l2', 'n2', 'm2', 'y', 'q', 2.50, 'two', 2, POINT(2,2)),
  (3, 3, 3, 'v3', 'w3', 'l3', 'n3', 'm3', 'z', 'p,q', 3.50, 'three', 3, POINT(3,3))`,
];

// Shorthands for the claims below.
const MY = (section: string) => `MySQL 8.0 Reference Manual §15.12.1 "Online DDL Operations" (${section}); 8.4: §17.12.1`;
const MDB_INSTANT = 'MariaDB KB "InnoDB Online DDL Operations with the INSTANT Alter Algorithm"';
const MDB_NOCOPY = 'MariaDB KB "InnoDB Online DDL Operations with the NOCOPY Alter Algorithm"';
const MDB_INPLACE = 'MariaDB KB "InnoDB Online DDL Operations with the INPLACE Alter Algorithm"';
const MDB_ALTER = 'MariaDB KB "ALTER TABLE" and "InnoDB Online DDL Overview"';

type ClaimBody = Omit<MyClaim, 'from' | 'to'>;
const range = (from: string | undefined, to: string | undefined, body: ClaimBody): MyClaim => ({ ...(from ? { from } : {}), ...(to ? { to } : {}), ...body });

/** Metadata only: INSTANT on both flavors (no rebuild, no scan). */
const instant = (note?: string): ClaimBody => ({ algorithms: { instant: 'none', inplace: 'none', copy: 'shared' }, rebuild: false, scan: false, ...(note ? { note } : {}) });
/** MariaDB: NOCOPY (no rebuild) with LOCK=NONE. */
const nocopy = (lock: Lock = 'none', scan = false, note?: string): ClaimBody => ({ algorithms: { nocopy: lock, inplace: lock, copy: 'shared' }, rebuild: false, scan, ...(note ? { note } : {}) });
/** In place without a rebuild (MySQL's INPLACE "only modifies metadata" or an index build). */
const inplace = (lock: Lock = 'none', scan = false, note?: string): ClaimBody => ({ algorithms: { inplace: lock, copy: 'shared' }, rebuild: false, scan, ...(note ? { note } : {}) });
/** In place with a rebuild (the table is rebuilt while DML runs, from a row log). */
const rebuild = (lock: Lock = 'none', note?: string): ClaimBody => ({ algorithms: { inplace: lock, copy: 'shared' }, rebuild: true, scan: true, ...(note ? { note } : {}) });
/** A table copy; writes blocked (LOCK=SHARED at least). */
const copy = (note?: string): ClaimBody => ({ algorithms: { copy: 'shared' }, rebuild: true, scan: true, ...(note ? { note } : {}) });
/** MariaDB 11.2+: ALGORITHM=COPY runs online (LOCK=NONE), writes are replayed from an online log (MDEV-16329). */
const copyOnline = (note?: string): ClaimBody => ({ algorithms: { copy: 'none' }, rebuild: true, scan: true, ...(note ? { note } : {}) });
/** A statement without ALGORITHM/LOCK clauses. */
const statement = (lock: Lock, rebuilds: boolean, scan: boolean, note?: string): ClaimBody => ({ algorithms: { instant: lock }, rebuild: rebuilds, scan, noClauses: true, ...(note ? { note } : {}) });

/** MariaDB partition maintenance: no ALGORITHM/LOCK clause exists for it (a syntax error); the lock is documented, not observed. */
const mdbPartition = (lock: Lock, rebuilds: boolean, scan: boolean, note: string): ClaimBody => ({
  algorithms: { inplace: lock },
  rebuild: rebuilds,
  scan,
  noClauses: true,
  note: `${note} MariaDB accepts no ALGORITHM/LOCK clause here (syntax error).`,
});

/** MariaDB's copy claims: SHARED before 11.2, online (LOCK=NONE) from 11.2. */
const mariadbCopy = (note?: string): MyClaim[] => [range(undefined, '11.1', copy(note)), range('11.2', undefined, copyOnline(note))];

const alter = (statement: string, extra: Partial<MyProof> = {}): MyProof => ({ statement, place: 'alter', ...extra });

export const mysqlEffects = {
  // ---------------------------------------------------------------- columns
  'add-column-last': {
    id: 'add-column-last',
    title: 'ADD COLUMN (last, literal or no default)',
    what: 'A new column at the end of the table with NULL or a constant default.',
    mysql: [
      range('8.0.29', undefined, { ...rebuild('none', 'The 64 row versions are used up: ALGORITHM=INSTANT fails with ERROR 4092, no clause silently rebuilds (INPLACE), which resets the count.'), when: { rowVersionsFull: true } }),
      range(undefined, undefined, { ...rebuild('shared', 'A table with a FULLTEXT index cannot add a column instantly, and the rebuild blocks writes.'), when: { fulltextExists: true } }),
      range(undefined, undefined, { ...rebuild('none', 'ROW_FORMAT=COMPRESSED tables cannot add a column instantly.'), when: { rowFormatCompressed: true } }),
      range('8.0.12', undefined, instant('From 8.0.29 each INSTANT ADD/DROP COLUMN uses one of the table\'s 64 row versions (INFORMATION_SCHEMA.INNODB_TABLES.TOTAL_ROW_VERSIONS).')),
    ],
    mariadb: [
      range(undefined, undefined, { ...rebuild('shared', 'A table with a FULLTEXT index (hidden FTS_DOC_ID) cannot add a column instantly; the rebuild blocks writes ("Fulltext index creation requires a lock").'), when: { fulltextExists: true } }),
      range('10.3', undefined, instant()),
    ],
    source: { mysql: MY('Column Operations: Adding a column'), mariadb: MDB_INSTANT + ' (ADD COLUMN)' },
    proofs: [alter('ALTER TABLE t ADD COLUMN c1 INT NULL'), alter("ALTER TABLE t ADD COLUMN c1 VARCHAR(10) NOT NULL DEFAULT 'x'", { title: 'NOT NULL with a literal default' }), alter('ALTER TABLE t ADD COLUMN c1 INT', { title: 'table with a FULLTEXT index', setup: ['ALTER TABLE t ADD FULLTEXT INDEX ft (txt)'], when: { fulltextExists: true } })],
  },
  'add-column-positioned': {
    id: 'add-column-positioned',
    title: 'ADD COLUMN … FIRST / AFTER',
    what: 'A new column placed before the last position.',
    mysql: [
      range('8.0.29', undefined, { ...rebuild('none', 'Row versions used up: ALGORITHM=INSTANT fails (ERROR 4092); no clause rebuilds.'), when: { rowVersionsFull: true } }),
      range(undefined, undefined, { ...rebuild('shared'), when: { fulltextExists: true } }),
      range('8.0.29', undefined, instant('Uses one of the table\'s 64 row versions.')),
      range(undefined, '8.0.28', rebuild('none', 'Before 8.0.29 INSTANT adds only at the end.')),
    ],
    mariadb: [
      range(undefined, undefined, { ...rebuild('shared'), when: { fulltextExists: true } }),
      range('10.4', undefined, instant()),
      range(undefined, '10.3', rebuild('none', '10.3 adds instantly only at the end.')),
    ],
    source: { mysql: MY('Column Operations: Adding a column'), mariadb: MDB_INSTANT + ' (ADD COLUMN … FIRST/AFTER, 10.4+)' },
    proofs: [alter('ALTER TABLE t ADD COLUMN c1 INT AFTER a'), alter('ALTER TABLE t ADD COLUMN c1 INT FIRST', { title: 'FIRST' })],
  },
  'add-column-auto-increment': {
    id: 'add-column-auto-increment',
    title: 'ADD COLUMN … AUTO_INCREMENT',
    what: 'A new AUTO_INCREMENT column: every existing row gets a generated value.',
    mysql: [range(undefined, undefined, rebuild('shared', 'Concurrent DML is not permitted while the values are generated.'))],
    mariadb: [range(undefined, undefined, rebuild('shared', 'Every row gets a generated value; "Adding an auto-increment column requires a lock".'))],
    source: { mysql: MY('Column Operations: Adding an auto-increment column'), mariadb: MDB_INPLACE },
    proofs: [alter('ALTER TABLE t ADD COLUMN seq BIGINT NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY (seq)')],
  },
  'add-column-default-expression': {
    id: 'add-column-default-expression',
    title: 'ADD COLUMN … DEFAULT (expression) / CURRENT_TIMESTAMP',
    what: 'A new column whose default is an expression each existing row evaluates.',
    mysql: [range('8.0.13', undefined, copy('An expression default is evaluated per row: the table is copied.'))],
    mariadb: [range('10.4', undefined, instant('MariaDB adds it instantly even for RAND() or CURRENT_TIMESTAMP: existing rows read one value computed at the ALTER.')), range(undefined, '10.3', copy('Not proven here for 10.3.'))],
    source: { mysql: MY('Column Operations: Adding a column') + '; §13.6 "Data Type Default Values"', mariadb: MDB_INSTANT + ' (limitations: non-constant DEFAULT)' },
    proofs: [alter('ALTER TABLE t ADD COLUMN r DOUBLE DEFAULT (RAND())'), alter('ALTER TABLE t ADD COLUMN created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP', { title: 'DEFAULT CURRENT_TIMESTAMP' })],
  },
  'add-column-virtual': {
    id: 'add-column-virtual',
    title: 'ADD COLUMN … AS (expr) VIRTUAL',
    what: 'A virtual generated column: computed on read, nothing stored.',
    mysql: [range('8.0.12', undefined, instant('Not on a partitioned table (INPLACE there).'))],
    mariadb: [range('10.3', undefined, instant())],
    source: { mysql: MY('Generated Column Operations: Adding a VIRTUAL column'), mariadb: MDB_INSTANT },
    proofs: [alter('ALTER TABLE t ADD COLUMN ab INT AS (a + b) VIRTUAL')],
  },
  'add-column-stored': {
    id: 'add-column-stored',
    title: 'ADD COLUMN … AS (expr) STORED / PERSISTENT',
    what: 'A stored generated column: every row gets the computed value written.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: mariadbCopy(),
    source: { mysql: MY('Generated Column Operations: Adding a STORED column'), mariadb: MDB_ALTER },
    proofs: [alter('ALTER TABLE t ADD COLUMN ab INT AS (a + b) STORED')],
  },
  'drop-column': {
    id: 'drop-column',
    title: 'DROP COLUMN (not indexed)',
    what: 'Removes a column that no index uses.',
    mysql: [
      range('8.0.29', undefined, { ...rebuild('none', 'Row versions used up: ALGORITHM=INSTANT fails (ERROR 4092); no clause rebuilds.'), when: { rowVersionsFull: true } }),
      range('8.0.29', undefined, instant('Uses one of the table\'s 64 row versions.')),
      range(undefined, '8.0.28', rebuild('none')),
    ],
    mariadb: [range('10.4', undefined, instant()), range(undefined, '10.3', rebuild('none'))],
    source: { mysql: MY('Column Operations: Dropping a column'), mariadb: MDB_INSTANT + ' (DROP COLUMN, 10.4+)' },
    proofs: [alter('ALTER TABLE t DROP COLUMN d')],
  },
  'drop-column-indexed': {
    id: 'drop-column-indexed',
    title: 'DROP COLUMN (part of an index)',
    what: 'Removes a column an index uses; the index is dropped or shrunk with it.',
    mysql: [range(undefined, undefined, rebuild('none', 'INSTANT DROP COLUMN does not apply to an indexed column.'))],
    mariadb: [range('10.4', undefined, nocopy('none', false, 'The index goes with the column; the rows are not copied.')), range(undefined, '10.3', rebuild('none'))],
    source: { mysql: MY('Column Operations: Dropping a column'), mariadb: MDB_NOCOPY },
    proofs: [alter('ALTER TABLE t DROP COLUMN a')],
  },
  'rename-column': {
    id: 'rename-column',
    title: 'RENAME COLUMN / CHANGE with the same definition',
    what: 'A new name, same type.',
    mysql: [
      range(undefined, undefined, { ...inplace('none', false, 'Another table\'s foreign key references it: INPLACE.'), when: { referencedByForeignKey: true } }),
      range('8.0.28', undefined, instant()),
      range(undefined, '8.0.27', inplace('none', false, 'Metadata only.')),
    ],
    mariadb: [range('10.3', undefined, instant())],
    source: { mysql: MY('Column Operations: Renaming a column'), mariadb: MDB_INSTANT },
    proofs: [alter('ALTER TABLE t RENAME COLUMN n TO n2'), alter('ALTER TABLE t CHANGE n n2 VARCHAR(20)', { title: 'CHANGE, same type' }), alter('ALTER TABLE t RENAME COLUMN a TO a2', { title: 'indexed column', when: { indexedColumn: true } })],
  },
  'reorder-column': {
    id: 'reorder-column',
    title: 'MODIFY/CHANGE … FIRST / AFTER (same definition)',
    what: 'Moves a column.',
    mysql: [range(undefined, undefined, rebuild('none'))],
    mariadb: [range('10.4', undefined, instant()), range(undefined, '10.3', rebuild('none'))],
    source: { mysql: MY('Column Operations: Reordering columns'), mariadb: MDB_INSTANT + ' (reorder, 10.4+)' },
    proofs: [alter('ALTER TABLE t MODIFY n VARCHAR(20) AFTER id')],
  },
  'set-default': {
    id: 'set-default',
    title: 'ALTER COLUMN … SET DEFAULT',
    what: 'A new default for future rows.',
    mysql: [range(undefined, undefined, instant())],
    mariadb: [range(undefined, undefined, instant())],
    source: { mysql: MY('Column Operations: Setting a column default value'), mariadb: MDB_INSTANT },
    proofs: [alter('ALTER TABLE t ALTER COLUMN a SET DEFAULT 5')],
  },
  'drop-default': {
    id: 'drop-default',
    title: 'ALTER COLUMN … DROP DEFAULT',
    what: 'No default for future rows.',
    mysql: [range(undefined, undefined, instant())],
    mariadb: [range(undefined, undefined, instant())],
    source: { mysql: MY('Column Operations: Dropping a column default value'), mariadb: MDB_INSTANT },
    proofs: [alter('ALTER TABLE t ALTER COLUMN b DROP DEFAULT')],
  },
  'make-not-null': {
    id: 'make-not-null',
    title: 'MODIFY … NOT NULL (was NULL)',
    what: 'The column may no longer hold NULL: every row is checked.',
    mysql: [
      range(undefined, undefined, { ...copy('Without strict sql_mode existing NULLs become the type\'s implicit default (0, \'\'), silently.'), when: { sqlModeStrict: false } }),
      range(undefined, undefined, rebuild('none', 'Strict sql_mode: fails if a row holds NULL.')),
    ],
    mariadb: [
      range(undefined, undefined, { ...rebuild('none', 'Without strict sql_mode the same online rebuild (MariaDB does not fall back to COPY); existing NULLs become the type\'s implicit default.'), when: { sqlModeStrict: false } }),
      range(undefined, undefined, rebuild('none', 'Strict sql_mode: fails if a row holds NULL.')),
    ],
    source: { mysql: MY('Column Operations: Making a column NOT NULL'), mariadb: MDB_INPLACE },
    proofs: [alter('ALTER TABLE t MODIFY n VARCHAR(20) NOT NULL', { when: { sqlModeStrict: true } }), alter('ALTER TABLE t MODIFY n VARCHAR(20) NOT NULL', { title: 'non-strict sql_mode', session: ["SET SESSION sql_mode = ''"], when: { sqlModeStrict: false } })],
  },
  'make-nullable': {
    id: 'make-nullable',
    title: 'MODIFY … NULL (was NOT NULL)',
    what: 'The column may hold NULL.',
    mysql: [range(undefined, undefined, rebuild('none'))],
    mariadb: [range(undefined, undefined, rebuild('none', 'Instant only for ROW_FORMAT=REDUNDANT; the default DYNAMIC format rebuilds.'))],
    source: { mysql: MY('Column Operations: Making a column NULL'), mariadb: MDB_INPLACE },
    proofs: [alter('ALTER TABLE t MODIFY b INT NULL DEFAULT 0')],
  },
  'varchar-extend-same-prefix': {
    id: 'varchar-extend-same-prefix',
    title: 'VARCHAR(n) → VARCHAR(m > n) within the same length-prefix class',
    what: 'Longer VARCHAR whose maximum byte length (chars × bytes per char of the column\'s charset) stays ≤ 255 or stays ≥ 256.',
    mysql: [range(undefined, undefined, inplace('none', false, 'Metadata only (the length prefix keeps its size).'))],
    mariadb: [range('10.4', undefined, instant()), range(undefined, '10.3', inplace('none', false, 'Metadata only.'))],
    source: { mysql: MY('Column Operations: Extending VARCHAR column size'), mariadb: MDB_INSTANT + ' (extending VARCHAR, 10.4+)' },
    proofs: [
      alter('ALTER TABLE t MODIFY n VARCHAR(60)', { title: 'utf8mb4 80 → 240 bytes' }),
      alter('ALTER TABLE t MODIFY w VARCHAR(200) CHARACTER SET utf8mb4', { title: 'utf8mb4 400 → 800 bytes' }),
      alter('ALTER TABLE t MODIFY l VARCHAR(255) CHARACTER SET latin1', { title: 'latin1 200 → 255 bytes' }),
      alter('ALTER TABLE t MODIFY v VARCHAR(60)', { title: 'indexed column, 80 → 240 bytes', when: { indexedColumn: true } }),
    ],
  },
  'varchar-extend-cross-prefix': {
    id: 'varchar-extend-cross-prefix',
    title: 'VARCHAR(n) → VARCHAR(m) crossing 255 bytes',
    what: 'Longer VARCHAR whose maximum byte length goes from ≤ 255 to ≥ 256: the length prefix grows from 1 to 2 bytes in every row.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: [
      range('10.4', undefined, { ...instant('The old maximum is ≤ 127 bytes: every stored length still fits in one byte, so MariaDB extends it instantly.'), when: { varcharFromUnder128: true } }),
      ...mariadbCopy(),
    ],
    source: { mysql: MY('Column Operations: Extending VARCHAR column size'), mariadb: MDB_INSTANT + ' (limitations)' },
    proofs: [
      alter('ALTER TABLE t MODIFY n VARCHAR(64)', { title: 'utf8mb4 80 → 256 bytes (old maximum ≤ 127)', when: { varcharFromUnder128: true } }),
      alter('ALTER TABLE t MODIFY n VARCHAR(64)', { title: 'utf8mb4 160 → 256 bytes', setup: ['ALTER TABLE t MODIFY n VARCHAR(40)'] }), alter('ALTER TABLE t MODIFY l VARCHAR(256) CHARACTER SET latin1', { title: 'latin1 200 → 256 bytes' })],
  },
  'varchar-shrink': {
    id: 'varchar-shrink',
    title: 'VARCHAR(n) → VARCHAR(m < n)',
    what: 'Shorter VARCHAR: every value is checked (and truncated without strict mode).',
    mysql: [range(undefined, undefined, copy())],
    mariadb: mariadbCopy(),
    source: { mysql: MY('Column Operations: Changing the column data type'), mariadb: MDB_ALTER },
    proofs: [alter('ALTER TABLE t MODIFY n VARCHAR(10)')],
  },
  'enum-append': {
    id: 'enum-append',
    title: 'ENUM/SET: members added at the end',
    what: 'New members after the existing ones, the storage size unchanged (≤ 255 ENUM members, ≤ 8·k SET members).',
    mysql: [range(undefined, undefined, instant())],
    mariadb: [range('10.3', undefined, instant())],
    source: { mysql: MY('Column Operations: Modifying the definition of an ENUM or SET column'), mariadb: MDB_INSTANT },
    proofs: [alter("ALTER TABLE t MODIFY e ENUM('x','y','z','w')"), alter("ALTER TABLE t MODIFY s SET('p','q','r')", { title: 'SET' })],
  },
  'enum-reorder': {
    id: 'enum-reorder',
    title: 'ENUM/SET: members reordered, removed or inserted',
    what: 'Any ENUM/SET change other than appending: the stored numbers change meaning, every row is rewritten.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: mariadbCopy(),
    source: { mysql: MY('Column Operations: Modifying the definition of an ENUM or SET column'), mariadb: MDB_ALTER },
    proofs: [alter("ALTER TABLE t MODIFY e ENUM('w','x','y','z')"), alter("ALTER TABLE t MODIFY e ENUM('x','xy','y','z')", { title: 'member inserted' })],
  },
  'change-type': {
    id: 'change-type',
    title: 'MODIFY/CHANGE to another data type',
    what: 'int → bigint, decimal precision, text → varchar, …: every row is converted.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: mariadbCopy(),
    source: { mysql: MY('Column Operations: Changing the column data type'), mariadb: MDB_ALTER },
    proofs: [alter('ALTER TABLE t MODIFY a BIGINT'), alter('ALTER TABLE t MODIFY d DECIMAL(14,2)', { title: 'decimal precision' }), alter('ALTER TABLE t MODIFY pid BIGINT', { title: 'int → bigint, not indexed' })],
  },
  'column-charset': {
    id: 'column-charset',
    title: 'MODIFY … CHARACTER SET x (column)',
    what: 'The column\'s character set changes: every value is converted.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: mariadbCopy(),
    source: { mysql: MY('Column Operations: Changing the column data type'), mariadb: MDB_ALTER },
    proofs: [alter('ALTER TABLE t MODIFY l VARCHAR(200) CHARACTER SET utf8mb4')],
  },
  'column-visibility': {
    id: 'column-visibility',
    title: 'Column INVISIBLE / VISIBLE',
    what: 'Hides the column from SELECT *.',
    mysql: [range('8.0.23', undefined, instant())],
    mariadb: [range('10.3', undefined, instant())],
    source: { mysql: MY('Column Operations') + '; §13.1.9 "ALTER TABLE" (ALTER COLUMN … SET INVISIBLE, 8.0.23+)', mariadb: 'MariaDB KB "Invisible Columns" (MODIFY … INVISIBLE)' },
    proofs: [alter('ALTER TABLE t MODIFY n VARCHAR(20) INVISIBLE')],
  },
  // ---------------------------------------------------------------- indexes and keys
  'add-index': {
    id: 'add-index',
    title: 'ADD INDEX / CREATE INDEX',
    what: 'A secondary index: built by a scan while writes go on.',
    mysql: [range(undefined, undefined, inplace('none', true))],
    mariadb: [range(undefined, undefined, nocopy('none', true))],
    source: { mysql: MY('Index Operations: Creating or adding a secondary index'), mariadb: MDB_NOCOPY },
    proofs: [alter('ALTER TABLE t ADD INDEX ib (b)'), { title: 'CREATE INDEX', statement: 'CREATE INDEX ib ON t (b)', place: 'index' }],
  },
  'add-unique': {
    id: 'add-unique',
    title: 'ADD UNIQUE',
    what: 'A unique secondary index: built by a scan; fails if duplicates exist (or arrive during the build).',
    mysql: [range(undefined, undefined, inplace('none', true))],
    mariadb: [range(undefined, undefined, nocopy('none', true))],
    source: { mysql: MY('Index Operations: Creating or adding a secondary index'), mariadb: MDB_NOCOPY },
    proofs: [alter('ALTER TABLE t ADD UNIQUE KEY ub (b)'), { title: 'CREATE UNIQUE INDEX', statement: 'CREATE UNIQUE INDEX ub ON t (b)', place: 'index' }],
  },
  'add-fulltext': {
    id: 'add-fulltext',
    title: 'ADD FULLTEXT',
    what: 'A FULLTEXT index; the first one adds the hidden FTS_DOC_ID column (a rebuild).',
    mysql: [
      range(undefined, undefined, { ...inplace('shared', true, 'Concurrent DML is not permitted.'), when: { fulltextExists: true } }),
      range(undefined, undefined, rebuild('shared', 'The first FULLTEXT index adds FTS_DOC_ID: a rebuild, unless the table has a user-defined FTS_DOC_ID.')),
    ],
    mariadb: [
      range(undefined, undefined, { ...nocopy('shared', true, 'Concurrent DML is not permitted.'), when: { fulltextExists: true } }),
      range(undefined, undefined, rebuild('shared', 'The first FULLTEXT index adds FTS_DOC_ID: a rebuild.')),
    ],
    source: { mysql: MY('Index Operations: Adding a FULLTEXT index'), mariadb: MDB_INPLACE + ' / ' + MDB_NOCOPY },
    proofs: [alter('ALTER TABLE t ADD FULLTEXT INDEX ft (txt)'), alter('ALTER TABLE t ADD FULLTEXT INDEX ft2 (w)', { title: 'a FULLTEXT index exists', setup: ['ALTER TABLE t ADD FULLTEXT INDEX ft (txt)'], when: { fulltextExists: true } })],
  },
  'add-spatial': {
    id: 'add-spatial',
    title: 'ADD SPATIAL INDEX',
    what: 'An R-tree index on a NOT NULL geometry column.',
    mysql: [range(undefined, undefined, inplace('shared', true, 'Concurrent DML is not permitted.'))],
    mariadb: [range(undefined, undefined, nocopy('shared', true, 'Concurrent DML is not permitted.'))],
    source: { mysql: MY('Index Operations: Adding a SPATIAL index'), mariadb: MDB_NOCOPY },
    proofs: [alter('ALTER TABLE t ADD SPATIAL INDEX sg (g)')],
  },
  'drop-index': {
    id: 'drop-index',
    title: 'DROP INDEX',
    what: 'Removes a secondary index (metadata; the pages are freed).',
    mysql: [range(undefined, undefined, inplace('none', false, 'Metadata only.'))],
    mariadb: [range(undefined, undefined, nocopy('none'))],
    source: { mysql: MY('Index Operations: Dropping an index'), mariadb: MDB_NOCOPY },
    proofs: [alter('ALTER TABLE t DROP INDEX ia'), { title: 'DROP INDEX … ON (no ALGORITHM/LOCK clause on MariaDB)', statement: 'DROP INDEX ia ON t', place: 'none', rejectsClauses: true }],
  },
  'rename-index': {
    id: 'rename-index',
    title: 'RENAME INDEX',
    what: 'A new name for an index.',
    mysql: [range(undefined, undefined, inplace('none', false, 'Metadata only.'))],
    mariadb: [range('10.5.2', undefined, instant()), range(undefined, '10.5.1', { algorithms: {}, rebuild: false, scan: false, note: 'RENAME INDEX arrived in 10.5.2.' })],
    source: { mysql: MY('Index Operations: Renaming an index'), mariadb: MDB_INSTANT + ' (RENAME INDEX, 10.5.2+)' },
    proofs: [alter('ALTER TABLE t RENAME INDEX ia TO ia2')],
  },
  'index-visibility': {
    id: 'index-visibility',
    title: 'Index INVISIBLE / VISIBLE (MySQL), IGNORED / NOT IGNORED (MariaDB)',
    what: 'The optimizer stops (or starts) using the index; it is still maintained.',
    mysql: [range(undefined, undefined, inplace('none', false, 'Metadata only.'))],
    mariadb: [range('10.6', undefined, instant())],
    source: { mysql: MY('Index Operations: Changing the index visibility') + '; §10.3.12 "Invisible Indexes"', mariadb: 'MariaDB KB "Ignored Indexes" (10.6+)' },
    proofs: [alter('ALTER TABLE t ALTER INDEX ia IGNORED')],
  },
  'add-primary-key': {
    id: 'add-primary-key',
    title: 'ADD PRIMARY KEY (table had none)',
    what: 'The clustered index changes: the table is rebuilt; columns become NOT NULL.',
    mysql: [range(undefined, undefined, rebuild('none', 'Columns that must become NOT NULL need strict sql_mode for INPLACE.'))],
    mariadb: [range(undefined, undefined, rebuild('none'))],
    source: { mysql: MY('Primary Key Operations: Adding a primary key'), mariadb: MDB_INPLACE },
    proofs: [
      {
        statement: 'ALTER TABLE t ADD PRIMARY KEY (id)',
        place: 'alter',
        noFixture: true,
        setup: ['CREATE TABLE t (id INT NOT NULL, a INT) ENGINE=InnoDB', 'INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)'],
      },
    ],
  },
  'drop-primary-key': {
    id: 'drop-primary-key',
    title: 'DROP PRIMARY KEY (alone)',
    what: 'The clustered index goes: the table is copied to a hidden row-id order.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: [range(undefined, undefined, copy('Even from 11.2 (online COPY), dropping the primary key alone cannot run with LOCK=NONE.'))],
    source: { mysql: MY('Primary Key Operations: Dropping a primary key'), mariadb: MDB_ALTER },
    proofs: [alter('ALTER TABLE t DROP PRIMARY KEY')],
  },
  'replace-primary-key': {
    id: 'replace-primary-key',
    title: 'DROP PRIMARY KEY, ADD PRIMARY KEY in one ALTER',
    what: 'Another primary key: the table is rebuilt in the new order.',
    mysql: [range(undefined, undefined, rebuild('none'))],
    mariadb: [range(undefined, undefined, rebuild('none'))],
    source: { mysql: MY('Primary Key Operations: Dropping a primary key and adding another'), mariadb: MDB_INPLACE },
    proofs: [alter('ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, b)')],
  },
  'add-foreign-key': {
    id: 'add-foreign-key',
    title: 'ADD FOREIGN KEY (foreign_key_checks = 1)',
    what: 'A foreign key validated against the parent: the table is copied.',
    mysql: [range(undefined, undefined, copy('INPLACE only with foreign_key_checks = 0.'))],
    mariadb: mariadbCopy('INPLACE (NOCOPY) only with foreign_key_checks = 0.'),
    source: { mysql: MY('Foreign Key Operations: Adding a foreign key constraint'), mariadb: MDB_NOCOPY },
    proofs: [alter('ALTER TABLE t ADD CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES parent (id)')],
  },
  'add-foreign-key-unchecked': {
    id: 'add-foreign-key-unchecked',
    title: 'ADD FOREIGN KEY with foreign_key_checks = 0',
    what: 'A foreign key not validated: existing rows are not checked (orphans stay).',
    mysql: [range(undefined, undefined, inplace('none', false, 'Existing rows are not checked.'))],
    mariadb: [range(undefined, undefined, nocopy('none', false, 'Existing rows are not checked.'))],
    source: { mysql: MY('Foreign Key Operations: Adding a foreign key constraint'), mariadb: MDB_NOCOPY },
    proofs: [alter('ALTER TABLE t ADD CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES parent (id)', { session: ['SET SESSION foreign_key_checks = 0'] })],
  },
  'drop-foreign-key': {
    id: 'drop-foreign-key',
    title: 'DROP FOREIGN KEY',
    what: 'Removes a foreign key (metadata).',
    mysql: [range(undefined, undefined, inplace('none', false, 'Metadata only.'))],
    mariadb: [range(undefined, undefined, instant())],
    source: { mysql: MY('Foreign Key Operations: Dropping a foreign key constraint'), mariadb: MDB_INSTANT },
    proofs: [alter('ALTER TABLE t DROP FOREIGN KEY fk_pid', { setup: ['ALTER TABLE t ADD CONSTRAINT fk_pid FOREIGN KEY (pid) REFERENCES parent (id)'] })],
  },
  'add-check': {
    id: 'add-check',
    title: 'ADD CHECK',
    what: 'A CHECK constraint, validated against every row.',
    mysql: [range('8.0.16', undefined, copy('Every row is validated.'))],
    mariadb: mariadbCopy('Every row is validated.'),
    source: { mysql: '§13.1.20.6 "CHECK Constraints"', mariadb: 'MariaDB KB "CONSTRAINT" (CHECK constraints, 10.2+)' },
    proofs: [alter('ALTER TABLE t ADD CONSTRAINT ck_b CHECK (b >= 0)')],
  },
  'drop-check': {
    id: 'drop-check',
    title: 'DROP CHECK / DROP CONSTRAINT (check)',
    what: 'Removes a CHECK constraint (metadata).',
    mysql: [range('8.0.16', undefined, instant())],
    mariadb: [range(undefined, undefined, instant())],
    source: { mysql: '§13.1.20.6 "CHECK Constraints"', mariadb: 'MariaDB KB "CONSTRAINT"' },
    proofs: [alter('ALTER TABLE t DROP CONSTRAINT ck_b', { setup: ['ALTER TABLE t ADD CONSTRAINT ck_b CHECK (b >= 0)'] })],
  },
  // ---------------------------------------------------------------- the table
  'table-engine': {
    id: 'table-engine',
    title: 'ENGINE = another engine',
    what: 'The table moves to another storage engine: a copy.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: [range(undefined, undefined, { ...copy('MariaDB 10.11 accepts ALGORITHM=INSTANT and NOCOPY for an engine change (and still copies the rows) but refuses INPLACE.'), algorithms: { instant: 'shared', nocopy: 'shared', copy: 'shared' }, refuses: ['inplace'] })],
    source: { mysql: MY('Table Operations: Changing the storage engine'), mariadb: MDB_ALTER },
    proofs: [alter('ALTER TABLE t ENGINE = Aria', { rebuildUnobservable: 'the table leaves InnoDB, so it has no tablespace id after' })],
  },
  'table-row-format': {
    id: 'table-row-format',
    title: 'ROW_FORMAT = …',
    what: 'Another InnoDB row format: the table is rebuilt.',
    mysql: [range(undefined, undefined, rebuild('none'))],
    mariadb: [range(undefined, undefined, rebuild('none'))],
    source: { mysql: MY('Table Operations: Changing ROW_FORMAT'), mariadb: MDB_INPLACE },
    proofs: [alter('ALTER TABLE t ROW_FORMAT = COMPACT')],
  },
  'table-convert-charset': {
    id: 'table-convert-charset',
    title: 'CONVERT TO CHARACTER SET',
    what: 'Every string column is converted: a copy.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: mariadbCopy(),
    source: { mysql: MY('Table Operations: Converting a character set'), mariadb: MDB_ALTER },
    proofs: [alter('ALTER TABLE t CONVERT TO CHARACTER SET latin1')],
  },
  'table-default-charset': {
    id: 'table-default-charset',
    title: 'DEFAULT CHARACTER SET = x (table default only)',
    what: 'The default for new columns; existing columns keep theirs.',
    mysql: [range(undefined, undefined, rebuild('none', 'The manual lists a rebuild when the new character set differs.'))],
    mariadb: [range(undefined, undefined, instant())],
    source: { mysql: MY('Table Operations: Specifying a character set'), mariadb: MDB_INSTANT },
    proofs: [alter('ALTER TABLE t DEFAULT CHARACTER SET latin1')],
  },
  'table-auto-increment': {
    id: 'table-auto-increment',
    title: 'AUTO_INCREMENT = n',
    what: 'The next AUTO_INCREMENT value.',
    mysql: [range(undefined, undefined, inplace('none', false, 'Metadata only (stored in memory, not the data file).'))],
    mariadb: [range(undefined, undefined, instant())],
    source: { mysql: MY('Column Operations: Changing the auto-increment value'), mariadb: MDB_INSTANT },
    proofs: [alter('ALTER TABLE t AUTO_INCREMENT = 1000')],
  },
  'table-comment': {
    id: 'table-comment',
    title: "COMMENT = '…'",
    what: 'The table comment.',
    mysql: [range(undefined, undefined, instant())],
    mariadb: [range(undefined, undefined, instant())],
    source: { mysql: MY('Table Operations'), mariadb: MDB_INSTANT },
    proofs: [alter("ALTER TABLE t COMMENT = 'orders of customers'")],
  },
  'table-key-block-size': {
    id: 'table-key-block-size',
    title: 'KEY_BLOCK_SIZE = n',
    what: 'The compressed page size: the table is rebuilt.',
    mysql: [range(undefined, undefined, rebuild('none'))],
    mariadb: [range(undefined, undefined, rebuild('none'))],
    source: { mysql: MY('Table Operations: Setting the KEY_BLOCK_SIZE'), mariadb: MDB_INPLACE },
    proofs: [alter('ALTER TABLE t ROW_FORMAT = COMPRESSED KEY_BLOCK_SIZE = 8', { title: 'ROW_FORMAT = COMPRESSED KEY_BLOCK_SIZE = 8' })],
  },
  'table-force': {
    id: 'table-force',
    title: 'ALTER TABLE … FORCE / ENGINE = InnoDB (same engine)',
    what: 'A "null" rebuild: the table and its indexes are rebuilt (defragmented).',
    mysql: [range(undefined, undefined, { ...rebuild('none'), when: { fulltextExists: false } }), range(undefined, undefined, rebuild('shared', 'A FULLTEXT index makes the rebuild block writes.'))],
    mariadb: [range(undefined, undefined, { ...rebuild('none'), when: { fulltextExists: false } }), range(undefined, undefined, rebuild('shared', 'A FULLTEXT index makes the rebuild block writes.'))],
    source: { mysql: MY('Table Operations: Rebuilding a table with the FORCE option'), mariadb: MDB_INPLACE },
    proofs: [
      alter('ALTER TABLE t FORCE', { when: { fulltextExists: false } }),
      alter('ALTER TABLE t ENGINE = InnoDB', { title: 'ENGINE = InnoDB', when: { fulltextExists: false } }),
      alter('ALTER TABLE t FORCE', { title: 'with a FULLTEXT index', setup: ['ALTER TABLE t ADD FULLTEXT INDEX ft (txt)'], when: { fulltextExists: true } }),
    ],
  },
  'optimize-table': {
    id: 'optimize-table',
    title: 'OPTIMIZE TABLE',
    what: 'On InnoDB: ALTER TABLE … FORCE (rebuild) then ANALYZE.',
    mysql: [range(undefined, undefined, statement('none', true, true, 'Runs as an online rebuild (not with a FULLTEXT index).'))],
    mariadb: [range(undefined, undefined, statement('none', true, true, 'Runs as an online rebuild (innodb_optimize_fulltext_only aside).'))],
    source: { mysql: '§13.7.3.4 "OPTIMIZE TABLE"', mariadb: 'MariaDB KB "OPTIMIZE TABLE"' },
    proofs: [{ statement: 'OPTIMIZE TABLE t', place: 'none' }],
  },
  'rename-table': {
    id: 'rename-table',
    title: 'RENAME TABLE / ALTER TABLE … RENAME TO',
    what: 'A new name: metadata only, but every query that names the old one breaks.',
    mysql: [range(undefined, undefined, { ...instant(), noClauses: false })],
    mariadb: [range(undefined, undefined, { algorithms: { instant: 'exclusive', copy: 'exclusive' }, rebuild: false, scan: false, note: 'MariaDB refuses LOCK=NONE/SHARED for a rename ("Try LOCK=EXCLUSIVE"): it is instant but blocks the table for that instant.' })],
    source: { mysql: MY('Table Operations: Renaming a table'), mariadb: 'MariaDB KB "RENAME TABLE"' },
    proofs: [alter('ALTER TABLE t RENAME TO t_renamed', { tableAfter: 't_renamed' }), { title: 'RENAME TABLE', statement: 'RENAME TABLE t TO t_renamed', place: 'none', tableAfter: 't_renamed' }],
  },
  'partition-add': {
    id: 'partition-add',
    title: 'ADD PARTITION (RANGE/LIST)',
    what: 'A new empty partition.',
    mysql: [range(undefined, undefined, inplace('none', false, 'RANGE/LIST; on HASH/KEY rows are redistributed (LOCK=SHARED).'))],
    mariadb: [range(undefined, undefined, mdbPartition('exclusive', false, false, 'The existing partitions are untouched.'))],
    source: { mysql: MY('Partitioning Operations') + '; §26.3.1', mariadb: 'MariaDB KB "Partitioning Overview" / "ALTER TABLE … ADD PARTITION"' },
    proofs: [{ statement: 'ALTER TABLE tp ADD PARTITION (PARTITION p3 VALUES LESS THAN (300))', place: 'none', rejectsClauses: true, table: 'tp', noFixture: true, setup: partFixture() }],
  },
  'partition-drop': {
    id: 'partition-drop',
    title: 'DROP PARTITION',
    what: 'Removes a partition and its rows.',
    mysql: [range(undefined, undefined, inplace('exclusive', false, 'Its rows are deleted with it.'))],
    mariadb: [range(undefined, undefined, mdbPartition('exclusive', false, false, 'Its rows are deleted with it.'))],
    source: { mysql: MY('Partitioning Operations'), mariadb: 'MariaDB KB "Partitioning Overview"' },
    proofs: [{ statement: 'ALTER TABLE tp DROP PARTITION p0', place: 'none', rejectsClauses: true, table: 'tp', noFixture: true, setup: partFixture() }],
  },
  'partition-reorganize': {
    id: 'partition-reorganize',
    title: 'REORGANIZE PARTITION',
    what: 'Rows of the named partitions are copied into new ones.',
    mysql: [range(undefined, undefined, inplace('shared', true, 'The named partitions are copied.'))],
    mariadb: [range(undefined, undefined, mdbPartition('shared', false, true, 'The rows of the named partitions are copied into new ones; the others are untouched.'))],
    source: { mysql: MY('Partitioning Operations'), mariadb: 'MariaDB KB "Partitioning Overview"' },
    proofs: [{ statement: 'ALTER TABLE tp REORGANIZE PARTITION p2 INTO (PARTITION p2a VALUES LESS THAN (220), PARTITION p2b VALUES LESS THAN (250))', place: 'none', rejectsClauses: true, table: 'tp', noFixture: true, setup: partFixture() }],
  },
  'partition-by': {
    id: 'partition-by',
    title: 'PARTITION BY … (partition or repartition)',
    what: 'The whole table is copied into the new partitioning.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: [range(undefined, undefined, { ...copy(), noClauses: true, note: 'MariaDB accepts no ALGORITHM/LOCK clause with PARTITION BY (syntax error).' })],
    source: { mysql: MY('Partitioning Operations'), mariadb: 'MariaDB KB "Partitioning Overview"' },
    proofs: [{ statement: 'ALTER TABLE t PARTITION BY HASH (id) PARTITIONS 2', place: 'none', rejectsClauses: true, setup: ['ALTER TABLE t DROP COLUMN g'] }],
  },
  'partition-remove': {
    id: 'partition-remove',
    title: 'REMOVE PARTITIONING',
    what: 'The table is copied into one unpartitioned table.',
    mysql: [range(undefined, undefined, copy())],
    mariadb: [range(undefined, undefined, { ...copy(), noClauses: true, note: 'MariaDB accepts no ALGORITHM/LOCK clause on REMOVE PARTITIONING (syntax error).' })],
    source: { mysql: MY('Partitioning Operations'), mariadb: 'MariaDB KB "Partitioning Overview"' },
    proofs: [{ statement: 'ALTER TABLE tp REMOVE PARTITIONING', place: 'none', rejectsClauses: true, table: 'tp', noFixture: true, setup: partFixture() }],
  },
  'partition-truncate': {
    id: 'partition-truncate',
    title: 'TRUNCATE PARTITION',
    what: 'Deletes the rows of the named partitions.',
    mysql: [range(undefined, undefined, inplace('exclusive', false, 'Its rows are deleted.'))],
    mariadb: [range(undefined, undefined, mdbPartition('exclusive', true, false, 'Its rows are deleted: the partition gets a new, empty tablespace.'))],
    source: { mysql: MY('Partitioning Operations'), mariadb: 'MariaDB KB "Partitioning Overview"' },
    proofs: [{ statement: 'ALTER TABLE tp TRUNCATE PARTITION p0', place: 'none', rejectsClauses: true, table: 'tp', noFixture: true, setup: partFixture() }],
  },
  'partition-coalesce': {
    id: 'partition-coalesce',
    title: 'COALESCE PARTITION (HASH/KEY)',
    what: 'Fewer HASH/KEY partitions: rows are redistributed.',
    mysql: [range(undefined, undefined, rebuild('shared'))],
    mariadb: [range(undefined, undefined, mdbPartition('shared', true, true, 'Every row is redistributed into new partitions.'))],
    source: { mysql: MY('Partitioning Operations'), mariadb: 'MariaDB KB "Partitioning Overview"' },
    proofs: [{ statement: 'ALTER TABLE th COALESCE PARTITION 2', place: 'none', rejectsClauses: true, table: 'th', noFixture: true, setup: hashFixture() }],
  },
  'partition-exchange': {
    id: 'partition-exchange',
    title: 'EXCHANGE PARTITION … WITH TABLE',
    what: 'Swaps a partition with a table (rows are checked unless WITHOUT VALIDATION).',
    mysql: [range(undefined, undefined, inplace('exclusive', true, 'Rows are validated unless WITHOUT VALIDATION.'))],
    mariadb: [range(undefined, undefined, mdbPartition('exclusive', false, true, 'The tablespaces are swapped, not copied; the table\'s rows are validated against the partition.'))],
    source: { mysql: MY('Partitioning Operations') + '; §26.3.3 "Exchanging Partitions"', mariadb: 'MariaDB KB "Partitioning Overview"' },
    proofs: [
      {
        statement: 'ALTER TABLE tp EXCHANGE PARTITION p0 WITH TABLE tx',
        place: 'none',
        rejectsClauses: true,
        swapsTablespaces: true,
        table: 'tp',
        noFixture: true,
        setup: [...partFixture(), 'CREATE TABLE tx (id INT NOT NULL PRIMARY KEY, a INT) ENGINE=InnoDB', 'INSERT INTO tx VALUES (5, 5)'],
      },
    ],
  },
  'partition-other': {
    id: 'partition-other',
    title: 'ANALYZE / CHECK / OPTIMIZE / REBUILD / REPAIR PARTITION',
    what: 'Maintenance of named partitions.',
    mysql: [range(undefined, undefined, inplace('shared', true, 'REBUILD and OPTIMIZE copy the partitions.'))],
    mariadb: [range(undefined, undefined, mdbPartition('shared', true, true, 'REBUILD and OPTIMIZE copy the partitions.'))],
    source: { mysql: MY('Partitioning Operations'), mariadb: 'MariaDB KB "Partition Maintenance"' },
    unproven: 'Partition maintenance verbs do not take ALGORITHM/LOCK clauses on MariaDB; not proven here.',
  },
  // ---------------------------------------------------------------- other statements
  'create-table': {
    id: 'create-table',
    title: 'CREATE TABLE',
    what: 'A new table: nothing uses it yet.',
    mysql: [range(undefined, undefined, statement('none', false, false))],
    mariadb: [range(undefined, undefined, statement('none', false, false))],
    source: { mysql: '§13.1.20 "CREATE TABLE"', mariadb: 'MariaDB KB "CREATE TABLE"' },
    proofs: [{ statement: 'CREATE TABLE t_new (id INT PRIMARY KEY)', place: 'none', noFixture: true, setup: [], table: 't_new' }],
  },
  'drop-table': {
    id: 'drop-table',
    title: 'DROP TABLE',
    what: 'The table and its rows are gone; every query on it fails.',
    mysql: [range(undefined, undefined, statement('exclusive', false, false, 'Waits for the metadata lock; on a big table the file removal can stall the server (the adaptive hash index and buffer pool are purged).'))],
    mariadb: [range(undefined, undefined, statement('exclusive', false, false, 'Waits for the metadata lock.'))],
    source: { mysql: '§13.1.32 "DROP TABLE"', mariadb: 'MariaDB KB "DROP TABLE"' },
    proofs: [{ statement: 'DROP TABLE t', place: 'none' }],
  },
  'truncate-table': {
    id: 'truncate-table',
    title: 'TRUNCATE TABLE',
    what: 'Every row is gone: the table is dropped and recreated (a new tablespace).',
    mysql: [range(undefined, undefined, statement('exclusive', true, false, 'All rows are deleted; fails when another table\'s foreign key references it.'))],
    mariadb: [range(undefined, undefined, statement('exclusive', true, false, 'All rows are deleted; fails when another table\'s foreign key references it.'))],
    source: { mysql: '§13.1.37 "TRUNCATE TABLE"', mariadb: 'MariaDB KB "TRUNCATE TABLE"' },
    proofs: [{ statement: 'TRUNCATE TABLE t', place: 'none' }],
  },
  'create-trigger': {
    id: 'create-trigger',
    title: 'CREATE TRIGGER',
    what: 'A trigger on the table: metadata, but it needs the exclusive metadata lock.',
    mysql: [range(undefined, undefined, statement('none', false, false))],
    mariadb: [range(undefined, undefined, statement('none', false, false))],
    source: { mysql: '§13.1.22 "CREATE TRIGGER"', mariadb: 'MariaDB KB "CREATE TRIGGER"' },
    proofs: [{ statement: 'CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.b = NEW.b + 1', place: 'none' }],
  },
  'drop-trigger': {
    id: 'drop-trigger',
    title: 'DROP TRIGGER',
    what: 'Removes a trigger.',
    mysql: [range(undefined, undefined, statement('none', false, false))],
    mariadb: [range(undefined, undefined, statement('none', false, false))],
    source: { mysql: '§13.1.34 "DROP TRIGGER"', mariadb: 'MariaDB KB "DROP TRIGGER"' },
    proofs: [{ statement: 'DROP TRIGGER t_bi', place: 'none', setup: ['CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.b = NEW.b + 1'] }],
  },
  'analyze-table': {
    id: 'analyze-table',
    title: 'ANALYZE TABLE',
    what: 'Refreshes index statistics by sampling pages.',
    mysql: [range(undefined, undefined, statement('none', false, false, 'Samples pages; flushes the table from the table definition cache, so a long query on it makes later queries wait.'))],
    mariadb: [range(undefined, undefined, statement('none', false, false, 'Samples pages (PERSISTENT FOR … reads every row).'))],
    source: { mysql: '§13.7.3.1 "ANALYZE TABLE"', mariadb: 'MariaDB KB "ANALYZE TABLE"' },
    proofs: [{ statement: 'ANALYZE TABLE t', place: 'none' }],
  },
} satisfies Record<MyEffectId, MyEffectEntry>;

function partFixture(): string[] {
  return [
    'CREATE TABLE tp (id INT NOT NULL PRIMARY KEY, a INT) ENGINE=InnoDB PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200), PARTITION p2 VALUES LESS THAN (250))',
    'INSERT INTO tp VALUES (1, 1), (150, 2), (210, 3)',
  ];
}

function hashFixture(): string[] {
  return ['CREATE TABLE th (id INT NOT NULL PRIMARY KEY, a INT) ENGINE=InnoDB PARTITION BY HASH (id) PARTITIONS 4', 'INSERT INTO th VALUES (1, 1), (2, 2), (3, 3), (4, 4)'];
}

export const mysqlEffectIds = Object.keys(mysqlEffects) as MyEffectId[];

export interface ClaimContext {
  server: ServerVersion;
  conditions?: ClaimConditions;
}

/** The claim for a flavor/version under the given conditions (a claim's unspecified conditions match anything). */
export function claimFor(id: MyEffectId, server: ServerVersion, conditions: ClaimConditions = {}): MyClaim | undefined {
  const entry: MyEffectEntry = mysqlEffects[id];
  const claims = server.flavor === 'mariadb' ? entry.mariadb : entry.mysql;
  return claims.find((c) => inRange(server, c) && matches(c.when, conditions));
}

function matches(when: ClaimConditions | undefined, have: ClaimConditions): boolean {
  if (!when) return true;
  for (const [k, want] of Object.entries(when) as [keyof ClaimConditions, boolean][]) {
    // An unknown fact is taken as its default: off for the exceptional conditions, strict mode on.
    const actual = have[k] ?? (k === 'sqlModeStrict' ? true : false);
    if (actual !== want) return false;
  }
  return true;
}

const rank = (a: Alg): number => ['instant', 'nocopy', 'inplace', 'copy'].indexOf(a);
const lockRank = (l: Lock): number => ['none', 'shared', 'exclusive'].indexOf(l);

/** The best algorithm of a claim (what the server uses with no clause) and the least lock there. */
export function bestOf(claim: MyClaim): { algorithm: Alg; lock: Lock } | undefined {
  const algs = (Object.keys(claim.algorithms) as Alg[]).sort((a, b) => rank(a) - rank(b));
  const a = algs[0];
  return a ? { algorithm: a, lock: claim.algorithms[a]! } : undefined;
}

/**
 * What the server does with an explicit `ALGORITHM=want` (and the least lock there), or undefined when it
 * refuses: MySQL runs exactly the algorithm named when the claim lists it; MariaDB treats it as a floor and
 * runs the best listed algorithm at least as good (COPY always possible for an ALTER).
 */
export function explicitAlgorithm(claim: MyClaim, flavor: 'mysql' | 'mariadb', want: Alg): { algorithm: Alg; lock: Lock } | undefined {
  if (claim.noClauses || claim.refuses?.includes(want)) return undefined;
  if (flavor === 'mysql') {
    if (want === 'nocopy') return undefined;
    const l = claim.algorithms[want];
    return l ? { algorithm: want, lock: l } : undefined;
  }
  const ok = (Object.keys(claim.algorithms) as Alg[]).filter((a) => rank(a) <= rank(want)).sort((a, b) => rank(a) - rank(b));
  if (ok[0]) return { algorithm: ok[0], lock: claim.algorithms[ok[0]]! };
  return want === 'copy' ? { algorithm: 'copy', lock: 'shared' } : undefined;
}

export { rank as algorithmRank, lockRank };
