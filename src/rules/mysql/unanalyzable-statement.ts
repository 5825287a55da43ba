import { defineRule } from './rule.js';

export default defineRule({
  id: 'unanalyzable-statement',
  title: 'A schema change lockstep could not read',
  category: 'meta',
  severity: 'warning',
  dialects: ['mysql'],
  kinds: ['unparsed'],
  why:
    'lockstep reads each statement with its own MySQL/MariaDB parser. A statement that changes the schema (its first words say ALTER, CREATE, DROP, RENAME …) but that the parser could not read is not checked at all: its locks, copies and rebuilds go unseen. lockstep reports where it stopped and goes on with the rest of the file; nothing is assumed about the statement. If the server accepts it, write it in a form lockstep reads (one change per clause, standard order), or review it by hand and ignore this finding with a reason.',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN note TEXT, WITH SYSTEM VERSIONING;',
    good: 'ALTER TABLE orders ADD COLUMN note TEXT NULL;',
  },
  check(stmt, ctx) {
    if (stmt.kind !== 'unparsed') return;
    const words = stmt.verb.toUpperCase();
    ctx.report({
      at: { start: stmt.offset, end: Math.max(stmt.offset + 1, stmt.span.end) },
      message: `lockstep could not read this ${words} statement (${stmt.reason}), so its locks and rebuilds are not checked`,
      fix: 'Review it by hand (what it locks and whether it copies the table), or write it in a form lockstep reads; keep the review as a reason: `-- lockstep-ignore unanalyzable-statement: <why it is safe>`.',
    });
  },
});
