/**
 * The shop's words for what shoppers do: the event types kgrec ingests, and the aggregate relationship each
 * one is counted under (User)-[:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED|HIDDEN]->(Product). Ingestion validates
 * against them, the graph layer writes and reads them, and serving and evaluation weigh them.
 *
 * `impression` (a product shown in a served list) has no aggregate: it stays in the raw event log, where
 * attribution reads it, and never feeds popularity, co-behaviour or interests (docs/decisions/0021).
 * `hide` (the shopper dismissed a product) is aggregated as HIDDEN, so that it travels with the user's
 * profile and the behaviour change feed; it has no weight as positive evidence.
 */

export const EVENT_TYPES = ['view', 'click', 'add_to_cart', 'purchase', 'impression', 'hide'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Aggregate relationship type kept per (user, product, behaviour); undefined: the type is not aggregated. */
export const BEHAVIOUR_RELATIONSHIP: Readonly<Record<EventType, string | undefined>> = {
  view: 'VIEWED',
  click: 'CLICKED',
  add_to_cart: 'ADDED_TO_CART',
  purchase: 'PURCHASED',
  impression: undefined,
  hide: 'HIDDEN',
};

/** The aggregate of `hide` events: products the user asked not to be shown again. */
export const HIDDEN_RELATIONSHIP = 'HIDDEN';

/** Every aggregate relationship type, in EVENT_TYPES order. */
export const AGGREGATE_RELATIONSHIPS: readonly string[] = EVENT_TYPES.flatMap((type) => BEHAVIOUR_RELATIONSHIP[type] ?? []);
