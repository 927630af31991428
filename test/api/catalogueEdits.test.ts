import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startHarness, TOKENS, type GqlResponse, type Harness } from './harness.js';

/** Categories and brands edited by merchandisers: validation as in ingestion, cycles, deletions and their audit entries. */

let h: Harness;

const SHOP = { products: 80, users: 10, events: 400, seed: 11 };

const merchandiser = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => h.gql<T>(query, variables, TOKENS.merchandiser);

const CATEGORY_FIELDS = 'id name parent { id } path { id } children { id }';
const CREATE_CATEGORY = `mutation ($input: CategoryInput!) { createCategory(input: $input) { ${CATEGORY_FIELDS} } }`;
const UPDATE_CATEGORY = `mutation ($input: CategoryUpdateInput!) { updateCategory(input: $input) { ${CATEGORY_FIELDS} } }`;
const DELETE_CATEGORY = `mutation ($id: ID!, $move: Boolean) { deleteCategory(id: $id, moveToParent: $move) }`;
const CREATE_BRAND = `mutation ($input: BrandInput!) { createBrand(input: $input) { id name } }`;
const UPDATE_BRAND = `mutation ($input: BrandInput!) { updateBrand(input: $input) { id name } }`;
const DELETE_BRAND = `mutation ($id: ID!, $unlink: Boolean) { deleteBrand(id: $id, unlinkProducts: $unlink) }`;
const AUDIT = `query ($entityId: ID) { auditLog(entityId: $entityId, first: 20) { nodes { entityType entityId action editor summary } } }`;

interface CategoryResult {
  id: string;
  name: string;
  parent: { id: string } | null;
  path: Array<{ id: string }>;
  children: Array<{ id: string }>;
}

interface AuditNode {
  entityType: string;
  entityId: string;
  action: string;
  editor: string;
  summary: string;
}

async function audit(entityId: string): Promise<AuditNode[]> {
  const response = await merchandiser<{ auditLog: { nodes: AuditNode[] } }>(AUDIT, { entityId });
  expect(response.errors).toBeUndefined();
  return response.data?.auditLog.nodes ?? [];
}

function expectBadInput(response: GqlResponse<unknown>, field: string): void {
  expect(codeOf(response), JSON.stringify(response.errors)).toBe('BAD_USER_INPUT');
  expect(response.errors?.[0]?.extensions?.field).toBe(field);
  expect(response.errors?.[0]?.message).toContain(field);
}

/** Everything a refused edit must leave alone. */
async function catalogue(): Promise<string> {
  const [row] = await h.graph.read(`
    CALL () { MATCH (c:Category) OPTIONAL MATCH (c)-[:SUBCATEGORY_OF]->(p) RETURN collect([c.id, c.name, p.id]) AS categories }
    CALL () { MATCH (b:Brand) RETURN collect([b.id, b.name]) AS brands }
    CALL () { MATCH (p:Product) OPTIONAL MATCH (p)-[:IN_CATEGORY]->(c) OPTIONAL MATCH (p)-[:HAS_BRAND]->(b) RETURN collect([p.id, c.id, b.id]) AS products }
    CALL () { MATCH (a:AuditEntry) RETURN count(a) AS audits }
    RETURN categories, brands, products, audits`);
  return JSON.stringify(row);
}

beforeAll(async () => {
  h = await startHarness({ shop: SHOP });
});

afterAll(async () => {
  await h?.stop();
});

