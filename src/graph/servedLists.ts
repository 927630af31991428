import neo4j from 'neo4j-driver';
import type { Graph, Transaction } from './graph.js';

/**
 * The exposure log: every list the API served (recommend, search, similarProducts) as one
 * `(:ServedList {id, userId, surface, at, productIds, experimentId, variant})` node. Events that name a list
 * (`servedId`) are attributed to it; a second page leaves out what earlier lists showed; experiments count
 * exposures from it. One node per list, its products as one list property: a list of 10 costs one node
 * write, not ten relationships (docs/decisions/0021-attribution-and-served-lists.md has the measured cost).
 */

export const SERVED_SURFACES = ['recommend', 'search', 'similarProducts'] as const;
export type ServedSurface = (typeof SERVED_SURFACES)[number];

export interface ServedListRecord {
  servedId: string;
  /** Null for an anonymous caller (similarProducts, a search without userId). */
  userId: string | null;
  surface: ServedSurface;
  /** Epoch milliseconds. */
  at: number;
  /** In the order shown: position p is productIds[p - 1]. */
  productIds: string[];
  experimentId: string | null;
  variant: string | null;
}

// Parallel columns rather than a list of maps: the driver encodes lists of scalars faster (as CREATE_EVENTS).
const CREATE_SERVED_LISTS = `
UNWIND range(0, size($ids) - 1) AS i
CREATE (:ServedList {id: $ids[i], userId: $userIds[i], surface: $surfaces[i], at: $ats[i], productIds: $productIds[i],
                     experimentId: $experimentIds[i], variant: $variants[i]})`;

/** Writes a batch of served lists in one transaction (one statement). */
export async function writeServedLists(graph: Graph, lists: readonly ServedListRecord[]): Promise<void> {
  if (lists.length === 0) return;
  await graph.write(CREATE_SERVED_LISTS, {
    ids: lists.map((list) => list.servedId),
    userIds: lists.map((list) => list.userId),
    surfaces: lists.map((list) => list.surface),
    ats: lists.map((list) => neo4j.int(list.at)),
    productIds: lists.map((list) => list.productIds),
    experimentIds: lists.map((list) => list.experimentId),
    variants: lists.map((list) => list.variant),
  });
}

const READ_SERVED_LISTS = `
UNWIND $ids AS id
MATCH (s:ServedList {id: id})
RETURN s.id AS servedId, s.userId AS userId, s.surface AS surface, s.at AS at, s.productIds AS productIds,
       s.experimentId AS experimentId, s.variant AS variant`;

/** The served lists of the given ids that exist, by id (one query for the whole list). */
export async function readServedLists(graph: Graph, servedIds: readonly string[]): Promise<Map<string, ServedListRecord>> {
  if (servedIds.length === 0) return new Map();
  const rows = await graph.read<ServedListRecord & Record<string, unknown>>(READ_SERVED_LISTS, { ids: [...new Set(servedIds)] });
  return new Map(rows.map((row) => [row.servedId, { ...row, at: Number(row.at) }]));
}

export interface AttributedEvent {
  id: string;
  userId: string;
  productId: string;
  type: string;
  timestamp: number;
  position: number | null;
}

const READ_ATTRIBUTED_EVENTS = `
MATCH (e:Event {servedId: $servedId})
RETURN e.id AS id, e.userId AS userId, e.productId AS productId, e.type AS type, e.timestamp AS timestamp, e.position AS position
ORDER BY e.timestamp, e.id
LIMIT $limit`;

/** The events that name a served list (impressions, clicks, carts, purchases), oldest first, at most `limit`. */
export async function readAttributedEvents(graph: Graph, servedId: string, limit: number): Promise<AttributedEvent[]> {
  return graph.read<AttributedEvent & Record<string, unknown>>(READ_ATTRIBUTED_EVENTS, { servedId, limit: neo4j.int(limit) });
}

const DELETE_USER_SERVED_LISTS = `
MATCH (s:ServedList {userId: $userId})
DELETE s
RETURN count(*) AS deleted`;

/** Deletes a user's served lists (their exposures) in the caller's transaction; returns how many went. */
export async function deleteUserServedLists(tx: Transaction, userId: string): Promise<number> {
  const [row] = await tx.run<{ deleted: number }>(DELETE_USER_SERVED_LISTS, { userId });
  return row?.deleted ?? 0;
}

const PRUNE_SERVED_LISTS = `
MATCH (s:ServedList) WHERE s.at < $before
WITH s LIMIT $limit
DELETE s
RETURN count(*) AS deleted`;

/**
 * Deletes the served lists logged before `before` (epoch ms), `batchSize` per transaction so that a large
 * backlog never becomes one huge transaction; returns how many went.
 */
export async function pruneServedLists(graph: Graph, before: number, batchSize = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await graph.write<{ deleted: number }>(PRUNE_SERVED_LISTS, { before: neo4j.int(before), limit: neo4j.int(batchSize) });
    const deleted = row?.deleted ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
