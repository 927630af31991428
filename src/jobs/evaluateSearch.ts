import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { csvDocument } from '../demo/csv.js';
import { DEMO_FILES, generateDemoWorld, writeDemoShop, type DemoWorld } from '../demo/generate.js';
import type { DemoEvent, DemoShopOptions } from '../demo/model.js';
import { buildSearchSessions, titleShare, type HeldOutPurchase, type SearchSession } from '../demo/searchSessions.js';
import { fitSearchWeights, searchMetrics, type SearchMetrics } from '../eval/searchQuality.js';
import type { Graph } from '../graph/graph.js';
import { graphStats } from '../graph/stats.js';
import { ingestFiles } from '../ingest/ingest.js';
import type { TransEHyperparameters } from '../kge/types.js';
import { activateModel } from '../kge/modelStore.js';
import type { InteractionMatrix } from '../math/interactions.js';
import { Random } from '../math/random.js';
import { FusedRanker, type SearchInputs } from '../ranking/fusedRanker.js';
import { DEFAULT_SEARCH_WEIGHTS, SHOPPER_SIGNALS, type SearchSignal, type SearchWeights } from '../ranking/searchSignals.js';
import { demoShopFiles } from './demoShop.js';
import { demoShopEvalData, type EvalData } from './evalData.js';
import { LOAD_ORDER } from './loadShop.js';
import { writeSearchReport } from './searchReport.js';
import { runTrainingJob } from './train.js';

/**
 * `kgrec eval --search --demo`: search quality on the demo shop, measured through the served search.
 * The shop's events up to the end of its fit period go into Neo4j, TransE trains on that graph, and the
 * fused ranker serves from it. Every purchase of the validation and test periods becomes a search
 * session (src/demo/searchSessions.ts). The search weights are fitted on the validation sessions; then
 * the validation period's events are loaded too (as a live shop would have them) and the test sessions
 * are ranked three ways: the full-text index alone (BM25), the fused search without the shopper, and
 * the fused search personalised by them.
 */

export interface SearchEvalOptions {
  graph: Graph;
  config: Config;
  demo: DemoShopOptions & { seed: number };
  outDir: string;
  /** Cut-off of NDCG (default 10). */
  k?: number;
  /** Sessions per split at most, a seeded sample of the held-out purchases (default 1,000). */
  maxSessions?: number;
  hyperparameters?: Partial<TransEHyperparameters>;
  onInfo?: (message: string) => void;
}

export const SEARCH_EVAL_K = 10;
/** Enough sessions that a gain of a few hundredths of NDCG stands out of the noise, and a trial of weights takes seconds. */
export const DEFAULT_SEARCH_SESSIONS = 1_000;
/** Search inputs read at once: the full-text and profile readers batch them into one query each. */
const READ_BATCH = 64;
/** The query's own weights, fitted first without a user; lexical stays 1 (the fusion is scale-invariant). */
const QUERY_SIGNALS: readonly SearchSignal[] = ['semantic', 'queryCategory', 'popularity'];

export type SearchEvalModel = 'bm25' | 'fused' | 'personalised';

export interface SearchEvaluation {
  dataset: 'demo-search';
  k: number;
  note: string;
  results: Record<SearchEvalModel, SearchMetrics>;
  sessions: { validation: number; test: number };
  /** Mean share of a query's terms found in the bought product's title, over the test sessions. */
  titleShare: number;
  weights: { served: SearchWeights; fitted: SearchWeights; validation: { fused: number; personalised: number } };
  examples: { query: string; productId: string; title: string }[];
  seconds: number;
  files: { markdown: string; png: string; json: string };
}

