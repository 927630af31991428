import { buildItemKnn, type ItemKnnModel } from '../recommenders/itemKnn.js';
import { interactionsFromLists } from '../math/interactions.js';

/**
 * "Often bought together": for each product, the products most often engaged with by the same shoppers,
 * by cosine similarity of their shopper sets with shrinkage (item-based collaborative filtering, Sarwar et
 * al. 2001). The builder is the item-kNN of offline evaluation, so the signal served is the baseline
 * measured; kept as a CSR of the top neighbours per product.
 */

/** Neighbours of item i are indices[indptr[i] .. indptr[i+1]), strongest first. */
export type ItemNeighbours = ItemKnnModel;

/** Neighbours kept per product: more than a page ever draws on. */
export const CO_BEHAVIOUR_NEIGHBOURS = 100;

/** A shopper's products beyond this many are left out: resellers and bots would cost n² pairs. */
const MAX_ITEMS_PER_USER = 300;

/** `userItems[u]` are the distinct item indices of user u (0 ≤ index < itemCount). */
export function buildItemNeighbours(userItems: readonly (readonly number[])[], itemCount: number): ItemNeighbours {
  const baskets = userItems.map((items) => (items.length > MAX_ITEMS_PER_USER ? items.slice(0, MAX_ITEMS_PER_USER) : items));
  return buildItemKnn(interactionsFromLists(baskets, itemCount), { neighbours: CO_BEHAVIOUR_NEIGHBOURS });
}

/**
 * Adds to `out` each neighbour's similarity to the given items, times the item's weight; `touched`, when
 * given, receives each product scored, once (similarities and weights are positive, so a score that
 * left 0 never returns to it).
 */
export function scoreFromNeighbours(graph: ItemNeighbours, items: readonly { index: number; weight: number }[], out: Float32Array, touched?: number[]): void {
  for (const { index, weight } of items) {
    for (let k = graph.indptr[index] as number; k < (graph.indptr[index + 1] as number); k += 1) {
      const other = graph.indices[k] as number;
      const contribution = weight * (graph.similarities[k] as number);
      if (touched && out[other] === 0 && contribution !== 0) touched.push(other);
      out[other] = (out[other] as number) + contribution;
    }
  }
}

/**
 * Each product's position among the targets (−1: not a target), kept between calls and reset after each:
 * a request asks about a page of targets while walking thousands of neighbours, and a Map lookup per
 * neighbour cost more than the scoring pass itself. Calls are synchronous, so one array per thread serves.
 */
let targetPositions = new Int32Array(0);

/**
 * For each target, the given item that contributes most to its score above (−1: none), for "often bought
 * with X". Asked only for the page shown, so a request does not track it over the whole catalogue.
 */
export function strongestSources(graph: ItemNeighbours, items: readonly { index: number; weight: number }[], targets: readonly number[]): Int32Array {
  if (targetPositions.length < graph.itemCount) targetPositions = new Int32Array(graph.itemCount).fill(-1);
  const positionOf = targetPositions;
  targets.forEach((target, position) => (positionOf[target] = position));
  const source = new Int32Array(targets.length).fill(-1);
  const strongest = new Float64Array(targets.length);
  try {
    for (const { index, weight } of items) {
      for (let k = graph.indptr[index] as number; k < (graph.indptr[index + 1] as number); k += 1) {
        const position = positionOf[graph.indices[k] as number] as number;
        if (position < 0) continue;
        const contribution = weight * (graph.similarities[k] as number);
        if (contribution > (strongest[position] as number)) {
          strongest[position] = contribution;
          source[position] = index;
        }
      }
    }
  } finally {
    for (const target of targets) positionOf[target] = -1;
  }
  return source;
}

/**
 * The same neighbour lists for another order of the products (`fromIds[i]` was product i; `toIndexOf`
 * gives its new index); products no longer present drop out. A reload reuses lists this way instead of
 * rebuilding them from every shopper's behaviour, which takes seconds at 100,000 products.
 */
export function reindexNeighbours(neighbours: ItemNeighbours, fromIds: readonly string[], toIndexOf: ReadonlyMap<string, number>, itemCount: number): ItemNeighbours {
  const newIndexOf = Int32Array.from(fromIds, (id) => toIndexOf.get(id) ?? -1);
  // Lists built for this very order (on a thread of their own) are taken as they are.
  if (fromIds.length === itemCount && neighbours.indptr.length === itemCount + 1 && newIndexOf.every((to, from) => to === from)) return neighbours;
  const oldOf = new Int32Array(itemCount).fill(-1);
  newIndexOf.forEach((to, from) => {
    if (to >= 0) oldOf[to] = from;
  });
  const indptr = new Int32Array(itemCount + 1);
  const indices = new Int32Array(neighbours.indices.length);
  const similarities = new Float32Array(neighbours.similarities.length);
  let at = 0;
  for (let item = 0; item < itemCount; item += 1) {
    const old = oldOf[item] as number;
    if (old >= 0) {
      for (let k = neighbours.indptr[old] as number; k < (neighbours.indptr[old + 1] as number); k += 1) {
        const other = newIndexOf[neighbours.indices[k] as number] as number;
        if (other < 0) continue;
        indices[at] = other;
        similarities[at] = neighbours.similarities[k] as number;
        at += 1;
      }
    }
    indptr[item + 1] = at;
  }
  return { itemCount, indptr, indices: indices.slice(0, at), similarities: similarities.slice(0, at) };
}
