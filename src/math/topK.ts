/**
 * The one top-k of kgrec: partial selection of the k best scores, on typed arrays. A bounded min-heap whose
 * root is the weakest of the k kept so far: on a long row with a small k almost every value loses one
 * comparison against the root, so a row costs about one pass, against n log n for a full sort.
 *
 * Every entry is a (score, id) pair, and ties go to the lower id: with ids that are positions in a list kept in
 * ranking order (a catalogue most popular first, say), equal scores keep that order, so results are
 * deterministic.
 */

/** Reusable buffers for the top k of many rows; `items` and `scores` hold the last row's result, best first. */
export class TopKSelector {
  readonly items: Int32Array;
  readonly scores: Float64Array;
  /** Entries in the heap while a row is being selected. */
  private size = 0;

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`TopKSelector: k: expected a positive integer, got ${k}`);
    this.items = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /**
   * Selects the k largest of values[offset, offset + length) and returns how many were found (fewer than
   * k when fewer are selectable). Positions are relative to `offset`. −Infinity (masked) and NaN are never
   * selected, nor a position `accept` turns away (asked only of values that would enter the top k).
   * Equal scores go to the lower position first, so the result is deterministic.
   */
  select(values: Float32Array | Float64Array, offset: number, length: number, accept?: (position: number) => boolean): number {
    this.size = 0;
    // Ties are broken towards the lower position: positions arrive in ascending order, so a newcomer
    // equal to the root is the weaker of the two and is rejected by the strict comparison below.
    // While the heap fills, `worst` is −Infinity, which also turns away masked entries and NaN.
    let worst = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < length; i += 1) {
      const value = values[offset + i]!;
      if (value > worst && (accept === undefined || accept(i))) worst = this.offer(value, i);
    }
    return this.finish();
  }

  /**
   * The top k of Σ_c weights[c] · components[c][offset + i], without writing the sums anywhere: fitting
   * fusion weights ranks every user under dozens of weightings, and one pass over the components per
   * weighting is about twice as fast as summing into a buffer and selecting from it.
   */
  selectWeightedSum(components: readonly Float32Array[], weights: readonly number[], offset: number, length: number): number {
    if (components.length !== weights.length) throw new RangeError(`selectWeightedSum: ${components.length} components but ${weights.length} weights`);
    this.size = 0;
    let worst = Number.NEGATIVE_INFINITY;
    if (components.length === 1) return this.select(components[0]!, offset, length);
    if (components.length === 2) {
      const [a, b] = components as [Float32Array, Float32Array];
      const [wa, wb] = weights as [number, number];
      for (let i = 0, p = offset; i < length; i += 1, p += 1) {
        const value = wa * a[p]! + wb * b[p]!;
        if (value > worst) worst = this.offer(value, i);
      }
    } else if (components.length === 3) {
      const [a, b, c] = components as [Float32Array, Float32Array, Float32Array];
      const [wa, wb, wc] = weights as [number, number, number];
      for (let i = 0, p = offset; i < length; i += 1, p += 1) {
        const value = wa * a[p]! + wb * b[p]! + wc * c[p]!;
        if (value > worst) worst = this.offer(value, i);
      }
    } else {
      for (let i = 0, p = offset; i < length; i += 1, p += 1) {
        let value = 0;
        for (let c = 0; c < components.length; c += 1) value += weights[c]! * components[c]![p]!;
        if (value > worst) worst = this.offer(value, i);
      }
    }
    return this.finish();
  }

  /** Empties the selector before a run of `consider` calls. */
  reset(): void {
    this.size = 0;
  }

  /**
   * The score an entry must reach to be kept once k are held (−Infinity before): a caller that visits entries
   * in an order where scores can only fall from here may stop as soon as a bound on the rest is below it.
   */
  get threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  /**
   * Offers one (score, id) pair, ids in any order; it is kept when it ranks among the best k offered since
   * `reset`. −Infinity and NaN are never kept. Call `finish` for the kept pairs, best first.
   */
  consider(score: number, id: number): void {
    if (!(score > Number.NEGATIVE_INFINITY)) return;
    if (this.size < this.k || weaker(this.scores[0]!, this.items[0]!, score, id)) this.offer(score, id);
  }

  /** Adds a value known to beat the current root (or to fill the heap); returns the new threshold. */
  private offer(value: number, position: number): number {
    const { k, items, scores } = this;
    if (this.size < k) {
      siftUp(scores, items, this.size, value, position);
      this.size += 1;
      return this.size === k ? scores[0]! : Number.NEGATIVE_INFINITY;
    }
    siftDown(scores, items, k, value, position);
    return scores[0]!;
  }

  /**
   * Puts the kept pairs best first into `items` and `scores` and returns how many there are (heap sort in
   * place: repeatedly moves the weakest to the end). `select` calls it; after `consider`, call it once.
   */
  finish(): number {
    const { items, scores, size } = this;
    for (let end = size - 1; end > 0; end -= 1) {
      const rootScore = scores[0]!;
      const rootItem = items[0]!;
      siftDown(scores, items, end, scores[end]!, items[end]!);
      scores[end] = rootScore;
      items[end] = rootItem;
    }
    return size;
  }
}

/**
 * Positions of the `k` largest scores among those accepted (all, without `accept`), best first (ties: the lower
 * position); −Infinity and NaN are never returned.
 */
export function topIndices(scores: Float32Array | Float64Array, k: number, accept?: (index: number) => boolean): number[] {
  if (k <= 0) return [];
  const selector = new TopKSelector(k);
  const found = selector.select(scores, 0, scores.length, accept);
  return Array.from(selector.items.subarray(0, found));
}

/** Whether (scoreA, itemA) ranks below (scoreB, itemB): a lower score, or an equal score at a higher position. */
function weaker(scoreA: number, itemA: number, scoreB: number, itemB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && itemA > itemB);
}

/** Inserts (score, item) at heap position `at` (the new last slot) and restores the min-heap order. */
function siftUp(scores: Float64Array, items: Int32Array, at: number, score: number, item: number): void {
  let child = at;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (!weaker(score, item, scores[parent]!, items[parent]!)) break;
    scores[child] = scores[parent]!;
    items[child] = items[parent]!;
    child = parent;
  }
  scores[child] = score;
  items[child] = item;
}

/** Replaces the root of a heap of `size` with (score, item) and restores the min-heap order. */
function siftDown(scores: Float64Array, items: Int32Array, size: number, score: number, item: number): void {
  let parent = 0;
  for (;;) {
    let child = 2 * parent + 1;
    if (child >= size) break;
    const right = child + 1;
    if (right < size && weaker(scores[right]!, items[right]!, scores[child]!, items[child]!)) child = right;
    if (!weaker(scores[child]!, items[child]!, score, item)) break;
    scores[parent] = scores[child]!;
    items[parent] = items[child]!;
    parent = child;
  }
  scores[parent] = score;
  items[parent] = item;
}
