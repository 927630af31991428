import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/kge/cpuEngine.js';
import { initialEmbeddings } from '../../src/kge/initialise.js';
import { Random } from '../../src/math/random.js';
import { loadTensorflow } from '../../src/kge/tfjsBackend.js';
import { TfjsEngine, tfjsLossAndGradients } from '../../src/kge/tfjsEngine.js';
import { batchLossAndGradients, type TransELossSettings } from '../../src/kge/transe.js';
import type { Embeddings, EpochReport, TransEHyperparameters } from '../../src/kge/types.js';
import { base, clusteredGraph, ENTITIES, fixedBatch, tailRanking } from './clusteredGraph.js';

const { dataset, heldOut } = clusteredGraph();

function largestDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Whether a package resolves from here (the native TensorFlow.js bindings are optional and usually absent). */
function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('tfjsLossAndGradients agrees with batchLossAndGradients', () => {
  const { entityCount, relationCount, count, k, positives, keptSide } = fixedBatch();
  const dimension = 12;
  const random = new Random(11);
  const embeddings: Embeddings = {
    dimension,
    entity: Float32Array.from({ length: entityCount * dimension }, () => random.uniform(-1, 1)),
    relation: Float32Array.from({ length: relationCount * dimension }, () => random.uniform(-1, 1)),
  };
  // Negatives that replace both entities take the other path of the tfjs loss.
  const general = {
    heads: Int32Array.from({ length: count * k }, () => random.nextInt(entityCount)),
    tails: Int32Array.from({ length: count * k }, () => random.nextInt(entityCount)),
  };

  const cases: Array<[string, 'cpu' | 'wasm', TransELossSettings['distance'], TransELossSettings['loss']]> = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const distance of ['L1', 'L2'] as const) for (const loss of ['margin', 'self-adversarial'] as const) cases.push([`${backend}, ${distance}, ${loss}`, backend, distance, loss]);
  }
  it.each(cases)('%s, regularised', async (_, backend, distance, loss) => {
    const { tf } = await loadTensorflow(backend);
    expect(tf.getBackend()).toBe(backend);
    // γ = 2 with distances of about 4–8 at dimension 12: some margin pairs are active, some not.
    const settings = { dimension, distance, loss, margin: loss === 'margin' ? 5 : 2, adversarialTemperature: 0.7, regularization: 0.01 };
    for (const negatives of [keptSide, general]) {
      const expected = batchLossAndGradients(embeddings, settings, positives, negatives);
      const tensorsBefore = tf.memory().numTensors;
      const actual = tfjsLossAndGradients(tf, embeddings, settings, positives, negatives);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-4);
      expect(largestDifference(actual.entity, expected.entity)).toBeLessThan(1e-4);
      expect(largestDifference(actual.relation, expected.relation)).toBeLessThan(1e-4);
      // The gradients are not trivially zero.
      expect(expected.entity.some((value) => Math.abs(value) > 1e-3)).toBe(true);
    }
  });
});

