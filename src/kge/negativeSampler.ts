/**
 * Negative sampling by corruption: each positive (h, r, t) gives k negatives (h', r, t) or (h, r, t'), the
 * replacing entity drawn uniformly among the others. Other true triples are not filtered out, as in PyKEEN's
 * default basic sampler: on large graphs a random corruption is almost never true, and filtering costs a
 * hash lookup per negative.
 */
import type { Random } from './random.js';
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

export class NegativeSampler {
  /** Per relation, the probability of corrupting the head rather than the tail. */
  readonly headProbability: Float64Array;

  constructor(
    private readonly entityCount: number,
    readonly negatives: number,
    headProbability: Float64Array,
    private readonly random: Random,
    /** The first negative of each positive (h, r, t) with h ≠ t is (h, r, h) (`reflexiveNegatives`). */
    private readonly reflexive = false,
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
    return new NegativeSampler(entityCount, negatives, headCorruptionProbabilities(triples, relationCount, corruption), random, reflexive);
  }

  /**
   * Writes k negatives for each of positives[0..count): negative j of positive i goes to index i·k + j of
   * `outHeads` / `outTails` (its relation is the positive's). The replacing entity is drawn among the other
   * entityCount − 1 (a draw in [0, n − 1) shifted past the replaced one), so a negative never equals its
   * positive and no draw is wasted. With reflexive negatives, the first of a positive's k is (h, r, h)
   * unless h = t (it would be the positive itself).
   */
  sample(positives: TripleSet, count: number, outHeads: Int32Array, outTails: Int32Array): void {
    const k = this.negatives;
    const others = this.entityCount - 1;
    const random = this.random;
    const { heads, relations, tails } = positives;
    for (let i = 0; i < count; i += 1) {
      const head = heads[i]!;
      const tail = tails[i]!;
      const pHead = this.headProbability[relations[i]!]!;
      let j = i * k;
      if (this.reflexive && head !== tail) {
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
