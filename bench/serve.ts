/**
 * Serving speed of the GraphQL API: loads the demo shop into a Neo4j of its own, starts the API on
 * 127.0.0.1, and runs `recommend` and `search` at N concurrent clients for a fixed time, several runs each,
 * printing requests/s and p50/p99 latency (medians over the runs).
 *
 *   npx tsx bench/serve.ts [--clients 32] [--seconds 5] [--runs 3] [--products 5000 --users 2000 --events 200000]
 *                          [--ranker fused|popularity] [--epochs 10] [--rate 500]
 *
 * Each operation runs closed loop (every client sends its next request when the previous answered: the
 * throughput) and then, with `--rate`, open loop at that many requests/s over the same connections (the
 * latency a shop sees at that load; with 32 clients in a closed loop, latency is 32 / throughput by
 * Little's law, so a closed loop alone cannot show a low p99 and a high throughput together).
 *
 * With `--ranker fused` (the default, as `kgrec serve`) a TransE model is trained on the loaded shop first.
 *
 * The load generator (bench/loadClient.ts) is a few lines of node:http (keep-alive, one request in flight
 * per client) rather than autocannon, which the project does not depend on; like autocannon it runs as a
 * process of its own. On a 2-core machine the client, the API and Neo4j share the cores, so the figures
 * are a floor for what the API does on a machine of its own.
 *
 * Its Neo4j lives in .neo4j/bench-serve on port KGREC_BENCH_SERVE_NEO4J_PORT (default 7690), apart from
 * bench/ingest's, so the two benchmarks never stop or wipe each other's server.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { apiConfigSchema } from '../src/api/config.js';
import { createApiServer } from '../src/api/server.js';
import { loadConfig } from '../src/config.js';
import { Graph } from '../src/graph/graph.js';
import { startLocalServer, stopLocalServer, wipeLocalData } from '../src/graph/localServer.js';
import { loadMigrations, migrate } from '../src/graph/migrations.js';
import { ingestFiles } from '../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../src/jobs/loadShop.js';
import { runTrainingJob } from '../src/jobs/train.js';
import { activateModel } from '../src/kge/modelStore.js';
import { FusedRanker } from '../src/ranking/fusedRanker.js';
import { machine, median } from './benchServer.js';
import { post, type LoadJob, type RunResult } from './loadClient.js';
import { benchNeo4jOptions } from './benchServer.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    products: { type: 'string', default: '5000' },
    users: { type: 'string', default: '2000' },
    events: { type: 'string', default: '200000' },
    // `fused` (what `kgrec serve` runs: a TransE model trained here first) or `popularity` (no model).
    ranker: { type: 'string', default: 'fused' },
    epochs: { type: 'string', default: '10' },
    rate: { type: 'string' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const shop = { products: Number(values.products), users: Number(values.users), events: Number(values.events), seed: 42 };

/** Requests before measuring: loads the catalogue snapshot and warms the JIT and Neo4j's query caches. */
const WARM_UP_REQUESTS = 50;

const neo4jOptions = benchNeo4jOptions('bench-serve', Number(process.env.KGREC_BENCH_SERVE_NEO4J_PORT ?? 7690));

const RECOMMEND = `query ($userId: ID!) { recommend(userId: $userId, first: 10) {
  items { score reasons { text } product { id title price category { name } brand { name } } } } }`;
const SEARCH = `query ($query: String!, $userId: ID) { search(query: $query, userId: $userId, first: 10) {
  items { score product { id title price category { name } brand { name } } } } }`;

interface Operation {
  name: string;
  /** The request body of the i-th request: varied users and queries, so no answer is trivially repeated. */
  body(i: number): string;
}

/** Distinct request bodies per operation, cycled by the load generator. */
const LOAD_BODIES = 10_000;

/** One run in the load-generating process: its own event loop and core time, not the API's. */
function load(client: ChildProcess, port: number, operation: Operation, durationMs: number, rate?: number): Promise<RunResult> {
  const bodies = Array.from({ length: LOAD_BODIES }, (_, i) => operation.body(i));
  return new Promise((resolve, reject) => {
    client.once('message', (result) => resolve(result as RunResult));
    client.once('error', reject);
    const job: LoadJob = { port, clients, durationMs, bodies, ...(rate ? { rate } : {}) };
    client.send(job);
  });
}

