/**
 * The sparse item × item models (item-kNN, P3α, RP3β, and EASE cut to its largest entries) by name and
 * hyperparameters: what offline evaluation tunes and what the ranker serves as its `itemItem` signal are
 * built by this one function.
 */
import type { InteractionMatrix } from '../math/interactions.js';
import type { SparseItemSimilarity } from '../math/itemSimilarity.js';
import { buildEase, sparsifyEase } from './ease.js';
import { buildGraphWalk } from './graphWalk.js';
import { buildItemKnnNeighbourhoods, orientItemKnn, type ItemKnnNeighbourhood, type ItemKnnSimilarity } from './itemKnn.js';

export const ITEM_ITEM_MODELS = ['itemknn', 'p3alpha', 'rp3beta', 'ease'] as const;
export type ItemItemModelName = (typeof ITEM_ITEM_MODELS)[number];
export type ItemItemParams = Readonly<Record<string, number | string>>;

/**
 * `neighbourCap`, when given, lowers the chosen neighbourhood size (a memory bound, see the ranker's use).
 * EASE is a dense inverse (minutes at EASE_MAX_ITEMS): the API never calls this for it, but loads the
 * lists fitted with its model version (src/ranking/itemItemLists.ts).
 */
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
  if (model === 'ease') return sparsifyEase(buildEase(history, { l2: number('l2') }), neighbours);
  return buildGraphWalk(history, { alpha: number('alpha'), beta: model === 'p3alpha' ? 0 : number('beta'), neighbours });
}
