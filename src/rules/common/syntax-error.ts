import { ruleDefiner } from '../rule.js';

const defineRule = ruleDefiner();

/** Reported by the engine for each statement the dialect's parser rejects; the rest of the file is still checked. */
export default defineRule({
  id: 'syntax-error',
  title: 'SQL that the server cannot parse',
  category: 'meta',
  severity: 'error',
  why: 'The server would reject this statement, so the migration would fail at this point. lockstep parses PostgreSQL with the real Postgres grammar (libpg-query, the Postgres 18 parser) and MySQL/MariaDB with its own parser, reports the position, and still checks the other statements in the file.',
  examples: { bad: 'ALTER TABLE orders ADD COLUMNN created_at timestamptz;', good: 'ALTER TABLE orders ADD COLUMN created_at timestamptz;' },
  peers: ['squawk: syntax-error'],
});
