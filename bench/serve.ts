/**
 * Serving speed of the GraphQL API: loads the demo shop into a Neo4j of its own, starts the API on
 * 127.0.0.1, and runs `recommend` and `search` at N concurrent clients for a fixed time, several runs each,
 * printing requests/s and p50/p99 latency (medians over the runs).
 *
 *   npx tsx bench/serve.ts [--clients 32] [--seconds 5] [--runs 3] [--products 5000 --users 2000 --events 200000]
 *                          [--ranker fused|popularity] [--epochs 10] [--rate 500] [--warm-up 20] [--operations recommend,search] [--cpu-profile PREFIX] [--heap-profile PREFIX [--heap-profile-survivors]] [--log-level warn|info] [--load-generator autocannon|own]
 *
 * `--operations` also takes `product` (a product with its category and brand: the API's HTTP, GraphQL and
 * loader path without any ranking). Open-loop runs also print the slowest request of each second, which
 * tells a stall (one bad second) from a busy server (many).
 *
 * Each operation runs closed loop (every client sends its next request when the previous answered: the
 * throughput) and then, with `--rate`, open loop at that many requests/s over the same connections (the
 * latency a shop sees at that load; with 32 clients in a closed loop, latency is 32 / throughput by
 * Little's law, so a closed loop alone cannot show a low p99 and a high throughput together).
 *
 * With `--ranker fused` (the default, as `kgrec serve`) a TransE model is trained on the loaded shop first,
 * and the API ranks as `kgrec serve` does, on KGREC_API_RANKING_THREADS worker threads (default 1 here).
 *
 * The load runs in a process of its own (bench/loadClient.ts). Closed-loop runs go through autocannon
 * (`--load-generator own` uses the bench's own client instead); open-loop runs through a few lines of
 * node:http (keep-alive, one request in flight per client) rather than autocannon: autocannon's rate
 * limit lets each connection send its share of a second's requests back to back at the start of the
 * second, so its latency "at 500 requests/s" is that of bursts at full concurrency, while here each
 * open-loop request is due at its own time and its latency counts from then. On a 2-core machine the client, the
 * API and Neo4j share the cores, so the figures are a floor for what the API does on a machine of its own.
 *
 * Its Neo4j lives in .neo4j/bench-serve on port KGREC_BENCH_SERVE_NEO4J_PORT (default 7690), apart from
 * bench/ingest's, so the two benchmarks never stop or wipe each other's server.
 */
// First, as in `kgrec serve`: NODE_ENV is set before graphql loads.
import '../src/cli/productionMode.js';
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadApiConfig } from '../src/api/config.js';
import { createServingRanker } from '../src/api/servingRanker.js';
import type { Ranker } from '../src/ranking/types.js';
import { createApiServer } from '../src/api/server.js';
import { loadConfig } from '../src/config.js';
import { Graph } from '../src/graph/graph.js';
import { localServerStatus, startLocalServer, stopLocalServer, wipeLocalData } from '../src/graph/localServer.js';
import { loadMigrations, migrate } from '../src/graph/migrations.js';
import { ingestFiles } from '../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../src/jobs/loadShop.js';
import { runTrainingJob } from '../src/jobs/train.js';
import { activateModel } from '../src/kge/modelStore.js';
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
    // Closed-loop load before each operation's measured runs, not counted: the JIT's optimised code, Neo4j's
    // query caches and the API's caches (catalogue rows, users' behaviour) reach their steady state.
    'warm-up': { type: 'string', default: '20' },
    operations: { type: 'string', default: 'recommend,search' },
    // Writes a V8 CPU profile of the API process (open it in Chrome DevTools) over each operation's last run (warm caches).
    'cpu-profile': { type: 'string' },
    'heap-profile': { type: 'string' },
    'heap-profile-survivors': { type: 'boolean', default: false },
    // `info` logs a line per request as `kgrec serve` does (written to /dev/null through the same kind of destination).
    'log-level': { type: 'string', default: 'warn' },
    // Who sends the closed-loop runs: autocannon (from npm) or the bench's own client; open-loop runs are the bench's own.
    'load-generator': { type: 'string', default: 'autocannon' },
  },
});
const clients = Number(values.clients);
const generator = values['load-generator'] === 'own' ? 'own' : 'autocannon';
if (values['load-generator'] !== generator) throw new Error(`--load-generator: expected autocannon or own, got ${values['load-generator']}`);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const shop = { products: Number(values.products), users: Number(values.users), events: Number(values.events), seed: 42 };


