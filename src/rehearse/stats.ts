/**
 * Is a latency change beyond the measurement noise? Two views over the per-run samples of a query
 * before and after the change:
 *
 * - a 95 % percentile-bootstrap confidence interval of the ratio of medians (after / before): both
 *   sample sets are resampled with replacement 2,000 times with a seeded PRNG (the same samples give
 *   the same interval), the 2.5th and 97.5th percentiles of the resampled ratios are the interval;
 * - a two-sided Mann-Whitney U test (normal approximation with the tie correction), its p-value.
 *
 * A change is significant when the interval excludes 1 (the median moved, beyond what resampling the
 * runs explains) and p < 0.05. A latency budget (say 20 %) is exceeded only when the whole interval lies
 * above 1 + budget: a regression that is significantly larger than the budget, not one that merely
 * might be.
 *
 * What this does not see: both sample sets are timed minutes apart on the same sandbox, so a drift that
 * affects every run of one side (a cache warmed, another process loading the machine) is not noise to
 * these tests; they treat runs as independent draws, which back-to-back runs only approximately are.
 */

import type { Latency, QueryTiming } from './types.js';
import type { TimedQuery, WorkloadQuery } from './workload.js';
import { mulberry32 } from '../core/random.js';

export interface LatencyChange {
  /** Median after / median before. */
  ratio: number;
  /** 95 % bootstrap confidence interval of the ratio. */
  low: number;
  high: number;
  /** Two-sided Mann-Whitney U p-value. */
  pValue: number;
  /** Interval excludes 1 and p < 0.05. */
  significant: boolean;
  method: string;
}

function median(sorted: number[]): number {
  const n = sorted.length;
  if (!n) return NaN;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}


/** Median of a resample (with replacement) of `xs`. */
function resampledMedian(xs: number[], rng: () => number, buf: Float64Array): number {
  const n = xs.length;
  for (let i = 0; i < n; i++) buf[i] = xs[Math.floor(rng() * n)]!;
  const a = buf.subarray(0, n).sort();
  return n % 2 ? a[(n - 1) / 2]! : (a[n / 2 - 1]! + a[n / 2]!) / 2;
}

export function bootstrapRatioCI(before: number[], after: number[], o: { resamples?: number; seed?: number; level?: number } = {}): { ratio: number; low: number; high: number } {
  const B = o.resamples ?? 2000;
  const rng = mulberry32(o.seed ?? 1);
  const mb = median([...before].sort((a, b) => a - b));
  const ma = median([...after].sort((a, b) => a - b));
  const ratio = ma / mb;
  const bufB = new Float64Array(before.length);
  const bufA = new Float64Array(after.length);
  const ratios = new Float64Array(B);
  for (let i = 0; i < B; i++) ratios[i] = resampledMedian(after, rng, bufA) / resampledMedian(before, rng, bufB);
  ratios.sort();
  const alpha = (1 - (o.level ?? 0.95)) / 2;
  const at = (q: number) => ratios[Math.min(B - 1, Math.max(0, Math.round(q * (B - 1))))]!;
  return { ratio, low: at(alpha), high: at(1 - alpha) };
}

