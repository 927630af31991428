import type { Distance } from '../kge/types.js';
import { WasmTableAllocator } from '../kge/tableMemory.js';

/**
 * The ranking's whole-catalogue distance pass on the WebAssembly SIMD kernels (`negativeDistances` in
 * src/kge/simd/assembly/transe.ts), about four times the plain loop's speed: a copy of the matrix lives in
 * a memory of its own, with room for the query and the output. One instance per matrix, made when the
 * ranking state loads; it is dropped with the state.
 */

interface RowKernelExports {
  negativeDistances(matrix: number, rows: number, dimension: number, query: number, l1: number, out: number): void;
}

export class SimdRowScorer {
  private readonly kernels: RowKernelExports;
  private readonly matrixAddress: number;
  private readonly query: Float32Array;
  private readonly out: Float32Array;

  constructor(
    module: WebAssembly.Module,
    matrix: Float32Array,
    private readonly rows: number,
    private readonly dimension: number,
    private readonly distance: Distance,
  ) {
    const memory = new WasmTableAllocator((rows * dimension + dimension + rows) * 4 + 64);
    const copy = memory.float32(rows * dimension);
    copy.set(matrix.subarray(0, rows * dimension));
    this.matrixAddress = copy.byteOffset;
    this.query = memory.float32(dimension);
    this.out = memory.float32(rows);
    this.kernels = new WebAssembly.Instance(module, { env: { memory: memory.memory } }).exports as unknown as RowKernelExports;
  }

  /** out[i] = −distance(query, row i), as `negativeDistances` in vectorMath.ts computes it. */
  score(query: Float32Array, out: Float32Array): void {
    this.query.set(query.subarray(0, this.dimension));
    this.kernels.negativeDistances(this.matrixAddress, this.rows, this.dimension, this.query.byteOffset, this.distance === 'L1' ? 1 : 0, this.out.byteOffset);
    out.set(this.out);
  }
}
