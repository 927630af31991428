import type { Graph } from '../graph/graph.js';
import { readAllCategories, readBrands, readPopularity, type CategoryRow, type PopularityParameters, type PopularityRow } from '../graph/shopReads.js';
import { BEHAVIOUR_WEIGHTS, POPULARITY_COMPRESSION, POPULARITY_HALF_LIFE_MS, RECENCY_HALF_LIFE_MS } from './weights.js';

/**
 * The catalogue as the ranker needs it, held in memory: every product's popularity, category, brand,
 * price and stock, with the category tree and brand names. It costs three queries to build and is shared
 * by all requests until it expires, so that ranking a request never costs one query per product.
 * A few hundred bytes per product: fine up to a few hundred thousand products.
 */

export interface CatalogueProduct extends PopularityRow {
  /** Popularity compressed to 0..1 (see POPULARITY_COMPRESSION). */
  popularityScore: number;
  /** Recent popularity (RECENCY_HALF_LIFE_MS), compressed the same way. */
  recencyScore: number;
  /** 1 for the most popular product of its category. */
  categoryRank: number;
  /** Positions of the category and brand in the snapshot's lists (-1 for none), so per-request lookups are array reads. */
  categoryIndex: number;
  brandIndex: number;
  /** Index in CatalogueSnapshot.products: rankers select by it, so that equal scores keep the snapshot's order. */
  position: number;
}

export class CatalogueSnapshot {
  /**
   * Most popular first, which lets a ranker stop early once no remaining product can make the page, when
   * `popularityOrdered`. A popularity refresh that keeps every product's position (refreshPopularity's
   * `keepPositions`, for states whose arrays are indexed by position) leaves them as the snapshot it
   * refreshed had them, and says so there.
   */
  readonly products: CatalogueProduct[];
  /** `products` are exactly most popular first (ties: more raw popularity, then the smaller id). */
  readonly popularityOrdered: boolean;
  readonly byId: Map<string, CatalogueProduct>;
  private readonly categories: Map<string, CategoryRow>;
  /** The category rows the snapshot was built from (a popularity refresh builds the next one from them). */
  readonly categoryRows: readonly CategoryRow[];
  /** Category and brand ids by their index in CatalogueProduct.categoryIndex and brandIndex. */
  readonly categoryIds: string[];
  readonly brandIds: string[];
  private readonly children = new Map<string, string[]>();
  private readonly subtreeCache = new Map<string, Set<string>>();
  /** Every category's ancestry, computed once: ranking asks for it once per product per request. */
  private readonly ancestryCache = new Map<string, readonly string[]>();

  constructor(
    products: CatalogueProduct[],
    categories: readonly CategoryRow[],
    readonly brandNames: ReadonlyMap<string, string>,
    readonly loadedAt: number,
    /** The popularity's reference time (PopularityRead.reference); null when not read from the graph. */
    readonly popularityReference: number | null = null,
    /** `as-given`: keep the products in the order passed (a refresh keeping positions); else sort them. */
    order: 'by-popularity' | 'as-given' = 'by-popularity',
  ) {
    this.categoryRows = categories;
    this.popularityOrdered = order === 'by-popularity';
    // Raw popularity breaks ties of the compressed score, so that the order is exactly "more popular, then smaller id".
    this.products = order === 'as-given' ? [...products] : [...products].sort((a, b) => b.popularityScore - a.popularityScore || b.popularity - a.popularity || (a.id < b.id ? -1 : 1));
    this.products.forEach((product, position) => (product.position = position));
    this.byId = new Map(products.map((product) => [product.id, product]));
    this.categories = new Map(categories.map((category) => [category.id, category]));
    this.categoryIds = categories.map((category) => category.id);
    this.brandIds = [...brandNames.keys()];
    const categoryIndex = new Map(this.categoryIds.map((id, index) => [id, index]));
    const brandIndex = new Map(this.brandIds.map((id, index) => [id, index]));
    for (const product of products) {
      product.categoryIndex = product.categoryId === null ? -1 : (categoryIndex.get(product.categoryId) ?? -1);
      product.brandIndex = product.brandId === null ? -1 : (brandIndex.get(product.brandId) ?? -1);
    }
    for (const category of categories) {
      if (category.parentId === null) continue;
      const siblings = this.children.get(category.parentId) ?? [];
      siblings.push(category.id);
      this.children.set(category.parentId, siblings);
    }
  }

  categoryName(id: string | null): string | undefined {
    return id === null ? undefined : this.categories.get(id)?.name;
  }

  brandName(id: string | null): string | undefined {
    return id === null ? undefined : this.brandNames.get(id);
  }

  /** The category and its ancestors, nearest first; empty for none or an unknown category. */
  ancestry(categoryId: string | null): readonly string[] {
    if (categoryId === null) return [];
    const cached = this.ancestryCache.get(categoryId);
    if (cached) return cached;
    const chain: string[] = [];
    // The bound guards against a cycle slipping into the graph; ingestion refuses them.
    for (let id: string | null = categoryId; id !== null && chain.length <= this.categories.size; id = this.categories.get(id)?.parentId ?? null) {
      if (!this.categories.has(id)) break;
      chain.push(id);
    }
    this.ancestryCache.set(categoryId, chain);
    return chain;
  }

