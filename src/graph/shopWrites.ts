import neo4j from 'neo4j-driver';
import { recordBehaviourChange } from './behaviourChanges.js';
import type { Graph, Transaction } from './graph.js';
import { attributeId, type ProductAttribute } from '../domain/attributes.js';

/**
 * Batched, idempotent writes of the shop graph. Each function takes a whole batch (UNWIND) and runs inside
 * the caller's transaction, so a batch commits entirely or not at all. Re-writing the same rows changes
 * nothing: properties are compared before `updatedAt` moves, and behaviour aggregates only count events
 * that were not in the graph yet.
 */

export interface CategoryRow {
  id: string;
  name: string;
  parentId?: string | undefined;
}
export interface BrandRow {
  id: string;
  name: string;
}
export interface ProductRow {
  id: string;
  /** Only the properties the input carried: absent fields are left as they are. */
  props: Record<string, string | number | boolean>;
  categoryId?: string | undefined;
  brandId?: string | undefined;
  createdAt?: number | undefined;
  /** When given (even empty), the product's attributes become exactly these; absent leaves them as they are. */
  attributes?: ProductAttribute[] | undefined;
}
export interface EventRow {
  id: string;
  userId: string;
  productId: string;
  type: string;
  timestamp: number;
  quantity?: number | undefined;
  /** The served list the event came from, and the product's 1-based place in it (attribution). */
  servedId?: string | undefined;
  position?: number | undefined;
  /** `test` marks held-out interactions of a benchmark split: kept as events, left out of the aggregates. */
  split?: 'train' | 'test' | undefined;
  /**
   * The input gave no timestamp and the write's time stands in: a retry of such an event gets another
   * time, so the timestamp is left out when comparing it with the event stored under its id.
   */
  timestampAssumed?: boolean | undefined;
}
export interface RelationRow {
  from: string;
  to: string;
  type: string;
  weight: number;
}

/** JavaScript numbers reach Cypher as floats; counts and times are stored as integers. */
const int = (value: number) => neo4j.int(value);

const IDS_THAT_EXIST = {
  Product: 'UNWIND $ids AS id MATCH (n:Product {id: id}) RETURN id',
  Category: 'UNWIND $ids AS id MATCH (n:Category {id: id}) RETURN id',
  Brand: 'UNWIND $ids AS id MATCH (n:Brand {id: id}) RETURN id',
  Event: 'UNWIND $ids AS id MATCH (n:Event {id: id}) RETURN id',
} as const;
export type LabelWithId = keyof typeof IDS_THAT_EXIST;

/** Which of the given ids exist as nodes of the label: one query for the whole list. */
export async function existingIds(runner: Graph | Transaction, label: LabelWithId, ids: Iterable<string>): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const rows =
    'transaction' in runner
      ? await runner.read<{ id: string }>(IDS_THAT_EXIST[label], { ids: unique })
      : await runner.run<{ id: string }>(IDS_THAT_EXIST[label], { ids: unique });
  return new Set(rows.map((row) => row.id));
}

/** Upsert of a named node (categories, brands): `updatedAt` moves only when the name changes. */
const upsertNamed = (label: 'Category' | 'Brand') => `
UNWIND $rows AS r
MERGE (n:${label} {id: r.id})
  ON CREATE SET n.createdAt = $now
WITH n, r, n.name AS before
SET n.name = r.name
WITH n, r, before WHERE before IS NULL OR before <> r.name
SET n.updatedAt = $now
RETURN count(n) AS changed`;
const UPSERT_CATEGORIES = upsertNamed('Category');
const UPSERT_BRANDS = upsertNamed('Brand');

const LINK_CATEGORY_PARENTS = `
UNWIND $rows AS r
MATCH (c:Category {id: r.id})
MATCH (parent:Category {id: r.parentId})
OPTIONAL MATCH (c)-[old:SUBCATEGORY_OF]->(previous:Category) WHERE previous.id <> r.parentId
DELETE old
MERGE (c)-[:SUBCATEGORY_OF]->(parent)`;

