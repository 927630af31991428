/**
 * Why the ranking threads keep their calls awaiting replies in PendingCalls rather than a Map
 * (src/util/pendingCalls.ts): a worker thread answers calls at a steady rate, as the ranking thread does,
 * and after one full collection the API side's young-generation collections are timed for a few seconds
 * with each store. With a Map churned by one add and one delete per call, the replaced backing tables
 * keep every later call's callbacks, promises and replies alive until a mark-compact.
 *
 *   npx tsx bench/pendingCalls.ts [--rate 1000] [--seconds 3]
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { PendingCalls } from '../src/util/pendingCalls.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '3' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);

// The worker replies with a page of ten items shaped like a RankedList (reasons and a score breakdown).
const ECHO = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id }) => {
  const items = Array.from({ length: 10 }, (_, i) => ({ productId: 'p-' + i, score: Math.random(),
    reasons: [{ kind: 'SIMILAR', text: 'similar to products you viewed', path: ['User:u-1', 'Product:p-' + i] }],
    breakdown: ['graph', 'popularity', 'category', 'brand', 'recency', 'coBought'].map((name) => ({ name, weight: 1, contribution: Math.random() })) }));
  parentPort.postMessage({ id, value: { items, strategy: 'fused' } });
});`;

interface Store {
  add(id: number, resolve: (value: unknown) => void): void;
  take(id: number): ((value: unknown) => void) | undefined;
}

function mapStore(): Store {
  const byId = new Map<number, (value: unknown) => void>();
  return {
    add: (id, resolve) => byId.set(id, resolve),
    take: (id) => {
      const resolve = byId.get(id);
      byId.delete(id);
      return resolve;
    },
  };
}

async function measure(name: string, store: Store): Promise<void> {
  const worker = new Worker(ECHO, { eval: true });
  worker.on('message', (reply: { id: number; value: unknown }) => store.take(reply.id)?.(reply.value));
  let nextId = 0;
  const call = () =>
    new Promise((resolve) => {
      nextId += 1;
      store.add(nextId, resolve);
      worker.postMessage({ id: nextId });
    });
  const callFor = async (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      await Promise.all(Array.from({ length: rate / 100 }, call));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await callFor(1_000); // warm-up
  const collections = { minor: 0, minorMs: 0, major: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        collections.minor += 1;
        collections.minorMs += entry.duration;
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) collections.major += 1;
    }
  });
  gc(); // promotes the store's live table, as any full collection under load does
  observer.observe({ entryTypes: ['gc'] });
  await callFor(seconds * 1_000);
  await new Promise((resolve) => setTimeout(resolve, 100)); // gc entries arrive asynchronously
  observer.disconnect();
  await worker.terminate();
  console.log(
    `${name}: ${seconds} s at ${rate} calls/s after one full collection: ${collections.minor} scavenges, ${collections.minorMs.toFixed(0)} ms of scavenge pauses, ${collections.major} mark-compacts`,
  );
}

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
await measure('Map', mapStore());
await measure('PendingCalls', new PendingCalls<(value: unknown) => void>());