/** Two-sided Mann-Whitney U test, normal approximation with tie correction and continuity correction. */
export function mannWhitney(x: number[], y: number[]): { u: number; pValue: number } {
  const n1 = x.length;
  const n2 = y.length;
  const all = [...x.map((v) => ({ v, g: 0 })), ...y.map((v) => ({ v, g: 1 }))].sort((a, b) => a.v - b.v);
  const N = all.length;
  let r1 = 0;
  let tie = 0;
  for (let i = 0; i < N; ) {
    let j = i;
    while (j + 1 < N && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    if (t > 1) tie += t ** 3 - t;
    for (let k = i; k <= j; k++) if (all[k]!.g === 0) r1 += rank;
    i = j + 1;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (N + 1 - tie / (N * (N - 1))));
  if (!(sigma > 0)) return { u: u1, pValue: 1 };
  const z = (Math.abs(u1 - mu) - 0.5) / sigma;
  return { u: u1, pValue: Math.min(1, 2 * (1 - normalCdf(Math.max(0, z)))) };
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152735) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export function latencyChange(before: number[], after: number[], seed = 1): LatencyChange | undefined {
  if (before.length < 5 || after.length < 5) return undefined;
  const ci = bootstrapRatioCI(before, after, { seed });
  const mw = mannWhitney(before, after);
  return { ...ci, pValue: mw.pValue, significant: (ci.low > 1 || ci.high < 1) && mw.pValue < 0.05, method: 'bootstrap-95-ratio-of-medians+mann-whitney' };
}

/** Whether a change is a significant regression beyond `budgetPct` (the whole interval above 1 + budget). */
export function beyondBudget(c: LatencyChange, budgetPct: number): boolean {
  return c.significant && c.low > 1 + budgetPct / 100;
}

/** "20%", "20 %", "20" → 20; undefined when it is not a percentage ≥ 0. */
export function parseBudget(v: unknown): number | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** Anything that runs SQL with bound parameters (a Postgres Db, a MySQL MyDb). */
export interface SqlRunner {
  query(sql: string, params?: any[]): Promise<unknown>;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * Runs `sql` enough times for a stable p50/p95 (at least `minRuns` and `minMs`, at most `maxRuns`), after
 * three untimed warm-up runs. Each run is in a transaction that is rolled back (untimed), so a workload
 * that writes leaves the data as it was: the rehearsal's data checksum must only see what the change did.
 * The same loop for every dialect: only the runner differs.
 */
export async function timeStatement(
  db: SqlRunner,
  sql: string,
  paramsAt: (i: number) => unknown[] | undefined,
  o: { minRuns?: number; minMs?: number; maxRuns?: number } = {},
): Promise<{ latency: Latency; runs: number; samples: number[] }> {
  const minRuns = o.minRuns ?? 30;
  const minMs = o.minMs ?? 300;
  const maxRuns = o.maxRuns ?? 500;
  const once = async (i: number): Promise<number> => {
    await db.query('BEGIN');
    try {
      const s = performance.now();
      await db.query(sql, paramsAt(i));
      return performance.now() - s;
    } finally {
      await db.query('ROLLBACK').catch(() => {});
    }
  };
  for (let i = 0; i < 3; i++) await once(i);
  const samples: number[] = [];
  const t0 = performance.now();
  while (samples.length < maxRuns && (samples.length < minRuns || performance.now() - t0 < minMs)) samples.push(await once(samples.length));
  const sorted = [...samples].sort((a, b) => a - b);
  const latency: Latency = { p50: percentile(sorted, 50), p95: percentile(sorted, 95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
  return { latency, runs: samples.length, samples };
}

/** Each workload query's latency before and after, with whether the change is beyond the noise and whether its plan changed. */
export function compareTimings(queries: WorkloadQuery[], before: Map<string, TimedQuery>, after: Map<string, TimedQuery>): QueryTiming[] {
  return queries.flatMap((q) => {
    const b = before.get(q.name);
    const a = after.get(q.name);
    if (!b || !a) return [];
    const planChanged = b.plan.join('\n') !== a.plan.join('\n');
    const change = b.latency.p50 > 0 ? latencyChange(b.samples, a.samples) : undefined;
    return [
      {
        name: q.name,
        sql: q.sql,
        origin: q.origin,
        runs: Math.min(a.runs, b.runs),
        before: b.latency,
        after: a.latency,
        changePct: b.latency.p50 > 0 ? ((a.latency.p50 - b.latency.p50) / b.latency.p50) * 100 : 0,
        ...(change ? { change } : {}),
        ...(planChanged ? { planBefore: b.plan, planAfter: a.plan } : {}),
      },
    ];
  });
}
