import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { IvfIndex, indexForModel } from '../../src/ranking/ivfIndex.js';
import { negativeL2Distances, rowSquaredNorms } from '../../src/ranking/vectorMath.js';

const DIMENSION = 16;

/** `rows` points around `blobs` random centres: the structure real product embeddings have (categories). */
function blobs(rows: number, blobCount: number, seed: number): Float32Array {
  const random = new Random(seed);
  const centres = Float32Array.from({ length: blobCount * DIMENSION }, () => random.gaussian(0, 1));
  const matrix = new Float32Array(rows * DIMENSION);
  for (let row = 0; row < rows; row += 1) {
    const blob = row % blobCount;
    for (let k = 0; k < DIMENSION; k += 1) matrix[row * DIMENSION + k] = (centres[blob * DIMENSION + k] as number) + random.gaussian(0, 0.15);
  }
  return matrix;
}

function exactScores(matrix: Float32Array, rows: number, query: Float32Array): Float32Array {
  const out = new Float32Array(rows);
  negativeL2Distances(matrix, rows, DIMENSION, query, rowSquaredNorms(matrix, rows, DIMENSION), out);
  return out;
}

const topRows = (scores: Float32Array, k: number): number[] =>
  Array.from(scores.keys())
    .sort((a, b) => (scores[b] as number) - (scores[a] as number))
    .slice(0, k);

describe('IvfIndex', () => {
  const rows = 6_000;
  const matrix = blobs(rows, 40, 3);
  const index = IvfIndex.build(matrix, rows, DIMENSION, { lists: 40, probeShare: 0.1 });

  it('assigns every row to a list and probes at least the asked share of rows', () => {
    expect(index.lists).toBe(40);
    expect(index.listOf.every((list) => list >= 0 && list < 40)).toBe(true);
    const out = new Float32Array(rows);
    const probed = index.negativeL2(matrix.slice(0, DIMENSION), out);
    expect(probed).toBeGreaterThanOrEqual(0.1 * rows);
    expect(probed).toBeLessThan(rows);
  });

  it('probes no more than maxProbedRows, in whole lists', () => {
    const capped = IvfIndex.withCentroids(matrix, rows, DIMENSION, index.centroids, { probeShare: 0.5, maxProbedRows: 300 });
    const sizes = Array.from({ length: capped.lists }, (_, list) => capped.listOf.filter((of) => of === list).length);
    const probed = capped.negativeL2(matrix.slice(0, DIMENSION), new Float32Array(rows));
    expect(probed).toBeGreaterThanOrEqual(300);
    expect(probed).toBeLessThan(300 + Math.max(...sizes));
  });

  it('scores the nearest rows exactly and finds the same top 20 as an exact pass', () => {
    const random = new Random(11);
    for (let trial = 0; trial < 10; trial += 1) {
      const query = matrix.slice((trial * 97) * DIMENSION, (trial * 97 + 1) * DIMENSION).map((value) => value + random.gaussian(0, 0.1));
      const exact = exactScores(matrix, rows, query);
      const approximate = new Float32Array(rows);
      index.negativeL2(query, approximate);
      const top = topRows(exact, 20);
      expect(topRows(approximate, 20)).toEqual(top);
      for (const row of top) expect(approximate[row]).toBeCloseTo(exact[row] as number, 4);
    }
  });

  it('estimates far rows from their list centre, close to their true distance', () => {
    const query = matrix.slice(0, DIMENSION);
    const exact = exactScores(matrix, rows, query);
    const approximate = new Float32Array(rows);
    index.negativeL2(query, approximate);
    let error = 0;
    let estimated = 0;
    for (let row = 0; row < rows; row += 1) {
      const relative = Math.abs((approximate[row] as number) - (exact[row] as number)) / Math.abs(exact[row] as number);
      if (relative > 1e-5) estimated += 1;
      error += relative;
    }
    expect(estimated).toBeGreaterThan(rows / 2); // far rows are estimated, not scored exactly
    // Blobs of radius ~0.6 about 5 apart: an estimate off by more than 5 % on average would be a broken index.
    expect(error / rows).toBeLessThan(0.05);
  });

  it('reuses the centres fitted for the same model, and reassigns new rows', () => {
    const owner = {};
    const first = indexForModel(owner, 'products', matrix, rows, DIMENSION, { lists: 40 });
    const moved = matrix.slice();
    moved.set(matrix.subarray(DIMENSION, 2 * DIMENSION), 0); // row 0 now sits where row 1 is
    const second = indexForModel(owner, 'products', moved, rows, DIMENSION, { lists: 40 });
    expect(second.centroids).toBe(first.centroids);
    expect(second.listOf[0]).toBe(first.listOf[1]);
  });

  it('keeps the lists of unchanged rows across a reload that reorders them, and assigns moved and new rows', () => {
    const owner = {};
    const keys = Array.from({ length: rows }, (_, row) => `p${row}`);
    const first = indexForModel(owner, 'products', matrix, rows, DIMENSION, { lists: 40 }, keys);
    // The reload: rows in reverse order, row 0 moved onto row 1's vector, one product gone and one new.
    const order = Array.from({ length: rows }, (_, row) => rows - 1 - row).filter((row) => row !== 7);
    const newKeys = [...order.map((row) => keys[row] as string), 'new'];
    const reloaded = new Float32Array(newKeys.length * DIMENSION);
    order.forEach((row, at) => reloaded.set(matrix.subarray(row * DIMENSION, (row + 1) * DIMENSION), at * DIMENSION));
    reloaded.set(matrix.subarray(DIMENSION, 2 * DIMENSION), order.indexOf(0) * DIMENSION);
    reloaded.set(matrix.subarray(3 * DIMENSION, 4 * DIMENSION), order.length * DIMENSION);
    const second = indexForModel(owner, 'products', reloaded, newKeys.length, DIMENSION, { lists: 40 }, newKeys);
    const fresh = IvfIndex.withCentroids(reloaded, newKeys.length, DIMENSION, first.centroids);
    expect(second.centroids).toBe(first.centroids);
    expect([...second.listOf]).toEqual([...fresh.listOf]);
    expect(second.listOf[order.indexOf(0)]).toBe(first.listOf[1]);
    expect(second.listOf[order.length]).toBe(first.listOf[3]);
    const query = matrix.slice(5 * DIMENSION, 6 * DIMENSION);
    const [a, b] = [new Float32Array(newKeys.length), new Float32Array(newKeys.length)];
    second.negativeL2(query, a);
    fresh.negativeL2(query, b);
    expect([...a]).toEqual([...b]);
  });

  it('rejects a probe share outside (0, 1]', () => {
    expect(() => IvfIndex.withCentroids(matrix, rows, DIMENSION, index.centroids, { probeShare: 0 })).toThrow(/probeShare/);
  });
});
