import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { vectorIndexDimension } from '../../src/graph/embeddingWrites.js';
import type { Graph } from '../../src/graph/graph.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { activateAndWriteBack } from '../../src/jobs/activate.js';
import { writeDemoShopFiles } from '../../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../../src/jobs/loadShop.js';
import { runTrainingJob } from '../../src/jobs/train.js';
import { freshGraph, tempDir } from '../helpers.js';

let graph: Graph;
let config: Config;
const PRODUCTS = 300;

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  const { files } = await writeDemoShopFiles(tempDir(), { products: PRODUCTS, users: 300, events: 40_000, seed: 5 });
  for (const kind of LOAD_ORDER) {
    await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: 5_000, relationTypes: config.relationTypes });
  }
});
afterAll(async () => {
  await graph.close();
});

describe('training on the shop graph', () => {
  it('learns embeddings whose held-out purchases rank far better than random, and activation writes them back', async () => {
    const modelsDir = tempDir('kgrec-models-');
    const result = await runTrainingJob({
      source: { kind: 'graph', graph, config },
      hyperparameters: [{ dimension: 32, epochs: 80, negatives: 16, seed: 7 }],
      modelsDir,
      evalEvery: 0,
      holdout: { valid: 0.05, test: 0.2 },
    });
    expect(result.dataset.test).toBeGreaterThan(50);
    // Ranked among all products, a random order gives Hits@10 = 10 / PRODUCTS and MRR ≈ ln(PRODUCTS) / PRODUCTS.
    const randomHits10 = 10 / PRODUCTS;
    const randomMrr = Math.log(PRODUCTS) / PRODUCTS;
    expect(result.test?.['hits@10']).toBeGreaterThan(4 * randomHits10);
    expect(result.test?.mrr).toBeGreaterThan(4 * randomMrr);
    expect(result.test?.perRelation.PURCHASED?.count).toBe(result.test?.count);

    const manifest = JSON.parse(readFileSync(path.join(modelsDir, result.version, 'manifest.json'), 'utf8')) as { dimension: number };
    expect(manifest.dimension).toBe(32);

    const activation = await activateAndWriteBack(modelsDir, result.version, graph);
    expect(activation.written.Product).toBe(PRODUCTS);
    expect(readFileSync(path.join(modelsDir, 'active'), 'utf8').trim()).toBe(result.version);
    expect(await vectorIndexDimension(graph)).toBe(32);
    const [row] = await graph.read<{ n: number; size: number }>(
      'MATCH (p:Product) WHERE p.embeddingVersion = $version RETURN count(p) AS n, max(size(p.embedding)) AS size',
      { version: result.version },
    );
    expect(row).toEqual({ n: PRODUCTS, size: 32 });
    const [nearest] = await graph.read<{ n: number }>(
      'MATCH (p:Product {id: "p-00001"}) CALL db.index.vector.queryNodes("product_embedding", 5, p.embedding) YIELD node RETURN count(node) AS n',
    );
    expect(nearest?.n).toBe(5);
  });
});
