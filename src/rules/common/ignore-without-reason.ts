import { ruleDefiner } from '../rule.js';

const defineRule = ruleDefiner();

/** Reported by the engine for next-statement ignore comments without a reason. */
export default defineRule({
  id: 'ignore-without-reason',
  title: 'Say why a finding is ignored',
  category: 'meta',
  severity: 'info',
  why: 'The next person to change this migration needs to know why the rule does not apply here. Write the reason after a colon: `-- lockstep-ignore <rule-id>: <reason>`.',
  examples: {
    bad: '-- lockstep-ignore require-concurrent-index-creation\nCREATE INDEX orders_created_at_idx ON orders (created_at);',
    good: '-- lockstep-ignore require-concurrent-index-creation: orders is empty until the import in 2027\nCREATE INDEX orders_created_at_idx ON orders (created_at);',
  },
});
