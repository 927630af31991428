import type { Transaction } from './graph.js';

/**
 * Removals made by merchandisers through the API. Upserts reuse the ingestion writes in shopWrites.ts; these
 * are the deletions ingestion never needs. Each runs inside the caller's transaction.
 */

// The relation type is matched as data, so it never becomes query text.
const DELETE_RELATION = `
MATCH (:Product {id: $from})-[r]->(:Product {id: $to}) WHERE type(r) = $type
DELETE r
RETURN count(*) AS deleted`;

/** Removes one merchandiser relation; returns whether there was one. */
export async function deleteRelation(tx: Transaction, from: string, to: string, type: string): Promise<boolean> {
  const [row] = await tx.run<{ deleted: number }>(DELETE_RELATION, { from, to, type });
  return (row?.deleted ?? 0) > 0;
}

// Raw events name products by id, not by relationship, so the event log is left as it is.
const DELETE_PRODUCT = `
MATCH (p:Product {id: $id})
DETACH DELETE p
RETURN count(*) AS deleted`;

/** Deletes a product with its category, brand, behaviour and merchandiser relationships; returns whether it existed. */
export async function deleteProduct(tx: Transaction, id: string): Promise<boolean> {
  const [row] = await tx.run<{ deleted: number }>(DELETE_PRODUCT, { id });
  return (row?.deleted ?? 0) > 0;
}
