/**
 * Filtered link-prediction evaluation of TransE embeddings (MRR, Hits@1/3/10), overall and per relation.
 *
 * Every test triple gives two queries, (h, r, ?) and (?, r, t). Queries that share their anchor and relation
 * share one query vector, and the query vectors of a batch are scored against the entity table tile by tile
 * (./distanceBlock.ts), so that each tile is read from memory once per batch and stays in cache while it
 * serves every query.
 */
import type { DistanceBlock } from './distanceBlock.js';
import { plainDistanceBlock } from './distanceBlock.js';
import { loadTransEWasm } from './simd/loadTransEWasm.js';
import { simdDistanceBlock } from './simd/simdDistanceBlock.js';
import type { Distance, Embeddings, LinkPredictionResult, RankingMetrics, TripleSet } from './types.js';

export type Side = 'both' | 'head' | 'tail';

export interface EvaluationOptions {
  /** Relation index → name, used as the keys of `perRelation` (else the index as a string). */
  relationNames?: string[];
  /** Query vectors scored between two yields to the event loop. */
  batchSize?: number;
  /** Called after each batch with ranked queries done and the total to rank. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Rank only among these entities (e.g. products for user→PURCHASED→product). A query whose true answer
   * is not among them is skipped, not counted: ranking a user among products means nothing.
   */
  candidateEntities?: Int32Array;
  /** Which side to predict; 'both' is the standard protocol. */
  sides?: Side;
  /** The distance pass: 'auto' (the default) takes the SIMD kernel when its module can be had. */
  kernels?: 'auto' | 'simd' | 'plain';
  /** Told which distance pass runs, and why not SIMD. */
  onKernels?: (description: string) => void;
}

/** The SIMD distance pass where its module loads (or an error when `simd` was asked for), else the loops. */
async function distanceBlockFor(
  choice: 'auto' | 'simd' | 'plain',
  entity: Float32Array,
  dimension: number,
  rows: Int32Array,
  batchSize: number,
  distance: Distance,
  onKernels?: (description: string) => void,
): Promise<DistanceBlock> {
  let why = '';
  if (choice !== 'plain') {
    const wasm = await loadTransEWasm();
    if (wasm.module) {
      const block = simdDistanceBlock(wasm.module, entity, dimension, rows, batchSize, distance);
      onKernels?.(block.name);
      return block;
    }
    if (choice === 'simd') throw new Error(`evaluation: the SIMD kernels are not available: ${wasm.reason}`);
    why = ` (no SIMD: ${wasm.reason})`;
  }
  const block = plainDistanceBlock(entity, dimension, rows, batchSize, distance);
  onKernels?.(`${block.name}${why}`);
  return block;
}

/** 64 query vectors × 14,541 entities × 200 dimensions is about 0.1 s of work: the event loop stays responsive. */
export const DEFAULT_EVALUATION_BATCH_SIZE = 64;

const HITS_AT = [1, 3, 10] as const;

/**
 * The filtered rank of `trueIndex` among `scores` (higher is better), ignoring the entries listed in
 * `filtered` (other true answers; the true index itself may be listed too).
 *
 * Ties get the "realistic" rank, the mean of the optimistic and the pessimistic ranks,
 * 1 + better + equal / 2, which is PyKEEN's default: a model that scores everything alike ranks
 * in the middle, not first. A NaN true score ranks last, so that a diverged model never looks perfect.
 */
export function rankOf(scores: Float32Array | Float64Array, trueIndex: number, filtered: Int32Array | null): number {
  return realisticRank(scores, 0, scores.length, trueIndex, trueIndex, filtered, null, -1);
}

/**
 * Rank of position `truePos` in values[offset, offset + length). `sign` is +1 when lower values are better
 * (distances), −1 when higher are (scores). `filtered` holds entity ids; `positionOf` maps them to positions
 * (−1: not a candidate), or is null when positions are entity ids.
 */
function realisticRank(
  values: Float32Array | Float64Array,
  offset: number,
  length: number,
  truePos: number,
  trueEntity: number,
  filtered: Int32Array | null,
  positionOf: Int32Array | null,
  sign: 1 | -1,
): number {
  if (truePos < 0 || truePos >= length) throw new RangeError(`rank: true index ${truePos} is outside 0..${length - 1}`);
  const trueValue = sign * (values[offset + truePos] as number);
  let better = 0;
  let equal = 0;
  if (!Number.isNaN(trueValue)) {
    for (let i = offset, end = offset + length; i < end; i += 1) {
      const value = sign * (values[i] as number);
      if (value < trueValue) better += 1;
      else if (value === trueValue) equal += 1;
    }
    equal -= 1; // the true answer itself
  }
  let removed = 0;
  if (filtered !== null) {
    let previous = -1;
    for (let j = 0; j < filtered.length; j += 1) {
      const entity = filtered[j] as number;
      if (entity === trueEntity || entity === previous) continue;
      previous = entity;
      const pos = positionOf === null ? entity : (positionOf[entity] ?? -1);
      if (pos < 0 || pos >= length) continue;
      removed += 1;
      const value = sign * (values[offset + pos] as number);
      if (value < trueValue) better -= 1;
      else if (value === trueValue) equal -= 1;
    }
  }
  if (Number.isNaN(trueValue)) return length - removed;
  return 1 + better + equal / 2;
}

