/**
 * A lane's arithmetic on the WebAssembly SIMD kernels (assembly/transe.ts). Each lane instantiates the
 * module over the run's shared memory: the instance's globals (configuration, scratch addresses) are the
 * lane's own, the tables are everyone's. Arguments are byte addresses of typed-array views of that memory.
 */
import type { SharedTraining } from '../cpuWorker.js';
import type { LaneMaths } from '../laneMaths.js';
import { WasmTableAllocator } from '../tableMemory.js';
import { GradientRows, negativesPerPositive, type BatchGradients, type GradientRowArrays, type TransELossSettings } from '../transe.js';
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

/** What an instance computes on: the tables, its scratch, the batch, and its own gradient tables. */
interface KernelBinding {
  settings: TransELossSettings;
  negatives: number;
  entity: Float32Array;
  relation: Float32Array;
  scratch: number;
  batch: TripleSet;
  negativeHeads: Int32Array;
  negativeTails: Int32Array;
  entityGradients: GradientRowArrays;
  relationGradients: GradientRowArrays;
}

/** An instance of the kernels over `memory`, configured and bound to `binding`. */
function boundKernels(module: WebAssembly.Module, memory: WebAssembly.Memory, binding: KernelBinding): TransEKernelExports {
  const { settings, batch, entityGradients: e, relationGradients: r } = binding;
  const kernels = instantiate(module, memory);
  kernels.configure(
    settings.dimension,
    binding.negatives,
    settings.distance === 'L1' ? 1 : 0,
    settings.loss === 'self-adversarial' ? 1 : 0,
    settings.margin,
    settings.adversarialTemperature,
    at(binding.entity),
    at(binding.relation),
    binding.scratch,
  );
  kernels.bindBatch(at(batch.heads), at(batch.relations), at(batch.tails), at(binding.negativeHeads), at(binding.negativeTails));
  kernels.bindGradients(at(e.values), at(e.stamps), at(e.touched), at(e.meta), at(r.values), at(r.stamps), at(r.touched), at(r.meta));
  return kernels;
}

export class SimdLaneMaths implements LaneMaths {
  private readonly kernels: TransEKernelExports;

  constructor(
    private readonly shared: SharedTraining,
    private readonly index: number,
    simd: SimdTraining,
  ) {
    this.kernels = boundKernels(simd.module, simd.memory, {
      settings: shared.settings,
      negatives: shared.negatives,
      entity: shared.entity,
      relation: shared.relation,
      scratch: simd.scratch[index]!,
      batch: shared.batch,
      negativeHeads: shared.negativeHeads,
      negativeTails: shared.negativeTails,
      entityGradients: shared.entityGradients[index]!,
      relationGradients: shared.relationGradients[index]!,
    });
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
  const k = negativesPerPositive('simdBatchLossAndGradients', embeddings, settings, positives, negatives);
  const count = positives.heads.length;
  const { dimension } = embeddings;
  const tables = new WasmTableAllocator();
  const floats = (values: Float32Array): Float32Array => {
    const copy = tables.float32(values.length);
    copy.set(values);
    return copy;
  };
  const ints = (values: Int32Array): Int32Array => {
    const copy = tables.int32(values.length);
    copy.set(values);
    return copy;
  };
  const entity = floats(embeddings.entity);
  const relation = floats(embeddings.relation);
  const entityGradients = GradientRows.allocate(entity.length / dimension, dimension, tables);
  const relationGradients = GradientRows.allocate(relation.length / dimension, dimension, tables);
  const scratch = tables.bytes(simdScratchBytes(module, tables.memory, dimension, k));
  const kernels = boundKernels(module, tables.memory, {
    settings,
    negatives: k,
    entity,
    relation,
    scratch,
    batch: { heads: ints(positives.heads), relations: ints(positives.relations), tails: ints(positives.tails) },
    negativeHeads: ints(negatives.heads),
    negativeTails: ints(negatives.tails),
    entityGradients,
    relationGradients,
  });
  entityGradients.meta[1] = 1;
  relationGradients.meta[1] = 1;
  const loss = kernels.accumulate(0, count, 1 / count) / count;
  return { loss, entity: new Float32Array(entityGradients.values), relation: new Float32Array(relationGradients.values) };
}

