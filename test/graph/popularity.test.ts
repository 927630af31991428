import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { writeEvents, writeProducts } from '../../src/graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/domain/behaviours.js';
import { loadCatalogueSnapshot } from '../../src/ranking/catalogueSnapshot.js';
import { freshGraph } from '../helpers.js';

/** Popularity (30-day half-life) and recency (3-day half-life) read from the behaviour aggregates in Neo4j. */

let graph: Graph;
const DAY = 24 * 3600 * 1000;
const now = Date.parse('2026-06-01T00:00:00Z');

beforeAll(async () => {
  ({ graph } = await freshGraph());
  await graph.transaction((tx) =>
    writeProducts(tx, ['evergreen', 'trending', 'quiet'].map((id) => ({ id, props: { title: id, price: 10, inStock: true } })), now),
  );
  // Evergreen: ten views two months ago. Trending: two views today. Quiet: none.
  const views = [
    ...Array.from({ length: 10 }, (_, i) => ({ id: `e${i}`, userId: `u${i}`, productId: 'evergreen', type: 'view', timestamp: now - 60 * DAY + i, quantity: 1 })),
    ...Array.from({ length: 2 }, (_, i) => ({ id: `t${i}`, userId: `v${i}`, productId: 'trending', type: 'view', timestamp: now - i, quantity: 1 })),
  ];
  await graph.transaction((tx) => writeEvents(tx, views, (type) => BEHAVIOUR_RELATIONSHIP[type as EventType], now));
}, 120_000);

afterAll(async () => {
  await graph.close();
});

describe('catalogue popularity and recency', () => {
  it('ranks a month-old best-seller above a new arrival by popularity, and below it by recency', async () => {
    const snapshot = await loadCatalogueSnapshot(graph, now);
    const of = (id: string) => snapshot.byId.get(id);
    // 10 views × 2^−2 (two half-lives) = 2.5 against 2 views today.
    expect(of('evergreen')?.popularity).toBeCloseTo(2.5, 3);
    expect(of('trending')?.popularity).toBeCloseTo(2, 3);
    // 10 views × 2^−20 against 2 views today.
    expect(of('evergreen')?.recentPopularity).toBeLessThan(1e-4);
    expect(of('trending')?.recentPopularity).toBeCloseTo(2, 3);
    expect(of('trending')?.recencyScore).toBe(1);
    expect(of('evergreen')?.popularityScore).toBe(1);
    expect(of('quiet')?.recencyScore).toBe(0);
  });
});
