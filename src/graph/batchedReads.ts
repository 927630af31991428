import DataLoader from 'dataloader';
import type { Graph } from './graph.js';
import { ProfileCache, type ProfileCacheOptions } from './profileCache.js';
import { fullTextProductsMany, readProfiles, type ProfileRow, type ScoredId } from './shopReads.js';

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
    }, options.maxBatchSize ?? 64);
    this.cache = options.cache && options.cache.maxUsers > 0 ? new ProfileCache(graph, options.cache) : null;
  }

  async read(userId: string): Promise<ProfileRow[]> {
    const cache = this.cache;
    if (!cache) return this.loader.load(userId);
    const cached = cache.get(userId);
    if (cached) return cached;
    const token = cache.begin();
    const rows = await this.loader.load(userId);
    cache.set(userId, rows, token);
    return rows;
  }

  /** These users' behaviour changed (a write through this process): their next read goes to Neo4j. */
  invalidate(userIds: Iterable<string>): void {
    this.cache?.invalidate(userIds);
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

/** Each search request's full-text query (Lucene, escaped by the caller). */
export class FullTextReader {
  private readonly loader: DataLoader<{ query: string; limit: number }, ScoredId[]>;

  constructor(graph: Graph, options: { maxBatchSize?: number } = {}) {
    this.loader = coalescing((queries) => fullTextProductsMany(graph, queries), options.maxBatchSize ?? 64);
  }

  search(query: string, limit: number): Promise<ScoredId[]> {
    return this.loader.load({ query, limit });
  }
}
