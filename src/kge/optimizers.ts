/**
 * Optimizers that update only the rows a batch touched: a step costs in proportion to the rows used, not
 * to the size of the tables (at one negative per positive a batch touches a small share of the entities, and
 * updating every row made Adam several times slower: docs/decisions/0009-cpu-engine-on-simd-kernels.md).
 *
 * Their state lives in typed arrays that may be SharedArrayBuffers, so that threads owning disjoint rows
 * can step one table together.
 */
import { heapAllocator, type TableAllocator } from './tableMemory.js';
import type { OptimizerKind } from './types.js';

/** torch.optim.Adam's defaults (which PyKEEN keeps). */
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;
/** torch.optim.Adagrad's default ε. */
const ADAGRAD_EPSILON = 1e-10;

export interface Optimizer {
  /** The step size; a schedule may change it between steps. */
  learningRate: number;
  /** Updates rows[0..count) of `params` (rows of `dimension` values) from the same rows of `gradients`. */
  step(params: Float32Array, gradients: Float32Array, rows: Int32Array, count: number): void;
}

export type OptimizerState =
  | { kind: 'adam'; firstMoment: Float32Array; secondMoment: Float32Array; rowSteps: Int32Array }
  | { kind: 'adagrad'; sumOfSquares: Float32Array };

/** Zeroed optimizer state for a table of `rows` × `dimension`, from `tables` (ordinary arrays unless told otherwise). */
export function createOptimizerState(kind: OptimizerKind, rows: number, dimension: number, tables: TableAllocator = heapAllocator(false)): OptimizerState {
  if (kind === 'adam') {
    return { kind, firstMoment: tables.float32(rows * dimension), secondMoment: tables.float32(rows * dimension), rowSteps: tables.int32(rows) };
  }
  return { kind, sumOfSquares: tables.float32(rows * dimension) };
}

/** The optimizer that steps with `state`. */
export function createOptimizer(state: OptimizerState, dimension: number, learningRate: number): Optimizer {
  return state.kind === 'adam' ? new LazyAdam(state, dimension, learningRate) : new SparseAdagrad(state, dimension, learningRate);
}

/**
 * Adam (Kingma & Ba 2015) on touched rows only, like torch's SparseAdam: an untouched row keeps its
 * parameters and its moments (dense Adam would keep moving it with its momentum).
 *
 * The bias correction counts each row's own steps, not the global step. A row's moments decay only on
 * the steps that touch it, so after n touches their bias is 1 − βⁿ whatever the global step is; with the
 * global count, a row first touched late would take a first step of (1 − β1)/√(1 − β2) ≈ 3.2 times the
 * learning rate. When every row is touched at every step (64 negatives on FB15k-237 come close) both
 * counts, and dense Adam, coincide.
 */
export class LazyAdam implements Optimizer {
  private readonly firstMoment: Float32Array;
  private readonly secondMoment: Float32Array;
  private readonly rowSteps: Int32Array;

  constructor(
    state: Extract<OptimizerState, { kind: 'adam' }>,
    private readonly dimension: number,
    public learningRate: number,
  ) {
    this.firstMoment = state.firstMoment;
    this.secondMoment = state.secondMoment;
    this.rowSteps = state.rowSteps;
  }

  step(params: Float32Array, gradients: Float32Array, rows: Int32Array, count: number): void {
    const { firstMoment: m, secondMoment: v, rowSteps, dimension, learningRate } = this;
    // Locals rather than module constants: the inner loop then reads registers only.
    const beta1 = ADAM_BETA1;
    const beta2 = ADAM_BETA2;
    const oneMinusBeta1 = 1 - ADAM_BETA1;
    const oneMinusBeta2 = 1 - ADAM_BETA2;
    const epsilon = ADAM_EPSILON;
    for (let i = 0; i < count; i += 1) {
      const row = rows[i]!;
      const steps = rowSteps[row]! + 1;
      rowSteps[row] = steps;
      // torch's formulation: p −= lr / (1 − β1ⁿ) · m / (√v / √(1 − β2ⁿ) + ε).
      const stepSize = learningRate / (1 - Math.pow(beta1, steps));
      const inverseRootCorrection = 1 / Math.sqrt(1 - Math.pow(beta2, steps));
      const start = row * dimension;
      const end = start + dimension;
      for (let d = start; d < end; d += 1) {
        const g = gradients[d]!;
        const first = beta1 * m[d]! + oneMinusBeta1 * g;
        const second = beta2 * v[d]! + oneMinusBeta2 * g * g;
        m[d] = first;
        v[d] = second;
        params[d] = params[d]! - (stepSize * first) / (Math.sqrt(second) * inverseRootCorrection + epsilon);
      }
    }
  }
}

/**
 * Adagrad (Duchi et al. 2011) on touched rows only. This is exactly dense Adagrad: a zero gradient leaves
 * both the sum of squares and the parameters unchanged.
 */
export class SparseAdagrad implements Optimizer {
  private readonly sumOfSquares: Float32Array;

  constructor(
    state: Extract<OptimizerState, { kind: 'adagrad' }>,
    private readonly dimension: number,
    public learningRate: number,
  ) {
    this.sumOfSquares = state.sumOfSquares;
  }

  step(params: Float32Array, gradients: Float32Array, rows: Int32Array, count: number): void {
    const { sumOfSquares, dimension, learningRate } = this;
    for (let i = 0; i < count; i += 1) {
      const start = rows[i]! * dimension;
      for (let d = start; d < start + dimension; d += 1) {
        const g = gradients[d]!;
        const sum = sumOfSquares[d]! + g * g;
        sumOfSquares[d] = sum;
        params[d] = params[d]! - (learningRate * g) / (Math.sqrt(sum) + ADAGRAD_EPSILON);
      }
    }
  }
}
