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

const READ_RELATION_WEIGHT = `
MATCH (:Product {id: $from})-[r]->(:Product {id: $to}) WHERE type(r) = $type
RETURN coalesce(r.weight, 1.0) AS weight
LIMIT 1`;

/** The weight of a merchandiser relation, or null when there is none (for recording what an edit changed). */
export async function readRelationWeight(tx: Transaction, from: string, to: string, type: string): Promise<number | null> {
  const [row] = await tx.run<{ weight: number }>(READ_RELATION_WEIGHT, { from, to, type });
  return row?.weight ?? null;
}

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

/* ---------- categories and brands ---------- */

export interface CategoryState {
  id: string;
  name: string;
  parentId: string | null;
  /** Products directly in this category (not in its subcategories). */
  products: number;
  /** Direct subcategories. */
  subcategories: number;
}

const READ_CATEGORY_STATE = `
MATCH (c:Category {id: $id})
RETURN c.id AS id, c.name AS name,
  COLLECT { MATCH (c)-[:SUBCATEGORY_OF]->(parent:Category) RETURN parent.id LIMIT 1 }[0] AS parentId,
  COUNT { (:Product)-[:IN_CATEGORY]->(c) } AS products,
  COUNT { (:Category)-[:SUBCATEGORY_OF]->(c) } AS subcategories`;

/** A category as an edit needs it, read inside the edit's transaction; null when there is none. */
export async function readCategoryState(tx: Transaction, id: string): Promise<CategoryState | null> {
  const [row] = await tx.run<CategoryState & Record<string, unknown>>(READ_CATEGORY_STATE, { id });
  return row ?? null;
}

// One lock for the whole tree, not one per category: two moves can close a cycle through categories that
// neither of them touches (x under y and u under v, where y already lies below u and v below x), so locking
// the moved category and its new parent would not serialise them. Moves are rare merchandiser edits.
const LOCK_CATEGORY_TREE = `
MERGE (lock:KgrecLock {id: 'categoryTree'})
SET lock.takenAt = timestamp()`;

/**
 * Takes the category tree's write lock until `tx` ends. Every transaction that changes a category's parent
 * takes it before reading the tree, so that its cycle check sees every move committed before it and no
 * move can commit between the check and the write. Without it two opposite moves (a under b, b under a)
 * both pass their checks and both commit.
 */
export async function lockCategoryTree(tx: Transaction): Promise<void> {
  await tx.run(LOCK_CATEGORY_TREE);
}

const IS_IN_SUBTREE = `
MATCH (candidate:Category {id: $candidate}), (root:Category {id: $root})
RETURN EXISTS { MATCH (candidate)-[:SUBCATEGORY_OF*0..]->(root) } AS inside`;

/** Whether `candidate` is `root` or lies below it: such a category cannot become root's parent (a cycle). */
export async function isInSubtree(tx: Transaction, candidate: string, root: string): Promise<boolean> {
  const [row] = await tx.run<{ inside: boolean }>(IS_IN_SUBTREE, { candidate, root });
  return row?.inside ?? false;
}

const DETACH_CATEGORY_PARENT = `
MATCH (:Category {id: $id})-[link:SUBCATEGORY_OF]->(:Category)
DELETE link`;

/** Makes a category a root. */
export async function detachCategoryParent(tx: Transaction, id: string): Promise<void> {
  await tx.run(DETACH_CATEGORY_PARENT, { id });
}

// Products and subcategories move first (to the parent), so the DETACH DELETE only removes the category's own links.
const MOVE_CATEGORY_CONTENTS = `
MATCH (c:Category {id: $id})-[:SUBCATEGORY_OF]->(parent:Category)
CALL (c, parent) {
  MATCH (p:Product)-[old:IN_CATEGORY]->(c)
  DELETE old
  MERGE (p)-[:IN_CATEGORY]->(parent)
  RETURN count(p) AS products
}
CALL (c, parent) {
  MATCH (child:Category)-[old:SUBCATEGORY_OF]->(c)
  DELETE old
  MERGE (child)-[:SUBCATEGORY_OF]->(parent)
  RETURN count(child) AS subcategories
}
RETURN parent.id AS parentId, products, subcategories`;

export interface MovedContents {
  parentId: string;
  products: number;
  subcategories: number;
}

/** Moves a category's products and direct subcategories to its parent; null when it has no parent. */
export async function moveCategoryContents(tx: Transaction, id: string): Promise<MovedContents | null> {
  const [row] = await tx.run<MovedContents & Record<string, unknown>>(MOVE_CATEGORY_CONTENTS, { id });
  return row ?? null;
}

const DELETE_CATEGORY = `
MATCH (c:Category {id: $id})
DETACH DELETE c
RETURN count(*) AS deleted`;

/** Deletes a category with its remaining links; returns whether it existed. Callers check its contents first. */
export async function deleteCategory(tx: Transaction, id: string): Promise<boolean> {
  const [row] = await tx.run<{ deleted: number }>(DELETE_CATEGORY, { id });
  return (row?.deleted ?? 0) > 0;
}

export interface BrandState {
  id: string;
  name: string;
  /** Products of this brand. */
  products: number;
}

const READ_BRAND_STATE = `
MATCH (b:Brand {id: $id})
RETURN b.id AS id, b.name AS name, COUNT { (:Product)-[:HAS_BRAND]->(b) } AS products`;

export async function readBrandState(tx: Transaction, id: string): Promise<BrandState | null> {
  const [row] = await tx.run<BrandState & Record<string, unknown>>(READ_BRAND_STATE, { id });
  return row ?? null;
}

const DELETE_BRAND = `
MATCH (b:Brand {id: $id})
DETACH DELETE b
RETURN count(*) AS deleted`;

/** Deletes a brand; its products keep existing without a brand. Returns whether it existed. */
export async function deleteBrand(tx: Transaction, id: string): Promise<boolean> {
  const [row] = await tx.run<{ deleted: number }>(DELETE_BRAND, { id });
  return (row?.deleted ?? 0) > 0;
}

/* ---------- products, for the audit trail ---------- */

export interface ProductState {
  title: string | null;
  description: string | null;
  price: number | null;
  currency: string | null;
  inStock: boolean | null;
  categoryId: string | null;
  brandId: string | null;
}

const READ_PRODUCT_STATE = `
MATCH (p:Product {id: $id})
RETURN p.title AS title, p.description AS description, p.price AS price, p.currency AS currency, p.inStock AS inStock,
  COLLECT { MATCH (p)-[:IN_CATEGORY]->(c:Category) RETURN c.id LIMIT 1 }[0] AS categoryId,
  COLLECT { MATCH (p)-[:HAS_BRAND]->(b:Brand) RETURN b.id LIMIT 1 }[0] AS brandId`;

/** A product's editable fields (no embedding), for recording what an edit changed; null when there is none. */
export async function readProductState(tx: Transaction, id: string): Promise<ProductState | null> {
  const [row] = await tx.run<ProductState & Record<string, unknown>>(READ_PRODUCT_STATE, { id });
  return row ?? null;
}
