import { describe, expect, it } from 'vitest';
import { CatalogueSnapshot, scoreProducts } from '../../src/ranking/catalogueSnapshot.js';
import { ageAt, decayReference } from '../../src/ranking/decay.js';
import { buildProfile } from '../../src/ranking/profile.js';
import { INTEREST_HALF_LIFE_MS } from '../../src/ranking/weights.js';

const NOW = Date.UTC(2026, 5, 1);

describe('the reference time of decay', () => {
  it('is the newest time, but never later than the clock; later times have no age', () => {
    expect(decayReference([NOW - 5_000, NOW - 1_000], NOW)).toBe(NOW - 1_000);
    expect(decayReference([NOW - 5_000, Date.UTC(2099, 0, 1)], NOW)).toBe(NOW);
    expect(decayReference([], NOW)).toBe(0);
    expect(ageAt(NOW, NOW - 1_000)).toBe(1_000);
    expect(ageAt(NOW, Date.UTC(2099, 0, 1))).toBe(0);
  });

  it("keeps a user's other interests when one of their behaviours is dated in the future", () => {
    const categories = [
      { id: 'running', name: 'Running shoes', parentId: null },
      { id: 'socks', name: 'Socks', parentId: null },
    ];
    const product = (id: string, categoryId: string) => ({ id, title: id, categoryId, brandId: null, price: 10, inStock: true, popularity: 1, recentPopularity: 1, purchases: 0 });
    const snapshot = new CatalogueSnapshot(scoreProducts([product('r1', 'running'), product('s1', 'socks')]), categories, new Map(), NOW);
    // Two views of running shoes one half-life ago, one view of socks planted in 2099.
    const rows = [
      { productId: 'r1', relationship: 'VIEWED', count: 2, firstAt: NOW - INTEREST_HALF_LIFE_MS, lastAt: NOW - INTEREST_HALF_LIFE_MS },
      { productId: 's1', relationship: 'VIEWED', count: 1, firstAt: Date.UTC(2099, 0, 1), lastAt: Date.UTC(2099, 0, 1) },
    ];
    const profile = buildProfile(rows, snapshot, NOW);
    // 2 × ½ against 1 × 1: equal interest, where measuring from 2099 would have left running shoes at 0.
    expect(profile.categoryInterest('running', snapshot)?.score).toBeCloseTo(1, 9);
    expect(profile.categoryInterest('socks', snapshot)?.score).toBeCloseTo(1, 9);
  });
});
