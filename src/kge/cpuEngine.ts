/**
 * TransE training in plain TypeScript on typed arrays: shuffle, mini-batches, negatives, analytic gradients,
 * a sparse optimizer step, the entity norm constraint. On one thread, or on N lanes (this thread and N − 1
 * worker threads) over SharedArrayBuffers, which split every batch and give the same result at every run.
 *
 * Measured with bench/kgeSpeed.ts on 2 cores (FB15k-237 sizes, dimension 200, batch 1,024, Adam), in positives
 * per second: 64 negatives with the self-adversarial loss 7,500–7,700 on one thread and 12,800–13,900 on two
 * lanes; 1 negative with the margin loss 93,000–94,000 and 160,000. PyKEEN on the same machine: 3,300–3,800
 * and 50,000–55,000.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Control, Lane, LANE_ROLE, RUN, signalFailure, STOP, type SharedTraining } from './cpuWorker.js';
import { initialEmbeddings } from './initialise.js';
import { gatherBatch, TRAINING_STREAM, validateTrainingInput } from './trainingInput.js';
import { NegativeSampler } from './negativeSampler.js';
import { createOptimizerState } from './optimizers.js';
import { Random } from './random.js';
import { GradientRows } from './transe.js';
import type { Embeddings, EpochReport, KgeDataset, TrainingCallbacks, TrainingEngine, TransEHyperparameters, TripleSet } from './types.js';

/**
 * Hand the event loop a turn after this much training, so that a server training in-process keeps
 * answering (a 64-negative batch of 1,024 takes ~0.15 s on one thread; a 1-negative batch ~10 ms).
 */
const YIELD_INTERVAL_MS = 25;
/** How long to wait for a failed worker's error before reporting the failure without it. */
const WORKER_ERROR_GRACE_MS = 1000;

export interface CpuEngineOptions {
  /** Lanes to use whatever `params.workers` says (for benchmarks and tests). */
  workers?: number;
}

export class CpuEngine implements TrainingEngine {
  private lastLanes: number | undefined;

  constructor(private readonly options: CpuEngineOptions = {}) {}

  /** `cpu-typed-arrays (1 thread)` or `(N workers)`; before the first run without a fixed count, the bare name. */
  get name(): string {
    const lanes = this.options.workers ?? this.lastLanes;
    if (lanes === undefined) return 'cpu-typed-arrays';
    return lanes === 1 ? 'cpu-typed-arrays (1 thread)' : `cpu-typed-arrays (${lanes} workers)`;
  }

  /**
   * Trains for `params.epochs` epochs (fewer if `onEpoch` returns false) from a copy of `initial`, or from
   * the seeded initialisation. `params.workers` = N runs N lanes: this thread and N − 1 worker threads.
   * `onEpoch` receives the live tables, which the next epoch overwrites: copy them to keep them.
   */
  async train(
    dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>,
    params: TransEHyperparameters,
    callbacks: TrainingCallbacks = {},
    initial?: Embeddings,
  ): Promise<Embeddings> {
    const lanes = this.options.workers ?? params.workers;
    validateTrainingInput('CpuEngine', dataset, params, lanes, initial);
    this.lastLanes = lanes;
    const shared = prepare(dataset, params, lanes, initial);
    const workers = await startWorkers(shared);
    try {
      await runEpochs(shared, dataset.train, params, callbacks, workers);
    } finally {
      await stopWorkers(shared, workers);
    }
    // Over SharedArrayBuffers the tables would stay shared memory; hand back ordinary arrays.
    const copy = lanes > 1;
    return {
      dimension: params.dimension,
      entity: copy ? new Float32Array(shared.entity) : shared.entity,
      relation: copy ? new Float32Array(shared.relation) : shared.relation,
    };
  }
}

/** Allocates every table the lanes share; the starting vectors are copied, never trained in place. */
function prepare(dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>, params: TransEHyperparameters, lanes: number, initial?: Embeddings): SharedTraining {
  const shared = lanes > 1;
  const entityCount = dataset.entities.length;
  const relationCount = dataset.relations.length;
  const { dimension, negatives } = params;
  const batchCapacity = Math.min(params.batchSize, dataset.train.heads.length);
  const start = initial ?? initialEmbeddings(entityCount, relationCount, params);
  const int32 = (length: number): Int32Array => new Int32Array(shared ? new SharedArrayBuffer(length * 4) : new ArrayBuffer(length * 4));
  const float32Copy = (values: Float32Array): Float32Array => {
    const copy = new Float32Array(shared ? new SharedArrayBuffer(values.length * 4) : new ArrayBuffer(values.length * 4));
    copy.set(values);
    return copy;
  };
  const laneIndexes = Array.from({ length: lanes }, (_, lane) => lane);
  return {
    role: LANE_ROLE,
    lanes,
    dimension,
    entityCount,
    relationCount,
    negatives,
    settings: lossSettings(params),
    learningRate: params.learningRate,
    regularization: params.regularization,
    entityNormConstraint: params.entityNormConstraint,
    entity: float32Copy(start.entity),
    relation: float32Copy(start.relation),
    entityGradients: laneIndexes.map(() => GradientRows.allocate(entityCount, dimension, shared)),
    relationGradients: laneIndexes.map(() => GradientRows.allocate(relationCount, dimension, shared)),
    entityOptimizer: createOptimizerState(params.optimizer, entityCount, dimension, shared),
    relationOptimizer: createOptimizerState(params.optimizer, relationCount, dimension, shared),
    batch: { heads: int32(batchCapacity), relations: int32(batchCapacity), tails: int32(batchCapacity) },
    negativeHeads: int32(batchCapacity * negatives),
    negativeTails: int32(batchCapacity * negatives),
    control: int32(Control.length),
    losses: new Float64Array(shared ? new SharedArrayBuffer(lanes * 2 * 8) : new ArrayBuffer(lanes * 2 * 8)),
  };
}

