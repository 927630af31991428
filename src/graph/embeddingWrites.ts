import type { Graph } from './graph.js';

/**
 * Writes trained vectors back onto the graph's nodes, in batches, and keeps the product vector index in
 * step with the model's dimension. Vectors are stored as float arrays by `db.create.setNodeVectorProperty`
 * (half the size of a list of doubles) with the model version beside them.
 */

export const VECTOR_INDEX = 'product_embedding';
/** Nodes per write transaction: 2,000 × 200 floats is a few MB of parameters. */
const WRITE_BATCH = 2_000;

const WRITE_VECTORS: Record<string, string> = Object.fromEntries(
  ['Product', 'User', 'Category', 'Brand'].map((label) => [
    label,
    `UNWIND range(0, size($ids) - 1) AS i
     MATCH (n:${label} {id: $ids[i]})
     CALL db.create.setNodeVectorProperty(n, 'embedding', $vectors[i])
     SET n.embeddingVersion = $version`,
  ]),
);

export type EmbeddedLabel = 'Product' | 'User' | 'Category' | 'Brand';

export interface VectorRows {
  label: EmbeddedLabel;
  ids: string[];
  /** Row-major, ids.length × dimension. */
  vectors: Float32Array;
}

/** The dimension the vector index was built for, or null when it does not exist. */
export async function vectorIndexDimension(graph: Graph): Promise<number | null> {
  const [row] = await graph.read<{ options: { indexConfig?: Record<string, unknown> } }>(
    'SHOW INDEXES YIELD name, options WHERE name = $name RETURN options',
    { name: VECTOR_INDEX },
  );
  const dimension = row?.options.indexConfig?.['vector.dimensions'];
  return typeof dimension === 'number' ? dimension : null;
}

/** Recreates the product vector index when its dimension differs from the model's. */
export async function ensureVectorIndex(graph: Graph, dimension: number): Promise<void> {
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`invalid vector dimension ${dimension}`);
  if ((await vectorIndexDimension(graph)) === dimension) return;
  await graph.autoCommit(`DROP INDEX ${VECTOR_INDEX} IF EXISTS`);
  await graph.autoCommit(
    `CREATE VECTOR INDEX ${VECTOR_INDEX} IF NOT EXISTS FOR (n:Product) ON (n.embedding)
     OPTIONS {indexConfig: {\`vector.dimensions\`: ${dimension}, \`vector.similarity_function\`: 'cosine'}}`,
  );
}

/** Writes each node's vector; returns how many nodes were found and written. */
export async function writeVectors(
  graph: Graph,
  rows: VectorRows,
  dimension: number,
  version: string,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const query = WRITE_VECTORS[rows.label] as string;
  let written = 0;
  for (let start = 0; start < rows.ids.length; start += WRITE_BATCH) {
    const ids = rows.ids.slice(start, start + WRITE_BATCH);
    const vectors = ids.map((_, offset) => Array.from(rows.vectors.subarray((start + offset) * dimension, (start + offset + 1) * dimension)));
    const [result] = await graph.transaction((tx) =>
      tx.run<{ written: number }>(`${query} RETURN count(n) AS written`, { ids, vectors, version }),
    );
    written += result?.written ?? 0;
    onProgress?.(Math.min(start + WRITE_BATCH, rows.ids.length), rows.ids.length);
  }
  return written;
}
