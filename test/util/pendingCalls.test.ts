import { describe, expect, it } from 'vitest';
import { PendingCalls } from '../../src/util/pendingCalls.js';

describe('PendingCalls', () => {
  it('hands each entry out once, by id, and counts what is still pending', () => {
    const calls = new PendingCalls<string>();
    calls.add(1, 'one');
    calls.add(2, 'two');
    calls.add(2, 'two again'); // the same id replaces its entry, not counted twice
    expect(calls.size).toBe(2);
    expect(calls.take(2)).toBe('two again');
    expect(calls.take(2)).toBeUndefined();
    expect(calls.take(3)).toBeUndefined();
    expect(calls.size).toBe(1);
  });

  it('takeAll empties it, and it takes new calls afterwards', () => {
    const calls = new PendingCalls<number>();
    for (let id = 1; id <= 1_000; id += 1) calls.add(id, id * 10);
    for (let id = 1; id <= 500; id += 1) calls.take(id);
    const rest = calls.takeAll();
    expect(rest).toHaveLength(500);
    expect(rest.reduce((sum, value) => sum + value, 0)).toBe(10 * ((1_000 * 1_001) / 2 - (500 * 501) / 2));
    expect(calls.size).toBe(0);
    calls.add(1_001, 7);
    expect(calls.take(1_001)).toBe(7);
  });
});
