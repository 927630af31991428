import { describe, expect, it } from 'vitest';
import { headCorruptionProbabilities, NegativeSampler, reflexiveRelations } from '../../src/kge/negativeSampler.js';
import { Random } from '../../src/math/random.js';
import type { Corruption, TripleSet } from '../../src/kge/types.js';

const triples = (rows: Array<[number, number, number]>): TripleSet => ({
  heads: Int32Array.from(rows, ([h]) => h),
  relations: Int32Array.from(rows, ([, r]) => r),
  tails: Int32Array.from(rows, ([, , t]) => t),
});

/** Draws k negatives for every positive and returns them with, per negative, which side was corrupted. */
function draw(sampler: NegativeSampler, positives: TripleSet) {
  const k = sampler.negatives;
  const count = positives.heads.length;
  const heads = new Int32Array(count * k);
  const tails = new Int32Array(count * k);
  sampler.sample(positives, count, heads, tails);
  return { heads, tails };
}

/** Checks every negative: exactly one side of its positive replaced, by an entity in range. */
function expectValidNegatives(positives: TripleSet, negatives: { heads: Int32Array; tails: Int32Array }, k: number, entityCount: number): void {
  for (let j = 0; j < negatives.heads.length; j += 1) {
    const i = Math.floor(j / k);
    const h = negatives.heads[j]!;
    const t = negatives.tails[j]!;
    const headChanged = h !== positives.heads[i]!;
    const tailChanged = t !== positives.tails[i]!;
    // Never the positive itself, and exactly one side corrupted.
    expect(headChanged !== tailChanged).toBe(true);
    expect(h >= 0 && h < entityCount && t >= 0 && t < entityCount).toBe(true);
  }
}

