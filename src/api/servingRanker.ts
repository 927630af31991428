import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Graph } from '../graph/graph.js';
import { loggedFusedRanker } from '../ranking/fusedRanker.js';
import { ThreadedRanker } from '../ranking/threadedRanker.js';
import type { Ranker } from '../ranking/types.js';
import { PopularityRanker } from '../ranking/popularityRanker.js';
import type { FusionWeights } from '../ranking/fusionWeights.js';
import type { RankerOverrides } from '../domain/experiments.js';
import { profileCacheSettings, type ApiConfig } from './config.js';

export interface ServingRankerOptions {
  graph: Graph;
  config: Config;
  api: ApiConfig;
  logger: Logger;
}

/** What an experiment's variant changes in the fused ranker. */
export interface FusedVariant {
  modelVersion?: string | undefined;
  weights?: Partial<FusionWeights> | undefined;
  ruleSet?: string | undefined;
}

/**
 * The ranker an experiment's variant asks for: a popularity strategy, or the fused ranker as `kgrec serve`
 * builds it with the variant's model version, fusion weights and rule set.
 */
export function createVariantRanker(options: ServingRankerOptions, overrides: RankerOverrides): Ranker {
  const { graph, api, logger } = options;
  if (overrides.strategy !== undefined && overrides.strategy !== 'fused') {
    return new PopularityRanker({
      graph,
      snapshotTtlMs: api.snapshotTtlSeconds * 1000,
      personalise: overrides.strategy === 'personalised-popularity',
      ruleSet: overrides.ruleSet,
      onError: (error) => logger.error({ err: error }, 'reloading a variant ranker\'s catalogue failed; serving the previous one'),
    });
  }
  return createServingRanker(options, { modelVersion: overrides.modelVersion, weights: overrides.fusionWeights, ruleSet: overrides.ruleSet });
}

/**
 * The ranker `kgrec serve` serves from: the fused ranker (without an active model it ranks by popularity,
 * co-purchases and interests), on `api.rankingThreads` worker threads, or on the API's own thread with 0.
 */
export function createServingRanker(options: ServingRankerOptions, variant?: FusedVariant): Ranker {
  const { graph, config, logger } = options;
  // A variant's ranker takes at most one thread of its own and reads profiles per request: the profile
  // cache's invalidations go to the serving ranker only (src/api/variantRankers.ts).
  const api = variant ? { ...options.api, rankingThreads: Math.min(options.api.rankingThreads, 1), profileCacheUsers: 0 } : options.api;
  // The database the API's connection resolved, so that the ranking threads and the lists' build thread need not resolve it again.
  const neo4j = { ...config, neo4jDatabase: graph.database ?? config.neo4jDatabase };
  const rankerOptions = {
    neo4j,
    modelsDir: api.modelsDir,
    relationTypes: config.relationTypes,
    ttlMs: api.snapshotTtlSeconds * 1000,
    textEncoderPath: config.textEncoderPath,
    hidePenalty: api.hidePenalty,
    ...(variant?.modelVersion === undefined ? {} : { modelVersion: variant.modelVersion }),
    ...(variant?.weights === undefined ? {} : { weights: variant.weights }),
    ...(variant?.ruleSet === undefined ? {} : { ruleSet: variant.ruleSet }),
  };
  const profileCache = profileCacheSettings(api);
  if (api.rankingThreads > 0) {
    return new ThreadedRanker({
      threads: api.rankingThreads,
      config: neo4j,
      ranker: rankerOptions,
      // Plain settings: the thread logs its own errors.
      profileCache,
      logLevel: logger.level,
      onError: (error) => logger.error({ err: error }, 'a ranking thread failed; it is restarted on the next request'),
    });
  }
  return loggedFusedRanker({ graph, ...rankerOptions }, logger, profileCache);
}
