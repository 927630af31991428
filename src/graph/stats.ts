import type { Graph } from './graph.js';

export interface GraphStats {
  nodes: Record<string, number>;
  relationships: Record<string, number>;
  events: number;
}

/** Bookkeeping labels that are not part of the shop graph. */
const INTERNAL_LABELS = new Set(['KgrecMigration', 'BehaviourChange', 'CatalogueChange', 'KgrecLock', 'KgrecTestDatabase']);

const quoteName = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/**
 * Node counts per label and relationship counts per type. Each count is a single-label or single-type
 * `count()`, which Neo4j answers from its count store without scanning; the names come from the database
 * itself (db.labels / db.relationshipTypes), quoted as identifiers.
 */
export async function graphStats(graph: Graph): Promise<GraphStats> {
  const labels = (await graph.read<{ label: string }>('CALL db.labels() YIELD label RETURN label ORDER BY label'))
    .map((row) => row.label)
    .filter((label) => !INTERNAL_LABELS.has(label));
  const types = (
    await graph.read<{ type: string }>('CALL db.relationshipTypes() YIELD relationshipType AS type RETURN type ORDER BY type')
  ).map((row) => row.type);
  const nodeQueries = labels.map((label) => `MATCH (n:${quoteName(label)}) RETURN ${JSON.stringify(label)} AS name, count(n) AS count`);
  const relationshipQueries = types.map((type) => `MATCH ()-[r:${quoteName(type)}]->() RETURN ${JSON.stringify(type)} AS name, count(r) AS count`);
  const countAll = async (queries: string[]): Promise<Record<string, number>> => {
    if (queries.length === 0) return {};
    const rows = await graph.read<{ name: string; count: number }>(queries.join('\nUNION ALL\n'));
    return Object.fromEntries(rows.filter((row) => row.count > 0).map((row) => [row.name, row.count]));
  };
  const nodes = await countAll(nodeQueries);
  return { nodes, relationships: await countAll(relationshipQueries), events: nodes.Event ?? 0 };
}

/** Every node but the migration records, which a freshly migrated, empty database already holds. */
const NODES_BUT_MIGRATIONS = 'MATCH (n) WHERE NOT n:KgrecMigration RETURN count(n) AS count';

/** Nodes in the database other than migration records (0: an empty database, ready for a bulk load). */
export async function nodesButMigrations(graph: Graph): Promise<number> {
  const [row] = await graph.read<{ count: number }>(NODES_BUT_MIGRATIONS);
  return row?.count ?? 0;
}
