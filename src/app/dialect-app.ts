/**
 * What app-check (and the field lines it pastes) needs from a dialect, reached through the Dialect's
 * `app` member and loaded only by app-check: how a SQL migration of the dialect becomes a change, what
 * the change does to each column phase by phase (from the dialect's plan), and how SQL found in the
 * application (strings, templates, .sql files) is read. Everything else app-check does — walking files,
 * the TypeScript compiler's tree, Prisma schemas, Drizzle/TypeORM/Kysely models, NULL guards — is the
 * same for every dialect.
 */
import type { Span } from '../core/types.js';
import type { Change } from '../operations/types.js';
import type { AppPhase, ChangedColumn } from './columns.js';
import type { SqlAnalysis } from './sql-issues.js';
import type { PhaseName } from '../plan/types.js';

/** The line to paste for a missing column, per ORM (undefined when the dialect has no types for it). */
export type FieldLine = (c: ChangedColumn, orm: 'prisma' | 'drizzle' | 'typeorm' | 'ts') => string | undefined;

export interface AppColumnsOptions {
  /** The phase the checked code will be deployed in. */
  phase: AppPhase;
  /** Postgres: the major the change is planned for. */
  version?: number;
  /** A database URL, read only. */
  db?: string;
}

export interface AppDialect {
  /** A SQL migration in this dialect as a change; statements that are not operations come back with why. */
  changeFromSql(text: string, file: string): Promise<{ change: Change; unconverted: { span: Span; reason: string }[] }>;
  /** The columns the change adds or constrains, their nullability per phase, and the field lines to paste. */
  columns(change: Change, o: AppColumnsOptions): Promise<{ columns: ChangedColumn[]; fieldLine?: FieldLine }>;
  /**
   * Reads SQL against the changed columns. `embedded`: the text came from a string or template in code
   * (interpolations are `parameter(n)`, and the reader may try the placeholders of other drivers).
   */
  analyzeSql(sql: string, columns: ChangedColumn[], phase: AppPhase, o: { embedded: boolean }): SqlAnalysis;
  /** Whether a string in code starts, after blanks and comments, like a statement of this dialect. */
  looksLikeSql(text: string): boolean;
  /** What an interpolation (`${x}`) or a non-literal operand of `'…' + x` stands for in the SQL: the n-th parameter. */
  parameter(n: number): string;
  /**
   * The schema a change's unqualified table is in (Postgres: public), which a schema-qualified model
   * must name; undefined where it is the connection's database, unknown here (MySQL), so any matches.
   */
  defaultSchema?: string;
  /** `lockstep types`: the changed tables' rows after a phase as TypeScript (and zod), Prisma and Drizzle text. */
  types?(change: Change, o: { phase: PhaseName; zod: boolean; source: string; version?: number; db?: string }): Promise<{ text: { ts: string; prisma: string; drizzle: string } }>;
  /** A table name as SQL text (a Drizzle table object interpolated into sql`…`). */
  quoteIdent(name: string): string;
}
