import neo4j from 'neo4j-driver';
import type { Graph, Row, Transaction } from './graph.js';

/**
 * Typed reads of the shop graph for serving: each function answers a whole list of ids with one query
 * (the API's DataLoaders batch into them), and the ranking reads load their data in bulk. Relationship
 * types of behaviour aggregates mirror BEHAVIOUR_RELATIONSHIP in src/domain/behaviours.ts.
 */

/** LIMIT and procedure limits need Cypher integers; plain JavaScript numbers arrive as floats. */
const int = (value: number) => neo4j.int(Math.max(0, Math.floor(value)));

export interface NamedRef {
  id: string;
  name: string;
}

export interface CategoryData extends NamedRef {
  /** From the root down to this category, inclusive. */
  path: NamedRef[];
}

export interface ProductData {
  id: string;
  title: string;
  description: string | null;
  price: number | null;
  currency: string | null;
  inStock: boolean;
  createdAt: number | null;
  updatedAt: number | null;
  /** The category with its path and the brand come with the product: what nearly every product list shows. */
  category: CategoryData | null;
  brand: NamedRef | null;
}

// Cycles are refused at ingestion, so the variable-length walk to the root ends.
const CATEGORY_WITH_PATH = (c: string) => `{id: ${c}.id, name: ${c}.name, path: COLLECT {
    OPTIONAL MATCH up = (${c})-[:SUBCATEGORY_OF*1..]->(root:Category) WHERE NOT (root)-[:SUBCATEGORY_OF]->()
    RETURN [n IN CASE WHEN up IS NULL THEN [${c}] ELSE reverse(nodes(up)) END | {id: n.id, name: n.name}] LIMIT 1 }[0]}`;

const PRODUCT_FIELDS = `p.id AS id, p.title AS title, p.description AS description, p.price AS price,
  p.currency AS currency, coalesce(p.inStock, true) AS inStock, p.createdAt AS createdAt, p.updatedAt AS updatedAt,
  COLLECT { MATCH (p)-[:IN_CATEGORY]->(c:Category) RETURN ${CATEGORY_WITH_PATH('c')} LIMIT 1 }[0] AS category,
  COLLECT { MATCH (p)-[:HAS_BRAND]->(b:Brand) RETURN {id: b.id, name: b.name} LIMIT 1 }[0] AS brand`;

const READ_PRODUCTS = `UNWIND $ids AS id MATCH (p:Product {id: id}) RETURN ${PRODUCT_FIELDS}`;

export async function readProducts(graph: Graph, ids: readonly string[]): Promise<ProductData[]> {
  if (ids.length === 0) return [];
  return graph.read<ProductData & Record<string, unknown>>(READ_PRODUCTS, { ids: [...new Set(ids)] });
}

export interface ProductQuery {
  ids?: readonly string[] | undefined;
  categoryId?: string | undefined;
  brandIds?: readonly string[] | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStockOnly?: boolean | undefined;
  /** Only ids after this one (exclusive): keyset pagination in id order. */
  after?: string | undefined;
  limit: number;
}

// Keyset pagination over the id (unique, indexed) rather than SKIP, so deep pages cost the same as the first.
const LIST_PRODUCTS = `
MATCH (p:Product)
WHERE ($ids IS NULL OR p.id IN $ids)
  AND ($after IS NULL OR p.id > $after)
  AND ($minPrice IS NULL OR p.price >= $minPrice)
  AND ($maxPrice IS NULL OR p.price <= $maxPrice)
  AND (NOT $inStockOnly OR coalesce(p.inStock, true))
  AND ($brandIds IS NULL OR EXISTS { MATCH (p)-[:HAS_BRAND]->(b:Brand) WHERE b.id IN $brandIds })
  AND ($categoryId IS NULL OR EXISTS { MATCH (p)-[:IN_CATEGORY]->(:Category)-[:SUBCATEGORY_OF*0..]->(:Category {id: $categoryId}) })
WITH p ORDER BY p.id LIMIT $limit
RETURN ${PRODUCT_FIELDS}`;

