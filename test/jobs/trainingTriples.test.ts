import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { ingestFiles, type IngestOptions } from '../../src/ingest/ingest.js';
import type { Kind } from '../../src/ingest/records.js';
import { loadTrainingData, runTrainingJob } from '../../src/jobs/train.js';
import { activateModel, readManifest } from '../../src/kge/modelStore.js';
import { writeFusionWeights, DEFAULT_FUSION_WEIGHTS, type GraphTriples } from '../../src/ranking/fusionWeights.js';
import { freshGraph, jsonl, saveFixtureModel, tempDir, writeFixture } from '../helpers.js';

/**
 * The shop's TransE export follows the triple set the active model's fusion weights were fitted with
 * (docs/decisions/0027-transe-triples-chosen-on-validation.md), in the real Neo4j: without-kg leaves the
 * attribute triples out, anything else keeps them.
 */

let graph: Graph;
let config: Config;

const ingest = (kind: Kind, files: string[], extra: Partial<IngestOptions> = {}) => ingestFiles(graph, { kind, files, batchSize: 10, relationTypes: config.relationTypes, ...extra });

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  const dir = tempDir('kgrec-training-triples-');
  const products = writeFixture(
    dir,
    'products.jsonl',
    jsonl([
      { id: 'red-shirt', title: 'Red shirt', attributes: { colour: 'red', material: 'cotton' } },
      { id: 'red-scarf', title: 'Red scarf', attributes: { colour: 'red' } },
      { id: 'blue-hat', title: 'Blue hat', attributes: { colour: 'blue' } },
    ]),
  );
  await ingest('products', [products]);
  const buyers = ['a', 'b', 'c', 'd', 'e', 'f'];
  const events = writeFixture(dir, 'events.csv', ['userId,productId,type,timestamp', ...buyers.flatMap((user) => [`${user},red-shirt,purchase,2026-01-02T10:00:00Z`, `${user},blue-hat,view,2026-01-02T11:00:00Z`])]);
  await ingest('events', [events]);
}, 120_000);
afterAll(async () => {
  await graph.close();
});

/** A models folder whose active model has a fusion.json with the given choice (undefined: the field left out; null: no fusion.json). */
async function modelsWithChoice(graphTriples: GraphTriples | undefined | null): Promise<string> {
  const modelsDir = tempDir('kgrec-choice-models-');
  const version = await saveFixtureModel(modelsDir);
  await activateModel(modelsDir, version);
  if (graphTriples !== null) {
    const fusion = { weights: DEFAULT_FUSION_WEIGHTS, metric: 'ndcg@20', validation: 0.2, fittedAt: new Date().toISOString(), dataset: 'demo' };
    await writeFusionWeights(modelsDir, version, graphTriples === undefined ? fusion : { ...fusion, graphTriples });
  }
  return modelsDir;
}

async function exportedRelations(modelsDir: string): Promise<{ relations: string[]; info: string[] }> {
  const info: string[] = [];
  const dataset = await loadTrainingData({ source: { kind: 'graph', graph, config }, hyperparameters: [], modelsDir, refreshTerms: false, onInfo: (message) => info.push(message) }, 1);
  return { relations: dataset.relations, info };
}

describe("the shop's TransE export and the saved choice of triples", () => {
  it('leaves the attribute triples out when the active fusion says without-kg, and says so', async () => {
    const { relations, info } = await exportedRelations(await modelsWithChoice('without-kg'));
    expect(relations).toContain('PURCHASED');
    expect(relations).toContain('IN_CATEGORY');
    expect(relations.filter((relation) => relation.startsWith('KG:'))).toEqual([]);
    expect(info.some((message) => /TransE trains without the KG and attribute triples/.test(message))).toBe(true);
  });

  it('keeps them when the fusion says with-kg, has no choice, or is absent', async () => {
    for (const choice of ['with-kg', undefined, null] as const) {
      const { relations, info } = await exportedRelations(await modelsWithChoice(choice));
      expect(relations.filter((relation) => relation.startsWith('KG:')).sort(), String(choice)).toEqual(['KG:colour', 'KG:material']);
      expect(info.some((message) => message.includes('TransE trains without')), String(choice)).toBe(false);
    }
  });

  it('carries the choice to the next training: a model trained without the KG triples says so, and one trained after it keeps to it', async () => {
    const modelsDir = await modelsWithChoice('without-kg');
    const trained = await runTrainingJob({
      source: { kind: 'graph', graph, config },
      hyperparameters: [{ dimension: 8, epochs: 1, negatives: 2, seed: 1 }],
      modelsDir,
      evalEvery: 0,
      refreshTerms: false,
    });
    expect((await readManifest(modelsDir, trained.version)).graphTriples).toBe('without-kg');
    // Activated before any `kgrec eval --save-weights` has fitted weights for it: no fusion.json of its own.
    await activateModel(modelsDir, trained.version);
    const { relations } = await exportedRelations(modelsDir);
    expect(relations.filter((relation) => relation.startsWith('KG:'))).toEqual([]);
  });
});
