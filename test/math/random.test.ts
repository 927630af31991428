import { describe, expect, it } from 'vitest';
import { Random, WeightedSampler } from '../../src/math/random.js';

const draws = (random: Random, n: number): number[] => Array.from({ length: n }, () => random.nextUint32());

describe('Random', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    expect(draws(new Random(7), 50)).toEqual(draws(new Random(7), 50));
    expect(draws(new Random(7), 50)).not.toEqual(draws(new Random(8), 50));
  });

  it('gives each named stream of a seed its own repeatable sequence', () => {
    expect(draws(Random.forStream(3, 'events'), 20)).toEqual(draws(Random.forStream(3, 'events'), 20));
    expect(draws(Random.forStream(3, 'events'), 20)).not.toEqual(draws(Random.forStream(3, 'shoppers'), 20));
    expect(draws(Random.forStream(3, 'events'), 20)).not.toEqual(draws(Random.forStream(4, 'events'), 20));
  });

  it('refuses a seed that is not a finite number', () => {
    expect(() => new Random(Number.NaN)).toThrow(/seed: expected a finite number, got NaN/);
  });

  it('keeps integers, floats and picks inside their bounds and reaches every value', () => {
    const random = new Random(11);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i += 1) {
      const value = random.integer(-2, 3);
      expect(Number.isInteger(value) && value >= -2 && value <= 3).toBe(true);
      seen.add(value);
      const float = random.uniform(5, 6);
      expect(float >= 5 && float < 6).toBe(true);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(() => random.pick([])).toThrow(/cannot pick from an empty list/);
  });

  it('draws chances and weighted indices in proportion, and never a zero weight', () => {
    const random = new Random(5);
    const n = 20_000;
    let hits = 0;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i += 1) {
      if (random.chance(0.3)) hits += 1;
      counts[random.weightedIndex([1, 0, 3, 0])]! += 1;
    }
    expect(hits / n).toBeCloseTo(0.3, 1);
    expect(counts[1]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[2]! / n).toBeCloseTo(0.75, 1);
    expect(random.weightedIndex([0, 0])).toBe(-1);
    expect(() => random.weightedPick(['a'], () => 0)).toThrow(/zero-weight/);
  });

  it('shuffles into permutations and samples distinct items', () => {
    const random = new Random(9);
    const items = Array.from({ length: 30 }, (_, i) => i);
    const shuffled = random.shuffled(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    const values = Int32Array.from(items);
    random.shuffle(values, 10);
    expect(Array.from(values.subarray(10))).toEqual(items.slice(10));
    expect(Array.from(values.subarray(0, 10)).sort((a, b) => a - b)).toEqual(items.slice(0, 10));
    const sample = random.sample(items, 8);
    expect(new Set(sample).size).toBe(8);
    expect(random.sample(items.slice(0, 3), 8)).toHaveLength(3);
  });

  it('draws normal deviates with the asked mean and spread, and capped Pareto values', () => {
    const random = new Random(13);
    const n = 20_000;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i += 1) {
      const value = random.gaussian(2, 0.5);
      sum += value;
      squares += value * value;
      const pareto = random.pareto(1.2, 10);
      expect(pareto >= 1 && pareto <= 10).toBe(true);
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(2, 1);
    expect(Math.sqrt(squares / n - mean * mean)).toBeCloseTo(0.5, 1);
  });
});

describe('WeightedSampler', () => {
  it('draws indices in proportion to their weights, negative weights counting as zero', () => {
    const sampler = new WeightedSampler([2, -1, 0, 6]);
    const random = new Random(21);
    const counts = [0, 0, 0, 0];
    const n = 16_000;
    for (let i = 0; i < n; i += 1) counts[sampler.sample(random)]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[2]).toBe(0);
    expect(counts[0]! / n).toBeCloseTo(0.25, 1);
    expect(() => new WeightedSampler([0, 0]).sample(random)).toThrow(/zero total weight/);
  });
});
