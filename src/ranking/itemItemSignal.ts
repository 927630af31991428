/**
 * The `itemItem` signal: the best tuned item × item model of offline evaluation (item-kNN, P3α, RP3β or
 * EASE's sparse form, with the hyperparameters chosen on validation and saved with the fusion weights),
 * scored from the user's products at request time, as offline evaluation scores the baseline:
 * score(j) = Σ_{i ∈ the user's products} W[i][j]. The neighbourhood models are built when the ranking state
 * loads, from the shoppers' behaviour; EASE, a dense inverse, is fitted with the weights instead and its
 * lists saved with the model version (itemItemLists.ts).
 */
import { z } from 'zod';
import { interactionsFromLists } from '../math/interactions.js';
import type { SparseItemSimilarity } from '../math/itemSimilarity.js';
import { buildItemItemModel, ITEM_ITEM_MODELS } from '../recommenders/itemItem.js';
import { rememberSparseMoments } from './signalMoments.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';

export const itemItemSpecSchema = z.object({
  model: z.enum(ITEM_ITEM_MODELS),
  params: z.record(z.string(), z.union([z.number(), z.string()])),
});
export type ItemItemSpec = z.infer<typeof itemItemSpecSchema>;

/**
 * Served until a fit names its own: RP3β with the reference implementation's defaults (Dacrema et al.,
 * RecSys 2019: α 1, β 0.6, 100 neighbours), not a value tuned to one data set.
 */
export const DEFAULT_ITEM_ITEM: ItemItemSpec = { model: 'rp3beta', params: { alpha: 1, beta: 0.6, neighbours: 100 } };

/**
 * Memory the neighbour lists may take (an index and a similarity, 8 bytes per kept pair): the chosen
 * neighbourhood is cut to fit, e.g. to 167 neighbours at 100,000 products.
 */
export const ITEM_ITEM_MAX_BYTES = 128 * 1024 ** 2;
const BYTES_PER_NEIGHBOUR = Int32Array.BYTES_PER_ELEMENT + Float32Array.BYTES_PER_ELEMENT;

export interface ItemItemIndex {
  spec: ItemItemSpec;
  model: SparseItemSimilarity;
}

/** `baskets[u]` are the distinct product indices of one shopper (every behaviour, as the baseline is tuned on). */
export function buildItemItemIndex(baskets: readonly (readonly number[])[], productCount: number, spec: ItemItemSpec): ItemItemIndex {
  const cap = Math.max(1, Math.floor(ITEM_ITEM_MAX_BYTES / (Math.max(1, productCount) * BYTES_PER_NEIGHBOUR)));
  return { spec, model: buildItemItemModel(spec.model, interactionsFromLists(baskets, productCount), spec.params, cap) };
}

/**
 * Models whose lists are fitted with the fusion weights and saved with the model version, rather than
 * rebuilt from the shoppers' behaviour at every NEIGHBOURS_MAX_AGE_MS: EASE's inverse costs tens of
 * seconds of a core at a few thousand products (docs/decisions/0025-ease-as-the-item-item-signal.md).
 */
export function fittedWithModel(spec: ItemItemSpec): boolean {
  return spec.model === 'ease';
}

export function sameItemItemSpec(a: ItemItemSpec, b: ItemItemSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The user's distinct products count once each, whatever the behaviour: the binary history the model was tuned on. */
export function itemItemScores(index: ItemItemIndex, history: readonly { index: number }[], productCount: number, scores: ScoreAllocator = freshScores): Float32Array {
  const out = scores(productCount);
  const touched: number[] = [];
  const { indptr, indices, similarities } = index.model;
  const seen = new Set<number>();
  for (const { index: item } of history) {
    if (seen.has(item) || item >= index.model.itemCount) continue;
    seen.add(item);
    for (let k = indptr[item] as number; k < (indptr[item + 1] as number); k += 1) {
      const target = indices[k] as number;
      const similarity = similarities[k] as number;
      if (out[target] === 0 && similarity !== 0) touched.push(target);
      out[target] = (out[target] as number) + similarity;
    }
  }
  rememberSparseMoments(out, touched);
  return out;
}
