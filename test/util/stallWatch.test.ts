import { describe, expect, it } from 'vitest';
import { watchStalls, type Stall } from '../../src/util/stallWatch.js';

const busyFor = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // holding the event loop, as a long synchronous step would
  }
};

describe('watchStalls', () => {
  it('reports a blocked event loop with about how long it was blocked', async () => {
    const stalls: Stall[] = [];
    const watch = watchStalls((stall) => stalls.push(stall), 50);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const before = Date.now();
    busyFor(150);
    await new Promise((resolve) => setTimeout(resolve, 30));
    watch.stop();
    expect(stalls).toHaveLength(1);
    expect(stalls[0]?.blockedMs).toBeGreaterThanOrEqual(100);
    expect(stalls[0]?.endedAt).toBeGreaterThanOrEqual(before + 100);
  });

  it('reports nothing while the loop stays free', async () => {
    const stalls: Stall[] = [];
    const watch = watchStalls((stall) => stalls.push(stall), 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    watch.stop();
    expect(stalls).toEqual([]);
  });
});
