import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { evaluateTopK, type TopKEvaluation } from '../eval/allItemRanking.js';
import { buildTunedBaseline, tuneBaselines, type BaselineTuning, type TuneOptions } from '../eval/tuneBaselines.js';
import { PopularityScorer } from '../recommenders/popularity.js';
import { BprScorer, trainBpr } from '../recommenders/bpr.js';
import { ServedFusionScorer, snapshotItemOrder } from '../eval/fusedScorer.js';
import { fitObjective } from '../eval/metrics.js';
import { fitFusionWeights, type FusionFit } from '../eval/fitFusionWeights.js';
import { chooseGraphTriples } from '../eval/graphTriplesChoice.js';
import { interactionsFromPairs, usersWithItems, type InteractionMatrix, type InteractionSplit } from '../math/interactions.js';
import { DEFAULT_VALIDATION_USERS } from '../eval/tuneBaselines.js';
import { EASE_MAX_ITEMS } from '../recommenders/ease.js';
import { markdownTable, metricsBarChart, type ModelResult } from '../eval/report.js';
import type { BatchScorer } from '../recommenders/scorer.js';
import type { ProfileRow } from '../graph/shopReads.js';
import { entityKey, KeyIndex, kgRelationName } from '../graph/tripleExport.js';
import { loadModel } from '../kge/modelStore.js';
import { loadTransEWasm } from '../kge/simd/loadTransEWasm.js';
import type { KgeDataset, TransEHyperparameters } from '../kge/types.js';
import { writeChart } from '../plot/writeChart.js';
import { CatalogueSnapshot, scoreProducts } from '../ranking/catalogueSnapshot.js';
import { DEFAULT_FUSION_WEIGHTS, RECOMMEND_SIGNALS, type FusionWeights, type GraphTriples, type RecommendSignal } from '../ranking/fusionWeights.js';
import { ModelVectors } from '../ranking/modelVectors.js';
import { buildRankingState, type RankingState } from '../ranking/rankingState.js';
import { DEFAULT_ITEM_ITEM, type ItemItemSpec } from '../ranking/itemItemSignal.js';
import type { SavedItemItemLists } from '../ranking/itemItemLists.js';
import { ITEM_ITEM_MODELS, type ItemItemModelName } from '../recommenders/itemItem.js';
import { recommendSignals, type Signals } from '../ranking/recommendSignals.js';
import { BEHAVIOUR_WEIGHTS, CO_BEHAVIOUR_TYPES, POPULARITY_HALF_LIFE_MS, RECENCY_HALF_LIFE_MS } from '../ranking/weights.js';
import { selectProductTerms } from '../text/vocabulary.js';
import type { EvalBehaviour, EvalData } from './evalData.js';
import { runTrainingJob } from './train.js';

/**
 * `kgrec eval`: trains every recommender on the same data and ranks each held-out user's purchases
 * against all products: popularity, item-kNN, BPR-MF, TransE alone, text alone, and kgrec's fused
 * ranking, whose signals are computed by the very function the API serves with and whose weights are
 * fitted on the validation purchases (never on the test set).
 */

/**
 * Memory the fusion fit may hold its sample's scores in: it sets the fit's sample (about 4,300 users on
 * amazon-book), which is what bounds how finely the fit can tell two weightings apart.
 */
const FIT_CACHE_BYTES = 2 * 1024 ** 3;
/** A ceiling on the fit's time, which grows with its sample. */
const MAX_FIT_USERS = 6_000;

/**
 * Training time all TransE runs of one evaluation share (two runs, four with a knowledge graph): each run
 * ends after the last epoch that fits its share, the epoch count staying a ceiling. A budget rather than
 * fewer epochs, so that a slow or busy machine trains fewer epochs instead of running for hours, and a
 * fast one keeps the ceiling; sized so that a KGAT-sized evaluation fits half an hour on two cores
 * (docs/decisions/0018-one-fusion-and-the-served-baseline.md).
 */
export const DEFAULT_TRANSE_BUDGET_SECONDS = 12 * 60;

/** TransE's worker threads in an evaluation unless the hyperparameters name them: the CPU engine's two-core speed-up. */
const EVAL_TRANSE_WORKERS = Math.min(2, availableParallelism());

