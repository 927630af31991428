/**
 * The triples the `graph` signal's TransE trains on: the shop's behaviour and catalogue with the knowledge
 * graph (KG relations, product attributes), or without it. Either way the ranking reads the knowledge graph
 * for the `kg` and `kgInterest` signals; `kgrec eval` chooses on validation which TransE fuses better
 * (docs/decisions/0027-transe-triples-chosen-on-validation.md).
 */
export const GRAPH_TRIPLES = ['with-kg', 'without-kg'] as const;
export type GraphTriples = (typeof GRAPH_TRIPLES)[number];
/** What a fusion file without the choice means: every fit before the choice existed was made with the KG triples. */
export const DEFAULT_GRAPH_TRIPLES: GraphTriples = 'with-kg';
