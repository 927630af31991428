/**
 * The ranking contract the API serves from. A ranker turns a user, a query or a product into an ordered
 * list of product ids with scores and the reasons behind them; loading the products themselves is the
 * caller's business, so rankers can be swapped (popularity today, embeddings and fusion later).
 */

/** Restricts candidates; every field given must hold. */
export interface ProductFilter {
  /** The category or any category below it. */
  categoryId?: string | undefined;
  brandIds?: readonly string[] | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStockOnly?: boolean | undefined;
}

export interface RankOptions {
  first: number;
  /**
   * Whether reasons may name the user's own behaviour ("you bought X"); false: reasons say only what is
   * true of the products (popular, matches the query). Default true.
   */
  revealHistory?: boolean | undefined;
  filter?: ProductFilter | undefined;
  /** Fill each item's score breakdown (left empty otherwise). */
  explain?: boolean | undefined;
  /** MMR trade-off, 0..1: 0 keeps the relevance order; the ranker's default applies when absent. */
  diversity?: number | undefined;
  /** At most this many items of one category on the page. */
  maxPerCategory?: number | undefined;
}

export interface RecommendOptions extends RankOptions {
  /**
   * Leave out the products the user viewed, clicked or put in a cart as well as those bought (always left
   * out): for pages beside a "recently viewed" strip of the shop's own.
   */
  unseenOnly?: boolean | undefined;
  /** Products to leave out besides those (e.g. the products of earlier pages, for a next page). */
  exclude?: readonly string[] | undefined;
}

export interface SearchOptions extends RankOptions {
  /** Personalises the ranking of the matches when given. */
  userId?: string | undefined;
}

export type ReasonKind =
  | 'POPULAR'
  | 'CATEGORY_AFFINITY'
  | 'BRAND_AFFINITY'
  | 'TEXT_MATCH'
  | 'SIMILAR'
  | 'SAME_CATEGORY'
  | 'PINNED'
  | 'BOOSTED'
  | 'BOUGHT_TOGETHER'
  | 'RELATED'
  | 'GRAPH_NEIGHBOUR'
  | 'SHARED_ENTITY'
  | 'SEMANTIC_MATCH';

/** Why an item is in a list, phrased for shoppers: "popular in Running Shoes". */
export interface Reason {
  kind: ReasonKind;
  text: string;
  /** The knowledge-graph path behind the reason, as node keys: e.g. ["User:u-1", "Product:p-7", "Product:p-9"]. */
  path?: string[] | undefined;
}

/** One additive part of a score: contribution = value × weight, and the contributions sum to the score. */
export interface ScoreComponent {
  name: string;
  /** The signal, normalised: 0..1 for the popularity ranker, standardised over the catalogue (z-score) for the fused one. */
  value: number;
  weight: number;
  contribution: number;
}

export interface RankedItem {
  productId: string;
  score: number;
  /** Most important first. */
  reasons: Reason[];
  breakdown: ScoreComponent[];
}

export type Strategy =
  | 'popularity'
  | 'personalised-popularity'
  | 'fulltext+popularity'
  | 'embedding'
  | 'category-popularity'
  /** Graph embeddings fused with co-purchases, text, popularity and the user's categories. */
  | 'fused'
  /** Full-text and semantic matches fused with popularity and, given a user, their taste. */
  | 'fused-search';

export interface RankedList {
  items: RankedItem[];
  strategy: Strategy;
  /** The embedding model version the ranking used, when it used one. */
  modelVersion: string | null;
}

export interface Ranker {
  /** Recommendations for a user; an unknown user gets the popular products. */
  recommend(userId: string, options: RecommendOptions): Promise<RankedList>;
  /** Products matching free text; the text is escaped by the ranker, never interpreted as query syntax. */
  search(query: string, options: SearchOptions): Promise<RankedList>;
  /** Products like the given one; null when it does not exist. */
  similar(productId: string, options: RankOptions): Promise<RankedList | null>;
  /** Forgets cached catalogue data, after products or relations changed (`behaviour`: after behaviour was deleted). */
  invalidate(options?: { behaviour?: boolean }): void;
  /** These users' behaviour changed through this process (events recorded, data deleted): their next request reads it anew. */
  behaviourChanged?(userIds: readonly string[]): void;
  /**
   * These users' data was deleted: their trained vectors leave the served models at once (the model files
   * were rewritten before) and their behaviour is read anew.
   */
  forgetUsers?(userIds: readonly string[]): void;
  /** Forgets cached merchandising rules (src/ranking/rules.ts), after a rule changed. */
  invalidateRules?(): void;
  /** Loads what the ranker caches, so that the first requests do not wait for it. */
  warmUp(): Promise<void>;
  /** Stops background work (watchers, polling); the server calls it on shutdown. */
  close?(): void;
  /** Its ranking threads, for /health (absent: it ranks on the API's own thread). */
  health?(): RankingThreadsHealth;
}

/** The ranking threads as /health reports them. */
export interface RankingThreadsHealth {
  /** Threads configured. */
  threads: number;
  /** Threads started and alive (a thread starts on its first call and is replaced on the next call after it dies). */
  running: number;
  /** Calls sent to the threads and not answered yet. */
  callsInFlight: number;
  /** Threads that stopped unexpectedly since the start. */
  failures: number;
}