export interface EvaluateOptions {
  k?: number;
  hyperparameters?: Partial<TransEHyperparameters>;
  bpr?: { epochs?: number };
  /** The baselines' validation search (sample size, which models); see tuneBaselines. */
  tuning?: Pick<TuneOptions, 'validationUsers' | 'models'>;
  /** Training seconds all TransE runs share (default DEFAULT_TRANSE_BUDGET_SECONDS). */
  transeBudgetSeconds?: number;
  /** Folder for the model trained here, the report, the chart and the JSON. */
  outDir: string;
  onInfo?: (message: string) => void;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface EvaluationReport {
  dataset: string;
  note: string;
  k: number;
  users: number;
  results: Record<string, Record<string, number>>;
  seconds: Record<string, number>;
  /** Each TransE run: the epochs it trained within its share of the budget, and its speed. */
  transe: Record<string, { epochs: number; triplesPerSecond: number; budgetSeconds: number }>;
  /**
   * The fitted weights, the item × item model of the `itemItem` signal and the TransE triples the weights
   * were fitted with: what `--save-weights` saves for serving. `validationObjective` and
   * `graphTriplesValidation` hold the validation objective (`fitObjective`: the mean of NDCG@K and
   * Recall@K) of the fusion fitted, and of that fitted with each TransE tried (both where the data has a knowledge graph).
   */
  fusion: { weights: FusionWeights; validationObjective: number; itemItem: ItemItemSpec; graphTriples: GraphTriples; graphTriplesValidation: Partial<Record<GraphTriples, number>> };
  /**
   * The test state's `itemItem` lists (fitted on all behaviour before the test period), which `--save-weights`
   * saves with the model where the API does not rebuild them (fittedWithModel). Not in the JSON.
   */
  itemItemLists: SavedItemItemLists | null;
  /** The baselines' hyperparameter search on the validation split, and what was chosen. */
  tuning: TuningSummary;
  files: { markdown: string; png: string; json: string };
  modelVersion: string;
}

export async function evaluateRecommenders(data: EvalData, options: EvaluateOptions): Promise<EvaluationReport> {
  mkdirSync(options.outDir, { recursive: true });
  const run = new EvaluationRun(data, options);
  run.info(`${data.dataset}: ${data.users.length.toLocaleString('en-US')} users, ${data.products.length.toLocaleString('en-US')} items, ${data.fit.length.toLocaleString('en-US')} training behaviours, ${data.valid.indices.length.toLocaleString('en-US')} validation and ${data.test.indices.length.toLocaleString('en-US')} test purchases`);
  // The baselines first: the best tuned item × item model becomes the fusion's `itemItem` signal.
  const tuned = await evaluateBaselines(run);
  const itemItem = bestItemItem(tuned);
  run.info(`itemItem signal: ${itemItem.model} ${JSON.stringify(itemItem.params)}`);
  const rankings = await kgrecRankings(run, itemItem);
  const fused = await evaluateKgrec(run, rankings);
  return writeReport(run, { ranking: rankings.fused, tuned, fused });
}

/**
 * The tuned item × item model with the best validation objective (`fitObjective`), in the form the signal serves (EASE's sparse
 * form, not the dense baseline); without any, the served default.
 */
export function bestItemItem(tuned: readonly BaselineTuning[]): ItemItemSpec {
  const candidates = tuned.flatMap((tuning) => {
    if (!(ITEM_ITEM_MODELS as readonly string[]).includes(tuning.model)) return [];
    const served = tuning.itemItem ?? { params: tuning.best, ndcg: tuning.bestNdcg, recall: tuning.bestRecall };
    // A model whose served form was not searched (EASE without its neighbourhood sizes) cannot be served.
    if (typeof served.params.neighbours !== 'number') return [];
    return [{ model: tuning.model as ItemItemModelName, params: served.params, objective: fitObjective(served) }];
  });
  if (candidates.length === 0) return DEFAULT_ITEM_ITEM;
  const best = candidates.reduce((a, b) => (b.objective > a.objective ? b : a));
  return { model: best.model, params: { ...best.params } };
}

/** The splits and histories every stage ranks with. */
interface EvalSplits {
  /** The fit period's purchases masked, the validation purchases as targets. */
  valid: InteractionSplit;
  /** All purchases before the test period masked, the test purchases as targets. */
  test: InteractionSplit;
  /** Every behaviour before the test period. */
  beforeTest: EvalBehaviour[];
  /** What the baselines learn from: every behaviour before the test period (binary implicit feedback). */
  baselineTrain: InteractionMatrix;
  /** The API's profile rows at the end of the fit period (for validation) and before the test period. */
  validRows: ProfileRow[][];
  testRows: ProfileRow[][];
  hasKg: boolean;
}

/** The users' behaviour rows as a binary user × item matrix. */
function behaviourMatrix(data: EvalData, rows: readonly EvalBehaviour[]): InteractionMatrix {
  return interactionsFromPairs(Int32Array.from(rows, (row) => row.user), Int32Array.from(rows, (row) => row.item), data.users.length, data.products.length);
}

function evalSplits(data: EvalData): EvalSplits {
  const userCount = data.users.length;
  const itemCount = data.products.length;
  const purchases = (behaviour: readonly EvalBehaviour[]) => behaviour.filter((row) => row.relationship === 'PURCHASED');
  const beforeTest = [...data.fit, ...data.validBehaviour];
  // Masks: what a user already bought is never recommended again (the API's rule), in either stage.
  return {
    valid: { userCount, itemCount, train: behaviourMatrix(data, purchases(data.fit)), test: data.valid },
    test: { userCount, itemCount, train: behaviourMatrix(data, [...purchases(data.fit), ...purchases(data.validBehaviour)]), test: data.test },
    beforeTest,
    baselineTrain: behaviourMatrix(data, beforeTest),
    validRows: profileRows(data, data.fit),
    testRows: profileRows(data, beforeTest),
    hasKg: (data.kg?.heads.length ?? 0) > 0,
  };
}

/** What the stages of one evaluation share: data, options, splits, the seconds each part took and the results so far. */
class EvaluationRun {
  readonly k: number;
  readonly info: (message: string) => void;
  readonly splits: EvalSplits;
  readonly seconds: Record<string, number> = {};
  readonly transe: EvaluationReport['transe'] = {};
  readonly results: ModelResult[] = [];
  /**
   * The `itemItem` lists of each state, by the time its behaviour ends: the run without the KG has the same
   * baskets and reuses them (an EASE fit is a dense inverse).
   */
  readonly itemItemLists = new Map<number, SavedItemItemLists>();
  /** TransE models by stage (period and triples), each trained once however many fusions read it. */
  readonly transeModels = new Map<string, Promise<TransEModel>>();
  private readonly itemCategory: Int32Array | undefined;

  constructor(
    readonly data: EvalData,
    readonly options: EvaluateOptions,
  ) {
    this.k = options.k ?? 20;
    this.info = options.onInfo ?? (() => undefined);
    this.splits = evalSplits(data);
    this.itemCategory = categoryIndexOf(data);
  }

