import type { Graph } from '../graph/graph.js';
import { ensureVectorIndex, writeVectors, type EmbeddedLabel } from '../graph/embeddingWrites.js';
import { productCoverage } from '../graph/productCoverage.js';
import { activateModel, ForeignModelError, loadModel, refuseBenchmarkModel, type StoredModel } from '../kge/modelStore.js';

const EMBEDDED_LABELS: readonly EmbeddedLabel[] = ['Product', 'User', 'Category', 'Brand'];

/**
 * The share of the shop's products a model must name to be activated. A model trained on this shop names
 * every product that had a triple then, and products added since are few until the next daily retraining;
 * a model of another shop or data set names next to none of them.
 */
export const MIN_PRODUCT_COVERAGE = 0.5;

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
  await refuseForeignModel(model, graph);
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

/**
 * Refuses, before anything is written, a model that is not this shop's: one trained on benchmark triples,
 * one without products, and (given the graph) one that names too few of the shop's products.
 */
async function refuseForeignModel(model: StoredModel, graph: Graph | null): Promise<void> {
  refuseBenchmarkModel(model.manifest);
  const { version } = model.manifest;
  const productIds = model.entities.filter((key) => key.startsWith('Product:')).map((key) => key.slice('Product:'.length));
  if (productIds.length === 0) {
    throw new ForeignModelError(`model ${version} names no products (none of its ${model.entities.length} entities is a "Product:"): it was not trained on a shop graph`);
  }
  if (!graph) return;
  const { products, known } = await productCoverage(graph, productIds);
  if (products === 0) throw new ForeignModelError(`the shop graph has no products to check model ${version} against: load the shop before activating a model`);
  if (known < MIN_PRODUCT_COVERAGE * products) {
    throw new ForeignModelError(
      `model ${version} names ${known} of the shop's ${products} products; a model of this shop names at least ${MIN_PRODUCT_COVERAGE * 100}% of them: it was trained on another graph`,
    );
  }
}
