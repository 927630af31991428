import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { catalogueVersion } from '../../src/graph/catalogueChanges.js';
import { localServerOptions } from '../../src/graph/connect.js';
import { Graph } from '../../src/graph/graph.js';
import { importLocalDatabase, LocalServerError, startLocalServer, stopLocalServer } from '../../src/graph/localServer.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import type { Kind } from '../../src/ingest/records.js';
import { LOAD_ORDER } from '../../src/jobs/loadShop.js';
import { BulkLoadError, bulkLoad } from '../../src/jobs/bulkLoad.js';
import { freshGraph, jsonl, tempDir, writeFixture } from '../helpers.js';

const NOW = Date.UTC(2026, 0, 15);

/** A small shop that exercises what the transactional path decides: order, defaults, references, repeats. */
function shopFiles(dir: string): Record<Kind, string[]> {
  return {
    // Children before parents: both paths must write parents first.
    categories: [writeFixture(dir, 'categories.csv', ['id,name,parentId', 'c-phones,Phones,c-tech', 'c-tech,  Tech   gear ,'])],
    brands: [writeFixture(dir, 'brands.csv', ['id,name', 'b1,"Acme, Inc."', 'b2,"The ""Best"" Brand"'])],
    products: [
      writeFixture(
        dir,
        'products.jsonl',
        jsonl([
          {
            id: 'p1',
            title: 'Phone, "pro"',
            description: 'Fast\nand light',
            categoryId: 'c-phones',
            brandId: 'b1',
            price: 499,
            currency: 'eur',
            attributes: { colour: 'black', compatible_with: ['USB-C, "fast"', 'Qi'] },
          },
          { id: 'p2', title: 'Case', price: 9.5, inStock: false, createdAt: '2025-06-01T00:00:00Z', brandId: 'b2', attributes: [{ key: 'colour', value: 'black' }] },
          { id: 'p3', title: 'Cable' },
        ]),
      ),
    ],
    users: [writeFixture(dir, 'users.csv', ['id', 'u1', 'u-quiet'])],
    events: [
      writeFixture(dir, 'events.csv', [
        'id,userId,productId,type,timestamp,quantity',
        'e1,u1,p1,view,2025-07-01T10:00:00Z,',
        'e2,u1,p1,view,2025-07-02T10:00:00Z,',
        'e3,u1,p1,purchase,2025-07-02T11:00:00Z,2',
        'e3,u1,p1,purchase,2025-07-02T11:00:00Z,2', // a repeat: skipped
        'e4,u2,p2,add-to-cart,1751450000000,',
        ',u2,p3,click,2025-07-03T08:00:00Z,',
        'e5,u3,p-missing,view,2025-07-03T09:00:00Z,', // unknown product: rejected
      ]),
    ],
    relations: [writeFixture(dir, 'relations.csv', ['from,to,type,weight', 'p1,p2,ACCESSORY_OF,', 'p2,p1,COMPLEMENTS,0.5', 'p3,p3,SUBSTITUTES,1'])],
  };
}

/** Every node and relationship of the shop graph, in an order-free form, for comparing two graphs. */
async function dump(graph: Graph): Promise<{ nodes: string[]; relationships: string[] }> {
  // Property types too: a float where the other path stored an integer is a difference. Bookkeeping nodes
  // (migrations, change feeds, the category tree's lock) are not shop data.
  const props = await graph.read<{ key: string; props: Record<string, unknown>; types: string[] }>(
    `MATCH (n) WHERE NOT n:KgrecMigration AND NOT n:BehaviourChange AND NOT n:CatalogueChange AND NOT n:KgrecTestDatabase AND NOT n:KgrecLock
     RETURN labels(n)[0] + ' ' + n.id AS key, properties(n) AS props, [k IN keys(n) | k + ': ' + valueType(n[k])] AS types`,
  );
  const rels = await graph.read<{ key: string; props: Record<string, unknown>; types: string[] }>(
    `MATCH (a)-[r]->(b)
     RETURN labels(a)[0] + ' ' + a.id + ' ' + type(r) + ' ' + labels(b)[0] + ' ' + b.id AS key, properties(r) AS props,
            [k IN keys(r) | k + ': ' + valueType(r[k])] AS types`,
  );
  const canonical = (rows: { key: string; props: Record<string, unknown>; types: string[] }[]) =>
    rows.map((row) => `${row.key} ${JSON.stringify(Object.entries(row.props).sort(([a], [b]) => a.localeCompare(b)))} ${[...row.types].sort().join(', ')}`).sort();
  return { nodes: canonical(props), relationships: canonical(rels) };
}

