/**
 * Ingestion speed into the local Neo4j: generates the demo shop with `events × runs` events, loads its
 * catalogue, then in each run times loading a new slice of `events` events into the graph the runs before
 * grew (as a shop's behaviour keeps arriving), then the same slice again, when every event already exists.
 * The first run meets a freshly started server, whose Java code is not compiled yet.
 * With --bulk, times `kgrec bulk-load` of the whole shop into an empty database instead (the restart and
 * the indexes included), once per run.
 *
 *   npm run bench:ingest -- [--events 200000] [--runs 8, with --bulk 2] [--batch-size 10000] [--lanes 2] [--grid N] [--bulk]
 *
 * KGREC_NEO4J_JAVA_OPTS reaches the benchmark's server too (another collector, say).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ingestFiles } from '../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../src/jobs/loadShop.js';
import { loadConfig } from '../src/config.js';
import { startLocalServer, stopLocalServer, wipeLocalData } from '../src/graph/localServer.js';
import { bulkLoad } from '../src/jobs/bulkLoad.js';
import { benchNeo4jOptions, machine, median, processCpuSeconds, startBenchGraph } from './benchServer.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    runs: { type: 'string' },
    'batch-size': { type: 'string', default: '10000' },
    lanes: { type: 'string', default: '2' },
    grid: { type: 'string' },
    bulk: { type: 'boolean', default: false },
  },
});
const events = Number(values.events);
// Neo4j compiles its code over the first 200,000–400,000 events: eight runs leave six steady ones.
const runs = Number(values.runs ?? (values.bulk ? 2 : 8));
const batchSize = Number(values['batch-size']);
const writeLanes = Number(values.lanes);
/** Buckets per side of the write grid; unset, ingestFiles' default. */
const writeGrid = values.grid === undefined ? undefined : Number(values.grid);

