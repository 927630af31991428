import type { Graph } from '../graph/graph.js';
import { ensureVectorIndex, writeVectors, type EmbeddedLabel } from '../graph/embeddingWrites.js';
import { activateModel, loadModel } from '../kge/modelStore.js';

const EMBEDDED_LABELS: readonly EmbeddedLabel[] = ['Product', 'User', 'Category', 'Brand'];

export interface ActivationResult {
  version: string;
  /** Nodes that received a vector, per label. */
  written: Record<string, number>;
  seconds: number;
}

/**
 * Makes a model version the active one and, when a graph is given, writes its product, user, category
 * and brand vectors onto those nodes (rebuilding the vector index if the dimension changed). The vectors
 * are written before the switch, so a failure leaves the previous model active.
 */
export async function activateAndWriteBack(
  modelsDir: string,
  version: string,
  graph: Graph | null,
  onProgress?: (label: string, done: number, total: number) => void,
): Promise<ActivationResult> {
  const started = performance.now();
  const model = await loadModel(modelsDir, version);
  const written: Record<string, number> = {};
  if (graph) {
    const { dimension } = model.embeddings;
    await ensureVectorIndex(graph, dimension);
    for (const label of EMBEDDED_LABELS) {
      const prefix = `${label}:`;
      const ids: string[] = [];
      const rows: number[] = [];
      model.entities.forEach((key, index) => {
        if (key.startsWith(prefix)) {
          ids.push(key.slice(prefix.length));
          rows.push(index);
        }
      });
      if (ids.length === 0) continue;
      const vectors = new Float32Array(ids.length * dimension);
      rows.forEach((row, i) => vectors.set(model.embeddings.entity.subarray(row * dimension, (row + 1) * dimension), i * dimension));
      written[label] = await writeVectors(graph, { label, ids, vectors }, dimension, version, (done, total) => onProgress?.(label, done, total));
    }
    await graph.autoCommit('CALL db.awaitIndexes(300)');
  }
  await activateModel(modelsDir, version);
  return { version, written, seconds: (performance.now() - started) / 1000 };
}
