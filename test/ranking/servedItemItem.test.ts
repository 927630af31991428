import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { readBaskets } from '../../src/graph/rankingReads.js';
import { truncateNeighbours } from '../../src/math/itemSimilarity.js';
import { DEFAULT_FUSION_WEIGHTS, writeFusionWeights } from '../../src/ranking/fusionWeights.js';
import { writeItemItemLists } from '../../src/ranking/itemItemLists.js';
import { buildItemItemIndex, DEFAULT_ITEM_ITEM, type ItemItemSpec } from '../../src/ranking/itemItemSignal.js';
import { loadRankingState } from '../../src/ranking/rankingState.js';
import { CO_BEHAVIOUR_TYPES } from '../../src/ranking/weights.js';
import { loadDemoShop } from '../api/harness.js';
import { freshGraph, saveFixtureModel, tempDir } from '../helpers.js';

const EASE: ItemItemSpec = { model: 'ease', params: { l2: 25, neighbours: 40 } };

let graph: Graph;
let config: Config;

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  await loadDemoShop(graph, config, { products: 150, users: 60, events: 3_000, seed: 5 });
});

afterAll(async () => {
  await graph?.close();
});

describe('the served EASE item-item lists', () => {
  it('are loaded with the model version, never fitted by the API; without them the default model stands in', async () => {
    const modelsDir = tempDir('kgrec-served-item-item-');
    const logs: string[] = [];
    const options = { graph, modelsDir, relationTypes: config.relationTypes, logger: { info: (_details: Record<string, unknown>, message: string) => logs.push(message) } };
    const bare = await loadRankingState(options);
    const ids = bare.snapshot.products.map((product) => product.id);
    const version = await saveFixtureModel(modelsDir, { trainedOn: 'shop', entities: ids.map((id) => `Product:${id}`) });
    const weights = { ...DEFAULT_FUSION_WEIGHTS, itemItem: 0.3 };
    await writeFusionWeights(modelsDir, version, { weights, metric: 'ndcg@20', validation: 0.2, fittedAt: new Date().toISOString(), dataset: 'test', itemItem: EASE });

    const withoutLists = await loadRankingState({ ...options, modelVersion: version });
    expect(withoutLists.weightsSource).toBe('fitted');
    expect(withoutLists.itemItem?.spec).toEqual(DEFAULT_ITEM_ITEM);
    const fallback = 'the fitted item-item model has no lists to serve: serving the default one';
    expect(logs.filter((message) => message === fallback)).toHaveLength(1);
    // A reload of the same version says it no more.
    await loadRankingState({ ...options, modelVersion: version }, Date.now(), withoutLists);
    expect(logs.filter((message) => message === fallback)).toHaveLength(1);

    // Lists that a fit on these baskets would not give (cut to 3 per row): what is served is what was saved.
    const baskets = [...(await readBaskets(graph, CO_BEHAVIOUR_TYPES)).values()].map((basket) => [...basket].map((id) => bare.indexOf.get(id)!));
    const fitted = buildItemItemIndex(baskets, ids.length, EASE);
    const saved = { spec: EASE, model: truncateNeighbours(fitted.model, 3) };
    await writeItemItemLists(modelsDir, version, { ids, index: saved });
    const withLists = await loadRankingState({ ...options, modelVersion: version });
    expect(withLists.snapshot.products.map((product) => product.id)).toEqual(ids);
    expect(withLists.itemItem).toEqual(saved);
    expect(withLists.itemItem?.model).not.toEqual(fitted.model);
  });
});
