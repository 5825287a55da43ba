/** The latency-budget check of a rehearsal (every dialect's): fails only on a significant regression beyond the budget. */
import { beyondBudget } from './stats.js';
import type { Check, QueryTiming } from './types.js';

export function budgetCheck(queries: QueryTiming[], budgetPct: number): Check {
  const pct = (x: number) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(0)} %`;
  const over = queries.filter((q) => q.change && beyondBudget(q.change, budgetPct));
  const maybe = queries.filter((q) => !over.includes(q) && q.changePct > budgetPct);
  const describe = (q: QueryTiming) => `${q.name} ${pct(q.change?.ratio ?? 1 + q.changePct / 100)}${q.change ? ` (95 % interval ${pct(q.change.low)} … ${pct(q.change.high)}, p = ${q.change.pValue.toPrecision(2)})` : ' (too few runs to tell)'}`;
  return {
    name: 'latency-budget',
    ok: over.length === 0,
    detail: over.length
      ? `${over.length} of ${queries.length} queries are significantly slower than the budget of +${budgetPct} %: ${over.map(describe).join('; ')}`
      : `no query is significantly slower than the budget of +${budgetPct} %${maybe.length ? `; above it, but within the measurement noise: ${maybe.map(describe).join('; ')}` : ''}`,
  };
}

