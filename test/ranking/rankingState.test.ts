import { describe, expect, it } from 'vitest';
import { entityKey } from '../../src/graph/tripleExport.js';
import { demoEvalData } from '../../src/jobs/evalData.js';
import { offlineState } from '../../src/jobs/evaluateRecommenders.js';
import { Random } from '../../src/math/random.js';
import type { StoredModel } from '../../src/kge/modelStore.js';
import { ModelVectors } from '../../src/ranking/modelVectors.js';
import { buildRankingState, buildRankingStateYielding, type RankingStateParts } from '../../src/ranking/rankingState.js';
import { selectProductTerms } from '../../src/text/vocabulary.js';

const DIMENSION = 16;

/** A small generated shop and a model with random vectors for its products, users and terms. */
function shopAndModel() {
  const data = demoEvalData({ products: 300, users: 80, events: 4_000, seed: 3 });
  const terms = [...new Set(selectProductTerms(data.products).products.flatMap((product) => product.terms))];
  const entities = [
    ...data.products.map((product) => entityKey('Product', product.id)),
    ...data.users.map((user) => entityKey('User', user)),
    ...terms.map((term) => entityKey('Term', term)),
  ];
  const relations = ['VIEWED', 'PURCHASED', 'HAS_TERM'];
  const random = new Random(11);
  const vectors = (n: number) => Float32Array.from({ length: n * DIMENSION }, () => random.gaussian(0, 0.3));
  const stored = {
    manifest: { version: 'test', distance: 'L2', createdAt: new Date(data.fitEndsAt).toISOString() },
    entities,
    relations,
    embeddings: { dimension: DIMENSION, entity: vectors(entities.length), relation: vectors(relations.length) },
  } as unknown as StoredModel;
  return { data, model: new ModelVectors(stored) };
}

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