export async function writeCategories(tx: Transaction, rows: CategoryRow[], now: number): Promise<number> {
  const [result] = await tx.run<{ changed: number }>(UPSERT_CATEGORIES, { rows, now: int(now) });
  const withParent = rows.filter((row) => row.parentId !== undefined);
  if (withParent.length > 0) await tx.run(LINK_CATEGORY_PARENTS, { rows: withParent });
  return result?.changed ?? 0;
}

export async function writeBrands(tx: Transaction, rows: BrandRow[], now: number): Promise<number> {
  const [result] = await tx.run<{ changed: number }>(UPSERT_BRANDS, { rows, now: int(now) });
  return result?.changed ?? 0;
}

const UPSERT_USERS = `
UNWIND $ids AS id
MERGE (u:User {id: id})
  ON CREATE SET u.createdAt = $now, u.created = true
WITH u WHERE u.created
REMOVE u.created
RETURN count(u) AS created`;

export async function writeUsers(tx: Transaction, ids: string[], now: number): Promise<number> {
  const [result] = await tx.run<{ created: number }>(UPSERT_USERS, { ids, now: int(now) });
  return result?.created ?? 0;
}

// `properties(p)` before and after `SET +=` tells whether anything changed; only then does updatedAt move.
const UPSERT_PRODUCTS = `
UNWIND $rows AS r
MERGE (p:Product {id: r.id})
  ON CREATE SET p.createdAt = coalesce(toInteger(r.createdAt), $now), p.inStock = true
WITH p, r, properties(p) AS before
SET p += r.props
WITH p, r, before WHERE before <> properties(p)
SET p.updatedAt = $now
RETURN collect(r.id) AS changed`;

/**
 * Points each product at its category or brand, replacing the previous one. A product whose link changed
 * counts as changed and its updatedAt moves; a link already in place writes nothing.
 */
const linkProducts = (relationship: 'IN_CATEGORY' | 'HAS_BRAND', label: 'Category' | 'Brand', field: 'categoryId' | 'brandId') => `
UNWIND $rows AS r
MATCH (p:Product {id: r.id})
MATCH (target:${label} {id: r.${field}})
OPTIONAL MATCH (p)-[old:${relationship}]->(previous:${label}) WHERE previous.id <> r.${field}
DELETE old
WITH p, target, r, count(old) AS removed
MERGE (p)-[link:${relationship}]->(target)
  ON CREATE SET link.created = true
WITH p, r, removed, link, link.created IS NOT NULL AS created
REMOVE link.created
WITH p, r WHERE created OR removed > 0
SET p.updatedAt = $now
RETURN collect(r.id) AS changed`;
const LINK_PRODUCT_CATEGORIES = linkProducts('IN_CATEGORY', 'Category', 'categoryId');
const LINK_PRODUCT_BRANDS = linkProducts('HAS_BRAND', 'Brand', 'brandId');

// A product's attribute links not in its new list go; the product counts as changed when any went.
const REMOVE_STALE_ATTRIBUTES = `
UNWIND $rows AS r
MATCH (p:Product {id: r.id})-[old:HAS_ATTRIBUTE]->(a:Attribute)
WHERE NOT a.id IN r.ids
DELETE old
WITH DISTINCT p, r
SET p.updatedAt = $now
RETURN collect(r.id) AS changed`;

// Attribute nodes are shared by every product with the pair; a link created counts the product as changed.
const LINK_ATTRIBUTES = `
UNWIND $rows AS r
MATCH (p:Product {id: r.id})
UNWIND r.attributes AS kv
MERGE (a:Attribute {id: kv.id})
  ON CREATE SET a.key = kv.key, a.value = kv.value
MERGE (p)-[link:HAS_ATTRIBUTE {key: kv.key}]->(a)
  ON CREATE SET link.created = true
WITH p, r, link, link.created IS NOT NULL AS created
REMOVE link.created
WITH p, r, sum(CASE WHEN created THEN 1 ELSE 0 END) AS added WHERE added > 0
SET p.updatedAt = $now
RETURN collect(r.id) AS changed`;

