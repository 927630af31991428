/**
 * Negative sampling by corruption: each positive (h, r, t) gives k negatives (h', r, t) or (h, r, t'), the
 * replacing entity drawn uniformly among the others. Other true triples are not filtered out, as in PyKEEN's
 * default basic sampler: on large graphs a random corruption is almost never true, and filtering costs a
 * hash lookup per negative.
 */
import type { Random } from '../math/random.js';
import type { Corruption, TripleSet } from './types.js';

/**
 * Per relation, the probability of corrupting the head. `uniform`: ½. `bernoulli` (Wang et al. 2014):
 * tph / (tph + hpt), with tph the mean number of tails per head and hpt of heads per tail, so that the
 * "many" side of a 1-to-N or N-to-1 relation is kept and fewer negatives are in fact true triples.
 * Relations absent from `triples` get ½.
 */
export function headCorruptionProbabilities(triples: TripleSet, relationCount: number, corruption: Corruption): Float64Array {
  const probabilities = new Float64Array(relationCount).fill(0.5);
  if (corruption === 'uniform') return probabilities;
  const counts = new Float64Array(relationCount);
  const distinctHeads = new Float64Array(relationCount);
  const distinctTails = new Float64Array(relationCount);
  // One key per (relation, entity) pair; relation · 2^32 + entity stays an exact integer below 2^53.
  const seenHeads = new Set<number>();
  const seenTails = new Set<number>();
  const { heads, relations, tails } = triples;
  for (let i = 0; i < heads.length; i += 1) {
    const r = relations[i]!;
    counts[r]! += 1;
    const headKey = r * 4294967296 + heads[i]!;
    if (!seenHeads.has(headKey)) {
      seenHeads.add(headKey);
      distinctHeads[r]! += 1;
    }
    const tailKey = r * 4294967296 + tails[i]!;
    if (!seenTails.has(tailKey)) {
      seenTails.add(tailKey);
      distinctTails[r]! += 1;
    }
  }
  for (let r = 0; r < relationCount; r += 1) {
    const count = counts[r]!;
    if (count === 0) continue;
    const tailsPerHead = count / distinctHeads[r]!;
    const headsPerTail = count / distinctTails[r]!;
    probabilities[r] = tailsPerHead / (tailsPerHead + headsPerTail);
  }
  return probabilities;
}

/** A relation whose triples are reciprocated at least this often is treated as symmetric. */
export const SYMMETRIC_SHARE = 0.5;

/**
 * Per relation, whether reflexive negatives (h, r, h) suit it: only when fewer than half of its training
 * triples (h, r, t) have their reverse (t, r, h) in training too. A mostly reciprocated relation needs
 * e_h + w_r ≈ e_t and e_t + w_r ≈ e_h at once, so ‖w_r‖ ≤ (‖e_h + w_r − e_t‖ + ‖e_t + w_r − e_h‖) / 2 by
 * the triangle inequality: its translation must stay short, and a reflexive negative would fight its
 * positives (on WN18RR it halved the MRR of `_derivationally_related_form`).
 */
export function reflexiveRelations(triples: TripleSet, relationCount: number, entityCount: number): Uint8Array {
  const suited = new Uint8Array(relationCount);
  const key = (h: number, r: number, t: number): number => (r * entityCount + h) * entityCount + t;
  if (key(entityCount, relationCount, 0) > Number.MAX_SAFE_INTEGER) throw new RangeError(`reflexiveRelations: ${entityCount} entities × ${relationCount} relations do not fit numeric keys`);
  const { heads, relations, tails } = triples;
  const present = new Set<number>();
  for (let i = 0; i < heads.length; i += 1) present.add(key(heads[i]!, relations[i]!, tails[i]!));
  const counts = new Float64Array(relationCount);
  const reciprocated = new Float64Array(relationCount);
  for (let i = 0; i < heads.length; i += 1) {
    const r = relations[i]!;
    counts[r]! += 1;
    if (heads[i] !== tails[i] && present.has(key(tails[i]!, r, heads[i]!))) reciprocated[r]! += 1;
  }
  for (let r = 0; r < relationCount; r += 1) suited[r] = counts[r]! > 0 && reciprocated[r]! / counts[r]! < SYMMETRIC_SHARE ? 1 : 0;
  return suited;
}

export class NegativeSampler {
  /** Per relation, the probability of corrupting the head rather than the tail. */
  readonly headProbability: Float64Array;

  constructor(
    private readonly entityCount: number,
    readonly negatives: number,
    headProbability: Float64Array,
    private readonly random: Random,
    /** Per relation, 1 when the first negative of each positive (h, r, t) with h ≠ t is (h, r, h) (`reflexiveNegatives`). */
    private readonly reflexive: Uint8Array | null = null,
  ) {
    if (entityCount < 2) throw new Error(`NegativeSampler: entityCount: expected at least 2 entities to corrupt a triple, got ${entityCount}`);
    if (!Number.isInteger(negatives) || negatives < 1) throw new Error(`NegativeSampler: negatives: expected an integer ≥ 1, got ${negatives}`);
    this.headProbability = headProbability;
  }

  /** A sampler with the corruption probabilities of `corruption` computed from the training triples. */
  static forTriples(
    triples: TripleSet,
    entityCount: number,
    relationCount: number,
    negatives: number,
    corruption: Corruption,
    random: Random,
    reflexive = false,
  ): NegativeSampler {
    const probabilities = headCorruptionProbabilities(triples, relationCount, corruption);
    return new NegativeSampler(entityCount, negatives, probabilities, random, reflexive ? reflexiveRelations(triples, relationCount, entityCount) : null);
  }

  /**
   * Writes k negatives for each of positives[0..count): negative j of positive i goes to index i·k + j of
   * `outHeads` / `outTails` (its relation is the positive's). The replacing entity is drawn among the other
   * entityCount − 1 (a draw in [0, n − 1) shifted past the replaced one), so a negative never equals its
   * positive and no draw is wasted. With reflexive negatives, the first of a positive's k is (h, r, h)
   * when its relation suits them and h ≠ t (else it would be the positive itself).
   */
  sample(positives: TripleSet, count: number, outHeads: Int32Array, outTails: Int32Array): void {
    const k = this.negatives;
    const others = this.entityCount - 1;
    const random = this.random;
    const { heads, relations, tails } = positives;
    for (let i = 0; i < count; i += 1) {
      const head = heads[i]!;
      const tail = tails[i]!;
      const relation = relations[i]!;
      const pHead = this.headProbability[relation]!;
      let j = i * k;
      if (this.reflexive !== null && this.reflexive[relation] === 1 && head !== tail) {
        outHeads[j] = head;
        outTails[j] = head;
        j += 1;
      }
      for (; j < (i + 1) * k; j += 1) {
        if (random.nextFloat() < pHead) {
          const drawn = random.nextInt(others);
          outHeads[j] = drawn >= head ? drawn + 1 : drawn;
          outTails[j] = tail;
        } else {
          const drawn = random.nextInt(others);
          outHeads[j] = head;
          outTails[j] = drawn >= tail ? drawn + 1 : drawn;
        }
      }
    }
  }
}
