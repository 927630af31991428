/**
 * BPR matrix factorisation (Rendle et al., UAI 2009): user and item vectors whose dot product ranks each
 * user's items above items the user did not interact with, trained by stochastic gradient ascent on
 * ln σ(x̂_ui − x̂_uj) − λ‖Θ‖² over triples (u, i, j): i a training item of u, j a uniform non-interacted item.
 *
 * Plain per-triple SGD on typed arrays, as in the paper's LearnBPR: each step touches three rows of 64 floats,
 * so one thread trains amazon-book's default 300 epochs in minutes (decision record 0015); Hogwild workers
 * could halve it.
 */
import { Random } from '../math/random.js';
import { sortedContains, type InteractionMatrix } from '../math/interactions.js';
import { multiplyTransposed } from '../math/matmul.js';
import type { BatchScorer } from './scorer.js';

export interface BprHyperparameters {
  dimension: number;
  epochs: number;
  /** SGD step size at the first epoch. */
  learningRate: number;
  /** The step size decays linearly to learningRate · finalLearningRateShare at the last epoch. */
  finalLearningRateShare: number;
  /** L2 weight λ of the user vector and the positive item's vector and bias, applied at every step that touches them. */
  regularization: number;
  /** L2 weight of the negative item (sampled uniformly, so rare items would otherwise be pushed down at every draw). */
  negativeRegularization: number;
  /** Learn an item bias (a popularity term) besides the factors. */
  itemBias: boolean;
  /** Standard deviation of the normal initialisation of the factors. */
  initialStd: number;
  seed: number;
}

/**
 * Defaults tuned on a validation split carved from amazon-book's train.txt (20 % of each user's items held
 * out): no item bias (it only let the model lean on popularity), a large step, light regularisation, 300
 * epochs. On the test split they reproduce the published BPR-MF figures. The search and its results:
 * docs/decisions/0015-evaluation-baselines-and-kernels.md.
 */
export const DEFAULT_BPR: Readonly<BprHyperparameters> = {
  dimension: 64,
  epochs: 300,
  learningRate: 0.4,
  finalLearningRateShare: 0.1,
  regularization: 0.01,
  negativeRegularization: 0.01,
  itemBias: false,
  initialStd: 0.1,
  seed: 20_240_601,
};

export interface BprModel {
  dimension: number;
  userCount: number;
  itemCount: number;
  /** Row-major userCount × dimension. */
  user: Float32Array;
  /** Row-major itemCount × dimension. */
  item: Float32Array;
  /** Per-item bias, or null when trained without. */
  itemBias: Float32Array | null;
}

export interface BprEpochReport {
  epoch: number;
  epochs: number;
  /** Mean −ln σ(x̂_ui − x̂_uj) over the epoch's triples (before regularisation). */
  loss: number;
  seconds: number;
}

export interface BprCallbacks {
  /** Called after each epoch; returning false stops training early. */
  onEpoch?: (report: BprEpochReport) => void | boolean | Promise<void | boolean>;
}

/** Mean loss above which training has diverged: twice that of a model that scores every item alike. */
const DIVERGED_LOSS = 2 * Math.LN2;
/** A turn for the event loop at least this often, so that a server or progress bar stays live while training. */
const YIELD_INTERVAL_MS = 50;
/** Triples between clock checks: about 2 ms of work. */
const TRIPLES_PER_CLOCK_CHECK = 4096;

