/**
 * The sparse item × item models (item-kNN, P3α, RP3β) by name and hyperparameters: what offline
 * evaluation tunes and what the ranker serves as its `itemItem` signal are built by this one function.
 */
import type { InteractionMatrix } from '../math/interactions.js';
import type { SparseItemSimilarity } from '../math/itemSimilarity.js';
import { buildGraphWalk } from './graphWalk.js';
import { buildItemKnnNeighbourhoods, orientItemKnn, type ItemKnnNeighbourhood, type ItemKnnSimilarity } from './itemKnn.js';

export const ITEM_ITEM_MODELS = ['itemknn', 'p3alpha', 'rp3beta'] as const;
export type ItemItemModelName = (typeof ITEM_ITEM_MODELS)[number];
export type ItemItemParams = Readonly<Record<string, number | string>>;

/** `neighbourCap`, when given, lowers the chosen neighbourhood size (a memory bound, see the ranker's use). */
export function buildItemItemModel(model: ItemItemModelName, history: InteractionMatrix, params: ItemItemParams, neighbourCap = Number.POSITIVE_INFINITY): SparseItemSimilarity {
  const number = (name: string): number => {
    const value = params[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${model}: ${name}: expected a number, got ${JSON.stringify(value)}`);
    return value;
  };
  const neighbours = Math.max(1, Math.min(number('neighbours'), neighbourCap));
  if (model === 'itemknn') {
    const neighbourhood = params.neighbourhood as ItemKnnNeighbourhood;
    const options = {
      similarity: params.similarity as ItemKnnSimilarity,
      shrink: number('shrink'),
      neighbours,
      neighbourhood,
      ...(params.asymmetricAlpha === undefined ? {} : { asymmetricAlpha: number('asymmetricAlpha') }),
    };
    return orientItemKnn(buildItemKnnNeighbourhoods(history, options), neighbourhood);
  }
  return buildGraphWalk(history, { alpha: number('alpha'), beta: model === 'p3alpha' ? 0 : number('beta'), neighbours });
}
