import { hashString } from '../util/hash.js';

/**
 * Seeded randomness for the demo shop. mulberry32 is hand-written here (a dozen lines, no dependency) because
 * the demo must be byte-identical for a seed on every machine and Node version, and Math.random cannot be seeded.
 */

/** mulberry32 by Tommy Ettinger: a 32-bit state, fast, and statistically good enough for synthetic data. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * FNV-1a of "seed:stream". Each part of the generator draws from its own stream, so that asking for more events
 * does not reshuffle the catalogue, and adding a product does not change every user.
 */
export function streamSeed(seed: number, stream: string): number {
  return hashString(`${seed}:${stream}`);
}

export class Random {
  private readonly next: () => number;

  constructor(seed: number, stream: string) {
    this.next = mulberry32(streamSeed(seed, stream));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }

  /** An index drawn with probability proportional to its weight; -1 when all weights are zero. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const weight of weights) total += weight;
    if (total <= 0) return -1;
    let target = this.next() * total;
    for (let index = 0; index < weights.length; index += 1) {
      target -= weights[index] ?? 0;
      if (target < 0) return index;
    }
    // Rounding can leave a sliver of `target`: the last positive weight takes it.
    for (let index = weights.length - 1; index >= 0; index -= 1) if ((weights[index] ?? 0) > 0) return index;
    return -1;
  }

  weightedPick<T>(items: readonly T[], weightOf: (item: T) => number): T {
    const item = items[this.weightedIndex(items.map(weightOf))];
    if (item === undefined) throw new RangeError('cannot pick from an empty or zero-weight list');
    return item;
  }

  /** A new array in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const result = [...items];
    for (let index = result.length - 1; index > 0; index -= 1) {
      const other = Math.floor(this.next() * (index + 1));
      [result[index], result[other]] = [result[other] as T, result[index] as T];
    }
    return result;
  }

  /** Up to `count` distinct items. */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }

  /** Pareto-distributed value ≥ 1 (heavy tail for small `alpha`), capped so one draw cannot dominate everything. */
  pareto(alpha: number, cap: number): number {
    return Math.min(cap, (1 - this.next()) ** (-1 / alpha));
  }
}

/** Draws indices in proportion to fixed weights in O(log n): for the many draws over the same weights. */
export class WeightedSampler {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(weights: readonly number[]) {
    let total = 0;
    for (const weight of weights) {
      total += Math.max(0, weight);
      this.cumulative.push(total);
    }
    this.total = total;
  }

  sample(random: Random): number {
    if (this.total <= 0) throw new RangeError('cannot sample from zero total weight');
    const target = random.float() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.cumulative[middle] ?? 0) > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