/** True answers of (anchor, relation) pairs, both directions, built once from the known triples. */
export interface FilterIndex {
  /** key head * relationCount + relation → sorted distinct tails. */
  tails: Map<number, Int32Array>;
  /** key tail * relationCount + relation → sorted distinct heads. */
  heads: Map<number, Int32Array>;
}

/**
 * Builds the filter from every known triple (typically train + valid + test). One sort of composite
 * keys (anchor, relation, answer) packed in a float64 gives every list sorted and deduplicated at once.
 */
export function buildFilterIndex(known: TripleSet[], entityCount: number, relationCount: number): FilterIndex {
  if (entityCount * entityCount * relationCount > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`filter index: ${entityCount} entities × ${relationCount} relations do not fit composite float64 keys`);
  }
  let total = 0;
  for (const set of known) total += set.heads.length;
  const byHead = new Float64Array(total);
  const byTail = new Float64Array(total);
  let n = 0;
  for (const [s, set] of known.entries()) {
    for (let i = 0; i < set.heads.length; i += 1) {
      const h = set.heads[i] as number;
      const r = set.relations[i] as number;
      const t = set.tails[i] as number;
      checkTriple(`known[${s}]`, i, h, r, t, entityCount, relationCount);
      byHead[n] = (h * relationCount + r) * entityCount + t;
      byTail[n] = (t * relationCount + r) * entityCount + h;
      n += 1;
    }
  }
  return { tails: groupSortedKeys(byHead, entityCount), heads: groupSortedKeys(byTail, entityCount) };
}

function groupSortedKeys(composite: Float64Array, entityCount: number): Map<number, Int32Array> {
  composite.sort();
  const answers = new Int32Array(composite.length);
  const groups = new Map<number, Int32Array>();
  let written = 0;
  let start = 0;
  let currentKey = -1;
  let previous = -1;
  for (let i = 0; i < composite.length; i += 1) {
    const value = composite[i] as number;
    if (value === previous) continue;
    previous = value;
    const key = Math.floor(value / entityCount);
    if (key !== currentKey) {
      if (currentKey >= 0) groups.set(currentKey, answers.subarray(start, written));
      currentKey = key;
      start = written;
    }
    answers[written] = value - key * entityCount;
    written += 1;
  }
  if (currentKey >= 0) groups.set(currentKey, answers.subarray(start, written));
  return groups;
}

function checkTriple(where: string, i: number, h: number, r: number, t: number, entityCount: number, relationCount: number): void {
  if (!(h >= 0 && h < entityCount && t >= 0 && t < entityCount && r >= 0 && r < relationCount)) {
    throw new RangeError(
      `${where}: triple ${i} (${h}, ${r}, ${t}) is out of range: expected entities in 0..${entityCount - 1}, relations in 0..${relationCount - 1}`,
    );
  }
}

/** One query vector: the anchor entity, its relation and side, and the true answers of the test triples sharing them. */
interface QueryGroup {
  predictTail: boolean;
  anchor: number;
  relation: number;
  answers: number[];
}

function groupQueries(triples: TripleSet, relationCount: number, side: Side, isCandidate: (entity: number) => boolean): QueryGroup[] {
  const groups: QueryGroup[] = [];
  const add = (predictTail: boolean): void => {
    const byKey = new Map<number, QueryGroup>();
    for (let i = 0; i < triples.heads.length; i += 1) {
      const anchor = (predictTail ? triples.heads[i] : triples.tails[i]) as number;
      const answer = (predictTail ? triples.tails[i] : triples.heads[i]) as number;
      const relation = triples.relations[i] as number;
      if (!isCandidate(answer)) continue;
      const key = anchor * relationCount + relation;
      let group = byKey.get(key);
      if (group === undefined) {
        group = { predictTail, anchor, relation, answers: [] };
        byKey.set(key, group);
        groups.push(group);
      }
      group.answers.push(answer);
    }
  };
  if (side !== 'head') add(true);
  if (side !== 'tail') add(false);
  return groups;
}

