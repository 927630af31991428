import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/kge/cpuEngine.js';
import { initialEmbeddings } from '../../src/kge/initialise.js';
import type { EpochReport, TransEHyperparameters } from '../../src/kge/types.js';
import { base, clusteredGraph, ENTITIES, tailRanking } from './clusteredGraph.js';

const { dataset, heldOut } = clusteredGraph();

describe.each(['simd', 'scalar'] as const)('CpuEngine (%s kernels)', (kernels) => {
  const settings: Array<[string, Partial<TransEHyperparameters>]> = [
    ['self-adversarial, L1, Adam', {}],
    ['margin, L2, Adagrad, norm constraint', { loss: 'margin', distance: 'L2', margin: 1, optimizer: 'adagrad', learningRate: 0.1, entityNormConstraint: true }],
    ['self-adversarial, L2, Adam, regularised', { distance: 'L2', regularization: 1e-4 }],
    ['self-adversarial, L1, uniform corruption, norm constraint', { corruption: 'uniform', entityNormConstraint: true }],
  ];
  it.each(settings)('ranks held-out tails far better than chance (%s)', async (_, overrides) => {
    const params = { ...base, ...overrides };
    const untrained = tailRanking(initialEmbeddings(ENTITIES, 2, params), params, heldOut);
    const losses: number[] = [];
    const trained = await new CpuEngine({ kernels }).train(dataset, params, { onEpoch: (report) => void losses.push(report.loss) });
    const ranking = tailRanking(trained, params, heldOut);
    // By chance: mean rank (40 + 1) / 2 = 20.5, with 15 of the 30 wrong-cluster entities above the true tail.
    // A model that ranks the right cluster first has none above it and a mean rank of about 6 (not 5.5: the
    // held-out tail served as a negative for its head, so it tends to sit in the lower half of its cluster).
    expect(untrained.meanRank).toBeGreaterThan(12);
    expect(ranking.meanRank).toBeLessThan(9);
    expect(ranking.wrongClusterAbove).toBeLessThan(1);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
  });

  it('gives identical embeddings for the same seed, and different ones for another', async () => {
    const engine = new CpuEngine({ kernels });
    const params = { ...base, epochs: 10 };
    const first = await engine.train(dataset, params);
    const second = await engine.train(dataset, params);
    expect(second.entity).toEqual(first.entity);
    expect(second.relation).toEqual(first.relation);
    const other = await engine.train(dataset, { ...params, seed: 8 });
    expect(other.entity).not.toEqual(first.entity);
  });

  it('stops when onEpoch returns false, and reports every batch', async () => {
    const reports: EpochReport[] = [];
    let batches = 0;
    let lastDone = 0;
    await new CpuEngine({ kernels }).train(
      dataset,
      { ...base, epochs: 50 },
      {
        onBatch: (done, total) => {
          batches += 1;
          lastDone = done;
          expect(total).toBe(dataset.train.heads.length);
        },
        onEpoch: async (report) => {
          reports.push(report);
          return report.epoch < 3;
        },
      },
    );
    expect(reports.map((report) => report.epoch)).toEqual([1, 2, 3]);
    expect(batches).toBe(3 * Math.ceil(dataset.train.heads.length / base.batchSize));
    expect(lastDone).toBe(dataset.train.heads.length);
    for (const report of reports) {
      expect(report.seconds).toBeGreaterThan(0);
      expect(report.triplesPerSecond).toBeCloseTo(dataset.train.heads.length / report.seconds, 6);
      expect(Number.isFinite(report.loss)).toBe(true);
    }
  });

  it('continues from given embeddings (warm start) without modifying them', async () => {
    const engine = new CpuEngine({ kernels });
    const coldLosses: number[] = [];
    const trained = await engine.train(dataset, base, { onEpoch: (report) => void coldLosses.push(report.loss) });
    const snapshot = { entity: trained.entity.slice(), relation: trained.relation.slice() };

    const warmLosses: number[] = [];
    const continued = await engine.train(dataset, { ...base, epochs: 1 }, { onEpoch: (report) => void warmLosses.push(report.loss) }, trained);
    // The first warm epoch starts where the cold run ended, far below the cold run's first epoch.
    expect(warmLosses[0]!).toBeLessThan(coldLosses[0]! / 2);
    expect(Math.abs(warmLosses[0]! - coldLosses.at(-1)!)).toBeLessThan(coldLosses.at(-1)! * 0.5 + 0.05);
    expect(tailRanking(continued, base, heldOut).wrongClusterAbove).toBeLessThan(1);
    expect(trained.entity).toEqual(snapshot.entity);
    expect(trained.relation).toEqual(snapshot.relation);
    expect(continued.entity).not.toEqual(trained.entity);
  });

  it('takes the learning rate a schedule gives before each epoch', async () => {
    const afterFirst: Float32Array[] = [];
    const trained = await new CpuEngine({ kernels }).train(
      dataset,
      { ...base, epochs: 3 },
      {
        // Full rate for the first epoch, then practically none: the vectors must stop moving.
        learningRate: () => (afterFirst.length === 0 ? base.learningRate : 1e-12),
        onEpoch: (report, embeddings) => {
          if (report.epoch === 1) afterFirst.push(new Float32Array(embeddings.entity));
        },
      },
    );
    const first = afterFirst[0]!;
    let moved = 0;
    for (let i = 0; i < first.length; i += 1) moved = Math.max(moved, Math.abs(first[i]! - trained.entity[i]!));
    expect(moved).toBeLessThan(1e-6);
    const unscheduled = await new CpuEngine({ kernels }).train(dataset, { ...base, epochs: 3 });
    let apart = 0;
    for (let i = 0; i < first.length; i += 1) apart = Math.max(apart, Math.abs(first[i]! - unscheduled.entity[i]!));
    expect(apart).toBeGreaterThan(1e-2);
  });

  it('says what is wrong with the input', async () => {
    const engine = new CpuEngine({ kernels });
    const bad = { ...dataset, train: { ...dataset.train, tails: dataset.train.tails.map((t, i) => (i === 3 ? ENTITIES : t)) } };
    await expect(engine.train(bad, base)).rejects.toThrow(/triple 3 is .*expected entities in \[0, 40\)/);
    const wrongSize = initialEmbeddings(ENTITIES - 1, 2, base);
    await expect(engine.train(dataset, base, {}, wrongSize)).rejects.toThrow(/initial embeddings/);
  });

  describe('with two lanes (worker threads over shared memory)', () => {
    const params = { ...base, epochs: 8, workers: 2 };

    it('is repeatable and matches one thread up to rounding', async () => {
      const parallel = new CpuEngine({ kernels });
      const first = await parallel.train(dataset, params);
      const second = await parallel.train(dataset, params);
      expect(parallel.name).toBe(kernels === 'simd' ? 'cpu-simd (2 workers)' : 'cpu-typed-arrays (2 workers)');
      expect(second.entity).toEqual(first.entity);
      const single = await new CpuEngine({ workers: 1, kernels }).train(dataset, params);
      let worst = 0;
      for (let i = 0; i < single.entity.length; i += 1) worst = Math.max(worst, Math.abs(single.entity[i]! - first.entity[i]!));
      expect(worst).toBeLessThan(1e-3);
    });

    it('learns the structure', async () => {
      const trained = await new CpuEngine({ kernels }).train(dataset, { ...params, epochs: base.epochs });
      expect(tailRanking(trained, params, heldOut).wrongClusterAbove).toBeLessThan(1);
    });
  });
});
