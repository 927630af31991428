/**
 * Item–item similarity through the knowledge graph: two items are alike when they share entities (the same
 * artist, brand, release), optionally also entities one more hop away (the artist of a shared release).
 * Each item is a sparse vector over its entities, each entity weighted down by how many items it reaches
 * (a hub such as "musical recording" says little), and items keep their top neighbours by cosine:
 *   x_i[e] = hop(i, e) · g(d(e)),   sim(i, j) = x_i · x_j / (‖x_i‖ ‖x_j‖),
 * with d(e) the number of items having entity e and g either IDF (log(1 + items / d)) or d^−β.
 * score(u, i) = Σ_{j ∈ items(u)} sim(j, i), as item-kNN scores, so serving adds one sparse pass per request.
 *
 * Every item is also an entity of its own: an item linked to another directly (a cover and its original)
 * shares that node with it.
 */
import type { ItemKnnModel } from './itemKnn.js';
import type { ItemKnowledgeGraph } from './knowledgeGraph.js';
import { NeighbourRowsBuilder } from '../math/neighbourRows.js';
import { TopKSelector } from '../math/topK.js';

export type KgWeighting = 'idf' | 'inverseDegree';

export interface KgSimilarityOptions {
  /** Neighbours kept per item (default KG_NEIGHBOURS). */
  neighbours?: number;
  /** How an entity's weight falls with the number of items it reaches (default 'inverseDegree'). */
  weighting?: KgWeighting;
  /** Exponent β of the 'inverseDegree' weighting, d^−β (default 0.5). */
  beta?: number;
  /** Weight of entities two hops from the item, through another entity (0, the default: one hop only). */
  twoHop?: number;
  /** Entities reaching more items than this are left out (default KG_MAX_ENTITY_ITEMS). */
  maxEntityItems?: number;
}

/** As many neighbours as the co-behaviour lists keep: more than a page ever draws on. */
export const KG_NEIGHBOURS = 100;

/**
 * An entity shared by thousands of items adds nearly the same to all of them, so it ranks nothing, while
 * its pairs would cost d² additions (a "musical recording" type node reaches tens of thousands).
 */
export const KG_MAX_ENTITY_ITEMS = 2_000;

/**
 * The variant kept: one hop, entities weighted 1/√degree, the best by recall and NDCG@20 of the variants
 * compared on last-fm's validation split (bench/kgVariants.ts); IDF and two hops ranked lower.
 */
export const DEFAULT_KG_SIMILARITY: Required<KgSimilarityOptions> = { neighbours: KG_NEIGHBOURS, weighting: 'inverseDegree', beta: 0.5, twoHop: 0, maxEntityItems: KG_MAX_ENTITY_ITEMS };

/** Each item's weighted entities, CSR: the entities of item i are nodes[indptr[i] .. indptr[i + 1]), ascending. */
export interface ItemEntities {
  indptr: Int32Array;
  nodes: Int32Array;
  weights: Float32Array;
  /** Relation of the item's edge to the entity (one hop), or of the edge reaching `via` (two hops); −1 for the item itself. */
  relations: Int32Array;
  /** The entity between the item and a two-hop entity; −1 for one hop. */
  via: Int32Array;
}

export interface KgSimilarityModel {
  neighbours: ItemKnnModel;
  entities: ItemEntities;
}

export function buildKgSimilarity(kg: ItemKnowledgeGraph, options: KgSimilarityOptions = {}): KgSimilarityModel {
  const settings = { ...DEFAULT_KG_SIMILARITY, ...options };
  if (!Number.isInteger(settings.neighbours) || settings.neighbours < 1) throw new RangeError(`kgSimilarity: neighbours: expected a positive integer, got ${settings.neighbours}`);
  if (!(settings.beta >= 0) || !Number.isFinite(settings.beta)) throw new RangeError(`kgSimilarity: beta: expected a finite number ≥ 0, got ${settings.beta}`);
  if (!(settings.twoHop >= 0 && settings.twoHop <= 1)) throw new RangeError(`kgSimilarity: twoHop: expected a number in 0..1, got ${settings.twoHop}`);
  const raw = rawItemEntities(kg, settings.twoHop, settings.maxEntityItems);
  const entities = weighEntities(raw, kg, settings);
  return { neighbours: cosineNeighbours(entities, kg.itemCount, kg.nodeKeys.length, settings.neighbours), entities };
}

