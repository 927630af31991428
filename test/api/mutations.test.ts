import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/** Mutations of this slice: validation equal to ingestion, nothing written on bad input, and effects on ranking. */

let h: Harness;

const RECORD = `mutation ($events: [EventInput!]!) { recordEvents(events: $events) { received created duplicates usersCreated } }`;
const RECOMMEND_IDS = `query ($userId: ID!, $first: Int, $filter: ProductFilter) {
  recommend(userId: $userId, first: $first, filter: $filter) { items { product { id category { id } } } } }`;

interface RecordResult {
  received: number;
  created: number;
  duplicates: number;
  usersCreated: number;
}

const frontend = (query: string, variables: Record<string, unknown>) => h.gql<Record<string, unknown>>(query, variables, TOKENS.frontend);
const merchandiser = (query: string, variables: Record<string, unknown>) => h.gql<Record<string, unknown>>(query, variables, TOKENS.merchandiser);

async function recommendedIds(userId: string, first = 100, filter?: Record<string, unknown>): Promise<Array<{ id: string; categoryId: string | null }>> {
  const response = await h.gql<{ recommend: { items: Array<{ product: { id: string; category: { id: string } | null } }> } }>(RECOMMEND_IDS, { userId, first, filter });
  expect(response.errors).toBeUndefined();
  return (response.data?.recommend.items ?? []).map((item) => ({ id: item.product.id, categoryId: item.product.category?.id ?? null }));
}

