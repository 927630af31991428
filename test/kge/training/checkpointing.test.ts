import { describe, expect, it } from 'vitest';
import { resolveHyperparameters } from '../../../src/kge/hyperparameters.js';
import { loadCheckpoint } from '../../../src/kge/checkpoints.js';
import { Checkpointing } from '../../../src/kge/training/checkpointing.js';
import { tempDir } from '../../helpers.js';
import { embeddingsOf, epochState } from './epochStates.js';

const hyperparameters = resolveHyperparameters({ dimension: 2, epochs: 10 });

function checkpointing(dir: string, every?: number): Checkpointing {
  return new Checkpointing({
    dir,
    ...(every === undefined ? {} : { every }),
    hyperparameters,
    dataFingerprint: 'fingerprint',
    schedule: (state) => ({ learningRate: 0.01, sinceBest: 0, trainingSeconds: state.trainingSeconds, trainedTriples: state.trainedTriples }),
  });
}

describe('Checkpointing', () => {
  it('saves every epoch by default, with its vectors and schedule', async () => {
    const dir = tempDir('kgrec-checkpoints-');
    const callback = checkpointing(dir);
    for (const epoch of [1, 2, 3]) {
      expect(await callback.onEpochEnd(epochState(epoch))).toBe('continue');
      const saved = await loadCheckpoint(dir);
      expect(saved?.epoch).toBe(epoch);
      expect(saved?.embeddings).toEqual(embeddingsOf(epoch));
    }
    const saved = await loadCheckpoint(dir);
    expect(saved?.dataFingerprint).toBe('fingerprint');
    expect(saved?.hyperparameters).toEqual(hyperparameters);
    expect(saved?.schedule).toEqual({ learningRate: 0.01, sinceBest: 0, trainingSeconds: 3, trainedTriples: 300 });
  });

  it('saves after every n-th epoch of the run when told to', async () => {
    const dir = tempDir('kgrec-checkpoints-');
    const callback = checkpointing(dir, 2);
    const savedAfter: (number | null)[] = [];
    for (const epoch of [1, 2, 3, 4, 5]) {
      await callback.onEpochEnd(epochState(epoch));
      savedAfter.push((await loadCheckpoint(dir))?.epoch ?? null);
    }
    expect(savedAfter).toEqual([null, 2, 2, 4, 4]);
  });

  it('refuses a cadence that is not a whole number of epochs', () => {
    expect(() => checkpointing(tempDir(), 0)).toThrow('Checkpointing: every: expected a whole number ≥ 1, got 0');
    expect(() => checkpointing(tempDir(), 1.5)).toThrow('every: expected a whole number ≥ 1, got 1.5');
  });
});
