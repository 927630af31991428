/**
 * TransE training on the CPU: shuffle, mini-batches, negatives, analytic gradients, a sparse optimizer step,
 * the entity norm constraint. On one thread, or on N lanes (this thread and N − 1 worker threads) over
 * shared memory, which split every batch and give the same result at every run. The arithmetic runs in the
 * WebAssembly SIMD kernels of ./simd/ where they load, else in the scalar TypeScript kernels (the reference).
 * Why a CPU engine of its own, and its speed against the scalar kernels, TensorFlow.js and PyKEEN:
 * docs/decisions/0009-cpu-engine-on-simd-kernels.md (current figures in docs/benchmarks.md).
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/moduleWorker.js';
import { Control, Lane, LANE_ROLE, RUN, signalFailure, STOP, type SharedTraining } from './cpuWorker.js';
import { initialEmbeddings } from './initialise.js';
import { gatherBatch, TRAINING_STREAM, validateTrainingInput } from './trainingInput.js';
import { NegativeSampler } from './negativeSampler.js';
import { createOptimizerState } from './optimizers.js';
import { Random } from '../math/random.js';
import { loadTransEWasm, type TransEWasm } from './simd/loadTransEWasm.js';
import { simdScratchBytes } from './simd/simdLaneMaths.js';
import { heapAllocator, WasmTableAllocator, type TableAllocator } from './tableMemory.js';
import { GradientRows } from './transe.js';
import type { Embeddings, EpochReport, KgeDataset, TrainingCallbacks, TrainingEngine, TransEHyperparameters, TripleSet } from './types.js';

/**
 * Hand the event loop a turn after this much training, so that a server training in-process keeps
 * answering (one 64-negative batch alone can hold the thread for a good part of a second).
 */
const YIELD_INTERVAL_MS = 25;
/** How long to wait for a failed worker's error before reporting the failure without it. */
const WORKER_ERROR_GRACE_MS = 1000;

export interface CpuEngineOptions {
  /** Lanes to use whatever `params.workers` says (for benchmarks and tests). */
  workers?: number;
  /**
   * `simd`: the WebAssembly SIMD kernels (an error when they cannot load); `scalar`: the TypeScript kernels;
   * `auto` (the default): SIMD where it loads.
   */
  kernels?: 'auto' | 'simd' | 'scalar';
}

export class CpuEngine implements TrainingEngine {
  private lastLanes: number | undefined;
  private kernels: TransEWasm | undefined;

  constructor(private readonly options: CpuEngineOptions = {}) {}

  /** An engine whose kernels are already chosen, so that its name says which. */
  static async create(options: CpuEngineOptions = {}): Promise<CpuEngine> {
    const engine = new CpuEngine(options);
    await engine.chooseKernels();
    return engine;
  }

  /**
   * `cpu-simd` or `cpu-typed-arrays`, with `(1 thread)` or `(N workers)` once known, and why the SIMD
   * kernels are not used when they could not load.
   */
  get name(): string {
    const kernels = this.kernels;
    const base = kernels?.module ? 'cpu-simd' : 'cpu-typed-arrays';
    const lanes = this.options.workers ?? this.lastLanes;
    const details: string[] = [];
    if (lanes !== undefined) details.push(lanes === 1 ? '1 thread' : `${lanes} workers`);
    if (kernels && !kernels.module && this.options.kernels !== 'scalar') details.push(`SIMD kernels unavailable: ${kernels.reason}`);
    return details.length === 0 ? base : `${base} (${details.join('; ')})`;
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
    const kernels = await this.chooseKernels();
    const shared = prepare(dataset, params, lanes, kernels.module, initial);
    const workers = await startWorkers(shared);
    try {
      await runEpochs(shared, dataset.train, params, callbacks, workers);
    } finally {
      await stopWorkers(shared, workers);
    }
    // Shared memory (between threads, or the kernels' memory) is handed back as ordinary arrays.
    const copy = lanes > 1 || kernels.module !== undefined;
    return {
      dimension: params.dimension,
      entity: copy ? new Float32Array(shared.entity) : shared.entity,
      relation: copy ? new Float32Array(shared.relation) : shared.relation,
    };
  }