describe('categories', () => {
  it('creates a root and a child, cleaned like ingestion, with their audit entries', async () => {
    const root = await merchandiser<{ createCategory: CategoryResult }>(CREATE_CATEGORY, { input: { id: ' api-root ', name: '  Garden   Tools ' } });
    expect(root.errors).toBeUndefined();
    expect(root.data?.createCategory).toEqual({ id: 'api-root', name: 'Garden Tools', parent: null, path: [{ id: 'api-root' }], children: [] });
    const child = await merchandiser<{ createCategory: CategoryResult }>(CREATE_CATEGORY, { input: { id: 'api-child', name: 'Spades', parentId: 'api-root' } });
    expect(child.data?.createCategory).toMatchObject({ parent: { id: 'api-root' }, path: [{ id: 'api-root' }, { id: 'api-child' }] });
    const listed = await h.gql<{ category: CategoryResult }>(`query { category(id: "api-root") { ${CATEGORY_FIELDS} } }`);
    expect(listed.data?.category.children).toEqual([{ id: 'api-child' }]);

    const [entry] = await audit('api-child');
    expect(entry).toMatchObject({ entityType: 'category', entityId: 'api-child', action: 'create' });
    expect(entry?.editor).toMatch(/^api:merchandiser:[0-9a-f]{12}$/);
    expect(JSON.parse(entry?.summary ?? '{}')).toEqual({ before: null, after: { name: 'Spades', parentId: 'api-root' } });
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const before = await catalogue();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 'api-bad', name: '   ' }, 'input.name'],
      [{ id: '  ', name: 'Nameless' }, 'input.id'],
      [{ id: 'api-bad', name: 'x'.repeat(501) }, 'input.name'],
      [{ id: 'api-bad', name: 'Orphan', parentId: 'no-such-category' }, 'input.parentId'],
      [{ id: 'api-bad', name: 'Self', parentId: 'api-bad' }, 'input.parentId'],
      [{ id: 'api-root', name: 'Again' }, 'input.id'],
    ];
    for (const [input, field] of cases) expectBadInput(await merchandiser(CREATE_CATEGORY, { input }), field);
    expect(await catalogue()).toBe(before);
  });

  it('renames and moves a category; parentId null makes it a root; an absent field is kept', async () => {
    await merchandiser(CREATE_CATEGORY, { input: { id: 'api-other', name: 'Other Root' } });
    const renamed = await merchandiser<{ updateCategory: CategoryResult }>(UPDATE_CATEGORY, { input: { id: 'api-child', name: 'Shovels' } });
    expect(renamed.data?.updateCategory).toMatchObject({ name: 'Shovels', parent: { id: 'api-root' } });
    const moved = await merchandiser<{ updateCategory: CategoryResult }>(UPDATE_CATEGORY, { input: { id: 'api-child', parentId: 'api-other' } });
    expect(moved.data?.updateCategory).toMatchObject({ name: 'Shovels', path: [{ id: 'api-other' }, { id: 'api-child' }] });
    const rooted = await merchandiser<{ updateCategory: CategoryResult }>(UPDATE_CATEGORY, { input: { id: 'api-child', parentId: null } });
    expect(rooted.data?.updateCategory).toMatchObject({ parent: null, path: [{ id: 'api-child' }] });
    const entries = await audit('api-child');
    expect(entries.map((entry) => entry.action)).toEqual(['update', 'update', 'update', 'create']);
    expect(JSON.parse(entries[0]?.summary ?? '{}')).toEqual({ before: { name: 'Shovels', parentId: 'api-other' }, after: { name: 'Shovels', parentId: null } });
  });

  it('refuses a cycle, an unknown category and a blank name, writing nothing', async () => {
    await merchandiser(UPDATE_CATEGORY, { input: { id: 'api-child', parentId: 'api-root' } });
    await merchandiser(CREATE_CATEGORY, { input: { id: 'api-grandchild', name: 'Trowels', parentId: 'api-child' } });
    const before = await catalogue();
    expectBadInput(await merchandiser(UPDATE_CATEGORY, { input: { id: 'api-root', parentId: 'api-grandchild' } }), 'input.parentId');
    expectBadInput(await merchandiser(UPDATE_CATEGORY, { input: { id: 'api-root', parentId: 'api-root' } }), 'input.parentId');
    expectBadInput(await merchandiser(UPDATE_CATEGORY, { input: { id: 'api-root', name: '  ' } }), 'input.name');
    expect(codeOf(await merchandiser(UPDATE_CATEGORY, { input: { id: 'no-such-category', name: 'X' } }))).toBe('NOT_FOUND');
    expect(await catalogue()).toBe(before);
  });

  it('never lets two opposite moves fired at once both commit: one is refused as a cycle', async () => {
    const ROUNDS = 20;
    for (const id of ['race-a', 'race-b']) expect((await merchandiser(CREATE_CATEGORY, { input: { id, name: id } })).errors).toBeUndefined();
    const cycles = async () => (await h.graph.read<{ n: number }>('MATCH (c:Category) WHERE EXISTS { (c)-[:SUBCATEGORY_OF*1..]->(c) } RETURN count(c) AS n'))[0]?.n;
    for (let round = 0; round < ROUNDS; round += 1) {
      const [aUnderB, bUnderA] = await Promise.all([
        merchandiser(UPDATE_CATEGORY, { input: { id: 'race-a', parentId: 'race-b' } }),
        merchandiser(UPDATE_CATEGORY, { input: { id: 'race-b', parentId: 'race-a' } }),
      ]);
      const refused = [aUnderB, bUnderA].filter((response) => response.errors !== undefined);
      expect(refused, `round ${round}`).toHaveLength(1);
      expectBadInput(refused[0] as GqlResponse<unknown>, 'input.parentId');
      expect(refused[0]?.errors?.[0]?.message).toContain('would create a cycle');
      expect(await cycles()).toBe(0);
      // Both roots again for the next round.
      for (const id of ['race-a', 'race-b']) expect((await merchandiser(UPDATE_CATEGORY, { input: { id, parentId: null } })).errors).toBeUndefined();
    }
    for (const id of ['race-a', 'race-b']) await merchandiser(DELETE_CATEGORY, { id });
  });

  it('refuses to delete a category with contents unless they move to its parent', async () => {
    // A leaf of the demo shop with products, under a subcategory.
    const [leaf] = await h.graph.read<{ id: string; parentId: string; products: string[] }>(
      `MATCH (c:Category)-[:SUBCATEGORY_OF]->(parent:Category) WHERE EXISTS { (:Product)-[:IN_CATEGORY]->(c) }
       RETURN c.id AS id, parent.id AS parentId, COLLECT { MATCH (p:Product)-[:IN_CATEGORY]->(c) RETURN p.id } AS products ORDER BY id LIMIT 1`,
    );
    if (!leaf) throw new Error('the demo shop has no leaf category with products');
    const pin = await merchandiser('mutation ($p: ID!, $c: ID!) { pinProduct(productId: $p, categoryId: $c, position: 1) { id } }', { p: leaf.products[0], c: leaf.id });
    expect(pin.errors).toBeUndefined();
    const before = await catalogue();
    const refused = await merchandiser(DELETE_CATEGORY, { id: leaf.id });
    expectBadInput(refused, 'moveToParent');
    expect(refused.errors?.[0]?.message).toContain(`${leaf.products.length} product`);
    expect(await catalogue()).toBe(before);

    expect((await merchandiser<{ deleteCategory: boolean }>(DELETE_CATEGORY, { id: leaf.id, move: true })).data?.deleteCategory).toBe(true);
    const [after] = await h.graph.read<{ categories: string[]; rules: number }>(
      `MATCH (p:Product)-[:IN_CATEGORY]->(c:Category) WHERE p.id IN $ids
       RETURN collect(DISTINCT c.id) AS categories, COUNT { (r:MerchRule {categoryId: $leaf}) } AS rules`,
      { ids: leaf.products, leaf: leaf.id },
    );
    expect(after).toEqual({ categories: [leaf.parentId], rules: 0 });
    const [entry] = await audit(leaf.id);
    expect(entry?.action).toBe('delete');
    expect(JSON.parse(entry?.summary ?? '{}')).toMatchObject({ moved: { parentId: leaf.parentId, products: leaf.products.length, subcategories: 0 }, rulesDeleted: 1 });
  });

  it('moves subcategories to the parent; a root with contents cannot be deleted; an empty one can; an unknown one answers false', async () => {
    expectBadInput(await merchandiser(DELETE_CATEGORY, { id: 'api-child' }), 'moveToParent');
    expect((await merchandiser<{ deleteCategory: boolean }>(DELETE_CATEGORY, { id: 'api-child', move: true })).data?.deleteCategory).toBe(true);
    const grandchild = await h.gql<{ category: CategoryResult }>(`query { category(id: "api-grandchild") { ${CATEGORY_FIELDS} } }`);
    expect(grandchild.data?.category.path).toEqual([{ id: 'api-root' }, { id: 'api-grandchild' }]);
    expectBadInput(await merchandiser(DELETE_CATEGORY, { id: 'api-root', move: true }), 'moveToParent');
    expect((await merchandiser<{ deleteCategory: boolean }>(DELETE_CATEGORY, { id: 'api-other' })).data?.deleteCategory).toBe(true);
    expect((await merchandiser<{ deleteCategory: boolean }>(DELETE_CATEGORY, { id: 'api-other' })).data?.deleteCategory).toBe(false);
  });
});

