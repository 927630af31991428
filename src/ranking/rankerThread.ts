/**
 * A ranking thread (see threadedRanker.ts): a FusedRanker with its own Neo4j connection, answering the
 * calls the API thread posts and applying its invalidations in the order they arrive.
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { Graph } from '../graph/graph.js';
import { watchStalls } from '../util/stallWatch.js';
import { loggedFusedRanker } from './fusedRanker.js';
import type { RankerCall, RankerNotice, RankerReply, RankerThreadData } from './threadedRanker.js';

const data = workerData as RankerThreadData;
const STALL_DEBUG_MS = 20;
const STALL_WARN_MS = 250;
if (!parentPort) throw new Error('rankerThread runs as a worker thread');
const port = parentPort;

const logger = pino({ level: data.logLevel, base: { thread: 'ranking' } }, pino.destination(2));
// Every call queued behind a blocked ranking thread waits as long: long stalls are worth a warning, short
// ones a debug line (the soak benchmark sets them beside its slow requests).
watchStalls(({ blockedMs }) => {
  if (blockedMs >= STALL_WARN_MS) logger.warn({ blockedMs }, 'ranking thread blocked');
  else logger.debug({ blockedMs }, 'ranking thread blocked');
}, STALL_DEBUG_MS);
// At debug level the thread's long GC pauses are logged too: the other cause of a stall.
if (logger.isLevelEnabled('debug')) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // detail.kind: NODE_PERFORMANCE_GC_MINOR (a scavenge), _MAJOR (mark-compact), _INCREMENTAL, _WEAKCB.
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (entry.duration >= STALL_DEBUG_MS / 2) logger.debug({ gcMs: Math.round(entry.duration * 10) / 10, kind }, 'gc pause');
    }
  }).observe({ entryTypes: ['gc'] });
}
const graph = Graph.open(data.config);
/** Verified once; a failure (Neo4j down at start) is retried by the next call rather than kept for good. */
let ready: Promise<void> | null = null;
function connected(): Promise<void> {
  ready ??= graph.verify().catch((error: unknown) => {
    ready = null;
    throw error;
  });
  return ready;
}
const ranker = loggedFusedRanker({ ...data.ranker, graph }, logger, data.profileCache);

async function answer(call: RankerCall): Promise<unknown> {
  await connected();
  switch (call.method) {
    case 'recommend':
      return ranker.recommend(...call.args);
    case 'search':
      return ranker.search(...call.args);
    case 'similar':
      return ranker.similar(...call.args);
    case 'warmUp':
      return ranker.warmUp();
  }
}

function apply(notice: RankerNotice): void {
  switch (notice.method) {
    case 'behaviourChanged':
      ranker.behaviourChanged(...notice.args);
      return;
    case 'invalidate':
      ranker.invalidate(...notice.args);
      return;
    case 'forgetUsers':
      ranker.forgetUsers(...notice.args);
      return;
    case 'invalidateRules':
      ranker.invalidateRules();
      return;
    case 'close':
      ranker.close();
      void graph.close().finally(() => port.close());
      return;
  }
}

port.on('message', (message: RankerCall | RankerNotice) => {
  if (!('id' in message)) {
    apply(message);
    return;
  }
  answer(message).then(
    (value) => port.postMessage({ id: message.id, value } satisfies RankerReply),
    (error: unknown) => {
      const { name, message: text } = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ id: message.id, error: { name, message: text } } satisfies RankerReply);
    },
  );
});
