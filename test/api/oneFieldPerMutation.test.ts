import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/**
 * A mutation operation selects one field (src/api/oneFieldPerMutation.ts): each field commits on its own, so
 * a second field failing after the first committed would answer `data: null` for a write that happened.
 */

let h: Harness;
let product: string;

const merchandiser = (query: string, variables: Record<string, unknown> = {}) => h.gql<Record<string, unknown>>(query, variables, TOKENS.merchandiser);
const ruleCount = async (): Promise<number> => (await h.graph.read<{ n: number }>('MATCH (r:MerchRule) RETURN count(r) AS n'))[0]?.n ?? -1;

beforeAll(async () => {
  h = await startHarness({ shop: { products: 30, users: 5, events: 100, seed: 5 } });
  const [row] = await h.graph.read<{ id: string }>('MATCH (p:Product) RETURN p.id AS id ORDER BY id LIMIT 1');
  product = row?.id as string;
});

afterAll(async () => {
  await h?.stop();
});

describe('one field per mutation', () => {
  it('refuses a pin followed by a failing boost before anything runs: nothing is written', async () => {
    // The probe: the pin would commit, the boost fail its validation, and `data` would come back null.
    const response = await merchandiser(
      `mutation ($p: ID!) {
        a: pinProduct(productId: $p, position: 1, query: "probe") { id }
        b: boostProduct(productId: $p, factor: 0.5, query: "probe") { id }
      }`,
      { p: product },
    );
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0]?.message).toContain('got 2 (a: pinProduct, b: boostProduct)');
    expect(response.data).toBeUndefined();
    expect(await ruleCount()).toBe(0);
  });

  it('counts fields reached through fragments', async () => {
    const response = await merchandiser(
      `mutation ($p: ID!) { ...Pin ... on Mutation { removeRule(id: "no-such-rule") } }
       fragment Pin on Mutation { pinProduct(productId: $p, position: 1, query: "probe") { id } }`,
      { p: product },
    );
    expect(codeOf(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0]?.message).toContain('(pinProduct, removeRule)');
    expect(await ruleCount()).toBe(0);
  });

  it('runs a single field, __typename beside it included; queries may select many fields', async () => {
    const pinned = await merchandiser('mutation ($p: ID!) { __typename pinProduct(productId: $p, position: 1, query: "probe") { id } }', { p: product });
    expect(pinned.errors).toBeUndefined();
    expect(pinned.data?.__typename).toBe('Mutation');
    expect(await ruleCount()).toBe(1);
    const query = await h.gql<{ a: { id: string } | null; b: { id: string } | null }>(`query ($p: ID!) { a: product(id: $p) { id } b: product(id: $p) { id } }`, { p: product });
    expect(query.errors).toBeUndefined();
    expect(query.data?.a?.id).toBe(product);
  });
});