/** Undirected adjacency of all nodes, CSR, with the relation of each edge. */
function adjacency(kg: ItemKnowledgeGraph): { indptr: Int32Array; nodes: Int32Array; relations: Int32Array } {
  const nodeCount = kg.nodeKeys.length;
  const indptr = new Int32Array(nodeCount + 1);
  for (let t = 0; t < kg.heads.length; t += 1) {
    indptr[kg.heads[t]! + 1]! += 1;
    indptr[kg.tails[t]! + 1]! += 1;
  }
  for (let n = 0; n < nodeCount; n += 1) indptr[n + 1]! += indptr[n]!;
  const next = indptr.slice(0, nodeCount);
  const nodes = new Int32Array(indptr[nodeCount]!);
  const relations = new Int32Array(nodes.length);
  for (let t = 0; t < kg.heads.length; t += 1) {
    const h = kg.heads[t]!;
    const tail = kg.tails[t]!;
    const r = kg.relations[t]!;
    nodes[next[h]!] = tail;
    relations[next[h]!++] = r;
    nodes[next[tail]!] = h;
    relations[next[tail]!++] = r;
  }
  return { indptr, nodes, relations };
}

/** Each item's entities with their hop factor (1, or `twoHop`), before weighting by degree. */
function rawItemEntities(kg: ItemKnowledgeGraph, twoHop: number, maxEntityItems: number): ItemEntities {
  const { itemCount } = kg;
  const adj = adjacency(kg);
  const stamp = new Int32Array(kg.nodeKeys.length).fill(-1);
  const indptr = new Int32Array(itemCount + 1);
  const nodes: number[] = [];
  const factors: number[] = [];
  const relations: number[] = [];
  const via: number[] = [];
  const entry = new Map<number, number>();
  for (let item = 0; item < itemCount; item += 1) {
    const start = nodes.length;
    entry.clear();
    const push = (node: number, factor: number, relation: number, through: number): void => {
      if (stamp[node] === item) return;
      stamp[node] = item;
      entry.set(node, nodes.length);
      nodes.push(node);
      factors.push(factor);
      relations.push(relation);
      via.push(through);
    };
    push(item, 1, -1, -1);
    for (let p = adj.indptr[item]!; p < adj.indptr[item + 1]!; p += 1) push(adj.nodes[p]!, 1, adj.relations[p]!, -1);
    if (twoHop > 0) {
      const oneHopEnd = nodes.length;
      for (let k = start + 1; k < oneHopEnd; k += 1) {
        const entity = nodes[k]!;
        // Through items the second hop would only repeat what sharing that item already says.
        if (entity < itemCount) continue;
        // Nor through a hub: its far side would be most of the graph, and weigh next to nothing.
        if (adj.indptr[entity + 1]! - adj.indptr[entity]! > maxEntityItems) continue;
        for (let p = adj.indptr[entity]!; p < adj.indptr[entity + 1]!; p += 1) {
          const far = adj.nodes[p]!;
          if (far >= itemCount) push(far, twoHop, relations[k]!, entity);
        }
      }
    }
    // Ascending nodes, so that two items' entities intersect by a merge.
    const order = Array.from({ length: nodes.length - start }, (_, k) => start + k).sort((a, b) => nodes[a]! - nodes[b]!);
    const sorted = order.map((k) => [nodes[k]!, factors[k]!, relations[k]!, via[k]!] as const);
    sorted.forEach(([node, factor, relation, through], k) => {
      nodes[start + k] = node;
      factors[start + k] = factor;
      relations[start + k] = relation;
      via[start + k] = through;
    });
    indptr[item + 1] = nodes.length;
  }
  return { indptr, nodes: Int32Array.from(nodes), weights: Float32Array.from(factors), relations: Int32Array.from(relations), via: Int32Array.from(via) };
}

/** Replaces hop factors by hop × g(d(entity)); entities that reach one item only, or too many, get weight 0. */
function weighEntities(entities: ItemEntities, kg: ItemKnowledgeGraph, settings: Required<KgSimilarityOptions>): ItemEntities {
  const degree = new Int32Array(kg.nodeKeys.length);
  for (const node of entities.nodes) degree[node]! += 1;
  const weights = new Float32Array(entities.weights.length);
  for (let k = 0; k < weights.length; k += 1) {
    const d = degree[entities.nodes[k]!]!;
    if (d < 2 || d > settings.maxEntityItems) continue;
    const g = settings.weighting === 'idf' ? Math.log(1 + kg.itemCount / d) : d ** -settings.beta;
    weights[k] = entities.weights[k]! * g;
  }
  return { ...entities, weights };
}