/** Replaces the attributes of the rows that carry them (one statement each for the batch); returns the changed ids. */
async function replaceAttributes(tx: Transaction, rows: ProductRow[], now: ReturnType<typeof int>): Promise<string[]> {
  const withAttributes = rows.flatMap((row) =>
    row.attributes === undefined
      ? []
      : [{ id: row.id, ids: row.attributes.map((a) => attributeId(a.key, a.value)), attributes: row.attributes.map((a) => ({ id: attributeId(a.key, a.value), key: a.key, value: a.value })) }],
  );
  if (withAttributes.length === 0) return [];
  const [removed] = await tx.run<{ changed: string[] }>(REMOVE_STALE_ATTRIBUTES, { rows: withAttributes, now });
  const [added] = await tx.run<{ changed: string[] }>(LINK_ATTRIBUTES, { rows: withAttributes, now });
  return [...(removed?.changed ?? []), ...(added?.changed ?? [])];
}

/**
 * Upserts products, their category and brand links and, where given, their attributes; returns how many
 * products were created or changed.
 */
export async function writeProducts(tx: Transaction, rows: ProductRow[], now: number): Promise<number> {
  const params = { now: int(now) };
  const changed = new Set<string>();
  const [result] = await tx.run<{ changed: string[] }>(UPSERT_PRODUCTS, { rows, ...params });
  result?.changed.forEach((id) => changed.add(id));
  for (const [statement, withLink] of [
    [LINK_PRODUCT_CATEGORIES, rows.filter((row) => row.categoryId !== undefined)],
    [LINK_PRODUCT_BRANDS, rows.filter((row) => row.brandId !== undefined)],
  ] as const) {
    if (withLink.length === 0) continue;
    const [linked] = await tx.run<{ changed: string[] }>(statement, { rows: withLink, ...params });
    linked?.changed.forEach((id) => changed.add(id));
  }
  for (const id of await replaceAttributes(tx, rows, params.now)) changed.add(id);
  return changed.size;
}

// Events go as parallel columns rather than a list of maps: the driver encodes lists of scalars several
// times faster, which on a 2-core machine is time the database gets back (measured in bench/ingest).
// Exported with their columns for bench/ingestCosts.ts, which times each part of an event write on its own.
export const CREATE_EVENTS = `
UNWIND range(0, size($ids) - 1) AS i
CREATE (:Event {id: $ids[i], userId: $userIds[i], productId: $productIds[i], type: $types[i],
                timestamp: $timestamps[i], quantity: $quantities[i], split: $splits[i],
                servedId: $servedIds[i], position: $positions[i]})`;

const PRODUCT_ELEMENTS = 'UNWIND $ids AS id MATCH (p:Product {id: id}) RETURN id, elementId(p) AS element';
const MERGE_USER_ELEMENTS = `
UNWIND $ids AS id
MERGE (u:User {id: id})
  ON CREATE SET u.createdAt = $now, u.created = true
WITH id, u, u.created IS NOT NULL AS created
REMOVE u.created
RETURN id, elementId(u) AS element, created`;

/**
 * The aggregate relationship types are a fixed set, so each gets its own statement (no dynamic types).
 * Endpoints are found by element id (looked up once per batch): cheaper than two index seeks per row.
 */
export const aggregateStatement = (relationship: string) => `
UNWIND range(0, size($users) - 1) AS i
MATCH (u) WHERE elementId(u) = $users[i]
MATCH (p) WHERE elementId(p) = $products[i]
MERGE (u)-[r:${relationship}]->(p)
  ON CREATE SET r.count = $counts[i], r.quantity = $quantities[i], r.firstAt = $firstAts[i], r.lastAt = $lastAts[i]
  ON MATCH SET r.count = r.count + $counts[i], r.quantity = r.quantity + $quantities[i],
               r.firstAt = CASE WHEN $firstAts[i] < r.firstAt THEN $firstAts[i] ELSE r.firstAt END,
               r.lastAt = CASE WHEN $lastAts[i] > r.lastAt THEN $lastAts[i] ELSE r.lastAt END`;

