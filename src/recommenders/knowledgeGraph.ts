import { attributeNodeKey, type ProductAttribute } from '../domain/attributes.js';

/**
 * A knowledge graph around the items, as typed arrays: the shape the KG similarity is built from, whether
 * the triples come from a benchmark's `kg_final.txt` or from a shop's KG_RELATION and HAS_ATTRIBUTE edges in Neo4j.
 *
 * Nodes 0..itemCount−1 are the items (in the caller's item order); the other entities follow. Keys say
 * what a node is in the shop graph (`Product:p-7`, `Entity:m.0abc`), so that explanations can name paths.
 */

export interface ItemKnowledgeGraph {
  itemCount: number;
  /** Graph key of each node: items first, then the other entities. */
  nodeKeys: readonly string[];
  relationNames: readonly string[];
  heads: Int32Array;
  relations: Int32Array;
  tails: Int32Array;
}

/** Node keys as the shop graph and the trained model spell them. */
export const productKey = (id: string): string => `Product:${id}`;
export const entityNodeKey = (id: string): string => `Entity:${id}`;

/** The key of a node of the shop's knowledge graph by its label: `Product:p-7`, `Entity:m.0abc`, `Attribute:colour=red`. */
export const graphNodeKey = (label: 'Product' | 'Entity' | 'Attribute', id: string): string => `${label}:${id}`;

/**
 * Collects triples over node keys; item keys must be given up front (their order is the item order), other
 * keys become entities as they first appear.
 */
export class KnowledgeGraphBuilder {
  private readonly nodeIndex = new Map<string, number>();
  private readonly nodeKeys: string[] = [];
  private readonly relationIndex = new Map<string, number>();
  private readonly relationNames: string[] = [];
  private heads: Int32Array = new Int32Array(1 << 12);
  private relations: Int32Array = new Int32Array(1 << 12);
  private tails: Int32Array = new Int32Array(1 << 12);
  private size = 0;

  readonly itemCount: number;

  constructor(itemKeys: readonly string[]) {
    for (const key of itemKeys) this.node(key);
    if (this.nodeKeys.length !== itemKeys.length) throw new RangeError('KnowledgeGraphBuilder: item keys must be distinct');
    this.itemCount = itemKeys.length;
  }

  add(headKey: string, relation: string, tailKey: string): void {
    if (this.size === this.heads.length) {
      this.heads = grown(this.heads);
      this.relations = grown(this.relations);
      this.tails = grown(this.tails);
    }
    this.heads[this.size] = this.node(headKey);
    let r = this.relationIndex.get(relation);
    if (r === undefined) {
      r = this.relationNames.length;
      this.relationNames.push(relation);
      this.relationIndex.set(relation, r);
    }
    this.relations[this.size] = r;
    this.tails[this.size] = this.node(tailKey);
    this.size += 1;
  }

  build(): ItemKnowledgeGraph {
    return {
      itemCount: this.itemCount,
      nodeKeys: this.nodeKeys,
      relationNames: this.relationNames,
      heads: this.heads.slice(0, this.size),
      relations: this.relations.slice(0, this.size),
      tails: this.tails.slice(0, this.size),
    };
  }

  private node(key: string): number {
    let index = this.nodeIndex.get(key);
    if (index === undefined) {
      index = this.nodeKeys.length;
      this.nodeKeys.push(key);
      this.nodeIndex.set(key, index);
    }
    return index;
  }
}

function grown(values: Int32Array): Int32Array {
  const bigger = new Int32Array(values.length * 2);
  bigger.set(values);
  return bigger;
}

/**
 * The knowledge graph of product attributes, as the shop graph holds it (HAS_ATTRIBUTE, keyed like
 * `readShopKnowledgeGraph` reads it): for data that never went through Neo4j, such as the generated demo
 * shop. Null when no product has an attribute.
 */
export function attributeKnowledgeGraph(products: ReadonlyArray<{ id: string; attributes?: readonly ProductAttribute[] | undefined }>): ItemKnowledgeGraph | null {
  const builder = new KnowledgeGraphBuilder(products.map((product) => productKey(product.id)));
  let triples = 0;
  for (const product of products) {
    for (const { key, value } of product.attributes ?? []) {
      builder.add(productKey(product.id), key, attributeNodeKey(key, value));
      triples += 1;
    }
  }
  return triples === 0 ? null : builder.build();
}
