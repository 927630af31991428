import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { writeServedLists } from '../../src/graph/servedLists.js';
import { fullTextProductsMany, readPopularity, readProducts, readProfiles } from '../../src/graph/shopReads.js';
import { graphStats } from '../../src/graph/stats.js';
import { sizeClassesUpTo, warmQueryPlans, type WarmUpBounds } from '../../src/api/queryPlanWarmUp.js';
import { servedPopularity } from '../../src/ranking/catalogueSnapshot.js';
import { clearData, clearQueryPlans, freshGraph } from '../helpers.js';

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});
afterAll(async () => {
  await graph.close();
});

const bounds: WarmUpBounds = { readBatch: 64, requestItems: 100, events: 100, servedBatch: 50, catalogue: 500, relationTypes: ['SIMILAR_TO'], behavioursPerUser: 100 };

const ids = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
const now = Date.parse('2026-12-01T00:00:00Z');

/** Serving-path queries at sizes other than the warm-up's own, in the size classes it covers. */
async function servingTraffic(): Promise<void> {
  await readProfiles(graph, ids('u', 5));
  await readProfiles(graph, ids('u', 40));
  await fullTextProductsMany(graph, ids('q', 3).map(() => ({ query: 'lamp', limit: 10 })));
  await readProducts(graph, ids('p', 7));
  await readPopularity(graph, servedPopularity(now), { productIds: ids('p', 30), previousReference: now });
  await readPopularity(graph, servedPopularity(now), { productIds: ids('p', 250), previousReference: now });
  await writeServedLists(graph, [2, 3].map((n) => ({ servedId: `s-${n}`, userId: 'u-1', surface: 'recommend', at: now, productIds: ids('p', n), experimentId: null, variant: null })));
}

describe('sizeClassesUpTo', () => {
  it('names one size per class Neo4j plans separately (1, up to 10, up to 100, …), ending at the bound', () => {
    expect(sizeClassesUpTo(0)).toEqual([]);
    expect(sizeClassesUpTo(1)).toEqual([1]);
    expect(sizeClassesUpTo(10)).toEqual([1, 10]);
    expect(sizeClassesUpTo(64)).toEqual([1, 10, 64]);
    expect(sizeClassesUpTo(1_000)).toEqual([1, 10, 100, 1_000]);
    expect(sizeClassesUpTo(5_000)).toEqual([1, 10, 100, 1_000, 5_000]);
  });
});

describe('warmQueryPlans', () => {
  it('plans the serving queries so that traffic of other sizes in the same classes plans nothing new, and writes nothing', async () => {
    await clearData(graph);
    const before = await graphStats(graph);
    await clearQueryPlans(graph);
    const summary = await warmQueryPlans(graph, bounds, undefined, now);
    expect(summary.failed).toBe(0);
    expect(summary.planned).toBeGreaterThanOrEqual(13 * 2);
    const warmedOnly = await clearQueryPlans(graph);
    // The writes were rolled back.
    expect(await graphStats(graph)).toEqual(before);

    await clearQueryPlans(graph);
    await warmQueryPlans(graph, bounds, undefined, now);
    await servingTraffic();
    expect(await clearQueryPlans(graph)).toBe(warmedOnly);
  });

  it('is needed: without it the same traffic makes plans of its own', async () => {
    await clearData(graph);
    await clearQueryPlans(graph);
    await servingTraffic();
    expect(await clearQueryPlans(graph)).toBeGreaterThanOrEqual(6);
  });
});
