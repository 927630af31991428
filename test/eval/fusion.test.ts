import { describe, expect, it } from 'vitest';
import { fuse, normaliseScores } from '../../src/ranking/fusion.js';

const NEG = Number.NEGATIVE_INFINITY;

describe('normaliseScores', () => {
  it('z-scores the finite entries of one row, leaving masked entries masked and NaN at 0', () => {
    const scores = Float32Array.from([100, 1, 3, NEG, 5, Number.NaN, 200]);
    normaliseScores(scores, 1, 5, 'zscore'); // the row is [1, 3, −∞, 5, NaN]: mean 3, sd √(8/3)
    const sd = Math.sqrt(8 / 3);
    expect(scores[0]).toBe(100);
    expect(scores[1]).toBeCloseTo(-2 / sd, 6);
    expect(scores[2]).toBeCloseTo(0, 6);
    expect(scores[3]).toBe(NEG);
    expect(scores[4]).toBeCloseTo(2 / sd, 6);
    expect(scores[5]).toBe(0);
    expect(scores[6]).toBe(200);
  });

  it('min-max scales to [0, 1], and a constant row becomes 0', () => {
    const scores = Float32Array.from([2, 4, 6, NEG, 7, 7]);
    normaliseScores(scores, 0, 4, 'minmax');
    expect(Array.from(scores.subarray(0, 4))).toEqual([0, 0.5, 1, NEG]);
    normaliseScores(scores, 4, 2, 'zscore');
    expect(Array.from(scores.subarray(4))).toEqual([0, 0]);
  });
});

describe('fuse', () => {
  it('sums weighted components, skips zero weights and keeps a used component’s mask', () => {
    const a = Float32Array.from([1, 2, NEG]);
    const b = Float32Array.from([NEG, 10, 20]);
    const out = new Float32Array(3);
    fuse([a, b], [2, 0], out);
    expect(Array.from(out)).toEqual([2, 4, NEG]);
    fuse([a, b], [1, 0.5], out);
    expect(Array.from(out)).toEqual([NEG, 7, NEG]);
    expect(() => fuse([a], [-1], out)).toThrow(/weights\[0\]/);
  });
});
