import type { Graph } from './graph.js';
import { ATTRIBUTE_LABEL } from '../domain/attributes.js';

/**
 * Streams the shop graph's triples out of Neo4j for embedding training. Each relation is one fixed
 * pattern (labels and types are constants, never user text); rows are consumed as they arrive, so memory
 * holds only the growing typed arrays and the id maps, not the result set.
 */

export interface RelationPattern {
  /** The relation's name in the trained model. */
  name: string;
  headLabel: string;
  type: string;
  tailLabel: string;
  /** Optional Cypher condition on the relationship `r` (a constant of this module). */
  where?: string;
}

/** Behaviour aggregates become one relation each; `minCount` thresholds weak signals such as single views. */
export function behaviourPatterns(minCount: Record<string, number> = {}): RelationPattern[] {
  return ['VIEWED', 'CLICKED', 'ADDED_TO_CART', 'PURCHASED'].map((type) => ({
    name: type,
    headLabel: 'User',
    type,
    tailLabel: 'Product',
    where: (minCount[type] ?? 1) > 1 ? `r.count >= ${Math.floor(minCount[type] ?? 1)}` : undefined,
  }));
}

export const CATALOGUE_PATTERNS: RelationPattern[] = [
  { name: 'IN_CATEGORY', headLabel: 'Product', type: 'IN_CATEGORY', tailLabel: 'Category' },
  { name: 'SUBCATEGORY_OF', headLabel: 'Category', type: 'SUBCATEGORY_OF', tailLabel: 'Category' },
  { name: 'HAS_BRAND', headLabel: 'Product', type: 'HAS_BRAND', tailLabel: 'Brand' },
  // Words of the product texts (see jobs/refreshTerms): they put terms in the same space as products.
  { name: 'HAS_TERM', headLabel: 'Product', type: 'HAS_TERM', tailLabel: 'Term' },
];

export const merchandiserPatterns = (types: readonly string[]): RelationPattern[] =>
  types.map((type) => ({ name: type, headLabel: 'Product', type, tailLabel: 'Product' }));

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Gives each distinct key the next index, in order of first appearance: entity and relation id maps. */
export class KeyIndex {
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();

  indexOf(key: string): number {
    let found = this.index.get(key);
    if (found === undefined) {
      found = this.keys.length;
      this.keys.push(key);
      this.index.set(key, found);
    }
    return found;
  }
}

/** Entity keys carry their label, so that a user and a product that share an id stay two entities. */
export const entityKey = (label: string, id: string): string => `${label}:${id}`;

export interface ExportedTriples {
  entities: string[];
  relations: string[];
  heads: Int32Array;
  relationIds: Int32Array;
  tails: Int32Array;
  /** Triples per relation name. */
  counts: Record<string, number>;
}

/**
 * Knowledge-graph triples (`kgrec ingest-kgat`, product attributes): a product or entity, a KG_RELATION
 * whose `relation` property names the relation, and a product or entity.
 */
export const EXPORT_KG_TRIPLES = `
MATCH (h)-[r:KG_RELATION]->(t)
WHERE (h:Product OR h:Entity) AND (t:Product OR t:Entity)
RETURN CASE WHEN h:Product THEN 'Product' ELSE 'Entity' END AS hl, h.id AS h, r.relation AS r,
       CASE WHEN t:Product THEN 'Product' ELSE 'Entity' END AS tl, t.id AS t`;

/**
 * Product attributes (decision 0019): a product, its HAS_ATTRIBUTE link whose `key` names the relation, and
 * the attribute node. They train like any KG relation, one model relation per key.
 */
export const EXPORT_ATTRIBUTE_TRIPLES = `
MATCH (h:Product)-[r:HAS_ATTRIBUTE]->(t:Attribute)
RETURN h.id AS h, r.key AS r, t.id AS t`;

/** A KG relation's name in the trained model: kept apart from the shop's own relation types. */
export const kgRelationName = (relation: string): string => `KG:${relation}`;

export interface ExportOptions {
  /**
   * Also export the knowledge-graph triples (KG_RELATION, one model relation per `relation` name) and the
   * product attributes (HAS_ATTRIBUTE, one per key) (default true).
   */
  knowledgeGraph?: boolean;
}

/** Exports the triples of the given patterns and the KG triples; `onProgress` gets the running triple count. */
export async function exportTriples(
  graph: Graph,
  patterns: RelationPattern[],
  onProgress?: (triples: number) => void,
  options: ExportOptions = {},
): Promise<ExportedTriples> {
  const entities = new KeyIndex();
  const relations = new KeyIndex();
  for (const pattern of patterns) relations.indexOf(pattern.name);
  let capacity = 1 << 16;
  let heads = new Int32Array(capacity);
  let relationIds = new Int32Array(capacity);
  let tails = new Int32Array(capacity);
  let size = 0;
  const counts: Record<string, number> = {};

  const push = (head: number, relation: number, tail: number, name: string): void => {
    if (size === capacity) {
      capacity *= 2;
      heads = grow(heads, capacity);
      relationIds = grow(relationIds, capacity);
      tails = grow(tails, capacity);
    }
    heads[size] = head;
    relationIds[size] = relation;
    tails[size] = tail;
    size += 1;
    counts[name] = (counts[name] ?? 0) + 1;
    if (size % 50_000 === 0) onProgress?.(size);
  };

  for (const [relationIndex, pattern] of patterns.entries()) {
    for (const part of [pattern.headLabel, pattern.type, pattern.tailLabel]) {
      if (!IDENTIFIER.test(part)) throw new Error(`invalid label or relationship type ${JSON.stringify(part)}`);
    }
    const query = `MATCH (h:${pattern.headLabel})-[r:${pattern.type}]->(t:${pattern.tailLabel}) ${pattern.where ? `WHERE ${pattern.where} ` : ''}RETURN h.id AS h, t.id AS t`;
    counts[pattern.name] = 0;
    for await (const [head, tail] of graph.stream(query)) {
      push(entities.indexOf(entityKey(pattern.headLabel, String(head))), relationIndex, entities.indexOf(entityKey(pattern.tailLabel, String(tail))), pattern.name);
    }
  }
  if (options.knowledgeGraph !== false) {
    for await (const [headLabel, head, relation, tailLabel, tail] of graph.stream(EXPORT_KG_TRIPLES)) {
      const name = kgRelationName(String(relation));
      push(entities.indexOf(entityKey(String(headLabel), String(head))), relations.indexOf(name), entities.indexOf(entityKey(String(tailLabel), String(tail))), name);
    }
    for await (const [head, key, tail] of graph.stream(EXPORT_ATTRIBUTE_TRIPLES)) {
      const name = kgRelationName(String(key));
      push(entities.indexOf(entityKey('Product', String(head))), relations.indexOf(name), entities.indexOf(entityKey(ATTRIBUTE_LABEL, String(tail))), name);
    }
  }
  onProgress?.(size);
  return {
    entities: entities.keys,
    relations: relations.keys,
    heads: heads.slice(0, size),
    relationIds: relationIds.slice(0, size),
    tails: tails.slice(0, size),
    counts,
  };
}

function grow(array: Int32Array<ArrayBuffer>, capacity: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(capacity);
  larger.set(array);
  return larger;
}
