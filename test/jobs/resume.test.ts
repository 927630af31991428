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
});
