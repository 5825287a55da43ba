/** Argument parsing on node:util parseArgs, with one-line errors that name the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LockstepError } from '../core/errors.js';
import { urlProblem } from '../dialects/index.js';
import type { Command } from '../dialects/dialect.js';

/** What is wrong with a database URL flag, in one line, or undefined. */
export function dbUrlProblem(value: string | undefined, command: Command, required = false): string | undefined {
  if (value === undefined) return required ? 'is required' : undefined;
  return urlProblem(value, command);
}

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Record<string, any>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as { values: Record<string, any>; positionals: string[] };
  } catch (e: any) {
    const msg = String(e?.message ?? e);
    const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1] ?? '';
    let text = msg.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
    if (e?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') text = 'needs a value';
    throw new LockstepError('E_USAGE', [{ where: flag, message: text.replace(`'${flag}' `, '').trim() }]);
  }
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new LockstepError('E_USAGE', [{ where: flag, message: `must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}` }]);
  return value as T;
}

/**
 * Collects every usage problem of a command line before anything runs, so that one call reports them
 * all (one line each), the same way in every command.
 */
export class UsageProblems {
  readonly list: { where: string; message: string }[] = [];

  add(where: string, message: string): void {
    this.list.push({ where, message });
  }

  /** The value if it is one of `allowed`; otherwise a problem is recorded and undefined returned. */
  oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.add(flag, `must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
    return undefined;
  }

  /** A database URL `command` can use (required or not): a known scheme of a dialect that has the command. */
  dbUrl(value: string | undefined, command: Command, required = false, flag = '--db'): void {
    const p = dbUrlProblem(value, command, required);
    if (p) this.add(flag, p);
  }

  /** A Postgres major lockstep knows. */
  pgVersion(value: string | undefined, valid: (v: string) => boolean, flag = '--pg-version'): void {
    if (value !== undefined && !valid(value)) this.add(flag, `must be a Postgres major from 11 to 18; got ${JSON.stringify(value)}`);
  }

  throwIfAny(): void {
    if (this.list.length) throw new LockstepError('E_USAGE', this.list);
  }
}