export interface Aggregate {
  userId: string;
  productId: string;
  count: number;
  quantity: number;
  firstAt: number;
  lastAt: number;
}

/** The fields of an event stored under its id, as `STORED_EVENTS` returns them. */
interface StoredEvent {
  id: string;
  userId: string;
  productId: string;
  type: string;
  timestamp: number;
  quantity: number | null;
  split: string | null;
  servedId: string | null;
  position: number | null;
}

// Returns nothing for ids not stored yet, so a batch of new events costs what the existence check did.
const STORED_EVENTS = `
UNWIND $ids AS id
MATCH (e:Event {id: id})
RETURN id, e.userId AS userId, e.productId AS productId, e.type AS type, e.timestamp AS timestamp,
       e.quantity AS quantity, e.split AS split, e.servedId AS servedId, e.position AS position`;

export type ComparedEventField = 'type' | 'userId' | 'productId' | 'timestamp' | 'quantity' | 'split' | 'servedId' | 'position';

export interface EventDifference {
  field: ComparedEventField;
  stored: string | number | null;
  given: string | number | null;
}

/** An event whose id is stored with other values: it was not written, and the stored one is left as it was. */
export interface EventConflict {
  id: string;
  differences: EventDifference[];
}

/**
 * How an event differs from the one stored under its id; empty when it is a repeat. A missing quantity
 * counts as 1, as in the aggregates; a timestamp the write assumed is not compared.
 */
export function eventDifferences(stored: Omit<StoredEvent, 'id'>, given: EventRow): EventDifference[] {
  const compared: Array<[ComparedEventField, string | number | null, string | number | null]> = [
    ['type', stored.type, given.type],
    ['userId', stored.userId, given.userId],
    ['productId', stored.productId, given.productId],
    ['timestamp', stored.timestamp, given.timestampAssumed ? stored.timestamp : given.timestamp],
    ['quantity', stored.quantity ?? 1, given.quantity ?? 1],
    ['split', stored.split ?? null, given.split ?? null],
    ['servedId', stored.servedId ?? null, given.servedId ?? null],
    ['position', stored.position ?? null, given.position ?? null],
  ];
  return compared.filter(([, before, now]) => before !== now).map(([field, before, now]) => ({ field, stored: before, given: now }));
}

export interface EventWriteResult {
  created: number;
  usersCreated: number;
  /** Product ids of the batch that are not in the graph: their events were not written. */
  unknownProducts: Set<string>;
  /** Events of the batch whose id is stored with other values, in batch order. */
  conflicts: EventConflict[];
}

/**
 * Writes events that are not in the graph yet, creates their users, and adds them to the per-(user, product,
 * behaviour) aggregates (types that `relationshipOf` maps to undefined, impressions, are kept as events only).
 * Events whose product does not exist are skipped and their product ids returned.
 * An event whose id is stored with the same values is a repeat and changes nothing; with other values it is
 * a conflict: returned, not written, the stored event left as it was. `relationshipOf` maps an event type
 * to its aggregate relationship type. Two transactions writing the same new ids at once collide on the
 * event id constraint: run this with `retryUniquenessRaces` so that the later one answers with repeats.
 */