  private async chooseKernels(): Promise<TransEWasm> {
    const choice = this.options.kernels ?? 'auto';
    this.kernels ??= choice === 'scalar' ? { module: undefined, reason: 'scalar kernels chosen' } : await loadTransEWasm();
    if (choice === 'simd' && !this.kernels.module) throw new Error(`CpuEngine: the SIMD kernels cannot load: ${this.kernels.reason}`);
    return this.kernels;
  }
}

/**
 * Allocates every table the lanes share; the starting vectors are copied, never trained in place. With the
 * SIMD module every table lives in one shared WebAssembly memory, else in (shared) typed arrays.
 */
function prepare(
  dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>,
  params: TransEHyperparameters,
  lanes: number,
  simdModule: WebAssembly.Module | undefined,
  initial?: Embeddings,
): SharedTraining {
  const entityCount = dataset.entities.length;
  const relationCount = dataset.relations.length;
  const { dimension, negatives } = params;
  const batchCapacity = Math.min(params.batchSize, dataset.train.heads.length);
  const start = initial ?? initialEmbeddings(entityCount, relationCount, params);
  const wasmTables = simdModule ? new WasmTableAllocator(estimateTableBytes(entityCount, relationCount, params, lanes)) : undefined;
  const tables: TableAllocator = wasmTables ?? heapAllocator(lanes > 1);
  const float32Copy = (values: Float32Array): Float32Array => {
    const copy = tables.float32(values.length);
    copy.set(values);
    return copy;
  };
  const laneIndexes = Array.from({ length: lanes }, (_, lane) => lane);
  const shared: SharedTraining = {
    role: LANE_ROLE,
    lanes,
    dimension,
    entityCount,
    relationCount,
    negatives,
    settings: lossSettings(params),
    learningRate: tables.float64(1),
    regularization: params.regularization,
    entityNormConstraint: params.entityNormConstraint,
    entity: float32Copy(start.entity),
    relation: float32Copy(start.relation),
    entityGradients: laneIndexes.map(() => GradientRows.allocate(entityCount, dimension, tables)),
    relationGradients: laneIndexes.map(() => GradientRows.allocate(relationCount, dimension, tables)),
    entityOptimizer: createOptimizerState(params.optimizer, entityCount, dimension, tables),
    relationOptimizer: createOptimizerState(params.optimizer, relationCount, dimension, tables),
    batch: { heads: tables.int32(batchCapacity), relations: tables.int32(batchCapacity), tails: tables.int32(batchCapacity) },
    negativeHeads: tables.int32(batchCapacity * negatives),
    negativeTails: tables.int32(batchCapacity * negatives),
    control: tables.int32(Control.length),
    losses: tables.float64(lanes * 2),
    ownRows: laneIndexes.map(() => ({ entity: tables.int32(entityCount), relation: tables.int32(relationCount) })),
  };
  shared.learningRate[0] = params.learningRate;
  if (simdModule && wasmTables) {
    const scratchBytes = simdScratchBytes(simdModule, wasmTables.memory, dimension, negatives);
    shared.simd = { module: simdModule, memory: wasmTables.memory, scratch: laneIndexes.map(() => wasmTables.bytes(scratchBytes)) };
  }
  return shared;
}

/** Roughly the bytes `prepare` asks for, so that the memory is sized once instead of growing table by table. */
function estimateTableBytes(entityCount: number, relationCount: number, params: TransEHyperparameters, lanes: number): number {
  const rows = entityCount + relationCount;
  const rowBytes = params.dimension * 4;
  const optimizerTables = params.optimizer === 'adam' ? 2 : 1;
  const batch = Math.min(params.batchSize, 1 << 20) * (3 + 2 * params.negatives) * 4;
  return rows * rowBytes * (1 + lanes + optimizerTables) + rows * 4 * (3 * lanes + 2) + batch;
}

/** A running worker thread and the error it died of, if it did. */
interface LaneWorker {
  worker: Worker;
  error: Error | undefined;
  failed: Promise<void>;
}

function startWorker(shared: SharedTraining, index: number): Worker {
  return startModuleWorker(import.meta.url, 'cpuWorker', { shared, index });
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
  const sampler = NegativeSampler.forTriples(train, shared.entityCount, shared.relationCount, params.negatives, params.corruption, random, params.reflexiveNegatives);
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
    shared.learningRate[0] = callbacks.learningRate?.() ?? params.learningRate;
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
