import type { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { ProfileCacheSettings } from '../graph/profileCache.js';
import { startModuleWorker } from '../util/moduleWorker.js';
import { PendingCalls } from '../util/pendingCalls.js';
import type { FusedRankerOptions } from './fusedRanker.js';
import type { RankedList, Ranker, RankingThreadsHealth, RankOptions, RecommendOptions, SearchOptions } from './types.js';

/**
 * The fused ranker on worker threads of its own, behind the same `Ranker` interface. A request's ranking
 * (every signal over the whole catalogue, fusion, MMR, explanations) is most of its CPU time; on the API's
 * one event loop it would cap the API at one core while GraphQL, HTTP and Neo4j's replies wait behind it.
 * Each thread (rankerThread.ts) holds its own ranking state, Neo4j connection and profile cache; calls go
 * to the thread with the fewest in flight.
 *
 * Invalidations (`behaviourChanged`, `invalidate`, `invalidateRules`) go to every thread, in the order they
 * were made: a thread handles its messages in order, so a call made after an invalidation sees it. A thread
 * that dies fails the calls it held and is replaced on the next call.
 */

/** What a thread needs to build its FusedRanker: plain data (functions cannot cross to a thread). */
export interface RankerThreadData {
  config: Config;
  ranker: Omit<FusedRankerOptions, 'graph' | 'logger' | 'onError' | 'profileCache'>;
  profileCache?: ProfileCacheSettings | undefined;
  /** pino level of the thread's logs (stderr). */
  logLevel: string;
}

export type RankerCall =
  | { id: number; method: 'recommend'; args: [string, RankOptions] }
  | { id: number; method: 'search'; args: [string, SearchOptions] }
  | { id: number; method: 'similar'; args: [string, RankOptions] }
  | { id: number; method: 'warmUp'; args: [] };

export type RankerNotice =
  | { method: 'behaviourChanged'; args: [readonly string[]] }
  | { method: 'invalidate'; args: [{ behaviour?: boolean }] }
  | { method: 'forgetUsers'; args: [readonly string[]] }
  | { method: 'invalidateRules'; args: [] }
  | { method: 'close'; args: [] };

export type RankerReply = { id: number; value: unknown } | { id: number; error: { name: string; message: string } };

export interface ThreadedRankerOptions extends RankerThreadData {
  /** Number of ranking threads (at least 1). */
  threads: number;
  /** A thread that failed or stopped unexpectedly. */
  onError?: (error: unknown) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The ranking thread's young generation (V8 keeps it at three semi-spaces): 64 MiB semi-spaces instead of
 * Node's 16. Each request allocates every signal's scores over the whole catalogue; with small semi-spaces
 * the scavenges come several times a second and promote requests still in flight, and the old space then
 * fills with them and is marked and compacted every few seconds, stalling every queued request.
 * docs/decisions/0017-api-request-path-and-soak.md has the soak figures.
 */
export const RANKING_THREAD_YOUNG_GENERATION_MB = 192;

/** A thread is given this long to close its Neo4j connection before it is terminated. */
const CLOSE_GRACE_MS = 5_000;

class RankerThread {
  readonly pending = new PendingCalls<Pending>();

  constructor(
    readonly worker: Worker,
    onExit: (thread: RankerThread, error: Error) => void,
  ) {
    worker.on('message', (reply: RankerReply) => {
      const waiting = this.pending.take(reply.id);
      if (!waiting) return;
      if ('error' in reply) waiting.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      else waiting.resolve(reply.value);
    });
    // An error event is followed by an exit event: the thread is reported once.
    let reported = false;
    const report = (error: Error) => {
      if (reported) return;
      reported = true;
      onExit(this, error);
    };
    worker.on('error', report);
    worker.on('exit', (code) => report(new Error(`the ranking thread stopped (exit code ${code})`)));
  }

  failAll(error: Error): void {
    for (const waiting of this.pending.takeAll()) waiting.reject(error);
  }
}

export class ThreadedRanker implements Ranker {
  private readonly threads: Array<RankerThread | null>;
  private nextId = 1;
  private closed = false;
  private failures = 0;

  constructor(private readonly options: ThreadedRankerOptions) {
    this.threads = Array.from({ length: Math.max(1, options.threads) }, () => null);
  }

  recommend(userId: string, options: RecommendOptions): Promise<RankedList> {
    return this.call('recommend', [userId, options]) as Promise<RankedList>;
  }

  search(query: string, options: SearchOptions): Promise<RankedList> {
    return this.call('search', [query, options]) as Promise<RankedList>;
  }

  similar(productId: string, options: RankOptions): Promise<RankedList | null> {
    return this.call('similar', [productId, options]) as Promise<RankedList | null>;
  }

  /** Starts every thread and waits until each has loaded its state. */
  async warmUp(): Promise<void> {
    await Promise.all(this.threads.map((_, index) => this.send(this.thread(index), 'warmUp', [])));
  }

  behaviourChanged(userIds: readonly string[]): void {
    this.notify({ method: 'behaviourChanged', args: [[...userIds]] });
  }

  invalidate(options: { behaviour?: boolean } = {}): void {
    this.notify({ method: 'invalidate', args: [options] });
  }

  forgetUsers(userIds: readonly string[]): void {
    this.notify({ method: 'forgetUsers', args: [[...userIds]] });
  }

  invalidateRules(): void {
    this.notify({ method: 'invalidateRules', args: [] });
  }

  health(): RankingThreadsHealth {
    const started = this.threads.filter((thread): thread is RankerThread => thread !== null);
    return {
      threads: this.threads.length,
      running: started.length,
      callsInFlight: started.reduce((sum, thread) => sum + thread.pending.size, 0),
      failures: this.failures,
    };
  }

  /** Asks each thread to close its connection, then terminates it. */
  close(): void {
    this.closed = true;
    this.notify({ method: 'close', args: [] });
    this.threads.forEach((thread, index) => {
      if (!thread) return;
      this.threads[index] = null;
      thread.failAll(new Error('the ranker is closed'));
      setTimeout(() => void thread.worker.terminate(), CLOSE_GRACE_MS).unref();
    });
  }

  private call(method: RankerCall['method'], args: RankerCall['args']): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the ranker is closed'));
    // The thread with the fewest calls in flight (the first one that is not started yet counts as idle).
    let best = 0;
    for (let index = 1; index < this.threads.length; index += 1) {
      if ((this.threads[index]?.pending.size ?? 0) < (this.threads[best]?.pending.size ?? 0)) best = index;
    }
    return this.send(this.thread(best), method, args);
  }

  private send(thread: RankerThread, method: RankerCall['method'], args: RankerCall['args']): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.add(id, { resolve, reject });
      thread.worker.postMessage({ id, method, args } as RankerCall);
    });
  }

  /** Only started threads are told: one started later loads everything anew anyway. */
  private notify(notice: RankerNotice): void {
    for (const thread of this.threads) thread?.worker.postMessage(notice);
  }

  private thread(index: number): RankerThread {
    const existing = this.threads[index];
    if (existing) return existing;
    const { threads: _threads, onError: _onError, ...options } = this.options;
    // Each thread reloads its state at its own point of the cycle: while one reads and rebuilds, the others answer.
    const data = { ...options, ranker: { ...options.ranker, reloadPhase: index / this.threads.length } };
    const worker = startModuleWorker(import.meta.url, 'rankerThread', data satisfies RankerThreadData, { maxYoungGenerationSizeMb: RANKING_THREAD_YOUNG_GENERATION_MB });
    // A ranking thread must not keep the process alive on its own (the server's shutdown closes it).
    worker.unref();
    const thread = new RankerThread(worker, (stopped, error) => {
      if (this.threads[index] === stopped) this.threads[index] = null;
      stopped.failAll(error);
      if (this.closed) return;
      this.failures += 1;
      this.options.onError?.(error);
    });
    this.threads[index] = thread;
    return thread;
  }
}
