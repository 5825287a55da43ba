/** Argument parsing on node:util parseArgs, with one-line errors that name the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LockstepError } from '../core/errors.js';

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
