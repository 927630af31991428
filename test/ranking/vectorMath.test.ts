import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { negativeDistances, negativeL2Distances, rowDot, rowSquaredNorms } from '../../src/ranking/vectorMath.js';

describe('negativeL2Distances', () => {
  it('equals the direct L2 distance, including a row equal to the query', () => {
    const random = new Random(3);
    const rows = 50;
    const dimension = 13;
    const matrix = Float32Array.from({ length: rows * dimension }, () => random.gaussian(0, 1));
    const query = matrix.slice(7 * dimension, 8 * dimension);
    const direct = new Float32Array(rows);
    const viaDot = new Float32Array(rows);
    negativeDistances(matrix, rows, dimension, query, 'L2', direct);
    negativeL2Distances(matrix, rows, dimension, query, rowSquaredNorms(matrix, rows, dimension), viaDot);
    for (let i = 0; i < rows; i += 1) expect(viaDot[i]).toBeCloseTo(direct[i] ?? NaN, 2);
    expect(Math.abs(viaDot[7] ?? 1)).toBeLessThan(1e-2);
  });
});

describe('rowDot', () => {
  it('is the dot product of two rows of one matrix (the matrix as its own query, at an offset), for dimensions with and without a remainder of four', () => {
    const random = new Random(5);
    for (const dimension of [1, 4, 13, 64]) {
      const matrix = Float32Array.from({ length: 6 * dimension }, () => random.gaussian(0, 1));
      let direct = 0;
      for (let k = 0; k < dimension; k += 1) direct += (matrix[2 * dimension + k] as number) * (matrix[5 * dimension + k] as number);
      expect(rowDot(matrix, 5 * dimension, matrix, dimension, 2 * dimension)).toBeCloseTo(direct, 4);
    }
  });
});
