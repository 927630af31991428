import type { Graph } from '../graph/graph.js';
import { ping } from '../graph/shopReads.js';
import { activeVersion } from '../kge/modelStore.js';
import type { Ranker, RankingThreadsHealth } from '../ranking/types.js';

/** A health check waits this long for Neo4j before calling it down: load balancers poll every few seconds. */
const NEO4J_TIMEOUT_MS = 2_000;

export interface Health {
  status: 'ok' | 'unavailable';
  neo4j: { reachable: boolean; latencyMs: number; error?: string };
  /** The active embedding model version (`models/active`), null when none is. */
  model: { active: string | null; error?: string };
  /** Where requests are ranked: on ranking threads (and how they fare) or on the API's own thread. */
  ranking: ({ mode: 'threads' } & RankingThreadsHealth) | { mode: 'in-process' };
}

/**
 * Neo4j reachable, the active model version and the ranking threads. Only Neo4j decides the status: the
 * API serves without a model, and a ranking thread that died is replaced on the next call.
 */
export async function checkHealth(graph: Graph, modelsDir: string, ranker?: Ranker): Promise<Health> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${NEO4J_TIMEOUT_MS} ms`)), NEO4J_TIMEOUT_MS);
  });
  const [neo4j, model] = await Promise.all([
    Promise.race([ping(graph), timeout]).then(
      () => ({ reachable: true }),
      (error: unknown) => ({ reachable: false, error: (error as Error).message }),
    ),
    activeVersion(modelsDir).then(
      (active) => ({ active }),
      (error: unknown) => ({ active: null, error: (error as Error).message }),
    ),
  ]).finally(() => clearTimeout(timer));
  return {
    status: neo4j.reachable ? 'ok' : 'unavailable',
    neo4j: { ...neo4j, latencyMs: Math.round(performance.now() - started) },
    model,
    ranking: ranker?.health ? { mode: 'threads', ...ranker.health() } : { mode: 'in-process' },
  };
}
