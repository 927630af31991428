import type { Config } from '../config.js';
import type { Graph } from '../graph/graph.js';
import { refreshProductTerms } from './refreshTerms.js';
import { behaviourPatterns, CATALOGUE_PATTERNS, exportTriples, merchandiserPatterns } from '../graph/tripleExport.js';
import { chooseEngine, type EngineChoice } from '../kge/chooseEngine.js';
import { loadTriplesDir, splitShopTriples, weightTriples } from '../kge/dataset.js';
import { evaluateLinkPrediction } from '../kge/evaluate.js';
import { resolveHyperparameters } from '../kge/hyperparameters.js';
import { Random } from '../math/random.js';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../kge/checkpoints.js';
import { activeVersion, dataFingerprint, loadModel, saveModel } from '../kge/modelStore.js';
import { warmStartEmbeddings } from '../kge/warmStart.js';
import type { Embeddings, KgeDataset, LinkPredictionResult, TransEHyperparameters, TripleSet } from '../kge/types.js';
import { tripleCount } from '../kge/types.js';

export type TrainingSource =
  | { kind: 'graph'; graph: Graph; config: Config }
  | { kind: 'triples'; dir: string }
  /** Triples built in memory (offline evaluation); `shop` ranks PURCHASED tails among `Product:` entities, as the graph source does. */
  | { kind: 'dataset'; dataset: KgeDataset; shop: boolean };

export interface TrainJobOptions {
  source: TrainingSource;
  hyperparameters: Partial<TransEHyperparameters>[];
  /** Where the new version is saved: the configuration's `modelsDir` for the shop's models. */
  modelsDir: string;
  /** Validate every n epochs (0 = only at the end); stop after `patience` validations without a better MRR. */
  evalEvery?: number;
  patience?: number;
  /** Validation triples used for early stopping (a seeded sample keeps it quick); the test set is always whole. */
  validSample?: number;
  /**
   * Training time allowed, in seconds (evaluation excluded): the run ends after the last epoch that the
   * previous epoch's duration says will fit, validated then so that the best epoch is still the one kept.
   */
  timeLimitSeconds?: number;
  /** Held-out fractions of the graph's PURCHASED pairs (graph source only). */
  holdout?: { valid: number; test: number };
  /** Continue an interrupted run with the same data and hyperparameters from its last epoch checkpoint. */
  resume?: boolean;
  /** Start from the active model's vectors; entities new since then start from their neighbours' mean. */
  warmStart?: boolean;
  /** Which engine trains (default `auto`: TensorFlow.js with a native backend where one loads, else the CPU engine). */
  engine?: EngineChoice;
  /** Behaviour aggregates below this count are left out of training (e.g. `{ VIEWED: 2 }` drops single views). */
  minBehaviourCount?: Record<string, number>;
  /** Training triples of these relations are repeated this many times per epoch (e.g. `{ PURCHASED: 3 }`; graph source). */
  behaviourWeights?: Record<string, number>;
  /** Recompute the products' HAS_TERM links from their texts before exporting (graph source; default true). */
  refreshTerms?: boolean;
  onInfo?: (message: string) => void;
  onBatch?: (done: number, total: number, epoch: number, epochs: number, triplesPerSecond: number) => void;
  onEpoch?: (epoch: number, loss: number, triplesPerSecond: number, validMrr?: number) => void;
  onEval?: (stage: string, done: number, total: number) => void;
}

export interface TrainJobResult {
  version: string;
  backend: string;
  /** Training wall time, evaluation excluded. */
  seconds: number;
  evalSeconds: number;
  peakRssMiB: number;
  triplesPerSecond: number;
  epochs: number;
  hyperparameters: TransEHyperparameters;
  dataset: { entities: number; relations: number; train: number; valid: number; test: number };
  valid: LinkPredictionResult | null;
  test: LinkPredictionResult | null;
}

/** The relation a shop model is judged on: does the user buy the product. */
export const TARGET_RELATION = 'PURCHASED';

/** Loads the training data from the graph (with a held-out split) or from benchmark files. */
export async function loadTrainingData(options: TrainJobOptions, seed: number): Promise<KgeDataset> {
  const { source } = options;
  if (source.kind === 'triples') return loadTriplesDir(source.dir);
  if (source.kind === 'dataset') return source.dataset;
  if (options.refreshTerms !== false) {
    const terms = await refreshProductTerms(source.graph);
    options.onInfo?.(`product terms: ${terms.vocabulary.toLocaleString('en-US')} terms, ${terms.links.toLocaleString('en-US')} links, ${terms.changed.toLocaleString('en-US')} products updated`);
  }
  const patterns = [...behaviourPatterns(options.minBehaviourCount), ...CATALOGUE_PATTERNS, ...merchandiserPatterns(source.config.relationTypes)];
  const exported = await exportTriples(source.graph, patterns, (n) => options.onInfo?.(`exported ${n.toLocaleString('en-US')} triples`));
  const holdout = options.holdout ?? { valid: 0.05, test: 0.1 };
  const split = splitShopTriples(exported, { relation: TARGET_RELATION, validFraction: holdout.valid, testFraction: holdout.test, seed });
  return options.behaviourWeights ? { ...split, train: weightTriples(split.train, split.relations, options.behaviourWeights) } : split;
}

