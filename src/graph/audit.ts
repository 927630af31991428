import { createHash, createHmac, randomUUID } from 'node:crypto';
import neo4j from 'neo4j-driver';
import type { Graph, Transaction } from './graph.js';

/**
 * The audit trail: one `(:AuditEntry)` per merchandiser or admin edit, written inside the edit's own
 * transaction, so an edit and its entry commit together or not at all. Entries are never updated.
 */

/** What kind of thing an edit touched; `entityId` is that thing's id (a relation is filed under its `from` product). */
export type AuditEntityType = 'product' | 'relation' | 'category' | 'brand' | 'rule' | 'model' | 'user' | 'trainingJob' | 'experiment';

export interface AuditInput {
  /** Who: the API's editor string, e.g. `api:merchandiser:3f2a…`. */
  editor: string;
  entityType: AuditEntityType;
  entityId: string;
  /** What was done, e.g. `create`, `update`, `delete`, `pin`, `activate`. */
  action: string;
  /** The change, e.g. `{before: {...}, after: {...}}`; stored as JSON text. */
  summary: Record<string, unknown>;
}

export interface AuditEntry {
  id: string;
  /** Epoch milliseconds. */
  at: number;
  editor: string;
  entityType: string;
  entityId: string;
  action: string;
  /** JSON text. */
  summary: string;
}

const CREATE_ENTRY = `
CREATE (a:AuditEntry {id: $id, at: $at, editor: $editor, entityType: $entityType, entityId: $entityId, action: $action, summary: $summary})`;

/** Records an edit in the caller's transaction; returns the entry's id. */
export async function recordAudit(tx: Transaction, entry: AuditInput, at: number = Date.now()): Promise<string> {
  const id = randomUUID();
  await tx.run(CREATE_ENTRY, { ...entry, id, at: neo4j.int(at), summary: JSON.stringify(entry.summary) });
  return id;
}

export interface AuditQuery {
  /** Entries filed under any of these ids (an id and its pseudonym). */
  entityIds?: readonly string[] | undefined;
  /** Entries whose editor starts with this text (a whole editor name, or a prefix such as `api:merchandiser:`). */
  editorPrefix?: string | undefined;
  /** Entries strictly older than this one (keyset pagination, newest first). */
  before?: { at: number; id: string } | undefined;
  limit: number;
}

// Ordered by time, then id, so entries of the same millisecond page stably.
const READ_ENTRIES = `
MATCH (a:AuditEntry)
WHERE ($entityIds IS NULL OR a.entityId IN $entityIds)
  AND ($editorPrefix IS NULL OR a.editor STARTS WITH $editorPrefix)
  AND ($beforeAt IS NULL OR a.at < $beforeAt OR (a.at = $beforeAt AND a.id < $beforeId))
RETURN a.id AS id, a.at AS at, a.editor AS editor, a.entityType AS entityType, a.entityId AS entityId,
       a.action AS action, a.summary AS summary
ORDER BY a.at DESC, a.id DESC
LIMIT $limit`;

/** Audit entries, newest first, for every entity or for one, by any editor or by those of a prefix. */
export async function readAuditLog(graph: Graph, query: AuditQuery): Promise<AuditEntry[]> {
  return graph.read<AuditEntry & Record<string, unknown>>(READ_ENTRIES, {
    entityIds: query.entityIds ?? null,
    editorPrefix: query.editorPrefix ?? null,
    beforeAt: query.before === undefined ? null : neo4j.int(query.before.at),
    beforeId: query.before?.id ?? null,
    limit: neo4j.int(Math.max(0, Math.floor(query.limit))),
  });
}

/** Records an edit that has no transaction of its own (model activation, a training job's start). */
export async function recordAuditAlone(graph: Graph, entry: AuditInput, at: number = Date.now()): Promise<string> {
  return graph.transaction((tx) => recordAudit(tx, entry, at));
}

/**
 * The one-way stand-in for a deleted user's id in the audit trail: HMAC-SHA-256 under the configured key,
 * else SHA-256. Whoever is given the id can find its entries; the trail alone does not give the id back
 * (unkeyed, short or guessable ids can be found by trying them: configure a key).
 */
export function userPseudonym(userId: string, key?: string | undefined): string {
  return key
    ? `hmac-sha256:${createHmac('sha256', key).update(`user:${userId}`, 'utf8').digest('hex')}`
    : `sha256:${createHash('sha256').update(`kgrec-user:${userId}`, 'utf8').digest('hex')}`;
}

// Entries are never updated, but for this: a deleted user's id leaves the trail, which keeps who did what and when.
const PSEUDONYMISE = `
MATCH (a:AuditEntry {entityType: 'user', entityId: $entityId})
SET a.entityId = $pseudonym
RETURN count(*) AS changed`;

/** Replaces a user's id by its pseudonym in the entries filed under it; returns how many. */
export async function pseudonymiseUserEntries(tx: Transaction, userId: string, pseudonym: string): Promise<number> {
  const [row] = await tx.run<{ changed: number }>(PSEUDONYMISE, { entityId: userId, pseudonym });
  return row?.changed ?? 0;
}
