/**
 * MySQL/MariaDB's side of lint (the LintKit of the dialect seam): its parser, the catalog it keeps,
 * the session model (no transactional DDL), the classifier, and the summary in the servers' own words
 * (`algorithm`: instant | nocopy | inplace | copy, `lock`: none | shared | exclusive).
 */
import type { ServerVersion } from '../../core/version.js';
import type { Comment, EffectSummary, LintKit, ParsedSql } from '../dialect.js';
import type { MyStatement } from './ast.js';
import { MysqlCatalog, tableKey } from './catalog.js';
import type { MyStatementEffect } from './effect.js';
import type { MyLint, MyLintCatalog } from './lint-types.js';
import { MySession } from './session.js';

export type { MyLint, MyLintCatalog };

/** The parts of lint that the parser, catalog-apply and classifier modules give. */
export interface MysqlLintParts {
  parse(text: string, base: number, server: ServerVersion): ParsedSql<MyStatement>;
  comments(text: string, server: ServerVersion): Comment[];
  /** Learns what a statement does to the schema. */
  applyStatement(catalog: MysqlCatalog, stmt: MyStatement, migration: string, server: ServerVersion): void;
  classify(stmt: MyStatement, o: { server: ServerVersion; catalog: MysqlCatalog; session: MySession }): MyStatementEffect;
}

/** A catalog that also learns from statements (LintCatalog): clones keep that ability. */
export function lintCatalog(c: MysqlCatalog, apply: (catalog: MysqlCatalog, stmt: MyStatement, migration: string) => void): MyLintCatalog {
  const x = c as MyLintCatalog;
  const clone = MysqlCatalog.prototype.clone.bind(c);
  x.apply = (stmt, migration) => apply(x, stmt, migration);
  x.clone = () => lintCatalog(clone(), apply);
  return x;
}

export function mysqlLintKit(parts: MysqlLintParts) {
  return (server: ServerVersion): LintKit<MyLint> => {
    const flavor = server.flavor === 'mariadb' ? 'mariadb' : 'mysql';
    return {
      parse: (text, base) => parts.parse(text, base, server),
      comments: (text) => parts.comments(text, server),
      newCatalog: () => lintCatalog(new MysqlCatalog(), (c, stmt, m) => parts.applyStatement(c, stmt, m, server)),
      session: (mode, count, defaults, where) => new MySession(flavor, mode, count, defaults, where),
      classify: (stmt, catalog, session) => parts.classify(stmt, { server, catalog, session: session as MySession }),
      summarize,
      tableKey,
      created(stmt) {
        if (stmt.kind === 'create-table') return stmt.temporary ? undefined : { created: stmt.table };
        if (stmt.kind === 'rename-table' && stmt.renames[0]) return { renamed: stmt.renames[0] };
        if (stmt.kind === 'alter-table') {
          const r = stmt.actions.find((a) => a.type === 'rename-table');
          if (r && r.type === 'rename-table') return { renamed: { from: stmt.table, to: r.to } };
        }
        return undefined;
      },
      // Every DDL commits on its own (the session model records it).
      transactionalDdl: false,
    };
  };
}

/** A statement's effect in the neutral words, with the algorithm and lock in the server's vocabulary. */
export function summarize(e: MyStatementEffect): EffectSummary {
  const entries = [...new Set(e.parts.map((p) => p.entry))];
  // What runs: the statement's own clauses applied; a refused statement would run nothing, so say what its default does.
  const run = e.refused ? { algorithm: e.algorithm, lock: e.lock } : e.effective;
  const ddl = e.parts.length > 0 || e.metadataLock;
  return {
    blocksReads: e.blocksReads,
    blocksWrites: e.blocksWrites,
    rewrite: e.rebuild,
    scan: e.scan,
    proven: entries.length > 0 && e.proven,
    ...(ddl ? { algorithm: run.algorithm, lock: run.lock } : {}),
    entries,
  };
}
