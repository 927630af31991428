import { describe, expect, it } from 'vitest';
import { fitFusionWeights } from '../../src/eval/fitFusionWeights.js';
import type { BatchScorer } from '../../src/recommenders/scorer.js';
import { Random } from '../../src/math/random.js';
import { clusteredSplit } from '../recommenders/clusteredInteractions.js';

const split = clusteredSplit({ seed: 21 });
const { itemCount, userCluster, itemCluster } = split;

/** Knows each user's cluster, with some noise: informative but not perfect. */
const clusterScorer: BatchScorer = {
  name: 'cluster',
  scoreUsers(users, out) {
    for (let b = 0; b < users.length; b += 1) {
      const random = new Random(1000 + users[b]!);
      for (let j = 0; j < itemCount; j += 1) {
        out[b * itemCount + j] = (itemCluster[j] === userCluster[users[b]!] ? 1 : 0) + 0.5 * random.gaussian() - 0.01 * (j % 40);
      }
    }
  },
};

/** Pure noise, on a far larger scale: without normalisation it would drown the other. */
const noiseScorer: BatchScorer = {
  name: 'noise',
  scoreUsers(users, out) {
    for (let b = 0; b < users.length; b += 1) {
      const random = new Random(7 + users[b]!);
      for (let j = 0; j < itemCount; j += 1) out[b * itemCount + j] = 1000 * random.gaussian();
    }
  },
};

describe('fitFusionWeights', () => {
  it('gives the informative component most of the weight and never loses validation objective along the way', async () => {
    const fit = await fitFusionWeights(split, [noiseScorer, clusterScorer], { k: 10, batchSize: 64 });
    expect(fit.weights[0]! + fit.weights[1]!).toBeCloseTo(1, 9);
    expect(fit.weights[1]!).toBeGreaterThan(0.8);
    expect(fit.history[0]!.weights).toEqual([0.5, 0.5]);
    for (let i = 1; i < fit.history.length; i += 1) expect(fit.history[i]!.objective).toBeGreaterThanOrEqual(fit.history[i - 1]!.objective);
    expect(fit.objective).toBeGreaterThan(fit.history[0]!.objective);
    expect(fit.users).toBe(split.userCount);
  });

  it('searches from every starting point and keeps the best on validation', async () => {
    // One round from a noise-led start cannot climb all the way; the cluster-led start is already there.
    const single = await fitFusionWeights(split, [noiseScorer, clusterScorer], { k: 10, rounds: 1, gridStep: 0.5, initialWeights: [0.9, 0.1] });
    const multi = await fitFusionWeights(split, [noiseScorer, clusterScorer], { k: 10, rounds: 1, gridStep: 0.5, initialWeights: [0.9, 0.1], extraStarts: [[0, 1]] });
    expect(new Set(multi.history.map((step) => step.start))).toEqual(new Set([0, 1]));
    expect(multi.objective).toBeGreaterThanOrEqual(single.objective);
    expect(multi.objective).toBe(Math.max(...multi.history.map((step) => step.objective)));
    expect(multi.weights[1]!).toBeGreaterThan(0.5);
    await expect(fitFusionWeights(split, [noiseScorer, clusterScorer], { extraStarts: [[1, 2, 3]] })).rejects.toThrow(/starting point 1/);
  });

  it('gives the same result with and without the score cache', async () => {
    const cached = await fitFusionWeights(split, [noiseScorer, clusterScorer], { k: 10, rounds: 1, sampleUsers: 100 });
    const uncached = await fitFusionWeights(split, [noiseScorer, clusterScorer], { k: 10, rounds: 1, sampleUsers: 100, cacheBytes: 0 });
    expect(uncached.weights).toEqual(cached.weights);
    expect(uncached.objective).toBe(cached.objective);
    expect(cached.users).toBe(100);
  });
});
