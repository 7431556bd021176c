// Small statistics shared by every benchmark.

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** Nearest-rank percentile of an ascending array (`fraction` in [0, 1]); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** `a` counts added into `into`, by key. */
export function addCounts(into: Record<string, number>, a: Readonly<Record<string, number>>): void {
  for (const [key, count] of Object.entries(a)) into[key] = (into[key] ?? 0) + count;
}
