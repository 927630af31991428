/**
 * Write cost of the exposure log: ServedList nodes of 10 products written in UNWIND batches of the API's
 * default size, into an emptied Neo4j of the benchmark's own, with the Neo4j server's CPU time per list.
 * Prints the median over runs of lists/s and µs of Neo4j CPU per list; writes JSON to bench/results.
 *
 *   npx tsx bench/servedLists.ts [--lists 50000] [--batch 500] [--runs 3]
 *
 * Its Neo4j lives in .neo4j/bench-served on port KGREC_BENCH_SERVED_NEO4J_PORT (default 7691).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeServedLists, type ServedListRecord } from '../src/graph/servedLists.js';
import { machine, median, processCpuSeconds, startBenchGraph } from './benchServer.js';

const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

const { values } = parseArgs({
  options: { lists: { type: 'string', default: '50000' }, batch: { type: 'string', default: '500' }, runs: { type: 'string', default: '3' } },
});
const lists = Number(values.lists);
const batch = Number(values.batch);
const runs = Number(values.runs);

const list = (i: number, now: number): ServedListRecord => ({
  servedId: randomUUID(),
  userId: `u-${i % 20_000}`,
  surface: 'recommend',
  at: now + i,
  productIds: Array.from({ length: 10 }, (_, k) => `p-${(i * 7 + k * 13) % 5_000}`),
  experimentId: null,
  variant: null,
});

const { graph, pid, stop } = await startBenchGraph('bench-served', Number(process.env.KGREC_BENCH_SERVED_NEO4J_PORT ?? 7691));
const results: Array<{ listsPerSecond: number; neo4jCpuMicrosPerList: number }> = [];
try {
  for (let run = 0; run < runs; run += 1) {
    const now = Date.now();
    const all = Array.from({ length: lists }, (_, i) => list(i, now));
    const cpuBefore = pid === null ? 0 : processCpuSeconds(pid);
    const started = performance.now();
    for (let start = 0; start < all.length; start += batch) await writeServedLists(graph, all.slice(start, start + batch));
    const seconds = (performance.now() - started) / 1000;
    const cpu = pid === null ? Number.NaN : processCpuSeconds(pid) - cpuBefore;
    results.push({ listsPerSecond: lists / seconds, neo4jCpuMicrosPerList: (cpu / lists) * 1e6 });
    console.log(`run ${run + 1}: ${(lists / seconds).toFixed(0)} lists/s, Neo4j CPU ${((cpu / lists) * 1e6).toFixed(1)} µs per list`);
  }
} finally {
  await stop();
}
const summary = {
  machine: machine(),
  lists,
  batch,
  listsPerSecond: median(results.map((r) => r.listsPerSecond)),
  neo4jCpuMicrosPerList: median(results.map((r) => r.neo4jCpuMicrosPerList)),
  runs: results,
};
console.log(`median: ${summary.listsPerSecond.toFixed(0)} lists/s, ${summary.neo4jCpuMicrosPerList.toFixed(1)} µs of Neo4j CPU per list (${summary.machine})`);
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(path.join(RESULTS_DIR, 'servedLists.json'), `${JSON.stringify(summary, null, 2)}\n`);
