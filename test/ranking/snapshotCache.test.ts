import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../../src/ranking/catalogueSnapshot.js';

/** A cache over a counter, on a clock the test moves: which value each get() serves and when loads start. */
function countingCache(options: { ttlMs: number; firstTtlMs?: number }) {
  let now = 0;
  let loads = 0;
  const cache = new SnapshotCache<{ loadedAt: number; value: number }>({
    ...options,
    now: () => now,
    load: async () => ({ loadedAt: now, value: (loads += 1) }),
  });
  return {
    cache,
    at: async (ms: number) => {
      now = ms;
      const served = (await cache.get()).value;
      await new Promise((resolve) => setImmediate(resolve)); // a background reload completes
      return served;
    },
    loads: () => loads,
  };
}

describe('SnapshotCache', () => {
  it('serves a value until its time to live has passed, then reloads in the background', async () => {
    const { at, loads } = countingCache({ ttlMs: 100 });
    expect(await at(0)).toBe(1);
    expect(await at(100)).toBe(1);
    expect(loads()).toBe(1);
    expect(await at(101)).toBe(1); // still served while the next one loads
    expect(loads()).toBe(2);
    expect(await at(150)).toBe(2);
  });

  it('reloads the first value after firstTtlMs and every later one after ttlMs: caches that take turns', async () => {
    const { at, loads } = countingCache({ ttlMs: 100, firstTtlMs: 50 });
    expect(await at(0)).toBe(1);
    expect(await at(51)).toBe(1);
    expect(loads()).toBe(2); // loaded at 51
    expect(await at(140)).toBe(2);
    expect(loads()).toBe(2);
    expect(await at(152)).toBe(2);
    expect(loads()).toBe(3); // loaded at 152, a full ttl after the second
    expect(await at(240)).toBe(3);
    expect(loads()).toBe(3);
  });
});
