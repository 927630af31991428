import type { Graph } from './graph.js';

/** Ids per query: bounds the parameter list a model with many products sends at once. */
const IDS_PER_QUERY = 50_000;

const COUNT_PRODUCTS = 'MATCH (p:Product) RETURN count(p) AS products';

const COUNT_KNOWN = `
UNWIND $ids AS id
MATCH (p:Product {id: id})
RETURN count(p) AS known`;

export interface ProductCoverage {
  /** Products in the shop graph. */
  products: number;
  /** How many of the given ids name one of them. */
  known: number;
}

/** How many of `ids` (distinct) are products of the shop graph, and how many products it has. */
export async function productCoverage(graph: Graph, ids: readonly string[]): Promise<ProductCoverage> {
  const [row] = await graph.read<{ products: number }>(COUNT_PRODUCTS);
  let known = 0;
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    const [batch] = await graph.read<{ known: number }>(COUNT_KNOWN, { ids: ids.slice(start, start + IDS_PER_QUERY) });
    known += batch?.known ?? 0;
  }
  return { products: row?.products ?? 0, known };
}
