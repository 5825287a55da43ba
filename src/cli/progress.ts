/** Draws apply/rollback progress events: a live line on a TTY, plain periodic lines otherwise. */
import type { ApplyEvent } from '../apply/events.js';
import { duration } from '../report/plan.js';
import type { Io } from './io.js';
import { safeQueryText } from '../core/redact.js';

export function progressPrinter(io: Io, opts: { tty: boolean; color: boolean }) {
  const out = io.stderr;
  const paint = (s: string, code: number) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let live = false;
  let lastPlain = 0;
  const line = (s: string) => {
    if (live) out.write('\r\x1b[K');
    live = false;
    out.write(s + '\n');
  };
  const bar = (done: number, total: number | null) => {
    if (!total) return '';
    const width = 24;
    const f = Math.max(0, Math.min(1, done / total));
    return `[${'#'.repeat(Math.round(f * width)).padEnd(width, '.')}] ${(f * 100).toFixed(0).padStart(3)}% `;
  };
  return (e: ApplyEvent) => {
    switch (e.type) {
      case 'change':
        line(`${paint(e.change, 1)}: ${e.resumed ? `resuming, ${e.done} of ${e.total} steps already done` : `${e.total} steps`}`);
        break;
      case 'step-start':
        line(`  ${paint(e.step, 36)} ${e.title}${e.attempt > 1 ? paint(` (attempt ${e.attempt})`, 33) : ''}`);
        break;
      case 'step-done':
        line(`  ${paint('✓', 32)} ${e.step} ${paint(`${e.seconds.toFixed(1)} s${e.attempts > 1 ? `, ${e.attempts} attempts` : ''}`, 2)}`);
        break;
      case 'step-skip':
        line(`  ${paint('·', 2)} ${e.step} ${paint(`(${e.reason})`, 2)}`);
        break;
      case 'lock-wait': {
        // With known blockers apply leaves the lock queue and retries as soon as they let go.
        const text = e.blockers.length
          ? `lock timeout: held by ${e.blockers.map((b) => `pid ${b.pid} (${b.state}, transaction open ${duration(b.transactionSeconds)})`).join(', ')}; out of the queue, retry ${e.attempt} when they let go`
          : `lock timeout; retry ${e.attempt} in ${e.retryInMs} ms`;
        line(paint(`    ${text}`, 33));
        break;
      }
      case 'blockers':
        line(paint(`    ${e.blockers.length} transaction(s) hold ${e.table} now: ${e.blockers.map((b) => `pid ${b.pid} (${b.state}, ${duration(b.transactionSeconds)}): ${safeQueryText(b.query)}`).join('; ')}`, 33));
        break;
      case 'invalid-index-dropped':
        line(paint(`    dropped the INVALID index ${e.index} a failed build left behind`, 33));
        break;
      case 'backfill': {
        const text = `    ${bar(e.rows, e.total)}${e.rows.toLocaleString('en-US')} rows, ${Math.round(e.rowsPerSecond).toLocaleString('en-US')} rows/s, batch ${e.batchSize}${e.etaSeconds !== null ? `, ETA ${duration(e.etaSeconds)}` : ''}`;
        if (opts.tty) {
          out.write(`\r\x1b[K${text}`);
          live = true;
        } else if (Date.now() - lastPlain > 2000 || e.etaSeconds === 0) {
          lastPlain = Date.now();
          line(text);
        }
        break;
      }
      case 'backfill-paused':
        line(paint(`    backfill paused: ${e.reason}`, 33));
        break;
      case 'phase-done':
        line(paint(`${e.phase} done`, 1));
        break;
      case 'replicas-caught-up':
        line(paint(`  replicas have replayed the ${e.phase} phase (${e.seconds.toFixed(1)} s)`, 2));
        break;
      case 'stopped':
        line(`Stopped after ${e.after}, as asked: ${e.remaining} step(s) left. Deploy what needs the new schema, then run apply again.`);
        break;
      case 'done':
        line(paint(`${e.change} applied in ${duration(e.seconds)}`, 32));
        break;
    }
  };
}