/**
 * Exports or reads the triples, trains TransE, evaluates on held-out triples (filtered ranking), and saves
 * a new model version. It never touches the active model: activating is a separate, explicit step.
 */
export async function runTrainingJob(options: TrainJobOptions): Promise<TrainJobResult> {
  const params = resolveHyperparameters(...options.hyperparameters);
  const dataset = await loadTrainingData(options, params.seed);
  const known = [dataset.train, dataset.valid, dataset.test].filter((set): set is TripleSet => set !== undefined);
  const isShop = options.source.kind === 'graph' || (options.source.kind === 'dataset' && options.source.shop);
  // In a shop, PURCHASED tails are ranked among products only: that is the recommendation question.
  const candidateEntities = isShop ? productEntities(dataset) : undefined;
  const relationNames = dataset.relations;
  options.onInfo?.(
    `training TransE on ${tripleCount(dataset.train).toLocaleString('en-US')} triples (${dataset.entities.length.toLocaleString('en-US')} entities, ${dataset.relations.length} relations), dimension ${params.dimension}, ${params.loss} loss, ${params.negatives} negatives`,
  );

  const engine = await chooseEngine(options.engine ?? 'auto', params.workers);
  options.onInfo?.(`engine: ${engine.name}`);
  const { modelsDir } = options;
  const fingerprint = dataFingerprint(dataset);
  const checkpointDir = path.join(modelsDir, '.checkpoints', runKey(fingerprint, params));
  const checkpoint = options.resume ? await loadCheckpoint(checkpointDir) : null;
  if (options.resume) options.onInfo?.(checkpoint ? `resuming after epoch ${checkpoint.epoch} from ${checkpointDir}` : 'no checkpoint of this run to resume: starting afresh');
  const startEpoch = checkpoint?.epoch ?? 0;
  let initial: Embeddings | undefined = checkpoint?.embeddings;
  if (!initial && options.warmStart) {
    const active = await activeVersion(modelsDir);
    if (!active) throw new Error('--warm-start: there is no active model to start from');
    const previous = await loadModel(modelsDir, active);
    const warm = warmStartEmbeddings(previous, dataset, params);
    options.onInfo?.(`warm start from ${active}: ${warm.reused} entities reused, ${warm.fromNeighbours} started from their neighbours, ${warm.fresh} fresh`);
    initial = warm.embeddings;
  }
  const validSample = dataset.valid ? sampleTriples(dataset.valid, options.validSample ?? 2_000, params.seed) : undefined;
  const evalEvery = options.evalEvery ?? 5;
  const patience = options.patience ?? 3;
  let evalSeconds = 0;
  // A resumed run goes on with the schedule of its checkpoint: the rate as cut so far, the best epoch, the time spent.
  const resumed = checkpoint?.schedule;
  let best: { mrr: number; embeddings: Embeddings; epoch: number } | null = resumed?.best ?? null;
  let sinceBest = resumed?.sinceBest ?? 0;
  let learningRate = resumed?.learningRate ?? params.learningRate;
  let epochsRun = startEpoch;
  let trainedTriples = resumed?.trainedTriples ?? 0;
  let trainingSeconds = resumed?.trainingSeconds ?? 0;

  let kernelsLogged = false;
  const evaluate = async (triples: TripleSet, embeddings: Embeddings, stage: string) => {
    const started = performance.now();
    const result = await evaluateLinkPrediction(embeddings, params.distance, triples, known, {
      relationNames,
      candidateEntities,
      sides: isShop ? 'tail' : 'both',
      onProgress: (done, total) => options.onEval?.(stage, done, total),
      onKernels: (description) => {
        if (!kernelsLogged) options.onInfo?.(`evaluation distances on ${description}`);
        kernelsLogged = true;
      },
    });
    evalSeconds += (performance.now() - started) / 1000;
    return result;
  };

  const remaining = { ...params, epochs: Math.max(1, params.epochs - startEpoch) };
  const trained = await engine.train(dataset, remaining, {
    learningRate: () => learningRate,
    onBatch: (done, total) => options.onBatch?.(done, total, epochsRun + 1, params.epochs, 0),
    onEpoch: async (localReport, embeddings) => {
      const report = { ...localReport, epoch: localReport.epoch + startEpoch };
      epochsRun = report.epoch;
      trainedTriples += tripleCount(dataset.train);
      trainingSeconds += report.seconds;
      let validMrr: number | undefined;
      const outOfTime = options.timeLimitSeconds !== undefined && trainingSeconds + report.seconds > options.timeLimitSeconds;
      const lastEpoch = outOfTime || report.epoch === params.epochs;
      const due = evalEvery > 0 && validSample && tripleCount(validSample) > 0 && (report.epoch % evalEvery === 0 || lastEpoch);
      if (due) {
        validMrr = (await evaluate(validSample, embeddings, 'validation')).mrr;
        if (!best || validMrr > best.mrr) {
          best = { mrr: validMrr, embeddings: copyEmbeddings(embeddings), epoch: report.epoch };
          sinceBest = 0;
        } else {
          sinceBest += 1;
          if (params.learningRateDecay < 1 && sinceBest < patience) {
            learningRate *= params.learningRateDecay;
            options.onInfo?.(`validation MRR did not improve: learning rate now ${learningRate.toPrecision(3)}`);
          }
        }
      }
      // After the validation, so that a resumed run goes on with the schedule as it stands here. Optimizer
      // moments are not kept: a resumed run restarts them, which Adam absorbs within a few steps.
      await saveCheckpoint(checkpointDir, {
        epoch: report.epoch,
        embeddings,
        hyperparameters: params,
        dataFingerprint: fingerprint,
        schedule: { learningRate, sinceBest, trainingSeconds, trainedTriples, ...(best ? { best } : {}) },
      });
      options.onEpoch?.(report.epoch, report.loss, report.triplesPerSecond, validMrr);
      if (outOfTime && report.epoch < params.epochs) {
        options.onInfo?.(`time limit: stopping after epoch ${report.epoch} (${(trainingSeconds / 60).toFixed(1)} min of training; another epoch would pass ${(options.timeLimitSeconds! / 60).toFixed(1)} min)`);
        return false;
      }
      if (sinceBest >= patience) {
        options.onInfo?.(`early stop after epoch ${report.epoch}: validation MRR has not improved for ${patience} checks`);
        return false;
      }
      return true;
    },
  }, initial);
  const chosen: Embeddings = (best as { embeddings: Embeddings } | null)?.embeddings ?? trained;
  const valid = dataset.valid && tripleCount(dataset.valid) > 0 ? await evaluate(dataset.valid, chosen, 'validation (all)') : null;
  const test = dataset.test && tripleCount(dataset.test) > 0 ? await evaluate(dataset.test, chosen, 'test') : null;
  const triplesPerSecond = trainingSeconds > 0 ? trainedTriples / trainingSeconds : 0;
  const version = await saveModel(modelsDir, {
    hyperparameters: params,
    relations: dataset.relations,
    entities: dataset.entities,
    embeddings: chosen,
    dataFingerprint: fingerprint,
    trainedOn: isShop ? 'shop' : 'benchmark',
    metrics: { ...(valid ? { valid } : {}), ...(test ? { test } : {}) },
    backend: engine.name,
    durationSeconds: trainingSeconds,
  });
  await rm(checkpointDir, { recursive: true, force: true });
  return {
    version,
    backend: engine.name,
    seconds: trainingSeconds,
    evalSeconds,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    triplesPerSecond,
    epochs: epochsRun,
    hyperparameters: params,
    dataset: {
      entities: dataset.entities.length,
      relations: dataset.relations.length,
      train: tripleCount(dataset.train),
      valid: dataset.valid ? tripleCount(dataset.valid) : 0,
      test: dataset.test ? tripleCount(dataset.test) : 0,
    },
    valid,
    test,
  };
}