/** Products matching a filter, in id order. */
export async function listProducts(graph: Graph, query: ProductQuery): Promise<ProductData[]> {
  return graph.read<ProductData & Record<string, unknown>>(LIST_PRODUCTS, {
    ids: query.ids ? [...query.ids] : null,
    after: query.after ?? null,
    minPrice: query.minPrice ?? null,
    maxPrice: query.maxPrice ?? null,
    inStockOnly: query.inStockOnly ?? false,
    brandIds: query.brandIds ? [...query.brandIds] : null,
    categoryId: query.categoryId ?? null,
    limit: int(query.limit),
  });
}

export interface CategoryRow {
  id: string;
  name: string;
  parentId: string | null;
}

const READ_ALL_CATEGORIES = `
MATCH (c:Category)
RETURN c.id AS id, c.name AS name, COLLECT { MATCH (c)-[:SUBCATEGORY_OF]->(parent:Category) RETURN parent.id LIMIT 1 }[0] AS parentId
ORDER BY id`;

/**
 * The whole category tree as rows; small (hundreds to a few thousand) in any shop. Inside a transaction
 * that holds the tree's lock (lockCategoryTree), it is the tree no other move can change until it ends.
 */
export async function readAllCategories(runner: Graph | Transaction): Promise<CategoryRow[]> {
  return 'transaction' in runner
    ? runner.read<CategoryRow & Record<string, unknown>>(READ_ALL_CATEGORIES)
    : runner.run<CategoryRow & Record<string, unknown>>(READ_ALL_CATEGORIES);
}

const READ_CATEGORIES = `UNWIND $ids AS id MATCH (c:Category {id: id}) RETURN ${CATEGORY_WITH_PATH('c')} AS category`;

export async function readCategories(graph: Graph, ids: readonly string[]): Promise<CategoryData[]> {
  if (ids.length === 0) return [];
  const rows = await graph.read<{ category: CategoryData }>(READ_CATEGORIES, { ids: [...new Set(ids)] });
  return rows.map((row) => row.category);
}

const READ_CHILD_CATEGORIES = `
UNWIND $ids AS parentId
MATCH (c:Category)-[:SUBCATEGORY_OF]->(:Category {id: parentId})
RETURN parentId, c.id AS id, c.name AS name
ORDER BY parentId, name`;

export async function readChildCategories(graph: Graph, parentIds: readonly string[]): Promise<Array<NamedRef & { parentId: string }>> {
  if (parentIds.length === 0) return [];
  return graph.read<NamedRef & { parentId: string } & Record<string, unknown>>(READ_CHILD_CATEGORIES, { ids: [...new Set(parentIds)] });
}

const READ_ALL_BRANDS = 'MATCH (b:Brand) RETURN b.id AS id, b.name AS name';

/** Every brand's name (a few hundred in a shop). */
export async function readBrands(graph: Graph): Promise<NamedRef[]> {
  return graph.read<NamedRef & Record<string, unknown>>(READ_ALL_BRANDS);
}

const READ_USERS = 'UNWIND $ids AS id MATCH (u:User {id: id}) RETURN u.id AS id';

/** Which of the ids are users. */
export async function readUsers(graph: Graph, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await graph.read<{ id: string }>(READ_USERS, { ids: [...new Set(ids)] });
  return new Set(rows.map((row) => row.id));
}

export interface BehaviourData {
  userId: string;
  productId: string;
  /** The aggregate relationship type: VIEWED, CLICKED, ADDED_TO_CART or PURCHASED. */
  relationship: string;
  count: number;
  quantity: number;
  firstAt: number;
  lastAt: number;
}

const READ_BEHAVIOURS = `
UNWIND $ids AS userId
MATCH (u:User {id: userId})
CALL (u) {
  MATCH (u)-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED|HIDDEN]->(p:Product)
  RETURN p.id AS productId, type(r) AS relationship, r.count AS count, coalesce(r.quantity, r.count) AS quantity,
         r.firstAt AS firstAt, r.lastAt AS lastAt
  ORDER BY r.lastAt DESC
  LIMIT $limit
}
RETURN userId, productId, relationship, count, quantity, firstAt, lastAt`;

