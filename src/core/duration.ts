/** Durations as lockstep's config and flags write them (`5s`, `500ms`, `2min`; a bare number is milliseconds), in ms. */
const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationText(text: string): number | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  if (unit && units[unit] === undefined) return undefined;
  return Number(m[1]) * (units[unit || 'ms'] ?? 1);
}
