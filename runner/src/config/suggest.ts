// "Did you mean" for unknown keys: near misses by edit distance, case and '-'/'_' confusion.

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

const normalize = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

const normalized = new Map<string, string>();
function normalizeCached(key: string): string {
  let n = normalized.get(key);
  if (n === undefined) normalized.set(key, (n = normalize(key)));
  return n;
}

// A large file tends to repeat the same typo (`max_backup=` on many lines): remember the
// answer per list of known keys. User input, so the memory is bounded.
const SUGGESTION_CACHE_LIMIT = 500;
const suggestions = new WeakMap<readonly string[], Map<string, string | undefined>>();

/** The known key closest to `key`, when it is close enough to be a typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let cached = suggestions.get(known);
  if (!cached) suggestions.set(known, (cached = new Map()));
  if (cached.has(key)) return cached.get(key);
  if (cached.size >= SUGGESTION_CACHE_LIMIT) cached.clear();
  const suggestion = closestKey(key, known);
  cached.set(key, suggestion);
  return suggestion;
}

function closestKey(key: string, known: readonly string[]): string | undefined {
  if (key === '') return undefined;
  const norm = normalize(key);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    // Same letters apart from case and '-' / '_' / blanks: certainly a typo of this key.
    const target = normalizeCached(candidate);
    const score =
      target === norm ? 0 : Math.abs(target.length - norm.length) > 3 ? Infinity : editDistance(norm, target);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = norm.length <= 4 ? 1 : norm.length <= 8 ? 2 : 3;
  return bestScore <= limit ? best : undefined;
}
