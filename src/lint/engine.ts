/**
 * The lint engine: reads migrations in order, keeps the schema (catalog) and session state as it
 * goes, asks the dialect what each statement does, runs the rules, applies ignore comments and
 * size-aware severities, and returns findings and what each statement does. No I/O here: callers hand
 * in migrations read from files. Everything that depends on the SQL dialect comes from its LintKit.
 */
import type { Finding, QualifiedName, Severity, SourceFile, Span } from '../core/types.js';
import { severityRank } from '../core/types.js';
import type { ServerVersion } from '../core/version.js';
import type { Migration, MigrationSection } from '../parse/migrations.js';
import type { EffectSummary, LintKit, LintTypes, SessionDefaults } from '../dialects/dialect.js';
import { LineIndex } from '../report/lines.js';
import type { EndContext, MigrationInfo, ReportOptions, Rule, RuleContext } from '../rules/rule.js';
import { bindIgnores, findIgnores, silencing, type IgnoreDirective } from './ignores.js';

export interface ActiveRule<K extends LintTypes = LintTypes> {
  rule: Rule<K>;
  severity: Severity;
  /** The severity was set by the user (config): it wins over a severity a rule picks per finding. */
  explicit?: boolean;
}

export interface EngineOptions<K extends LintTypes = LintTypes> {
  /** The target server. */
  server: ServerVersion;
  /** Postgres: the full server version number (e.g. 140002) when known. */
  versionNum?: number;
  /** The dialect's side of lint, for that server. */
  kit: LintKit<K>;
  rules: ActiveRule<K>[];
  /** Every known rule id (for validating ignore comments); defaults to the ids of `rules`. */
  knownRuleIds?: ReadonlySet<string>;
  /** The schema before the first migration (from --db), cloned, not modified. */
  catalog?: K['catalog'];
  session?: SessionDefaults;
  /** The rule that reports syntax errors, and the meta rules for ignore comments, when enabled. */
  meta?: { syntax?: Severity; unusedIgnore?: Severity; ignoreWithoutReason?: Severity };
}

/** What one statement does, for lint's JSON (`statements`). */
export interface StatementRecord {
  file: string;
  span: Span;
  migration: string;
  section: 'up' | 'down';
  kind: string;
  effects: EffectSummary;
}

export interface EngineResult {
  findings: Finding[];
  statements: number;
  /** Every statement with what it does, in the order read (when `records` was asked for). */
  records?: StatementRecord[];
}

interface Parsed<K extends LintTypes> {
  migration: Migration;
  section: 'up' | 'down';
  sec: MigrationSection;
  statements: K['stmt'][];
  syntax: { message: string; offset: number; span: Span }[];
}

/** Size thresholds for size-sensitive rules. */
export const SMALL_TABLE = { rows: 10_000, bytes: 10 * 1024 * 1024 };
export const BIG_TABLE = { rows: 1_000_000, bytes: 1024 * 1024 * 1024 };

/**
 * Lints `migrations` in order. `replay`: migrations that ran before them (a history cut in two, see
 * parallel.ts): their up sections are parsed and applied to the catalog only, as the full run would have
 * left it (a down section never changes the schema the next migration sees).
 */
