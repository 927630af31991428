/**
 * Soak of the GraphQL API: `recommend` and `search` at a fixed rate (open loop) for many minutes, with
 * hostile requests mixed in, against a `kgrec serve` equivalent over the demo shop. It prints p50/p90/p99
 * and the API's heap minute by minute, flags minutes whose p99 passes the threshold, writes every request
 * to a JSON file under bench/results/, and exits 0 whatever it measured (a benchmark never fails a build).
 *
 *   npx tsx bench/soak.ts [--minutes 30] [--rate 500] [--hostile-share 0.05] [--event-share 0 [--event-batch 5]] [--retrain-first [--retrain-epochs 30]]
 *                         [--clients 64] [--warm-up 20] [--flag-p99 30] [--api-trains-in-process]
 *                         [--products 5000 --users 2000 --events 200000] [--epochs 10] [--seed 1] [--out FILE]
 *                         [--hostile-kinds alias-bomb,cost-bomb,invalid-id,malformed-json,huge-body,replayed-events] [--timeout-ms 10000]
 *                         [--api-node-flags "--max-semi-space-size=64"]
 *
 * Hostile requests (a share `--hostile-share` of all, the kinds in equal parts): alias bombs (200 aliased
 * `recommend`s), cost bombs (wide and deep nesting, `first: 1000`), invalid ids and variables, malformed
 * JSON, bodies above the API's size limit, and `recordEvents` retries of one same batch. The bench only
 * counts how each kind was answered (ok, refused with which code, failed); it relies on no particular
 * code, so it runs whatever limits the API has. A request unanswered `--timeout-ms` after it was due counts
 * as failed (TIMEOUT; BACKLOG when it could not even be sent by then), so an API that the bombs overload
 * still gives a soak of `--minutes` minutes, its latencies capped at the timeout.
 *
 * The parts run in processes of their own: the API (bench/soakApi.ts), the load (bench/soakLoad.ts), the
 * first model's training (a training job, as `kgrec start` trains), and this one, which sets up and
 * reports. `--retrain-first` starts a retraining through the API (startRetraining) before the soak: it
 * trains in its own process meanwhile, so the minutes show whether serving feels it.
 * `--api-trains-in-process` makes the API process train the first model on its own thread and heap before
 * serving (as `kgrec start` once did): the A/B for a process that trained against one that never did.
 *
 * `--event-share` sends that share of the requests as `recordEvents` batches of `--event-batch` new events
 * dated now (views, clicks, carts, purchases; popular products more often), as shop frontends send
 * behaviour back: the ranker's reloads then have behaviour to take in. They are reported as their own
 * kind (`record-events`), apart from the reads' figures.
 *
 * Traffic starts once the API's `GET /ready` answers 200, as a load balancer would send it, then
 * `--warm-up` seconds go uncounted.
 *
 * The API process runs with `--api-node-flags`, by default the V8 flag the deployment guide recommends for
 * `kgrec serve` (docs/guides/deploy.md: 64 MiB semi-spaces for the thread serving HTTP; its ranking threads
 * get theirs in code); `--api-node-flags ""` runs it with Node's defaults.
 *
 * Its Neo4j lives in .neo4j/bench-soak on port KGREC_BENCH_SOAK_NEO4J_PORT (default 7696), apart from the
 * other benchmarks'. On a machine shared with other work, the figures carry that work's noise.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hashToken } from '../src/api/auth.js';
import { loadConfig } from '../src/config.js';
import { Graph } from '../src/graph/graph.js';
import { localServerStatus, startLocalServer, stopLocalServer, wipeLocalData } from '../src/graph/localServer.js';
import { loadMigrations, migrate } from '../src/graph/migrations.js';
import { ingestFiles } from '../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../src/jobs/loadShop.js';
import { TrainingJobs } from '../src/jobs/trainingJobs.js';
import { activateModel } from '../src/kge/modelStore.js';
import { benchNeo4jOptions, machine, median, processCpuSeconds } from './benchServer.js';
import { post } from './loadClient.js';
import type { ApiMemory, ApiMessage } from './soakApi.js';
import { collectTimeline, logTail, minuteEvents, neo4jEvents, type TimelineEvent } from './soakTimeline.js';
import { HOSTILE_KINDS, KINDS, OUTCOMES, WRITE_KINDS, type HostileKind, type KindSummary, type MinuteResult, type SoakJob } from './soakLoad.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '500' },
    'hostile-share': { type: 'string', default: '0.05' },
    'event-share': { type: 'string', default: '0' },
    'event-batch': { type: 'string', default: '5' },
    'retrain-first': { type: 'boolean', default: false },
    'retrain-epochs': { type: 'string', default: '30' },
    clients: { type: 'string', default: '64' },
    'warm-up': { type: 'string', default: '20' },
    'flag-p99': { type: 'string', default: '30' },
    'api-trains-in-process': { type: 'boolean', default: false },
    products: { type: 'string', default: '5000' },
    users: { type: 'string', default: '2000' },
    events: { type: 'string', default: '200000' },
    epochs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    'hostile-kinds': { type: 'string', default: HOSTILE_KINDS.join(',') },
    'timeout-ms': { type: 'string', default: '10000' },
    'api-node-flags': { type: 'string', default: '--max-semi-space-size=64' },
    out: { type: 'string' },
  },
});

/** A numeric option, checked: the error names the option and what it expected. */
function numberOption(name: keyof typeof values, min: number, max: number, integer = true): number {
  const raw = String(values[name]);
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

const options = {
  minutes: numberOption('minutes', 1, 24 * 60),
  rate: numberOption('rate', 1, 20_000),
  hostileShare: numberOption('hostile-share', 0, 1, false),
  eventShare: numberOption('event-share', 0, 1, false),
  eventBatch: numberOption('event-batch', 1, 100),
  retrainFirst: values['retrain-first'] ?? false,
  retrainEpochs: numberOption('retrain-epochs', 1, 100_000),
  clients: numberOption('clients', 1, 1_024),
  warmUpSeconds: numberOption('warm-up', 0, 3_600),
  flagP99Ms: numberOption('flag-p99', 0, 60_000, false),
  apiTrainsInProcess: values['api-trains-in-process'] ?? false,
  epochs: numberOption('epochs', 1, 100_000),
  seed: numberOption('seed', 0, 2 ** 31),
  hostileKinds: hostileKindsOption(String(values['hostile-kinds'])),
  timeoutMs: numberOption('timeout-ms', 100, 600_000),
  apiNodeFlags: String(values['api-node-flags']).split(/\s+/).filter(Boolean),
};

function hostileKindsOption(raw: string): HostileKind[] {
  const kinds = raw.split(',').map((kind) => kind.trim()).filter(Boolean);
  const unknown = kinds.filter((kind) => !(HOSTILE_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw new Error(`--hostile-kinds: unknown kind ${unknown.join(', ')}; expected some of ${HOSTILE_KINDS.join(', ')}`);
  return kinds as HostileKind[];
}
const shop = { products: numberOption('products', 10, 1_000_000), users: numberOption('users', 10, 1_000_000), events: numberOption('events', 100, 100_000_000), seed: 42 };
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const outFile = values.out ?? path.join(RESULTS_DIR, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
/** The API's default body limit is 1 MiB: twice that is refused whatever it is set to, up to 2 MiB. */
const HUGE_BODY_BYTES = 2 * 1024 * 1024;

const neo4jOptions = benchNeo4jOptions('bench-soak', Number(process.env.KGREC_BENCH_SOAK_NEO4J_PORT ?? 7696));
const log = (message: string) => console.error(message);
const scratch: string[] = [];
const scratchDir = (prefix: string): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};

/** The next message of `type` from a child, or an error if it exits first. */
function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`${path.basename(String(child.spawnfile))} exited (code ${code}) before sending ${type}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function gql<T>(agent: http.Agent, port: number, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const body = JSON.stringify({ query, variables });
  if (!token) return JSON.parse((await post(agent, port, body)).text) as T;
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  return (await response.json()) as T;
}

/** Waits (up to a minute) until Neo4j's own background work after the load has settled: it would be charged to the first minute. */
/** GET /ready answered 200. */
function apiReady(agent: http.Agent, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    http.get({ agent, port, host: '127.0.0.1', path: '/ready' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    }).on('error', reject);
  });
}

/** Every product id of the shop, most popular first (the events' skew then follows popularity). */
async function catalogueIds(): Promise<string[]> {
  const rows = await graph.read<{ id: string }>('MATCH (p:Product) RETURN p.id AS id ORDER BY COUNT { (p)<-[:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]-() } DESC, p.id');
  return rows.map((row) => row.id);
}

async function neo4jSettled(): Promise<void> {
  const pid = localServerStatus(neo4jOptions).pid;
  if (pid === null) return;
  for (let waited = 0; waited < 60; waited += 5) {
    const before = processCpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const busy = (processCpuSeconds(pid) - before) / 5;
    log(`Neo4j idle CPU: ${(100 * busy).toFixed(0)} % of a core`);
    if (busy < 0.05) return;
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const count = (value: number) => value.toLocaleString('en-US');

interface TrainingState {
  status: string;
  epoch: number;
  totalEpochs: number;
  pid: number;
}

interface MinuteRecord extends Omit<MinuteResult, 'type' | 'rows'> {
  memory: Omit<ApiMemory, 'type'>;
  training: TrainingState | null;
  flagged: boolean;
  /** CPU each process used since the previous report, in % of one core (all its threads). */
  cpuPercent: Record<string, number>;
  /** The API's stalls, long GC pauses and reloads in this minute (bench/soakTimeline.ts). */
  events: string[];
}

function hostileTotals(minute: Pick<MinuteResult, 'byKind'>): { requests: number; ok: number; refused: number; failed: number } {
  const totals = { requests: 0, ok: 0, refused: 0, failed: 0 };
  for (const kind of HOSTILE_KINDS) {
    const summary = minute.byKind[kind];
    if (!summary) continue;
    totals.requests += summary.requests;
    totals.ok += summary.ok;
    totals.refused += summary.refused;
    totals.failed += summary.failed;
  }
  return totals;
}

/**
 * CPU of the processes that share the cores, between two calls: the API, Neo4j and the load generator
 * compete for them, and a minute's latency reads differently when one of them took more than its share.
 */
function cpuMeter(pids: Record<string, number | null>): () => Record<string, number> {
  const machine = machineTicks();
  const seconds = (pid: number | null) => {
    try {
      return pid === null ? Number.NaN : processCpuSeconds(pid);
    } catch {
      return Number.NaN; // the process has gone
    }
  };
  let last = { at: performance.now(), cpu: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, seconds(pid)])) };
  return () => {
    const now = { at: performance.now(), cpu: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, seconds(pid)])) };
    const wall = (now.at - last.at) / 1000;
    const percent = Object.fromEntries(Object.entries(now.cpu).map(([name, cpu]) => [name, Math.round((100 * (cpu - (last.cpu[name] ?? Number.NaN))) / wall)]));
    last = now;
    return { ...percent, ...machine() };
  };
}

/**
 * The machine's busy and stolen time since the previous call, in % of one core (from /proc/stat): the
 * same work taking more CPU in one minute than in another, with steal, is the host's doing.
 */
function machineTicks(): () => { machine: number; steal: number } {
  const read = () => {
    try {
      const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
      return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
    } catch {
      return null; // not Linux
    }
  };
  let last = read();
  return () => {
    const now = read();
    if (!now || !last) return { machine: Number.NaN, steal: Number.NaN };
    const total = now.busy + now.idle + now.steal - (last.busy + last.idle + last.steal);
    const cores = os.cpus().length;
    const share = (ticks: number) => (total > 0 ? Math.round((100 * cores * ticks) / total) : Number.NaN);
    const figures = { machine: share(now.busy - last.busy), steal: share(now.steal - last.steal) };
    last = now;
    return figures;
  };
}

const cpuPart = (percent: Record<string, number>): string =>
  ` | CPU % of a core: ${Object.entries(percent).map(([name, value]) => `${name} ${Number.isNaN(value) ? '?' : value}`).join(', ')}`;

/** The `count` slowest seconds of a minute, as "s12 140 ms". */
function slowestSeconds(slowestPerSecond: readonly number[], count: number): string {
  return [...slowestPerSecond.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([second, latency]) => `s${second} ${latency} ms`).join(', ');
}

/** One minute's line: latency of recommend and search, the hostile requests, and the API's memory and pauses. */
function minuteLine(result: MinuteResult, apiMemory: Omit<ApiMemory, 'type'>): string {
  const hostile = hostileTotals(result);
  const legit = result.legit;
  const gc = apiMemory.gcCounts;
  return (
    `recommend+search ${count(legit.requests)} req, p50 ${ms(legit.p50Ms)}, p90 ${ms(legit.p90Ms)}, p99 ${ms(legit.p99Ms)}, max ${ms(legit.maxMs)}, ${legit.refused + legit.failed} errors` +
    ` | hostile ${count(hostile.requests)}: ${count(hostile.refused)} refused, ${count(hostile.ok)} answered, ${count(hostile.failed)} failed` +
    eventsPart(result.byKind['record-events']) +
    ` | API heap ${apiMemory.heapUsedMiB} MiB (old space ${apiMemory.oldSpaceMiB}), external ${apiMemory.externalMiB} MiB, RSS ${apiMemory.rssMiB} MiB` +
    ` | event loop delay p99 ${ms(apiMemory.loopDelayP99Ms)}, max ${ms(apiMemory.loopDelayMaxMs)}; GC pauses max ${ms(apiMemory.gcPauseMaxMs)}, ${apiMemory.gcPauseTotalMs} ms in all (${gc.minor} minor, ${gc.major} major, ${gc.other} other)`
  );
}

/** The minute's recordEvents batches, when the soak sends them. */
function eventsPart(events: KindSummary | undefined): string {
  if (!events || events.requests === 0) return '';
  return ` | recordEvents ${count(events.requests)}: p99 ${ms(events.p99Ms)}, ${events.refused + events.failed} errors`;
}

/** Least-squares slope of `values` per step (MiB per minute for a minute's memory figures); 0 for fewer than two. */
function slopePerStep(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  values.forEach((value, x) => {
    covariance += (x - meanX) * (value - meanY);
    variance += (x - meanX) ** 2;
  });
  return covariance / variance;
}

await stopLocalServer(neo4jOptions);
wipeLocalData(neo4jOptions.home);
await startLocalServer(neo4jOptions);
const neo4jEnv = { NEO4J_URI: `bolt://127.0.0.1:${neo4jOptions.port}`, NEO4J_PASSWORD: neo4jOptions.password };
const config = loadConfig({ ...process.env, ...neo4jEnv });
const graph = Graph.open(config);
let api: ChildProcess | undefined;
const timeline: TimelineEvent[] = [];
let retrainingPid: number | null = null;
try {
  await graph.verify();
  await migrate(graph, loadMigrations(undefined, { EMBEDDING_DIMENSION: config.embeddingDimension }));
  const loadStarted = performance.now();
  const { files } = await writeDemoShopFiles(scratchDir('kgrec-bench-soak-'), shop);
  for (const kind of LOAD_ORDER) {
    await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: config.ingestBatchSize, relationTypes: config.relationTypes });
  }
  log(`demo shop loaded (${count(shop.products)} products, ${count(shop.users)} users, ${count(shop.events)} events) in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`);

  const modelsDir = scratchDir('kgrec-bench-soak-models-');
  if (!options.apiTrainsInProcess) {
    // As `kgrec start` trains its first model: in a process of its own.
    const jobs = new TrainingJobs({ config, modelsDir, workers: 2 });
    const started = await jobs.start({ epochs: options.epochs }, 'bench:soak');
    const done = await jobs.waitFor(started.id);
    if (done.status !== 'succeeded' || !done.modelVersion) throw new Error(`training the first model failed: ${done.error}`);
    await activateModel(modelsDir, done.modelVersion);
    log(`model ${done.modelVersion} trained (${options.epochs} epochs) in process ${done.pid}`);
  }

  const tokens = { frontend: randomBytes(16).toString('hex'), admin: randomBytes(16).toString('hex') };
  api = fork(fileURLToPath(new URL('./soakApi.ts', import.meta.url)), [...(options.apiTrainsInProcess ? ['--train-in-process', '--epochs', String(options.epochs)] : [])], {
    execArgv: [...process.execArgv, ...options.apiNodeFlags],
    env: {
      ...process.env,
      ...neo4jEnv,
      KGREC_MODELS_DIR: modelsDir,
      KGREC_API_TOKENS: JSON.stringify({ [hashToken(tokens.frontend)]: 'frontend', [hashToken(tokens.admin)]: 'admin' }),
      KGREC_API_PUBLIC_READS: 'true',
    },
    // stderr carries the API's timeline (stalls, GC pauses, reloads) as JSON lines; the rest is passed on.
    stdio: ['inherit', 'inherit', 'pipe', 'ipc'],
  });
  if (api.stderr) collectTimeline(api.stderr, timeline, (line) => process.stderr.write(`${line}\n`));
  const ready = await nextMessage<Extract<ApiMessage, { type: 'ready' }>>(api, 'ready');
  const apiProcess = api;
  const memory = async (): Promise<Omit<ApiMemory, 'type'>> => {
    const reply = nextMessage<ApiMemory>(apiProcess, 'memory');
    apiProcess.send({ type: 'memory' });
    const { type: _type, ...rest } = await reply;
    return rest;
  };
  log(`API process ${ready.pid} serving on port ${ready.port}${ready.trainedInProcess ? ', after training the first model in that process' : ' (it never trained)'}, Node flags: ${options.apiNodeFlags.join(' ') || 'none'}`);

  const agent = new http.Agent({ keepAlive: true });
  // As a load balancer would: no traffic before `/ready` (the ranker's first state is loaded).
  const readySince = performance.now();
  while (!(await apiReady(agent, ready.port))) {
    if (performance.now() - readySince > 300_000) throw new Error('the API was not ready (GET /ready) within 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log(`API ready for traffic (GET /ready) ${((performance.now() - readySince) / 1000).toFixed(1)} s after it listened`);
  const titles = await gql<{ data: { products: { nodes: Array<{ id: string; title: string }> } } }>(agent, ready.port, '{ products(first: 100) { nodes { id title } } }');
  const nodes = titles.data.products.nodes;
  await neo4jSettled();

  let retraining: { id: string; pid: number } | null = null;
  const TRAINING_FIELDS = 'id status pid progress { epoch totalEpochs }';
  if (options.retrainFirst) {
    const started = await gql<{ data?: { startRetraining: { id: string; pid: number } }; errors?: unknown[] }>(
      agent, ready.port, `mutation ($epochs: Int) { startRetraining(options: { epochs: $epochs }) { ${TRAINING_FIELDS} } }`, { epochs: options.retrainEpochs }, tokens.admin,
    );
    if (!started.data) throw new Error(`startRetraining failed: ${JSON.stringify(started.errors)}`);
    retraining = started.data.startRetraining;
    retrainingPid = retraining.pid;
    log(`retraining job ${retraining.id} started through the API: it trains in process ${retraining.pid}, the API is process ${ready.pid}`);
  }
  const trainingState = async (): Promise<TrainingState | null> => {
    if (!retraining) return null;
    const response = await gql<{ data: { trainingJob: { status: string; pid: number; progress: { epoch: number; totalEpochs: number } } } }>(
      agent, ready.port, `query ($id: ID!) { trainingJob(id: $id) { ${TRAINING_FIELDS} } }`, { id: retraining.id }, tokens.admin,
    );
    const job = response.data.trainingJob;
    return { status: job.status, pid: job.pid, epoch: job.progress.epoch, totalEpochs: job.progress.totalEpochs };
  };

  const soakJob: SoakJob = {
    port: ready.port,
    rate: options.rate,
    minutes: options.minutes,
    warmUpSeconds: options.warmUpSeconds,
    hostileShare: options.hostileShare,
    clients: options.clients,
    seed: options.seed,
    userIds: Array.from({ length: shop.users }, (_, i) => `u-${String(i + 1).padStart(4, '0')}`),
    // Two words of real titles (brand and kind): realistic queries with matches.
    queries: nodes.map((node) => node.title.split(' ').slice(0, 2).join(' ')),
    productIds: nodes.map((node) => node.id),
    eventShare: options.eventShare,
    eventBatch: options.eventBatch,
    catalogueIds: await catalogueIds(),
    frontendToken: tokens.frontend,
    hugeBodyBytes: HUGE_BODY_BYTES,
    hostileKinds: options.hostileKinds,
    timeoutMs: options.timeoutMs,
  };
  const events = options.eventShare > 0 ? `, ${(options.eventShare * 100).toFixed(1)} % recordEvents of ${options.eventBatch} new events` : '';
  log(`soak: ${options.minutes} min at ${options.rate} req/s open loop (${(options.hostileShare * 100).toFixed(1)} % hostile: ${options.hostileKinds.join(', ') || 'none'}${events}; ${options.timeoutMs} ms timeout) after ${options.warmUpSeconds} s of warm-up not counted; minutes with p99 > ${options.flagP99Ms} ms are flagged`);
  const load = fork(fileURLToPath(new URL('./soakLoad.ts', import.meta.url)), { execArgv: process.execArgv });
  const minutes: MinuteRecord[] = [];
  const raw: MinuteResult['rows'][] = [];
  const beforeSoak = await memory();
  log(`API memory before the soak: heap ${beforeSoak.heapUsedMiB} MiB used of ${beforeSoak.heapTotalMiB} (old space ${beforeSoak.oldSpaceMiB}), external ${beforeSoak.externalMiB} MiB, RSS ${beforeSoak.rssMiB} MiB`);
  // Minutes are reported one after another, in order, even though the API answers their questions asynchronously.
  let reporting = Promise.resolve();
  let warmUp: (Omit<MinuteResult, 'type' | 'rows'> & { memory: Omit<ApiMemory, 'type'> }) | null = null;
  // Neo4j's checkpoints and pauses join the timeline as its debug log reports them.
  const neo4jLog = logTail(path.join(neo4jOptions.home, 'logs', 'debug.log'));
  const cpu = cpuMeter({ api: ready.pid, neo4j: localServerStatus(neo4jOptions).pid, load: load.pid ?? null, soak: process.pid });
  load.on('message', (message: { type: string }) => {
    // The generator's own stalls join the API's on the timeline, before the minute they fall in is reported.
    if (message.type === 'timeline') timeline.push((message as { type: string; event: TimelineEvent }).event);
    if (message.type !== 'minute') return;
    const result = message as MinuteResult;
    reporting = reporting.then(async () => {
      const cpuPercent = cpu();
      const [apiMemory, training] = await Promise.all([memory(), trainingState().catch(() => null)]);
      const { type: _type, rows, ...figures } = result;
      if (result.minute === 0) {
        // The warm-up: JIT, caches and connections reach their steady state. Shown, never counted.
        warmUp = { ...figures, memory: apiMemory };
        console.log(`warm-up (${options.warmUpSeconds} s, not counted): ${minuteLine(result, apiMemory)}${cpuPart(cpuPercent)}`);
        return;
      }
      const flagged = result.legit.p99Ms > options.flagP99Ms;
      timeline.push(...neo4jEvents(neo4jLog()));
      const events = minuteEvents(timeline, result.startedAtMs);
      minutes.push({ ...figures, memory: apiMemory, training, flagged, events, cpuPercent });
      raw.push(rows);
      console.log(
        `minute ${result.minute}: ${minuteLine(result, apiMemory)}${cpuPart(cpuPercent)}` +
          (training ? ` | retraining ${training.status.toLowerCase()} ${training.epoch}/${training.totalEpochs} in pid ${training.pid}` : '') +
          (flagged ? `  <-- p99 above ${options.flagP99Ms} ms` : ''),
      );
      // Where a minute was slow: its slowest seconds beside what the API's threads did then.
      if (flagged || events.length > 0) console.log(`  slowest seconds: ${slowestSeconds(result.slowestPerSecond, 3)}; timeline: ${events.join('; ') || 'nothing over the thresholds'}`);
    });
  });
  const finished = nextMessage(load, 'done');
  load.send(soakJob);
  await finished;
  await reporting;
  load.kill();
  agent.destroy();

  // The summary: what a reader of the last screen needs.
  const totals = Object.fromEntries(
    KINDS.map((kind) => {
      const perMinute = minutes.map((minute) => minute.byKind[kind]).filter((summary): summary is KindSummary => summary !== undefined);
      const codes: Record<string, number> = {};
      for (const summary of perMinute) for (const [code, n] of Object.entries(summary.codes)) codes[code] = (codes[code] ?? 0) + n;
      const sum = (key: 'requests' | 'ok' | 'refused' | 'failed') => perMinute.reduce((total, summary) => total + summary[key], 0);
      return [kind, { requests: sum('requests'), ok: sum('ok'), refused: sum('refused'), failed: sum('failed'), codes, worstP99Ms: Math.max(0, ...perMinute.map((summary) => summary.p99Ms)) }];
    }),
  );
  const p99s = minutes.map((minute) => minute.legit.p99Ms);
  const flagged = minutes.filter((minute) => minute.flagged).map((minute) => minute.minute);
  const summary = {
    minutes: minutes.length,
    legitRequests: minutes.reduce((total, minute) => total + minute.legit.requests, 0),
    legitErrors: minutes.reduce((total, minute) => total + minute.legit.refused + minute.legit.failed, 0),
    p99MedianMs: median(p99s),
    p99WorstMs: Math.max(...p99s),
    p90MedianMs: median(minutes.map((minute) => minute.legit.p90Ms)),
    p50MedianMs: median(minutes.map((minute) => minute.legit.p50Ms)),
    flaggedMinutes: flagged,
    heapUsedMiB: { beforeSoak: beforeSoak.heapUsedMiB, firstMinute: minutes[0]?.memory.heapUsedMiB ?? null, lastMinute: minutes.at(-1)?.memory.heapUsedMiB ?? null, max: Math.max(...minutes.map((minute) => minute.memory.heapUsedMiB)) },
    rssMiB: { beforeSoak: beforeSoak.rssMiB, firstMinute: minutes[0]?.memory.rssMiB ?? null, lastMinute: minutes.at(-1)?.memory.rssMiB ?? null, max: Math.max(...minutes.map((minute) => minute.memory.rssMiB)) },
    // Growth per minute over the measured minutes (least squares): a leak shows as a steady slope, a warm-up as a step.
    rssSlopeMiBPerMinute: Math.round(slopePerStep(minutes.map((minute) => minute.memory.rssMiB)) * 10) / 10,
    heapSlopeMiBPerMinute: Math.round(slopePerStep(minutes.map((minute) => minute.memory.heapUsedMiB)) * 10) / 10,
    gcPauseMaxMs: Math.max(0, ...minutes.map((minute) => minute.memory.gcPauseMaxMs)),
    loopDelayMaxMs: Math.max(0, ...minutes.map((minute) => minute.memory.loopDelayMaxMs)),
    passed: flagged.length === 0 && minutes.length === options.minutes,
    warmUp,
    byKind: totals,
    retraining: retraining ? { id: retraining.id, pid: retraining.pid, apiPid: ready.pid, final: await trainingState().catch(() => null) } : null,
  };
  console.log('');
  console.log(`summary: ${summary.minutes} min at ${options.rate} req/s, ${(options.hostileShare * 100).toFixed(1)} % hostile; API ${ready.trainedInProcess ? 'trained the first model in process' : 'never trained'}${options.retrainFirst ? '; a retraining ran in its own process meanwhile' : ''}`);
  console.log(`  recommend+search: ${count(summary.legitRequests)} requests, ${count(summary.legitErrors)} errors; per-minute p99 median ${ms(summary.p99MedianMs)}, worst ${ms(summary.p99WorstMs)}; p90 median ${ms(summary.p90MedianMs)}; p50 median ${ms(summary.p50MedianMs)}`);
  console.log(`  minutes with p99 > ${options.flagP99Ms} ms: ${flagged.length === 0 ? 'none' : flagged.join(', ')}`);
  for (const kind of [...HOSTILE_KINDS, ...WRITE_KINDS]) {
    const total = totals[kind];
    if (!total || total.requests === 0) continue;
    const codes = Object.entries(total.codes).map(([code, n]) => `${code} ${count(n)}`).join(', ');
    console.log(`  ${kind}: ${count(total.requests)} sent, ${count(total.refused)} refused, ${count(total.ok)} answered, ${count(total.failed)} failed${codes ? ` (${codes})` : ''}; worst minute p99 ${ms(total.worstP99Ms)}`);
  }
  console.log(`  API heap used: ${summary.heapUsedMiB.beforeSoak} MiB before, ${summary.heapUsedMiB.firstMinute} after minute 1, ${summary.heapUsedMiB.lastMinute} after the last, ${summary.heapUsedMiB.max} at most (${summary.heapSlopeMiBPerMinute} MiB per minute)`);
  console.log(`  API RSS: ${summary.rssMiB.beforeSoak} MiB before, ${summary.rssMiB.firstMinute} after minute 1, ${summary.rssMiB.lastMinute} after the last, ${summary.rssMiB.max} at most (${summary.rssSlopeMiBPerMinute} MiB per minute); longest GC pause ${ms(summary.gcPauseMaxMs)}, longest event loop delay ${ms(summary.loopDelayMaxMs)}`);
  if (summary.retraining) console.log(`  retraining ${summary.retraining.id}: process ${summary.retraining.pid} (API ${summary.retraining.apiPid}), ${summary.retraining.final ? `${summary.retraining.final.status.toLowerCase()} at epoch ${summary.retraining.final.epoch}/${summary.retraining.final.totalEpochs}` : 'state unknown'}`);
  console.log(`  machine: ${machine()}`);
  console.log(
    `${summary.passed ? 'PASS' : 'FAIL'}: p99 ≤ ${options.flagP99Ms} ms in every minute` +
      (summary.passed ? ` (all ${minutes.length}; worst ${ms(summary.p99WorstMs)})` : ` — ${flagged.length} of ${minutes.length} minutes above (${flagged.join(', ') || 'none'})${minutes.length < options.minutes ? `; only ${minutes.length} of ${options.minutes} minutes reported` : ''}`),
  );

  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(
    outFile,
    JSON.stringify({
      bench: 'soak',
      command: `npx tsx bench/soak.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      finishedAt: new Date().toISOString(),
      options,
      shop,
      api: { pid: ready.pid, trainedInProcess: ready.trainedInProcess },
      summary,
      minutes,
      // The API's stalls, long GC pauses and reloads over the whole run, epoch ms (each minute has its startedAtMs).
      timeline,
      // Every measured request, minute by minute: [due ms into the minute, kind, latency ms, HTTP status (0: no answer), outcome].
      raw: { columns: ['dueMs', 'kind', 'latencyMs', 'status', 'outcome'], kinds: KINDS, outcomes: OUTCOMES, minutes: raw },
    }),
  );
  console.log(`  raw results: ${path.relative(process.cwd(), outFile)}`);
} finally {
  if (api && api.exitCode === null) {
    const exited = new Promise((resolve) => api?.once('exit', resolve));
    api.send({ type: 'stop' });
    await exited;
  }
  // A retraining still running would outlive the bench, detached.
  if (retrainingPid !== null) {
    try {
      process.kill(retrainingPid, 'SIGTERM');
    } catch {
      // already finished
    }
  }
  await graph.close();
  await stopLocalServer(neo4jOptions);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
}