export async function trainBpr(
  train: InteractionMatrix,
  hyperparameters: Partial<BprHyperparameters> = {},
  callbacks: BprCallbacks = {},
): Promise<BprModel> {
  const params: BprHyperparameters = { ...DEFAULT_BPR, ...hyperparameters };
  checkHyperparameters(params);
  const { userCount, itemCount, indptr, indices } = train;
  const dim = params.dimension;
  if (indices.length === 0) throw new RangeError('trainBpr: the training matrix has no interactions');
  if (itemCount < 2) throw new RangeError('trainBpr: need at least two items to sample negatives');
  const random = new Random(params.seed);
  const user = new Float32Array(userCount * dim);
  const item = new Float32Array(itemCount * dim);
  for (let i = 0; i < user.length; i += 1) user[i] = random.gaussian(0, params.initialStd);
  for (let i = 0; i < item.length; i += 1) item[i] = random.gaussian(0, params.initialStd);
  const bias = params.itemBias ? new Float32Array(itemCount) : null;

  // The user of every interaction, so that a shuffled order of interactions gives (u, i) directly.
  const userOf = new Int32Array(indices.length);
  for (let u = 0; u < userCount; u += 1) userOf.fill(u, indptr[u]!, indptr[u + 1]!);
  const order = Int32Array.from({ length: indices.length }, (_, p) => p);

  for (let epoch = 1; epoch <= params.epochs; epoch += 1) {
    const started = performance.now();
    const progress = params.epochs === 1 ? 0 : (epoch - 1) / (params.epochs - 1);
    const learningRate = params.learningRate * (1 - progress * (1 - params.finalLearningRateShare));
    random.shuffle(order);
    let lossSum = 0;
    let lastYield = started;
    for (let from = 0; from < order.length; from += TRIPLES_PER_CLOCK_CHECK) {
      const to = Math.min(order.length, from + TRIPLES_PER_CLOCK_CHECK);
      lossSum += sgdSteps(order, from, to, userOf, train, user, item, bias, dim, learningRate, params, random);
      if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    const report: BprEpochReport = { epoch, epochs: params.epochs, loss: lossSum / order.length, seconds: (performance.now() - started) / 1000 };
    // An untrained model scores ln 2 per triple; far above that, the steps are overshooting.
    if (!(report.loss < DIVERGED_LOSS)) {
      throw new Error(`trainBpr: the loss diverged at epoch ${epoch} (${report.loss.toFixed(3)}, against ln 2 ≈ 0.693 for a random model): lower learningRate (${learningRate})`);
    }
    if ((await callbacks.onEpoch?.(report)) === false) break;
  }
  return { dimension: dim, userCount, itemCount, user, item, itemBias: bias };
}

/** SGD on the triples of order[from, to); returns their summed loss. */
function sgdSteps(
  order: Int32Array,
  from: number,
  to: number,
  userOf: Int32Array,
  train: InteractionMatrix,
  user: Float32Array,
  item: Float32Array,
  bias: Float32Array | null,
  dim: number,
  learningRate: number,
  params: BprHyperparameters,
  random: Random,
): number {
  const { indptr, indices, itemCount } = train;
  const reg = params.regularization;
  const negativeReg = params.negativeRegularization;
  let lossSum = 0;
  for (let o = from; o < to; o += 1) {
    const p = order[o]!;
    const u = userOf[p]!;
    const i = indices[p]!;
    const rowStart = indptr[u]!;
    const rowEnd = indptr[u + 1]!;
    if (rowEnd - rowStart >= itemCount) continue; // a user who has every item has no negative
    let j = random.nextInt(itemCount);
    while (sortedContains(indices, rowStart, rowEnd, j)) j = random.nextInt(itemCount);

    const uo = u * dim;
    const io = i * dim;
    const jo = j * dim;
    let x = bias === null ? 0 : bias[i]! - bias[j]!;
    for (let k = 0; k < dim; k += 1) x += user[uo + k]! * (item[io + k]! - item[jo + k]!);
    // −ln σ(x) = ln(1 + e^−x), written to stay finite for large |x|; g = σ(−x) is the gradient scale.
    lossSum += x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
    const g = 1 / (1 + Math.exp(x));
    // Each coordinate's three updates read only that coordinate's old values, so one pass updates all rows.
    for (let k = 0; k < dim; k += 1) {
      const pu = user[uo + k]!;
      const qi = item[io + k]!;
      const qj = item[jo + k]!;
      user[uo + k] = pu + learningRate * (g * (qi - qj) - reg * pu);
      item[io + k] = qi + learningRate * (g * pu - reg * qi);
      item[jo + k] = qj + learningRate * (-g * pu - negativeReg * qj);
    }
    if (bias !== null) {
      bias[i]! += learningRate * (g - reg * bias[i]!);
      bias[j]! += learningRate * (-g - negativeReg * bias[j]!);
    }
  }
  return lossSum;
}

function checkHyperparameters(params: BprHyperparameters): void {
  const positiveInteger = (name: keyof BprHyperparameters): void => {
    const value = params[name] as number;
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`trainBpr: ${name}: expected a positive integer, got ${value}`);
  };
  const nonNegative = (name: keyof BprHyperparameters): void => {
    const value = params[name] as number;
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`trainBpr: ${name}: expected a finite number ≥ 0, got ${value}`);
  };
  positiveInteger('dimension');
  positiveInteger('epochs');
  nonNegative('regularization');
  nonNegative('negativeRegularization');
  nonNegative('initialStd');
  if (!(params.learningRate > 0)) throw new RangeError(`trainBpr: learningRate: expected a positive number, got ${params.learningRate}`);
  if (!(params.finalLearningRateShare > 0 && params.finalLearningRateShare <= 1)) {
    throw new RangeError(`trainBpr: finalLearningRateShare: expected a number in (0, 1], got ${params.finalLearningRateShare}`);
  }
}

/** Scores a batch as U_batch · Vᵀ (+ item bias) with the blocked product. */
export class BprScorer implements BatchScorer {
  readonly name: string;
  private batchVectors = new Float32Array(0);

  constructor(
    readonly model: BprModel,
    name = 'bpr-mf',
  ) {
    this.name = name;
  }

  scoreUsers(users: Int32Array, out: Float32Array): void {
    const { dimension: dim, itemCount, user, item, itemBias } = this.model;
    if (this.batchVectors.length < users.length * dim) this.batchVectors = new Float32Array(users.length * dim);
    const vectors = this.batchVectors;
    for (let b = 0; b < users.length; b += 1) vectors.set(user.subarray(users[b]! * dim, (users[b]! + 1) * dim), b * dim);
    multiplyTransposed(vectors, users.length, item, itemCount, dim, out);
    if (itemBias !== null) {
      for (let b = 0; b < users.length; b += 1) {
        const row = b * itemCount;
        for (let j = 0; j < itemCount; j += 1) out[row + j]! += itemBias[j]!;
      }
    }
  }
}
