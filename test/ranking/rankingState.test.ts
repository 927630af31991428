import { describe, expect, it } from 'vitest';
import { randomShopModel } from './randomShopModel.js';
import { offlineState } from '../../src/jobs/evaluateRecommenders.js';
import { buildRankingState, buildRankingStateYielding, type RankingStateParts } from '../../src/ranking/rankingState.js';

const DIMENSION = 16;

const shopAndModel = () => randomShopModel({ products: 300, users: 80, events: 4_000, seed: 3 }, 11);

describe('the ranking state build', () => {
  it('gives the event loop turns between its steps and builds the same state as in one go', async () => {
    const { data, model } = shopAndModel();
    const first = offlineState(data, model, data.fit);
    // A reload as the API makes one: the neighbour lists of the state it replaces are reused.
    const parts: RankingStateParts = {
      snapshot: first.snapshot,
      model,
      baskets: [],
      links: data.relations,
      coldTexts: new Map(),
      productTerms: first.productTerms,
      fitted: null,
      neighbours: { ids: first.snapshot.products.map((product) => product.id), lists: first.neighbours, builtAt: first.neighboursBuiltAt, itemItem: first.itemItem },
    };

    // Requests would run in these turns: a build holding the loop throughout leaves none.
    let turns = 0;
    let building = true;
    const turn = () => {
      if (!building) return;
      turns += 1;
      setImmediate(turn);
    };
    setImmediate(turn);
    const stepped = await buildRankingStateYielding(parts);
    building = false;
    expect(turns).toBeGreaterThanOrEqual(3);

    const whole = buildRankingState(parts);
    expect(stepped.neighbours).toEqual(whole.neighbours);
    expect(stepped.links).toEqual(whole.links);
    expect(stepped.popularity).toEqual(whole.popularity);
    expect(stepped.neighbours).toEqual(first.neighbours);
    expect(stepped.itemItem?.model).toEqual(first.itemItem?.model);
    // Both spaces score a query alike.
    const n = whole.snapshot.products.length;
    const [graphStepped, graphWhole, textStepped, textWhole] = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    const query = Float32Array.from({ length: DIMENSION }, (_, i) => Math.sin(i));
    stepped.space?.score(query, graphStepped);
    whole.space?.score(query, graphWhole);
    expect(Array.from(graphStepped)).toEqual(Array.from(graphWhole));
    expect(graphWhole.some((value) => value !== 0)).toBe(true);
    const history = [{ index: 0, weight: 1 }, { index: 5, weight: 0.5 }];
    textStepped.set(stepped.textSpace?.scoreHistory(history) ?? []);
    textWhole.set(whole.textSpace?.scoreHistory(history) ?? []);
    expect(Array.from(textStepped)).toEqual(Array.from(textWhole));
  });
});