/** Everything mutations may touch, as one comparable value. */
async function snapshot(): Promise<string> {
  const [row] = await h.graph.read(`
    CALL () { MATCH (e:Event) RETURN count(e) AS events }
    CALL () { MATCH (u:User) RETURN count(u) AS users }
    CALL () { MATCH ()-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->() RETURN sum(r.count) AS behaviour }
    CALL () { MATCH (p:Product) RETURN collect(properties(p)) AS products }
    CALL () { MATCH (a)-[r:COMPLEMENTS|SUBSTITUTES|ACCESSORY_OF]->(b) RETURN collect([a.id, type(r), b.id, r.weight]) AS relations }
    RETURN events, users, behaviour, size(products) AS productCount, products, relations`);
  return JSON.stringify(row);
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe('recordEvents', () => {
  it('writes events once: the same ids again are duplicates, and aggregates do not move', async () => {
    const events = [
      { id: 'api-e1', userId: 'api-user-1', productId: 'p-00010', type: 'VIEW', timestamp: '2026-11-01T10:00:00Z' },
      { id: 'api-e2', userId: 'api-user-1', productId: 'p-00010', type: 'CLICK', timestamp: '1793527200000' },
      { userId: 'api-user-1', productId: 'p-00011', type: 'ADD_TO_CART', quantity: 2 },
    ];
    const first = await frontend(RECORD, { events });
    expect(first.errors).toBeUndefined();
    expect(first.data?.recordEvents).toEqual({ received: 3, created: 3, duplicates: 0, usersCreated: 1 } satisfies RecordResult);
    const after = await snapshot();
    // The third event has no id and no timestamp: its id derives from the server's time, so only ids repeat exactly.
    const again = await frontend(RECORD, { events: [...events.slice(0, 2), events[0]] });
    expect(again.data?.recordEvents).toEqual({ received: 3, created: 0, duplicates: 3, usersCreated: 0 } satisfies RecordResult);
    expect(await snapshot()).toBe(after);
  });

  it('refuses a bad event naming its index and field, writing none of the list', async () => {
    const before = await snapshot();
    const cases: Array<{ event: Record<string, unknown>; field: string }> = [
      { event: { userId: 'u-0001', productId: 'p-00001', type: 'VIEW', timestamp: 'yesterday' }, field: 'events[1].timestamp' },
      { event: { userId: 'u-0001', productId: 'p-00001', type: 'PURCHASE', quantity: 0 }, field: 'events[1].quantity' },
      { event: { userId: '   ', productId: 'p-00001', type: 'VIEW' }, field: 'events[1].userId' },
      { event: { userId: 'u-0001', productId: 'no-such-product', type: 'VIEW' }, field: 'events[1].productId' },
    ];
    for (const { event, field } of cases) {
      const response = await frontend(RECORD, { events: [{ id: 'fine-1', userId: 'u-0001', productId: 'p-00001', type: 'VIEW' }, event] });
      expect(codeOf(response), field).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe(field);
      expect(response.errors?.[0]?.extensions?.index).toBe(1);
      expect(response.errors?.[0]?.message).toContain(field);
    }
    const clash = await frontend(RECORD, {
      events: [
        { id: 'same', userId: 'u-0001', productId: 'p-00001', type: 'VIEW' },
        { id: 'same', userId: 'u-0001', productId: 'p-00002', type: 'VIEW' },
      ],
    });
    expect(clash.errors?.[0]?.extensions?.field).toBe('events[1].id');
    expect(await snapshot()).toBe(before);
  });

  it('refuses more events than the limit in one call', async () => {
    const events = Array.from({ length: h.api.maxEventsPerRequest + 1 }, (_, i) => ({ id: `bulk-${i}`, userId: 'u-0001', productId: 'p-00001', type: 'VIEW' }));
    const response = await frontend(RECORD, { events });
    expect(response.errors?.[0]?.extensions?.field).toBe('events');
  });

  it('a purchase recorded through the API leaves the product out of the next recommendation', async () => {
    const before = await recommendedIds('u-0005', 10);
    const target = before[0]?.id as string;
    const response = await frontend(RECORD, { events: [{ id: 'buy-1', userId: 'u-0005', productId: target, type: 'PURCHASE' }] });
    expect(response.errors).toBeUndefined();
    const after = await recommendedIds('u-0005', 10);
    expect(after.map((item) => item.id)).not.toContain(target);
  });

  it('strong interest in a category lifts its products for that user', async () => {
    const userId = 'u-0007';
    const before = await recommendedIds(userId, 100);
    // Of the categories this user never touched, the one whose best product they see lowest.
    const untouched = await h.graph.read<{ id: string; products: string[] }>(
      `MATCH (c:Category)<-[:IN_CATEGORY]-(p:Product) WHERE NOT EXISTS { (:User {id: $userId})-[]->(:Product)-[:IN_CATEGORY]->(c) }
       WITH c, collect(p.id) AS products WHERE size(products) >= 3
       RETURN c.id AS id, products ORDER BY id`,
      { userId },
    );
    const rankIn = (list: Array<{ id: string; categoryId: string | null }>, categoryId: string) => {
      const index = list.findIndex((item) => item.categoryId === categoryId);
      return index < 0 ? list.length : index;
    };
    const category = untouched.reduce((worst, candidate) => (rankIn(before, candidate.id) > rankIn(before, worst.id) ? candidate : worst));
    const rankBefore = rankIn(before, category.id);
    expect(rankBefore).toBeGreaterThan(10);
    const now = Date.now();
    const events = category.products.slice(0, 2).flatMap((productId, i) => [
      { id: `interest-${i}-v1`, userId, productId, type: 'VIEW', timestamp: String(now - 60_000) },
      { id: `interest-${i}-v2`, userId, productId, type: 'VIEW', timestamp: String(now - 30_000) },
      { id: `interest-${i}-c`, userId, productId, type: 'ADD_TO_CART', timestamp: String(now) },
    ]);
    expect((await frontend(RECORD, { events })).errors).toBeUndefined();
    const after = await recommendedIds(userId, 100);
    expect(rankIn(after, category.id)).toBeLessThan(rankBefore);
    expect(rankIn(after, category.id)).toBeLessThan(5);
  });
});

describe('merchandiser relations', () => {
  const RELATE = `mutation ($from: ID!, $to: ID!, $type: ProductRelationType!, $weight: Float) {
    relateProducts(from: $from, to: $to, type: $type, weight: $weight) { type weight updatedBy updatedAt from { id } product { id } } }`;
  const UNRELATE = `mutation ($from: ID!, $to: ID!, $type: ProductRelationType!) { unrelateProducts(from: $from, to: $to, type: $type) }`;
  const RELATIONS = `query ($id: ID!) { product(id: $id) { relations(type: COMPLEMENTS) { type weight product { id } } } }`;

  it('relates, re-weights and unrelates products', async () => {
    const created = await merchandiser(RELATE, { from: 'p-00020', to: 'p-00021', type: 'COMPLEMENTS', weight: 0.7 });
    expect(created.errors).toBeUndefined();
    expect(created.data?.relateProducts).toMatchObject({ type: 'COMPLEMENTS', weight: 0.7, from: { id: 'p-00020' }, product: { id: 'p-00021' } });
    expect((created.data?.relateProducts as { updatedBy: string }).updatedBy).toMatch(/^api:merchandiser:[0-9a-f]{12}$/);

    const reweighted = await merchandiser(RELATE, { from: 'p-00020', to: 'p-00021', type: 'COMPLEMENTS' });
    expect(reweighted.data?.relateProducts).toMatchObject({ weight: 1 });
    const listed = await h.gql<{ product: { relations: Array<{ product: { id: string }; weight: number }> } }>(RELATIONS, { id: 'p-00020' });
    expect(listed.data?.product.relations).toContainEqual(expect.objectContaining({ product: { id: 'p-00021' }, weight: 1 }));

    expect((await merchandiser(UNRELATE, { from: 'p-00020', to: 'p-00021', type: 'COMPLEMENTS' })).data?.unrelateProducts).toBe(true);
    expect((await merchandiser(UNRELATE, { from: 'p-00020', to: 'p-00021', type: 'COMPLEMENTS' })).data?.unrelateProducts).toBe(false);
    const gone = await h.gql<{ product: { relations: Array<{ product: { id: string } }> } }>(RELATIONS, { id: 'p-00020' });
    expect(gone.data?.product.relations.map((relation) => relation.product.id)).not.toContain('p-00021');
  });

  it('refuses unknown products, self-relations, bad weights and types outside the allow-list, changing nothing', async () => {
    const before = await snapshot();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ from: 'p-00020', to: 'no-such-product', type: 'SUBSTITUTES' }, 'to'],
      [{ from: 'no-such-product', to: 'p-00020', type: 'SUBSTITUTES' }, 'from'],
      [{ from: 'p-00020', to: 'p-00020', type: 'SUBSTITUTES' }, 'to'],
      [{ from: '  ', to: 'p-00020', type: 'SUBSTITUTES' }, 'from'],
    ];
    for (const [variables, field] of cases) {
      const response = await merchandiser(RELATE, variables);
      expect(codeOf(response), JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe(field);
    }
    const badType = await merchandiser(RELATE, { from: 'p-00020', to: 'p-00021', type: 'FRIENDS_WITH' });
    expect(codeOf(badType)).toBe('BAD_USER_INPUT');
    expect(badType.errors?.[0]?.message).toContain('FRIENDS_WITH');
    expect(await snapshot()).toBe(before);
  });
});

