import { cpSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { ApiConfig } from '../../src/api/config.js';
import { apiConfigSchema } from '../../src/api/config.js';
import { hashToken } from '../../src/api/auth.js';
import { createApiServer, type ApiServer } from '../../src/api/server.js';
import type { Config } from '../../src/config.js';
import type { DemoShopOptions } from '../../src/demo/generate.js';
import type { Graph } from '../../src/graph/graph.js';
import type { Ranker } from '../../src/ranking/types.js';
import { createServingRanker } from '../../src/api/servingRanker.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { activateAndWriteBack } from '../../src/jobs/activate.js';
import { writeDemoShopFiles } from '../../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../../src/jobs/loadShop.js';
import { loadTrainingData, runTrainingJob, type TrainJobOptions } from '../../src/jobs/train.js';
import { resolveHyperparameters } from '../../src/kge/hyperparameters.js';
import { dataFingerprint, readManifest } from '../../src/kge/modelStore.js';
import type { TransEHyperparameters } from '../../src/kge/types.js';
import { freshGraph, tempDir } from '../helpers.js';

/** One token per role; the server knows only their hashes. */
export const TOKENS = { frontend: 'token-frontend', merchandiser: 'token-merchandiser', admin: 'token-admin' } as const;

/** A small demo shop: enough structure for ranking, quick to load. */
export const DEMO_SHOP = { products: 200, users: 100, events: 8000, seed: 7 } as const;

export interface Harness {
  graph: Graph;
  config: Config;
  server: ApiServer;
  api: ApiConfig;
  /** The version the harness trained and activated; null without a model. */
  modelVersion: string | null;
  /** POSTs a GraphQL operation; `token` picks a Bearer token. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<T>>;
  stop(): Promise<void>;
}

export interface GqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; field?: string; index?: number; [key: string]: unknown };
}

export interface GqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: GqlError[];
}

export async function loadDemoShop(graph: Graph, config: Config, shop: DemoShopOptions = DEMO_SHOP): Promise<void> {
  const { files } = await writeDemoShopFiles(tempDir('kgrec-api-shop-'), shop);
  for (const kind of LOAD_ORDER) {
    await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: config.ingestBatchSize, relationTypes: config.relationTypes, by: 'demo' });
  }
}

/**
 * The model the harness trains on the loaded shop and activates before the server starts: small and quick,
 * yet enough for the fused ranker to place users and products in the graph's space as it does in production.
 */
export const SMALL_MODEL: Partial<TransEHyperparameters> = { dimension: 16, epochs: 8, negatives: 8, seed: 1 };

export interface HarnessOptions {
  api?: Partial<ApiConfig>;
  /** The demo shop to load (default DEMO_SHOP); false for an empty graph. */
  shop?: DemoShopOptions | false;
  /** Overrides of the platform configuration, e.g. relation types. */
  config?: Partial<Config>;
  /** The ranker to serve from (default: the fused ranker that `kgrec serve` serves, src/api/servingRanker.ts). */
  ranker?: (graph: Graph, config: Config, api: ApiConfig) => Ranker;
  /** Hyperparameters of a model trained on the shop and activated before the server starts (default SMALL_MODEL); false for none. */
  model?: Partial<TransEHyperparameters> | false;
  /** The built console to serve at /console (default the package's dist/console). */
  consoleDir?: string;
}

/** The ranker `kgrec serve` builds from the same settings. */
export const servingRanker = (graph: Graph, config: Config, api: ApiConfig): Ranker => createServingRanker({ graph, config, api, logger: pino({ level: 'silent' }) });

/**
 * Trains a model on the graph and activates it as `kgrec models activate` does (vectors written back).
 * Training is deterministic for its data and seed, so a second harness of the same test file over the same
 * shop copies the version trained first instead of training again (the data fingerprint must match).
 */
async function trainAndActivate(graph: Graph, config: Config, modelsDir: string, hyperparameters: Partial<TransEHyperparameters>): Promise<string> {
  const key = JSON.stringify(hyperparameters);
  const options = trainingOptions(graph, config, modelsDir, hyperparameters);
  const cached = trainedModels.get(key);
  let version: string;
  if (cached && cached.fingerprint === dataFingerprint(await loadTrainingData(options, resolveHyperparameters(hyperparameters).seed))) {
    version = cached.version;
    cpSync(path.join(cached.dir, version), path.join(modelsDir, version), { recursive: true });
  } else {
    ({ version } = await runTrainingJob(options));
    const dir = tempDir('kgrec-api-trained-');
    cpSync(path.join(modelsDir, version), path.join(dir, version), { recursive: true });
    trainedModels.set(key, { dir, version, fingerprint: (await readManifest(modelsDir, version)).dataFingerprint });
  }
  await activateAndWriteBack(modelsDir, version, graph);
  return version;
}

/** Versions trained by this test file, by their hyperparameters. */
const trainedModels = new Map<string, { dir: string; version: string; fingerprint: string }>();

const trainingOptions = (graph: Graph, config: Config, modelsDir: string, hyperparameters: Partial<TransEHyperparameters>): TrainJobOptions => ({
  source: { kind: 'graph', graph, config },
  hyperparameters: [hyperparameters],
  modelsDir,
  engine: 'cpu',
  // One evaluation at the end on a small held-out split: the harness needs a model, not its figures.
  evalEvery: 0,
  holdout: { valid: 0.02, test: 0.02 },
});

/**
 * An emptied test database with the demo shop, a small model trained on it and activated, and the API on a
 * free port of 127.0.0.1 serving the fused ranker. It ranks on the API's own thread (rankingThreads 0), so
 * that tests can count its Neo4j queries; userDeletion.test.ts serves the same ranker from a ranking thread.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { graph, config } = await freshGraph(options.config);
  if (options.shop !== false) await loadDemoShop(graph, config, options.shop ?? DEMO_SHOP);
  const apiConfig = apiConfigSchema.parse({
    port: 0,
    tokens: Object.fromEntries(Object.entries(TOKENS).map(([role, token]) => [hashToken(token), role])),
    modelsDir: tempDir('kgrec-api-models-'),
    rankingThreads: 0,
    // Planning ahead costs seconds of Neo4j's CPU and sends queries tests may count: server.test.ts turns it on.
    warmQueryPlans: false,
    ...options.api,
  });
  const model = options.model ?? (options.shop === false ? false : SMALL_MODEL);
  const modelVersion = model === false ? null : await trainAndActivate(graph, config, apiConfig.modelsDir, model);
  const ranker = (options.ranker ?? servingRanker)(graph, config, apiConfig);
  const server = await createApiServer({ graph, config, api: apiConfig, logger: pino({ level: 'silent' }), ranker, consoleDir: options.consoleDir });
  return {
    graph,
    config,
    server,
    api: apiConfig,
    modelVersion,
    async gql<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResponse<T>> {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T | null; errors?: GqlError[] };
      return { status: response.status, ...body };
    },
    stop: () => server.stop(),
  };
}

/** The first error's code, for compact assertions. */
export const codeOf = (response: GqlResponse<unknown>): string | undefined => response.errors?.[0]?.extensions?.code;
