/**
 * Typed errors. Every error lockstep raises on purpose carries a stable `code`, and bad user input
 * carries every problem found at once, each with where it is wrong. The CLI prints `message` (never a
 * stack) and maps the error to an exit code.
 */

export type ErrorCode =
  | 'E_USAGE' // bad flags or arguments
  | 'E_INPUT' // a path, file, layout or SQL the user gave cannot be read
  | 'E_CONFIG' // lockstep.config.json / package.json "lockstep" is invalid
  | 'E_CONNECT' // a database could not be reached
  | 'E_DATABASE' // the database answered with an error
  | 'E_INTERRUPTED' // stopped on request (Ctrl-C / SIGTERM, an AbortSignal) at a point it can resume from
  | 'E_INTERNAL';

export interface Problem {
  /** Where the problem is: a flag (`--format`), a file path, a config path (`rules.foo`). */
  where: string;
  message: string;
}

export class LockstepError extends Error {
  readonly code: ErrorCode;
  readonly problems: Problem[];

  constructor(code: ErrorCode, problems: Problem[] | string, options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [{ where: '', message: problems }] : problems;
    super(list.map(formatProblem).join('\n'), options);
    this.name = 'LockstepError';
    this.code = code;
    this.problems = list;
  }
}

export function formatProblem(p: Problem): string {
  return p.where ? `${p.where}: ${p.message}` : p.message;
}

export const usageError = (where: string, message: string) => new LockstepError('E_USAGE', [{ where, message }]);
export const inputError = (where: string, message: string, cause?: unknown) =>
  new LockstepError('E_INPUT', [{ where, message }], { cause });

export function isLockstepError(e: unknown): e is LockstepError {
  return e instanceof LockstepError;
}
