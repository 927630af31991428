import type { CategoryData, ProductData } from '../graph/shopReads.js';

/**
 * Product and category rows shared by requests. A page of recommendations resolves its products (with
 * their category and brand) on every request, and without this cache each request repeats the same read
 * on Neo4j, which is the bottleneck when the API and Neo4j share a small machine. Catalogue edits through
 * the API clear it at once (see `catalogueChanged`). A row older than its time to live is still served
 * (for at most `STALE_FACTOR` times that age) while it is read again in the background, a batch of such
 * rows per `REFRESH_DELAY_MS`, so requests never wait for a refresh: edits by other processes, such as an
 * ingestion run, show within the time to live and a moment. Users' own data is never cached here.
 */

/** A row this many times older than the time to live is read again before it is served. */
const STALE_FACTOR = 6;
/** Expired rows met within this time are refreshed together, in one read. */
const REFRESH_DELAY_MS = 100;

type Read<V> = (ids: readonly string[]) => Promise<ReadonlyMap<string, V>>;

export class SharedRows<V> {
  private readonly rows = new Map<string, { value: V; storedAt: number }>();
  /** Bumped by clear(): a read that began before it must not put back what it read. */
  private generation = 0;
  /** Expired ids waiting for the next background read, and those whose read is under way. */
  private readonly refreshing = new Set<string>();
  private readonly inFlight = new Set<string>();
  private refreshRead: Read<V> | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  /** After close(): no background reads start, and failures of those under way are expected (the connection is closing). */
  private closed = false;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 200_000,
    private readonly now: () => number = Date.now,
    /** Failures of background refreshes (the stale rows keep serving). */
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /**
   * The rows of `ids` in order: fresh and recently expired ones from memory (the latter refreshed in the
   * background), the others through `read` (null: not found, not cached).
   */
  async load(ids: readonly string[], read: Read<V>): Promise<Array<V | null>> {
    if (this.ttlMs <= 0) {
      const found = await read(ids);
      return ids.map((id) => found.get(id) ?? null);
    }
    const at = this.now();
    const missing: string[] = [];
    for (const id of ids) {
      const entry = this.rows.get(id);
      const age = entry ? at - entry.storedAt : Infinity;
      if (age >= this.ttlMs * STALE_FACTOR) missing.push(id);
      else if (age >= this.ttlMs) this.scheduleRefresh(id, read);
    }
    const found = missing.length > 0 ? await this.readAndKeep(missing, read) : new Map<string, V>();
    return ids.map((id) => found.get(id) ?? this.rows.get(id)?.value ?? null);
  }

  clear(): void {
    this.rows.clear();
    this.generation += 1;
  }

  /** Stops background refreshes: called before the connection their reads use is closed. */
  close(): void {
    this.closed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.refreshing.clear();
    this.clear();
  }

  /** Reads rows and keeps them, unless the cache was cleared meanwhile; an id not found is forgotten. */
  private async readAndKeep(ids: readonly string[], read: Read<V>): Promise<ReadonlyMap<string, V>> {
    const generation = this.generation;
    const found = await read(ids);
    if (generation !== this.generation) return found;
    const at = this.now();
    for (const id of ids) {
      // Oldest first out when full: a Map iterates in insertion order, and a refresh re-inserts.
      this.rows.delete(id);
      const value = found.get(id);
      if (value === undefined) continue;
      if (this.rows.size >= this.maxEntries) this.rows.delete(this.rows.keys().next().value as string);
      this.rows.set(id, { value, storedAt: at });
    }
    return found;
  }

  private scheduleRefresh(id: string, read: Read<V>): void {
    if (this.closed || this.inFlight.has(id)) return;
    this.refreshing.add(id);
    this.refreshRead = read;
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      const due = [...this.refreshing];
      const dueRead = this.refreshRead;
      this.refreshing.clear();
      this.refreshRead = null;
      if (!dueRead) return;
      for (const dueId of due) this.inFlight.add(dueId);
      this.readAndKeep(due, dueRead)
        .catch((error: unknown) => {
          if (!this.closed) this.onError(error);
        })
        .finally(() => {
          for (const dueId of due) this.inFlight.delete(dueId);
        });
    }, REFRESH_DELAY_MS);
    this.refreshTimer.unref();
  }
}

export interface EntityCaches {
  products: SharedRows<ProductData>;
  categories: SharedRows<CategoryData>;
}

export function createEntityCaches(ttlMs: number, onError?: (error: unknown) => void): EntityCaches {
  return { products: new SharedRows(ttlMs, undefined, undefined, onError), categories: new SharedRows(ttlMs, undefined, undefined, onError) };
}

export function clearEntityCaches(caches: EntityCaches): void {
  caches.products.clear();
  caches.categories.clear();
}

export function closeEntityCaches(caches: EntityCaches): void {
  caches.products.close();
  caches.categories.close();
}
