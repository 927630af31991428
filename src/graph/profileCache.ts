import { pruneBehaviourChanges, readBehaviourChanges } from './behaviourChanges.js';
import type { Graph } from './graph.js';
import { hashString } from '../util/hash.js';

/**
 * Users' behaviour rows kept in memory between requests, and dropped as soon as the behaviour changes:
 * at once for writes made through this process (`invalidate`), within one poll of the behaviour change
 * feed (src/graph/behaviourChanges.ts) for writes made by other processes, such as an ingestion run.
 * Without it every `recommend` reads its user's behaviour from Neo4j, which on a small machine costs more
 * than the ranking itself.
 *
 * Never stale for longer than a poll: until the feed has been read once, and whenever a poll fails, the
 * cache holds nothing and every read goes to Neo4j. A read that began before an invalidation of its user
 * is returned but not kept. Entries also expire, a bound for writes outside the feed: each user's at an
 * age of its own between half of `maxAgeMs` and `maxAgeMs` (from a hash of the id), so that users cached
 * together, as after a restart, are not all read again from Neo4j in the same moment.
 */

/** The configurable part: plain data, so that it can be handed to a ranking thread. */
export interface ProfileCacheSettings {
  /** Most users kept; the least recently used go first. */
  maxUsers: number;
  /** How often the change feed is read. */
  pollMs: number;
  /** Longest an entry is served (each user's expires between half of this and this). */
  maxAgeMs: number;
  /** Feed entries are deleted once this old (they only need to outlive a poll or two). */
  feedRetentionMs?: number;
}

export interface ProfileCacheOptions extends ProfileCacheSettings {
  onError?: (error: unknown) => void;
  /** Another process deleted a user's data (the feed does not say whose): called after the cache was cleared. */
  onErasure?: () => void;
  /**
   * Products whose behaviour changed, as the feed names them; null when some changes may have gone unseen
   * or unnamed (a failed poll, a writer that names no products): every product may have changed.
   */
  onProductsChanged?: (productIds: readonly string[] | null) => void;
  now?: () => number;
}

/** The settings with failed polls logged (undefined stays undefined: no cache). */
export function loggedProfileCache(
  settings: ProfileCacheSettings | undefined,
  logger: { error(details: Record<string, unknown>, message: string): void },
): ProfileCacheOptions | undefined {
  return (
    settings && {
      ...settings,
      onError: (error) => logger.error({ err: error }, 'reading the behaviour change feed failed; behaviour is read per request until it succeeds'),
    }
  );
}

/** A poll looks this far behind the previous one: a change committed a little after its `timestamp()` is still seen. */
const POLL_OVERLAP_MS = 10_000;
const DEFAULT_FEED_RETENTION_MS = 60 * 60_000;
/** Pruning runs at most this often (a write; the polls are reads). */
const PRUNE_EVERY_MS = 60_000;

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** The age at which a user's entry expires: spread over [maxAgeMs / 2, maxAgeMs] by the id. */
function lifetimeOf(userId: string, maxAgeMs: number): number {
  return maxAgeMs * (1 - hashString(userId) / 2 ** 33);
}