/** The most recent behaviour aggregates of each user, at most `limitPerUser` each, newest first. */
export async function readBehaviours(graph: Graph, userIds: readonly string[], limitPerUser: number): Promise<BehaviourData[]> {
  if (userIds.length === 0) return [];
  return graph.read<BehaviourData & Record<string, unknown>>(READ_BEHAVIOURS, { ids: [...new Set(userIds)], limit: int(limitPerUser) });
}

export interface RelationData {
  from: string;
  to: string;
  type: string;
  weight: number;
  updatedAt: number | null;
  updatedBy: string | null;
}

// Relation types are matched as data (`type(r) IN $types`), so the allow-list never becomes query text.
const READ_RELATIONS = `
UNWIND $ids AS id
MATCH (:Product {id: id})-[r]->(q:Product) WHERE type(r) IN $types
RETURN id AS from, q.id AS to, type(r) AS type, coalesce(r.weight, 1.0) AS weight, r.updatedAt AS updatedAt, r.updatedBy AS updatedBy
ORDER BY from, weight DESC, to`;

/** Merchandiser relations leaving each product, strongest first. */
export async function readRelations(graph: Graph, productIds: readonly string[], types: readonly string[]): Promise<RelationData[]> {
  if (productIds.length === 0 || types.length === 0) return [];
  return graph.read<RelationData & Record<string, unknown>>(READ_RELATIONS, { ids: [...new Set(productIds)], types: [...types] });
}

export interface ProductAttributeRow {
  productId: string;
  key: string;
  value: string;
}

const READ_PRODUCT_ATTRIBUTES = `
UNWIND $ids AS id
MATCH (:Product {id: id})-[:HAS_ATTRIBUTE]->(a:Attribute)
RETURN id AS productId, a.key AS key, a.value AS value
ORDER BY productId, key, value`;

/** The attributes of each product, by key and value: one query for the whole list. */
export async function readProductAttributes(graph: Graph, productIds: readonly string[]): Promise<ProductAttributeRow[]> {
  if (productIds.length === 0) return [];
  return graph.read<ProductAttributeRow & Record<string, unknown>>(READ_PRODUCT_ATTRIBUTES, { ids: [...new Set(productIds)] });
}

/* ---------- ranking reads ---------- */

export interface PopularityRow {
  id: string;
  /** Held with the catalogue so that explanations name products without a query per request. */
  title: string;
  categoryId: string | null;
  brandId: string | null;
  price: number | null;
  inStock: boolean;
  /** Time-decayed, behaviour-weighted event count. */
  popularity: number;
  /** The same with the short half-life of recency (what is trending now). */
  recentPopularity: number;
  purchases: number;
}

export interface PopularityParameters {
  /** Weight of one event per aggregate relationship type, e.g. {VIEWED: 1, PURCHASED: 8}. */
  weights: Record<string, number>;
  /** Popularity halves every this many milliseconds. */
  halfLifeMs: number;
  /** Recent popularity halves every this many milliseconds. */
  recentHalfLifeMs: number;
  /** The server's clock (epoch milliseconds): the reference time is never later than this. */
  now: number;
}

/**
 * One row per product with its popularity. An aggregate only keeps firstAt and lastAt, so its events are
 * taken as spread evenly between the two, and the decay is averaged over that span:
 * τ/(L−F)·(e^−(T−L)/τ − e^−(T−F)/τ), or e^−(T−L)/τ when L = F. The reference time T is the newest event in
 * the graph, which keeps the exponentials in range for historic data; it scales every score alike.
 *
 * T is never later than the server's clock, and times after T count as T: a future-dated event that got in
 * past validation (written by hand, by an older version) would otherwise move T ahead and decay every other
 * product to nothing, or, were only T clamped, weigh e^((L−T)/τ), without bound. A historic data set, all of
 * it in the past, keeps its own newest event as T.
 */
const REFERENCE_OF_ALL = `
CALL () {
  MATCH ()-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->()
  WITH toFloat(coalesce(max(r.lastAt), 0)) AS newest
  RETURN CASE WHEN newest > $now THEN $now ELSE newest END AS reference
}
MATCH (p:Product)`;