const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrec-bench-ingest-'));
// The transactional bench loads a new slice of events in each run, into the graph the runs before it grew.
const { files } = await writeDemoShopFiles(dir, { events: values.bulk ? events : events * runs });
try {
  await (values.bulk ? benchBulkLoad() : benchTransactional());
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** `kgrec ingest` of the demo shop's events, new and then again, `runs` times. */
async function benchTransactional(): Promise<void> {
  const { graph, config, pid, stop } = await startBenchGraph();
  try {
    const ingest = (kind: (typeof LOAD_ORDER)[number], kindFiles = files[kind] ?? []) =>
      ingestFiles(graph, { kind, files: kindFiles, batchSize, writeLanes, writeGrid, relationTypes: config.relationTypes });
    for (const kind of ['categories', 'brands', 'products', 'users'] as const) await ingest(kind);

    const slices = splitCsv(files.events?.[0] as string, runs);
    const fresh: number[] = [];
    const repeat: number[] = [];
    /** Share of one core that kgrec itself (parsing, validation, the driver) used while loading new events. */
    const clientCpu: number[] = [];
    /** Neo4j's CPU time per new event, µs, and the cores it used meanwhile. */
    const serverCpu: { micros: number; cores: number }[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const slice = [slices[run - 1] as string];
      const cpuBefore = process.cpuUsage();
      const serverBefore = pid === null ? 0 : processCpuSeconds(pid);
      const first = await ingest('events', slice);
      const cpu = process.cpuUsage(cpuBefore);
      clientCpu.push((cpu.user + cpu.system) / 1e6 / first.seconds);
      const server = pid === null ? 0 : processCpuSeconds(pid) - serverBefore;
      const neo4jCpu = { micros: (server / events) * 1e6, cores: server / first.seconds };
      serverCpu.push(neo4jCpu);
      const second = await ingest('events', slice);
      if (first.written !== events || second.written !== 0) throw new Error(`unexpected counts: ${first.written} then ${second.written}`);
      fresh.push(first.recordsPerSecond);
      repeat.push(second.recordsPerSecond);
      console.log(
        `run ${run}: ${Math.round(first.recordsPerSecond)} new events/s (${first.seconds.toFixed(1)} s; Neo4j ${neo4jCpu.micros.toFixed(1)} µs of CPU an event, ${neo4jCpu.cores.toFixed(2)} cores), ` +
          `${Math.round(second.recordsPerSecond)} events/s when all exist`,
      );
    }
    const result = {
      machine: machine(),
      events,
      batchSize,
      writeLanes,
      writeGrid: writeGrid ?? 'default',
      runs,
      jvmOptions: process.env.KGREC_NEO4J_JAVA_OPTS ?? '',
      /** The first run, on a freshly started server: its Java code is compiled while it runs. */
      firstRunNewEventsPerSecond: Math.round(fresh[0] ?? 0),
      /** The runs after it (all of them when there is only one). */
      newEventsPerSecond: Math.round(median(fresh.length > 1 ? fresh.slice(1) : fresh)),
      newEventsPerSecondByRun: fresh.map(Math.round),
      existingEventsPerSecond: Math.round(median(repeat)),
      clientCpuCores: Number(median(clientCpu).toFixed(2)),
      /** Neo4j's CPU time per new event in the runs after the first, µs (median). */
      serverMicrosPerEvent: Number(median(serverCpu.slice(1).map((s) => s.micros)).toFixed(1)),
      serverCpuCores: Number(median(serverCpu.slice(1).map((s) => s.cores)).toFixed(2)),
    };
    console.log(
      `ingest: ${result.newEventsPerSecond} new events/s once the server is warm (median of runs 2-${runs}), ${result.firstRunNewEventsPerSecond} in the first run after its start; ` +
        `${result.existingEventsPerSecond} events/s re-ingested (median of ${runs}); ${events} events a run into a growing graph, batch ${batchSize}; kgrec itself used ${result.clientCpuCores} of a core, Neo4j ${result.serverCpuCores} cores (${result.serverMicrosPerEvent} µs an event); ${result.machine}`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await stop();
  }
}

/** Splits a CSV file into `parts` files of consecutive rows, each with the header. */
function splitCsv(file: string, parts: number): string[] {
  const [header, ...rows] = readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
  const size = Math.ceil(rows.length / parts);
  return Array.from({ length: parts }, (_, part) => {
    const slice = path.join(dir, `events-${part + 1}.csv`);
    writeFileSync(slice, `${[header, ...rows.slice(part * size, (part + 1) * size)].join('\n')}\n`);
    return slice;
  });
}

/** `kgrec bulk-load` of the whole demo shop into an empty database of the benchmark's own Neo4j, `runs` times. */
async function benchBulkLoad(): Promise<void> {
  const server = benchNeo4jOptions('bench', Number(process.env.KGREC_BENCH_NEO4J_PORT ?? 7689));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KGREC_NEO4J_HOME: server.home,
    KGREC_NEO4J_LIB: server.libDir,
    KGREC_NEO4J_PORT: String(server.port),
    KGREC_NEO4J_HEAP: server.heap,
    KGREC_NEO4J_PAGECACHE: server.pageCache,
    NEO4J_PASSWORD: server.password,
  };
  delete env.NEO4J_URI;
  const config = loadConfig(env);
  const rates: number[] = [];
  try {
    for (let run = 1; run <= runs; run += 1) {
      await stopLocalServer(server);
      wipeLocalData(server.home);
      await startLocalServer(server);
      const summary = await bulkLoad(config, { files, maxRejects: 0, onInfo: (message) => console.error(`[bench neo4j] ${message}`) });
      if (summary.graph.events !== events) throw new Error(`expected ${events} events, the graph holds ${summary.graph.events}`);
      rates.push(summary.eventsPerSecond);
      const t = summary.seconds;
      console.log(
        `run ${run}: ${Math.round(summary.eventsPerSecond)} events/s (${t.total.toFixed(1)} s: reading and validation ${t.reading.toFixed(1)}, ` +
          `import files ${t.writingFiles.toFixed(1)}, import with the restart ${t.importing.toFixed(1)}, constraints and indexes ${t.indexing.toFixed(1)})`,
      );
    }
  } finally {
    await stopLocalServer(server);
  }
  const result = { machine: machine(), mode: 'bulk-load', events, runs, eventsPerSecond: Math.round(median(rates)) };
  console.log(`bulk-load: ${result.eventsPerSecond} events/s (median of ${runs}; ${events} events and the demo catalogue into an empty database; ${result.machine})`);
  console.log(JSON.stringify(result));
}
