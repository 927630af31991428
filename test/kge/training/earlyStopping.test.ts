import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../src/kge/training/earlyStopping.js';
import { embeddingsOf, epochState } from './epochStates.js';

describe('EarlyStopping', () => {
  it('stops after `patience` validations in a row without a better MRR, and keeps the best epoch', () => {
    const stopper = new EarlyStopping({ patience: 2 });
    const decisions = [0.2, 0.5, 0.4, 0.6, 0.6, 0.1].map((validMrr, i) => stopper.onEpochEnd(epochState(i + 1, { validMrr })));
    expect(decisions).toEqual(['continue', 'continue', 'continue', 'continue', 'continue', 'stop']);
    expect(stopper.best?.epoch).toBe(4);
    expect(stopper.best?.mrr).toBe(0.6);
    expect(stopper.sinceBest).toBe(2);
    expect(stopper.stopReason(epochState(6))).toBe('early stop after epoch 6: validation MRR has not improved for 2 checks');
  });

  it('counts only validated epochs', () => {
    const stopper = new EarlyStopping({ patience: 1 });
    expect(stopper.onEpochEnd(epochState(1, { validMrr: 0.3 }))).toBe('continue');
    expect(stopper.onEpochEnd(epochState(2))).toBe('continue');
    expect(stopper.onEpochEnd(epochState(3))).toBe('continue');
    expect(stopper.sinceBest).toBe(0);
    expect(stopper.onEpochEnd(epochState(4, { validMrr: 0.3 }))).toBe('stop');
  });

  it('keeps a copy of the best vectors, not the engine tables it goes on changing', () => {
    const stopper = new EarlyStopping({ patience: 3 });
    const state = epochState(1, { validMrr: 0.5 });
    stopper.onEpochEnd(state);
    state.embeddings.entity.fill(9);
    expect(stopper.best?.embeddings).toEqual(embeddingsOf(1));
  });

  it('is on a plateau only after a validation that was no better and left patience', () => {
    const stopper = new EarlyStopping({ patience: 2 });
    stopper.onEpochEnd(epochState(1, { validMrr: 0.5 }));
    expect(stopper.onPlateau).toBe(false);
    stopper.onEpochEnd(epochState(2, { validMrr: 0.5 }));
    expect(stopper.onPlateau).toBe(true);
    stopper.onEpochEnd(epochState(3));
    expect(stopper.onPlateau).toBe(false);
    stopper.onEpochEnd(epochState(4, { validMrr: 0.4 }));
    expect(stopper.onPlateau).toBe(false); // patience used up: the run ends here
  });

  it('goes on from a resumed run’s best epoch and count', () => {
    const best = { mrr: 0.7, epoch: 3, embeddings: embeddingsOf(3) };
    const stopper = new EarlyStopping({ patience: 2, best, sinceBest: 1 });
    expect(stopper.onEpochEnd(epochState(4, { validMrr: 0.69 }))).toBe('stop');
    expect(stopper.best).toBe(best);
  });
});
