import { z } from 'zod';
import { readAuditLog, userPseudonym, type AuditEntry } from '../graph/audit.js';
import type { ApiContext } from './context.js';
import { badInput } from './errors.js';
import { guardQuery } from './guard.js';
import { validateId } from './inputs.js';
import { checkFirst, decodeAuditCursor, encodeAuditCursor } from './limits.js';

/**
 * Longest editor text a filter may give. Editor names are `api:<role>:<12 hex digits>` or a command's name
 * (`demo`, `cli:...`), far shorter; the bound only keeps pasted text from reaching the query.
 */
export const MAX_EDITOR_FILTER_LENGTH = 200;

const editorFilter = z
  .string()
  .min(1, 'expected an editor name or the start of one, e.g. api:merchandiser:')
  .max(MAX_EDITOR_FILTER_LENGTH, `at most ${MAX_EDITOR_FILTER_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'expected text without control characters');

function validateEditor(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const result = editorFilter.safeParse(raw);
  if (!result.success) throw badInput('editor', result.error.issues[0]?.message ?? 'expected an editor name');
  return result.data;
}

interface AuditLogArgs {
  entityId?: string | null;
  editor?: string | null;
  first: number;
  after?: string | null;
}

/** The audit trail, newest first, a page at a time, by entity and by editor (role merchandiser or admin). */
export async function auditLog(_: unknown, args: AuditLogArgs, ctx: ApiContext) {
  guardQuery(ctx, 'auditLog');
  const first = checkFirst('first', args.first, ctx.config.maxFirst);
  const entityId = args.entityId === null || args.entityId === undefined ? undefined : validateId('entityId', args.entityId);
  const editorPrefix = validateEditor(args.editor);
  const before = args.after ? decodeAuditCursor('after', args.after) : undefined;
  // One more than asked tells whether another page follows.
  // A deleted user's entries are filed under their pseudonym: asked for by the id, they are found.
  const entityIds = entityId === undefined ? undefined : [entityId, userPseudonym(entityId, ctx.config.auditIdKey)];
  const rows = await readAuditLog(ctx.graph, { entityIds, editorPrefix, before, limit: first + 1 });
  const page: AuditEntry[] = rows.slice(0, first);
  const last = page[page.length - 1];
  return {
    edges: page.map((node) => ({ cursor: encodeAuditCursor(node), node })),
    nodes: page,
    pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeAuditCursor(last) : null },
  };
}
