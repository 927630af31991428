/**
 * Ingestion speed into the local Neo4j: generates the demo shop, loads its catalogue, then times loading
 * its events (new events, then the same file again, when every event already exists), several runs each.
 *
 *   npm run bench:ingest -- [--events 200000] [--runs 3] [--batch-size 10000] [--lanes 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ingestFiles } from '../src/ingest/ingest.js';
import { writeDemoShopFiles } from '../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../src/jobs/loadShop.js';
import { machine, median, startBenchGraph } from './benchServer.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '10000' },
    lanes: { type: 'string', default: '2' },
  },
});
const events = Number(values.events);
const runs = Number(values.runs);
const batchSize = Number(values['batch-size']);
const writeLanes = Number(values.lanes);

const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrec-bench-ingest-'));
const { files } = await writeDemoShopFiles(dir, { events });
const { graph, config, stop } = await startBenchGraph();
try {
  const ingest = (kind: (typeof LOAD_ORDER)[number]) =>
    ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize, writeLanes, relationTypes: config.relationTypes });
  for (const kind of ['categories', 'brands', 'products', 'users'] as const) await ingest(kind);

  const fresh: number[] = [];
  const repeat: number[] = [];
  /** Share of one core that kgrec itself (parsing, validation, the driver) used while loading new events. */
  const clientCpu: number[] = [];
  for (let run = 1; run <= runs; run += 1) {
    await graph.autoCommit('MATCH (e:Event) CALL (e) { DELETE e } IN TRANSACTIONS OF 20000 ROWS');
    await graph.autoCommit('MATCH ()-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS');
    const cpuBefore = process.cpuUsage();
    const first = await ingest('events');
    const cpu = process.cpuUsage(cpuBefore);
    clientCpu.push((cpu.user + cpu.system) / 1e6 / first.seconds);
    const second = await ingest('events');
    if (first.written !== events || second.written !== 0) throw new Error(`unexpected counts: ${first.written} then ${second.written}`);
    fresh.push(first.recordsPerSecond);
    repeat.push(second.recordsPerSecond);
    console.log(`run ${run}: ${Math.round(first.recordsPerSecond)} new events/s (${first.seconds.toFixed(1)} s), ${Math.round(second.recordsPerSecond)} events/s when all exist`);
  }
  const result = {
    machine: machine(),
    events,
    batchSize,
    writeLanes,
    runs,
    newEventsPerSecond: Math.round(median(fresh)),
    existingEventsPerSecond: Math.round(median(repeat)),
    clientCpuCores: Number(median(clientCpu).toFixed(2)),
  };
  console.log(`ingest: ${result.newEventsPerSecond} new events/s, ${result.existingEventsPerSecond} events/s re-ingested (median of ${runs}; ${events} events, batch ${batchSize}; kgrec itself used ${result.clientCpuCores} of a core; ${result.machine})`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
  await stop();
}
