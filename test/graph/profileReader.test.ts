import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { ProfileReader } from '../../src/graph/profileReader.js';
import { readProfile } from '../../src/graph/shopReads.js';
import { writeEvents, writeProducts } from '../../src/graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/ingest/records.js';
import { freshGraph } from '../helpers.js';

/** Concurrent requests' reads of their users' behaviour share one query and see what was just committed. */

let graph: Graph;
const now = Date.parse('2026-06-01T00:00:00Z');
const relationshipOf = (type: string) => BEHAVIOUR_RELATIONSHIP[type as EventType];

beforeAll(async () => {
  ({ graph } = await freshGraph());
  await graph.transaction((tx) => writeProducts(tx, ['p1', 'p2', 'p3'].map((id) => ({ id, props: { title: id, price: 10, inStock: true } })), now));
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
});
