/**
 * The distance pass of link-prediction evaluation: a batch of query vectors against every candidate entity.
 * `plainDistanceBlock` runs on hand-unrolled JavaScript loops; `simdDistanceBlock` (./simd/) on the
 * WebAssembly SIMD kernel, several times faster. Both rank alike: L1, or squared L2.
 */
import type { Distance } from './types.js';

/** A batch's query vectors in, its distances out. */
export interface DistanceBlock {
  /** What computes it, for logs. */
  readonly name: string;
  /** Query vectors to fill: row b at b × dimension, up to the batch size. */
  readonly queries: Float32Array | Float64Array;
  /** After `compute(count)`: distances[b × candidateCount + p] between query b and candidate p. */
  readonly distances: Float32Array | Float64Array;
  /** Distances of the first `count` queries to every candidate. */
  compute(count: number): void;
}

/**
 * Bytes of entity rows per tile: 192 KiB (about 245 rows at dimension 200) fits, with the batch's query
 * vectors, in the 512 KiB per-core L2 cache of the machines we run on, so the tile is reused from cache by every query.
 */
export const TILE_BYTES = 192 * 1024;

/** Calls `pass(from, to)` for each tile of candidate rows at this dimension, in order. */
export function forEachTile(candidateCount: number, dimension: number, pass: (from: number, to: number) => void): void {
  const tile = Math.max(4, Math.floor(TILE_BYTES / (dimension * Float32Array.BYTES_PER_ELEMENT)));
  for (let from = 0; from < candidateCount; from += tile) pass(from, Math.min(candidateCount, from + tile));
}

/** `rows[p]` is the entity at candidate position p. */
export function plainDistanceBlock(entity: Float32Array, dimension: number, rows: Int32Array, batchSize: number, distance: Distance): DistanceBlock {
  const candidateCount = rows.length;
  const queries = new Float64Array(batchSize * dimension);
  const distances = new Float64Array(batchSize * candidateCount);
  const kernels = distance === 'L1' ? L1_KERNELS : L2_KERNELS;
  return {
    name: 'JavaScript loops',
    queries,
    distances,
    compute(count: number): void {
      forEachTile(candidateCount, dimension, (from, to) => {
        let b = 0;
        for (const { width, kernel } of kernels) {
          for (; b + width <= count; b += width) kernel(queries, b * dimension, dimension, entity, rows, from, to, distances, b * candidateCount, candidateCount);
        }
      });
    },
  };
}

/*
 * Distance kernels: squared L2 (ranking by it equals ranking by L2) and L1 between `width` consecutive
 * query vectors (from queries[q]) and the candidate rows [from, to), written to out[o + i * stride + p].
 * The multi-query kernels load an entity element once for several independent accumulators; the ×1
 * kernels split one sum into four. They are unrolled by hand because V8 does not vectorise and this loop is
 * the whole cost. The widths were chosen by measurement (docs/decisions/0009-cpu-engine-on-simd-kernels.md):
 * for L1 eight queries were no faster than four.
 */
type Kernel = (
  queries: Float64Array, q: number, dim: number, entity: Float32Array, rows: Int32Array,
  from: number, to: number, out: Float64Array, o: number, stride: number,
) => void;

const squaredL2x8: Kernel = (queries, q, dim, entity, rows, from, to, out, o, stride) => {
  const q1 = q + dim;
  const q2 = q1 + dim;
  const q3 = q2 + dim;
  const q4 = q3 + dim;
  const q5 = q4 + dim;
  const q6 = q5 + dim;
  const q7 = q6 + dim;
  for (let p = from; p < to; p += 1) {
    const e = rows[p]! * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let k = 0; k < dim; k += 1) {
      const x = entity[e + k]!;
      const d0 = queries[q + k]! - x;
      const d1 = queries[q1 + k]! - x;
      const d2 = queries[q2 + k]! - x;
      const d3 = queries[q3 + k]! - x;
      const d4 = queries[q4 + k]! - x;
      const d5 = queries[q5 + k]! - x;
      const d6 = queries[q6 + k]! - x;
      const d7 = queries[q7 + k]! - x;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
      s4 += d4 * d4;
      s5 += d5 * d5;
      s6 += d6 * d6;
      s7 += d7 * d7;
    }
    out[o + p] = s0;
    out[o + stride + p] = s1;
    out[o + 2 * stride + p] = s2;
    out[o + 3 * stride + p] = s3;
    out[o + 4 * stride + p] = s4;
    out[o + 5 * stride + p] = s5;
    out[o + 6 * stride + p] = s6;
    out[o + 7 * stride + p] = s7;
  }
};

