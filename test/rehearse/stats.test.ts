/**
 * The latency noise tests (src/rehearse/stats.ts) on samples with known answers, and the budget check
 * that fails a rehearsal only on a significant regression beyond the budget.
 */
import { describe, expect, test } from 'vitest';
import { beyondBudget, bootstrapRatioCI, latencyChange, mannWhitney, parseBudget } from '../../src/rehearse/stats.js';
import { budgetCheck } from '../../src/rehearse/rehearse.js';
import type { QueryTiming } from '../../src/rehearse/types.js';

/** Deterministic "latencies": a log-normal-ish spread around `median` ms (seeded, no Math.random). */
function runs(n: number, median: number, spread: number, seed: number): number[] {
  let a = seed >>> 0;
  const rnd = () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
  return Array.from({ length: n }, () => {
    const u = (rnd() + rnd() + rnd() + rnd() - 2) / 0.577; // about N(0, 1)
    return median * Math.exp(spread * u);
  });
}

describe('is a latency change beyond the noise', () => {
  test('the same distribution timed twice: the interval holds 1, not significant', () => {
    const c = latencyChange(runs(200, 2, 0.3, 1), runs(200, 2, 0.3, 2))!;
    expect(c.low).toBeLessThan(1);
    expect(c.high).toBeGreaterThan(1);
    expect(c.significant).toBe(false);
    expect(c.pValue).toBeGreaterThan(0.05);
  });

  test('a real +31 % with many runs: significant, the interval around 1.31', () => {
    const c = latencyChange(runs(300, 2, 0.1, 3), runs(300, 2.62, 0.1, 4))!;
    expect(c.ratio).toBeGreaterThan(1.25);
    expect(c.ratio).toBeLessThan(1.37);
    expect(c.low).toBeGreaterThan(1.2);
    expect(c.high).toBeLessThan(1.45);
    expect(c.significant).toBe(true);
    expect(c.pValue).toBeLessThan(1e-6);
  });

  test('a +31 % median from 30 noisy runs is not beyond the noise', () => {
    // A spread like a count(*) on a loaded 2-core machine: runs vary by a factor of 2 or more.
    const c = latencyChange(runs(30, 2, 0.8, 5), runs(30, 2.62, 0.8, 6))!;
    expect(c.low).toBeLessThan(1);
    expect(c.significant).toBe(false);
  });

  test('the same samples give the same interval (seeded); fewer than 5 runs: no verdict', () => {
    const b = runs(50, 1, 0.2, 7);
    const a = runs(50, 1.1, 0.2, 8);
    expect(bootstrapRatioCI(b, a)).toEqual(bootstrapRatioCI(b, a));
    expect(latencyChange([1, 2, 3, 4], [1, 2, 3, 4, 5])).toBeUndefined();
  });

  test('Mann-Whitney: textbook values', () => {
    // Fully separated samples of 10 each: U = 0, two-sided exact p = 1.08e-5; the normal approximation is close.
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const y = x.map((v) => v + 10);
    const r = mannWhitney(x, y);
    expect(r.u).toBe(0);
    expect(r.pValue).toBeGreaterThan(1e-5);
    expect(r.pValue).toBeLessThan(5e-4);
    // All ties: no evidence at all.
    expect(mannWhitney([1, 1, 1, 1, 1], [1, 1, 1, 1, 1]).pValue).toBe(1);
  });

  test('budgets: parsed from "20%", "20 %", 20; exceeded only when the whole interval is above it', () => {
    expect([parseBudget('20%'), parseBudget('20 %'), parseBudget(20), parseBudget('7.5'), parseBudget('lots'), parseBudget('-5%')]).toEqual([20, 20, 20, 7.5, undefined, undefined]);
    const base = { significant: true, pValue: 0.001, method: 'm', ratio: 1.31 };
    expect(beyondBudget({ ...base, low: 1.22, high: 1.4 }, 20)).toBe(true);
    expect(beyondBudget({ ...base, low: 1.12, high: 1.5 }, 20)).toBe(false); // might be within the budget
    expect(beyondBudget({ ...base, significant: false, low: 0.9, high: 1.8 }, 20)).toBe(false);
  });

  test('the budget check: names the query beyond it, and says which are above it within the noise', () => {
    const q = (name: string, changePct: number, low: number, high: number, significant: boolean): QueryTiming => ({
      name, sql: 'SELECT 1', origin: 'derived', runs: 100, before: { p50: 1, p95: 2, mean: 1 }, after: { p50: 1 + changePct / 100, p95: 2, mean: 1 }, changePct,
      change: { ratio: 1 + changePct / 100, low, high, pValue: significant ? 0.0001 : 0.3, significant, method: 'm' },
    });
    const noisy = budgetCheck([q('count of orders', 31, 0.9, 1.8, false)], 20);
    expect(noisy.ok).toBe(true);
    expect(noisy.detail).toBe('no query is significantly slower than the budget of +20 %; above it, but within the measurement noise: count of orders +31 % (95 % interval -10 % … +80 %, p = 0.30)');
    const slow = budgetCheck([q('count of orders', 31, 1.25, 1.38, true), q('primary-key lookup on orders', 2, 0.98, 1.05, false)], 20);
    expect(slow.ok).toBe(false);
    expect(slow.detail).toBe('1 of 2 queries are significantly slower than the budget of +20 %: count of orders +31 % (95 % interval +25 % … +38 %, p = 0.00010)');
  });
});
