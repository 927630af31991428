import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServedListLog } from '../../src/api/servedListLog.js';
import { readAttributedEvents, readServedLists, type ServedListRecord } from '../../src/graph/servedLists.js';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/**
 * Attribution through the API, against the real Neo4j: every list answered carries a servedId and
 * positions, is logged as a ServedList, and events naming it are attributed to it; a hidden product never
 * comes back; a next page repeats nothing of the earlier ones; deleting a user's data takes their lists.
 */

let h: Harness;

interface Served {
  servedId: string;
  items: Array<{ position: number; product: { id: string } }>;
}

const RECOMMEND = `query ($u: ID!, $first: Int, $ex: [ID!]) { recommend(userId: $u, first: $first, excludeServed: $ex) {
  servedId items { position product { id } } } }`;
const SEARCH = 'query ($q: String!) { search(query: $q, first: 5) { servedId items { position product { id } } } }';
const PERSONAL_SEARCH = 'query ($u: ID, $q: String!) { search(userId: $u, query: $q, first: 5) { servedId } }';
const SIMILAR = 'query ($p: ID!) { similarProducts(productId: $p, first: 5) { servedId items { position product { id } } } }';
const RECORD = 'mutation ($events: [EventInput!]!) { recordEvents(events: $events) { created } }';
const DELETE = 'mutation ($u: ID!) { deleteUserData(userId: $u) { userId events servedLists } }';

async function recommend(userId: string, first = 10, excludeServed?: string[]): Promise<Served> {
  const response = await h.gql<{ recommend: Served }>(RECOMMEND, { u: userId, first, ex: excludeServed ?? null });
  expect(response.errors).toBeUndefined();
  return response.data?.recommend as Served;
}

async function record(events: Record<string, unknown>[]) {
  return h.gql<{ recordEvents: { created: number } }>(RECORD, { events }, TOKENS.frontend);
}

/** Polls the log until the list is written (the API writes served lists in batches, after answering). */
async function logged(servedId: string): Promise<ServedListRecord> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const list = (await readServedLists(h.graph, [servedId])).get(servedId);
    if (list) return list;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`served list ${servedId} was never written`);
}

const activeUsers = async (count: number): Promise<string[]> =>
  (
    await h.graph.read<{ id: string }>('MATCH (u:User)-[r]->(:Product) WITH u, count(r) AS n WHERE n >= 3 RETURN u.id AS id ORDER BY n DESC, id LIMIT toInteger($n)', { n: count })
  ).map((row) => row.id);

beforeAll(async () => {
  h = await startHarness({ model: false, api: { rankingThreads: 1, servedFlushMs: 20 } });
});

afterAll(async () => {
  await h?.stop();
});

describe('served lists', () => {
  it('gives every recommend, search and similarProducts answer a servedId and positions, and logs it', async () => {
    const [userId] = await activeUsers(1);
    const served = await recommend(userId as string, 6);
    expect(served.servedId).toMatch(/^[0-9a-f-]{36}$/);
    expect(served.items.map((item) => item.position)).toEqual([1, 2, 3, 4, 5, 6]);
    const list = await logged(served.servedId);
    expect(list).toMatchObject({ userId, surface: 'recommend', productIds: served.items.map((item) => item.product.id), experimentId: null, variant: null });

    const search = (await h.gql<{ search: Served }>(SEARCH, { q: 'shoes' })).data?.search as Served;
    const similar = (await h.gql<{ similarProducts: Served }>(SIMILAR, { p: served.items[0]?.product.id })).data?.similarProducts as Served;
    for (const [answer, surface] of [[search, 'search'], [similar, 'similarProducts']] as const) {
      expect(answer.servedId).not.toBe(served.servedId);
      expect(answer.items.map((item) => item.position)).toEqual(answer.items.map((_, index) => index + 1));
      expect(await logged(answer.servedId)).toMatchObject({ userId: null, surface, productIds: answer.items.map((item) => item.product.id) });
    }
  });

  it('attributes an impression and a click that name a servedId to that list, and impressions add no behaviour', async () => {
    const userId = 'attribution-shopper';
    const served = await recommend(userId, 4);
    const [first, second] = served.items;
    const now = Date.now();
    const response = await record([
      { id: 'imp-1', userId, productId: first?.product.id, type: 'IMPRESSION', servedId: served.servedId, position: 1, timestamp: String(now) },
      { id: 'imp-2', userId, productId: second?.product.id, type: 'IMPRESSION', servedId: served.servedId, position: 2, timestamp: String(now) },
      { id: 'click-2', userId, productId: second?.product.id, type: 'CLICK', servedId: served.servedId, position: 2, timestamp: String(now + 1) },
    ]);
    expect(response.errors).toBeUndefined();
    expect(response.data?.recordEvents.created).toBe(3);
    const events = await readAttributedEvents(h.graph, served.servedId, 100);
    expect(events.map((event) => [event.id, event.type, event.productId, event.position])).toEqual([
      ['imp-1', 'impression', first?.product.id, 1],
      ['imp-2', 'impression', second?.product.id, 2],
      ['click-2', 'click', second?.product.id, 2],
    ]);
    const behaviours = await h.graph.read<{ type: string }>('MATCH (:User {id: $userId})-[r]->(:Product) RETURN type(r) AS type', { userId });
    expect(behaviours.map((row) => row.type)).toEqual(['CLICKED']);
  });

  it('rejects a bad servedId, position or excludeServed naming the field, and writes nothing', async () => {
    const base = { userId: 'bad-attribution', productId: (await recommend('bad-attribution', 1)).items[0]?.product.id, type: 'CLICK' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, servedId: 'x'.repeat(65) }, 'events[1].servedId'],
      [{ ...base, servedId: 'has spaces/and?query' }, 'events[1].servedId'],
      [{ ...base, servedId: 'ok-id', position: 0 }, 'events[1].position'],
      [{ ...base, servedId: 'ok-id', position: 1001 }, 'events[1].position'],
    ];
    for (const [event, field] of cases) {
      const response = await record([{ ...base, id: 'fine-event' }, { ...event, id: 'bad-event' }]);
      expect(codeOf(response), field).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(await h.graph.read("MATCH (e:Event) WHERE e.id IN ['fine-event', 'bad-event'] RETURN e.id")).toEqual([]);
    const paging = await h.gql(RECOMMEND, { u: 'bad-attribution', ex: ['fine', 'not ok'] });
    expect(paging.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'excludeServed[1]' });
    const tooMany = await h.gql(RECOMMEND, { u: 'bad-attribution', ex: Array.from({ length: 21 }, (_, i) => `page-${i}`) });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'excludeServed' });
  });

  it('refuses an oversized user id before anything is served, so that it never reaches the exposure log', async () => {
    const [userId] = await activeUsers(1);
    const hostile = await h.gql(RECOMMEND, { u: 'u'.repeat(100_000), first: 5 });
    expect(hostile.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    const searched = await h.gql(PERSONAL_SEARCH, { q: 'shoes', u: 'u'.repeat(300) });
    expect(searched.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    // A list served beside it is logged as usual.
    const served = await recommend(userId as string, 3);
    expect(await logged(served.servedId)).toMatchObject({ userId });
  });
});

