import { describe, expect, it } from 'vitest';
import { TimeLimit } from '../../../src/kge/training/timeLimit.js';
import { epochState } from './epochStates.js';

describe('TimeLimit', () => {
  it('stops after the last epoch that another one as long would not push past the limit', () => {
    const limit = new TimeLimit(300);
    const after = (trainingSeconds: number, epochSeconds: number) => limit.onEpochEnd(epochState(3, { trainingSeconds, epochSeconds }));
    expect(after(200, 100)).toBe('continue'); // 300 is not past 300
    expect(after(201, 100)).toBe('stop');
    expect(limit.reached({ trainingSeconds: 201, epochSeconds: 100 })).toBe(true);
    expect(limit.reached({ trainingSeconds: 200, epochSeconds: 100 })).toBe(false);
  });

  it('leaves the end of the last planned epoch to the loop', () => {
    const limit = new TimeLimit(1);
    expect(limit.onEpochEnd(epochState(10, { epochs: 10, trainingSeconds: 50 }))).toBe('continue');
    expect(limit.reached(epochState(10, { trainingSeconds: 50 }))).toBe(true);
  });

  it('says when it stopped and what the limit was', () => {
    const limit = new TimeLimit(600);
    expect(limit.stopReason(epochState(7, { trainingSeconds: 540 }))).toBe('time limit: stopping after epoch 7 (9.0 min of training; another epoch would pass 10.0 min)');
  });
});