export function runRules<K extends LintTypes>(migrations: Migration[], opts: EngineOptions<K> & { records?: boolean; replay?: Migration[] }): EngineResult {
  const kit = opts.kit;
  const version = opts.server.major;
  const findings: Finding[] = [];
  const records: StatementRecord[] | undefined = opts.records ? [] : undefined;
  const catalog: K['catalog'] = opts.catalog?.clone() ?? kit.newCatalog();
  const known = opts.knownRuleIds ?? new Set(opts.rules.map((r) => r.rule.id));
  const lineIndexes = new Map<string, LineIndex>();
  const lines = (f: SourceFile) => {
    let li = lineIndexes.get(f.path);
    if (!li) lineIndexes.set(f.path, (li = new LineIndex(f.text)));
    return li;
  };

  // One migration at a time: parse its sections, bind the ignore comments of its files to the
  // statements that follow them, lint it, and let its syntax trees go (peak memory stays one migration's).
  const ignores = new Map<string, IgnoreDirective[]>();
  const filesByPath = new Map<string, SourceFile>();
  function parseMigration(m: Migration): Parsed<K>[] {
    const out: Parsed<K>[] = [];
    const startsByFile = new Map<string, number[]>();
    for (const section of ['up', 'down'] as const) {
      const sec = m[section];
      if (!sec) continue;
      filesByPath.set(sec.file.path, sec.file);
      const p: Parsed<K> = { migration: m, section, sec, statements: [], syntax: [] };
      for (const part of sec.parts) {
        const r = kit.parse(sec.file.text.slice(part.start, part.end), part.start);
        p.statements.push(...r.statements);
        p.syntax.push(...r.syntaxErrors);
      }
      const starts = startsByFile.get(sec.file.path) ?? [];
      starts.push(...p.statements.map((s) => s.span.start), ...p.syntax.map((s) => s.span.start));
      startsByFile.set(sec.file.path, starts);
      out.push(p);
    }
    for (const [path, starts] of startsByFile) {
      if (ignores.has(path)) {
        // A file shared by several migrations (rare): bind again with every statement seen in it.
        const d = ignores.get(path)!;
        bindIgnores(d, [...(boundStarts.get(path) ?? []), ...starts]);
        boundStarts.set(path, [...(boundStarts.get(path) ?? []), ...starts]);
        continue;
      }
      const d = findIgnores(filesByPath.get(path)!.text, kit.comments);
      if (d.length) {
        bindIgnores(d, starts);
        ignores.set(path, d);
        boundStarts.set(path, starts);
      }
    }
    return out;
  }
  const boundStarts = new Map<string, number[]>();

  const byKind = new Map<string, ActiveRule<K>[]>();
  const anyKind: ActiveRule<K>[] = [];
  for (const r of opts.rules) {
    if (!r.rule.check) continue;
    const kinds = (r.rule as { kinds?: string[] }).kinds;
    if (kinds) for (const k of kinds) byKind.set(k, [...(byKind.get(k) ?? []), r]);
    else anyKind.push(r);
  }
  const enders = opts.rules.filter((r) => r.rule.end);
  const inVersion = (r: Rule<K>) => (r.versions?.from ?? 0) <= version && version <= (r.versions?.to ?? Infinity);

  for (const m of opts.replay ?? []) {
    for (const part of m.up.parts) for (const stmt of kit.parse(m.up.file.text.slice(part.start, part.end), part.start).statements) catalog.apply(stmt, m.id);
  }

  let statements = 0;
  let upCatalog = catalog;
  // The up section just linted: its down (linted right after it) sees its statements. Local to this run.
  let lastUp: { migration: Migration; statements: K['stmt'][] } | undefined;
  for (const m of migrations) for (const p of parseMigration(m)) {
    const upSection = p.section === 'down' && lastUp?.migration === p.migration ? { upSection: lastUp.statements } : {};
    const file = p.sec.file;
    const li = lines(file);
    const whereAt = (offset: number) => `line ${li.position(offset).line}`;
    const where = (s: K['stmt']) => whereAt(s.span.start);
    // A down runs after its up: judge it against the schema the up made, without keeping its changes.
    const cat = p.section === 'down' ? upCatalog.clone() : upCatalog;
    const info: MigrationInfo = {
      id: p.migration.id,
      layout: p.migration.layout,
      section: p.section,
      transaction: p.sec.transaction ?? p.migration.transaction,
      transactionSource: p.sec.transactionSource ?? p.migration.transactionSource,
      file: file.path,
      statementCount: p.statements.length + p.syntax.length,
    };
    const session = kit.session(info.transaction, info.statementCount, opts.session, where);
    const created = new Set<string>();
    const fileIgnores = ignores.get(file.path) ?? [];

    const emit = (rule: Rule<K>, severity: Severity, explicit: boolean | undefined, stmtStart: number | undefined, span: Span, r: ReportOptions) => {
      const ig = silencing(fileIgnores, rule.id, stmtStart);
      if (ig) {
        ig.used.add(rule.id);
        return false;
      }
      let sev = explicit ? severity : (r.severity ?? severity);
      let message = r.message;
      // Size adjusts the rule's default severity only: not one the user configured, nor one the rule chose.
      if (rule.sizeSensitive && r.table && !explicit && r.severity === undefined) {
        const t = cat.size(r.table);
        if (t.rows !== undefined || t.bytes !== undefined) {
          const rows = t.rows ?? 0;
          const bytes = t.bytes ?? 0;
          if (rows >= BIG_TABLE.rows || bytes >= BIG_TABLE.bytes) sev = 'error';
          else if (rows < SMALL_TABLE.rows && bytes < SMALL_TABLE.bytes) sev = lower(sev);
          message += ` (${r.table.name}: ${describeSize(rows, bytes)})`;
        }
      }
      findings.push({
        rule: rule.id,
        severity: sev,
        file: file.path,
        span,
        message,
        why: r.why ?? rule.why,
        ...(r.fix ? { fix: r.fix } : {}),
        migration: p.migration.id,
        section: p.section,
      });
      return true;
    };

    for (const e of p.syntax) {
      if (opts.meta?.syntax)
        emit(syntaxRule, opts.meta.syntax, true, e.span.start, { start: e.offset, end: Math.max(e.offset + 1, e.span.end) }, { message: `syntax error: ${e.message}` });
    }

    const previous: K['stmt'][] = [];
    for (const stmt of p.statements) {
      statements++;
      const effect: K['effect'] = kit.classify(stmt, cat, session);
      records?.push({ file: file.path, span: stmt.span, migration: p.migration.id, section: p.section, kind: stmt.kind, effects: kit.summarize(effect) });
      const active = byKind.get(stmt.kind);
      if (active || anyKind.length) {
        const ctx: RuleContext<K> = {
          version,
          ...(opts.versionNum ? { versionNum: opts.versionNum } : {}),
          server: opts.server,
          stmt,
          effect,
          catalog: cat,
          migration: info,
          tx: session.tx,
          timeouts: session.timeouts,
          previous,
          ...upSection,
          isNew: (t: QualifiedName) => created.has(kit.tableKey(t)),
          size: (t: QualifiedName) => cat.size(t),
          where: whereAt,
          report: (r) => emit(current.rule, current.severity, current.explicit, stmt.span.start, spanOf(r.at, stmt), r),
        };
        let current: ActiveRule<K> = undefined as unknown as ActiveRule<K>;
        try {
          for (const list of active ? [active, anyKind] : [anyKind]) {
            for (const ar of list) {
              if (!inVersion(ar.rule)) continue;
              current = ar;
              ar.rule.check!(stmt, ctx);
            }
          }
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          // A pathologically nested statement (the servers themselves stop at a stack depth limit).
          emit(syntaxRule, opts.meta?.syntax ?? 'error', true, stmt.span.start, stmt.span, { message: 'statement too deeply nested to analyze (the server rejects it too: stack depth limit exceeded)' });
        }
      }
      session.apply(stmt, effect);
      const made = kit.created(stmt);
      if (made?.created) created.add(kit.tableKey(made.created));
      // A table created in this migration stays new under its new name (or schema).
      else if (made?.renamed && created.delete(kit.tableKey(made.renamed.from))) created.add(kit.tableKey(made.renamed.to));
      cat.apply(stmt, p.migration.id);
      previous.push(stmt);
    }

    if (enders.length) {
      const ectx: EndContext<K> = {
        version,
        server: opts.server,
        migration: info,
        tx: session.tx,
        timeouts: session.timeouts,
        statements: p.statements,
        ...upSection,
        catalog: cat,
        isNew: (t: QualifiedName) => created.has(kit.tableKey(t)),
        where: whereAt,
        report: () => false,
      };
      for (const ar of enders) {
        if (!inVersion(ar.rule)) continue;
        ectx.report = (r) => {
          const span = typeof r.at === 'number' ? { start: r.at, end: r.at } : r.at;
          const stmt = p.statements.find((s) => s.span.start <= span.start && span.start <= s.span.end);
          return emit(ar.rule, ar.severity, ar.explicit, stmt?.span.start, stmt && typeof r.at === 'number' ? { start: r.at, end: stmt.span.end } : span, r);
        };
        ar.rule.end!(ectx);
      }
    }
    if (p.section === 'up') upCatalog = cat;
    lastUp = p.section === 'up' ? { migration: p.migration, statements: p.statements } : undefined;
  }

  // Ignore comments that silenced nothing, or are malformed.
  for (const [path, directives] of ignores) {
    for (const d of directives) {
      const f = { path, ...(d.kind === 'next' && d.target !== undefined ? {} : {}) };
      for (const id of d.rules) {
        if (!known.has(id)) {
          if (opts.meta?.unusedIgnore) findings.push(metaFinding('unused-ignore', opts.meta.unusedIgnore, f.path, d.span, `unknown rule \`${id}\` in lockstep-ignore`, 'An ignore comment for a rule that does not exist silences nothing; it is usually a typo.'));
        } else if (!d.used.has(id) && opts.rules.some((r) => r.rule.id === id)) {
          if (opts.meta?.unusedIgnore)
            findings.push(
              metaFinding('unused-ignore', opts.meta.unusedIgnore, f.path, d.span, `lockstep-ignore ${id} matched no finding${d.kind === 'next' ? ' in the next statement' : ' in this file'}`, 'An ignore that silences nothing hides the next real problem of that kind; remove it.'),
            );
        }
      }
      if (!d.rules.length && opts.meta?.unusedIgnore)
        findings.push(metaFinding('unused-ignore', opts.meta.unusedIgnore, path, d.span, 'lockstep-ignore names no rule', 'Name the rule to ignore, e.g. `-- lockstep-ignore require-concurrent-index-creation: the table is empty`.'));
      if (d.kind === 'next' && d.rules.length && !d.reason && opts.meta?.ignoreWithoutReason)
        findings.push(metaFinding('ignore-without-reason', opts.meta.ignoreWithoutReason, path, d.span, 'lockstep-ignore without a reason', 'Write why the finding does not apply after a colon, so the next reader knows: `-- lockstep-ignore <rule>: <reason>`.'));
    }
  }

  // Files in the order the migrations were read, then by position.
  const fileOrder = new Map<string, number>();
  for (const m of migrations) for (const sec of [m.up, m.down]) if (sec && !fileOrder.has(sec.file.path)) fileOrder.set(sec.file.path, fileOrder.size);
  findings.sort(
    (a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.span.start - b.span.start || severityRank(b.severity) - severityRank(a.severity),
  );
  return { findings, statements, ...(records ? { records } : {}) };
}

const syntaxRule = { id: 'syntax-error', why: 'The server would reject this statement; the rest of the file is still checked.' } as Rule<any>;

function metaFinding(rule: string, severity: Severity, file: string, span: Span, message: string, why: string): Finding {
  return { rule, severity, file, span, message, why };
}

function spanOf(at: number | Span | undefined, stmt: { span: Span }): Span {
  if (at === undefined) return stmt.span;
  if (typeof at === 'number') return { start: at, end: Math.max(at, stmt.span.end) };
  return at;
}

function lower(s: Severity): Severity {
  return s === 'error' ? 'warning' : 'info';
}

export function describeSize(rows: number, bytes: number): string {
  const r = rows >= 1e9 ? `${(rows / 1e9).toFixed(1)}B` : rows >= 1e6 ? `${(rows / 1e6).toFixed(1)}M` : rows >= 1e3 ? `${(rows / 1e3).toFixed(1)}k` : String(Math.round(rows));
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let b = bytes;
  let u = 0;
  while (b >= 1024 && u < units.length - 1) {
    b /= 1024;
    u++;
  }
  return `~${r} rows, ${b >= 10 || u === 0 ? Math.round(b) : b.toFixed(1)} ${units[u]}`;
}
