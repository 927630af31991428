import { describe, expect, it } from 'vitest';
import {
  hasInteraction,
  interactionsFromLists,
  interactionsFromPairs,
  itemDegrees,
  itemsOf,
  transpose,
  usersWithItems,
} from '../../src/math/interactions.js';

describe('interaction matrix', () => {
  it('sorts each row and merges duplicate pairs', () => {
    const m = interactionsFromPairs(Int32Array.from([2, 0, 2, 0, 2, 0]), Int32Array.from([3, 1, 0, 1, 3, 4]), 3, 5);
    expect(Array.from(m.indptr)).toEqual([0, 2, 2, 4]);
    expect(Array.from(itemsOf(m, 0))).toEqual([1, 4]);
    expect(Array.from(itemsOf(m, 1))).toEqual([]);
    expect(Array.from(itemsOf(m, 2))).toEqual([0, 3]);
    expect(m.indices.length).toBe(4);
  });

  it('sums the weights of duplicates', () => {
    const m = interactionsFromPairs(Int32Array.from([0, 0, 0]), Int32Array.from([2, 1, 2]), 1, 3, Float32Array.from([1, 5, 2]));
    expect(Array.from(m.indices)).toEqual([1, 2]);
    expect(Array.from(m.weights!)).toEqual([5, 3]);
  });

  it('rejects ids out of range, naming the pair', () => {
    expect(() => interactionsFromPairs(Int32Array.from([0, 1]), Int32Array.from([0, 7]), 2, 5)).toThrow(/pair 1: item 7 is outside 0..4/);
  });

  it('answers membership, degrees, users with items and the transpose', () => {
    const m = interactionsFromLists([[0, 2], [], [2, 3, 1]], 4);
    expect(hasInteraction(m, 0, 2)).toBe(true);
    expect(hasInteraction(m, 0, 1)).toBe(false);
    expect(Array.from(itemDegrees(m))).toEqual([1, 1, 2, 1]);
    expect(Array.from(usersWithItems(m))).toEqual([0, 2]);
    expect(Array.from(usersWithItems(m, 3))).toEqual([2]);
    const t = transpose(m);
    expect(t.userCount).toBe(4);
    expect(Array.from(itemsOf(t, 2))).toEqual([0, 2]);
    expect(Array.from(itemsOf(t, 1))).toEqual([2]);
  });
});