describe('NegativeSampler', () => {
  it('never returns the positive triple, even with only two entities', () => {
    const positives = triples([
      [0, 0, 1],
      [1, 0, 0],
      [0, 0, 0],
      [1, 0, 1],
    ]);
    const sampler = NegativeSampler.forTriples(positives, 2, 1, 500, 'uniform', new Random(3));
    const negatives = draw(sampler, positives);
    expectValidNegatives(positives, negatives, 500, 2);
    // With two entities the replacement is forced: (0, r, 1) can only become (1, r, 1) or (0, r, 0).
    for (let j = 0; j < 500; j += 1) {
      const pair = `${negatives.heads[j]},${negatives.tails[j]}`;
      expect(['1,1', '0,0']).toContain(pair);
    }
  });

  it('draws every other entity, and never the replaced one, on a larger graph', () => {
    const entityCount = 20;
    const random = new Random(5);
    const positives = triples(Array.from({ length: 200 }, (): [number, number, number] => [random.nextInt(entityCount), random.nextInt(3), random.nextInt(entityCount)]));
    const k = 50;
    const sampler = NegativeSampler.forTriples(positives, entityCount, 3, k, 'bernoulli', new Random(6));
    const negatives = draw(sampler, positives);
    expectValidNegatives(positives, negatives, k, entityCount);
    const seen = new Set([...negatives.heads, ...negatives.tails]);
    expect(seen.size).toBe(entityCount);
  });

  it('with reflexive negatives, makes the first negative of each positive (h, r, h), except for a self-loop or a symmetric relation', () => {
    const entityCount = 20;
    const random = new Random(7);
    // Relations 0–2 random (hardly ever reciprocated); relation 3 symmetric: every pair in both directions.
    const pairs = Array.from({ length: 30 }, (_, i): [number, number] => [i % entityCount, (i * 7 + 3) % entityCount]);
    const positives = triples([
      [3, 0, 3],
      ...Array.from({ length: 100 }, (): [number, number, number] => [random.nextInt(entityCount), random.nextInt(3), random.nextInt(entityCount)]),
      ...pairs.flatMap(([a, b]): Array<[number, number, number]> => [[a, 3, b], [b, 3, a]]),
    ]);
    expect([...reflexiveRelations(positives, 4, entityCount)]).toEqual([1, 1, 1, 0]);
    const k = 4;
    const negatives = draw(NegativeSampler.forTriples(positives, entityCount, 4, k, 'bernoulli', new Random(8), true), positives);
    expectValidNegatives(positives, negatives, k, entityCount);
    let symmetricReflexive = 0;
    for (let i = 0; i < positives.heads.length; i += 1) {
      const h = positives.heads[i]!;
      const t = positives.tails[i]!;
      const first = [negatives.heads[i * k], negatives.tails[i * k]];
      if (h === t) expect(first).not.toEqual([h, h]);
      else if (positives.relations[i] === 3) symmetricReflexive += first[0] === first[1] ? 1 : 0;
      else expect(first).toEqual([h, h]);
    }
    // For the symmetric relation the first negative is an ordinary draw: (h, r, h) only by chance.
    expect(symmetricReflexive).toBeLessThan(pairs.length / 2);
    // Without the option, reflexive negatives are as rare as any other draw.
    const plain = draw(NegativeSampler.forTriples(positives, entityCount, 3, k, 'bernoulli', new Random(8)), positives);
    let reflexive = 0;
    for (let j = 0; j < plain.heads.length; j += k) if (plain.heads[j] === plain.tails[j]) reflexive += 1;
    expect(reflexive).toBeLessThan(positives.heads.length / 4);
  });

  it('bernoulli corruption replaces the head of a 1-to-N relation more often', () => {
    // Relation 0: entity 0 → entities 1..10 (1-to-N: tph = 10, hpt = 1, P(head) = 10/11).
    // Relation 1: entities 1..10 → entity 0 (N-to-1: P(head) = 1/11).
    const rows: Array<[number, number, number]> = [];
    for (let t = 1; t <= 10; t += 1) rows.push([0, 0, t], [t, 1, 0]);
    const positives = triples(rows);
    const probabilities = headCorruptionProbabilities(positives, 3, 'bernoulli');
    expect(probabilities[0]).toBeCloseTo(10 / 11, 12);
    expect(probabilities[1]).toBeCloseTo(1 / 11, 12);
    // A relation with no triples falls back to ½.
    expect(probabilities[2]).toBe(0.5);

    const k = 1000;
    const sampler = NegativeSampler.forTriples(positives, 11, 3, k, 'bernoulli', new Random(9));
    const negatives = draw(sampler, positives);
    const headShare = (relation: number): number => {
      let changed = 0;
      let total = 0;
      for (let j = 0; j < negatives.heads.length; j += 1) {
        const i = Math.floor(j / k);
        if (positives.relations[i] !== relation) continue;
        total += 1;
        if (negatives.heads[j] !== positives.heads[i]) changed += 1;
      }
      return changed / total;
    };
    // 10,000 draws per relation: the standard error is about 0.003.
    expect(headShare(0)).toBeGreaterThan(0.89);
    expect(headShare(0)).toBeLessThan(0.93);
    expect(headShare(1)).toBeGreaterThan(0.07);
    expect(headShare(1)).toBeLessThan(0.11);
  });

  it('uniform corruption replaces heads and tails equally often', () => {
    const rows: Array<[number, number, number]> = [];
    for (let t = 1; t <= 10; t += 1) rows.push([0, 0, t]);
    const positives = triples(rows);
    expect(headCorruptionProbabilities(positives, 1, 'uniform')[0]).toBe(0.5);
    const negatives = draw(NegativeSampler.forTriples(positives, 11, 1, 2000, 'uniform', new Random(2)), positives);
    const heads = negatives.heads.filter((h) => h !== 0).length;
    expect(heads / negatives.heads.length).toBeGreaterThan(0.48);
    expect(heads / negatives.heads.length).toBeLessThan(0.52);
  });

  it('is repeatable for a seed', () => {
    const random = new Random(1);
    const positives = triples(Array.from({ length: 50 }, (): [number, number, number] => [random.nextInt(30), random.nextInt(4), random.nextInt(30)]));
    const run = (seed: number, corruption: Corruption) => draw(NegativeSampler.forTriples(positives, 30, 4, 8, corruption, new Random(seed)), positives);
    for (const corruption of ['uniform', 'bernoulli'] as const) {
      const first = run(7, corruption);
      const second = run(7, corruption);
      expect(second.heads).toEqual(first.heads);
      expect(second.tails).toEqual(first.tails);
      const other = run(8, corruption);
      expect(other.heads).not.toEqual(first.heads);
    }
  });

  it('refuses a graph with a single entity', () => {
    expect(() => NegativeSampler.forTriples(triples([[0, 0, 0]]), 1, 1, 1, 'uniform', new Random(1))).toThrow(/at least 2 entities/);
  });
});
