/**
 * TransE (Bordes et al. 2013) on flat row-major Float32Arrays: the distance d(h, r, t) = ‖e_h + w_r − e_t‖
 * (L1 or L2), its two losses, and their analytic gradients accumulated into sparse per-row buffers.
 *
 * Losses, for a batch of B positives with k negatives each (the relation of a negative is its positive's):
 * - margin ranking: mean over the B·k pairs of max(0, γ + d(pos) − d(neg));
 * - self-adversarial negative sampling (Sun et al. 2019, eq. 5): the mean over the B positives of
 *   −log σ(γ − d(pos)) − Σ_i p_i log σ(d(neg_i) − γ), p = softmax(α · (γ − d(neg))) over the k negatives of a
 *   positive, the weights p taken as constants (no gradient flows through them);
 * - plus, when `regularization` λ > 0, λ · Σ ‖row‖₂² over the distinct entity and relation rows the batch uses.
 *
 * Speed (docs/decisions/0009-cpu-engine-on-simd-kernels.md): a branch on the sign of each element mispredicts
 * about half the time, so the L1 gradient reads the float32 sign bit through an Int32Array view of the
 * same buffer instead; the L1 sum uses four accumulators; rows shared by a positive and its negatives
 * (the uncorrupted side, the relation) accumulate in small local vectors and reach the gradient table once.
 * The sign bit makes the L1 subgradient at an exact zero ±1 where `tf.abs` would give 0; floats that are
 * exactly zero after a sum of random vectors do not occur in practice.
 */
import { heapAllocator, type TableAllocator } from './tableMemory.js';
import type { Distance, Embeddings, LossKind, TransEHyperparameters, TripleSet } from './types.js';

/** The hyperparameters that define the loss of a batch (the rest drive sampling and optimisation). */
export type TransELossSettings = Pick<TransEHyperparameters, 'dimension' | 'distance' | 'loss' | 'margin' | 'adversarialTemperature'>;

/** Rows whose norm is below this are left as they are by `normalizeRows` (as torch's `F.normalize`). */
const NORM_EPSILON = 1e-12;

/** The typed arrays behind a `GradientRows`, plain or over SharedArrayBuffers (shared between threads). */
export interface GradientRowArrays {
  /** rows × dimension gradient values; a row is valid only while its stamp equals the current one. */
  values: Float32Array;
  /** Row → the batch stamp of its last first-touch. */
  stamps: Int32Array;
  /** The rows touched in the current batch, in order of first touch; `meta[0]` of them are valid. */
  touched: Int32Array;
  /** [0]: touched count, [1]: current batch stamp. In an array so that other threads can read them. */
  meta: Int32Array;
}

/**
 * A gradient table that records which rows a batch touched. A row is zeroed on its first touch in a batch
 * (not after the step), so a step costs in proportion to the rows it uses, never to the table size.
 */
export class GradientRows {
  readonly values: Float32Array;
  readonly stamps: Int32Array;
  readonly touched: Int32Array;
  readonly meta: Int32Array;

  constructor(
    arrays: GradientRowArrays,
    readonly dimension: number,
  ) {
    this.values = arrays.values;
    this.stamps = arrays.stamps;
    this.touched = arrays.touched;
    this.meta = arrays.meta;
  }

  /** Zero-filled arrays for `rows` rows, from `tables` (ordinary arrays unless told otherwise). */
  static allocate(rows: number, dimension: number, tables: TableAllocator = heapAllocator(false)): GradientRowArrays {
    return { values: tables.float32(rows * dimension), stamps: tables.int32(rows), touched: tables.int32(rows), meta: tables.int32(2) };
  }

  /** Starts a batch: forgets the touched rows. Threads that share tables pass the same stamp. */
  begin(stamp = this.meta[1]! + 1): void {
    this.meta[0] = 0;
    this.meta[1] = stamp;
  }

  get count(): number {
    return this.meta[0]!;
  }

  get stamp(): number {
    return this.meta[1]!;
  }

  /** The offset of `row` in `values`; the first touch in a batch zeroes the row and records it. */
  offset(row: number): number {
    const start = row * this.dimension;
    const stamp = this.meta[1]!;
    if (this.stamps[row] !== stamp) {
      this.stamps[row] = stamp;
      const count = this.meta[0]!;
      this.touched[count] = row;
      this.meta[0] = count + 1;
      this.values.fill(0, start, start + this.dimension);
    }
    return start;
  }
}

