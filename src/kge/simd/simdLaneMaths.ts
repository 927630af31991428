/**
 * A lane's arithmetic on the WebAssembly SIMD kernels (assembly/transe.ts). Each lane instantiates the
 * module over the run's shared memory: the instance's globals (configuration, scratch addresses) are the
 * lane's own, the tables are everyone's. Arguments are byte addresses of typed-array views of that memory.
 */
import type { SharedTraining } from '../cpuWorker.js';
import type { LaneMaths } from '../laneMaths.js';
import { WasmTableAllocator } from '../tableMemory.js';
import { GradientRows, type BatchGradients, type GradientRowArrays, type TransELossSettings } from '../transe.js';
import type { Embeddings, TripleSet } from '../types.js';

/** The module's exports (see assembly/transe.ts); addresses and counts are i32, `bool`s are 0 or 1. */
interface TransEKernelExports {
  scratchBytes(dimension: number, negatives: number): number;
  configure(dimension: number, negatives: number, l1: number, selfAdversarial: number, margin: number, temperature: number, entity: number, relation: number, scratch: number): void;
  bindBatch(heads: number, relations: number, tails: number, negativeHeads: number, negativeTails: number): void;
  bindGradients(eValues: number, eStamps: number, eTouched: number, eMeta: number, rValues: number, rStamps: number, rTouched: number, rMeta: number): void;
  accumulate(start: number, end: number, inverseBatch: number): number;
  collectRows(baseValues: number, baseStamps: number, stamp: number, values: number, touched: number, count: number, lanes: number, index: number, own: number, owned: number): number;
  adamStep(params: number, gradients: number, firstMoment: number, secondMoment: number, rowSteps: number, rows: number, count: number, learningRate: number): void;
  adagradStep(params: number, gradients: number, sumOfSquares: number, rows: number, count: number, learningRate: number): void;
  normalizeRows(values: number, rows: number, count: number): void;
}

/** What a run on the SIMD kernels adds to the shared tables: the module, its memory, each lane's scratch. */
export interface SimdTraining {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Per lane: the address of its scratch (`scratchBytes(dimension, negatives)` bytes). */
  scratch: number[];
}

/** The scratch bytes a lane needs, asked of the module itself. */
export function simdScratchBytes(module: WebAssembly.Module, memory: WebAssembly.Memory, dimension: number, negatives: number): number {
  return instantiate(module, memory).scratchBytes(dimension, negatives);
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): TransEKernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as TransEKernelExports;
}

/** The byte address of a view into the module's memory. */
const at = (view: Int32Array | Float32Array | Float64Array): number => view.byteOffset;

export class SimdLaneMaths implements LaneMaths {
  private readonly kernels: TransEKernelExports;

  constructor(
    private readonly shared: SharedTraining,
    private readonly index: number,
    simd: SimdTraining,
  ) {
    const { settings } = shared;
    const kernels = instantiate(simd.module, simd.memory);
    kernels.configure(
      shared.dimension,
      shared.negatives,
      settings.distance === 'L1' ? 1 : 0,
      settings.loss === 'self-adversarial' ? 1 : 0,
      settings.margin,
      settings.adversarialTemperature,
      at(shared.entity),
      at(shared.relation),
      simd.scratch[index]!,
    );
    kernels.bindBatch(at(shared.batch.heads), at(shared.batch.relations), at(shared.batch.tails), at(shared.negativeHeads), at(shared.negativeTails));
    const entity: GradientRowArrays = shared.entityGradients[index]!;
    const relation: GradientRowArrays = shared.relationGradients[index]!;
    kernels.bindGradients(at(entity.values), at(entity.stamps), at(entity.touched), at(entity.meta), at(relation.values), at(relation.stamps), at(relation.touched), at(relation.meta));
    this.kernels = kernels;
  }

  accumulate(start: number, end: number, inverseBatch: number): number {
    return this.kernels.accumulate(start, end, inverseBatch);
  }

