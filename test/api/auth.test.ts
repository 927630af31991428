import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/** Who may do what: every mutation of the slice against no token, a too-weak role, the right role and a stronger one. */

const SMALL_SHOP = { products: 30, users: 5, events: 100, seed: 3 };

interface MutationCase {
  name: string;
  needs: keyof typeof TOKENS;
  /** A fresh, valid call each time it is made (allowed calls must succeed). */
  call: (n: number) => { query: string; variables: Record<string, unknown> };
}

const MUTATIONS: MutationCase[] = [
  {
    name: 'recordEvents',
    needs: 'frontend',
    call: (n) => ({
      query: 'mutation ($e: [EventInput!]!) { recordEvents(events: $e) { created } }',
      variables: { e: [{ id: `auth-${n}`, userId: 'u-0001', productId: 'p-00001', type: 'VIEW' }] },
    }),
  },
  {
    name: 'relateProducts',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($w: Float) { relateProducts(from: "p-00001", to: "p-00002", type: COMPLEMENTS, weight: $w) { weight } }', variables: { w: n } }),
  },
  {
    name: 'unrelateProducts',
    needs: 'merchandiser',
    call: () => ({ query: 'mutation { unrelateProducts(from: "p-00003", to: "p-00004", type: SUBSTITUTES) }', variables: {} }),
  },
  {
    name: 'upsertProduct',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($t: String!) { upsertProduct(input: { id: "auth-product", title: $t }) { id } }', variables: { t: `Title ${n}` } }),
  },
  {
    name: 'deleteProduct',
    needs: 'merchandiser',
    call: () => ({ query: 'mutation { deleteProduct(id: "auth-nothing-to-delete") }', variables: {} }),
  },
];

const ROLE_ORDER = ['frontend', 'merchandiser', 'admin'] as const;

describe('with public reads (the default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ shop: SMALL_SHOP });
  });
  afterAll(async () => {
    await h?.stop();
  });

  let n = 0;
  for (const mutation of MUTATIONS) {
    it(`${mutation.name} needs ${mutation.needs} or higher`, async () => {
      const anonymous = mutation.call((n += 1));
      const refused = await h.gql(anonymous.query, anonymous.variables);
      expect(codeOf(refused)).toBe('UNAUTHENTICATED');
      for (const role of ROLE_ORDER) {
        const { query, variables } = mutation.call((n += 1));
        const response = await h.gql(query, variables, TOKENS[role]);
        if (ROLE_ORDER.indexOf(role) < ROLE_ORDER.indexOf(mutation.needs)) {
          expect(codeOf(response), role).toBe('FORBIDDEN');
        } else {
          expect(response.errors, role).toBeUndefined();
        }
      }
    });
  }

  it('reads need no token', async () => {
    const response = await h.gql('{ recommend(userId: "u-0001", first: 3) { items { product { id } } } }');
    expect(response.errors).toBeUndefined();
  });

  it('an unknown or malformed token is refused with 401, not served as anonymous', async () => {
    const unknown = await h.gql('{ categories { id } }', {}, 'not-a-token');
    expect(unknown.status).toBe(401);
    expect(codeOf(unknown)).toBe('UNAUTHENTICATED');
    const malformed = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
      body: JSON.stringify({ query: '{ categories { id } }' }),
    });
    expect(malformed.status).toBe(401);
  });
});

describe('with KGREC_API_PUBLIC_READS=false', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ shop: SMALL_SHOP, api: { publicReads: false } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('queries need the frontend role or higher', async () => {
    const query = '{ recommend(userId: "u-0001", first: 3) { items { product { id } } } }';
    expect(codeOf(await h.gql(query))).toBe('UNAUTHENTICATED');
    for (const role of ROLE_ORDER) expect((await h.gql(query, {}, TOKENS[role])).errors, role).toBeUndefined();
    expect(codeOf(await h.gql('{ product(id: "p-00001") { id } }'))).toBe('UNAUTHENTICATED');
  });
});