/** The TransE score of one triple, −d(h, r, t): higher is more plausible. */
export function score(embeddings: Embeddings, distance: Distance, head: number, relation: number, tail: number): number {
  const dimension = embeddings.dimension;
  const { entity, relation: relations } = embeddings;
  const h = head * dimension;
  const r = relation * dimension;
  const t = tail * dimension;
  let sum = 0;
  for (let d = 0; d < dimension; d += 1) {
    const x = entity[h + d]! + relations[r + d]! - entity[t + d]!;
    sum += distance === 'L1' ? Math.abs(x) : x * x;
  }
  return distance === 'L1' ? -sum : -Math.sqrt(sum);
}

/** log(1 + eˣ) without overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * The forward and backward pass of TransE over a slice of a batch. One instance per thread: it owns the
 * scratch vectors of one positive and its negatives, sized once, so the hot loops allocate nothing.
 */
export class TransEKernel {
  private readonly dimension: number;
  private readonly negatives: number;
  private readonly l1: boolean;
  private readonly lossKind: LossKind;
  private readonly margin: number;
  private readonly temperature: number;
  /** e_h + w_r and e_t − w_r of the current positive: a corrupted triple reuses the side it keeps. */
  private readonly headPlusRelation: Float64Array;
  private readonly tailMinusRelation: Float64Array;
  /** ∂loss/∂x of the positive, and the sums that reach its head row, its tail row and its relation row. */
  private readonly positiveGradient: Float64Array;
  private readonly headSum: Float64Array;
  private readonly tailSum: Float64Array;
  /** x = e_h + w_r − e_t of the positive (row 0) and of its negatives (rows 1..k), with a view of the bits. */
  private readonly differences: Float32Array;
  private readonly differenceBits: Int32Array;
  private readonly distances: Float64Array;
  /** ∂loss/∂d of each of the k + 1 triples, already divided by the batch size. */
  private readonly coefficients: Float64Array;

  constructor(
    private readonly entity: Float32Array,
    private readonly relation: Float32Array,
    settings: TransELossSettings,
    negatives: number,
  ) {
    const dimension = settings.dimension;
    this.dimension = dimension;
    this.negatives = negatives;
    this.l1 = settings.distance === 'L1';
    this.lossKind = settings.loss;
    this.margin = settings.margin;
    this.temperature = settings.adversarialTemperature;
    this.headPlusRelation = new Float64Array(dimension);
    this.tailMinusRelation = new Float64Array(dimension);
    this.positiveGradient = new Float64Array(dimension);
    this.headSum = new Float64Array(dimension);
    this.tailSum = new Float64Array(dimension);
    this.differences = new Float32Array((negatives + 1) * dimension);
    this.differenceBits = new Int32Array(this.differences.buffer);
    this.distances = new Float64Array(negatives + 1);
    this.coefficients = new Float64Array(negatives + 1);
  }

  /**
   * Adds the gradients of positives [start, end) of the batch (and of their negatives: negative j of
   * positive i is at i·k + j) to the gradient tables, each scaled by `inverseBatch` (1 / the whole batch's
   * positives, so that slices computed by different threads add up to the batch mean). Returns the sum over
   * the slice's positives of their loss (for the margin loss: the mean over a positive's k pairs).
   */
  accumulate(
    positives: TripleSet,
    negativeHeads: Int32Array,
    negativeTails: Int32Array,
    start: number,
    end: number,
    inverseBatch: number,
    entityGradients: GradientRows,
    relationGradients: GradientRows,
  ): number {
    let lossSum = 0;
    for (let i = start; i < end; i += 1) {
      lossSum += this.positive(positives, negativeHeads, negativeTails, i, inverseBatch, entityGradients, relationGradients);
    }
    return lossSum;
  }