describe('negative feedback and paging', () => {
  it('never shows a hidden product to that user again, from the very next request', async () => {
    const [userId] = await activeUsers(2);
    const before = await recommend(userId as string, 10);
    // A product to hide from each end of the page: the top one and the last one.
    const hidden = [before.items[0]?.product.id, before.items[9]?.product.id] as string[];
    const now = Date.now();
    const response = await record(hidden.map((productId, i) => ({ id: `hide-${i}`, userId, productId, type: 'HIDE', timestamp: String(now + i) })));
    expect(response.data?.recordEvents.created).toBe(2);
    for (const first of [10, 50, 100]) {
      const after = await recommend(userId as string, first);
      expect(after.items.length).toBe(first);
      expect(after.items.map((item) => item.product.id)).not.toContain(hidden[0]);
      expect(after.items.map((item) => item.product.id)).not.toContain(hidden[1]);
    }
    // Kept as the user's own HIDDEN behaviour, shown back as HIDE.
    const rows = await h.graph.read<{ userId: string; productId: string }>('MATCH (u:User)-[:HIDDEN]->(p:Product) RETURN u.id AS userId, p.id AS productId ORDER BY productId');
    expect(rows).toEqual([...hidden].sort().map((productId) => ({ userId, productId })));
  });

  it('repeats nothing of the earlier pages on a next page', async () => {
    const [, userId] = await activeUsers(2);
    const page1 = await recommend(userId as string, 10);
    const page2 = await recommend(userId as string, 10, [page1.servedId]);
    const page3 = await recommend(userId as string, 10, [page1.servedId, page2.servedId]);
    const ids = [page1, page2, page3].map((page) => page.items.map((item) => item.product.id));
    expect(ids.map((page) => page.length)).toEqual([10, 10, 10]);
    expect(new Set(ids.flat()).size).toBe(30);
    // Another user's list excludes nothing: a guessed servedId reveals nothing either.
    const again = await recommend('someone-else', 10, [page1.servedId]);
    expect(again.items.map((item) => item.product.id)).toEqual((await recommend('someone-else', 10)).items.map((item) => item.product.id));
  });

  it('reads earlier pages from Neo4j when this process has not got them in memory', async () => {
    const [, userId] = await activeUsers(2);
    const page1 = await recommend(userId as string, 10);
    await logged(page1.servedId);
    const elsewhere = new ServedListLog(h.graph, { enabled: true, flushMs: 1_000, batchSize: 10 });
    expect((await elsewhere.productsOf([page1.servedId], userId as string)).sort()).toEqual(page1.items.map((item) => item.product.id).sort());
    expect(await elsewhere.productsOf([page1.servedId], 'another-user')).toEqual([]);
    await elsewhere.close();
  });
});

describe('deleteUserData', () => {
  it('removes the lists served to the user, and only theirs', async () => {
    const userId = 'shopper-to-forget';
    const mine = await recommend(userId, 5);
    const theirs = await recommend('shopper-to-keep', 5);
    await logged(mine.servedId);
    await logged(theirs.servedId);
    // One more list, perhaps still in the buffer when the deletion comes: it must not land afterwards.
    const late = await recommend(userId, 5);
    const response = await h.gql<{ deleteUserData: { servedLists: number } }>(DELETE, { u: userId }, TOKENS.admin);
    expect(response.errors).toBeUndefined();
    expect(response.data?.deleteUserData.servedLists).toBeGreaterThanOrEqual(1);
    // Lists are written in order: once a list served after the deletion is in the log, whatever waited before it is too.
    await logged((await recommend('shopper-after-deletion', 1)).servedId);
    const left = await readServedLists(h.graph, [mine.servedId, late.servedId, theirs.servedId]);
    expect([...left.keys()]).toEqual([theirs.servedId]);
    expect(await h.graph.read('MATCH (s:ServedList {userId: $userId}) RETURN s.id', { userId })).toEqual([]);
  });
});
