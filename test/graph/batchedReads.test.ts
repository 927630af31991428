import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { FullTextReader, ProfileReader } from '../../src/graph/batchedReads.js';
import { fullTextProducts, readProfile } from '../../src/graph/shopReads.js';
import { writeEvents, writeProducts } from '../../src/graph/shopWrites.js';
import { pruneBehaviourChanges, readBehaviourChanges } from '../../src/graph/behaviourChanges.js';
import { deleteUserData } from '../../src/graph/userData.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/domain/behaviours.js';
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

describe('ProfileReader with a profile cache', () => {
  // Polls only when the test says so (refresh), so each step is deterministic.
  const cached = () => new ProfileReader(graph, { cache: { maxUsers: 100, pollMs: 3_600_000, maxAgeMs: 3_600_000 } });
  /** A reader whose feed is current: the second poll looks back over the overlap window, where the fixtures' writes are. */
  const ready = async () => {
    const reader = cached();
    await reader.refresh();
    await reader.refresh();
    return reader;
  };
  const products = (rows: readonly { productId: string }[]) => rows.map((row) => row.productId).sort();
  /** The Neo4j queries a piece of work sends. */
  const queriesOf = async (work: () => Promise<unknown>): Promise<number> => {
    const before = graph.queryCount;
    await work();
    return graph.queryCount - before;
  };
  let nextEvent = 100;
  const event = (userId: string, productId: string) => ({ id: `e${(nextEvent += 1)}`, userId, productId, type: 'view', timestamp: now, quantity: 1 });

  it('serves a user from memory until the change feed names them, and then reads them anew', async () => {
    const reader = await ready();
    try {
      const annBefore = await reader.read('ann');
      await reader.read('bob');
      expect(await queriesOf(async () => expect(await reader.read('ann')).toEqual(annBefore))).toBe(0);

      // Another process (an ingestion run) writes an event of ann's: served from memory until the next poll.
      await graph.transaction((tx) => writeEvents(tx, [event('ann', 'p3')], relationshipOf, now));
      expect(products(await reader.read('ann'))).toEqual(products(annBefore));
      await reader.refresh();
      expect(await queriesOf(async () => expect(products(await reader.read('ann'))).toEqual([...products(annBefore), 'p3'].sort()))).toBe(1);
      // bob did not change: still from memory.
      expect(await queriesOf(() => reader.read('bob'))).toBe(0);
      // A second poll over the same window does not drop ann again.
      await reader.refresh();
      expect(await queriesOf(() => reader.read('ann'))).toBe(0);
    } finally {
      reader.close();
    }
  });

  it('reads a user again once their entry is too old, and keeps the array it served when the rows are the same', async () => {
    let clock = Date.now();
    const reader = new ProfileReader(graph, { cache: { maxUsers: 100, pollMs: 3_600_000, maxAgeMs: 60_000, now: () => clock } });
    try {
      await reader.refresh();
      await reader.refresh();
      const first = await reader.read('bob');
      // The poll the first read started (its queries would count below) is over.
      await reader.refresh();
      clock += 61_000;
      let again: readonly unknown[] = [];
      expect(await queriesOf(async () => (again = await reader.read('bob')))).toBe(1);
      // Nothing changed: what was derived from the array (keyed by it) stays good.
      expect(again).toBe(first);
      // A write that bypassed the feed shows when the entry runs out, in a new array.
      await graph.write("MATCH (:User {id: 'bob'})-[r:VIEWED]->(:Product {id: 'p3'}) SET r.count = r.count + 5");
      clock += 61_000;
      const changed = await reader.read('bob');
      expect(changed).not.toBe(first);
      expect(changed.find((row) => row.productId === 'p3' && row.relationship === 'VIEWED')?.count).toBe((first.find((row) => row.productId === 'p3' && row.relationship === 'VIEWED')?.count ?? 0) + 5);
    } finally {
      reader.close();
    }
  });

  it('drops a user at once on invalidate, and does not keep a read that was in flight meanwhile', async () => {
    const reader = await ready();
    try {
      await reader.read('bob');
      reader.invalidate(['bob']);
      expect(await queriesOf(() => reader.read('bob'))).toBe(1);

      const inFlight = reader.read('ann');
      reader.invalidate(['ann']);
      await inFlight;
      expect(await queriesOf(() => reader.read('ann'))).toBe(1);
      expect(await queriesOf(() => reader.read('ann'))).toBe(0);
    } finally {
      reader.close();
    }
  });

  it('sees a deleted user leave through the feed, which keeps no trace of their id', async () => {
    await graph.transaction((tx) => writeEvents(tx, [event('cid', 'p2'), event('bob', 'p2')], relationshipOf, now));
    const reader = await ready();
    try {
      expect(products(await reader.read('cid'))).toEqual(['p2']);
      await reader.read('bob');
      const deleted = await graph.transaction((tx) => deleteUserData(tx, 'cid'));
      expect(deleted.changes).toBeGreaterThanOrEqual(1);
      await reader.refresh();
      expect(await reader.read('cid')).toEqual([]);
      // The erasure notice names nobody, so everything cached goes.
      expect(await queriesOf(() => reader.read('bob'))).toBe(1);
      const { changes } = await readBehaviourChanges(graph, 0);
      expect(changes.filter((change) => change.userIds.includes('cid'))).toEqual([]);
      expect(changes.filter((change) => change.userIds.includes('bob')).length).toBeGreaterThan(0);
      expect(changes.filter((change) => change.erasure).map((change) => change.userIds)).toEqual([[]]);
    } finally {
      reader.close();
    }
  });

  it('keeps nothing before the feed has been read once', async () => {
    const reader = cached();
    try {
      // The first read starts the polling; a read that began before that poll answered is not kept.
      await reader.read('ann');
      await reader.refresh();
      expect(await queriesOf(() => reader.read('ann'))).toBe(1);
      expect(await queriesOf(() => reader.read('ann'))).toBe(0);
    } finally {
      reader.close();
    }
  });
});

