/**
 * The API process of bench/soak: a `kgrec serve` equivalent (the serving ranker on its ranking threads,
 * the whole HTTP and GraphQL path), forked by bench/soak so that its heap and event loop are its own.
 * With `--train-in-process` it first trains and activates a model on its own thread and heap, as
 * `kgrec start` used to, for the A/B against a process that never trained.
 *
 * Messages: it sends `{ type: 'ready', port, pid, trainedInProcess }` once it serves; it answers
 * `{ type: 'memory' }` with `{ type: 'memory', ... }` (heap, external, array buffers, RSS, in MiB; the event
 * loop's delay and the GC pauses since the previous such answer) and
 * `{ type: 'stop' }` by stopping and exiting. Settings come from the environment (NEO4J_*, KGREC_API_*).
 */
import '../src/cli/productionMode.js';
import v8 from 'node:v8';
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadApiConfig } from '../src/api/config.js';
import { createApiServer } from '../src/api/server.js';
import { createServingRanker } from '../src/api/servingRanker.js';
import { loadConfig } from '../src/config.js';
import { Graph } from '../src/graph/graph.js';
import { runTrainingJob } from '../src/jobs/train.js';
import { activateModel } from '../src/kge/modelStore.js';
import { watchStalls } from '../src/util/stallWatch.js';

export interface ApiMemory {
  type: 'memory';
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
  rssMiB: number;
  /** V8's old generation as committed: it grows with what the process once held and is slow to give back. */
  oldSpaceMiB: number;
  /** Since the previous report: the event loop's delay (p99, max) and the garbage collector's pauses on this thread. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcPauseMaxMs: number;
  gcPauseTotalMs: number;
  /** Collections since the previous report by kind: minor (scavenge), major (mark-compact), other (incremental, weak callbacks). */
  gcCounts: { minor: number; major: number; other: number };
}

export type ApiMessage = { type: 'ready'; port: number; pid: number; trainedInProcess: boolean } | ApiMemory;

const { values } = parseArgs({ options: { 'train-in-process': { type: 'boolean', default: false }, epochs: { type: 'string', default: '10' } } });
const MiB = 2 ** 20;
const mib = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;

const config = loadConfig();
const api = loadApiConfig(process.env, { port: 0 });
const logger = pino({ level: 'warn' }, pino.destination(2));
// The timeline bench/soak sets beside its slow requests, as JSON lines on stderr: this thread's stalls and
// long GC pauses, and through the ranker's logger (its threads log at its level) their stalls and reloads.
const timeline = pino({ level: 'debug', base: { thread: 'main' } }, pino.destination(2));
const TIMELINE_STALL_MS = 20;
const TIMELINE_GC_MS = 10;
const graph = Graph.open(config);
await graph.verify();
if (values['train-in-process']) {
  const trained = await runTrainingJob({ source: { kind: 'graph', graph, config }, hyperparameters: [{ epochs: Number(values.epochs), workers: 2 }], modelsDir: api.modelsDir, evalEvery: 0 });
  await activateModel(api.modelsDir, trained.version);
}
const ranker = createServingRanker({ graph, config, api, logger: timeline });
await ranker.warmUp();
const server = await createApiServer({ graph, config, api, logger, ranker });

// What stalls the API thread between two reports: the event loop's delay (10 ms resolution would hide
// most scavenges, hence 1 ms) and every garbage collection's pause, by kind.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const gc = { maxMs: 0, totalMs: 0, counts: { minor: 0, major: 0, other: 0 } };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
    gc.totalMs += entry.duration;
    if (entry.duration >= TIMELINE_GC_MS) timeline.debug({ gcMs: Math.round(entry.duration * 10) / 10, kind: (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind }, 'gc pause');
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.counts.minor += 1;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.counts.major += 1;
    else gc.counts.other += 1;
  }
}).observe({ entryTypes: ['gc'] });
watchStalls(({ blockedMs }) => timeline.debug({ blockedMs }, 'main thread blocked'), TIMELINE_STALL_MS);
const ms = (nanoseconds: number): number => Math.round(nanoseconds / 1e5) / 10;

process.on('message', (message: { type: string }) => {
  if (message.type === 'memory') {
    const memory = process.memoryUsage();
    const reply: ApiMemory = {
      type: 'memory',
      heapUsedMiB: mib(memory.heapUsed),
      heapTotalMiB: mib(memory.heapTotal),
      externalMiB: mib(memory.external),
      arrayBuffersMiB: mib(memory.arrayBuffers),
      rssMiB: mib(memory.rss),
      oldSpaceMiB: mib(v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_size ?? 0),
      loopDelayP99Ms: ms(loopDelay.percentile(99)),
      loopDelayMaxMs: ms(loopDelay.max),
      gcPauseMaxMs: Math.round(gc.maxMs * 10) / 10,
      gcPauseTotalMs: Math.round(gc.totalMs),
      gcCounts: { ...gc.counts },
    };
    loopDelay.reset();
    Object.assign(gc, { maxMs: 0, totalMs: 0, counts: { minor: 0, major: 0, other: 0 } });
    process.send?.(reply);
  } else if (message.type === 'stop') {
    void server.stop().finally(() => process.exit(0));
  }
});
const ready: ApiMessage = { type: 'ready', port: server.port, pid: process.pid, trainedInProcess: values['train-in-process'] };
process.send?.(ready);
