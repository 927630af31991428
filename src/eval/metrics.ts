/**
 * Top-K recommendation metrics of ranked lists against each user's held-out items, accumulated user by user
 * over typed arrays. Every per-user metric is averaged over the users added (KGAT's protocol: each user with
 * at least one test item counts once); coverage is a property of all the lists together.
 *
 * Definitions, with hits h_i ∈ {0, 1} at ranks i = 1..K and T the user's test items:
 * - recall@K = Σ h_i / |T|;  precision@K = Σ h_i / K (KGAT divides by K even when the list is shorter).
 * - ndcg@K = DCG@K / IDCG, DCG = Σ h_i / log2(i + 1), IDCG = DCG of min(|T|, K) hits at the top (the standard one).
 * - ndcg_kgat@K: KGAT's `metrics.ndcg_at_k` takes IDCG from the hits of the ranked list itself, sorted to the
 *   front, so a user's IDCG counts only the relevant items that were retrieved; it is ≥ ndcg@K and equals 1
 *   for any list whose hits are all at the top. KGAT's `batch_test.py` ranks max(Ks) = 100 items with its
 *   default Ks, so its ndcg@20 counts the hits of the top 100: pass `kgatIdealDepth: 100` to reproduce that.
 * - hitrate@K = 1 if any hit; mrr@K = 1 / rank of the first hit within the top K (0 if none: truncated MRR).
 * - coverage@K = distinct items recommended in anyone's top K / itemCount.
 * - ild@K (intra-list diversity) = mean over pairs of the list of [categories differ], over the items whose
 *   category is known (≥ 0); users with fewer than two such items are left out of its mean.
 */

export interface MetricOptions {
  /** Item → category id (negative: unknown). Without it there is no ild@K. */
  itemCategory?: Int32Array | null;
  /** Depth of the ranked list whose hits make KGAT's ideal DCG (default: K itself; KGAT's code used 100). */
  kgatIdealDepth?: number;
}

let discounts = new Float64Array(0);

/** 1 / log2(rank + 1) for ranks 1..n, at positions 0..n−1 (grown on demand, shared by every caller). */
export function rankDiscounts(n: number): Float64Array {
  if (discounts.length < n) {
    discounts = new Float64Array(Math.max(n, 2 * discounts.length));
    for (let i = 0; i < discounts.length; i += 1) discounts[i] = 1 / Math.log2(i + 2);
  }
  return discounts;
}

/** DCG of `hits` relevant items all placed at the top of a list cut at k. */
export function idealDcg(hits: number, k: number): number {
  const n = Math.min(hits, k);
  const discount = rankDiscounts(n);
  let sum = 0;
  for (let i = 0; i < n; i += 1) sum += discount[i]!;
  return sum;
}

/**
 * Marks which of ranked[0, count) are in `relevant` (sorted ascending) into `hitFlags`, and returns the
 * number of hits.
 */
export function markHits(ranked: Int32Array, count: number, relevant: Int32Array, hitFlags: Uint8Array): number {
  let hits = 0;
  for (let i = 0; i < count; i += 1) {
    const found = sortedIndexOf(relevant, ranked[i]!) >= 0 ? 1 : 0;
    hitFlags[i] = found;
    hits += found;
  }
  return hits;
}

/** Standard NDCG@k of one ranked list (the fast path of fusion-weight fitting). */
export function ndcgAtK(ranked: Int32Array, count: number, relevant: Int32Array, k: number): number {
  if (relevant.length === 0) return 0;
  const discount = rankDiscounts(k);
  let dcg = 0;
  for (let i = 0, n = Math.min(count, k); i < n; i += 1) if (sortedIndexOf(relevant, ranked[i]!) >= 0) dcg += discount[i]!;
  return dcg === 0 ? 0 : dcg / idealDcg(relevant.length, k);
}

