import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { writeKgTriples } from '../../src/graph/shopWrites.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../../src/jobs/demoShop.js';
import { demoEvalData, graphEvalData } from '../../src/jobs/evalData.js';
import { LOAD_ORDER } from '../../src/jobs/loadShop.js';
import { freshGraph, tempDir } from '../helpers.js';

const SHOP = { products: 300, users: 200, events: 12_000, seed: 4 };
let graph: Graph;
let config: Config;

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  const { files } = await writeDemoShopFiles(tempDir(), SHOP);
  for (const kind of LOAD_ORDER) await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: 5_000, relationTypes: config.relationTypes });
});
afterAll(async () => {
  await graph.close();
});

describe('evaluation data from the shop in Neo4j', () => {
  it('splits the graph’s event log by time exactly as the same shop in memory', async () => {
    const fromGraph = await graphEvalData(graph, config.relationTypes);
    const inMemory = demoEvalData(SHOP);
    expect(fromGraph.products).toHaveLength(SHOP.products);
    expect(fromGraph.relations.length).toBe(inMemory.relations.length);
    expect(fromGraph.fitEndsAt).toBe(inMemory.fitEndsAt);
    expect(fromGraph.validEndsAt).toBe(inMemory.validEndsAt);
    expect(fromGraph.fit.length).toBe(inMemory.fit.length);
    expect(fromGraph.valid.indices.length).toBe(inMemory.valid.indices.length);
    expect(fromGraph.test.indices.length).toBe(inMemory.test.indices.length);
    expect(fromGraph.test.indices.length).toBeGreaterThan(0);
    // Every held-out purchase is later than the fit period.
    const fitEnd = Math.max(...fromGraph.fit.map((row) => row.lastAt));
    expect(fitEnd).toBeLessThan(fromGraph.fitEndsAt);
    // The demo's product attributes are its knowledge graph, the same triples in Neo4j as in memory.
    expect(fromGraph.kg?.heads.length).toBeGreaterThan(0);
    expect(fromGraph.kg?.heads.length).toBe(inMemory.kg?.heads.length);
    expect(new Set(fromGraph.kg?.relationNames)).toEqual(new Set(inMemory.kg?.relationNames));
    expect(fromGraph.note).toMatch(/with its knowledge graph/);
  });

  it('carries the knowledge-graph triples around its products, keyed as the products are', async () => {
    const before = await graphEvalData(graph, config.relationTypes);
    const [first, second] = before.products;
    await graph.transaction((tx) =>
      writeKgTriples(
        tx,
        [
          { head: first?.id ?? '', relation: 'music.recording.artist', tail: 'artist-1' },
          { head: second?.id ?? '', relation: 'music.recording.artist', tail: 'artist-1' },
        ],
        (id) => id !== 'artist-1',
      ),
    );
    const data = await graphEvalData(graph, config.relationTypes);
    const triples = (before.kg?.heads.length ?? 0) + 2;
    expect(data.kg?.heads.length).toBe(triples);
    expect(data.kg?.relationNames).toContain('music.recording.artist');
    expect(data.kg?.nodeKeys).toEqual(expect.arrayContaining([`Product:${first?.id}`, `Product:${second?.id}`, 'Entity:artist-1']));
    expect(data.note).toMatch(new RegExp(`with its knowledge graph \\(${triples.toLocaleString('en-US')} KG_RELATION and product attribute triples\\)`));
  });
});
