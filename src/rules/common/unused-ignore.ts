import { ruleDefiner } from '../rule.js';

const defineRule = ruleDefiner();

/** Reported by the engine for ignore comments that silence nothing. */
export default defineRule({
  id: 'unused-ignore',
  title: 'Ignore comments must silence something',
  category: 'meta',
  severity: 'warning',
  why: 'An ignore comment that matches no finding (the statement was fixed, or the rule id is misspelled) silently hides the next real problem of that kind in the same place. lockstep reports ignores that matched nothing and ignores that name a rule that does not exist.',
  examples: {
    bad: '-- lockstep-ignore require-concurrent-index-creation: built during the maintenance window\nCREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);',
    good: '-- lockstep-ignore require-concurrent-index-creation: orders has 40 rows, see ticket 812\nCREATE INDEX orders_created_at_idx ON orders (created_at);',
  },
  peers: ['squawk: unused-ignore'],
});
