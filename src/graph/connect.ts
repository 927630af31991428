import { usesLocalNeo4j, type Config } from '../config.js';
import { Graph } from './graph.js';
import { startLocalServer, type LocalServerOptions } from './localServer.js';
import { loadMigrations, migrate, type MigrationResult } from './migrations.js';

export const localServerOptions = (config: Config, onInfo?: (message: string) => void): LocalServerOptions => ({
  home: config.localNeo4jHome,
  libDir: config.localNeo4jLib,
  port: config.localNeo4jPort,
  password: config.neo4jPassword,
  heap: config.localNeo4jHeap,
  pageCache: config.localNeo4jPageCache,
  onInfo,
});

export interface OpenOptions {
  /** Start the local server when kgrec manages it and it is not running. */
  startLocal?: boolean;
  /** Apply pending migrations before returning. */
  migrate?: boolean;
  onInfo?: (message: string) => void;
}

/** Connects to the configured Neo4j, starting the local one and migrating first when asked. */
export async function openGraph(config: Config, options: OpenOptions = {}): Promise<{ graph: Graph; migrations?: MigrationResult }> {
  if (options.startLocal && usesLocalNeo4j(config)) await startLocalServer(localServerOptions(config, options.onInfo));
  const graph = Graph.open(config);
  try {
    await graph.verify();
    if (!options.migrate) return { graph };
    const migrations = await migrate(graph, loadMigrations(undefined, { EMBEDDING_DIMENSION: config.embeddingDimension }));
    return { graph, migrations };
  } catch (error) {
    await graph.close();
    throw error;
  }
}
