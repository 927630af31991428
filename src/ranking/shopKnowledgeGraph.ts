import type { Graph } from '../graph/graph.js';
import { streamKnowledgeGraph } from '../graph/rankingReads.js';
import { graphNodeKey, KnowledgeGraphBuilder, type ItemKnowledgeGraph } from '../recommenders/knowledgeGraph.js';

/** The shop's KG_RELATION and attribute triples as a knowledge graph over its products, or null when it has none. */
export async function readShopKnowledgeGraph(graph: Graph): Promise<ItemKnowledgeGraph | null> {
  const rows: Array<[string, string, string]> = [];
  const products = new Set<string>();
  for await (const row of streamKnowledgeGraph(graph)) {
    const head = graphNodeKey(row.headLabel, row.head);
    const tail = graphNodeKey(row.tailLabel, row.tail);
    if (row.headLabel === 'Product') products.add(head);
    if (row.tailLabel === 'Product') products.add(tail);
    rows.push([head, row.relation, tail]);
  }
  if (rows.length === 0) return null;
  const builder = new KnowledgeGraphBuilder([...products].sort());
  for (const [head, relation, tail] of rows) builder.add(head, relation, tail);
  return builder.build();
}