  /** Runs `work`, adding its seconds to those of `name`. */
  async timed<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    const result = await work();
    this.seconds[name] = (this.seconds[name] ?? 0) + (performance.now() - started) / 1000;
    return result;
  }

  /** Ranks the test split with `scorer` and keeps the result under `name`. */
  async add(name: string, scorer: BatchScorer, trainSeconds?: number): Promise<TopKEvaluation> {
    const { k, options } = this;
    const evaluation = await this.timed(`eval ${name}`, () =>
      evaluateTopK(this.splits.test, scorer, { ks: [k], itemCategory: this.itemCategory, onProgress: (done, total) => options.onProgress?.(`ranking ${name}`, done, total) }),
    );
    this.results.push({ model: name, evaluation, ...(trainSeconds === undefined ? {} : { trainSeconds }) });
    this.info(`${name}: recall@${k} ${evaluation.metrics[`recall@${k}`]?.toFixed(4)}, ndcg@${k} ${evaluation.metrics[`ndcg@${k}`]?.toFixed(4)} (${evaluation.seconds.toFixed(1)} s)`);
    return evaluation;
  }
}

interface TrainedTransE {
  state: RankingState;
  version: string;
}

/** What a served state is built with besides its data: the fitted weights (null: the defaults) and the item × item model. */
interface ServedChoices {
  fitted: FusionWeights | null;
  itemItem: ItemItemSpec;
}

/** The two periods TransE learns, as tuning is done: the fit period (the fusion is fitted on validation), then all behaviour before the test. */
type Period = 'validation' | 'test';

/** A trained TransE model as the ranking states read it. */
interface TransEModel {
  vectors: ModelVectors;
  version: string;
}

/** A TransE run's name in the log and the seconds: its period, and ` no-kg` where the KG triples were left out. */
function transeStage(period: Period, graphTriples: GraphTriples): string {
  return graphTriples === 'without-kg' ? `${period} no-kg` : period;
}

/** The behaviour a period's models and states learn from, and when it ends. */
function periodData(run: EvaluationRun, period: Period): { behaviour: readonly EvalBehaviour[]; endsAt: number } {
  return period === 'validation' ? { behaviour: run.data.fit, endsAt: run.data.fitEndsAt } : { behaviour: run.splits.beforeTest, endsAt: run.data.validEndsAt };
}

/**
 * TransE on a period's behaviour with the given triples, trained on first use and shared after: the fused
 * ranking's candidates, `fused-no-kg` and the TransE-alone entries read the same few models.
 */
function transeModel(run: EvaluationRun, period: Period, graphTriples: GraphTriples): Promise<TransEModel> {
  const stage = transeStage(period, graphTriples);
  let model = run.transeModels.get(stage);
  if (model === undefined) {
    model = trainTransE(run, period, graphTriples);
    run.transeModels.set(stage, model);
  }
  return model;
}

/** kgrec's model: TransE on the knowledge graph of a period's behaviour; `without-kg` leaves every KG triple out of it. */
async function trainTransE(run: EvaluationRun, period: Period, graphTriples: GraphTriples): Promise<TransEModel> {
  const { data, options } = run;
  const stage = transeStage(period, graphTriples);
  const { behaviour, endsAt } = periodData(run, period);
  const dataset = shopTriples(data, behaviour, { withKg: graphTriples === 'with-kg' });
  run.info(`TransE (${stage}): ${dataset.train.heads.length.toLocaleString('en-US')} triples, ${dataset.entities.length.toLocaleString('en-US')} entities`);
  const modelsDir = path.join(options.outDir, 'models');
  const runs = run.splits.hasKg ? 4 : 2;
  const budgetSeconds = (options.transeBudgetSeconds ?? DEFAULT_TRANSE_BUDGET_SECONDS) / runs;
  const trained = await run.timed(`transe ${stage}`, () =>
    runTrainingJob({
      source: { kind: 'dataset', dataset, shop: true },
      hyperparameters: [{ workers: EVAL_TRANSE_WORKERS }, options.hyperparameters ?? {}],
      modelsDir,
      evalEvery: 0,
      timeLimitSeconds: budgetSeconds,
      onEpoch: (epoch, loss, rate) => options.onProgress?.(`TransE ${stage} epoch ${epoch} loss ${loss.toFixed(4)} (${Math.round(rate).toLocaleString('en-US')} triples/s)`, epoch, 0),
    }),
  );
  run.transe[stage] = { epochs: trained.epochs, triplesPerSecond: Math.round(trained.triplesPerSecond), budgetSeconds: Math.round(budgetSeconds) };
  run.info(`TransE (${stage}): ${trained.epochs} epochs in ${(trained.seconds / 60).toFixed(1)} min (${Math.round(trained.triplesPerSecond).toLocaleString('en-US')} triples/s)`);
  return { vectors: new ModelVectors(await loadModel(modelsDir, trained.version), endsAt), version: trained.version };
}

/**
 * The ranker's state as the API would build it at the end of a period, with this TransE model; `kgSignals`
 * false leaves the knowledge graph out of the state (no `kg` or `kgInterest` signal: the fused-no-kg run).
 */
async function periodState(run: EvaluationRun, period: Period, model: TransEModel, kgSignals: boolean, served: ServedChoices): Promise<RankingState> {
  const { data } = run;
  const { behaviour, endsAt } = periodData(run, period);
  const savedItemItem = run.itemItemLists.get(endsAt) ?? null;
  const state = offlineState(data, model.vectors, behaviour, (await loadTransEWasm()).module ?? null, { withKg: kgSignals, ...served, savedItemItem });
  if (state.itemItem) run.itemItemLists.set(endsAt, { ids: state.snapshot.products.map((product) => product.id), index: state.itemItem });
  return state;
}