/** Top neighbours by cosine, counted entity by entity through the entity → items lists (never item × item). */
function cosineNeighbours(entities: ItemEntities, itemCount: number, nodeCount: number, neighbours: number): ItemKnnModel {
  const norms = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i += 1) {
    let sum = 0;
    for (let k = entities.indptr[i]!; k < entities.indptr[i + 1]!; k += 1) sum += entities.weights[k]! ** 2;
    norms[i] = Math.sqrt(sum);
  }
  // entity → (item, weight) lists of the weighted entries only.
  const byNodePtr = new Int32Array(nodeCount + 1);
  for (let k = 0; k < entities.nodes.length; k += 1) if (entities.weights[k]! > 0) byNodePtr[entities.nodes[k]! + 1]! += 1;
  for (let n = 0; n < nodeCount; n += 1) byNodePtr[n + 1]! += byNodePtr[n]!;
  const next = byNodePtr.slice(0, nodeCount);
  const byNodeItem = new Int32Array(byNodePtr[nodeCount]!);
  const byNodeWeight = new Float32Array(byNodeItem.length);
  for (let i = 0; i < itemCount; i += 1) {
    for (let k = entities.indptr[i]!; k < entities.indptr[i + 1]!; k += 1) {
      const w = entities.weights[k]!;
      if (w <= 0) continue;
      const at = next[entities.nodes[k]!]!++;
      byNodeItem[at] = i;
      byNodeWeight[at] = w;
    }
  }
  const sums = new Float64Array(itemCount);
  const touched = new Int32Array(itemCount);
  const candidates = new Float32Array(itemCount);
  const selector = new TopKSelector(neighbours);
  const rows = new NeighbourRowsBuilder(itemCount, neighbours);
  for (let i = 0; i < itemCount; i += 1) {
    let touchedCount = 0;
    for (let k = entities.indptr[i]!; k < entities.indptr[i + 1]!; k += 1) {
      const w = entities.weights[k]!;
      if (w <= 0) continue;
      const node = entities.nodes[k]!;
      for (let p = byNodePtr[node]!; p < byNodePtr[node + 1]!; p += 1) {
        const j = byNodeItem[p]!;
        if (j === i) continue;
        if (sums[j] === 0) touched[touchedCount++] = j;
        sums[j]! += w * byNodeWeight[p]!;
      }
    }
    for (let t = 0; t < touchedCount; t += 1) {
      const j = touched[t]!;
      candidates[t] = sums[j]! / (norms[i]! * norms[j]!);
      sums[j] = 0;
    }
    rows.endRow(i, touched, selector, selector.select(candidates, 0, touchedCount));
  }
  return { itemCount, ...rows.finish() };
}

/** What two items share in the graph, for an explanation: the entity that adds most to their similarity. */
export interface SharedEntity {
  /** The shared node (an entity, or one of the two items when they are linked directly). */
  node: number;
  /** The relation of each item's edge towards it (−1: the item is the node itself). */
  fromRelation: number;
  toRelation: number;
  /** Entities in between, when the shared node is two hops away from an item (−1: none). */
  fromVia: number;
  toVia: number;
}

/** The strongest shared entity of items `from` and `to`, or null when they share none with weight. */
export function sharedEntity(entities: ItemEntities, from: number, to: number): SharedEntity | null {
  let a = entities.indptr[from]!;
  const aEnd = entities.indptr[from + 1]!;
  let b = entities.indptr[to]!;
  const bEnd = entities.indptr[to + 1]!;
  let best: SharedEntity | null = null;
  let strongest = 0;
  while (a < aEnd && b < bEnd) {
    const na = entities.nodes[a]!;
    const nb = entities.nodes[b]!;
    if (na < nb) a += 1;
    else if (nb < na) b += 1;
    else {
      const strength = entities.weights[a]! * entities.weights[b]!;
      if (strength > strongest) {
        strongest = strength;
        best = { node: na, fromRelation: entities.relations[a]!, toRelation: entities.relations[b]!, fromVia: entities.via[a]!, toVia: entities.via[b]! };
      }
      a += 1;
      b += 1;
    }
  }
  return best;
}
