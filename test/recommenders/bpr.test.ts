import { describe, expect, it } from 'vitest';
import { evaluateTopK } from '../../src/eval/allItemRanking.js';
import { BprScorer, trainBpr, type BprEpochReport } from '../../src/recommenders/bpr.js';
import { PopularityScorer } from '../../src/recommenders/popularity.js';
import { clusteredSplit } from './clusteredInteractions.js';

describe('BPR-MF', () => {
  const split = clusteredSplit();

  it('learns the clusters: it beats popularity clearly on recall@5, and its loss falls', async () => {
    const epochs: BprEpochReport[] = [];
    const model = await trainBpr(split.train, { dimension: 16, epochs: 40, seed: 5 }, { onEpoch: (report) => void epochs.push(report) });
    const bpr = await evaluateTopK(split, new BprScorer(model), { ks: [5] });
    const popularity = await evaluateTopK(split, new PopularityScorer(split.train), { ks: [5] });
    expect(epochs).toHaveLength(40);
    expect(epochs[39]!.loss).toBeLessThan(epochs[0]!.loss * 0.8);
    expect(popularity.metrics['recall@5']!).toBeLessThan(0.15);
    expect(bpr.metrics['recall@5']!).toBeGreaterThan(popularity.metrics['recall@5']! * 2);
    expect(bpr.metrics['recall@5']!).toBeGreaterThan(0.25);
  });

  it('is repeatable for a seed and stops when onEpoch says so', async () => {
    const a = await trainBpr(split.train, { dimension: 8, epochs: 4, seed: 9 });
    const b = await trainBpr(split.train, { dimension: 8, epochs: 4, seed: 9 });
    expect(Array.from(b.item)).toEqual(Array.from(a.item));
    const seen: number[] = [];
    await trainBpr(split.train, { dimension: 8, epochs: 4, seed: 9 }, { onEpoch: (report) => (seen.push(report.epoch), report.epoch < 2) });
    expect(seen).toEqual([1, 2]);
  });

  it('rejects nonsense hyperparameters by name', async () => {
    await expect(trainBpr(split.train, { dimension: 0 })).rejects.toThrow(/dimension: expected a positive integer/);
  });
});
