import neo4j from 'neo4j-driver';
import type { Graph } from './graph.js';

/**
 * The served-list log: one `(:ServedList)` per list the API answered, with who got it, where, when, which
 * products in which order, and the experiment variant that ranked it. Events that carry the list's
 * `servedId` (impressions, clicks, carts) are attributed to it.
 */

export type ServedSurface = 'recommend' | 'search' | 'similarProducts';

export interface ServedListRecord {
  servedId: string;
  /** Null for an anonymous caller. */
  userId: string | null;
  surface: ServedSurface;
  /** Epoch milliseconds. */
  at: number;
  productIds: string[];
  experimentId: string | null;
  variant: string | null;
}

const WRITE_SERVED_LISTS = `
UNWIND $lists AS list
CREATE (:ServedList {id: list.servedId, userId: list.userId, surface: list.surface, at: list.at,
                     productIds: list.productIds, experimentId: list.experimentId, variant: list.variant})`;

/** Writes served lists in one statement. */
export async function writeServedLists(graph: Graph, lists: readonly ServedListRecord[]): Promise<void> {
  if (lists.length === 0) return;
  await graph.write(WRITE_SERVED_LISTS, { lists: lists.map((list) => ({ ...list, at: neo4j.int(list.at) })) });
}
