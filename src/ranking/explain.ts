import type { CatalogueProduct, CatalogueSnapshot } from './catalogueSnapshot.js';
import type { Interest, UserProfile } from './profile.js';
import { POPULAR_IN_CATEGORY_TOP } from './weights.js';
import type { RankedItem, Reason, ScoreComponent } from './types.js';

/**
 * Scores as sums of named signals, and the shopper-facing reasons behind them. Scoring every candidate
 * only adds numbers; reasons and breakdowns are built for the items that make the page.
 */

export type SignalName = 'popularity' | 'categoryAffinity' | 'brandAffinity' | 'textMatch' | 'similarity';
export type Weights = Partial<Record<SignalName, number>>;

export interface Scored {
  product: CatalogueProduct;
  score: number;
  /** Each signal's value, 0..1. */
  values: Partial<Record<SignalName, number>>;
  category: Interest | null;
  brand: Interest | null;
}

const SIGNALS: readonly SignalName[] = ['popularity', 'categoryAffinity', 'brandAffinity', 'textMatch', 'similarity'];

export function score(product: CatalogueProduct, values: Scored['values'], weights: Weights, category: Interest | null = null, brand: Interest | null = null): Scored {
  let total = 0;
  for (const name of SIGNALS) total += (values[name] ?? 0) * (weights[name] ?? 0);
  return { product, score: total, values, category, brand };
}

/** What reasons may mention besides the product itself. */
export interface ExplainContext {
  snapshot: CatalogueSnapshot;
  profile: UserProfile | null;
  /** The shopper's search text, for "matches …". */
  query?: string;
  /** Similar-products lists: the category shared with the product asked about. */
  sameCategory?: string | null;
}

const QUOTED_QUERY_LENGTH = 40;

