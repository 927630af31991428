import { hashString } from '../util/hash.js';

/**
 * The one seeded pseudo-random generator: training (initialisation, shuffles, negatives), evaluation splits,
 * the IVF index and the demo shop all draw from it, so that the same seed repeats a run exactly on every
 * machine and Node version.
 *
 * Hand-written xoshiro128** (Blackman & Vigna 2018) because `Math.random` cannot be seeded, and this one
 * needs only 32-bit integer operations (no BigInt) while its period, 2^128 − 1, is far beyond the billions
 * of draws of a long training run (mulberry32's 2^32 would wrap within a few hundred FB15k-237 epochs).
 */

const TWO_TO_MINUS_32 = 1 / 4294967296;

/** SplitMix32 (a 32-bit variant of SplitMix64): spreads one seed over the four words of state. */
function splitMix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The second value of the last Box–Muller pair, or NaN when none is pending. */
  private spareGaussian = Number.NaN;

  /**
   * A generator for one named stream of a seed (FNV-1a of "seed:stream"). Each part of a generator that
   * draws from its own stream leaves the others as they are: asking the demo for more events does not
   * reshuffle its catalogue, and adding a product does not change every user.
   */
  static forStream(seed: number, stream: string): Random {
    return new Random(hashString(`${seed}:${stream}`));
  }

  /** Any finite number is a valid seed; integers up to 2^53 keep all their bits. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Random: seed: expected a finite number, got ${seed}`);
    const low = seed >>> 0;
    const high = Math.floor(seed / 4294967296) >>> 0;
    const state = { x: low ^ Math.imul(high, 0x27d4eb2d) };
    this.s0 = splitMix32(state);
    this.s1 = splitMix32(state);
    this.s2 = splitMix32(state);
    this.s3 = splitMix32(state);
    // The all-zero state is the one fixed point of xoshiro; SplitMix32 cannot give it, but be certain.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() * TWO_TO_MINUS_32;
  }

  /**
   * A uniform integer in [0, n). Multiplying 32 random bits by n has a bias below n / 2^32 (under 1e-5 for
   * a million entities), far below what negative sampling can notice, and needs no rejection loop.
   */
  nextInt(n: number): number {
    return Math.floor(this.nextUint32() * TWO_TO_MINUS_32 * n);
  }

  /** A uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.nextFloat();
  }

  /** A uniform integer in [min, max], both included. */
  integer(min: number, max: number): number {
    return min + this.nextInt(max - min + 1);
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.nextFloat() < probability;
  }

  /** A uniformly chosen item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick: items: cannot pick from an empty list');
    return items[this.nextInt(items.length)] as T;
  }

  /** An index drawn with probability proportional to its weight; -1 when all weights are zero. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const weight of weights) total += weight;
    if (total <= 0) return -1;
    let target = this.nextFloat() * total;
    for (let index = 0; index < weights.length; index += 1) {
      target -= weights[index] ?? 0;
      if (target < 0) return index;
    }
    // Rounding can leave a sliver of `target`: the last positive weight takes it.
    for (let index = weights.length - 1; index >= 0; index -= 1) if ((weights[index] ?? 0) > 0) return index;
    return -1;
  }

  /** An item drawn with probability proportional to `weightOf(item)`. */
  weightedPick<T>(items: readonly T[], weightOf: (item: T) => number): T {
    const item = items[this.weightedIndex(items.map(weightOf))];
    if (item === undefined) throw new RangeError('Random.weightedPick: items: cannot pick from an empty or zero-weight list');
    return item;
  }

  /** A Pareto-distributed value ≥ 1 (a heavy tail for small `alpha`), capped so that one draw cannot dominate. */
  pareto(alpha: number, cap: number): number {
    return Math.min(cap, (1 - this.nextFloat()) ** (-1 / alpha));
  }

  /** A normal deviate (Box–Muller; the second value of each pair is kept for the next call). */
  gaussian(mean = 0, standardDeviation = 1): number {
    if (!Number.isNaN(this.spareGaussian)) {
      const spare = this.spareGaussian;
      this.spareGaussian = Number.NaN;
      return mean + standardDeviation * spare;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.nextFloat()));
    const angle = 2 * Math.PI * this.nextFloat();
    this.spareGaussian = radius * Math.sin(angle);
    return mean + standardDeviation * radius * Math.cos(angle);
  }

  /** Shuffles the first `length` entries of `values` in place (Fisher–Yates). */
  shuffle(values: Int32Array, length = values.length): void {
    for (let i = length - 1; i > 0; i -= 1) {
      const j = this.nextInt(i + 1);
      const swap = values[i]!;
      values[i] = values[j]!;
      values[j] = swap;
    }
  }

  /** A new array with the items in random order (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const result = [...items];
    for (let i = result.length - 1; i > 0; i -= 1) {
      const j = this.nextInt(i + 1);
      [result[i], result[j]] = [result[j] as T, result[i] as T];
    }
    return result;
  }

  /** Up to `count` distinct items of the list, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffled(items).slice(0, count);
  }
}

/** Draws indices in proportion to fixed weights in O(log n): for the many draws over the same weights. */
export class WeightedSampler {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    for (const [index, weight] of weights.entries()) {
      total += Math.max(0, weight);
      this.cumulative[index] = total;
    }
    this.total = total;
  }

  sample(random: Random): number {
    if (this.total <= 0) throw new RangeError('WeightedSampler: weights: cannot sample from zero total weight');
    const target = random.nextFloat() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