export class ProfileCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  /** Invalidation counter: a read keeps its result only if its user was not invalidated since it began. */
  private generation = 0;
  private readonly invalidatedAt = new Map<string, number>();
  /** Reads that began before this generation are not kept (after a clear, or when invalidatedAt was reset). */
  private floor = 0;
  /** Server time of the last successful poll; null until the first one (nothing is cached then). */
  private polledAt: number | null = null;
  /** Changes already applied, by id, with their time (kept for the overlap window). */
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private lastPruneAt = 0;
  private readonly now: () => number;

  constructor(
    private readonly graph: Graph,
    private readonly options: ProfileCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The user's rows if cached and the feed is current; starts the polling on first use. */
  get(userId: string): V | undefined {
    this.watch();
    if (this.polledAt === null) return undefined;
    const entry = this.entries.get(userId);
    if (!entry) return undefined;
    // An expired entry stays (LRU still bounds the count) for `expired`, until the next read replaces it.
    if (this.now() > entry.expiresAt) return undefined;
    // Most recently used last: a Map iterates in insertion order.
    this.entries.delete(userId);
    this.entries.set(userId, entry);
    return entry.value;
  }

  /**
   * The rows of a user whose entry expired by age (not invalidated: their behaviour did not change as far
   * as the feed says), for a reader to compare with what it reads again.
   */
  expired(userId: string): V | undefined {
    const entry = this.entries.get(userId);
    return entry && this.now() > entry.expiresAt ? entry.value : undefined;
  }

  /** A token to pass to `set` with the rows read after taking it. */
  begin(): number {
    return this.generation;
  }

  /** Keeps rows read since `begin()` returned `token`, unless the user changed meanwhile. */
  set(userId: string, value: V, token: number): void {
    if (this.polledAt === null || token < this.floor || (this.invalidatedAt.get(userId) ?? -1) > token) return;
    this.entries.delete(userId);
    if (this.entries.size >= this.options.maxUsers) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(userId, { value, expiresAt: this.now() + lifetimeOf(userId, this.options.maxAgeMs) });
  }

  /** The users' behaviour changed: their rows go, and reads of them in flight are not kept. */
  invalidate(userIds: Iterable<string>): void {
    this.generation += 1;
    for (const userId of userIds) {
      this.entries.delete(userId);
      this.invalidatedAt.set(userId, this.generation);
    }
    // Only reads in flight need these marks; past a bound, dropping them all and refusing older reads is cheaper.
    if (this.invalidatedAt.size > 100_000) {
      this.invalidatedAt.clear();
      this.floor = this.generation;
    }
  }

  /** Drops everything, including what reads in flight would keep. */
  clear(): void {
    this.entries.clear();
    this.invalidatedAt.clear();
    this.generation += 1;
    this.floor = this.generation;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Reads the change feed now and applies it (the timer does this every pollMs). */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  /** Stops polling; the cache then holds nothing until the next `get` starts it again. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.polledAt = null;
    this.clear();
  }

  /** Starts polling the feed, if not yet (the first `get` does too). */
  watch(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.options.pollMs);
    this.timer.unref();
    void this.poll();
  }

  private async pollOnce(): Promise<void> {
    try {
      // The first poll also reads the overlap before the server's now: a snapshot loaded just before it still hears of those changes.
      const since = this.polledAt === null ? { lookBackMs: POLL_OVERLAP_MS } : this.polledAt - POLL_OVERLAP_MS;
      const { now, changes } = await readBehaviourChanges(this.graph, since);
      for (const change of changes) {
        if (this.seen.has(change.id)) continue;
        this.seen.set(change.id, change.at);
        if (change.erasure) {
          this.clear();
          this.options.onErasure?.();
        } else {
          this.invalidate(change.userIds);
          this.options.onProductsChanged?.(change.productIds);
        }
      }
      for (const [id, at] of this.seen) if (at < now - 2 * POLL_OVERLAP_MS) this.seen.delete(id);
      // The first poll only fixes the starting time; reads that began before it are not kept.
      if (this.polledAt === null) this.clear();
      this.polledAt = now;
    } catch (error) {
      // Changes may be going unseen: serve nothing from memory until a poll succeeds again.
      this.polledAt = null;
      this.clear();
      this.options.onProductsChanged?.(null);
      this.options.onError?.(error);
      return;
    }
    await this.pruneFeed();
  }

  /** A failed prune only leaves old entries for the next one: the cache stays valid. */
  private async pruneFeed(): Promise<void> {
    const now = this.now();
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    try {
      await pruneBehaviourChanges(this.graph, this.options.feedRetentionMs ?? DEFAULT_FEED_RETENTION_MS);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
