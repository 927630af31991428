import { describe, expect, it } from 'vitest';
import { resolveHyperparameters } from '../../src/kge/hyperparameters.js';
import { warmStartEmbeddings } from '../../src/kge/warmStart.js';

describe('warm start', () => {
  it('keeps known vectors and starts new entities from their translated neighbours', () => {
    const params = resolveHyperparameters({ dimension: 2, seed: 1 });
    const previous = {
      entities: ['User:u1', 'Product:p1', 'Category:c'],
      relations: ['PURCHASED', 'IN_CATEGORY'],
      embeddings: { dimension: 2, entity: Float32Array.from([0, 0, 1, 1, 5, 5]), relation: Float32Array.from([1, 1, 4, 4]) },
    };
    // p2 is new: it is in category c (p2 + IN_CATEGORY ≈ c → p2 ≈ (5,5) − (4,4) = (1,1)) and bought by
    // u1 (u1 + PURCHASED ≈ p2 → p2 ≈ (0,0) + (1,1) = (1,1)); its mean is (1,1). u9 has no known neighbour.
    const dataset = {
      entities: ['Product:p2', 'User:u1', 'Category:c', 'Product:p1', 'User:u9'],
      relations: ['IN_CATEGORY', 'PURCHASED'],
      train: {
        heads: Int32Array.from([0, 1, 4]),
        relations: Int32Array.from([0, 1, 1]),
        tails: Int32Array.from([2, 0, 4]),
      },
    };
    const warm = warmStartEmbeddings(previous, dataset, params);
    expect(warm).toMatchObject({ reused: 3, fromNeighbours: 1, fresh: 1 });
    expect(Array.from(warm.embeddings.entity.subarray(0, 2))).toEqual([1, 1]);
    expect(Array.from(warm.embeddings.entity.subarray(2, 8))).toEqual([0, 0, 5, 5, 1, 1]);
    expect(Array.from(warm.embeddings.relation)).toEqual([4, 4, 1, 1]);
    expect(() => warmStartEmbeddings(previous, dataset, resolveHyperparameters({ dimension: 3 }))).toThrow(/dimension 2, this run 3/);
  });
});
