import type { KgSimilarityModel } from '../recommenders/kgSimilarity.js';
import type { RankingKg } from './kgIndex.js';
import type { GroupedSignal } from './groupedSignal.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';
import { BEHAVIOUR_WEIGHTS } from './weights.js';

/**
 * The `kgInterest` signal: the user's interest in each entity of the knowledge graph (a colour, a material,
 * an artist), as brand interest is an interest in each brand, and a product's score the sum of the user's
 * interest in its entities. The `kg` signal asks which products are like the user's; this one asks which
 * values the user prefers, key by key, wherever in the catalogue they occur.
 *
 * Entities are grouped by key: the relation that links products to them (colour, material, recording
 * artist). Within a key k the user's share of engagement on entity e is set against e's share of the
 * catalogue's links of that key, both smoothed by a prior worth one purchase:
 *   lift(u, e) = (n_u(e) + α b(e)) / ((N_u(k) + α) b(e)),   b(e) = d(e) / D(k),
 *   score(u, i) = Σ_{e of i} log lift(u, e),
 * with n_u(e) the weight of the user's behaviours on products linked to e, N_u(k) the same summed over
 * the key's entities, d(e) the products linked to e and D(k) the key's links. It is a naive-Bayes log
 * odds: a key the user never met adds nothing, a value met less often than the catalogue offers it lowers
 * a score, and an entity most products share (a hub) can lift one little, its b(e) being large. Given a
 * `gate` (the user's interest in each category), each score is multiplied by the interest in the product's
 * category: a favoured value decides among the products of the categories the user shops in, which a
 * linear fusion of the two signals cannot express (decision 0026).
 *
 * Entities are those the KG similarity weighs (linked to at least two products, at most
 * KG_MAX_ENTITY_ITEMS), one hop from the product.
 */

/** The prior α: one purchase, as `historyOf` weighs a single one. */
export const KG_INTEREST_PRIOR = (BEHAVIOUR_WEIGHTS.PURCHASED ?? 10) * Math.LN2;

/** Built once per KG similarity model (in the graph's item order), with scratch space one request reuses. */
export interface KgInterestIndex {
  /** Per entry of the model's item entities: the key slot of its entity (relation + 1), 0 when it carries no interest. */
  entrySlot: Int32Array;
  /** Per node: its key slot (0: none). */
  nodeSlot: Int32Array;
  /** Per node: b(e), its share of its key's links. */
  base: Float64Array;
  /** Request scratch, all zero between requests: n_u(e) per node, N_u(k) and log(α / (N_u(k) + α)) per slot, lift beyond that per node. */
  engagement: Float64Array;
  keyTotals: Float64Array;
  keyScore: Float64Array;
  entityScore: Float64Array;
  touched: Int32Array;
}

const indexes = new WeakMap<KgSimilarityModel, KgInterestIndex>();

/** The index of a graph's KG similarity, built on first use (a reload with the same graph keeps it). */
export function kgInterestIndex(kg: RankingKg): KgInterestIndex {
  const known = indexes.get(kg.model);
  if (known) return known;
  const index = buildKgInterestIndex(kg.model, kg.graph.nodeKeys.length, kg.graph.relationNames.length);
  indexes.set(kg.model, index);
  return index;
}

function buildKgInterestIndex(model: KgSimilarityModel, nodeCount: number, relationCount: number): KgInterestIndex {
  const { nodes, weights, relations, via } = model.entities;
  const slots = relationCount + 1;
  const nodeSlot = new Int32Array(nodeCount);
  const degree = new Int32Array(nodeCount);
  // Each node's key is the relation of its first link: an entity reached by several relations keeps one.
  for (let k = 0; k < nodes.length; k += 1) {
    if (!((weights[k] as number) > 0) || (via[k] as number) >= 0 || (relations[k] as number) < 0) continue;
    const node = nodes[k] as number;
    if (nodeSlot[node] === 0) nodeSlot[node] = (relations[k] as number) + 1;
    degree[node] = (degree[node] as number) + 1;
  }
  const entrySlot = new Int32Array(nodes.length);
  for (let k = 0; k < nodes.length; k += 1) {
    if (!((weights[k] as number) > 0) || (via[k] as number) >= 0 || (relations[k] as number) < 0) continue;
    entrySlot[k] = nodeSlot[nodes[k] as number] as number;
  }
  const keyLinks = new Float64Array(slots);
  for (let node = 0; node < nodeCount; node += 1) keyLinks[nodeSlot[node] as number] = (keyLinks[nodeSlot[node] as number] as number) + (degree[node] as number);
  const base = new Float64Array(nodeCount);
  for (let node = 0; node < nodeCount; node += 1) {
    const slot = nodeSlot[node] as number;
    if (slot > 0) base[node] = (degree[node] as number) / (keyLinks[slot] as number);
  }
  return {
    entrySlot,
    nodeSlot,
    base,
    engagement: new Float64Array(nodeCount),
    keyTotals: new Float64Array(slots),
    keyScore: new Float64Array(slots),
    entityScore: new Float64Array(nodeCount),
    touched: new Int32Array(nodeCount),
  };
}

