/**
 * Sparse item × item similarity built from a user–item matrix: the one co-occurrence pass behind item-kNN,
 * P3α and RP3β. For each item i it sums a per-user weight over the users of i into a dense accumulator
 * indexed by co-occurring item j,
 *   c_i[j] = Σ_{u ∈ U_i ∩ U_j} w_u,
 * lets the model turn the row's accumulators into similarities, keeps the row's top k, and optionally
 * normalises the kept row to sum 1. The build costs Σ_u |items(u)|² additions and O(itemCount) memory
 * besides the result: never an item × item matrix.
 */
import { transpose, type InteractionMatrix } from './interactions.js';
import { NeighbourRowsBuilder } from './neighbourRows.js';
import { TopKSelector } from './topK.js';

/** Neighbour lists as CSR: the neighbours of item i are indices[indptr[i] .. indptr[i + 1]), best first. */
export interface SparseItemSimilarity {
  itemCount: number;
  indptr: Int32Array;
  indices: Int32Array;
  similarities: Float32Array;
}

/**
 * Turns one row's weighted co-occurrences into similarities: for t < count, out[t] is the similarity of
 * row item `item` to item others[t], whose accumulated weight is cooccurrence[others[t]]. One call per row,
 * so that the per-pair arithmetic stays in the model's own loop.
 */
export type RowSimilarity = (item: number, others: Int32Array, count: number, cooccurrence: Float64Array, out: Float64Array) => void;

export interface ItemSimilarityOptions {
  /** Neighbours kept per item (the k of top-k). */
  neighbours: number;
  /** Per-user weight w_u (default 1 for every user: plain co-occurrence counts). */
  userWeights?: Float64Array;
  similarity: RowSimilarity;
  /** Divide each kept row by its sum, so that it is a transition distribution (P3α, RP3β). */
  normaliseRows?: boolean;
  /** Called every few thousand items with items done and the total. */
  onProgress?: (doneItems: number, totalItems: number) => void;
}

const PROGRESS_EVERY_ITEMS = 2048;

export function buildItemSimilarity(train: InteractionMatrix, options: ItemSimilarityOptions): SparseItemSimilarity {
  const { neighbours, userWeights, similarity } = options;
  if (!Number.isInteger(neighbours) || neighbours < 1) throw new RangeError(`itemSimilarity: neighbours: expected a positive integer, got ${neighbours}`);
  if (userWeights !== undefined && userWeights.length !== train.userCount) {
    throw new RangeError(`itemSimilarity: userWeights: expected ${train.userCount} weights (one per user), got ${userWeights.length}`);
  }
  const { itemCount } = train;
  const byItem = transpose(train);
  const cooccurrence = new Float64Array(itemCount);
  const seen = new Uint8Array(itemCount);
  const touched = new Int32Array(itemCount);
  const values = new Float64Array(itemCount);
  const selector = new TopKSelector(neighbours);
  const rows = new NeighbourRowsBuilder(itemCount, neighbours);

  for (let i = 0; i < itemCount; i += 1) {
    let count = 0;
    for (let p = byItem.indptr[i]!, end = byItem.indptr[i + 1]!; p < end; p += 1) {
      const user = byItem.indices[p]!;
      const weight = userWeights === undefined ? 1 : userWeights[user]!;
      for (let q = train.indptr[user]!, qEnd = train.indptr[user + 1]!; q < qEnd; q += 1) {
        const j = train.indices[q]!;
        // The item itself is not its own neighbour: it is already among the user's items.
        if (j === i) continue;
        if (seen[j] === 0) {
          seen[j] = 1;
          touched[count++] = j;
        }
        cooccurrence[j]! += weight;
      }
    }
    similarity(i, touched, count, cooccurrence, values);
    for (let t = 0; t < count; t += 1) {
      const j = touched[t]!;
      cooccurrence[j] = 0;
      seen[j] = 0;
    }
    const kept = selector.select(values, 0, count);
    let sum = 0;
    for (let n = 0; n < kept; n += 1) sum += selector.scores[n]!;
    const scale = options.normaliseRows === true && sum > 0 ? 1 / sum : 1;
    rows.endRow(i, touched, selector, kept, scale);
    if ((i + 1) % PROGRESS_EVERY_ITEMS === 0 || i + 1 === itemCount) options.onProgress?.(i + 1, itemCount);
  }
  return { itemCount, ...rows.finish() };
}

/**
 * The same similarities with each row cut to its first `neighbours` entries (rows are best first), so that
 * a search over neighbourhood sizes builds once at the largest size.
 */
export function truncateNeighbours(model: SparseItemSimilarity, neighbours: number, normaliseRows = false): SparseItemSimilarity {
  if (!Number.isInteger(neighbours) || neighbours < 1) throw new RangeError(`truncateNeighbours: neighbours: expected a positive integer, got ${neighbours}`);
  const indptr = new Int32Array(model.itemCount + 1);
  for (let i = 0; i < model.itemCount; i += 1) indptr[i + 1] = indptr[i]! + Math.min(neighbours, model.indptr[i + 1]! - model.indptr[i]!);
  const indices = new Int32Array(indptr[model.itemCount]!);
  const similarities = new Float32Array(indices.length);
  for (let i = 0; i < model.itemCount; i += 1) {
    const from = model.indptr[i]!;
    const length = indptr[i + 1]! - indptr[i]!;
    indices.set(model.indices.subarray(from, from + length), indptr[i]!);
    similarities.set(model.similarities.subarray(from, from + length), indptr[i]!);
  }
  if (normaliseRows) normaliseRowSums({ itemCount: model.itemCount, indptr, indices, similarities });
  return { itemCount: model.itemCount, indptr, indices, similarities };
}

/** Divides every non-empty row by its sum, in place. */
export function normaliseRowSums(model: SparseItemSimilarity): void {
  for (let i = 0; i < model.itemCount; i += 1) {
    let sum = 0;
    for (let p = model.indptr[i]!; p < model.indptr[i + 1]!; p += 1) sum += model.similarities[p]!;
    if (sum > 0) for (let p = model.indptr[i]!; p < model.indptr[i + 1]!; p += 1) model.similarities[p]! /= sum;
  }
}

/**
 * The transpose: row j lists the items i whose rows hold j. Built with a counting sort, so every row
 * comes out in ascending item order.
 */
export function transposeSimilarity(model: SparseItemSimilarity): SparseItemSimilarity {
  const { itemCount } = model;
  const indptr = new Int32Array(itemCount + 1);
  for (let p = 0; p < model.indices.length; p += 1) indptr[model.indices[p]! + 1]! += 1;
  for (let j = 0; j < itemCount; j += 1) indptr[j + 1]! += indptr[j]!;
  const next = indptr.slice(0, itemCount);
  const indices = new Int32Array(model.indices.length);
  const similarities = new Float32Array(model.indices.length);
  for (let i = 0; i < itemCount; i += 1) {
    for (let p = model.indptr[i]!; p < model.indptr[i + 1]!; p += 1) {
      const at = next[model.indices[p]!]!++;
      indices[at] = i;
      similarities[at] = model.similarities[p]!;
    }
  }
  return { itemCount, indptr, indices, similarities };
}
