/**
 * The shop's words for what shoppers do: the event types kgrec ingests, and the aggregate relationship each
 * one is counted under (User)-[:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->(Product). Ingestion validates
 * against them, the graph layer writes and reads them, and serving and evaluation weigh them.
 */

export const EVENT_TYPES = ['view', 'click', 'add_to_cart', 'purchase', 'impression', 'hide'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Aggregate relationship type kept per (user, product, behaviour). Impressions (a served item was shown)
 * and hides (the shopper dismissed it) are aggregated too, but no ranking signal reads them: they serve
 * the attribution of served lists.
 */
export const BEHAVIOUR_RELATIONSHIP: Record<EventType, string> = {
  view: 'VIEWED',
  click: 'CLICKED',
  add_to_cart: 'ADDED_TO_CART',
  purchase: 'PURCHASED',
  impression: 'IMPRESSED',
  hide: 'HID',
};
