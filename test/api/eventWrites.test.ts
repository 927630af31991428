import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LISTED_CONFLICTS, type RecordEventsResult } from '../../src/api/mutations.js';
import { writeEvents, writeProducts } from '../../src/graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/domain/behaviours.js';
import { startHarness, TOKENS, type Harness } from './harness.js';

/** Behaviour writes under pressure: sums past 32 bits, the same batch racing itself, ids reused with other values. */

let h: Harness;

const RECORD = `mutation ($events: [EventInput!]!) {
  recordEvents(events: $events) { received created duplicates conflicts conflictIds usersCreated } }`;
const BEHAVIOURS = `query ($id: ID!) { user(id: $id) { behaviours(first: 10) { type product { id } count quantity } } }`;


interface EventFields {
  id: string;
  userId: string;
  productId: string;
  type: string;
  timestamp?: string;
  quantity?: number;
}

const PRODUCTS = ['ew-p1', 'ew-p2', 'ew-p3'];
const INT32_MAX = 2_147_483_647;
const relationshipOf = (type: string) => BEHAVIOUR_RELATIONSHIP[type as EventType];

const record = (events: EventFields[]) => h.gql<{ recordEvents: RecordEventsResult }>(RECORD, { events }, TOKENS.frontend);

/** The stored events of these ids and the aggregates of these users: what a write may change. */
async function stored(ids: string[], userIds: string[]) {
  const [row] = await h.graph.read<{ events: Array<{ id: string }>; eventNodes: number; users: number; aggregates: unknown[][] }>(
    `CALL () { MATCH (e:Event) WHERE e.id IN $ids RETURN collect(properties(e)) AS events }
     CALL () { MATCH (e:Event) WHERE e.id IN $ids RETURN count(e) AS eventNodes }
     CALL () { MATCH (u:User) WHERE u.id IN $userIds RETURN count(u) AS users }
     CALL () {
       MATCH (u:User)-[r]->(p:Product) WHERE u.id IN $userIds
       WITH u, r, p ORDER BY u.id, type(r), p.id
       RETURN collect([u.id, type(r), p.id, r.count, r.quantity, r.firstAt, r.lastAt]) AS aggregates
     }
     RETURN events, eventNodes, users, aggregates`,
    { ids, userIds },
  );
  if (!row) throw new Error('the read returns one row');
  return { ...row, events: row.events.sort((a, b) => a.id.localeCompare(b.id)) };
}

beforeAll(async () => {
  h = await startHarness({ shop: false });
  await h.graph.transaction((tx) => writeProducts(tx, PRODUCTS.map((id) => ({ id, props: { title: `product ${id}` } })), Date.now()));
});

afterAll(async () => {
  await h?.stop();
});

describe('behaviour sums', () => {
  it('serves two purchases of the largest 32-bit quantity, and counts past 32 bits, exactly', async () => {
    // Written through the ingestion write rather than recordEvents: the sums are what is tested, whatever
    // range the input validation allows for one event's quantity.
    const purchase = (id: string, at: number) => ({ id, userId: 'ew-big', productId: 'ew-p1', type: 'purchase', timestamp: at, quantity: INT32_MAX });
    const now = Date.now();
    await h.graph.transaction((tx) => writeEvents(tx, [purchase('ew-big-1', now - 1000)], relationshipOf, now));
    await h.graph.transaction((tx) => writeEvents(tx, [purchase('ew-big-2', now)], relationshipOf, now));
    const first = await h.gql<{ user: { behaviours: Array<{ type: string; count: number; quantity: number }> } }>(BEHAVIOURS, { id: 'ew-big' }, TOKENS.frontend);
    expect(first.errors).toBeUndefined();
    expect(first.data?.user.behaviours).toEqual([{ type: 'PURCHASE', product: { id: 'ew-p1' }, count: 2, quantity: 2 * INT32_MAX }]);

    // No test can record 2^31 events; an aggregate that has seen them is set directly.
    await h.graph.write('MATCH (:User {id: "ew-big"})-[r:PURCHASED]->() SET r.count = $count', { count: 3 * INT32_MAX });
    const second = await h.gql<{ user: { behaviours: Array<{ count: number }> } }>(BEHAVIOURS, { id: 'ew-big' }, TOKENS.frontend);
    expect(second.errors).toBeUndefined();
    expect(second.data?.user.behaviours[0]?.count).toBe(3 * INT32_MAX);
  });
});

