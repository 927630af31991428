/**
 * "Often bought together": for each product, the products most often bought or put in the same carts by
 * the same shoppers, by cosine similarity of their buyer sets (item-based collaborative filtering,
 * Sarwar et al. 2001) with a shrinkage that keeps a pair seen once from outranking a pair seen fifty
 * times. Built in memory from the behaviour aggregates in one pass; kept as a CSR of the top neighbours.
 */

export interface ItemNeighbourOptions {
  /** Neighbours kept per product (default 50: more than a page ever draws on). */
  neighbours?: number;
  /** Added to the cosine's denominator (default 2): a pair needs a few shared buyers to count. */
  shrinkage?: number;
  /** A shopper's products beyond this many are left out (default 300): resellers and bots would cost n² pairs. */
  maxItemsPerUser?: number;
}

export interface ItemNeighbours {
  itemCount: number;
  /** Neighbours of item i are indices[indptr[i] .. indptr[i+1]), strongest first. */
  indptr: Int32Array;
  indices: Int32Array;
  similarities: Float32Array;
}

const DEFAULTS: Required<ItemNeighbourOptions> = { neighbours: 50, shrinkage: 2, maxItemsPerUser: 300 };

/** `userItems[u]` are the distinct item indices of user u (0 ≤ index < itemCount). */
export function buildItemNeighbours(userItems: readonly (readonly number[])[], itemCount: number, options: ItemNeighbourOptions = {}): ItemNeighbours {
  const { neighbours, shrinkage, maxItemsPerUser } = { ...DEFAULTS, ...options };
  const baskets = userItems.map((items) => (items.length > maxItemsPerUser ? items.slice(0, maxItemsPerUser) : items));
  // Item → users, as a CSR.
  const support = new Int32Array(itemCount);
  for (const items of baskets) for (const item of items) support[item] = (support[item] as number) + 1;
  const usersStart = new Int32Array(itemCount + 1);
  for (let i = 0; i < itemCount; i += 1) usersStart[i + 1] = (usersStart[i] as number) + (support[i] as number);
  const itemUsers = new Int32Array(usersStart[itemCount] as number);
  const fill = usersStart.slice(0, itemCount);
  baskets.forEach((items, user) => {
    for (const item of items) {
      itemUsers[fill[item] as number] = user;
      fill[item] = (fill[item] as number) + 1;
    }
  });

  const indptr = new Int32Array(itemCount + 1);
  const indices: number[] = [];
  const similarities: number[] = [];
  const together = new Float32Array(itemCount);
  const touched: number[] = [];
  for (let item = 0; item < itemCount; item += 1) {
    for (let u = usersStart[item] as number; u < (usersStart[item + 1] as number); u += 1) {
      for (const other of baskets[itemUsers[u] as number] as readonly number[]) {
        if (other === item) continue;
        if (together[other] === 0) touched.push(other);
        together[other] = (together[other] as number) + 1;
      }
    }
    const scored = touched.map((other) => ({
      other,
      similarity: (together[other] as number) / (Math.sqrt((support[item] as number) * (support[other] as number)) + shrinkage),
    }));
    for (const other of touched) together[other] = 0;
    touched.length = 0;
    scored.sort((a, b) => b.similarity - a.similarity || a.other - b.other);
    for (const { other, similarity } of scored.slice(0, neighbours)) {
      indices.push(other);
      similarities.push(similarity);
    }
    indptr[item + 1] = indices.length;
  }
  return { itemCount, indptr, indices: Int32Array.from(indices), similarities: Float32Array.from(similarities) };
}

/**
 * Adds to `out` each neighbour's similarity to the given items, times the item's weight, and records for
 * each scored product which of the given items contributed most (for "often bought with X").
 */
export function scoreFromNeighbours(
  graph: ItemNeighbours,
  items: readonly { index: number; weight: number }[],
  out: Float32Array,
  strongestSource?: Int32Array,
  strongestValue?: Float32Array,
): void {
  for (const { index, weight } of items) {
    for (let k = graph.indptr[index] as number; k < (graph.indptr[index + 1] as number); k += 1) {
      const other = graph.indices[k] as number;
      const contribution = weight * (graph.similarities[k] as number);
      out[other] = (out[other] as number) + contribution;
      if (strongestSource && strongestValue && contribution > (strongestValue[other] as number)) {
        strongestValue[other] = contribution;
        strongestSource[other] = index;
      }
    }
  }
}
