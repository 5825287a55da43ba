/** Postgres's side of lint (the LintKit of the dialect seam): its parser, catalog, session model and classifier. */
import type { QualifiedName } from '../../core/types.js';
import type { ServerVersion } from '../../core/version.js';
import type { EffectSummary, LintKit, LintTypes } from '../dialect.js';
import { parsePostgres, scanComments, type Statement } from './parser.js';
import { Catalog } from './catalog.js';
import { classify, type StatementEffect } from './classify.js';
import { Session, type TimeoutState, type TransactionState } from './session.js';
import { key } from './names.js';
import { blocks, sqlLockName, strongest, type LockMode } from './locks.js';
import { effects, PROVED_ON } from './effects.js';

/** The types Postgres rules work with. */
export interface PgLint extends LintTypes {
  stmt: Statement;
  effect: StatementEffect;
  catalog: Catalog;
  tx: TransactionState;
  timeouts: TimeoutState;
}

const proven = new Set(effects.filter((e) => e.proof).map((e) => e.id));

const rel = (r: any): QualifiedName => ({ ...(r.schemaname ? { schema: r.schemaname } : {}), name: r.relname });

export function postgresLint(server: ServerVersion): LintKit<PgLint> {
  const version = server.major;
  return {
    parse: parsePostgres,
    comments: (text) => scanComments(text),
    newCatalog: () => new Catalog(),
    session: (mode, count, defaults, where) => new Session(mode, count, defaults, where),
    classify: (stmt, catalog, session) => {
      const tz = session.timeouts.timeZoneUtc;
      return classify(stmt, { version, catalog, ...(tz !== undefined ? { timeZoneUtc: tz } : {}) });
    },
    summarize: (effect) => summarize(effect, version),
    tableKey: key,
    created(stmt) {
      const a = stmt.ast;
      if (stmt.kind === 'CreateStmt' || stmt.kind === 'CreateTableAsStmt') {
        const r = a.relation ?? a.into?.rel;
        return r ? { created: rel(r) } : undefined;
      }
      if (stmt.kind === 'RenameStmt' && a.renameType === 'OBJECT_TABLE') return { renamed: { from: rel(a.relation), to: { ...(a.relation.schemaname ? { schema: a.relation.schemaname } : {}), name: a.newname } } };
      if (stmt.kind === 'AlterObjectSchemaStmt' && a.objectType === 'OBJECT_TABLE') return { renamed: { from: rel(a.relation), to: { schema: a.newschema, name: a.relation.relname } } };
      return undefined;
    },
    transactionalDdl: true,
  };
}

/** A statement's effect in the neutral words: the strongest lock on a table (not an index), and what it blocks. */
function summarize(effect: StatementEffect, version: number): EffectSummary {
  let mode: LockMode | undefined;
  for (const l of effect.locks) if (l.role !== 'index') mode = mode ? strongest(mode, l.mode) : l.mode;
  const b = mode ? blocks(mode) : undefined;
  const entries = [...new Set(effect.parts.map((p) => p.entry))];
  return {
    blocksReads: !!b?.reads,
    blocksWrites: !!b?.writes,
    rewrite: effect.rewrite,
    scan: effect.scan,
    // Proven: every entry's claim is run against this major by the test suite (PG 15–18).
    proven: entries.length > 0 && PROVED_ON.includes(version) && entries.every((e) => proven.has(e)),
    ...(mode ? { lock: sqlLockName(mode) } : {}),
    entries,
  };
}
