import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { activateAndWriteBack } from '../../src/jobs/activate.js';
import { runTrainingJob } from '../../src/jobs/train.js';
import { resolveHyperparameters } from '../../src/kge/hyperparameters.js';
import { activateModel, activeVersion, ForeignModelError, saveModel, type TrainingData } from '../../src/kge/modelStore.js';
import { freshGraph, ringTriplesDir, tempDir } from '../helpers.js';

/** Activation refuses a model that is not the shop's, before it writes anything, and keeps the active one. */

const SHOP_PRODUCTS = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6'];
const DIMENSION = 4;

let graph: Graph;
let modelsDir: string;
let shopVersion: string;

/** A small model over the given entity keys, with deterministic vectors. */
function saveTinyModel(entities: string[], trainedOn?: TrainingData, createdAt = new Date(Date.UTC(2026, 0, 1))): Promise<string> {
  const hyperparameters = resolveHyperparameters({ dimension: DIMENSION, workers: 1 });
  return saveModel(modelsDir, {
    hyperparameters,
    dataFingerprint: 'fixture',
    ...(trainedOn ? { trainedOn } : {}),
    backend: 'cpu',
    durationSeconds: 0,
    entities,
    relations: ['IN_CATEGORY'],
    embeddings: {
      dimension: DIMENSION,
      entity: Float32Array.from({ length: entities.length * DIMENSION }, (_, i) => ((i % 7) - 3) / 10),
      relation: Float32Array.from({ length: DIMENSION }, (_, i) => i / 10),
    },
    createdAt,
  });
}

const productVersions = async (): Promise<string[]> =>
  (await graph.read<{ version: string | null }>('MATCH (p:Product) RETURN DISTINCT p.embeddingVersion AS version')).map((row) => row.version ?? 'none');

beforeAll(async () => {
  ({ graph } = await freshGraph());
  await graph.write('UNWIND $ids AS id CREATE (:Product {id: id})', { ids: SHOP_PRODUCTS });
  modelsDir = tempDir('kgrec-models-');
  shopVersion = await saveTinyModel([...SHOP_PRODUCTS.map((id) => `Product:${id}`), 'Category:c-1'], 'shop');
  await activateAndWriteBack(modelsDir, shopVersion, graph);
});
afterAll(async () => {
  await graph.close();
});

describe('activating a model', () => {
  it('refuses a model trained on benchmark triples, leaving the active model and the graph as they were', async () => {
    const benchmark = await runTrainingJob({
      source: { kind: 'triples', dir: ringTriplesDir() },
      hyperparameters: [{ dimension: DIMENSION, epochs: 2, workers: 1, seed: 3 }],
      modelsDir,
      evalEvery: 0,
    });
    const manifest = JSON.parse(readFileSync(path.join(modelsDir, benchmark.version, 'manifest.json'), 'utf8')) as { trainedOn?: string };
    expect(manifest.trainedOn).toBe('benchmark');
    await expect(activateAndWriteBack(modelsDir, benchmark.version, graph)).rejects.toThrow(ForeignModelError);
    await expect(activateAndWriteBack(modelsDir, benchmark.version, null)).rejects.toThrow(/trained on benchmark triples, not on the shop graph/);
    await expect(activateModel(modelsDir, benchmark.version)).rejects.toThrow(/trained on benchmark triples/);
    expect(await activeVersion(modelsDir)).toBe(shopVersion);
    expect(await productVersions()).toEqual([shopVersion]);
  });

  it('refuses a model without products, and one that names too few of the shop products', async () => {
    // Saved before the training data was recorded: judged by its entities.
    const wordnet = await saveTinyModel(['00001740', '00001930', '00002137'], undefined, new Date(Date.UTC(2026, 0, 2)));
    await expect(activateAndWriteBack(modelsDir, wordnet, graph)).rejects.toThrow(/names no products \(none of its 3 entities is a "Product:"\)/);
    const otherShop = await saveTinyModel(['Product:p-1', 'Product:p-2', 'Product:x-1', 'Product:x-2', 'Product:x-3'], 'shop', new Date(Date.UTC(2026, 0, 3)));
    await expect(activateAndWriteBack(modelsDir, otherShop, graph)).rejects.toThrow(/names 2 of the shop's 6 products; a model of this shop names at least 50% of them/);
    expect(await activeVersion(modelsDir)).toBe(shopVersion);
    expect(await productVersions()).toEqual([shopVersion]);
  });

  it('activates a model of this shop that misses products added since it was trained', async () => {
    const yesterday = await saveTinyModel(SHOP_PRODUCTS.slice(0, 4).map((id) => `Product:${id}`), 'shop', new Date(Date.UTC(2026, 0, 4)));
    const result = await activateAndWriteBack(modelsDir, yesterday, graph);
    expect(result.written.Product).toBe(4);
    expect(await activeVersion(modelsDir)).toBe(yesterday);
    expect(existsSync(path.join(modelsDir, yesterday))).toBe(true);
  });
});