/** Checkpoints belong to one run: the same data and the same hyperparameters (workers aside). */
function runKey(fingerprint: string, params: TransEHyperparameters): string {
  const { workers: _workers, ...rest } = params;
  return `${fingerprint}-${createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 12)}`;
}

function productEntities(dataset: KgeDataset): Int32Array {
  const indexes: number[] = [];
  dataset.entities.forEach((key, index) => {
    if (key.startsWith('Product:')) indexes.push(index);
  });
  return Int32Array.from(indexes);
}

function copyEmbeddings(embeddings: Embeddings): Embeddings {
  return { dimension: embeddings.dimension, entity: embeddings.entity.slice(), relation: embeddings.relation.slice() };
}

/** A seeded sample of at most `size` triples (all of them when there are fewer). */
function sampleTriples(triples: TripleSet, size: number, seed: number): TripleSet {
  const count = tripleCount(triples);
  if (count <= size) return triples;
  const order = Int32Array.from({ length: count }, (_, i) => i);
  new Random(seed).shuffle(order);
  const picked = order.subarray(0, size);
  return {
    heads: Int32Array.from(picked, (i) => triples.heads[i] as number),
    relations: Int32Array.from(picked, (i) => triples.relations[i] as number),
    tails: Int32Array.from(picked, (i) => triples.tails[i] as number),
  };
}