/** One fusion of an evaluation: whether its state has the KG signals, and which TransE its `graph` signal comes from. */
interface FusionVariant {
  /** Its name in the log and the seconds ('' for `fused`). */
  label: string;
  kgSignals: boolean;
  graphTriples: GraphTriples;
}

const FUSED: FusionVariant = { label: '', kgSignals: true, graphTriples: 'with-kg' };
const FUSED_WITHOUT_KG_TRIPLES: FusionVariant = { label: ' without-kg triples', kgSignals: true, graphTriples: 'without-kg' };
const FUSED_NO_KG: FusionVariant = { label: ' no-kg', kgSignals: false, graphTriples: 'without-kg' };
/** The signals a state has only with the knowledge graph. */
const KG_SIGNALS: readonly RecommendSignal[] = ['kg', 'kgInterest'];

/** A fusion's weights as fitted on the validation purchases. */
interface ValidationFit {
  variant: FusionVariant;
  fit: FusionFit;
  weights: FusionWeights;
  signalNames: RecommendSignal[];
}

/** kgrec's fused ranking, ready for the test, and what its fit on validation found. */
interface FusedRanking {
  /** TransE trained on all behaviour before the test period, and the state built on it. */
  refit: TrainedTransE;
  weights: FusionWeights;
  fit: FusionFit;
  signalNames: RecommendSignal[];
  /** The served ranker's fusion (fuseForUser) on a state built with the fitted weights. */
  scorer: ServedFusionScorer;
  /** The TransE runs and the weights' fits this ranking rests on. */
  trainSeconds: number;
  /** The item × item model of the `itemItem` signal. */
  itemItem: ItemItemSpec;
  /** The triples of the TransE kept, and the validation objective of the fusion fitted with each TransE tried. */
  graphTriples: GraphTriples;
  graphTriplesValidation: Partial<Record<GraphTriples, number>>;
}

/** kgrec's fused ranking and, where the data has a knowledge graph, the same fusion without it. */
interface KgrecRankings {
  fused: FusedRanking;
  withoutKg: FusedRanking | null;
}

/**
 * The fused ranking's weights are fitted on validation, then TransE is trained again for the test and the
 * test ranking is the served ranker's, from a state built with the fitted weights. With a knowledge graph,
 * the fused ranking has its KG signals either way and chooses its TransE on validation: trained with the
 * KG triples or without them (decision 0027). The no-kg fit comes first: its weights, the KG signals at 0,
 * are one start of each fused fit, so that `fused` cannot fit validation worse than `fused-no-kg` with the
 * same TransE. The order trains each of the four TransE models once.
 */
async function kgrecRankings(run: EvaluationRun, itemItem: ItemItemSpec): Promise<KgrecRankings> {
  const { k } = run;
  if (!run.splits.hasKg) {
    const only = await fitOnValidation(run, FUSED, itemItem, []);
    return { fused: await refitForTest(run, [only], only, itemItem), withoutKg: null };
  }
  const noKg = await fitOnValidation(run, FUSED_NO_KG, itemItem, []);
  const start = [withoutKgSignals(noKg.weights)];
  const withKgTriples = await fitOnValidation(run, FUSED, itemItem, start);
  const withoutKgTriples = await fitOnValidation(run, FUSED_WITHOUT_KG_TRIPLES, itemItem, start);
  const validation = { 'with-kg': withKgTriples.fit.objective, 'without-kg': withoutKgTriples.fit.objective };
  const graphTriples = chooseGraphTriples(validation);
  run.info(`fused: TransE ${graphTriples} kept (validation objective@${k}: with-kg triples ${validation['with-kg'].toFixed(4)}, without-kg triples ${validation['without-kg'].toFixed(4)}; fused-no-kg ${noKg.fit.objective.toFixed(4)})`);
  const chosen = graphTriples === 'with-kg' ? withKgTriples : withoutKgTriples;
  const fused = await refitForTest(run, [withKgTriples, withoutKgTriples], chosen, itemItem);
  return { fused: { ...fused, graphTriplesValidation: validation }, withoutKg: await refitForTest(run, [noKg], noKg, itemItem) };
}

/** `weights` with the KG signals at 0: the no-kg fit as a start of the fits that have them. */
function withoutKgSignals(weights: FusionWeights): FusionWeights {
  const start = { ...weights };
  for (const signal of KG_SIGNALS) start[signal] = 0;
  return start;
}

/** Fits a fusion's weights on the validation purchases with the fit period's TransE and history. */
async function fitOnValidation(run: EvaluationRun, variant: FusionVariant, itemItem: ItemItemSpec, extraStarts: readonly FusionWeights[]): Promise<ValidationFit> {
  const { data, splits } = run;
  const model = await transeModel(run, 'validation', variant.graphTriples);
  const state = await periodState(run, 'validation', model, variant.kgSignals, { itemItem, fitted: null });
  const signalNames = availableSignals(state, data);
  const validSignals = new SignalScorers(state, data, splits.validRows, new Set(signalNames));
  // Every fit of an evaluation samples the same users, as many as a fit with the KG signals may hold: the
  // fused fits' start from the no-kg weights then scores what the no-kg fit scored.
  const sampleUsers = fusionSampleUsers(data.products.length, signalNames.length + (splits.hasKg && !variant.kgSignals ? KG_SIGNALS.length : 0));
  run.info(`fusion fit${variant.label}: ${signalNames.join(', ')} on ${sampleUsers.toLocaleString('en-US')} validation users at most`);
  const { fit, weights } = await fitFusionOnValidation(run, validSignals, signalNames, { sampleUsers, label: variant.label, extraStarts });
  return { variant, fit, weights, signalNames };
}