describe('products', () => {
  const UPSERT = `mutation ($input: ProductInput!) { upsertProduct(input: $input) {
    id title description price currency inStock category { id } brand { id } updatedAt } }`;
  const DELETE = `mutation ($id: ID!) { deleteProduct(id: $id) }`;

  it('creates and updates a product, which the next recommendation can show', async () => {
    const [place] = await h.graph.read<{ categoryId: string; brandId: string }>(
      'MATCH (c:Category)<-[:IN_CATEGORY]-(:Product)-[:HAS_BRAND]->(b:Brand) RETURN c.id AS categoryId, b.id AS brandId ORDER BY c.id LIMIT 1',
    );
    const input = { id: 'api-new-1', title: '  Trail   Runner  X ', price: 99.5, currency: 'eur', categoryId: place?.categoryId, brandId: place?.brandId };
    const created = await merchandiser(UPSERT, { input });
    expect(created.errors).toBeUndefined();
    // Cleaned exactly as ingestion cleans: whitespace collapsed, currency upper-cased, in stock by default.
    expect(created.data?.upsertProduct).toMatchObject({ id: 'api-new-1', title: 'Trail Runner X', price: 99.5, currency: 'EUR', inStock: true, category: { id: place?.categoryId } });

    const updated = await merchandiser(UPSERT, { input: { id: 'api-new-1', title: 'Trail Runner X2', inStock: false } });
    expect(updated.data?.upsertProduct).toMatchObject({ title: 'Trail Runner X2', price: 99.5, inStock: false });

    const listed = await recommendedIds('visitor', 100, { categoryId: place?.categoryId });
    expect(listed.map((item) => item.id)).toContain('api-new-1');
  });

  it('refuses bad fields and unknown references naming the field, changing nothing', async () => {
    const before = await snapshot();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 'api-bad', title: 'x', currency: 'euro' }, 'input.currency'],
      [{ id: 'api-bad', title: 'x', price: -1 }, 'input.price'],
      [{ id: 'api-bad', title: '   ' }, 'input.title'],
      [{ id: 'api-bad', title: 'x', categoryId: 'no-such-category' }, 'input.categoryId'],
      [{ id: 'api-bad', title: 'x', brandId: 'no-such-brand' }, 'input.brandId'],
    ];
    for (const [input, field] of cases) {
      const response = await merchandiser(UPSERT, { input });
      expect(codeOf(response), field).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(await snapshot()).toBe(before);
  });

  it('deletes a product: gone from reads and recommendations; a second delete answers false', async () => {
    const target = (await recommendedIds('visitor', 1))[0]?.id as string;
    expect((await merchandiser(DELETE, { id: target })).data?.deleteProduct).toBe(true);
    expect((await h.gql<{ product: null }>('query ($id: ID!) { product(id: $id) { id } }', { id: target })).data?.product).toBeNull();
    expect((await recommendedIds('visitor', 100)).map((item) => item.id)).not.toContain(target);
    expect((await merchandiser(DELETE, { id: target })).data?.deleteProduct).toBe(false);
  });
});