  /** The category and everything below it; empty for an unknown category. */
  subtree(categoryId: string): Set<string> {
    const cached = this.subtreeCache.get(categoryId);
    if (cached) return cached;
    const ids = new Set<string>();
    if (this.categories.has(categoryId)) {
      const stack = [categoryId];
      for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
        if (ids.has(id)) continue;
        ids.add(id);
        stack.push(...(this.children.get(id) ?? []));
      }
    }
    this.subtreeCache.set(categoryId, ids);
    return ids;
  }
}

/** The decay of served popularity: behaviour weights and half-lives, with the server's clock as `now`. */
export const servedPopularity = (now: number): PopularityParameters => ({
  weights: { ...BEHAVIOUR_WEIGHTS },
  halfLifeMs: POPULARITY_HALF_LIFE_MS,
  recentHalfLifeMs: RECENCY_HALF_LIFE_MS,
  now,
});

/** Builds a snapshot from the graph: three queries, run together. */
export async function loadCatalogueSnapshot(graph: Graph, now = Date.now()): Promise<CatalogueSnapshot> {
  const [popularity, categories, brands] = await Promise.all([readPopularity(graph, servedPopularity(now)), readAllCategories(graph), readBrands(graph)]);
  return new CatalogueSnapshot(scoreProducts(popularity.rows), categories, new Map(brands.map((brand) => [brand.id, brand.name])), now, popularity.reference);
}

export function scoreProducts(rows: PopularityRow[]): CatalogueProduct[] {
  const max = rows.reduce((top, row) => Math.max(top, row.popularity), 0);
  const recentMax = rows.reduce((top, row) => Math.max(top, row.recentPopularity), 0);
  const compress = (value: number, top: number): number => (top > 0 ? Math.log1p((POPULARITY_COMPRESSION * value) / top) / Math.log1p(POPULARITY_COMPRESSION) : 0);
  // The row's fields are named rather than spread: V8 gives an object made by spreading and then given new
  // keys a map of its own, and products of as many maps make every read of them in ranking megamorphic (decision 0017).
  const products: CatalogueProduct[] = rows.map((row) => ({
    id: row.id,
    title: row.title,
    categoryId: row.categoryId,
    brandId: row.brandId,
    price: row.price,
    inStock: row.inStock,
    popularity: row.popularity,
    recentPopularity: row.recentPopularity,
    purchases: row.purchases,
    popularityScore: compress(row.popularity, max),
    recencyScore: compress(row.recentPopularity, recentMax),
    categoryRank: 0,
    categoryIndex: -1,
    brandIndex: -1,
    position: -1,
  }));
  const byCategory = new Map<string, CatalogueProduct[]>();
  for (const product of products) {
    const key = product.categoryId ?? '';
    const members = byCategory.get(key) ?? [];
    members.push(product);
    byCategory.set(key, members);
  }
  for (const members of byCategory.values()) {
    members.sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id));
    members.forEach((product, index) => (product.categoryRank = index + 1));
  }
  return products;
}

export interface SnapshotCacheOptions<T extends { loadedAt: number } = CatalogueSnapshot> {
  ttlMs: number;
  /** How long the first value serves (default ttlMs): caches that reload in turn rather than together. */
  firstTtlMs?: number;
  /** Loads a fresh value; `previous` is the one being served (null before the first), for loads that reuse parts of it. */
  load: (previous: T | null) => Promise<T>;
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * Keeps one snapshot. An expired snapshot is still served while a fresh one loads in the background, so no
 * request waits for a reload; after `invalidate()` (the catalogue was edited) requests wait for a snapshot
 * loaded after the edit. Concurrent requests share one load.
 */
export class SnapshotCache<T extends { loadedAt: number } = CatalogueSnapshot> {
  private current: T | null = null;
  private loading: { generation: number; promise: Promise<T> } | null = null;
  /** Bumped by invalidate(); a snapshot whose load started before the bump is not good enough. */
  private generation = 0;
  private currentGeneration = -1;
  /** firstTtlMs until a second value has loaded, then ttlMs. */
  private ttlMs: number;

  constructor(private readonly options: SnapshotCacheOptions<T>) {
    this.ttlMs = options.firstTtlMs ?? options.ttlMs;
  }

  async get(): Promise<T> {
    const now = (this.options.now ?? Date.now)();
    if (this.current && this.currentGeneration === this.generation) {
      if (now - this.current.loadedAt > this.ttlMs) this.reload().catch((error: unknown) => this.options.onError?.(error));
      return this.current;
    }
    return this.reload();
  }

  invalidate(): void {
    this.generation += 1;
  }

  /** The value served now, if any, without loading (for changes that must reach it at once). */
  peek(): T | null {
    return this.current;
  }

  private reload(): Promise<T> {
    if (this.loading && this.loading.generation === this.generation) return this.loading.promise;
    const generation = this.generation;
    const promise = this.options.load(this.current).then(
      (snapshot) => {
        if (generation >= this.currentGeneration) {
          if (this.current !== null) this.ttlMs = this.options.ttlMs;
          this.current = snapshot;
          this.currentGeneration = generation;
        }
        if (this.loading?.promise === promise) this.loading = null;
        return snapshot;
      },
      (error: unknown) => {
        if (this.loading?.promise === promise) this.loading = null;
        throw error;
      },
    );
    this.loading = { generation, promise };
    return promise;
  }
}