/**
 * The test period's TransE with the chosen fit's triples (trained, or reused), and the served ranker on a
 * state built with its weights; `tried` are the fits the choice was made among (their seconds count).
 */
async function refitForTest(run: EvaluationRun, tried: readonly ValidationFit[], chosen: ValidationFit, itemItem: ItemItemSpec): Promise<FusedRanking> {
  const { data, splits, seconds } = run;
  const { variant, fit, weights, signalNames } = chosen;
  const model = await transeModel(run, 'test', variant.graphTriples);
  const state = await periodState(run, 'test', model, variant.kgSignals, { itemItem, fitted: weights });
  const itemOf = snapshotItemOrder(state, data.products.map((product) => product.id));
  const scorer = new ServedFusionScorer(state, data.users, splits.testRows, itemOf, variant.kgSignals ? 'fused' : 'fused-no-kg');
  const parts = new Set([...tried.flatMap((each) => [`transe ${transeStage('validation', each.variant.graphTriples)}`, `fusion fit${each.variant.label}`]), `transe ${transeStage('test', variant.graphTriples)}`]);
  const trainSeconds = [...parts].reduce((sum, part) => sum + (seconds[part] ?? 0), 0);
  return { refit: { state, version: model.version }, weights, fit, signalNames, scorer, trainSeconds, itemItem, graphTriples: variant.graphTriples, graphTriplesValidation: { [variant.graphTriples]: fit.objective } };
}

/** Signals the data cannot feed (no texts, categories, brands, relations or KG, as in KGAT's files) are left out. */
function availableSignals(state: RankingState, data: EvalData): RecommendSignal[] {
  const available: Record<string, boolean> = {
    text: state.textSpace?.hasText.some((flag) => flag === 1) ?? false,
    category: data.categories.length > 0,
    brand: data.brands.length > 0,
    related: data.relations.length > 0,
    kg: state.kg !== null,
    kgInterest: state.kg !== null,
    itemItem: state.itemItem !== null,
  };
  return RECOMMEND_SIGNALS.filter((signal) => available[signal] ?? true);
}

/**
 * Users in the fusion fit's sample. The fit keeps the sample's normalised scores in memory (FIT_CACHE_BYTES
 * at most); beyond that it would recompute every signal for every weight it tries.
 */
function fusionSampleUsers(itemCount: number, signalCount: number): number {
  return Math.max(500, Math.min(MAX_FIT_USERS, Math.floor(FIT_CACHE_BYTES / (itemCount * signalCount * 4))));
}

/**
 * Fits the fusion weights of `signalNames` on the validation purchases; signals left out weigh 0. Each
 * start in `extraStarts` adds one to those from equal weights and from the documented defaults.
 */
async function fitFusionOnValidation(
  run: EvaluationRun,
  validSignals: SignalScorers,
  signalNames: readonly RecommendSignal[],
  options: { sampleUsers: number; label: string; extraStarts: readonly FusionWeights[] },
): Promise<{ fit: FusionFit; weights: FusionWeights }> {
  const { k } = run;
  const { label, sampleUsers } = options;
  // Coordinate ascent finds a local optimum per start; the best on validation wins.
  const starts = [DEFAULT_FUSION_WEIGHTS, ...options.extraStarts].map((start) => signalNames.map((name) => start[name]));
  const fit = await run.timed(`fusion fit${label}`, () =>
    fitFusionWeights(
      run.splits.valid,
      signalNames.map((name) => validSignals.scorer(name)),
      { k, sampleUsers, cacheBytes: FIT_CACHE_BYTES, extraStarts: starts, onStep: (step) => run.options.onProgress?.(`fusion fit${label} ${step.component ?? `start ${step.start + 1}`} objective ${step.objective.toFixed(4)}`, step.iteration, 0) },
    ),
  );
  const weights = Object.fromEntries(RECOMMEND_SIGNALS.map((name) => [name, 0])) as FusionWeights;
  signalNames.forEach((name, i) => (weights[name] = fit.weights[i] ?? 0));
  run.info(`fusion weights${label} (validation objective@${k} ${fit.objective.toFixed(4)}): ${Object.entries(weights).map(([name, weight]) => `${name} ${weight.toFixed(2)}`).join(', ')}`);
  return { fit, weights };
}

/** Popularity, the tuned neighbourhood and linear baselines, and BPR-MF, each ranked on the test split. */
async function evaluateBaselines(run: EvaluationRun): Promise<BaselineTuning[]> {
  const { data, k, options, seconds, splits } = run;
  await run.add('popularity', new PopularityScorer(splits.baselineTrain));
  // The baselines' hyperparameters, chosen on the validation split: the fit period's behaviour as history,
  // the validation purchases as targets. The test split is not passed in.
  const tuned = await run.timed('baseline tuning', () => tuneBaselineHyperparameters(data, { k, ...options.tuning, onTrial: (model, trial) => run.info(`tuning ${model} ${JSON.stringify(trial.params)}: recall@${k} ${trial.recall.toFixed(4)}, ndcg@${k} ${trial.ndcg.toFixed(4)}`) }));
  for (const tuning of tuned) {
    const sparse = tuning.itemItem ? `; sparse ${JSON.stringify(tuning.itemItem.params)}, validation recall@${k} ${tuning.itemItem.recall.toFixed(4)}, ndcg@${k} ${tuning.itemItem.ndcg.toFixed(4)}` : '';
    run.info(`${tuning.model}: chose ${JSON.stringify(tuning.best)} (validation recall@${k} ${tuning.bestRecall.toFixed(4)}, ndcg@${k} ${tuning.bestNdcg.toFixed(4)}, ${tuning.trials.length} trials, ${tuning.seconds.toFixed(0)} s${sparse})`);
  }
  for (const name of ['itemknn', 'p3alpha', 'rp3beta', 'ease'] as const) {
    const tuning = tuned.find((candidate) => candidate.model === name);
    if (tuning === undefined) continue; // e.g. EASE beyond its item limit: left out, not reported empty
    const scorer = await run.timed(name, () => buildTunedBaseline(name, splits.baselineTrain, tuning.best));
    await run.add(name, scorer, seconds[name]);
  }
  const bpr = await run.timed('bpr', () =>
    trainBpr(splits.baselineTrain, options.bpr ?? {}, { onEpoch: (report) => options.onProgress?.(`BPR epoch ${report.epoch}`, report.epoch, 0) }),
  );
  await run.add('bpr', new BprScorer(bpr), seconds.bpr);
  return tuned;
}

