import type { Assignment, ExperimentSurface, VariantOverrides } from '../domain/experiments.js';
import type { RankedList, Ranker } from '../ranking/types.js';
import type { ApiContext } from './context.js';

/**
 * A list ranked under the caller's experiment assignment: the variant's ranker and overrides rank it.
 * Callers in no running experiment, and anonymous callers, get the serving ranker's list as it is. The
 * list is logged later, with the rest of the answer (src/api/resolvers.ts, `withProducts`), carrying the
 * assignment's experiment and variant: that log entry is the shopper's exposure.
 */

export interface AssignedList<L extends RankedList | null = RankedList> {
  list: L;
  assignment: Assignment | null;
}

export async function rankAssigned<L extends RankedList | null>(
  ctx: ApiContext,
  request: { userId: string | null; surface: ExperimentSurface },
  rank: (ranker: Ranker, overrides: VariantOverrides) => Promise<L>,
): Promise<AssignedList<L>> {
  const assignment = ctx.experiments.assign(request.userId, request.surface);
  const ranker = assignment ? ctx.variantRankers.for(assignment.overrides) : ctx.ranker;
  return { list: await rank(ranker, assignment?.overrides ?? {}), assignment };
}

/** Logs an answered list as served, with its experiment and variant when it has one; returns its servedId. */
export function recordServed(
  ctx: ApiContext,
  served: { surface: ExperimentSurface; userId: string | null; productIds: string[] },
  assignment: Assignment | null,
): string {
  const servedId = ctx.servedLists.record({
    surface: served.surface,
    userId: served.userId,
    productIds: served.productIds,
    experimentId: assignment?.experimentId ?? null,
    variant: assignment?.variant ?? null,
  });
  if (assignment) ctx.experimentMetrics?.served(assignment.experimentId, assignment.variant);
  return servedId;
}