/** Running sums of one set of ranked queries. */
class MetricSums {
  count = 0;
  reciprocal = 0;
  hits = new Float64Array(HITS_AT.length);

  add(rank: number): void {
    this.count += 1;
    this.reciprocal += 1 / rank;
    for (let i = 0; i < HITS_AT.length; i += 1) if (rank <= HITS_AT[i]!) this.hits[i]! += 1;
  }

  metrics(): RankingMetrics {
    const share = (value: number): number => (this.count === 0 ? 0 : value / this.count);
    return {
      mrr: share(this.reciprocal),
      'hits@1': share(this.hits[0]!),
      'hits@3': share(this.hits[1]!),
      'hits@10': share(this.hits[2]!),
      count: this.count,
    };
  }
}

/**
 * Filtered link prediction: ranks the true tail of (h, r, ?) and the true head of (?, r, t) of every triple
 * among all entities (or `candidateEntities`), after removing the other answers known from `known`.
 */
export async function evaluateLinkPrediction(
  embeddings: Embeddings,
  distance: Distance,
  triples: TripleSet,
  known: TripleSet[],
  options: EvaluationOptions = {},
): Promise<LinkPredictionResult> {
  const { dimension: dim, entity, relation } = embeddings;
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`embeddings.dimension: expected a positive integer, got ${dim}`);
  if (entity.length % dim !== 0 || relation.length % dim !== 0) {
    throw new RangeError(`embeddings: table lengths ${entity.length} and ${relation.length} are not multiples of the dimension ${dim}`);
  }
  const entityCount = entity.length / dim;
  const relationCount = relation.length / dim;
  for (let i = 0; i < triples.heads.length; i += 1) {
    checkTriple('triples', i, triples.heads[i]!, triples.relations[i]!, triples.tails[i]!, entityCount, relationCount);
  }
  const batchSize = options.batchSize ?? DEFAULT_EVALUATION_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize: expected a positive integer, got ${batchSize}`);

  // rows[p] is the entity at candidate position p; positionOf is its inverse (−1: not a candidate).
  const rows = options.candidateEntities ?? Int32Array.from({ length: entityCount }, (_, i) => i);
  const positionOf = new Int32Array(entityCount).fill(-1);
  for (let p = 0; p < rows.length; p += 1) {
    const e = rows[p]!;
    if (!(e >= 0 && e < entityCount)) throw new RangeError(`candidateEntities[${p}]: ${e} is not an entity index (0..${entityCount - 1})`);
    if (positionOf[e] !== -1) throw new RangeError(`candidateEntities: entity ${e} is listed twice`);
    positionOf[e] = p;
  }
  const candidateCount = rows.length;

  const filter = buildFilterIndex(known, entityCount, relationCount);
  const groups = groupQueries(triples, relationCount, options.sides ?? 'both', (e) => positionOf[e]! >= 0);
  const total = groups.reduce((sum, g) => sum + g.answers.length, 0);

  const overall = new MetricSums();
  const perRelation = new Map<number, MetricSums>();
  const block = await distanceBlockFor(options.kernels ?? 'auto', entity, dim, rows, batchSize, distance, options.onKernels);
  const { queries, distances } = block;
  let done = 0;

  for (let first = 0; first < groups.length; first += batchSize) {
    const batch = groups.slice(first, first + batchSize);
    for (const [b, group] of batch.entries()) {
      // Tail side: ‖e_h + w_r − e_t‖ = ‖q − e_t‖ with q = e_h + w_r; head side: ‖e_h − q‖ with q = e_t − w_r.
      const a = group.anchor * dim;
      const r = group.relation * dim;
      const sign = group.predictTail ? 1 : -1;
      for (let k = 0; k < dim; k += 1) queries[b * dim + k] = entity[a + k]! + sign * relation[r + k]!;
    }
    block.compute(batch.length);
    for (const [b, group] of batch.entries()) {
      const key = group.anchor * relationCount + group.relation;
      const others = (group.predictTail ? filter.tails : filter.heads).get(key) ?? null;
      let sums = perRelation.get(group.relation);
      if (sums === undefined) perRelation.set(group.relation, (sums = new MetricSums()));
      for (const answer of group.answers) {
        const rank = realisticRank(distances, b * candidateCount, candidateCount, positionOf[answer]!, answer, others, positionOf, 1);
        overall.add(rank);
        sums.add(rank);
      }
      done += group.answers.length;
    }
    options.onProgress?.(done, total);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  const byName: Record<string, RankingMetrics> = {};
  for (const r of [...perRelation.keys()].sort((x, y) => x - y)) {
    byName[options.relationNames?.[r] ?? String(r)] = perRelation.get(r)!.metrics();
  }
  return { ...overall.metrics(), perRelation: byName };
}
