import { describe, expect, it } from 'vitest';
import { buildFilterIndex, evaluateLinkPrediction, rankOf } from '../../src/kge/evaluate.js';
import type { Distance, Embeddings, TripleSet } from '../../src/kge/types.js';
import { Random } from '../../src/math/random.js';

const triples = (rows: [number, number, number][]): TripleSet => ({
  heads: Int32Array.from(rows, (row) => row[0]),
  relations: Int32Array.from(rows, (row) => row[1]),
  tails: Int32Array.from(rows, (row) => row[2]),
});

/*
 * A graph small enough to rank by hand (dimension 2):
 *   entities e0 (0,0), e1 (1,0), e2 (2,0), e3 (0,1), e4 (1,0) — e4 duplicates e1, to make a tie;
 *   relations r0 (1,0), r1 (0,1).
 * Test triples A = (e0, r0, e1) and B = (e3, r1, e2); training triples (e0, r0, e4), (e3, r1, e0), (e1, r1, e2).
 *
 * Squared L2 distances of each query (ranking by them is ranking by L2):
 *   A tail, q = e0 + r0 = (1,0): e0 1, e1 0, e2 1, e3 2, e4 0 → raw: e4 ties e1 → 1 + 0 + 1/2 = 1.5;
 *           filtered: e4 is a known tail of (e0, r0) → 1.
 *   A head, q = e1 − r0 = (0,0): e0 0, e1 1, e2 4, e3 1, e4 1 → 1 raw and filtered.
 *   B tail, q = e3 + r1 = (0,2): e0 4, e1 5, e2 8, e3 1, e4 5 → raw 5; filtered (e0 known) → 4.
 *   B head, q = e2 − r1 = (2,−1): e0 5, e1 2, e2 1, e3 8, e4 2 → raw 5; filtered (e1 known) → 4.
 * Filtered: MRR (1 + 1 + 1/4 + 1/4) / 4 = 0.625, Hits@1 2/4, Hits@3 2/4, Hits@10 4/4.
 * Raw: MRR (1/1.5 + 1 + 1/5 + 1/5) / 4 = 0.51666…, Hits@1 1/4 (1.5 is not ≤ 1), Hits@3 2/4, Hits@10 1.
 */
const handBuilt: Embeddings = {
  dimension: 2,
  entity: Float32Array.from([0, 0, 1, 0, 2, 0, 0, 1, 1, 0]),
  relation: Float32Array.from([1, 0, 0, 1]),
};
const test = triples([
  [0, 0, 1],
  [3, 1, 2],
]);
const train = triples([
  [0, 0, 4],
  [3, 1, 0],
  [1, 1, 2],
]);

describe('rankOf', () => {
  it('counts strictly better scores and gives ties the realistic rank', () => {
    const scores = Float32Array.from([0.5, 0.9, 0.5, 0.5, 0.1]);
    // better: 0.9; equal: indexes 2 and 3 → 1 + 1 + 2/2
    expect(rankOf(scores, 0, null)).toBe(3);
    expect(rankOf(scores, 0, Int32Array.from([2]))).toBe(2.5);
    expect(rankOf(scores, 0, Int32Array.from([1]))).toBe(2);
    // the true index in the filter list is ignored, as are repeats
    expect(rankOf(scores, 0, Int32Array.from([0, 1, 1, 2, 3]))).toBe(1);
    expect(rankOf(scores, 1, null)).toBe(1);
    expect(rankOf(scores, 4, null)).toBe(5);
  });

  it('ranks all-equal scores in the middle, and a NaN true score last', () => {
    expect(rankOf(new Float64Array(5), 2, null)).toBe(3);
    expect(rankOf(Float64Array.from([1, Number.NaN, 2, 3]), 1, null)).toBe(4);
    expect(rankOf(Float64Array.from([1, Number.NaN, 2, 3]), 1, Int32Array.from([0]))).toBe(3);
  });
});

describe('buildFilterIndex', () => {
  it('lists the sorted, distinct answers of each (anchor, relation)', () => {
    const index = buildFilterIndex([train, test, train], 5, 2);
    expect([...(index.tails.get(0 * 2 + 0) ?? [])]).toEqual([1, 4]);
    expect([...(index.tails.get(3 * 2 + 1) ?? [])]).toEqual([0, 2]);
    expect([...(index.heads.get(2 * 2 + 1) ?? [])]).toEqual([1, 3]);
    expect(index.tails.get(4 * 2 + 0)).toBeUndefined();
  });

  it('names the triple that is out of range', () => {
    expect(() => buildFilterIndex([triples([[0, 2, 1]])], 5, 2)).toThrow(/known\[0\]: triple 0 \(0, 2, 1\) is out of range/);
  });
});

