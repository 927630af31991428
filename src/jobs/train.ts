import type { Config } from '../config.js';
import type { Graph } from '../graph/graph.js';
import { refreshProductTerms } from './refreshTerms.js';
import { behaviourPatterns, CATALOGUE_PATTERNS, exportTriples, merchandiserPatterns } from '../graph/tripleExport.js';
import { chooseEngine, type EngineChoice } from '../kge/chooseEngine.js';
import { loadTriplesDir, splitShopTriples, weightTriples } from '../kge/dataset.js';
import { resolveHyperparameters } from '../kge/hyperparameters.js';
import { Random } from '../math/random.js';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { checkpointsRoot, loadCheckpoint, type Checkpoint } from '../kge/checkpoints.js';
import { activeVersion, dataFingerprint, loadModel, readManifest, saveModel } from '../kge/modelStore.js';
import { endEpoch, reportEpochs, type TrainingCallback } from '../kge/training/callbacks.js';
import { Checkpointing } from '../kge/training/checkpointing.js';
import { EarlyStopping, type BestEpoch } from '../kge/training/earlyStopping.js';
import { LearningRateDecay } from '../kge/training/learningRateDecay.js';
import { TimeLimit } from '../kge/training/timeLimit.js';
import { warmStartEmbeddings } from '../kge/warmStart.js';
import { DEFAULT_GRAPH_TRIPLES, readFusionWeights, type GraphTriples } from '../ranking/fusionWeights.js';
import type { Embeddings, KgeDataset, LinkPredictionResult, TrainingEngine, TransEHyperparameters, TripleSet } from '../kge/types.js';
import { tripleCount } from '../kge/types.js';
import { TrainingEvaluator } from './trainingEvaluator.js';

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
  const graphTriples = await activeGraphTriples(options.modelsDir);
  if (graphTriples === 'without-kg') {
    options.onInfo?.('the active model was fitted without the KG triples: TransE trains without the KG and attribute triples (the ranking still reads them for its kg signals)');
  }
  const exported = await exportTriples(source.graph, patterns, (n) => options.onInfo?.(`exported ${n.toLocaleString('en-US')} triples`), { knowledgeGraph: graphTriples === 'with-kg' });
  const holdout = options.holdout ?? { valid: 0.05, test: 0.1 };
  const split = splitShopTriples(exported, { relation: TARGET_RELATION, validFraction: holdout.valid, testFraction: holdout.test, seed });
  return options.behaviourWeights ? { ...split, train: weightTriples(split.train, split.relations, options.behaviourWeights) } : split;
}

/**
 * The TransE triples the active model's fusion weights were fitted with (saved by `kgrec eval --save-weights`):
 * the shop trains the TransE its weights were chosen for (docs/decisions/0027-transe-triples-chosen-on-validation.md).
 * A model trained since, which has no fitted weights of its own yet, names the triples it was trained on in
 * its manifest, so the choice carries over from training to training. Neither: with the KG triples, as
 * before the choice existed.
 */
export async function activeGraphTriples(modelsDir: string): Promise<GraphTriples> {
  const active = await activeVersion(modelsDir);
  if (active === null) return DEFAULT_GRAPH_TRIPLES;
  const [fusion, manifest] = await Promise.all([readFusionWeights(modelsDir, active), readManifest(modelsDir, active)]);
  return fusion?.graphTriples ?? manifest.graphTriples ?? DEFAULT_GRAPH_TRIPLES;
}

/**
 * Exports or reads the triples, trains TransE, evaluates on held-out triples (filtered ranking), and saves
 * a new model version. It never touches the active model: activating is a separate, explicit step.
 */
