import type { RankedList } from '../ranking/types.js';
import { mutationRole, requireRole } from './auth.js';
import type { ApiContext } from './context.js';
import { forbidden, unauthenticated } from './errors.js';
import { validateId } from './inputs.js';

/**
 * Who may see a shopper's history: their behaviours (`user { behaviours }`) and the reasons that name
 * what they bought or viewed ("you bought X"). Role tokens (shop backends and consoles) may; the
 * shopper's own browser may, with a shopper token for that user; nobody else may, in any mode.
 *
 * Personalised reads themselves (`recommend(userId)`, `search` with a userId, `user`) are open to
 * anonymous callers in development, so that the quick start works, but without history in their reasons;
 * in production (KGREC_API_PRODUCTION) they need a role token or the user's own shopper token. A shopper
 * token never reads about another user.
 */

/** True when the caller may see `userId`'s history. */
export function mayReadHistory(ctx: Pick<ApiContext, 'principal' | 'shopper'>, userId: string): boolean {
  return ctx.principal !== null || ctx.shopper?.userId === userId;
}

export interface PersonalisedAccess {
  /** Whether reasons may name the user's own behaviour. */
  revealHistory: boolean;
}

/** Checks a read personalised for `userId` (`what` names it in errors) and says what its answer may reveal. */
export function personalisedRead(ctx: Pick<ApiContext, 'principal' | 'shopper' | 'config'>, userId: string, what: string): PersonalisedAccess {
  // Bounded like every stored id: an unbounded one would reach the exposure log, whose batched write
  // (and the lists served beside it) Neo4j refuses past its index key size.
  validateId('userId', userId);
  if (ctx.principal !== null) return { revealHistory: true };
  if (ctx.shopper !== null) {
    if (ctx.shopper.userId !== userId) throw forbidden(`${what}: the shopper token is for another user`, { reason: 'OTHER_SHOPPER' });
    return { revealHistory: true };
  }
  if (ctx.config.production) {
    throw unauthenticated(`${what} is personalised: it needs the user's shopper token or a Bearer token with a role (KGREC_API_PRODUCTION is on)`, {
      reason: 'PERSONALISED_READ_NEEDS_TOKEN',
    });
  }
  return { revealHistory: false };
}

/** Refuses a history read (`user { behaviours }`) by a caller who may not see it. */
export function requireHistoryAccess(ctx: Pick<ApiContext, 'principal' | 'shopper'>, userId: string, what: string): void {
  if (mayReadHistory(ctx, userId)) return;
  if (ctx.shopper !== null) throw forbidden(`${what}: the shopper token is for another user`, { reason: 'OTHER_SHOPPER' });
  throw unauthenticated(`${what} is a shopper's history: it needs their shopper token or a Bearer token with a role`, { reason: 'HISTORY_NEEDS_TOKEN' });
}

/**
 * Drops any reason whose path starts at a user: the ranker leaves them out when asked not to reveal
 * history, and this keeps a ranker that did not (a new one, say) from leaking them all the same.
 */
export function withoutHistory(list: RankedList): RankedList {
  return {
    ...list,
    items: list.items.map((item) => ({ ...item, reasons: item.reasons.filter((reason) => !reason.path?.some((node) => node.startsWith('User:'))) })),
  };
}

/** Who may record events: a role token of the mutation's role, or a shopper token (see checkOwnEvents). */
export function guardEventWriter(ctx: Pick<ApiContext, 'principal' | 'shopper'>, field = 'recordEvents'): void {
  if (ctx.shopper === null) requireRole(ctx.principal, mutationRole(field), field);
}

/** A shopper token records its own user's events only: another user's is refused naming its field and index. */
export function checkOwnEvents(ctx: Pick<ApiContext, 'shopper'>, events: ReadonlyArray<{ userId: string }>): void {
  if (ctx.shopper === null) return;
  const own = ctx.shopper.userId;
  events.forEach((event, index) => {
    const name = `events[${index}].userId`;
    if (validateId(name, event.userId) !== own) {
      throw forbidden(`${name}: a shopper token records only its own user's events (${JSON.stringify(own)}), got ${JSON.stringify(event.userId)}`, {
        field: name,
        index,
        reason: 'OTHER_SHOPPER',
      });
    }
  });
}
