import type { Distance } from '../kge/types.js';

/**
 * The few dense kernels ranking needs, over rows of one flat Float32Array. Plain loops with four
 * accumulators: V8 keeps them in registers, and a 100,000 × 64 pass costs a few milliseconds.
 */

/** out[i] = −distance(query, row i) for the first `rows` rows of `matrix`: higher is closer, as TransE scores. */
export function negativeDistances(matrix: Float32Array, rows: number, dimension: number, query: Float32Array, distance: Distance, out: Float32Array): void {
  for (let row = 0, offset = 0; row < rows; row += 1, offset += dimension) {
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let k = 0;
    if (distance === 'L2') {
      for (; k + 3 < dimension; k += 4) {
        const x0 = (query[k] as number) - (matrix[offset + k] as number);
        const x1 = (query[k + 1] as number) - (matrix[offset + k + 1] as number);
        const x2 = (query[k + 2] as number) - (matrix[offset + k + 2] as number);
        const x3 = (query[k + 3] as number) - (matrix[offset + k + 3] as number);
        a += x0 * x0;
        b += x1 * x1;
        c += x2 * x2;
        d += x3 * x3;
      }
      for (; k < dimension; k += 1) {
        const x = (query[k] as number) - (matrix[offset + k] as number);
        a += x * x;
      }
      out[row] = -Math.sqrt(a + b + c + d);
    } else {
      for (; k + 3 < dimension; k += 4) {
        a += Math.abs((query[k] as number) - (matrix[offset + k] as number));
        b += Math.abs((query[k + 1] as number) - (matrix[offset + k + 1] as number));
        c += Math.abs((query[k + 2] as number) - (matrix[offset + k + 2] as number));
        d += Math.abs((query[k + 3] as number) - (matrix[offset + k + 3] as number));
      }
      for (; k < dimension; k += 1) a += Math.abs((query[k] as number) - (matrix[offset + k] as number));
      out[row] = -(a + b + c + d);
    }
  }
}

/** Adds `weight × vector` to `sum`. */
export function addScaled(sum: Float32Array, vector: ArrayLike<number>, weight: number): void {
  for (let k = 0; k < sum.length; k += 1) sum[k] = (sum[k] as number) + weight * (vector[k] ?? 0);
}

/** Divides in place; leaves the vector as is for a zero divisor. */
export function scale(vector: Float32Array, factor: number): Float32Array {
  for (let k = 0; k < vector.length; k += 1) vector[k] = (vector[k] as number) * factor;
  return vector;
}

/** Squared L2 norm of each row: with it, an L2 distance costs one multiply-add per dimension (see below). */
export function rowSquaredNorms(matrix: Float32Array, rows: number, dimension: number): Float32Array {
  const norms = new Float32Array(rows);
  for (let row = 0, offset = 0; row < rows; row += 1, offset += dimension) {
    let sum = 0;
    for (let k = 0; k < dimension; k += 1) sum += (matrix[offset + k] as number) ** 2;
    norms[row] = sum;
  }
  return norms;
}

/**
 * out[i] = −‖query − row i‖₂ via ‖q‖² − 2 q·p + ‖p‖²: a dot product per row instead of a difference and a
 * square per dimension, measurably faster over a large catalogue (decision record 0001). Rounding can make
 * the square a hair below zero for a row equal to the query; it is clamped.
 */
export function negativeL2Distances(matrix: Float32Array, rows: number, dimension: number, query: Float32Array, squaredNorms: Float32Array, out: Float32Array): void {
  let qq = 0;
  for (let k = 0; k < dimension; k += 1) qq += (query[k] as number) ** 2;
  for (let row = 0, offset = 0; row < rows; row += 1, offset += dimension) {
    out[row] = -Math.sqrt(Math.max(0, qq - 2 * rowDot(matrix, offset, query, dimension) + (squaredNorms[row] as number)));
  }
}

/**
 * query[queryOffset, + dimension) · matrix[offset, offset + dimension), with four accumulators (small
 * enough for V8 to inline). With the matrix as its own query, two rows of one matrix, without a view of
 * either (cosine similarities are asked hundreds of times per request).
 */
export function rowDot(matrix: Float32Array, offset: number, query: Float32Array, dimension: number, queryOffset = 0): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let k = 0;
  for (; k + 3 < dimension; k += 4) {
    a += (query[queryOffset + k] as number) * (matrix[offset + k] as number);
    b += (query[queryOffset + k + 1] as number) * (matrix[offset + k + 1] as number);
    c += (query[queryOffset + k + 2] as number) * (matrix[offset + k + 2] as number);
    d += (query[queryOffset + k + 3] as number) * (matrix[offset + k + 3] as number);
  }
  for (; k < dimension; k += 1) a += (query[queryOffset + k] as number) * (matrix[offset + k] as number);
  return a + b + c + d;
}