  addOwnedRows(base: GradientRows, other: GradientRows, own: Int32Array, owned: number): number {
    return this.kernels.collectRows(at(base.values), at(base.stamps), base.stamp, at(other.values), at(other.touched), other.count, this.shared.lanes, this.index, at(own), owned);
  }

  stepEntities(rows: Int32Array, count: number): void {
    this.step(this.shared.entity, this.shared.entityGradients[0]!.values, this.shared.entityOptimizer, rows, count);
  }

  stepRelations(rows: Int32Array, count: number): void {
    this.step(this.shared.relation, this.shared.relationGradients[0]!.values, this.shared.relationOptimizer, rows, count);
  }

  normalizeEntities(rows: Int32Array, count: number): void {
    this.kernels.normalizeRows(at(this.shared.entity), at(rows), count);
  }

  private step(params: Float32Array, gradients: Float32Array, state: SharedTraining['entityOptimizer'], rows: Int32Array, count: number): void {
    const learningRate = this.shared.learningRate[0]!;
    if (state.kind === 'adam') {
      this.kernels.adamStep(at(params), at(gradients), at(state.firstMoment), at(state.secondMoment), at(state.rowSteps), at(rows), count, learningRate);
    } else {
      this.kernels.adagradStep(at(params), at(gradients), at(state.sumOfSquares), at(rows), count, learningRate);
    }
  }
}

/**
 * The loss of one batch and its dense gradients computed by the SIMD kernels: the counterpart of
 * `batchLossAndGradients` (the scalar reference) that tests hold it to. No regularisation (that stays in
 * TypeScript on both paths).
 */
export function simdBatchLossAndGradients(
  module: WebAssembly.Module,
  embeddings: Embeddings,
  settings: TransELossSettings,
  positives: TripleSet,
  negatives: { heads: Int32Array; tails: Int32Array },
): BatchGradients {
  const count = positives.heads.length;
  const k = count === 0 ? 0 : negatives.heads.length / count;
  if (!Number.isInteger(k) || k < 1 || negatives.tails.length !== negatives.heads.length) {
    throw new Error(`simdBatchLossAndGradients: negatives: expected k ≥ 1 heads and tails per positive (${count} positives), got ${negatives.heads.length} heads and ${negatives.tails.length} tails`);
  }
  const { dimension } = embeddings;
  const tables = new WasmTableAllocator();
  const copy = <T extends Float32Array | Int32Array>(values: T, allocate: (length: number) => T): T => {
    const target = allocate(values.length);
    target.set(values);
    return target;
  };
  const float32 = (length: number): Float32Array => tables.float32(length);
  const int32 = (length: number): Int32Array => tables.int32(length);
  const entity = copy(embeddings.entity, float32);
  const relation = copy(embeddings.relation, float32);
  const entityGradients = GradientRows.allocate(entity.length / dimension, dimension, tables);
  const relationGradients = GradientRows.allocate(relation.length / dimension, dimension, tables);
  const kernels = instantiate(module, tables.memory);
  const scratch = tables.bytes(kernels.scratchBytes(dimension, k));
  kernels.configure(dimension, k, settings.distance === 'L1' ? 1 : 0, settings.loss === 'self-adversarial' ? 1 : 0, settings.margin, settings.adversarialTemperature, at(entity), at(relation), scratch);
  kernels.bindBatch(at(copy(positives.heads, int32)), at(copy(positives.relations, int32)), at(copy(positives.tails, int32)), at(copy(negatives.heads, int32)), at(copy(negatives.tails, int32)));
  kernels.bindGradients(
    at(entityGradients.values), at(entityGradients.stamps), at(entityGradients.touched), at(entityGradients.meta),
    at(relationGradients.values), at(relationGradients.stamps), at(relationGradients.touched), at(relationGradients.meta),
  );
  entityGradients.meta[1] = 1;
  relationGradients.meta[1] = 1;
  const loss = kernels.accumulate(0, count, 1 / count) / count;
  return { loss, entity: new Float32Array(entityGradients.values), relation: new Float32Array(relationGradients.values) };
}

