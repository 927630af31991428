import DataLoader from 'dataloader';
import type { Graph } from './graph.js';
import { readProfiles, type ProfileRow } from './shopReads.js';

/**
 * Reads users' behaviour for the requests being served, batching the requests that arrive together into
 * one query: under load a round trip to Neo4j costs more than the rows it returns, so 32 concurrent
 * `recommend` calls share a few queries instead of making 32. Nothing is cached: a request always sees
 * every event committed before it began.
 */
export class ProfileReader {
  private readonly loader: DataLoader<string, ProfileRow[]>;

  constructor(graph: Graph, options: { maxBatchSize?: number } = {}) {
    this.loader = new DataLoader(
      async (userIds) => {
        const byUser = await readProfiles(graph, userIds);
        return userIds.map((userId) => byUser.get(userId) ?? []);
      },
      {
        cache: false,
        maxBatchSize: options.maxBatchSize ?? 64,
        // The requests whose bodies were parsed in this turn of the event loop go together.
        batchScheduleFn: (dispatch) => setImmediate(dispatch),
      },
    );
  }

  read(userId: string): Promise<ProfileRow[]> {
    return this.loader.load(userId);
  }
}
