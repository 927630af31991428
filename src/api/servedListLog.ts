import { LRUCache } from 'lru-cache';
import { isRetryableError, Neo4jError } from 'neo4j-driver';
import type { Graph } from '../graph/graph.js';
import { timeOrderedUuid } from '../util/timeOrderedId.js';
import { readServedLists, writeServedLists, type ServedListRecord } from '../graph/servedLists.js';

/**
 * The API's side of the exposure log: each answered list gets a servedId at once and is written to Neo4j
 * later, with the lists answered beside it, in one UNWIND batch (every `flushMs`, or as soon as
 * `batchSize` are waiting), so a request never waits for its own log write. The lists of the last minutes
 * stay in memory too: a second page usually follows the first within seconds, and finds the first
 * page's products here without a read (other API processes read them from Neo4j once written).
 *
 * A failed write is logged and its lists dropped from the buffer, not retried without end: the exposure log
 * is for measuring, and a Neo4j outage must not grow the API's memory. A batch that Neo4j refuses as such
 * (one list it cannot store, such as a value too large for an index) is split in halves and written again, down to single lists,
 * so one bad list loses only itself, never the lists answered beside it. `recordServed: false` keeps the
 * ids (the schema promises one) but logs nothing.
 */

export interface ServedListLogOptions {
  /** Write lists at all (false: ids only). */
  enabled: boolean;
  /** Longest a list waits in the buffer. */
  flushMs: number;
  /** A write starts as soon as this many lists wait. */
  batchSize: number;
  onError?: (error: unknown, lists: number) => void;
}

export type ServedList = Omit<ServedListRecord, 'servedId' | 'at'>;

/**
 * Lists kept waiting at most: past it (Neo4j slower than the traffic, or down) new lists are not logged.
 * 100 batches of the largest size: minutes of a busy shop's traffic, some tens of MB.
 */
const MAX_PENDING_BATCHES = 100;
/** Recent lists kept in memory for next pages: a minute of traffic at a few hundred lists a second. */
const RECENT_LISTS = 50_000;
/**
 * Longest a shutdown waits for the last lists' write. With Neo4j out of reach the driver retries a write
 * for 30 s; a stopping API (a deploy, a restart) must not hang on the exposure log for that long.
 */
export const CLOSE_GRACE_MS = 5_000;
const RECENT_TTL_MS = 10 * 60_000;

/**
 * Neo4j answered, and not with a passing state (a transient error, an unreachable server, an expired
 * session): the statement failed for what it held, e.g. a value past an index's key size.
 */
function isRefusedForContent(error: unknown): boolean {
  // The driver counts transient errors, an unreachable server and an expired session as retryable.
  return error instanceof Neo4jError && !isRetryableError(error);
}

interface RecentList {
  userId: string | null;
  productIds: readonly string[];
}

export class ServedListLog {
  private pending: ServedListRecord[] = [];
  private readonly recent = new LRUCache<string, RecentList>({ max: RECENT_LISTS, ttl: RECENT_TTL_MS });
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** Set by close(): requests answered while the server drains get ids, but nothing is written after the last flush. */
  private closed = false;
  /** Lists not logged because the buffer was full. */
  dropped = 0;
  /** Lists taken by a flush whose write has not ended yet (written or failed). */
  private unwritten = 0;

  constructor(
    private readonly graph: Graph,
    private readonly options: ServedListLogOptions,
  ) {}

  /**
   * Gives the list its id and queues it for the log; returns the id. The ids are time-ordered (UUID
   * version 7, src/util/timeOrderedId.ts), so each new list's entry lands at the end of the id index's
   * B-tree. Random ids (version 4) land all over it: a checkpoint then flushes a page for nearly every
   * list written since the last one, and that grows with the log, not with the traffic (decision 0029).
   */
  record(list: ServedList, now = Date.now()): string {
    const servedId = timeOrderedUuid();
    if (!this.options.enabled || this.closed) return servedId;
    if (this.pending.length >= this.options.batchSize * MAX_PENDING_BATCHES) {
      this.dropped += 1;
      return servedId;
    }
    this.pending.push({ ...list, servedId, at: now });
    this.recent.set(servedId, { userId: list.userId, productIds: list.productIds });
    if (this.pending.length >= this.options.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs).unref();
    return servedId;
  }

  /**
   * The products of earlier lists served to `userId`, for a next page: from memory when recent, else from
   * the log. Lists of other users, and ids unknown, add nothing (a guessed id reveals no one's list).
   */
  async productsOf(servedIds: readonly string[], userId: string): Promise<string[]> {
    const products = new Set<string>();
    const missing: string[] = [];
    for (const servedId of servedIds) {
      const list = this.recent.get(servedId);
      if (list === undefined) missing.push(servedId);
      else if (list.userId === userId) list.productIds.forEach((id) => products.add(id));
    }
    if (missing.length > 0 && this.options.enabled) {
      for (const list of (await readServedLists(this.graph, missing)).values()) {
        if (list.userId === userId) list.productIds.forEach((id) => products.add(id));
      }
    }
    return [...products];
  }

  /** Writes what waits; resolves when every list queued before the call is written (or its write failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    this.unwritten += batch.length;
    // One write at a time, in order: a flush waits for the one before it.
    this.writing = this.writing.then(async () => {
      for (let start = 0; start < batch.length; start += this.options.batchSize) {
        const part = batch.slice(start, start + this.options.batchSize);
        try {
          await this.writeIsolatingRefused(part);
        } finally {
          this.unwritten -= part.length;
        }
      }
    });
    return this.writing;
  }

  /**
   * Writes the lists in one statement; when Neo4j refuses the statement for what it holds, writes each half
   * again, so that only the lists Neo4j refuses on their own are lost. Other errors (Neo4j down, a timeout)
   * would fail every half alike, so they drop the part at once rather than multiply the writes.
   */
  private async writeIsolatingRefused(part: readonly ServedListRecord[]): Promise<void> {
    try {
      await writeServedLists(this.graph, part);
    } catch (error) {
      if (part.length > 1 && isRefusedForContent(error)) {
        const half = Math.ceil(part.length / 2);
        await this.writeIsolatingRefused(part.slice(0, half));
        await this.writeIsolatingRefused(part.slice(half));
      } else {
        this.options.onError?.(error, part.length);
      }
    }
  }

  /**
   * A user's data is being deleted: their lists leave the buffer and memory, and writes under way finish
   * first, so that none lands after the deletion.
   */
  async forgetUser(userId: string): Promise<void> {
    this.pending = this.pending.filter((list) => list.userId !== userId);
    for (const [servedId, list] of this.recent.entries()) if (list.userId === userId) this.recent.delete(servedId);
    await this.writing;
  }

  /**
   * Writes what waits, stops the timer and logs nothing more (on shutdown, before the driver closes).
   * Waits `graceMs` at most; returns how many lists were still unwritten then (0 when all went).
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<number> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
    const timedOut = await Promise.race([this.flush().then(() => false), expired]);
    clearTimeout(timer);
    return timedOut ? this.unwritten : 0;
  }
}