const neo4jOptions = benchNeo4jOptions('bench-serve', Number(process.env.KGREC_BENCH_SERVE_NEO4J_PORT ?? 7690));

const RECOMMEND = `query ($userId: ID!) { recommend(userId: $userId, first: 10) {
  items { score reasons { text } product { id title price category { name } brand { name } } } } }`;
const PRODUCT = 'query ($id: ID!) { product(id: $id) { id title price category { name } brand { name } } }';
const SEARCH = `query ($query: String!, $userId: ID) { search(query: $query, userId: $userId, first: 10) {
  items { score product { id title price category { name } brand { name } } } } }`;

interface Operation {
  name: string;
  /** The request body of the i-th request: varied users and queries, so no answer is trivially repeated. */
  body(i: number): string;
}

/** Distinct request bodies per operation, cycled by the load generator. */
const LOAD_BODIES = 10_000;

/** A run's result with the CPU time per request of the API process and of Neo4j. */
type MeasuredRun = RunResult & { apiCpuMsPerRequest: number; neo4jCpuMsPerRequest: number | null; queriesPerRequest: number };
/** An operation's figures over its runs (medians). */
type Summary = Omit<MeasuredRun, 'startedAt' | 'slowestPerSecond'> & { runs: number };

/** CPU time (ms) a process has used, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): user and system clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
const CLOCK_TICKS_PER_SECOND = 100;

/** A profiler of the API process through the inspector: `begin` starts it, `end` returns its profile. */
function inspectorProfiler(name: string, begin: (session: Session) => Promise<void>, end: (session: Session) => Promise<{ profile: object }>) {
  let session: Session | undefined;
  return {
    async start(): Promise<void> {
      session = new Session();
      session.connect();
      await begin(session);
    },
    async stop(file: string): Promise<string> {
      if (!session) throw new Error(`${name} not started`);
      const { profile } = await end(session);
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
      return file;
    },
  };
}

/** V8's sampling CPU profiler. */
const profiler = inspectorProfiler(
  'CPU profiler',
  async (session) => {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  },
  (session) => session.post('Profiler.stop'),
);

/**
 * The allocations, sampled every 32 KiB by V8's heap profiler with the objects that garbage collection has
 * freed kept in: what the request path allocates, which is what the young-generation collections that
 * stall requests have to sweep.
 */
const allocationProfiler = inspectorProfiler(
  'heap profiler',
  async (session) => {
    await session.post('HeapProfiler.enable');
    // With --heap-profile-survivors only what outlived a young-generation collection is kept: the objects
    // that are copied, promoted and make scavenges long.
    const all = !values['heap-profile-survivors'];
    await session.post('HeapProfiler.startSampling', { samplingInterval: 32 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: all });
  },
  (session) => session.post('HeapProfiler.stopSampling'),
);

let sentBodies: Operation | undefined;

/** One run in the load-generating process: its own event loop and core time, not the API's. */
async function load(client: ChildProcess, port: number, operation: Operation, durationMs: number, rate?: number): Promise<MeasuredRun> {
  // The bodies go to the load generator with an operation's first run only.
  const bodies = sentBodies === operation ? undefined : Array.from({ length: LOAD_BODIES }, (_, i) => operation.body(i));
  sentBodies = operation;
  const neo4jPid = localServerStatus(neo4jOptions).pid;
  const apiBefore = process.cpuUsage();
  const queriesBefore = graph.queryCount;
  const neo4jBefore = processCpuMs(neo4jPid);
  const result = await new Promise<RunResult>((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`the load generator exited (code ${code})`));
    client.once('message', (message) => {
      client.off('error', reject);
      client.off('exit', exited);
      resolve(message as RunResult);
    });
    client.once('error', reject);
    client.once('exit', exited);
    const job: LoadJob = { port, clients, durationMs, generator, ...(bodies ? { bodies } : {}), ...(rate ? { rate } : {}) };
    client.send(job);
  });
  const api = process.cpuUsage(apiBefore);
  const neo4jAfter = processCpuMs(neo4jPid);
  const requests = Math.max(1, result.requests);
  return {
    ...result,
    apiCpuMsPerRequest: (api.user + api.system) / 1000 / requests,
    neo4jCpuMsPerRequest: neo4jBefore === null || neo4jAfter === null ? null : (neo4jAfter - neo4jBefore) / requests,
    queriesPerRequest: (graph.queryCount - queriesBefore) / requests,
  };
}

