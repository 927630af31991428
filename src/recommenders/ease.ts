/**
 * EASE (Steck, WWW 2019): a linear item × item model B with a zero diagonal, the closed-form least
 * squares fit of X ≈ X·B under an L2 penalty λ. With P = (XᵀX + λI)⁻¹,
 *   B[i][j] = −P[i][j] / P[j][j]  (i ≠ j),  B[i][i] = 0,
 * and score(u, j) = Σ_{i ∈ items(u)} B[i][j]. The whole cost is one dense inverse of an item × item
 * matrix: n³ operations, and memory for the Gram matrix (its factor, then the inverse, in place, float64),
 * the triangular inverse (float64, half of it touched) and B (float32).
 */
import type { InteractionMatrix } from '../math/interactions.js';
import type { SparseItemSimilarity } from '../math/itemSimilarity.js';
import { invertSymmetricPositiveDefinite } from '../math/spdInverse.js';
import { TopKSelector } from '../math/topK.js';
import type { BatchScorer } from './scorer.js';

export interface EaseOptions {
  /** L2 penalty λ on B (default 500). */
  l2?: number;
  /** Share of the inversion done, in [0, 1]. */
  onProgress?: (share: number) => void;
}

/** Steck's amazon-scale setting is λ = 500 for sparse data; the evaluation tunes it on validation. */
export const DEFAULT_EASE_L2 = 500;

/**
 * The largest item count EASE is built for. Time, not memory, binds on a two-core machine: the inverse
 * costs n³ operations on one thread, and tuning λ takes several fits, so this is the largest size whose
 * search and refit fit in an evaluation run (bench/easeFit.ts measures a fit by item count).
 * amazon-book's 24,915 items would cost (24,915 / 15,000)³ ≈ 4.6 times as much per fit.
 */
export const EASE_MAX_ITEMS = 15_000;

export interface EaseModel {
  itemCount: number;
  l2: number;
  /** Row-major itemCount × itemCount: row i is what history item i adds to every item's score. */
  weights: Float32Array;
}

export function buildEase(train: InteractionMatrix, options: EaseOptions = {}): EaseModel {
  const l2 = options.l2 ?? DEFAULT_EASE_L2;
  const n = train.itemCount;
  if (!(l2 > 0) || !Number.isFinite(l2)) throw new RangeError(`ease: l2: expected a finite number > 0, got ${l2}`);
  if (n > EASE_MAX_ITEMS) throw new RangeError(`ease: ${n} items is more than EASE_MAX_ITEMS (${EASE_MAX_ITEMS}): the dense item × item inverse would take too long`);
  if (n === 0) throw new RangeError('ease: the training matrix has no items');
  const gram = gramMatrix(train, l2);
  const inverse = invertSymmetricPositiveDefinite(gram, n, options.onProgress);
  const weights = new Float32Array(n * n);
  for (let i = 0; i < n; i += 1) {
    const row = i * n;
    for (let j = 0; j < n; j += 1) {
      if (j === i) continue;
      const pij = j < i ? inverse[row + j]! : inverse[j * n + i]!;
      weights[row + j] = -pij / inverse[j * n + j]!;
    }
  }
  return { itemCount: n, l2, weights };
}

/** The lower triangle of XᵀX + λI for the binary X: co-occurrence counts, item degrees + λ on the diagonal. */
export function gramMatrix(train: InteractionMatrix, l2: number): Float64Array {
  const n = train.itemCount;
  const gram = new Float64Array(n * n);
  for (let u = 0; u < train.userCount; u += 1) {
    const start = train.indptr[u]!;
    const end = train.indptr[u + 1]!;
    // Rows are sorted ascending, so indices[q] ≤ indices[p] for q ≤ p: the pair lands in the lower triangle.
    for (let p = start; p < end; p += 1) {
      const row = train.indices[p]! * n;
      for (let q = start; q <= p; q += 1) gram[row + train.indices[q]!]! += 1;
    }
  }
  for (let i = 0; i < n; i += 1) gram[i * n + i]! += l2;
  return gram;
}

/**
 * B with each row cut to its `neighbours` entries of largest magnitude, signs kept, largest first: the
 * `itemItem` signal's form of EASE, scored like the other item × item models (ItemSimilarityScorer). By
 * magnitude rather than by value, because B's negative entries rank too (an item that the history makes
 * redundant is pushed down), and the entries kept are each row's best approximation of that size.
 */
export function sparsifyEase(model: EaseModel, neighbours: number): SparseItemSimilarity {
  const { itemCount: n, weights } = model;
  if (!Number.isInteger(neighbours) || neighbours < 1) throw new RangeError(`ease: neighbours: expected a positive integer, got ${neighbours}`);
  const kept = Math.min(neighbours, Math.max(0, n - 1));
  const selector = new TopKSelector(Math.max(1, kept));
  const magnitude = new Float32Array(n);
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(n * kept);
  const similarities = new Float32Array(n * kept);
  let at = 0;
  for (let i = 0; i < n; i += 1) {
    const row = weights.subarray(i * n, (i + 1) * n);
    for (let j = 0; j < n; j += 1) magnitude[j] = Math.abs(row[j]!);
    // The zero diagonal is no neighbour; nor is an entry of exactly 0 (an item no one shares with i).
    magnitude[i] = Number.NEGATIVE_INFINITY;
    const count = kept === 0 ? 0 : selector.select(magnitude, 0, n);
    for (let r = 0; r < count; r += 1) {
      if (selector.scores[r] === 0) break;
      const j = selector.items[r]!;
      indices[at] = j;
      similarities[at] = row[j]!;
      at += 1;
    }
    indptr[i + 1] = at;
  }
  return { itemCount: n, indptr, indices: indices.slice(0, at), similarities: similarities.slice(0, at) };
}

/** Scores by summing the rows of B of the user's training items. */
export class EaseScorer implements BatchScorer {
  constructor(
    readonly model: EaseModel,
    private readonly train: InteractionMatrix,
    readonly name = 'ease',
  ) {
    if (train.itemCount !== model.itemCount) throw new RangeError(`${name}: train has ${train.itemCount} items, the model ${model.itemCount}`);
  }

  scoreUsers(users: Int32Array, out: Float32Array): void {
    const { itemCount: n, weights } = this.model;
    const train = this.train;
    out.fill(0, 0, users.length * n);
    for (let b = 0; b < users.length; b += 1) {
      const target = out.subarray(b * n, (b + 1) * n);
      const user = users[b]!;
      for (let p = train.indptr[user]!, end = train.indptr[user + 1]!; p < end; p += 1) {
        const row = train.indices[p]! * n;
        for (let j = 0; j < n; j += 1) target[j]! += weights[row + j]!;
      }
    }
  }
}
