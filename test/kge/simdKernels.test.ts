import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/kge/cpuEngine.js';
import { Random } from '../../src/math/random.js';
import { loadTransEWasm } from '../../src/kge/simd/loadTransEWasm.js';
import { simdBatchLossAndGradients } from '../../src/kge/simd/simdLaneMaths.js';
import { batchLossAndGradients, type TransELossSettings } from '../../src/kge/transe.js';
import type { Embeddings, TransEHyperparameters } from '../../src/kge/types.js';
import { base, clusteredGraph, fixedBatch } from './clusteredGraph.js';

function largestDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function simdModule(): Promise<WebAssembly.Module> {
  const loaded = await loadTransEWasm();
  if (!loaded.module) throw new Error(`the SIMD kernels did not load: ${loaded.reason}`);
  return loaded.module;
}

describe('the SIMD TransE kernels', () => {
  const { entityCount, relationCount, count, k, positives, keptSide } = fixedBatch();
  // Negatives that replace both entities take the kernels' general path.
  const general = { heads: new Int32Array(count * k), tails: new Int32Array(count * k) };
  for (let n = 0; n < count * k; n += 1) {
    const replaced = 8 + (n % (entityCount - 8));
    general.heads[n] = replaced;
    general.tails[n] = 8 + ((replaced + 5) % (entityCount - 8));
  }
  // The first negative of each positive made reflexive, (h, r, h), as `reflexiveNegatives` draws it.
  const reflexive = { heads: keptSide.heads.slice(), tails: keptSide.tails.slice() };
  for (let i = 0; i < count; i += 1) {
    reflexive.heads[i * k] = positives.heads[i]!;
    reflexive.tails[i * k] = positives.heads[i]!;
  }
  const cases: Array<[TransELossSettings['distance'], TransELossSettings['loss'], number]> = [];
  for (const distance of ['L1', 'L2'] as const) {
    for (const loss of ['margin', 'self-adversarial'] as const) {
      // 12: whole vectors of four; 14: two floats in the scalar tail as well.
      for (const dimension of [12, 14]) cases.push([distance, loss, dimension]);
    }
  }

  it.each(cases)('give the reference loss and gradients on a fixed batch (%s, %s, dimension %i)', async (distance, loss, dimension) => {
    const module = await simdModule();
    const random = new Random(11);
    const embeddings: Embeddings = {
      dimension,
      entity: Float32Array.from({ length: entityCount * dimension }, () => random.uniform(-1, 1)),
      relation: Float32Array.from({ length: relationCount * dimension }, () => random.uniform(-1, 1)),
    };
    // Margins that leave some pairs active and some not at these distances.
    const settings: TransELossSettings = { dimension, distance, loss, margin: loss === 'margin' ? 5 : 2, adversarialTemperature: 0.7 };
    for (const negatives of [keptSide, general, reflexive]) {
      const expected = batchLossAndGradients(embeddings, settings, positives, negatives);
      const actual = simdBatchLossAndGradients(module, embeddings, settings, positives, negatives);
      expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-5);
      expect(largestDifference(actual.entity, expected.entity)).toBeLessThan(1e-6);
      expect(largestDifference(actual.relation, expected.relation)).toBeLessThan(1e-6);
      expect(expected.entity.some((value) => Math.abs(value) > 1e-3)).toBe(true);
    }
  });

  it('load once, and can be switched off', async () => {
    const loaded = await loadTransEWasm();
    expect(loaded.module).toBeDefined();
    expect(await loadTransEWasm()).toBe(loaded);
    process.env.KGREC_KGE_SIMD = '0';
    try {
      expect(await loadTransEWasm()).toEqual({ module: undefined, reason: 'switched off by KGREC_KGE_SIMD=0' });
      const engine = await CpuEngine.create({ workers: 1 });
      expect(engine.name).toBe('cpu-typed-arrays (1 thread; SIMD kernels unavailable: switched off by KGREC_KGE_SIMD=0)');
      await expect(CpuEngine.create({ kernels: 'simd' })).rejects.toThrow(/SIMD kernels cannot load: switched off/);
    } finally {
      delete process.env.KGREC_KGE_SIMD;
    }
  });

  describe('train what the scalar kernels train, up to rounding', () => {
    const { dataset } = clusteredGraph();
    const settings: Array<[string, Partial<TransEHyperparameters>]> = [
      ['self-adversarial, L1, Adam, one thread', { workers: 1 }],
      ['margin, L2, Adagrad, norm constraint, two lanes', { loss: 'margin', distance: 'L2', margin: 1, optimizer: 'adagrad', learningRate: 0.1, entityNormConstraint: true, workers: 2 }],
      ['self-adversarial, L2, Adam, regularised, dimension 14, two lanes', { distance: 'L2', regularization: 1e-4, dimension: 14, workers: 2 }],
    ];
    it.each(settings)('%s', async (_, overrides) => {
      const params = { ...base, ...overrides, epochs: 6 };
      const simd = new CpuEngine({ kernels: 'simd' });
      const scalar = new CpuEngine({ kernels: 'scalar' });
      const fast = await simd.train(dataset, params);
      const reference = await scalar.train(dataset, params);
      expect(simd.name).toMatch(/^cpu-simd \(/);
      expect(scalar.name).toMatch(/^cpu-typed-arrays \(/);
      expect(largestDifference(fast.entity, reference.entity)).toBeLessThan(1e-3);
      expect(largestDifference(fast.relation, reference.relation)).toBeLessThan(1e-3);
      // Training moved the vectors far more than that.
      const start = await new CpuEngine({ kernels: 'scalar' }).train(dataset, { ...params, epochs: 1 });
      expect(largestDifference(start.entity, reference.entity)).toBeGreaterThan(1e-2);
    });
  });
});
