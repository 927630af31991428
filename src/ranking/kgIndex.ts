import { buildKgSimilarity, sharedEntity, type KgSimilarityModel, type KgSimilarityOptions, type SharedEntity } from '../recommenders/kgSimilarity.js';
import type { ItemKnowledgeGraph } from '../recommenders/knowledgeGraph.js';
import { strongestSources } from './itemNeighbours.js';
import { rememberSparseMoments } from './signalMoments.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';

/**
 * The knowledge graph as the ranker holds it: the KG similarity (neighbour lists built once per graph) in
 * the graph's own item order, and maps to and from the catalogue snapshot's order. A reload with a new
 * snapshot only rebuilds the two maps, so the lists survive reloads until the graph is read again.
 */
export interface RankingKg {
  graph: ItemKnowledgeGraph;
  model: KgSimilarityModel;
  /** Snapshot index → the graph's item (−1: the product has no place in the graph). */
  toKg: Int32Array;
  /** The graph's item → snapshot index (−1: not in the snapshot). */
  fromKg: Int32Array;
  /** When the graph was read and the lists built. */
  builtAt: number;
}

const PRODUCT_PREFIX = 'Product:';

export function buildRankingKg(graph: ItemKnowledgeGraph, indexOf: ReadonlyMap<string, number>, productCount: number, builtAt: number, options: KgSimilarityOptions = {}): RankingKg {
  return alignRankingKg({ graph, model: buildKgSimilarity(graph, options), toKg: new Int32Array(0), fromKg: new Int32Array(0), builtAt }, indexOf, productCount);
}

/** The same graph and lists, aligned with another snapshot. */
export function alignRankingKg(kg: RankingKg, indexOf: ReadonlyMap<string, number>, productCount: number): RankingKg {
  const toKg = new Int32Array(productCount).fill(-1);
  const fromKg = new Int32Array(kg.graph.itemCount).fill(-1);
  for (let item = 0; item < kg.graph.itemCount; item += 1) {
    const key = kg.graph.nodeKeys[item] ?? '';
    const index = key.startsWith(PRODUCT_PREFIX) ? indexOf.get(key.slice(PRODUCT_PREFIX.length)) : undefined;
    if (index === undefined) continue;
    fromKg[item] = index;
    toKg[index] = item;
  }
  return { ...kg, toKg, fromKg };
}

/**
 * The `kg` signal: Σ over the user's products of weight × KG similarity to each product. Sparse: its
 * moments come from the products it reached.
 */
export function kgScores(kg: RankingKg, history: readonly { index: number; weight: number }[], productCount: number, scores: ScoreAllocator = freshScores): Float32Array {
  const out = scores(productCount);
  const touched: number[] = [];
  const { indptr, indices, similarities } = kg.model.neighbours;
  for (const { index, weight } of history) {
    const item = kg.toKg[index] ?? -1;
    if (item < 0) continue;
    for (let k = indptr[item] as number; k < (indptr[item + 1] as number); k += 1) {
      const target = kg.fromKg[indices[k] as number] as number;
      if (target < 0) continue;
      const contribution = weight * (similarities[k] as number);
      if (out[target] === 0 && contribution !== 0) touched.push(target);
      out[target] = (out[target] as number) + contribution;
    }
  }
  rememberSparseMoments(out, touched);
  return out;
}

/** A KG path behind a recommended product: the user's product it comes from and what the two share. */
export interface KgPath {
  /** Snapshot index of the user's product. */
  source: number;
  shared: SharedEntity;
}

/** For each target (snapshot index), the user's product contributing most to its `kg` score and the entity they share. */
export function kgPaths(kg: RankingKg, history: readonly { index: number; weight: number }[], targets: readonly number[]): Array<KgPath | null> {
  const items = history.flatMap(({ index, weight }) => {
    const item = kg.toKg[index] ?? -1;
    return item < 0 ? [] : [{ index: item, weight }];
  });
  const kgTargets = targets.map((target) => kg.toKg[target] ?? -1);
  const placed = kgTargets.filter((item) => item >= 0);
  const sources = placed.length === 0 ? new Int32Array(0) : strongestSources(kg.model.neighbours, items, placed);
  let at = 0;
  return kgTargets.map((target) => {
    if (target < 0) return null;
    const source = sources[at++] ?? -1;
    if (source < 0) return null;
    const shared = sharedEntity(kg.model.entities, source, target);
    const index = kg.fromKg[source] ?? -1;
    return shared && index >= 0 ? { source: index, shared } : null;
  });
}
