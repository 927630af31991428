/**
 * Write cost of the exposure log: ServedList nodes of 10 products written in UNWIND batches of the API's
 * default size, into an emptied Neo4j of the benchmark's own, with the Neo4j server's CPU time per list.
 * `--before N` writes N lists first (a log some hours old), unmeasured. Each run then writes on a
 * restarted server and stops it: the checkpoint of that shutdown flushes every page the run's writes
 * dirtied, read from Neo4j's debug log, which is what the scheduled checkpoints of a serving API flush for
 * as many lists. `--ids random` gives the lists random ids (UUID version 4) instead of the API's
 * time-ordered ones (version 7), to compare the two.
 * Prints the median over runs; writes JSON to bench/results.
 *
 *   npx tsx bench/servedLists.ts [--lists 50000] [--batch 500] [--runs 3] [--before 0] [--ids time-ordered|random]
 *
 * Its Neo4j lives in .neo4j/bench-served on port KGREC_BENCH_SERVED_NEO4J_PORT (default 7691).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Graph } from '../src/graph/graph.js';
import { writeServedLists, type ServedListRecord } from '../src/graph/servedLists.js';
import { timeOrderedUuid } from '../src/util/timeOrderedId.js';
import { benchNeo4jOptions, machine, median, processCpuSeconds, startBenchGraph } from './benchServer.js';

const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

const { values } = parseArgs({
  options: {
    lists: { type: 'string', default: '50000' },
    batch: { type: 'string', default: '500' },
    runs: { type: 'string', default: '3' },
    before: { type: 'string', default: '0' },
    ids: { type: 'string', default: 'time-ordered' },
  },
});
const lists = Number(values.lists);
const batch = Number(values.batch);
const runs = Number(values.runs);
const before = Number(values.before);
if (values.ids !== 'time-ordered' && values.ids !== 'random') throw new Error(`--ids: expected time-ordered or random, got ${JSON.stringify(values.ids)}`);
const newId = values.ids === 'random' ? randomUUID : () => timeOrderedUuid();

const list = (i: number, now: number): ServedListRecord => ({
  servedId: newId(),
  userId: `u-${i % 20_000}`,
  surface: 'recommend',
  at: now + i,
  productIds: Array.from({ length: 10 }, (_, k) => `p-${(i * 7 + k * 13) % 5_000}`),
  experimentId: null,
  variant: null,
});

const port = Number(process.env.KGREC_BENCH_SERVED_NEO4J_PORT ?? 7691);
const debugLog = path.join(benchNeo4jOptions('bench-served', port).home, 'logs', 'debug.log');

/** Pages flushed by the last checkpoint of the shop's database that the debug log reports. */
function lastCheckpointPages(): number {
  const lines = readFileSync(debugLog, 'utf8').split('\n').filter((line) => line.includes('[neo4j/') && line.includes('checkpoint completed'));
  const pages = /flushed (\d+) pages/.exec(lines.at(-1) ?? '')?.[1];
  return pages === undefined ? Number.NaN : Number(pages);
}

async function writeAll(graph: Graph, count: number, offset: number, now: number): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    await writeServedLists(graph, Array.from({ length: Math.min(batch, count - start) }, (_, i) => list(offset + start + i, now)));
  }
}

const fresh = await startBenchGraph('bench-served', port);
if (before > 0) {
  console.log(`writing ${before} lists first (${values.ids} ids), unmeasured`);
  await writeAll(fresh.graph, before, 0, Date.now());
}
await fresh.stop();
const results: Array<{ listsPerSecond: number; neo4jCpuMicrosPerList: number; checkpointPages: number }> = [];
for (let run = 0; run < runs; run += 1) {
  const { graph, pid, stop } = await startBenchGraph('bench-served', port, { keepData: true });
  const cpuBefore = pid === null ? 0 : processCpuSeconds(pid);
  const started = performance.now();
  let seconds: number;
  let cpu: number;
  try {
    await writeAll(graph, lists, before + run * lists, Date.now());
    seconds = (performance.now() - started) / 1000;
    cpu = pid === null ? Number.NaN : processCpuSeconds(pid) - cpuBefore;
  } finally {
    await stop();
  }
  const checkpointPages = lastCheckpointPages();
  results.push({ listsPerSecond: lists / seconds, neo4jCpuMicrosPerList: (cpu / lists) * 1e6, checkpointPages });
  console.log(`run ${run + 1}: ${(lists / seconds).toFixed(0)} lists/s, Neo4j CPU ${((cpu / lists) * 1e6).toFixed(1)} µs per list, checkpoint ${checkpointPages} pages`);
}
const summary = {
  machine: machine(),
  lists,
  batch,
  before,
  ids: values.ids,
  listsPerSecond: median(results.map((r) => r.listsPerSecond)),
  neo4jCpuMicrosPerList: median(results.map((r) => r.neo4jCpuMicrosPerList)),
  checkpointPages: median(results.map((r) => r.checkpointPages)),
  runs: results,
};
console.log(
  `median: ${summary.listsPerSecond.toFixed(0)} lists/s, ${summary.neo4jCpuMicrosPerList.toFixed(1)} µs of Neo4j CPU per list, ` +
    `${summary.checkpointPages} pages per checkpoint after ${lists} lists (${values.ids} ids, ${before} before; ${summary.machine})`,
);
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(path.join(RESULTS_DIR, `servedLists-${values.ids}.json`), `${JSON.stringify(summary, null, 2)}\n`);
