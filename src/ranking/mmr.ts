/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): picks items one at a time, each maximising
 * (1 − diversity) · relevance − diversity · (its largest similarity to an item already picked), so a
 * page of near-duplicates gives way to the next-best different item. An optional cap per category
 * bounds any one category's share of the page.
 */

export interface MmrCandidate {
  /** Relevance, any scale: it is rescaled to 0..1 over the candidates. */
  score: number;
  category: string | null;
}

export interface MmrOptions {
  /** 0 keeps the relevance order; 1 only avoids similarity. */
  diversity: number;
  first: number;
  /** Similarity of candidates i and j, 0..1. */
  similarity: (i: number, j: number) => number;
  maxPerCategory?: number | undefined;
}

/** Indices into `candidates` (given best first), in the re-ranked order. */
export function mmrOrder(candidates: readonly MmrCandidate[], options: MmrOptions): number[] {
  const { diversity, first, similarity, maxPerCategory } = options;
  const n = candidates.length;
  let min = Infinity;
  let max = -Infinity;
  for (const candidate of candidates) {
    min = Math.min(min, candidate.score);
    max = Math.max(max, candidate.score);
  }
  const span = max - min || 1;
  const relevance = candidates.map((candidate) => (candidate.score - min) / span);
  const maxSimilarity = new Float64Array(n);
  const taken = new Uint8Array(n);
  const perCategory = new Map<string, number>();
  const order: number[] = [];
  while (order.length < Math.min(first, n)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i += 1) {
      if (taken[i]) continue;
      const category = (candidates[i] as MmrCandidate).category;
      if (maxPerCategory !== undefined && category !== null && (perCategory.get(category) ?? 0) >= maxPerCategory) continue;
      const value = (1 - diversity) * (relevance[i] as number) - diversity * (maxSimilarity[i] as number);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    order.push(best);
    const category = (candidates[best] as MmrCandidate).category;
    if (category !== null) perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
    if (diversity > 0) for (let i = 0; i < n; i += 1) if (!taken[i]) maxSimilarity[i] = Math.max(maxSimilarity[i] as number, similarity(best, i));
  }
  return order;
}
