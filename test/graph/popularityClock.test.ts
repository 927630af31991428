import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { writeEvents, writeProducts } from '../../src/graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/domain/behaviours.js';
import { loadCatalogueSnapshot } from '../../src/ranking/catalogueSnapshot.js';
import { clearData, freshGraph } from '../helpers.js';

/**
 * Popularity decays from the newest stored time, but never from later than the server's clock: a future
 * `lastAt` written around validation (by hand, by an older version) must not decay every other product.
 */

let graph: Graph;
const DAY = 24 * 3600 * 1000;
const now = Date.parse('2026-06-01T00:00:00Z');

const view = (id: string, userId: string, productId: string, timestamp: number) => ({ id, userId, productId, type: 'view', timestamp, quantity: 1 });

async function writeShop(events: ReturnType<typeof view>[]): Promise<void> {
  await clearData(graph);
  await graph.transaction((tx) => writeProducts(tx, ['steady', 'fresh', 'planted'].map((id) => ({ id, props: { title: id } })), now));
  await graph.transaction((tx) => writeEvents(tx, events, (type) => BEHAVIOUR_RELATIONSHIP[type as EventType], now));
}

/** A behaviour aggregate written straight into the graph, as nothing in kgrec would now write it. */
const PLANT_FUTURE_VIEW = `
MATCH (p:Product {id: $productId})
MERGE (u:User {id: $userId})
CREATE (u)-[:VIEWED {count: 1, quantity: 1, firstAt: $at, lastAt: $at}]->(p)`;

beforeAll(async () => {
  ({ graph } = await freshGraph());
}, 120_000);

afterAll(async () => {
  await graph.close();
});

describe('the reference time of popularity', () => {
  it('is clamped to the clock: a planted future lastAt does not zero the other products', async () => {
    // Steady: four views 30 days ago (one half-life). Fresh: one view today.
    await writeShop([...Array.from({ length: 4 }, (_, i) => view(`s${i}`, `u${i}`, 'steady', now - 30 * DAY)), view('f0', 'v0', 'fresh', now)]);
    const honest = await loadCatalogueSnapshot(graph, now);
    await graph.autoCommit(PLANT_FUTURE_VIEW, { productId: 'planted', userId: 'intruder', at: Date.parse('2099-01-01T00:00:00Z') });
    const poisoned = await loadCatalogueSnapshot(graph, now);
    const of = (snapshot: typeof honest, id: string) => snapshot.byId.get(id);

    expect(of(poisoned, 'steady')?.popularity).toBeCloseTo(2, 6);
    expect(of(poisoned, 'fresh')?.popularity).toBeCloseTo(1, 6);
    for (const id of ['steady', 'fresh']) {
      expect(of(poisoned, id)?.popularity).toBeCloseTo(of(honest, id)?.popularity ?? Number.NaN, 9);
      expect(of(poisoned, id)?.recentPopularity).toBeCloseTo(of(honest, id)?.recentPopularity ?? Number.NaN, 9);
    }
    // The planted view counts as a view at the reference time: one view, not e^(73 years / τ) of them.
    expect(of(poisoned, 'planted')?.popularity).toBeCloseTo(1, 6);
    expect(of(poisoned, 'steady')?.popularityScore).toBe(1);
    expect(of(poisoned, 'fresh')?.popularityScore).toBeGreaterThan(0.5);
  });

  it('stays the newest stored time for a data set wholly in the past', async () => {
    // A year-old shop: its own newest event, not today's clock, sets the scale.
    const yearAgo = now - 365 * DAY;
    await writeShop([...Array.from({ length: 4 }, (_, i) => view(`s${i}`, `u${i}`, 'steady', yearAgo - 30 * DAY)), view('f0', 'v0', 'fresh', yearAgo)]);
    const snapshot = await loadCatalogueSnapshot(graph, now);
    expect(snapshot.byId.get('steady')?.popularity).toBeCloseTo(2, 6);
    expect(snapshot.byId.get('fresh')?.popularity).toBeCloseTo(1, 6);
    expect(snapshot.byId.get('fresh')?.recentPopularity).toBeCloseTo(1, 6);
  });
});