describe('brands', () => {
  it('creates and renames a brand; products show the new name', async () => {
    const created = await merchandiser<{ createBrand: { id: string; name: string } }>(CREATE_BRAND, { input: { id: 'api-brand', name: ' Acme   Tools ' } });
    expect(created.data?.createBrand).toEqual({ id: 'api-brand', name: 'Acme Tools' });
    const upsert = await merchandiser('mutation { upsertProduct(input: { id: "api-branded", title: "Rake", brandId: "api-brand" }) { brand { name } } }');
    expect(upsert.data).toEqual({ upsertProduct: { brand: { name: 'Acme Tools' } } });
    const renamed = await merchandiser<{ updateBrand: { name: string } }>(UPDATE_BRAND, { input: { id: 'api-brand', name: 'Acme' } });
    expect(renamed.data?.updateBrand.name).toBe('Acme');
    const product = await h.gql<{ product: { brand: { name: string } } }>('{ product(id: "api-branded") { brand { name } } }');
    expect(product.data?.product.brand.name).toBe('Acme');
    const brands = await h.gql<{ brands: Array<{ id: string; name: string }> }>('{ brands { id name } }');
    expect(brands.data?.brands).toContainEqual({ id: 'api-brand', name: 'Acme' });
    const entries = await audit('api-brand');
    expect(entries.map((entry) => [entry.entityType, entry.action])).toEqual([['brand', 'update'], ['brand', 'create']]);
    expect(JSON.parse(entries[0]?.summary ?? '{}')).toEqual({ before: { name: 'Acme Tools' }, after: { name: 'Acme' } });
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const before = await catalogue();
    expectBadInput(await merchandiser(CREATE_BRAND, { input: { id: 'api-brand-2', name: ' ' } }), 'input.name');
    expectBadInput(await merchandiser(CREATE_BRAND, { input: { id: '', name: 'Nameless' } }), 'input.id');
    expectBadInput(await merchandiser(CREATE_BRAND, { input: { id: 'api-brand', name: 'Twice' } }), 'input.id');
    expectBadInput(await merchandiser(UPDATE_BRAND, { input: { id: 'api-brand', name: '' } }), 'input.name');
    expect(codeOf(await merchandiser(UPDATE_BRAND, { input: { id: 'no-such-brand', name: 'X' } }))).toBe('NOT_FOUND');
    expect(await catalogue()).toBe(before);
  });

  it('refuses to delete a brand its products still have unless they are unlinked', async () => {
    expectBadInput(await merchandiser(DELETE_BRAND, { id: 'api-brand' }), 'unlinkProducts');
    expect((await merchandiser<{ deleteBrand: boolean }>(DELETE_BRAND, { id: 'api-brand', unlink: true })).data?.deleteBrand).toBe(true);
    const product = await h.gql<{ product: { brand: null } }>('{ product(id: "api-branded") { brand { name } } }');
    expect(product.data?.product.brand).toBeNull();
    expect((await merchandiser<{ deleteBrand: boolean }>(DELETE_BRAND, { id: 'api-brand' })).data?.deleteBrand).toBe(false);
    expect(JSON.parse((await audit('api-brand'))[0]?.summary ?? '{}')).toEqual({ before: { name: 'Acme' }, productsUnlinked: 1 });
  });
});
