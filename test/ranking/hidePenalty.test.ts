import { describe, expect, it } from 'vitest';
import { penaliseNearHidden } from '../../src/ranking/hidePenalty.js';
import { buildItemNeighbours } from '../../src/ranking/itemNeighbours.js';

describe('penaliseNearHidden', () => {
  // Items 0 and 1 are always engaged with together, 2 and 3 together, 4 alone.
  const baskets = [[0, 1], [0, 1], [0, 1], [2, 3], [2, 3], [4]];
  const neighbours = buildItemNeighbours(baskets, 5);

  it('lowers the co-behaviour neighbours of hidden items by at most the penalty, and nothing else', () => {
    const scores = Float32Array.from([1, 1, 1, 1, 1]);
    penaliseNearHidden(scores, neighbours, [0], 0.5);
    expect(scores[1]).toBeLessThan(1);
    expect(scores[1]).toBeGreaterThanOrEqual(0.5);
    expect([scores[0], scores[2], scores[3], scores[4]]).toEqual([1, 1, 1, 1]);
  });

  it('does nothing with a penalty of 0 or no hidden items', () => {
    const scores = Float32Array.from([1, 2, 3, 4, 5]);
    penaliseNearHidden(scores, neighbours, [0, 2], 0);
    penaliseNearHidden(scores, neighbours, [], 0.5);
    expect([...scores]).toEqual([1, 2, 3, 4, 5]);
  });
});