describe('the same batch sent several times at once', () => {
  for (const senders of [3, 10]) {
    it(`${senders} concurrent copies: one writes, the others answer with duplicates, and everything counts once`, async () => {
      const users = [`ew-race${senders}-a`, `ew-race${senders}-b`];
      const events: EventFields[] = Array.from({ length: 24 }, (_, i) => ({
        id: `ew-race${senders}-${i}`,
        userId: users[i % 2] as string,
        productId: PRODUCTS[i % 3] as string,
        type: i % 4 === 0 ? 'PURCHASE' : 'VIEW',
        timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        ...(i % 4 === 0 ? { quantity: 2 } : {}),
      }));
      const responses = await Promise.all(Array.from({ length: senders }, () => record(events)));
      expect(responses.flatMap((response) => response.errors ?? [])).toEqual([]);
      const results = responses.map((response) => response.data?.recordEvents as RecordEventsResult);
      const writers = results.filter((result) => result.created > 0);
      expect(writers).toEqual([{ received: 24, created: 24, duplicates: 0, conflicts: 0, conflictIds: [], usersCreated: 2 }]);
      expect(results.filter((result) => result.created === 0)).toEqual(
        Array.from({ length: senders - 1 }, () => ({ received: 24, created: 0, duplicates: 24, conflicts: 0, conflictIds: [], usersCreated: 0 })),
      );

      const graph = await stored(events.map((event) => event.id), users);
      expect(graph.eventNodes).toBe(24);
      expect(graph.users).toBe(2);
      // Per user: 12 events over 3 products; purchases (every 4th event) carry quantity 2.
      const expected = new Map<string, [number, number]>();
      events.forEach((event) => {
        const key = `${event.userId} ${event.type === 'PURCHASE' ? 'PURCHASED' : 'VIEWED'} ${event.productId}`;
        const [count, quantity] = expected.get(key) ?? [0, 0];
        expected.set(key, [count + 1, quantity + (event.quantity ?? 1)]);
      });
      const aggregates = (graph.aggregates as Array<[string, string, string, number, number]>).map(([user, type, product, count, quantity]): [string, [number, number]] => [`${user} ${type} ${product}`, [count, quantity]]);
      expect(new Map(aggregates)).toEqual(expected);
    });
  }
});

describe('an event id reused with other values', () => {
  const original: EventFields = { id: 'ew-c1', userId: 'ew-conflicted', productId: 'ew-p2', type: 'PURCHASE', timestamp: '2026-02-01T10:00:00Z', quantity: 1 };

  it('is a conflict: counted and named, not written, and the stored event is left as it was', async () => {
    expect((await record([original, { ...original, id: 'ew-c2', quantity: 5 }])).data?.recordEvents).toMatchObject({ created: 2, conflicts: 0 });
    const before = await stored(['ew-c1', 'ew-c2'], ['ew-conflicted', 'ew-someone-else']);

    const changes: Array<Partial<EventFields>> = [
      { quantity: 3 },
      { type: 'ADD_TO_CART' },
      { userId: 'ew-someone-else' },
      { productId: 'ew-p3' },
      { timestamp: '2026-02-01T10:00:01Z' },
    ];
    for (const change of changes) {
      const response = await record([{ ...original, ...change }]);
      expect(response.errors, JSON.stringify(change)).toBeUndefined();
      expect(response.data?.recordEvents, JSON.stringify(change)).toEqual({ received: 1, created: 0, duplicates: 0, conflicts: 1, conflictIds: ['ew-c1'], usersCreated: 0 });
    }
    const after = await stored(['ew-c1', 'ew-c2'], ['ew-conflicted', 'ew-someone-else']);
    expect(after).toEqual(before); // events, users and aggregates: the conflicting user was not even created
  });

  it('answers a mixed batch with created, duplicates and conflicts apart', async () => {
    const response = await record([
      { ...original, quantity: 7 }, // conflict
      { ...original, id: 'ew-c3', quantity: 2 }, // new
      { ...original, id: 'ew-c2', quantity: 5 }, // stored by the test above: a duplicate
    ]);
    expect(response.data?.recordEvents).toEqual({ received: 3, created: 1, duplicates: 1, conflicts: 1, conflictIds: ['ew-c1'], usersCreated: 0 });
    const [purchased] = await h.graph.read('MATCH (:User {id: "ew-conflicted"})-[r:PURCHASED]->(:Product {id: "ew-p2"}) RETURN r.count AS count, r.quantity AS quantity');
    expect(purchased).toEqual({ count: 3, quantity: 1 + 5 + 2 });
  });

  it('is not a conflict when only the assumed timestamp or an absent quantity differs', async () => {
    const untimed = { id: 'ew-untimed', userId: 'ew-retrier', productId: 'ew-p1', type: 'VIEW' };
    expect((await record([untimed])).data?.recordEvents).toMatchObject({ created: 1 });
    const [{ timestamp } = { timestamp: 0 }] = await h.graph.read<{ timestamp: number }>('MATCH (e:Event {id: "ew-untimed"}) RETURN e.timestamp AS timestamp');
    // The server's clock has moved on by the retry: the stand-in timestamp differs and is not compared.
    await expect.poll(() => Date.now()).toBeGreaterThan(timestamp);
    expect((await record([untimed])).data?.recordEvents).toMatchObject({ created: 0, duplicates: 1, conflicts: 0 });
    // Without a quantity an event counts as quantity 1, in the aggregates and here.
    expect((await record([{ ...untimed, quantity: 1 }])).data?.recordEvents).toMatchObject({ duplicates: 1, conflicts: 0 });
    expect((await record([{ ...untimed, quantity: 2 }])).data?.recordEvents).toMatchObject({ conflicts: 1 });
    const [row] = await h.graph.read('MATCH (e:Event {id: "ew-untimed"}) RETURN e.timestamp AS timestamp, e.quantity AS quantity');
    expect(row).toEqual({ timestamp, quantity: null });
  });

  it(`lists at most ${MAX_LISTED_CONFLICTS} conflicting ids, and counts them all`, async () => {
    const many = Array.from({ length: MAX_LISTED_CONFLICTS + 5 }, (_, i) => ({ ...original, id: `ew-many-${String(i).padStart(3, '0')}` }));
    expect((await record(many)).data?.recordEvents).toMatchObject({ created: many.length });
    const response = await record(many.map((event) => ({ ...event, quantity: 2 })));
    expect(response.data?.recordEvents.conflicts).toBe(many.length);
    expect(response.data?.recordEvents.conflictIds).toEqual(many.slice(0, MAX_LISTED_CONFLICTS).map((event) => event.id));
  });
});
