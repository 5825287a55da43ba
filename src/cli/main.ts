/** The `lockstep` command: picks a subcommand, prints errors once (no stack), maps them to exit codes. */
import { isLockstepError, type ErrorCode } from '../core/errors.js';
import { EXIT, type Io } from './io.js';
import { toolVersion } from '../report/version.js';

const help = `lockstep ${toolVersion} — safe schema changes on live PostgreSQL

Usage: lockstep <command> [options]

Commands:
  lint [paths…]              check migrations for statements that lock or rewrite tables
  plan <change>              turn a change spec or SQL migration into safe steps
  rehearse <change>          prove a change up, down and up again on a production-like copy
  apply <change>             run those steps on the database, resumable, with retries and a throttled backfill
  rollback <change>          undo the steps a change completed, newest first
  status                     the ledger's changes, their steps, backfill progress, and what the app may assume
  cleanup                    remove what a killed apply left behind (INVALID indexes, copy triggers and shadow tables)
  snapshot                   record the database's vital signs (query, table and index statistics)
  verify                     what a change did: two snapshots compared, with findings
  app-check <change> [src…]  the application code a change will break: inserts, SELECT *, models, NULL handling
  types <change>             the changed table's row after a phase: TypeScript/zod, Prisma, Drizzle

  lockstep <command> --help shows a command's options.

Options:
  -h, --help       show this help
  -v, --version    print the version

Exit codes (every command):
  0    done; nothing at or above --fail-on
  1    findings at or above --fail-on, a failed check, a regression, or statements left unconverted
  2    bad usage or input: flags, arguments, config, spec, SQL or paths (nothing was changed)
  3    internal error (a bug in lockstep; LOCKSTEP_DEBUG=1 prints the stack)
  4    database: cannot connect, or the database refused or failed a statement
  130  interrupted (Ctrl-C / SIGTERM); apply stops between batches and resumes where it stopped`;

interface Command {
  run: (argv: string[], io: Io) => Promise<number>;
  help: string;
}

/** Each command's module is loaded only when it runs: `lockstep lint` never loads the rehearsal or the apply code. */
const commands: Record<string, () => Promise<Command>> = {
  lint: async () => import('./lint.js').then((m) => ({ run: m.lintCommand, help: m.lintHelp })),
  plan: async () => import('./plan.js').then((m) => ({ run: m.planCommand, help: m.planHelp })),
  rehearse: async () => import('./rehearse.js').then((m) => ({ run: m.rehearseCommand, help: m.rehearseHelp })),
  apply: async () => import('./apply.js').then((m) => ({ run: m.applyCommand, help: m.applyHelp })),
  rollback: async () => import('./apply.js').then((m) => ({ run: m.rollbackCommand, help: m.rollbackHelp })),
  status: async () => import('./apply.js').then((m) => ({ run: m.statusCommand, help: m.statusHelp })),
  cleanup: async () => import('./apply.js').then((m) => ({ run: m.cleanupCommand, help: m.cleanupHelp })),
  snapshot: async () => import('./snapshot.js').then((m) => ({ run: m.snapshotCommand, help: m.snapshotHelp })),
  verify: async () => import('./verify.js').then((m) => ({ run: m.verifyCommand, help: m.verifyHelp })),
  'app-check': async () => import('./app-check.js').then((m) => ({ run: m.appCheckCommand, help: m.appCheckHelp })),
  types: async () => import('./types.js').then((m) => ({ run: m.typesCommand, help: m.typesHelp })),
};

/** The exit code for an error lockstep raised on purpose (see the table in --help). */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'E_INTERNAL':
      return EXIT.internal;
    case 'E_CONNECT':
    case 'E_DATABASE':
      return EXIT.database;
    case 'E_INTERRUPTED':
      return EXIT.interrupted;
    case 'E_USAGE':
    case 'E_INPUT':
    case 'E_CONFIG':
      return EXIT.usage;
  }
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      const topic = cmd === 'help' ? rest[0] : undefined;
      io.stdout.write((topic && Object.hasOwn(commands, topic) ? (await commands[topic]!()).help : help) + '\n');
      return EXIT.ok;
    }
    if (cmd === '-v' || cmd === '--version') {
      io.stdout.write(`${toolVersion}\n`);
      return EXIT.ok;
    }
    const command = Object.hasOwn(commands, cmd) ? await commands[cmd]!() : undefined;
    if (!command) {
      io.stderr.write(`lockstep: unknown command "${cmd}" (commands: ${Object.keys(commands).join(', ')}; see lockstep --help)\n`);
      return EXIT.usage;
    }
    return await command.run(rest, io);
  } catch (e) {
    if (isLockstepError(e)) {
      for (const p of e.problems) io.stderr.write(`lockstep: ${p.where ? `${p.where}: ` : ''}${p.message}\n`);
      return exitCodeFor(e.code);
    }
    const err = e as Error;
    io.stderr.write(`lockstep: internal error: ${err?.message ?? String(e)}\n`);
    if (io.env.LOCKSTEP_DEBUG) io.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT.internal;
  }
}