  private positive(
    positives: TripleSet,
    negativeHeads: Int32Array,
    negativeTails: Int32Array,
    i: number,
    inverseBatch: number,
    entityGradients: GradientRows,
    relationGradients: GradientRows,
  ): number {
    const dimension = this.dimension;
    const k = this.negatives;
    const head = positives.heads[i]!;
    const relation = positives.relations[i]!;
    const tail = positives.tails[i]!;
    const distances = this.distances;

    distances[0] = this.forwardPositive(head * dimension, relation * dimension, tail * dimension);
    for (let j = 0; j < k; j += 1) {
      const negativeHead = negativeHeads[i * k + j]!;
      const negativeTail = negativeTails[i * k + j]!;
      const offset = (j + 1) * dimension;
      let distance: number;
      if (negativeHead === head) distance = this.forwardKeptHead(offset, negativeTail * dimension);
      else if (negativeTail === tail) distance = this.forwardKeptTail(offset, negativeHead * dimension);
      else distance = this.forwardGeneral(offset, negativeHead * dimension, relation * dimension, negativeTail * dimension);
      distances[j + 1] = distance;
    }

    const loss = this.lossKind === 'margin' ? this.marginCoefficients(inverseBatch) : this.adversarialCoefficients(inverseBatch);

    // Backward. The positive's gradient reaches its head, relation and tail rows; a negative that keeps the
    // head adds to the head's sum and to its own tail row, and conversely.
    const positiveGradient = this.positiveGradient;
    const headSum = this.headSum;
    const tailSum = this.tailSum;
    this.gradientOfRow(0, positiveGradient);
    headSum.set(positiveGradient);
    tailSum.set(positiveGradient);
    const entityValues = entityGradients.values;
    for (let j = 0; j < k; j += 1) {
      const negativeHead = negativeHeads[i * k + j]!;
      const negativeTail = negativeTails[i * k + j]!;
      if (negativeHead === head) {
        this.scatterKeptSide(j + 1, headSum, entityValues, entityGradients.offset(negativeTail), -1);
      } else if (negativeTail === tail) {
        this.scatterKeptSide(j + 1, tailSum, entityValues, entityGradients.offset(negativeHead), 1);
      } else {
        this.scatterGeneral(j + 1, entityGradients, relationGradients, negativeHead, relation, negativeTail);
      }
    }

    const headRow = entityGradients.offset(head);
    for (let d = 0; d < dimension; d += 1) entityValues[headRow + d]! += headSum[d]!;
    const tailRow = entityGradients.offset(tail);
    for (let d = 0; d < dimension; d += 1) entityValues[tailRow + d]! -= tailSum[d]!;
    const relationValues = relationGradients.values;
    const relationRow = relationGradients.offset(relation);
    for (let d = 0; d < dimension; d += 1) relationValues[relationRow + d]! += headSum[d]! + tailSum[d]! - positiveGradient[d]!;
    return loss;
  }

  /** x = e_h + w_r − e_t of the positive, keeping e_h + w_r and e_t − w_r for its negatives. */
  private forwardPositive(h: number, r: number, t: number): number {
    const { entity, relation, headPlusRelation, tailMinusRelation, differences } = this;
    let sum = 0;
    for (let d = 0; d < this.dimension; d += 1) {
      const a = entity[h + d]!;
      const b = relation[r + d]!;
      const c = entity[t + d]!;
      const hr = a + b;
      headPlusRelation[d] = hr;
      tailMinusRelation[d] = c - b;
      const x = hr - c;
      differences[d] = x;
      sum += this.l1 ? Math.abs(x) : x * x;
    }
    return this.l1 ? sum : Math.sqrt(sum);
  }

  /** x = (e_h + w_r) − e_t' for a negative with a corrupted tail. */
  private forwardKeptHead(offset: number, t: number): number {
    const { entity, headPlusRelation, differences } = this;
    const dimension = this.dimension;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    if (this.l1) {
      for (; d + 3 < dimension; d += 4) {
        const x0 = headPlusRelation[d]! - entity[t + d]!;
        const x1 = headPlusRelation[d + 1]! - entity[t + d + 1]!;
        const x2 = headPlusRelation[d + 2]! - entity[t + d + 2]!;
        const x3 = headPlusRelation[d + 3]! - entity[t + d + 3]!;
        differences[offset + d] = x0;
        differences[offset + d + 1] = x1;
        differences[offset + d + 2] = x2;
        differences[offset + d + 3] = x3;
        s0 += Math.abs(x0);
        s1 += Math.abs(x1);
        s2 += Math.abs(x2);
        s3 += Math.abs(x3);
      }
      for (; d < dimension; d += 1) {
        const x = headPlusRelation[d]! - entity[t + d]!;
        differences[offset + d] = x;
        s0 += Math.abs(x);
      }
      return s0 + s1 + s2 + s3;
    }
    for (; d + 3 < dimension; d += 4) {
      const x0 = headPlusRelation[d]! - entity[t + d]!;
      const x1 = headPlusRelation[d + 1]! - entity[t + d + 1]!;
      const x2 = headPlusRelation[d + 2]! - entity[t + d + 2]!;
      const x3 = headPlusRelation[d + 3]! - entity[t + d + 3]!;
      differences[offset + d] = x0;
      differences[offset + d + 1] = x1;
      differences[offset + d + 2] = x2;
      differences[offset + d + 3] = x3;
      s0 += x0 * x0;
      s1 += x1 * x1;
      s2 += x2 * x2;
      s3 += x3 * x3;
    }
    for (; d < dimension; d += 1) {
      const x = headPlusRelation[d]! - entity[t + d]!;
      differences[offset + d] = x;
      s0 += x * x;
    }
    return Math.sqrt(s0 + s1 + s2 + s3);
  }

