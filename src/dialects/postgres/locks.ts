/**
 * Postgres table-level lock modes, their conflicts, and what each one blocks for ordinary traffic.
 * Source: the "Conflicting Lock Modes" table of the PostgreSQL manual (unchanged from 9.x to 18).
 */

export const lockModes = [
  'AccessShare',
  'RowShare',
  'RowExclusive',
  'ShareUpdateExclusive',
  'Share',
  'ShareRowExclusive',
  'Exclusive',
  'AccessExclusive',
] as const;

export type LockMode = (typeof lockModes)[number];

/** The name Postgres prints in pg_locks.mode. */
export const pgLockName = (m: LockMode): string => `${m}Lock`;

const sqlNames = Object.fromEntries(lockModes.map((m) => [m, m.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()])) as Record<LockMode, string>;

/** The SQL spelling (LOCK TABLE … IN <x> MODE). */
export const sqlLockName = (m: LockMode): string => sqlNames[m];

export function parsePgLockName(name: string): LockMode | undefined {
  const m = name.endsWith('Lock') ? name.slice(0, -4) : name;
  return (lockModes as readonly string[]).includes(m) ? (m as LockMode) : undefined;
}

const rank = (m: LockMode) => lockModes.indexOf(m);

/** The conflict matrix, by index in `lockModes`. */
const conflictsWith: Record<LockMode, LockMode[]> = {
  AccessShare: ['AccessExclusive'],
  RowShare: ['Exclusive', 'AccessExclusive'],
  RowExclusive: ['Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'],
  ShareUpdateExclusive: ['ShareUpdateExclusive', 'Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'],
  Share: ['RowExclusive', 'ShareUpdateExclusive', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'],
  ShareRowExclusive: ['RowExclusive', 'ShareUpdateExclusive', 'Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'],
  Exclusive: ['RowShare', 'RowExclusive', 'ShareUpdateExclusive', 'Share', 'ShareRowExclusive', 'Exclusive', 'AccessExclusive'],
  AccessExclusive: [...lockModes],
};

export function conflicts(a: LockMode, b: LockMode): boolean {
  return conflictsWith[a].includes(b);
}

export function strongest(a: LockMode, b: LockMode): LockMode {
  return rank(a) >= rank(b) ? a : b;
}

export function isStronger(a: LockMode, b: LockMode): boolean {
  return rank(a) > rank(b);
}

export interface Blocks {
  /** SELECT (ACCESS SHARE) waits. */
  reads: boolean;
  /** INSERT/UPDATE/DELETE (ROW EXCLUSIVE) wait. */
  writes: boolean;
  /** SELECT … FOR UPDATE/SHARE (ROW SHARE) waits. */
  lockingReads: boolean;
  /** Other DDL, VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE) wait. */
  ddl: boolean;
}

export function blocks(mode: LockMode): Blocks {
  return {
    reads: conflicts(mode, 'AccessShare'),
    writes: conflicts(mode, 'RowExclusive'),
    lockingReads: conflicts(mode, 'RowShare'),
    ddl: conflicts(mode, 'ShareUpdateExclusive'),
  };
}

/** "reads and writes", "writes", or "other DDL only" — for messages. */
export function describeBlocks(mode: LockMode): string {
  const b = blocks(mode);
  if (b.reads) return 'reads and writes';
  if (b.writes) return 'writes';
  if (b.lockingReads) return 'SELECT … FOR UPDATE';
  if (b.ddl) return 'other schema changes and VACUUM (not reads or writes)';
  return 'nothing ordinary traffic does';
}

/** True when a lock in this mode makes ordinary traffic (reads or writes) wait. */
export function blocksTraffic(mode: LockMode): boolean {
  const b = blocks(mode);
  return b.reads || b.writes;
}