/**
 * kgrec's own signals alone, its fused ranking, and (with a KG) the fusion without it; returns the fused
 * ranking's evaluation. `transe` is TransE alone with the KG triples and `transe-no-kg` without them,
 * whichever the fused ranking kept.
 */
async function evaluateKgrec(run: EvaluationRun, rankings: KgrecRankings): Promise<TopKEvaluation> {
  const { data, seconds, splits } = run;
  const { fused: ranking, withoutKg } = rankings;
  const alone = (state: RankingState, signal: string) => new SignalScorers(state, data, splits.testRows, new Set([signal])).scorer(signal);
  const withKgState = ranking.graphTriples === 'with-kg' ? ranking.refit.state : await periodState(run, 'test', await transeModel(run, 'test', 'with-kg'), false, { itemItem: ranking.itemItem, fitted: null });
  await run.add('transe', alone(withKgState, 'graph'), seconds['transe test']);
  const { state } = ranking.refit;
  if (ranking.signalNames.includes('text')) await run.add('text', alone(state, 'text'));
  if (ranking.signalNames.includes('kg')) await run.add('kg', alone(state, 'kg'));
  if (ranking.signalNames.includes('kgInterest')) await run.add('kgInterest', alone(state, 'kgInterest'));
  const fused = await run.add('fused', ranking.scorer, ranking.trainSeconds);
  if (withoutKg) {
    // TransE alone without the KG triples: whether they help or hurt the `graph` signal itself.
    await run.add('transe-no-kg', alone(withoutKg.refit.state, 'graph'), seconds['transe test no-kg']);
    // The same ranking without the knowledge graph, tuned the same way: what the KG adds.
    await run.add('fused-no-kg', withoutKg.scorer, withoutKg.trainSeconds);
  }
  return fused;
}

/** Writes the markdown report, the chart and the JSON of a finished run, and returns what the JSON holds. */
async function writeReport(
  run: EvaluationRun,
  outcome: { ranking: FusedRanking; tuned: readonly BaselineTuning[]; fused: TopKEvaluation },
): Promise<EvaluationReport> {
  const { data, k, options, results } = run;
  const { ranking, fused } = outcome;
  const markdown = path.join(options.outDir, 'report.md');
  const png = path.join(options.outDir, 'report.png');
  const json = path.join(options.outDir, 'report.json');
  const table = markdownTable(results);
  const summary = tuningSummary(outcome.tuned, data, k, options.tuning?.validationUsers ?? DEFAULT_VALIDATION_USERS);
  await writeFile(markdown, `# ${data.dataset}: top-${k} recommendation\n\n${data.note}\n\n${table}\n${fusionMarkdown(ranking, k)}${tuningMarkdown(summary)}`);
  await writeChart(png, await metricsBarChart(results, `${data.dataset}: all-item ranking, ${fused.users.toLocaleString('en-US')} test users`, [`recall@${k}`, `ndcg@${k}`]));
  const report: EvaluationReport = {
    dataset: data.dataset,
    note: data.note,
    k,
    users: fused.users,
    results: Object.fromEntries(results.map((result) => [result.model, result.evaluation.metrics])),
    seconds: run.seconds,
    transe: run.transe,
    fusion: { weights: ranking.weights, validationObjective: ranking.fit.objective, itemItem: ranking.itemItem, graphTriples: ranking.graphTriples, graphTriplesValidation: ranking.graphTriplesValidation },
    tuning: summary,
    files: { markdown, png, json },
    modelVersion: ranking.refit.version,
    itemItemLists: run.itemItemLists.get(data.validEndsAt) ?? null,
  };
  const { itemItemLists: _lists, ...written } = report;
  await writeFile(json, `${JSON.stringify(written, null, 2)}\n`);
  return report;
}

/** The fused ranking's TransE: which triples it was trained on, and the validation figures the choice rests on. */
function fusionMarkdown(ranking: FusedRanking, k: number): string {
  const tried = Object.entries(ranking.graphTriplesValidation).map(([triples, ndcg]) => `${triples} ${ndcg.toFixed(4)}`);
  const lines = ['## Fused ranking', '', `TransE triples: ${ranking.graphTriples} (validation objective@${k}, the mean of NDCG and Recall, of the fusion fitted with each TransE: ${tried.join(', ')}).`, ''];
  return `${lines.join('\n')}\n`;
}

export interface TuningSummary {
  /** What the search's figures rest on. */
  validation: string;
  metric: string;
  validationUsers: number;
  models: Record<
    string,
    {
      searchSpace: Record<string, readonly (number | string)[]>;
      strategy: string;
      chosen: Record<string, number | string>;
      validation: { recall: number; ndcg: number };
      /** The sparse form the `itemItem` signal would serve, where it is not the baseline itself (EASE). */
      itemItem?: { chosen: Record<string, number | string>; validation: { recall: number; ndcg: number } };
      trials: number;
      seconds: number;
    }
  >;
  /** Baselines whose hyperparameters were not searched in this run, and why. */
  notSearched: Record<string, string>;
}

