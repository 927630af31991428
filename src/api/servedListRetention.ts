import type { Graph } from '../graph/graph.js';
import { pruneServedLists } from '../graph/servedLists.js';

const DAY_MS = 86_400_000;
/** How often the log is pruned: old lists are a storage cost, not a correctness one, so hourly is plenty. */
const PRUNE_EVERY_MS = 60 * 60_000;
/** The first pruning waits this long, so that it never competes with a server's start-up. */
const FIRST_PRUNE_AFTER_MS = 60_000;

export interface ServedListRetentionOptions {
  /** Lists older than this many days are deleted; 0 keeps them for ever. */
  retentionDays: number;
  onPruned?: (deleted: number) => void;
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * Keeps the exposure log bounded: every hour, the served lists older than the retention are deleted. Each
 * API process runs it; two deleting the same old lists at once only share the work.
 */
export class ServedListRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly graph: Graph,
    private readonly options: ServedListRetentionOptions,
  ) {}

  /** Starts the hourly pruning (nothing when the retention is 0). */
  start(): void {
    if (this.options.retentionDays <= 0 || this.timer) return;
    const schedule = (delay: number) => {
      this.timer = setTimeout(() => {
        void this.pruneNow().finally(() => {
          if (this.timer) schedule(PRUNE_EVERY_MS);
        });
      }, delay).unref();
    };
    schedule(FIRST_PRUNE_AFTER_MS);
  }

  /** Deletes the lists past the retention now; resolves to how many went (0 on an error, which is reported). */
  pruneNow(): Promise<number> {
    if (this.options.retentionDays <= 0) return Promise.resolve(0);
    this.running ??= (async () => {
      try {
        const before = (this.options.now ?? Date.now)() - this.options.retentionDays * DAY_MS;
        const deleted = await pruneServedLists(this.graph, before);
        if (deleted > 0) this.options.onPruned?.(deleted);
        return deleted;
      } catch (error) {
        this.options.onError?.(error);
        return 0;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Stops the schedule and waits for a pruning under way (on shutdown, before the driver closes). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
