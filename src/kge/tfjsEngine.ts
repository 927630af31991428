/**
 * TransE training on TensorFlow.js: the maths of transe.ts written as tensor operations and differentiated
 * by TensorFlow.js, on whichever backend `loadTensorflow` found (native CUDA or CPU, WebAssembly, pure JS).
 * Batches, negatives and the initial vectors come from the same modules and the same seeds as CpuEngine,
 * so both engines see the same training stream.
 *
 * Choices forced by the backends (docs/decisions/0009-cpu-engine-on-simd-kernels.md):
 * - Rows are read with `gatherND` and their gradient written with `scatterND` (which sums duplicate rows)
 *   through `tf.customGrad`: the stock gradient of `tf.gather` needs UnsortedSegmentSum, which the wasm
 *   backend lacks and the cpu backend runs over every entity for every row.
 * - A negative keeps one side of its positive, so it reads one new entity row and the kept side's e_h + w_r
 *   or e_t − w_r, not three rows: at 64 negatives the passes over batch × negatives × dimension elements
 *   dominate a step, so each one saved counts (see `keptSideDistances`).
 * - The distances have hand-written gradients: the stock `abs` gradient runs several kernels, and the
 *   tensors a gradient needs are kept by reference rather than copied (see `Retained`).
 * - TensorFlow.js has no stopGradient: the self-adversarial weights are detached with `tf.customGrad`.
 *
 * Its speed on the wasm backend (bench/kgeTfjs.ts) is in docs/benchmarks.md; with one negative, dense Adam and
 * the norm constraint over every entity row take most of a step.
 *
 * Differences from CpuEngine, which updates only the rows a batch touched: Adam and Adagrad are
 * TensorFlow.js's dense optimizers (PyKEEN's default too; at 64 negatives nearly every entity row is touched
 * each step anyway, so lazy and dense Adam nearly coincide), and the entity norm constraint rescales every
 * row after each step, since dense Adam moves untouched rows with its momentum. TensorFlow.js's Adagrad
 * divides by √(Σg² + 1e-7) where torch and CpuEngine divide by √Σg² + 1e-10, so components whose gradients
 * stay below ~3e-4 take smaller steps here.
 */
