/**
 * "Did you mean": the one rule keel uses to suggest a known name for a mistyped one (arg keys,
 * stack config keys, PostgreSQL settings, Kafka topic configs, project file keys).
 */

/** Optimal string alignment distance (edits, with transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest of `known` to `key`, when it is close enough to be a typo (case ignored). */
export function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const limit = lower.length <= 2 ? 0 : lower.length <= 4 ? 1 : lower.length <= 10 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d <= limit && d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` for the closest of `candidates` to `name`, or "" when none is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closest(String(name), [...candidates]);
  return best === undefined ? "" : ` (did you mean ${JSON.stringify(best)}?)`;
}
