/**
 * One lane of a synchronous data-parallel TransE step, and the entry point of the worker threads that run
 * lanes 1..N−1 (the engine's own thread is lane 0).
 *
 * A step has two phases separated by barriers. Gradients: lane w computes the gradients of its slice of the
 * batch into its own gradient table. Update: lane w owns the rows with index ≡ w (mod N); it adds the
 * other lanes' gradients of its rows into table 0, then regularises, steps the optimizer and normalises
 * those rows. No two lanes ever write the same memory within a phase, so the result is the one-thread
 * result up to the order of floating-point sums, and it is identical from run to run. (On 2 cores this
 * was as fast as lock-free Hogwild updates, which are not repeatable.)
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ScalarLaneMaths, type LaneMaths } from './laneMaths.js';
import type { OptimizerState } from './optimizers.js';
import { SimdLaneMaths, type SimdTraining } from './simd/simdLaneMaths.js';
import { GradientRows, regularize, type GradientRowArrays, type TransELossSettings } from './transe.js';
import type { TripleSet } from './types.js';

/** Slots of `SharedTraining.control`. */
export const Control = {
  /** What the lanes do at the next generation: RUN a batch or STOP. */
  command: 0,
  /** Incremented by lane 0 to start a batch (or to deliver STOP); the worker lanes wait on it. */
  generation: 1,
  /** Positives in the current batch. */
  batchCount: 2,
  /** The stamp of the current batch in every gradient table. */
  stamp: 3,
  barrierArrived: 4,
  barrierGeneration: 5,
  /** Non-zero once a lane has failed: the others stop waiting for it. */
  failed: 6,
  length: 7,
} as const;

export const RUN = 0;
export const STOP = 1;

/** Tells a worker thread started with these data that it must serve a lane. */
export const LANE_ROLE = 'kgrec-kge-cpu-lane';

/**
 * Everything the lanes share: over SharedArrayBuffers when there is more than one lane, or all of it in the
 * SIMD kernels' shared WebAssembly memory.
 */
export interface SharedTraining {
  role: typeof LANE_ROLE;
  lanes: number;
  dimension: number;
  entityCount: number;
  relationCount: number;
  negatives: number;
  settings: TransELossSettings;
  /** [0]: the learning rate of the current epoch (a schedule may change it between epochs). */
  learningRate: Float64Array;
  regularization: number;
  entityNormConstraint: boolean;
  entity: Float32Array;
  relation: Float32Array;
  /** One gradient table per lane. */
  entityGradients: GradientRowArrays[];
  relationGradients: GradientRowArrays[];
  entityOptimizer: OptimizerState;
  relationOptimizer: OptimizerState;
  /** The batch's positives (first `control[batchCount]`) and their negatives (k per positive). */
  batch: TripleSet;
  negativeHeads: Int32Array;
  negativeTails: Int32Array;
  control: Int32Array;
  /** Per lane: [2w] the sum of its positives' losses, [2w + 1] its rows' regularisation penalty. */
  losses: Float64Array;
  /** Per lane: room for the rows it owns in an update. */
  ownRows: { entity: Int32Array; relation: Int32Array }[];
  /** Present when the lanes run the WebAssembly SIMD kernels (every table is then in its memory). */
  simd?: SimdTraining;
}

/** A lane waits this long at a time, so that it notices a failed lane instead of waiting for ever. */
const WAIT_SLICE_MS = 1000;
/** Polls of a barrier before sleeping on it: a batch phase is short, and a futex wake-up costs tens of µs. */
const BARRIER_SPINS = 20_000;

export class Lane {
  private readonly maths: LaneMaths;
  private readonly entityTables: GradientRows[];
  private readonly relationTables: GradientRows[];
  private readonly ownEntityRows: Int32Array;
  private readonly ownRelationRows: Int32Array;

  constructor(
    private readonly shared: SharedTraining,
    readonly index: number,
  ) {
    const { dimension } = shared;
    this.maths = shared.simd ? new SimdLaneMaths(shared, index, shared.simd) : new ScalarLaneMaths(shared, index);
    this.entityTables = shared.entityGradients.map((arrays) => new GradientRows(arrays, dimension));
    this.relationTables = shared.relationGradients.map((arrays) => new GradientRows(arrays, dimension));
    this.ownEntityRows = shared.ownRows[index]!.entity;
    this.ownRelationRows = shared.ownRows[index]!.relation;
  }

  /** Both phases of the current batch (lane 0 calls it after starting the others). */
  runBatch(): void {
    this.computeGradients();
    if (this.shared.lanes > 1) barrier(this.shared.control, this.shared.lanes);
    this.applyUpdate();
    if (this.shared.lanes > 1) barrier(this.shared.control, this.shared.lanes);
  }