  /** x = e_h' − (e_t − w_r) for a negative with a corrupted head. */
  private forwardKeptTail(offset: number, h: number): number {
    const { entity, tailMinusRelation, differences } = this;
    const dimension = this.dimension;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    if (this.l1) {
      for (; d + 3 < dimension; d += 4) {
        const x0 = entity[h + d]! - tailMinusRelation[d]!;
        const x1 = entity[h + d + 1]! - tailMinusRelation[d + 1]!;
        const x2 = entity[h + d + 2]! - tailMinusRelation[d + 2]!;
        const x3 = entity[h + d + 3]! - tailMinusRelation[d + 3]!;
        differences[offset + d] = x0;
        differences[offset + d + 1] = x1;
        differences[offset + d + 2] = x2;
        differences[offset + d + 3] = x3;
        s0 += Math.abs(x0);
        s1 += Math.abs(x1);
        s2 += Math.abs(x2);
        s3 += Math.abs(x3);
      }
      for (; d < dimension; d += 1) {
        const x = entity[h + d]! - tailMinusRelation[d]!;
        differences[offset + d] = x;
        s0 += Math.abs(x);
      }
      return s0 + s1 + s2 + s3;
    }
    for (; d + 3 < dimension; d += 4) {
      const x0 = entity[h + d]! - tailMinusRelation[d]!;
      const x1 = entity[h + d + 1]! - tailMinusRelation[d + 1]!;
      const x2 = entity[h + d + 2]! - tailMinusRelation[d + 2]!;
      const x3 = entity[h + d + 3]! - tailMinusRelation[d + 3]!;
      differences[offset + d] = x0;
      differences[offset + d + 1] = x1;
      differences[offset + d + 2] = x2;
      differences[offset + d + 3] = x3;
      s0 += x0 * x0;
      s1 += x1 * x1;
      s2 += x2 * x2;
      s3 += x3 * x3;
    }
    for (; d < dimension; d += 1) {
      const x = entity[h + d]! - tailMinusRelation[d]!;
      differences[offset + d] = x;
      s0 += x * x;
    }
    return Math.sqrt(s0 + s1 + s2 + s3);
  }

  /** A negative that shares neither entity with its positive (never made by the sampler; given in tests). */
  private forwardGeneral(offset: number, h: number, r: number, t: number): number {
    const { entity, relation, differences } = this;
    let sum = 0;
    for (let d = 0; d < this.dimension; d += 1) {
      const x = entity[h + d]! + relation[r + d]! - entity[t + d]!;
      differences[offset + d] = x;
      sum += this.l1 ? Math.abs(x) : x * x;
    }
    return this.l1 ? sum : Math.sqrt(sum);
  }

  /** ∂loss/∂d for mean(max(0, γ + d(pos) − d(neg))) over the B·k pairs; returns the positive's mean hinge. */
  private marginCoefficients(inverseBatch: number): number {
    const { distances, coefficients } = this;
    const k = this.negatives;
    const pairWeight = inverseBatch / k;
    const positiveDistance = distances[0]!;
    let hinge = 0;
    let positiveCoefficient = 0;
    for (let j = 1; j <= k; j += 1) {
      const violation = this.margin + positiveDistance - distances[j]!;
      if (violation > 0) {
        hinge += violation;
        positiveCoefficient += pairWeight;
        coefficients[j] = -pairWeight;
      } else {
        coefficients[j] = 0;
      }
    }
    coefficients[0] = positiveCoefficient;
    return hinge / k;
  }

