/**
 * The arithmetic of one training lane, behind one interface with two implementations: the scalar
 * TypeScript kernels (`TransEKernel` and the optimizers), which are the reference, and the WebAssembly
 * SIMD kernels of ./simd/, which compute the same maths four floats at a time.
 */
import type { SharedTraining } from './cpuWorker.js';
import { createOptimizer, type Optimizer } from './optimizers.js';
import { GradientRows, normalizeRows, TransEKernel } from './transe.js';

export interface LaneMaths {
  /** Adds the gradients of positives [start, end) of the batch to this lane's tables; their summed loss. */
  accumulate(start: number, end: number, inverseBatch: number): number;
  /**
   * Adds the rows of `other` (another lane's table) that this lane owns into `base` (table 0), appending
   * to `own` those that `base` had not seen in this batch. Returns the new length of `own`.
   */
  addOwnedRows(base: GradientRows, other: GradientRows, own: Int32Array, owned: number): number;
  /** One optimizer step on rows[0..count) of the entity or relation table, from table 0's gradients. */
  stepEntities(rows: Int32Array, count: number): void;
  stepRelations(rows: Int32Array, count: number): void;
  /** Rescales rows[0..count) of the entity table to unit length. */
  normalizeEntities(rows: Int32Array, count: number): void;
}

export class ScalarLaneMaths implements LaneMaths {
  private readonly kernel: TransEKernel;
  private readonly entityTable: GradientRows;
  private readonly relationTable: GradientRows;
  private readonly entityOptimizer: Optimizer;
  private readonly relationOptimizer: Optimizer;

  constructor(
    private readonly shared: SharedTraining,
    private readonly index: number,
  ) {
    const { dimension } = shared;
    this.kernel = new TransEKernel(shared.entity, shared.relation, shared.settings, shared.negatives);
    this.entityTable = new GradientRows(shared.entityGradients[index]!, dimension);
    this.relationTable = new GradientRows(shared.relationGradients[index]!, dimension);
    this.entityOptimizer = createOptimizer(shared.entityOptimizer, dimension, shared.learningRate[0]!);
    this.relationOptimizer = createOptimizer(shared.relationOptimizer, dimension, shared.learningRate[0]!);
  }

  accumulate(start: number, end: number, inverseBatch: number): number {
    const { shared } = this;
    return this.kernel.accumulate(shared.batch, shared.negativeHeads, shared.negativeTails, start, end, inverseBatch, this.entityTable, this.relationTable);
  }

  addOwnedRows(base: GradientRows, other: GradientRows, own: Int32Array, owned: number): number {
    const { lanes } = this.shared;
    const index = this.index;
    const stamp = base.stamp;
    const dimension = base.dimension;
    const sums = base.values;
    const values = other.values;
    const count = other.count;
    for (let i = 0; i < count; i += 1) {
      const row = other.touched[i]!;
      if (row % lanes !== index) continue;
      const start = row * dimension;
      if (base.stamps[row] !== stamp) {
        // First seen in this lane's table: table 0's row is stale, so copy rather than add.
        base.stamps[row] = stamp;
        own[owned++] = row;
        for (let d = start; d < start + dimension; d += 1) sums[d] = values[d]!;
      } else {
        for (let d = start; d < start + dimension; d += 1) sums[d]! += values[d]!;
      }
    }
    return owned;
  }

  stepEntities(rows: Int32Array, count: number): void {
    this.entityOptimizer.learningRate = this.shared.learningRate[0]!;
    this.entityOptimizer.step(this.shared.entity, this.shared.entityGradients[0]!.values, rows, count);
  }

  stepRelations(rows: Int32Array, count: number): void {
    this.relationOptimizer.learningRate = this.shared.learningRate[0]!;
    this.relationOptimizer.step(this.shared.relation, this.shared.relationGradients[0]!.values, rows, count);
  }

  normalizeEntities(rows: Int32Array, count: number): void {
    normalizeRows(this.shared.entity, rows, count, this.shared.dimension);
  }
}
