import type { Graph } from '../graph/graph.js';
import { ping } from '../graph/shopReads.js';
import { activeVersion } from '../kge/modelStore.js';

/** A health check waits this long for Neo4j before calling it down: load balancers poll every few seconds. */
const NEO4J_TIMEOUT_MS = 2_000;

export interface Health {
  status: 'ok' | 'unavailable';
  neo4j: { reachable: boolean; latencyMs: number; error?: string };
  /** The active embedding model version (`models/active`), null when none is. */
  model: { active: string | null; error?: string };
}

/** Neo4j reachable and the active model version. Only Neo4j decides the status: the API serves without a model. */
export async function checkHealth(graph: Graph, modelsDir: string): Promise<Health> {
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
  };
}