export async function evaluateSearch(options: SearchEvalOptions): Promise<SearchEvaluation> {
  const started = performance.now();
  const k = options.k ?? SEARCH_EVAL_K;
  const info = options.onInfo ?? (() => undefined);
  const stats = await graphStats(options.graph);
  const products = stats.nodes.Product ?? 0;
  if (products > 0) {
    throw new Error(`kgrec eval --search: the graph already holds ${products} products; the search evaluation loads a generated shop and needs an empty database (point NEO4J_URI, or KGREC_NEO4J_HOME and KGREC_NEO4J_PORT, at an empty one)`);
  }
  const world = generateDemoWorld(options.demo);
  const data = demoShopEvalData(world.shop);
  const shopDir = path.join(options.outDir, 'shop');
  info('loading the fit period of the demo shop into Neo4j');
  const periods = await writeShopByPeriod(shopDir, world, data, options.demo);
  await loadKinds(options, demoShopFiles(shopDir), LOAD_ORDER);
  const modelsDir = path.join(options.outDir, 'models');
  info('training TransE on the graph');
  const trained = await runTrainingJob({ source: { kind: 'graph', graph: options.graph, config: options.config }, hyperparameters: [options.hyperparameters ?? {}], modelsDir, evalEvery: 0, onInfo: info });
  await activateModel(modelsDir, trained.version);
  const ranker = new FusedRanker({ graph: options.graph, modelsDir, relationTypes: options.config.relationTypes, watchModels: false });
  try {
    const maxSessions = options.maxSessions ?? DEFAULT_SEARCH_SESSIONS;
    const validation = sessionsOf(world, data, data.valid, options.demo.seed, maxSessions, 'validation');
    const test = sessionsOf(world, data, data.test, options.demo.seed, maxSessions, 'test');
    info(`fitting the search weights on ${validation.length} validation sessions`);
    const validInputs = await readInputs(ranker, validation);
    const queryFit = await fitSearchWeights(DEFAULT_SEARCH_WEIGHTS, QUERY_SIGNALS, (weights) => rankedScore(ranker, validInputs, validation, weights, false, k));
    const shopperFit = await fitSearchWeights(queryFit.weights, SHOPPER_SIGNALS, (weights) => rankedScore(ranker, validInputs, validation, weights, true, k));
    info(`loading the validation period's events; ranking ${test.length} test sessions`);
    await loadKinds(options, { events: [periods.validEvents] }, ['events']);
    ranker.invalidate({ behaviour: true });
    const testInputs = await readInputs(ranker, test);
    const targets = test.map((session) => session.productId);
    const results: Record<SearchEvalModel, SearchMetrics> = {
      bm25: searchMetrics(testInputs.map((inputs) => (inputs?.matches ?? []).slice(0, k).map((match) => match.id)), targets, k),
      fused: searchMetrics(await rankAll(ranker, testInputs, test, shopperFit.weights, false, k), targets, k),
      personalised: searchMetrics(await rankAll(ranker, testInputs, test, shopperFit.weights, true, k), targets, k),
    };
    const titleOf = new Map(world.shop.products.map((product) => [product.id, product.title]));
    const evaluation: Omit<SearchEvaluation, 'files' | 'seconds'> = {
      dataset: 'demo-search',
      k,
      note: `demo shop (seed ${options.demo.seed}), time split: TransE and the ranker learn from the first 70 % of the period; search weights fitted on sessions of the next 10 %, figures on sessions of the last 20 % (with the 10 % loaded as history)`,
      results,
      sessions: { validation: validation.length, test: test.length },
      titleShare: mean(test.map((session) => titleShare(session.query, titleOf.get(session.productId) ?? ''))),
      weights: { served: ranker.searchWeights(), fitted: shopperFit.weights, validation: { fused: queryFit.score, personalised: shopperFit.score } },
      examples: test.slice(0, 8).map((session) => ({ query: session.query, productId: session.productId, title: titleOf.get(session.productId) ?? '' })),
    };
    const files = await writeSearchReport(options.outDir, evaluation);
    return { ...evaluation, seconds: (performance.now() - started) / 1000, files };
  } finally {
    ranker.close();
  }
}

