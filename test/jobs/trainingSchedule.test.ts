import { describe, expect, it } from 'vitest';
import { runTrainingJob } from '../../src/jobs/train.js';
import { ringTriplesDir, tempDir } from '../helpers.js';

const BASE = { dimension: 8, batchSize: 16, negatives: 4, seed: 3 };

describe('the training schedule', () => {
  it('ends at the time limit after validating the last epoch, and keeps the time spent within it', async () => {
    const messages: string[] = [];
    const validated: number[] = [];
    const result = await runTrainingJob({
      source: { kind: 'triples', dir: ringTriplesDir() },
      hyperparameters: [{ ...BASE, epochs: 500 }],
      modelsDir: tempDir('kgrec-models-'),
      evalEvery: 5,
      timeLimitSeconds: 1e-6,
      onInfo: (message) => messages.push(message),
      onEpoch: (epoch, _loss, _rate, validMrr) => {
        if (validMrr !== undefined) validated.push(epoch);
      },
    });
    expect(result.epochs).toBe(1);
    expect(validated).toEqual([1]);
    expect(messages.some((message) => message.startsWith('time limit: stopping after epoch 1'))).toBe(true);
  });

  it('runs every epoch when they fit in the time limit', async () => {
    const result = await runTrainingJob({
      source: { kind: 'triples', dir: ringTriplesDir() },
      hyperparameters: [{ ...BASE, epochs: 3 }],
      modelsDir: tempDir('kgrec-models-'),
      evalEvery: 0,
      timeLimitSeconds: 3600,
    });
    expect(result.epochs).toBe(3);
  });

  it('cuts the learning rate at each validation without a better MRR, then stops early', async () => {
    // A rate this small leaves the vectors as they started: every validation gives the same MRR, none better.
    const messages: string[] = [];
    const result = await runTrainingJob({
      source: { kind: 'triples', dir: ringTriplesDir() },
      hyperparameters: [{ ...BASE, epochs: 100, learningRate: 1e-9, learningRateDecay: 0.5 }],
      modelsDir: tempDir('kgrec-models-'),
      evalEvery: 2,
      patience: 3,
      onInfo: (message) => messages.push(message),
    });
    const cuts = messages.filter((message) => message.startsWith('validation MRR did not improve'));
    expect(cuts).toEqual(['validation MRR did not improve: learning rate now 5.00e-10', 'validation MRR did not improve: learning rate now 2.50e-10']);
    expect(messages).toContain('early stop after epoch 8: validation MRR has not improved for 3 checks');
    expect(result.epochs).toBe(8);
  });
});