/** A running worker thread and the error it died of, if it did. */
interface LaneWorker {
  worker: Worker;
  error: Error | undefined;
  failed: Promise<void>;
}

/**
 * The worker file sits next to this one: `cpuWorker.js` once compiled. Run from the TypeScript sources
 * (tsx, vitest) only `cpuWorker.ts` exists, and Node 20 does not hand tsx's loader on to worker threads,
 * so the worker registers it first.
 */
function startWorker(shared: SharedTraining, index: number): Worker {
  const workerData = { shared, index };
  const compiled = new URL('./cpuWorker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData });
  const source = new URL('./cpuWorker.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Only what the loss needs: the rest of the hyperparameters (which a caller may extend) stays here. */
function lossSettings(params: TransEHyperparameters): SharedTraining['settings'] {
  const { dimension, distance, loss, margin, adversarialTemperature } = params;
  return { dimension, distance, loss, margin, adversarialTemperature };
}

/** Starts lanes 1..N−1 and resolves once each is waiting for its first batch. */
async function startWorkers(shared: SharedTraining): Promise<LaneWorker[]> {
  const started: LaneWorker[] = [];
  const ready: Promise<void>[] = [];
  for (let index = 1; index < shared.lanes; index += 1) {
    const worker = startWorker(shared, index);
    const entry: LaneWorker = { worker, error: undefined, failed: Promise.resolve() };
    entry.failed = new Promise<void>((resolve) => {
      worker.once('error', (error) => {
        entry.error = error;
        resolve();
      });
    });
    ready.push(
      new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', (error) => reject(new Error(`CpuEngine: worker lane ${index} failed to start: ${error.message}`)));
        worker.once('exit', (code) => reject(new Error(`CpuEngine: worker lane ${index} exited with code ${code} before it started`)));
      }),
    );
    started.push(entry);
  }
  try {
    await Promise.all(ready);
  } catch (error) {
    await stopWorkers(shared, started);
    throw error;
  }
  return started;
}

/** Asks the lanes to stop, and terminates them in case one is stuck (a failed batch leaves them waiting). */
async function stopWorkers(shared: SharedTraining, workers: LaneWorker[]): Promise<void> {
  if (workers.length === 0) return;
  Atomics.store(shared.control, Control.command, STOP);
  Atomics.add(shared.control, Control.generation, 1);
  Atomics.notify(shared.control, Control.generation);
  await Promise.all(workers.map(({ worker }) => worker.terminate()));
}

async function runEpochs(shared: SharedTraining, train: TripleSet, params: TransEHyperparameters, callbacks: TrainingCallbacks, workers: LaneWorker[]): Promise<void> {
  const random = new Random(params.seed + TRAINING_STREAM);
  const sampler = NegativeSampler.forTriples(train, shared.entityCount, shared.relationCount, params.negatives, params.corruption, random);
  const lane = new Lane(shared, 0);
  const total = train.heads.length;
  const order = new Int32Array(total);
  for (let i = 0; i < total; i += 1) order[i] = i;
  const { batch, control } = shared;
  const embeddings: Embeddings = { dimension: params.dimension, entity: shared.entity, relation: shared.relation };
  let stamp = 0;
  let lastYield = performance.now();

  for (let epoch = 1; epoch <= params.epochs; epoch += 1) {
    const started = performance.now();
    random.shuffle(order);
    let lossSum = 0;
    for (let first = 0; first < total; first += params.batchSize) {
      const count = Math.min(params.batchSize, total - first);
      gatherBatch(train, order, first, count, batch);
      sampler.sample(batch, count, shared.negativeHeads, shared.negativeTails);
      stamp += 1;
      control[Control.batchCount] = count;
      control[Control.stamp] = stamp;
      lossSum += await runBatch(shared, lane, workers);
      callbacks.onBatch?.(first + count, total);
      if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const report: EpochReport = { epoch, loss: lossSum / total, seconds, triplesPerSecond: total / seconds };
    if ((await callbacks.onEpoch?.(report, embeddings)) === false) break;
  }
}

/**
 * Runs the prepared batch on every lane and returns its loss times its positives (so that an epoch's sum
 * over batches, divided by its positives, is the mean loss per positive).
 */
async function runBatch(shared: SharedTraining, lane: Lane, workers: LaneWorker[]): Promise<number> {
  const { control, losses, lanes } = shared;
  if (lanes > 1) {
    Atomics.store(control, Control.command, RUN);
    Atomics.add(control, Control.generation, 1);
    Atomics.notify(control, Control.generation);
  }
  try {
    lane.runBatch();
  } catch (error) {
    signalFailure(control);
    throw await describeFailure(error, workers);
  }
  let dataLoss = 0;
  let penalty = 0;
  for (let w = 0; w < lanes; w += 1) {
    dataLoss += losses[2 * w]!;
    penalty += losses[2 * w + 1]!;
  }
  const count = control[Control.batchCount]!;
  return dataLoss + penalty * count;
}

/** The error of the worker that failed, when it arrives soon enough; else the error of lane 0. */
async function describeFailure(error: unknown, workers: LaneWorker[]): Promise<Error> {
  const failures = workers.map((entry, i) => entry.failed.then(() => ({ lane: i + 1, error: entry.error })));
  const grace = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), WORKER_ERROR_GRACE_MS));
  const first = await Promise.race([...failures, grace]);
  if (first?.error) return new Error(`CpuEngine: worker lane ${first.lane} failed: ${first.error.message}`, { cause: first.error });
  return error instanceof Error ? error : new Error(String(error));
}
