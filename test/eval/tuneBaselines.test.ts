import { describe, expect, it } from 'vitest';
import { fitObjective } from '../../src/eval/metrics.js';
import { BASELINE_SEARCH_SPACE, buildTunedBaseline, tuneBaselines } from '../../src/eval/tuneBaselines.js';
import { kgatEvalData } from '../../src/jobs/evalData.js';
import { bestItemItem, tuneBaselineHyperparameters } from '../../src/jobs/evaluateRecommenders.js';
import { DEFAULT_ITEM_ITEM } from '../../src/ranking/itemItemSignal.js';
import { interactionsFromLists } from '../../src/math/interactions.js';
import { EASE_MAX_ITEMS } from '../../src/recommenders/ease.js';
import { kgatFixtureDir } from './kgatFixture.js';

describe('the baselines’ hyperparameter search', () => {
  it('reads only the validation split: corrupting the test split changes no trial and no choice', async () => {
    const clean = await kgatEvalData(kgatFixtureDir(), 'clean');
    const corrupted = await kgatEvalData(kgatFixtureDir({ corruptTest: true }), 'corrupted');
    // The corruption is real: the test sets differ.
    expect(Array.from(corrupted.test.indices)).not.toEqual(Array.from(clean.test.indices));
    const a = await tuneBaselineHyperparameters(clean);
    const b = await tuneBaselineHyperparameters(corrupted);
    expect(a.map((tuning) => tuning.model)).toEqual(['itemknn', 'p3alpha', 'rp3beta', 'ease']);
    expect(b.map(({ model, best, trials }) => ({ model, best, trials }))).toEqual(a.map(({ model, best, trials }) => ({ model, best, trials })));
  });

  it('tries the stated search space and keeps the trial with the best validation objective (NDCG and Recall)', async () => {
    const data = await kgatEvalData(kgatFixtureDir(), 'fixture');
    const tuned = await tuneBaselineHyperparameters(data, { models: ['itemknn', 'rp3beta'] });
    const knn = tuned.find((tuning) => tuning.model === 'itemknn')!;
    const space = BASELINE_SEARCH_SPACE.itemknn;
    const kinds = space.similarity.length - 1 + space.asymmetricAlpha.length;
    expect(knn.trials).toHaveLength(kinds * space.shrink.length * space.neighbourhood.length + space.neighbours.length - 1);
    const bestKnn = knn.trials.reduce((a, b) => (fitObjective(b) > fitObjective(a) ? b : a));
    expect({ recall: knn.bestRecall, ndcg: knn.bestNdcg }).toEqual({ recall: bestKnn.recall, ndcg: bestKnn.ndcg });
    expect(knn.searchSpace).toEqual(space);
    const rp3 = tuned.find((tuning) => tuning.model === 'rp3beta')!;
    expect(rp3.trials).toHaveLength(BASELINE_SEARCH_SPACE.rp3beta.alpha.length * BASELINE_SEARCH_SPACE.rp3beta.beta.length + BASELINE_SEARCH_SPACE.rp3beta.neighbours.length - 1);
    expect(Object.keys(rp3.best).sort()).toEqual(['alpha', 'beta', 'neighbours']);
    // The personal models learn the clusters: far above the popularity level of a few per cent.
    expect(knn.bestRecall).toBeGreaterThan(0.3);
    // The chosen values rebuild a working scorer.
    const scorer = buildTunedBaseline('itemknn', data.valid, knn.best);
    const out = new Float32Array(data.products.length);
    scorer.scoreUsers(Int32Array.from([0]), out);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('searches EASE\'s l2 on the dense model, then the neighbourhood of its sparse form, which the itemItem signal may take', async () => {
    const data = await kgatEvalData(kgatFixtureDir(), 'fixture');
    const [ease] = await tuneBaselineHyperparameters(data, { models: ['ease'] });
    const space = BASELINE_SEARCH_SPACE.ease;
    const dense = ease!.trials.filter((trial) => trial.params.neighbours === undefined);
    const sparse = ease!.trials.filter((trial) => trial.params.neighbours !== undefined);
    // A line search: at least the middle and both its neighbours' sides, never the whole grid.
    expect(dense.length).toBeGreaterThanOrEqual(2);
    expect(dense.length).toBeLessThan(space.l2.length);
    expect(ease!.best).toEqual(dense.reduce((a, b) => (fitObjective(b) > fitObjective(a) ? b : a)).params);
    expect(sparse.map((trial) => trial.params.neighbours)).toEqual(space.neighbours);
    expect(sparse.every((trial) => trial.params.l2 === ease!.best.l2)).toBe(true);
    const bestSparse = sparse.reduce((a, b) => (fitObjective(b) > fitObjective(a) ? b : a));
    expect(ease!.itemItem).toEqual({ params: bestSparse.params, recall: bestSparse.recall, ndcg: bestSparse.ndcg });

    // The itemItem signal takes the candidate with the best validation objective, EASE in its sparse form.
    const rp3 = { model: 'rp3beta' as const, searchSpace: {}, strategy: '', trials: [], best: { alpha: 1, beta: 0.5, neighbours: 50 }, bestRecall: bestSparse.recall, bestNdcg: bestSparse.ndcg - 0.01, seconds: 0 };
    expect(bestItemItem([rp3, ease!])).toEqual({ model: 'ease', params: bestSparse.params });
    expect(bestItemItem([{ ...rp3, bestNdcg: bestSparse.ndcg + 0.01 }, ease!])).toEqual({ model: 'rp3beta', params: rp3.best });
    // Dense EASE alone is no item-item model to serve.
    const { itemItem: _sparse, ...denseOnly } = ease!;
    expect(bestItemItem([{ ...denseOnly, bestNdcg: 1 }])).toEqual(DEFAULT_ITEM_ITEM);
  });

  it('leaves EASE out beyond EASE_MAX_ITEMS instead of running it', async () => {
    const wide = interactionsFromLists([[0, 1], [1, 2], [0, 2]], EASE_MAX_ITEMS + 1);
    const tuned = await tuneBaselines({ history: wide, known: wide, valid: interactionsFromLists([[2], [0], [1]], EASE_MAX_ITEMS + 1) }, { models: ['ease'] });
    expect(tuned).toEqual([]);
  });
});
