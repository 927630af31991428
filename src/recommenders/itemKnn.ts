/**
 * Item-based collaborative filtering (Sarwar et al. 2001; Deshpande & Karypis 2004): two items are similar
 * when the same users interacted with both. With c = |U_i ∩ U_j| on the binary user–item matrix:
 *   cosine              c / (√|U_i| · √|U_j| + shrink)
 *   asymmetric cosine   c / (|U_i|^α · |U_j|^(1−α) + shrink)   (Aiolli 2013; α = 0.5 is the cosine)
 *   Jaccard             c / (|U_i| + |U_j| − c + shrink)
 * Each item keeps its top N neighbours, and score(u, j) = Σ_{i ∈ items(u)} sim(i, j).
 *
 * `neighbourhood` says whose neighbours are kept: 'history' keeps, for each item i a user has, its N most
 * similar items (Deshpande & Karypis); 'candidate' keeps, for each item j to be scored, the N history
 * items most similar to it (the orientation of Dacrema et al.'s reference ItemKNNCF). They differ when
 * similarity is not symmetric in rank: a popular item is among the neighbours of many rare ones.
 */
import type { InteractionMatrix } from '../math/interactions.js';
import { itemDegrees } from '../math/interactions.js';
import { buildItemSimilarity, transposeSimilarity, type RowSimilarity, type SparseItemSimilarity } from '../math/itemSimilarity.js';
import { ItemSimilarityScorer } from './itemSimilarityScorer.js';

export const ITEM_KNN_SIMILARITIES = ['cosine', 'asymmetric-cosine', 'jaccard'] as const;
export type ItemKnnSimilarity = (typeof ITEM_KNN_SIMILARITIES)[number];
export type ItemKnnNeighbourhood = 'history' | 'candidate';

export interface ItemKnnOptions {
  /** Neighbours kept per item (default 100). */
  neighbours?: number;
  /** Added to the similarity's denominator, to discount similarities resting on few shared users (default 50). */
  shrink?: number;
  /** Default cosine. */
  similarity?: ItemKnnSimilarity;
  /** α of the asymmetric cosine, in [0, 1] (default 0.5); ignored by the other similarities. */
  asymmetricAlpha?: number;
  /** Default 'history'. */
  neighbourhood?: ItemKnnNeighbourhood;
  /** Called every few thousand items with items done and the total. */
  onProgress?: (doneItems: number, totalItems: number) => void;
}

/**
 * 100 neighbours: RecBole's ItemKNN default `k`; on the amazon-book validation split below, 50, 100 and 200
 * neighbours ranked alike (decision record 0015).
 */
export const DEFAULT_ITEM_KNN_NEIGHBOURS = 100;

/**
 * Shrink 50: chosen on a validation split carved from amazon-book's train.txt (20 % of each user's items),
 * where Recall@20 rose with shrinkage up to 50 and then levelled off (decision record 0015). Without
 * shrinkage, items that share one or two users with a rare item
 * look as similar as true co-purchases.
 */
export const DEFAULT_ITEM_KNN_SHRINK = 50;

/** The neighbour lists as CSR: the neighbours of item i are indices[indptr[i] .. indptr[i + 1]), best first. */
export type ItemKnnModel = SparseItemSimilarity;

export function buildItemKnn(train: InteractionMatrix, options: ItemKnnOptions = {}): ItemKnnModel {
  return orientItemKnn(buildItemKnnNeighbourhoods(train, options), options.neighbourhood ?? 'history');
}

/**
 * The neighbour lists before they are arranged for scoring: rows of history items ('history') or of
 * scored items ('candidate'). A search over neighbourhood sizes cuts these rows, then orients them.
 */
export function buildItemKnnNeighbourhoods(train: InteractionMatrix, options: ItemKnnOptions = {}): SparseItemSimilarity {
  const neighbours = options.neighbours ?? DEFAULT_ITEM_KNN_NEIGHBOURS;
  const shrink = options.shrink ?? DEFAULT_ITEM_KNN_SHRINK;
  const kind = options.similarity ?? 'cosine';
  const alpha = kind === 'cosine' ? 0.5 : (options.asymmetricAlpha ?? 0.5);
  const neighbourhood = options.neighbourhood ?? 'history';
  if (!(shrink >= 0) || !Number.isFinite(shrink)) throw new RangeError(`itemKnn: shrink: expected a finite number ≥ 0, got ${shrink}`);
  if (!ITEM_KNN_SIMILARITIES.includes(kind)) throw new RangeError(`itemKnn: similarity: expected one of ${ITEM_KNN_SIMILARITIES.join(', ')}, got ${String(kind)}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`itemKnn: asymmetricAlpha: expected a number in [0, 1], got ${alpha}`);
  if (neighbourhood !== 'history' && neighbourhood !== 'candidate') throw new RangeError(`itemKnn: neighbourhood: expected history or candidate, got ${String(neighbourhood)}`);
  const degree = Float64Array.from(itemDegrees(train));
  // In 'candidate' orientation the row item is the one scored and the others are history items, so the
  // asymmetric exponents swap roles: the history item i keeps |U_i|^α either way.
  const rowExponent = neighbourhood === 'history' ? alpha : 1 - alpha;
  const rowPower = Float64Array.from(degree, (d) => d ** rowExponent);
  const otherPower = Float64Array.from(degree, (d) => d ** (1 - rowExponent));
  const similarity: RowSimilarity =
    kind === 'jaccard'
      ? (i, others, count, c, out) => {
          for (let t = 0; t < count; t += 1) {
            const j = others[t]!;
            out[t] = c[j]! / (degree[i]! + degree[j]! - c[j]! + shrink);
          }
        }
      : (i, others, count, c, out) => {
          const rowNorm = rowPower[i]!;
          for (let t = 0; t < count; t += 1) {
            const j = others[t]!;
            out[t] = c[j]! / (rowNorm * otherPower[j]! + shrink);
          }
        };
  return buildItemSimilarity(train, { neighbours, similarity, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
}

/** Scoring reads rows of history items; candidate neighbourhoods are rows of scored items, so turn them over. */
export function orientItemKnn(rows: SparseItemSimilarity, neighbourhood: ItemKnnNeighbourhood): ItemKnnModel {
  return neighbourhood === 'history' ? rows : transposeSimilarity(rows);
}

/** Scores by summing the neighbour lists of the user's training items. */
export class ItemKnnScorer extends ItemSimilarityScorer {
  constructor(model: ItemKnnModel, train: InteractionMatrix, name = 'item-knn') {
    super(model, train, name);
  }
}