const squaredL2x4: Kernel = (queries, q, dim, entity, rows, from, to, out, o, stride) => {
  const q1 = q + dim;
  const q2 = q1 + dim;
  const q3 = q2 + dim;
  for (let p = from; p < to; p += 1) {
    const e = rows[p]! * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < dim; k += 1) {
      const x = entity[e + k]!;
      const d0 = queries[q + k]! - x;
      const d1 = queries[q1 + k]! - x;
      const d2 = queries[q2 + k]! - x;
      const d3 = queries[q3 + k]! - x;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    out[o + p] = s0;
    out[o + stride + p] = s1;
    out[o + 2 * stride + p] = s2;
    out[o + 3 * stride + p] = s3;
  }
};

const squaredL2x1: Kernel = (queries, q, dim, entity, rows, from, to, out, o) => {
  const tail = dim - (dim % 4);
  for (let p = from; p < to; p += 1) {
    const e = rows[p]! * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k < tail; k += 4) {
      const d0 = queries[q + k]! - entity[e + k]!;
      const d1 = queries[q + k + 1]! - entity[e + k + 1]!;
      const d2 = queries[q + k + 2]! - entity[e + k + 2]!;
      const d3 = queries[q + k + 3]! - entity[e + k + 3]!;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; k < dim; k += 1) {
      const d = queries[q + k]! - entity[e + k]!;
      s0 += d * d;
    }
    out[o + p] = s0 + s1 + (s2 + s3);
  }
};

const l1x4: Kernel = (queries, q, dim, entity, rows, from, to, out, o, stride) => {
  const q1 = q + dim;
  const q2 = q1 + dim;
  const q3 = q2 + dim;
  for (let p = from; p < to; p += 1) {
    const e = rows[p]! * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < dim; k += 1) {
      const x = entity[e + k]!;
      s0 += Math.abs(queries[q + k]! - x);
      s1 += Math.abs(queries[q1 + k]! - x);
      s2 += Math.abs(queries[q2 + k]! - x);
      s3 += Math.abs(queries[q3 + k]! - x);
    }
    out[o + p] = s0;
    out[o + stride + p] = s1;
    out[o + 2 * stride + p] = s2;
    out[o + 3 * stride + p] = s3;
  }
};

const l1x1: Kernel = (queries, q, dim, entity, rows, from, to, out, o) => {
  const tail = dim - (dim % 4);
  for (let p = from; p < to; p += 1) {
    const e = rows[p]! * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k < tail; k += 4) {
      s0 += Math.abs(queries[q + k]! - entity[e + k]!);
      s1 += Math.abs(queries[q + k + 1]! - entity[e + k + 1]!);
      s2 += Math.abs(queries[q + k + 2]! - entity[e + k + 2]!);
      s3 += Math.abs(queries[q + k + 3]! - entity[e + k + 3]!);
    }
    for (; k < dim; k += 1) s0 += Math.abs(queries[q + k]! - entity[e + k]!);
    out[o + p] = s0 + s1 + (s2 + s3);
  }
};

/** Widest kernel first: a batch is covered by as many wide blocks as fit, then narrower ones. */
const L2_KERNELS: { width: number; kernel: Kernel }[] = [
  { width: 8, kernel: squaredL2x8 },
  { width: 4, kernel: squaredL2x4 },
  { width: 1, kernel: squaredL2x1 },
];
const L1_KERNELS: { width: number; kernel: Kernel }[] = [
  { width: 4, kernel: l1x4 },
  { width: 1, kernel: l1x1 },
];
