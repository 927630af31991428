import { readAuditLog, userPseudonym, type AuditEntry } from '../graph/audit.js';
import type { ApiContext } from './context.js';
import { guardQuery } from './guard.js';
import { validateId } from './inputs.js';
import { checkFirst, decodeAuditCursor, encodeAuditCursor } from './limits.js';

/** The audit trail, newest first, a page at a time (role merchandiser or admin). */
export async function auditLog(_: unknown, args: { entityId?: string | null; first: number; after?: string | null }, ctx: ApiContext) {
  guardQuery(ctx, 'auditLog');
  const first = checkFirst('first', args.first, ctx.config.maxFirst);
  const entityId = args.entityId === null || args.entityId === undefined ? undefined : validateId('entityId', args.entityId);
  const before = args.after ? decodeAuditCursor('after', args.after) : undefined;
  // One more than asked tells whether another page follows.
  // A deleted user's entries are filed under their pseudonym: asked for by the id, they are found.
  const entityIds = entityId === undefined ? undefined : [entityId, userPseudonym(entityId, ctx.config.auditIdKey)];
  const rows = await readAuditLog(ctx.graph, { entityIds, before, limit: first + 1 });
  const page: AuditEntry[] = rows.slice(0, first);
  const last = page[page.length - 1];
  return {
    edges: page.map((node) => ({ cursor: encodeAuditCursor(node), node })),
    nodes: page,
    pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeAuditCursor(last) : null },
  };
}
