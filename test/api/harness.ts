import { pino } from 'pino';
import type { ApiConfig } from '../../src/api/config.js';
import { apiConfigSchema } from '../../src/api/config.js';
import { hashToken } from '../../src/api/auth.js';
import { createApiServer, type ApiServer } from '../../src/api/server.js';
import type { Config } from '../../src/config.js';
import type { DemoShopOptions } from '../../src/demo/generate.js';
import type { Graph } from '../../src/graph/graph.js';
import type { Ranker } from '../../src/ranking/types.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../../src/jobs/loadShop.js';
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

/** An emptied test database with the demo shop, and the API on a free port of 127.0.0.1. */
export interface HarnessOptions {
  api?: Partial<ApiConfig>;
  /** The demo shop to load (default DEMO_SHOP); false for an empty graph. */
  shop?: DemoShopOptions | false;
  /** Overrides of the platform configuration, e.g. relation types. */
  config?: Partial<Config>;
  /** The ranker to serve from (default: the server's, the popularity ranker). */
  ranker?: (graph: Graph, config: Config, api: ApiConfig) => Ranker;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { graph, config } = await freshGraph(options.config);
  if (options.shop !== false) await loadDemoShop(graph, config, options.shop ?? DEMO_SHOP);
  const apiConfig = apiConfigSchema.parse({
    port: 0,
    tokens: Object.fromEntries(Object.entries(TOKENS).map(([role, token]) => [hashToken(token), role])),
    modelsDir: tempDir('kgrec-api-models-'),
    ...options.api,
  });
  const ranker = options.ranker?.(graph, config, apiConfig);
  const server = await createApiServer({ graph, config, api: apiConfig, logger: pino({ level: 'silent' }), ...(ranker ? { ranker } : {}) });
  return {
    graph,
    config,
    server,
    api: apiConfig,
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