import type { Optimizer, Rank, Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import { gatherBatch, TRAINING_STREAM, validateTrainingInput } from './trainingInput.js';
import { initialEmbeddings } from './initialise.js';
import { NegativeSampler } from './negativeSampler.js';
import { Random } from '../math/random.js';
import { loadTensorflow, type BackendPreference, type LoadedTensorflow, type Tensorflow } from './tfjsBackend.js';
import { negativesPerPositive, type BatchGradients, type TransELossSettings } from './transe.js';
import type { Embeddings, EpochReport, KgeDataset, TrainingCallbacks, TrainingEngine, TransEHyperparameters, TripleSet } from './types.js';

/** Hand the event loop a turn after this much training, as CpuEngine does, so that a server keeps answering. */
const YIELD_INTERVAL_MS = 25;
/** torch.optim.Adam's ε (TensorFlow.js would use its backend's 1e-7). */
const ADAM_EPSILON = 1e-8;
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
/** torch.optim.Adagrad starts its sums of squares at 0 (TensorFlow.js's default is 0.1, a much smaller first step). */
const ADAGRAD_INITIAL_ACCUMULATOR = 0;
/** Rows shorter than this are left as they are by the norm constraint (as torch's `F.normalize` and transe.ts). */
const NORM_EPSILON = 1e-12;

type LossSettings = TransELossSettings & { regularization?: number };

/** One batch as index tensors, built on the host; every tensor here is [rows, 1] int32, ready for gatherND. */
interface BatchIndexes {
  count: number;
  negatives: number;
  /** The positives' heads then their tails (2 × count rows): one gather, one scatter into the entity table. */
  ends: Tensor2D;
  relations: Tensor2D;
  /**
   * `kept-side`: every negative keeps its positive's head or tail. `corrupted` is its new entity, `side` its
   * row in [e_h + w_r ; e_t − w_r] (i for a new tail, count + i for a new head).
   * `general`: some negative replaces both entities; its head, relation and tail rows are read as given.
   */
  negativeRows:
    | { kind: 'kept-side'; corrupted: Tensor2D; side: Tensor2D }
    | { kind: 'general'; heads: Tensor2D; relations: Tensor2D; tails: Tensor2D };
  /** The distinct entity and relation rows of the batch, when the loss is regularised. */
  regularized: { entities: Tensor2D; relations: Tensor2D } | undefined;
}

/**
 * Reads and shapes batches of ids into index tensors. Keeps its scratch arrays between batches; the
 * tensors it makes are new each time (the cpu backend may keep a typed array given to it without copying).
 */
class BatchIndexer {
  private readonly entityStamps: Int32Array;
  private readonly relationStamps: Int32Array;
  private stamp = 0;

  constructor(
    entityCount: number,
    relationCount: number,
    private readonly regularize: boolean,
  ) {
    this.entityStamps = new Int32Array(regularize ? entityCount : 0);
    this.relationStamps = new Int32Array(regularize ? relationCount : 0);
  }

  build(tf: Tensorflow, positives: TripleSet, count: number, negativeHeads: Int32Array, negativeTails: Int32Array, k: number): BatchIndexes {
    const column = (values: Int32Array): Tensor2D => tf.tensor2d(values, [values.length, 1], 'int32');
    const heads = positives.heads.slice(0, count);
    const relations = positives.relations.slice(0, count);
    const tails = positives.tails.slice(0, count);
    const pairs = count * k;
    const corrupted = new Int32Array(pairs);
    const side = new Int32Array(pairs);
    let keptSide = true;
    for (let i = 0; i < count && keptSide; i += 1) {
      const head = heads[i]!;
      const tail = tails[i]!;
      for (let j = i * k; j < (i + 1) * k; j += 1) {
        // A negative that keeps both (the positive itself) counts as a new tail, as transe.ts does.
        if (negativeHeads[j] === head) {
          corrupted[j] = negativeTails[j]!;
          side[j] = i;
        } else if (negativeTails[j] === tail) {
          corrupted[j] = negativeHeads[j]!;
          side[j] = count + i;
        } else {
          keptSide = false;
          break;
        }
      }
    }
    let negativeRows: BatchIndexes['negativeRows'];
    if (keptSide) {
      negativeRows = { kind: 'kept-side', corrupted: column(corrupted), side: column(side) };
    } else {
      const negativeRelations = new Int32Array(pairs);
      for (let j = 0; j < pairs; j += 1) negativeRelations[j] = relations[Math.floor(j / k)]!;
      negativeRows = {
        kind: 'general',
        heads: column(negativeHeads.slice(0, pairs)),
        relations: column(negativeRelations),
        tails: column(negativeTails.slice(0, pairs)),
      };
    }
    let regularized: BatchIndexes['regularized'];
    if (this.regularize) {
      this.stamp += 1;
      const entities = this.distinct(this.entityStamps, [heads, tails, negativeHeads.subarray(0, pairs), negativeTails.subarray(0, pairs)]);
      const relationRows = this.distinct(this.relationStamps, [relations]);
      regularized = { entities: column(entities), relations: column(relationRows) };
    }
    const ends = new Int32Array(2 * count);
    ends.set(heads);
    ends.set(tails, count);
    return { count, negatives: k, ends: column(ends), relations: column(relations), negativeRows, regularized };
  }

  /** The distinct values of `lists`, in order of first appearance. */
  private distinct(stamps: Int32Array, lists: Int32Array[]): Int32Array {
    const stamp = this.stamp;
    const out: number[] = [];
    for (const list of lists) {
      for (let i = 0; i < list.length; i += 1) {
        const row = list[i]!;
        if (stamps[row] === stamp) continue;
        stamps[row] = stamp;
        out.push(row);
      }
    }
    return Int32Array.from(out);
  }
}

/** Rows `indexes` ([m, 1] int32) of `table`; the gradient is scattered back, summing repeated rows. */
function gatherRows(tf: Tensorflow, table: Tensor2D, indexes: Tensor2D): Tensor2D {
  const shape = table.shape;
  const gather = tf.customGrad((input) => ({
    value: tf.gatherND(input as Tensor2D, indexes) as Tensor2D,
    gradFunc: (dy: Tensor) => tf.scatterND(indexes, dy, shape),
  }));
  return gather(table) as Tensor2D;
}

/**
 * Tensors that a gradient needs, kept past the forward pass by reference. `save` would do it by copying
 * them, and on wasm a copy of the negatives' differences (batch × negatives × dimension floats) cost as much
 * as computing them. Disposed once the step is done, whether or not the gradient ran.
 */
class Retained {
  private readonly tensors: Tensor[] = [];

  constructor(private readonly tf: Tensorflow) {}

  keep<T extends Tensor>(tensor: T): T {
    this.tensors.push(this.tf.keep(tensor));
    return tensor;
  }

  dispose(): void {
    this.tf.dispose(this.tensors);
    this.tensors.length = 0;
  }
}

/**
 * The gradient of |x| is sign(x), taken as `step(x, −1)` (1 above zero, −1 otherwise): the wasm `Sign` kernel
 * branches on every element and ran 4–12 times slower than `Step` on vectors of mixed signs. At an exact zero
 * this gives −1 where transe.ts gives ±1 by the sign bit; both are subgradients.
 */
function signOf(tf: Tensorflow, x: Tensor): Tensor {
  return tf.step(x, -1);
}

/** ∂d/∂x times dy ([..., 1] against x's [..., dimension]) for d = ‖x‖₁ or ‖x‖₂ (then `norm` is d itself). */
function distanceGradient(tf: Tensorflow, distance: LossSettings['distance'], x: Tensor, norm: Tensor, dy: Tensor): Tensor {
  if (distance === 'L1') return tf.mul(signOf(tf, x), tf.expandDims(dy, -1));
  // x / ‖x‖, and 0 rather than NaN for a zero vector (as transe.ts).
  return tf.mul(x, tf.expandDims(tf.divNoNan(dy, norm), -1));
}

/** ‖x‖₁ or ‖x‖₂ over the last axis, with the gradient of `distanceGradient`. */
function distanceOf(tf: Tensorflow, retained: Retained, distance: LossSettings['distance'], x: Tensor): Tensor {
  const op = tf.customGrad((input) => {
    const value = retained.keep(input as Tensor);
    const norm = retained.keep(distance === 'L1' ? tf.sum(tf.abs(value), -1) : tf.sqrt(tf.sum(tf.square(value), -1)));
    return { value: norm, gradFunc: (dy: Tensor) => distanceGradient(tf, distance, value, norm, dy) };
  });
  return op(x);
}

/**
 * d(entity[corrupted[j]] − sides[side[j]]) for every negative j, as one operation so that its gradient g
 * (batch × negatives × dimension values) reaches both tables without a pass that negates it: the sides'
 * share, −g, is negated after the scatter, on their 2 × batch rows.
 */
function keptSideDistances(
  tf: Tensorflow,
  retained: Retained,
  distance: LossSettings['distance'],
  sides: Tensor2D,
  entity: Tensor2D,
  side: Tensor2D,
  corrupted: Tensor2D,
): Tensor {
  const sidesShape = sides.shape;
  const entityShape = entity.shape;
  const op = tf.customGrad((sidesInput, entityInput) => {
    const x = retained.keep(tf.sub(tf.gatherND(entityInput as Tensor2D, corrupted), tf.gatherND(sidesInput as Tensor2D, side)));
    const norm = retained.keep(distance === 'L1' ? tf.sum(tf.abs(x), -1) : tf.sqrt(tf.sum(tf.square(x), -1)));
    return {
      value: norm,
      gradFunc: (dy: Tensor) => {
        const g = distanceGradient(tf, distance, x, norm, dy);
        return [tf.neg(tf.scatterND(side, g, sidesShape)), tf.scatterND(corrupted, g, entityShape)];
      },
    };
  });
  return op(sides, entity);
}

/** softmax over the last axis, treated as a constant by the gradient (no gradient flows into `logits`). */
function detachedSoftmax(tf: Tensorflow, logits: Tensor): Tensor {
  const softmax = tf.customGrad((input) => ({
    value: tf.softmax(input as Tensor),
    gradFunc: (dy: Tensor) => tf.zeros(dy.shape),
  }));
  return softmax(logits);
}

/**
 * The loss of one batch as a scalar tensor: the mean data loss of transe.ts's `batchLossAndGradients`, plus
 * λ · Σ‖row‖² over the distinct rows the batch uses.
 */
function batchLoss(tf: Tensorflow, retained: Retained, entity: Tensor2D, relation: Tensor2D, batch: BatchIndexes, settings: LossSettings): Scalar {
  const { count, negatives: k } = batch;
  const distance = (x: Tensor): Tensor => distanceOf(tf, retained, settings.distance, x);
  const dimension = entity.shape[1];
  const ends = gatherRows(tf, entity, batch.ends);
  const heads = tf.slice(ends, [0, 0], [count, dimension]);
  const tails = tf.slice(ends, [count, 0], [count, dimension]);
  const relations = gatherRows(tf, relation, batch.relations);
  const headPlusRelation = tf.add<Tensor2D>(heads, relations);
  const positiveDistance = distance(tf.sub(headPlusRelation, tails));

  let negativeDistances: Tensor;
  const rows = batch.negativeRows;
  if (rows.kind === 'kept-side') {
    // For a new head h', x = e_h' − (e_t − w_r); for a new tail t', x = (e_h + w_r) − e_t' = −(e_t' − (e_h + w_r)).
    // Distances are norms, so the sign of the second does not matter.
    const sides = tf.concat([headPlusRelation, tf.sub<Tensor2D>(tails, relations)], 0);
    negativeDistances = keptSideDistances(tf, retained, settings.distance, sides, entity, rows.side, rows.corrupted);
  } else {
    const negativeHeads = gatherRows(tf, entity, rows.heads);
    const negativeRelations = gatherRows(tf, relation, rows.relations);
    negativeDistances = distance(tf.sub(tf.add(negativeHeads, negativeRelations), gatherRows(tf, entity, rows.tails)));
  }
  const negativeDistance = tf.reshape(negativeDistances, [count, k]);

  let loss: Scalar;
  const margin = settings.margin;
  if (settings.loss === 'margin') {
    loss = tf.mean(tf.relu(tf.sub(tf.add(tf.expandDims(positiveDistance, 1), margin), negativeDistance)));
  } else {
    // −log σ(γ − d(pos)) = softplus(d(pos) − γ); −log σ(d(neg) − γ) = softplus(γ − d(neg)).
    const weights = detachedSoftmax(tf, tf.mul(tf.sub(margin, negativeDistance), settings.adversarialTemperature));
    const negativeLoss = tf.sum(tf.mul(weights, tf.softplus(tf.sub(margin, negativeDistance))), 1);
    loss = tf.mean(tf.add(tf.softplus(tf.sub(positiveDistance, margin)), negativeLoss));
  }
  const weight = settings.regularization ?? 0;
  if (weight > 0 && batch.regularized) {
    const entityRows = gatherRows(tf, entity, batch.regularized.entities);
    const relationRows = gatherRows(tf, relation, batch.regularized.relations);
    loss = tf.add(loss, tf.mul(tf.add(tf.sum(tf.square(entityRows)), tf.sum(tf.square(relationRows))), weight));
  }
  return loss;
}

/**
 * The loss of one batch and its gradients with respect to the whole tables, computed by TensorFlow.js on
 * its active backend: the counterpart of transe.ts's `batchLossAndGradients`, to check one against the other.
 */
export function tfjsLossAndGradients(
  tf: Tensorflow,
  embeddings: Embeddings,
  settings: LossSettings,
  positives: TripleSet,
  negatives: { heads: Int32Array; tails: Int32Array },
): BatchGradients {
  const k = negativesPerPositive('tfjsLossAndGradients', embeddings, settings, positives, negatives);
  const count = positives.heads.length;
  const { dimension } = embeddings;
  const entityCount = embeddings.entity.length / dimension;
  const relationCount = embeddings.relation.length / dimension;
  const weight = settings.regularization ?? 0;
  const retained = new Retained(tf);
  try {
    return tf.tidy(() => {
      const batch = new BatchIndexer(entityCount, relationCount, weight > 0).build(tf, positives, count, negatives.heads, negatives.tails, k);
      const entity = tf.tensor2d(embeddings.entity.slice(), [entityCount, dimension]);
      const relation = tf.tensor2d(embeddings.relation.slice(), [relationCount, dimension]);
      const { value, grads } = tf.valueAndGrads((entityTable, relationTable) => batchLoss(tf, retained, entityTable as Tensor2D, relationTable as Tensor2D, batch, settings))([
        entity,
        relation,
      ]);
      return { loss: value.dataSync()[0]!, entity: Float32Array.from(grads[0]!.dataSync()), relation: Float32Array.from(grads[1]!.dataSync()) };
    });
  } finally {
    retained.dispose();
  }
}

export class TfjsEngine implements TrainingEngine {
  readonly name: string;
  private readonly tf: Tensorflow;
  private readonly kernelBackend: string;

  constructor(loaded: LoadedTensorflow) {
    this.tf = loaded.tf;
    this.name = loaded.backend;
    this.kernelBackend = loaded.kernelBackend;
  }

  /** An engine on `preference` (`auto`: native GPU, native CPU, wasm, then the pure-JS cpu backend). */
  static async create(preference: BackendPreference = 'auto'): Promise<TfjsEngine> {
    return new TfjsEngine(await loadTensorflow(preference));
  }

  /**
   * Trains for `params.epochs` epochs (fewer if `onEpoch` returns false) from a copy of `initial`, or from
   * the seeded initialisation. `onEpoch` receives copies of the tables. `params.workers` does not apply.
   */
  async train(
    dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>,
    params: TransEHyperparameters,
    callbacks: TrainingCallbacks = {},
    initial?: Embeddings,
  ): Promise<Embeddings> {
    validateTrainingInput('TfjsEngine', dataset, params, 1, initial);
    const tf = this.tf;
    // TensorFlow.js has one active backend per process: another user may have switched it.
    if (tf.getBackend() !== this.kernelBackend) {
      if (!(await tf.setBackend(this.kernelBackend))) throw new Error(`TfjsEngine: the TensorFlow.js backend '${this.kernelBackend}' failed to start`);
    }
    const entityCount = dataset.entities.length;
    const relationCount = dataset.relations.length;
    const { dimension } = params;
    const start = initial ?? initialEmbeddings(entityCount, relationCount, params);
    // A variable shares its initial tensor's data; tidy disposes that tensor and leaves the variable.
    const entity = tf.tidy(() => tf.variable(tf.tensor2d(start.entity.slice(), [entityCount, dimension]), true));
    const relation = tf.tidy(() => tf.variable(tf.tensor2d(start.relation.slice(), [relationCount, dimension]), true));
    const optimizer: Optimizer =
      params.optimizer === 'adam' ? tf.train.adam(params.learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON) : tf.train.adagrad(params.learningRate, ADAGRAD_INITIAL_ACCUMULATOR);
    try {
      await this.runEpochs(dataset.train, params, callbacks, entity, relation, optimizer);
      return { dimension, entity: Float32Array.from(entity.dataSync()), relation: Float32Array.from(relation.dataSync()) };
    } finally {
      optimizer.dispose();
      entity.dispose();
      relation.dispose();
    }
  }

  private async runEpochs(
    train: TripleSet,
    params: TransEHyperparameters,
    callbacks: TrainingCallbacks,
    entity: Variable<Rank.R2>,
    relation: Variable<Rank.R2>,
    optimizer: Optimizer,
  ): Promise<void> {
    const tf = this.tf;
    const [entityCount, dimension] = entity.shape;
    const relationCount = relation.shape[0];
    const k = params.negatives;
    const random = new Random(params.seed + TRAINING_STREAM);
    const sampler = NegativeSampler.forTriples(train, entityCount, relationCount, k, params.corruption, random, params.reflexiveNegatives);
    const indexer = new BatchIndexer(entityCount, relationCount, params.regularization > 0);
    const total = train.heads.length;
    const capacity = Math.min(params.batchSize, total);
    const batch: TripleSet = { heads: new Int32Array(capacity), relations: new Int32Array(capacity), tails: new Int32Array(capacity) };
    const negativeHeads = new Int32Array(capacity * k);
    const negativeTails = new Int32Array(capacity * k);
    const order = new Int32Array(total);
    for (let i = 0; i < total; i += 1) order[i] = i;
    const settings: LossSettings = params;
    const retained = new Retained(tf);
    let lastYield = performance.now();

    for (let epoch = 1; epoch <= params.epochs; epoch += 1) {
      const started = performance.now();
      // tfjs's Adam and Adagrad read their (protected) learningRate at every step: a schedule sets it here.
      (optimizer as unknown as { learningRate: number }).learningRate = callbacks.learningRate?.() ?? params.learningRate;
      random.shuffle(order);
      // The epoch's loss stays on the device, so that a GPU is not made to wait for a read after every batch.
      let lossSum: Scalar = tf.scalar(0);
      try {
        for (let first = 0; first < total; first += params.batchSize) {
          const count = Math.min(params.batchSize, total - first);
          gatherBatch(train, order, first, count, batch);
          sampler.sample(batch, count, negativeHeads, negativeTails);
          const previous = lossSum;
          try {
            lossSum = tf.tidy(() => {
              const indexes = indexer.build(tf, batch, count, negativeHeads, negativeTails, k);
              const { value, grads } = tf.variableGrads(() => batchLoss(tf, retained, entity, relation, indexes, settings), [entity, relation]);
              optimizer.applyGradients(grads);
              if (params.entityNormConstraint) entity.assign(normalizeAllRows(tf, entity));
              return tf.add(previous, tf.mul(value, count));
            });
          } finally {
            retained.dispose();
          }
          previous.dispose();
          callbacks.onBatch?.(first + count, total);
          if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
        }
        const loss = (await lossSum.data())[0]! / total;
        const seconds = (performance.now() - started) / 1000;
        const report: EpochReport = { epoch, loss, seconds, triplesPerSecond: total / seconds };
        if (callbacks.onEpoch) {
          const embeddings: Embeddings = { dimension, entity: Float32Array.from(await entity.data()), relation: Float32Array.from(await relation.data()) };
          if ((await callbacks.onEpoch(report, embeddings)) === false) break;
        }
      } finally {
        lossSum.dispose();
      }
    }
  }
}

/** Every row of `table` rescaled to unit L2 norm (rows shorter than NORM_EPSILON are divided by it instead). */
function normalizeAllRows(tf: Tensorflow, table: Tensor2D): Tensor2D {
  const norms = tf.sqrt(tf.sum(tf.square(table), 1, true));
  return tf.div(table, tf.maximum(norms, NORM_EPSILON));
}