  private computeGradients(): void {
    const { shared, index } = this;
    const stamp = shared.control[Control.stamp]!;
    this.entityTables[index]!.begin(stamp);
    this.relationTables[index]!.begin(stamp);
    const count = shared.control[Control.batchCount]!;
    const start = Math.floor((index * count) / shared.lanes);
    const end = Math.floor(((index + 1) * count) / shared.lanes);
    shared.losses[2 * index] = this.maths.accumulate(start, end, 1 / count);
  }

  private applyUpdate(): void {
    const { shared } = this;
    const { dimension } = shared;
    const entityRows = this.collectOwnRows(this.entityTables, this.ownEntityRows);
    const relationRows = this.collectOwnRows(this.relationTables, this.ownRelationRows);
    let penalty = regularize(shared.entity, this.entityTables[0]!.values, this.ownEntityRows, entityRows, dimension, shared.regularization);
    penalty += regularize(shared.relation, this.relationTables[0]!.values, this.ownRelationRows, relationRows, dimension, shared.regularization);
    this.maths.stepEntities(this.ownEntityRows, entityRows);
    this.maths.stepRelations(this.ownRelationRows, relationRows);
    if (shared.entityNormConstraint) this.maths.normalizeEntities(this.ownEntityRows, entityRows);
    shared.losses[2 * this.index + 1] = penalty;
  }

  /**
   * Lists into `own` the rows of this lane that any lane touched, and sums their gradients into table 0
   * (lane order, so the sum is the same at every run). Returns how many rows it listed.
   */
  private collectOwnRows(tables: GradientRows[], own: Int32Array): number {
    const lanes = this.shared.lanes;
    const index = this.index;
    const base = tables[0]!;
    let owned = 0;
    const baseCount = base.count;
    for (let i = 0; i < baseCount; i += 1) {
      const row = base.touched[i]!;
      if (row % lanes === index) own[owned++] = row;
    }
    for (let lane = 1; lane < lanes; lane += 1) owned = this.maths.addOwnedRows(base, tables[lane]!, own, owned);
    return owned;
  }
}

/** Waits until every lane has arrived (a reusable barrier: a counter and a generation). */
export function barrier(control: Int32Array, lanes: number): void {
  const generation = Atomics.load(control, Control.barrierGeneration);
  if (Atomics.add(control, Control.barrierArrived, 1) === lanes - 1) {
    Atomics.store(control, Control.barrierArrived, 0);
    Atomics.add(control, Control.barrierGeneration, 1);
    Atomics.notify(control, Control.barrierGeneration);
    return;
  }
  for (let spin = 0; spin < BARRIER_SPINS; spin += 1) {
    if (Atomics.load(control, Control.barrierGeneration) !== generation) return;
  }
  while (Atomics.load(control, Control.barrierGeneration) === generation) {
    if (Atomics.load(control, Control.failed) !== 0) throw new Error('kge cpu lane: another lane failed, abandoning the batch');
    Atomics.wait(control, Control.barrierGeneration, generation, WAIT_SLICE_MS);
  }
}

/** Marks the training as failed and wakes every lane that waits, so that they give up too. */
export function signalFailure(control: Int32Array): void {
  Atomics.store(control, Control.failed, 1);
  Atomics.notify(control, Control.barrierGeneration);
  Atomics.notify(control, Control.generation);
}

/** The loop of a worker thread: a batch per generation until STOP. */
function serve(shared: SharedTraining, index: number): void {
  const control = shared.control;
  const lane = new Lane(shared, index);
  let seen = Atomics.load(control, Control.generation);
  parentPort?.postMessage({ ready: index });
  for (;;) {
    Atomics.wait(control, Control.generation, seen);
    const generation = Atomics.load(control, Control.generation);
    if (generation === seen) continue;
    seen = generation;
    if (Atomics.load(control, Control.failed) !== 0 || Atomics.load(control, Control.command) === STOP) return;
    lane.runBatch();
  }
}

interface LaneWorkerData {
  shared: SharedTraining;
  index: number;
}

function isLaneWorkerData(data: unknown): data is LaneWorkerData {
  return typeof data === 'object' && data !== null && (data as { shared?: { role?: unknown } }).shared?.role === LANE_ROLE;
}

if (!isMainThread && isLaneWorkerData(workerData)) {
  const { shared, index } = workerData;
  try {
    serve(shared, index);
  } catch (error) {
    signalFailure(shared.control);
    throw error;
  }
}