export async function runTrainingJob(options: TrainJobOptions): Promise<TrainJobResult> {
  const params = resolveHyperparameters(...options.hyperparameters);
  const dataset = await loadTrainingData(options, params.seed);
  const isShop = options.source.kind === 'graph' || (options.source.kind === 'dataset' && options.source.shop);
  // What loadTrainingData exported with: recorded, so that the next training keeps to it.
  const graphTriples = options.source.kind === 'graph' ? await activeGraphTriples(options.modelsDir) : undefined;
  const evaluator = new TrainingEvaluator({
    distance: params.distance,
    known: [dataset.train, dataset.valid, dataset.test].filter((set): set is TripleSet => set !== undefined),
    relationNames: dataset.relations,
    candidateEntities: isShop ? productEntities(dataset) : undefined,
    sides: isShop ? 'tail' : 'both',
    onEval: options.onEval,
    onInfo: options.onInfo,
  });
  options.onInfo?.(
    `training TransE on ${tripleCount(dataset.train).toLocaleString('en-US')} triples (${dataset.entities.length.toLocaleString('en-US')} entities, ${dataset.relations.length} relations), dimension ${params.dimension}, ${params.loss} loss, ${params.negatives} negatives`,
  );

  const engine = await chooseEngine(options.engine ?? 'auto', params.workers);
  options.onInfo?.(`engine: ${engine.name}`);
  const fingerprint = dataFingerprint(dataset);
  const checkpointDir = path.join(checkpointsRoot(options.modelsDir), runKey(fingerprint, params));
  const start = await startingPoint(options, dataset, params, checkpointDir);
  const run = await trainEpochs({ options, params, dataset, engine, evaluator, fingerprint, checkpointDir, start });

  const chosen = run.best?.embeddings ?? run.trained;
  const valid = dataset.valid && tripleCount(dataset.valid) > 0 ? await evaluator.evaluate(dataset.valid, chosen, 'validation (all)') : null;
  const test = dataset.test && tripleCount(dataset.test) > 0 ? await evaluator.evaluate(dataset.test, chosen, 'test') : null;
  const version = await saveModel(options.modelsDir, {
    hyperparameters: params,
    relations: dataset.relations,
    entities: dataset.entities,
    embeddings: chosen,
    dataFingerprint: fingerprint,
    trainedOn: isShop ? 'shop' : 'benchmark',
    ...(graphTriples ? { graphTriples } : {}),
    metrics: { ...(valid ? { valid } : {}), ...(test ? { test } : {}) },
    backend: engine.name,
    durationSeconds: run.trainingSeconds,
  });
  await rm(checkpointDir, { recursive: true, force: true });
  return {
    version,
    backend: engine.name,
    seconds: run.trainingSeconds,
    evalSeconds: evaluator.seconds,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    triplesPerSecond: run.trainingSeconds > 0 ? run.trainedTriples / run.trainingSeconds : 0,
    epochs: run.epochs,
    hyperparameters: params,
    dataset: datasetSizes(dataset),
    valid,
    test,
  };
}

/** What training starts from: the checkpoint of an interrupted run, the active model's vectors, or neither. */
interface StartingPoint {
  checkpoint: Checkpoint | null;
  initial: Embeddings | undefined;
}

async function startingPoint(options: TrainJobOptions, dataset: KgeDataset, params: TransEHyperparameters, checkpointDir: string): Promise<StartingPoint> {
  const checkpoint = options.resume ? await loadCheckpoint(checkpointDir) : null;
  if (options.resume) options.onInfo?.(checkpoint ? `resuming after epoch ${checkpoint.epoch} from ${checkpointDir}` : 'no checkpoint of this run to resume: starting afresh');
  if (checkpoint) return { checkpoint, initial: checkpoint.embeddings };
  if (!options.warmStart) return { checkpoint, initial: undefined };
  const { modelsDir } = options;
  const active = await activeVersion(modelsDir);
  if (!active) throw new Error('--warm-start: there is no active model to start from');
  const previous = await loadModel(modelsDir, active);
  const warm = warmStartEmbeddings(previous, dataset, params);
  options.onInfo?.(`warm start from ${active}: ${warm.reused} entities reused, ${warm.fromNeighbours} started from their neighbours, ${warm.fresh} fresh`);
  return { checkpoint, initial: warm.embeddings };
}

/** Everything the epochs of one run need. */
interface TrainingRun {
  options: TrainJobOptions;
  params: TransEHyperparameters;
  dataset: KgeDataset;
  engine: TrainingEngine;
  evaluator: TrainingEvaluator;
  fingerprint: string;
  checkpointDir: string;
  start: StartingPoint;
}

interface TrainedEpochs {
  /** The vectors after the last epoch. */
  trained: Embeddings;
  best: BestEpoch | null;
  /** The last epoch run, counting those before a resume. */
  epochs: number;
  trainingSeconds: number;
  trainedTriples: number;
}

