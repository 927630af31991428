import type { Graph, Transaction } from './graph.js';

/**
 * A change feed of users' behaviour, for caches of it such as the API's profile cache. Neo4j Community has
 * no change data capture, so kgrec keeps a small one itself: every transaction that changes users'
 * behaviour aggregates (ingestion, `recordEvents`, deleting a user's data) also creates one
 * `(:BehaviourChange {at, userIds})` node, and readers poll for the nodes newer than their last look.
 * `at` is the server's clock (`timestamp()`), so writers on other machines agree with readers on it.
 * Writes that bypass kgrec (Cypher typed by hand) are not in the feed.
 *
 * Deleting a user's data (src/graph/userData.ts) takes their id out of every entry and records an
 * erasure instead, `{at, userIds: [], erasure: true}`, which names nobody: readers drop all they cache.
 */

/** A node per transaction, created last in it: the time between `timestamp()` and the commit stays short. */
const RECORD_CHANGE = 'CREATE (:BehaviourChange {at: timestamp(), userIds: $userIds, productIds: $productIds})';

/**
 * `productIds`: the products whose aggregates moved, for readers that keep popularity current from the
 * feed (src/ranking/popularityRefresh.ts). Omitted (a bulk load), readers take every product as changed.
 */
export async function recordBehaviourChange(tx: Transaction, userIds: Iterable<string>, productIds?: Iterable<string>): Promise<void> {
  const ids = [...new Set(userIds)];
  if (ids.length > 0) await tx.run(RECORD_CHANGE, { userIds: ids, productIds: productIds === undefined ? null : [...new Set(productIds)] });
}

const RECORD_ERASURE = 'CREATE (:BehaviourChange {at: timestamp(), userIds: [], erasure: true})';

/** Records that some user's data was deleted, without naming them: readers drop everything they cache. */
export async function recordErasure(tx: Transaction): Promise<void> {
  await tx.run(RECORD_ERASURE);
}

// No index can find an id inside a list: every entry is scanned (entries live an hour; deletions are rare).
const REMOVE_USER = `
MATCH (c:BehaviourChange) WHERE $userId IN c.userIds
WITH c, [id IN c.userIds WHERE id <> $userId] AS rest
FOREACH (_ IN CASE WHEN size(rest) = 0 THEN [1] ELSE [] END | DELETE c)
FOREACH (_ IN CASE WHEN size(rest) > 0 THEN [1] ELSE [] END | SET c.userIds = rest)
RETURN count(*) AS changed`;

/** Takes a user's id out of every feed entry (deleting entries left naming nobody); returns how many named them. */
export async function removeUserFromChanges(tx: Transaction, userId: string): Promise<number> {
  const [row] = await tx.run<{ changed: number }>(REMOVE_USER, { userId });
  return row?.changed ?? 0;
}

export interface BehaviourChange {
  /** The node's element id: a reader that looks at overlapping windows handles each change once. */
  id: string;
  at: number;
  userIds: string[];
  /** The products whose behaviour aggregates moved; null when the writer did not say (every product may have). */
  productIds: string[] | null;
  /** Some user's data was deleted (userIds is empty): everything cached about users must go. */
  erasure: boolean;
}

const READ_CHANGES = `
OPTIONAL MATCH (c:BehaviourChange) WHERE c.at >= coalesce($since, timestamp() - $lookBackMs)
RETURN timestamp() AS now, collect(CASE WHEN c IS NULL THEN null
  ELSE {id: elementId(c), at: c.at, userIds: c.userIds, productIds: c.productIds, erasure: coalesce(c.erasure, false)} END) AS changes`;

/**
 * The changes recorded at or after `since` (server milliseconds), with the server's time now. A reader
 * without a time of its own yet passes `{ lookBackMs }`: the changes of that long before the server's now.
 */
export async function readBehaviourChanges(graph: Graph, since: number | { lookBackMs: number }): Promise<{ now: number; changes: BehaviourChange[] }> {
  const parameters = typeof since === 'number' ? { since, lookBackMs: 0 } : { since: null, lookBackMs: since.lookBackMs };
  const [row] = await graph.read<{ now: number; changes: BehaviourChange[] }>(READ_CHANGES, parameters);
  return { now: row?.now ?? 0, changes: row?.changes ?? [] };
}

const PRUNE_CHANGES = `
MATCH (c:BehaviourChange) WHERE c.at < timestamp() - $keepMs
WITH c LIMIT 10000
DELETE c
RETURN count(*) AS deleted`;

/** Deletes changes older than `keepMs` (at most 10,000 per call); returns how many went. */
export async function pruneBehaviourChanges(graph: Graph, keepMs: number): Promise<number> {
  const [row] = await graph.write<{ deleted: number }>(PRUNE_CHANGES, { keepMs });
  return row?.deleted ?? 0;
}