describe('TfjsEngine', () => {
  it('ranks held-out tails far better than chance, on wasm, in a few seconds', async () => {
    const engine = await TfjsEngine.create('wasm');
    expect(engine.name).toMatch(/^tfjs-wasm/);
    const settings: Array<Partial<TransEHyperparameters>> = [
      {},
      { loss: 'margin', distance: 'L2', margin: 1, optimizer: 'adagrad', learningRate: 0.1, entityNormConstraint: true },
      { distance: 'L2', regularization: 1e-4 },
    ];
    for (const overrides of settings) {
      const params = { ...base, ...overrides };
      const untrained = tailRanking(initialEmbeddings(ENTITIES, 2, params), params, heldOut);
      const losses: number[] = [];
      const started = performance.now();
      const trained = await engine.train(dataset, params, { onEpoch: (report) => void losses.push(report.loss) });
      const seconds = (performance.now() - started) / 1000;
      const ranking = tailRanking(trained, params, heldOut);
      // The thresholds of cpuEngine.test.ts: by chance the mean rank is 20.5, with 15 wrong-cluster entities above.
      expect(untrained.meanRank, JSON.stringify(overrides)).toBeGreaterThan(12);
      expect(ranking.meanRank, JSON.stringify(overrides)).toBeLessThan(9);
      expect(ranking.wrongClusterAbove, JSON.stringify(overrides)).toBeLessThan(1);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
      expect(seconds).toBeLessThan(10);
    }
  });

  it('starts from the same vectors and negatives as CpuEngine: one Adam step gives the same tables', async () => {
    // One batch holding every triple: dense and lazy Adam coincide on the first step (a zero gradient moves nothing).
    const params = { ...base, epochs: 1, batchSize: dataset.train.heads.length, regularization: 1e-3 };
    const engine = await TfjsEngine.create('wasm');
    for (const distance of ['L1', 'L2'] as const) {
      const tfjs = await engine.train(dataset, { ...params, distance });
      const cpu = await new CpuEngine({ workers: 1 }).train(dataset, { ...params, distance });
      expect(largestDifference(tfjs.entity, cpu.entity)).toBeLessThan(1e-4);
      expect(largestDifference(tfjs.relation, cpu.relation)).toBeLessThan(1e-4);
      // And training moved them away from the initialisation.
      expect(largestDifference(tfjs.entity, initialEmbeddings(ENTITIES, 2, params).entity)).toBeGreaterThan(params.learningRate / 2);
    }
  });

  it('keeps the number of tensors flat across epochs and releases everything at the end', async () => {
    const engine = await TfjsEngine.create('wasm');
    const { tf } = await loadTensorflow('wasm');
    const before = tf.memory().numTensors;
    for (const overrides of [{ entityNormConstraint: true }, { optimizer: 'adagrad' as const, regularization: 1e-3, loss: 'margin' as const }]) {
      const counts: number[] = [];
      await engine.train(dataset, { ...base, ...overrides, epochs: 5 }, { onEpoch: () => void counts.push(tf.memory().numTensors) });
      expect(counts).toHaveLength(5);
      expect(new Set(counts).size, counts.join(', ')).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('gives identical embeddings for the same seed, and different ones for another', async () => {
    const engine = await TfjsEngine.create('wasm');
    const params = { ...base, epochs: 5 };
    const first = await engine.train(dataset, params);
    const second = await engine.train(dataset, params);
    expect(second.entity).toEqual(first.entity);
    expect(second.relation).toEqual(first.relation);
    const other = await engine.train(dataset, { ...params, seed: 8 });
    expect(other.entity).not.toEqual(first.entity);
  });

  it('stops when onEpoch returns false, reports every batch, and hands out copies', async () => {
    const engine = await TfjsEngine.create('wasm');
    const reports: EpochReport[] = [];
    const seen: Embeddings[] = [];
    let batches = 0;
    let lastDone = 0;
    const final = await engine.train(
      dataset,
      { ...base, epochs: 50 },
      {
        onBatch: (done, total) => {
          batches += 1;
          lastDone = done;
          expect(total).toBe(dataset.train.heads.length);
        },
        onEpoch: async (report, embeddings) => {
          reports.push(report);
          seen.push(embeddings);
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
    expect(seen[0]!.entity).not.toEqual(seen[2]!.entity);
    expect(seen[2]!.entity).toEqual(final.entity);
    expect(final.entity).toBeInstanceOf(Float32Array);
    expect(final.entity).toHaveLength(ENTITIES * base.dimension);
  });

  it('continues from given embeddings without modifying them', async () => {
    const engine = await TfjsEngine.create('wasm');
    const start = initialEmbeddings(ENTITIES, 2, { ...base, seed: 99 });
    const snapshot = { entity: start.entity.slice(), relation: start.relation.slice() };
    const continued = await engine.train(dataset, { ...base, epochs: 1 }, {}, start);
    expect(start.entity).toEqual(snapshot.entity);
    expect(start.relation).toEqual(snapshot.relation);
    expect(continued.entity).not.toEqual(start.entity);
    expect(largestDifference(continued.entity, start.entity)).toBeLessThan(1);
  });

  it('says what is wrong with the input', async () => {
    const engine = await TfjsEngine.create('wasm');
    const bad = { ...dataset, train: { ...dataset.train, tails: dataset.train.tails.map((t, i) => (i === 3 ? ENTITIES : t)) } };
    await expect(engine.train(bad, base)).rejects.toThrow(/triple 3 is .*expected entities in \[0, 40\)/);
    await expect(engine.train(dataset, base, {}, initialEmbeddings(ENTITIES - 1, 2, base))).rejects.toThrow(/initial embeddings/);
    await expect(engine.train(dataset, { ...base, negatives: 0 })).rejects.toThrow(/negatives: expected an integer ≥ 1, got 0/);
  });

  it('trains on the pure-JS cpu backend too', async () => {
    const engine = await TfjsEngine.create('cpu');
    expect(engine.name).toBe('tfjs-cpu');
    const params = { ...base, epochs: 60 };
    const trained = await engine.train(dataset, params);
    expect(tailRanking(trained, params, heldOut).wrongClusterAbove).toBeLessThan(1);
  });
});

describe('loadTensorflow', () => {
  const nativeGpu = installed('@tensorflow/tfjs-node-gpu');
  const native = installed('@tensorflow/tfjs-node');

  it.runIf(!nativeGpu && !native)('picks wasm when the native bindings are absent', async () => {
    const { tf, backend, kernelBackend } = await loadTensorflow('auto');
    expect(backend).toMatch(/^tfjs-wasm/);
    expect(kernelBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it.runIf(!native)('says why tfjs-node is missing when asked for it', async () => {
    await expect(loadTensorflow('tfjs-node')).rejects.toThrow(/@tensorflow\/tfjs-node is not installed: .*downloads libtensorflow/);
  });

  it.runIf(!nativeGpu)('says why tfjs-node-gpu is missing when asked for it', async () => {
    await expect(loadTensorflow('tfjs-node-gpu')).rejects.toThrow(/@tensorflow\/tfjs-node-gpu is not installed/);
  });

  it('switches between backends on request', async () => {
    expect((await loadTensorflow('cpu')).tf.getBackend()).toBe('cpu');
    const wasm = await loadTensorflow('wasm');
    expect(wasm.tf.getBackend()).toBe('wasm');
    expect(wasm.backend).toBe('tfjs-wasm (SIMD)');
  });
});