// A refresh: the reference moves only as far as the changed products' newest event (times only grow,
// short of a deletion, which makes readers load everything again).
const REFERENCE_OF_CHANGED = `
CALL () {
  UNWIND $ids AS id
  MATCH (:User)-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->(:Product {id: id})
  WITH toFloat(coalesce(max(r.lastAt), 0)) AS newest
  WITH CASE WHEN newest > $previousReference THEN newest ELSE $previousReference END AS newest
  RETURN CASE WHEN newest > $now THEN $now ELSE newest END AS reference
}
UNWIND $ids AS id
MATCH (p:Product {id: id})`;

const PRODUCT_POPULARITY = `
CALL (p, reference) {
  OPTIONAL MATCH (:User)-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->(p)
  WITH r, reference, toFloat(r.lastAt) AS storedLast, toFloat(r.firstAt) AS storedFirst
  WITH r, reference, CASE WHEN storedLast > reference THEN reference ELSE storedLast END AS lastAt,
    CASE WHEN storedFirst > reference THEN reference ELSE storedFirst END AS firstAt
  WITH r, CASE
      WHEN r IS NULL THEN 0.0
      WHEN lastAt - firstAt < 1.0 THEN exp(-(reference - lastAt) / $tau)
      ELSE $tau / (lastAt - firstAt) * (exp(-(reference - lastAt) / $tau) - exp(-(reference - firstAt) / $tau))
    END AS decay, CASE
      WHEN r IS NULL THEN 0.0
      WHEN lastAt - firstAt < 1.0 THEN exp(-(reference - lastAt) / $recentTau)
      ELSE $recentTau / (lastAt - firstAt) * (exp(-(reference - lastAt) / $recentTau) - exp(-(reference - firstAt) / $recentTau))
    END AS recentDecay
  RETURN coalesce(sum(coalesce($weights[type(r)], 0.0) * r.count * decay), 0.0) AS popularity,
         coalesce(sum(coalesce($weights[type(r)], 0.0) * r.count * recentDecay), 0.0) AS recentPopularity,
         coalesce(sum(CASE WHEN type(r) = 'PURCHASED' THEN r.count ELSE 0 END), 0) AS purchases
}
RETURN p.id AS id, coalesce(p.title, p.id) AS title,
  COLLECT { MATCH (p)-[:IN_CATEGORY]->(c:Category) RETURN c.id LIMIT 1 }[0] AS categoryId,
  COLLECT { MATCH (p)-[:HAS_BRAND]->(b:Brand) RETURN b.id LIMIT 1 }[0] AS brandId,
  p.price AS price, coalesce(p.inStock, true) AS inStock, popularity, recentPopularity, purchases, reference`;

export interface PopularityRead {
  /** The reference time T of the decay (epoch milliseconds): the newest event, never later than `now`. */
  reference: number;
  rows: PopularityRow[];
}

/** Only these products, decayed from the newer of `previousReference` and their own newest event (a refresh). */
export interface PopularityRefresh {
  productIds: readonly string[];
  previousReference: number;
}

/** Every product's popularity or, given `refresh`, only the changed products'. */
export async function readPopularity(graph: Graph, parameters: PopularityParameters, refresh?: PopularityRefresh): Promise<PopularityRead> {
  const query = `${refresh ? REFERENCE_OF_CHANGED : REFERENCE_OF_ALL}${PRODUCT_POPULARITY}`;
  const rows = await graph.read<PopularityRow & { reference: number } & Record<string, unknown>>(query, {
    weights: parameters.weights,
    tau: decayTau(parameters.halfLifeMs),
    recentTau: decayTau(parameters.recentHalfLifeMs),
    now: parameters.now,
    ...(refresh ? { ids: [...refresh.productIds], previousReference: refresh.previousReference } : {}),
  });
  const reference = rows[0]?.reference ?? refresh?.previousReference ?? 0;
  return { reference, rows: rows.map(({ reference: _reference, ...row }) => row) };
}

