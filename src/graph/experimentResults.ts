import neo4j from 'neo4j-driver';
import type { Graph } from './graph.js';

/**
 * What each shopper of an experiment did with the lists it served them, one row per (variant, user): the
 * raw material of src/math/experimentStatistics.ts. Rows per user rather than sums per variant, because
 * the shopper is the unit that was randomised: the variance of a rate must be taken over shoppers.
 */

export interface ExperimentUserRow {
  variant: string;
  userId: string;
  /** Served lists of the experiment in the window. */
  lists: number;
  /** Impression, click and add-to-cart events that carry one of those lists' servedId. */
  impressions: number;
  clicks: number;
  addToCarts: number;
  /** The user's purchases of a clicked product within the conversion window after the click (each purchase once). */
  conversions: number;
  /** Those purchases' quantity × the product's price now (a product without a price counts 0). */
  revenue: number;
}

export interface ExperimentWindow {
  experimentId: string;
  /** Served lists from this time (epoch ms, inclusive) … */
  from: number;
  /** … to this one (exclusive). */
  to: number;
  /** A purchase counts as a conversion this long after a click on a served item. */
  conversionMs: number;
}

// Events count for a list only when they are its own user's. A purchase converts a click of the same user on
// the same product at most `conversionMs` before it; a purchase after several clicks is counted once.
const READ_EXPERIMENT_USERS = `
MATCH (s:ServedList)
WHERE s.experimentId = $experimentId AND s.at >= $from AND s.at < $to AND s.userId IS NOT NULL
WITH s.variant AS variant, s.userId AS userId, collect(s.id) AS servedIds
CALL {
  WITH userId, servedIds
  UNWIND servedIds AS servedId
  MATCH (e:Event {servedId: servedId})
  WHERE e.userId = userId
  RETURN count(CASE WHEN e.type = 'impression' THEN 1 END) AS impressions,
         count(CASE WHEN e.type = 'click' THEN 1 END) AS clicks,
         count(CASE WHEN e.type = 'add_to_cart' THEN 1 END) AS addToCarts,
         collect(CASE WHEN e.type = 'click' THEN {productId: e.productId, at: e.timestamp} END) AS clicked
}
CALL {
  WITH userId, clicked
  UNWIND clicked AS click
  MATCH (p:Event {userId: userId, productId: click.productId, type: 'purchase'})
  WHERE p.timestamp >= click.at AND p.timestamp <= click.at + $conversionMs
  WITH DISTINCT p
  OPTIONAL MATCH (product:Product {id: p.productId})
  RETURN count(p) AS conversions, sum(coalesce(p.quantity, 1) * coalesce(product.price, 0.0)) AS revenue
}
RETURN variant, userId, size(servedIds) AS lists, impressions, clicks, addToCarts, conversions, revenue
ORDER BY variant, userId`;

export async function readExperimentUsers(graph: Graph, window: ExperimentWindow): Promise<ExperimentUserRow[]> {
  return graph.read<ExperimentUserRow & Record<string, unknown>>(READ_EXPERIMENT_USERS, {
    experimentId: window.experimentId,
    from: neo4j.int(window.from),
    to: neo4j.int(window.to),
    conversionMs: neo4j.int(window.conversionMs),
  });
}
