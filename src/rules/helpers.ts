/** Small things rules share: names in SQL, lock descriptions, the "is this a live table" question. */
import type { QualifiedName } from '../core/types.js';
import { describeBlocks, blocksTraffic, sqlLockName, type LockMode } from '../core/locks.js';
import type { EffectPart, StatementEffect } from '../dialects/postgres/classify.js';
import { sqlName, quoteIdent } from '../dialects/postgres/names.js';
import type { RuleContext } from './rule.js';

export { sqlName, quoteIdent };

/** `ACCESS EXCLUSIVE (blocks reads and writes)`. */
export function lockPhrase(mode: LockMode): string {
  return `${sqlLockName(mode)} (blocks ${describeBlocks(mode)})`;
}

/** The parts of an effect that act on an existing table (not one created earlier in this migration). */
export function onExisting(ctx: RuleContext, parts: EffectPart[] = ctx.effect.parts): EffectPart[] {
  return parts.filter((p) => (p.relations.table ?? []).some((t) => !ctx.isNew(t)) || (!p.relations.table?.length && Object.values(p.relations).some((rs) => rs?.some((t) => !ctx.isNew(t)))));
}

/** Locks of the statement that stop ordinary traffic, on tables that existed before this migration. */
export function trafficLocks(ctx: RuleContext, effect: StatementEffect = ctx.effect) {
  return effect.locks.filter((l) => blocksTraffic(l.mode) && !ctx.isNew(l.relation));
}

/** First table of a part. */
export function tableOf(part: EffectPart): QualifiedName | undefined {
  return part.relations.table?.[0];
}

/** Joins SQL statements into a fix block. */
export function sqlBlock(...statements: (string | false | undefined)[]): string {
  return statements.filter(Boolean).join('\n');
}

/** The statement's own text with `CONCURRENTLY` inserted after the given keyword sequence. */
export function insertAfter(text: string, pattern: RegExp, insert: string): string {
  const m = pattern.exec(text);
  if (!m) return text;
  const at = m.index + m[0].length;
  return `${text.slice(0, at)} ${insert}${text.slice(at)}`;
}

/** How the runner's transaction is described in messages. */
export function runnerTransaction(ctx: { migration: { layout: string; transaction: string; transactionSource: string } }): string {
  return ctx.migration.transaction === 'multi-statement'
    ? `${ctx.migration.layout} sends the file as one multi-statement query, which Postgres runs as one transaction`
    : `${ctx.migration.layout} runs each migration inside a transaction (${ctx.migration.transactionSource})`;
}

/** How to run a statement outside the runner's transaction, per layout. */
export function outsideTransactionAdvice(ctx: { migration: { layout: string; transaction: string; id: string } }): string {
  switch (ctx.migration.layout) {
    case 'dbmate':
      return 'Put it in its own migration whose up section starts with `-- migrate:up transaction:false`.';
    case 'diesel':
      return 'Put it in its own migration with `run_in_transaction = false` in its metadata.toml.';
    case 'flyway':
      return 'Put it in its own migration with `executeInTransaction=false` in a `<file>.sql.conf` next to it.';
    case 'golang-migrate':
      return 'Put it alone in its own migration file: a file with one statement is not run as a transaction block.';
    case 'node-pg-migrate':
      return 'Put it in its own migration written in JS/TS that calls `pgm.noTransaction()`.';
    case 'prisma':
      return 'Prisma runs each migration.sql in a transaction; create it in its own migration and apply that one outside Prisma (psql), then mark it applied with `prisma migrate resolve --applied <name>`.';
    case 'drizzle':
      return 'drizzle-kit migrate runs migrations in one transaction; run this statement outside it (psql or a custom script) in a separate step.';
    default:
      return 'Run it outside any transaction block, as a statement of its own.';
  }
}
