import { TopKSelector } from '../math/topK.js';
import type { CatalogueProduct } from './catalogueSnapshot.js';
import type { Scored } from './explain.js';

/**
 * Ranking order for the popularity ranker's pages, on the one top-k of src/math: a higher score first, ties
 * to the product earlier in the snapshot, i.e. the more popular one, then the smaller id. Selecting by
 * snapshot position keeps that tie order without comparing products.
 */

/** A selector of the best `first` products of a snapshot, offered by position; null when the page is empty. */
export function productSelector(first: number): TopKSelector | null {
  if (first < 1) return null;
  const selector = new TopKSelector(first);
  selector.reset();
  return selector;
}

/** The products a selector kept, best first (it can be used once: `finish` sorts its heap away). */
export function keptProducts(selector: TopKSelector | null, products: readonly CatalogueProduct[]): CatalogueProduct[] {
  if (selector === null) return [];
  const count = selector.finish();
  return Array.from(selector.items.subarray(0, count), (position) => products[position] as CatalogueProduct);
}

/** The best `first` of already scored items (distinct products), best first; −Infinity and NaN scores are left out. */
export function bestScored(scored: readonly Scored[], first: number): Scored[] {
  const selector = productSelector(Math.min(first, scored.length));
  if (selector === null) return [];
  const byPosition = new Map<number, Scored>();
  for (const item of scored) {
    byPosition.set(item.product.position, item);
    selector.consider(item.score, item.product.position);
  }
  const count = selector.finish();
  return Array.from(selector.items.subarray(0, count), (position) => byPosition.get(position) as Scored);
}
