import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { ProfileCache } from '../../src/graph/profileCache.js';
import { freshGraph } from '../helpers.js';

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});
afterAll(async () => {
  await graph.close();
});

describe('the profile cache', () => {
  it('expires users cached together at ages spread between half the maximum age and the maximum', async () => {
    let now = 1_000_000;
    const maxAgeMs = 600_000;
    const cache = new ProfileCache<string>(graph, { maxUsers: 1_000, pollMs: 3_600_000, maxAgeMs, now: () => now });
    try {
      // The feed must have been read once before anything is kept.
      expect(cache.get('u-0')).toBeUndefined();
      await cache.poll();
      const users = Array.from({ length: 200 }, (_, i) => `u-${String(i + 1).padStart(4, '0')}`);
      for (const user of users) cache.set(user, `rows of ${user}`, cache.begin());
      const kept = () => users.filter((user) => cache.get(user) !== undefined).length;

      now += maxAgeMs / 2;
      expect(kept()).toBe(200);
      now += maxAgeMs / 4;
      // About half are gone three quarters of the way: not all at once.
      expect(kept()).toBeGreaterThan(50);
      expect(kept()).toBeLessThan(150);
      now += maxAgeMs / 4 + 1;
      expect(kept()).toBe(0);
    } finally {
      cache.close();
    }
  });
});