/** Tunes the baselines on the validation split of `data`: the fit period as history, `valid` as targets. */
export function tuneBaselineHyperparameters(data: EvalData, options: TuneOptions = {}): Promise<BaselineTuning[]> {
  return tuneBaselines({ history: behaviourMatrix(data, data.fit), known: behaviourMatrix(data, data.fit.filter((row) => row.relationship === 'PURCHASED')), valid: data.valid }, options);
}

function tuningSummary(tuned: readonly BaselineTuning[], data: EvalData, k: number, validationUsers: number): TuningSummary {
  return {
    validation: `the validation split (${data.valid.indices.length.toLocaleString('en-US')} held-out items of the training data), never the test split; models learn from the rest of the training data, then are refitted on all of it with the chosen values`,
    metric: `ndcg@${k}`,
    validationUsers: Math.min(usersWithItems(data.valid, 1).length, validationUsers),
    models: Object.fromEntries(
      tuned.map((tuning) => [
        tuning.model,
        {
          searchSpace: tuning.searchSpace,
          strategy: tuning.strategy,
          chosen: tuning.best,
          validation: { recall: tuning.bestRecall, ndcg: tuning.bestNdcg },
          ...(tuning.itemItem ? { itemItem: { chosen: tuning.itemItem.params, validation: { recall: tuning.itemItem.recall, ndcg: tuning.itemItem.ndcg } } } : {}),
          trials: tuning.trials.length,
          seconds: tuning.seconds,
        },
      ]),
    ),
    notSearched: {
      popularity: 'no hyperparameters',
      bpr: 'defaults of DEFAULT_BPR, chosen by an earlier search on a validation split of amazon-book (a search here would cost a 300-epoch fit per value)',
      ...(tuned.some((tuning) => tuning.model === 'ease') ? {} : { ease: `not run: ${data.products.length.toLocaleString('en-US')} items is more than EASE_MAX_ITEMS (${EASE_MAX_ITEMS.toLocaleString('en-US')})` }),
    },
  };
}

function tuningMarkdown(summary: TuningSummary): string {
  const lines = [`## Baseline hyperparameters`, '', `Chosen by ${summary.metric} on ${summary.validation} (${summary.validationUsers.toLocaleString('en-US')} validation users per trial).`, '', '| model | search space | search | chosen | validation recall | validation ndcg | trials |', '| --- | --- | --- | --- | ---: | ---: | ---: |'];
  const format = (values: Record<string, unknown>) => Object.entries(values).map(([name, value]) => `${name} ${Array.isArray(value) ? `{${value.join(', ')}}` : String(value)}`).join('; ');
  for (const [model, entry] of Object.entries(summary.models)) {
    lines.push(`| ${model} | ${format(entry.searchSpace)} | ${entry.strategy} | ${format(entry.chosen)} | ${entry.validation.recall.toFixed(4)} | ${entry.validation.ndcg.toFixed(4)} | ${entry.trials} |`);
    if (entry.itemItem) lines.push(`| ${model} (sparse, as the itemItem signal) | | | ${format(entry.itemItem.chosen)} | ${entry.itemItem.validation.recall.toFixed(4)} | ${entry.itemItem.validation.ndcg.toFixed(4)} | |`);
  }
  lines.push('', ...Object.entries(summary.notSearched).map(([model, why]) => `- ${model}: ${why}`), '');
  return `${lines.join('\n')}\n`;
}

/**
 * The fit period's knowledge graph as triples: behaviours, catalogue, product terms, merchandiser relations
 * and, unless `withKg` is false, the KG triples around the products (as CFKG and KTUP train on them).
 */
export function shopTriples(data: EvalData, behaviour: readonly EvalBehaviour[], options: { withKg?: boolean } = {}): KgeDataset {
  const entities = new KeyIndex();
  const relations = new KeyIndex();
  const heads: number[] = [];
  const rels: number[] = [];
  const tails: number[] = [];
  const entity = (label: string, id: string): number => entities.indexOf(entityKey(label, id));
  const add = (head: number, relation: string, tail: number): void => {
    heads.push(head);
    rels.push(relations.indexOf(relation));
    tails.push(tail);
  };
  // Every product is an entity, bought or not, so that all of them get a trained vector.
  for (const product of data.products) entity('Product', product.id);
  for (const row of behaviour) add(entity('User', data.users[row.user] ?? ''), row.relationship, entity('Product', data.products[row.item]?.id ?? ''));
  for (const product of data.products) {
    if (product.categoryId !== null) add(entity('Product', product.id), 'IN_CATEGORY', entity('Category', product.categoryId));
    if (product.brandId !== null) add(entity('Product', product.id), 'HAS_BRAND', entity('Brand', product.brandId));
  }
  for (const category of data.categories) if (category.parentId !== null) add(entity('Category', category.id), 'SUBCATEGORY_OF', entity('Category', category.parentId));
  for (const { id, terms } of productTerms(data)) for (const term of terms) add(entity('Product', id), 'HAS_TERM', entity('Term', term));
  for (const link of data.relations) add(entity('Product', link.from), link.type, entity('Product', link.to));
  const kg = options.withKg === false ? null : (data.kg ?? null);
  if (kg) {
    // Node keys are the model's entity keys already (`Product:<id>`, `Entity:<id>`).
    for (let t = 0; t < kg.heads.length; t += 1) {
      add(entities.indexOf(kg.nodeKeys[kg.heads[t]!]!), kgRelationName(kg.relationNames[kg.relations[t]!]!), entities.indexOf(kg.nodeKeys[kg.tails[t]!]!));
    }
  }
  return { entities: entities.keys, relations: relations.keys, train: { heads: Int32Array.from(heads), relations: Int32Array.from(rels), tails: Int32Array.from(tails) } };
}