await stopLocalServer(neo4jOptions);
wipeLocalData(neo4jOptions.home);
await startLocalServer(neo4jOptions);
const config = loadConfig({ ...process.env, NEO4J_URI: `bolt://127.0.0.1:${neo4jOptions.port}`, NEO4J_PASSWORD: neo4jOptions.password });
const graph = Graph.open(config);
await graph.verify();
// The shop's files and the trained model are removed at the end, whatever happens.
const scratch: string[] = [];
const scratchDir = (prefix: string): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
try {
  await migrate(graph, loadMigrations(undefined, { EMBEDDING_DIMENSION: config.embeddingDimension }));
  const loadStarted = performance.now();
  const { files } = await writeDemoShopFiles(scratchDir('kgrec-bench-serve-'), shop);
  for (const kind of LOAD_ORDER) {
    await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: config.ingestBatchSize, relationTypes: config.relationTypes });
  }
  console.error(`demo shop loaded (${shop.products} products, ${shop.users} users, ${shop.events} events) in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`);

  const modelsDir = scratchDir('kgrec-bench-models-');
  // The API's settings from the environment (KGREC_API_PROFILE_CACHE_USERS=0 measures without the profile cache).
  const api = loadApiConfig(process.env, { port: 0, modelsDir });
  // At warn the API's warnings show among the bench's output; per-request lines (info) go to /dev/null.
  const logLevel = String(values['log-level']);
  const logger = pino({ level: logLevel }, pino.destination(logLevel === 'warn' || logLevel === 'error' ? 2 : '/dev/null'));
  let ranker: Ranker | undefined;
  if (values.ranker === 'fused') {
    const trainStarted = performance.now();
    const trained = await runTrainingJob({ source: { kind: 'graph', graph, config }, hyperparameters: [{ epochs: Number(values.epochs), workers: 2 }], modelsDir, evalEvery: 0 });
    await activateModel(modelsDir, trained.version);
    // As `kgrec serve` ranks: on api.rankingThreads threads (KGREC_API_RANKING_THREADS=0: on the API's thread).
    ranker = createServingRanker({ graph, config, api, logger });
    await ranker.warmUp();
    console.error(`model ${trained.version} trained (${values.epochs} epochs) in ${((performance.now() - trainStarted) / 1000).toFixed(0)} s; serving the fused ranking on ${api.rankingThreads === 0 ? "the API thread" : `${api.rankingThreads} ranking thread(s)`}`);
  }
  const server = await createApiServer({
    graph,
    config,
    api,
    logger,
    closeGraph: false,
    ...(ranker ? { ranker } : {}),
  });
  try {
    const agent = new http.Agent({ keepAlive: true });
    const titles = JSON.parse(
      (await post(agent, server.port, JSON.stringify({ query: '{ products(first: 100) { nodes { id title } } }' }))).text,
    ) as { data: { products: { nodes: Array<{ id: string; title: string }> } } };
    // Two words of real titles (brand and kind, e.g. "wilova wireless"): realistic queries with matches.
    const queries = titles.data.products.nodes.map((node) => node.title.split(' ').slice(0, 2).join(' '));
    const productIds = titles.data.products.nodes.map((node) => node.id);
    const user = (i: number) => `u-${String((i % shop.users) + 1).padStart(4, '0')}`;
    const operations: Operation[] = [
      { name: 'recommend', body: (i) => JSON.stringify({ query: RECOMMEND, variables: { userId: user(i) } }) },
      // The API's own path (HTTP, GraphQL, loaders over the shared rows) without ranking: not run by default.
      { name: 'product', body: (i) => JSON.stringify({ query: PRODUCT, variables: { id: productIds[i % productIds.length] } }) },
      { name: 'search', body: (i) => JSON.stringify({ query: SEARCH, variables: { query: queries[i % queries.length], userId: user(i) } }) },
    ];
    const results: Record<string, Summary> = {};
    const client = fork(fileURLToPath(new URL('./loadClient.ts', import.meta.url)), { execArgv: process.execArgv });
    // Neo4j's own background work (index population, checkpoints) after the load and the training would
    // be charged to the requests: it is shown, and waited out, first.
    const neo4jPid = localServerStatus(neo4jOptions).pid;
    for (let settled = false, waited = 0; !settled && waited < 60; waited += 5) {
      const before = processCpuMs(neo4jPid);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const after = processCpuMs(neo4jPid);
      const busy = before === null || after === null ? 0 : (after - before) / 5_000;
      console.error(`Neo4j idle CPU: ${(100 * busy).toFixed(0)} % of a core`);
      settled = busy < 0.05;
    }
    const rate = values.rate === undefined ? undefined : Number(values.rate);
    const summarise = (perRun: MeasuredRun[]): Summary => ({
      runs,
      requests: perRun.reduce((sum, r) => sum + r.requests, 0),
      errors: perRun.reduce((sum, r) => sum + r.errors, 0),
      requestsPerSecond: Math.round(median(perRun.map((r) => r.requestsPerSecond))),
      p50Ms: Number(median(perRun.map((r) => r.p50Ms)).toFixed(1)),
      p99Ms: Number(median(perRun.map((r) => r.p99Ms)).toFixed(1)),
      apiCpuMsPerRequest: Number(median(perRun.map((r) => r.apiCpuMsPerRequest)).toFixed(2)),
      neo4jCpuMsPerRequest: perRun.some((r) => r.neo4jCpuMsPerRequest === null) ? null : Number(median(perRun.map((r) => r.neo4jCpuMsPerRequest ?? 0)).toFixed(2)),
      clientCpuMsPerRequest: Number(median(perRun.map((r) => r.clientCpuMsPerRequest)).toFixed(2)),
      queriesPerRequest: Number(median(perRun.map((r) => r.queriesPerRequest)).toFixed(2)),
    });
    const atRate: Record<string, Summary> = {};
    const chosen = new Set(String(values.operations).split(','));
    for (const operation of operations.filter((candidate) => chosen.has(candidate.name))) {
      const warmUp = await load(client, server.port, operation, Number(values['warm-up']) * 1000);
      console.error(`${operation.name} warm-up: ${warmUp.requests} requests (${warmUp.requestsPerSecond.toFixed(0)} req/s), not counted`);
      for (const [mode, target, open] of [['closed loop', results, undefined], ...(rate ? [[`${rate} req/s`, atRate, rate] as const] : [])] as const) {
        const perRun: MeasuredRun[] = [];
        for (let run = 1; run <= runs; run += 1) {
          // Profiles cover the last run of the last mode: open loop when --rate is given (a shop's load), else closed loop.
          const profiled = run === runs && (rate === undefined) === (open === undefined);
          const profiling = values['cpu-profile'] !== undefined && profiled;
          const allocations = values['heap-profile'] !== undefined && profiled;
          if (profiling) await profiler.start();
          if (allocations) await allocationProfiler.start();
          const result = await load(client, server.port, operation, seconds * 1000, open);
          if (profiling) console.error(`CPU profile: ${await profiler.stop(`${values['cpu-profile']}-${operation.name}.cpuprofile`)}`);
          if (allocations) console.error(`allocation profile: ${await allocationProfiler.stop(`${values['heap-profile']}-${operation.name}.heapprofile`)}`);
          perRun.push(result);
          console.log(
            `${operation.name} (${mode}) run ${run}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors of ${result.requests}; ` +
              `CPU per request: API ${result.apiCpuMsPerRequest.toFixed(2)} ms, Neo4j ${result.neo4jCpuMsPerRequest?.toFixed(2) ?? '?'} ms, load generator ${result.clientCpuMsPerRequest.toFixed(2)} ms; Neo4j queries per request ${result.queriesPerRequest.toFixed(2)}`,
          );
          // Where the tail comes from: a stall shows as one slow second, a busy server as many.
          // The offset from the API process's start lines the seconds up with `node --trace-gc` output (ms since start).
          const offset = ((result.startedAt - performance.timeOrigin) / 1000).toFixed(1);
          if (open !== undefined) console.log(`  slowest request per second (ms) from ${new Date(result.startedAt).toISOString()} (${offset} s after the API process started): ${result.slowestPerSecond.join(' ')}`);
        }
        target[operation.name] = summarise(perRun);
      }
    }
    agent.destroy();
    client.kill();
    for (const [name, r] of Object.entries(results)) {
      console.log(`${name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms at ${clients} clients (median of ${runs} × ${seconds} s; ${r.errors} errors)`);
      console.log(`  CPU per request: API ${r.apiCpuMsPerRequest} ms, Neo4j ${r.neo4jCpuMsPerRequest ?? '?'} ms, load generator ${r.clientCpuMsPerRequest} ms; Neo4j queries per request ${r.queriesPerRequest}`);
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
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
}
