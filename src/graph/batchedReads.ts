import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import type { Graph } from './graph.js';
import { ProfileCache, type ProfileCacheOptions } from './profileCache.js';
import { fullTextProductsMany, readProfiles, type ProfileRow, type ScoredId } from './shopReads.js';

/** Keys one batched read sends at most (profiles, full-text queries). */
export const DEFAULT_READ_BATCH_SIZE = 64;

/**
 * Reads for the requests being served that batch the requests arriving together into one query: under
 * load a round trip to Neo4j costs more than the rows it returns, so 32 concurrent `recommend` calls
 * share a few queries instead of making 32. The coalescing itself caches nothing.
 */
function coalescing<K, V>(load: (keys: readonly K[]) => Promise<V[]>, maxBatchSize: number): DataLoader<K, V> {
  return new DataLoader(load, {
    cache: false,
    maxBatchSize,
    // The requests whose bodies were parsed in this turn of the event loop go together.
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });
}

/** Whether two reads of a user's behaviour hold the same rows in the same order. */
function sameRows(a: readonly ProfileRow[], b: readonly ProfileRow[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as ProfileRow;
    const y = b[i] as ProfileRow;
    if (x.productId !== y.productId || x.relationship !== y.relationship || x.count !== y.count || x.firstAt !== y.firstAt || x.lastAt !== y.lastAt) return false;
  }
  return true;
}

/**
 * Each request's read of its user's behaviour aggregates. With a cache (see profileCache.ts) a user's rows
 * are read once and kept until their behaviour changes; without one every read goes to Neo4j.
 */
export class ProfileReader {
  private readonly loader: DataLoader<string, ProfileRow[]>;
  private readonly cache: ProfileCache<ProfileRow[]> | null;

  constructor(graph: Graph, options: { maxBatchSize?: number; cache?: ProfileCacheOptions | undefined } = {}) {
    this.loader = coalescing(async (userIds) => {
      const byUser = await readProfiles(graph, userIds);
      return userIds.map((userId) => byUser.get(userId) ?? []);
    }, options.maxBatchSize ?? DEFAULT_READ_BATCH_SIZE);
    this.cache = options.cache && options.cache.maxUsers > 0 ? new ProfileCache(graph, options.cache) : null;
  }

  async read(userId: string): Promise<ProfileRow[]> {
    const cache = this.cache;
    if (!cache) return this.loader.load(userId);
    const cached = cache.get(userId);
    if (cached) return cached;
    const expired = cache.expired(userId);
    const token = cache.begin();
    const read = await this.loader.load(userId);
    // Rows read again after their age ran out are mostly what they were: the same array then serves on,
    // and what was derived from it (the ranker's per-user basis, keyed by the array) with it.
    const rows = expired !== undefined && sameRows(expired, read) ? expired : read;
    cache.set(userId, rows, token);
    return rows;
  }

  /** These users' behaviour changed (a write through this process): their next read goes to Neo4j. */
  invalidate(userIds: Iterable<string>): void {
    this.cache?.invalidate(userIds);
  }

  /** Starts polling the behaviour change feed; false when there is none (no cache). */
  watchFeed(): boolean {
    this.cache?.watch();
    return this.cache !== null;
  }

  /** Reads the behaviour change feed now instead of at the next poll. */
  async refresh(): Promise<void> {
    await this.cache?.poll();
  }

  /** Stops the cache's polling. */
  close(): void {
    this.cache?.close();
  }
}

export interface FullTextCacheOptions {
  /** Matches kept in all (a query's list counts its length): bounds the cache's memory. */
  maxMatches: number;
  /** Longest a query's matches are reused, should an edit by another process go unnoticed. */
  ttlMs: number;
}

/** About 8 MB of matches: the frequent queries of a shop, each with a ranking's candidates. */
export const DEFAULT_FULL_TEXT_CACHE: FullTextCacheOptions = { maxMatches: 200_000, ttlMs: 300_000 };

/** The cache for rankers whose state lives `ttlMs`: matches live no longer than it (0: nothing is cached). */
export function fullTextCacheFor(ttlMs: number): FullTextCacheOptions | null {
  return ttlMs > 0 ? { ...DEFAULT_FULL_TEXT_CACHE, ttlMs: Math.min(ttlMs, DEFAULT_FULL_TEXT_CACHE.ttlMs) } : null;
}

/**
 * Each search request's full-text query (Lucene, escaped by the caller). Shoppers repeat a shop's frequent
 * queries many times a minute, and Lucene's matches change only with the catalogue, so the matches of
 * recent queries are kept until `clear()` (the ranker clears them whenever it reloads for a catalogue
 * change) or their TTL. A read that began before a clear is never stored after it.
 */
export class FullTextReader {
  private readonly loader: DataLoader<{ query: string; limit: number }, ScoredId[]>;
  private readonly cache: LRUCache<string, ScoredId[]> | null;
  /** Raised by clear(): a read begun under an older generation answers its caller but is not kept. */
  private generation = 0;

  constructor(graph: Graph, options: { maxBatchSize?: number; cache?: FullTextCacheOptions | null } = {}) {
    this.loader = coalescing((queries) => fullTextProductsMany(graph, queries), options.maxBatchSize ?? DEFAULT_READ_BATCH_SIZE);
    const cache = options.cache === undefined ? DEFAULT_FULL_TEXT_CACHE : options.cache;
    this.cache = cache && cache.maxMatches > 0
      ? new LRUCache<string, ScoredId[]>({ maxSize: cache.maxMatches, sizeCalculation: (matches) => matches.length + 1, ttl: cache.ttlMs })
      : null;
  }

  async search(query: string, limit: number): Promise<ScoredId[]> {
    if (!this.cache) return this.loader.load({ query, limit });
    const key = `${limit}\u0000${query}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const generation = this.generation;
    const matches = await this.loader.load({ query, limit });
    if (generation === this.generation) this.cache.set(key, matches);
    return matches;
  }

  /** The catalogue changed: every query is read from Neo4j again. */
  clear(): void {
    this.generation += 1;
    this.cache?.clear();
  }
}
