/**
 * The one interface every recommender implements: dense scores for a batch of users against every item,
 * written into a caller-owned buffer so that no batch allocates. Offline evaluation ranks through it.
 */
import type { InteractionMatrix } from '../math/interactions.js';

export interface BatchScorer {
  name: string;
  /** Writes the score of item j for users[i] at out[i * itemCount + j] (higher is better; −Infinity: never recommend). */
  scoreUsers(users: Int32Array, out: Float32Array): void | Promise<void>;
}

/** Sets the scores of each user's known items to −Infinity, so that they are never recommended again. */
export function maskKnownItems(known: InteractionMatrix, users: Int32Array, out: Float32Array, itemCount: number): void {
  const { indptr, indices } = known;
  for (let b = 0; b < users.length; b += 1) {
    const row = b * itemCount;
    const user = users[b]!;
    for (let p = indptr[user]!, end = indptr[user + 1]!; p < end; p += 1) out[row + indices[p]!] = Number.NEGATIVE_INFINITY;
  }
}
