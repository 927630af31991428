/**
 * P3α (Cooper et al., WWW 2014) and RP3β (Paudel et al., ACM TiiS 2017): item-to-item transition
 * probabilities of a three-step random walk item → user → item on the bipartite user–item graph, as in
 * the reference implementations of Dacrema et al. (RecSys 2019). With the binary matrix X, P_ui = X
 * row-normalised (1/|I_u|) and P_iu = Xᵀ row-normalised (1/|U_i|), both raised element-wise to α:
 *   W[i][j] = Σ_{u ∈ U_i ∩ U_j} |U_i|^−α · |I_u|^−α                  (P3α)
 *   W[i][j] = Σ_{u ∈ U_i ∩ U_j} |U_i|^−α · |I_u|^−α · |U_j|^−β        (RP3β: popular targets discounted)
 * with W[i][i] = 0, each row cut to its top k, and each kept row normalised to sum 1 (a transition
 * distribution again). Scores are the user's history times W (ItemSimilarityScorer).
 */
import { itemDegrees, type InteractionMatrix } from '../math/interactions.js';
import { buildItemSimilarity, type RowSimilarity, type SparseItemSimilarity } from '../math/itemSimilarity.js';

export interface GraphWalkOptions {
  /** Neighbours kept per item (default 100, as in the references). */
  neighbours?: number;
  /** Exponent of the transition probabilities (default 1: the plain walk). */
  alpha?: number;
  /** Popularity penalty of the target item (default 0: P3α; RP3β uses β > 0). */
  beta?: number;
  /** Normalise each kept row to sum 1 (default true). */
  normaliseRows?: boolean;
  onProgress?: (doneItems: number, totalItems: number) => void;
}

export const DEFAULT_GRAPH_WALK_NEIGHBOURS = 100;

export function buildGraphWalk(train: InteractionMatrix, options: GraphWalkOptions = {}): SparseItemSimilarity {
  const neighbours = options.neighbours ?? DEFAULT_GRAPH_WALK_NEIGHBOURS;
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 0;
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new RangeError(`graphWalk: alpha: expected a finite number ≥ 0, got ${alpha}`);
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new RangeError(`graphWalk: beta: expected a finite number ≥ 0, got ${beta}`);
  const userWeights = new Float64Array(train.userCount);
  for (let u = 0; u < train.userCount; u += 1) {
    const length = train.indptr[u + 1]! - train.indptr[u]!;
    userWeights[u] = length === 0 ? 0 : length ** -alpha;
  }
  const degree = itemDegrees(train);
  const rowWeight = Float64Array.from(degree, (d) => (d === 0 ? 0 : d ** -alpha));
  const targetWeight = Float64Array.from(degree, (d) => (d === 0 ? 0 : d ** -beta));
  const similarity: RowSimilarity = (i, others, count, c, out) => {
    const row = rowWeight[i]!;
    for (let t = 0; t < count; t += 1) {
      const j = others[t]!;
      out[t] = row * c[j]! * targetWeight[j]!;
    }
  };
  return buildItemSimilarity(train, {
    neighbours,
    userWeights,
    similarity,
    normaliseRows: options.normaliseRows ?? true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/** P3α: the walk without a popularity penalty. */
export function buildP3alpha(train: InteractionMatrix, options: Omit<GraphWalkOptions, 'beta'> = {}): SparseItemSimilarity {
  return buildGraphWalk(train, { ...options, beta: 0 });
}

/** RP3β: the walk with the target's popularity raised to −β. */
export function buildRP3beta(train: InteractionMatrix, options: GraphWalkOptions = {}): SparseItemSimilarity {
  return buildGraphWalk(train, options);
}
