/**
 * Scores with a sparse item × item matrix W: score(u, j) = Σ_{i ∈ items(u)} W[i][j], the user's history
 * times W. Item-kNN, P3α and RP3β differ only in how W is built.
 */
import type { InteractionMatrix } from '../math/interactions.js';
import type { SparseItemSimilarity } from '../math/itemSimilarity.js';
import type { BatchScorer } from './scorer.js';

export class ItemSimilarityScorer implements BatchScorer {
  constructor(
    readonly model: SparseItemSimilarity,
    private readonly train: InteractionMatrix,
    readonly name: string,
  ) {
    if (train.itemCount !== model.itemCount) throw new RangeError(`${name}: train has ${train.itemCount} items, the model ${model.itemCount}`);
  }

  scoreUsers(users: Int32Array, out: Float32Array): void {
    const { itemCount, indptr, indices, similarities } = this.model;
    const train = this.train;
    out.fill(0, 0, users.length * itemCount);
    for (let b = 0; b < users.length; b += 1) {
      const row = b * itemCount;
      const user = users[b]!;
      for (let p = train.indptr[user]!, end = train.indptr[user + 1]!; p < end; p += 1) {
        const i = train.indices[p]!;
        for (let q = indptr[i]!, qEnd = indptr[i + 1]!; q < qEnd; q += 1) out[row + indices[q]!]! += similarities[q]!;
      }
    }
  }
}
