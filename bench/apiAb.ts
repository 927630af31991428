/**
 * A/B of the API's CPU per request between builds: loads one demo shop into a Neo4j of its own, starts
 * `kgrec serve` of each build (a checkout with its `dist/` built) as a process of its own over that Neo4j,
 * and runs one operation closed loop (autocannon, as bench/serve does) against each in turn, alternating
 * the order every round. It prints the API process's CPU time per request (user and system, from
 * /proc/<pid>/stat: every thread of the process, ranking threads included) for each build and round, and
 * the medians.
 *
 *   npx tsx bench/apiAb.ts --build before=/path/to/old/checkout --build after=. [--operation product|recommend]
 *                          [--rounds 6] [--seconds 8] [--warm-up 10] [--clients 32]
 *                          [--products 2000 --users 1000 --events 20000] [--ranker popularity|fused --epochs 3]
 *                          [--json results.json] [--cpu-prof-dir DIR]
 *
 * CPU per request is far steadier than requests/s on a shared machine: other work slows every build's
 * requests alike, while the CPU a request costs moves little. Alternating the order spreads a busy spell
 * over both builds. The builds share the node_modules of the checkout they resolve from, so a difference
 * is the builds' own code. Every build's API runs with the same environment (LOG_LEVEL=warn, no rate
 * limit) and migrates nothing that the newest did not (migrations only add).
 *
 * Its Neo4j lives in .neo4j/bench-ab on port KGREC_BENCH_AB_NEO4J_PORT (default 7691).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { Graph } from '../src/graph/graph.js';
import { startLocalServer, stopLocalServer, wipeLocalData } from '../src/graph/localServer.js';
import { loadMigrations, migrate } from '../src/graph/migrations.js';
import { ingestFiles } from '../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../src/jobs/loadShop.js';
import { runTrainingJob } from '../src/jobs/train.js';
import { activateModel } from '../src/kge/modelStore.js';
import { benchNeo4jOptions, machine, median, processCpuSeconds } from './benchServer.js';
import { post, type LoadJob, type RunResult } from './loadClient.js';

const { values } = parseArgs({
  options: {
    build: { type: 'string', multiple: true, default: [] },
    operation: { type: 'string', default: 'product' },
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '8' },
    'warm-up': { type: 'string', default: '10' },
    clients: { type: 'string', default: '32' },
    products: { type: 'string', default: '2000' },
    users: { type: 'string', default: '1000' },
    events: { type: 'string', default: '20000' },
    ranker: { type: 'string', default: 'popularity' },
    epochs: { type: 'string', default: '3' },
    json: { type: 'string' },
    // Writes a V8 CPU profile of each API process (the whole run, warm-up included) into this folder.
    'cpu-prof-dir': { type: 'string' },
  },
});

interface Build {
  name: string;
  /** A checkout whose dist/cli/main.js is built. */
  dir: string;
}

const builds: Build[] = (values.build ?? []).map((spec) => {
  const [name, dir] = spec.split('=');
  if (!name || !dir) throw new Error(`--build: expected name=/path/to/checkout, got "${spec}"`);
  return { name, dir: path.resolve(dir) };
});
if (builds.length < 2) throw new Error('--build: give at least two builds (name=/path/to/checkout)');
const clients = Number(values.clients);
const shop = { products: Number(values.products), users: Number(values.users), events: Number(values.events), seed: 42 };
const neo4jOptions = benchNeo4jOptions('bench-ab', Number(process.env.KGREC_BENCH_AB_NEO4J_PORT ?? 7691));

const PRODUCT = 'query ($id: ID!) { product(id: $id) { id title price category { name } brand { name } } }';
const RECOMMEND = `query ($userId: ID!) { recommend(userId: $userId, first: 10) {
  items { score reasons { text } product { id title price category { name } brand { name } } } } }`;
/** Distinct request bodies, cycled by the load generator. */
const LOAD_BODIES = 10_000;

interface RunningApi {
  build: Build;
  port: number;
  process: ChildProcess;
}

/** Starts `kgrec serve` of a build on a free port and waits for the URL it prints. */
function startApi(build: Build, env: NodeJS.ProcessEnv): Promise<RunningApi> {
  const profiling = values['cpu-prof-dir'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof-dir'], '--cpu-prof-name', `${build.name}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profiling, path.join(build.dir, 'dist', 'cli', 'main.js'), 'serve', '--port', '0'], {
    cwd: build.dir,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let printed = '';
    child.once('exit', (code) => reject(new Error(`${build.name}: kgrec serve exited (code ${code}) before listening`)));
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      const port = /kgrec API at http:\/\/[^:]+:(\d+)\//.exec(printed)?.[1];
      if (port) resolve({ build, port: Number(port), process: child });
    });
  });
}

/** One closed-loop run through the load generator process, with the API process's CPU time around it. */
async function measure(loader: ChildProcess, api: RunningApi, durationMs: number, bodies?: string[]): Promise<RunResult & { apiCpuUsPerRequest: number }> {
  const pid = api.process.pid as number;
  const before = processCpuSeconds(pid);
  const result = await new Promise<RunResult>((resolve, reject) => {
    loader.once('message', (message) => {
      loader.off('error', reject);
      resolve(message as RunResult);
    });
    loader.once('error', reject);
    const job: LoadJob = { port: api.port, clients, durationMs, generator: 'autocannon', ...(bodies ? { bodies } : {}) };
    loader.send(job);
  });
  const cpuSeconds = processCpuSeconds(pid) - before;
  return { ...result, apiCpuUsPerRequest: (cpuSeconds * 1e6) / Math.max(1, result.requests) };
}

