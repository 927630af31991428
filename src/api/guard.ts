import { mutationRole, queryRole, requireRole, type Principal } from './auth.js';
import type { ApiContext } from './context.js';

/** Role checks shared by the resolvers, and the name edits are recorded under. */

/** Recorded as `updatedBy` and as the audit trail's editor: the role and a non-secret token id, e.g. `api:merchandiser:3f2a…`. */
export const editor = (principal: Principal): string => `api:${principal.role}:${principal.tokenId}`;

/** Checks the role a mutation needs (src/api/auth.ts MUTATION_ROLES); returns the caller. */
export const guard = (ctx: ApiContext, field: string): Principal => requireRole(ctx.principal, mutationRole(field), field, ctx.shopper);

/**
 * Checks a query's role: the one in QUERY_ROLES, else frontend when public reads are off (a shopper token
 * reads what the shop's pages show, as a frontend's token does).
 */
export function guardQuery(ctx: ApiContext, field: string): void {
  const needed = queryRole(field);
  if (needed !== null) requireRole(ctx.principal, needed, field, ctx.shopper);
  else if (!ctx.config.publicReads && ctx.shopper === null) requireRole(ctx.principal, 'frontend', field);
}