describe('behaviour change feed', () => {
  it('records the users and products of each behaviour write, reads them by time and prunes old ones', async () => {
    const { now: start } = await readBehaviourChanges(graph, Number.MAX_SAFE_INTEGER);
    await graph.transaction((tx) => writeEvents(tx, [{ id: 'feed-1', userId: 'dee', productId: 'p1', type: 'click', timestamp: now, quantity: 1 }], relationshipOf, now));
    // A batch whose events are all known already changes nothing and records nothing.
    await graph.transaction((tx) => writeEvents(tx, [{ id: 'feed-1', userId: 'dee', productId: 'p1', type: 'click', timestamp: now, quantity: 1 }], relationshipOf, now));
    const { changes } = await readBehaviourChanges(graph, start);
    expect(changes.map((change) => change.userIds)).toEqual([['dee']]);
    // The products whose aggregates moved, for popularity kept current from the feed.
    expect(changes.map((change) => change.productIds)).toEqual([['p1']]);
    expect(changes[0]?.at).toBeGreaterThanOrEqual(start);
    expect(await pruneBehaviourChanges(graph, 3_600_000)).toBe(0);
    expect(await pruneBehaviourChanges(graph, -1)).toBeGreaterThanOrEqual(1);
    expect((await readBehaviourChanges(graph, 0)).changes).toEqual([]);
  });
});

describe('FullTextReader with its cache', () => {
  it('answers a repeated query from memory, and from Neo4j again after a clear, seeing the edit', async () => {
    const reader = new FullTextReader(graph, { cache: { maxMatches: 1_000, ttlMs: 3_600_000 } });
    const first = await reader.search('kettle', 10);
    expect(first.map((match) => match.id)).toEqual(['p3']);
    const before = graph.queryCount;
    expect(await reader.search('kettle', 10)).toEqual(first);
    expect(graph.queryCount - before).toBe(0);

    await graph.transaction((tx) => writeProducts(tx, [{ id: 'p4', props: { title: 'steel kettle', price: 20, inStock: true } }], now));
    // Until the ranker clears it (it does on every catalogue change), the cache answers as before.
    expect(await reader.search('kettle', 10)).toEqual(first);
    reader.clear();
    const after = await reader.search('kettle', 10);
    expect(after.map((match) => match.id).sort()).toEqual(['p3', 'p4']);
    expect(await reader.search('kettle', 1)).toHaveLength(1);
  });

  it('does not keep a read that was under way when the cache was cleared', async () => {
    const reader = new FullTextReader(graph, { cache: { maxMatches: 1_000, ttlMs: 3_600_000 } });
    const pending = reader.search('scarf', 10);
    reader.clear();
    await pending;
    const before = graph.queryCount;
    await reader.search('scarf', 10);
    expect(graph.queryCount - before).toBe(1);
  });

  it('caches nothing when told so: every search reads Neo4j', async () => {
    const reader = new FullTextReader(graph, { cache: null });
    await reader.search('hat', 10);
    const before = graph.queryCount;
    await reader.search('hat', 10);
    expect(graph.queryCount - before).toBe(1);
  });
});
