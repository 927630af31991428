/**
 * Every number the popularity ranker depends on, in one place. They are starting points chosen by
 * reasoning about a typical shop, not fitted values; offline evaluation is what should move them.
 */

/**
 * Weight of one event per behaviour. A purchase says far more than a view: in the demo shop (and in
 * typical e-commerce funnels) there are roughly 30 views, 10 clicks and 2 add-to-carts per purchase, so
 * these weights give each stage of the funnel a comparable share of a product's popularity.
 */
export const BEHAVIOUR_WEIGHTS: Readonly<Record<string, number>> = {
  VIEWED: 1,
  CLICKED: 2,
  ADDED_TO_CART: 5,
  PURCHASED: 10,
};

/** Popularity halves in 30 days: a month-old best-seller still counts, a season-old one hardly does. */
export const POPULARITY_HALF_LIFE_MS = 30 * 24 * 3600 * 1000;

/**
 * Recency ("trending now") is the same popularity with a 3-day half-life: what shoppers turn to this week,
 * new arrivals and seasonal spikes, which a month-long memory averages away.
 */
export const RECENCY_HALF_LIFE_MS = 3 * 24 * 3600 * 1000;

/** A user's interest halves in 14 days: sessions a fortnight apart are usually about different needs. */
export const INTEREST_HALF_LIFE_MS = 14 * 24 * 3600 * 1000;

/**
 * Popularity is heavy-tailed; normalised as log(1 + K·p/max)/log(1 + K), a product with 1 % of the top
 * product's popularity scores 0.15 rather than 0.01, so personal signals can lift the long tail.
 */
export const POPULARITY_COMPRESSION = 100;

/** Interest in a category passes to its subcategories' siblings at this rate per level up the tree. */
export const ANCESTOR_DISCOUNT = 0.5;

/** Score weights of `recommend`. Category interest can outweigh a gap in popularity, a brand less so. */
export const RECOMMEND_WEIGHTS = { popularity: 1, categoryAffinity: 0.8, brandAffinity: 0.3 } as const;

/** Score weights of `search`: the text match leads; popularity and interest order similar matches. */
export const SEARCH_WEIGHTS = { textMatch: 1, popularity: 0.3, categoryAffinity: 0.2, brandAffinity: 0.1 } as const;

/** Score weights of `similarProducts`: similarity (cosine) leads; popularity only breaks near-ties. */
export const SIMILAR_WEIGHTS = { similarity: 1, popularity: 0.05 } as const;

/** Full-text matches taken before filtering and re-ranking: enough that filters rarely starve the page. */
export const SEARCH_CANDIDATES = 300;

/** Neighbours fetched from the vector index per item asked for (deleted or filtered ones are dropped). */
export const SIMILAR_OVERFETCH = 3;

/** A product ranked this high in its category by popularity is "popular in <category>". */
export const POPULAR_IN_CATEGORY_TOP = 3;

/**
 * The catalogue snapshot (popularity, category tree, brand names) is reloaded after this long. A reload
 * re-aggregates every behaviour relationship in Neo4j and rebuilds the state on the ranking thread (its cost:
 * docs/decisions/0001-rank-in-memory.md), which shows in the latency of the
 * requests around it; popularity with half-lives of 30 and 3 days does not move in five minutes, and edits
 * through the API reload at once.
 */
export const DEFAULT_SNAPSHOT_TTL_MS = 300_000;

/**
 * Behaviours that make two products "engaged with together" for the co-behaviour signal. All of them:
 * on the demo shop, co-views and co-purchases together doubled the signal's Recall@20 over purchases and
 * carts alone (decision record 0012): purchases are too sparse to link most products.
 */
export const CO_BEHAVIOUR_TYPES: readonly string[] = ['VIEWED', 'CLICKED', 'ADDED_TO_CART', 'PURCHASED'];