/** The e-folding time of a half-life: e^(−t/τ) = 2^(−t/halfLife). */
export const decayTau = (halfLifeMs: number): number => halfLifeMs / Math.LN2;

export interface ProfileRow {
  productId: string;
  relationship: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

// Categories and brands are left to the ranker's catalogue snapshot: this query runs on every request.
const READ_PROFILES = `
UNWIND $userIds AS userId
MATCH (:User {id: userId})-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED|HIDDEN]->(p:Product)
RETURN userId, p.id AS productId, type(r) AS relationship, r.count AS count, r.firstAt AS firstAt, r.lastAt AS lastAt`;

/** The behaviour aggregates of several users in one query, by user id (an unknown user has none). */
export async function readProfiles(graph: Graph, userIds: readonly string[]): Promise<Map<string, ProfileRow[]>> {
  const byUser = new Map<string, ProfileRow[]>(userIds.map((userId) => [userId, []]));
  const rows = await graph.read<ProfileRow & { userId: string } & Row>(READ_PROFILES, { userIds: [...byUser.keys()] });
  for (const { userId, ...row } of rows) byUser.get(userId)?.push(row);
  return byUser;
}

/** Every behaviour aggregate of one user: the input of personalisation. */
export async function readProfile(graph: Graph, userId: string): Promise<ProfileRow[]> {
  return (await readProfiles(graph, [userId])).get(userId) ?? [];
}

export interface ScoredId {
  id: string;
  score: number;
}

const FULL_TEXT_PRODUCTS_MANY = `
UNWIND range(0, size($queries) - 1) AS i
CALL db.index.fulltext.queryNodes('product_text', $queries[i], {limit: $limits[i]}) YIELD node, score
RETURN i, node.id AS id, score`;

/** The matches of several Lucene queries in one round trip, each list best first. */
export async function fullTextProductsMany(graph: Graph, queries: readonly { query: string; limit: number }[]): Promise<ScoredId[][]> {
  const rows = await graph.read<ScoredId & { i: number } & Row>(FULL_TEXT_PRODUCTS_MANY, {
    queries: queries.map((query) => query.query),
    limits: queries.map((query) => int(query.limit)),
  });
  const lists: ScoredId[][] = queries.map(() => []);
  for (const { i, id, score } of rows) lists[i]?.push({ id, score });
  for (const list of lists) list.sort((a, b) => b.score - a.score);
  return lists;
}

/** Products matching a Lucene query (already escaped by the caller), best BM25 score first. */
export async function fullTextProducts(graph: Graph, luceneQuery: string, limit: number): Promise<ScoredId[]> {
  return (await fullTextProductsMany(graph, [{ query: luceneQuery, limit }]))[0] ?? [];
}

export interface NeighbourResult {
  categoryId: string | null;
  hasEmbedding: boolean;
  /** Nearest products by cosine similarity of embeddings, the product itself left out; empty without an embedding. */
  neighbours: ScoredId[];
}

// One round trip whether or not the product has an embedding: the subquery yields an empty list without one.
const NEAREST_PRODUCTS = `
MATCH (p:Product {id: $id})
CALL (p) {
  WITH p WHERE p.embedding IS NOT NULL
  CALL db.index.vector.queryNodes('product_embedding', $k, p.embedding) YIELD node, score
  WITH node, score WHERE node <> p
  RETURN collect({id: node.id, score: score}) AS neighbours
}
RETURN COLLECT { MATCH (p)-[:IN_CATEGORY]->(c:Category) RETURN c.id LIMIT 1 }[0] AS categoryId,
  p.embedding IS NOT NULL AS hasEmbedding, neighbours`;

/** Null when the product does not exist. */
export async function nearestProducts(graph: Graph, productId: string, k: number): Promise<NeighbourResult | null> {
  const [row] = await graph.read<NeighbourResult & Record<string, unknown>>(NEAREST_PRODUCTS, { id: productId, k: int(k) });
  return row ?? null;
}

/** Neo4j answers a trivial query: the health check. */
export async function ping(graph: Graph): Promise<void> {
  await graph.read('RETURN 1 AS ok');
}
