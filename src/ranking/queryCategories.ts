import { tokenize } from '../text/tokenize.js';
import type { CatalogueSnapshot } from './catalogueSnapshot.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';

/**
 * The categories a search query names. Shoppers ask for a kind of thing ("running shoes", "audio") more
 * often than for words of a title, and the category tree is the shop's own word for that kind: a query
 * word that is a word of a category's name ("Chargers & Cables") points to every product in that
 * category and below, whether or not its own text carries the word.
 */

interface CategoryWordIndex {
  /** Term → the categories whose name carries it, with the share of the name's terms it is. */
  byTerm: Map<string, { category: number; share: number }[]>;
  /** Each category's ancestry (itself first) as indices into snapshot.categoryIds. */
  ancestry: number[][];
}

const indexes = new WeakMap<CatalogueSnapshot, CategoryWordIndex>();

function wordIndex(snapshot: CatalogueSnapshot): CategoryWordIndex {
  const known = indexes.get(snapshot);
  if (known) return known;
  const position = new Map(snapshot.categoryIds.map((id, index) => [id, index]));
  const byTerm = new Map<string, { category: number; share: number }[]>();
  snapshot.categoryIds.forEach((id, category) => {
    const terms = [...new Set(tokenize(snapshot.categoryName(id) ?? ''))];
    for (const term of terms) {
      const list = byTerm.get(term) ?? [];
      list.push({ category, share: 1 / terms.length });
      byTerm.set(term, list);
    }
  });
  const ancestry = snapshot.categoryIds.map((id) => snapshot.ancestry(id).map((ancestor) => position.get(ancestor) ?? -1).filter((index) => index >= 0));
  const index = { byTerm, ancestry };
  indexes.set(snapshot, index);
  return index;
}

/**
 * Per product, how fully the query names its category or an ancestor's: the share of the category
 * name's terms that the query carries (1 for "headphones" and Headphones, 0.5 for "charger" and
 * Chargers & Cables), the best over the product's ancestry. Null when the query names no category.
 */
export function queryCategoryScores(snapshot: CatalogueSnapshot, categoryIndex: Int32Array, query: string, allocate: ScoreAllocator = freshScores): Float32Array | null {
  const { byTerm, ancestry } = wordIndex(snapshot);
  const named = new Float32Array(snapshot.categoryIds.length);
  let any = false;
  for (const term of new Set(tokenize(query))) {
    for (const { category, share } of byTerm.get(term) ?? []) {
      named[category] = (named[category] as number) + share;
      any = true;
    }
  }
  if (!any) return null;
  const byCategory = new Float32Array(named.length);
  ancestry.forEach((chain, category) => {
    let best = 0;
    for (const ancestor of chain) best = Math.max(best, named[ancestor] as number);
    byCategory[category] = best;
  });
  const scores = allocate(categoryIndex.length);
  for (let i = 0; i < scores.length; i += 1) {
    const category = categoryIndex[i] as number;
    if (category >= 0) scores[i] = byCategory[category] as number;
  }
  return scores;
}