/** Loads the demo shop, and with `--ranker fused` trains and activates a model; returns the models folder. */
async function loadShop(graph: Graph, config: ReturnType<typeof loadConfig>, scratch: string): Promise<string> {
  await migrate(graph, loadMigrations(undefined, { EMBEDDING_DIMENSION: config.embeddingDimension }));
  const { files } = await writeDemoShopFiles(path.join(scratch, 'shop'), shop);
  for (const kind of LOAD_ORDER) {
    await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: config.ingestBatchSize, relationTypes: config.relationTypes });
  }
  const modelsDir = path.join(scratch, 'models');
  if (values.ranker === 'fused') {
    const trained = await runTrainingJob({ source: { kind: 'graph', graph, config }, hyperparameters: [{ epochs: Number(values.epochs), workers: 2 }], modelsDir, evalEvery: 0 });
    await activateModel(modelsDir, trained.version);
  }
  return modelsDir;
}

/** The request bodies of the chosen operation: products and users of the loaded shop. */
async function requestBodies(port: number): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true });
  const answer = await post(agent, port, JSON.stringify({ query: '{ products(first: 100) { nodes { id } } }' }));
  agent.destroy();
  const ids = (JSON.parse(answer.text) as { data: { products: { nodes: Array<{ id: string }> } } }).data.products.nodes.map((node) => node.id);
  const user = (i: number) => `u-${String((i % shop.users) + 1).padStart(4, '0')}`;
  if (values.operation === 'recommend') return Array.from({ length: LOAD_BODIES }, (_, i) => JSON.stringify({ query: RECOMMEND, variables: { userId: user(i) } }));
  if (values.operation !== 'product') throw new Error(`--operation: expected product or recommend, got ${values.operation}`);
  return Array.from({ length: LOAD_BODIES }, (_, i) => JSON.stringify({ query: PRODUCT, variables: { id: ids[i % ids.length] } }));
}

/** Warms every API up, then runs the rounds, each build once per round, the order reversed every round. */
async function compare(apis: RunningApi[]): Promise<Map<string, number[]>> {
  const loader = fork(fileURLToPath(new URL('./loadClient.ts', import.meta.url)), { execArgv: process.execArgv });
  try {
    const bodies = await requestBodies(apis[0]?.port as number);
    let first = true;
    for (const api of apis) {
      const warm = await measure(loader, api, Number(values['warm-up']) * 1000, first ? bodies : undefined);
      first = false;
      console.error(`${api.build.name} warm-up: ${warm.requests} requests, ${warm.errors} errors, not counted`);
    }
    const perBuild = new Map(apis.map((api) => [api.build.name, [] as number[]]));
    for (let round = 1; round <= Number(values.rounds); round += 1) {
      const order = round % 2 === 1 ? apis : [...apis].reverse();
      for (const api of order) {
        const run = await measure(loader, api, Number(values.seconds) * 1000);
        perBuild.get(api.build.name)?.push(run.apiCpuUsPerRequest);
        console.log(`round ${round} ${api.build.name}: ${run.apiCpuUsPerRequest.toFixed(1)} µs API CPU per request, ${run.requestsPerSecond.toFixed(0)} req/s, ${run.errors} errors of ${run.requests}`);
      }
    }
    return perBuild;
  } finally {
    loader.kill();
  }
}

async function main(): Promise<void> {
  await stopLocalServer(neo4jOptions);
  wipeLocalData(neo4jOptions.home);
  await startLocalServer(neo4jOptions);
  const uri = `bolt://127.0.0.1:${neo4jOptions.port}`;
  const config = loadConfig({ ...process.env, NEO4J_URI: uri, NEO4J_PASSWORD: neo4jOptions.password });
  const graph = Graph.open(config);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'kgrec-bench-ab-'));
  const apis: RunningApi[] = [];
  try {
    const modelsDir = await loadShop(graph, config, scratch);
    const env = { ...process.env, NEO4J_URI: uri, NEO4J_PASSWORD: neo4jOptions.password, KGREC_HOME: path.join(scratch, 'home'), KGREC_MODELS_DIR: modelsDir, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    for (const build of builds) apis.push(await startApi(build, env));
    const perBuild = await compare(apis);
    const summary = Object.fromEntries([...perBuild].map(([name, figures]) => [name, { medianUs: Number(median(figures).toFixed(1)), rounds: figures.map((us) => Number(us.toFixed(1))) }]));
    for (const [name, figures] of Object.entries(summary)) console.log(`${name}: median ${figures.medianUs} µs API CPU per ${values.operation} request (rounds: ${figures.rounds.join(', ')})`);
    console.log(`machine: ${machine()}, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ machine: machine(), operation: values.operation, clients, shop, builds, summary }, null, 2));
  } finally {
    // Each API stops gracefully (and writes its profile) before the Neo4j under it goes.
    await Promise.all(apis.map((api) => new Promise((resolve) => {
      api.process.once('exit', resolve);
      api.process.kill('SIGTERM');
    })));
    await graph.close();
    await stopLocalServer(neo4jOptions);
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
