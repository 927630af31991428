import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrainingJob } from '../../src/jobs/train.js';
import { ringTriplesDir, tempDir } from '../helpers.js';

describe('an interrupted training run', () => {
  it('resumes from its last epoch checkpoint and cleans up after itself', async () => {
    const dir = ringTriplesDir();
    const modelsDir = tempDir('kgrec-models-');
    const hyperparameters = [{ dimension: 8, epochs: 4, batchSize: 16, negatives: 4, seed: 3 }];
    const interrupted = runTrainingJob({
      source: { kind: 'triples', dir },
      hyperparameters,
      modelsDir,
      evalEvery: 0,
      onEpoch: (epoch) => {
        if (epoch === 2) throw new Error('killed');
      },
    });
    await expect(interrupted).rejects.toThrow('killed');
    expect(readdirSync(path.join(modelsDir, '.checkpoints'))).toHaveLength(1);
    expect(readdirSync(modelsDir).filter((name) => !name.startsWith('.'))).toEqual([]);

    const messages: string[] = [];
    const epochs: number[] = [];
    const resumed = await runTrainingJob({
      source: { kind: 'triples', dir },
      hyperparameters,
      modelsDir,
      evalEvery: 0,
      resume: true,
      onInfo: (message) => messages.push(message),
      onEpoch: (epoch) => epochs.push(epoch),
    });
    expect(messages.some((message) => message.startsWith('resuming after epoch 2 from'))).toBe(true);
    expect(epochs).toEqual([3, 4]);
    expect(resumed.epochs).toBe(4);
    expect(existsSync(path.join(modelsDir, resumed.version, 'manifest.json'))).toBe(true);
    expect(readdirSync(path.join(modelsDir, '.checkpoints'))).toEqual([]);
  });

  it('goes on with the schedule of its checkpoint: the learning rate as cut, the best epoch', async () => {
    const dir = ringTriplesDir();
    const modelsDir = tempDir('kgrec-models-');
    // A rate this small leaves the vectors as they started: every validation after the first is no better.
    const hyperparameters = [{ dimension: 8, epochs: 6, batchSize: 16, negatives: 4, seed: 3, learningRate: 1e-9, learningRateDecay: 0.5 }];
    const run = (messages: string[], onEpoch?: (epoch: number) => void) =>
      runTrainingJob({ source: { kind: 'triples', dir }, hyperparameters, modelsDir, evalEvery: 1, patience: 5, onInfo: (message) => messages.push(message), ...(onEpoch ? { onEpoch } : {}), resume: true });
    const first: string[] = [];
    await expect(
      run(first, (epoch) => {
        if (epoch === 3) throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(first.filter((message) => message.includes('learning rate now'))).toEqual([
      'validation MRR did not improve: learning rate now 5.00e-10',
      'validation MRR did not improve: learning rate now 2.50e-10',
    ]);

    const second: string[] = [];
    const resumed = await run(second);
    expect(second.filter((message) => message.includes('learning rate now'))).toEqual([
      'validation MRR did not improve: learning rate now 1.25e-10',
      'validation MRR did not improve: learning rate now 6.25e-11',
    ]);
    expect(second).toContain('early stop after epoch 6: validation MRR has not improved for 5 checks');
    expect(resumed.epochs).toBe(6);
  });
});
