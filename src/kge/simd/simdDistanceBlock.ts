import type { DistanceBlock } from '../distanceBlock.js';
import { forEachTile } from '../distanceBlock.js';
import { WasmTableAllocator } from '../tableMemory.js';
import type { Distance } from '../types.js';

interface DistanceBlockExports {
  distanceBlock(matrix: number, fromRow: number, toRow: number, dimension: number, queries: number, queryCount: number, l1: number, out: number, stride: number): void;
}

/**
 * The evaluation's distance pass on the `distanceBlock` WebAssembly SIMD kernel (assembly/transe.ts). The
 * kernel reads one contiguous matrix, so the candidate rows are copied, in candidate order, into a memory
 * of their own beside the query vectors and the distances (float32: about 4.4 bytes per candidate and
 * dimension, plus 4 per candidate and query of a batch).
 */
export function simdDistanceBlock(
  module: WebAssembly.Module,
  entity: Float32Array,
  dimension: number,
  rows: Int32Array,
  batchSize: number,
  distance: Distance,
): DistanceBlock {
  const candidateCount = rows.length;
  const memory = new WasmTableAllocator((candidateCount * dimension + batchSize * dimension + batchSize * candidateCount) * 4 + 64);
  const matrix = memory.float32(candidateCount * dimension);
  for (let p = 0; p < candidateCount; p += 1) {
    const e = rows[p]! * dimension;
    matrix.set(entity.subarray(e, e + dimension), p * dimension);
  }
  const queries = memory.float32(batchSize * dimension);
  const distances = memory.float32(batchSize * candidateCount);
  const kernels = new WebAssembly.Instance(module, { env: { memory: memory.memory } }).exports as unknown as DistanceBlockExports;
  const l1 = distance === 'L1' ? 1 : 0;
  return {
    name: 'WebAssembly SIMD',
    queries,
    distances,
    compute(count: number): void {
      forEachTile(candidateCount, dimension, (from, to) =>
        kernels.distanceBlock(matrix.byteOffset, from, to, dimension, queries.byteOffset, count, l1, distances.byteOffset, candidateCount),
      );
    },
  };
}
