import { ruleDefiner } from '../rule.js';

const defineRule = ruleDefiner();

/** Reported by the engine for each statement the Postgres grammar rejects; the rest of the file is still checked. */
export default defineRule({
  id: 'syntax-error',
  title: 'SQL that Postgres cannot parse',
  category: 'meta',
  severity: 'error',
  why: 'Postgres would reject this statement, so the migration would fail at this point. lockstep parses with the real Postgres grammar (libpg-query, the Postgres 18 parser), reports the position, and still checks the other statements in the file.',
  examples: { bad: 'ALTER TABLE orders ADD COLUMNN created_at timestamptz;', good: 'ALTER TABLE orders ADD COLUMN created_at timestamptz;' },
  peers: ['squawk: syntax-error'],
});
