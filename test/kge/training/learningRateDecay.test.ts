import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../src/kge/training/earlyStopping.js';
import { LearningRateDecay } from '../../../src/kge/training/learningRateDecay.js';
import { epochState } from './epochStates.js';

/** Early stopping and the decay that reads it, fed one validation MRR per epoch (undefined: not validated). */
function schedule(factor: number, patience: number, mrrs: (number | undefined)[]) {
  const messages: string[] = [];
  const stopping = new EarlyStopping({ patience });
  const decay = new LearningRateDecay({ learningRate: 0.1, factor, plateau: stopping, onInfo: (message) => messages.push(message) });
  const rates = mrrs.map((validMrr, i) => {
    const state = epochState(i + 1, { validMrr });
    stopping.onEpochEnd(state);
    decay.onEpochEnd();
    return decay.learningRate;
  });
  return { rates, messages };
}

describe('LearningRateDecay', () => {
  it('cuts the rate at each validation without a better MRR, but not at the one that ends the run', () => {
    const { rates, messages } = schedule(0.5, 3, [0.3, 0.2, undefined, 0.4, 0.4, 0.1, 0.1]);
    expect(rates).toEqual([0.1, 0.05, 0.05, 0.05, 0.025, 0.0125, 0.0125]);
    expect(messages).toEqual(['validation MRR did not improve: learning rate now 0.0500', 'validation MRR did not improve: learning rate now 0.0250', 'validation MRR did not improve: learning rate now 0.0125']);
  });

  it('leaves the rate as it is with a factor of 1', () => {
    const { rates, messages } = schedule(1, 3, [0.3, 0.2, 0.1]);
    expect(rates).toEqual([0.1, 0.1, 0.1]);
    expect(messages).toEqual([]);
  });

  it('starts from a resumed run’s rate', () => {
    const decay = new LearningRateDecay({ learningRate: 0.025, factor: 0.5, plateau: { onPlateau: true } });
    expect(decay.onEpochEnd()).toBe('continue');
    expect(decay.learningRate).toBe(0.0125);
  });
});
