import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Graph } from '../graph/graph.js';
import { loggedFusedRanker } from '../ranking/fusedRanker.js';
import { ThreadedRanker } from '../ranking/threadedRanker.js';
import type { Ranker } from '../ranking/types.js';
import { profileCacheSettings, type ApiConfig } from './config.js';

/**
 * The ranker `kgrec serve` serves from: the fused ranker (without an active model it ranks by popularity,
 * co-purchases and interests), on `api.rankingThreads` worker threads, or on the API's own thread with 0.
 */
export function createServingRanker(options: { graph: Graph; config: Config; api: ApiConfig; logger: Logger }): Ranker {
  const { graph, config, api, logger } = options;
  const rankerOptions = {
    modelsDir: api.modelsDir,
    relationTypes: config.relationTypes,
    ttlMs: api.snapshotTtlSeconds * 1000,
    textEncoderPath: config.textEncoderPath,
    hidePenalty: api.hidePenalty,
  };
  const profileCache = profileCacheSettings(api);
  if (api.rankingThreads > 0) {
    return new ThreadedRanker({
      threads: api.rankingThreads,
      // The database the API's connection resolved, so that the threads need not resolve it again.
      config: { ...config, neo4jDatabase: graph.database ?? config.neo4jDatabase },
      ranker: rankerOptions,
      // Plain settings: the thread logs its own errors.
      profileCache,
      logLevel: logger.level,
      onError: (error) => logger.error({ err: error }, 'a ranking thread failed; it is restarted on the next request'),
    });
  }
  return loggedFusedRanker({ graph, ...rankerOptions }, logger, profileCache);
}
