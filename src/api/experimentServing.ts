import { randomUUID } from 'node:crypto';
import type { ExperimentSurface, VariantOverrides } from '../domain/experiments.js';
import { writeServedLists } from '../graph/servedLists.js';
import type { RankedList, Ranker } from '../ranking/types.js';
import type { ApiContext } from './context.js';

/**
 * A list served under the caller's experiment assignment: the variant's ranker and overrides rank it, and
 * the list is recorded with its experiment and variant, which makes it the shopper's exposure. Callers in
 * no running experiment, and anonymous callers, get the serving ranker's list as it is.
 */

export interface ServedList {
  list: RankedList;
  servedId: string;
}

export async function serveList(
  ctx: ApiContext,
  request: { userId: string | null; surface: ExperimentSurface },
  rank: (ranker: Ranker, overrides: VariantOverrides) => Promise<RankedList | null>,
): Promise<ServedList | null> {
  const assignment = ctx.experiments.assign(request.userId, request.surface);
  const ranker = assignment ? ctx.variantRankers.for(assignment.overrides.strategy) : ctx.ranker;
  const list = await rank(ranker, assignment?.overrides ?? {});
  if (list === null) return null;
  const servedId = randomUUID();
  if (assignment) {
    await writeServedLists(ctx.graph, [
      {
        servedId,
        userId: request.userId,
        surface: request.surface,
        at: Date.now(),
        productIds: list.items.map((item) => item.productId),
        experimentId: assignment.experimentId,
        variant: assignment.variant,
      },
    ]);
    ctx.experimentMetrics?.served(assignment.experimentId, assignment.variant);
  }
  return { list, servedId };
}