/**
 * The `kgInterest` signal over the catalogue (by snapshot index); 0 for a product outside the graph, or
 * outside every group of `gate` when one is given. Dense: one pass over the products' entities, with no
 * allocation but the score array.
 */
export function kgInterestScores(kg: RankingKg, history: readonly { index: number; weight: number }[], productCount: number, scores: ScoreAllocator = freshScores, gate: GroupedSignal | null = null): Float32Array {
  const index = kgInterestIndex(kg);
  const out = scores(productCount);
  let touchedCount = 0;
  try {
    touchedCount = engage(kg, index, history);
    if (touchedCount === 0) return out;
    interests(index, touchedCount);
    sumOverEntities(kg, index, out);
    if (gate) gateByGroup(out, gate);
    return out;
  } finally {
    const { engagement, entityScore, touched, keyTotals, keyScore } = index;
    for (let t = 0; t < touchedCount; t += 1) {
      engagement[touched[t] as number] = 0;
      entityScore[touched[t] as number] = 0;
    }
    keyTotals.fill(0);
    keyScore.fill(0);
  }
}

/** n_u(e) and N_u(k) from the user's products; returns how many entities were touched. */
function engage(kg: RankingKg, index: KgInterestIndex, history: readonly { index: number; weight: number }[]): number {
  const { indptr, nodes } = kg.model.entities;
  const { entrySlot, engagement, keyTotals, touched } = index;
  let touchedCount = 0;
  for (const { index: product, weight } of history) {
    const item = kg.toKg[product] ?? -1;
    if (item < 0 || !(weight > 0)) continue;
    for (let k = indptr[item] as number; k < (indptr[item + 1] as number); k += 1) {
      const slot = entrySlot[k] as number;
      if (slot === 0) continue;
      const node = nodes[k] as number;
      if (engagement[node] === 0) touched[touchedCount++] = node;
      engagement[node] = (engagement[node] as number) + weight;
      keyTotals[slot] = (keyTotals[slot] as number) + weight;
    }
  }
  return touchedCount;
}

/** keyScore[k] = log(α / (N_u(k) + α)), every untouched entity's log lift; entityScore[e] = what a touched one adds to it. */
function interests(index: KgInterestIndex, touchedCount: number): void {
  const { nodeSlot, base, engagement, keyTotals, keyScore, entityScore, touched } = index;
  for (let slot = 1; slot < keyTotals.length; slot += 1) {
    const total = keyTotals[slot] as number;
    if (total > 0) keyScore[slot] = Math.log(KG_INTEREST_PRIOR / (total + KG_INTEREST_PRIOR));
  }
  for (let t = 0; t < touchedCount; t += 1) {
    const node = touched[t] as number;
    const slot = nodeSlot[node] as number;
    const b = base[node] as number;
    const lift = Math.log(((engagement[node] as number) + KG_INTEREST_PRIOR * b) / (((keyTotals[slot] as number) + KG_INTEREST_PRIOR) * b));
    entityScore[node] = lift - (keyScore[slot] as number);
  }
}

function sumOverEntities(kg: RankingKg, index: KgInterestIndex, out: Float32Array): void {
  const { indptr, nodes } = kg.model.entities;
  const { entrySlot, keyScore, entityScore } = index;
  const { toKg } = kg;
  for (let i = 0; i < out.length; i += 1) {
    const item = toKg[i] ?? -1;
    if (item < 0) continue;
    let sum = 0;
    for (let k = indptr[item] as number; k < (indptr[item + 1] as number); k += 1) {
      const slot = entrySlot[k] as number;
      if (slot !== 0) sum += (keyScore[slot] as number) + (entityScore[nodes[k] as number] as number);
    }
    out[i] = sum;
  }
}

/** Each product's score times the user's interest in its group (its category): what it says where the user shops. */
function gateByGroup(out: Float32Array, gate: GroupedSignal): void {
  const { values, groupOf } = gate;
  for (let i = 0; i < out.length; i += 1) {
    const group = groupOf[i] as number;
    out[i] = group >= 0 ? (out[i] as number) * (values[group] as number) : 0;
  }
}