  /**
   * ∂loss/∂d for −log σ(γ − d(pos)) − Σ p_j log σ(d(neg_j) − γ): σ(d(pos) − γ) for the positive and
   * −p_j σ(γ − d(neg_j)) for negative j, the softmax weights p_j held constant. Returns the positive's loss.
   */
  private adversarialCoefficients(inverseBatch: number): number {
    const { distances, coefficients } = this;
    const k = this.negatives;
    const margin = this.margin;
    const temperature = this.temperature;
    // Softmax of α(γ − d): shift by the largest logit so that exp never overflows.
    let largest = -Infinity;
    for (let j = 1; j <= k; j += 1) largest = Math.max(largest, temperature * (margin - distances[j]!));
    let total = 0;
    for (let j = 1; j <= k; j += 1) {
      const weight = Math.exp(temperature * (margin - distances[j]!) - largest);
      coefficients[j] = weight;
      total += weight;
    }
    const positiveDistance = distances[0]!;
    let loss = softplus(positiveDistance - margin);
    coefficients[0] = sigmoid(positiveDistance - margin) * inverseBatch;
    for (let j = 1; j <= k; j += 1) {
      const p = coefficients[j]! / total;
      const distance = distances[j]!;
      loss += p * softplus(margin - distance);
      coefficients[j] = -p * sigmoid(margin - distance) * inverseBatch;
    }
    return loss;
  }

  /** ∂loss/∂x of triple `row` (0 = the positive) into `out`: c·sign(x) for L1, c·x/‖x‖ for L2. */
  private gradientOfRow(row: number, out: Float64Array): void {
    const dimension = this.dimension;
    const offset = row * dimension;
    const c = this.coefficients[row]!;
    if (this.l1) {
      const bits = this.differenceBits;
      const twice = 2 * c;
      for (let d = 0; d < dimension; d += 1) out[d] = c - twice * (bits[offset + d]! >>> 31);
      return;
    }
    const distance = this.distances[row]!;
    const scale = distance > 0 ? c / distance : 0;
    const differences = this.differences;
    for (let d = 0; d < dimension; d += 1) out[d] = scale * differences[offset + d]!;
  }

  /**
   * Negative `row` keeps one entity of its positive: its gradient g joins that side's sum (the kept
   * entity's row and the relation row take it from there) and reaches the corrupted entity's row
   * `sign` · g (+g for a head, −g for a tail).
   */
  private scatterKeptSide(row: number, sideSum: Float64Array, values: Float32Array, target: number, sign: 1 | -1): void {
    const c = this.coefficients[row]!;
    if (c === 0) return;
    const dimension = this.dimension;
    const offset = row * dimension;
    if (this.l1) {
      const bits = this.differenceBits;
      const twice = 2 * c;
      const signed = sign * c;
      const signedTwice = sign * twice;
      for (let d = 0; d < dimension; d += 1) {
        const bit = bits[offset + d]! >>> 31;
        sideSum[d]! += c - twice * bit;
        values[target + d]! += signed - signedTwice * bit;
      }
      return;
    }
    const distance = this.distances[row]!;
    const scale = distance > 0 ? c / distance : 0;
    const signedScale = sign * scale;
    const differences = this.differences;
    for (let d = 0; d < dimension; d += 1) {
      const x = differences[offset + d]!;
      sideSum[d]! += scale * x;
      values[target + d]! += signedScale * x;
    }
  }

  private scatterGeneral(row: number, entityGradients: GradientRows, relationGradients: GradientRows, h: number, r: number, t: number): void {
    const gradient = this.tailMinusRelation; // free once every forward pass of this positive is done
    this.gradientOfRow(row, gradient);
    const entityValues = entityGradients.values;
    const relationValues = relationGradients.values;
    const headRow = entityGradients.offset(h);
    for (let d = 0; d < this.dimension; d += 1) entityValues[headRow + d]! += gradient[d]!;
    const tailRow = entityGradients.offset(t);
    for (let d = 0; d < this.dimension; d += 1) entityValues[tailRow + d]! -= gradient[d]!;
    const relationRow = relationGradients.offset(r);
    for (let d = 0; d < this.dimension; d += 1) relationValues[relationRow + d]! += gradient[d]!;
  }
}