// Each test stops, imports into and restarts a Neo4j of its own: minutes on a busy two-core machine.
describe('bulk load', { timeout: 240_000 }, () => {
  let config: Config;
  let files: Record<Kind, string[]>;

  beforeAll(async () => {
    files = shopFiles(tempDir());
    const port = Number(process.env.KGREC_TEST_NEO4J_PORT ?? 7688) + 100;
    // A local Neo4j of its own: a bulk load restarts the server it fills.
    const env: NodeJS.ProcessEnv = { ...process.env, KGREC_NEO4J_HOME: tempDir('kgrec-bulk-neo4j-'), KGREC_NEO4J_PORT: String(port) };
    delete env.NEO4J_URI;
    config = loadConfig(env);
  });
  afterAll(async () => {
    await stopLocalServer(localServerOptions(config));
  });

  it('refuses to load anything when more records are rejected than allowed', async () => {
    await expect(bulkLoad(config, { files, maxRejects: 1, now: NOW })).rejects.toThrow(/2 record\(s\) rejected \(allowed: 1\); nothing was loaded/);
    const graph = Graph.open(config);
    try {
      const [row] = await graph.read<{ count: number }>('MATCH (n) WHERE NOT n:KgrecMigration RETURN count(n) AS count');
      expect(row?.count).toBe(0);
    } finally {
      await graph.close();
    }
  });

  it('builds the same graph as ingesting the files kind by kind', async () => {
    const rejected: string[] = [];
    const summary = await bulkLoad(config, { files, maxRejects: 2, now: NOW, by: 'loader', onReject: (r) => rejected.push(`${r.line}: ${r.field}`) });
    expect(rejected.sort()).toEqual(['4: to', '8: productId']);
    expect(summary.kinds.events).toMatchObject({ records: 7, loaded: 5, duplicates: 1 });
    expect(summary.graph.nodes).toMatchObject({ Event: 5, User: 3, Product: 3, Category: 2, Brand: 2 });

    const { graph: reference } = await freshGraph();
    for (const kind of LOAD_ORDER) {
      await ingestFiles(reference, { kind, files: files[kind], batchSize: 2, relationTypes: config.relationTypes, now: NOW, by: 'loader' });
    }
    const bulk = Graph.open(config);
    try {
      const [expected, actual] = [await dump(reference), await dump(bulk)];
      expect(actual.nodes).toEqual(expected.nodes);
      expect(actual.relationships).toEqual(expected.relationships);
      expect(actual.relationships.some((r) => r.startsWith('User u1 PURCHASED Product p1 [["count",1],["firstAt",'))).toBe(true);
      expect(actual.nodes.find((n) => n.startsWith('Product p1 '))).toMatch(/price: FLOAT NOT NULL.*updatedAt: INTEGER NOT NULL/);
      // A running API is told to reload: the catalogue changed, and so did these users' behaviour.
      expect(await catalogueVersion(bulk)).toBe(1);
      const [change] = await bulk.read<{ userIds: string[] }>('MATCH (c:BehaviourChange) RETURN c.userIds AS userIds');
      expect([...(change?.userIds ?? [])].sort()).toEqual(['u-quiet', 'u1', 'u2']);
      // The migrations ran: the constraints hold, so a second event with a loaded id is refused.
      await expect(bulk.autoCommit("CREATE (:Event {id: 'e1'})")).rejects.toThrow(/already exists/);
    } finally {
      await reference.close();
      await bulk.close();
    }
  });

  it('refuses a graph that holds data', async () => {
    await expect(bulkLoad(config, { files, maxRejects: 2, now: NOW })).rejects.toThrow(BulkLoadError);
    await expect(bulkLoad(config, { files, maxRejects: 2, now: NOW })).rejects.toThrow(/already holds \d+ nodes/);
  });

  it('leaves the database as it was when the importer fails', async () => {
    const options = localServerOptions(config);
    await stopLocalServer(options);
    const missing = `${tempDir()}/missing.csv`;
    await expect(
      importLocalDatabase(options, { nodes: [`Event=${missing}`], relationships: [], reportFile: `${tempDir()}/import.report` }, () => undefined),
    ).rejects.toThrow(LocalServerError);
    await startLocalServer(options);
    const graph = Graph.open(config);
    try {
      const [row] = await graph.read<{ count: number }>('MATCH (e:Event) RETURN count(e) AS count');
      expect(row?.count).toBe(5);
    } finally {
      await graph.close();
    }
  });
});