/**
 * Runs the engine's epochs; after each, the validation when it is due, then the callbacks in this order:
 * the time limit, early stopping, learning-rate decay (which reads early stopping's verdict), the checkpoint
 * (which holds both their states) and the epoch's report.
 */
async function trainEpochs(run: TrainingRun): Promise<TrainedEpochs> {
  const { options, params, dataset, start } = run;
  // A resumed run goes on with the schedule of its checkpoint: the rate as cut so far, the best epoch, the time spent.
  const resumed = start.checkpoint?.schedule;
  const startEpoch = start.checkpoint?.epoch ?? 0;
  const progress = { epoch: startEpoch, trainingSeconds: resumed?.trainingSeconds ?? 0, trainedTriples: resumed?.trainedTriples ?? 0 };
  const timeLimit = options.timeLimitSeconds !== undefined ? new TimeLimit(options.timeLimitSeconds) : null;
  const earlyStopping = new EarlyStopping({ patience: options.patience ?? 3, best: resumed?.best ?? null, sinceBest: resumed?.sinceBest ?? 0 });
  const decay = new LearningRateDecay({ learningRate: resumed?.learningRate ?? params.learningRate, factor: params.learningRateDecay, plateau: earlyStopping, ...(options.onInfo ? { onInfo: options.onInfo } : {}) });
  const checkpoints = new Checkpointing({
    dir: run.checkpointDir,
    hyperparameters: params,
    dataFingerprint: run.fingerprint,
    schedule: (state) => ({
      learningRate: decay.learningRate,
      sinceBest: earlyStopping.sinceBest,
      trainingSeconds: state.trainingSeconds,
      trainedTriples: state.trainedTriples,
      ...(earlyStopping.best ? { best: earlyStopping.best } : {}),
    }),
  });
  const callbacks: TrainingCallback[] = [...(timeLimit ? [timeLimit] : []), earlyStopping, decay, checkpoints, reportEpochs(options.onEpoch)];
  const validation = validationSchedule(run);

  const remaining = { ...params, epochs: Math.max(1, params.epochs - startEpoch) };
  const trained = await run.engine.train(dataset, remaining, {
    learningRate: () => decay.learningRate,
    onBatch: (done, total) => options.onBatch?.(done, total, progress.epoch + 1, params.epochs, 0),
    onEpoch: async (report, embeddings) => {
      progress.epoch = report.epoch + startEpoch;
      progress.trainedTriples += tripleCount(dataset.train);
      progress.trainingSeconds += report.seconds;
      const finished = { ...progress, epochs: params.epochs, loss: report.loss, triplesPerSecond: report.triplesPerSecond, epochSeconds: report.seconds, embeddings };
      const last = (timeLimit?.reached(finished) ?? false) || finished.epoch === params.epochs;
      const validMrr = await validation(finished.epoch, last, embeddings);
      return (await endEpoch(callbacks, { ...finished, validMrr }, options.onInfo)) === 'continue';
    },
  }, start.initial);
  return { trained, best: earlyStopping.best, epochs: progress.epoch, trainingSeconds: progress.trainingSeconds, trainedTriples: progress.trainedTriples };
}

/**
 * Validates on a seeded sample every `evalEvery` epochs and at the run's last epoch (so that the best epoch
 * is still the one kept); never when `evalEvery` is 0 or there are no validation triples.
 */
function validationSchedule(run: TrainingRun): (epoch: number, last: boolean, embeddings: Embeddings) => Promise<number | undefined> {
  const { dataset, options, params } = run;
  const sample = dataset.valid ? sampleTriples(dataset.valid, options.validSample ?? 2_000, params.seed) : undefined;
  const every = options.evalEvery ?? 5;
  return async (epoch, last, embeddings) => {
    const due = every > 0 && sample && tripleCount(sample) > 0 && (epoch % every === 0 || last);
    return due ? (await run.evaluator.evaluate(sample, embeddings, 'validation')).mrr : undefined;
  };
}

function datasetSizes(dataset: KgeDataset): TrainJobResult['dataset'] {
  return {
    entities: dataset.entities.length,
    relations: dataset.relations.length,
    train: tripleCount(dataset.train),
    valid: dataset.valid ? tripleCount(dataset.valid) : 0,
    test: dataset.test ? tripleCount(dataset.test) : 0,
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
