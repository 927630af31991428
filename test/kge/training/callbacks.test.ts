import { describe, expect, it } from 'vitest';
import { endEpoch, reportEpochs, type EpochState, type Stopper, type TrainingCallback } from '../../../src/kge/training/callbacks.js';
import { epochState } from './epochStates.js';

/** Records the order in which it saw the epoch and answers as told. */
function recorder(name: string, seen: string[], decision: 'continue' | 'stop' = 'continue'): Stopper {
  return {
    onEpochEnd: async () => {
      seen.push(name);
      return decision;
    },
    stopReason: (state: EpochState) => `${name} stopped after epoch ${state.epoch}`,
  };
}

describe('endEpoch', () => {
  it('shows the epoch to every callback in order and goes on when none stops', async () => {
    const seen: string[] = [];
    const messages: string[] = [];
    const decision = await endEpoch([recorder('a', seen), recorder('b', seen)], epochState(1), (message) => messages.push(message));
    expect(decision).toBe('continue');
    expect(seen).toEqual(['a', 'b']);
    expect(messages).toEqual([]);
  });

  it('lets every callback see the epoch, then logs the reason of the first that stopped, after them all', async () => {
    const seen: string[] = [];
    const log = (message: string) => seen.push(message);
    const decision = await endEpoch([recorder('time', seen, 'stop'), recorder('patience', seen, 'stop'), recorder('report', seen)], epochState(4), log);
    expect(decision).toBe('stop');
    expect(seen).toEqual(['time', 'patience', 'report', 'time stopped after epoch 4']);
  });

  it('stops without a message for a callback that gives no reason', async () => {
    const messages: string[] = [];
    const quiet: TrainingCallback = { onEpochEnd: () => 'stop' };
    expect(await endEpoch([quiet], epochState(2), (message) => messages.push(message))).toBe('stop');
    expect(messages).toEqual([]);
  });
});

describe('reportEpochs', () => {
  it('passes each epoch on with its validation MRR, and never stops', async () => {
    const reports: unknown[] = [];
    const callback = reportEpochs((...args) => reports.push(args));
    expect(await callback.onEpochEnd(epochState(2, { validMrr: 0.5 }))).toBe('continue');
    expect(await callback.onEpochEnd(epochState(3))).toBe('continue');
    expect(reports).toEqual([
      [2, 0.5, 100, 0.5],
      [3, 1 / 3, 100, undefined],
    ]);
  });
});
