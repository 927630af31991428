import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProducts } from '../../src/graph/shopWrites.js';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/**
 * Mutation inputs a hostile or careless client sends: a future timestamp, numbers out of range. Each is
 * refused naming the field, and nothing is written. The server here allows one minute of clock skew.
 */

let h: Harness;
const SKEW_SECONDS = 60;

const RECORD = `mutation ($events: [EventInput!]!) { recordEvents(events: $events) { received created } }`;
const RELATE = `mutation ($from: ID!, $to: ID!, $type: ProductRelationType!, $weight: Float) {
  relateProducts(from: $from, to: $to, type: $type, weight: $weight) { weight } }`;
const UPSERT = `mutation ($input: ProductInput!) { upsertProduct(input: $input) { id price } }`;

/** Everything these mutations may touch, as one comparable value. */
async function snapshot(): Promise<string> {
  const [row] = await h.graph.read(`
    CALL () { MATCH (e:Event) RETURN count(e) AS events }
    CALL () { MATCH (u:User) RETURN count(u) AS users }
    CALL () { MATCH ()-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->() RETURN collect(properties(r)) AS behaviour }
    CALL () { MATCH (p:Product) RETURN collect(properties(p)) AS products }
    CALL () { MATCH (a:Product)-[r]->(b:Product) RETURN collect([a.id, type(r), b.id, r.weight]) AS relations }
    RETURN events, users, behaviour, products, relations`);
  return JSON.stringify(row);
}

beforeAll(async () => {
  h = await startHarness({ shop: false, config: { maxClockSkewSeconds: SKEW_SECONDS } });
  await h.graph.transaction((tx) => writeProducts(tx, ['h1', 'h2'].map((id) => ({ id, props: { title: `Product ${id}`, price: 10 } })), Date.now()));
});

afterAll(async () => {
  await h?.stop();
});

describe('recordEvents', () => {
  it('refuses a future timestamp naming the event, and writes none of the events', async () => {
    const before = await snapshot();
    const events = [
      { id: 'ok-1', userId: 'hu1', productId: 'h1', type: 'VIEW', timestamp: '2026-01-01T00:00:00Z' },
      { id: 'future', userId: 'hu1', productId: 'h2', type: 'PURCHASE', timestamp: '2099-01-01T00:00:00Z' },
    ];
    const response = await h.gql(RECORD, { events }, TOKENS.frontend);
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toBe(`events[1].timestamp: 2099-01-01T00:00:00Z is later than the server's clock (+${SKEW_SECONDS} s allowed)`);
    expect(response.errors?.[0]?.extensions).toMatchObject({ field: 'events[1].timestamp', index: 1 });
    // Beyond the configured skew, even by minutes, as epoch milliseconds.
    const soon = await h.gql(RECORD, { events: [{ userId: 'hu1', productId: 'h1', type: 'VIEW', timestamp: String(Date.now() + 5 * 60_000) }] }, TOKENS.frontend);
    expect(soon.errors?.[0]?.extensions?.field).toBe('events[0].timestamp');
    expect(await snapshot()).toBe(before);

    // Within the skew it is recorded.
    const within = await h.gql(RECORD, { events: [{ id: 'near', userId: 'hu1', productId: 'h1', type: 'VIEW', timestamp: String(Date.now() + 10_000) }] }, TOKENS.frontend);
    expect(within.errors).toBeUndefined();
    expect(within.data).toEqual({ recordEvents: { received: 1, created: 1 } });
  });

  it('refuses a quantity out of range naming the event, and writes nothing', async () => {
    const before = await snapshot();
    for (const quantity of [0, 10_001, 2_147_483_647]) {
      const response = await h.gql(RECORD, { events: [{ userId: 'hu2', productId: 'h1', type: 'PURCHASE', quantity }] }, TOKENS.frontend);
      expect(response.errors?.[0]?.message).toBe(`events[0].quantity: expected a whole number from 1 to 10,000, got ${quantity}`);
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('catalogue mutations', () => {
  it('refuse a relation weight out of range, and write nothing', async () => {
    const before = await snapshot();
    for (const weight of [1e308, -1e308, -0.5, 1000.5]) {
      const response = await h.gql(RELATE, { from: 'h1', to: 'h2', type: 'COMPLEMENTS', weight }, TOKENS.merchandiser);
      expect(codeOf(response)).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe('weight');
      expect(response.errors?.[0]?.message).toMatch(/^weight: expected a number from 0 to 1,000, got /);
    }
    expect(await snapshot()).toBe(before);
    const fine = await h.gql(RELATE, { from: 'h1', to: 'h2', type: 'COMPLEMENTS', weight: 1000 }, TOKENS.merchandiser);
    expect(fine.data).toEqual({ relateProducts: { weight: 1000 } });
  });

  it('refuse a price out of range, and write nothing', async () => {
    const before = await snapshot();
    for (const price of [1e300, -0.01]) {
      const response = await h.gql(UPSERT, { input: { id: 'h1', title: 'Product h1', price } }, TOKENS.merchandiser);
      expect(response.errors?.[0]?.extensions?.field).toBe('input.price');
      expect(response.errors?.[0]?.message).toMatch(/^input\.price: expected a number from 0 to 1,000,000,000,000, got /);
    }
    expect(await snapshot()).toBe(before);
  });
});
