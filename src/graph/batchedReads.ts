import DataLoader from 'dataloader';
import type { Graph } from './graph.js';
import { fullTextProductsMany, readProfiles, type ProfileRow, type ScoredId } from './shopReads.js';

/**
 * Reads for the requests being served that batch the requests arriving together into one query: under
 * load a round trip to Neo4j costs more than the rows it returns, so 32 concurrent `recommend` calls
 * share a few queries instead of making 32. Nothing is cached: a request always sees every write
 * committed before it began.
 */
function coalescing<K, V>(load: (keys: readonly K[]) => Promise<V[]>, maxBatchSize: number): DataLoader<K, V> {
  return new DataLoader(load, {
    cache: false,
    maxBatchSize,
    // The requests whose bodies were parsed in this turn of the event loop go together.
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });
}

/** Each request's read of its user's behaviour aggregates. */
export class ProfileReader {
  private readonly loader: DataLoader<string, ProfileRow[]>;

  constructor(graph: Graph, options: { maxBatchSize?: number } = {}) {
    this.loader = coalescing(async (userIds) => {
      const byUser = await readProfiles(graph, userIds);
      return userIds.map((userId) => byUser.get(userId) ?? []);
    }, options.maxBatchSize ?? 64);
  }

  read(userId: string): Promise<ProfileRow[]> {
    return this.loader.load(userId);
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
