import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { chooseEngine } from '../../src/kge/chooseEngine.js';

const nativeTensorflowInstalled = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((name) => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
});

describe('choosing the training engine', () => {
  it('takes the CPU engine on request, and TensorFlow.js on request', async () => {
    // The SIMD kernels build from source here (the AssemblyScript compiler is a development dependency).
    expect((await chooseEngine('cpu', 2)).name).toBe('cpu-simd (2 workers)');
    expect((await chooseEngine('tfjs', 1)).name).toMatch(/^tfjs-/);
  });

  it.skipIf(nativeTensorflowInstalled)('falls back to the CPU engine when no native TensorFlow backend is installed', async () => {
    expect((await chooseEngine('auto', 1)).name).toBe('cpu-simd (1 thread)');
    await expect(chooseEngine('tfjs-gpu', 1)).rejects.toThrow(/@tensorflow\/tfjs-node-gpu is not installed/);
  });
});
