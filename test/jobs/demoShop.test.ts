import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { graphStats } from '../../src/graph/stats.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../../src/jobs/loadShop.js';
import { freshGraph, tempDir } from '../helpers.js';

let graph: Graph;
let config: Config;

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
});
afterAll(async () => {
  await graph.close();
});

describe('the demo shop in the graph', () => {
  it('loads without a single rejection, and its behaviour adds up', async () => {
    const { files, counts } = await writeDemoShopFiles(tempDir(), { products: 400, users: 150, events: 12_000, seed: 3 });
    for (const kind of LOAD_ORDER) {
      const summary = await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: 2_000, relationTypes: config.relationTypes });
      expect(summary.rejected, kind).toBe(0);
      expect(summary.written, kind).toBe(summary.records);
    }
    const stats = await graphStats(graph);
    expect(stats.nodes).toEqual({
      Attribute: counts.attributes,
      Brand: counts.brands,
      Category: counts.categories,
      Event: counts.events,
      Product: counts.products,
      User: counts.users,
    });
    expect(stats.relationships).toMatchObject({
      IN_CATEGORY: counts.products,
      HAS_BRAND: counts.products,
      SUBCATEGORY_OF: (counts.categories ?? 0) - 6,
      COMPLEMENTS: counts.complements,
      SUBSTITUTES: counts.substitutes,
      ACCESSORY_OF: counts.accessories,
      HAS_ATTRIBUTE: counts.attributeLinks,
    });
    // Aggregates count every event exactly once, per behaviour.
    const [sums] = await graph.read<Record<string, number>>(`
      MATCH ()-[v:VIEWED]->() WITH sum(v.count) AS views
      MATCH ()-[c:CLICKED]->() WITH views, sum(c.count) AS clicks
      MATCH ()-[a:ADDED_TO_CART]->() WITH views, clicks, sum(a.count) AS carts
      MATCH ()-[p:PURCHASED]->() RETURN views, clicks, carts, sum(p.count) AS purchases`);
    expect(sums).toEqual({ views: counts.views, clicks: counts.clicks, carts: counts.addToCarts, purchases: counts.purchases });
    // Products live in leaf categories, three levels deep.
    const [depth] = await graph.read('MATCH (p:Product)-[:IN_CATEGORY]->(c)-[:SUBCATEGORY_OF*2]->(root) WHERE NOT (root)-[:SUBCATEGORY_OF]->() RETURN count(p) AS n');
    expect(depth?.n).toBe(counts.products);
  });
});
