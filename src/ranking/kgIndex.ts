import { buildKgSimilarity, sharedEntity, type KgSimilarityModel, type KgSimilarityOptions, type SharedEntity } from '../recommenders/kgSimilarity.js';
import type { ItemKnowledgeGraph } from '../recommenders/knowledgeGraph.js';
import { strongestSources } from './itemNeighbours.js';
import { rememberSparseMoments } from './signalMoments.js';

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
 * A request's working arrays, kept between requests and returned to zeros after each use (a request runs
 * to its end on one thread): per product, float64 sums and a reached mark; per KG node, the user's share
 * and an in-profile mark. Hash maps and sets here cost more than the sums themselves and leave garbage on
 * every request of the serving thread.
 */
const scratch = { sums: new Float64Array(0), reached: new Uint8Array(0), shares: new Float64Array(0), inProfile: new Uint8Array(0) };

function scratchFor(productCount: number, nodeCount: number): typeof scratch {
  if (scratch.sums.length < productCount) Object.assign(scratch, { sums: new Float64Array(productCount), reached: new Uint8Array(productCount) });
  if (scratch.shares.length < nodeCount) Object.assign(scratch, { shares: new Float64Array(nodeCount), inProfile: new Uint8Array(nodeCount) });
  return scratch;
}

/**
 * The `kg` signal: Σ over the user's products j of weight_j × cos(i, j), the KG similarity to each product
 * i, summed exactly over every item sharing a weighted entity rather than over each product's cut
 * neighbour list. Through the user's entity profile, p[e] = Σ_j weight_j · x_j[e] / ‖x_j‖, it is
 * score(i) = Σ_e p[e] · x_i[e] / ‖x_i‖: an attribute value shared by hundreds of products (a colour) then
 * counts for every one of them, where a list of KG_NEIGHBOURS kept an arbitrary few of the ties. A product
 * is not its own neighbour: its self-similarity (1) is taken back out. Cost: the item lists of the
 * profile's entities, each at most KG_MAX_ENTITY_ITEMS long. Sparse: its moments come from the products it
 * reached.
 */
export function kgScores(kg: RankingKg, history: readonly { index: number; weight: number }[], productCount: number): Float32Array {
  const out = new Float32Array(productCount);
  const { entities, norms, byEntity } = kg.model;
  const { sums, reached, shares, inProfile } = scratchFor(productCount, byEntity.indptr.length - 1);
  // The user's entity profile p[e], its nodes in the order they were first met.
  const nodes: number[] = [];
  for (const { index, weight } of history) {
    const item = kg.toKg[index] ?? -1;
    if (item < 0 || !((norms[item] as number) > 0)) continue;
    const scale = weight / (norms[item] as number);
    for (let k = entities.indptr[item] as number; k < (entities.indptr[item + 1] as number); k += 1) {
      const w = entities.weights[k] as number;
      if (!(w > 0)) continue;
      const node = entities.nodes[k] as number;
      if (inProfile[node] === 0) {
        inProfile[node] = 1;
        nodes.push(node);
      }
      shares[node] = (shares[node] as number) + scale * w;
    }
  }
  const touched: number[] = [];
  const add = (target: number, value: number): void => {
    if (reached[target] === 0) {
      reached[target] = 1;
      touched.push(target);
    }
    sums[target] = (sums[target] as number) + value;
  };
  for (const node of nodes) {
    const share = shares[node] as number;
    for (let q = byEntity.indptr[node] as number; q < (byEntity.indptr[node + 1] as number); q += 1) {
      const target = kg.fromKg[byEntity.items[q] as number] as number;
      if (target >= 0) add(target, share * (byEntity.weights[q] as number));
    }
    shares[node] = 0;
    inProfile[node] = 0;
  }
  const own = new Map<number, number>();
  for (const { index, weight } of history) {
    const item = kg.toKg[index] ?? -1;
    const target = item < 0 ? -1 : (kg.fromKg[item] as number);
    if (target < 0 || !((norms[item] as number) > 0)) continue;
    add(target, -weight);
    own.set(target, (own.get(target) ?? 0) + weight);
  }
  for (const target of touched) {
    const value = sums[target] as number;
    // Taking a product's own similarity back out leaves a rounding trace where it shares nothing else.
    const trace = (own.get(target) ?? 0) * SELF_SIMILARITY_TRACE;
    out[target] = Math.abs(value) <= trace ? 0 : value;
    sums[target] = 0;
    reached[target] = 0;
  }
  rememberSparseMoments(out, touched);
  return out;
}

/** Relative to the weight taken out: float32 shares summed to a cosine of 1 are exact to about 1e-7 each. */
const SELF_SIMILARITY_TRACE = 1e-5;

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