describe('evaluateLinkPrediction', () => {
  it('gives the hand-computed filtered metrics, overall and per relation', async () => {
    const result = await evaluateLinkPrediction(handBuilt, 'L2', test, [train, test], { relationNames: ['r0', 'r1'] });
    expect(result.count).toBe(4);
    expect(result.mrr).toBeCloseTo(0.625, 12);
    expect(result['hits@1']).toBe(0.5);
    expect(result['hits@3']).toBe(0.5);
    expect(result['hits@10']).toBe(1);
    expect(result.perRelation).toEqual({
      r0: { mrr: 1, 'hits@1': 1, 'hits@3': 1, 'hits@10': 1, count: 2 },
      r1: { mrr: 0.25, 'hits@1': 0, 'hits@3': 0, 'hits@10': 1, count: 2 },
    });
  });

  it('gives the hand-computed raw metrics when nothing is filtered', async () => {
    const result = await evaluateLinkPrediction(handBuilt, 'L2', test, []);
    expect(result.mrr).toBeCloseTo((1 / 1.5 + 1 + 0.2 + 0.2) / 4, 12);
    expect(result['hits@1']).toBe(0.25);
    expect(result['hits@3']).toBe(0.5);
    expect(result['hits@10']).toBe(1);
    // without names, relations are keyed by index
    expect(result.perRelation['0']?.mrr).toBeCloseTo((1 / 1.5 + 1) / 2, 12);
    expect(result.perRelation['1']?.mrr).toBeCloseTo(0.2, 12);
  });

  it('restricts candidates and skips queries whose answer is not a candidate', async () => {
    /*
     * Candidates e1, e2, e3:
     *   A tail: e1 0, e2 1, e3 2 → 1.   A head: answer e0 is not a candidate → skipped.
     *   B tail: e1 5, e2 8, e3 1 → 3 (known e0 is not a candidate: no change).
     *   B head: e1 2, e2 1, e3 8 → 3 raw, 2 filtered (e1 known).
     */
    const result = await evaluateLinkPrediction(handBuilt, 'L2', test, [train, test], {
      candidateEntities: Int32Array.from([3, 1, 2]),
    });
    expect(result.count).toBe(3);
    expect(result.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 2) / 3, 12);
    expect(result['hits@1']).toBeCloseTo(1 / 3, 12);
    expect(result['hits@3']).toBe(1);
  });

  it('uses the distance asked for', async () => {
    // Query (e0, r, ?) with r = 0: e0 at 0; e1 (1,1) at L1 2 / L2² 2; e2 (1.5,0) at L1 1.5 / L2² 2.25.
    const embeddings: Embeddings = { dimension: 2, entity: Float32Array.from([0, 0, 1, 1, 1.5, 0]), relation: new Float32Array(2) };
    const one = triples([[0, 0, 1]]);
    const l1 = await evaluateLinkPrediction(embeddings, 'L1', one, [], { sides: 'tail' });
    const l2 = await evaluateLinkPrediction(embeddings, 'L2', one, [], { sides: 'tail' });
    expect(l1.count).toBe(1);
    expect(l1.mrr).toBeCloseTo(1 / 3, 12);
    expect(l2.mrr).toBeCloseTo(1 / 2, 12);
  });

  it('reports progress up to the total', async () => {
    const calls: [number, number][] = [];
    await evaluateLinkPrediction(handBuilt, 'L2', test, [], { batchSize: 1, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  });

  it('rejects out-of-range triples and candidates with a clear message', async () => {
    await expect(evaluateLinkPrediction(handBuilt, 'L2', triples([[0, 0, 9]]), [])).rejects.toThrow(/triples: triple 0 \(0, 0, 9\)/);
    await expect(
      evaluateLinkPrediction(handBuilt, 'L2', test, [], { candidateEntities: Int32Array.from([1, 1]) }),
    ).rejects.toThrow(/entity 1 is listed twice/);
  });
});

/** The definition, one query at a time: score every candidate by −‖h + r − t‖, drop known answers, count. */
function naiveRanks(
  embeddings: Embeddings,
  distance: Distance,
  test: TripleSet,
  known: TripleSet[],
  candidates: number[],
): { relation: number; rank: number }[] {
  const dim = embeddings.dimension;
  const isKnown = new Set<string>();
  for (const set of known) for (let i = 0; i < set.heads.length; i += 1) isKnown.add(`${set.heads[i]},${set.relations[i]},${set.tails[i]}`);
  const score = (h: number, r: number, t: number): number => {
    let sum = 0;
    for (let k = 0; k < dim; k += 1) {
      const d = embeddings.entity[h * dim + k]! + embeddings.relation[r * dim + k]! - embeddings.entity[t * dim + k]!;
      sum += distance === 'L1' ? Math.abs(d) : d * d;
    }
    return -(distance === 'L1' ? sum : Math.sqrt(sum));
  };
  const ranks: { relation: number; rank: number }[] = [];
  for (let i = 0; i < test.heads.length; i += 1) {
    const [h, r, t] = [test.heads[i]!, test.relations[i]!, test.tails[i]!];
    for (const predictTail of [true, false]) {
      const answer = predictTail ? t : h;
      if (!candidates.includes(answer)) continue;
      const scoreOf = (c: number): number => (predictTail ? score(h, r, c) : score(c, r, t));
      const trueScore = scoreOf(answer);
      let better = 0;
      let equal = 0;
      for (const c of candidates) {
        if (c === answer || isKnown.has(predictTail ? `${h},${r},${c}` : `${c},${r},${t}`)) continue;
        const s = scoreOf(c);
        if (s > trueScore) better += 1;
        else if (s === trueScore) equal += 1;
      }
      ranks.push({ relation: r, rank: 1 + better + equal / 2 });
    }
  }
  return ranks;
}

describe('evaluateLinkPrediction against the per-query definition', () => {
  const entityCount = 60;
  const relationCount = 5;
  const randomTriples = (random: () => number, n: number): TripleSet =>
    triples(
      Array.from({ length: n }, () => [
        Math.floor(random() * entityCount),
        Math.floor(random() * relationCount),
        Math.floor(random() * entityCount),
      ]),
    );

  const cases: { name: string; distance: Distance; dimension: number; quantised: boolean; subset: boolean }[] = [
    { name: 'L2, continuous', distance: 'L2', dimension: 7, quantised: false, subset: false },
    { name: 'L1, continuous', distance: 'L1', dimension: 9, quantised: false, subset: false },
    // small integer coordinates make exact ties common, and every sum exact in either order
    { name: 'L2, many ties', distance: 'L2', dimension: 3, quantised: true, subset: false },
    { name: 'L1, many ties', distance: 'L1', dimension: 4, quantised: true, subset: true },
    { name: 'L2, candidate subset', distance: 'L2', dimension: 16, quantised: false, subset: true },
  ];

  for (const [n, c] of cases.entries()) for (const kernels of ['simd', 'plain'] as const) {
    it(`${c.name}, ${kernels} distance pass`, async () => {
      const generator = new Random(1000 + n);
      const random = (): number => generator.nextFloat();
      const value = (): number => (c.quantised ? Math.floor(random() * 3) - 1 : random() * 2 - 1);
      const embeddings: Embeddings = {
        dimension: c.dimension,
        entity: Float32Array.from({ length: entityCount * c.dimension }, value),
        relation: Float32Array.from({ length: relationCount * c.dimension }, value),
      };
      const trainSet = randomTriples(random, 400);
      const testSet = randomTriples(random, 150);
      const candidates = Array.from({ length: entityCount }, (_, i) => i).filter((i) => !c.subset || i % 3 !== 0);
      const expected = naiveRanks(embeddings, c.distance, testSet, [trainSet, testSet], candidates);
      // batch 13 = 8 + 4 + 1 (plain) or 4 + 4 + 4 + 1 (SIMD): every kernel width is used
      const result = await evaluateLinkPrediction(embeddings, c.distance, testSet, [trainSet, testSet], {
        batchSize: 13,
        kernels,
        ...(c.subset ? { candidateEntities: Int32Array.from(candidates.reverse()) } : {}),
      });
      const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
      expect(result.count).toBe(expected.length);
      expect(result.mrr).toBeCloseTo(mean(expected.map((e) => 1 / e.rank)), 12);
      for (const k of [1, 3, 10] as const) expect(result[`hits@${k}`]).toBeCloseTo(mean(expected.map((e) => (e.rank <= k ? 1 : 0))), 12);
      for (let r = 0; r < relationCount; r += 1) {
        const ofRelation = expected.filter((e) => e.relation === r);
        expect(result.perRelation[String(r)]?.count).toBe(ofRelation.length);
        expect(result.perRelation[String(r)]?.mrr).toBeCloseTo(mean(ofRelation.map((e) => 1 / e.rank)), 12);
      }
    });
  }
});