function productTerms(data: EvalData): Array<{ id: string; terms: string[] }> {
  const withText = data.products.filter((product) => product.title !== '' || product.description);
  return withText.length === 0 ? [] : selectProductTerms(withText).products;
}

/**
 * The ranker's in-memory state as the API would have built it at the end of the given behaviour;
 * `rowKernels` (the SIMD kernels' module) makes its distance passes the API's.
 */
export function offlineState(
  data: EvalData,
  model: ModelVectors | null,
  behaviour: readonly EvalBehaviour[],
  rowKernels: WebAssembly.Module | null = null,
  options: { withKg?: boolean; fitted?: FusionWeights | null; itemItem?: ItemItemSpec | null; savedItemItem?: SavedItemItemLists | null } = {},
): RankingState {
  const reference = behaviour.reduce((max, row) => Math.max(max, row.lastAt), 0);
  const tau = POPULARITY_HALF_LIFE_MS / Math.LN2;
  const recentTau = RECENCY_HALF_LIFE_MS / Math.LN2;
  const popularity = new Float64Array(data.products.length);
  const recent = new Float64Array(data.products.length);
  const bought = new Float64Array(data.products.length);
  for (const row of behaviour) {
    const weight = (BEHAVIOUR_WEIGHTS[row.relationship] ?? 0) * row.count;
    popularity[row.item] = (popularity[row.item] as number) + weight * Math.exp(-(reference - row.lastAt) / tau);
    recent[row.item] = (recent[row.item] as number) + weight * Math.exp(-(reference - row.lastAt) / recentTau);
    if (row.relationship === 'PURCHASED') bought[row.item] = (bought[row.item] as number) + row.count;
  }
  const snapshot = new CatalogueSnapshot(
    scoreProducts(data.products.map((product, item) => ({ id: product.id, title: product.title || product.id, categoryId: product.categoryId, brandId: product.brandId, price: product.price, inStock: product.inStock, popularity: popularity[item] as number, recentPopularity: recent[item] as number, purchases: bought[item] as number }))),
    data.categories,
    new Map(data.brands.map((brand) => [brand.id, brand.name])),
    reference,
  );
  const baskets = new Map<number, Set<string>>();
  for (const row of behaviour) {
    if (!CO_BEHAVIOUR_TYPES.includes(row.relationship)) continue;
    const basket = baskets.get(row.user) ?? new Set<string>();
    basket.add(data.products[row.item]?.id ?? '');
    baskets.set(row.user, basket);
  }
  return buildRankingState({
    snapshot,
    model,
    baskets: baskets.values(),
    links: data.relations,
    coldTexts: new Map(),
    productTerms: new Map(productTerms(data).map(({ id, terms }) => [id, terms])),
    fitted: options.fitted ?? null,
    itemItem: options.itemItem ?? null,
    savedItemItem: options.savedItemItem ?? null,
    rowKernels,
    knowledgeGraph: options.withKg === false ? null : (data.kg ?? null),
  });
}

export function profileRows(data: EvalData, behaviour: readonly EvalBehaviour[]): ProfileRow[][] {
  const rows: ProfileRow[][] = data.users.map(() => []);
  for (const row of behaviour) rows[row.user]?.push({ productId: data.products[row.item]?.id ?? '', relationship: row.relationship, count: row.count, firstAt: row.firstAt, lastAt: row.lastAt });
  return rows;
}

function categoryIndexOf(data: EvalData): Int32Array | undefined {
  if (data.categories.length === 0) return undefined;
  const index = new Map(data.categories.map((category, i) => [category.id, i]));
  return Int32Array.from(data.products, (product) => (product.categoryId === null ? -1 : (index.get(product.categoryId) ?? -1)));
}

/**
 * The API's signals as batch scorers: one per signal, sharing the per-user computation (all signals of a
 * user come from one `recommendSignals` call) across the scorers of a batch.
 */
export class SignalScorers {
  private cachedUsers = new Int32Array(0);
  private cached: Signals[] = [];
  /** Item index of each snapshot position (the snapshot orders products by popularity, the data by item index). */
  private readonly itemOf: Int32Array;

  constructor(
    private readonly state: RankingState,
    private readonly data: EvalData,
    private readonly rows: readonly ProfileRow[][],
    /** The signals to compute per user (those of the scorers in use). */
    private readonly only: ReadonlySet<string>,
  ) {
    this.itemOf = snapshotItemOrder(state, data.products.map((product) => product.id));
  }

  scorer(signal: string): BatchScorer {
    const itemCount = this.data.products.length;
    return {
      name: signal,
      scoreUsers: (users, out) => {
        const all = this.signalsFor(users);
        const { itemOf } = this;
        out.fill(0, 0, users.length * itemCount);
        all.forEach((signals, b) => {
          const values = signals[signal];
          if (!values) return;
          const row = b * itemCount;
          for (let position = 0; position < values.length; position += 1) out[row + (itemOf[position] as number)] = values[position] as number;
        });
      },
    };
  }

  /** Batches may reuse one buffer: the cache is keyed by the users' ids, not the array. */
  private signalsFor(users: Int32Array): Signals[] {
    const same = this.cachedUsers.length === users.length && this.cachedUsers.every((user, i) => user === users[i]);
    if (!same) {
      this.cached = Array.from(users, (user) => recommendSignals(this.state, this.data.users[user] ?? '', this.rows[user] ?? [], this.only).signals);
      this.cachedUsers = Int32Array.from(users);
    }
    return this.cached;
  }
}
