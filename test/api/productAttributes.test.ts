import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/** Merchandisers set product attributes through upsertProduct, and `product { attributes }` reads them. */

let h: Harness;

const UPSERT = `mutation ($input: ProductInput!) { upsertProduct(input: $input) { id attributes { key value } } }`;
const READ = `query ($id: ID!) { product(id: $id) { attributes { key value } } }`;

type Attributes = Array<{ key: string; value: string }>;

const upsert = (input: Record<string, unknown>) => h.gql<{ upsertProduct: { id: string; attributes: Attributes } }>(UPSERT, { input }, TOKENS.merchandiser);

beforeAll(async () => {
  h = await startHarness({ shop: false, model: false });
});
afterAll(async () => {
  await h?.stop();
});

describe('product attributes through the API', () => {
  it('sets, keeps and replaces attributes', async () => {
    const created = await upsert({ id: 'lamp', title: 'Lamp', attributes: [{ key: 'colour', value: 'red' }, { key: 'compatible_with', value: 'E27' }, { key: 'compatible_with', value: 'E14' }] });
    expect(created.errors).toBeUndefined();
    expect(created.data?.upsertProduct.attributes).toEqual([
      { key: 'colour', value: 'red' },
      { key: 'compatible_with', value: 'E14' },
      { key: 'compatible_with', value: 'E27' },
    ]);
    // Without `attributes` the stored ones stay; with a list they are replaced.
    expect((await upsert({ id: 'lamp', title: 'Desk lamp' })).data?.upsertProduct.attributes).toHaveLength(3);
    await upsert({ id: 'lamp', title: 'Desk lamp', attributes: [{ key: 'colour', value: 'green' }] });
    const read = await h.gql<{ product: { attributes: Attributes } }>(READ, { id: 'lamp' });
    expect(read.data?.product.attributes).toEqual([{ key: 'colour', value: 'green' }]);
    const links = await h.graph.read<{ n: number }>('MATCH (:Product {id: "lamp"})-[r:HAS_ATTRIBUTE]->() RETURN count(r) AS n');
    expect(Number(links[0]?.n)).toBe(1);
  });

  it('refuses a bad key or value naming the field, and writes nothing', async () => {
    const badKey = await upsert({ id: 'lamp', title: 'Renamed', attributes: [{ key: 'colour', value: 'blue' }, { key: 'Colour!', value: 'blue' }] });
    expect(codeOf(badKey)).toBe('BAD_USER_INPUT');
    expect(badKey.errors?.[0]?.extensions?.field).toBe('input.attributes[1].key');
    const badValue = await upsert({ id: 'lamp', title: 'Renamed', attributes: [{ key: 'colour', value: 'x'.repeat(201) }] });
    expect(badValue.errors?.[0]?.extensions?.field).toBe('input.attributes[0].value');
    const read = await h.gql<{ product: { attributes: Attributes } }>(READ, { id: 'lamp' });
    expect(read.data?.product.attributes).toEqual([{ key: 'colour', value: 'green' }]);
  });
});
