/** "did you mean …?" for a misspelt key or id: the closest known one by edit distance, when close enough. */

/** ` (did you mean X?)`, or '' when nothing known is close. */
export function suggest(id: string, known: readonly string[]): string {
  const best = closest(id, known);
  return best ? ` (did you mean ${best}?)` : '';
}

/** The known string closest to `id`, when within a few edits (case-insensitive). */
export function closest(id: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(id.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best && bestD <= Math.max(3, id.length / 4) ? best : undefined;
}

/** Levenshtein distance. */
export function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