/** Recall@k of one ranked list: the share of the relevant items found in its first k. */
export function recallAtK(ranked: Int32Array, count: number, relevant: Int32Array, k: number): number {
  if (relevant.length === 0) return 0;
  let hits = 0;
  for (let i = 0, n = Math.min(count, k); i < n; i += 1) if (sortedIndexOf(relevant, ranked[i]!) >= 0) hits += 1;
  return hits / relevant.length;
}

/**
 * What fits and tunings maximise on validation data: the mean of NDCG@k and Recall@k, the two figures a
 * ranking is judged by. NDCG alone rewards the first places most and lets a list trade items further down
 * for a better order at the top.
 */
export const fitObjective = (metrics: { ndcg: number; recall: number }): number => (metrics.ndcg + metrics.recall) / 2;

/** Running sums of every metric at each cut-off. */
export class TopKMetricAccumulator {
  readonly ks: number[];
  /** Length of the ranked lists `add` needs: the largest K, or the KGAT ideal depth if deeper. */
  readonly depth: number;
  private readonly kgatDepth: number[];
  private users = 0;
  private readonly sums: Record<'recall' | 'precision' | 'ndcg' | 'ndcgKgat' | 'hitrate' | 'mrr' | 'ild', Float64Array>;
  private readonly ildUsers: Float64Array;
  private readonly seen: Uint8Array[];
  private readonly hitFlags: Uint8Array;
  private readonly hitsUpTo: Int32Array;
  private readonly dcgUpTo: Float64Array;
  private readonly categoryCounts: Int32Array | null;

  constructor(
    ks: readonly number[],
    readonly itemCount: number,
    private readonly options: MetricOptions = {},
  ) {
    if (ks.length === 0) throw new RangeError('metrics: ks: expected at least one cut-off');
    for (const k of ks) if (!Number.isInteger(k) || k < 1) throw new RangeError(`metrics: ks: expected positive integers, got ${k}`);
    this.ks = [...new Set(ks)].sort((a, b) => a - b);
    const maxK = this.ks[this.ks.length - 1]!;
    const kgatIdealDepth = options.kgatIdealDepth;
    if (kgatIdealDepth !== undefined && !(Number.isInteger(kgatIdealDepth) && kgatIdealDepth >= maxK)) {
      throw new RangeError(`metrics: kgatIdealDepth: expected an integer ≥ the largest K (${maxK}), got ${kgatIdealDepth}`);
    }
    this.kgatDepth = this.ks.map((k) => kgatIdealDepth ?? k);
    this.depth = Math.max(maxK, kgatIdealDepth ?? 0);
    const perK = (): Float64Array => new Float64Array(this.ks.length);
    this.sums = { recall: perK(), precision: perK(), ndcg: perK(), ndcgKgat: perK(), hitrate: perK(), mrr: perK(), ild: perK() };
    this.ildUsers = perK();
    this.seen = this.ks.map(() => new Uint8Array(itemCount));
    this.hitFlags = new Uint8Array(this.depth);
    this.hitsUpTo = new Int32Array(this.depth + 1);
    this.dcgUpTo = new Float64Array(this.depth + 1);
    const category = options.itemCategory ?? null;
    if (category !== null && category.length !== itemCount) {
      throw new RangeError(`metrics: itemCategory has ${category.length} entries for ${itemCount} items`);
    }
    let maxCategory = -1;
    if (category !== null) for (let i = 0; i < category.length; i += 1) maxCategory = Math.max(maxCategory, category[i]!);
    this.categoryCounts = category === null ? null : new Int32Array(maxCategory + 1);
    rankDiscounts(this.depth);
  }

  get userCount(): number {
    return this.users;
  }

