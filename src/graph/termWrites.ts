import type { Graph } from './graph.js';
import type { ProductTerms, ProductText } from '../text/vocabulary.js';

/**
 * Reads every product's text and keeps the graph's HAS_TERM relationships equal to the chosen terms. Each
 * product carries `termsKey` (its sorted terms), so a refresh rewrites only the products whose terms
 * changed: running it twice changes nothing the second time.
 */

const READ_PRODUCT_TEXTS = 'MATCH (p:Product) RETURN p.id AS id, p.title AS title, p.description AS description';

// One batch: for products whose key changed, drop the old links and create the new ones.
const WRITE_PRODUCT_TERMS = `
UNWIND $rows AS row
MATCH (p:Product {id: row.id})
WHERE coalesce(p.termsKey, '') <> row.key
SET p.termsKey = row.key
WITH p, row
CALL (p, row) {
  OPTIONAL MATCH (p)-[old:HAS_TERM]->()
  DELETE old
}
CALL (p, row) {
  UNWIND row.terms AS term
  MERGE (t:Term {id: term})
  MERGE (p)-[:HAS_TERM]->(t)
}
RETURN count(p) AS changed`;

const DELETE_ORPHAN_TERMS = 'MATCH (t:Term) WHERE NOT (t)<-[:HAS_TERM]-() CALL (t) { DELETE t } IN TRANSACTIONS OF 10000 ROWS';

export const TERM_BATCH_SIZE = 2_000;

export async function readProductTexts(graph: Graph): Promise<ProductText[]> {
  const texts: ProductText[] = [];
  for await (const [id, title, description] of graph.stream(READ_PRODUCT_TEXTS)) {
    texts.push({ id: String(id), title: typeof title === 'string' ? title : '', description: typeof description === 'string' ? description : null });
  }
  return texts;
}

/** Writes the terms in batches (each its own transaction) and removes terms no product has any more. */
export async function writeProductTerms(graph: Graph, products: readonly ProductTerms[], onProgress?: (done: number) => void): Promise<{ changed: number }> {
  let changed = 0;
  for (let start = 0; start < products.length; start += TERM_BATCH_SIZE) {
    const rows = products.slice(start, start + TERM_BATCH_SIZE).map((product) => ({ id: product.id, terms: product.terms, key: [...product.terms].sort().join(' ') }));
    const [result] = await graph.write<{ changed: unknown }>(WRITE_PRODUCT_TERMS, { rows });
    changed += Number(result?.changed ?? 0);
    onProgress?.(Math.min(products.length, start + TERM_BATCH_SIZE));
  }
  await graph.autoCommit(DELETE_ORPHAN_TERMS);
  return { changed };
}
