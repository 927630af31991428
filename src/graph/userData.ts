import { recordErasure, removeUserFromChanges } from './behaviourChanges.js';
import type { Transaction } from './graph.js';
import { deleteUserServedLists } from './servedLists.js';

/**
 * Deleting one user's data (a privacy request): the raw events of the log, the behaviour aggregates, the
 * user node with its embedding, the lists served to them (src/graph/servedLists.ts), and their id in the behaviour change feed, where an erasure notice that
 * names nobody takes its place. Run in one transaction by the caller, so a failure leaves everything as it
 * was. The audit trail (src/graph/audit.ts) and the model files (src/kge/modelStore.ts) are the caller's.
 */

export interface DeletedUserData {
  events: number;
  behaviours: number;
  user: boolean;
  /** Change feed entries that named the user. */
  changes: number;
  /** Served lists (exposures) of the user. */
  servedLists: number;
}

// Events name their user by id (indexed: event_user), not by relationship.
const DELETE_EVENTS = `
MATCH (e:Event {userId: $userId})
DELETE e
RETURN count(*) AS deleted`;

const DELETE_BEHAVIOURS = `
MATCH (:User {id: $userId})-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED|HIDDEN]->(:Product)
DELETE r
RETURN count(*) AS deleted`;

const DELETE_USER = `
MATCH (u:User {id: $userId})
DETACH DELETE u
RETURN count(*) AS deleted`;

/** Deletes everything kgrec keeps about one user; returns what was removed. */
export async function deleteUserData(tx: Transaction, userId: string): Promise<DeletedUserData> {
  const [events] = await tx.run<{ deleted: number }>(DELETE_EVENTS, { userId });
  const [behaviours] = await tx.run<{ deleted: number }>(DELETE_BEHAVIOURS, { userId });
  const [user] = await tx.run<{ deleted: number }>(DELETE_USER, { userId });
  const changes = await removeUserFromChanges(tx, userId);
  const servedLists = await deleteUserServedLists(tx, userId);
  const deleted = { events: events?.deleted ?? 0, behaviours: behaviours?.deleted ?? 0, user: (user?.deleted ?? 0) > 0, changes, servedLists };
  if (deleted.events > 0 || deleted.behaviours > 0 || deleted.user) await recordErasure(tx);
  return deleted;
}
