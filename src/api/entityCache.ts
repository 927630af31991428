import type { CategoryData, ProductData } from '../graph/shopReads.js';

/**
 * Product and category rows shared by requests for a few seconds. A page of recommendations resolves its
 * products (with their category and brand) on every request, and without this cache each request repeats
 * the same read on Neo4j, which is the bottleneck when the API and Neo4j share a small machine. Catalogue
 * edits through the API clear it at once (see `catalogueChanged`); edits by other processes, such as an
 * ingestion run, show within the time to live. Users' own data (behaviours) is never cached here.
 */
export class SharedRows<V> {
  private readonly rows = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The rows of `ids` in order: fresh ones from memory, the others through `read` (null: not found, not cached). */
  async load(ids: readonly string[], read: (missing: readonly string[]) => Promise<ReadonlyMap<string, V>>): Promise<Array<V | null>> {
    if (this.ttlMs <= 0) {
      const found = await read(ids);
      return ids.map((id) => found.get(id) ?? null);
    }
    const at = this.now();
    const missing = ids.filter((id) => {
      const entry = this.rows.get(id);
      return !entry || entry.expiresAt <= at;
    });
    const found = missing.length > 0 ? await read(missing) : new Map<string, V>();
    for (const [id, value] of found) {
      // Oldest first out when full: a Map iterates in insertion order, and a refresh re-inserts.
      this.rows.delete(id);
      if (this.rows.size >= this.maxEntries) this.rows.delete(this.rows.keys().next().value as string);
      this.rows.set(id, { value, expiresAt: at + this.ttlMs });
    }
    return ids.map((id) => found.get(id) ?? this.rows.get(id)?.value ?? null);
  }

  clear(): void {
    this.rows.clear();
  }
}

export interface EntityCaches {
  products: SharedRows<ProductData>;
  categories: SharedRows<CategoryData>;
}

export function createEntityCaches(ttlMs: number): EntityCaches {
  return { products: new SharedRows(ttlMs), categories: new SharedRows(ttlMs) };
}

export function clearEntityCaches(caches: EntityCaches): void {
  caches.products.clear();
  caches.categories.clear();
}