await stopLocalServer(neo4jOptions);
wipeLocalData(neo4jOptions.home);
await startLocalServer(neo4jOptions);
const config = loadConfig({ ...process.env, NEO4J_URI: `bolt://127.0.0.1:${neo4jOptions.port}`, NEO4J_PASSWORD: neo4jOptions.password });
const graph = Graph.open(config);
await graph.verify();
try {
  await migrate(graph, loadMigrations(undefined, { EMBEDDING_DIMENSION: config.embeddingDimension }));
  const loadStarted = performance.now();
  const { files } = await writeDemoShopFiles(mkdtempSync(path.join(os.tmpdir(), 'kgrec-bench-serve-')), shop);
  for (const kind of LOAD_ORDER) {
    await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: config.ingestBatchSize, relationTypes: config.relationTypes });
  }
  console.error(`demo shop loaded (${shop.products} products, ${shop.users} users, ${shop.events} events) in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`);

  const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'kgrec-bench-models-'));
  let ranker: FusedRanker | undefined;
  if (values.ranker === 'fused') {
    const trainStarted = performance.now();
    const trained = await runTrainingJob({ source: { kind: 'graph', graph, config }, hyperparameters: [{ epochs: Number(values.epochs), workers: 2 }], modelsDir, evalEvery: 0 });
    await activateModel(modelsDir, trained.version);
    ranker = new FusedRanker({ graph, modelsDir, relationTypes: config.relationTypes, watchModels: false });
    await ranker.warmUp();
    console.error(`model ${trained.version} trained (${values.epochs} epochs) in ${((performance.now() - trainStarted) / 1000).toFixed(0)} s; serving the fused ranking`);
  }
  const server = await createApiServer({
    graph,
    config,
    api: apiConfigSchema.parse({ port: 0, modelsDir }),
    logger: pino({ level: 'warn' }),
    closeGraph: false,
    ...(ranker ? { ranker } : {}),
  });
  try {
    const agent = new http.Agent({ keepAlive: true });
    const titles = JSON.parse(
      (await post(agent, server.port, JSON.stringify({ query: '{ products(first: 100) { nodes { title } } }' }))).text,
    ) as { data: { products: { nodes: Array<{ title: string }> } } };
    // Two words of real titles (brand and kind, e.g. "wilova wireless"): realistic queries with matches.
    const queries = titles.data.products.nodes.map((node) => node.title.split(' ').slice(0, 2).join(' '));
    const user = (i: number) => `u-${String((i % shop.users) + 1).padStart(4, '0')}`;
    const operations: Operation[] = [
      { name: 'recommend', body: (i) => JSON.stringify({ query: RECOMMEND, variables: { userId: user(i) } }) },
      { name: 'search', body: (i) => JSON.stringify({ query: SEARCH, variables: { query: queries[i % queries.length], userId: user(i) } }) },
    ];
    const results: Record<string, RunResult & { runs: number }> = {};
    const client = fork(fileURLToPath(new URL('./loadClient.ts', import.meta.url)), { execArgv: process.execArgv });
    const rate = values.rate === undefined ? undefined : Number(values.rate);
    const summarise = (perRun: RunResult[]): RunResult & { runs: number } => ({
      runs,
      requests: perRun.reduce((sum, r) => sum + r.requests, 0),
      errors: perRun.reduce((sum, r) => sum + r.errors, 0),
      requestsPerSecond: Math.round(median(perRun.map((r) => r.requestsPerSecond))),
      p50Ms: Number(median(perRun.map((r) => r.p50Ms)).toFixed(1)),
      p99Ms: Number(median(perRun.map((r) => r.p99Ms)).toFixed(1)),
    });
    const atRate: Record<string, RunResult & { runs: number }> = {};
    for (const operation of operations) {
      for (let i = 0; i < WARM_UP_REQUESTS; i += 1) await post(agent, server.port, operation.body(i));
      for (const [mode, target, open] of [['closed loop', results, undefined], ...(rate ? [[`${rate} req/s`, atRate, rate] as const] : [])] as const) {
        const perRun: RunResult[] = [];
        for (let run = 1; run <= runs; run += 1) {
          const result = await load(client, server.port, operation, seconds * 1000, open);
          perRun.push(result);
          console.log(
            `${operation.name} (${mode}) run ${run}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors of ${result.requests}`,
          );
        }
        target[operation.name] = summarise(perRun);
      }
    }
    agent.destroy();
    client.kill();
    for (const [name, r] of Object.entries(results)) {
      console.log(`${name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms at ${clients} clients (median of ${runs} × ${seconds} s; ${r.errors} errors)`);
    }
    for (const [name, r] of Object.entries(atRate)) {
      console.log(`${name} at ${rate} req/s offered (open loop, up to ${clients} connections): ${r.requestsPerSecond} req/s served, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (median of ${runs} × ${seconds} s; ${r.errors} errors)`);
    }
    console.log(`machine: ${machine()}`);
    console.log(JSON.stringify({ machine: machine(), clients, seconds, shop, results, ...(rate ? { rate, atRate } : {}) }));
  } finally {
    await server.stop();
  }
} finally {
  await graph.close();
  await stopLocalServer(neo4jOptions);
}
