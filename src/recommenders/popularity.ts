/**
 * The popularity baseline: every user gets the items with the most training interactions. Any personal
 * model must beat it clearly, or the personalisation is not earning its cost.
 */
import { itemDegrees, type InteractionMatrix } from '../math/interactions.js';
import type { BatchScorer } from './scorer.js';

export class PopularityScorer implements BatchScorer {
  readonly name = 'popularity';
  /** Training interactions per item. */
  readonly counts: Float32Array;

  constructor(train: InteractionMatrix) {
    this.counts = Float32Array.from(itemDegrees(train));
  }

  scoreUsers(users: Int32Array, out: Float32Array): void {
    const itemCount = this.counts.length;
    for (let b = 0; b < users.length; b += 1) out.set(this.counts, b * itemCount);
  }
}
