import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultNeo4jLib, loadConfig, PROJECT_ROOT, type Config } from '../src/config.js';
import { Graph } from '../src/graph/graph.js';
import { localServerStatus, startLocalServer, stopLocalServer, wipeLocalData, type LocalServerOptions } from '../src/graph/localServer.js';
import { loadMigrations, migrate } from '../src/graph/migrations.js';

/**
 * Benchmarks run against a Neo4j of their own (own folder and port, emptied first), never against the
 * platform's data: they delete and reload freely.
 */
/** A benchmark's own Neo4j: `.neo4j/<folder>` on its own port, the jars shared with the others. */
export function benchNeo4jOptions(folder: string, port: number): LocalServerOptions {
  return {
    home: path.join(PROJECT_ROOT, '.neo4j', folder),
    libDir: process.env.KGREC_NEO4J_LIB ?? defaultNeo4jLib(),
    port,
    password: 'kgrec-bench-password',
    heap: process.env.KGREC_NEO4J_HEAP ?? '768m',
    pageCache: process.env.KGREC_NEO4J_PAGECACHE ?? '512m',
    onInfo: (message) => console.error(`[bench neo4j] ${message}`),
  };
}

/** Starts a benchmark's Neo4j on an emptied store, migrated; `pid` is the server's process, for its CPU time. */
export async function startBenchGraph(
  folder = 'bench',
  port = Number(process.env.KGREC_BENCH_NEO4J_PORT ?? 7689),
  { keepData = false }: { keepData?: boolean } = {},
): Promise<{ graph: Graph; config: Config; pid: number | null; stop: () => Promise<void> }> {
  const options = benchNeo4jOptions(folder, port);
  await stopLocalServer(options);
  if (!keepData) wipeLocalData(options.home);
  await startLocalServer(options);
  const config = loadConfig({ ...process.env, NEO4J_URI: `bolt://127.0.0.1:${options.port}`, NEO4J_PASSWORD: options.password });
  const graph = Graph.open(config);
  await migrate(graph, loadMigrations(undefined, { EMBEDDING_DIMENSION: config.embeddingDimension }));
  return {
    graph,
    config,
    pid: localServerStatus(options).pid,
    stop: async () => {
      await graph.close();
      await stopLocalServer(options);
    },
  };
}

/** CPU seconds (user and system) a process has used, from /proc/PID/stat (Linux). */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime and stime, in ticks of 1/100 s
}

export const machine = (): string => `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
