import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { FullTextReader, ProfileReader } from '../../src/graph/batchedReads.js';
import { fullTextProducts, readProfile } from '../../src/graph/shopReads.js';
import { writeEvents, writeProducts } from '../../src/graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/ingest/records.js';
import { freshGraph } from '../helpers.js';

/** Concurrent requests' reads (behaviour, full-text search) share one query and see what was just committed. */

let graph: Graph;
const now = Date.parse('2026-06-01T00:00:00Z');
const relationshipOf = (type: string) => BEHAVIOUR_RELATIONSHIP[type as EventType];

beforeAll(async () => {
  ({ graph } = await freshGraph());
  const titles: Record<string, string> = { p1: 'red wool scarf', p2: 'blue wool hat', p3: 'red kettle' };
  await graph.transaction((tx) => writeProducts(tx, Object.entries(titles).map(([id, title]) => ({ id, props: { title, price: 10, inStock: true } })), now));
  const events = [
    { id: 'e1', userId: 'ann', productId: 'p1', type: 'view', timestamp: now - 3, quantity: 1 },
    { id: 'e2', userId: 'ann', productId: 'p2', type: 'purchase', timestamp: now - 2, quantity: 2 },
    { id: 'e3', userId: 'bob', productId: 'p3', type: 'view', timestamp: now - 1, quantity: 1 },
  ];
  await graph.transaction((tx) => writeEvents(tx, events, relationshipOf, now));
}, 120_000);

afterAll(async () => {
  await graph.close();
});

const sorted = <T extends { productId: string; relationship: string }>(rows: T[]): T[] =>
  [...rows].sort((a, b) => a.productId.localeCompare(b.productId) || a.relationship.localeCompare(b.relationship));

describe('ProfileReader', () => {
  it('answers concurrent reads with one query, each user with exactly their own rows', async () => {
    const reader = new ProfileReader(graph);
    const expected = await Promise.all(['ann', 'bob'].map((user) => readProfile(graph, user)));
    const before = graph.queryCount;
    const [ann, bob, nobody, annAgain] = await Promise.all([reader.read('ann'), reader.read('bob'), reader.read('nobody'), reader.read('ann')]);
    expect(graph.queryCount - before).toBe(1);
    expect(sorted(ann ?? [])).toEqual(sorted(expected[0] ?? []));
    expect(sorted(bob ?? [])).toEqual(sorted(expected[1] ?? []));
    expect(ann?.map((row) => row.relationship).sort()).toEqual(['PURCHASED', 'VIEWED']);
    expect(nobody).toEqual([]);
    expect(annAgain).toEqual(ann);
  });

  it('caches nothing: a read after an event is committed sees it', async () => {
    const reader = new ProfileReader(graph);
    expect(await reader.read('bob')).toHaveLength(1);
    await graph.transaction((tx) => writeEvents(tx, [{ id: 'e4', userId: 'bob', productId: 'p1', type: 'add_to_cart', timestamp: now, quantity: 1 }], relationshipOf, now));
    const rows = await reader.read('bob');
    expect(rows.map((row) => row.productId).sort()).toEqual(['p1', 'p3']);
  });

  it('runs concurrent full-text searches in one query, each with its own matches best first and its own limit', async () => {
    const reader = new FullTextReader(graph);
    const expected = await Promise.all([fullTextProducts(graph, 'wool', 10), fullTextProducts(graph, 'red', 10)]);
    const before = graph.queryCount;
    const [wool, red, redTop, none] = await Promise.all([reader.search('wool', 10), reader.search('red', 10), reader.search('red', 1), reader.search('nothing', 10)]);
    expect(graph.queryCount - before).toBe(1);
    expect(wool).toEqual(expected[0]);
    expect(red).toEqual(expected[1]);
    expect(wool?.map((match) => match.id).sort()).toEqual(['p1', 'p2']);
    expect(redTop).toEqual(expected[1]?.slice(0, 1));
    expect(none).toEqual([]);
  });
});