export async function writeEvents(
  tx: Transaction,
  rows: EventRow[],
  relationshipOf: (type: string) => string | undefined,
  now: number,
): Promise<EventWriteResult> {
  const productIds = [...new Set(rows.map((row) => row.productId))];
  // Statements that do not need each other's results go out together: the driver pipelines them, so the
  // batch costs three round trips instead of eight, and Neo4j is not left waiting for the client between them.
  const [productRows, storedRows] = await Promise.all([
    tx.run<{ id: string; element: string }>(PRODUCT_ELEMENTS, { ids: productIds }),
    tx.run<StoredEvent & Record<string, unknown>>(STORED_EVENTS, { ids: [...new Set(rows.map((row) => row.id))] }),
  ]);
  const productElements = new Map(productRows.map((row) => [row.id, row.element]));
  const unknownProducts = new Set(productIds.filter((id) => !productElements.has(id)));
  const stored = new Map(storedRows.map((row) => [row.id, row]));
  const conflicts: EventConflict[] = [];
  for (const row of rows) {
    const before = stored.get(row.id);
    const differences = before === undefined ? [] : eventDifferences(before, row);
    if (differences.length > 0) conflicts.push({ id: row.id, differences });
  }
  const fresh = rows.filter((row) => !stored.has(row.id) && productElements.has(row.productId));
  if (fresh.length === 0) return { created: 0, usersCreated: 0, unknownProducts, conflicts };
  const [, userRows] = await Promise.all([
    tx.run(CREATE_EVENTS, eventColumns(fresh)),
    tx.run<{ id: string; element: string; created: boolean }>(MERGE_USER_ELEMENTS, { ids: [...new Set(fresh.map((row) => row.userId))], now: int(now) }),
  ]);
  const userElements = new Map(userRows.map((row) => [row.id, row.element]));
  const byRelationship = sumPerRelationship(fresh, relationshipOf);
  // Only users whose aggregates moved are named in the feed: a batch of impressions leaves cached profiles be.
  const moved = [...byRelationship.values()].flatMap((aggregates) => [...aggregates.values()]);
  const changedUsers = new Set(moved.map((aggregate) => aggregate.userId));
  await Promise.all([
    ...[...byRelationship].map(([relationship, aggregates]) =>
      tx.run(aggregateStatement(relationship), aggregateColumns([...aggregates.values()], userElements, productElements)),
    ),
    recordBehaviourChange(tx, changedUsers, moved.map((aggregate) => aggregate.productId)),
  ]);
  return { created: fresh.length, usersCreated: userRows.filter((row) => row.created).length, unknownProducts, conflicts };
}

export const eventColumns = (fresh: EventRow[]) => ({
  ids: fresh.map((row) => row.id),
  userIds: fresh.map((row) => row.userId),
  productIds: fresh.map((row) => row.productId),
  types: fresh.map((row) => row.type),
  timestamps: fresh.map((row) => int(row.timestamp)),
  quantities: fresh.map((row) => (row.quantity === undefined ? null : int(row.quantity))),
  splits: fresh.map((row) => row.split ?? null),
  servedIds: fresh.map((row) => row.servedId ?? null),
  positions: fresh.map((row) => (row.position === undefined ? null : int(row.position))),
});

export const aggregateColumns = (rows: Aggregate[], userElements: Map<string, string>, productElements: Map<string, string>) => ({
  users: rows.map((a) => userElements.get(a.userId)),
  products: rows.map((a) => productElements.get(a.productId)),
  counts: rows.map((a) => int(a.count)),
  quantities: rows.map((a) => int(a.quantity)),
  firstAts: rows.map((a) => int(a.firstAt)),
  lastAts: rows.map((a) => int(a.lastAt)),
});

/** Sums the batch per (user, product, behaviour) first: one aggregate write per pair instead of one per event. */
export function sumPerRelationship(fresh: EventRow[], relationshipOf: (type: string) => string | undefined): Map<string, Map<string, Aggregate>> {
  const byRelationship = new Map<string, Map<string, Aggregate>>();
  for (const row of fresh) {
    const relationship = relationshipOf(row.type);
    if (row.split !== 'test' && relationship !== undefined) addToAggregate(byRelationship, relationship, row);
  }
  return byRelationship;
}

