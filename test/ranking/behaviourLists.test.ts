import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { basketRows, buildBehaviourLists, buildBehaviourListsOffThread, type BehaviourListsInput } from '../../src/ranking/behaviourLists.js';
import { DEFAULT_ITEM_ITEM } from '../../src/ranking/itemItemSignal.js';
import { reindexNeighbours } from '../../src/ranking/itemNeighbours.js';
import { entityNodeKey, KnowledgeGraphBuilder, productKey } from '../../src/recommenders/knowledgeGraph.js';

const PRODUCTS = 400;

/** Shoppers who favour a slice of the catalogue, and a KG of brands and colours over the products. */
function input(seed: number): BehaviourListsInput {
  const random = new Random(seed);
  const userItems = Array.from({ length: 300 }, () => {
    const base = random.nextInt(PRODUCTS - 40);
    return [...new Set(Array.from({ length: 2 + random.nextInt(12) }, () => base + random.nextInt(40)))];
  });
  const builder = new KnowledgeGraphBuilder(Array.from({ length: PRODUCTS }, (_, i) => productKey(`p${i}`)));
  for (let i = 0; i < PRODUCTS; i += 1) {
    builder.add(productKey(`p${i}`), 'brand', entityNodeKey(`brand-${Math.floor(i / 25)}`));
    builder.add(productKey(`p${i}`), 'colour', entityNodeKey(`colour-${i % 7}`));
  }
  return { baskets: basketRows(userItems), productCount: PRODUCTS, itemItem: DEFAULT_ITEM_ITEM, knowledgeGraph: builder.build() };
}

describe('behaviour lists built on a thread of their own', () => {
  it('equal the lists built on the calling thread, every array of them', async () => {
    const data = input(7);
    const here = buildBehaviourLists(data);
    const aside = await buildBehaviourListsOffThread(data);
    expect(here.neighbours.indices.length).toBeGreaterThan(PRODUCTS);
    expect(here.itemItem?.model.indices.length).toBeGreaterThan(PRODUCTS);
    expect(here.kg?.neighbours.indices.length).toBeGreaterThan(PRODUCTS);
    expect(aside).toEqual(here);
  });

  it('build no item × item model or KG lists when none is asked for', async () => {
    const lists = await buildBehaviourListsOffThread({ ...input(8), itemItem: null, knowledgeGraph: null });
    expect(lists.itemItem).toBeNull();
    expect(lists.kg).toBeNull();
    expect(lists.neighbours.indptr.length).toBe(PRODUCTS + 1);
  });

  it('reject, naming the cause, when the build fails', async () => {
    const bad = { ...input(9), itemItem: { model: 'rp3beta' as const, params: { alpha: 1, beta: 0.6 } } };
    await expect(buildBehaviourListsOffThread(bad)).rejects.toThrow(/rp3beta: neighbours: expected a number/);
  });

  it('are taken as they are when their order is already the snapshot order', () => {
    const lists = buildBehaviourLists({ ...input(10), itemItem: null, knowledgeGraph: null }).neighbours;
    const ids = Array.from({ length: PRODUCTS }, (_, i) => `p${i}`);
    expect(reindexNeighbours(lists, ids, new Map(ids.map((id, i) => [id, i])), PRODUCTS)).toBe(lists);
    // Another order is re-indexed: product p1's lists move to index 0.
    const swapped = new Map(ids.map((id, i) => [id, i === 0 ? 1 : i === 1 ? 0 : i]));
    const moved = reindexNeighbours(lists, ids, swapped, PRODUCTS);
    expect(moved).not.toBe(lists);
    expect(moved.indptr[1]).toBe((lists.indptr[2] as number) - (lists.indptr[1] as number));
  });
});
