/**
 * Offline evaluation of the fused ranking through the code that serves it: each user's scores are the
 * served ranker's (src/ranking/userFusion.ts: the same signals, catalogue-wide standardisation and weights),
 * laid out by item index for the all-item ranking; and the weight fit's components are standardised the
 * way that fusion standardises them, so that fitted weights mean online what they meant offline.
 */
import type { ProfileRow } from '../graph/shopReads.js';
import type { InteractionMatrix } from '../math/interactions.js';
import { fuseForUser } from '../ranking/userFusion.js';
import type { RankingState } from '../ranking/rankingState.js';
import { standardiseInPlace } from '../ranking/signalMoments.js';
import { maskKnownItems, type BatchScorer } from '../recommenders/scorer.js';

export class ServedFusionScorer implements BatchScorer {
  constructor(
    private readonly state: RankingState,
    /** The id of each user index. */
    private readonly userIds: readonly string[],
    /** Each user's behaviour rows, as the API reads them. */
    private readonly rows: readonly (readonly ProfileRow[])[],
    /** The item index of each snapshot position (snapshotItemOrder). */
    private readonly itemOf: Int32Array,
    readonly name: string,
  ) {}

  scoreUsers(users: Int32Array, out: Float32Array): void {
    const { itemOf } = this;
    const itemCount = itemOf.length;
    for (let b = 0; b < users.length; b += 1) {
      const user = users[b] as number;
      const { scores } = fuseForUser(this.state, this.userIds[user] ?? '', this.rows[user] ?? []).fused;
      const row = b * itemCount;
      for (let position = 0; position < scores.length; position += 1) out[row + (itemOf[position] as number)] = scores[position] as number;
    }
  }
}

/** The item index of each snapshot position (the snapshot orders products by popularity, the data by item index). */
export function snapshotItemOrder(state: RankingState, productIds: readonly string[]): Int32Array {
  const itemIndex = new Map(productIds.map((id, item) => [id, item]));
  return Int32Array.from(state.snapshot.products, (product) => itemIndex.get(product.id) ?? -1);
}

/**
 * Scores a batch with one component and standardises each user's row over every item, as the served
 * fusion does; then masks the known items (−Infinity in every weighting).
 */
export async function scoreStandardised(component: BatchScorer, users: Int32Array, out: Float32Array, itemCount: number, known: InteractionMatrix | undefined): Promise<void> {
  await component.scoreUsers(users, out);
  for (let b = 0; b < users.length; b += 1) standardiseInPlace(out, b * itemCount, itemCount);
  if (known !== undefined) maskKnownItems(known, users, out, itemCount);
}