/** Adds one event to its (user, product) aggregate under its relationship type. */
function addToAggregate(
  byRelationship: Map<string, Map<string, Aggregate>>,
  relationship: string,
  event: Pick<EventRow, 'userId' | 'productId' | 'timestamp' | 'quantity'>,
): void {
  let aggregates = byRelationship.get(relationship);
  if (!aggregates) byRelationship.set(relationship, (aggregates = new Map()));
  const key = `${event.userId}\u0001${event.productId}`;
  const quantity = event.quantity ?? 1;
  const aggregate = aggregates.get(key);
  if (aggregate) {
    aggregate.count += 1;
    aggregate.quantity += quantity;
    aggregate.firstAt = Math.min(aggregate.firstAt, event.timestamp);
    aggregate.lastAt = Math.max(aggregate.lastAt, event.timestamp);
  } else {
    aggregates.set(key, { userId: event.userId, productId: event.productId, count: 1, quantity, firstAt: event.timestamp, lastAt: event.timestamp });
  }
}

const relationStatement = (type: string) => `
UNWIND $rows AS r
MATCH (a:Product {id: r.from})
MATCH (b:Product {id: r.to})
MERGE (a)-[x:${type}]->(b)
  ON CREATE SET x.weight = r.weight, x.updatedAt = $now, x.updatedBy = $by, x.created = true
WITH x, r WHERE x.created OR x.weight <> r.weight
SET x.weight = r.weight, x.updatedAt = $now, x.updatedBy = $by
REMOVE x.created
RETURN count(x) AS changed`;

/** `type` must come from the configured allow-list (validated upstream), never from free text. */
export async function writeRelations(tx: Transaction, rows: RelationRow[], by: string, now: number): Promise<number> {
  const byType = new Map<string, RelationRow[]>();
  for (const row of rows) {
    const typed = byType.get(row.type);
    if (typed) typed.push(row);
    else byType.set(row.type, [row]);
  }
  let changed = 0;
  for (const [type, typed] of byType) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(type)) throw new Error(`invalid relation type ${JSON.stringify(type)}`);
    const [result] = await tx.run<{ changed: number }>(relationStatement(type), { rows: typed, now: int(now), by });
    changed += result?.changed ?? 0;
  }
  return changed;
}

export interface KgTripleRow {
  head: string;
  relation: string;
  tail: string;
}

const MERGE_ENTITIES = 'UNWIND $ids AS id MERGE (:Entity {id: id})';

const kgStatement = (headLabel: 'Product' | 'Entity', tailLabel: 'Product' | 'Entity') => `
UNWIND $rows AS r
MATCH (h:${headLabel} {id: r.head})
MATCH (t:${tailLabel} {id: r.tail})
MERGE (h)-[:KG_RELATION {relation: r.relation}]->(t)`;

/**
 * Writes knowledge-graph triples of a benchmark data set. Their relation names (often URIs) are not valid
 * relationship types, so they are kept as the `relation` property of a generic KG_RELATION.
 * `isProduct` tells which ids are products (items are entities too in KGAT's numbering).
 */
export async function writeKgTriples(tx: Transaction, rows: KgTripleRow[], isProduct: (id: string) => boolean): Promise<void> {
  const entityIds = new Set<string>();
  const groups = new Map<string, { head: 'Product' | 'Entity'; tail: 'Product' | 'Entity'; rows: KgTripleRow[] }>();
  for (const row of rows) {
    const head = isProduct(row.head) ? 'Product' : 'Entity';
    const tail = isProduct(row.tail) ? 'Product' : 'Entity';
    if (head === 'Entity') entityIds.add(row.head);
    if (tail === 'Entity') entityIds.add(row.tail);
    const key = `${head}-${tail}`;
    const group = groups.get(key) ?? { head, tail, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  if (entityIds.size > 0) await tx.run(MERGE_ENTITIES, { ids: [...entityIds] });
  for (const group of groups.values()) await tx.run(kgStatement(group.head, group.tail), { rows: group.rows });
}