/** The demo shop's files with the events of the fit period only, and the validation period's events beside them. */
async function writeShopByPeriod(dir: string, world: DemoWorld, data: EvalData, options: DemoShopOptions): Promise<{ validEvents: string }> {
  await mkdir(dir, { recursive: true });
  await writeDemoShop(dir, options);
  const at = (event: DemoEvent): number => Date.parse(event.timestamp);
  const write = async (name: string, events: readonly DemoEvent[]): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, csvDocument(['id', 'userId', 'productId', 'type', 'timestamp', 'quantity'], events, (e) => [e.id, e.userId, e.productId, e.type, e.timestamp, e.quantity]));
    return file;
  };
  await write(DEMO_FILES.events, world.shop.events.filter((event) => at(event) < data.fitEndsAt));
  const validEvents = await write('events-validation.csv', world.shop.events.filter((event) => at(event) >= data.fitEndsAt && at(event) < data.validEndsAt));
  return { validEvents };
}

async function loadKinds(options: SearchEvalOptions, files: Partial<Record<string, string[]>>, kinds: readonly (typeof LOAD_ORDER)[number][]): Promise<void> {
  for (const kind of kinds) {
    const summary = await ingestFiles(options.graph, { kind, files: files[kind] ?? [], batchSize: options.config.ingestBatchSize, relationTypes: options.config.relationTypes, by: 'search evaluation' });
    if (summary.rejected > 0) throw new Error(`kgrec eval --search: ${summary.rejected} ${kind} records of the demo shop were rejected`);
  }
}

/** The held-out purchases of a split as sessions: a seeded sample of at most `max`, in a stable order. */
function sessionsOf(world: DemoWorld, data: EvalData, heldOut: InteractionMatrix, seed: number, max: number, split: string): SearchSession[] {
  const purchases: HeldOutPurchase[] = [];
  for (let user = 0; user < heldOut.userCount; user += 1) {
    for (let p = heldOut.indptr[user] as number; p < (heldOut.indptr[user + 1] as number); p += 1) {
      purchases.push({ userId: data.users[user] as string, productId: (data.products[heldOut.indices[p] as number] as { id: string }).id });
    }
  }
  const order = Int32Array.from(purchases.keys());
  Random.forStream(seed, `search-sample-${split}`).shuffle(order);
  const sample = [...order.subarray(0, Math.min(max, order.length))].sort((a, b) => a - b).map((index) => purchases[index] as HeldOutPurchase);
  return buildSearchSessions(sample, { shoppers: world.shoppers, products: world.catalogue.products }, { seed: seed + (split === 'test' ? 1 : 0) });
}

async function readInputs(ranker: FusedRanker, sessions: readonly SearchSession[]): Promise<(SearchInputs | null)[]> {
  const inputs: (SearchInputs | null)[] = [];
  for (let start = 0; start < sessions.length; start += READ_BATCH) {
    const batch = sessions.slice(start, start + READ_BATCH);
    inputs.push(...(await Promise.all(batch.map((session) => ranker.searchInputs(session.query, session.userId)))));
  }
  return inputs;
}

/** Each session's page, ranked by the served search with these weights, with or without its shopper. */
async function rankAll(ranker: FusedRanker, inputs: readonly (SearchInputs | null)[], sessions: readonly SearchSession[], weights: SearchWeights, personalised: boolean, k: number): Promise<string[][]> {
  const lists: string[][] = [];
  for (const [index, input] of inputs.entries()) {
    const session = sessions[index] as SearchSession;
    if (!input) {
      lists.push([]);
      continue;
    }
    const list = await ranker.rankSearch(input, { first: k, revealHistory: false, ...(personalised ? { userId: session.userId } : {}) }, weights);
    lists.push(list.items.map((item) => item.productId));
  }
  return lists;
}

async function rankedScore(ranker: FusedRanker, inputs: readonly (SearchInputs | null)[], sessions: readonly SearchSession[], weights: SearchWeights, personalised: boolean, k: number): Promise<number> {
  const lists = await rankAll(ranker, inputs, sessions, weights, personalised, k);
  return searchMetrics(lists, sessions.map((session) => session.productId), k)[`ndcg@${k}`] as number;
}

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