/**
 * Adds the gradient of λ · Σ ‖row‖₂² over `rows[0..count)` to `gradients` and returns that penalty
 * (0 without touching anything when λ is 0).
 */
export function regularize(values: Float32Array, gradients: Float32Array, rows: Int32Array, count: number, dimension: number, weight: number): number {
  if (weight === 0) return 0;
  let penalty = 0;
  const twice = 2 * weight;
  for (let i = 0; i < count; i += 1) {
    const start = rows[i]! * dimension;
    for (let d = start; d < start + dimension; d += 1) {
      const v = values[d]!;
      penalty += v * v;
      gradients[d]! += twice * v;
    }
  }
  return weight * penalty;
}

/** Rescales rows[0..count) of a table to unit L2 norm (the entity constraint of Bordes et al. 2013). */
export function normalizeRows(values: Float32Array, rows: Int32Array, count: number, dimension: number): void {
  for (let i = 0; i < count; i += 1) normalizeRow(values, rows[i]! * dimension, dimension);
}

/** Rescales every row of a table to unit L2 norm. */
export function normalizeAllRows(values: Float32Array, dimension: number): void {
  for (let start = 0; start < values.length; start += dimension) normalizeRow(values, start, dimension);
}

function normalizeRow(values: Float32Array, start: number, dimension: number): void {
  let sum = 0;
  for (let d = start; d < start + dimension; d += 1) sum += values[d]! * values[d]!;
  const scale = 1 / Math.max(Math.sqrt(sum), NORM_EPSILON);
  for (let d = start; d < start + dimension; d += 1) values[d] = values[d]! * scale;
}

/** A batch's loss and its gradients with respect to the whole tables (zero outside the rows it uses). */
export interface BatchGradients {
  loss: number;
  entity: Float32Array;
  relation: Float32Array;
}

/**
 * Checks a batch given as positives plus k negatives each (`k = negatives.heads.length / positives`) against
 * the settings and embeddings, and returns k; `caller` names the function in the error.
 */
export function negativesPerPositive(
  caller: string,
  embeddings: Embeddings,
  settings: Pick<TransELossSettings, 'dimension'>,
  positives: TripleSet,
  negatives: { heads: Int32Array; tails: Int32Array },
): number {
  const count = positives.heads.length;
  const k = count === 0 ? 0 : negatives.heads.length / count;
  if (!Number.isInteger(k) || k < 1 || negatives.tails.length !== negatives.heads.length) {
    throw new Error(
      `${caller}: negatives: expected k ≥ 1 heads and tails per positive (${count} positives), got ${negatives.heads.length} heads and ${negatives.tails.length} tails`,
    );
  }
  if (settings.dimension !== embeddings.dimension) {
    throw new Error(`${caller}: dimension: the settings say ${settings.dimension}, the embeddings have ${embeddings.dimension}`);
  }
  return k;
}

/**
 * The loss of one batch (positives plus given negatives, `k = negatives.heads.length / positives`) and its
 * gradients as dense arrays: the reference that any other engine computing the same maths is checked against.
 */
export function batchLossAndGradients(
  embeddings: Embeddings,
  settings: TransELossSettings & { regularization?: number },
  positives: TripleSet,
  negatives: { heads: Int32Array; tails: Int32Array },
): BatchGradients {
  const k = negativesPerPositive('batchLossAndGradients', embeddings, settings, positives, negatives);
  const count = positives.heads.length;
  const dimension = embeddings.dimension;
  const entityGradients = new GradientRows(GradientRows.allocate(embeddings.entity.length / dimension, dimension), dimension);
  const relationGradients = new GradientRows(GradientRows.allocate(embeddings.relation.length / dimension, dimension), dimension);
  entityGradients.begin();
  relationGradients.begin();
  const kernel = new TransEKernel(embeddings.entity, embeddings.relation, settings, k);
  let loss = kernel.accumulate(positives, negatives.heads, negatives.tails, 0, count, 1 / count, entityGradients, relationGradients) / count;
  const weight = settings.regularization ?? 0;
  loss += regularize(embeddings.entity, entityGradients.values, entityGradients.touched, entityGradients.count, dimension, weight);
  loss += regularize(embeddings.relation, relationGradients.values, relationGradients.touched, relationGradients.count, dimension, weight);
  return { loss, entity: entityGradients.values, relation: relationGradients.values };
}