export function toRankedItem(item: Scored, weights: Weights, context: ExplainContext, explain: boolean): RankedItem {
  const contributions = (Object.entries(item.values) as Array<[SignalName, number]>).map(([name, value]) => {
    const weight = weights[name] ?? 0;
    return { name, value, weight, contribution: value * weight } satisfies ScoreComponent;
  });
  const reasons = contributions
    .filter((component) => component.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .flatMap((component) => reasonsFor(component.name as SignalName, item, context));
  return {
    productId: item.product.id,
    score: item.score,
    reasons,
    breakdown: explain ? contributions : [],
  };
}

function reasonsFor(signal: SignalName, item: Scored, context: ExplainContext): Reason[] {
  const { snapshot, profile } = context;
  const { product } = item;
  switch (signal) {
    case 'popularity':
      return [{ kind: 'POPULAR', text: popularityText(product, snapshot) }];
    case 'categoryAffinity': {
      const name = item.category ? snapshot.categoryName(item.category.id) : undefined;
      const text = item.category && name && profile ? profile.describeCategory(item.category.id, name) : null;
      return text ? [{ kind: 'CATEGORY_AFFINITY', text }] : [];
    }
    case 'brandAffinity': {
      const name = item.brand ? snapshot.brandName(item.brand.id) : undefined;
      const text = item.brand && name && profile ? profile.describeBrand(item.brand.id, name) : null;
      return text ? [{ kind: 'BRAND_AFFINITY', text }] : [];
    }
    case 'textMatch': {
      const query = context.query ?? '';
      const quoted = query.length > QUOTED_QUERY_LENGTH ? `${query.slice(0, QUOTED_QUERY_LENGTH - 1)}…` : query;
      return [{ kind: 'TEXT_MATCH', text: `matches "${quoted}"` }];
    }
    case 'similarity': {
      const reasons: Reason[] = [{ kind: 'SIMILAR', text: 'similar to this product' }];
      const shared = context.sameCategory ?? null;
      const name = snapshot.categoryName(shared);
      if (shared !== null && product.categoryId === shared && name) reasons.push({ kind: 'SAME_CATEGORY', text: `also in ${name}` });
      return reasons;
    }
  }
}

/** "popular in Running Shoes", "bought 12 times" or "viewed by shoppers in …": the POPULAR reason's text. */
export function popularityText(product: CatalogueProduct, snapshot: CatalogueSnapshot): string {
  const category = snapshot.categoryName(product.categoryId);
  if (category && product.categoryRank <= POPULAR_IN_CATEGORY_TOP) return `popular in ${category}`;
  if (product.purchases > 0) return `bought ${product.purchases} time${product.purchases === 1 ? '' : 's'}`;
  return category ? `viewed by shoppers in ${category}` : 'viewed by other shoppers';
}

/**
 * A relation's name in words: the last two parts of a dotted name, Freebase's type and property
 * (`http://rdf.freebase.com/ns/film.film.genre` and `film.film.genre` read "film genre"), or the last
 * segment of any other URI (`http://example.org/onto#hasBrand`, "has brand"), underscores and camel case
 * spaced out; a bare integer (an unnamed benchmark relation) stays "relation 3".
 */
export function relationWords(relation: string): string {
  const trimmed = relation.trim();
  if (/^\d+$/.test(trimmed)) return `relation ${trimmed}`;
  const segment = trimmed.split(/[/#]/).filter((part) => part !== '').pop() ?? trimmed;
  const parts = segment.split('.').filter((part) => part !== '');
  const named = parts.slice(-2).filter((part, index, kept) => index === 0 || part !== kept[index - 1]);
  const words = named
    .map((part) => part.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase())
    .filter((part) => part !== '')
    .join(' ');
  return words === '' ? 'relation' : words;
}

/** Relations that name who made a product: "by the same artist as …"; the others read "with the same … as …". */
const MAKER_WORDS = ['artist', 'artists', 'producer', 'engineer', 'composer', 'author', 'writer', 'director', 'brand', 'manufacturer', 'maker', 'designer', 'publisher', 'label', 'creator', 'performer'];
const namesMaker = (words: string): boolean => MAKER_WORDS.some((maker) => words === maker || words.endsWith(` ${maker}`));
/** Attribute keys that read as a phrase before their value ("compatible with", "made for"). */
const ENDS_WITH_PREPOSITION = / (with|for|by|in|from|of)$/;
/** Attribute values quoted in reasons are cut to this length. */
const QUOTED_VALUE_LENGTH = 40;

/** How two products' shared entity is phrased. */
export type SharedEntityShape = 'shared' | 'direct' | 'twoHops';

/** "by the same artist as Yellow, which you bought": the SHARED_ENTITY reason's text. */
export function sharedEntityText(relation: string, shape: SharedEntityShape, otherTitle: string, verb: string): string {
  const words = relationWords(relation);
  if (shape === 'direct') return `linked to ${otherTitle} (${words}), which you ${verb}`;
  if (shape === 'twoHops') return `connected to ${otherTitle} through its ${words}, which you ${verb}`;
  return `${namesMaker(words) ? 'by' : 'with'} the same ${words} as ${otherTitle}, which you ${verb}`;
}

/**
 * A shared product attribute in words: "same colour (red) as X, which you bought", "by the same author
 * (Le Guin) as X, …", "also compatible with Aurora 5, like X, …". The key is a slug, read with its
 * underscores spaced out.
 */
export function sharedAttributeText(key: string, value: string, otherTitle: string, verb: string): string {
  const words = key.replace(/_+/g, ' ').trim();
  const quoted = value.length > QUOTED_VALUE_LENGTH ? `${value.slice(0, QUOTED_VALUE_LENGTH - 1)}…` : value;
  if (ENDS_WITH_PREPOSITION.test(words)) return `also ${words} ${quoted}, like ${otherTitle}, which you ${verb}`;
  return `${namesMaker(words) ? 'by the same' : 'same'} ${words} (${quoted}) as ${otherTitle}, which you ${verb}`;
}
