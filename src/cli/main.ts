/** The `lockstep` command: picks a subcommand, prints errors once (no stack), maps them to exit codes. */
import { isLockstepError } from '../core/errors.js';
import { EXIT, type Io } from './io.js';
import { lintCommand, lintHelp } from './lint.js';
import { planCommand, planHelp } from './plan.js';
import { applyCommand, applyHelp, rollbackCommand, rollbackHelp, statusCommand, statusHelp } from './apply.js';
import { rehearseCommand, rehearseHelp } from './rehearse.js';
import { snapshotCommand, snapshotHelp } from './snapshot.js';
import { verifyCommand, verifyHelp } from './verify.js';
import { appCheckCommand, appCheckHelp } from './app-check.js';
import { typesCommand, typesHelp } from './types.js';
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
  snapshot                   record the database's vital signs (query, table and index statistics)
  verify                     what a change did: two snapshots compared, with findings
  app-check <change> [src…]  the application code a change will break: inserts, SELECT *, models, NULL handling
  types <change>             the changed table's row after a phase: TypeScript/zod, Prisma, Drizzle

  lockstep <command> --help shows a command's options.

Options:
  -h, --help       show this help
  -v, --version    print the version`;

const commands: Record<string, { run: (argv: string[], io: Io) => Promise<number>; help: string }> = {
  lint: { run: lintCommand, help: lintHelp },
  plan: { run: planCommand, help: planHelp },
  rehearse: { run: rehearseCommand, help: rehearseHelp },
  apply: { run: applyCommand, help: applyHelp },
  rollback: { run: rollbackCommand, help: rollbackHelp },
  status: { run: statusCommand, help: statusHelp },
  snapshot: { run: snapshotCommand, help: snapshotHelp },
  verify: { run: verifyCommand, help: verifyHelp },
  'app-check': { run: appCheckCommand, help: appCheckHelp },
  types: { run: typesCommand, help: typesHelp },
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      const topic = cmd === 'help' ? rest[0] : undefined;
      io.stdout.write((topic && commands[topic] ? commands[topic].help : help) + '\n');
      return EXIT.ok;
    }
    if (cmd === '-v' || cmd === '--version') {
      io.stdout.write(`${toolVersion}\n`);
      return EXIT.ok;
    }
    const command = commands[cmd];
    if (!command) {
      io.stderr.write(`lockstep: unknown command "${cmd}" (commands: ${Object.keys(commands).join(', ')}; see lockstep --help)\n`);
      return EXIT.usage;
    }
    return await command.run(rest, io);
  } catch (e) {
    if (isLockstepError(e)) {
      for (const p of e.problems) io.stderr.write(`lockstep: ${p.where ? `${p.where}: ` : ''}${p.message}\n`);
      return e.code === 'E_INTERNAL' ? EXIT.internal : EXIT.usage;
    }
    const err = e as Error;
    io.stderr.write(`lockstep: internal error: ${err?.message ?? String(e)}\n`);
    if (io.env.LOCKSTEP_DEBUG) io.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT.internal;
  }
}
