import { readFileSync } from 'node:fs';
import { parse, type ObjectTypeDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUTATION_ROLES, QUERY_ROLES } from '../../src/api/auth.js';
import { SCHEMA_FILE } from '../../src/api/schema.js';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/** Who may do what: every mutation of the slice against no token, a too-weak role, the right role and a stronger one. */

const SMALL_SHOP = { products: 30, users: 5, events: 100, seed: 3 };

interface MutationCase {
  name: string;
  needs: keyof typeof TOKENS;
  /** A fresh, valid call each time it is made (allowed calls must succeed). */
  call: (n: number) => { query: string; variables: Record<string, unknown> };
  /** The code an allowed call answers with when success would have side effects the test avoids (none: success). */
  allowedCode?: string;
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
  {
    name: 'createCategory',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($id: ID!) { createCategory(input: { id: $id, name: "Auth" }) { id } }', variables: { id: `auth-category-${n}` } }),
  },
  {
    name: 'updateCategory',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($name: String!) { updateCategory(input: { id: "auth-category", name: $name }) { id } }', variables: { name: `Auth ${n}` } }),
  },
  {
    name: 'deleteCategory',
    needs: 'merchandiser',
    call: () => ({ query: 'mutation { deleteCategory(id: "auth-nothing-to-delete") }', variables: {} }),
  },
  {
    name: 'createBrand',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($id: ID!) { createBrand(input: { id: $id, name: "Auth" }) { id } }', variables: { id: `auth-brand-${n}` } }),
  },
  {
    name: 'updateBrand',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($name: String!) { updateBrand(input: { id: "auth-brand", name: $name }) { id } }', variables: { name: `Auth ${n}` } }),
  },
  {
    name: 'deleteBrand',
    needs: 'merchandiser',
    call: () => ({ query: 'mutation { deleteBrand(id: "auth-nothing-to-delete") }', variables: {} }),
  },
  {
    name: 'pinProduct',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($q: String!) { pinProduct(productId: "p-00001", position: 1, query: $q) { id } }', variables: { q: `auth ${n}` } }),
  },
  {
    name: 'boostProduct',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($q: String!) { boostProduct(productId: "p-00001", factor: 2, query: $q) { id } }', variables: { q: `auth ${n}` } }),
  },
  {
    name: 'buryProduct',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($q: String!) { buryProduct(productId: "p-00001", query: $q) { id } }', variables: { q: `auth ${n}` } }),
  },
  {
    name: 'removeRule',
    needs: 'merchandiser',
    call: () => ({ query: 'mutation { removeRule(id: "auth-nothing-to-remove") }', variables: {} }),
  },
  {
    name: 'deleteUserData',
    needs: 'admin',
    call: (n) => ({ query: 'mutation ($u: ID!) { deleteUserData(userId: $u) { events } }', variables: { u: `auth-nobody-${n}` } }),
  },
  {
    name: 'activateModel',
    needs: 'admin',
    call: () => ({ query: 'mutation { activateModel(version: "auth-no-such-version") { version } }', variables: {} }),
    allowedCode: 'NOT_FOUND',
  },
  {
    // Invalid options: the role is checked first, and nothing starts training.
    name: 'startRetraining',
    needs: 'admin',
    call: () => ({ query: 'mutation { startRetraining(options: { epochs: 0 }) { id } }', variables: {} }),
    allowedCode: 'BAD_USER_INPUT',
  },
  {
    // One variant is too few: the role is checked first, and no experiment is made.
    name: 'createExperiment',
    needs: 'merchandiser',
    call: (n) => ({ query: 'mutation ($name: String!) { createExperiment(input: { name: $name, variants: [{ name: "a", share: 1 }] }) { id } }', variables: { name: `auth-${n}` } }),
    allowedCode: 'BAD_USER_INPUT',
  },
  ...(['startExperiment', 'pauseExperiment', 'stopExperiment'] as const).map(
    (name): MutationCase => ({
      name,
      needs: 'merchandiser',
      call: () => ({ query: `mutation { ${name}(id: "auth-no-such-experiment") { id } }`, variables: {} }),
      allowedCode: 'NOT_FOUND',
    }),
  ),
];

const ROLE_ORDER = ['frontend', 'merchandiser', 'admin'] as const;

describe('with public reads (the default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ shop: SMALL_SHOP });
    await h.graph.write('CREATE (:Category {id: "auth-category", name: "Auth"}), (:Brand {id: "auth-brand", name: "Auth"})');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('every mutation of the schema has its role in the role table and a case here', () => {
    const document = parse(readFileSync(SCHEMA_FILE, 'utf8'));
    const fieldsOf = (name: string) =>
      (document.definitions.find((definition) => definition.kind === 'ObjectTypeDefinition' && definition.name.value === name) as ObjectTypeDefinitionNode).fields?.map(
        (field) => field.name.value,
      ) ?? [];
    const mutations = fieldsOf('Mutation');
    expect(Object.keys(MUTATION_ROLES).sort()).toEqual([...mutations].sort());
    expect(MUTATIONS.map((mutation) => mutation.name).sort()).toEqual([...mutations].sort());
    for (const mutation of MUTATIONS) expect(MUTATION_ROLES[mutation.name], mutation.name).toBe(mutation.needs);
    for (const query of Object.keys(QUERY_ROLES)) expect(fieldsOf('Query')).toContain(query);
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
        } else if (mutation.allowedCode) {
          expect(codeOf(response), role).toBe(mutation.allowedCode);
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