  /**
   * Adds one user: ranked[0, count) is the list, best first (count ≤ depth; shorter when fewer items were
   * rankable), `relevant` the user's test items, sorted ascending and non-empty.
   */
  add(ranked: Int32Array, count: number, relevant: Int32Array): void {
    const n = Math.min(count, this.depth);
    const { hitFlags, hitsUpTo, dcgUpTo } = this;
    markHits(ranked, n, relevant, hitFlags);
    const discount = rankDiscounts(this.depth);
    let firstHit = -1;
    for (let i = 0; i < this.depth; i += 1) {
      const hit = i < n ? hitFlags[i]! : 0;
      if (hit === 1 && firstHit < 0) firstHit = i;
      hitsUpTo[i + 1] = hitsUpTo[i]! + hit;
      dcgUpTo[i + 1] = dcgUpTo[i]! + hit * discount[i]!;
    }
    for (const [j, k] of this.ks.entries()) {
      const hits = hitsUpTo[k]!;
      const dcg = dcgUpTo[k]!;
      this.sums.recall[j]! += hits / relevant.length;
      this.sums.precision[j]! += hits / k;
      this.sums.ndcg[j]! += dcg / idealDcg(relevant.length, k);
      const retrieved = hitsUpTo[this.kgatDepth[j]!]!;
      if (retrieved > 0) this.sums.ndcgKgat[j]! += dcg / idealDcg(retrieved, k);
      if (hits > 0) this.sums.hitrate[j]! += 1;
      if (firstHit >= 0 && firstHit < k) this.sums.mrr[j]! += 1 / (firstHit + 1);
      const seen = this.seen[j]!;
      for (let i = 0, end = Math.min(n, k); i < end; i += 1) seen[ranked[i]!] = 1;
      if (this.categoryCounts !== null) this.addDiversity(j, ranked, Math.min(n, k));
    }
    this.users += 1;
  }

  /**
   * Pairwise dissimilarity by counting: pairs in different categories = all pairs − Σ_c n_c (n_c − 1) / 2,
   * O(K) instead of O(K²) per list.
   */
  private addDiversity(j: number, ranked: Int32Array, n: number): void {
    const counts = this.categoryCounts!;
    const category = this.options.itemCategory!;
    let known = 0;
    let samePairs = 0;
    for (let i = 0; i < n; i += 1) {
      const c = category[ranked[i]!]!;
      if (c < 0) continue;
      samePairs += counts[c]!; // pairs this item forms with earlier items of its category
      counts[c]! += 1;
      known += 1;
    }
    for (let i = 0; i < n; i += 1) {
      const c = category[ranked[i]!]!;
      if (c >= 0) counts[c] = 0;
    }
    if (known < 2) return;
    const pairs = (known * (known - 1)) / 2;
    this.sums.ild[j]! += (pairs - samePairs) / pairs;
    this.ildUsers[j]! += 1;
  }

  /** Means over the users added, keyed `recall@20`, `ndcg@20`, `ndcg_kgat@20`, … */
  result(): Record<string, number> {
    const metrics: Record<string, number> = {};
    const mean = (sum: number, count: number): number => (count === 0 ? 0 : sum / count);
    for (const [j, k] of this.ks.entries()) {
      metrics[`recall@${k}`] = mean(this.sums.recall[j]!, this.users);
      metrics[`precision@${k}`] = mean(this.sums.precision[j]!, this.users);
      metrics[`ndcg@${k}`] = mean(this.sums.ndcg[j]!, this.users);
      metrics[`ndcg_kgat@${k}`] = mean(this.sums.ndcgKgat[j]!, this.users);
      metrics[`hitrate@${k}`] = mean(this.sums.hitrate[j]!, this.users);
      metrics[`mrr@${k}`] = mean(this.sums.mrr[j]!, this.users);
      let distinct = 0;
      const seen = this.seen[j]!;
      for (let i = 0; i < seen.length; i += 1) distinct += seen[i]!;
      metrics[`coverage@${k}`] = this.itemCount === 0 ? 0 : distinct / this.itemCount;
      if (this.categoryCounts !== null) metrics[`ild@${k}`] = mean(this.sums.ild[j]!, this.ildUsers[j]!);
    }
    return metrics;
  }
}

/** Position of `value` in the ascending `values`, or −1. */
function sortedIndexOf(values: Int32Array, value: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const found = values[mid]!;
    if (found < value) low = mid + 1;
    else if (found > value) high = mid - 1;
    else return mid;
  }
  return -1;
}
